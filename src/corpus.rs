//! Corpus reading: turns input files into [`Document`]s (an article with its
//! reader comments). Owns the two input formats (the scraped text format and
//! JSON Lines) and the rules that tell comment authors from comment text.
//! A file that can't be read or parsed becomes a [`Skipped`] entry; it never
//! stops the run.

use std::path::{Path, PathBuf};

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

/// One reader comment. Its position in [`Document::comments`] is its index.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: Option<String>,
    pub author: String,
    /// Comment text; continuation lines joined by `\n`.
    pub text: String,
    /// Index of the parent comment in the same document, when known.
    pub parent: Option<usize>,
}

/// An input file that was left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Corpus {
    pub documents: Vec<Document>,
    pub skipped: Vec<Skipped>,
}

/// Reads files, several files, or directories (recursively, sorted by path).
pub fn load(inputs: &[PathBuf]) -> Corpus {
    let _ = inputs;
    unimplemented!("corpus::load")
}

/// Parses one file, choosing the format by content/extension.
pub fn load_file(path: &Path) -> Result<Vec<Document>, CorpusError> {
    let _ = path;
    unimplemented!("corpus::load_file")
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
