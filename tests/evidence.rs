//! Issue 25, evidence behind every number, checked as a reader would:
//!
//! * on the seed (when ../shared is present), every stance bar of the report
//!   (Top entities, Most contested, the one-sided lists) opens to its
//!   comments, as many as its counts say (shown + "N more"), and each quote is
//!   the comment's own text (read from the input, not from our store);
//! * on the seed, networkx (GEXF and GraphML), igraph (GraphML) and
//!   graphology-gexf read the quote and comment id of every stance edge, and
//!   the camp attributes of `commenters.gexf`, and each names the record it
//!   quotes; each reader is skipped with a note when it is absent;
//! * `comments.jsonl` gives every stance record's comment its whole text, the
//!   input's own character for character, on the seed (when ../shared is
//!   present) and on a small hostile corpus written here (always), and
//!   `stancegraph export` from the store writes the same file again;
//! * the page's size is bounded by the caps, not the corpus: a hostile corpus
//!   (long texts, names and titles full of markup) of 2,000 and of 20,000
//!   comments gives pages under [`report::MAX_PAGE_BYTES`] and within a few
//!   per cent of each other.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use stancegraph::corpus::{self, Comment, Document};
use stancegraph::evidence::{self, QUOTE_CHARS};
use stancegraph::export::{Exports, RecordRows};
use stancegraph::graph::{self, GraphOptions};
use stancegraph::link::{Entity, EntityType, LinkedBy, Mention, Source};
use stancegraph::pair_graphs;
use stancegraph::report::{self, QUOTES_PER_SIDE};
use stancegraph::stance::{Stance, StanceRecord};

mod common;
use common::root;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The seed folder, or `None` (with a note) without ../shared.
fn seed() -> Option<PathBuf> {
    let seed = root().join("../shared/data/seed");
    if !seed.exists() {
        eprintln!("note: {} is absent; the seed checks are skipped (CI has ../shared)", seed.display());
        return None;
    }
    Some(seed)
}

/// Runs the release binary on `input` into a temporary folder.
fn run(input: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::new(BIN).arg("run").arg(input).arg("--out").arg(&out).arg("--quiet").output().unwrap();
    assert!(o.status.success(), "run failed: {}", String::from_utf8_lossy(&o.stderr));
    (dir, out)
}

fn records(out: &Path) -> Vec<Value> {
    read(&out.join("stances.jsonl")).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// The value of attribute `name` in the opening tag `tag`.
fn attr(tag: &str, name: &str) -> Option<String> {
    let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(unescape(&tag[from..from + tag[from..].find('"')?]))
}

/// Every `<details class="ev" …>…</details>` of `html`: (opening tag, body).
fn details(html: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<details class=\"ev\"") {
        let block = &rest[at..];
        let open_end = block.find('>').unwrap() + 1;
        let end = block.find("</details>").expect("details closed");
        out.push((&block[..open_end], &block[open_end..end]));
        rest = &block[end..];
    }
    out
}

/// Every `<blockquote …>…</blockquote>` of `html`: (opening tag, body).
fn quotes(html: &str) -> Vec<(&str, &str)> {
    html.split("<blockquote ")
        .skip(1)
        .map(|b| {
            let open_end = b.find('>').unwrap() + 1;
            (&b[..open_end], &b[open_end..b.find("</blockquote>").expect("closed")])
        })
        .collect()
}

/// A panel's HTML.
fn panel<'a>(html: &'a str, name: &str) -> &'a str {
    let from = html.find(&format!("data-panel=\"{name}\"")).unwrap_or_else(|| panic!("no panel {name}"));
    &html[from..from + html[from..].find("</section>").unwrap()]
}

#[test]
fn seed_report_every_stance_bar_opens_to_its_comments_in_their_own_words() {
    let Some(seed) = seed() else { return };
    let (_dir, out) = run(&seed);
    let bars = every_bar_opens_to_its_comments(&seed, &out);
    assert!(bars > 3, "the seed has stance bars ({bars})");
}

