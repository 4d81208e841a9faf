//! The export set: owns the list of files ([`FILES`]), the typed summary of a
//! set ([`Summary`]) and the atomic writes every file goes through
//! ([`write_atomic`]); one submodule per format ([`gexf`], [`graphml`],
//! [`csv`], [`jsonl`], [`summary`]) and the shared colours and sizes
//! ([`style`]). What the nodes, edges, counts, stance labels and dates mean
//! is decided in [`crate::graph`]; this module decides how they are written
//! and drawn.
//!
//! # Files ([`FILES`]; [`write_all`] writes all but the report)
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
//! | `stances.csv`    | the same records, one row each ([`csv::STANCE_COLUMNS`]): for a spreadsheet |
//! | `comments.jsonl` | every comment of the set's documents, a line each, as the store keeps it: `{"comment_id","doc_id","comment","title","author","date","parent_id","text"}`, keyed by the `comment_id` of `stances.jsonl` (the text once per comment, not once per record) |
//! | `summary.json`   | the typed [`Summary`] of the set, pretty-printed ([`summary`]) |
//! | `commenters.gexf`| GEXF 1.3, undirected: commenters linked by positive net agreement, coloured by camp ([`crate::pair_graphs`]) |
//! | `entities.gexf`  | GEXF 1.3, undirected: entities linked by co-mention in one comment ([`crate::pair_graphs`]) |
//! | `report.html`    | the report page, written beside the others by [`crate::report`] (a sibling writer: it reads the records and the [`Summary`]) |
//!
//! Every file is written to a hidden temporary file in the same directory,
//! flushed to disk and renamed over the final name, so a crash never leaves a
//! half-written file behind (at worst a stray `.NAME.*.tmp`, removed on any
//! error we see).
//!
//!
//! The formats' details: [`gexf`] (attributes, dates, the pair graphs, the
//! viz namespace), [`style`] (colours, sizes, thickness), [`labels`] (the
//! bidirectional controls of names shown, not obeyed, in the graph files).

pub mod csv;
pub mod gexf;
pub mod graphml;
pub mod jsonl;
pub(crate) mod labels;
pub mod style;
pub mod summary;

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::corpus::Document;
use crate::graph::{Graph, MentionCount};
use crate::link::Entity;
use crate::pair_graphs::PairGraphs;
use crate::stance::StanceRecord;

use csv::{write_edges_csv, write_nodes_csv, write_stances_csv};
pub use gexf::{write_commenters_gexf, write_entities_gexf, write_gexf};
use graphml::write_graphml;
pub use jsonl::RecordRows;
use jsonl::{write_comments_jsonl, write_entities_jsonl, write_mentions_jsonl, write_stances_jsonl};
pub use style::{balance_colour, Rgb, Sizes};
use summary::write_summary;
pub use summary::Summary;

/// The files of an export set, in the order they are written.
pub const FILES: [&str; 13] = [
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
    "comments.jsonl",
    REPORT,
];

/// The report page of the set, written last by [`crate::report`].
pub(crate) const REPORT: &str = "report.html";

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
    /// With their comments (the texts are not needed: `comments.jsonl`
    /// reads them from `rows`).
    pub documents: &'a [Document],
    pub entities: &'a [Entity],
    /// The mentions, counted (for the graphs, the summary and the report).
    pub mentions: &'a [MentionCount],
    /// The mentions one by one and the comments with their texts, for
    /// `mentions.jsonl` and `comments.jsonl`.
    pub rows: RecordRows<'a>,
    pub stances: &'a [StanceRecord],
    pub graph: &'a Graph,
    /// Built from the same records and options as `graph`.
    pub pair_graphs: &'a PairGraphs,
}

/// Writes every file of [`FILES`] but the report ([`REPORT`], written by
/// [`crate::report`]) into `out` (created if needed); returns their paths,
/// in the order of [`FILES`]. Stops at the first failure; files already
/// written stay (each is whole).
pub(crate) fn write_all(out: &Path, e: &Exports, summary: &Summary) -> Result<Vec<PathBuf>, ExportError> {
    fs::create_dir_all(out).map_err(|source| ExportError::CreateDir { path: out.to_path_buf(), source })?;
    let paths: Vec<PathBuf> = FILES.iter().filter(|f| **f != REPORT).map(|f| out.join(f)).collect();
    write_gexf(&paths[0], e.graph)?;
    write_graphml(&paths[1], e.graph)?;
    write_nodes_csv(&paths[2], e.graph)?;
    write_edges_csv(&paths[3], e.graph)?;
    crate::pause_point("export");
    write_entities_jsonl(&paths[4], e.entities)?;
    write_mentions_jsonl(&paths[5], e.rows, e.documents, e.entities)?;
    write_stances_jsonl(&paths[6], e.stances)?;
    write_summary(&paths[7], summary)?;
    let sizes = Sizes::new(e.graph);
    write_commenters_gexf(&paths[8], &e.pair_graphs.commenters, &sizes)?;
    write_entities_gexf(&paths[9], &e.pair_graphs.entities, &sizes)?;
    write_stances_csv(&paths[10], e.stances)?;
    write_comments_jsonl(&paths[11], e.rows)?;
    Ok(paths)
}

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
pub(crate) fn fmt_num(x: f64) -> String {
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
}
