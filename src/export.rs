//! Exports: writes the graph as GEXF 1.3 (and GraphML, CSV) and the records
//! as JSON Lines, each file written to a temporary name and renamed.
//!
//! # Files ([`write_all`])
//!
//! | file             | what |
//! |------------------|------|
//! | `graph.gexf`     | GEXF 1.3, valid against the official XSD; dynamic (`timeformat="date"`) when any date is known, so Gephi's timeline works |
//! | `graph.graphml`  | GraphML with the same attributes (plus `r`/`g`/`b`/`size`, which Gephi reads as colour and size) |
//! | `nodes.csv`      | Gephi's spreadsheet import: `Id,Label,type,…` |
//! | `edges.csv`      | Gephi's spreadsheet import: `Source,Target,Type,Id,Label,Weight,kind,…` |
//! | `entities.jsonl` | one [`Entity`] a line: `{"id","label","type","aliases","mentions"}`, sorted by id |
//! | `mentions.jsonl` | one [`Mention`] a line: `{"doc_id","source","comment","author","start","end","text","type","entity_id","linked_by"}` |
//! | `stances.jsonl`  | one [`StanceRecord`] a line, as it serialises |
//! | `summary.json`   | whatever the pipeline passes in |
//! | `report.html`    | the report page, see [`crate::report`] |
//!
//! Every file is written to a hidden temporary file in the same directory,
//! flushed to disk and renamed over the final name, so a crash never leaves a
//! half-written file behind (at worst a stray `.NAME.*.tmp`, removed on any
//! error we see).
//!
//! # Attributes
//!
//! Nodes: `type` (person, country, organisation, location, misc, commenter,
//! article), `mentions`, `comments` (integers, meaning per type: see
//! [`Node`]), `date` (article date text); entities also `favour`, `against`,
//! `neutral`, `net`, `stance` (all commenters' stance toward them).
//! Edges: `kind` (stance, mention, commented), `favour`, `against`, `neutral`
//! (integers), `net` (double), `stance` (majority label), `confidence` (mean);
//! the stance fields are present on stance edges only. Edge weight: see
//! [`crate::graph`].
//!
//! # Colours
//!
//! Nodes by type (Okabe–Ito colour-blind-safe palette, commenters and articles
//! in greys so that entities stand out):
//!
//! | type         | colour          | rgb           |
//! |--------------|-----------------|---------------|
//! | person       | blue            | 0, 114, 178   |
//! | country      | orange          | 230, 159, 0   |
//! | organisation | reddish purple  | 204, 121, 167 |
//! | location     | bluish green    | 0, 158, 115   |
//! | misc         | sky blue        | 86, 180, 233  |
//! | commenter    | light grey      | 170, 170, 170 |
//! | article      | dark grey       | 85, 85, 85    |
//!
//! Stance edges by net score: grey (150, 150, 150) at 0, moving linearly to
//! green (26, 152, 80) at +1 and to red (215, 48, 39) at −1. Mention edges are
//! light blue (128, 160, 200), commented edges very light grey (215, 215, 215).
//!
//! # The viz namespace
//!
//! The official GEXF 1.3 XSD (trang-generated: `viz.xsd` has no target
//! namespace and `dynamics.xsd` declares `color`, `size`, … itself) only
//! accepts `<color>`/`<size>` in the GEXF namespace; `<viz:color>` in
//! `http://gexf.net/1.3/viz` fails validation. We therefore write them
//! unprefixed, in the GEXF namespace: the file validates, Gephi reads them
//! (its importer matches local names only) and networkx reads the file (it
//! looks for colours in the viz namespace only, so it loads the graph without
//! `viz` data; the `type` and `net` attributes carry the same information).

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::corpus::Document;
use crate::graph::{stance_name, EdgeKind, Graph, Node, NodeKind, StanceCounts};
use crate::link::{Entity, EntityType, LinkedBy, Mention, Source};
use crate::stance::StanceRecord;

/// The files [`write_all`] writes, in order.
pub const FILES: [&str; 9] = [
    "graph.gexf",
    "graph.graphml",
    "nodes.csv",
    "edges.csv",
    "entities.jsonl",
    "mentions.jsonl",
    "stances.jsonl",
    "summary.json",
    "report.html",
];

/// An export that failed, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot create output directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot serialise {}: {source}", path.display())]
    Serialize { path: PathBuf, source: serde_json::Error },
}

