//! The corpus store: one SQLite file (through rusqlite's bundled library)
//! that remembers everything a run learnt, so the next run only does what is
//! new and every export is made from the store (its rolling window, the
//! whole archive or a date range: [`Scope`]). It owns every SQL
//! statement of the program; the other stages hand it typed records
//! ([`Document`], [`EntitySpan`], [`Mention`], [`StanceDecision`], [`Entity`])
//! and get typed records back.
//!
//! # What decides what is new
//!
//! Content hashes, as in ninja and git (SHA-256, 32 hex digits):
//!
//! * a **document** is known by its id; its content hash covers the date,
//!   title, article text and every comment (author, parent, text, date). The same
//!   hash is "unchanged"; another hash replaces the stored document and its
//!   comments (an update: a thread that grew, an edited article);
//! * **NER** output is kept per distinct text hash (`ner_spans`): a text
//!   whose hash has spans costs no model work, whichever document it is in;
//! * a **stance decision** is kept per input hash (`stance_decisions`): the
//!   comment text, the target label and the mention ranges. The same
//!   question is never asked twice.
//!
//! Stored model output is reused whatever model made it: a new model is
//! applied to old records only on purpose ([`Work::reprocess`]). Each row
//! names its model, so summaries count records per model version.
//!
//! # Derived tables
//!
//! `mentions`, `stances` and `entities` are the result of linking the whole
//! corpus; a run builds them in `*_next` tables and swaps them in with one
//! transaction ([`Store::commit_linking`]), so a killed run leaves the
//! previous result whole. Ids once issued are in `entity_ids` forever.
//! `ner_batches` keeps the finished batches of the NER chunk in progress
//! until its spans are stored, so a killed run's batches are read back.
//!
//! # Safety
//!
//! [`StoreLock`] is an advisory `flock` on `<store>.lock`: one run at a time,
//! and the kernel drops it when its process dies, so a killed run never
//! blocks the next. [`Store::open`] runs `PRAGMA quick_check` and refuses a
//! damaged file; [`recover`] copies every row that can still be read into a
//! new store and keeps the damaged file beside it.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::corpus::{Comment, Document};
use crate::dates::now_utc;
use crate::hashes::{content_hash, text_hash};
use crate::link::{Antecedent, Entity, IssuedIds, LinkedBy, Mention, Source, StableIds};
use crate::ner::{EntityKind, EntitySpan};
use crate::stance::{Stance, StanceDecision};

mod pages;
mod recover;
mod relink;
pub use recover::{recover, Recovered, TableRecovery};
pub(crate) use relink::{KeptLinking, NightCommit};
mod snapshot;
pub(crate) use snapshot::Scope;
pub use snapshot::{Selection, Snapshot, Totals, Window};

/// Version of the table layout; a store of another version is refused.
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// The store's file name inside `--out` when `--store` is not given.
pub const DEFAULT_FILE: &str = "stancegraph.db";

/// Why the store can't be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {}: {source}", path.display())]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "store {} is damaged ({detail}); `stancegraph recover --store {}` copies what can still be read into a new store",
        path.display(),
        path.display()
    )]
    Damaged { path: PathBuf, detail: String },
    #[error("store {} has schema version {found}; this build reads version {SCHEMA_VERSION}", path.display())]
    Version { path: PathBuf, found: i64 },
    #[error("store {} is in use by {holder}", path.display())]
    Busy { path: PathBuf, holder: String },
    #[error("store {} does not exist: nothing to recover", path.display())]
    Missing { path: PathBuf },
    #[error("{} is not a store (no SQLite header): nothing changed", path.display())]
    NotAStore { path: PathBuf },
    #[error("store lock {}: {source}", path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, StoreError>;

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

/// Deletes a store file with its `-wal` and `-shm` files (a missing one is fine).
pub fn remove(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = with_suffix(path, suffix);
        match fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(StoreError::Lock { path: p, source }),
        }
    }
    Ok(())
}

