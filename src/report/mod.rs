//! The report page: `report.html`, written beside the graph in every export
//! set. Owns what the page shows and how: the numbers ([`build`] → [`Report`],
//! computed from the same records as `summary.json`) and the page itself
//! ([`render`]: one self-contained HTML file with inline CSS, inline SVG charts
//! and a little inline script, kept in `page.css`, `catch.js` and `page.js`
//! beside this file; no network, no external script or font, and a
//! Content-Security-Policy that forbids loading anything).
//!
//! # Panels
//!
//! 1. **Key numbers**: documents, comments, commenters, entities (by type),
//!    mentions, stance pairs and the favour / against / neutral split, each
//!    counted exactly as `pipeline` counts them for `summary.json`.
//! 2. **Top entities**: the [`TOP_ENTITIES`] most-mentioned people, countries
//!    and organisations ([`RANKED_TYPES`]), each with a bar of favour /
//!    neutral / against shares among its measured comments (stance records).
//!    An entity no comment was measured on says so; it is never "neutral".
//! 3. **Most contested**: entities with many favour *and* many against
//!    records, by the contest score `2·F·A / (F + A)` (the harmonic mean of
//!    the favour and against counts: 0 unless both are present, at most the
//!    smaller of the two, growing with both), [`TOP_CONTESTED`] at most;
//!    below them the most one-sided: the highest favour and against shares
//!    among entities with at least [`ONE_SIDED_MIN`] measured comments.
//! 4. **Most active commenters**: the [`TOP_COMMENTERS`] authors with the most
//!    comments, their threads, their measured stance and their camp.
//! 5. **Camps**: groups of commenters who agree, from [`crate::camps`]
//!    (agreement on shared entities, label propagation) over the stance
//!    records toward the ranked types (among the [`CAMP_COMMENTERS`]
//!    commenters with the most sides taken), the [`TOP_CAMPS`] biggest, each with
//!    its size, the agreements and disagreements inside, the entities more
//!    members favour than oppose, and the reverse.
//! 6. **Stance over time**: for the [`TIMELINE_ENTITIES`] ranked entities
//!    with the most dated stance records, favour (up) and against (down)
//!    records per day, week, month or year of their document's date (the
//!    unit is chosen from the date span), on one shared scale.
//! 7. **Skipped inputs** (from the summary's `skipped`, and `duplicate_ids`).
//! 8. **Files**: relative links to the other files of the set
//!    ([`crate::export::FILES`]), with their sizes.
//!
//! Every name and label is HTML-escaped, with controls, noncharacters and
//! direction overrides shown as `\u{..}` and other bidirectional controls
//! isolated ([`html::escape`]); the page's JSON island is escaped for a
//! `<script>` element.
//!
//! # Evidence
//!
//! Every row of Top entities, Most contested and the one-sided lists opens
//! in place (`<details>`, no script) to its [`QUOTES_PER_SIDE`] most
//! confident favour and against comments, and says how many more there are:
//! each quote trimmed around the mention ([`crate::evidence::quote`]), the
//! mention in `<mark>`, with the author, the document's title and date, the
//! confidence and whether the record is implicit. Each camp opens to its
//! members ([`CAMP_MEMBERS_LISTED`] at most) and [`CAMP_QUOTES`] of the
//! comments that make it (its members' records on the side the camp takes,
//! entity by entity). Unsure records (below `--min-confidence`) are counted
//! apart and in no share, list or camp, as in the graph.
//!
//! # Size
//!
//! The page grows with the caps, not the corpus: at most (15 + 10 + 2·5) rows
//! × 2 × [`QUOTES_PER_SIDE`] + [`TOP_CAMPS`] × [`CAMP_QUOTES`] = 246 quotes of
//! at most [`crate::evidence::QUOTE_CHARS`] characters, with authors cut to
//! [`AUTHOR_CHARS`] and titles to [`TITLE_CHARS`]: under 1 MB even when every
//! character is escaped, and the page stays under [`MAX_PAGE_BYTES`]
//! (`tests/evidence.rs` checks a hostile corpus of 20,000 comments).
//!
//! # The self-check
//!
//! The page's script checks itself when loaded: every element with a
//! `data-key` must show the number in the JSON island `#report-data` (the
//! [`Totals`]), and every panel must be there. It writes the outcome, with any
//! script error, failed load or blocked fetch caught by the first script in
//! `<head>`, as JSON into `<pre id="self-check">` and sets `data-ok="1"` (or `"0"`) on `<html>`, so a
//! headless browser's `--dump-dom` can read it back (`tests/report.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::camps;
use crate::dates::{date_from_days, days_from_date, valid_date};
use crate::evidence::{clip, Quote};
use crate::export::{self, write_atomic, ExportError, Exports, Fail, Summary};
use crate::graph::commenter_name;
use crate::link::EntityType;
use crate::stance::{Stance, StanceRecord};

