//! Helpers shared by the integration tests (each test file that needs them
//! says `mod common;`): where the checkout is, and the shared data folder
//! that CI always has and a user's machine may not.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;

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
