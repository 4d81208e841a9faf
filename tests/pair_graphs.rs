//! The three GEXF files of a run on the seed document (`../shared/data/seed`;
//! skipped with a note when it is absent), read back by every reader we
//! promise them to:
//!
//! * `xmllint` against GEXF 1.3 with viz in its namespace (the published XSD
//!   in ../shared/schemas as redefined by `tests/fixtures/gexf-1.3-viz/`, as in
//!   `tests/export.rs`);
//! * networkx (viz colour and size on every node), when python3 has it;
//! * graphology-gexf 0.13 under node, with its default options: `make tools` installs it with npm into
//!   `.deps/node` (`STANCEGRAPH_NODE_DIR` names another folder); when it is
//!   not there the test installs it the same way, and it skips with a note
//!   only when node or npm is absent.
//!
//! Then the pair graphs are checked against the records of the same run:
//! every commenter–commenter edge and every entity–entity edge is recounted
//! here from `stances.jsonl` and `mentions.jsonl`, and two edges of the seed
//! are checked by name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::root;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

/// The published schema (in ../shared, not copied here) and our wrapper.
const GEXF_XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/schemas/gexf-1.3/gexf.xsd");
const GEXF_VIZ_XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gexf-1.3-viz/gexf-viz.xsd");

const GEXF_FILES: [&str; 3] = ["graph.gexf", "commenters.gexf", "entities.gexf"];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn jsonl(path: &Path) -> Vec<Value> {
    read(path).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Runs the binary on the seed document into a temporary folder; `None` (with
/// a note) without ../shared.
fn seed_run() -> Option<(tempfile::TempDir, PathBuf)> {
    let seed = root().join("../shared/data/seed");
    if !seed.exists() {
        eprintln!("note: {} is absent; the seed checks are skipped (CI has ../shared)", seed.display());
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // --min-confidence 0: the pair graphs are checked against every record; the fast model, whose
    // reading of the seed the by-name checks below spell out.
    let mut run = Command::new(BIN);
    run.arg("run")
        .arg(&seed)
        .args(["--min-confidence", "0", "--stance-model", "fast", "--out"])
        .arg(&out)
        .arg("--quiet");
    let o = run.output().unwrap();
    assert!(o.status.success(), "run failed: {}", String::from_utf8_lossy(&o.stderr));
    Some((dir, out))
}

fn xmllint_valid(file: &Path) {
    if !Path::new(GEXF_XSD).is_file() {
        eprintln!("note: {GEXF_XSD} not found; XSD validation skipped");
        return;
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(GEXF_VIZ_XSD)
        .arg(file)
        .output()
        .expect("xmllint is required (apt-get install -y libxml2-utils)");
    assert!(out.status.success(), "{} is not valid GEXF 1.3: {}", file.display(), String::from_utf8_lossy(&out.stderr));
}

const NETWORKX_CHECK: &str = r#"
import json, sys
import networkx as nx
counts = {}
for path in sys.argv[1:]:
    g = nx.read_gexf(path)
    bad = [n for n, d in g.nodes(data=True)
           if not (set(d.get("viz", {}).get("color", {})) >= {"r", "g", "b"} and d["viz"].get("size", 0) > 0)]
    assert not bad, (path, bad[:5])
    counts[path.rsplit("/", 1)[-1]] = [g.number_of_nodes(), g.number_of_edges(), g.is_directed()]
print(json.dumps(counts))
"#;

/// `{file: [nodes, edges, directed]}` as networkx reads them; `None` without networkx.
fn networkx_counts(files: &[PathBuf]) -> Option<Value> {
    let has = Command::new("python3").args(["-c", "import networkx"]).status().map(|s| s.success()).unwrap_or(false);
    if !has {
        eprintln!("note: python3 with networkx is absent; the networkx read check is skipped");
        return None;
    }
    let out = Command::new("python3").args(["-c", NETWORKX_CHECK]).args(files).output().unwrap();
    assert!(out.status.success(), "networkx: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

const GRAPHOLOGY_CHECK: &str = r#"
const fs = require('fs');
const Graph = require('graphology');
const gexf = require('graphology-gexf');
const counts = {};
for (const path of process.argv.slice(1)) { // node -e: argv[0] is node, no script path
  // graphology-gexf 0.13 keeps only the last <attributes> block of a class; that block declares
  // every attribute (the stance group again, see src/export/gexf.rs), so the default options read it.
  const g = gexf.parse(Graph, fs.readFileSync(path, 'utf8'));
  g.forEachNode((n, a) => {
    if (!a.color || !(a.size > 0)) throw new Error(`${path}: node ${n} has no viz colour or size`);
  });
  counts[path.split('/').pop()] = [g.order, g.size, g.type];
}
console.log(JSON.stringify(counts));
"#;

/// The folder holding `node_modules/graphology-gexf`, installed with npm when
/// missing; `None` (with a note) when node or npm is absent.
fn graphology_dir() -> Option<PathBuf> {
    let works = |cmd: &str| Command::new(cmd).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !works("node") || !works("npm") {
        eprintln!("note: node or npm is absent (`make tools` installs them); the graphology-gexf check is skipped");
        return None;
    }
    let dir = std::env::var_os("STANCEGRAPH_NODE_DIR").map(PathBuf::from).unwrap_or_else(|| root().join(".deps/node"));
    if !dir.join("node_modules/graphology-gexf/package.json").is_file() {
        eprintln!("note: installing graphology and graphology-gexf with npm into {}", dir.display());
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .args(["graphology@0.26", "graphology-gexf@0.13"])
            .output()
            .unwrap();
        assert!(out.status.success(), "npm install failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Some(dir)
}

/// `{file: [nodes, edges, type]}` as graphology-gexf reads them with its
/// default options; `None` without node.
fn graphology_counts(files: &[PathBuf]) -> Option<Value> {
    let dir = graphology_dir()?;
    let out = Command::new("node")
        .args(["-e", GRAPHOLOGY_CHECK])
        .args(files)
        .env("NODE_PATH", dir.join("node_modules"))
        .output()
        .unwrap();
    assert!(out.status.success(), "graphology-gexf: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// One `<edge>` of a GEXF file: its source, target, weight and attribute values.
#[derive(Debug)]
struct Edge {
    source: String,
    target: String,
    weight: f64,
    values: BTreeMap<String, String>,
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(unescape(&tag[from..from + tag[from..].find('"')?]))
}

fn edges(gexf: &str) -> Vec<Edge> {
    gexf.split("<edge ")
        .skip(1)
        .map(|block| {
            let block = &block[..block.find("</edge>").expect("closed")];
            let tag = format!(" {}", &block[..block.find('>').unwrap()]);
            let values = block
                .split("<attvalue ")
                .skip(1)
                .map(|v| (attr(&format!(" {v}"), "for").unwrap(), attr(&format!(" {v}"), "value").unwrap()))
                .collect();
            Edge {
                source: attr(&tag, "source").unwrap(),
                target: attr(&tag, "target").unwrap(),
                weight: attr(&tag, "weight").unwrap().parse().unwrap(),
                values,
            }
        })
        .collect()
}

fn count(e: &Edge, name: &str) -> usize {
    e.values.get(name).unwrap_or_else(|| panic!("no {name} on {e:?}")).parse().unwrap()
}

/// A side from counts: favour when more favour than against, against when more against.
fn side(favour: usize, against: usize) -> Option<bool> {
    (favour != against).then_some(favour > against)
}

#[test]
fn the_seed_run_writes_three_gexf_files_every_reader_reads() {
    let Some((_dir, out)) = seed_run() else { return };
    let files: Vec<PathBuf> = GEXF_FILES.iter().map(|f| out.join(f)).collect();
    for f in &files {
        xmllint_valid(f);
    }
    let summary: Value = serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    let graphs = &summary["graphs"];
    let want = |key: &str| [graphs[key]["nodes"].as_u64().unwrap(), graphs[key]["edges"].as_u64().unwrap()];
    let wanted =
        [("graph.gexf", want("graph")), ("commenters.gexf", want("commenters")), ("entities.gexf", want("entities"))];
    assert!(graphs["commenters"]["edges"].as_u64().unwrap() > 0, "{graphs}");
    assert!(graphs["entities"]["edges"].as_u64().unwrap() > 0, "{graphs}");

    if let Some(nx) = networkx_counts(&files) {
        for (file, [nodes, edges]) in wanted {
            assert_eq!(nx[file][0].as_u64(), Some(nodes), "networkx nodes of {file}: {nx}");
            assert_eq!(nx[file][1].as_u64(), Some(edges), "networkx edges of {file}: {nx}");
        }
        assert_eq!(nx["commenters.gexf"][2], false, "undirected");
        assert_eq!(nx["entities.gexf"][2], false, "undirected");
    }
    if let Some(gy) = graphology_counts(&files) {
        for (file, [nodes, edges]) in wanted {
            assert_eq!(gy[file][0].as_u64(), Some(nodes), "graphology nodes of {file}: {gy}");
            assert_eq!(gy[file][1].as_u64(), Some(edges), "graphology edges of {file}: {gy}");
        }
        assert_eq!(gy["commenters.gexf"][2], "undirected");
        assert_eq!(gy["entities.gexf"][2], "undirected");
        // Read with the default options, the dynamic files (the seed is dated) included.
        assert!(read(&files[0]).contains(r#"mode="dynamic">"#), "the seed's graph.gexf is dynamic");
    }
}

#[test]
fn the_seed_pair_graphs_count_what_the_records_say() {
    let Some((_dir, out)) = seed_run() else { return };
    let stances = jsonl(&out.join("stances.jsonl"));
    let mentions = jsonl(&out.join("mentions.jsonl"));
    let default_type = |t: &Value| ["person", "country", "organisation"].contains(&t.as_str().unwrap_or(""));

    // Commenter sides: (author, entity) → favour, against over all records.
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for s in stances.iter().filter(|s| default_type(&s["entity_type"])) {
        let c =
            counts.entry((s["author"].as_str().unwrap().into(), s["entity_id"].as_str().unwrap().into())).or_default();
        match s["stance"].as_str().unwrap() {
            "favour" => c.0 += 1,
            "against" => c.1 += 1,
            _ => {}
        }
    }
    let mut sides: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    for ((who, entity), (f, a)) in counts {
        if let Some(s) = side(f, a) {
            sides.entry(who).or_default().insert(entity, s);
        }
    }
    let mut expected: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let names: Vec<&String> = sides.keys().collect();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            let (mut agree, mut disagree) = (0, 0);
            for (entity, side_a) in &sides[*a] {
                match sides[*b].get(entity) {
                    Some(side_b) if side_b == side_a => agree += 1,
                    Some(_) => disagree += 1,
                    None => {}
                }
            }
            // The default --min-shared-entities 2: a pair shares sides on two entities at least.
            if agree > disagree && agree + disagree >= 2 {
                expected.insert((format!("user:{a}"), format!("user:{b}")), (agree, disagree));
            }
        }
    }
    let commenters = edges(&read(&out.join("commenters.gexf")));
    let got: BTreeMap<(String, String), (usize, usize)> = commenters
        .iter()
        .map(|e| ((e.source.clone(), e.target.clone()), (count(e, "agreements"), count(e, "disagreements"))))
        .collect();
    assert_eq!(got, expected, "commenter pairs with positive net agreement");
    for e in &commenters {
        let (agree, disagree) = (count(e, "agreements"), count(e, "disagreements"));
        assert_eq!(count(e, "shared"), agree + disagree);
        assert_eq!(e.weight, (agree - disagree) as f64, "weight = net, positive: {e:?}");
        assert_eq!(e.values["net"], (agree - disagree).to_string());
    }

    // Co-mention in one comment: (doc, comment) → entities in it, with that comment's side on each.
    let mut in_comment: BTreeMap<(String, u64), BTreeMap<String, Option<bool>>> = BTreeMap::new();
    for m in mentions.iter().filter(|m| m["source"] == "comment" && default_type(&m["type"])) {
        let key = (m["doc_id"].as_str().unwrap().to_string(), m["comment"].as_u64().unwrap());
        in_comment.entry(key).or_default().entry(m["entity_id"].as_str().unwrap().into()).or_insert(None);
    }
    // An implicit record's comment does not name the entity: it puts nothing in the comment.
    let mut per_comment: BTreeMap<(String, u64, String), (usize, usize)> = BTreeMap::new();
    for s in stances.iter().filter(|s| default_type(&s["entity_type"]) && s["implicit"] != true) {
        let key = (
            s["doc_id"].as_str().unwrap().into(),
            s["comment"].as_u64().unwrap(),
            s["entity_id"].as_str().unwrap().into(),
        );
        let c = per_comment.entry(key).or_default();
        match s["stance"].as_str().unwrap() {
            "favour" => c.0 += 1,
            "against" => c.1 += 1,
            _ => {}
        }
    }
    for ((doc, comment, entity), (f, a)) in per_comment {
        in_comment.entry((doc, comment)).or_default().insert(entity, side(f, a));
    }
    let mut expected: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    for held in in_comment.values() {
        let held: Vec<(&String, &Option<bool>)> = held.iter().collect();
        for (i, (a, side_a)) in held.iter().enumerate() {
            for (b, side_b) in &held[i + 1..] {
                let e = expected.entry(((*a).clone(), (*b).clone())).or_default();
                e.0 += 1;
                match (side_a, side_b) {
                    (Some(x), Some(y)) if x == y => e.1 += 1,
                    (Some(_), Some(_)) => e.2 += 1,
                    _ => {}
                }
            }
        }
    }
    let entities = edges(&read(&out.join("entities.gexf")));
    let got: BTreeMap<(String, String), (usize, usize, usize)> = entities
        .iter()
        .map(|e| {
            let counts = (count(e, "comments"), count(e, "same_stance"), count(e, "opposite_stance"));
            assert_eq!(e.weight, counts.0 as f64, "weight = comments: {e:?}");
            ((e.source.clone(), e.target.clone()), counts)
        })
        .collect();
    assert_eq!(got, expected, "entity pairs in one comment");

    // Every node of the pair graphs is a node of graph.gexf, with the same label.
    let graph = read(&out.join("graph.gexf"));
    for file in ["commenters.gexf", "entities.gexf"] {
        let text = read(&out.join(file));
        for tag in text.split("<node ").skip(1).map(|b| format!(" {}", &b[..b.find('>').unwrap()])) {
            let (id, label) = (attr(&tag, "id").unwrap(), attr(&tag, "label").unwrap());
            let same = format!(
                r#"<node id="{}" label="{}">"#,
                id.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;"),
                label.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
            );
            assert!(graph.contains(&same), "{file}: {same} is not in graph.gexf");
        }
    }
    let labels: BTreeSet<String> = entities.iter().flat_map(|e| [e.source.clone(), e.target.clone()]).collect();
    assert!(!labels.is_empty());

    // By name, as read in stances.jsonl of the seed. Kotaro88 (comment 5) and Mr Kipling (comment 1)
    // are both against Iran and against Hamas (Kotaro88's neutral on Israel is no side): two
    // agreements, net 2. didou (comment 13) favours Iran and Japan, which Mr Kipling is against:
    // two disagreements, no edge.
    let pair = |a: &str, b: &str| {
        commenters.iter().find(|e| e.source == format!("user:{a}") && e.target == format!("user:{b}"))
    };
    let kk = pair("Kotaro88", "Mr Kipling").expect("Kotaro88 – Mr Kipling");
    assert_eq!((count(kk, "agreements"), count(kk, "disagreements"), kk.weight), (2, 0, 2.0), "{kk:?}");
    assert!(pair("Mr Kipling", "didou").is_none(), "they disagree twice");
    // Iran and Israel are in comments 0 (TaiwanIsNotChina: against both), 1 (Mr Kipling: against
    // both) and 5 (Kotaro88: against Iran, neutral on Israel): 3 comments, 2 on the same side.
    let ii = entities.iter().find(|e| e.source == "IRN" && e.target == "ISR").expect("Iran – Israel");
    let ii_counts = (count(ii, "comments"), count(ii, "same_stance"), count(ii, "opposite_stance"));
    assert_eq!(ii_counts, (3, 2, 0), "{ii:?}");
}

#[test]
fn export_rewrites_the_pair_graphs_with_the_thresholds() {
    let Some((_dir, out)) = seed_run() else { return };
    let strict = out.parent().unwrap().join("strict");
    let o = Command::new(BIN)
        .arg("export")
        .arg("--out")
        .arg(&strict)
        .arg("--store")
        .arg(out.join("stancegraph.db"))
        .args(["--min-confidence", "0.99", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "export failed: {}", String::from_utf8_lossy(&o.stderr));
    for f in GEXF_FILES {
        xmllint_valid(&strict.join(f));
    }
    let (all, few) = (edges(&read(&out.join("commenters.gexf"))), edges(&read(&strict.join("commenters.gexf"))));
    assert!(few.len() < all.len(), "--min-confidence 0.99 leaves fewer sides: {} vs {}", few.len(), all.len());
    let summary: Value = serde_json::from_str(&read(&strict.join("summary.json"))).unwrap();
    assert_eq!(summary["graphs"]["commenters"]["edges"].as_u64(), Some(few.len() as u64));
}