// ------------------------------------------------------------------- lock --

/// The one-run-at-a-time lock of a store (`<store>.lock`, advisory `flock`).
/// Released when dropped, and by the kernel when the process dies.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the store's lock for `command` (`run`, `export`, ...) or fails
    /// at once with [`StoreError::Busy`] naming the holder (its command, pid
    /// and start time).
    pub fn acquire(store: &Path, command: &str) -> Result<StoreLock> {
        let path = lock_path(store);
        StoreLock::take(&path, command).map_err(|e| match e {
            LockError::Held(holder) => StoreError::Busy { path: store.to_path_buf(), holder },
            LockError::Io(source) => StoreError::Lock { path, source },
        })
    }

    /// Takes the lock file `path` (created with its folder when missing);
    /// the file then names this process.
    pub fn take(path: &Path, command: &str) -> std::result::Result<StoreLock, LockError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(LockError::Io)?;
        }
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(LockError::Io)?;
        // SAFETY: flock on a file descriptor we own.
        let got = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if got != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(LockError::Held(if holder.is_empty() {
                    "another process".into()
                } else {
                    holder.to_string()
                }));
            }
            return Err(LockError::Io(e));
        }
        let io = LockError::Io;
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "stancegraph {command}, pid {} since {}", std::process::id(), now_utc()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(StoreLock { _file: file })
    }
}

/// Why a lock file could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it; what its lock file says of it.
    Held(String),
    Io(std::io::Error),
}

/// `<store>.lock`.
pub(crate) fn lock_path(store: &Path) -> PathBuf {
    with_suffix(store, ".lock")
}

// ----------------------------------------------------------------- schema --

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL DEFAULT '',
    ner_model TEXT,
    stance_model TEXT,
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    date TEXT,
    title TEXT,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    updated_run INTEGER NOT NULL,
    seen_run INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_text_hash ON documents(text_hash);
CREATE TABLE IF NOT EXISTS comments (
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    comment_id TEXT,
    author TEXT NOT NULL,
    parent INTEGER,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    date TEXT,
    PRIMARY KEY (doc_id, position)
);
CREATE INDEX IF NOT EXISTS comments_text_hash ON comments(text_hash);
CREATE TABLE IF NOT EXISTS ner_spans (
    text_hash TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    run INTEGER NOT NULL,
    spans TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ner_batches (
    chunk TEXT NOT NULL,
    batch INTEGER NOT NULL,
    run INTEGER NOT NULL,
    labels BLOB NOT NULL,
    PRIMARY KEY (chunk, batch)
);
CREATE TABLE IF NOT EXISTS stance_decisions (
    input_hash TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    run INTEGER NOT NULL,
    stance TEXT NOT NULL,
    p_against REAL NOT NULL,
    p_neutral REAL NOT NULL,
    p_favour REAL NOT NULL,
    confidence REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mentions (
    doc_id TEXT NOT NULL,
    comment INTEGER,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    linked_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS stances (
    doc_id TEXT NOT NULL,
    comment INTEGER NOT NULL,
    author TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    stance TEXT NOT NULL,
    p_against REAL NOT NULL,
    p_neutral REAL NOT NULL,
    p_favour REAL NOT NULL,
    confidence REAL NOT NULL,
    model TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    PRIMARY KEY (doc_id, comment, entity_id)
);
CREATE INDEX IF NOT EXISTS stances_entity ON stances(entity_id);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    type TEXT NOT NULL,
    mentions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entity_aliases (
    entity_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (entity_id, alias)
);
CREATE TABLE IF NOT EXISTS entity_ids (
    id TEXT PRIMARY KEY,
    first_run INTEGER NOT NULL,
    merged_into TEXT
);
CREATE TABLE IF NOT EXISTS entity_keys (
    key TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL
);
"#;

/// (table, column, type) added to the schema after its first release.
const ADDED_COLUMNS: [(&str, &str, &str); 2] =
    [("comments", "date", "TEXT"), ("stances", "implicit", "INTEGER NOT NULL DEFAULT 0")];

/// The tables [`recover`] copies, in dependency-free order (not
/// `ner_batches`: a recovered store runs the NER chunk in progress whole).
const TABLES: [&str; 12] = [
    "meta",
    "runs",
    "documents",
    "comments",
    "ner_spans",
    "stance_decisions",
    "mentions",
    "stances",
    "entities",
    "entity_aliases",
    "entity_ids",
    "entity_keys",
];

// ------------------------------------------------------------------ store --

/// An open corpus store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What happened to one input document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentChange {
    New,
    /// Stored before with other content (a grown thread, an edited article).
    Updated,
    Unchanged,
}

/// A text that has no NER output yet.
#[derive(Debug, Clone)]
pub(crate) struct PendingText {
    pub hash: String,
    pub text: String,
}

/// A stored stance decision and the model that made it.
#[derive(Debug, Clone)]
pub struct StoredDecision {
    pub decision: StanceDecision,
    pub model: String,
}

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

/// Which model work a run does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Work {
    /// Redo stored model output made by another model than the current one.
    pub reprocess: bool,
}
/// What a run that did not end left behind ([`Store::interrupted_run`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InterruptedRun {
    pub run: i64,
    /// Killed (else it failed with an error).
    pub killed: bool,
    /// Documents it stored new or updated.
    pub documents_stored: usize,
    /// Distinct texts with no NER output, and the documents holding them.
    pub texts_without_ner: usize,
    pub documents_without_ner: usize,
    /// The linking (and the stance questions) still to redo.
    pub linking_stale: bool,
}

