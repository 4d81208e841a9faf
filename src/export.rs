//! Exports: writes the graph as GEXF 1.3 (and GraphML, CSV) and the records
//! as JSON Lines, each file written to a temporary name and renamed. What
//! the nodes, edges, counts, stance labels and dates mean is decided in
//! [`crate::graph`]; this module decides how they are written and drawn.
//!
//! # Files ([`write_all`])
//!
//! | file             | what |
//! |------------------|------|
//! | `graph.gexf`     | GEXF 1.3 with `viz:` colours, sizes and thicknesses; dynamic (`timeformat="date"`, spells, dynamic stance attributes) when any date is known, so Gephi's timeline works |
//! | `graph.graphml`  | GraphML with the same attributes as totals (plus `dates`, `r`/`g`/`b` and node `size`) |
//! | `nodes.csv`      | Gephi's spreadsheet import: `Id,Label,Timeset,type,…` |
//! | `edges.csv`      | Gephi's spreadsheet import: `Source,Target,Type,Id,Label,Weight,Timeset,kind,…,confidence,implicit,comment_id,quote` |
//! | `entities.jsonl` | one [`Entity`] a line: `{"id","label","type","aliases","mentions"}`, sorted by id |
//! | `mentions.jsonl` | one [`Mention`] a line: `{"doc_id","source","comment","author","start","end","text","type","entity_id","linked_by","pronoun","antecedent"}` (`antecedent`: where a pronoun's person was found, `comment`, `parent` or `article`; `null` for names) |
//! | `stances.jsonl`  | one [`StanceRecord`] a line, as it serialises (every record, whatever `--min-confidence`): with `comment_id`, `quote` (`text`, `mention` offsets), `probabilities`, `model`, `implicit`, `unsure` |
//! | `stances.csv`    | the same records, one row each ([`STANCE_COLUMNS`]): for a spreadsheet |
//! | `summary.json`   | whatever the pipeline passes in |
//! | `commenters.gexf`| GEXF 1.3, undirected: commenters linked by positive net agreement, coloured by camp ([`crate::pair_graphs`]) |
//! | `entities.gexf`  | GEXF 1.3, undirected: entities linked by co-mention in one comment ([`crate::pair_graphs`]) |
//! | `report.html`    | the report page, see [`crate::report`] |
//!
//! Every file is written to a hidden temporary file in the same directory,
//! flushed to disk and renamed over the final name, so a crash never leaves a
//! half-written file behind (at worst a stray `.NAME.*.tmp`, removed on any
//! error we see).
//!
//! # GEXF attributes
//!
//! Declared only when some node or edge carries them, numbers typed
//! `integer` or `double`:
//!
//! * nodes, static: `type` (person, country, organisation, location, misc,
//!   commenter, article), `mentions` (entities), `comments_written`
//!   (commenters), `comments_below` (articles), `entity_mentions`
//!   (commenters, articles);
//! * nodes (entities with measured comments only) and stance edges, the
//!   **stance group**: `measured`, `favour`, `against`, `neutral`
//!   (integers), `favour_share`, `against_share`, `net` (doubles), `stance`
//!   (favour, against, neutral, mixed);
//! * edges, static: `kind` (stance, mention, commented, reply), `confidence`
//!   (stance edges: mean confidence of the records counted); stance edges
//!   also `quote` and `comment_id` (the comment behind the edge's most
//!   confident record, [`crate::graph::EdgeEvidence`], so a reader can judge
//!   the edge in Gephi's Data Laboratory) and `implicit` (records of the edge
//!   whose comment does not name the entity). The edge
//!   `weight` is the XML attribute; its meaning per kind is in
//!   [`crate::graph`]. A stance edge's `label` is its stance.
//!
//! Dates use the GEXF date type: `timeformat="date"` and `xs:date` spells
//! (`<spells><spell start="D" end="D"/></spells>`, one per date the element
//! is seen at). In a dynamic graph the stance group is written as one
//! `<attvalue for=".." value=".." start="D" end="D"/>` per date, in date
//! order, the value counting every record up to and including D
//! (cumulative; see [`crate::graph`]); an element whose records are all
//! undated gets plain values (Gephi reads them as holding at all times). A
//! graph without any date is static, and so are all its attributes, one
//! block per class.
//!
//! A GEXF `<attributes>` block has one mode for all its attributes, so in a
//! dynamic graph a class needs a dynamic block and a static one, and the
//! readers disagree on what to do with two: Gephi (`ImporterGEXF`) keeps the
//! first declaration of an id and skips a later one with a log line;
//! networkx lets a later declaration replace an earlier one; graphology-gexf
//! 0.13 keeps only a class's last block and, by default, refuses a value
//! whose attribute that block does not declare. So the stance group is
//! declared twice, with the same types: `mode="dynamic"` in the first block
//! (Gephi's timeline replays it) and again in the class's last block,
//! `mode="static"`, with the static attributes. graphology's defaults then
//! read every file, and graphology and networkx give the stance group the
//! same numbers in a dated and an undated graph: the last value written, the
//! total.
//!
//! # Colours, sizes, thickness (the `viz` namespace)
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
//! Stance edges by their final stance: favour green (26, 152, 80), against
//! red (215, 48, 39), mixed purple (118, 42, 131), neutral grey (150, 150,
//! 150). Mention edges light blue (128, 160, 200), commented edges very light
//! grey (215, 215, 215), reply edges slate blue (90, 90, 160). The colours
//! are the final picture; over the timeline, Gephi recolours by the dynamic
//! `stance` attribute (Appearance → Partition, with auto-apply).
//!
//! Node sizes grow with the square root of a count, relative to the largest
//! of its kind in the graph, so the default layout stays readable whatever
//! the corpus size: entities 8–48 by `mentions`, articles 5–15 by
//! `entity_mentions`, commenters 3–15 by `comments_written`. Edge thickness
//! is `1 + log2(weight)`.
//!
//! # The pair graphs
//!
//! `commenters.gexf` and `entities.gexf` are written like `graph.gexf` (same
//! prologue, viz namespace, typed attributes, spells when any element has a
//! date) but undirected, with their own attributes, all static totals
//! except the entity nodes' stance group (as in `graph.gexf`):
//!
//! * `commenters.gexf`: nodes `comments_written`, `sides` (entities the
//!   commenter took a side on), `camp` (absent: in no camp), `camp_for` and
//!   `camp_against` (what the camp stands for: the entities more of its
//!   members favour than oppose, and the reverse, `; `-separated); edges
//!   `agreements`, `disagreements`, `shared`, `net` (integers), `weight` =
//!   `net`, always positive (why: [`crate::pair_graphs`]). Nodes are
//!   coloured by camp ([`CAMP_COLOURS`], camp 1 first; no camp grey), sized
//!   as in `graph.gexf`; an edge inside a camp takes the camp's colour, one
//!   across camps is grey.
//! * `entities.gexf`: nodes `type`, `mentions` and the stance group, with
//!   `graph.gexf`'s sizes, coloured by their favour/against balance
//!   ([`balance_colour`]: `net` −1 red (215, 48, 39) through light grey
//!   (200, 200, 200) at 0 to +1 green (26, 152, 80); light grey when no kept
//!   record is about the entity); edges `comments` (= `weight`),
//!   `same_stance`, `opposite_stance` (integers), light blue.
//!
//! Sizes are relative to the largest node of the kind in `graph.gexf`, so a
//! node has the same size in every file. Thickness is `1 + log2(weight)`.
//!
//! `viz:color`, `viz:size` and `viz:thickness` are in the viz namespace
//! `http://gexf.net/1.3/viz`, as the normative RELAX NG schema (`gexf.rnc`:
//! `include "viz.rnc" inherit = viz`), Gephi and networkx have it. The XSD
//! published for GEXF 1.3 cannot validate that: it was generated from the
//! RELAX NG and lost the namespace (`dynamics.xsd` declares `color`, `size`,
//! `thickness`, … in the GEXF namespace, and `viz.xsd` has no target
//! namespace), so it only accepts `<color>` in the GEXF namespace, which
//! networkx does not read. The tests therefore validate with two small
//! schemas of our own (`tests/fixtures/gexf-1.3-viz/`): one redefines the
//! published `gexf.xsd` to also allow the viz elements (after a node's or
//! edge's GEXF children, where we write them), the other declares those
//! elements in the viz namespace with the published `viz.xsd` types.
//! Everything else is checked by the published files unchanged.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::corpus::Document;
use crate::graph::{Edge, EdgeKind, Graph, Node, NodeKind, StanceCounts, StanceHistory, StanceLabel};
use crate::link::{Antecedent, Entity, EntityType, LinkedBy, Mention, Source};
use crate::pair_graphs::{CommenterGraph, EntityGraph, PairGraphs};
use crate::stance::StanceRecord;

