//! End-to-end runs of the release binary with the shipped models: the sample
//! corpus (always), the seed document (when ../shared is present), bad input
//! and a missing model.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{root, shared};

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().expect("run stancegraph")
}

fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

fn labels(out: &Path) -> Vec<String> {
    jsonl(&out.join("entities.jsonl")).iter().map(|e| e["label"].as_str().unwrap().to_string()).collect()
}

/// Valid GEXF 1.3 with `viz:` in its namespace: the published XSD in
/// ../shared as redefined by our tests/fixtures/gexf-1.3-viz (see `export`'s
/// module docs for why the published XSD alone cannot validate it).
fn xmllint_valid(gexf: &Path) {
    if shared("schemas/gexf-1.3/gexf.xsd").is_none() {
        return;
    }
    let xsd = root().join("tests/fixtures/gexf-1.3-viz/gexf-viz.xsd");
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(gexf)
        .output()
        .expect("xmllint must be installed (make test installs libxml2-utils)");
    assert!(out.status.success(), "GEXF invalid: {}", String::from_utf8_lossy(&out.stderr));
}

/// Gephi users also script with networkx: its GEXF reader must load the file.
fn networkx_loads(gexf: &Path) {
    let has = Command::new("python3").args(["-c", "import networkx"]).status().map(|s| s.success()).unwrap_or(false);
    if !has {
        eprintln!("note: python3 with networkx is absent; the networkx load check is skipped");
        return;
    }
    let script = "import sys, networkx as nx; g = nx.read_gexf(sys.argv[1]); assert g.number_of_nodes() > 0 and g.number_of_edges() > 0; print(g.number_of_nodes())";
    let out = Command::new("python3").args(["-c", script]).arg(gexf).output().unwrap();
    assert!(out.status.success(), "networkx failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn sample_corpus_runs_and_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", "examples/sample", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "exit {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
    for f in stancegraph::export::FILES {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let l = labels(&out);
    for want in ["Canada", "Mexico", "United States", "Germany", "Brazil", "European Union"] {
        assert!(l.iter().any(|x| x == want), "{want} not in {l:?}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["documents"], 4);
    assert!(summary["stance_pairs"].as_u64().unwrap() > 10);
    assert!(summary["stance_method"].as_str().unwrap().contains("transformer"));
    // Every stance record points at an entity that exists, with a valid label and confidence.
    let ids: Vec<String> =
        jsonl(&out.join("entities.jsonl")).iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    for s in jsonl(&out.join("stances.jsonl")) {
        assert!(ids.contains(&s["entity_id"].as_str().unwrap().to_string()));
        assert!(["favour", "against", "neutral"].contains(&s["stance"].as_str().unwrap()));
        let c = s["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c));
    }
    xmllint_valid(&out.join("graph.gexf"));
    // A second run into the same folder keeps the entity ids (registry).
    let before = std::fs::read_to_string(out.join("entities.jsonl")).unwrap();
    let o = run(&["run", "examples/sample", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success());
    assert_eq!(before, std::fs::read_to_string(out.join("entities.jsonl")).unwrap());
}

#[test]
fn seed_document_gives_its_commenters_entities_and_clear_stances() {
    let Some(seed) = shared("data/seed") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", seed.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["comments"], 17);
    let l = labels(&out);
    for want in [
        "Iran",
        "Israel",
        "Hamas",
        "Japan",
        "United States",
        "Yoko Kamikawa",
        "Fumio Kishida",
        "Joe Biden",
        "Shinzo Abe",
    ] {
        assert_eq!(l.iter().filter(|x| *x == want).count(), 1, "{want}: {l:?}");
    }
    // Demonyms and pronouns are mentions of the entity meant.
    let mentions = jsonl(&out.join("mentions.jsonl"));
    let linked = |author: Option<&str>, text: &str| -> Vec<String> {
        mentions
            .iter()
            .filter(|m| m["text"] == text && author.is_none_or(|a| m["author"] == a))
            .map(|m| m["entity_id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let iranian = linked(None, "Iranian");
    assert!(!iranian.is_empty() && iranian.iter().all(|id| id == "IRN"), "Iranian: {iranian:?}");
    assert_eq!(linked(Some("antifun"), "she"), vec!["person:yoko-kamikawa"]);
    assert_eq!(linked(Some("Keepitreal"), "her"), vec!["person:yoko-kamikawa"]);
    xmllint_valid(&out.join("graph.gexf"));
    networkx_loads(&out.join("graph.gexf"));
    seed_fixture_stances_hold(&out);
}

/// The seed's hand-checked stances (`tests/fixtures/seed_stances.tsv`) in a
/// run's `stances.jsonl`.
fn seed_fixture_stances_hold(out: &Path) {
    let stances = jsonl(&out.join("stances.jsonl"));
    let fixture = std::fs::read_to_string(root().join("tests/fixtures/seed_stances.tsv")).unwrap();
    for line in fixture.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (comment, author, entity, want) = (f[0].parse::<u64>().unwrap(), f[1], f[2], f[3]);
        let got = stances
            .iter()
            .find(|s| s["comment"] == comment && s["entity"] == entity)
            .unwrap_or_else(|| panic!("no stance of comment {comment} toward {entity}"));
        assert_eq!(got["author"], author);
        assert_eq!(got["stance"], want, "comment {comment} ({author}) toward {entity}");
    }
}

/// The seed fixture's stances hold with the accurate (MPNet) stance model
/// too, where it is shipped.
#[test]
fn seed_fixture_stances_hold_with_the_accurate_model() {
    let Some(seed) = shared("data/seed") else { return };
    if !root().join("models/stance-accurate").exists() {
        eprintln!("note: models/stance-accurate is not shipped; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let args = ["run", seed.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet", "--stance-model", "accurate"];
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    seed_fixture_stances_hold(&out);
}

#[test]
fn bad_files_are_skipped_with_exit_code_1_and_the_rest_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(root().join("examples/sample/001_canada_mexico_trade.txt"), input.join("good.txt")).unwrap();
    std::fs::write(input.join("broken.txt"), b"date 2024-01-01 Caf\xe9 in Paris\nuser\ntext\n").unwrap();
    std::fs::write(input.join("empty.txt"), b"").unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("broken.txt") && stderr.contains("UTF-8"), "{stderr}");
    assert!(stderr.contains("empty.txt"), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["documents"], 1);
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 2);
    assert!(labels(&out).iter().any(|l| l == "Canada"));
}

/// `stancegraph run examples/sample` with another models folder.
fn run_sample_with_models(models: &Path, out: &Path) -> std::process::Output {
    // The fast model's folder is the one these tests copy and break.
    let (out, models) = (out.to_str().unwrap(), models.to_str().unwrap());
    run(&["run", "examples/sample", "--out", out, "--models", models, "--stance-model", "fast", "--quiet"])
}

#[test]
fn a_missing_model_is_a_fatal_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir_all(models.join("ner")).unwrap();
    let out = dir.path().join("out");
    let o = run_sample_with_models(&models, &out);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("config.json") && stderr.contains("missing"), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.contains("error")).count(), 1, "{stderr}");
}

#[test]
fn a_corrupt_weights_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let ner = models.join("ner");
    std::fs::create_dir_all(&ner).unwrap();
    for f in ["config.json", "tokenizer.json", "SHA256SUMS"] {
        std::fs::copy(root().join("models/ner").join(f), ner.join(f)).unwrap();
    }
    std::fs::write(ner.join("model.safetensors"), b"not a safetensors file").unwrap();
    let stance = models.join("stance");
    std::fs::create_dir_all(&stance).unwrap();
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::copy(root().join("models/stance").join(f), stance.join(f)).unwrap();
    }
    let out = dir.path().join("out");
    let o = run_sample_with_models(&models, &out);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("model.safetensors") && stderr.contains("corrupt"), "{stderr}");
}

