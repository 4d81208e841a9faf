//! Integration tests of graph building and the exporters: a small corpus built
//! by hand (two articles, three commenters, four mentioned entities whose names
//! hold `&`, `<`, quotes, non-ASCII, an emoji and a control character, stance
//! records of all three kinds) is exported to a temporary directory, then
//! every file is read back: the GEXF is validated against the official GEXF
//! 1.3 XSD with `xmllint` (required: the test fails if it is missing), the
//! JSON Lines and CSV files are parsed, and, when Python's networkx is
//! installed, the GEXF and GraphML are loaded with it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use stancegraph::corpus::{Comment, Document};
use stancegraph::export::{self, ExportError, Exports, FILES};
use stancegraph::graph::{self, EdgeKind, Graph, NodeKind};
use stancegraph::link::{Entity, EntityType, LinkedBy, Mention, Source};
use stancegraph::stance::{Stance, StanceRecord};

const GEXF_XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/schemas/gexf-1.3/gexf.xsd");

const ALICE: &str = "alice";
const BOB: &str = "Bob \"B\" & <Co>, Ltd";
const ZOE: &str = "Zoë 🦀";
const ATT: &str = "AT&T <Mobility>";
const CAFE: &str = "Café 🍵\u{1} \"Club\"";

struct Fixture {
    documents: Vec<Document>,
    entities: Vec<Entity>,
    mentions: Vec<Mention>,
    stances: Vec<StanceRecord>,
}

impl Fixture {
    fn graph(&self) -> Graph {
        graph::build(&self.documents, &self.entities, &self.mentions, &self.stances)
    }
}

fn comment(author: &str, text: &str) -> Comment {
    Comment { id: None, author: author.into(), text: text.into(), parent: None, date: None }
}

fn entity(id: &str, label: &str, kind: EntityType, mentions: usize) -> Entity {
    Entity { id: id.into(), label: label.into(), kind, aliases: vec![label.into()], mentions }
}

fn mention(doc_id: &str, source: Source, entity_id: &str, text: &str) -> Mention {
    Mention {
        doc_id: doc_id.into(),
        source,
        start: 0,
        end: text.chars().count(),
        text: text.into(),
        entity_id: entity_id.into(),
        linked_by: LinkedBy::Name,
    }
}

fn record(doc_id: &str, comment: usize, author: &str, e: &Entity, stance: Stance, confidence: f32) -> StanceRecord {
    StanceRecord {
        doc_id: doc_id.into(),
        comment,
        author: author.into(),
        entity_id: e.id.clone(),
        entity: e.label.clone(),
        entity_type: e.kind,
        stance,
        confidence,
    }
}

