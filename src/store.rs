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

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::link::{Antecedent, Entity, LinkedBy, Mention, Source};

mod documents;
mod linking;
mod lock;
mod ner_output;
mod pages;
mod recover;
mod relink;
mod runs;
mod schema;
mod shards;
mod snapshot;
mod stance_decisions;
#[cfg(test)]
mod test_util;

pub use documents::{document_hash, DocumentChange};
pub(crate) use linking::StancePair;
pub use lock::{LockError, StoreLock};
pub(crate) use ner_output::PendingText;
pub use recover::{recover, Recovered, TableRecovery};
pub(crate) use relink::{KeptLinking, NightCommit};
use schema::SCHEMA;
pub(crate) use shards::shard_info;
pub(crate) use snapshot::Scope;
pub use snapshot::{Selection, Snapshot, Totals, Window};
pub use stance_decisions::StoredDecision;

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