/// The files [`write_all`] writes, in order.
pub const FILES: [&str; 12] = [
    "graph.gexf",
    "graph.graphml",
    "nodes.csv",
    "edges.csv",
    "entities.jsonl",
    "mentions.jsonl",
    "stances.jsonl",
    "summary.json",
    "commenters.gexf",
    "entities.gexf",
    "stances.csv",
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
    /// Built from the same records and options as `graph`.
    pub pair_graphs: &'a PairGraphs,
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
    let sizes = Sizes::new(e.graph);
    write_commenters_gexf(&paths[8], &e.pair_graphs.commenters, &sizes)?;
    write_entities_gexf(&paths[9], &e.pair_graphs.entities, &sizes)?;
    write_stances_csv(&paths[10], e.stances)?;
    crate::report::write(&paths[11], e, summary)?;
    Ok(paths)
}

/// Writes the graph as GEXF 1.3 (see the module docs).
pub fn write_gexf(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    let today = today();
    write_atomic(path, |w| gexf(w, graph, &today).map_err(Fail::Io))
}

/// Writes `commenters.gexf` (see the module docs); `sizes` are the main
/// graph's, so that a commenter has the same size in both files.
pub fn write_commenters_gexf(path: &Path, g: &CommenterGraph, sizes: &Sizes) -> Result<(), ExportError> {
    let today = today();
    write_atomic(path, |w| commenters_gexf(w, g, sizes, &today).map_err(Fail::Io))
}

/// Writes `entities.gexf` (see the module docs); `sizes` are the main graph's.
pub fn write_entities_gexf(path: &Path, g: &EntityGraph, sizes: &Sizes) -> Result<(), ExportError> {
    let today = today();
    write_atomic(path, |w| entities_gexf(w, g, sizes, &today).map_err(Fail::Io))
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
    pronoun: bool,
    antecedent: Option<Antecedent>,
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
            pronoun: m.linked_by == LinkedBy::Pronoun,
            antecedent: m.antecedent,
        }
    });
    write_atomic(path, |w| json_lines(w, lines))
}

/// Writes `stances.jsonl`, in the order given.
pub fn write_stances_jsonl(path: &Path, stances: &[StanceRecord]) -> Result<(), ExportError> {
    write_atomic(path, |w| json_lines(w, stances))
}

