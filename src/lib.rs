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

/// The folder that holds the shipped models (`ner/`, `stance/`):
/// `$STANCEGRAPH_MODELS` when set, else `models/` of the checkout the binary
/// was built in, else `models/` beside the binary, else `./models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STANCEGRAPH_MODELS") {
        return PathBuf::from(dir);
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    if built.is_dir() {
        return built;
    }
    if let Some(beside) = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("models"))) {
        if beside.is_dir() {
            return beside;
        }
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