/// The Reddit threads of ../shared as `scripts/data/reddit_to_jsonl.py` converts
/// them, or `None` (with a note) without them or without python3.
fn reddit_threads(dir: &Path) -> Option<PathBuf> {
    let data = root().join("../shared/data/stance/reddit-trump");
    if !data.exists() {
        eprintln!("note: {} is absent; the Reddit checks are skipped (CI has ../shared)", data.display());
        return None;
    }
    let o = Command::new("python3").arg(root().join("scripts/data/reddit_to_jsonl.py")).arg(&data).output();
    let Ok(o) = o.inspect_err(|e| eprintln!("note: python3 cannot run ({e}); the Reddit checks are skipped")) else {
        return None;
    };
    assert!(o.status.success(), "reddit_to_jsonl.py: {}", String::from_utf8_lossy(&o.stderr));
    let path = dir.join("reddit.jsonl");
    std::fs::write(&path, o.stdout).unwrap();
    Some(path)
}

#[test]
fn reddit_report_every_stance_bar_opens_to_its_comments_and_the_page_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let Some(threads) = reddit_threads(dir.path()) else { return };
    let (_out_dir, out) = run(&threads);
    let bars = every_bar_opens_to_its_comments(&threads, &out);
    assert!(bars > 10, "the Reddit threads have stance bars ({bars})");
    let bytes = std::fs::metadata(out.join("report.html")).unwrap().len() as usize;
    assert!(bytes < report::MAX_PAGE_BYTES, "report.html is {bytes} B");
    readers_read_each_stance_edges_evidence(&out);
}

