//! Corpus reading: turns input files into [`Document`]s (an article with its
//! reader comments). Owns the two input formats (the scraped text format and
//! JSON Lines) and the rules that tell comment authors from comment text.
//! A file that can't be read or parsed, or a JSON line that can't, becomes a
//! [`Skipped`] entry; it never stops the run.
//!
//! # Choosing the format
//!
//! A file whose extension is `.jsonl` or `.json`, or whose content starts
//! with `{`, is JSON Lines; a `.json`/`.jsonl` file whose content starts with
//! `[` is one JSON array of documents, and a `.json` file holding one
//! pretty-printed object is read as that one document. Everything else is the
//! scraped text format. Before either, a
//! UTF-8 byte-order mark is dropped; a file that is not UTF-8 is refused with
//! the byte offset of the first bad byte, and a file with nothing but
//! whitespace is refused as empty.
//!
//! # The scraped text format
//!
//! ```text
//! date 2023-10-17 First paragraph of the article ...
//! Second paragraph ...
//! Last paragraph ... © Some Wire 2023.
//! username
//! comment text
//! more comment text (a continuation line)
//! Another User
//! comment text
//! ```
//!
//! Lines are split on `\n`, `\r\n` or `\r`, trimmed, and blank lines are
//! dropped. The rules, in order:
//!
//! 1. **Date line.** If the first line is `date YYYY-MM-DD` (case-insensitive,
//!    an optional `:` after `date`), the date is taken and the rest of that
//!    line is the article's first paragraph. The document id is the file stem;
//!    such files have no title.
//! 2. **No date line ⇒ no comments.** A file that does not start with a date
//!    line is a plain article (e.g. a news dump with blank lines between
//!    paragraphs): if it has more than one line and its first line is short
//!    (≤ 160 characters and ≤ 25 words) that line is the title, and all other
//!    lines are article paragraphs. Rules 3–7 apply only to files with a date
//!    line (a date found in the file name, see "Dates", does not make a file
//!    one with comments).
//! 3. **Name score.** Every line gets a score saying how much it looks like a
//!    user name (points, like log-odds; > 0 means "looks like a name").
//!    A line can *never* be a name if it is longer than 40 characters or 4
//!    words, ends with sentence punctuation (`. ! ? … , ; :`), contains a
//!    double quote mark (`" “ ” „ « »`), a clause break (`, ` or `; `), a URL,
//!    a `©`, starts with `>`, or has no letter at all. Otherwise it starts at
//!    +1 and gets: +1 for a single token; +1 for username styling (a digit, an
//!    underscore or a lower→upper camel-case step, as in `ushosh123`,
//!    `TaiwanIsNotChina`); +0.5 for 2–4 words with uniform capitalisation
//!    (`Peter Neil`, `marc laden`); −2 for each conversational word (pronouns,
//!    auxiliaries, negations, one-word replies such as `lol`, `exactly`,
//!    `go`, `just`); −0.75 for each article/preposition/conjunction (`the`,
//!    `of`, `and`); −0.5 for a fourth word; −1 for other symbols (anything but
//!    letters, digits, `- _ . '`); −1 for a leading `@`; and +2 when the very
//!    same line occurs more than once in the file (repeat posters).
//! 4. **Comment structure.** The comment section is a sequence of
//!    (name line, one or more text lines). So the line after a name line is
//!    always comment text (even if it is short or name-like), a name line is
//!    never the last line, and a line can only start a new comment if it may
//!    be a name (rule 3).
//! 5. **Names inside the section.** Among all labelings allowed by rule 4,
//!    the one with the largest sum of the name scores of its name lines wins
//!    (found exactly by dynamic programming). A name therefore needs a score
//!    > 0 to be chosen, and of two name-like lines in a row (a short
//!    continuation line followed by a real user name) the higher-scoring one
//!    starts the comment. Ties go to "continuation".
//! 6. **Where the article ends.** The article is the lines before the
//!    comment section; the first line (the date line's paragraph) is always
//!    article. Each line the article takes adds points: +0.5 for a prose
//!    paragraph (≥ 6 words, ending with `. ! ? …`, possibly followed by a
//!    closing quote or bracket), −(1 + s) for a name-like line of score s > 0,
//!    0 otherwise; and the article gets +10 when its last line carries a
//!    credit (`©`, `Copyright 2023`, `(c) 2023`, or a closing
//!    `All rights reserved`). The split (article end plus rule-5 labeling)
//!    with the largest total wins; ties go to the longer article. In practice:
//!    the article ends at the credit line when there is one, otherwise just
//!    before the first clearly name-like line that is followed by text, and a
//!    file where no valid comment section fits is all article.
//! 7. **Credit removal.** The credit sentence on the article's last line
//!    (from the start of the sentence holding the credit marker to the end of
//!    the line, e.g. `© Thomson Reuters 2023.`) is not article text and is
//!    cut; a line that was only a credit is dropped. Article paragraphs are
//!    joined with `\n`, and so are a comment's text lines.
//!
//! # Dates
//!
//! A document's date is, in this order: its date line (text format, rule
//! 1), its JSONL `date`, or the first `YYYY-MM-DD` in its file name that is
//! not part of a longer run of digits and reads as a day of the calendar
//! (no 2016-02-30): PolNeAR's `breitbart_2015-11-11_the-ninth-circle.txt` is
//! dated 2015-11-11, and so is every line of `threads-2015-11-11.jsonl` that
//! has no `date` of its own. Otherwise it has none. A JSONL document `date`
//! that is no day (`"yesterday"`, `2024-13-45`) skips its line, with the
//! reason; a comment's such date leaves the comment on its article's date.
//!
//! A comment's date is its JSONL `date` (its leading `YYYY-MM-DD`, like a
//! document's), or none; text-format comments have none. A comment without
//! a date of its own is taken to be written on its article's date by the
//! stages that need one (`graph`); [`Comment::date`] stays `None` so that
//! the record says what the input said.
//!
//! # JSON Lines
//!
//! One document per non-blank line:
//! `{"id", "date"?, "title"?, "text", "comments"?: [{"author", "text", "id"?, "parent"?, "date"?}]}`.
//! `id` may be a string or a number (missing: `<file stem>-<line>`); `date`
//! keeps its leading `YYYY-MM-DD` (anything else becomes "unknown"; see
//! "Dates" for the file-name fallback). A
//! comment's `parent` is either another comment's `id` (a string) or a
//! 0-based comment index (an integer), resolved to the parent's index;
//! `null` means no parent. An unknown parent, a comment that is its own
//! parent, or parent links forming a loop make the line bad.
//!
//! A bad line (not valid JSON, not an object, a missing or mistyped field,
//! or one of the parent problems above) is left out and reported with its
//! 1-based line number and one short clause saying why (a [`BadLine`]; in
//! [`load`], a [`Skipped`] with `line` set, shown as `path:line: reason`);
//! the file's other lines still run. A file in which every non-blank line is
//! bad is an error ([`CorpusError::Format`]) naming the first bad line.
//! A JSON array is read the same way element by element, with the element's
//! 1-based index standing in for the line number (also in a missing `id`);
//! an array that is not valid JSON is an error. A single pretty-printed
//! object is the whole file: if it is bad, the file is an error naming the
//! object's first line.
//!
//! # Loading several inputs
//!
//! [`load`] takes files and directories. Directories are walked recursively;
//! hidden entries (`.name`), `metadata.tsv` and files that are not `.txt`,
//! `.jsonl` or `.json` are passed over silently. A file named explicitly is
//! always tried (except `metadata.tsv`). Inputs are read in the order given,
//! and the files found in a directory in path order ([`input_files`] lists
//! them). A file reached twice (named twice, or named and also inside a named
//! directory) is read once, at its first place. A missing input, an
//! unreadable, empty, non-UTF-8 or malformed file becomes a [`Skipped`] entry
//! without a line; a bad JSON line or array element becomes one with its
//! line.
//!
//! # Document ids and duplicates
//!
//! A document's id is the JSONL `id` (`<file stem>-<line>` when it has none)
//! or, for a text file, the file stem. The same id on a later run (a later
//! night's scrape of the same thread) is an update of that document; the
//! store enforces that, not this module.
//!
//! Within one load, when two documents claim the same id, the one read
//! **later** wins (inputs in the order given, a directory's files in path
//! order, lines in file order): a later file or line is taken as an update,
//! like a later night. The earlier one is dropped, and a [`DuplicateId`]
//! names both places: `path:line` for a JSON document (the line as in
//! [`BadLine`]; the object's first line for a single pretty-printed object),
//! `path` for a text file. The kept document takes the position of the later
//! one. When more than two documents claim one id, the last wins and each
//! earlier one gets its own [`DuplicateId`], in reading order.
//!
//! # Long texts
//!
//! A text longer than the `--max-text-chars` limit is cut by
//! [`cut_at_sentence`] (applying the limit, and the warning that names the
//! document, are the caller's part). The limit counts characters (Unicode
//! scalar values), not bytes. The cut keeps the longest start of the text,
//! within the limit, that ends a sentence: `.`, `!`, `?` or `…` (possibly
//! followed by closing quotes or brackets `" ' ” ’ ) ] »`) followed by
//! whitespace, or the end of a line. Only ends in the last 20% of the limit
//! count (cuts that keep at least `limit - limit / 5` characters); when
//! there is none, the text is cut at the last whitespace in that stretch (a
//! word end), and when there is none either (one very long token), exactly
//! at the limit, between two characters. Trailing whitespace is dropped from
//! what is kept.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::dates::calendar_date;

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
    /// `date`); `None` means "on the article's date" (see "Dates").
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
/// (the one read later; see the module docs).
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

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

