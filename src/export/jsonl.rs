//! The records as JSON Lines: `entities.jsonl`, `mentions.jsonl`,
//! `stances.jsonl`, `comments.jsonl`.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{write_atomic, ExportError, Fail};
use crate::corpus::Document;
use crate::evidence;
use crate::link::{Antecedent, Entity, EntityType, LinkedBy, Mention, Source};
use crate::stance::StanceRecord;
use crate::store::{Selection, Store, StoreError};

/// Where `mentions.jsonl` and `comments.jsonl` read their rows.
#[derive(Clone, Copy)]
pub enum RecordRows<'a> {
    /// Held in memory: the mentions, and the documents with their comments'
    /// texts.
    Listed { mentions: &'a [Mention], documents: &'a [Document] },
    /// The store's records of a selection's documents, read as they are
    /// written (a mention, a document's comments at a time), so that no
    /// export holds every mention or comment text.
    Stored(&'a Store, &'a Selection),
}

impl std::fmt::Debug for RecordRows<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordRows::Listed { mentions, documents } => {
                write!(f, "Listed({} mentions, {} documents)", mentions.len(), documents.len())
            }
            RecordRows::Stored(_, selection) => write!(f, "Stored({selection:?})"),
        }
    }
}

impl RecordRows<'_> {
    /// Calls `f` with each mention, in order.
    fn each_mention(&self, mut f: impl FnMut(&Mention) -> Result<(), Fail>) -> Result<(), Fail> {
        match self {
            RecordRows::Listed { mentions, .. } => mentions.iter().try_for_each(f),
            RecordRows::Stored(store, selection) => store.each_mention(selection, |m| f(&m)),
        }
    }

    /// Calls `f` with each document and its comments' texts, in order.
    fn each_document(&self, mut f: impl FnMut(&Document) -> Result<(), Fail>) -> Result<(), Fail> {
        match self {
            RecordRows::Listed { documents, .. } => documents.iter().try_for_each(f),
            RecordRows::Stored(store, selection) => store.each_document(selection, |d| f(&d)),
        }
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Fail {
        Fail::Io(std::io::Error::other(e))
    }
}

/// Writes `entities.jsonl`, sorted by id.
pub(crate) fn write_entities_jsonl(path: &Path, entities: &[Entity]) -> Result<(), ExportError> {
    let mut sorted: Vec<&Entity> = entities.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    write_atomic(path, |w| json_lines(w, sorted))
}

/// One line of `mentions.jsonl`.
#[derive(Debug, Serialize)]
struct MentionLine<'a> {
    doc_id: &'a str,
    source: &'static str,
    comment: Option<usize>,
    author: Option<&'a str>,
    start: usize,
    end: usize,
    text: &'a str,
    #[serde(rename = "type")]
    kind: Option<EntityType>,
    entity_id: &'a str,
    linked_by: LinkedBy,
    pronoun: bool,
    antecedent: Option<Antecedent>,
}

/// Writes `mentions.jsonl`, in the order given, a row at a time. `type` is
/// the linked entity's type and `author` the comment's author (both `null`
/// when unknown).
pub(crate) fn write_mentions_jsonl(
    path: &Path,
    mentions: RecordRows,
    documents: &[Document],
    entities: &[Entity],
) -> Result<(), ExportError> {
    let mut docs = std::collections::HashMap::new();
    for d in documents {
        docs.entry(d.id.as_str()).or_insert(d);
    }
    let mut types = std::collections::HashMap::new();
    for e in entities {
        types.entry(e.id.as_str()).or_insert(e.kind);
    }
    write_atomic(path, |w| {
        mentions.each_mention(|m| {
            let author = match m.source {
                Source::Article => None,
                Source::Comment(i) => docs.get(m.doc_id.as_str()).and_then(|d| d.comments.get(i)),
            };
            let line = mention_line(m, author.map(|c| c.author.as_str()), types.get(m.entity_id.as_str()).copied());
            json_lines(w, [line])
        })
    })
}

fn mention_line<'a>(m: &'a Mention, author: Option<&'a str>, kind: Option<EntityType>) -> MentionLine<'a> {
    let comment = match m.source {
        Source::Article => None,
        Source::Comment(i) => Some(i),
    };
    MentionLine {
        doc_id: &m.doc_id,
        source: if comment.is_some() { "comment" } else { "article" },
        comment,
        author,
        start: m.start,
        end: m.end,
        text: &m.text,
        kind,
        entity_id: &m.entity_id,
        linked_by: m.linked_by,
        pronoun: m.linked_by == LinkedBy::Pronoun,
        antecedent: m.antecedent,
    }
}

/// Writes `stances.jsonl`, in the order given.
pub(crate) fn write_stances_jsonl(path: &Path, stances: &[StanceRecord]) -> Result<(), ExportError> {
    write_atomic(path, |w| json_lines(w, stances))
}

/// One line of `comments.jsonl`: a comment as the store keeps it, keyed by
/// the `comment_id` its stance records carry.
#[derive(Debug, Serialize)]
struct CommentLine<'a> {
    comment_id: String,
    doc_id: &'a str,
    comment: usize,
    title: Option<&'a str>,
    author: &'a str,
    date: Option<&'a str>,
    parent_id: Option<String>,
    text: &'a str,
}

/// Writes `comments.jsonl`: every comment of the documents, in document then
/// thread order, a document at a time. `date` is the comment's own, else its
/// document's; `parent_id` the `comment_id` of the comment it replies to.
pub(crate) fn write_comments_jsonl(path: &Path, documents: RecordRows) -> Result<(), ExportError> {
    write_atomic(path, |w| documents.each_document(|d| json_lines(w, comment_lines(d))))
}

fn comment_lines(d: &Document) -> impl Iterator<Item = CommentLine<'_>> {
    let id_of = move |i: usize| d.comments.get(i).map(|c| evidence::comment_id(c.id.as_deref(), &d.id, i));
    d.comments.iter().enumerate().map(move |(i, c)| CommentLine {
        comment_id: evidence::comment_id(c.id.as_deref(), &d.id, i),
        doc_id: &d.id,
        comment: i,
        title: d.title.as_deref(),
        author: &c.author,
        date: c.date.as_deref().or(d.date.as_deref()),
        parent_id: c.parent.and_then(id_of),
        text: &c.text,
    })
}

/// One JSON value a line.
pub(super) fn json_lines<W: Write, T: Serialize>(w: &mut W, items: impl IntoIterator<Item = T>) -> Result<(), Fail> {
    for item in items {
        serde_json::to_writer(&mut *w, &item).map_err(Fail::Json)?;
        w.write_all(b"\n").map_err(Fail::Io)?;
    }
    Ok(())
}