/// Checks, on the report of a run of `input` in `out`, that every stance bar
/// (Top entities, Most contested, the one-sided lists) opens to as many
/// comments as its counts say, each the comment's own words in `input`;
/// returns the number of bars.
fn every_bar_opens_to_its_comments(input: &Path, out: &Path) -> usize {
    let html = read(&out.join("report.html"));
    let recs = records(out);

    // The comments as the input has them.
    let corpus = corpus::load(&[input.to_path_buf()]);
    let text: HashMap<(String, usize), &str> = corpus
        .documents
        .iter()
        .flat_map(|d| d.comments.iter().enumerate().map(move |(i, c)| ((d.id.clone(), i), c.text.as_str())))
        .collect();
    // comment id → (document, position); entity → (favour, against) kept.
    let mut where_is: HashMap<String, (String, usize)> = HashMap::new();
    let mut sides: HashMap<String, (usize, usize)> = HashMap::new();
    for r in &recs {
        let key = (r["doc_id"].as_str().unwrap().to_string(), r["comment"].as_u64().unwrap() as usize);
        where_is.insert(r["comment_id"].as_str().unwrap().to_string(), key);
        if r["unsure"] == true {
            continue;
        }
        let slot = sides.entry(r["entity_id"].as_str().unwrap().to_string()).or_default();
        match r["stance"].as_str().unwrap() {
            "favour" => slot.0 += 1,
            "against" => slot.1 += 1,
            _ => {}
        }
    }

    // Every row with a favour or against share is followed by its comments.
    let mut bars = 0;
    for name in ["top-entities", "contested"] {
        let p = panel(&html, name);
        for row in p.split("<tr data-entity=\"").skip(1) {
            let id = unescape(&row[..row.find('"').unwrap()]);
            let (f, a) = sides.get(&id).copied().unwrap_or_default();
            if f + a == 0 {
                continue;
            }
            bars += 1;
            let next = &row[row.find("</tr>").unwrap() + 5..];
            assert!(next.starts_with("<tr class=\"ev\">"), "{name}: the row of {id} has no comments under it");
            let (tag, _) = details(next)[0];
            assert_eq!(attr(tag, "data-entity").as_deref(), Some(id.as_str()), "{name}: {tag}");
        }
    }
    for row in panel(&html, "contested").split("<div class=\"side-row\" data-entity=\"").skip(1) {
        let id = unescape(&row[..row.find('"').unwrap()]);
        bars += 1;
        let (tag, _) = details(row)[0];
        assert_eq!(attr(tag, "data-entity").as_deref(), Some(id.as_str()), "one-sided: {tag}");
    }

    // Each opens to as many comments as its counts say, each the record's own.
    let all_details = details(&html);
    assert!(all_details.len() >= bars);
    for (tag, body) in &all_details {
        let Some(entity) = attr(tag, "data-entity") else { continue };
        let (f, a) = sides[&entity];
        assert_eq!(attr(tag, "data-favour"), Some(f.to_string()), "{tag}");
        assert_eq!(attr(tag, "data-against"), Some(a.to_string()), "{tag}");
        for (stance, n, word) in [("favour", f, "in favour"), ("against", a, "against")] {
            let shown = quotes(body).iter().filter(|(t, _)| attr(t, "data-stance").as_deref() == Some(stance)).count();
            assert_eq!(shown, n.min(QUOTES_PER_SIDE), "{entity} {stance}");
            if n > QUOTES_PER_SIDE {
                assert!(body.contains(&format!("and {} more {word}", n - QUOTES_PER_SIDE)), "{entity}: no 'more'");
            }
        }
        for (qtag, _) in quotes(body) {
            let id = attr(qtag, "data-comment-id").unwrap();
            let stance = attr(qtag, "data-stance").unwrap();
            let shown = recs.iter().any(|r| r["comment_id"] == id && r["entity_id"] == entity && r["stance"] == stance);
            assert!(shown, "{entity}: quote of {id} ({stance}) is no record of it");
        }
    }

    // Every quote on the page (entities and camps) is the comment's own text.
    let mut checked = 0;
    for (tag, body) in quotes(&html) {
        let id = attr(tag, "data-comment-id").expect("a comment id");
        let key = where_is.get(&id).unwrap_or_else(|| panic!("{id} is in no record"));
        let own = text[key];
        let q = &body[body.find("<q>").unwrap() + 3..body.find("</q>").unwrap()];
        let words = unescape(&strip_tags(q));
        assert!(words.chars().count() <= QUOTE_CHARS, "{words}");
        assert!(own.contains(evidence::uncut(&words)), "quote {words:?} is not in comment {id}: {own:?}");
        if let (Some(a), Some(b)) = (q.find("<mark>"), q.find("</mark>")) {
            assert!(!unescape(&q[a + 6..b]).is_empty(), "an empty highlight in {q}");
        }
        checked += 1;
    }
    assert!(checked >= bars, "{checked} quotes for {bars} bars");
    bars
}

fn comment_lines(out: &Path) -> Vec<Value> {
    let text = read(&out.join("comments.jsonl"));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("comments.jsonl: {e}: {l:?}"))).collect()
}

