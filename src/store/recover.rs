//! `stancegraph recover`: a damaged store's readable rows are copied into a
//! new store built beside it, which then takes its place; the damaged file
//! is kept. A healthy store is left as it is.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};

use super::{remove, with_suffix, Result, Store, StoreError, TABLES};
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
