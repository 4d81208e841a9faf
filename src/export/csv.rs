//! Gephi's spreadsheet import: `nodes.csv` and `edges.csv` (RFC 4180).

use std::io::{self, Write};
use std::path::Path;

use super::gexf::stance_values;
use super::gexf::STANCE_ATTRS;
use super::labels::display_label;
use super::style::final_label;
use super::{csv_field, fmt_num, show_hidden, write_atomic, ExportError, Fail};
use crate::graph::{Graph, StanceHistory, StanceLabel};
use crate::stance::StanceRecord;

/// Writes `stances.csv`, in the order given: the same records as
/// `stances.jsonl`, one row each ([`STANCE_COLUMNS`]).
pub fn write_stances_csv(path: &Path, stances: &[StanceRecord]) -> Result<(), ExportError> {
    write_atomic(path, |w| stances_csv(w, stances).map_err(Fail::Io))
}

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
            display_label(&n.label).into_owned(),
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
        row.push(ev.map(|ev| display_label(&ev.quote).into_owned()).unwrap_or_default());
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
    fn timesets() {
        assert_eq!(gephi_timeset(&[]), "");
        let dates = ["2015-11-11".to_string(), "2015-11-13".to_string()];
        assert_eq!(gephi_timeset(&dates), "<[2015-11-11, 2015-11-11]; [2015-11-13, 2015-11-13]>");
    }
}