impl ExportError {
    /// The file (or directory) concerned.
    pub fn path(&self) -> &Path {
        match self {
            ExportError::CreateDir { path, .. }
            | ExportError::Write { path, .. }
            | ExportError::Serialize { path, .. } => path,
        }
    }
}

/// Everything [`write_all`] exports.
#[derive(Debug, Clone, Copy)]
pub struct Exports<'a> {
    pub documents: &'a [Document],
    pub entities: &'a [Entity],
    pub mentions: &'a [Mention],
    pub stances: &'a [StanceRecord],
    pub graph: &'a Graph,
}

/// Writes all of [`FILES`] into `out` (created if needed); returns their paths.
/// Stops at the first failure; files already written stay (each is whole).
pub fn write_all(out: &Path, e: &Exports, summary: &impl Serialize) -> Result<Vec<PathBuf>, ExportError> {
    fs::create_dir_all(out).map_err(|source| ExportError::CreateDir { path: out.to_path_buf(), source })?;
    let paths: Vec<PathBuf> = FILES.iter().map(|f| out.join(f)).collect();
    write_gexf(&paths[0], e.graph)?;
    write_graphml(&paths[1], e.graph)?;
    write_nodes_csv(&paths[2], e.graph)?;
    write_edges_csv(&paths[3], e.graph)?;
    crate::pause_point("export");
    write_entities_jsonl(&paths[4], e.entities)?;
    write_mentions_jsonl(&paths[5], e.mentions, e.documents, e.entities)?;
    write_stances_jsonl(&paths[6], e.stances)?;
    write_summary(&paths[7], summary)?;
    crate::report::write(&paths[8], e, summary)?;
    Ok(paths)
}

/// Writes the graph as GEXF 1.3 (see the module docs).
pub fn write_gexf(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    let today = today();
    write_atomic(path, |w| gexf(w, graph, &today).map_err(Fail::Io))
}

/// Writes the graph as GraphML.
pub fn write_graphml(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    write_atomic(path, |w| graphml(w, graph).map_err(Fail::Io))
}

/// Writes Gephi's node table.
pub fn write_nodes_csv(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    write_atomic(path, |w| nodes_csv(w, graph).map_err(Fail::Io))
}

/// Writes Gephi's edge table.
pub fn write_edges_csv(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    write_atomic(path, |w| edges_csv(w, graph).map_err(Fail::Io))
}

/// Writes `entities.jsonl`, sorted by id.
pub fn write_entities_jsonl(path: &Path, entities: &[Entity]) -> Result<(), ExportError> {
    let mut sorted: Vec<&Entity> = entities.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    write_atomic(path, |w| json_lines(w, sorted))
}

/// One line of `mentions.jsonl`.
#[derive(Debug, Serialize)]
struct MentionLine<'a> {
    doc_id: &'a str,
    source: &'static str,
    comment: Option<usize>,
    author: Option<&'a str>,
    start: usize,
    end: usize,
    text: &'a str,
    #[serde(rename = "type")]
    kind: Option<EntityType>,
    entity_id: &'a str,
    linked_by: LinkedBy,
}

/// Writes `mentions.jsonl`, in the order given. `type` is the linked entity's
/// type and `author` the comment's author (both `null` when unknown).
pub fn write_mentions_jsonl(
    path: &Path,
    mentions: &[Mention],
    documents: &[Document],
    entities: &[Entity],
) -> Result<(), ExportError> {
    let mut docs = std::collections::HashMap::new();
    for d in documents {
        docs.entry(d.id.as_str()).or_insert(d);
    }
    let mut types = std::collections::HashMap::new();
    for e in entities {
        types.entry(e.id.as_str()).or_insert(e.kind);
    }
    let lines = mentions.iter().map(|m| {
        let comment = match m.source {
            Source::Article => None,
            Source::Comment(i) => Some(i),
        };
        MentionLine {
            doc_id: &m.doc_id,
            source: if comment.is_some() { "comment" } else { "article" },
            comment,
            author: comment
                .and_then(|i| docs.get(m.doc_id.as_str()).and_then(|d| d.comments.get(i)))
                .map(|c| c.author.as_str()),
            start: m.start,
            end: m.end,
            text: &m.text,
            kind: types.get(m.entity_id.as_str()).copied(),
            entity_id: &m.entity_id,
            linked_by: m.linked_by,
        }
    });
    write_atomic(path, |w| json_lines(w, lines))
}