impl Store {
    /// Opens (creating when missing) the store at `path` and checks it:
    /// a file that is not a store, fails `PRAGMA quick_check` or has another
    /// schema version is refused.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| StoreError::Sql {
                path: path.to_path_buf(),
                source: rusqlite::Error::InvalidPath(PathBuf::from(format!("{}: {e}", dir.display()))),
            })?;
        }
        let damaged = |detail: String| StoreError::Damaged { path: path.to_path_buf(), detail };
        let conn = Connection::open(path).map_err(|e| sql_error(path, e))?;
        let check: std::result::Result<Vec<String>, rusqlite::Error> = (|| {
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            let mut stmt = conn.prepare("PRAGMA quick_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect();
            rows
        })();
        match check {
            Ok(rows) if rows.len() == 1 && rows[0] == "ok" => {}
            Ok(rows) => return Err(damaged(rows.into_iter().take(3).collect::<Vec<_>>().join("; "))),
            Err(e) if is_damage(&e) => return Err(damaged(e.to_string())),
            Err(e) => return Err(sql_error(path, e)),
        }
        let store = Store { conn, path: path.to_path_buf() };
        store.conn.execute_batch(SCHEMA).map_err(|e| {
            if is_damage(&e) {
                damaged(e.to_string())
            } else {
                sql_error(path, e)
            }
        })?;
        store.add_missing_columns()?;
        let version: Option<String> = store.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", [])?;
        match version.map(|v| v.parse::<i64>().unwrap_or(-1)) {
            None => {
                store
                    .exec("INSERT INTO meta(key, value) VALUES ('schema_version', ?1)", [SCHEMA_VERSION.to_string()])?;
            }
            Some(SCHEMA_VERSION) => {}
            Some(found) => return Err(StoreError::Version { path: path.to_path_buf(), found }),
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Columns added to a table after stores were first made: a store of an
    /// earlier build gets them (empty) when it is opened.
    fn add_missing_columns(&self) -> Result<()> {
        for (table, column, ty) in ADDED_COLUMNS {
            let mut stmt = self.conn.prepare(&format!("PRAGMA table_info({table})")).map_err(|e| self.err(e))?;
            let names: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(1))
                .map_err(|e| self.err(e))?
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| self.err(e))?;
            if !names.iter().any(|n| n == column) {
                self.conn
                    .execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"))
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        sql_error(&self.path, e)
    }

    fn exec<P: rusqlite::Params>(&self, sql: &str, p: P) -> Result<usize> {
        self.conn.execute(sql, p).map_err(|e| self.err(e))
    }

    fn query_opt<T: rusqlite::types::FromSql, P: rusqlite::Params>(&self, sql: &str, p: P) -> Result<Option<T>> {
        self.conn.query_row(sql, p, |r| r.get(0)).optional().map_err(|e| self.err(e))
    }

    fn count(&self, sql: &str) -> Result<usize> {
        Ok(self.query_opt::<i64, _>(sql, [])?.unwrap_or(0) as usize)
    }

    // ------------------------------------------------------------ runs --

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

    // -------------------------------------------------------- documents --

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

    fn comments_of(&self, doc_id: &str) -> Result<Vec<Comment>> {
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

    // -------------------------------------------------------------- NER --

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

    // ------------------------------------------------------- linking --

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

    /// Stored decisions for some stance questions. Without `reprocess`,
    /// any model's decision counts; with it, only `model`'s.
    pub fn decisions(&self, hashes: &[&str], model: &str, work: Work) -> Result<HashMap<String, StoredDecision>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT model, stance, p_against, p_neutral, p_favour, confidence FROM stance_decisions WHERE input_hash = ?1",
            )
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for h in hashes {
            let row: Option<(String, String, f32, f32, f32, f32)> = stmt
                .query_row([h], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
                .optional()
                .map_err(|e| self.err(e))?;
            let Some((m, stance, a, n, f, confidence)) = row else { continue };
            if work.reprocess && m != model {
                continue;
            }
            let decision = StanceDecision {
                stance: Stance::parse(&stance).unwrap_or(Stance::Neutral),
                confidence,
                probabilities: [a, n, f],
            };
            out.insert(h.to_string(), StoredDecision { decision, model: m });
        }
        Ok(out)
    }

    /// Stores stance decisions, in one transaction.
    pub(crate) fn save_decisions(&mut self, found: &[(String, StanceDecision)], model: &str, run: i64) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO stance_decisions(input_hash, model, run, stance, p_against, p_neutral, p_favour, confidence)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(|e| sql_error(&path, e))?;
            for (hash, d) in found {
                let [a, n, f] = d.probabilities;
                put.execute(params![hash, model, run, d.stance.as_str(), a, n, f, d.confidence])
                    .map_err(|e| sql_error(&path, e))?;
            }
        }
        tx.commit().map_err(|e| sql_error(&path, e))
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

// ---------------------------------------------------------------- helpers --

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes entities (with aliases and the ids issued), keys, merges and the
/// linker state kept for the next night, inside a linking's transaction.
fn write_entities<'k>(
    tx: &rusqlite::Transaction,
    entities: &[Entity],
    keys: impl Iterator<Item = (&'k String, &'k String)>,
    merged: &[(String, String)],
    kept: &KeptLinking,
) -> rusqlite::Result<()> {
    let mut put_entity =
        tx.prepare_cached("INSERT INTO entities(id, label, type, mentions) VALUES (?1, ?2, ?3, ?4)")?;
    let mut put_alias = tx.prepare_cached("INSERT OR IGNORE INTO entity_aliases(entity_id, alias) VALUES (?1, ?2)")?;
    let mut put_id = tx.prepare_cached("INSERT OR IGNORE INTO entity_ids(id, first_run) VALUES (?1, ?2)")?;
    for ent in entities {
        put_entity.execute(params![ent.id, ent.label, ent.kind.as_str(), ent.mentions as i64])?;
        for a in &ent.aliases {
            put_alias.execute(params![ent.id, a])?;
        }
        put_id.execute(params![ent.id, kept.run])?;
    }
    let mut put_key = tx.prepare_cached("INSERT OR REPLACE INTO entity_keys(key, entity_id) VALUES (?1, ?2)")?;
    for (k, id) in keys {
        put_key.execute(params![k, id])?;
    }
    let mut merge = tx.prepare_cached("UPDATE entity_ids SET merged_into = ?2 WHERE id = ?1")?;
    for (old, into) in merged {
        merge.execute(params![old, into])?;
    }
    let mut meta = tx.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
    meta.execute(params!["linking_stale", "0"])?;
    meta.execute(params!["linker_state", kept.state])?;
    meta.execute(params!["linked_run", kept.run.to_string()])?;
    meta.execute(params!["linked_since_full", kept.since_full.to_string()])?;
    Ok(())
}

