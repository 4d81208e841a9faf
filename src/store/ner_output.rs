//! NER output: the texts that have no spans yet (walked in hash-ordered
//! chunks), the finished batches kept for the chunk in progress so that a
//! killed run loses at most one batch, and the spans stored once per distinct
//! text hash.

use std::collections::HashMap;

use rusqlite::params;

use super::{sql_error, Result, Store, StoreError, Work};
use crate::hashes::text_hash;
use crate::ner::{EntityKind, EntitySpan};

/// A text that has no NER output yet.
#[derive(Debug, Clone)]
pub(crate) struct PendingText {
    pub hash: String,
    pub text: String,
}

impl Store {
    /// How many of these text hashes are comment texts.
    pub(crate) fn comment_texts_among<'a>(&self, hashes: impl IntoIterator<Item = &'a str>) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM comments WHERE text_hash = ?1)")
            .map_err(|e| self.err(e))?;
        let mut n = 0;
        for h in hashes {
            if stmt.query_row([h], |r| r.get::<_, bool>(0)).map_err(|e| self.err(e))? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The next texts without NER output (or, with `reprocess`, with output
    /// of another model than `model`) whose hash sorts after `after` (empty:
    /// from the start), in hash order, up to about `max_chars` characters
    /// (at least one text). The caller passes the last hash of the previous
    /// chunk, so each call reads only its own chunk: the two text-hash
    /// indexes are merged in order and the scan stops at `max_chars`.
    pub(crate) fn pending_ner(
        &self,
        model: &str,
        work: Work,
        after: &str,
        max_chars: usize,
    ) -> Result<Vec<PendingText>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT hash, text FROM (
                     SELECT text_hash AS hash, text FROM documents WHERE text_hash > ?3
                     UNION ALL SELECT text_hash AS hash, text FROM comments WHERE text_hash > ?3) AS t
                 WHERE NOT EXISTS (SELECT 1 FROM ner_spans n WHERE n.text_hash = t.hash AND (?1 = 0 OR n.model = ?2))
                 ORDER BY hash",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![work.reprocess as i64, model, after]).map_err(|e| self.err(e))?;
        let mut out: Vec<PendingText> = Vec::new();
        let mut chars = 0;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let hash: String = r.get(0).map_err(|e| self.err(e))?;
            if out.last().is_some_and(|p| p.hash == hash) {
                continue;
            }
            let text: String = r.get(1).map_err(|e| self.err(e))?;
            chars += text.len();
            out.push(PendingText { hash, text });
            if chars >= max_chars {
                break;
            }
        }
        Ok(out)
    }

    /// The batches of the NER chunk `chunk` kept so far (a run killed in the
    /// middle of it kept them), by batch number.
    pub(crate) fn ner_batches(&self, chunk: &str) -> Result<HashMap<usize, Vec<u8>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT batch, labels FROM ner_batches WHERE chunk = ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([chunk], |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, Vec<u8>>(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The run that kept the first batch of NER chunk `chunk`, if any.
    pub(crate) fn ner_batches_run(&self, chunk: &str) -> Result<Option<i64>> {
        self.query_opt("SELECT min(run) FROM ner_batches WHERE chunk = ?1", [chunk])
    }

    /// Keeps the output of one finished batch of the NER chunk in progress
    /// (one small transaction), until [`Store::save_spans`] stores the chunk.
    /// Batches of any other chunk (left by a run killed over other inputs) go.
    pub(crate) fn save_ner_batch(&mut self, chunk: &str, batch: usize, labels: &[u8], run: i64) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        if batch == 0 {
            tx.execute("DELETE FROM ner_batches WHERE chunk <> ?1", [chunk]).map_err(|e| sql_error(&path, e))?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO ner_batches(chunk, batch, run, labels) VALUES (?1, ?2, ?3, ?4)",
            params![chunk, batch as i64, run, labels],
        )
        .map_err(|e| sql_error(&path, e))?;
        tx.commit().map_err(|e| sql_error(&path, e))
    }

    /// Stores the NER output of some texts, in one transaction, and drops
    /// the kept batches of the chunk they came from.
    pub(crate) fn save_spans(&mut self, found: &[(String, Vec<EntitySpan>)], model: &str, run: i64) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        tx.execute("DELETE FROM ner_batches", []).map_err(|e| sql_error(&path, e))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO ner_spans(text_hash, model, run, spans) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(|e| sql_error(&path, e))?;
            for (hash, spans) in found {
                let rows: Vec<serde_json::Value> = spans
                    .iter()
                    .map(|s| serde_json::json!([s.start, s.end, s.kind.short(), s.score, s.text]))
                    .collect();
                put.execute(params![hash, model, run, serde_json::Value::Array(rows).to_string()])
                    .map_err(|e| sql_error(&path, e))?;
            }
        }
        tx.commit().map_err(|e| sql_error(&path, e))
    }

    /// The stored NER spans of one text (empty when it has none).
    pub(crate) fn spans_of(&self, text: &str) -> Result<Vec<EntitySpan>> {
        let raw: Option<String> =
            self.query_opt("SELECT spans FROM ner_spans WHERE text_hash = ?1", [text_hash(text)])?;
        let Some(raw) = raw else { return Ok(Vec::new()) };
        let rows: Vec<(usize, usize, String, f32, String)> = serde_json::from_str(&raw).map_err(|e| {
            StoreError::Damaged { path: self.path.clone(), detail: format!("ner_spans of a text: {e}") }
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(start, end, kind, score, text)| {
                Some(EntitySpan { start, end, kind: EntityKind::from_tag_type(&kind)?, text, score })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::hashes::text_hash;
    use crate::ner::EntitySpan;
    use crate::store::test_util::document;
    use crate::store::{Store, Work};

    /// Walking `pending_ner` chunk by chunk, each chunk starting after the
    /// last hash of the one before, yields every distinct text once, in
    /// hash order, whatever the chunk size, including a text that is both
    /// an article and a comment and a text stored twice.
    #[test]
    fn pending_ner_walks_each_text_once_in_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let run = store.begin_run("run", &[]).unwrap();
        let docs = vec![
            document("d1", "Alpha text.", &["Shared text.", "Comment one."]),
            document("d2", "Shared text.", &["Comment two.", "Comment one."]),
            document("d3", "Gamma text, somewhat longer than the others.", &[]),
        ];
        store.ingest(&docs, run).unwrap();
        let mut expected: Vec<String> = docs
            .iter()
            .flat_map(|d| std::iter::once(d.text.as_str()).chain(d.comments.iter().map(|c| c.text.as_str())))
            .map(text_hash)
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(expected.len(), 5);
        for max_chars in [1, 20, 1_000] {
            let mut seen = Vec::new();
            let mut after = String::new();
            loop {
                let chunk = store.pending_ner("m", Work::default(), &after, max_chars).unwrap();
                let Some(last) = chunk.last() else { break };
                after = last.hash.clone();
                if max_chars == 1 {
                    assert_eq!(chunk.len(), 1);
                }
                seen.extend(chunk.into_iter().map(|p| p.hash));
            }
            assert_eq!(seen, expected, "max_chars {max_chars}");
        }
        // Texts with output are no longer pending; another model's output
        // counts unless reprocessing.
        let found: Vec<(String, Vec<EntitySpan>)> = expected[..2].iter().map(|h| (h.clone(), Vec::new())).collect();
        store.save_spans(&found, "old", run).unwrap();
        let left = store.pending_ner("new", Work::default(), "", usize::MAX).unwrap();
        assert_eq!(left.iter().map(|p| p.hash.clone()).collect::<Vec<_>>(), expected[2..].to_vec());
        let redo = store.pending_ner("new", Work { reprocess: true }, "", usize::MAX).unwrap();
        assert_eq!(redo.len(), 5);
    }
}
