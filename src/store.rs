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
use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::corpus::Document;
use crate::dates::now_utc;
use crate::evidence;
use crate::link::{Antecedent, Entity, EntityType, LinkedBy, Mention, Source};
use crate::stance::{Stance, StanceRecord};

mod documents;
mod linking;
mod lock;
mod ner_output;
mod relink;
mod runs;
mod schema;
mod shards;
mod stance_decisions;
#[cfg(test)]
mod test_util;

pub use documents::{document_hash, DocumentChange};
pub(crate) use linking::StancePair;
pub use lock::{LockError, StoreLock};
pub(crate) use ner_output::PendingText;
pub(crate) use relink::{KeptLinking, NightCommit};
use schema::SCHEMA;
pub(crate) use shards::shard_info;
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

/// A document's day for the rolling window: its date (`YYYY-MM-DD`), else
/// the day of the run that first stored it.
const DOCUMENT_DAY: &str =
    "coalesce(substr(d.date, 1, 10), (SELECT substr(r.started, 1, 10) FROM runs r WHERE r.id = d.first_run))";

/// Which documents an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope<'a> {
    /// The whole archive.
    All,
    /// Documents dated within `from..=to` (either bound optional); undated
    /// documents are left out.
    Dated { from: Option<&'a str>, to: Option<&'a str> },
    /// Documents whose day (date, else the day of the run that first stored
    /// them) is this day or later: the rolling window.
    Since(&'a str),
}

/// The rolling window ([`Store::window`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    /// First day in the window (`YYYY-MM-DD`).
    pub from: String,
    /// The newest document day.
    pub to: String,
    /// Documents in the window.
    pub documents: usize,
}

/// Everything an export needs, read from the store.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Documents with their comments (id, author, parent, date and text:
    /// `comments.jsonl` prints the texts); article texts are not loaded (no
    /// export prints them), so the documents' `text` fields are empty.
    pub documents: Vec<Document>,
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
    /// With each comment's id and quote ([`crate::evidence`]).
    pub stances: Vec<StanceRecord>,
    /// Merged ids → the id they joined.
    pub merged_ids: BTreeMap<String, Vec<String>>,
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

