//! The store's side of incremental linking: the linker state kept with the
//! last committed linking, the documents changed since, and a night's
//! commit that replaces only the mentions and stance records of the
//! documents it relinked and the entities it touched.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use super::{sql_error, Result, Store};
use crate::corpus::Document;
use crate::link::{Entity, StableIds};

/// What the last committed linking left for the next one.
#[derive(Debug, Clone)]
pub(crate) struct KeptLinking {
    /// The linker's corpus state (`Linker::save_state`).
    pub(crate) state: String,
    /// The run that committed it: documents stored by a later run are new
    /// or changed.
    pub(crate) run: i64,
    /// Documents linked incrementally since the last full relink.
    pub(crate) since_full: usize,
}

/// A night's incremental linking, ready to commit.
pub(crate) struct NightCommit<'a> {
    /// Documents whose mentions and stance records are replaced by those of
    /// the linking in progress (the changed ones and those whose entities
    /// changed label, type or id).
    pub(crate) replaced: &'a [String],
    /// The entities (stable ids) to write again.
    pub(crate) touched: &'a [Entity],
    /// Entity ids left with no mention.
    pub(crate) gone: &'a [String],
    pub(crate) stable: &'a StableIds,
    /// Keys whose id is new or changed.
    pub(crate) keys: &'a [(String, String)],
}

impl Store {
    /// The linker state of the last committed linking, when one was kept.
    pub(crate) fn kept_linking(&self) -> Result<Option<KeptLinking>> {
        let get = |key: &str| self.query_opt::<String, _>("SELECT value FROM meta WHERE key = ?1", [key]);
        let (Some(state), Some(run)) = (get("linker_state")?, get("linked_run")?) else { return Ok(None) };
        let since_full = get("linked_since_full")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok(run.parse().ok().map(|run| KeptLinking { state, run, since_full }))
    }

    /// The ids of the documents stored (new or changed) by runs after
    /// `run`, in id order; each with whether an earlier version of it was
    /// linked then.
    pub(crate) fn documents_changed_since(&self, run: i64) -> Result<Vec<(String, bool)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, first_run <= ?1 FROM documents WHERE updated_run > ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([run], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One stored document with its texts and comments.
    pub(crate) fn document(&self, id: &str) -> Result<Option<Document>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, source, date, title, text FROM documents WHERE id = ?1")
            .map_err(|e| self.err(e))?;
        let doc = stmt
            .query_row([id], |r| {
                Ok(Document {
                    id: r.get(0)?,
                    path: std::path::PathBuf::from(r.get::<_, String>(1)?),
                    date: r.get(2)?,
                    title: r.get(3)?,
                    text: r.get(4)?,
                    comments: Vec::new(),
                })
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(mut doc) = doc else { return Ok(None) };
        doc.comments = self.comments_of(&doc.id)?;
        Ok(Some(doc))
    }

    /// The committed mentions of one document, counted by entity id.
    pub(crate) fn mention_counts(&self, doc_id: &str) -> Result<HashMap<String, usize>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entity_id, COUNT(*) FROM mentions WHERE doc_id = ?1 GROUP BY entity_id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([doc_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize)))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The documents with committed mentions of any of these entities.
    pub(crate) fn documents_mentioning(&self, entity_ids: &[String]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT doc_id FROM mentions WHERE entity_id = ?1")
            .map_err(|e| self.err(e))?;
        let mut out = std::collections::BTreeSet::new();
        for id in entity_ids {
            for doc in stmt.query_map([id], |r| r.get::<_, String>(0)).map_err(|e| self.err(e))? {
                out.insert(doc.map_err(|e| self.err(e))?);
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Copies the committed mentions of documents that are not relinked but
    /// whose stance questions are asked again into the linking in progress,
    /// with merged ids replaced by the id they joined.
    pub(crate) fn carry_mentions(&mut self, doc_ids: &[String], merged: &[(String, String)]) -> Result<()> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut copy = tx
                .prepare_cached(
                    r#"INSERT INTO mentions_next(doc_id, comment, start, "end", text, entity_id, linked_by)
                       SELECT doc_id, comment, start, "end", text, entity_id, linked_by FROM mentions
                       WHERE doc_id = ?1 ORDER BY rowid"#,
                )
                .map_err(e)?;
            for id in doc_ids {
                copy.execute([id]).map_err(e)?;
            }
            let mut rename =
                tx.prepare_cached("UPDATE mentions_next SET entity_id = ?2 WHERE entity_id = ?1").map_err(e)?;
            for (old, into) in merged {
                rename.execute(params![old, into]).map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Swaps a night's linking in, in one transaction: the mentions and
    /// stance records of the replaced documents, the touched entities, the
    /// new keys, merges, and the linker state for the next night.
    pub(crate) fn commit_night(&mut self, night: &NightCommit, kept: &KeptLinking) -> Result<()> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        tx.execute_batch("DROP TABLE IF EXISTS temp.replaced; CREATE TEMP TABLE replaced (doc_id TEXT PRIMARY KEY);")
            .map_err(e)?;
        {
            let mut put = tx.prepare_cached("INSERT OR IGNORE INTO temp.replaced(doc_id) VALUES (?1)").map_err(e)?;
            for id in night.replaced {
                put.execute([id]).map_err(e)?;
            }
        }
        tx.execute_batch(&super::swap_in_linked_rows("WHERE doc_id IN (SELECT doc_id FROM temp.replaced)"))
            .map_err(e)?;
        tx.execute_batch("DROP TABLE temp.replaced;").map_err(e)?;
        {
            let mut drop_entity = tx.prepare_cached("DELETE FROM entities WHERE id = ?1").map_err(e)?;
            let mut drop_aliases = tx.prepare_cached("DELETE FROM entity_aliases WHERE entity_id = ?1").map_err(e)?;
            let merged = night.stable.merged.iter().map(|(old, _)| old);
            for id in night.gone.iter().chain(merged).chain(night.touched.iter().map(|t| &t.id)) {
                drop_entity.execute([id]).map_err(e)?;
                drop_aliases.execute([id]).map_err(e)?;
            }
        }
        super::write_entities(&tx, night.touched, night.keys.iter().map(|(k, v)| (k, v)), &night.stable.merged, kept)
            .map_err(e)?;
        crate::pause_point("commit");
        tx.commit().map_err(e)
    }
}
