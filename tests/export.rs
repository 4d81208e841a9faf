//! Integration tests of graph building and the exporters: a small corpus built
//! by hand (two articles, three commenters, four mentioned entities whose names
//! hold `&`, `<`, quotes, non-ASCII, an emoji and a control character, stance
//! records of all three kinds over three days, two replies) is exported to a
//! temporary directory, then every file is read back: the GEXF is validated
//! with `xmllint` against the published GEXF 1.3 XSD as redefined by our
//! `tests/fixtures/gexf-1.3-viz/gexf-viz.xsd` to take the `viz:` namespace
//! (required: the test fails if xmllint is missing; see `export`'s module
//! docs for why the published XSD alone cannot), the JSON Lines and CSV
//! files are parsed, and, when Python's networkx is installed, the GEXF and
//! GraphML are loaded with it (viz colour and size on every node).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use stancegraph::corpus::{Comment, Document};
use stancegraph::evidence;
use stancegraph::export::{self, ExportError, Exports, RecordRows, Summary, FILES};
use stancegraph::graph::{self, EdgeKind, Graph, GraphOptions, NodeKind, StanceLabel};
use stancegraph::link::{Entity, EntityType, LinkedBy, Mention, Source};
use stancegraph::outputs;
use stancegraph::pair_graphs::{self, PairGraphs};
use stancegraph::stance::{Stance, StanceRecord};

/// The published schema (in ../shared, not copied here).
const GEXF_XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/schemas/gexf-1.3/gexf.xsd");
/// Ours: the published schema with the viz elements in the viz namespace.
const GEXF_VIZ_XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gexf-1.3-viz/gexf-viz.xsd");

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

/// Every entity type, so that the misc entity with the odd label is in; and
/// every node and edge (no cap, every commenter and article, commenters
/// linked on one shared side), so that each file shows each kind.
fn all_types() -> GraphOptions {
    GraphOptions { types: GraphOptions::ALL_TYPES.to_vec(), ..GraphOptions::everything() }
}

impl Fixture {
    fn graph(&self) -> Graph {
        self.graph_with(&all_types())
    }

    fn graph_with(&self, options: &GraphOptions) -> Graph {
        graph::build(&self.documents, &self.entities, &self.mentions, &self.stances, options)
    }

    /// The pair graphs beside `g`, built with the same `options`.
    fn pairs(&self, g: &Graph, options: &GraphOptions) -> PairGraphs {
        pair_graphs::build(g, &self.documents, &self.mentions, &self.stances, options)
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
        antecedent: None,
    }
}

/// A quote with hostile text: the author's and the entity's names (which hold
/// `&`, `<`, quotes, an emoji and a control character), markup and `]]>`.
fn hostile_quote(author: &str, label: &str) -> evidence::Quote {
    let text = format!("{author} says {label}: \"<b>&amp;\" ]]> end");
    let start = author.chars().count() + 6;
    evidence::quote(&text, Some((start, start + label.chars().count())))
}