mod build;
mod html;
mod render;

pub use build::build;
pub use render::{render, PANELS};

/// The page's file name in an export set.
pub const FILE: &str = "report.html";
/// Rows in the top-entities panel.
pub const TOP_ENTITIES: usize = 15;
/// Rows in the most-contested panel.
pub const TOP_CONTESTED: usize = 10;
/// Rows in each most-one-sided list.
pub const TOP_ONE_SIDED: usize = 5;
/// Measured comments an entity needs to be called one-sided.
pub(crate) const ONE_SIDED_MIN: usize = 3;
/// Rows in the most-active-commenters panel.
pub(crate) const TOP_COMMENTERS: usize = 20;
/// Camps shown (all are counted).
pub const TOP_CAMPS: usize = 6;
/// Camps are sought among this many commenters at most, those who took a
/// side on the most entities (the pairs grow with its square).
pub(crate) const CAMP_COMMENTERS: usize = camps::MAX_COMMENTERS;
/// Small charts in the stance-over-time panel.
pub(crate) const TIMELINE_ENTITIES: usize = 6;
/// Quotes shown per side (favour, against) when an entity row opens.
pub const QUOTES_PER_SIDE: usize = 3;
/// Quotes shown when a camp opens.
pub const CAMP_QUOTES: usize = 6;
/// Members listed when a camp opens.
pub(crate) const CAMP_MEMBERS_LISTED: usize = 40;
/// Author names in quotes are cut to this many characters.
pub(crate) const AUTHOR_CHARS: usize = 60;
/// Document titles in quotes are cut to this many characters.
pub(crate) const TITLE_CHARS: usize = 100;
/// The page stays under this many bytes whatever the corpus (see "Size").
pub const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// The entity types ranked in the entity panels (the graph's own types);
/// locations and misc are counted in the key numbers only.
pub(crate) const RANKED_TYPES: [EntityType; 3] = [EntityType::Person, EntityType::Country, EntityType::Organisation];

// ---------------------------------------------------------------- model --

/// The corpus totals, counted as `summary.json` counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub documents: usize,
    pub comments: usize,
    /// Distinct commenter names (comment authors and stance-record authors).
    pub commenters: usize,
    pub mentions: usize,
    pub entities: usize,
    pub stance_pairs: usize,
    pub favour: usize,
    pub against: usize,
    pub neutral: usize,
    /// Records below `--min-confidence`: in the stance pairs, in no other
    /// count of the page.
    pub unsure: usize,
    /// Records whose comment does not name the entity.
    pub implicit: usize,
}

/// Stance records counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub favour: usize,
    pub against: usize,
    pub neutral: usize,
}

impl Counts {
    fn add(&mut self, s: Stance) {
        match s {
            Stance::Favour => self.favour += 1,
            Stance::Against => self.against += 1,
            Stance::Neutral => self.neutral += 1,
        }
    }

    /// Records counted (the measured comments).
    pub fn total(&self) -> usize {
        self.favour + self.against + self.neutral
    }

    /// The contest score `2·F·A / (F + A)`; 0 unless both are present.
    pub(crate) fn contest(&self) -> f64 {
        let (f, a) = (self.favour as f64, self.against as f64);
        if f == 0.0 || a == 0.0 {
            0.0
        } else {
            2.0 * f * a / (f + a)
        }
    }
}

/// One entity in a ranked panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityRow {
    pub id: String,
    pub label: String,
    pub kind: EntityType,
    pub mentions: usize,
    /// Its stance records (all zero: nothing measured).
    pub stance: Counts,
}

/// One commenter in the activity panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommenterRow {
    pub name: String,
    pub comments: usize,
    /// Documents (threads) commented on.
    pub threads: usize,
    pub stance: Counts,
    /// [`camps::Camp::id`].
    pub camp: Option<usize>,
}

/// One camp, as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampRow {
    pub id: usize,
    /// Most active first.
    pub members: Vec<String>,
    pub agree: usize,
    pub disagree: usize,
    /// Entities more members favour than oppose: (label, members in favour).
    pub favours: Vec<(String, usize)>,
    /// Entities more members oppose than favour: (label, members against).
    pub opposes: Vec<(String, usize)>,
    pub evidence: CampEvidence,
}

