//! GraphML: `graph.graphml`, the graph with the GEXF's attributes as totals.

use std::io::{self, Write};
use std::path::Path;

use super::gexf::{edge_values, node_values, stance_values};
use super::labels::display_label;
use super::style::{edge_colour, node_colour, Rgb, Sizes};
use super::{fmt_num, write_atomic, xml_escape, ExportError, Fail};
use crate::graph::Graph;

/// Writes the graph as GraphML.
pub(crate) fn write_graphml(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    write_atomic(path, |w| graphml(w, graph).map_err(Fail::Io))
}

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
        let mut data: Vec<(&str, String)> = vec![("label", display_label(&n.label).into_owned())];
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
