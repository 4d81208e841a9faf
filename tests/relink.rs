//! Incremental linking (docs/nightly.md, "Linking"), end to end with the
//! release binary: a night links only its documents against the kept
//! linker state and, on a night where nothing it brings changes how the
//! archive reads, gives exactly what a full relink gives; a night followed
//! by `--relink` equals a rebuild from scratch; a grown thread replaces its
//! own mentions; and the drift rule turns a night into a full relink.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{comparable_export_set, root, store_rows};

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn run(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.arg("run").args(inputs).arg("--out").arg(out);
    c.args(["--threads", "2", "--quiet", "--stance-model", "baseline"]).args(extra).current_dir(root());
    let o = c.output().expect("run stancegraph");
    assert!(o.status.success(), "exit {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
    o
}

fn work(out: &Path) -> serde_json::Value {
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    s["work"].clone()
}

/// The store's linking records and the export set, for comparing two stores.
fn linking_of(out: &Path) -> (BTreeMap<&'static str, Vec<String>>, BTreeMap<String, String>) {
    let mut rows = store_rows(&out.join("stancegraph.db"));
    rows.retain(|t, _| matches!(*t, "mentions" | "stances" | "entities" | "entity_aliases" | "entity_keys"));
    (rows, comparable_export_set(&out.join("latest")))
}

fn sample() -> PathBuf {
    root().join("examples/sample")
}

/// One JSONL file holding one thread (id sorts after the sample's ids).
fn thread(dir: &Path, name: &str, comments: &[(&str, &str)]) -> PathBuf {
    let comments: Vec<serde_json::Value> =
        comments.iter().map(|(a, t)| serde_json::json!({"author": a, "text": t})).collect();
    let doc = serde_json::json!({
        "id": "zz-night-1", "date": "2024-05-03", "title": "Canada and Mexico meet the United Nations",
        "text": "Canada and Mexico asked the United Nations on Friday to review the trade pact. \
                 Maria Lopez, a trade lawyer in Toronto, said the talks would take months.",
        "comments": comments,
    });
    let path = dir.join(format!("{name}.jsonl"));
    std::fs::write(&path, format!("{doc}\n")).unwrap();
    path
}

const NIGHT: [(&str, &str); 2] =
    [("maple", "Canada is right to ask for a review."), ("rio", "Mexico should not trust the United Nations here.")];

#[test]
fn an_incremental_night_equals_a_full_relink_and_relink_equals_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let night = thread(dir.path(), "night", &NIGHT);
    // Incremental: the sample, then the night against the kept state (the drift
    // rule would relink in full: one new document is 20 % of five).
    let inc = dir.path().join("incremental");
    run(&[&sample()], &inc, &[]);
    assert_eq!(work(&inc)["linking"], "full", "no state kept yet");
    run(&[&night], &inc, &["--relink-after", "100"]);
    let w = work(&inc);
    assert_eq!(w["linking"], "incremental", "{w}");
    assert_eq!(w["documents_linked"], 1, "{w}");
    // Full: the same two nights, the second with --relink.
    let full = dir.path().join("full");
    run(&[&sample()], &full, &[]);
    run(&[&night], &full, &["--relink"]);
    assert_eq!(work(&full)["linking"], "full");
    assert_eq!(work(&full)["documents_linked"], 5);
    let (inc_rows, inc_set) = linking_of(&inc);
    let (full_rows, full_set) = linking_of(&full);
    assert!(inc_rows["mentions"].iter().any(|m| m.contains("zz-night-1")), "the night is linked");
    assert!(inc_rows["stances"].iter().any(|m| m.contains("zz-night-1")), "the night's comments are asked");
    assert_eq!(inc_rows, full_rows, "incremental night = full relink (store)");
    assert_eq!(inc_set, full_set, "incremental night = full relink (exports)");

    // The incremental store relinked with nothing new equals one run over everything.
    run(&[&night], &inc, &["--relink"]);
    assert_eq!(work(&inc)["linking"], "full", "--relink links even when nothing is new");
    let rebuild = dir.path().join("rebuild");
    run(&[&sample(), &night], &rebuild, &[]);
    let (rows, set) = linking_of(&inc);
    let (want_rows, want_set) = linking_of(&rebuild);
    assert_eq!(rows, want_rows, "night + --relink = rebuild (store)");
    assert_eq!(set, want_set, "night + --relink = rebuild (exports, byte for byte)");
}

#[test]
fn a_grown_thread_replaces_its_own_mentions_incrementally() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = thread(dir.path(), "v1", &NIGHT[..1]);
    let v2 = thread(dir.path(), "v2", &NIGHT);
    let stores: Vec<PathBuf> = ["incremental", "full"].iter().map(|n| dir.path().join(n)).collect();
    for (out, flag) in stores.iter().zip(["--relink-after", "--relink"]) {
        run(&[&sample(), &v1], out, &[]);
        let extra: &[&str] = if flag == "--relink" { &["--relink"] } else { &["--relink-after", "100"] };
        run(&[&v2], out, extra);
        assert_eq!(work(out)["documents_updated"], 1);
    }
    assert_eq!(work(&stores[0])["linking"], "incremental");
    let (inc_rows, inc_set) = linking_of(&stores[0]);
    let (full_rows, full_set) = linking_of(&stores[1]);
    assert!(
        inc_rows["stances"].iter().any(|s| s.contains("Text(\"zz-night-1\")|Integer(1)|")),
        "the new comment is asked"
    );
    assert_eq!(inc_rows, full_rows, "the grown thread's mentions replaced, entity counts kept exact");
    assert_eq!(inc_set, full_set);
}

#[test]
fn nights_relink_in_full_once_they_reach_the_drift_share() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&[&sample()], &out, &[]);
    // One new document of five is 20 %: over the default 10 %, a full relink.
    run(&[&thread(dir.path(), "night", &NIGHT)], &out, &[]);
    assert_eq!(work(&out)["linking"], "full");
    assert_eq!(work(&out)["documents_linked"], 5);
}