fn fixture_with_dates(d1: Option<&str>, d2: Option<&str>) -> Fixture {
    let documents = vec![
        Document {
            id: "d1".into(),
            path: PathBuf::from("corpus/d1.txt"),
            date: d1.map(str::to_string),
            title: Some("Tokyo & <Seoul> talks".into()),
            text: "Kishida met Japan's partners. AT&T <Mobility> said Kishida…".into(),
            comments: vec![comment(ALICE, "Kishida is right"), comment(BOB, "Japan is wrong"), comment(ZOE, "Café")],
        },
        Document {
            id: "d2".into(),
            path: PathBuf::from("corpus/d2.txt"),
            date: d2.map(str::to_string),
            title: None,
            text: "Japan again.".into(),
            comments: vec![comment(ALICE, "no"), comment(ZOE, "AT&T…"), comment(ALICE, "yes")],
        },
    ];
    let entities = vec![
        entity("person:fumio-kishida", "Fumio Kishida", EntityType::Person, 3),
        entity("JPN", "Japan", EntityType::Country, 2),
        entity("organisation:at-t", ATT, EntityType::Organisation, 2),
        entity("misc:cafe", CAFE, EntityType::Misc, 1),
        entity("location:nowhere", "Nowhere", EntityType::Location, 0),
    ];
    let mentions = vec![
        mention("d1", Source::Article, "person:fumio-kishida", "Kishida"),
        mention("d1", Source::Article, "JPN", "Japan"),
        mention("d1", Source::Article, "organisation:at-t", ATT),
        mention("d1", Source::Article, "person:fumio-kishida", "Kishida"),
        mention("d1", Source::Comment(0), "person:fumio-kishida", "Kishida"),
        mention("d1", Source::Comment(2), "misc:cafe", "Café"),
        mention("d2", Source::Article, "JPN", "Japan"),
        mention("d2", Source::Comment(1), "organisation:at-t", "AT&T"),
    ];
    let [kishida, japan, att, cafe, nowhere] = [0, 1, 2, 3, 4].map(|i| &entities[i]);
    let stances = vec![
        record("d1", 0, ALICE, kishida, Stance::Favour, 0.9),
        record("d1", 1, BOB, japan, Stance::Against, 0.8),
        record("d1", 2, ZOE, cafe, Stance::Neutral, 0.5),
        record("d2", 0, ALICE, kishida, Stance::Against, 0.7),
        record("d2", 1, ZOE, att, Stance::Against, 0.6),
        record("d2", 1, ZOE, att, Stance::Neutral, 0.4),
        record("d2", 2, ALICE, kishida, Stance::Favour, 0.5),
        // Toward an entity with no mention: not in the graph.
        record("d2", 2, ALICE, nowhere, Stance::Favour, 0.5),
    ];
    Fixture { documents, entities, mentions, stances }
}

fn fixture() -> Fixture {
    fixture_with_dates(Some("2024-05-01"), Some("2024-05-03"))
}

/// Writes everything for `f` into a fresh temporary directory.
fn export(f: &Fixture) -> (tempfile::TempDir, Graph, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = f.graph();
    let e = Exports {
        documents: &f.documents,
        entities: &f.entities,
        mentions: &f.mentions,
        stances: &f.stances,
        graph: &g,
    };
    let summary = serde_json::json!({ "documents": f.documents.len(), "note": "Zoë & co" });
    // A directory that does not exist yet: write_all creates it.
    let out = dir.path().join("out");
    let paths = export::write_all(&out, &e, &summary).expect("write_all");
    (dir, g, paths)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Validates `file` against the GEXF 1.3 XSD with xmllint. Fails when xmllint
/// is missing; skips (with a note) when the schema folder is not there.
fn assert_valid_gexf(file: &Path) {
    if !Path::new(GEXF_XSD).is_file() {
        eprintln!("note: {GEXF_XSD} not found (no ../shared checkout); skipping XSD validation");
        return;
    }
    let out = match Command::new("xmllint").arg("--noout").arg("--schema").arg(GEXF_XSD).arg(file).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "xmllint could not be run ({e}); it is required to validate the GEXF output: \
             install it with `apt-get install -y libxml2-utils`"
        ),
    };
    assert!(
        out.status.success(),
        "{} is not valid GEXF 1.3:\n{}\n--- file ---\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr),
        read(file)
    );
}

#[test]
fn writes_every_file_and_no_temporary_file() {
    let (dir, _, paths) = export(&fixture());
    let out = dir.path().join("out");
    assert_eq!(paths, FILES.iter().map(|f| out.join(f)).collect::<Vec<_>>());
    let listed: BTreeSet<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let expected: BTreeSet<String> = FILES.iter().map(|f| f.to_string()).collect();
    assert_eq!(listed, expected, "only the final files, no leftover temporary files");
    for p in &paths {
        assert!(std::fs::metadata(p).unwrap().len() > 0, "{} is empty", p.display());
    }
}

#[test]
fn rewriting_replaces_files_whole() {
    let f = fixture();
    let (dir, g, paths) = export(&f);
    let out = dir.path().join("out");
    let before = read(&paths[0]);
    std::fs::write(&paths[2], "stale").unwrap();
    let e = Exports {
        documents: &f.documents,
        entities: &f.entities,
        mentions: &f.mentions,
        stances: &f.stances,
        graph: &g,
    };
    export::write_all(&out, &e, &serde_json::json!({})).unwrap();
    assert_eq!(read(&paths[0]), before);
    assert!(read(&paths[2]).starts_with("Id,Label,type,"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), FILES.len());
}

