//! `recover` reads rows from the file's pages where SQLite can't reach them
//! (issue 27, item 1): a table whose B-tree root page is overwritten, a
//! store whose page 1 (header and table list) is overwritten, a store cut to
//! half. Every row kept is one of the original rows, and a healthy store is
//! left exactly as it was.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::root;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn stancegraph(args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(root());
    if args[0] == "run" {
        c.args(["--threads", "2"]);
    }
    c.output().expect("run stancegraph")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// 40 JSONL documents of about 1,000 characters with two comments each:
/// the documents table spans several pages under an interior root page.
fn corpus(path: &Path) {
    let people = ["Angela Merkel", "Emmanuel Macron", "Justin Trudeau", "Joe Biden"];
    let countries = ["Canada", "Mexico", "France", "Germany", "India"];
    let mut lines = String::new();
    for i in 0..40 {
        let (who, place) = (people[i % 4], countries[i % 5]);
        let text = format!("Report {i}. {who} met officials from {place} on Tuesday to discuss trade. ").repeat(12);
        let comments: Vec<serde_json::Value> = (0..2)
            .map(|j| serde_json::json!({"author": format!("user{j}"), "text": format!("Comment {j} of {i}: {who} is right about {place}.")}))
            .collect();
        let doc = serde_json::json!({"id": format!("doc-{i:03}"), "date": format!("2024-05-{:02}", 1 + i % 28),
            "text": text, "comments": comments});
        lines += &format!("{doc}\n");
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, lines).unwrap();
}

/// Every row of `table` (rowid left out), as text.
fn rows(db: &Path, table: &str) -> BTreeSet<String> {
    columns(db, table, "*")
}

/// `columns` of every row of `table`, as text.
fn columns(db: &Path, table: &str, columns: &str) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    common::rows_as_text(&conn, &format!("SELECT {columns} FROM {table}"))
}

/// A copy of the store `bytes` at `dir/stancegraph.db`, recovered; the
/// recover's stderr.
fn recover_copy(dir: &Path, bytes: &[u8]) -> (PathBuf, String) {
    std::fs::create_dir_all(dir).unwrap();
    let db = dir.join("stancegraph.db");
    std::fs::write(&db, bytes).unwrap();
    let o = stancegraph(&["recover", p(&db)]);
    let said = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{said}");
    (db, said)
}

/// Rows the recover said it kept of `table` ("documents 40 kept ...").
fn said_kept(said: &str, table: &str) -> usize {
    let after = [format!("({table} "), format!("; {table} ")]
        .iter()
        .find_map(|start| said.split(start.as_str()).nth(1))
        .unwrap_or_else(|| panic!("{table} in: {said}"));
    after.split(' ').next().unwrap().parse().unwrap()
}

fn scramble(bytes: &mut [u8], seed: u32) {
    let mut x = seed | 1;
    for b in bytes {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
}

#[test]
fn recover_reads_rows_from_pages_sqlite_cannot_reach() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.jsonl");
    corpus(&input);
    let out = dir.path().join("out");
    let o = stancegraph(&["run", p(&input), "--out", p(&out), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db = out.join("stancegraph.db");
    let pristine = std::fs::read(&db).unwrap();
    let tables = ["documents", "comments", "ner_spans", "mentions"];
    let original: Vec<BTreeSet<String>> = tables.iter().map(|t| rows(&db, t)).collect();
    assert_eq!(original[0].len(), 40);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let page_size: usize = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let root: usize =
        conn.query_row("SELECT rootpage FROM sqlite_master WHERE name = 'documents'", [], |r| r.get(0)).unwrap();
    let interior: u8 = pristine[(root - 1) * page_size];
    assert_eq!(interior, 0x05, "the documents table has an interior root page");
    drop(conn);

    // The healthy store: said so, nothing changed.
    let (healthy, said) = recover_copy(&dir.path().join("healthy"), &pristine);
    assert!(said.contains("healthy") && said.contains("nothing changed"), "{said}");
    assert_eq!(std::fs::read(&healthy).unwrap(), pristine);

    // The documents table's root page overwritten: SQLite reaches none of its rows, the pages all.
    let mut bytes = pristine.clone();
    scramble(&mut bytes[(root - 1) * page_size..root * page_size], 7);
    let (fixed, said) = recover_copy(&dir.path().join("root"), &bytes);
    assert!(said.contains("documents 40 kept (40 read from its pages), 0 lost"), "{said}");
    for (t, orig) in tables.iter().zip(&original) {
        assert_eq!(&rows(&fixed, t), orig, "{t}: every row kept, as it was");
    }

    // Page 1 (header and table list) overwritten.
    let mut bytes = pristine.clone();
    scramble(&mut bytes[..page_size], 11);
    let (fixed, said) = recover_copy(&dir.path().join("page1"), &bytes);
    for (t, orig) in tables.iter().zip(&original) {
        let kept = rows(&fixed, t);
        assert!(!kept.is_empty() && kept.is_subset(orig), "{t}: {} kept, all original: {said}", kept.len());
        assert_eq!(said_kept(&said, t), kept.len(), "{said}");
    }
    assert_eq!(rows(&fixed, "documents"), original[0], "every document comes back");

    // Cut to half: what lies in the first half comes back, nothing else.
    let half = &pristine[..pristine.len() / 2];
    let (fixed, said) = recover_copy(&dir.path().join("half"), half);
    // (A document kept without all its comments has its content hash cleared.)
    let fields = "id, date, text, text_hash, first_run";
    let kept = columns(&fixed, "documents", fields);
    assert!(!kept.is_empty() && kept.is_subset(&columns(&db, "documents", fields)), "{said}");
    assert_eq!(said_kept(&said, "documents"), kept.len(), "{said}");
    for (t, orig) in tables.iter().zip(&original).skip(1) {
        assert!(rows(&fixed, t).is_subset(orig), "{t}: {said}");
    }
    // A comment is kept only with its document.
    let conn = rusqlite::Connection::open(&fixed).unwrap();
    let orphans: i64 = conn
        .query_row("SELECT count(*) FROM comments WHERE doc_id NOT IN (SELECT id FROM documents)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(orphans, 0);
}