/// Extensions read when walking a directory (compared case-insensitively).
const CORPUS_EXTENSIONS: [&str; 3] = ["txt", "jsonl", "json"];

/// The metadata table that sits next to some corpora; never a document.
const METADATA_FILE: &str = "metadata.tsv";

/// Reads files, several files, or directories (recursively, sorted by path):
/// [`input_files`], then [`load_file`] for each. A file that fails becomes one
/// [`Skipped`] (no line); each bad JSONL line or array element becomes one
/// [`Skipped`] with its line. Of documents sharing an id, the one read last
/// is kept (see the module docs).
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

/// The files `load` would read, in path order (inputs in the order given,
/// directories walked recursively and sorted; a file reached twice only at
/// its first place), and the inputs that are missing or can't be read.
pub fn input_files(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut skipped_out = Vec::new();
    for input in inputs {
        match fs::metadata(input) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                skipped_out.push(skipped(input, "no such file or directory"));
            }
            Err(err) => skipped_out.push(skipped(input, &format!("cannot read: {err}"))),
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                let mut visited = HashSet::new();
                walk_dir(input, &mut found, &mut skipped_out, &mut visited);
                found.sort();
                files.extend(found);
            }
            Ok(_) if file_name_is(input, METADATA_FILE) => {
                skipped_out.push(skipped(input, "a metadata table, not a document"));
            }
            Ok(_) => files.push(input.clone()),
        }
    }
    // The same file reached twice is one input, not two claims of its ids.
    let mut seen = HashSet::new();
    files.retain(|file| seen.insert(file.canonicalize().unwrap_or_else(|_| file.clone())));
    (files, skipped_out)
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