/// Writes `stances.jsonl`, in the order given.
pub fn write_stances_jsonl(path: &Path, stances: &[StanceRecord]) -> Result<(), ExportError> {
    write_atomic(path, |w| json_lines(w, stances))
}

/// Writes `summary.json` (pretty-printed).
pub fn write_summary(path: &Path, summary: &impl Serialize) -> Result<(), ExportError> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, summary).map_err(Fail::Json)?;
        w.write_all(b"\n").map_err(Fail::Io)
    })
}

// ---------------------------------------------------------------- writing --

/// Why filling a file failed (the path is added by [`write_atomic`]).
enum Fail {
    Io(io::Error),
    Json(serde_json::Error),
}

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes `path` through a temporary file in the same directory (created if
/// needed), synced and renamed into place. On failure the temporary file is
/// removed and `path` is untouched.
fn write_atomic<F>(path: &Path, fill: F) -> Result<(), ExportError>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<(), Fail>,
{
    let write_err = |source| ExportError::Write { path: path.to_path_buf(), source };
    let name =
        path.file_name().ok_or_else(|| write_err(io::Error::new(io::ErrorKind::InvalidInput, "not a file name")))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|source| ExportError::CreateDir { path: dir.clone(), source })?;
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.{}.tmp", std::process::id(), n));
    let tmp = dir.join(tmp_name);

    let result = (|| {
        let file = OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(Fail::Io)?;
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| Fail::Io(e.into_error()))?;
        file.sync_all().map_err(Fail::Io)?;
        drop(file);
        fs::rename(&tmp, path).map_err(Fail::Io)?;
        // Make the rename itself durable; not every file system allows it.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(()),
        Err(fail) => {
            let _ = fs::remove_file(&tmp);
            Err(match fail {
                Fail::Io(source) => write_err(source),
                Fail::Json(source) if source.is_io() => write_err(source.into()),
                Fail::Json(source) => ExportError::Serialize { path: path.to_path_buf(), source },
            })
        }
    }
}

