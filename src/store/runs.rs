//! Run bookkeeping in the `runs` table: one record per `run`, `merge`,
//! `shard` or `export`, with its inputs, models, status and counts; what a run
//! that was killed or failed left behind; and the write-ahead-log checkpoint
//! at a run's end.

use rusqlite::{params, OptionalExtension};

use super::{InterruptedRun, Result, Store};
use crate::dates::now_utc;

impl Store {
    /// Starts a run record (status `running`); runs still `running` from a
    /// killed process (this one holds the lock) become `killed`, and the
    /// leftovers of a killed linking are dropped.
    pub fn begin_run(&mut self, command: &str, inputs: &[String]) -> Result<i64> {
        self.begin_run_after(command, inputs, 0)
    }

    /// [`Store::begin_run`], numbered above `after` too (the highest export
    /// set in `--out`, so that set numbers never go backwards).
    pub(crate) fn begin_run_after(&mut self, command: &str, inputs: &[String], after: i64) -> Result<i64> {
        self.conn
            .execute_batch(
                "UPDATE runs SET status = 'killed' WHERE status = 'running';
                 DROP TABLE IF EXISTS mentions_next;
                 DROP TABLE IF EXISTS stances_next;",
            )
            .map_err(|e| self.err(e))?;
        self.exec(
            "INSERT INTO runs(id, command, started, status, inputs)
             VALUES (max((SELECT coalesce(max(id), 0) FROM runs), ?4) + 1, ?1, ?2, 'running', ?3)",
            params![command, now_utc(), serde_json::to_string(inputs).unwrap_or_default(), after],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The last `run` or `merge` when it did not end well (killed, or
    /// failed), and what it left: call before [`Store::begin_run`].
    pub(crate) fn interrupted_run(&self) -> Result<Option<InterruptedRun>> {
        let last: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, status FROM runs WHERE command IN ('run', 'merge') ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((run, status)) = last.filter(|(_, s)| matches!(s.as_str(), "running" | "killed" | "failed")) else {
            return Ok(None);
        };
        let without_ner = "NOT EXISTS (SELECT 1 FROM ner_spans n WHERE n.text_hash = t.text_hash)";
        let texts_without_ner = self.count(&format!(
            "SELECT COUNT(*) FROM (SELECT text_hash FROM documents UNION SELECT text_hash FROM comments) AS t
             WHERE {without_ner}"
        ))?;
        let documents_without_ner = self.count(&format!(
            "SELECT COUNT(*) FROM documents AS t
             WHERE {without_ner} OR EXISTS (SELECT 1 FROM comments c WHERE c.doc_id = t.id
                 AND NOT EXISTS (SELECT 1 FROM ner_spans n WHERE n.text_hash = c.text_hash))"
        ))?;
        let documents_stored = self
            .query_opt::<i64, _>("SELECT COUNT(*) FROM documents WHERE updated_run = ?1", [run])?
            .unwrap_or(0) as usize;
        Ok(Some(InterruptedRun {
            run,
            killed: status != "failed",
            documents_stored,
            texts_without_ner,
            documents_without_ner,
            linking_stale: self.linking_stale()?,
        }))
    }

    /// Folds the write-ahead log into the store file and truncates it.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0)).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Names the models of a run.
    pub(crate) fn set_run_models(&self, run: i64, ner: &str, stance: &str) -> Result<()> {
        self.exec("UPDATE runs SET ner_model = ?2, stance_model = ?3 WHERE id = ?1", params![run, ner, stance])?;
        Ok(())
    }

    /// Closes a run record with its status (`ok`, `partial`, `failed`) and counts (JSON).
    pub(crate) fn finish_run(&self, run: i64, status: &str, counts: &serde_json::Value) -> Result<()> {
        self.exec(
            "UPDATE runs SET status = ?2, finished = ?3, counts = ?4 WHERE id = ?1",
            params![run, status, now_utc(), counts.to_string()],
        )?;
        Ok(())
    }

    /// When a run started (its `started` stamp).
    pub fn run_started(&self, run: i64) -> Result<Option<String>> {
        self.query_opt("SELECT started FROM runs WHERE id = ?1", [run])
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::hashes::text_hash;
    use crate::store::test_util::document;
    use crate::store::{InterruptedRun, Store};

    /// A killed run is found by the next one with what it left (texts
    /// without NER and their documents); kept NER batches belong to one chunk
    /// at a time and go when the chunk's spans are stored.
    #[test]
    fn a_killed_run_and_its_kept_ner_batches_are_found_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(store.interrupted_run().unwrap(), None, "a new store");
        let run = store.begin_run("run", &[]).unwrap();
        let docs = vec![document("d1", "Alpha text.", &["Shared text.", "One."]), document("d2", "Shared text.", &[])];
        store.ingest(&docs, run).unwrap();
        store.save_spans(&[(text_hash("Alpha text."), Vec::new())], "m", run).unwrap();
        store.save_ner_batch("chunk-a", 0, &[1, 2], run).unwrap();
        store.save_ner_batch("chunk-a", 1, &[3], run).unwrap();
        // The process dies here: the run stays `running`.
        let left = store.interrupted_run().unwrap().expect("the killed run");
        assert_eq!(
            left,
            InterruptedRun {
                run,
                killed: true,
                documents_stored: 2,
                texts_without_ner: 2,
                documents_without_ner: 2,
                linking_stale: true
            }
        );
        let next = store.begin_run("run", &[]).unwrap();
        assert_eq!(store.interrupted_run().unwrap().map(|l| l.run), Some(next), "the next run is running now");
        let kept = store.ner_batches("chunk-a").unwrap();
        assert_eq!(kept, HashMap::from([(0, vec![1, 2]), (1, vec![3])]));
        assert_eq!(store.ner_batches_run("chunk-a").unwrap(), Some(run));
        // A new chunk's first batch drops another chunk's batches.
        store.save_ner_batch("chunk-b", 0, &[4], next).unwrap();
        assert!(store.ner_batches("chunk-a").unwrap().is_empty());
        store.save_spans(&[(text_hash("One."), Vec::new())], "m", next).unwrap();
        assert!(store.ner_batches("chunk-b").unwrap().is_empty(), "stored spans end the chunk");
        store.finish_run(next, "ok", &serde_json::json!({})).unwrap();
        assert_eq!(store.interrupted_run().unwrap(), None, "the last run ended well");
    }
}