/// Checks, on the set a run of `input` wrote in `out`, that `comments.jsonl`
/// holds each comment of the input once, with its own text, author and
/// parent, and that every stance record's comment resolves to one line with
/// its `comment_id` and the text its quote was cut from; then that
/// `stancegraph export` from the run's store writes `comments.jsonl` (and
/// `stances.jsonl`) byte for byte again. Returns (comments, records).
fn every_records_comment_has_its_own_text(input: &Path, out: &Path) -> (usize, usize) {
    let corpus = corpus::load(&[input.to_path_buf()]);
    let lines = comment_lines(out);
    let mut by_key: HashMap<(String, usize), &Value> = HashMap::new();
    for l in &lines {
        let key = (l["doc_id"].as_str().unwrap().to_string(), l["comment"].as_u64().unwrap() as usize);
        assert!(by_key.insert(key.clone(), l).is_none(), "{key:?} twice in comments.jsonl");
    }
    let mut n = 0;
    for d in &corpus.documents {
        for (i, c) in d.comments.iter().enumerate() {
            let l = by_key.get(&(d.id.clone(), i)).unwrap_or_else(|| panic!("{}#{i} is not in comments.jsonl", d.id));
            assert_eq!(l["text"].as_str(), Some(c.text.as_str()), "the text of {}#{i}", d.id);
            assert_eq!(l["author"].as_str(), Some(c.author.as_str()), "the author of {}#{i}", d.id);
            assert_eq!(l["comment_id"].as_str(), Some(evidence::comment_id(c.id.as_deref(), &d.id, i).as_str()));
            assert_eq!(l["title"].as_str(), d.title.as_deref(), "the title of {}#{i}", d.id);
            let parent = c.parent.map(|p| evidence::comment_id(d.comments[p].id.as_deref(), &d.id, p));
            assert_eq!(l["parent_id"].as_str(), parent.as_deref(), "the parent of {}#{i}", d.id);
            n += 1;
        }
    }
    assert_eq!(lines.len(), n, "comments.jsonl holds the input's comments, each once");

    let recs = records(out);
    for r in &recs {
        let key = (r["doc_id"].as_str().unwrap().to_string(), r["comment"].as_u64().unwrap() as usize);
        let l = by_key.get(&key).unwrap_or_else(|| panic!("the comment of {r} is not in comments.jsonl"));
        assert_eq!(l["comment_id"], r["comment_id"], "{r}");
        let text = l["text"].as_str().unwrap();
        let quote = evidence::uncut(r["quote"]["text"].as_str().unwrap());
        assert!(text.contains(quote), "the quote of {r} is not in the text of its comment: {text:?}");
    }

    let again = out.with_file_name("again");
    let o = Command::new(BIN)
        .arg("export")
        .arg("--out")
        .arg(&again)
        .arg("--store")
        .arg(out.join("stancegraph.db"))
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(o.status.success(), "export failed: {}", String::from_utf8_lossy(&o.stderr));
    for f in ["comments.jsonl", "stances.jsonl"] {
        assert!(read(&again.join(f)) == read(&out.join(f)), "export wrote another {f} than the run");
    }
    (n, recs.len())
}

#[test]
fn seed_comments_jsonl_gives_every_records_comment_its_own_text() {
    let Some(seed) = seed() else { return };
    let (_dir, out) = run(&seed);
    let (comments, records) = every_records_comment_has_its_own_text(&seed, &out);
    assert!(comments > 10 && records > 10, "{comments} comments, {records} records");
}

/// Comment texts a JSON writer or reader could get wrong: quotes and
/// backslashes, markup, a NUL and other controls, CR LF and a lone CR,
/// noncharacters, direction overrides, U+2028/U+2029 (valid JSON, not valid
/// JavaScript before ES2019), emoji with joiners and combining marks.
const HOSTILE_TEXTS: [&str; 4] = [
    "Germany is \"right\" \\ wrong </script><script>alert(1)</script> & ]]> \u{0}\u{1}\u{1b}\u{7f}",
    "Reply: Germany again\r\nsecond line\rthird \u{2028}para\u{2029}graph \u{fffe}\u{fdd0}\u{10ffff} end.",
    "\u{202e}ynamreG\u{202c} is reversed, 👩‍👩‍👧 e\u{301} Zoë 東京 Germany.",
    "  Germany, with spaces around.  ",
];

#[test]
fn hostile_comment_texts_come_back_whole_and_valid_json_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hostile.jsonl");
    let comments: Vec<Value> = HOSTILE_TEXTS
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let parent = if i == 1 { Value::from("c0") } else { Value::Null };
            serde_json::json!({"id": format!("c{i}"), "author": format!("Zoë \u{202e}{i}\u{1}"), "text": t, "parent": parent})
        })
        .collect();
    let doc = serde_json::json!({
        "id": "hostile", "date": "2024-05-01", "title": "Berlin & <Bonn> \"talks\" \u{202e}",
        "text": "Germany and France met in Berlin.", "comments": comments,
    });
    std::fs::write(&input, format!("{doc}\n")).unwrap();
    let out = dir.path().join("out");
    let o = Command::new(BIN).arg("run").arg(&input).arg("--out").arg(&out).arg("--quiet").output().unwrap();
    assert!(o.status.success(), "run failed: {}", String::from_utf8_lossy(&o.stderr));
    let (n, _) = every_records_comment_has_its_own_text(&input, &out);
    assert_eq!(n, HOSTILE_TEXTS.len());
    // Each line is one JSON value on one line, whatever the text holds.
    let raw = read(&out.join("comments.jsonl"));
    assert_eq!(raw.lines().count(), HOSTILE_TEXTS.len(), "{raw}");
    let texts: Vec<String> = comment_lines(&out).iter().map(|l| l["text"].as_str().unwrap().to_string()).collect();
    assert_eq!(texts, HOSTILE_TEXTS);
    assert_eq!(comment_lines(&out)[1]["parent_id"], "c0");
}