/// One JSON value a line.
fn json_lines<W: Write, T: Serialize>(w: &mut W, items: impl IntoIterator<Item = T>) -> Result<(), Fail> {
    for item in items {
        serde_json::to_writer(&mut *w, &item).map_err(Fail::Json)?;
        w.write_all(b"\n").map_err(Fail::Io)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- colours --

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The fixed colour of a node type (see the module docs).
pub fn node_colour(kind: NodeKind) -> Rgb {
    match kind {
        NodeKind::Entity(EntityType::Person) => Rgb(0, 114, 178),
        NodeKind::Entity(EntityType::Country) => Rgb(230, 159, 0),
        NodeKind::Entity(EntityType::Organisation) => Rgb(204, 121, 167),
        NodeKind::Entity(EntityType::Location) => Rgb(0, 158, 115),
        NodeKind::Entity(EntityType::Misc) => Rgb(86, 180, 233),
        NodeKind::Commenter => Rgb(170, 170, 170),
        NodeKind::Article => Rgb(85, 85, 85),
    }
}

const NEUTRAL_GREY: Rgb = Rgb(150, 150, 150);
const FAVOUR_GREEN: Rgb = Rgb(26, 152, 80);
const AGAINST_RED: Rgb = Rgb(215, 48, 39);

/// The colour of a stance edge: grey at 0, linearly to green at +1 and red at
/// −1 (values outside `[-1, 1]` are clamped, NaN reads 0).
pub fn stance_colour(net: f64) -> Rgb {
    let net = if net.is_nan() { 0.0 } else { net.clamp(-1.0, 1.0) };
    let target = if net >= 0.0 { FAVOUR_GREEN } else { AGAINST_RED };
    let t = net.abs();
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round().clamp(0.0, 255.0) as u8;
    Rgb(mix(NEUTRAL_GREY.0, target.0), mix(NEUTRAL_GREY.1, target.1), mix(NEUTRAL_GREY.2, target.2))
}

/// The colour of an edge.
pub fn edge_colour(kind: EdgeKind, stance: Option<&StanceCounts>) -> Rgb {
    match kind {
        EdgeKind::Stance => stance_colour(stance.map_or(0.0, StanceCounts::net)),
        EdgeKind::Mention => Rgb(128, 160, 200),
        EdgeKind::Commented => Rgb(215, 215, 215),
    }
}

/// Display size of a node: entities by mentions, commenters by comments,
/// articles by mentions, growing with the square root.
fn node_size(n: &Node) -> f64 {
    let (base, scale, count) = match n.kind {
        NodeKind::Entity(_) => (10.0, 4.0, n.mentions),
        NodeKind::Commenter => (4.0, 2.0, n.comments),
        NodeKind::Article => (6.0, 2.0, n.mentions),
    };
    base + scale * (count as f64).sqrt()
}

// ---------------------------------------------------------------- text --

/// Whether `c` may appear in the exports: XML 1.0 forbids C0 controls other
/// than tab, newline and carriage return, and U+FFFE/U+FFFF; C1 controls and
/// DEL are discouraged and never meaningful in a name, so they go too.
fn keep_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

/// Escapes text for an XML attribute value or element content: `& < > " '`
/// become entities, tab/newline/CR become character references (so they
/// survive attribute-value normalisation), and characters XML forbids are
/// dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if keep_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// One CSV field (RFC 4180): forbidden characters dropped, quoted when it
/// holds a comma, quote, newline or leading/trailing space, quotes doubled.
pub fn csv_field(s: &str) -> String {
    let clean: String = s.chars().filter(|&c| keep_char(c)).collect();
    let needs_quotes = clean.contains([',', '"', '\n', '\r'])
        || clean.starts_with(char::is_whitespace)
        || clean.ends_with(char::is_whitespace);
    if needs_quotes {
        format!("\"{}\"", clean.replace('"', "\"\""))
    } else {
        clean
    }
}

/// A number as written to the exports: at most 6 decimals, no trailing zeros,
/// never `-0`, NaN/infinity as 0.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "0".to_string();
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

// ---------------------------------------------------------------- dates --

/// Today's UTC date as `YYYY-MM-DD`; `SOURCE_DATE_EPOCH` (seconds), when set,
/// replaces the clock so that outputs can be reproducible.
pub fn today() -> String {
    let secs =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or_else(|| {
            match SystemTime::now().duration_since(UNIX_EPOCH) {
                Ok(d) => i64::try_from(d.as_secs()).unwrap_or(0),
                Err(_) => 0,
            }
        });
    date_from_unix(secs)
}

/// The UTC date of a Unix time, `YYYY-MM-DD` (proleptic Gregorian; years
/// clamped to 1..=9999 so the result is always a valid `xs:date`).
pub fn date_from_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if year < 1 {
        return "0001-01-01".to_string();
    }
    if year > 9999 {
        return "9999-12-31".to_string();
    }
    format!("{year:04}-{month:02}-{day:02}")
}

// ---------------------------------------------------------------- GEXF --

/// Attribute declarations: (id = title, GEXF type).
const GEXF_NODE_ATTRS: [(&str, &str); 9] = [
    ("type", "string"),
    ("mentions", "integer"),
    ("comments", "integer"),
    ("date", "string"),
    ("favour", "integer"),
    ("against", "integer"),
    ("neutral", "integer"),
    ("net", "double"),
    ("stance", "string"),
];
const GEXF_EDGE_ATTRS: [(&str, &str); 7] = [
    ("kind", "string"),
    ("favour", "integer"),
    ("against", "integer"),
    ("neutral", "integer"),
    ("net", "double"),
    ("stance", "string"),
    ("confidence", "double"),
];

/// The attribute values of a node, in declaration order, absent ones left out.
fn node_values(n: &Node) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("type", n.kind.type_name().to_string()),
        ("mentions", n.mentions.to_string()),
        ("comments", n.comments.to_string()),
    ];
    if let Some(d) = &n.date {
        v.push(("date", d.clone()));
    }
    if let Some(s) = &n.stance {
        v.extend(stance_values(s));
    }
    v
}

