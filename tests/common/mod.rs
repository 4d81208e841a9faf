//! Helpers shared by the integration tests (each test file that needs them
//! says `mod common;`): where the checkout is, the shared data folder
//! that CI always has and a user's machine may not, and an export set read
//! for comparison.
#![allow(dead_code)] // each test file uses its own subset

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/REL`, or `None` with a note saying the check is skipped.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = root().join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} is absent; this check is skipped (CI has ../shared)", p.display());
        None
    }
}

/// The files of one export set in `dir` ([`stancegraph::export::FILES`]),
/// without run metadata, for comparing two sets: summary.json and
/// report.html are left out, and the GEXF files' `<meta>` lines (date,
/// description) are dropped.
pub fn comparable_export_set(dir: &Path) -> BTreeMap<String, String> {
    stancegraph::export::FILES
        .iter()
        .filter(|f| !matches!(**f, "summary.json" | "report.html"))
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            let text = if f.ends_with(".gexf") {
                text.lines()
                    .filter(|l| !l.contains("lastmodifieddate") && !l.contains("<description>"))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                text
            };
            (f.to_string(), text)
        })
        .collect()
}

/// The store's records, without run ids and times, table by table.
pub fn store_rows(db: &Path) -> BTreeMap<&'static str, Vec<String>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let queries = [
        ("documents", "SELECT id, content_hash, date, title, text_hash FROM documents ORDER BY id"),
        ("comments", "SELECT doc_id, position, author, text_hash FROM comments ORDER BY doc_id, position"),
        ("ner_spans", "SELECT text_hash, model, spans FROM ner_spans ORDER BY text_hash"),
        (
            "stance_decisions",
            "SELECT input_hash, model, stance, round(p_against, 3), round(p_favour, 3) FROM stance_decisions ORDER BY input_hash",
        ),
        ("mentions", "SELECT doc_id, comment, start, \"end\", text, entity_id, linked_by FROM mentions ORDER BY 1, 2, 3, 4, 6"),
        ("stances", "SELECT doc_id, comment, entity_id, stance, round(confidence, 3), input_hash FROM stances ORDER BY 1, 2, 3"),
        ("entities", "SELECT id, label, type, mentions FROM entities ORDER BY id"),
        ("entity_aliases", "SELECT entity_id, alias FROM entity_aliases ORDER BY 1, 2"),
        ("entity_keys", "SELECT key, entity_id FROM entity_keys ORDER BY key"),
    ];
    queries.iter().map(|(name, sql)| (*name, rows_as_text(&conn, sql))).collect()
}

/// Every row `sql` selects, its columns as text joined by `|`.
pub fn rows_as_text<C: FromIterator<String>>(conn: &rusqlite::Connection, sql: &str) -> C {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            Ok((0..n)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows
}

/// Waits until a run started with `STANCEGRAPH_PAUSE_AT` has written its pause file `flag`;
/// fails naming `what` if the child ends first or `limit_secs` pass.
pub fn wait_until_paused(child: &mut std::process::Child, flag: &Path, limit_secs: u64, what: &str) {
    let start = std::time::Instant::now();
    while !flag.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before reaching {what}");
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(limit_secs), "never reached {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
