//! End-to-end runs of the release binary with the shipped models: the sample
//! corpus (always), the seed document (when ../shared is present), bad input
//! and a missing model.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = root().join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} is absent; this check is skipped (CI has ../shared)", p.display());
        None
    }
}

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
    for f in [
        "graph.gexf",
        "graph.graphml",
        "nodes.csv",
        "edges.csv",
        "entities.jsonl",
        "mentions.jsonl",
        "stances.jsonl",
        "summary.json",
    ] {
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
    run(&["run", "examples/sample", "--out", out.to_str().unwrap(), "--models", models.to_str().unwrap(), "--quiet"])
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
    for f in ["config.json", "tokenizer.json"] {
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
