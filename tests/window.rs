//! The rolling window of the default export and the graph's size cap, end to
//! end with the release binary: a run exports the newest 30 days of
//! document dates (reaching back to `--window-min-documents`), undated
//! documents count by the day of the run that stored them, `export --all`
//! and `--from/--to` give the whole archive or a range, and what the window
//! and the cap leave out is said in summary.json and the GEXF description.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::root;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn stancegraph(args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(root());
    if args[0] == "run" {
        c.args(["--threads", "2", "--stance", "baseline", "--quiet"]);
    }
    c.output().expect("run stancegraph")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// The documents of the set's mentions (every test document names Canada).
fn doc_ids(out: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(out.join("mentions.jsonl")).unwrap();
    let ids: std::collections::BTreeSet<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["doc_id"].as_str().unwrap().to_string())
        .collect();
    ids.into_iter().collect()
}

fn thread(id: &str, date: Option<&str>) -> String {
    let mut doc = serde_json::json!({
        "id": id,
        "title": "Canada and Mexico talk trade",
        "text": "Canada and Mexico agreed to review their trade pact with the United States.",
        "comments": [{"author": format!("reader-{id}"), "text": "Canada is right and Mexico is wrong about this."}],
    });
    if let Some(d) = date {
        doc["date"] = d.into();
    }
    format!("{doc}\n")
}

#[test]
fn the_default_export_is_the_rolling_window_and_all_is_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let days = ["2024-01-01", "2024-01-20", "2024-02-14", "2024-02-15", "2024-03-15"];
    let lines: String = days.iter().enumerate().map(|(i, d)| thread(&format!("t{i}"), Some(d))).collect();
    std::fs::write(input.join("threads.jsonl"), lines).unwrap();
    let out = dir.path().join("out");
    let p = |p: &Path| p.display().to_string();

    // Five documents: under the default minimum of 1,000 the window reaches back to all of them.
    ok(&stancegraph(&["run", &p(&input), "--out", &p(&out)]));
    let s = summary(&out);
    assert_eq!(s["documents"], 5, "{s}");
    assert_eq!(s["coverage"]["scope"], "window");
    // ... and says so with the oldest document's day, not a placeholder.
    assert_eq!(
        (s["coverage"]["from"].as_str(), s["coverage"]["to"].as_str()),
        (Some("2024-01-01"), Some("2024-03-15"))
    );

    // The newest 30 days: 2024-02-15 to 2024-03-15 (2024 is a leap year).
    ok(&stancegraph(&["run", &p(&input), "--out", &p(&out), "--window-min-documents", "1"]));
    let s = summary(&out);
    assert_eq!(doc_ids(&out), ["t3", "t4"], "{s}");
    assert_eq!(
        (s["coverage"]["from"].as_str(), s["coverage"]["to"].as_str()),
        (Some("2024-02-15"), Some("2024-03-15"))
    );
    assert_eq!(s["archive_documents"], 5);
    let gexf = std::fs::read_to_string(out.join("graph.gexf")).unwrap();
    assert!(gexf.contains("window 2024-02-15 to 2024-03-15: 2 of 5 documents"), "the description says the window");
    // Reaching back to the 3rd newest document's day.
    ok(&stancegraph(&["run", &p(&input), "--out", &p(&out), "--window-min-documents", "3"]));
    assert_eq!(doc_ids(&out), ["t2", "t3", "t4"]);

    // The whole archive, and a range, on demand (from the store alone).
    let store = out.join("stancegraph.db");
    let all = dir.path().join("all");
    ok(&stancegraph(&["export", "--all", "--out", &p(&all), "--store", &p(&store), "--quiet"]));
    assert_eq!(doc_ids(&all).len(), 5);
    assert_eq!(summary(&all)["coverage"]["scope"], "all");
    let range = dir.path().join("range");
    let o = stancegraph(&[
        "export",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-31",
        "--out",
        &p(&range),
        "--store",
        &p(&store),
    ]);
    ok(&o);
    assert_eq!(doc_ids(&range), ["t0", "t1"]);
    let both = stancegraph(&["export", "--all", "--from", "2024-01-01", "--out", &p(&range), "--store", &p(&store)]);
    assert_eq!(both.status.code(), Some(2), "--all and --from conflict");

    // An undated document counts by the day of the run that stored it (today): the window moves
    // to today, and the smaller set is no shrink, as the archive grew.
    std::fs::write(input.join("more.jsonl"), thread("undated", None)).unwrap();
    ok(&stancegraph(&["run", &p(&input), "--out", &p(&out), "--window-min-documents", "1"]));
    let s = summary(&out);
    assert_eq!(doc_ids(&out), ["undated"], "{s}");
    let today = s["run_started"].as_str().unwrap()[..10].to_string();
    assert_eq!(s["coverage"]["to"].as_str(), Some(today.as_str()));
    assert_eq!(s["archive_documents"], 6);
}

#[test]
fn the_graph_cap_says_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sample = root().join("examples/sample");
    let p = |p: &Path| p.display().to_string();
    ok(&stancegraph(&["run", &p(&sample), "--out", &p(&out), "--max-entities", "3"]));
    let s = summary(&out);
    let entities = s["graphs"]["graph"]["nodes"].as_u64().unwrap();
    assert!(entities > 0, "{s}");
    let left = &s["graphs"]["left_out"];
    assert!(left["entities"].as_u64().unwrap() > 0, "{s}");
    let text = s["graphs"]["left_out_text"].as_str().unwrap();
    assert!(text.contains("the graph keeps the 3 most mentioned"), "{text}");
    let gexf = std::fs::read_to_string(out.join("graph.gexf")).unwrap();
    let kept = gexf.matches("<attvalue for=\"type\" value=\"person\"").count()
        + gexf.matches("<attvalue for=\"type\" value=\"country\"").count()
        + gexf.matches("<attvalue for=\"type\" value=\"organisation\"").count();
    assert_eq!(kept, 3, "three entity nodes");
    assert!(gexf.contains(text), "the GEXF description says what was left out");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("left out:"), "the report says it too");

    // --all-nodes and --max-entities 0 give the graph of before.
    let full = dir.path().join("full");
    ok(&stancegraph(&["run", &p(&sample), "--out", &p(&full), "--max-entities", "0", "--all-nodes"]));
    let s = summary(&full);
    assert_eq!(s["graphs"]["left_out_text"], serde_json::Value::Null, "{s}");
}
