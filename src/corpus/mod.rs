//! Corpus reading: turns input files into [`Document`]s (an article with its
//! reader comments). Owns the records and the loading of several inputs:
//! which files are read (`files`), each file's format (`text_format` with
//! `user_names`, `jsonl`), its dates (`input_dates`), over-long texts
//! (`long_text`), and what is skipped ([`Skipped`]: a bad file or line never
//! stops a run) or dropped as a duplicate id. The input rules users write to
//! are in `docs/formats.md`.

mod files;
mod input_dates;
mod jsonl;
mod long_text;
mod text_format;
mod user_names;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use files::extension;
pub use files::input_files;
use jsonl::{json_message, parse_json_array, parse_json_lines, RawDocument};
pub use long_text::cut_at_sentence;
pub(crate) use long_text::ends_sentence;
use text_format::parse_text;

/// One news article and the reader comments below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Stable id: the JSONL `id`, or the file stem for text files.
    pub id: String,
    /// The file it came from.
    pub path: PathBuf,
    /// `YYYY-MM-DD` when known.
    pub date: Option<String>,
    pub title: Option<String>,
    /// Article text, paragraphs joined by `\n`. Entity offsets index into this.
    pub text: String,
    pub comments: Vec<Comment>,
}

impl Document {
    /// The article text, then each comment's text, in order: the texts the
    /// model stages read.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.text.as_str()).chain(self.comments.iter().map(|c| c.text.as_str()))
    }
}

/// One reader comment. Its position in [`Document::comments`] is its index.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: Option<String>,
    pub author: String,
    /// Comment text; continuation lines joined by `\n`.
    pub text: String,
    /// Index of the parent comment in the same document, when known.
    pub parent: Option<usize>,
    /// `YYYY-MM-DD` when the input gives the comment its own date (JSONL
    /// `date`); `None` means "on the article's date": the stages that need a
    /// date (`graph`) read it so, while the record keeps what the input said.
    pub date: Option<String>,
}

/// An input file, or one line of it, that was left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub path: PathBuf,
    /// `Some` for a skipped JSONL line (1-based) or JSON array element
    /// (1-based index); `None` when the whole file (or input) was left out.
    pub line: Option<usize>,
    /// One short clause, without the path or line.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    /// `path: reason`, or `path:line: reason` for a skipped line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.reason),
            None => write!(f, "{}: {}", self.path.display(), self.reason),
        }
    }
}

/// One JSONL line (or array element) that was left out; the file's other
/// documents still run.
#[derive(Debug, Clone, PartialEq)]
pub struct BadLine {
    /// 1-based line number (for a JSON array, the element's 1-based index).
    pub line: usize,
    /// One short clause, without the line number.
    pub reason: String,
}

/// What one file holds: its readable documents and the lines that were not.
#[derive(Debug, Default)]
pub struct FileDocuments {
    pub documents: Vec<Document>,
    pub bad_lines: Vec<BadLine>,
}

/// Two inputs that claimed the same document id in one load; `kept` wins
/// (the one read later: inputs in the order given, a directory's files in
/// path order, lines in file order). When more than two claim one id, the
/// last wins and each earlier one gets its own `DuplicateId`, in reading
/// order. The same id on a later run is an update; the store enforces that.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateId {
    pub id: String,
    /// `path:line` for a JSON document, `path` for a text file.
    pub kept: String,
    /// Same form as `kept`.
    pub dropped: String,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Unique ids, in reading order (a duplicate id at its last place).
    pub documents: Vec<Document>,
    pub skipped: Vec<Skipped>,
    /// Ids claimed more than once, in the order the dropped ones were read.
    pub duplicates: Vec<DuplicateId>,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not valid UTF-8 (byte {0})")]
    NotUtf8(usize),
    #[error("empty file")]
    Empty,
    #[error("line {line}: {message}")]
    Format { line: usize, message: String },
}

/// Reads files, several files, or directories (recursively, sorted by path):
/// [`input_files`], then [`load_file`] for each. A file that fails becomes one
/// [`Skipped`] (no line); each bad JSONL line or array element becomes one
/// [`Skipped`] with its line. Of documents sharing an id, the one read last
/// is kept, at its own position (see [`DuplicateId`]).
pub fn load(inputs: &[PathBuf]) -> Corpus {
    let (files, mut skipped) = input_files(inputs);
    let mut read = Vec::new();
    for path in files {
        match read_file(&path) {
            Ok(parsed) => {
                for bad in parsed.bad_lines {
                    skipped.push(Skipped { path: path.clone(), line: Some(bad.line), reason: bad.reason });
                }
                for (doc, line) in parsed.documents {
                    let place = match line {
                        Some(line) => format!("{}:{line}", path.display()),
                        None => path.display().to_string(),
                    };
                    read.push((doc, place));
                }
            }
            Err(err) => skipped.push(Skipped { path, line: None, reason: err.to_string() }),
        }
    }
    let (documents, duplicates) = keep_latest(read);
    Corpus { documents, skipped, duplicates }
}

