//! The dates the graph gives documents and comments (a comment's own valid
//! date, else its article's) and the distinct dates an element is seen at.

use std::collections::{BTreeSet, HashMap};

use crate::corpus::Document;
use crate::dates::valid_date;

/// Distinct dates, sorted: what an element lists in [`Node::dates`] and
/// [`Edge::dates`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Dates(BTreeSet<String>);

impl Dates {
    /// Adds a date (nothing when `None`).
    pub fn see(&mut self, date: Option<&str>) {
        if let Some(d) = date {
            if !self.0.contains(d) {
                self.0.insert(d.to_string());
            }
        }
    }

    /// Adds every date of `other`.
    pub fn merge(&mut self, other: &Dates) {
        for d in &other.0 {
            self.see(Some(d));
        }
    }

    /// The dates, sorted.
    pub(crate) fn into_vec(self) -> Vec<String> {
        self.0.into_iter().collect()
    }
}

/// The documents by id (first of duplicates wins) with the dates the graph
/// gives them and their comments. Only valid `YYYY-MM-DD` dates count
/// ([`crate::dates::valid_date`]): a document's is [`Document::date`], a
/// comment's its own [`Comment::date`](crate::corpus::Comment::date), else
/// its article's. An element with no date is always visible.
#[derive(Debug, Clone)]
pub struct Dating<'a> {
    docs: HashMap<&'a str, &'a Document>,
}

impl<'a> Dating<'a> {
    pub fn new(documents: &'a [Document]) -> Dating<'a> {
        let mut docs: HashMap<&str, &Document> = HashMap::new();
        for d in documents {
            docs.entry(d.id.as_str()).or_insert(d);
        }
        Dating { docs }
    }

    /// The document with this id.
    pub fn document(&self, doc_id: &str) -> Option<&'a Document> {
        self.docs.get(doc_id).copied()
    }

    /// The documents, in no particular order.
    pub fn documents(&self) -> impl Iterator<Item = &'a Document> + '_ {
        self.docs.values().copied()
    }

    /// A document's valid date.
    pub(crate) fn document_date(&self, doc_id: &str) -> Option<&'a str> {
        self.document(doc_id).and_then(|d| d.date.as_deref()).and_then(valid_date)
    }

    /// A comment's own valid date, else its article's.
    pub(crate) fn comment_date(&self, doc_id: &str, i: usize) -> Option<&'a str> {
        let doc = self.document(doc_id)?;
        doc.comments.get(i).and_then(|c| c.date.as_deref()).and_then(valid_date).or_else(|| self.document_date(doc_id))
    }

    /// A comment's author as written (not yet [`commenter_name`]d).
    pub(crate) fn comment_author(&self, doc_id: &str, i: usize) -> Option<&'a str> {
        self.document(doc_id).and_then(|d| d.comments.get(i)).map(|c| c.author.as_str())
    }
}
