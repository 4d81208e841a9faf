//! A helper shared by the store's unit tests.

use std::path::PathBuf;

use crate::corpus::{Comment, Document};

/// A document `id` with an article and comments by author `a`.
pub(super) fn document(id: &str, text: &str, comments: &[&str]) -> Document {
    Document {
        id: id.to_string(),
        path: PathBuf::from(format!("{id}.txt")),
        date: None,
        title: None,
        text: text.to_string(),
        comments: comments
            .iter()
            .map(|c| Comment { id: None, author: "a".into(), text: c.to_string(), parent: None, date: None })
            .collect(),
    }
}
