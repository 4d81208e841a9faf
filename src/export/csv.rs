//! Gephi's spreadsheet import: `nodes.csv` and `edges.csv` (RFC 4180).

use std::io::{self, Write};
use std::path::Path;

use super::gexf::stance_values;
use super::gexf::STANCE_ATTRS;
use super::style::final_label;
use super::{csv_field, fmt_num, write_atomic, ExportError, Fail};
use crate::graph::{Graph, StanceHistory, StanceLabel};

/// Writes Gephi's node table.
pub(crate) fn write_nodes_csv(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    write_atomic(path, |w| nodes_csv(w, graph).map_err(Fail::Io))
}

/// Writes Gephi's edge table.
pub(crate) fn write_edges_csv(path: &Path, graph: &Graph) -> Result<(), ExportError> {
    write_atomic(path, |w| edges_csv(w, graph).map_err(Fail::Io))
}

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
pub(crate) fn gephi_timeset(dates: &[String]) -> String {
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
pub(crate) fn nodes_csv<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
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
pub(crate) fn edges_csv<W: Write>(w: &mut W, g: &Graph) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timesets() {
        assert_eq!(gephi_timeset(&[]), "");
        let dates = ["2015-11-11".to_string(), "2015-11-13".to_string()];
        assert_eq!(gephi_timeset(&dates), "<[2015-11-11, 2015-11-11]; [2015-11-13, 2015-11-13]>");
    }
}