const NETWORKX_READ: &str = r#"
import json, sys
import networkx as nx
out = {}
for name, g in (("gexf", nx.read_gexf(sys.argv[1])), ("graphml", nx.read_graphml(sys.argv[2]))):
    out[name] = sorted([s, t, d["comment_id"], d["quote"], d["implicit"], d["favour"], d["against"], d["stance"]]
                       for s, t, d in g.edges(data=True) if d["kind"] == "stance")
c = nx.read_gexf(sys.argv[3])
out["camps"] = sorted([n, d["camp"], d["camp_for"], d["camp_against"]] for n, d in c.nodes(data=True) if "camp" in d)
print(json.dumps(out))
"#;

const IGRAPH_READ: &str = r#"
import json, sys
import igraph
g = igraph.Graph.Read_GraphML(sys.argv[1])
print(json.dumps(sorted([g.vs[e.source]["id"], g.vs[e.target]["id"], e["comment_id"], e["quote"], int(e["implicit"]),
                         int(e["favour"]), int(e["against"]), e["stance"]] for e in g.es if e["kind"] == "stance")))
"#;

const GRAPHOLOGY_READ: &str = r#"
const fs = require('fs');
const Graph = require('graphology');
const gexf = require('graphology-gexf');
// With the default options.
const read = (p) => gexf.parse(Graph, fs.readFileSync(p, 'utf8'));
const g = read(process.argv[1]);
const edges = [];
g.forEachEdge((e, a, s, t) => {
  if (a.kind === 'stance') edges.push([s, t, a.comment_id, a.quote, a.implicit, a.favour, a.against, a.stance]);
});
const c = read(process.argv[2]);
const camps = [];
c.forEachNode((n, a) => { if (a.camp !== undefined) camps.push([n, a.camp, a.camp_for, a.camp_against]); });
console.log(JSON.stringify({edges, camps}));
"#;

fn python_has(module: &str) -> bool {
    let ok =
        Command::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: python3 has no {module}; its read check is skipped");
    }
    ok
}

fn json_of(mut cmd: Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The graphology-gexf folder (`make tools` installs it), or `None`.
fn graphology_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("STANCEGRAPH_NODE_DIR").map(PathBuf::from).unwrap_or_else(|| root().join(".deps/node"));
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !node || !dir.join("node_modules/graphology-gexf/package.json").is_file() {
        eprintln!("note: node or graphology-gexf is absent (`make tools`); the graphology read check is skipped");
        return None;
    }
    Some(dir)
}

#[test]
fn seed_graph_readers_read_each_stance_edges_quote_and_comment_id_and_each_camps_stand() {
    let Some(seed) = seed() else { return };
    let (_dir, out) = run(&seed);
    readers_read_each_stance_edges_evidence(&out);
}