/// Of documents (with their places) sharing an id, keeps the last one, at
/// its own position, and names each dropped one.
fn keep_latest(read: Vec<(Document, String)>) -> (Vec<Document>, Vec<DuplicateId>) {
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, (doc, _)) in read.iter().enumerate() {
        last.insert(doc.id.as_str(), i);
    }
    let keep: Vec<bool> = read.iter().enumerate().map(|(i, (doc, _))| last[doc.id.as_str()] == i).collect();
    let duplicates = read
        .iter()
        .zip(&keep)
        .filter(|(_, &kept)| !kept)
        .map(|((doc, place), _)| DuplicateId {
            id: doc.id.clone(),
            kept: read[last[doc.id.as_str()]].1.clone(),
            dropped: place.clone(),
        })
        .collect();
    let documents = read.into_iter().zip(keep).filter(|(_, kept)| *kept).map(|((doc, _), _)| doc).collect();
    (documents, duplicates)
}

/// Parses one file, choosing the format by content/extension. JSON Lines: a
/// bad line becomes a [`BadLine`] and is skipped, the other lines run; a file
/// where every non-blank line is bad is a [`CorpusError::Format`] naming the
/// first bad line. A JSON array likewise, by element (1-based index as the
/// line). Text files, a single pretty-printed JSON object, and files that are
/// unreadable, not UTF-8 or empty are all-or-nothing.
pub fn load_file(path: &Path) -> Result<FileDocuments, CorpusError> {
    let parsed = read_file(path)?;
    Ok(FileDocuments {
        documents: parsed.documents.into_iter().map(|(doc, _line)| doc).collect(),
        bad_lines: parsed.bad_lines,
    })
}

/// What [`read_file`] found: each document with the line it came from (JSON
/// only; `None` for a text file), and the lines left out.
struct Parsed {
    documents: Vec<(Document, Option<usize>)>,
    bad_lines: Vec<BadLine>,
}

impl Parsed {
    /// One document from a whole file.
    fn single(doc: Document, line: Option<usize>) -> Parsed {
        Parsed { documents: vec![(doc, line)], bad_lines: Vec::new() }
    }

    /// An error when nothing in the file was readable: the first bad line's
    /// problem, or [`CorpusError::Empty`] when there was nothing at all.
    fn or_error(self) -> Result<Parsed, CorpusError> {
        if !self.documents.is_empty() {
            return Ok(self);
        }
        match self.bad_lines.into_iter().next() {
            Some(first) => Err(CorpusError::Format { line: first.line, message: first.reason }),
            None => Err(CorpusError::Empty),
        }
    }
}

/// [`load_file`], keeping each document's line.
fn read_file(path: &Path) -> Result<Parsed, CorpusError> {
    let bytes = fs::read(path)?;
    let content = decode(&bytes)?;
    let ext = extension(path);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();

    let head = content.trim_start();
    let json_ext = ext == "json" || ext == "jsonl";
    if head.starts_with('[') && json_ext {
        parse_json_array(&stem, path, content)
    } else if ext == "json" && head.starts_with('{') && content.trim().lines().count() > 1 {
        // One pretty-printed object: valid JSON, but not JSON Lines. Content
        // that is not one JSON value is tried as JSON Lines.
        if serde_json::from_str::<Value>(content).is_err() {
            return parse_json_lines(&stem, path, content);
        }
        // The object's first line names it in errors.
        let line = 1 + content[..content.len() - head.len()].matches('\n').count();
        let error = |message: String| CorpusError::Format { line, message };
        let raw: RawDocument = serde_json::from_str(content).map_err(|e| error(json_message(&e)))?;
        Ok(Parsed::single(raw.into_document(&stem, path, line).map_err(error)?, Some(line)))
    } else if json_ext || head.starts_with('{') {
        parse_json_lines(&stem, path, content)
    } else {
        Ok(Parsed::single(parse_text(stem, path, content)?, None))
    }
}

/// Checks UTF-8, drops a byte-order mark, refuses whitespace-only content.
fn decode(bytes: &[u8]) -> Result<&str, CorpusError> {
    let text = std::str::from_utf8(bytes).map_err(|e| CorpusError::NotUtf8(e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(CorpusError::Empty);
    }
    Ok(text)
}
