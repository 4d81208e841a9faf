//! Documents and their comments: the content hash that tells a new, an
//! updated and an unchanged document apart, ingest (one transaction per input
//! file, comments keeping the run that first stored them), the flag that says
//! the linking is stale, and reading documents back page by page.

use std::collections::HashMap;
use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};

use super::{sql_error, Result, Store};
use crate::corpus::{Comment, Document};
use crate::hashes::{content_hash, text_hash};

/// The hash that identifies a document's whole content.
pub fn document_hash(doc: &Document) -> String {
    let mut parts: Vec<String> = vec![
        doc.date.clone().unwrap_or_default(),
        doc.title.clone().unwrap_or_default(),
        doc.text.clone(),
        doc.comments.len().to_string(),
    ];
    for c in &doc.comments {
        parts.push(c.id.clone().unwrap_or_default());
        parts.push(c.author.clone());
        parts.push(c.parent.map(|p| p.to_string()).unwrap_or_default());
        parts.push(c.text.clone());
    }
    // Comment dates, one part per comment, only when some comment has one
    // (so the hash of a document without comment dates is what it was).
    if doc.comments.iter().any(|c| c.date.is_some()) {
        parts.extend(doc.comments.iter().map(|c| c.date.clone().unwrap_or_default()));
    }
    content_hash(parts.iter().map(String::as_str))
}

/// What happened to one input document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentChange {
    New,
    /// Stored before with other content (a grown thread, an edited article).
    Updated,
    Unchanged,
}

impl Store {
    /// Stores the documents of one input file in one transaction; returns
    /// what happened to each. A document's comments keep the run that first
    /// stored them when their position and text are unchanged.
    pub fn ingest(&mut self, docs: &[Document], run: i64) -> Result<Vec<DocumentChange>> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        let mut changes = Vec::with_capacity(docs.len());
        {
            let mut find = tx
                .prepare_cached("SELECT content_hash, first_run FROM documents WHERE id = ?1")
                .map_err(|e| sql_error(&path, e))?;
            let mut old_comments = tx
                .prepare_cached("SELECT position, text_hash, first_run FROM comments WHERE doc_id = ?1")
                .map_err(|e| sql_error(&path, e))?;
            for doc in docs {
                let hash = document_hash(doc);
                let found: Option<(String, i64)> = find
                    .query_row([&doc.id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
                    .map_err(|e| sql_error(&path, e))?;
                let change = match &found {
                    Some((h, _)) if *h == hash => DocumentChange::Unchanged,
                    Some(_) => DocumentChange::Updated,
                    None => DocumentChange::New,
                };
                changes.push(change);
                if change == DocumentChange::Unchanged {
                    tx.execute("UPDATE documents SET seen_run = ?2 WHERE id = ?1", params![doc.id, run])
                        .map_err(|e| sql_error(&path, e))?;
                    continue;
                }
                tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('linking_stale', '1')", [])
                    .map_err(|e| sql_error(&path, e))?;
                let first_run = found.map(|(_, r)| r).unwrap_or(run);
                let kept: HashMap<(i64, String), i64> = old_comments
                    .query_map([&doc.id], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
                    .map_err(|e| sql_error(&path, e))?
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|e| sql_error(&path, e))?;
                tx.execute("DELETE FROM comments WHERE doc_id = ?1", [&doc.id]).map_err(|e| sql_error(&path, e))?;
                tx.execute(
                    "INSERT OR REPLACE INTO documents(id, source, content_hash, date, title, text, text_hash, first_run, updated_run, seen_run)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                    params![
                        doc.id,
                        doc.path.display().to_string(),
                        hash,
                        doc.date,
                        doc.title,
                        doc.text,
                        text_hash(&doc.text),
                        first_run,
                        run
                    ],
                )
                .map_err(|e| sql_error(&path, e))?;
                let mut insert = tx
                    .prepare_cached(
                        "INSERT INTO comments(doc_id, position, comment_id, author, parent, text, text_hash, first_run, date)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )
                    .map_err(|e| sql_error(&path, e))?;
                for (i, c) in doc.comments.iter().enumerate() {
                    let h = text_hash(&c.text);
                    let first = kept.get(&(i as i64, h.clone())).copied().unwrap_or(run);
                    insert
                        .execute(params![
                            doc.id,
                            i as i64,
                            c.id,
                            c.author,
                            c.parent.map(|p| p as i64),
                            c.text,
                            h,
                            first,
                            c.date
                        ])
                        .map_err(|e| sql_error(&path, e))?;
                }
            }
        }
        tx.commit().map_err(|e| sql_error(&path, e))?;
        Ok(changes)
    }

    /// Whether stored documents changed since the last committed linking
    /// (or a linking was never committed).
    pub(crate) fn linking_stale(&self) -> Result<bool> {
        let flag: Option<String> = self.query_opt("SELECT value FROM meta WHERE key = 'linking_stale'", [])?;
        Ok(flag.as_deref() != Some("0"))
    }

    /// Documents ordered by id, after `after` (keyset paging), at most
    /// `limit`, with their texts and comments.
    pub(crate) fn documents_page(&self, after: Option<&str>, limit: usize) -> Result<Vec<Document>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source, date, title, text FROM documents WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let docs: Vec<Document> = stmt
            .query_map(params![after, limit as i64], |r| {
                Ok(Document {
                    id: r.get(0)?,
                    path: PathBuf::from(r.get::<_, String>(1)?),
                    date: r.get(2)?,
                    title: r.get(3)?,
                    text: r.get(4)?,
                    comments: Vec::new(),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let mut out = Vec::with_capacity(docs.len());
        for mut d in docs {
            d.comments = self.comments_of(&d.id)?;
            out.push(d);
        }
        Ok(out)
    }

    pub(super) fn comments_of(&self, doc_id: &str) -> Result<Vec<Comment>> {
        let sql = "SELECT comment_id, author, parent, text, date FROM comments WHERE doc_id = ?1 ORDER BY position";
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([doc_id], |r| {
                Ok(Comment {
                    id: r.get(0)?,
                    author: r.get(1)?,
                    parent: r.get::<_, Option<i64>>(2)?.map(|p| p as usize),
                    text: r.get(3)?,
                    date: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Comments first stored by run `run` (new threads and grown ones).
    pub(crate) fn comments_first_stored_in(&self, run: i64) -> Result<usize> {
        Ok(self.query_opt::<i64, _>("SELECT COUNT(*) FROM comments WHERE first_run = ?1", [run])?.unwrap_or(0) as usize)
    }
}