/// Sentence-final punctuation for [`cut_at_sentence`].
const SENTENCE_END: [char; 4] = ['.', '!', '?', '…'];
/// Closing quotes and brackets that may follow sentence-final punctuation.
const SENTENCE_CLOSERS: [char; 7] = ['"', '\'', '”', '’', ')', ']', '»'];

/// Whether `text` ends a sentence (its last punctuation, before closing
/// quotes and brackets, is sentence-final): how a cut text ended.
pub(crate) fn ends_sentence(text: &str) -> bool {
    text.trim_end().trim_end_matches(SENTENCE_CLOSERS).ends_with(SENTENCE_END)
}

/// `text` cut to at most `max_chars` characters (chars, not bytes) at the
/// last sentence end at or before the limit, or `None` when the text is
/// within the limit. A sentence end counts only in the last 20% of the
/// limit; without one the cut falls back to the last whitespace there, and
/// then to a hard cut at the limit (see "Long texts" in the module docs).
pub fn cut_at_sentence(text: &str, max_chars: usize) -> Option<String> {
    // The first `max_chars` characters and the one just past them.
    let chars: Vec<(usize, char)> = text.char_indices().take(max_chars.saturating_add(1)).collect();
    if chars.len() <= max_chars {
        return None;
    }
    // Cutting before `chars[k]` keeps `k` characters.
    let keep = |k: usize| text[..chars[k].0].trim_end().to_string();
    let ends_sentence = |k: usize| {
        let mut end = k;
        while end > 0 && SENTENCE_CLOSERS.contains(&chars[end - 1].1) {
            end -= 1;
        }
        end > 0 && SENTENCE_END.contains(&chars[end - 1].1)
    };
    let floor = max_chars - max_chars / 5;
    let mut word_end = None;
    for k in (floor..=max_chars).rev() {
        let next = chars[k].1;
        if next == '\n' || next == '\r' || (next.is_whitespace() && ends_sentence(k)) {
            return Some(keep(k));
        }
        if next.is_whitespace() && word_end.is_none() {
            word_end = Some(k);
        }
    }
    Some(keep(word_end.unwrap_or(max_chars)))
}