/// networkx (GEXF, GraphML), igraph (GraphML) and graphology-gexf read, on
/// every stance edge of the set in `out`, a quote and comment id that are
/// those of a kept record of that commenter toward that entity, and each
/// camp's stand; each reader is skipped with a note when it is absent.
fn readers_read_each_stance_edges_evidence(out: &Path) {
    let recs = records(out);
    let (gexf, graphml, commenters) = (out.join("graph.gexf"), out.join("graph.graphml"), out.join("commenters.gexf"));
    let xsd = root().join("tests/fixtures/gexf-1.3-viz/gexf-viz.xsd");
    if root().join("../shared/schemas/gexf-1.3/gexf.xsd").is_file() {
        for f in [&gexf, &commenters] {
            let o = Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(f).output().expect("xmllint");
            assert!(o.status.success(), "{}: {}", f.display(), String::from_utf8_lossy(&o.stderr));
        }
    }

    // Each edge's comment id and quote are those of a kept record of that
    // commenter toward that entity.
    let check_edges = |reader: &str, edges: &Value| {
        let edges = edges.as_array().unwrap();
        assert!(!edges.is_empty(), "{reader}: no stance edge");
        for e in edges {
            let (source, target) = (e[0].as_str().unwrap(), e[1].as_str().unwrap());
            let author = source.strip_prefix("user:").unwrap();
            let rec = recs.iter().find(|r| {
                r["comment_id"] == e[2] && r["entity_id"] == target && r["author"].as_str().unwrap().trim() == author
            });
            let rec = rec.unwrap_or_else(|| panic!("{reader}: {e} names no record"));
            assert_eq!(rec["quote"]["text"], e[3], "{reader}: {e}");
            assert!(e[4].as_u64().is_some(), "{reader}: implicit is a count: {e}");
            // The stance group: numbers and a label, whether the graph is dated (dynamic) or not.
            assert!(e[5].is_u64() && e[6].is_u64() && e[7].is_string(), "{reader}: stance group types: {e}");
        }
    };
    if python_has("networkx") {
        let mut cmd = Command::new("python3");
        cmd.args(["-c", NETWORKX_READ]).arg(&gexf).arg(&graphml).arg(&commenters);
        let nx = json_of(cmd);
        check_edges("networkx gexf", &nx["gexf"]);
        check_edges("networkx graphml", &nx["graphml"]);
        assert_eq!(nx["gexf"], nx["graphml"]);
        for c in nx["camps"].as_array().unwrap() {
            assert!(c[2].is_string() && c[3].is_string(), "{c}");
        }
        let stands = nx["camps"].as_array().unwrap().iter().filter(|c| c[2] != "" || c[3] != "").count();
        assert!(nx["camps"].as_array().unwrap().is_empty() || stands > 0, "camps stand for nothing: {}", nx["camps"]);
        if python_has("igraph") {
            let mut cmd = Command::new("python3");
            cmd.args(["-c", IGRAPH_READ]).arg(&graphml);
            let ig = json_of(cmd);
            check_edges("igraph", &ig);
            assert_eq!(ig, nx["graphml"]);
        }
    }
    if let Some(dir) = graphology_dir() {
        let mut cmd = Command::new("node");
        cmd.args(["-e", GRAPHOLOGY_READ]).arg(&gexf).arg(&commenters).env("NODE_PATH", dir.join("node_modules"));
        let gy = json_of(cmd);
        check_edges("graphology", &gy["edges"]);
        for c in gy["camps"].as_array().unwrap() {
            assert!(c[2].is_string() && c[3].is_string(), "{c}");
        }
    }
}

// ------------------------------------------------------------ page size --

const HOSTILE: &str = "<script>alert(\"x\")</script> & 'quotes' \"double\" 🦀 ]]> ";