/// The stance fields of a node or edge: favour, against, neutral, net, stance.
fn stance_values(s: &StanceCounts) -> [(&'static str, String); 5] {
    [
        ("favour", s.favour.to_string()),
        ("against", s.against.to_string()),
        ("neutral", s.neutral.to_string()),
        ("net", fmt_num(s.net())),
        ("stance", stance_name(s.majority()).to_string()),
    ]
}

/// The attribute values of an edge, in declaration order, absent ones left out.
fn edge_values(kind: EdgeKind, stance: Option<&StanceCounts>) -> Vec<(&'static str, String)> {
    let mut v = vec![("kind", kind.name().to_string())];
    if let Some(s) = stance {
        v.extend(stance_values(s));
        v.push(("confidence", fmt_num(s.mean_confidence())));
    }
    v
}

fn time_attrs(start: &Option<String>, end: &Option<String>) -> String {
    let mut s = String::new();
    if let Some(d) = start {
        let _ = write!(s, " start=\"{}\"", xml_escape(d));
    }
    if let Some(d) = end {
        let _ = write!(s, " end=\"{}\"", xml_escape(d));
    }
    s
}

/// Writes GEXF 1.3; `today` is the `lastmodifieddate`.
pub fn gexf<W: Write>(w: &mut W, g: &Graph, today: &str) -> io::Result<()> {
    let dynamic = g.has_time();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(w, r#"  <meta lastmodifieddate="{}">"#, xml_escape(today))?;
    writeln!(w, "    <creator>stancegraph</creator>")?;
    let about = "Stance of news commenters toward the entities the articles mention";
    match &g.provenance {
        Some(p) => writeln!(w, "    <description>{about} ({})</description>", xml_escape(p))?,
        None => writeln!(w, "    <description>{about}</description>")?,
    }
    writeln!(w, "  </meta>")?;
    if dynamic {
        writeln!(w, r#"  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">"#)?;
    } else {
        writeln!(w, r#"  <graph defaultedgetype="directed" mode="static">"#)?;
    }
    for (class, attrs) in [("node", &GEXF_NODE_ATTRS[..]), ("edge", &GEXF_EDGE_ATTRS[..])] {
        writeln!(w, r#"    <attributes class="{class}" mode="static">"#)?;
        for (id, ty) in attrs {
            writeln!(w, r#"      <attribute id="{id}" title="{id}" type="{ty}"/>"#)?;
        }
        writeln!(w, "    </attributes>")?;
    }

    writeln!(w, r#"    <nodes count="{}">"#, g.nodes.len())?;
    for n in &g.nodes {
        writeln!(
            w,
            r#"      <node id="{}" label="{}"{}>"#,
            xml_escape(&n.id),
            xml_escape(&n.label),
            if dynamic { time_attrs(&n.start, &n.end) } else { String::new() }
        )?;
        write_attvalues(w, &node_values(n))?;
        let Rgb(r, gr, b) = node_colour(n.kind);
        writeln!(w, r#"        <color r="{r}" g="{gr}" b="{b}"/>"#)?;
        writeln!(w, r#"        <size value="{}"/>"#, fmt_num(node_size(n)))?;
        writeln!(w, "      </node>")?;
    }
    writeln!(w, "    </nodes>")?;

    writeln!(w, r#"    <edges count="{}">"#, g.edges.len())?;
    for (i, e) in g.edges.iter().enumerate() {
        let label = e.stance.as_ref().map(|s| format!(r#" label="{}""#, stance_name(s.majority()))).unwrap_or_default();
        writeln!(
            w,
            r#"      <edge id="{i}" source="{}" target="{}" weight="{}"{label}{}>"#,
            xml_escape(&e.source),
            xml_escape(&e.target),
            fmt_num(e.weight),
            if dynamic { time_attrs(&e.start, &e.end) } else { String::new() }
        )?;
        write_attvalues(w, &edge_values(e.kind, e.stance.as_ref()))?;
        let Rgb(r, gr, b) = edge_colour(e.kind, e.stance.as_ref());
        writeln!(w, r#"        <color r="{r}" g="{gr}" b="{b}"/>"#)?;
        writeln!(w, "      </edge>")?;
    }
    writeln!(w, "    </edges>")?;
    writeln!(w, "  </graph>")?;
    writeln!(w, "</gexf>")?;
    Ok(())
}

fn write_attvalues<W: Write>(w: &mut W, values: &[(&str, String)]) -> io::Result<()> {
    writeln!(w, "        <attvalues>")?;
    for (id, value) in values {
        writeln!(w, r#"          <attvalue for="{id}" value="{}"/>"#, xml_escape(value))?;
    }
    writeln!(w, "        </attvalues>")
}

// ---------------------------------------------------------------- GraphML --

/// GraphML keys: (id, for, attr.name, attr.type).
const GRAPHML_KEYS: [(&str, &str, &str, &str); 29] = [
    ("n_label", "node", "label", "string"),
    ("n_type", "node", "type", "string"),
    ("n_mentions", "node", "mentions", "int"),
    ("n_comments", "node", "comments", "int"),
    ("n_date", "node", "date", "string"),
    ("n_favour", "node", "favour", "int"),
    ("n_against", "node", "against", "int"),
    ("n_neutral", "node", "neutral", "int"),
    ("n_net", "node", "net", "double"),
    ("n_stance", "node", "stance", "string"),
    ("n_first", "node", "first_date", "string"),
    ("n_last", "node", "last_date", "string"),
    ("n_r", "node", "r", "int"),
    ("n_g", "node", "g", "int"),
    ("n_b", "node", "b", "int"),
    ("n_size", "node", "size", "double"),
    ("e_kind", "edge", "kind", "string"),
    ("e_weight", "edge", "weight", "double"),
    ("e_favour", "edge", "favour", "int"),
    ("e_against", "edge", "against", "int"),
    ("e_neutral", "edge", "neutral", "int"),
    ("e_net", "edge", "net", "double"),
    ("e_stance", "edge", "stance", "string"),
    ("e_confidence", "edge", "confidence", "double"),
    ("e_first", "edge", "first_date", "string"),
    ("e_last", "edge", "last_date", "string"),
    ("e_r", "edge", "r", "int"),
    ("e_g", "edge", "g", "int"),
    ("e_b", "edge", "b", "int"),
];

/// Writes GraphML (directed); the attributes are those of the GEXF plus
/// `first_date`/`last_date`, colour as `r`/`g`/`b` and node `size`.
pub fn graphml<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (id, class, name, ty) in GRAPHML_KEYS {
        writeln!(w, r#"  <key id="{id}" for="{class}" attr.name="{name}" attr.type="{ty}"/>"#)?;
    }
    writeln!(w, r#"  <graph id="stancegraph" edgedefault="directed">"#)?;
    for n in &g.nodes {
        writeln!(w, r#"    <node id="{}">"#, xml_escape(&n.id))?;
        let mut data: Vec<(String, String)> = vec![("label".into(), n.label.clone())];
        data.extend(node_values(n).into_iter().map(|(k, v)| (k.to_string(), v)));
        if let Some(d) = &n.start {
            data.push(("first".into(), d.clone()));
        }
        if let Some(d) = &n.end {
            data.push(("last".into(), d.clone()));
        }
        let Rgb(r, gr, b) = node_colour(n.kind);
        data.push(("r".into(), r.to_string()));
        data.push(("g".into(), gr.to_string()));
        data.push(("b".into(), b.to_string()));
        data.push(("size".into(), fmt_num(node_size(n))));
        for (k, v) in data {
            writeln!(w, r#"      <data key="n_{k}">{}</data>"#, xml_escape(&v))?;
        }
        writeln!(w, "    </node>")?;
    }
    for (i, e) in g.edges.iter().enumerate() {
        writeln!(w, r#"    <edge id="e{i}" source="{}" target="{}">"#, xml_escape(&e.source), xml_escape(&e.target))?;
        let mut data: Vec<(String, String)> = vec![("weight".into(), fmt_num(e.weight))];
        data.extend(edge_values(e.kind, e.stance.as_ref()).into_iter().map(|(k, v)| (k.to_string(), v)));
        if let Some(d) = &e.start {
            data.push(("first".into(), d.clone()));
        }
        if let Some(d) = &e.end {
            data.push(("last".into(), d.clone()));
        }
        let Rgb(r, gr, b) = edge_colour(e.kind, e.stance.as_ref());
        data.push(("r".into(), r.to_string()));
        data.push(("g".into(), gr.to_string()));
        data.push(("b".into(), b.to_string()));
        for (k, v) in data {
            writeln!(w, r#"      <data key="e_{k}">{}</data>"#, xml_escape(&v))?;
        }
        writeln!(w, "    </edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")
}

// ---------------------------------------------------------------- CSV --

const NODE_COLUMNS: [&str; 13] = [
    "Id",
    "Label",
    "type",
    "mentions",
    "comments",
    "date",
    "first_date",
    "last_date",
    "favour",
    "against",
    "neutral",
    "net",
    "stance",
];
const EDGE_COLUMNS: [&str; 15] = [
    "Source",
    "Target",
    "Type",
    "Id",
    "Label",
    "Weight",
    "kind",
    "favour",
    "against",
    "neutral",
    "net",
    "stance",
    "confidence",
    "first_date",
    "last_date",
];

fn csv_row<W: Write>(w: &mut W, fields: &[String]) -> io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    w.write_all(line.join(",").as_bytes())?;
    w.write_all(b"\r\n")
}

/// Writes the node table (`Id,Label,type,…`); absent values are empty.
pub fn nodes_csv<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
    csv_row(w, &NODE_COLUMNS.map(String::from))?;
    for n in &g.nodes {
        let s = n.stance.as_ref();
        let row = [
            n.id.clone(),
            n.label.clone(),
            n.kind.type_name().to_string(),
            n.mentions.to_string(),
            n.comments.to_string(),
            n.date.clone().unwrap_or_default(),
            n.start.clone().unwrap_or_default(),
            n.end.clone().unwrap_or_default(),
            s.map(|s| s.favour.to_string()).unwrap_or_default(),
            s.map(|s| s.against.to_string()).unwrap_or_default(),
            s.map(|s| s.neutral.to_string()).unwrap_or_default(),
            s.map(|s| fmt_num(s.net())).unwrap_or_default(),
            s.map(|s| stance_name(s.majority()).to_string()).unwrap_or_default(),
        ];
        csv_row(w, &row)?;
    }
    Ok(())
}

/// Writes the edge table (`Source,Target,Type,…`; `Type` is `Directed`, `Id`
/// matches the GEXF edge id); absent values are empty.
pub fn edges_csv<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
    csv_row(w, &EDGE_COLUMNS.map(String::from))?;
    for (i, e) in g.edges.iter().enumerate() {
        let s = e.stance.as_ref();
        let row = [
            e.source.clone(),
            e.target.clone(),
            "Directed".to_string(),
            i.to_string(),
            s.map(|s| stance_name(s.majority()).to_string()).unwrap_or_default(),
            fmt_num(e.weight),
            e.kind.name().to_string(),
            s.map(|s| s.favour.to_string()).unwrap_or_default(),
            s.map(|s| s.against.to_string()).unwrap_or_default(),
            s.map(|s| s.neutral.to_string()).unwrap_or_default(),
            s.map(|s| fmt_num(s.net())).unwrap_or_default(),
            s.map(|s| stance_name(s.majority()).to_string()).unwrap_or_default(),
            s.map(|s| fmt_num(s.mean_confidence())).unwrap_or_default(),
            e.start.clone().unwrap_or_default(),
            e.end.clone().unwrap_or_default(),
        ];
        csv_row(w, &row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_forbidden_characters() {
        assert_eq!(xml_escape(r#"A&B <c> "d" 'e'"#), "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;");
        assert_eq!(xml_escape("a\u{0}b\u{1b}c\u{7f}\u{85}d\u{fffe}"), "abcd");
        assert_eq!(xml_escape("l1\nl2\tx\r"), "l1&#10;l2&#9;x&#13;");
        assert_eq!(xml_escape("Zoë 🦀 東京"), "Zoë 🦀 東京");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(" pad"), "\" pad\"");
        assert_eq!(csv_field("bell\u{7}"), "bell");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(-1e-9), "0");
        assert_eq!(fmt_num(-0.5), "-0.5");
        assert_eq!(fmt_num(f64::NAN), "0");
    }

    #[test]
    fn unix_days_to_dates() {
        assert_eq!(date_from_unix(0), "1970-01-01");
        assert_eq!(date_from_unix(951_782_400), "2000-02-29");
        assert_eq!(date_from_unix(1_709_251_199), "2024-02-29");
        assert_eq!(date_from_unix(-86_400), "1969-12-31");
        assert_eq!(date_from_unix(i64::MIN / 2), "0001-01-01");
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn stance_colours_interpolate() {
        assert_eq!(stance_colour(0.0), NEUTRAL_GREY);
        assert_eq!(stance_colour(1.0), FAVOUR_GREEN);
        assert_eq!(stance_colour(-1.0), AGAINST_RED);
        assert_eq!(stance_colour(7.0), FAVOUR_GREEN);
        assert_eq!(stance_colour(f64::NAN), NEUTRAL_GREY);
        let half = stance_colour(0.5);
        assert_eq!(half, Rgb(88, 151, 115));
    }
}