#[test]
fn a_missing_stance_model_fails_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir_all(models.join("ner")).unwrap();
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::copy(root().join("models/ner").join(f), models.join("ner").join(f)).unwrap();
    }
    let out = dir.path().join("out");
    let o = run_sample_with_models(&models, &out);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("stance") && stderr.contains("config.json") && stderr.contains("missing"), "{stderr}");
    assert!(!stderr.contains("ner: "), "NER ran before the stance model was checked: {stderr}");
    assert!(!out.join("graph.gexf").exists());
}

// --- the graph: stance labels, time, thinning (issue 11) ---------------------------------------

/// One `<node>` or `<edge>` of a GEXF file, read with plain string work
/// (the files are ours and regular: one tag a line).
#[derive(Debug)]
struct Element {
    /// `id` (nodes) or `source`, `target`, `weight`, `label` (edges), unescaped.
    tag: BTreeMap<String, String>,
    /// (for, value, start) of each attvalue, in file order.
    values: Vec<(String, String, Option<String>)>,
    /// Spell start dates.
    spells: Vec<String>,
}

impl Element {
    /// The last value of attribute `id` (for a dynamic one: at the last date).
    fn last(&self, id: &str) -> Option<&str> {
        self.values.iter().rev().find(|v| v.0 == id).map(|v| v.1.as_str())
    }