fn sql_error(path: &Path, e: rusqlite::Error) -> StoreError {
    if is_damage(&e) {
        StoreError::Damaged { path: path.to_path_buf(), detail: e.to_string() }
    } else {
        StoreError::Sql { path: path.to_path_buf(), source: e }
    }
}

/// SQLite's own "this file is damaged" answers.
fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) | Some(rusqlite::ErrorCode::NotADatabase)
    )
}

fn comment_column(source: Source) -> Option<i64> {
    match source {
        Source::Article => None,
        Source::Comment(c) => Some(c as i64),
    }
}

/// A probability as the exports show it: three decimals.
fn rounded(p: f64) -> f32 {
    ((p * 1000.0).round() / 1000.0) as f32
}

fn mention_row(r: &rusqlite::Row) -> rusqlite::Result<Mention> {
    let linked_by: String = r.get(6)?;
    let (by, antecedent) = linked_by.split_once(':').unwrap_or((linked_by.as_str(), ""));
    Ok(Mention {
        doc_id: r.get(0)?,
        source: match r.get::<_, Option<i64>>(1)? {
            None => Source::Article,
            Some(c) => Source::Comment(c as usize),
        },
        start: r.get::<_, i64>(2)? as usize,
        end: r.get::<_, i64>(3)? as usize,
        text: r.get(4)?,
        entity_id: r.get(5)?,
        linked_by: match by {
            "gazetteer" => LinkedBy::Gazetteer,
            "pronoun" => LinkedBy::Pronoun,
            _ => LinkedBy::Name,
        },
        antecedent: Antecedent::parse(antecedent),
    })
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

/// The SQL that replaces the stored mentions and stance records with the
/// linking in progress (`mentions_next`, `stances_next`, joined with their
/// decisions; implicit records only when not neutral): of every document
/// when `scope` is empty, else of the documents `scope` selects (a
/// `WHERE doc_id IN (...)` clause).
pub(super) fn swap_in_linked_rows(scope: &str) -> String {
    format!(
        r#"DELETE FROM mentions {scope};
           INSERT INTO mentions(doc_id, comment, start, "end", text, entity_id, linked_by)
               SELECT doc_id, comment, start, "end", text, entity_id, linked_by FROM mentions_next ORDER BY rowid;
           DROP TABLE mentions_next;
           DELETE FROM stances {scope};
           INSERT INTO stances(doc_id, comment, author, entity_id, stance, p_against, p_neutral, p_favour, confidence,
                               model, input_hash, implicit)
               SELECT s.doc_id, s.comment, s.author, s.entity_id, d.stance, d.p_against, d.p_neutral, d.p_favour,
                      d.confidence, d.model, s.input_hash, s.implicit
               FROM stances_next s JOIN stance_decisions d ON d.input_hash = s.input_hash
               WHERE s.implicit = 0 OR d.stance <> 'neutral'
               ORDER BY s.doc_id, s.comment, s.entity_id;
           DROP TABLE stances_next;"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(id: &str, text: &str, comments: &[&str]) -> Document {
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