/// Row counts, for summaries and tests.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Totals {
    pub documents: usize,
    pub comments: usize,
    pub mentions: usize,
    pub entities: usize,
    pub stances: usize,
    /// NER outputs of the stored texts, by model.
    pub ner_by_model: BTreeMap<String, usize>,
    /// Current stance records, by model.
    pub stances_by_model: BTreeMap<String, usize>,
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

    // --------------------------------------------------------- reading --

    /// Row counts and records per model.
    pub(crate) fn totals(&self) -> Result<Totals> {
        let by_model = |sql: &str| -> Result<BTreeMap<String, usize>> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize)))
                .map_err(|e| self.err(e))?;
            rows.collect::<std::result::Result<_, _>>().map_err(|e| self.err(e))
        };
        Ok(Totals {
            documents: self.count("SELECT COUNT(*) FROM documents")?,
            comments: self.count("SELECT COUNT(*) FROM comments")?,
            mentions: self.count("SELECT COUNT(*) FROM mentions")?,
            entities: self.count("SELECT COUNT(*) FROM entities")?,
            stances: self.count("SELECT COUNT(*) FROM stances")?,
            ner_by_model: by_model(
                "SELECT n.model, COUNT(*) FROM ner_spans n WHERE n.text_hash IN
                     (SELECT text_hash FROM documents UNION SELECT text_hash FROM comments) GROUP BY n.model",
            )?,
            stances_by_model: by_model("SELECT model, COUNT(*) FROM stances GROUP BY model")?,
        })
    }

    /// Documents in the store.
    pub(crate) fn document_count(&self) -> Result<usize> {
        self.count("SELECT count(*) FROM documents")
    }

    /// Documents without a date (left out of a `--from`/`--to` export).
    pub(crate) fn undated_documents(&self) -> Result<usize> {
        self.count("SELECT count(*) FROM documents WHERE date IS NULL")
    }

    /// The rolling window of the default export: the newest `days` days by
    /// document day ([`Scope::Since`]: a document's date, else the day of
    /// the run that first stored it), reaching back further when that holds
    /// fewer than `min_documents` documents, to the day of the
    /// `min_documents`-th newest, or to the oldest document's day when the
    /// store holds fewer. `None` for an empty store.
    pub fn window(&self, days: u32, min_documents: usize) -> Result<Option<Window>> {
        let sql = format!(
            "WITH eff AS (SELECT {DOCUMENT_DAY} AS day FROM documents d)
             SELECT (SELECT max(day) FROM eff),
                    min(date((SELECT max(day) FROM eff), ?1),
                        coalesce((SELECT day FROM eff WHERE day IS NOT NULL ORDER BY day DESC LIMIT 1 OFFSET ?2),
                                 (SELECT min(day) FROM eff)))"
        );
        let back = format!("-{} days", days.max(1) - 1);
        let offset = min_documents.max(1) as i64 - 1;
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(&sql, params![back, offset], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((Some(to), Some(from))) = row else { return Ok(None) };
        let documents = self.query_opt::<i64, _>(
            &format!("SELECT count(*) FROM documents d WHERE {DOCUMENT_DAY} IS NULL OR {DOCUMENT_DAY} >= ?1"),
            [&from],
        )?;
        Ok(Some(Window { from, to, documents: documents.unwrap_or(0) as usize }))
    }

    /// [`Store::snapshot_of`] for documents dated within `from..=to`
    /// (`YYYY-MM-DD`; an undated document is in only when no bound is given).
    pub fn snapshot(&self, from: Option<&str>, to: Option<&str>) -> Result<Snapshot> {
        match (from, to) {
            (None, None) => self.snapshot_of(Scope::All),
            _ => self.snapshot_of(Scope::Dated { from, to }),
        }
    }

    /// Everything an export needs, for the documents of `scope`. Entities
    /// are those mentioned there, with their mention counts there.
    pub(crate) fn snapshot_of(&self, scope: Scope) -> Result<Snapshot> {
        let in_range = format!(
            "(?1 = 0 OR (?1 = 1 AND d.date IS NOT NULL AND (?2 IS NULL OR substr(d.date, 1, 10) >= ?2)
                          AND (?3 IS NULL OR substr(d.date, 1, 10) <= ?3))
                  OR (?1 = 2 AND ({DOCUMENT_DAY} IS NULL OR {DOCUMENT_DAY} >= ?2)))"
        );
        let in_range = in_range.as_str();
        let (mode, from, to) = match scope {
            Scope::All => (0, None, None),
            Scope::Dated { from, to } => (1, from, to),
            Scope::Since(day) => (2, Some(day), None),
        };
        let p = params![mode as i64, from, to];
        let mut snap = Snapshot::default();

        let mut stmt = self
            .conn
            .prepare(&format!("SELECT d.id, d.source, d.date, d.title FROM documents d WHERE {in_range} ORDER BY d.id"))
            .map_err(|e| self.err(e))?;
        let docs: Vec<Document> = stmt
            .query_map(p, |r| {
                Ok(Document {
                    id: r.get(0)?,
                    path: PathBuf::from(r.get::<_, String>(1)?),
                    date: r.get(2)?,
                    title: r.get(3)?,
                    text: String::new(),
                    comments: Vec::new(),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        for mut d in docs {
            d.comments = self.comments_of(&d.id)?;
            snap.documents.push(d);
        }

        let mut stmt = self
            .conn
            .prepare(&format!(
                r#"SELECT m.doc_id, m.comment, m.start, m."end", m.text, m.entity_id, m.linked_by
                   FROM mentions m WHERE m.doc_id IN (SELECT d.id FROM documents d WHERE {in_range})
                   ORDER BY m.doc_id, m.rowid"#
            ))
            .map_err(|e| self.err(e))?;
        snap.mentions = stmt
            .query_map(p, mention_row)
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;

        let mut counts: HashMap<&str, usize> = HashMap::new();
        for m in &snap.mentions {
            *counts.entry(m.entity_id.as_str()).or_insert(0) += 1;
        }
        // The entities mentioned in the scope, each with its aliases (read one
        // entity at a time, so that a window reads only its own).
        let mut stmt =
            self.conn.prepare("SELECT id, label, type FROM entities ORDER BY id").map_err(|e| self.err(e))?;
        let mut aliases_of = self
            .conn
            .prepare("SELECT alias FROM entity_aliases WHERE entity_id = ?1 ORDER BY alias")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id: String = r.get(0).map_err(|e| self.err(e))?;
            let Some(&n) = counts.get(id.as_str()) else { continue };
            let kind: String = r.get(2).map_err(|e| self.err(e))?;
            let aliases = aliases_of
                .query_map([&id], |r| r.get(0))
                .map_err(|e| self.err(e))?
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| self.err(e))?;
            snap.entities.push(Entity {
                aliases,
                label: r.get(1).map_err(|e| self.err(e))?,
                id,
                kind: EntityType::parse(&kind).unwrap_or(EntityType::Misc),
                mentions: n,
            });
        }
        drop(rows);
        let mut stmt = self
            .conn
            .prepare("SELECT merged_into, id FROM entity_ids WHERE merged_into IS NOT NULL ORDER BY id")
            .map_err(|e| self.err(e))?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))? {
            let (into, id): (String, String) = row.map_err(|e| self.err(e))?;
            snap.merged_ids.entry(into).or_default().push(id);
        }

        // The quote's mention: the comment's first mention of the entity by
        // name (a pronoun only when there is no name).
        let mut first: HashMap<(&str, usize, &str), (bool, usize, usize)> = HashMap::new();
        for m in &snap.mentions {
            let Source::Comment(c) = m.source else { continue };
            let rank = (m.linked_by == LinkedBy::Pronoun, m.start, m.end);
            let slot = first.entry((m.doc_id.as_str(), c, m.entity_id.as_str())).or_insert(rank);
            *slot = rank.min(*slot);
        }
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT s.doc_id, s.comment, s.author, s.entity_id, e.label, e.type, s.stance, s.confidence,
                        s.p_against, s.p_neutral, s.p_favour, s.model, s.implicit, c.comment_id, c.text
                 FROM stances s JOIN entities e ON e.id = s.entity_id
                 LEFT JOIN comments c ON c.doc_id = s.doc_id AND c.position = s.comment
                 WHERE s.doc_id IN (SELECT d.id FROM documents d WHERE {in_range})
                 ORDER BY s.doc_id, s.comment, s.entity_id"
            ))
            .map_err(|e| self.err(e))?;
        snap.stances = stmt
            .query_map(p, |r| {
                let doc_id: String = r.get(0)?;
                let comment = r.get::<_, i64>(1)? as usize;
                let entity_id: String = r.get(3)?;
                let implicit: bool = r.get(12)?;
                let text: Option<String> = r.get(14)?;
                let mention = first
                    .get(&(doc_id.as_str(), comment, entity_id.as_str()))
                    .filter(|_| !implicit)
                    .map(|&(_, s, e)| (s, e));
                Ok(StanceRecord {
                    comment_id: evidence::comment_id(r.get::<_, Option<String>>(13)?.as_deref(), &doc_id, comment),
                    quote: evidence::quote(text.as_deref().unwrap_or(""), mention),
                    doc_id,
                    comment,
                    author: r.get(2)?,
                    entity_id,
                    entity: r.get(4)?,
                    entity_type: EntityType::parse(&r.get::<_, String>(5)?).unwrap_or(EntityType::Misc),
                    stance: Stance::parse(&r.get::<_, String>(6)?).unwrap_or(Stance::Neutral),
                    confidence: rounded(r.get(7)?),
                    probabilities: [rounded(r.get(8)?), rounded(r.get(9)?), rounded(r.get(10)?)],
                    model: r.get(11)?,
                    implicit,
                    unsure: false,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(snap)
    }
}

// ---------------------------------------------------------------- recover --

/// What [`recover`] did.
#[derive(Debug, Clone)]
pub struct Recovered {
    /// Where the damaged file was moved; `None` when the store was healthy
    /// and left as it was.
    pub damaged: Option<PathBuf>,
    /// Per table: rows copied, and rows lost (`None`: unknown, the table's
    /// row count could not be read either).
    pub tables: BTreeMap<String, TableRecovery>,
    /// Row ranges or tables that could not be read.
    pub lost: Vec<String>,
}

/// Rows kept and lost of one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableRecovery {
    pub kept: usize,
    pub lost: Option<usize>,
}

/// Rowids probed one at a time past the last one read, when the table's
/// highest rowid can't be read either.
const PROBE_PAST_LAST: i64 = 100_000;

/// Checks the store (`PRAGMA integrity_check`): a healthy one is left as it
/// is; a file without SQLite's header is refused untouched. For a damaged
/// one, every row that can still be read is copied into a new store beside
/// it (`<store>.recovering`): table by table, in rowid batches, and row by
/// row where a page is unreadable. Only then is the damaged store moved
/// aside (`<store>.damaged-<time>`, with its `-wal` and `-shm` files) and the
/// new one put in its place, so a recover killed midway leaves the damaged
/// store where it was, and the next recover starts again. Derived tables
/// (mentions, stances, entities) are rebuilt by the next run; lost
/// documents come back when their inputs are read again, lost model output
/// is recomputed.
pub fn recover(path: &Path) -> Result<Recovered> {
    if !path.is_file() {
        return Err(StoreError::Missing { path: path.to_path_buf() });
    }
    let mut report = Recovered { damaged: None, tables: BTreeMap::new(), lost: Vec::new() };
    if is_healthy(path) {
        return Ok(report);
    }
    if !has_sqlite_header(path) {
        return Err(StoreError::NotAStore { path: path.to_path_buf() });
    }
    let io = |source| StoreError::Lock { path: path.to_path_buf(), source };
    // What a recover killed before its swap left.
    let recovering = with_suffix(path, ".recovering");
    remove(&recovering)?;
    let fresh = Store::open(&recovering)?;
    copy_readable_rows(path, &fresh, &mut report);
    drop(fresh);
    crate::pause_point("recover-swap");
    let damaged = with_suffix(path, &format!(".damaged-{}", now_utc().replace(':', "")));
    for suffix in ["", "-wal", "-shm"] {
        let from = with_suffix(path, suffix);
        if suffix.is_empty() || from.exists() {
            fs::rename(&from, with_suffix(&damaged, suffix)).map_err(io)?;
        }
    }
    fs::rename(&recovering, path).map_err(io)?;
    report.damaged = Some(damaged);
    Ok(report)
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether the file starts with SQLite's 16-byte header string.
fn has_sqlite_header(path: &Path) -> bool {
    let mut head = [0u8; 16];
    fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
        && &head == b"SQLite format 3\0"
}

/// Copies every row of the damaged store at `damaged` that can still be
/// read into `fresh`, noting in `report` what was kept and lost.
fn copy_readable_rows(damaged: &Path, fresh: &Store, report: &mut Recovered) {
    // Where the table list itself is unreadable (a truncated file), the rows
    // are read from a copy whose first page lists the tables still found.
    let mut source = damaged.to_path_buf();
    if !schema_readable(damaged) {
        match schema_patched_copy(damaged) {
            Some(copy) => {
                report.lost.push("the table list (it was rebuilt from the entries still readable)".into());
                source = copy;
            }
            None => report.lost.push("the table list: no table could be found".into()),
        }
    }
    let old = match Connection::open_with_flags(&source, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => {
            report.lost.push(format!("the whole file: {e}"));
            return;
        }
    };
    for table in TABLES {
        if table == "meta" {
            continue;
        }
        let (kept, lost) = copy_table(&old, &fresh.conn, table);
        let before: Option<i64> = old.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).ok();
        // A table read whole lost nothing; else its row count tells, when it reads.
        let lost_rows = if lost.is_empty() { Some(0) } else { before.map(|n| (n as usize).saturating_sub(kept)) };
        report.tables.insert(table.to_string(), TableRecovery { kept, lost: lost_rows });
        report.lost.extend(lost);
    }
    drop(old);
    if source != damaged {
        let _ = fs::remove_file(&source);
    }
}

/// Whether the schema (`sqlite_master`) of the store at `path` reads whole.
fn schema_readable(path: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else { return false };
    let names: rusqlite::Result<Vec<String>> =
        conn.prepare("SELECT name FROM sqlite_master").and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    names.is_ok()
}

/// A copy of a store whose schema is unreadable, with a new first page
/// listing the store's tables whose `sqlite_master` rows can still be read
/// one at a time (the indexes are left out; the copy is only read). The
/// page is built by SQLite in a scratch database of the same page size.
/// `None` when no table row is readable or the list does not fit one page.
fn schema_patched_copy(damaged: &Path) -> Option<PathBuf> {
    let mut bytes = fs::read(damaged).ok()?;
    let page_size = match u16::from_be_bytes([*bytes.get(16)?, *bytes.get(17)?]) {
        1 => 65536,
        n => n as usize,
    };
    if bytes.len() < page_size {
        return None;
    }
    let old = Connection::open_with_flags(damaged, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    old.execute_batch("PRAGMA writable_schema = ON").ok()?;
    let mut rows: Vec<(String, String, i64, String)> = Vec::new();
    for rowid in 1..=256 {
        let row = old.query_row(
            "SELECT name, tbl_name, rootpage, sql FROM sqlite_master WHERE rowid = ?1 AND type = 'table'",
            [rowid],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?)),
        );
        if let Ok(row) = row {
            if TABLES.contains(&row.0.as_str()) {
                rows.push(row);
            }
        }
    }
    drop(old);
    if rows.is_empty() {
        return None;
    }
    let scratch = PathBuf::from(format!("{}.schema-scratch", damaged.display()));
    let _ = fs::remove_file(&scratch);
    let built = (|| -> rusqlite::Result<()> {
        let t = Connection::open(&scratch)?;
        t.execute_batch(&format!(
            "PRAGMA page_size = {page_size}; PRAGMA journal_mode = DELETE; PRAGMA writable_schema = ON;"
        ))?;
        for (name, tbl, root, sql) in &rows {
            t.execute(
                "INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) VALUES ('table', ?1, ?2, ?3, ?4)",
                params![name, tbl, root, sql],
            )?;
        }
        Ok(())
    })();
    let first = fs::read(&scratch).ok().filter(|f| built.is_ok() && f.len() == page_size);
    let _ = fs::remove_file(&scratch);
    let first = first?;
    // The damaged header, with the new page's cells; rollback journal mode,
    // no freelist, the page count of what is left of the file.
    bytes[100..page_size].copy_from_slice(&first[100..page_size]);
    bytes[18] = 1;
    bytes[19] = 1;
    let pages = (bytes.len() / page_size) as u32;
    bytes[28..32].copy_from_slice(&pages.to_be_bytes());
    bytes[32..40].fill(0);
    bytes[40..44].copy_from_slice(&first[40..44]);
    let copy = PathBuf::from(format!("{}.schema-patched", damaged.display()));
    fs::write(&copy, &bytes).ok()?;
    Some(copy)
}