/// One comment quoted as evidence for a number of the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteRow {
    pub comment_id: String,
    /// Cut to [`AUTHOR_CHARS`].
    pub author: String,
    /// The entity the record is about.
    pub entity: String,
    /// The document's title (its id when it has none), cut to [`TITLE_CHARS`].
    pub title: String,
    /// The document's date, when valid.
    pub date: Option<String>,
    pub stance: Stance,
    pub confidence: f32,
    pub implicit: bool,
    /// The record's quote (at most [`crate::evidence::QUOTE_CHARS`]).
    pub quote: Quote,
}

/// The most confident comments behind an entity's favour and against
/// counts, [`QUOTES_PER_SIDE`] of each, and how many more there are.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    pub favour: Vec<QuoteRow>,
    pub favour_more: usize,
    pub against: Vec<QuoteRow>,
    pub against_more: usize,
}

/// The comments that make a camp: its members' most confident records on
/// the side the camp takes on what it stands for or against,
/// [`CAMP_QUOTES`] at most, and how many more there are.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CampEvidence {
    pub quotes: Vec<QuoteRow>,
    pub more: usize,
}

/// The time unit of the stance-over-time panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }
}

/// Stance over time for a few entities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub unit: Unit,
    /// Each bin's first day (`YYYY-MM-DD`), every bin from the first to the
    /// last date, empty ones included.
    pub bins: Vec<String>,
    /// (entity, counts per bin).
    pub series: Vec<(EntityRow, Vec<Counts>)>,
    /// Stance records (all entities) whose document has no valid date.
    pub undated: usize,
}

/// An input left out, from the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRow {
    pub path: String,
    pub line: Option<u64>,
    pub reason: String,
}

/// A file of the set, linked from the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileLink {
    pub name: String,
    pub what: &'static str,
    pub bytes: Option<u64>,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub run_id: Option<i64>,
    /// Which documents the set holds (summary.json `coverage.text`: the
    /// rolling window, the whole archive or a date range).
    pub coverage: Option<String>,
    /// What the graph files left out (summary.json `graphs.left_out_text`).
    pub graph_left_out: Option<String>,
    pub run_started: Option<String>,
    pub version: Option<String>,
    pub stance_method: Option<String>,
    pub totals: Totals,
    /// Entity counts by type name, as `summary.json` `entities_by_type`.
    pub entities_by_type: BTreeMap<String, usize>,
    /// Documents with a valid date, and the first and last date.
    pub dated_documents: usize,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub top_entities: Vec<EntityRow>,
    /// Ranked entities with at least one stance record.
    pub measured_entities: usize,
    pub contested: Vec<EntityRow>,
    /// The comments behind each row of `top_entities`, `contested`,
    /// `favoured` and `opposed`, by entity id.
    pub evidence: BTreeMap<String, Evidence>,
    /// Entities with the highest favour share, and the highest against
    /// share (at least [`ONE_SIDED_MIN`] measured comments, that side ahead).
    pub favoured: Vec<EntityRow>,
    pub opposed: Vec<EntityRow>,
    pub commenters: Vec<CommenterRow>,
    pub camps: Vec<CampRow>,
    /// All camps found (more than are shown), and the commenters in them.
    pub camps_found: usize,
    pub commenters_in_camps: usize,
    /// Commenters who took a side (favour or against) on some entity.
    pub commenters_with_side: usize,
    /// Whether camps were sought among the [`CAMP_COMMENTERS`] only.
    pub camp_commenters_capped: bool,
    pub timeline: Timeline,
    pub skipped: Vec<SkippedRow>,
    pub duplicate_ids: Vec<String>,
    pub files: Vec<FileLink>,
}