/// A hostile corpus of `docs` documents of 10 comments, each comment long
/// and speaking of two of 30 entities, by 400 commenters with long hostile
/// names, under long hostile titles.
fn corpus_of(docs: usize) -> (Vec<Document>, Vec<Entity>, Vec<Mention>, Vec<StanceRecord>) {
    let kinds = [EntityType::Person, EntityType::Country, EntityType::Organisation];
    let entities: Vec<Entity> = (0..30)
        .map(|i| Entity {
            id: format!("e{i}"),
            label: format!("Name <{i}> & \"Co\" 🦀"),
            kind: kinds[i % 3],
            aliases: Vec::new(),
            mentions: 0,
        })
        .collect();
    let author = |i: usize| format!("{}{i}", HOSTILE.repeat(6));
    let (mut documents, mut mentions, mut stances) = (Vec::new(), Vec::new(), Vec::new());
    for d in 0..docs {
        let id = format!("doc{d}");
        let mut comments = Vec::new();
        for c in 0..10 {
            let n = d * 10 + c;
            let (a, b) = (&entities[n % 30], &entities[(n * 7 + 3) % 30]);
            let before = HOSTILE.repeat(20);
            let text = format!("{before}{} and {} {}", a.label, b.label, HOSTILE.repeat(40));
            let start_a = before.chars().count();
            let start_b = start_a + a.label.chars().count() + 5;
            for (e, start) in [(a, start_a), (b, start_b)] {
                let end = start + e.label.chars().count();
                mentions.push(Mention {
                    doc_id: id.clone(),
                    source: Source::Comment(c),
                    start,
                    end,
                    text: e.label.clone(),
                    entity_id: e.id.clone(),
                    linked_by: LinkedBy::Name,
                    antecedent: None,
                });
                let stance = [Stance::Favour, Stance::Against, Stance::Neutral][(n + start) % 3];
                stances.push(StanceRecord {
                    doc_id: id.clone(),
                    comment: c,
                    comment_id: format!("{id}#{c}{}", HOSTILE.repeat(4)),
                    author: author(n % 400),
                    quote: evidence::quote(&text, Some((start, end))),
                    entity_id: e.id.clone(),
                    entity: e.label.clone(),
                    entity_type: e.kind,
                    stance,
                    confidence: 0.5 + (n % 50) as f32 / 100.0,
                    probabilities: [0.2, 0.3, 0.5],
                    model: "test".into(),
                    implicit: n % 5 == 0,
                    unsure: false,
                });
            }
            comments.push(Comment { id: None, author: author(n % 400), text, parent: None, date: None });
        }
        documents.push(Document {
            id,
            path: PathBuf::from("x.jsonl"),
            date: Some(format!("2024-{:02}-{:02}", 1 + d % 12, 1 + d % 28)),
            title: Some(HOSTILE.repeat(30)),
            text: String::new(),
            comments,
        });
    }
    let mut entities = entities;
    for e in entities.iter_mut() {
        e.mentions = mentions.iter().filter(|m| m.entity_id == e.id).count();
    }
    (documents, entities, mentions, stances)
}

fn page_of(docs: usize) -> String {
    let (documents, entities, mentions, stances) = corpus_of(docs);
    let options = GraphOptions::default();
    let g = graph::build(&documents, &entities, &mentions, &stances, &options);
    let pairs = pair_graphs::build(&g, &documents, &mentions, &stances, &options);
    let e = Exports {
        documents: &documents,
        entities: &entities,
        mentions: &graph::tally(&mentions),
        rows: RecordRows::Listed { mentions: &mentions, documents: &documents },
        stances: &stances,
        graph: &g,
        pair_graphs: &pairs,
    };
    report::render(&report::build(&e, &stancegraph::export::Summary::default()))
}

#[test]
fn the_page_size_is_bounded_by_the_caps_not_the_corpus() {
    let small = page_of(200);
    let big = page_of(2000);
    let caps = (report::TOP_ENTITIES + report::TOP_CONTESTED + 2 * report::TOP_ONE_SIDED) * 2 * QUOTES_PER_SIDE
        + report::TOP_CAMPS * report::CAMP_QUOTES;
    for page in [&small, &big] {
        assert!(page.len() < report::MAX_PAGE_BYTES, "{} bytes", page.len());
        let n = page.matches("<blockquote ").count();
        assert!(n > 100 && n <= caps, "{n} quotes, at most {caps}");
        // Hostile text is text.
        assert!(!page.contains("<script>alert"), "a quote became a script");
        assert!(page.matches("<script").count() == 3, "only the page's own scripts");
    }
    let grown = big.len() as f64 / small.len() as f64;
    assert!(grown < 1.05, "10x the comments grew the page {grown:.3}x ({} → {} bytes)", small.len(), big.len());
    let quoted = BTreeMap::from([("small", small.len()), ("big", big.len())]);
    eprintln!("report sizes: {quoted:?}");
}