/// Whether the store opens and passes `PRAGMA integrity_check`.
fn is_healthy(path: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE) else { return false };
    let rows: rusqlite::Result<Vec<String>> =
        conn.prepare("PRAGMA integrity_check").and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect());
    matches!(rows.as_deref(), Ok([ok]) if ok == "ok")
}

/// Copies the readable rows of one table: in rowid batches while the pages
/// read, then row by row (each rowid looked up alone, which reads only the
/// pages on its own path) from the first batch that fails to the table's
/// highest rowid. Returns the rows copied and the rowid ranges lost.
fn copy_table(old: &Connection, new: &Connection, table: &str) -> (usize, Vec<String>) {
    let columns: Vec<String> = match new.prepare(&format!("SELECT * FROM {table} LIMIT 0")) {
        Ok(s) => s.column_names().iter().map(|c| format!("\"{c}\"")).collect(),
        Err(e) => return (0, vec![format!("{table}: {e}")]),
    };
    // A store of an earlier build may lack a column added since.
    let present: Option<Vec<String>> = old
        .prepare(&format!("SELECT * FROM {table} LIMIT 0"))
        .ok()
        .map(|s| s.column_names().iter().map(|c| format!("\"{c}\"")).collect());
    let Some(present) = present else { return (0, vec![format!("{table}: the table can't be read")]) };
    let columns: Vec<String> = columns.into_iter().filter(|c| present.contains(c)).collect();
    let list = columns.join(", ");
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let insert = format!("INSERT OR IGNORE INTO {table}({list}) VALUES ({})", marks.join(", "));
    let batch_sql = format!("SELECT rowid, {list} FROM {table} WHERE rowid > ?1 ORDER BY rowid LIMIT 1000");
    let one_sql = format!("SELECT rowid, {list} FROM {table} WHERE rowid = ?1");
    let read = |sql: &str, at: i64| -> rusqlite::Result<Vec<(i64, Vec<rusqlite::types::Value>)>> {
        let mut stmt = old.prepare_cached(sql)?;
        let rows = stmt.query_map([at], |r| {
            let vals = (1..=columns.len()).map(|i| r.get(i)).collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((r.get(0)?, vals))
        })?;
        rows.collect()
    };
    let mut copied = 0;
    let mut copy = |vals: Vec<rusqlite::types::Value>| {
        copied += new.execute(&insert, rusqlite::params_from_iter(vals)).is_ok() as usize;
    };
    let _ = new.execute_batch("BEGIN");
    let mut after: i64 = 0;
    let mut failed = false;
    loop {
        match read(&batch_sql, after) {
            Ok(rows) if rows.is_empty() => break,
            Ok(rows) => {
                for (id, vals) in rows {
                    after = id;
                    copy(vals);
                }
            }
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    let mut lost = Vec::new();
    if failed {
        let highest: Option<i64> = old.query_row(&format!("SELECT max(rowid) FROM {table}"), [], |r| r.get(0)).ok();
        let mut last_read = after;
        let mut bad: Option<(i64, i64)> = None;
        let mut rowid = after;
        while rowid < highest.unwrap_or(last_read + PROBE_PAST_LAST) {
            rowid += 1;
            match read(&one_sql, rowid) {
                Ok(rows) => {
                    for (_, vals) in rows {
                        copy(vals);
                        last_read = rowid;
                    }
                    if let Some((a, b)) = bad.take() {
                        lost.push(format!("{table}: rowids {a}..={b} unreadable"));
                    }
                }
                Err(_) => bad = Some((bad.map_or(rowid, |(a, _)| a), rowid)),
            }
        }
        match bad {
            Some((a, b)) if highest.is_some() => lost.push(format!("{table}: rowids {a}..={b} unreadable")),
            _ => {}
        }
        if highest.is_none() {
            lost.push(format!("{table}: the highest rowid is unreadable; rows after rowid {last_read} may be lost"));
        }
    }
    let _ = new.execute_batch("COMMIT");
    (copied, lost)
}

// ---------------------------------------------------------------- helpers --

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