/// Collects corpus files under `dir` (unsorted). `visited` holds canonical
/// directory paths so that symlink loops end.
fn walk_dir(dir: &Path, files: &mut Vec<PathBuf>, skipped_out: &mut Vec<Skipped>, visited: &mut HashSet<PathBuf>) {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if !visited.insert(canonical) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            skipped_out.push(skipped(dir, &format!("cannot read directory: {err}")));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                skipped_out.push(skipped(dir, &format!("cannot list directory: {err}")));
                continue;
            }
        };
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        // `fs::metadata` follows symlinks, so linked files and folders count.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk_dir(&path, files, skipped_out, visited),
            Ok(meta) if meta.is_file() => {
                let ext = extension(&path);
                if CORPUS_EXTENSIONS.contains(&ext.as_str()) && !file_name_is(&path, METADATA_FILE) {
                    files.push(path);
                }
            }
            Ok(_) => {}
            Err(err) => skipped_out.push(skipped(&path, &format!("cannot read: {err}"))),
        }
    }
}

fn skipped(path: &Path, reason: &str) -> Skipped {
    Skipped { path: path.to_path_buf(), line: None, reason: reason.to_string() }
}

/// Lower-cased extension, or `""`.
fn extension(path: &Path) -> String {
    path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default()
}

fn file_name_is(path: &Path, name: &str) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(name))
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

// ---------------------------------------------------------------------------
// The scraped text format
// ---------------------------------------------------------------------------

/// Parses one text-format file (rules 1–7 of the module docs).
fn parse_text(id: String, path: &Path, content: &str) -> Result<Document, CorpusError> {
    let mut lines: Vec<&str> = content.split(['\n', '\r']).map(str::trim).filter(|line| !line.is_empty()).collect();
    if lines.is_empty() {
        return Err(CorpusError::Empty);
    }

    let mut doc = Document {
        id,
        path: path.to_path_buf(),
        date: date_in_file_name(path),
        title: None,
        text: String::new(),
        comments: Vec::new(),
    };

    let Some((date, first_paragraph)) = split_date_line(lines[0]) else {
        // Rule 2: a plain article, maybe with a title line.
        if lines.len() > 1 && is_title(lines[0]) {
            doc.title = Some(lines[0].to_string());
            lines.remove(0);
        }
        doc.text = article_text(&lines);
        return Ok(doc);
    };

    doc.date = Some(date);
    let forced_article = if first_paragraph.is_empty() {
        lines.remove(0);
        0
    } else {
        lines[0] = first_paragraph;
        1
    };

    let split = segment(&lines, forced_article);
    doc.text = article_text(&lines[..split.article_end]);
    for (line, &is_name) in lines[split.article_end..].iter().zip(&split.is_name) {
        if is_name {
            doc.comments.push(Comment {
                id: None,
                author: line.to_string(),
                text: String::new(),
                parent: None,
                date: None,
            });
        } else if let Some(comment) = doc.comments.last_mut() {
            if !comment.text.is_empty() {
                comment.text.push('\n');
            }
            comment.text.push_str(line);
        }
    }
    Ok(doc)
}

