//! stancegraph: per-comment stance toward the people, countries and
//! organisations a news corpus talks about, exported as a Gephi graph.
//!
//! The pipeline is a chain of stages, each in its own module, each taking the
//! previous stage's typed records and producing its own:
//!
//! `corpus` (files → [`corpus::Document`]) → `ner` (text → [`ner::EntitySpan`])
//! → `link` (spans → canonical [`link::Entity`] + [`link::Mention`]) → `stance`
//! (comment × entity → [`stance::StanceRecord`]) → `graph` (records → nodes and
//! edges) → `export` (graph and records → files; `report` writes the
//! `report.html` page among them, with the commenter camps of `camps`;
//! `pair_graphs` links commenters by agreement and entities by co-mention
//! for the two GEXF files beside the graph). `store` keeps every
//! record between runs (SQLite: what was processed, model output, entity
//! ids), so a run only does what is new; `outputs` swaps each run's export
//! set into the output folder as a whole. `pipeline` wires them together;
//! `eval` measures the model stages on gold data.
//! `evidence` quotes the comment behind each stance record (and names it) so
//! every number of the exports can be checked against the comments.
//! `runtime` opens model folders for the model stages (checkpoints, devices,
//! threads, batching, the allocator); `mpnet` is an MPNet encoder (which
//! rust-bert lacks) for the next bases.

pub mod camps;
pub mod corpus;
pub mod dates;
pub mod eval;
pub mod evidence;
pub mod export;
pub mod graph;
pub mod hashes;
pub mod link;
pub mod manifest;
pub mod mpnet;
pub mod ner;
pub mod outputs;
pub mod pair_graphs;
pub mod pipeline;
pub mod quantized;
pub mod report;
pub mod runtime;
pub mod stance;
pub mod store;

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

/// A log line's text with every character that could forge or reorder a
/// line written as `\u{..}`: control characters (a newline in a file name
/// must not start a line of its own), line separators and the bidirectional
/// controls (U+202E would show a name reversed).
pub fn escape_log(text: &str) -> String {
    let hidden = |c: char| {
        c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') || export::labels::bidi_control(c)
    };
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    text.chars().map(|c| if hidden(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect()
}

/// A test hook for the crash tests: when `$STANCEGRAPH_PAUSE_AT` names this
/// point, the process creates the file `$STANCEGRAPH_PAUSE_FILE` and waits
/// there forever, so a test can `kill -9` it at a known moment; with
/// `$STANCEGRAPH_PAUSE_AFTER=N`, at the point's Nth visit (default the first).
/// The points: `ner-batch` (after a NER batch is kept), `ner-chunk` (after a
/// NER chunk is committed), `stance-chunk`, `commit` (inside the transaction
/// that swaps the linking in), `export` (halfway through writing the export
/// set).
pub(crate) fn pause_point(name: &str) {
    static VISITS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if std::env::var("STANCEGRAPH_PAUSE_AT").is_ok_and(|v| v == name) {
        let visit = VISITS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let wanted = std::env::var("STANCEGRAPH_PAUSE_AFTER").ok().and_then(|n| n.parse().ok()).unwrap_or(1);
        if visit < wanted {
            return;
        }
        if let Some(file) = std::env::var_os("STANCEGRAPH_PAUSE_FILE") {
            let _ = std::fs::write(file, name);
        }
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}
