//! A gold stance example ([`GoldExample`]: the text, the target, its
//! mentions, the gold label and the conversation), the one record every
//! gold reader of `eval` produces, with the small Python-compatible text
//! helpers the readers share.

use crate::stance::questions::{self, ConversationParts};
use crate::stance::{resolve_overlaps, Stance, StanceQuery};

/// One gold example: what the classifier is asked and the gold answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldExample {
    pub text: String,
    pub target: String,
    /// The target's mentions in `text`: character offsets (end exclusive),
    /// sorted, non-overlapping; empty when the text never names the target.
    /// (The comment sets keep the ranges the pipeline asked with; the
    /// classifiers resolve them the same way.)
    pub mentions: Vec<(usize, usize)>,
    pub label: Stance,
    /// The conversation: the thread's title (or root post) and the text the
    /// example replies to; empty where the set has none.
    pub title: String,
    pub parent: String,
}

impl GoldExample {
    /// The query the classifier answers for this example: built as the
    /// pipeline builds its questions ([`questions::ask`]), with the whole
    /// conversation (each classifier reads what its model was trained to).
    pub fn query(&self) -> StanceQuery<'_> {
        questions::ask(
            &self.text,
            &self.target,
            self.mentions.clone(),
            &self.title,
            &self.parent,
            ConversationParts::ALL,
        )
    }

    /// The example read under `title`, as a reply to `parent`.
    pub fn in_conversation(self, title: String, parent: String) -> GoldExample {
        GoldExample { title, parent, ..self }
    }
}

pub(crate) fn example(text: String, target: String, spans: Vec<(usize, usize)>, label: Stance) -> GoldExample {
    let mentions = resolve_overlaps(&spans);
    GoldExample { text, target, mentions, label, title: String::new(), parent: String::new() }
}

/// Python's `str.isspace()`.
pub(crate) fn py_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// Python's `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// Lines as Python's text-mode file iteration splits them (`\n`, `\r\n` or
/// `\r` end a line), without their line ends.
pub(crate) fn py_lines(text: &str) -> Vec<&str> {
    split_lines(text).into_iter().map(|l| l.trim_end_matches(['\r', '\n'])).collect()
}

/// Lines with their ends (`\n`, `\r\n`, `\r`), as a file opened with
/// `newline=""` yields them.
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push(&text[start..=i]);
                start = i + 1;
            }
            b'\r' => {
                let end = if b.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
                out.push(&text[start..end]);
                start = end;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if start < b.len() {
        out.push(&text[start..]);
    }
    out
}
