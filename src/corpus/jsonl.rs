//! JSON input: JSON Lines, a JSON array of documents, or one pretty-printed
//! object. Owns the fields a document and a comment may have, their ids
//! and parent links, and the one-clause reason a bad line is left out.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::input_dates::{date_in_file_name, json_date};
use super::{BadLine, Comment, CorpusError, Document, Parsed};

/// A document as written in JSON.
#[derive(Debug, Deserialize)]
pub(super) struct RawDocument {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    title: Option<String>,
    text: String,
    #[serde(default)]
    comments: Vec<RawComment>,
}

/// A comment as written in JSON.
#[derive(Debug, Deserialize)]
struct RawComment {
    #[serde(default)]
    id: Option<Value>,
    author: String,
    text: String,
    #[serde(default)]
    parent: Option<Value>,
    #[serde(default)]
    date: Option<String>,
}

impl RawDocument {
    /// Validates ids and resolves parents; `line` stands in for a missing id.
    /// The error is one short clause.
    pub(super) fn into_document(self, stem: &str, path: &Path, line: usize) -> Result<Document, String> {
        let id = match &self.id {
            None | Some(Value::Null) => format!("{stem}-{line}"),
            Some(value) => key_string(value).ok_or_else(|| "`id` must be a string or a number".to_string())?,
        };

        let mut comment_ids = Vec::with_capacity(self.comments.len());
        for (i, comment) in self.comments.iter().enumerate() {
            comment_ids.push(match &comment.id {
                None | Some(Value::Null) => None,
                Some(value) => {
                    Some(key_string(value).ok_or_else(|| format!("comment {i}: `id` must be a string or a number"))?)
                }
            });
        }
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        for (i, cid) in comment_ids.iter().enumerate() {
            if let Some(cid) = cid {
                index_of.entry(cid.as_str()).or_insert(i);
            }
        }

        let mut parents = Vec::with_capacity(self.comments.len());
        for (i, comment) in self.comments.iter().enumerate() {
            let parent = match &comment.parent {
                None | Some(Value::Null) => None,
                Some(Value::String(pid)) => Some(
                    *index_of
                        .get(pid.as_str())
                        .ok_or_else(|| format!("comment {i}: parent {pid:?} is not a comment id of this document"))?,
                ),
                Some(Value::Number(num)) => {
                    let index = num
                        .as_u64()
                        .and_then(|v| usize::try_from(v).ok())
                        .filter(|&v| v < self.comments.len())
                        .ok_or_else(|| format!("comment {i}: parent index {num} is out of range"))?;
                    Some(index)
                }
                Some(_) => {
                    return Err(format!("comment {i}: `parent` must be a comment id (string) or index (integer)"))
                }
            };
            if parent == Some(i) {
                return Err(format!("comment {i} is its own parent"));
            }
            parents.push(parent);
        }
        if let Some(i) = find_parent_loop(&parents) {
            return Err(format!("comment {i}: parent links form a loop"));
        }

        let date = json_date(self.date.as_deref())?;
        // A comment date that is no day makes the line bad, as a document's does;
        // a comment without a date is on its article's date (see [`Comment::date`]).
        let mut comments = Vec::with_capacity(self.comments.len());
        for (i, ((raw, id), parent)) in self.comments.into_iter().zip(comment_ids).zip(parents).enumerate() {
            let date = json_date(raw.date.as_deref()).map_err(|e| format!("comment {i}: {e}"))?;
            comments.push(Comment { id, author: raw.author, text: raw.text, parent, date });
        }
        Ok(Document {
            id,
            path: path.to_path_buf(),
            date: date.or_else(|| date_in_file_name(path)),
            title: self.title.filter(|t| !t.trim().is_empty()),
            text: self.text,
            comments,
        })
    }
}

/// A JSON id: strings as they are, integers in decimal.
fn key_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// The first comment whose parent chain comes back to itself, if any.
fn find_parent_loop(parents: &[Option<usize>]) -> Option<usize> {
    (0..parents.len()).find(|&start| {
        let mut current = parents[start];
        // A chain without a loop visits each comment at most once.
        for _ in 0..parents.len() {
            match current {
                Some(p) if p == start => return true,
                Some(p) => current = parents[p],
                None => return false,
            }
        }
        false
    })
}

