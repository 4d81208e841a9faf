//! The store's side of a Slurm job array: marking a store as shard K of N,
//! reading what a shard store says of itself (read-only), and merging a
//! finished shard's documents, NER output and stance decisions into this
//! store.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{sql_error, DocumentChange, Result, Store, StoreError};

/// What a shard store says of itself.
#[derive(Debug, Clone)]
pub(crate) struct ShardInfo {
    pub k: u32,
    pub n: u32,
    /// Its run finished (`ok` or `partial`).
    pub finished: bool,
    /// Its run's status (`running` for a killed one).
    pub status: String,
}

/// Reads a shard store's shard and status, read-only.
pub(crate) fn shard_info(path: &Path) -> Result<ShardInfo> {
    let not_shard = |detail: &str| StoreError::Sql {
        path: path.to_path_buf(),
        source: rusqlite::Error::InvalidPath(PathBuf::from(format!("not a shard store ({detail})"))),
    };
    if !path.is_file() {
        return Err(not_shard("no such file"));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| sql_error(path, e))?;
    let shard: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'shard'", [], |r| r.get(0))
        .optional()
        .map_err(|e| sql_error(path, e))?;
    let Some((k, n)) = shard.as_deref().and_then(|v| v.split_once('/')) else {
        return Err(not_shard("no shard recorded: made by `run --shard K/N`?"));
    };
    let (Ok(k), Ok(n)) = (k.parse(), n.parse()) else { return Err(not_shard("bad shard value")) };
    let status: String = conn
        .query_row("SELECT status FROM runs ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .optional()
        .map_err(|e| sql_error(path, e))?
        .unwrap_or_else(|| "missing".into());
    Ok(ShardInfo { k, n, finished: status == "ok" || status == "partial", status })
}

impl Store {
    /// Marks this store as shard `k` of `n`.
    pub(crate) fn set_shard(&self, k: u32, n: u32) -> Result<()> {
        self.exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('shard', ?1)", [format!("{k}/{n}")])?;
        Ok(())
    }

    /// Merges a finished shard store: its documents as if ingested by run
    /// `run` (new, updated or unchanged by content hash), then its NER output
    /// and stance decisions where this store has none for the same hash.
    pub(crate) fn merge_shard(&mut self, shard: &Path, run: i64) -> Result<Vec<DocumentChange>> {
        let source =
            Store { conn: Connection::open(shard).map_err(|e| sql_error(shard, e))?, path: shard.to_path_buf() };
        let mut changes = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = source.documents_page(after.as_deref(), 256)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            changes.extend(self.ingest(&page, run)?);
        }
        drop(source);
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        self.conn.execute("ATTACH DATABASE ?1 AS shard", [shard.display().to_string()]).map_err(e)?;
        let copied = self.conn.execute_batch(&format!(
            "BEGIN;
             INSERT OR IGNORE INTO ner_spans(text_hash, model, run, spans)
                 SELECT text_hash, model, {run}, spans FROM shard.ner_spans;
             INSERT OR IGNORE INTO stance_decisions(input_hash, model, run, stance, p_against, p_neutral, p_favour, confidence)
                 SELECT input_hash, model, {run}, stance, p_against, p_neutral, p_favour, confidence FROM shard.stance_decisions;
             COMMIT;"
        ));
        if copied.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let detached = self.conn.execute("DETACH DATABASE shard", []);
        copied.map_err(e)?;
        detached.map_err(e)?;
        Ok(changes)
    }
}