/// Writes `stances.csv`, in the order given: the same records as
/// `stances.jsonl`, one row each ([`STANCE_COLUMNS`]).
pub fn write_stances_csv(path: &Path, stances: &[StanceRecord]) -> Result<(), ExportError> {
    write_atomic(path, |w| stances_csv(w, stances).map_err(Fail::Io))
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
pub(crate) enum Fail {
    Io(io::Error),
    Json(serde_json::Error),
}

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes `path` through a temporary file in the same directory (created if
/// needed), synced and renamed into place. On failure the temporary file is
/// removed and `path` is untouched.
pub(crate) fn write_atomic<F>(path: &Path, fill: F) -> Result<(), ExportError>
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
const MIXED_PURPLE: Rgb = Rgb(118, 42, 131);

const BALANCE_GREY: Rgb = Rgb(200, 200, 200);

/// An entity's colour in `entities.gexf`: its final favour/against balance
/// (`net`, −1 to 1) from red through light grey to green; light grey
/// without any kept record.
pub fn balance_colour(stance: Option<&StanceHistory>) -> Rgb {
    let net = stance.map_or(0.0, |h| h.total().net()).clamp(-1.0, 1.0);
    let towards = if net >= 0.0 { FAVOUR_GREEN } else { AGAINST_RED };
    let mix = |from: u8, to: u8| (from as f64 + (to as f64 - from as f64) * net.abs()).round() as u8;
    Rgb(mix(BALANCE_GREY.0, towards.0), mix(BALANCE_GREY.1, towards.1), mix(BALANCE_GREY.2, towards.2))
}

/// The colour of a stance label.
pub fn stance_colour(label: StanceLabel) -> Rgb {
    match label {
        StanceLabel::Favour => FAVOUR_GREEN,
        StanceLabel::Against => AGAINST_RED,
        StanceLabel::Mixed => MIXED_PURPLE,
        StanceLabel::Neutral => NEUTRAL_GREY,
    }
}

/// The colour of an edge: stance edges by their final stance.
pub fn edge_colour(e: &Edge) -> Rgb {
    match e.kind {
        EdgeKind::Stance => stance_colour(final_label(e.stance.as_ref()).unwrap_or(StanceLabel::Neutral)),
        EdgeKind::Mention => Rgb(128, 160, 200),
        EdgeKind::Commented => Rgb(215, 215, 215),
        EdgeKind::Reply => Rgb(90, 90, 160),
    }
}

/// The stance over all records.
fn final_label(h: Option<&StanceHistory>) -> Option<StanceLabel> {
    h.and_then(|h| h.total().label())
}

/// The largest count of each node kind, for [`Sizes::of`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    entity: usize,
    article: usize,
    commenter: usize,
}

impl Sizes {
    /// The ranges: (smallest, largest) size per kind.
    pub const ENTITY: (f64, f64) = (8.0, 48.0);
    pub const ARTICLE: (f64, f64) = (5.0, 15.0);
    pub const COMMENTER: (f64, f64) = (3.0, 15.0);

    pub fn new(g: &Graph) -> Sizes {
        Sizes::of_nodes(&g.nodes)
    }

    /// The largest counts among `nodes`.
    pub fn of_nodes<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> Sizes {
        let mut s = Sizes::default();
        for n in nodes {
            let count = Sizes::count(n);
            match n.kind {
                NodeKind::Entity(_) => s.entity = s.entity.max(count),
                NodeKind::Article => s.article = s.article.max(count),
                NodeKind::Commenter => s.commenter = s.commenter.max(count),
            }
        }
        s
    }

    /// The count a node is sized by.
    fn count(n: &Node) -> usize {
        match n.kind {
            NodeKind::Entity(_) => n.mentions,
            NodeKind::Article => n.entity_mentions,
            NodeKind::Commenter => n.comments_written,
        }
        .unwrap_or(0)
    }

    /// Display size of a node: the square root of its count over the largest
    /// of its kind, mapped onto its kind's range (see the module docs).
    pub fn of(&self, n: &Node) -> f64 {
        let (max, (low, high)) = match n.kind {
            NodeKind::Entity(_) => (self.entity, Sizes::ENTITY),
            NodeKind::Article => (self.article, Sizes::ARTICLE),
            NodeKind::Commenter => (self.commenter, Sizes::COMMENTER),
        };
        if max == 0 {
            return low;
        }
        low + (high - low) * (Sizes::count(n) as f64 / max as f64).sqrt()
    }
}

/// Display thickness of an edge: `1 + log2(weight)` (1 for weights up to 1).
pub fn thickness(weight: f64) -> f64 {
    1.0 + weight.max(1.0).log2()
}

/// Camp colours in `commenters.gexf`, camp 1 (the biggest) first (Okabe–Ito
/// without its black and grey). Camps 8 and later, the smallest, share
/// [`SMALL_CAMP_GREY`] rather than repeat a colour of a bigger camp.
pub const CAMP_COLOURS: [Rgb; 7] = [
    Rgb(230, 159, 0),
    Rgb(0, 114, 178),
    Rgb(0, 158, 115),
    Rgb(213, 94, 0),
    Rgb(204, 121, 167),
    Rgb(86, 180, 233),
    Rgb(240, 228, 66),
];
/// A commenter in no camp, and an agreement edge across camps.
pub const NO_CAMP_GREY: Rgb = Rgb(170, 170, 170);
/// Commenters and edges of camps 8 and later.
pub const SMALL_CAMP_GREY: Rgb = Rgb(105, 105, 105);
/// Co-mention edges in `entities.gexf`.
pub const CO_MENTION_BLUE: Rgb = Rgb(128, 160, 200);

/// The colour of a camp (`None`: no camp, grey).
pub fn camp_colour(camp: Option<usize>) -> Rgb {
    match camp {
        Some(c) if (1..=CAMP_COLOURS.len()).contains(&c) => CAMP_COLOURS[c - 1],
        Some(c) if c > 0 => SMALL_CAMP_GREY,
        _ => NO_CAMP_GREY,
    }
}

// ---------------------------------------------------------------- text --

/// Whether the exports write `c` as the text `\u{..}` (its code in hex)
/// instead of as itself: XML 1.0 forbids C0 controls other than tab, newline
/// and carriage return, and U+FFFE/U+FFFF; C1 controls, DEL and the other
/// noncharacters (U+FDD0–U+FDEF, the last two of every plane) are
/// discouraged and never meaningful in a name or a comment. Shown rather
/// than dropped, two names that differ only by such a character stay two
/// (two commenter nodes, not one id twice).
pub(crate) fn hidden_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}' => true,
        c => (c as u32) & 0xfffe == 0xfffe,
    }
}