    fn has(&self, id: &str) -> bool {
        self.values.iter().any(|v| v.0 == id)
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// `name="value"` pairs of one tag.
fn tag_attrs(line: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = line;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].rsplit(' ').next().unwrap_or("").to_string();
        let after = &rest[eq + 2..];
        let end = after.find('"').expect("closing quote");
        out.insert(name, unescape(&after[..end]));
        rest = &after[end + 1..];
    }
    out
}

/// The nodes or edges (`kind` = "node" / "edge") of a GEXF file.
fn gexf_elements(gexf: &str, kind: &str) -> Vec<Element> {
    let open = format!("<{kind} ");
    let close = format!("</{kind}>");
    let mut out = Vec::new();
    let mut current: Option<Element> = None;
    for line in gexf.lines().map(str::trim) {
        if line.starts_with(&open) {
            current = Some(Element { tag: tag_attrs(line), values: Vec::new(), spells: Vec::new() });
        } else if line == close {
            out.extend(current.take());
        } else if let Some(el) = current.as_mut() {
            let a = tag_attrs(line);
            if line.starts_with("<attvalue ") {
                el.values.push((a["for"].clone(), a["value"].clone(), a.get("start").cloned()));
            } else if line.starts_with("<spell ") {
                el.spells.push(a["start"].clone());
            }
        }
    }
    out
}

/// The label rule of issue 11, written again here: neutral when neutral
/// records are more than half; else favour / against with 2/3 of the
/// polar records; else mixed.
fn expected_label(favour: usize, against: usize, neutral: usize) -> &'static str {
    let polar = favour + against;
    if neutral > polar {
        "neutral"
    } else if 3 * favour >= 2 * polar {
        "favour"
    } else if 3 * against >= 2 * polar {
        "against"
    } else {
        "mixed"
    }
}