fn record(doc_id: &str, comment: usize, author: &str, e: &Entity, stance: Stance, confidence: f32) -> StanceRecord {
    StanceRecord {
        doc_id: doc_id.into(),
        comment,
        comment_id: format!("{doc_id}#{comment}"),
        author: author.into(),
        quote: hostile_quote(author, &e.label),
        entity_id: e.id.clone(),
        entity: e.label.clone(),
        entity_type: e.kind,
        stance,
        confidence,
        probabilities: [0.0; 3],
        model: "test".into(),
        implicit: false,
        unsure: false,
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
            comments: vec![
                comment(ALICE, "Kishida is right"),
                Comment { parent: Some(0), ..comment(BOB, "Japan is wrong") },
                comment(ZOE, "Café"),
            ],
        },
        Document {
            id: "d2".into(),
            path: PathBuf::from("corpus/d2.txt"),
            date: d2.map(str::to_string),
            title: None,
            text: "Japan again.".into(),
            comments: vec![
                comment(ALICE, "no"),
                comment(ZOE, "AT&T…"),
                // A reply with a date of its own, the day after its article.
                Comment { parent: Some(1), date: Some("2024-05-04".into()), ..comment(ALICE, "yes") },
            ],
        },
    ];
    let entities = vec![
        entity("person:fumio-kishida", "Fumio Kishida", EntityType::Person, 3),
        entity("JPN", "Japan", EntityType::Country, 2),
        entity("organisation:at-t", ATT, EntityType::Organisation, 2),
        entity("misc:cafe", CAFE, EntityType::Misc, 1),
        entity("location:nowhere", "Nowhere", EntityType::Location, 0),
        // Mentioned, but no comment speaks about him: no stance at all.
        entity("person:shinzo-abe", "Shinzo Abe", EntityType::Person, 1),
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
        mention("d2", Source::Article, "person:shinzo-abe", "Abe"),
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
        // One for, one against: mixed.
        record("d1", 0, ALICE, japan, Stance::Against, 0.9),
        record("d2", 0, ALICE, japan, Stance::Favour, 0.9),
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
    let pairs = f.pairs(&g, &all_types());
    let e = Exports {
        documents: &f.documents,
        entities: &f.entities,
        mentions: &graph::tally(&f.mentions),
        rows: RecordRows::Listed { mentions: &f.mentions, documents: &f.documents },
        stances: &f.stances,
        graph: &g,
        pair_graphs: &pairs,
    };
    let summary = Summary { documents: f.documents.len(), store: "Zoë & co".to_string(), ..Summary::default() };
    // A directory that does not exist yet: write_files creates it.
    let out = dir.path().join("out");
    let paths = outputs::write_files(&out, &e, &summary).expect("write_files");
    (dir, g, paths)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Runs xmllint on `file` with `schema`; `None` when the published schema
/// folder is not there (no ../shared checkout). Fails when xmllint is missing.
fn xmllint(schema: &str, file: &Path) -> Option<std::process::Output> {
    if !Path::new(GEXF_XSD).is_file() {
        eprintln!("note: {GEXF_XSD} not found (no ../shared checkout); skipping XSD validation");
        return None;
    }
    match Command::new("xmllint").arg("--noout").arg("--schema").arg(schema).arg(file).output() {
        Ok(out) => Some(out),
        Err(e) => panic!(
            "xmllint could not be run ({e}); it is required to validate the GEXF output: \
             install it with `apt-get install -y libxml2-utils`"
        ),
    }
}

/// Validates `file` against GEXF 1.3 with viz in its namespace (our wrapper
/// of the published XSD).
fn assert_valid_gexf(file: &Path) {
    let Some(out) = xmllint(GEXF_VIZ_XSD, file) else { return };
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
    let pairs = f.pairs(&g, &all_types());
    let e = Exports {
        documents: &f.documents,
        entities: &f.entities,
        mentions: &graph::tally(&f.mentions),
        rows: RecordRows::Listed { mentions: &f.mentions, documents: &f.documents },
        stances: &f.stances,
        graph: &g,
        pair_graphs: &pairs,
    };
    outputs::write_files(&out, &e, &Summary::default()).unwrap();
    assert_eq!(read(&paths[0]), before);
    assert!(read(&paths[2]).starts_with("Id,Label,Timeset,type,"));
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
    let pairs = f.pairs(&g, &all_types());
    let e = Exports {
        documents: &f.documents,
        entities: &f.entities,
        mentions: &graph::tally(&f.mentions),
        rows: RecordRows::Listed { mentions: &f.mentions, documents: &f.documents },
        stances: &f.stances,
        graph: &g,
        pair_graphs: &pairs,
    };
    let err = outputs::write_files(&blocker.join("out"), &e, &Summary::default()).unwrap_err();
    assert!(matches!(err, ExportError::CreateDir { .. }), "{err:?}");
    assert!(err.to_string().contains("blocker"), "{err}");
}

#[test]
fn gexf_is_valid_gexf_1_3_with_viz_in_its_namespace() {
    let (_dir, g, paths) = export(&fixture());
    assert_valid_gexf(&paths[0]);
    let text = read(&paths[0]);
    assert!(text.contains(r#"mode="dynamic" timeformat="date""#), "{text}");
    assert!(text.contains(r#"version="1.3""#));
    assert!(text.contains(r#"xmlns:viz="http://gexf.net/1.3/viz""#));
    assert!(text.contains("<creator>stancegraph</creator>"));
    let (nodes, edges) = (g.nodes.len(), g.edges.len());
    assert_eq!(text.matches("<viz:color ").count(), nodes + edges);
    assert_eq!(text.matches("<viz:size ").count(), nodes);
    assert_eq!(text.matches("<viz:thickness ").count(), edges);
    assert!(!text.contains("<color ") && !text.contains("<size ") && !text.contains("<thickness "), "{text}");
}

#[test]
fn the_published_xsd_alone_refuses_namespaced_viz_and_our_wrapper_still_checks() {
    let (dir, _, paths) = export(&fixture());
    // The published XSD wants colours in the GEXF namespace (see export's module docs). If this
    // starts to pass, the published XSD was fixed and the tests can validate against it directly.
    let Some(out) = xmllint(GEXF_XSD, &paths[0]) else { return };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("{http://gexf.net/1.3/viz}color"), "{stderr}");
    // The wrapper is no blank cheque: what the published files check is still checked.
    let text = read(&paths[0]);
    let broken = [
        ("a negative size", text.replacen(r#"<viz:size value=""#, r#"<viz:size value="-"#, 1)),
        ("a day that does not exist", text.replacen(r#"start="2024-05-03""#, r#"start="2024-05-32""#, 1)),
        ("a thickness on a node", text.replacen("<viz:size ", "<viz:thickness ", 1)),
        ("an unknown attribute type", text.replacen(r#"type="integer""#, r#"type="int""#, 1)),
        ("a colour channel over 255", text.replacen(r#"<viz:color r=""#, r#"<viz:color r="9"#, 1)),
    ];
    for (what, bad) in broken {
        assert_ne!(bad, text, "{what}: nothing replaced");
        let path = dir.path().join("broken.gexf");
        std::fs::write(&path, bad).unwrap();
        let out = xmllint(GEXF_VIZ_XSD, &path).expect("schemas are there");
        assert!(!out.status.success(), "{what} passed validation");
    }
}

#[test]
fn gexf_without_dates_is_static_and_valid() {
    let mut f = fixture_with_dates(None, Some("not a date"));
    f.documents[1].comments[2].date = None;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.gexf");
    export::write_gexf(&path, &f.graph()).unwrap();
    assert_valid_gexf(&path);
    let text = read(&path);
    assert!(text.contains(r#"mode="static""#));
    assert!(!text.contains("timeformat") && !text.contains("<spell") && !text.contains(" start="), "{text}");
    assert!(!text.contains(r#"mode="dynamic""#));
    // One block per class: the stance group is static like the rest.
    assert_eq!(text.matches(r#"<attributes class="node""#).count(), 1, "{text}");
    assert_eq!(text.matches(r#"<attributes class="edge""#).count(), 1, "{text}");
    // Not a date, so no time, and no date attribute either.
    assert!(!text.contains("not a date"));
    assert!(text.contains(r#"<attvalue for="stance" value="mixed"/>"#), "plain values: {text}");
}

#[test]
fn empty_graph_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.gexf");
    export::write_gexf(&path, &Graph::default()).unwrap();
    assert_valid_gexf(&path);
    assert!(read(&path).contains(r#"<nodes count="0">"#));
}

/// The text of the element (node or edge) whose opening tag contains `start`.
fn element<'a>(text: &'a str, start: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start} in {text}"));
    let block = &text[from..];
    let end = block.find("</node>").into_iter().chain(block.find("</edge>")).min().expect("closed");
    &block[..end]
}

#[test]
fn gexf_holds_the_graph() {
    let (_dir, g, paths) = export(&fixture());
    let text = read(&paths[0]);
    assert_eq!((g.nodes.len(), g.edges.len()), (10, 17));
    assert_eq!(text.matches("<node ").count(), 10);
    assert_eq!(text.matches("<edge ").count(), 17);
    assert!(text.contains(r#"<nodes count="10">"#) && text.contains(r#"<edges count="17">"#));

    // Escaping, and the control character in the Café label shown as its code.
    assert!(text.contains(r#"label="AT&amp;T &lt;Mobility&gt;""#), "{text}");
    assert!(text.contains(r#"label="Café 🍵\u{1} &quot;Club&quot;""#), "{text}");
    assert!(text.contains(r#"id="user:Bob &quot;B&quot; &amp; &lt;Co&gt;, Ltd""#), "{text}");
    assert!(text.contains(r#"id="user:Zoë 🦀""#));
    assert!(!text.contains('\u{1}'));
    assert!(text.contains(r#"label="Tokyo &amp; &lt;Seoul&gt; talks""#));
    // d2 has no title: labelled by id; it lives on its date.
    let d2 = element(&text, r#"<node id="doc:d2" label="d2">"#);
    assert!(d2.contains(r#"<spells>"#) && d2.matches("<spell ").count() == 1, "{d2}");
    assert!(d2.contains(r#"<spell start="2024-05-03" end="2024-05-03"/>"#), "{d2}");
    assert!(d2.contains(r#"<attvalue for="comments_below" value="3"/>"#), "{d2}");
    assert!(d2.contains(r#"<attvalue for="entity_mentions" value="2"/>"#), "{d2}");

    // Alice → Kishida: favour (05-01), against (05-03), favour (05-04, the reply's own date).
    let alice = element(&text, r#" source="user:alice" target="person:fumio-kishida" weight="3" label="favour">"#);
    for want in [
        r#"<attvalue for="kind" value="stance"/>"#,
        r#"<attvalue for="confidence" value="0.7"/>"#,
        r#"<attvalue for="favour" value="1" start="2024-05-01" end="2024-05-01"/>"#,
        r#"<attvalue for="favour" value="1" start="2024-05-03" end="2024-05-03"/>"#,
        r#"<attvalue for="favour" value="2" start="2024-05-04" end="2024-05-04"/>"#,
        r#"<attvalue for="against" value="1" start="2024-05-03" end="2024-05-03"/>"#,
        r#"<attvalue for="measured" value="3" start="2024-05-04" end="2024-05-04"/>"#,
        r#"<attvalue for="stance" value="favour" start="2024-05-01" end="2024-05-01"/>"#,
        r#"<attvalue for="stance" value="mixed" start="2024-05-03" end="2024-05-03"/>"#,
        r#"<attvalue for="stance" value="favour" start="2024-05-04" end="2024-05-04"/>"#,
        r#"<attvalue for="favour_share" value="0.666667" start="2024-05-04" end="2024-05-04"/>"#,
        r#"<attvalue for="against_share" value="0.5" start="2024-05-03" end="2024-05-03"/>"#,
        r#"<spell start="2024-05-01" end="2024-05-01"/>"#,
        r#"<spell start="2024-05-03" end="2024-05-03"/>"#,
        r#"<spell start="2024-05-04" end="2024-05-04"/>"#,
        r#"<viz:color r="26" g="152" b="80"/>"#,
        r#"<viz:thickness value="2.584963"/>"#,
    ] {
        assert!(alice.contains(want), "missing {want} in {alice}");
    }
    assert_eq!(alice.matches("<spell ").count(), 3, "one spell per comment date");
    // Alice → Japan: one for, one against.
    let mixed = element(&text, r#" source="user:alice" target="JPN" weight="2" label="mixed">"#);
    assert!(mixed.contains(r#"<viz:color r="118" g="42" b="131"/>"#), "{mixed}");
    // Zoë → Café: neutral only.
    let neutral = element(&text, r#" target="misc:cafe" weight="1" label="neutral">"#);
    assert!(neutral.contains(r#"<viz:color r="150" g="150" b="150"/>"#), "{neutral}");

    // Entity nodes are coloured by type and carry everyone's stance, cumulatively.
    let japan = element(&text, r#"<node id="JPN""#);
    for want in [
        r#"<viz:color r="230" g="159" b="0"/>"#,
        r#"<attvalue for="type" value="country"/>"#,
        r#"<attvalue for="mentions" value="2"/>"#,
        r#"<attvalue for="measured" value="2" start="2024-05-01" end="2024-05-01"/>"#,
        r#"<attvalue for="measured" value="3" start="2024-05-03" end="2024-05-03"/>"#,
        r#"<attvalue for="stance" value="against" start="2024-05-03" end="2024-05-03"/>"#,
    ] {
        assert!(japan.contains(want), "missing {want} in {japan}");
    }
    // Nobody spoke about Abe: no stance attribute at all, not even "neutral".
    let abe = element(&text, r#"<node id="person:shinzo-abe""#);
    for stance_attr in ["measured", "favour", "against", "neutral", "_share", "net", "stance"] {
        assert!(!abe.contains(&format!(r#"for="{stance_attr}"#)), "{stance_attr} on {abe}");
    }
    assert!(abe.contains(r#"<attvalue for="mentions" value="1"/>"#), "{abe}");

    // Sizes relative to the largest of each kind: Kishida (3 mentions) and Alice (3 comments) are.
    let size = |start: &str| {
        let el = element(&text, start);
        let v = el.split(r#"<viz:size value=""#).nth(1).and_then(|r| r.split('"').next()).unwrap();
        v.parse::<f64>().unwrap()
    };
    assert_eq!(size(r#"<node id="person:fumio-kishida""#), 48.0);
    assert!((size(r#"<node id="person:shinzo-abe""#) - (8.0 + 40.0 / 3f64.sqrt())).abs() < 1e-5);
    assert_eq!(size(r#"<node id="user:alice""#), 15.0);
    assert!((size(r#"<node id="doc:d2""#) - (5.0 + 10.0 * 0.5f64.sqrt())).abs() < 1e-5, "2 of 4 entity mentions");

    // The reply edges.
    let reply = element(&text, r#" source="user:alice" target="user:Zoë 🦀" weight="1">"#);
    assert!(reply.contains(r#"<attvalue for="kind" value="reply"/>"#), "{reply}");
    assert!(reply.contains(r#"<spell start="2024-05-04" end="2024-05-04"/>"#), "{reply}");
}

#[test]
fn attributes_are_typed_and_the_stance_group_is_declared_for_gephi_and_for_the_others() {
    let (_dir, _, paths) = export(&fixture());
    let text = read(&paths[0]);
    let decls: Vec<(&str, &str, &str)> = text
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("<attribute id=\"")?;
            let (id, rest) = l.split_once('"')?;
            let ty = rest.split("type=\"").nth(1)?.split('"').next()?;
            Some((id, ty, ""))
        })
        .collect();
    let ty = |id: &str| decls.iter().filter(|d| d.0 == id).map(|d| d.1).collect::<BTreeSet<_>>();
    for id in ["mentions", "comments_written", "comments_below", "entity_mentions", "measured", "favour", "against"] {
        assert_eq!(ty(id), BTreeSet::from(["integer"]), "{id}");
    }
    for id in ["favour_share", "against_share", "net", "confidence"] {
        assert_eq!(ty(id), BTreeSet::from(["double"]), "{id}");
    }
    assert!(!text.contains(r#"id="date""#), "dates are times, not strings");
    // Four blocks: the dynamic stance group (Gephi keeps this first declaration), then the
    // static attributes of its class with the stance group again (graphology and networkx keep
    // this last one); every other attribute is declared once.
    let blocks: Vec<&str> =
        text.split("<attributes ").skip(1).map(|b| &b[..b.find("</attributes>").unwrap()]).collect();
    let heads: Vec<&str> = blocks.iter().map(|b| b.lines().next().unwrap()).collect();
    assert_eq!(
        heads,
        [
            r#"class="node" mode="dynamic">"#,
            r#"class="node" mode="static">"#,
            r#"class="edge" mode="dynamic">"#,
            r#"class="edge" mode="static">"#
        ]
    );
    let ids = |block: &str| -> Vec<String> {
        block.split("<attribute id=\"").skip(1).map(|t| t[..t.find('"').unwrap()].to_string()).collect()
    };
    let stance = ["measured", "favour", "against", "neutral", "favour_share", "against_share", "net", "stance"];
    for (dynamic, fixed) in [(blocks[0], blocks[1]), (blocks[2], blocks[3])] {
        assert_eq!(ids(dynamic), stance);
        assert!(ids(fixed).ends_with(&stance.map(String::from)), "{fixed}");
    }
    for id in ["type", "mentions", "kind", "confidence", "quote"] {
        assert_eq!(decls.iter().filter(|d| d.0 == id).count(), 1, "{id}");
    }
}

/// Every declared attribute of a GEXF or GraphML text: (name, type), one
/// pair per declaration, whatever its class or block.
fn declared_types(text: &str) -> Vec<(String, String)> {
    let value = |tag: &str, name: &str| {
        let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[from..from + tag[from..].find('"')?].to_string())
    };
    text.lines()
        .map(str::trim)
        .filter_map(|l| match () {
            _ if l.starts_with("<attribute ") => Some((value(l, "title")?, value(l, "type")?)),
            _ if l.starts_with("<key ") => Some((value(l, "attr.name")?, value(l, "attr.type")?)),
            _ => None,
        })
        .collect()
}

#[test]
fn each_attribute_has_one_type_in_each_file_whether_the_corpus_is_dated_or_not() {
    let files = ["graph.gexf", "graph.graphml", "commenters.gexf", "entities.gexf"];
    let mut by_file: BTreeMap<&str, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for f in [fixture(), fixture_with_dates(None, None), fixture_with_a_camp()] {
        let (_dir, _, paths) = export(&f);
        for file in files {
            let text = read(paths.iter().find(|p| p.ends_with(file)).unwrap());
            for (name, ty) in declared_types(&text) {
                by_file.entry(file).or_default().entry(name).or_default().insert(ty);
            }
        }
    }
    for (file, types) in &by_file {
        for (name, tys) in types {
            assert_eq!(tys.len(), 1, "{file}: {name} is declared as {tys:?}");
        }
    }
    // The stance group keeps its number types in the dated (dynamic) and undated (static) graph.
    let graph = &by_file["graph.gexf"];
    for name in ["measured", "favour", "against", "neutral"] {
        assert_eq!(graph[name], BTreeSet::from(["integer".to_string()]), "{name}");
    }
}

#[test]
fn without_measured_comments_no_stance_is_declared() {
    let mut f = fixture();
    f.stances.clear();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.gexf");
    let g = f.graph();
    export::write_gexf(&path, &g).unwrap();
    assert_valid_gexf(&path);
    let text = read(&path);
    for id in ["measured", "favour", "against", "neutral", "favour_share", "against_share", "net", "stance"] {
        assert!(!text.contains(&format!(r#"for="{id}""#)) && !text.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(g.nodes.iter().all(|n| n.stance.is_none()));
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
    let s = e.stance.as_ref().unwrap().total();
    assert_eq!((s.favour, s.against, s.neutral), (2, 1, 0));
    assert!((s.net() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(s.label(), Some(StanceLabel::Favour));
    assert!((s.mean_confidence() - 0.7).abs() < 1e-6);
    assert_eq!(e.dates, ["2024-05-01", "2024-05-03", "2024-05-04"]);

    let zoe_att = g.edge(&format!("user:{ZOE}"), "organisation:at-t", EdgeKind::Stance).unwrap();
    let za = zoe_att.stance.as_ref().unwrap().total();
    assert_eq!((za.favour, za.against, za.neutral, za.label()), (0, 1, 1, Some(StanceLabel::Against)));
    assert_eq!((za.favour_share(), za.against_share()), (0.0, 0.5));

    let alice_japan = g.edge("user:alice", "JPN", EdgeKind::Stance).unwrap().stance.as_ref().unwrap().total();
    assert_eq!((alice_japan.favour, alice_japan.against, alice_japan.label()), (1, 1, Some(StanceLabel::Mixed)));

    let bob_japan = g.edge(&format!("user:{BOB}"), "JPN", EdgeKind::Stance).unwrap();
    assert_eq!(bob_japan.stance.as_ref().unwrap().total().net(), -1.0);
    assert_eq!(bob_japan.dates, ["2024-05-01"]);

    let cafe = g.edge(&format!("user:{ZOE}"), "misc:cafe", EdgeKind::Stance).unwrap().stance.as_ref().unwrap().total();
    assert_eq!((cafe.neutral, cafe.net(), cafe.label()), (1, 0.0, Some(StanceLabel::Neutral)));

    assert_eq!(g.edge("doc:d1", "person:fumio-kishida", EdgeKind::Mention).unwrap().weight, 2.0);
    assert_eq!(g.edge("doc:d2", "JPN", EdgeKind::Mention).unwrap().weight, 1.0);
    assert_eq!(g.edge("user:alice", "doc:d2", EdgeKind::Commented).unwrap().weight, 2.0);
    assert_eq!(g.edge("user:alice", "doc:d2", EdgeKind::Commented).unwrap().dates, ["2024-05-03", "2024-05-04"]);
    assert_eq!(g.edge(&format!("user:{BOB}"), "user:alice", EdgeKind::Reply).unwrap().weight, 1.0);
    let count = |k: EdgeKind| g.edges.iter().filter(|e| e.kind == k).count();
    assert_eq!(
        (count(EdgeKind::Stance), count(EdgeKind::Mention), count(EdgeKind::Commented), count(EdgeKind::Reply)),
        (5, 5, 5, 2)
    );

    let kishida = g.node("person:fumio-kishida").unwrap();
    assert_eq!(kishida.kind, NodeKind::Entity(EntityType::Person));
    assert_eq!((kishida.mentions, kishida.stance.as_ref().unwrap().total().total()), (Some(3), 3));
    assert!(g.node("person:shinzo-abe").unwrap().stance.is_none());
    let alice = g.node("user:alice").unwrap();
    assert_eq!((alice.comments_written, alice.entity_mentions, alice.mentions), (Some(3), Some(1), None));
    assert_eq!(alice.dates, ["2024-05-01", "2024-05-03", "2024-05-04"]);
    let d1 = g.node("doc:d1").unwrap();
    assert_eq!((d1.label.as_str(), d1.entity_mentions, d1.comments_below), ("Tokyo & <Seoul> talks", Some(4), Some(3)));
}

#[test]
fn the_default_types_and_thresholds_thin_the_graph_but_not_the_records() {
    let f = fixture();
    let default = f.graph_with(&GraphOptions::everything());
    assert!(default.node("misc:cafe").is_none(), "misc is not a default type");
    assert!(default.edge(&format!("user:{ZOE}"), "misc:cafe", EdgeKind::Stance).is_none());
    assert_eq!((default.nodes.len(), default.edges.len()), (9, 16));

    let thin_options = GraphOptions { min_mentions: 2, min_confidence: 0.6, ..all_types() };
    let thin = f.graph_with(&thin_options);
    let ids: BTreeSet<&str> = thin.nodes.iter().filter(|n| n.mentions.is_some()).map(|n| n.id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["JPN", "organisation:at-t", "person:fumio-kishida"]));
    // Alice's 0.5 favour of Kishida is below 0.6: one for, one against left.
    let ak = thin.edge("user:alice", "person:fumio-kishida", EdgeKind::Stance).unwrap();
    let ak = ak.stance.as_ref().unwrap().total();
    assert_eq!((ak.favour, ak.against, ak.label()), (1, 1, Some(StanceLabel::Mixed)));

    // The records are written whole whatever the graph holds.
    let dir = tempfile::tempdir().unwrap();
    let pairs = f.pairs(&thin, &thin_options);
    let e = Exports {
        documents: &f.documents,
        entities: &f.entities,
        mentions: &graph::tally(&f.mentions),
        rows: RecordRows::Listed { mentions: &f.mentions, documents: &f.documents },
        stances: &f.stances,
        graph: &thin,
        pair_graphs: &pairs,
    };
    let paths = outputs::write_files(dir.path(), &e, &Summary::default()).unwrap();
    assert_eq!(json_lines(&paths[6]).len(), f.stances.len());
    assert_eq!(json_lines(&paths[4]).len(), f.entities.len());
    assert_valid_gexf(&paths[0]);
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
    assert_eq!(entities.len(), 6);
    let ids: Vec<&str> = entities.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["JPN", "location:nowhere", "misc:cafe", "organisation:at-t", "person:fumio-kishida", "person:shinzo-abe"]
    );
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
    let want: BTreeSet<&str> = [
        "doc_id",
        "comment",
        "comment_id",
        "author",
        "quote",
        "entity_id",
        "entity",
        "entity_type",
        "stance",
        "confidence",
        "probabilities",
        "model",
        "implicit",
        "unsure",
    ]
    .into();
    assert_eq!(keys, want);
    let back: Vec<StanceRecord> = stances.into_iter().map(|v| serde_json::from_value(v).unwrap()).collect();
    assert_eq!(back, f.stances);
    assert_eq!(json_lines(&paths[6])[1]["stance"], "against");
    assert_eq!(json_lines(&paths[6])[1]["author"], BOB);
    // The comment id and the quote with the mention's offsets in it.
    let first = &json_lines(&paths[6])[0];
    assert_eq!(first["comment_id"], "d1#0");
    let quote = first["quote"]["text"].as_str().unwrap();
    let [s, e] = [0, 1].map(|i| first["quote"]["mention"][i].as_u64().unwrap() as usize);
    assert_eq!(quote.chars().skip(s).take(e - s).collect::<String>(), "Fumio Kishida");

    let summary: Value = serde_json::from_str(&read(&paths[7])).unwrap();
    assert_eq!((&summary["documents"], &summary["store"]), (&serde_json::json!(2), &serde_json::json!("Zoë & co")));
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
    assert_eq!(nodes[0][..4], ["Id", "Label", "Timeset", "type"]);
    assert_eq!(nodes.len(), 1 + g.nodes.len());
    assert!(nodes.iter().all(|r| r.len() == nodes[0].len()));
    let col = |name: &str| nodes[0].iter().position(|c| c == name).unwrap();
    let bob = nodes.iter().find(|r| r[0] == format!("user:{BOB}")).expect("Bob's row");
    assert_eq!(bob[1], BOB);
    assert_eq!(bob[col("type")], "commenter");
    assert_eq!(bob[col("comments_written")], "1");
    assert_eq!(bob[col("mentions")], "");
    assert_eq!(bob[col("Timeset")], "<[2024-05-01, 2024-05-01]>");
    let cafe = nodes.iter().find(|r| r[0] == "misc:cafe").unwrap();
    assert_eq!(cafe[1], "Café 🍵\\u{1} \"Club\"");
    assert_eq!((cafe[col("neutral")].as_str(), cafe[col("stance")].as_str()), ("1", "neutral"));
    let abe = nodes.iter().find(|r| r[0] == "person:shinzo-abe").unwrap();
    assert_eq!(
        (abe[col("mentions")].as_str(), abe[col("stance")].as_str(), abe[col("measured")].as_str()),
        ("1", "", "")
    );

    let edges = parse_csv(&read(&paths[3]));
    assert_eq!(edges[0][..8], ["Source", "Target", "Type", "Id", "Label", "Weight", "Timeset", "kind"]);
    assert_eq!(edges.len(), 1 + g.edges.len());
    assert!(edges[1..].iter().all(|r| r[2] == "Directed" && r.len() == edges[0].len()));
    let ecol = |name: &str| edges[0].iter().position(|c| c == name).unwrap();
    let zoe_att = edges.iter().find(|r| r[0] == format!("user:{ZOE}") && r[1] == "organisation:at-t").unwrap();
    assert_eq!(zoe_att[ecol("kind")], "stance");
    assert_eq!(zoe_att[ecol("Weight")], "2");
    assert_eq!(zoe_att[ecol("net")], "-0.5");
    assert_eq!(zoe_att[ecol("against_share")], "0.5");
    assert_eq!((zoe_att[ecol("stance")].as_str(), zoe_att[ecol("Label")].as_str()), ("against", "against"));
    assert_eq!(zoe_att[ecol("Timeset")], "<[2024-05-03, 2024-05-03]>");
    let ak = edges.iter().find(|r| r[0] == "user:alice" && r[1] == "person:fumio-kishida").unwrap();
    assert_eq!(ak[ecol("Timeset")], "<[2024-05-01, 2024-05-01]; [2024-05-03, 2024-05-03]; [2024-05-04, 2024-05-04]>");
    let mention = edges.iter().find(|r| r[0] == "doc:d1" && r[1] == "person:fumio-kishida").unwrap();
    assert_eq!((mention[ecol("kind")].as_str(), mention[ecol("Weight")].as_str()), ("mention", "2"));
    assert_eq!(mention[ecol("favour")], "");
    let reply = edges.iter().find(|r| r[0] == format!("user:{BOB}") && r[1] == "user:alice").unwrap();
    assert_eq!((reply[ecol("kind")].as_str(), reply[ecol("Weight")].as_str()), ("reply", "1"));
    // A stance edge names the comment behind its most confident record and quotes it.
    assert_eq!(ak[ecol("comment_id")], "d1#0");
    assert_eq!(ak[ecol("quote")], hostile_quote(ALICE, "Fumio Kishida").text);
    assert_eq!(ak[ecol("implicit")], "0");
    assert_eq!((reply[ecol("quote")].as_str(), reply[ecol("comment_id")].as_str()), ("", ""));
}

/// The fixture plus comments by hostile names: one that differs from
/// another only by a noncharacter, a right-to-left override, a control, and
/// a quote that holds commas, quotes, CR LF and a hidden character before
/// the mention.
fn fixture_with_hostile_unicode() -> Fixture {
    let mut f = fixture();
    let kishida = f.entities[0].clone();
    let authors = ["ab", "a\u{fffe}b", "evil\u{202e}eman", "bell\u{7}\u{fdd0}"];
    f.documents[0].title = Some("Talks \u{202e}won\u{1b} \u{fffe}".into());
    for (i, author) in authors.into_iter().enumerate() {
        f.documents[0].comments.push(comment(author, "Kishida, again"));
        let mut r = record("d1", 3 + i, author, &kishida, Stance::Favour, 0.6);
        let text = format!("{author} wrote, \"quoted\"\r\nline two\u{1}: Fumio Kishida, the end");
        let start = text.chars().count() - "Fumio Kishida, the end".chars().count();
        r.quote = evidence::Quote { mention: Some([start, start + 13]), text };
        r.probabilities = [0.1, 0.3, 0.6];
        f.stances.push(r);
    }
    f
}

#[test]
fn stances_csv_holds_every_record_of_stances_jsonl() {
    let f = fixture_with_hostile_unicode();
    let (_dir, _, paths) = export(&f);
    let csv_path = paths.iter().find(|p| p.ends_with("stances.csv")).unwrap();
    let text = read(csv_path);
    let rows = parse_csv(&text);
    assert_eq!(rows[0], export::csv::STANCE_COLUMNS);
    assert_eq!(rows.len(), 1 + f.stances.len());
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    for (row, r) in rows[1..].iter().zip(&f.stances) {
        assert_eq!(row.len(), rows[0].len());
        let shown = export::show_hidden;
        let want = [
            ("doc_id", r.doc_id.clone()),
            ("comment", r.comment.to_string()),
            ("comment_id", r.comment_id.clone()),
            ("author", shown(&r.author)),
            ("entity_id", r.entity_id.clone()),
            ("entity", shown(&r.entity)),
            ("entity_type", r.entity_type.as_str().to_string()),
            ("stance", r.stance.as_str().to_string()),
            ("model", r.model.clone()),
            ("implicit", r.implicit.to_string()),
            ("unsure", r.unsure.to_string()),
            ("quote", shown(&r.quote.text)),
        ];
        for (name, value) in want {
            assert_eq!(row[col(name)], value, "{name} of {r:?}");
        }
        let num = |name: &str| row[col(name)].parse::<f32>().unwrap();
        assert!((num("confidence") - r.confidence).abs() < 1e-6);
        for (i, name) in ["p_against", "p_neutral", "p_favour"].into_iter().enumerate() {
            assert!((num(name) - r.probabilities[i]).abs() < 1e-6, "{name} of {r:?}");
        }
        // The offsets pick the mention out of the quote as written.
        let [s, e] = [col("mention_start"), col("mention_end")].map(|c| row[c].parse::<usize>().unwrap());
        let mention: String = row[col("quote")].chars().skip(s).take(e - s).collect();
        let [rs, re] = r.quote.mention.unwrap();
        assert_eq!(mention, shown(&r.quote.text.chars().skip(rs).take(re - rs).collect::<String>()));
    }
    // The hostile quotes: quoted, quotes doubled, the line break inside the field.
    assert!(text.contains("\"ab wrote, \"\"quoted\"\"\r\nline two\\u{1}: Fumio Kishida, the end\""), "{text}");
    let authors: BTreeSet<&str> = rows[1..].iter().map(|r| r[col("author")].as_str()).collect();
    assert!(authors.contains("ab") && authors.contains("a\\u{fffe}b"), "{authors:?}");
}

#[test]
fn comments_jsonl_gives_each_records_comment_its_whole_text_once() {
    let mut f = fixture_with_hostile_unicode();
    // Texts a JSON writer could get wrong, one with a reply's parent.
    f.documents[0].comments[3].text = "say \"x\" \\ </script> \u{0}\u{1b}\r\nnext\u{2028}\u{fffe} 👩‍👩‍👧 e\u{301}".into();
    f.documents[0].comments[4].id = Some("c-4".into());
    f.documents[0].comments[5].parent = Some(4);
    let (_dir, _, paths) = export(&f);
    let path = paths.iter().find(|p| p.ends_with("comments.jsonl")).unwrap();
    let raw = read(path);
    let lines = json_lines(path);
    let all: Vec<(&Document, usize, &Comment)> =
        f.documents.iter().flat_map(|d| d.comments.iter().enumerate().map(move |(i, c)| (d, i, c))).collect();
    assert_eq!((raw.lines().count(), lines.len()), (all.len(), all.len()), "one line a comment: {raw}");
    let keys: BTreeSet<&str> = lines[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["comment_id", "doc_id", "comment", "title", "author", "date", "parent_id", "text"])
    );
    for (l, (d, i, c)) in lines.iter().zip(&all) {
        assert_eq!((l["doc_id"].as_str(), l["comment"].as_u64()), (Some(d.id.as_str()), Some(*i as u64)));
        assert_eq!(l["text"].as_str(), Some(c.text.as_str()), "the text of {}#{i}", d.id);
        assert_eq!(l["author"].as_str(), Some(c.author.as_str()));
        assert_eq!(l["title"].as_str(), d.title.as_deref());
        assert_eq!(l["date"].as_str(), c.date.as_deref().or(d.date.as_deref()), "own date, else the document's");
    }
    let line = |doc: &str, i: usize| lines.iter().find(|l| l["doc_id"] == doc && l["comment"] == i).unwrap();
    assert_eq!(line("d1", 4)["comment_id"], "c-4");
    assert_eq!(line("d1", 5)["parent_id"], "c-4");
    assert_eq!(line("d1", 1)["parent_id"], "d1#0");
    assert_eq!(line("d1", 0)["parent_id"], Value::Null);
    assert_eq!(line("d2", 2)["date"], "2024-05-04");
    assert_eq!(line("d1", 3)["text"], f.documents[0].comments[3].text.as_str());
    // Every record's comment resolves to one line, with the record's comment id.
    for r in &f.stances {
        let l = line(&r.doc_id, r.comment);
        let comment = &f.documents.iter().find(|d| d.id == r.doc_id).unwrap().comments[r.comment];
        assert_eq!(l["text"].as_str(), Some(comment.text.as_str()));
        assert_eq!(l["author"].as_str(), Some(r.author.as_str()));
    }
}

#[test]
fn hostile_unicode_stays_distinct_valid_xml_and_unreversed() {
    let f = fixture_with_hostile_unicode();
    let (_dir, g, paths) = export(&f);
    // Two names that differ only by U+FFFE are two commenters, with two ids in every file.
    let users: BTreeSet<&str> = g.nodes.iter().filter(|n| n.id.starts_with("user:")).map(|n| n.id.as_str()).collect();
    assert!(users.contains("user:ab") && users.contains("user:a\u{fffe}b"), "{users:?}");
    for path in &paths {
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.ends_with(".jsonl") || name.ends_with(".json") {
            continue; // JSON holds any character as itself or as a \u escape
        }
        let text = read(path);
        for c in ['\u{fffe}', '\u{fdd0}', '\u{1}', '\u{7}', '\u{1b}'] {
            assert!(!text.contains(c), "{name} holds U+{:04X}", c as u32);
        }
        if name.ends_with(".gexf") || name.ends_with(".graphml") {
            let ids: Vec<&str> = text.split("<node id=\"").skip(1).map(|t| &t[..t.find('"').unwrap()]).collect();
            let distinct: BTreeSet<&&str> = ids.iter().collect();
            assert_eq!(ids.len(), distinct.len(), "{name}: a node id twice");
            if name.starts_with("graph.") {
                assert!(text.contains("a\\u{fffe}b"), "{name}");
            }
            if Command::new("xmllint").arg("--version").output().is_ok() {
                let out = Command::new("xmllint").arg("--noout").arg(path).output().unwrap();
                assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        if name.ends_with(".gexf") {
            assert_valid_gexf(path);
        }
    }
    // The report: the override is shown as its code, never obeyed; isolates are balanced.
    let html = read(paths.iter().find(|p| p.ends_with("report.html")).unwrap());
    assert!(!html.contains('\u{202e}') && !html.contains('\u{202d}'), "a direction override in the page");
    assert!(html.contains("evil\\u{202e}eman"), "the name is shown with its override visible");
    assert!(html.contains("Talks \\u{202e}won\\u{1b} \\u{fffe}"), "the title likewise");
    assert_eq!(html.matches('\u{2068}').count(), html.matches('\u{2069}').count());
    for part in html.split('\u{2068}').skip(1) {
        let inside = &part[..part.find('\u{2069}').expect("an isolate is closed")];
        assert!(!inside.contains('<'), "an isolate spans markup: {inside:?}");
    }
    if Command::new("python3").args(["-c", "import networkx"]).output().is_ok_and(|o| o.status.success()) {
        let users_in = |reader: &str, file: &Path| {
            let code = format!(
                "import sys, networkx as nx; g = nx.{reader}(sys.argv[1]); print(sum(1 for n in g if n.startswith('user:')))"
            );
            let out = Command::new("python3").args(["-c", &code]).arg(file).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().parse::<usize>().unwrap()
        };
        assert_eq!(users_in("read_gexf", &paths[0]), users.len());
        assert_eq!(users_in("read_graphml", &paths[1]), users.len());
    }
}

/// Every bidirectional control: embeddings and overrides, isolates, marks.
const BIDI: [char; 12] = [
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    '\u{200e}', '\u{200f}', '\u{061c}',
];

/// What a graph file shows of a name: each bidirectional control as `\u{..}`.
fn shown_bidi(s: &str) -> String {
    s.chars().map(|c| if BIDI.contains(&c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect()
}

/// The value of the XML attribute `name="..."` on `line`, if any.
fn xml_attribute<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let at = line.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&line[at..at + line[at..].find('"')?])
}

#[test]
fn graph_files_show_bidi_controls_in_labels_and_the_evidence_keeps_them() {
    let mut f = fixture_with_hostile_unicode();
    // A commenter whose name holds every control.
    let hostile = format!("rtl{}", BIDI.iter().map(|c| format!("{c}x")).collect::<String>());
    let kishida = f.entities[0].clone();
    f.documents[0].comments.push(comment(&hostile, "Kishida"));
    f.stances.push(record("d1", f.documents[0].comments.len() - 1, &hostile, &kishida, Stance::Against, 0.7));
    // An entity whose name reads backwards if its override is obeyed.
    f.entities[1].label = "\u{202e}napaJ\u{202c} \u{2067}Nippon\u{2069}".into();
    let japan_shown = "\\u{202e}napaJ\\u{202c} \\u{2067}Nippon\\u{2069}";
    assert_eq!(shown_bidi(&f.entities[1].label), japan_shown);
    let (_dir, _, paths) = export(&f);
    let path = |name: &str| paths.iter().find(|p| p.ends_with(name)).unwrap().clone();

    // The graph files: node labels, quotes and camps show every control as its code.
    let mut shown: Vec<String> = Vec::new();
    for name in ["graph.gexf", "commenters.gexf", "entities.gexf"] {
        for line in read(&path(name)).lines() {
            if line.contains("<node id=") {
                shown.push(xml_attribute(line, "label").unwrap().to_string());
            } else if ["quote", "camp_for", "camp_against"].iter().any(|a| line.contains(&format!("for=\"{a}\""))) {
                shown.push(xml_attribute(line, "value").unwrap().to_string());
            }
        }
    }
    for line in read(&path("graph.graphml")).lines() {
        if line.contains(r#"key="n_label""#) || line.contains(r#"key="e_quote""#) {
            shown.push(line.split('>').nth(1).unwrap().split('<').next().unwrap().to_string());
        }
    }
    for (file, column) in [("nodes.csv", "Label"), ("edges.csv", "quote")] {
        let rows = parse_csv(&read(&path(file)));
        let col = rows[0].iter().position(|c| c == column).unwrap();
        shown.extend(rows[1..].iter().map(|r| r[col].clone()));
    }
    for text in &shown {
        assert!(!text.contains(BIDI), "a bidi control in a graph file's label or quote: {text:?}");
    }
    for want in ["evil\\u{202e}eman".to_string(), shown_bidi(&hostile), japan_shown.to_string()] {
        let with_want = shown.iter().filter(|t| t.contains(&want)).count();
        assert!(with_want >= 4, "{want} shown in {with_want} labels: {shown:?}");
    }
    assert!(shown.iter().any(|t| t.starts_with(&shown_bidi(&hostile))), "the quote of the hostile author's edge");

    // The evidence files keep the text as written: they are data.
    let records = json_lines(&path("stances.jsonl"));
    assert!(records.iter().any(|r| r["author"] == hostile.as_str()), "stances.jsonl keeps the author");
    assert!(records.iter().any(|r| r["author"] == "evil\u{202e}eman"));
    let entities = json_lines(&path("entities.jsonl"));
    assert!(entities.iter().any(|e| e["label"] == f.entities[1].label.as_str()), "entities.jsonl keeps the name");
    let comments = json_lines(&path("comments.jsonl"));
    assert!(comments.iter().any(|c| c["author"] == hostile.as_str()));
    let rows = parse_csv(&read(&path("stances.csv")));
    let author = rows[0].iter().position(|c| c == "author").unwrap();
    assert!(rows.iter().any(|r| r[author] == hostile), "stances.csv keeps the author");
}

#[test]
fn stance_edges_carry_the_quote_and_comment_id_of_their_most_confident_record() {
    let mut f = fixture();
    // An implicit record on Zoë's AT&T edge, the most confident one.
    let att = f.entities[2].clone();
    let mut implicit = record("d2", 1, ZOE, &att, Stance::Against, 0.95);
    implicit.implicit = true;
    implicit.quote = evidence::quote("no mention of it here", None);
    f.stances.push(implicit);
    let (_dir, g, paths) = export(&f);
    let ev = |source: &str, target: &str| {
        g.edge(source, target, EdgeKind::Stance).and_then(|e| e.evidence.clone()).expect("a stance edge with evidence")
    };
    let ak = ev("user:alice", "person:fumio-kishida");
    assert_eq!((ak.comment_id.as_str(), ak.implicit), ("d1#0", 0));
    assert_eq!(ak.quote, hostile_quote(ALICE, "Fumio Kishida").text);
    let za = ev(&format!("user:{ZOE}"), "organisation:at-t");
    assert_eq!((za.comment_id.as_str(), za.quote.as_str(), za.implicit), ("d2#1", "no mention of it here", 1));
    assert!(g.edges.iter().filter(|e| e.kind != EdgeKind::Stance).all(|e| e.evidence.is_none()));

    // Hostile quotes stay text: valid GEXF 1.3, well-formed GraphML.
    assert_valid_gexf(&paths[0]);
    let gexf = read(&paths[0]);
    assert!(gexf.contains(r#"<attribute id="quote" title="quote" type="string"/>"#));
    assert!(gexf.contains(r#"<attribute id="comment_id" title="comment_id" type="string"/>"#));
    let quoted = export::xml_escape(&ak.quote);
    assert!(quoted.contains("&lt;b&gt;&amp;amp;&quot; ]]&gt; end"), "{quoted}");
    assert!(gexf.contains(&format!(r#"<attvalue for="quote" value="{quoted}"/>"#)), "no quote attvalue");
    let graphml = read(&paths[1]);
    assert!(graphml.contains(&format!(r#"<data key="e_quote">{quoted}</data>"#)));
    assert!(graphml.contains(r#"<data key="e_comment_id">d1#0</data>"#));
    let out = Command::new("xmllint").arg("--noout").arg(&paths[1]).output().expect("xmllint");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
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

gexf, graphml, bob, zoe, att, quote = sys.argv[1:7]
for name, g in (("gexf", nx.read_gexf(gexf)), ("graphml", nx.read_graphml(graphml))):
    assert g.is_directed(), name
    assert g.number_of_nodes() == 10, (name, g.number_of_nodes())
    assert g.number_of_edges() == 17, (name, g.number_of_edges())
    assert g.nodes["organisation:at-t"]["label"] == att, (name, g.nodes["organisation:at-t"])
    assert g.nodes["organisation:at-t"]["type"] == "organisation", name
    assert g.nodes["JPN"]["mentions"] == 2, name
    assert g.nodes["user:alice"]["comments_written"] == 3, name
    assert "favour" not in g.nodes["person:shinzo-abe"], name
    assert ("user:" + bob) in g, name
    e = g.edges["user:alice", "person:fumio-kishida"]
    assert e["kind"] == "stance" and e["weight"] == 3.0, (name, e)
    assert g.edges["doc:d1", "JPN"]["kind"] == "mention", name
    assert g.edges["user:" + bob, "user:alice"]["kind"] == "reply", name
    # The evidence of a stance edge: the quote (hostile text) and the comment id.
    assert (e["comment_id"], e["quote"], e["implicit"]) == ("d1#0", quote, 0), (name, e)
    assert "quote" not in g.edges["doc:d1", "JPN"], name

g = nx.read_gexf(gexf)
assert g.graph["mode"] == "dynamic"
# Colour and size on every node, in the viz namespace.
for n, d in g.nodes(data=True):
    viz = d.get("viz", {})
    assert set(viz.get("color", {})) >= {"r", "g", "b"}, (n, d)
    assert isinstance(viz.get("size"), float) and viz["size"] > 0, (n, d)
assert g.nodes["JPN"]["viz"]["color"] == {"r": 230, "g": 159, "b": 0, "a": 1.0}
assert g.nodes["doc:d1"]["spells"] == [("2024-05-01", "2024-05-01")], g.nodes["doc:d1"]
e = g.edges["user:alice", "person:fumio-kishida"]
assert e["spells"] == [("2024-05-01", "2024-05-01"), ("2024-05-03", "2024-05-03"), ("2024-05-04", "2024-05-04")], e
# The stance group's last declaration is static: networkx reads the last value of each, the total
# (numbers, as in an undated graph; the history per date is Gephi's).
assert (e["favour"], e["against"], e["measured"], e["stance"]) == (2, 1, 3, "favour"), e
assert isinstance(e["favour_share"], float) and isinstance(e["confidence"], float), e

g = nx.read_graphml(graphml)
e = g.edges["user:alice", "person:fumio-kishida"]
assert (e["favour"], e["against"], e["stance"]) == (2, 1, "favour"), e
assert e["dates"] == "2024-05-01 2024-05-03 2024-05-04", e
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
        .arg(hostile_quote(ALICE, "Fumio Kishida").text)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "networkx could not read the exports:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fixture with three commenters who all favour Kishida (one camp).
fn fixture_with_a_camp() -> Fixture {
    let mut f = fixture();
    let kishida = f.entities[0].clone();
    f.stances.push(record("d1", 1, BOB, &kishida, Stance::Favour, 0.8));
    f.stances.push(record("d1", 2, ZOE, &kishida, Stance::Favour, 0.8));
    f
}

#[test]
fn pair_graph_files_are_valid_undirected_gexf_1_3() {
    let f = fixture_with_a_camp();
    let (_dir, g, paths) = export(&f);
    let (commenters, entities) = (&paths[8], &paths[9]);
    assert!(commenters.ends_with("commenters.gexf") && entities.ends_with("entities.gexf"));
    assert_valid_gexf(commenters);
    assert_valid_gexf(entities);

    // Commenters: alice, Bob and Zoë agree on Kishida (favour): one camp, three edges of net 1.
    let text = read(commenters);
    assert!(text.contains(r#"<graph defaultedgetype="undirected" mode="dynamic" timeformat="date">"#), "{text}");
    assert_eq!((text.matches("<node ").count(), text.matches("<edge ").count()), (3, 3), "{text}");
    assert_eq!(text.matches("<viz:color ").count(), 6);
    assert_eq!(text.matches("<viz:size ").count(), 3);
    // Pairs run in name order: "Bob …" sorts before "alice".
    let alice_bob =
        element(&text, r#" source="user:Bob &quot;B&quot; &amp; &lt;Co&gt;, Ltd" target="user:alice" weight="1">"#);
    for want in [
        r#"<attvalue for="agreements" value="1"/>"#,
        r#"<attvalue for="disagreements" value="0"/>"#,
        r#"<attvalue for="shared" value="1"/>"#,
        r#"<attvalue for="net" value="1"/>"#,
        r#"<viz:color r="230" g="159" b="0"/>"#,
        r#"<spell start="2024-05-01" end="2024-05-01"/>"#,
    ] {
        assert!(alice_bob.contains(want), "missing {want} in {alice_bob}");
    }
    let alice = element(&text, r#"<node id="user:alice" label="alice">"#);
    for want in [
        r#"<attvalue for="comments_written" value="3"/>"#,
        r#"<attvalue for="sides" value="1"/>"#,
        r#"<attvalue for="camp" value="1"/>"#,
        r#"<attvalue for="camp_for" value="Fumio Kishida"/>"#,
        r#"<attvalue for="camp_against" value="AT&amp;T &lt;Mobility&gt;; Japan"/>"#,
        r#"<viz:color r="230" g="159" b="0"/>"#,
        r#"<viz:size value="15"/>"#,
    ] {
        assert!(alice.contains(want), "missing {want} in {alice}");
    }
    for id in ["comments_written", "sides", "camp", "agreements", "disagreements", "shared", "net"] {
        assert!(text.contains(&format!(r#"<attribute id="{id}" title="{id}" type="integer"/>"#)), "{id}: {text}");
    }

    // Entities: Alice speaks of Kishida and Japan in one comment twice (d1 and d2), Bob once (d1),
    // each time on opposite sides; Zoë of the Café and Kishida, with no side on the Café.
    let text = read(entities);
    assert!(text.contains(r#"defaultedgetype="undirected""#));
    let kj = element(&text, r#" source="JPN" target="person:fumio-kishida" weight="3">"#);
    for want in [
        r#"<attvalue for="comments" value="3"/>"#,
        r#"<attvalue for="same_stance" value="0"/>"#,
        r#"<attvalue for="opposite_stance" value="3"/>"#,
        r#"<spell start="2024-05-01" end="2024-05-01"/>"#,
        r#"<spell start="2024-05-03" end="2024-05-03"/>"#,
        r#"<viz:color r="128" g="160" b="200"/>"#,
        r#"<viz:thickness value="2.584963"/>"#,
    ] {
        assert!(kj.contains(want), "missing {want} in {kj}");
    }
    let cafe = element(&text, r#" source="misc:cafe" target="person:fumio-kishida" weight="1">"#);
    assert!(cafe.contains(r#"<attvalue for="same_stance" value="0"/>"#), "{cafe}");
    assert!(cafe.contains(r#"<attvalue for="opposite_stance" value="0"/>"#), "{cafe}");
    assert_eq!(text.matches("<edge ").count(), 2, "{text}");
    // Entity nodes as in graph.gexf: same labels and sizes, coloured by their favour/against
    // balance; Abe is only in article text.
    let main = read(&paths[0]);
    for id in ["JPN", "person:fumio-kishida", "organisation:at-t", "misc:cafe"] {
        let node = element(&text, &format!(r#"<node id="{id}""#));
        let there = element(&main, &format!(r#"<node id="{id}""#));
        let line = |el: &str, part: &str| el.lines().find(|l| l.contains(part)).unwrap().trim().to_string();
        for part in ["label=", "<viz:size "] {
            assert_eq!(line(node, part), line(there, part), "{id}: {part}");
        }
        let export::Rgb(r, gr, b) = export::balance_colour(g.node(id).unwrap().stance.as_ref());
        assert_eq!(line(node, "<viz:color "), format!(r#"<viz:color r="{r}" g="{gr}" b="{b}"/>"#), "{id}");
    }
    // JPN: more against than favour (a reddish grey); nothing measured is light grey.
    let jpn = g.node("JPN").unwrap().stance.as_ref().unwrap().total();
    assert!(jpn.net() < 0.0, "{jpn:?}");
    assert!(element(&text, r#"<node id="JPN""#).contains(r#"<viz:color r="205" g="149" b="146"/>"#));
    assert_eq!(export::balance_colour(None), export::Rgb(200, 200, 200));
    assert!(!text.contains("person:shinzo-abe"), "{text}");
    assert!(text.contains(r#"label="AT&amp;T &lt;Mobility&gt;""#));
    assert!(g.node("person:shinzo-abe").is_some());
}

#[test]
fn empty_pair_graphs_are_valid() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = export::Sizes::default();
    let c = dir.path().join("commenters.gexf");
    let e = dir.path().join("entities.gexf");
    export::write_commenters_gexf(&c, &pair_graphs::CommenterGraph::default(), &sizes).unwrap();
    export::write_entities_gexf(&e, &pair_graphs::EntityGraph::default(), &sizes).unwrap();
    for p in [&c, &e] {
        assert_valid_gexf(p);
        let text = read(p);
        assert!(text.contains(r#"<nodes count="0">"#) && text.contains(r#"<edges count="0">"#), "{text}");
        assert!(text.contains(r#"mode="static""#) && !text.contains("<attributes"), "{text}");
    }
}

const NETWORKX_PAIRS: &str = r#"
import sys
import networkx as nx
c = nx.read_gexf(sys.argv[1])
e = nx.read_gexf(sys.argv[2])
for g in (c, e):
    assert not g.is_directed()
    for n, d in g.nodes(data=True):
        assert set(d["viz"]["color"]) >= {"r", "g", "b"} and d["viz"]["size"] > 0, (n, d)
assert c.number_of_nodes() == 3 and c.number_of_edges() == 3
assert c.nodes["user:alice"]["camp"] == 1 and c.nodes["user:alice"]["sides"] == 1
# What the camp stands for.
# (Bob opposes Japan, Zoë AT&T; alice has one for and one against Japan: no side.)
assert (c.nodes["user:alice"]["camp_for"], c.nodes["user:alice"]["camp_against"]) == ("Fumio Kishida", sys.argv[4]), c.nodes["user:alice"]
ab = c.edges["user:alice", "user:" + sys.argv[3]]
assert (ab["agreements"], ab["disagreements"], ab["net"], ab["weight"]) == (1, 0, 1, 1.0), ab
kj = e.edges["JPN", "person:fumio-kishida"]
assert (kj["comments"], kj["same_stance"], kj["opposite_stance"], kj["weight"]) == (3, 0, 3, 3.0), kj
assert e.nodes["JPN"]["type"] == "country" and e.nodes["JPN"]["mentions"] == 2
print("ok")
"#;

#[test]
fn networkx_reads_the_pair_graphs() {
    let has_networkx =
        Command::new("python3").args(["-c", "import networkx"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !has_networkx {
        eprintln!("note: python3 with networkx not available; skipping the networkx read check");
        return;
    }
    let (_dir, _, paths) = export(&fixture_with_a_camp());
    let out = Command::new("python3")
        .args(["-c", NETWORKX_PAIRS])
        .arg(&paths[8])
        .arg(&paths[9])
        .arg(BOB)
        .arg(format!("{ATT}; Japan"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "networkx could not read the pair graphs:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