/// Writes the page for these records to `path` (through a temporary file in
/// the same folder, synced and renamed, like the other exports). Sizes of the
/// set's other files already in that folder are shown beside their links.
pub fn write(path: &Path, e: &Exports, summary: &Summary) -> Result<(), ExportError> {
    let mut report = build(e, summary);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    for f in &mut report.files {
        f.bytes = fs::metadata(dir.join(&f.name)).ok().filter(|m| m.is_file()).map(|m| m.len());
    }
    let html = render(&report);
    write_atomic(path, |w| w.write_all(html.as_bytes()).map_err(Fail::Io))
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::html::*;
    use super::*;
    use crate::export::RecordRows;

    #[test]
    fn dates_and_bins() {
        // 2024-03-14 was a Thursday; its week starts on Monday 2024-03-11.
        assert_eq!(bin_start(Unit::Week, "2024-03-14"), "2024-03-11");
        assert_eq!(bin_start(Unit::Week, "2024-03-11"), "2024-03-11");
        assert_eq!(bin_start(Unit::Month, "2024-03-14"), "2024-03-01");
        assert_eq!(next_bin(Unit::Month, "2024-12-01"), "2025-01-01");
        assert_eq!(next_bin(Unit::Day, "2024-02-28"), "2024-02-29");
        assert_eq!(unit_for("2024-01-01", "2024-02-15"), Unit::Day);
        assert_eq!(unit_for("2024-01-01", "2024-09-01"), Unit::Week);
        assert_eq!(unit_for("2015-01-01", "2017-09-01"), Unit::Month);
        assert_eq!(unit_for("1990-01-01", "2017-09-01"), Unit::Year);
        assert_eq!(day_of(Some("2024-03-12T10:00:00Z")), Some("2024-03-12"));
        assert_eq!(day_of(Some("March")), None);
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape(r#"<b a="x">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("a\u{0}b\u{7}c\u{fffe}d"), "a\\u{0}b\\u{7}c\\u{fffe}d");
        assert_ne!(escape("ab"), escape("a\u{fffe}b"));
        // An override is shown, not obeyed; any other bidi control is isolated.
        assert_eq!(escape("evil\u{202e}eman"), "\u{2068}evil\\u{202e}eman\u{2069}");
        assert_eq!(escape("\u{202b}x"), "\u{2068}\u{202b}x\u{2069}");
        assert_eq!(escape("عمر 3"), "عمر 3");
        let j = script_json(&serde_json::json!({"x": "</script><!--&"}));
        assert!(!j.contains('<') && !j.contains('>') && !j.contains('&'), "{j}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&j).unwrap()["x"], "</script><!--&");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1043), "1,043");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(pct(1, 3), "33%");
        assert_eq!(pct(1, 1000), "<1%");
        assert_eq!(pct(0, 0), "–");
        let c = Counts { favour: 4, against: 4, neutral: 9 };
        assert_eq!(c.contest(), 4.0);
        assert_eq!(Counts { favour: 10, against: 0, neutral: 0 }.contest(), 0.0);
        assert!(
            Counts { favour: 9, against: 1, neutral: 0 }.contest()
                < Counts { favour: 3, against: 3, neutral: 0 }.contest()
        );
    }

    fn fixture() -> (Vec<crate::corpus::Document>, Vec<crate::link::Entity>, Vec<crate::stance::StanceRecord>) {
        use crate::corpus::{Comment, Document};
        use crate::link::Entity;
        let comment =
            |author: &str| Comment { id: None, author: author.into(), text: String::new(), parent: None, date: None };
        let doc = |id: &str, date: Option<&str>, authors: &[&str]| Document {
            id: id.into(),
            path: PathBuf::from(format!("{id}.txt")),
            date: date.map(str::to_string),
            title: None,
            text: String::new(),
            comments: authors.iter().map(|a| comment(a)).collect(),
        };
        let documents = vec![
            doc("d1", Some("2024-03-01"), &["ann", "bob", "<b>x</b>", "ann"]),
            doc("d2", Some("2024-03-20"), &["ann", "cy"]),
            doc("d3", None, &["bob"]),
        ];
        let entity = |id: &str, label: &str, kind: EntityType, mentions: usize| Entity {
            id: id.into(),
            label: label.into(),
            kind,
            aliases: vec![],
            mentions,
        };
        let entities = vec![
            entity("person:x", "Ms <X> & Co", EntityType::Person, 9),
            entity("CAN", "Canada", EntityType::Country, 7),
            entity("misc:y", "Yeah", EntityType::Misc, 50),
            entity("org:z", "Zeta Corp", EntityType::Organisation, 3),
        ];
        let rec = |doc: &str, comment: usize, author: &str, id: &str, kind: EntityType, stance: Stance| StanceRecord {
            doc_id: doc.into(),
            comment,
            comment_id: String::new(),
            author: author.into(),
            quote: Default::default(),
            entity_id: id.into(),
            entity: id.into(),
            entity_type: kind,
            stance,
            confidence: 0.9,
            probabilities: [0.05, 0.05, 0.9],
            model: "test".into(),
            implicit: false,
            unsure: false,
        };
        use EntityType::{Country as C, Misc as M, Person as P};
        use Stance::{Against as A, Favour as F, Neutral as N};
        let stances = vec![
            rec("d1", 0, "ann", "person:x", P, F),
            rec("d1", 1, "bob", "person:x", P, A),
            rec("d1", 2, "<b>x</b>", "person:x", P, F),
            rec("d2", 0, "ann", "person:x", P, A),
            rec("d2", 1, "cy", "person:x", P, F),
            rec("d1", 0, "ann", "CAN", C, F),
            rec("d1", 2, "<b>x</b>", "CAN", C, F),
            rec("d3", 0, "bob", "CAN", C, N),
            rec("d1", 3, "ann", "misc:y", M, A),
        ];
        (documents, entities, stances)
    }

    #[test]
    fn build_counts_like_the_summary_and_ranks() {
        let (documents, entities, stances) = fixture();
        let graph = crate::graph::Graph::default();
        let pairs = crate::pair_graphs::PairGraphs::default();
        let e = Exports {
            documents: &documents,
            entities: &entities,
            mentions: &[],
            rows: RecordRows::Listed { mentions: &[], documents: &[] },
            stances: &stances,
            graph: &graph,
            pair_graphs: &pairs,
        };
        let skipped = crate::export::summary::SkippedInput {
            path: "bad.jsonl".to_string(),
            line: Some(2),
            reason: "not JSON".to_string(),
        };
        let summary = Summary {
            run_id: 7,
            run: Some(crate::export::summary::RunFacts { skipped: vec![skipped], ..Default::default() }),
            ..Default::default()
        };
        let r = build(&e, &summary);
        assert_eq!(
            r.totals,
            Totals {
                documents: 3,
                comments: 7,
                commenters: 4,
                mentions: 0,
                entities: 4,
                stance_pairs: 9,
                favour: 5,
                against: 3,
                neutral: 1,
                unsure: 0,
                implicit: 0
            }
        );
        // Misc is counted but not ranked; Zeta Corp is ranked though unmeasured.
        let top: Vec<&str> = r.top_entities.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(top, ["Ms <X> & Co", "Canada", "Zeta Corp"]);
        assert_eq!(r.top_entities[2].stance.total(), 0);
        assert_eq!(r.measured_entities, 2);
        assert_eq!(r.contested.len(), 1);
        assert_eq!(r.contested[0].stance, Counts { favour: 3, against: 2, neutral: 0 });
        // Canada: 2 of 3 in favour (67 %), Ms X: 3 of 5 (60 %).
        assert_eq!(r.favoured.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["CAN", "person:x"]);
        assert!(r.opposed.is_empty());
        assert_eq!(r.commenters[0].name, "ann");
        assert_eq!((r.commenters[0].comments, r.commenters[0].threads), (3, 2));
        assert_eq!(r.timeline.unit, Unit::Day);
        assert_eq!(r.timeline.bins.len(), 20, "every day from 2024-03-01 to 2024-03-20");
        assert_eq!(r.timeline.undated, 1);
        assert_eq!(r.timeline.series[0].1[0], Counts { favour: 2, against: 1, neutral: 0 });
        assert_eq!(r.skipped, [SkippedRow { path: "bad.jsonl".into(), line: Some(2), reason: "not JSON".into() }]);
        assert_eq!((r.first_date.as_deref(), r.last_date.as_deref()), (Some("2024-03-01"), Some("2024-03-20")));

        let html = render(&r);
        assert!(html.contains("Ms &lt;X&gt; &amp; Co"));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(!html.contains("<b>x</b>"), "an author became markup");
        assert!(html.contains("no comments measured"), "Zeta Corp is shown as unmeasured");
        assert!(html.contains(r#"data-key="stance_pairs" data-value="9""#));
        assert!(html.contains("bad.jsonl"));
        for panel in PANELS {
            assert!(html.contains(&format!("data-panel=\"{panel}\"")), "{panel}");
        }
        // The same records give the same page.
        assert_eq!(render(&build(&e, &summary)), html);
    }

    #[test]
    fn an_empty_corpus_renders() {
        let graph = crate::graph::Graph::default();
        let pairs = crate::pair_graphs::PairGraphs::default();
        let e = Exports {
            documents: &[],
            entities: &[],
            mentions: &[],
            rows: RecordRows::Listed { mentions: &[], documents: &[] },
            stances: &[],
            graph: &graph,
            pair_graphs: &pairs,
        };
        let html = render(&build(&e, &Summary::default()));
        assert!(html.contains("No people, countries or organisations were found."));
        assert!(html.contains("No input was skipped."));
        assert!(html.ends_with("</html>\n"));
    }
}