/// Rule 1: `date YYYY-MM-DD rest` → (date, rest). `rest` may be empty.
fn split_date_line(line: &str) -> Option<(String, &str)> {
    let keyword = line.get(..4)?;
    if !keyword.eq_ignore_ascii_case("date") {
        return None;
    }
    let rest = &line[4..];
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let after_space = rest.trim_start();
    if after_space.len() == rest.len() && !rest.is_empty() {
        return None; // "dates ..." or "date2023": no separator
    }
    let date = leading_date(after_space)?;
    let tail = &after_space[10..];
    if !(tail.is_empty() || tail.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((date.to_string(), tail.trim()))
}

/// The `YYYY-MM-DD` that `s` starts with, when it is a plausible date.
fn leading_date(s: &str) -> Option<&str> {
    let date = s.get(..10)?;
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    calendar_date(date).then_some(date)
}

/// A document's JSON `date`: its leading `YYYY-MM-DD`; a date that is not
/// one is an error naming it, so the line is reported, not silently
/// undated. An empty string counts as no date.
fn json_date(date: Option<&str>) -> Result<Option<String>, String> {
    match date.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) => leading_date(d)
            .map(|d| Some(d.to_string()))
            .ok_or_else(|| format!("`date` {d:?} is not a day of the calendar (YYYY-MM-DD)")),
    }
}

/// The first `YYYY-MM-DD` in the file name (without its extension) that is
/// not part of a longer run of digits and reads as a date (see "Dates").
pub(crate) fn date_in_file_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_string_lossy();
    let b = stem.as_bytes();
    (0..b.len()).find_map(|i| {
        let before_ok = i == 0 || !b[i - 1].is_ascii_digit();
        let after_ok = b.get(i + 10).map_or(true, |c| !c.is_ascii_digit());
        // `i` is a char boundary whenever `b[i]` is an ASCII digit.
        (before_ok && after_ok && b[i].is_ascii_digit())
            .then(|| stem.get(i..).and_then(leading_date).map(str::to_string))
            .flatten()
    })
}

/// Rule 2: a first line short enough to be a headline.
fn is_title(line: &str) -> bool {
    line.chars().count() <= 160 && line.split_whitespace().count() <= 25
}

/// Joins article lines, cutting the credit off the last one (rule 7).
fn article_text(lines: &[&str]) -> String {
    let mut paragraphs: Vec<&str> = lines.to_vec();
    if let Some(last) = paragraphs.pop() {
        let kept = match credit_start(last) {
            Some(start) => last[..start].trim_end(),
            None => last,
        };
        if !kept.is_empty() {
            paragraphs.push(kept);
        }
    }
    paragraphs.join("\n")
}

/// Byte offset where a credit sentence (`© Thomson Reuters 2023.`,
/// `Copyright 2023 Kyodo News. All rights reserved.`) begins on this line.
fn credit_start(line: &str) -> Option<usize> {
    // ASCII lower-casing keeps byte offsets valid for `line`.
    let lower = line.to_ascii_lowercase();
    let mut markers = Vec::new();
    if let Some(i) = line.find('©') {
        markers.push(i);
    }
    for keyword in ["copyright", "(c)"] {
        for (i, _) in lower.match_indices(keyword) {
            let after = lower[i + keyword.len()..].trim_start();
            let after = after.strip_prefix('©').unwrap_or(after).trim_start();
            if leading_digits(after) == 4 {
                markers.push(i);
            }
        }
    }
    let trimmed = lower.trim_end_matches(['.', ' ']);
    if trimmed.ends_with("all rights reserved") {
        markers.push(trimmed.len() - "all rights reserved".len());
    }
    markers.into_iter().min().map(|i| sentence_start(line, i))
}

fn leading_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// Start of the sentence holding byte `at`: just after the last `.`, `!` or
/// `?` before it (skipping spaces), or the line start.
fn sentence_start(line: &str, at: usize) -> usize {
    match line[..at].trim_end().rfind(['.', '!', '?']) {
        Some(end) => {
            let from = end + 1;
            from + (line[from..at].len() - line[from..at].trim_start().len())
        }
        None => 0,
    }
}

