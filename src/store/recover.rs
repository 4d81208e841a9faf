//! `stancegraph recover`: a damaged store's readable rows are copied into a
//! new store built beside it, which then takes its place; the damaged file
//! is kept. A healthy store is left as it is. Rows are copied through
//! SQLite where it can reach them, then read from the file's pages
//! ([`super::pages`]) where it can't: a row found on a page is given to the
//! table whose B-tree holds the page, or, for a page no readable B-tree
//! reaches, to the one damaged table whose columns its rows fit.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{params, Connection, OpenFlags};

use super::pages::{PageFile, PageRow};
use super::schema::ADDED_COLUMNS;
use super::{document_hash, remove, with_suffix, Result, Store, StoreError, TABLES};
use crate::corpus::{Comment, Document};
use crate::dates::now_utc;

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
    /// Of `kept`, the rows read from the file's pages where SQLite could
    /// not reach them.
    pub from_pages: usize,
}

/// Rowids probed one at a time past the last one read, when the table's
/// highest rowid can't be read either.
const PROBE_PAST_LAST: i64 = 100_000;

/// Checks the store (`PRAGMA integrity_check`): a healthy one is left as it
/// is; a file without SQLite's header is refused untouched. For a damaged
/// one, every row that can still be read is copied into a new store beside
/// it (`<store>.recovering`): table by table, in rowid batches, and row by
/// row where a page is unreadable; then the rows SQLite could not reach are
/// read from the file's pages ([`salvage_pages`]). Only then is the damaged store moved
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
    // Without SQLite's header (page 1 overwritten) a file is a store when its
    // pages hold rows of the store's tables.
    if !has_sqlite_header(path) && !has_store_rows(path) {
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
        match has_sqlite_header(damaged).then(|| schema_patched_copy(damaged)).flatten() {
            Some(copy) => {
                report.lost.push("the table list (it was rebuilt from the entries still readable)".into());
                source = copy;
            }
            None => report.lost.push("the table list: no table could be found".into()),
        }
    }
    // Row counts before, where SQLite can still count them.
    let mut before: BTreeMap<&str, Option<usize>> = BTreeMap::new();
    match Connection::open_with_flags(&source, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(old) => {
            for table in TABLES.into_iter().filter(|t| *t != "meta") {
                let (kept, lost) = copy_table(&old, &fresh.conn, table);
                let count: Option<i64> = old.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).ok();
                // A table read whole lost nothing; else its row count tells, when it reads.
                before.insert(table, if lost.is_empty() { Some(kept) } else { count.map(|n| n as usize) });
                report.tables.insert(table.to_string(), TableRecovery { kept, ..TableRecovery::default() });
                report.lost.extend(lost);
            }
        }
        Err(e) => report.lost.push(format!("the whole file through SQLite: {e}")),
    }
    if source != damaged {
        let _ = fs::remove_file(&source);
    }
    let whole: BTreeSet<&str> =
        before.iter().filter(|(t, n)| **n == Some(report.tables[**t].kept)).map(|(t, _)| *t).collect();
    salvage_pages(damaged, &fresh.conn, &whole, report);
    drop_comments_without_document(&fresh.conn, report);
    if report.tables.get("comments").is_some_and(|t| t.from_pages > 0)
        || before.get("comments") != Some(&Some(report.tables["comments"].kept))
    {
        mark_documents_missing_comments(&fresh.conn, report);
    }
    for (table, t) in report.tables.iter_mut() {
        t.lost = before.get(table.as_str()).copied().flatten().map(|n| n.saturating_sub(t.kept));
        if t.lost == Some(0) {
            // What SQLite could not read, the pages gave back.
            report.lost.retain(|note| !note.starts_with(&format!("{table}: ")));
        }
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
    // Rows keep their rowids, so the page salvage that follows knows them.
    let insert =
        format!("INSERT OR IGNORE INTO {table}(rowid, {list}) VALUES (?{}, {})", columns.len() + 1, marks.join(", "));
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
    let mut copy = |rowid: i64, mut vals: Vec<rusqlite::types::Value>| {
        vals.push(Value::Integer(rowid));
        copied += new.execute(&insert, rusqlite::params_from_iter(vals)).is_ok_and(|n| n == 1) as usize;
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
                    copy(id, vals);
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
                    for (id, vals) in rows {
                        copy(id, vals);
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

// ------------------------------------------------------------ page salvage --

/// A table of the new store as the page salvage sees it.
struct TableShape {
    name: String,
    columns: Vec<ColumnShape>,
    /// Fewest columns a row may have: a store of an earlier build lacks
    /// the columns added since ([`ADDED_COLUMNS`]).
    min_columns: usize,
}

struct ColumnShape {
    name: String,
    /// The declared type: INTEGER, REAL, TEXT or BLOB.
    kind: String,
    not_null: bool,
    /// `INTEGER PRIMARY KEY`: the rowid itself, stored as NULL in a row.
    is_rowid: bool,
}

impl TableShape {
    /// Whether a row of `values` can be a row of this table: as many
    /// columns, each value of the column's type, no NULL where the table
    /// forbids one.
    fn fits(&self, values: &[Value]) -> bool {
        if values.len() < self.min_columns || values.len() > self.columns.len() {
            return false;
        }
        values.iter().zip(&self.columns).all(|(v, c)| match v {
            Value::Null => c.is_rowid || !c.not_null,
            _ if c.is_rowid => false,
            Value::Integer(_) => c.kind == "INTEGER" || c.kind == "REAL",
            Value::Real(_) => c.kind == "REAL",
            Value::Text(_) => c.kind == "TEXT",
            Value::Blob(_) => c.kind == "BLOB",
        })
    }

    fn is_recovered(&self) -> bool {
        self.name != "meta" && TABLES.contains(&self.name.as_str())
    }
}

/// The shapes of every table of the store at `conn`.
fn table_shapes(conn: &Connection) -> rusqlite::Result<Vec<TableShape>> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut shapes = Vec::new();
    for name in names {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({name})"))?;
        let info: Vec<(String, String, bool, i64)> = stmt
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let keys = info.iter().filter(|c| c.3 > 0).count();
        let columns: Vec<ColumnShape> = info
            .into_iter()
            .map(|(column, kind, not_null, pk)| {
                let kind = kind.split_whitespace().next().unwrap_or("BLOB").to_ascii_uppercase();
                ColumnShape { is_rowid: pk == 1 && keys == 1 && kind == "INTEGER", name: column, kind, not_null }
            })
            .collect();
        let added = ADDED_COLUMNS.iter().filter(|(t, _, _)| *t == name).count();
        shapes.push(TableShape { min_columns: columns.len() - added, name, columns });
    }
    Ok(shapes)
}

/// Which rows of the file's pages go to which table.
#[derive(Default)]
struct PagePlan {
    /// Per table: rows of the pages its B-tree reaches, then rows of pages
    /// no B-tree reaches whose rows fit it alone.
    rows: BTreeMap<String, (Vec<PageRow>, Vec<PageRow>)>,
    /// Per table: cells of its pages that did not decode.
    broken: BTreeMap<String, usize>,
    /// Unreached pages whose rows fit more than one damaged table.
    ambiguous: usize,
}

/// Reads the file's table pages and gives each row a table: the pages a
/// table's B-tree reaches (from the table list, when page 1 reads) are
/// that table's; a page no B-tree reaches and not on the free list goes
/// to the one table whose shape all its rows fit, when that table is
/// `open` (not read whole: its B-tree is damaged, or unknown).
fn plan_pages(file: &PageFile, shapes: &[TableShape], whole: &BTreeSet<&str>) -> PagePlan {
    let mut plan = PagePlan::default();
    let mut claimed: HashSet<u32> = file.free_pages().unwrap_or_default();
    claimed.insert(1);
    let mut open: BTreeSet<&str> = shapes
        .iter()
        .filter(|s| s.is_recovered() && !whole.contains(s.name.as_str()))
        .map(|s| s.name.as_str())
        .collect();
    if let Some((entries, schema_walk)) = file.schema() {
        claimed.extend(schema_walk.reached);
        for entry in entries.iter().filter(|e| e.kind == "table") {
            let walk = file.walk(entry.root);
            claimed.extend(&walk.reached);
            if !shapes.iter().any(|s| s.name == entry.name && s.is_recovered()) {
                continue;
            }
            if walk.complete {
                open.remove(entry.name.as_str());
            }
            for leaf in walk.leaves.iter().filter_map(|&n| file.leaf_rows(n)) {
                plan.rows.entry(entry.name.clone()).or_default().0.extend(leaf.rows);
                *plan.broken.entry(entry.name.clone()).or_default() += leaf.broken;
            }
        }
    }
    for n in file.table_leaves().into_iter().filter(|n| !claimed.contains(n)) {
        let Some(leaf) = file.leaf_rows(n).filter(|l| !l.rows.is_empty()) else { continue };
        let fitting: Vec<&str> =
            shapes.iter().filter(|s| leaf.rows.iter().all(|r| s.fits(&r.values))).map(|s| s.name.as_str()).collect();
        match fitting[..] {
            [one] if open.contains(one) => {
                plan.rows.entry(one.to_string()).or_default().1.extend(leaf.rows);
                *plan.broken.entry(one.to_string()).or_default() += leaf.broken;
            }
            [_, _, ..] if fitting.iter().any(|t| open.contains(t)) => plan.ambiguous += 1,
            _ => {} // another table's page, or none's
        }
    }
    plan
}

/// Whether a file without SQLite's header holds pages of the store's tables.
fn has_store_rows(path: &Path) -> bool {
    let Ok(file) = PageFile::read(path) else { return false };
    let Ok(scratch) = Store::open(Path::new(":memory:")) else { return false };
    let Ok(shapes) = table_shapes(&scratch.conn) else { return false };
    plan_pages(&file, &shapes, &BTreeSet::new())
        .rows
        .values()
        .any(|(reached, unreached)| !reached.is_empty() || !unreached.is_empty())
}

/// Adds to `fresh` the rows SQLite could not reach, read from the damaged
/// file's pages, with their rowids (a rowid already copied is skipped).
/// Each row goes in as a normal insert would put it, so a row that breaks
/// a constraint is not kept; where two rows claim one key, the first kept
/// wins: rows of pages the table's B-tree reaches, then those of unreached
/// pages from the highest rowid down (an updated document is stored anew
/// under a higher rowid, so its newest copy comes first).
fn salvage_pages(damaged: &Path, fresh: &Connection, whole: &BTreeSet<&str>, report: &mut Recovered) {
    let file = match PageFile::read(damaged) {
        Ok(f) => f,
        Err(e) => return report.lost.push(format!("the file's pages: {e}")),
    };
    let shapes = match table_shapes(fresh) {
        Ok(s) => s,
        Err(e) => return report.lost.push(format!("the new store's tables: {e}")),
    };
    let mut plan = plan_pages(&file, &shapes, whole);
    if plan.ambiguous > 0 {
        report.lost.push(format!("{} pages whose rows fit more than one table", plan.ambiguous));
    }
    for shape in shapes.iter().filter(|s| s.is_recovered()) {
        let Some((reached, mut unreached)) = plan.rows.remove(&shape.name) else { continue };
        unreached.sort_by_key(|r| std::cmp::Reverse(r.rowid));
        // Older copies of kept rows (pages an update freed) are not losses.
        let (added, rejected, _older_copies) = insert_rows(fresh, shape, reached.into_iter().chain(unreached));
        let rejected = rejected + plan.broken.get(&shape.name).copied().unwrap_or(0);
        let t = report.tables.entry(shape.name.clone()).or_default();
        t.kept += added;
        t.from_pages += added;
        if rejected > 0 {
            report.lost.push(format!("{}: {rejected} rows on its damaged pages", shape.name));
        }
    }
}

/// Inserts `rows` into the table of `shape`; returns the rows added, those
/// that break its shape or a constraint, and those whose key a row
/// already kept holds.
fn insert_rows(conn: &Connection, shape: &TableShape, rows: impl Iterator<Item = PageRow>) -> (usize, usize, usize) {
    let (mut added, mut rejected, mut copies) = (0, 0, 0);
    let table = &shape.name;
    let _ = conn.execute_batch("BEGIN");
    for row in rows {
        if !shape.fits(&row.values) {
            rejected += 1;
            continue;
        }
        let known = conn.query_row(&format!("SELECT 1 FROM {table} WHERE rowid = ?1"), [row.rowid], |_| Ok(()));
        if known.is_ok() {
            continue;
        }
        let columns = &shape.columns[..row.values.len()];
        let list: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let marks: Vec<String> = (1..=columns.len() + 1).map(|i| format!("?{i}")).collect();
        let sql = format!("INSERT INTO {table}({}, rowid) VALUES ({})", list.join(", "), marks.join(", "));
        let mut values: Vec<Value> = row
            .values
            .into_iter()
            .zip(columns)
            .map(|(v, c)| if c.is_rowid { Value::Integer(row.rowid) } else { v })
            .collect();
        values.push(Value::Integer(row.rowid));
        match conn.prepare_cached(&sql).and_then(|mut s| s.execute(rusqlite::params_from_iter(values))) {
            Ok(_) => added += 1,
            Err(e) if is_key_conflict(&e) => copies += 1,
            Err(_) => rejected += 1,
        }
    }
    let _ = conn.execute_batch("COMMIT");
    (added, rejected, copies)
}

/// A UNIQUE or PRIMARY KEY constraint failed.
fn is_key_conflict(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error().map(|x| x.extended_code),
        Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) | Some(rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    )
}

/// A comment whose document was lost is dropped (counted lost): the store
/// keeps a document's comments with it, and the document's next delivery
/// stores them again.
fn drop_comments_without_document(conn: &Connection, report: &mut Recovered) {
    let dropped = conn.execute("DELETE FROM comments WHERE doc_id NOT IN (SELECT id FROM documents)", []).unwrap_or(0);
    if dropped > 0 {
        if let Some(t) = report.tables.get_mut("comments") {
            t.kept -= dropped.min(t.kept);
        }
        report.lost.push(format!("the documents of {dropped} comments (those comments were left out)"));
    }
}

/// A document kept without all its comments would stay so: its content
/// hash covers its comments, and the next delivery of the same document
/// would be "unchanged". Its hash is cleared instead, so that delivery
/// stores it whole.
fn mark_documents_missing_comments(conn: &Connection, report: &mut Recovered) {
    let marked = (|| -> rusqlite::Result<usize> {
        let docs: Vec<(String, String, Option<String>, Option<String>, String)> = conn
            .prepare("SELECT id, content_hash, date, title, text FROM documents")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut comments = conn.prepare(
            "SELECT comment_id, author, parent, text, date FROM comments WHERE doc_id = ?1 ORDER BY position",
        )?;
        let mut marked = 0;
        for (id, hash, date, title, text) in docs {
            let comments: Vec<Comment> = comments
                .query_map([&id], |r| {
                    let parent: Option<i64> = r.get(2)?;
                    Ok(Comment {
                        id: r.get(0)?,
                        author: r.get(1)?,
                        parent: parent.map(|p| p as usize),
                        text: r.get(3)?,
                        date: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let doc = Document { id, path: PathBuf::new(), date, title, text, comments };
            if document_hash(&doc) != hash {
                marked += conn.execute("UPDATE documents SET content_hash = '' WHERE id = ?1", [&doc.id])?;
            }
        }
        Ok(marked)
    })();
    match marked {
        Ok(0) => {}
        Ok(n) => report.lost.push(format!("all comments of {n} documents (their next delivery stores them whole)")),
        Err(e) => report.lost.push(format!("the comments of the documents kept: {e}")),
    }
}
