//! The linking in progress of a full relink: the `mentions_next` and
//! `stances_next` tables it fills, the keys and ids earlier runs issued and the
//! rewrite of fresh ids to those stable ids, and the one transaction that swaps
//! the result in. A night's incremental commit is [`super::relink`]'s.

use rusqlite::params;

use super::relink::KeptLinking;
use super::{comment_column, mention_row, sql_error, swap_in_linked_rows, write_entities, Result, Store};
use crate::link::{Antecedent, Entity, IssuedIds, LinkedBy, Mention, StableIds};

/// One (comment, entity) pair of the linking in progress and its question.
#[derive(Debug, Clone)]
pub(crate) struct StancePair {
    pub doc_id: String,
    pub comment: usize,
    pub author: String,
    pub entity_id: String,
    pub input_hash: String,
    /// The comment does not name the entity (an implicit target).
    pub implicit: bool,
}

impl Store {
    /// Starts a linking of the whole corpus: empty `*_next` tables.
    pub(crate) fn begin_linking(&self) -> Result<()> {
        self.conn
            .execute_batch(
                r#"DROP TABLE IF EXISTS mentions_next;
                   DROP TABLE IF EXISTS stances_next;
                   CREATE TABLE mentions_next (doc_id TEXT NOT NULL, comment INTEGER, start INTEGER NOT NULL,
                       "end" INTEGER NOT NULL, text TEXT NOT NULL, entity_id TEXT NOT NULL, linked_by TEXT NOT NULL);
                   CREATE INDEX mentions_next_doc ON mentions_next(doc_id);
                   CREATE TABLE stances_next (doc_id TEXT NOT NULL, comment INTEGER NOT NULL, author TEXT NOT NULL,
                       entity_id TEXT NOT NULL, input_hash TEXT NOT NULL, implicit INTEGER NOT NULL DEFAULT 0,
                       PRIMARY KEY (doc_id, comment, entity_id));"#,
            )
            .map_err(|e| self.err(e))
    }

    /// Adds mentions (with the linker's fresh ids) to the linking in progress.
    pub(crate) fn add_mentions(&mut self, mentions: &[Mention]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        {
            let mut put = tx
                .prepare_cached(
                    r#"INSERT INTO mentions_next(doc_id, comment, start, "end", text, entity_id, linked_by)
                       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"#,
                )
                .map_err(|e| sql_error(&path, e))?;
            for m in mentions {
                put.execute(params![
                    m.doc_id,
                    comment_column(m.source),
                    m.start as i64,
                    m.end as i64,
                    m.text,
                    m.entity_id,
                    linked_by_name(m.linked_by, m.antecedent)
                ])
                .map_err(|e| sql_error(&path, e))?;
            }
        }
        tx.commit().map_err(|e| sql_error(&path, e))
    }

    /// What earlier runs issued: keys, ids and merges.
    pub(crate) fn issued_ids(&self) -> Result<IssuedIds> {
        let mut issued = IssuedIds::default();
        let mut stmt = self.conn.prepare("SELECT key, entity_id FROM entity_keys").map_err(|e| self.err(e))?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))? {
            let (k, v): (String, String) = row.map_err(|e| self.err(e))?;
            issued.keys.insert(k, v);
        }
        let mut stmt =
            self.conn.prepare("SELECT id, first_run, merged_into FROM entity_ids").map_err(|e| self.err(e))?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(|e| self.err(e))? {
            let (id, run, merged): (String, i64, Option<String>) = row.map_err(|e| self.err(e))?;
            if let Some(into) = merged {
                issued.merged_into.insert(id.clone(), into);
            }
            issued.first_run.insert(id, run);
        }
        Ok(issued)
    }

    /// Rewrites the fresh ids of the linking in progress to stable ids.
    pub(crate) fn apply_stable_ids(&mut self, stable: &StableIds) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        {
            tx.execute_batch(
                "DROP TABLE IF EXISTS temp.id_map; CREATE TEMP TABLE id_map (fresh TEXT PRIMARY KEY, stable TEXT NOT NULL);",
            )
            .map_err(|e| sql_error(&path, e))?;
            let mut put = tx
                .prepare_cached("INSERT INTO temp.id_map(fresh, stable) VALUES (?1, ?2)")
                .map_err(|e| sql_error(&path, e))?;
            for (fresh, id) in &stable.ids {
                if fresh != id {
                    put.execute(params![fresh, id]).map_err(|e| sql_error(&path, e))?;
                }
            }
            tx.execute_batch(
                "UPDATE mentions_next SET entity_id = (SELECT stable FROM temp.id_map WHERE fresh = entity_id)
                     WHERE entity_id IN (SELECT fresh FROM temp.id_map);
                 DROP TABLE temp.id_map;",
            )
            .map_err(|e| sql_error(&path, e))?;
        }
        tx.commit().map_err(|e| sql_error(&path, e))
    }

    /// The comment mentions of the linking in progress for some documents.
    pub(crate) fn document_mentions(&self, doc_id: &str) -> Result<Vec<Mention>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                r#"SELECT doc_id, comment, start, "end", text, entity_id, linked_by FROM mentions_next
                   WHERE doc_id = ?1 ORDER BY rowid"#,
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([doc_id], mention_row).map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Adds the (comment, entity) pairs of the linking in progress.
    pub(crate) fn add_stance_pairs(&mut self, pairs: &[StancePair]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO stances_next(doc_id, comment, author, entity_id, input_hash, implicit)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| sql_error(&path, e))?;
            for p in pairs {
                put.execute(params![p.doc_id, p.comment as i64, p.author, p.entity_id, p.input_hash, p.implicit])
                    .map_err(|e| sql_error(&path, e))?;
            }
        }
        tx.commit().map_err(|e| sql_error(&path, e))
    }

    /// Swaps the linking in progress in, in one transaction: mentions,
    /// stance records (with their decisions), entities (with stable ids and
    /// aliases), the keys and ids issued, merges, and the linker state kept
    /// for the next night.
    pub(crate) fn commit_linking(&mut self, entities: &[Entity], stable: &StableIds, kept: &KeptLinking) -> Result<()> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        tx.execute_batch(&swap_in_linked_rows("")).map_err(e)?;
        tx.execute_batch("DELETE FROM entities; DELETE FROM entity_aliases;").map_err(e)?;
        write_entities(&tx, entities, stable.keys.iter(), &stable.merged, kept).map_err(e)?;
        crate::pause_point("commit");
        tx.commit().map_err(e)
    }
}

/// The `linked_by` column: `name`, `gazetteer`, `pronoun`, or for a pronoun
/// whose antecedent level is known `pronoun:comment` / `pronoun:parent` /
/// `pronoun:article`.
fn linked_by_name(l: LinkedBy, antecedent: Option<Antecedent>) -> String {
    match (l, antecedent) {
        (LinkedBy::Name, _) => "name".into(),
        (LinkedBy::Gazetteer, _) => "gazetteer".into(),
        (LinkedBy::Pronoun, None) => "pronoun".into(),
        (LinkedBy::Pronoun, Some(a)) => format!("pronoun:{}", a.as_str()),
    }
}