/// Conversational words: a line holding one is very unlikely a user name
/// (rule 3, −2 each). Compared lower-cased, with `’` read as `'`.
const CONVERSATIONAL_WORDS: &[&str] = &[
    "i",
    "i'm",
    "im",
    "me",
    "my",
    "you",
    "your",
    "you're",
    "u",
    "he",
    "she",
    "it",
    "it's",
    "its",
    "we",
    "they",
    "them",
    "his",
    "her",
    "our",
    "their",
    "this",
    "that",
    "these",
    "those",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "am",
    "do",
    "does",
    "did",
    "don't",
    "doesn't",
    "didn't",
    "can",
    "can't",
    "cannot",
    "will",
    "won't",
    "would",
    "should",
    "could",
    "have",
    "has",
    "had",
    "not",
    "no",
    "yes",
    "yeah",
    "yep",
    "nope",
    "so",
    "just",
    "very",
    "too",
    "also",
    "what",
    "why",
    "how",
    "who",
    "when",
    "where",
    "which",
    "lol",
    "lmao",
    "rofl",
    "haha",
    "hahaha",
    "wow",
    "ok",
    "okay",
    "oh",
    "ah",
    "ugh",
    "meh",
    "hmm",
    "wut",
    "huh",
    "thanks",
    "thank",
    "please",
    "sorry",
    "agreed",
    "agree",
    "exactly",
    "indeed",
    "absolutely",
    "seriously",
    "really",
    "true",
    "sure",
    "right",
    "well",
    "go",
    "get",
    "got",
    "see",
    "say",
    "said",
    "let",
    "make",
    "like",
    "only",
    "more",
    "than",
    "then",
    "there",
    "here",
    "now",
    "same",
    "nice",
    "great",
    "good",
    "bad",
    "never",
    "always",
    "again",
    "still",
    "even",
    "maybe",
    "probably",
    "obviously",
    "clearly",
    "totally",
    "nonsense",
    "rubbish",
    "ridiculous",
    "typical",
    "bingo",
    "amen",
    "precisely",
];

/// Function words that names rarely contain (rule 3, −0.75 each).
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "with", "by", "from", "and", "or", "but", "as", "about",
    "into", "over", "after", "before", "all", "some", "any", "every", "if",
];

/// Rule 3: how much `line` looks like a user name; `None` when it cannot be
/// one. `repeated` says the same line occurs elsewhere in the file.
fn name_score(line: &str, repeated: bool) -> Option<f64> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let impossible = words.is_empty()
        || words.len() > 4
        || line.chars().count() > 40
        || line.ends_with(['.', '!', '?', '…', ',', ';', ':'])
        || line.contains(['"', '“', '”', '„', '«', '»', '©'])
        || line.contains(", ")
        || line.contains("; ")
        || line.contains("://")
        || line.to_lowercase().contains("www.")
        || line.starts_with('>')
        || !line.chars().any(char::is_alphabetic);
    if impossible {
        return None;
    }

    let mut score = 1.0;
    if words.len() == 1 {
        score += 1.0;
    }
    if words.iter().any(|w| has_username_styling(w)) {
        score += 1.0;
    }
    if words.len() >= 2 {
        let capitalised = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
        let lowercase = |w: &&str| w.chars().next().is_some_and(char::is_lowercase);
        if words.iter().all(capitalised) || words.iter().all(lowercase) {
            score += 0.5;
        }
    }
    if words.len() == 4 {
        score -= 0.5;
    }
    for word in &words {
        let word = word.to_lowercase().replace('’', "'");
        let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        if CONVERSATIONAL_WORDS.contains(&word) {
            score -= 2.0;
        } else if FUNCTION_WORDS.contains(&word) {
            score -= 0.75;
        }
    }
    let odd_symbol = line.chars().any(|c| !(c.is_alphanumeric() || c.is_whitespace() || "-_.'’@".contains(c)));
    if odd_symbol {
        score -= 1.0;
    }
    if line.starts_with('@') {
        score -= 1.0;
    }
    if repeated {
        score += 2.0;
    }
    Some(score)
}

/// A digit, an underscore, or a lower-case letter followed by an upper-case
/// one (`ushosh123`, `stone_cold`, `TaiwanIsNotChina`).
fn has_username_styling(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    chars.iter().any(|c| c.is_ascii_digit() || *c == '_') && chars.iter().any(|c| c.is_alphabetic())
        || chars.windows(2).any(|p| p[0].is_lowercase() && p[1].is_uppercase())
}

/// Rule 6: a paragraph of prose (≥ 6 words, sentence-final punctuation,
/// possibly followed by closing quotes or brackets).
fn is_prose(line: &str) -> bool {
    let body = line.trim_end_matches(['"', '”', '’', '\'', ')', ']', '»']);
    line.split_whitespace().count() >= 6 && body.ends_with(['.', '!', '?', '…'])
}