/// Parses JSON Lines: one document per non-blank line. A bad line is
/// skipped; a file with no good line is an error.
pub(super) fn parse_json_lines(stem: &str, path: &Path, content: &str) -> Result<Parsed, CorpusError> {
    let mut parsed = Parsed { documents: Vec::new(), bad_lines: Vec::new() };
    for (index, raw_line) in content.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw_line.trim();
        if line.is_empty() {
            continue;
        }
        let document = if line.starts_with('{') {
            serde_json::from_str::<RawDocument>(line)
                .map_err(|e| json_message(&e))
                .and_then(|raw| raw.into_document(stem, path, line_no))
        } else {
            Err(NOT_AN_OBJECT.to_string())
        };
        match document {
            Ok(doc) => parsed.documents.push((doc, Some(line_no))),
            Err(reason) => parsed.bad_lines.push(BadLine { line: line_no, reason }),
        }
    }
    parsed.or_error()
}

/// Parses a JSON array of documents. An element that is not a good document
/// is skipped (its 1-based index stands for its line); an array that does not
/// parse, or has no good element, is an error.
pub(super) fn parse_json_array(stem: &str, path: &Path, content: &str) -> Result<Parsed, CorpusError> {
    let values: Vec<Value> =
        serde_json::from_str(content).map_err(|e| CorpusError::Format { line: e.line(), message: json_message(&e) })?;
    let mut parsed = Parsed { documents: Vec::new(), bad_lines: Vec::new() };
    for (i, value) in values.into_iter().enumerate() {
        let index = i + 1;
        let document = if value.is_object() {
            serde_json::from_value::<RawDocument>(value)
                .map_err(|e| e.to_string())
                .and_then(|raw| raw.into_document(stem, path, index))
        } else {
            Err(NOT_AN_OBJECT.to_string())
        };
        match document {
            Ok(doc) => parsed.documents.push((doc, Some(index))),
            Err(reason) => parsed.bad_lines.push(BadLine { line: index, reason }),
        }
    }
    parsed.or_error()
}

/// The reason for a JSON line or array element that is not an object.
const NOT_AN_OBJECT: &str = "not a JSON object";

/// serde_json's message without its own "at line L column C" suffix (the
/// caller names the line), keeping the column; syntax errors start with
/// `invalid JSON: `.
pub(super) fn json_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = match full.strip_suffix(&suffix) {
        Some(message) => format!("{message} (column {})", err.column()),
        None => full,
    };
    if err.is_syntax() || err.is_eof() {
        format!("invalid JSON: {message}")
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_loops_are_found() {
        assert_eq!(find_parent_loop(&[None, Some(0), Some(1)]), None);
        assert_eq!(find_parent_loop(&[Some(2), None, Some(0)]), Some(0));
    }

    fn document(line: &str) -> Result<Document, String> {
        let raw: RawDocument = serde_json::from_str(line).unwrap();
        raw.into_document("f", Path::new("f.jsonl"), 1)
    }

    #[test]
    fn a_comment_date_that_is_no_day_makes_the_line_bad() {
        for bad in ["yesterday", "2024-13-45", "2023-02-29"] {
            let line = format!(
                r#"{{"date": "2024-02-08", "text": "t", "comments": [{{"author": "a", "text": "x"}}, {{"author": "b", "text": "y", "date": "{bad}"}}]}}"#
            );
            let err = document(&line).unwrap_err();
            assert!(err.starts_with("comment 1: `date`") && err.contains(&format!("{bad:?} is not a day")), "{err}");
        }
        let good = r#"{"date": "2024-02-08", "text": "t", "comments": [{"author": "a", "text": "x", "date": "2024-02-09T10:00Z"}, {"author": "b", "text": "y", "date": ""}]}"#;
        let doc = document(good).unwrap();
        assert_eq!(doc.comments[0].date.as_deref(), Some("2024-02-09"));
        assert_eq!(doc.comments[1].date, None, "an empty date is no date: the article's");
    }
}
