//! stancegraph: per-comment stance toward the people, countries and
//! organisations a news corpus talks about, exported as a Gephi graph.
//!
//! The pipeline is a chain of stages, each in its own module, each taking the
//! previous stage's typed records and producing its own:
//!
//! `corpus` (files → [`corpus::Document`]) → `ner` (text → [`ner::EntitySpan`])
//! → `link` (spans → canonical [`link::Entity`] + [`link::Mention`]) → `stance`
//! (comment × entity → [`stance::StanceRecord`]) → `graph` (records → nodes and
//! edges) → `export` (graph and records → files). `pipeline` wires them
//! together; `eval` measures the model stages on gold data.

pub mod corpus;
pub mod encoder;
pub mod eval;
pub mod export;
pub mod graph;
pub mod link;
pub mod ner;
pub mod pipeline;
pub mod stance;

use std::path::PathBuf;

/// The folder that holds the shipped models (`ner/`, `stance/`), first found of:
/// `$STANCEGRAPH_MODELS` when set; `../share/stancegraph/models` from the
/// binary's folder (a binary installed by `make install`); `models/` beside
/// the binary; `models/` of the checkout the binary was built in (the in-tree
/// `target/release/stancegraph`); else `./models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STANCEGRAPH_MODELS") {
        return PathBuf::from(dir);
    }
    // current_exe resolves symlinks, so a link in /usr/local/bin to an
    // installed binary still finds the prefix the binary lives in.
    if let Some(bin) = std::env::current_exe().ok().and_then(|p| p.parent().map(PathBuf::from)) {
        if let Some(prefix) = bin.parent() {
            let installed = prefix.join("share/stancegraph/models");
            if installed.is_dir() {
                return installed;
            }
        }
        let beside = bin.join("models");
        if beside.is_dir() {
            return beside;
        }
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    if built.is_dir() {
        return built;
    }
    PathBuf::from("models")
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}