/// Where the article ends and which comment-section lines are user names.
#[derive(Debug, PartialEq)]
struct Split {
    /// Lines `..article_end` are the article.
    article_end: usize,
    /// One flag per line from `article_end` on: does it start a comment?
    is_name: Vec<bool>,
}

/// Points for an article whose last line carries a credit (rule 6).
const CREDIT_BONUS: f64 = 10.0;
/// Points for each prose paragraph the article takes (rule 6).
const PROSE_POINTS: f64 = 0.5;

/// Rules 4–6: chooses the article end and the name lines. The first
/// `forced_article` lines are article whatever they look like.
fn segment(lines: &[&str], forced_article: usize) -> Split {
    let n = lines.len();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in lines {
        *counts.entry(line).or_default() += 1;
    }
    let names: Vec<Option<f64>> = lines.iter().map(|l| name_score(l, counts.get(l).is_some_and(|&c| c > 1))).collect();

    // Backward pass over the comment-section labelings (rules 4 and 5):
    // `as_text[i]` / `as_name[i]` = best score of lines i.. when line i is
    // comment text / a user name. A name must be followed by text; text may
    // be followed by text, a name, or the end.
    let mut as_text = vec![f64::NEG_INFINITY; n + 1];
    let mut as_name = vec![f64::NEG_INFINITY; n + 1];
    for i in (0..n).rev() {
        as_text[i] = if i + 1 == n { 0.0 } else { as_text[i + 1].max(as_name[i + 1]) };
        as_name[i] = match names[i] {
            Some(score) if i + 1 < n => score + as_text[i + 1],
            _ => f64::NEG_INFINITY,
        };
    }

    // Rule 6: try every article end, keep the best (later wins ties).
    let mut best_end = n;
    let mut best_total = f64::NEG_INFINITY;
    let mut article_points = 0.0;
    for end in 0..=n {
        if end > 0 {
            let line = lines[end - 1];
            article_points += match names[end - 1] {
                Some(s) if s > 0.0 => -(1.0 + s),
                _ if is_prose(line) => PROSE_POINTS,
                _ => 0.0,
            };
        }
        if end < forced_article {
            continue;
        }
        let comments = if end == n { 0.0 } else { as_name[end] };
        let credit = if end > 0 && credit_start(lines[end - 1]).is_some() { CREDIT_BONUS } else { 0.0 };
        let total = article_points + credit + comments;
        if total >= best_total && total > f64::NEG_INFINITY {
            best_total = total;
            best_end = end;
        }
    }

    // Replay the labeling forward from the chosen end.
    let mut is_name = Vec::with_capacity(n - best_end);
    let mut next_is_name = best_end < n;
    for i in best_end..n {
        is_name.push(next_is_name);
        next_is_name = if next_is_name {
            false // rule 4: the line after a name is text
        } else {
            // Ties go to "continuation".
            i + 1 < n && as_name[i + 1] > as_text[i + 1]
        };
    }
    Split { article_end: best_end, is_name }
}

// ---------------------------------------------------------------------------
// JSON Lines
// ---------------------------------------------------------------------------