/// Appends `c` as the text `\u{..}`, as [`crate::escape_log`] writes it.
pub(crate) fn push_shown(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// `s` with every [`hidden_char`] written as `\u{..}`.
pub fn show_hidden(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if hidden_char(c) {
            push_shown(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes text for an XML attribute value or element content: `& < > " '`
/// become entities, tab/newline/CR become character references (so they
/// survive attribute-value normalisation), and characters XML forbids (and
/// the other [`hidden_char`]s) are written as `\u{..}`.
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
            c if hidden_char(c) => push_shown(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// One CSV field (RFC 4180): [`hidden_char`]s written as `\u{..}`, quoted
/// when it holds a comma, quote, newline or leading/trailing space, quotes
/// doubled.
pub fn csv_field(s: &str) -> String {
    let clean = show_hidden(s);
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

/// The viz namespace of GEXF 1.3.
pub const VIZ_NS: &str = "http://gexf.net/1.3/viz";

/// Node attributes that never change: (id = title, GEXF type).
const NODE_STATIC_ATTRS: [(&str, &str); 5] = [
    ("type", "string"),
    ("mentions", "integer"),
    ("comments_written", "integer"),
    ("comments_below", "integer"),
    ("entity_mentions", "integer"),
];
/// Edge attributes that never change.
const EDGE_STATIC_ATTRS: [(&str, &str); 5] = [
    ("kind", "string"),
    ("confidence", "double"),
    ("implicit", "integer"),
    ("comment_id", "string"),
    ("quote", "string"),
];
/// The stance group, on entity nodes and stance edges; dynamic when the
/// graph is.
const STANCE_ATTRS: [(&str, &str); 8] = [
    ("measured", "integer"),
    ("favour", "integer"),
    ("against", "integer"),
    ("neutral", "integer"),
    ("favour_share", "double"),
    ("against_share", "double"),
    ("net", "double"),
    ("stance", "string"),
];

/// The static attribute values of a node, in declaration order, absent
/// ones left out.
fn node_values(n: &Node) -> Vec<(&'static str, String)> {
    let mut v = vec![("type", n.kind.type_name().to_string())];
    for (id, count) in [
        ("mentions", n.mentions),
        ("comments_written", n.comments_written),
        ("comments_below", n.comments_below),
        ("entity_mentions", n.entity_mentions),
    ] {
        if let Some(c) = count {
            v.push((id, c.to_string()));
        }
    }
    v
}

/// The static attribute values of an edge.
fn edge_values(e: &Edge) -> Vec<(&'static str, String)> {
    let mut v = vec![("kind", e.kind.name().to_string())];
    if let Some(h) = &e.stance {
        v.push(("confidence", fmt_num(h.total().mean_confidence())));
    }
    if let Some(ev) = &e.evidence {
        v.push(("implicit", ev.implicit.to_string()));
        v.push(("comment_id", ev.comment_id.clone()));
        v.push(("quote", ev.quote.clone()));
    }
    v
}

/// The stance group of some records, in declaration order.
fn stance_values(s: &StanceCounts) -> [(&'static str, String); 8] {
    [
        ("measured", s.total().to_string()),
        ("favour", s.favour.to_string()),
        ("against", s.against.to_string()),
        ("neutral", s.neutral.to_string()),
        ("favour_share", fmt_num(s.favour_share())),
        ("against_share", fmt_num(s.against_share())),
        ("net", fmt_num(s.net())),
        ("stance", s.label().map_or("", StanceLabel::as_str).to_string()),
    ]
}

/// One attribute value, with the date it holds at (dynamic) or none.
struct AttValue<'a> {
    id: &'static str,
    value: String,
    at: Option<&'a str>,
}

/// The attribute values of an element: its static ones, then its stance
/// group (cumulative per date when `dynamic` and the records have dates).
fn att_values<'a>(
    fixed: Vec<(&'static str, String)>,
    stance: Option<&'a StanceHistory>,
    dynamic: bool,
) -> Vec<AttValue<'a>> {
    let mut v: Vec<AttValue> = fixed.into_iter().map(|(id, value)| AttValue { id, value, at: None }).collect();
    let Some(h) = stance else { return v };
    if !dynamic || h.by_date.is_empty() {
        let total = if dynamic { h.undated } else { h.total() };
        v.extend(stance_values(&total).into_iter().map(|(id, value)| AttValue { id, value, at: None }));
        return v;
    }
    let steps = h.cumulative();
    for (i, (id, _)) in STANCE_ATTRS.iter().enumerate() {
        for (date, counts) in &steps {
            let value = stance_values(counts)[i].1.clone();
            v.push(AttValue { id, value, at: Some(date) });
        }
    }
    v
}

/// The GEXF 1.3 prologue, up to and including `<graph>`: `about` (and the
/// provenance) is the description, `edge_type` `directed` or `undirected`.
fn gexf_open<W: Write>(
    w: &mut W,
    today: &str,
    about: &str,
    provenance: Option<&str>,
    edge_type: &str,
    dynamic: bool,
) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="{VIZ_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(w, r#"  <meta lastmodifieddate="{}">"#, xml_escape(today))?;
    writeln!(w, "    <creator>stancegraph</creator>")?;
    match provenance {
        Some(p) => writeln!(w, "    <description>{about} ({})</description>", xml_escape(p))?,
        None => writeln!(w, "    <description>{about}</description>")?,
    }
    writeln!(w, "  </meta>")?;
    if dynamic {
        writeln!(w, r#"  <graph defaultedgetype="{edge_type}" mode="dynamic" timeformat="date">"#)
    } else {
        writeln!(w, r#"  <graph defaultedgetype="{edge_type}" mode="static">"#)
    }
}

/// Declares the attributes of one class (`node` or `edge`): `fixed` are
/// static; the stance group, when `stance`, is static in a static graph (one
/// block) and declared twice in a dynamic one (see "GEXF attributes" in the
/// module docs): dynamic in a first block, which Gephi keeps, and again,
/// static, in the class's last block with `fixed`, which graphology-gexf and
/// networkx keep. Empty blocks are left out.
fn declare_attributes<W: Write>(
    w: &mut W,
    class: &str,
    fixed: Vec<(&str, &str)>,
    stance: bool,
    dynamic: bool,
) -> io::Result<()> {
    let mut blocks: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    match (dynamic, stance) {
        (true, true) => {
            blocks.push(("dynamic", STANCE_ATTRS.to_vec()));
            blocks.push(("static", fixed.into_iter().chain(STANCE_ATTRS).collect()));
        }
        (false, true) => blocks.push(("static", fixed.into_iter().chain(STANCE_ATTRS).collect())),
        (_, false) => blocks.push(("static", fixed)),
    }
    for (mode, attrs) in blocks.into_iter().filter(|(_, attrs)| !attrs.is_empty()) {
        writeln!(w, r#"    <attributes class="{class}" mode="{mode}">"#)?;
        for (id, ty) in attrs {
            writeln!(w, r#"      <attribute id="{id}" title="{id}" type="{ty}"/>"#)?;
        }
        writeln!(w, "    </attributes>")?;
    }
    Ok(())
}

fn gexf_close<W: Write>(w: &mut W) -> io::Result<()> {
    writeln!(w, "  </graph>")?;
    writeln!(w, "</gexf>")
}

/// Writes GEXF 1.3; `today` is the `lastmodifieddate`.
pub fn gexf<W: Write>(w: &mut W, g: &Graph, today: &str) -> io::Result<()> {
    let dynamic = g.has_time();
    let about = "Stance of news commenters toward the entities the articles mention";
    gexf_open(w, today, about, g.provenance.as_deref(), "directed", dynamic)?;

    // Declare what is used.
    let node_static: Vec<(&str, &str)> = NODE_STATIC_ATTRS
        .into_iter()
        .filter(|(id, _)| g.nodes.iter().any(|n| node_values(n).iter().any(|(k, _)| k == id)))
        .collect();
    let edge_static: Vec<(&str, &str)> = EDGE_STATIC_ATTRS
        .into_iter()
        .filter(|(id, _)| g.edges.iter().any(|e| edge_values(e).iter().any(|(k, _)| k == id)))
        .collect();
    let node_stance = g.nodes.iter().any(|n| n.stance.is_some());
    let edge_stance = g.edges.iter().any(|e| e.stance.is_some());
    declare_attributes(w, "node", node_static, node_stance, dynamic)?;
    declare_attributes(w, "edge", edge_static, edge_stance, dynamic)?;

    let sizes = Sizes::new(g);
    writeln!(w, r#"    <nodes count="{}">"#, g.nodes.len())?;
    for n in &g.nodes {
        let values = att_values(node_values(n), n.stance.as_ref(), dynamic);
        write_node(w, n, &values, node_colour(n.kind), sizes.of(n))?;
    }
    writeln!(w, "    </nodes>")?;

    writeln!(w, r#"    <edges count="{}">"#, g.edges.len())?;
    for (i, e) in g.edges.iter().enumerate() {
        let label = final_label(e.stance.as_ref()).map(|l| format!(r#" label="{}""#, l.as_str())).unwrap_or_default();
        writeln!(
            w,
            r#"      <edge id="{i}" source="{}" target="{}" weight="{}"{label}>"#,
            xml_escape(&e.source),
            xml_escape(&e.target),
            fmt_num(e.weight),
        )?;
        write_attvalues(w, &att_values(edge_values(e), e.stance.as_ref(), dynamic))?;
        write_spells(w, &e.dates)?;
        let Rgb(r, gr, b) = edge_colour(e);
        writeln!(w, r#"        <viz:color r="{r}" g="{gr}" b="{b}"/>"#)?;
        writeln!(w, r#"        <viz:thickness value="{}"/>"#, fmt_num(thickness(e.weight)))?;
        writeln!(w, "      </edge>")?;
    }
    writeln!(w, "    </edges>")?;
    gexf_close(w)
}

/// Node attributes of `commenters.gexf`.
const COMMENTER_NODE_ATTRS: [(&str, &str); 5] = [
    ("comments_written", "integer"),
    ("sides", "integer"),
    ("camp", "integer"),
    ("camp_for", "string"),
    ("camp_against", "string"),
];
/// Edge attributes of `commenters.gexf`.
const AGREEMENT_EDGE_ATTRS: [(&str, &str); 4] =
    [("agreements", "integer"), ("disagreements", "integer"), ("shared", "integer"), ("net", "integer")];
/// Node attributes of `entities.gexf` besides the stance group.
const ENTITY_NODE_ATTRS: [(&str, &str); 2] = [("type", "string"), ("mentions", "integer")];
/// Edge attributes of `entities.gexf`.
const CO_MENTION_EDGE_ATTRS: [(&str, &str); 3] =
    [("comments", "integer"), ("same_stance", "integer"), ("opposite_stance", "integer")];

/// Only the attributes some element has: all of `attrs` when there is an element.
fn declared(attrs: &[(&'static str, &'static str)], any: bool) -> Vec<(&'static str, &'static str)> {
    if any {
        attrs.to_vec()
    } else {
        Vec::new()
    }
}

/// Writes one edge of a pair graph (undirected, by the graph's default).
fn write_pair_edge<W: Write>(
    w: &mut W,
    i: usize,
    (source, target, weight): (&str, &str, f64),
    values: Vec<AttValue>,
    dates: &[String],
    colour: Rgb,
) -> io::Result<()> {
    writeln!(
        w,
        r#"      <edge id="{i}" source="{}" target="{}" weight="{}">"#,
        xml_escape(source),
        xml_escape(target),
        fmt_num(weight)
    )?;
    write_attvalues(w, &values)?;
    write_spells(w, dates)?;
    let Rgb(r, g, b) = colour;
    writeln!(w, r#"        <viz:color r="{r}" g="{g}" b="{b}"/>"#)?;
    writeln!(w, r#"        <viz:thickness value="{}"/>"#, fmt_num(thickness(weight)))?;
    writeln!(w, "      </edge>")
}

/// Static attribute values, all at no particular time.
fn plain(values: Vec<(&'static str, String)>) -> Vec<AttValue<'static>> {
    values.into_iter().map(|(id, value)| AttValue { id, value, at: None }).collect()
}

/// Writes `commenters.gexf` (GEXF 1.3, undirected): commenters linked by
/// positive net agreement, coloured by camp; dynamic when any element has a
/// date (spells only: the counts are totals).
pub fn commenters_gexf<W: Write>(w: &mut W, g: &CommenterGraph, sizes: &Sizes, today: &str) -> io::Result<()> {
    let dynamic = g.nodes.iter().any(|n| !n.node.dates.is_empty()) || g.edges.iter().any(|e| !e.dates.is_empty());
    let about =
        "Commenters linked by agreement on shared entities (weight: agreements minus disagreements, positive only)";
    gexf_open(w, today, about, g.provenance.as_deref(), "undirected", dynamic)?;
    let mut node_attrs = declared(&COMMENTER_NODE_ATTRS, !g.nodes.is_empty());
    if !g.nodes.iter().any(|n| n.camp.is_some()) {
        node_attrs.retain(|(id, _)| !id.starts_with("camp"));
    }
    declare_attributes(w, "node", node_attrs, false, dynamic)?;
    declare_attributes(w, "edge", declared(&AGREEMENT_EDGE_ATTRS, !g.edges.is_empty()), false, dynamic)?;

    let mut camp_of: std::collections::HashMap<&str, Option<usize>> = std::collections::HashMap::new();
    writeln!(w, r#"    <nodes count="{}">"#, g.nodes.len())?;
    for n in &g.nodes {
        camp_of.insert(n.node.id.as_str(), n.camp);
        let mut values = vec![
            ("comments_written", n.node.comments_written.unwrap_or(0).to_string()),
            ("sides", n.sides.to_string()),
        ];
        if let Some(c) = n.camp {
            values.push(("camp", c.to_string()));
            values.push(("camp_for", n.camp_for.join("; ")));
            values.push(("camp_against", n.camp_against.join("; ")));
        }
        write_node(w, &n.node, &plain(values), camp_colour(n.camp), sizes.of(&n.node))?;
    }
    writeln!(w, "    </nodes>")?;

    writeln!(w, r#"    <edges count="{}">"#, g.edges.len())?;
    for (i, e) in g.edges.iter().enumerate() {
        let values = vec![
            ("agreements", e.agreements.to_string()),
            ("disagreements", e.disagreements.to_string()),
            ("shared", e.shared().to_string()),
            ("net", e.net().to_string()),
        ];
        // Inside a camp, the camp's colour; across camps (or outside any), grey.
        let camp = match (camp_of.get(e.source.as_str()), camp_of.get(e.target.as_str())) {
            (Some(Some(a)), Some(Some(b))) if a == b => Some(*a),
            _ => None,
        };
        let ends = (e.source.as_str(), e.target.as_str(), e.net() as f64);
        write_pair_edge(w, i, ends, plain(values), &e.dates, camp_colour(camp))?;
    }
    writeln!(w, "    </edges>")?;
    gexf_close(w)
}

/// Writes `entities.gexf` (GEXF 1.3, undirected): entities linked by
/// co-mention in one comment; the nodes as in `graph.gexf` (type colours,
/// sizes, the stance group, dynamic as there); dynamic when any element has
/// a date.
pub fn entities_gexf<W: Write>(w: &mut W, g: &EntityGraph, sizes: &Sizes, today: &str) -> io::Result<()> {
    let dynamic = g.nodes.iter().any(|n| !n.dates.is_empty()) || g.edges.iter().any(|e| !e.dates.is_empty());
    let about = "Entities linked by co-mention in one comment (weight: comments mentioning both)";
    gexf_open(w, today, about, g.provenance.as_deref(), "undirected", dynamic)?;
    let node_stance = g.nodes.iter().any(|n| n.stance.is_some());
    declare_attributes(w, "node", declared(&ENTITY_NODE_ATTRS, !g.nodes.is_empty()), node_stance, dynamic)?;
    declare_attributes(w, "edge", declared(&CO_MENTION_EDGE_ATTRS, !g.edges.is_empty()), false, dynamic)?;

    writeln!(w, r#"    <nodes count="{}">"#, g.nodes.len())?;
    for n in &g.nodes {
        let fixed = vec![("type", n.kind.type_name().to_string()), ("mentions", n.mentions.unwrap_or(0).to_string())];
        let values = att_values(fixed, n.stance.as_ref(), dynamic);
        write_node(w, n, &values, balance_colour(n.stance.as_ref()), sizes.of(n))?;
    }
    writeln!(w, "    </nodes>")?;

    writeln!(w, r#"    <edges count="{}">"#, g.edges.len())?;
    for (i, e) in g.edges.iter().enumerate() {
        let values = vec![
            ("comments", e.comments.to_string()),
            ("same_stance", e.same_stance.to_string()),
            ("opposite_stance", e.opposite_stance.to_string()),
        ];
        let ends = (e.source.as_str(), e.target.as_str(), e.comments as f64);
        write_pair_edge(w, i, ends, plain(values), &e.dates, CO_MENTION_BLUE)?;
    }
    writeln!(w, "    </edges>")?;
    gexf_close(w)
}

/// One `<node>` of a GEXF file: id, label, attribute values, spells, and its
/// `viz:` colour and size.
fn write_node<W: Write>(w: &mut W, n: &Node, values: &[AttValue], colour: Rgb, size: f64) -> io::Result<()> {
    writeln!(w, r#"      <node id="{}" label="{}">"#, xml_escape(&n.id), xml_escape(&n.label))?;
    write_attvalues(w, values)?;
    write_spells(w, &n.dates)?;
    let Rgb(r, gr, b) = colour;
    writeln!(w, r#"        <viz:color r="{r}" g="{gr}" b="{b}"/>"#)?;
    writeln!(w, r#"        <viz:size value="{}"/>"#, fmt_num(size))?;
    writeln!(w, "      </node>")
}

fn write_attvalues<W: Write>(w: &mut W, values: &[AttValue]) -> io::Result<()> {
    writeln!(w, "        <attvalues>")?;
    for v in values {
        let at = match v.at {
            Some(d) => format!(r#" start="{d}" end="{d}""#, d = xml_escape(d)),
            None => String::new(),
        };
        writeln!(w, r#"          <attvalue for="{}" value="{}"{at}/>"#, v.id, xml_escape(&v.value))?;
    }
    writeln!(w, "        </attvalues>")
}

/// One spell per date (none when the element has no date: always visible).
fn write_spells<W: Write>(w: &mut W, dates: &[String]) -> io::Result<()> {
    if dates.is_empty() {
        return Ok(());
    }
    writeln!(w, "        <spells>")?;
    for d in dates {
        writeln!(w, r#"          <spell start="{d}" end="{d}"/>"#, d = xml_escape(d))?;
    }
    writeln!(w, "        </spells>")
}

// ---------------------------------------------------------------- GraphML --

/// GraphML keys: (for, attr.name, attr.type); the key id is `n_`/`e_` + name.
const GRAPHML_KEYS: [(&str, &str, &str); 37] = [
    ("node", "label", "string"),
    ("node", "type", "string"),
    ("node", "mentions", "int"),
    ("node", "comments_written", "int"),
    ("node", "comments_below", "int"),
    ("node", "entity_mentions", "int"),
    ("node", "measured", "int"),
    ("node", "favour", "int"),
    ("node", "against", "int"),
    ("node", "neutral", "int"),
    ("node", "favour_share", "double"),
    ("node", "against_share", "double"),
    ("node", "net", "double"),
    ("node", "stance", "string"),
    ("node", "dates", "string"),
    ("node", "r", "int"),
    ("node", "g", "int"),
    ("node", "b", "int"),
    ("node", "size", "double"),
    ("edge", "kind", "string"),
    ("edge", "weight", "double"),
    ("edge", "confidence", "double"),
    ("edge", "implicit", "int"),
    ("edge", "comment_id", "string"),
    ("edge", "quote", "string"),
    ("edge", "measured", "int"),
    ("edge", "favour", "int"),
    ("edge", "against", "int"),
    ("edge", "neutral", "int"),
    ("edge", "favour_share", "double"),
    ("edge", "against_share", "double"),
    ("edge", "net", "double"),
    ("edge", "stance", "string"),
    ("edge", "dates", "string"),
    ("edge", "r", "int"),
    ("edge", "g", "int"),
    ("edge", "b", "int"),
];

/// Writes GraphML (directed); the attributes are those of the GEXF, the
/// stance group as totals, plus `dates` (space-separated), colour as
/// `r`/`g`/`b` and node `size`.
pub fn graphml<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (class, name, ty) in GRAPHML_KEYS {
        let id = format!("{}_{name}", &class[..1]);
        writeln!(w, r#"  <key id="{id}" for="{class}" attr.name="{name}" attr.type="{ty}"/>"#)?;
    }
    writeln!(w, r#"  <graph id="stancegraph" edgedefault="directed">"#)?;
    let sizes = Sizes::new(g);
    for n in &g.nodes {
        writeln!(w, r#"    <node id="{}">"#, xml_escape(&n.id))?;
        let mut data: Vec<(&str, String)> = vec![("label", n.label.clone())];
        data.extend(node_values(n));
        if let Some(h) = &n.stance {
            data.extend(stance_values(&h.total()));
        }
        if !n.dates.is_empty() {
            data.push(("dates", n.dates.join(" ")));
        }
        let Rgb(r, gr, b) = node_colour(n.kind);
        data.extend([("r", r.to_string()), ("g", gr.to_string()), ("b", b.to_string())]);
        data.push(("size", fmt_num(sizes.of(n))));
        for (k, v) in data {
            writeln!(w, r#"      <data key="n_{k}">{}</data>"#, xml_escape(&v))?;
        }
        writeln!(w, "    </node>")?;
    }
    for (i, e) in g.edges.iter().enumerate() {
        writeln!(w, r#"    <edge id="e{i}" source="{}" target="{}">"#, xml_escape(&e.source), xml_escape(&e.target))?;
        let mut data: Vec<(&str, String)> = vec![("weight", fmt_num(e.weight))];
        data.extend(edge_values(e));
        if let Some(h) = &e.stance {
            data.extend(stance_values(&h.total()));
        }
        if !e.dates.is_empty() {
            data.push(("dates", e.dates.join(" ")));
        }
        let Rgb(r, gr, b) = edge_colour(e);
        data.extend([("r", r.to_string()), ("g", gr.to_string()), ("b", b.to_string())]);
        for (k, v) in data {
            writeln!(w, r#"      <data key="e_{k}">{}</data>"#, xml_escape(&v))?;
        }
        writeln!(w, "    </edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")
}

// ---------------------------------------------------------------- CSV --

const NODE_COLUMNS: [&str; 16] = [
    "Id",
    "Label",
    "Timeset",
    "type",
    "mentions",
    "comments_written",
    "comments_below",
    "entity_mentions",
    "measured",
    "favour",
    "against",
    "neutral",
    "favour_share",
    "against_share",
    "net",
    "stance",
];
const EDGE_COLUMNS: [&str; 20] = [
    "Source",
    "Target",
    "Type",
    "Id",
    "Label",
    "Weight",
    "Timeset",
    "kind",
    "measured",
    "favour",
    "against",
    "neutral",
    "favour_share",
    "against_share",
    "net",
    "stance",
    "confidence",
    "implicit",
    "comment_id",
    "quote",
];

fn csv_row<W: Write>(w: &mut W, fields: &[String]) -> io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    w.write_all(line.join(",").as_bytes())?;
    w.write_all(b"\r\n")
}

/// A Gephi interval set, one closed one-day interval per date:
/// `<[2015-11-11, 2015-11-11]; [2015-11-13, 2015-11-13]>`; empty when there
/// is no date (the element is always there).
pub fn gephi_timeset(dates: &[String]) -> String {
    if dates.is_empty() {
        return String::new();
    }
    let spells: Vec<String> = dates.iter().map(|d| format!("[{d}, {d}]")).collect();
    format!("<{}>", spells.join("; "))
}

/// The stance group as CSV fields (totals), empty when there is none.
fn stance_fields(h: Option<&StanceHistory>) -> Vec<String> {
    match h {
        Some(h) => stance_values(&h.total()).into_iter().map(|(_, v)| v).collect(),
        None => vec![String::new(); STANCE_ATTRS.len()],
    }
}

fn count_field(c: Option<usize>) -> String {
    c.map(|c| c.to_string()).unwrap_or_default()
}

/// Writes the node table (`Id,Label,Timeset,type,…`); absent values are
/// empty, the stance group is the totals.
pub fn nodes_csv<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
    csv_row(w, &NODE_COLUMNS.map(String::from))?;
    for n in &g.nodes {
        let mut row = vec![
            n.id.clone(),
            n.label.clone(),
            gephi_timeset(&n.dates),
            n.kind.type_name().to_string(),
            count_field(n.mentions),
            count_field(n.comments_written),
            count_field(n.comments_below),
            count_field(n.entity_mentions),
        ];
        row.extend(stance_fields(n.stance.as_ref()));
        csv_row(w, &row)?;
    }
    Ok(())
}

/// Writes the edge table (`Source,Target,Type,Id,Label,Weight,Timeset,kind,…`;
/// `Type` is `Directed`, `Id` matches the GEXF edge id, `Label` is a stance
/// edge's stance); absent values are empty.
pub fn edges_csv<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
    csv_row(w, &EDGE_COLUMNS.map(String::from))?;
    for (i, e) in g.edges.iter().enumerate() {
        let mut row = vec![
            e.source.clone(),
            e.target.clone(),
            "Directed".to_string(),
            i.to_string(),
            final_label(e.stance.as_ref()).map_or("", StanceLabel::as_str).to_string(),
            fmt_num(e.weight),
            gephi_timeset(&e.dates),
            e.kind.name().to_string(),
        ];
        row.extend(stance_fields(e.stance.as_ref()));
        row.push(e.stance.as_ref().map(|h| fmt_num(h.total().mean_confidence())).unwrap_or_default());
        let ev = e.evidence.as_ref();
        row.push(ev.map(|ev| ev.implicit.to_string()).unwrap_or_default());
        row.push(ev.map(|ev| ev.comment_id.clone()).unwrap_or_default());
        row.push(ev.map(|ev| ev.quote.clone()).unwrap_or_default());
        csv_row(w, &row)?;
    }
    Ok(())
}

/// The columns of `stances.csv`: the fields of `stances.jsonl`, with the
/// quote's mention offsets and the three probabilities in columns of their own.
pub const STANCE_COLUMNS: [&str; 18] = [
    "doc_id",
    "comment",
    "comment_id",
    "author",
    "entity_id",
    "entity",
    "entity_type",
    "stance",
    "confidence",
    "p_against",
    "p_neutral",
    "p_favour",
    "model",
    "implicit",
    "unsure",
    "quote",
    "mention_start",
    "mention_end",
];

/// Writes the stance records as CSV ([`STANCE_COLUMNS`]): `implicit` and
/// `unsure` are `true` or `false`, `mention_start`/`mention_end` the
/// mention's character offsets in `quote` as written here (empty when the
/// quote has none).
pub fn stances_csv<W: Write>(w: &mut W, stances: &[StanceRecord]) -> io::Result<()> {
    csv_row(w, &STANCE_COLUMNS.map(String::from))?;
    for r in stances {
        // Offsets count the characters written: a hidden character takes its `\u{..}` length.
        let shown_len = |to: usize| show_hidden(&r.quote.text.chars().take(to).collect::<String>()).chars().count();
        let [start, end] =
            r.quote.mention.map_or([String::new(), String::new()], |m| m.map(|o| shown_len(o).to_string()));
        let [against, neutral, favour] = r.probabilities.map(|p| fmt_num(f64::from(p)));
        let row = [
            r.doc_id.clone(),
            r.comment.to_string(),
            r.comment_id.clone(),
            r.author.clone(),
            r.entity_id.clone(),
            r.entity.clone(),
            r.entity_type.as_str().to_string(),
            r.stance.as_str().to_string(),
            fmt_num(f64::from(r.confidence)),
            against,
            neutral,
            favour,
            r.model.clone(),
            r.implicit.to_string(),
            r.unsure.to_string(),
            r.quote.text.clone(),
            start,
            end,
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
        assert_eq!(
            xml_escape("a\u{0}b\u{1b}c\u{7f}\u{85}d\u{fffe}e\u{fdd0}\u{10ffff}"),
            "a\\u{0}b\\u{1b}c\\u{7f}\\u{85}d\\u{fffe}e\\u{fdd0}\\u{10ffff}"
        );
        // Two names that differ only by a noncharacter stay two.
        assert_ne!(xml_escape("ab"), xml_escape("a\u{fffe}b"));
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
        assert_eq!(csv_field("bell\u{7}"), "bell\\u{7}");
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
    fn stance_labels_have_four_colours() {
        let colours: std::collections::HashSet<Rgb> =
            [StanceLabel::Favour, StanceLabel::Against, StanceLabel::Neutral, StanceLabel::Mixed]
                .into_iter()
                .map(stance_colour)
                .collect();
        assert_eq!(colours.len(), 4);
        assert_eq!(stance_colour(StanceLabel::Neutral), NEUTRAL_GREY);
        assert_eq!(stance_colour(StanceLabel::Favour), FAVOUR_GREEN);
        assert_eq!(stance_colour(StanceLabel::Against), AGAINST_RED);
    }

    #[test]
    fn timesets_and_thickness() {
        assert_eq!(gephi_timeset(&[]), "");
        let dates = ["2015-11-11".to_string(), "2015-11-13".to_string()];
        assert_eq!(gephi_timeset(&dates), "<[2015-11-11, 2015-11-11]; [2015-11-13, 2015-11-13]>");
        assert_eq!((thickness(0.0), thickness(1.0), thickness(8.0)), (1.0, 1.0, 4.0));
    }
}
