//! GEXF 1.3: `graph.gexf` and the two pair graphs.
//!
//! # Attributes
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

use std::io::{self, Write};
use std::path::Path;

use super::labels::display_label;
use super::style::{
    balance_colour, camp_colour, edge_colour, final_label, node_colour, thickness, Rgb, Sizes, CO_MENTION_BLUE,
};
use super::{fmt_num, write_atomic, xml_escape, ExportError, Fail};
use crate::dates::today;
use crate::graph::{Edge, Graph, Node, StanceCounts, StanceHistory, StanceLabel};
use crate::pair_graphs::{CommenterGraph, EntityGraph};

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

/// The viz namespace of GEXF 1.3.
pub(crate) const VIZ_NS: &str = "http://gexf.net/1.3/viz";

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
pub(super) const STANCE_ATTRS: [(&str, &str); 8] = [
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
pub(super) fn node_values(n: &Node) -> Vec<(&'static str, String)> {
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
pub(super) fn edge_values(e: &Edge) -> Vec<(&'static str, String)> {
    let mut v = vec![("kind", e.kind.name().to_string())];
    if let Some(h) = &e.stance {
        v.push(("confidence", fmt_num(h.total().mean_confidence())));
    }
    if let Some(ev) = &e.evidence {
        v.push(("implicit", ev.implicit.to_string()));
        v.push(("comment_id", ev.comment_id.clone()));
        v.push(("quote", display_label(&ev.quote).into_owned()));
    }
    v
}

/// The stance group of some records, in declaration order.
pub(super) fn stance_values(s: &StanceCounts) -> [(&'static str, String); 8] {
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
pub(crate) fn commenters_gexf<W: Write>(w: &mut W, g: &CommenterGraph, sizes: &Sizes, today: &str) -> io::Result<()> {
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
            values.push(("camp_for", display_label(&n.camp_for.join("; ")).into_owned()));
            values.push(("camp_against", display_label(&n.camp_against.join("; ")).into_owned()));
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
pub(crate) fn entities_gexf<W: Write>(w: &mut W, g: &EntityGraph, sizes: &Sizes, today: &str) -> io::Result<()> {
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
    writeln!(w, r#"      <node id="{}" label="{}">"#, xml_escape(&n.id), xml_escape(&display_label(&n.label)))?;
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
