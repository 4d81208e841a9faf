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