/// (favour, against, neutral) of the stance records, by key.
fn tally<K: Ord>(records: &[serde_json::Value], key: impl Fn(&serde_json::Value) -> K) -> BTreeMap<K, [usize; 3]> {
    let mut t: BTreeMap<K, [usize; 3]> = BTreeMap::new();
    for r in records {
        let i = match r["stance"].as_str().unwrap() {
            "favour" => 0,
            "against" => 1,
            _ => 2,
        };
        t.entry(key(r)).or_default()[i] += 1;
    }
    t
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const STANCE_ATTRS: [&str; 8] =
    ["measured", "favour", "against", "neutral", "favour_share", "against_share", "net", "stance"];

#[test]
fn seed_graph_says_mixed_and_neutral_as_measured_on_the_comment_dates() {
    let Some(seed) = shared("data/seed") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // --min-confidence 0: every record in the graph, so the graph can be checked against them all.
    let o = run(&["run", seed.to_str().unwrap(), "--out", out.to_str().unwrap(), "--min-confidence", "0", "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let gexf = read(&out.join("graph.gexf"));
    let nodes = gexf_elements(&gexf, "node");
    let edges = gexf_elements(&gexf, "edge");
    let records = jsonl(&out.join("stances.jsonl"));
    let entities: BTreeMap<String, String> = jsonl(&out.join("entities.jsonl"))
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_string(), e["type"].as_str().unwrap().to_string()))
        .collect();
    let shown = |r: &serde_json::Value| {
        ["person", "country", "organisation"].contains(&entities[r["entity_id"].as_str().unwrap()].as_str())
    };
    let records: Vec<serde_json::Value> = records.into_iter().filter(shown).collect();

    // Every stance edge and every entity says what the rule says about its records.
    let by_edge = tally(&records, |r| {
        (format!("user:{}", r["author"].as_str().unwrap().trim()), r["entity_id"].as_str().unwrap().to_string())
    });
    let by_entity = tally(&records, |r| r["entity_id"].as_str().unwrap().to_string());
    let mut labels_seen = BTreeSet::new();
    let stance_edges: Vec<&Element> = edges.iter().filter(|e| e.last("kind") == Some("stance")).collect();
    assert_eq!(stance_edges.len(), by_edge.len());
    for e in &stance_edges {
        let [f, a, n] = by_edge[&(e.tag["source"].clone(), e.tag["target"].clone())];
        let want = expected_label(f, a, n);
        assert_eq!(e.last("stance"), Some(want), "{e:?}");
        assert_eq!(e.tag["label"], want);
        assert_eq!(e.last("measured"), Some((f + a + n).to_string().as_str()));
        labels_seen.insert(want);
    }
    for (id, [f, a, n]) in &by_entity {
        let node = nodes.iter().find(|x| &x.tag["id"] == id).unwrap_or_else(|| panic!("no node {id}"));
        let want = expected_label(*f, *a, *n);
        assert_eq!(node.last("stance"), Some(want), "{id}");
        assert_eq!(node.last("favour"), Some(f.to_string().as_str()), "{id}");
        labels_seen.insert(want);
    }
    assert!(labels_seen.contains("mixed") && labels_seen.contains("neutral"), "the seed has both: {labels_seen:?}");
    // Entities no comment spoke about carry no stance attribute at all.
    let silent: Vec<&Element> =
        nodes.iter().filter(|x| entities.contains_key(&x.tag["id"]) && !by_entity.contains_key(&x.tag["id"])).collect();
    assert!(!silent.is_empty(), "the seed has entities only the article names");
    for x in silent {
        assert!(STANCE_ATTRS.iter().all(|a| !x.has(a)), "{x:?}");
    }

    // Time: the seed's comments have no dates of their own, so each is on the article's date;
    // every edge a comment feeds has one spell per comment date: exactly that one.
    let day = "2023-10-17";
    for e in edges.iter().filter(|e| e.last("kind") != Some("mention")) {
        assert_eq!(e.spells, [day], "{e:?}");
    }
    for e in &stance_edges {
        assert!(e.values.iter().filter(|v| STANCE_ATTRS.contains(&v.0.as_str())).all(|v| v.2.as_deref() == Some(day)));
    }
    assert!(gexf.contains(r#"<attributes class="edge" mode="dynamic">"#));
    networkx_sees_viz_on_every_node(&out.join("graph.gexf"));

    // --min-confidence (export from the same store, no model): low decisions leave the graph;
    // explicit ones stay in the records as unsure, implicit ones (kept only when sure) go.
    let strict = dir.path().join("strict");
    let store = out.join("stancegraph.db");
    let o = run(&[
        "export",
        "--out",
        strict.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--min-confidence",
        "0.6",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The records keep the explicit ones, marked unsure, and drop the implicit ones below it
    // (stance::apply_min_confidence).
    let (all, strict_records) = (jsonl(&out.join("stances.jsonl")), jsonl(&strict.join("stances.jsonl")));
    let low = |r: &serde_json::Value| r["confidence"].as_f64().unwrap() < 0.6;
    let dropped = all.iter().filter(|r| r["implicit"] == true && low(r)).count();
    assert_eq!(strict_records.len(), all.len() - dropped);
    assert!(strict_records.iter().all(|r| r["unsure"] == low(r) && !(r["implicit"] == true && low(r))));
    let kept = records.iter().filter(|r| r["confidence"].as_f64().unwrap() >= 0.6).count();
    assert!(kept < records.len(), "the seed has decisions under 0.6");
    let strict_edges = gexf_elements(&read(&strict.join("graph.gexf")), "edge");
    let measured: usize = strict_edges
        .iter()
        .filter(|e| e.last("kind") == Some("stance"))
        .map(|e| e.last("measured").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(measured, kept);
}

/// networkx finds a viz colour and size on every node of `gexf` (skipped
/// with a note when python3 has no networkx).
fn networkx_sees_viz_on_every_node(gexf: &Path) {
    let has = Command::new("python3").args(["-c", "import networkx"]).status().map(|s| s.success()).unwrap_or(false);
    if !has {
        eprintln!("note: python3 with networkx is absent; the networkx viz check is skipped");
        return;
    }
    let script = "import sys, networkx as nx\n\
        g = nx.read_gexf(sys.argv[1])\n\
        bad = [n for n, d in g.nodes(data=True) if not ('color' in d.get('viz', {}) and d['viz'].get('size', 0) > 0)]\n\
        assert g.number_of_nodes() > 0 and not bad, bad[:5]\n\
        print(g.number_of_nodes())";
    let out = Command::new("python3").args(["-c", script]).arg(gexf).output().unwrap();
    assert!(out.status.success(), "networkx: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn comment_dates_and_replies_reach_the_graph_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("thread.jsonl");
    let doc = serde_json::json!({"id": "t1", "date": "2024-05-01", "title": "Trade",
        "text": "Canada and Mexico signed a trade deal in Ottawa on Monday.",
        "comments": [
            {"id": "a1", "author": "ann", "text": "Canada did well here.", "date": "2024-05-02"},
            {"id": "b1", "author": "ben", "text": "Canada gave away far too much.", "parent": "a1", "date": "2024-05-04T09:00:00Z"},
            {"id": "a2", "author": "ann", "text": "Canada still won, ben.", "parent": "b1"}]});
    std::fs::write(&input, doc.to_string()).unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    let o = run(&["run", input.to_str().unwrap(), "--out", out_s, "--min-confidence", "0", "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    xmllint_valid(&out.join("graph.gexf"));
    let edges = gexf_elements(&read(&out.join("graph.gexf")), "edge");
    let edge = |s: &str, t: &str| {
        edges
            .iter()
            .find(|e| e.tag["source"] == s && e.tag["target"] == t)
            .unwrap_or_else(|| panic!("{s} -> {t}: {edges:?}"))
    };
    // Ann's own comment is dated 05-02; her undated reply takes the article's 05-01.
    assert_eq!(edge("user:ann", "CAN").spells, ["2024-05-01", "2024-05-02"]);
    assert_eq!(edge("user:ben", "CAN").spells, ["2024-05-04"]);
    assert_eq!(edge("user:ben", "user:ann").last("kind"), Some("reply"));
    assert_eq!(edge("user:ben", "user:ann").spells, ["2024-05-04"]);
    assert_eq!(edge("user:ann", "user:ben").spells, ["2024-05-01"]);
    let nodes = parse_csv_rows(&read(&out.join("edges.csv")));
    let timeset = nodes[0].iter().position(|c| c == "Timeset").unwrap();
    let row = nodes.iter().find(|r| r[0] == "user:ann" && r[1] == "CAN").unwrap();
    assert_eq!(row[timeset], "<[2024-05-01, 2024-05-01]; [2024-05-02, 2024-05-02]>");

    // Each record names its comment by the input's own id and quotes it, the mention in it.
    let (ids, texts) = (["a1", "b1", "a2"], doc["comments"].as_array().unwrap());
    let records = jsonl(&out.join("stances.jsonl"));
    assert!(!records.is_empty());
    for r in &records {
        let i = r["comment"].as_u64().unwrap() as usize;
        assert_eq!(r["comment_id"], ids[i], "{r}");
        let quote = r["quote"]["text"].as_str().unwrap();
        assert!(texts[i]["text"].as_str().unwrap().contains(quote.trim_matches('…')), "{r}");
        if r["implicit"] == false {
            let [s, e] = [0, 1].map(|k| r["quote"]["mention"][k].as_u64().unwrap() as usize);
            let named: String = quote.chars().skip(s).take(e - s).collect();
            assert!(!named.is_empty(), "{r}");
            if r["entity_id"] == "CAN" {
                assert_eq!(named, "Canada", "{r}");
            }
        }
    }
}

/// CSV rows, for the simple files of these tests (quoted fields without
/// line breaks).
fn parse_csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (quoted, c) {
                    (true, '"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    (true, '"') => quoted = false,
                    (false, '"') => quoted = true,
                    (false, ',') => fields.push(std::mem::take(&mut field)),
                    (_, c) => field.push(c),
                }
            }
            fields.push(field);
            fields
        })
        .collect()
}

/// The first `n` PolNeAR articles, in path order.
fn polnear_subset(n: usize) -> Option<Vec<PathBuf>> {
    let dir = shared("data/corpus/polnear")?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files.truncate(n);
    Some(files)
}

#[test]
fn polnear_articles_are_dated_by_their_names_have_no_stance_and_thin_out() {
    let Some(files) = polnear_subset(30) else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args: Vec<&str> = vec!["run"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap(), "--quiet"]);
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let gexf = read(&out.join("graph.gexf"));
    xmllint_valid(&out.join("graph.gexf"));
    let nodes = gexf_elements(&gexf, "node");
    let edges = gexf_elements(&gexf, "edge");

    // breitbart_2015-11-11_the-ninth-circle-the-hellish-vie.txt lives on 2015-11-11.
    for f in &files {
        let stem = f.file_stem().unwrap().to_str().unwrap();
        let day = stem.split('_').nth(1).unwrap();
        let node = nodes.iter().find(|n| n.tag["id"] == format!("doc:{stem}")).expect("article node");
        assert_eq!(node.spells, [day], "{stem}");
    }
    // No comments, so nothing was measured: no stance attribute anywhere, none declared.
    for id in STANCE_ATTRS {
        assert!(!gexf.contains(&format!(r#"for="{id}""#)) && !gexf.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(edges.iter().all(|e| e.last("kind") == Some("mention")));
    // Only people, countries and organisations by default.
    let types: BTreeSet<&str> = nodes.iter().filter_map(|n| n.last("type")).collect();
    assert_eq!(types, BTreeSet::from(["article", "country", "organisation", "person"]));
    // No comments: the pair graphs are empty, valid GEXF (article co-mention is no edge).
    for f in ["commenters.gexf", "entities.gexf"] {
        xmllint_valid(&out.join(f));
        let text = read(&out.join(f));
        assert!(text.contains(r#"<nodes count="0">"#) && text.contains(r#"<edges count="0">"#), "{f}: {text}");
    }

    // --min-mentions 3 (export from the same store) keeps at most a third of the entities; articles
    // (and commenters) stay whatever the threshold.
    let thin = dir.path().join("thin");
    let store = out.join("stancegraph.db");
    let export = |dest: &Path, extra: &[&str]| {
        let mut args = vec!["export", "--out", dest.to_str().unwrap(), "--store", store.to_str().unwrap(), "--quiet"];
        args.extend(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = read(&dest.join("graph.gexf"));
        let nodes = gexf_elements(&text, "node");
        let entities = nodes.iter().filter(|n| !matches!(n.last("type"), Some("article" | "commenter"))).count();
        (entities, nodes.len(), gexf_elements(&text, "edge").len())
    };
    let entities_n = nodes.iter().filter(|n| n.last("type") != Some("article")).count();
    let (nodes_n, edges_n) = (nodes.len(), edges.len());
    let (thin_entities, thin_nodes, thin_edges) = export(&thin, &["--min-mentions", "3"]);
    eprintln!(
        "polnear first 30: default {entities_n} entities, {nodes_n} nodes, {edges_n} edges; \
         --min-mentions 3: {thin_entities} entities, {thin_nodes} nodes, {thin_edges} edges"
    );
    assert!(thin_entities > 0 && 3 * thin_entities <= entities_n, "{thin_entities} of {entities_n} entities");
    assert_eq!(thin_nodes - thin_entities, nodes_n - entities_n, "every article stays");
    assert!(thin_edges < edges_n);
    assert_eq!(jsonl(&thin.join("entities.jsonl")).len(), jsonl(&out.join("entities.jsonl")).len(), "records whole");
    // --types widens it.
    let (_, wide_nodes, _) =
        export(&dir.path().join("wide"), &["--types", "person,country,organisation,location,misc"]);
    assert!(wide_nodes > nodes_n);
}

/// `--device cuda` where there is no GPU (the CPU-only build, or no GPU
/// visible) is one error line before any work, exit 2; `--device cpu` runs.
/// With a CUDA build on a GPU machine the cuda run must succeed instead.
#[test]
fn device_cuda_without_a_gpu_fails_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", "examples/sample", "--out", out.to_str().unwrap(), "--quiet", "--device", "cuda"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let has_gpu = std::env::var("STANCEGRAPH_EXPECT_GPU").is_ok();
    if has_gpu {
        assert!(o.status.success(), "{stderr}");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["device"], "cuda:0");
        return;
    }
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.contains("error")).count(), 1, "{stderr}");
    assert!(stderr.contains("--device cuda") && stderr.contains("--device cpu"), "{stderr}");
    assert!(!out.join("graph.gexf").exists() && !out.join("stancegraph.db").exists(), "nothing written");

    let o = run(&["run", "examples/sample", "--out", out.to_str().unwrap(), "--quiet", "--device", "cpu"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["device"], "cpu");
}