/// A document as written in JSON.
#[derive(Debug, Deserialize)]
struct RawDocument {
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
    fn into_document(self, stem: &str, path: &Path, line: usize) -> Result<Document, String> {
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
        // A comment date that is no day leaves the comment on its article's date (see "Dates").
        let comments = self
            .comments
            .into_iter()
            .zip(comment_ids)
            .zip(parents)
            .map(|((raw, id), parent)| Comment {
                id,
                author: raw.author,
                text: raw.text,
                parent,
                date: raw.date.as_deref().and_then(leading_date).map(str::to_string),
            })
            .collect();
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
fn parse_json_lines(stem: &str, path: &Path, content: &str) -> Result<Parsed, CorpusError> {
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
fn parse_json_array(stem: &str, path: &Path, content: &str) -> Result<Parsed, CorpusError> {
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
fn json_message(err: &serde_json::Error) -> String {
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

    fn is_name(line: &str) -> bool {
        name_score(line, false).is_some_and(|s| s > 0.0)
    }

    #[test]
    fn user_names_look_like_names() {
        for name in [
            "TaiwanIsNotChina",
            "Mr Kipling",
            "Peter Neil",
            "marc laden",
            "ushosh123",
            "Kotaro88",
            "Yrral",
            "obladi",
            "stormcrow",
            "The Dude",
            "stone_cold_99",
        ] {
            assert!(is_name(name), "{name} should look like a user name");
        }
    }

    #[test]
    fn comment_lines_do_not_look_like_names() {
        for line in [
            "Go Japan",
            "Wow",
            "I agree",
            "Japan has neither",
            "Thanks everyone",
            "Only problem is there never seem to be any positive results!",
            "\"Please Iran tell Hamas\"",
            "Why doesn't Japan just ask?",
            "No way at all",
            "Exactly",
            "https://example.com",
            "12345",
            "a line that is far too long to be anybody's user name here",
        ] {
            assert!(!is_name(line), "{line:?} should not look like a user name");
        }
    }

    #[test]
    fn repeated_lines_score_higher() {
        let once = name_score("Mr Kipling", false).unwrap_or(f64::NAN);
        let twice = name_score("Mr Kipling", true).unwrap_or(f64::NAN);
        assert!(twice > once);
    }

    #[test]
    fn date_line_is_split() {
        assert_eq!(split_date_line("date 2023-10-17 Tokyo said."), Some(("2023-10-17".to_string(), "Tokyo said.")));
        assert_eq!(split_date_line("Date: 2024-01-02"), Some(("2024-01-02".to_string(), "")));
        assert_eq!(split_date_line("dated 2023-10-17 x"), None);
        assert_eq!(split_date_line("date 2023-13-17 x"), None);
        assert_eq!(split_date_line("date 2023-10-170"), None);
        assert_eq!(split_date_line("Datelines are fun"), None);
    }

    #[test]
    fn credit_sentence_is_found() {
        let line = "They will fly home this week.© Thomson Reuters 2023.";
        assert_eq!(credit_start(line).map(|i| &line[..i]), Some("They will fly home this week."));
        let line = "Copyright 2024 Kyodo News. All rights reserved.";
        assert_eq!(credit_start(line), Some(0));
        let line = "The court heard a copyright case about 2021 songs.";
        assert_eq!(credit_start(line), None);
    }

    #[test]
    fn short_continuation_before_a_name_stays_text() {
        let lines = [
            "The ministers met on Monday and agreed to talk again.",
            "alice_b",
            "This is a long first line of my comment.",
            "Go Japan",
            "Keepitreal",
            "Sure they will.",
        ];
        let split = segment(&lines, 1);
        assert_eq!(split.article_end, 1);
        assert_eq!(split.is_name, vec![true, false, false, true, false]);
    }

    #[test]
    fn article_ends_at_credit() {
        let lines = [
            "First paragraph of the story goes here today.",
            "Short Heading",
            "Another long paragraph of the article follows here. © Wire 2024.",
            "bob",
            "Nice.",
        ];
        let split = segment(&lines, 1);
        assert_eq!(split.article_end, 3);
        assert_eq!(split.is_name, vec![true, false]);
    }

    #[test]
    fn no_valid_comment_section_means_all_article() {
        let lines = ["One paragraph here that is long enough.", "Another paragraph that ends well."];
        assert_eq!(segment(&lines, 1), Split { article_end: 2, is_name: vec![] });
    }

    #[test]
    fn dates_in_file_names() {
        let date = |name: &str| date_in_file_name(Path::new(name));
        assert_eq!(date("corpus/breitbart_2015-11-11_the-ninth-circle.txt").as_deref(), Some("2015-11-11"));
        assert_eq!(date("2024-02-29.jsonl").as_deref(), Some("2024-02-29"));
        assert_eq!(date("x-2015-13-01-2015-12-01.txt").as_deref(), Some("2015-12-01"), "the first that is a date");
        assert_eq!(date("12015-11-11.txt"), None, "part of a longer number");
        assert_eq!(date("2015-11-110.txt"), None);
        assert_eq!(date("no_date_here.txt"), None);
        assert_eq!(date("2015-11-11/plain.txt"), None, "only the file name counts");
        assert_eq!(date("Zoë_2015-11-11.txt").as_deref(), Some("2015-11-11"));
    }

    #[test]
    fn parent_loops_are_found() {
        assert_eq!(find_parent_loop(&[None, Some(0), Some(1)]), None);
        assert_eq!(find_parent_loop(&[Some(2), None, Some(0)]), Some(0));
    }
}