#[test]
fn failed_write_names_the_file_and_leaves_nothing() {
    let f = fixture();
    let g = f.graph();
    let dir = tempfile::tempdir().unwrap();
    // The target name is an existing directory: the rename must fail.
    let target = dir.path().join("graph.gexf");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "x").unwrap();
    let err = export::write_gexf(&target, &g).unwrap_err();
    assert!(matches!(err, ExportError::Write { .. }), "{err:?}");
    assert_eq!(err.path(), target.as_path());
    assert!(err.to_string().contains("graph.gexf"), "{err}");
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["graph.gexf"], "no temporary file left behind");

    // The output directory cannot be created: a file is in the way.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "x").unwrap();
    let e = Exports {
        documents: &f.documents,
        entities: &f.entities,
        mentions: &f.mentions,
        stances: &f.stances,
        graph: &g,
    };
    let err = export::write_all(&blocker.join("out"), &e, &serde_json::json!({})).unwrap_err();
    assert!(matches!(err, ExportError::CreateDir { .. }), "{err:?}");
    assert!(err.to_string().contains("blocker"), "{err}");
}

#[test]
fn gexf_is_valid_gexf_1_3() {
    let (_dir, _, paths) = export(&fixture());
    assert_valid_gexf(&paths[0]);
    let text = read(&paths[0]);
    assert!(text.contains(r#"mode="dynamic" timeformat="date""#), "{text}");
    assert!(text.contains(r#"version="1.3""#));
    assert!(text.contains("<creator>stancegraph</creator>"));
}

#[test]
fn gexf_without_dates_is_static_and_valid() {
    let f = fixture_with_dates(None, Some("not a date"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.gexf");
    export::write_gexf(&path, &f.graph()).unwrap();
    assert_valid_gexf(&path);
    let text = read(&path);
    assert!(text.contains(r#"mode="static""#));
    assert!(!text.contains("timeformat"));
    assert!(!text.contains(" start="));
    // The unparseable date is kept as the article's date text.
    assert!(text.contains(r#"<attvalue for="date" value="not a date"/>"#));
}

#[test]
fn empty_graph_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.gexf");
    export::write_gexf(&path, &Graph::default()).unwrap();
    assert_valid_gexf(&path);
    assert!(read(&path).contains(r#"<nodes count="0">"#));
}

#[test]
fn gexf_holds_the_graph() {
    let (_dir, g, paths) = export(&fixture());
    let text = read(&paths[0]);
    assert_eq!(text.matches("<node ").count(), 9);
    assert_eq!(text.matches("<edge ").count(), 13);
    assert_eq!((g.nodes.len(), g.edges.len()), (9, 13));
    assert!(text.contains(r#"<nodes count="9">"#) && text.contains(r#"<edges count="13">"#));

    // Escaping, and the control character in the Café label dropped.
    assert!(text.contains(r#"label="AT&amp;T &lt;Mobility&gt;""#), "{text}");
    assert!(text.contains(r#"label="Café 🍵 &quot;Club&quot;""#), "{text}");
    assert!(text.contains(r#"id="user:Bob &quot;B&quot; &amp; &lt;Co&gt;, Ltd""#), "{text}");
    assert!(text.contains(r#"id="user:Zoë 🦀""#));
    assert!(!text.contains('\u{1}'));
    assert!(text.contains(r#"label="Tokyo &amp; &lt;Seoul&gt; talks""#));
    // d2 has no title: labelled by id.
    assert!(text.contains(r#"<node id="doc:d2" label="d2" start="2024-05-03" end="2024-05-03">"#), "{text}");

    // Alice → Kishida: favour, against, favour over two days.
    let alice = r#" source="user:alice" target="person:fumio-kishida" weight="3" label="favour" start="2024-05-01" end="2024-05-03">"#;
    assert!(text.contains(alice), "{text}");
    let block = &text[text.find(alice).unwrap()..];
    let block = &block[..block.find("</edge>").unwrap()];
    for want in [
        r#"<attvalue for="kind" value="stance"/>"#,
        r#"<attvalue for="favour" value="2"/>"#,
        r#"<attvalue for="against" value="1"/>"#,
        r#"<attvalue for="neutral" value="0"/>"#,
        r#"<attvalue for="net" value="0.333333"/>"#,
        r#"<attvalue for="stance" value="favour"/>"#,
        r#"<attvalue for="confidence" value="0.7"/>"#,
    ] {
        assert!(block.contains(want), "missing {want} in {block}");
    }
    // Colour: a third of the way from grey to green.
    assert!(block.contains(r#"<color r="109" g="151" b="127"/>"#), "{block}");

    // Entity nodes are coloured by type.
    let japan = &text[text.find(r#"<node id="JPN""#).unwrap()..];
    let japan = &japan[..japan.find("</node>").unwrap()];
    assert!(japan.contains(r#"<color r="230" g="159" b="0"/>"#), "{japan}");
    assert!(japan.contains(r#"<attvalue for="type" value="country"/>"#));
    assert!(japan.contains(r#"<attvalue for="mentions" value="2"/>"#));
    assert!(japan.contains(r#"<attvalue for="net" value="-1"/>"#));
}

#[test]
fn aggregation() {
    let g = fixture().graph();
    assert!(g.node("location:nowhere").is_none(), "entities without mentions are left out");
    let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);

    let e = g.edge("user:alice", "person:fumio-kishida", EdgeKind::Stance).unwrap();
    let s = e.stance.unwrap();
    assert_eq!((s.favour, s.against, s.neutral), (2, 1, 0));
    assert!((s.net() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(s.majority(), Stance::Favour);
    assert!((s.mean_confidence() - 0.7).abs() < 1e-6);

    let zoe_att = g.edge(&format!("user:{ZOE}"), "organisation:at-t", EdgeKind::Stance).unwrap().stance.unwrap();
    assert_eq!((zoe_att.favour, zoe_att.against, zoe_att.neutral), (0, 1, 1));
    assert_eq!(zoe_att.net(), -0.5);
    assert_eq!(zoe_att.majority(), Stance::Against, "a tie goes by the sign of net");

    let bob_japan = g.edge(&format!("user:{BOB}"), "JPN", EdgeKind::Stance).unwrap();
    assert_eq!(bob_japan.stance.unwrap().net(), -1.0);
    assert_eq!(bob_japan.start.as_deref(), Some("2024-05-01"));

    let cafe = g.edge(&format!("user:{ZOE}"), "misc:cafe", EdgeKind::Stance).unwrap().stance.unwrap();
    assert_eq!((cafe.neutral, cafe.net(), cafe.majority()), (1, 0.0, Stance::Neutral));

    assert_eq!(g.edge("doc:d1", "person:fumio-kishida", EdgeKind::Mention).unwrap().weight, 2.0);
    assert_eq!(g.edge("doc:d2", "JPN", EdgeKind::Mention).unwrap().weight, 1.0);
    assert_eq!(g.edge("user:alice", "doc:d2", EdgeKind::Commented).unwrap().weight, 2.0);
    assert_eq!(g.edges.iter().filter(|e| e.kind == EdgeKind::Stance).count(), 4);
    assert_eq!(g.edges.iter().filter(|e| e.kind == EdgeKind::Mention).count(), 4);
    assert_eq!(g.edges.iter().filter(|e| e.kind == EdgeKind::Commented).count(), 5);

    let kishida = g.node("person:fumio-kishida").unwrap();
    assert_eq!(kishida.kind, NodeKind::Entity(EntityType::Person));
    assert_eq!((kishida.mentions, kishida.comments), (3, 3));
    let alice = g.node("user:alice").unwrap();
    assert_eq!((alice.comments, alice.mentions), (3, 1));
    assert_eq!((alice.start.as_deref(), alice.end.as_deref()), (Some("2024-05-01"), Some("2024-05-03")));
    let d1 = g.node("doc:d1").unwrap();
    assert_eq!((d1.label.as_str(), d1.mentions, d1.comments), ("Tokyo & <Seoul> talks", 4, 3));
}

fn json_lines(path: &Path) -> Vec<Value> {
    read(path)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: bad line {l:?}: {e}", path.display())))
        .collect()
}

#[test]
fn jsonl_files_read_back() {
    let f = fixture();
    let (_dir, _, paths) = export(&f);

    let entities = json_lines(&paths[4]);
    assert_eq!(entities.len(), 5);
    let ids: Vec<&str> = entities.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["JPN", "location:nowhere", "misc:cafe", "organisation:at-t", "person:fumio-kishida"]);
    let att = &entities[3];
    assert_eq!(att["label"], ATT);
    assert_eq!(att["type"], "organisation");
    assert_eq!(att["aliases"], serde_json::json!([ATT]));
    assert_eq!(att["mentions"], 2);
    let back: Entity = serde_json::from_value(entities[2].clone()).unwrap();
    assert_eq!(back, f.entities[3], "the control character survives in JSON");

    let mentions = json_lines(&paths[5]);
    assert_eq!(mentions.len(), f.mentions.len());
    let first = &mentions[0];
    assert_eq!(first["doc_id"], "d1");
    assert_eq!(first["source"], "article");
    assert_eq!(first["comment"], Value::Null);
    assert_eq!(first["author"], Value::Null);
    assert_eq!(first["type"], "person");
    assert_eq!(first["entity_id"], "person:fumio-kishida");
    assert_eq!((first["start"].as_u64(), first["end"].as_u64()), (Some(0), Some(7)));
    let in_comment = &mentions[7];
    assert_eq!(in_comment["source"], "comment");
    assert_eq!(in_comment["comment"], 1);
    assert_eq!(in_comment["author"], ZOE);
    assert_eq!(in_comment["type"], "organisation");
    assert_eq!(in_comment["text"], "AT&T");
    assert_eq!(in_comment["linked_by"], "name");

    let stances = json_lines(&paths[6]);
    assert_eq!(stances.len(), f.stances.len());
    let keys: BTreeSet<&str> = stances[0].as_object().unwrap().keys().map(String::as_str).collect();
    let want: BTreeSet<&str> =
        ["doc_id", "comment", "author", "entity_id", "entity", "entity_type", "stance", "confidence"].into();
    assert_eq!(keys, want);
    let back: Vec<StanceRecord> = stances.into_iter().map(|v| serde_json::from_value(v).unwrap()).collect();
    assert_eq!(back, f.stances);
    assert_eq!(json_lines(&paths[6])[1]["stance"], "against");
    assert_eq!(json_lines(&paths[6])[1]["author"], BOB);

    let summary: Value = serde_json::from_str(&read(&paths[7])).unwrap();
    assert_eq!(summary, serde_json::json!({ "documents": 2, "note": "Zoë & co" }));
}

/// A strict RFC 4180 reader, enough for the checks below.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => {
                assert_ne!(c, '"', "stray quote in CSV");
                field.push(c);
            }
        }
    }
    assert!(!quoted && field.is_empty() && row.is_empty(), "CSV must end with a line break");
    rows
}

#[test]
fn csv_tables_read_back() {
    let (_dir, g, paths) = export(&fixture());
    let nodes = parse_csv(&read(&paths[2]));
    assert_eq!(nodes[0][..3], ["Id", "Label", "type"]);
    assert_eq!(nodes.len(), 1 + g.nodes.len());
    assert!(nodes.iter().all(|r| r.len() == nodes[0].len()));
    let col = |name: &str| nodes[0].iter().position(|c| c == name).unwrap();
    let bob = nodes.iter().find(|r| r[0] == format!("user:{BOB}")).expect("Bob's row");
    assert_eq!(bob[1], BOB);
    assert_eq!(bob[col("type")], "commenter");
    let cafe = nodes.iter().find(|r| r[0] == "misc:cafe").unwrap();
    assert_eq!(cafe[1], "Café 🍵 \"Club\"");
    assert_eq!(cafe[col("neutral")], "1");

    let edges = parse_csv(&read(&paths[3]));
    assert_eq!(edges[0][..6], ["Source", "Target", "Type", "Id", "Label", "Weight"]);
    assert_eq!(edges.len(), 1 + g.edges.len());
    assert!(edges[1..].iter().all(|r| r[2] == "Directed" && r.len() == edges[0].len()));
    let ecol = |name: &str| edges[0].iter().position(|c| c == name).unwrap();
    let zoe_att = edges.iter().find(|r| r[0] == format!("user:{ZOE}") && r[1] == "organisation:at-t").unwrap();
    assert_eq!(zoe_att[ecol("kind")], "stance");
    assert_eq!(zoe_att[ecol("Weight")], "2");
    assert_eq!(zoe_att[ecol("net")], "-0.5");
    assert_eq!(zoe_att[ecol("stance")], "against");
    assert_eq!(zoe_att[ecol("first_date")], "2024-05-03");
    let mention = edges.iter().find(|r| r[0] == "doc:d1" && r[1] == "person:fumio-kishida").unwrap();
    assert_eq!((mention[ecol("kind")].as_str(), mention[ecol("Weight")].as_str()), ("mention", "2"));
    assert_eq!(mention[ecol("favour")], "");
}

#[test]
fn graphml_is_well_formed() {
    let (_dir, g, paths) = export(&fixture());
    let text = read(&paths[1]);
    assert_eq!(text.matches("<node ").count(), g.nodes.len());
    assert_eq!(text.matches("<edge ").count(), g.edges.len());
    assert!(text.contains(r#"<data key="n_label">AT&amp;T &lt;Mobility&gt;</data>"#));
    if Command::new("xmllint").arg("--version").output().is_ok() {
        let out = Command::new("xmllint").arg("--noout").arg(&paths[1]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

const NETWORKX_CHECK: &str = r#"
import sys
import networkx as nx

gexf, graphml, bob, zoe, att = sys.argv[1:6]
for name, g in (("gexf", nx.read_gexf(gexf)), ("graphml", nx.read_graphml(graphml))):
    assert g.is_directed(), name
    assert g.number_of_nodes() == 9, (name, g.number_of_nodes())
    assert g.number_of_edges() == 13, (name, g.number_of_edges())
    assert g.nodes["organisation:at-t"]["label"] == att, (name, g.nodes["organisation:at-t"])
    assert g.nodes["organisation:at-t"]["type"] == "organisation", name
    assert g.nodes["JPN"]["mentions"] == 2, name
    assert ("user:" + bob) in g, name
    e = g.edges["user:alice", "person:fumio-kishida"]
    assert e["kind"] == "stance" and e["favour"] == 2 and e["against"] == 1 and e["neutral"] == 0, (name, e)
    assert abs(e["net"] - 1 / 3) < 1e-5, (name, e)
    assert e["weight"] == 3.0, (name, e)
    assert g.edges["user:" + zoe, "organisation:at-t"]["stance"] == "against", name
    assert g.edges["doc:d1", "JPN"]["kind"] == "mention", name

g = nx.read_gexf(gexf)
assert g.graph["mode"] == "dynamic"
assert g.nodes["doc:d1"]["start"] == "2024-05-01", g.nodes["doc:d1"]
assert g.edges["user:alice", "person:fumio-kishida"]["end"] == "2024-05-03"
print("networkx ok", nx.__version__)
"#;

#[test]
fn networkx_reads_gexf_and_graphml() {
    let has_networkx =
        Command::new("python3").args(["-c", "import networkx"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !has_networkx {
        eprintln!("note: python3 with networkx not available; skipping the networkx read check");
        return;
    }
    let (_dir, _, paths) = export(&fixture());
    let out = Command::new("python3")
        .args(["-c", NETWORKX_CHECK])
        .arg(&paths[0])
        .arg(&paths[1])
        .args([BOB, ZOE, ATT])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "networkx could not read the exports:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
