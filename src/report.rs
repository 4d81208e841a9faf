//! The report page: `report.html`, written beside the graph in every export
//! set. Owns what the page shows and how: the numbers ([`build`] → [`Report`],
//! computed from the same records as `summary.json`) and the page itself
//! ([`render`]: one self-contained HTML file with inline CSS, inline SVG charts
//! and a little inline script; no network, no external script or font, and a
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
//! isolated ([`escape`]); the page's JSON island is escaped for a `<script>`
//! element.
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
use serde_json::Value;

use crate::camps;
use crate::evidence::{clip, Quote};
use crate::export::{self, write_atomic, ExportError, Exports, Fail};
use crate::graph::{commenter_name, valid_date};
use crate::link::EntityType;
use crate::stance::{Stance, StanceRecord};

/// The page's file name in an export set.
pub const FILE: &str = "report.html";
/// Rows in the top-entities panel.
pub const TOP_ENTITIES: usize = 15;
/// Rows in the most-contested panel.
pub const TOP_CONTESTED: usize = 10;
/// Rows in each most-one-sided list.
pub const TOP_ONE_SIDED: usize = 5;
/// Measured comments an entity needs to be called one-sided.
pub const ONE_SIDED_MIN: usize = 3;
/// Rows in the most-active-commenters panel.
pub const TOP_COMMENTERS: usize = 20;
/// Camps shown (all are counted).
pub const TOP_CAMPS: usize = 6;
/// Camps are sought among this many commenters at most, those who took a
/// side on the most entities (the pairs grow with its square).
pub const CAMP_COMMENTERS: usize = camps::MAX_COMMENTERS;
/// Small charts in the stance-over-time panel.
pub const TIMELINE_ENTITIES: usize = 6;
/// Quotes shown per side (favour, against) when an entity row opens.
pub const QUOTES_PER_SIDE: usize = 3;
/// Quotes shown when a camp opens.
pub const CAMP_QUOTES: usize = 6;
/// Members listed when a camp opens.
pub const CAMP_MEMBERS_LISTED: usize = 40;
/// Author names in quotes are cut to this many characters.
pub const AUTHOR_CHARS: usize = 60;
/// Document titles in quotes are cut to this many characters.
pub const TITLE_CHARS: usize = 100;
/// The page stays under this many bytes whatever the corpus (see "Size").
pub const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// The entity types ranked in the entity panels (the graph's own types);
/// locations and misc are counted in the key numbers only.
pub const RANKED_TYPES: [EntityType; 3] = [EntityType::Person, EntityType::Country, EntityType::Organisation];

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
    pub fn contest(&self) -> f64 {
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

/// The type's name as `summary.json` writes it.
fn type_name(t: EntityType) -> &'static str {
    crate::graph::entity_type_name(t)
}

/// The plural a count of this type reads with.
fn type_plural(name: &str, n: usize) -> String {
    let word = match (name, n == 1) {
        ("person", true) => "person",
        ("person", false) => "people",
        ("country", false) => "countries",
        ("organisation", false) => "organisations",
        ("location", false) => "locations",
        (other, _) => other,
    };
    word.to_string()
}

/// A `YYYY-MM-DD` date (or the first 10 characters of a longer timestamp),
/// when valid.
fn day_of(date: Option<&str>) -> Option<&str> {
    valid_date(date?.get(..10)?)
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD` (Howard Hinnant's
/// days_from_civil).
fn days(date: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| date[r].parse::<i64>().unwrap_or(1);
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn date_of(days: i64) -> String {
    export::date_from_unix(days * 86_400)
}

/// The first day of the bin holding `date`.
fn bin_start(unit: Unit, date: &str) -> String {
    match unit {
        Unit::Day => date.to_string(),
        // 1970-01-01 was a Thursday: Monday-based weeks.
        Unit::Week => {
            let d = days(date);
            date_of(d - (d + 3).rem_euclid(7))
        }
        Unit::Month => format!("{}-01", &date[..7]),
        Unit::Year => format!("{}-01-01", &date[..4]),
    }
}

/// The first day of the bin after the one starting at `start`.
fn next_bin(unit: Unit, start: &str) -> String {
    match unit {
        Unit::Day => date_of(days(start) + 1),
        Unit::Week => date_of(days(start) + 7),
        Unit::Month => {
            let (y, m): (i64, i64) = (start[..4].parse().unwrap_or(1), start[5..7].parse().unwrap_or(1));
            if m == 12 {
                format!("{:04}-01-01", y + 1)
            } else {
                format!("{y:04}-{:02}-01", m + 1)
            }
        }
        Unit::Year => format!("{:04}-01-01", start[..4].parse::<i64>().unwrap_or(1) + 1),
    }
}

/// The unit for a span of dates: days up to about two months, weeks up to
/// about 14 months, months up to 10 years, else years.
fn unit_for(first: &str, last: &str) -> Unit {
    match days(last) - days(first) {
        s if s <= 62 => Unit::Day,
        s if s <= 430 => Unit::Week,
        s if s <= 3660 => Unit::Month,
        _ => Unit::Year,
    }
}

/// Text of a string field of the summary.
fn text_field(summary: &Value, key: &str) -> Option<String> {
    match summary.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Computes the report from the records and the summary (which gives the run,
/// the skipped inputs and the duplicate ids; any of it may be missing).
pub fn build(e: &Exports, summary: &Value) -> Report {
    let mut totals = Totals {
        documents: e.documents.len(),
        comments: e.documents.iter().map(|d| d.comments.len()).sum(),
        mentions: e.mentions.len(),
        entities: e.entities.len(),
        stance_pairs: e.stances.len(),
        unsure: e.stances.iter().filter(|s| s.unsure).count(),
        implicit: e.stances.iter().filter(|s| s.implicit).count(),
        ..Totals::default()
    };
    // Unsure records are counted apart and nowhere else (as in the graph).
    let kept: Vec<&StanceRecord> = e.stances.iter().filter(|s| !s.unsure).collect();
    for s in &kept {
        match s.stance {
            Stance::Favour => totals.favour += 1,
            Stance::Against => totals.against += 1,
            Stance::Neutral => totals.neutral += 1,
        }
    }
    let mut entities_by_type: BTreeMap<String, usize> = BTreeMap::new();
    for en in e.entities {
        *entities_by_type.entry(type_name(en.kind).to_string()).or_insert(0) += 1;
    }

    // Documents: dates.
    let mut doc_day: HashMap<&str, &str> = HashMap::new();
    let mut dated: BTreeSet<&str> = BTreeSet::new();
    for d in e.documents {
        if let Some(day) = day_of(d.date.as_deref()) {
            doc_day.entry(d.id.as_str()).or_insert(day);
            dated.insert(day);
        }
    }
    let dated_documents = e.documents.iter().filter(|d| day_of(d.date.as_deref()).is_some()).count();

    // Entities and their stance.
    let mut per_entity: HashMap<&str, Counts> = HashMap::new();
    for s in &kept {
        per_entity.entry(s.entity_id.as_str()).or_default().add(s.stance);
    }
    let mut seen_ids: BTreeSet<&str> = BTreeSet::new();
    let mut ranked: Vec<EntityRow> = e
        .entities
        .iter()
        .filter(|en| RANKED_TYPES.contains(&en.kind) && seen_ids.insert(en.id.as_str()))
        .map(|en| EntityRow {
            id: en.id.clone(),
            label: en.label.clone(),
            kind: en.kind,
            mentions: en.mentions,
            stance: per_entity.get(en.id.as_str()).copied().unwrap_or_default(),
        })
        .collect();
    ranked.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.label.cmp(&b.label)).then(a.id.cmp(&b.id)));
    let measured_entities = ranked.iter().filter(|r| r.stance.total() > 0).count();
    let top_entities: Vec<EntityRow> = ranked.iter().take(TOP_ENTITIES).cloned().collect();
    let mut contested: Vec<EntityRow> = ranked.iter().filter(|r| r.stance.contest() > 0.0).cloned().collect();
    contested.sort_by(|a, b| {
        b.stance
            .contest()
            .total_cmp(&a.stance.contest())
            .then(b.stance.total().cmp(&a.stance.total()))
            .then_with(|| a.label.cmp(&b.label))
    });
    contested.truncate(TOP_CONTESTED);
    let one_sided = |side: fn(&Counts) -> usize, other: fn(&Counts) -> usize| {
        let mut rows: Vec<EntityRow> = ranked
            .iter()
            .filter(|r| r.stance.total() >= ONE_SIDED_MIN && side(&r.stance) > other(&r.stance))
            .cloned()
            .collect();
        let share = |r: &EntityRow| side(&r.stance) as f64 / r.stance.total() as f64;
        rows.sort_by(|a, b| {
            share(b)
                .total_cmp(&share(a))
                .then(b.stance.total().cmp(&a.stance.total()))
                .then_with(|| a.label.cmp(&b.label))
        });
        rows.truncate(TOP_ONE_SIDED);
        rows
    };
    let favoured = one_sided(|c| c.favour, |c| c.against);
    let opposed = one_sided(|c| c.against, |c| c.favour);

    // Commenters.
    #[derive(Default)]
    struct Acc<'a> {
        comments: usize,
        threads: BTreeSet<&'a str>,
        stance: Counts,
    }
    let mut people: BTreeMap<String, Acc> = BTreeMap::new();
    for d in e.documents {
        for c in &d.comments {
            let a = people.entry(commenter_name(&c.author).to_string()).or_default();
            a.comments += 1;
            a.threads.insert(d.id.as_str());
        }
    }
    for s in &kept {
        people.entry(commenter_name(&s.author).to_string()).or_default().stance.add(s.stance);
    }
    totals.commenters = people.len();

    let context = Context::new(e.documents);

    // Camps, over the stance toward the ranked types, among the
    // CAMP_COMMENTERS commenters with the most sides taken.
    let ranked_stances: Vec<StanceRecord> =
        kept.iter().filter(|s| RANKED_TYPES.contains(&s.entity_type)).map(|s| (*s).clone()).collect();
    let positions = camps::positions(&ranked_stances);
    let (camp_stances, camp_commenters_capped) = camps::of_most_sided(&ranked_stances, CAMP_COMMENTERS);
    let pairs = camps::agreement(&camp_stances);
    let found = camps::find(&pairs);
    let camp_of: HashMap<&str, usize> =
        found.iter().flat_map(|c| c.members.iter().map(move |m| (m.as_str(), c.id))).collect();
    let labels: HashMap<&str, &str> = e.entities.iter().map(|en| (en.id.as_str(), en.label.as_str())).collect();
    let activity = |name: &str| people.get(name).map_or(0, |a| a.comments);
    let commenters_with_side: BTreeSet<&str> =
        positions.iter().filter(|(_, p)| p.side().is_some()).map(|((who, _), _)| who.as_str()).collect();
    let mut camp_rows = Vec::new();
    for c in found.iter().take(TOP_CAMPS) {
        let mut members = c.members.clone();
        members.sort_by(|a, b| activity(b).cmp(&activity(a)).then_with(|| a.cmp(b)));
        let stands = camps::stands(&c.members, &positions, |id| labels.get(id).map_or(id, |l| *l).to_string());
        let pairs = |list: &[camps::Stand]| list.iter().map(|s| (s.label.clone(), s.members)).collect();
        camp_rows.push(CampRow {
            id: c.id,
            agree: c.agree,
            disagree: c.disagree,
            favours: pairs(&stands.favours),
            opposes: pairs(&stands.opposes),
            evidence: camp_evidence(&c.members, &stands, &kept, &context),
            members,
        });
    }

    let mut commenters: Vec<CommenterRow> = people
        .iter()
        .filter(|(_, a)| a.comments > 0)
        .map(|(name, a)| CommenterRow {
            name: name.clone(),
            comments: a.comments,
            threads: a.threads.len(),
            stance: a.stance,
            camp: camp_of.get(name.as_str()).copied(),
        })
        .collect();
    commenters.sort_by(|a, b| {
        b.comments.cmp(&a.comments).then(b.stance.total().cmp(&a.stance.total())).then_with(|| a.name.cmp(&b.name))
    });
    commenters.truncate(TOP_COMMENTERS);

    // Stance over time.
    let mut undated = 0;
    let mut dated_per_entity: HashMap<&str, usize> = HashMap::new();
    for s in &kept {
        if doc_day.contains_key(s.doc_id.as_str()) {
            *dated_per_entity.entry(s.entity_id.as_str()).or_insert(0) += 1;
        } else {
            undated += 1;
        }
    }
    let mut chosen: Vec<&EntityRow> =
        ranked.iter().filter(|r| dated_per_entity.get(r.id.as_str()).is_some_and(|&n| n > 0)).collect();
    chosen.sort_by_key(|r| std::cmp::Reverse(dated_per_entity[r.id.as_str()]));
    chosen.truncate(TIMELINE_ENTITIES);
    let record_days: BTreeSet<&str> = kept
        .iter()
        .filter(|s| chosen.iter().any(|r| r.id == s.entity_id))
        .filter_map(|s| doc_day.get(s.doc_id.as_str()).copied())
        .collect();
    let timeline = match (record_days.first(), record_days.last()) {
        (Some(first), Some(last)) => {
            let unit = unit_for(first, last);
            let mut bins = vec![bin_start(unit, first)];
            let end = bin_start(unit, last);
            while bins.last().is_some_and(|b| *b < end) {
                bins.push(next_bin(unit, bins.last().expect("a bin")));
            }
            let index: HashMap<&str, usize> = bins.iter().enumerate().map(|(i, b)| (b.as_str(), i)).collect();
            let series = chosen
                .iter()
                .map(|r| {
                    let mut counts = vec![Counts::default(); bins.len()];
                    for s in kept.iter().filter(|s| s.entity_id == r.id) {
                        if let Some(day) = doc_day.get(s.doc_id.as_str()) {
                            if let Some(&i) = index.get(bin_start(unit, day).as_str()) {
                                counts[i].add(s.stance);
                            }
                        }
                    }
                    ((*r).clone(), counts)
                })
                .collect();
            Timeline { unit, bins, series, undated }
        }
        _ => Timeline { unit: Unit::Day, bins: Vec::new(), series: Vec::new(), undated },
    };

    let skipped = summary
        .get("skipped")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|s| SkippedRow {
                    path: s.get("path").and_then(Value::as_str).unwrap_or("?").to_string(),
                    line: s.get("line").and_then(Value::as_u64),
                    reason: s.get("reason").and_then(Value::as_str).unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let duplicate_ids = summary
        .get("duplicate_ids")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let files = export::FILES
        .iter()
        .filter(|f| **f != FILE)
        .map(|f| FileLink { name: f.to_string(), what: describe(f), bytes: None })
        .collect();

    Report {
        run_id: summary.get("run_id").and_then(Value::as_i64),
        coverage: summary.pointer("/coverage/text").and_then(Value::as_str).map(str::to_string),
        graph_left_out: summary.pointer("/graphs/left_out_text").and_then(Value::as_str).map(str::to_string),
        run_started: text_field(summary, "run_started"),
        version: text_field(summary, "version"),
        stance_method: text_field(summary, "stance_method"),
        totals,
        entities_by_type,
        dated_documents,
        first_date: dated.first().map(|d| d.to_string()),
        last_date: dated.last().map(|d| d.to_string()),
        measured_entities,
        evidence: entity_evidence(
            top_entities.iter().chain(&contested).chain(&favoured).chain(&opposed),
            &kept,
            &context,
        ),
        top_entities,
        contested,
        favoured,
        opposed,
        commenters,
        camps_found: found.len(),
        commenters_in_camps: found.iter().map(|c| c.members.len()).sum(),
        camps: camp_rows,
        commenters_with_side: commenters_with_side.len(),
        camp_commenters_capped,
        timeline,
        skipped,
        duplicate_ids,
        files,
    }
}

/// What a quote shows of its document: the title (else the id), cut, and
/// the valid date.
struct Context<'a> {
    documents: HashMap<&'a str, (String, Option<&'a str>)>,
}

impl<'a> Context<'a> {
    fn new(documents: &'a [crate::corpus::Document]) -> Context<'a> {
        let mut map = HashMap::new();
        for d in documents {
            let title = match d.title.as_deref().map(str::trim) {
                Some(t) if !t.is_empty() => t,
                _ => d.id.as_str(),
            };
            map.entry(d.id.as_str()).or_insert_with(|| (clip(title, TITLE_CHARS), day_of(d.date.as_deref())));
        }
        Context { documents: map }
    }

    fn quote(&self, s: &StanceRecord) -> QuoteRow {
        let (title, date) = self.documents.get(s.doc_id.as_str()).cloned().unwrap_or_default();
        QuoteRow {
            comment_id: s.comment_id.clone(),
            author: clip(commenter_name(&s.author), AUTHOR_CHARS),
            entity: s.entity.clone(),
            title,
            date: date.map(str::to_string),
            stance: s.stance,
            confidence: s.confidence,
            implicit: s.implicit,
            quote: s.quote.clone(),
        }
    }
}

/// Most confident first; ties by document, comment and entity.
fn by_confidence(a: &&StanceRecord, b: &&StanceRecord) -> std::cmp::Ordering {
    b.confidence
        .total_cmp(&a.confidence)
        .then_with(|| (&a.doc_id, a.comment, &a.entity_id).cmp(&(&b.doc_id, b.comment, &b.entity_id)))
}

/// The first `cap` of `records` by confidence, quoted, and how many more.
fn most_confident(mut records: Vec<&StanceRecord>, cap: usize, context: &Context) -> (Vec<QuoteRow>, usize) {
    records.sort_by(by_confidence);
    let more = records.len().saturating_sub(cap);
    (records.iter().take(cap).map(|s| context.quote(s)).collect(), more)
}

/// The evidence of each of `rows` (by entity id).
fn entity_evidence<'a>(
    rows: impl Iterator<Item = &'a EntityRow>,
    kept: &[&StanceRecord],
    context: &Context,
) -> BTreeMap<String, Evidence> {
    let wanted: BTreeSet<&str> = rows.map(|r| r.id.as_str()).collect();
    let mut by_entity: HashMap<&str, Vec<&StanceRecord>> = HashMap::new();
    for s in kept.iter().filter(|s| wanted.contains(s.entity_id.as_str())) {
        by_entity.entry(s.entity_id.as_str()).or_default().push(s);
    }
    let mut out = BTreeMap::new();
    for id in wanted {
        let records = by_entity.remove(id).unwrap_or_default();
        let side = |stance: Stance| records.iter().copied().filter(|s| s.stance == stance).collect::<Vec<_>>();
        let (favour, favour_more) = most_confident(side(Stance::Favour), QUOTES_PER_SIDE, context);
        let (against, against_more) = most_confident(side(Stance::Against), QUOTES_PER_SIDE, context);
        out.insert(id.to_string(), Evidence { favour, favour_more, against, against_more });
    }
    out
}

/// The comments that make a camp of `members` standing for `stands`.
fn camp_evidence(
    members: &[String],
    stands: &camps::Stands,
    kept: &[&StanceRecord],
    context: &Context,
) -> CampEvidence {
    let members: BTreeSet<&str> = members.iter().map(String::as_str).collect();
    let favours: BTreeSet<&str> = stands.favours.iter().map(|s| s.entity_id.as_str()).collect();
    let opposes: BTreeSet<&str> = stands.opposes.iter().map(|s| s.entity_id.as_str()).collect();
    let records: Vec<&StanceRecord> = kept
        .iter()
        .copied()
        .filter(|s| members.contains(commenter_name(&s.author)))
        .filter(|s| match s.stance {
            Stance::Favour => favours.contains(s.entity_id.as_str()),
            Stance::Against => opposes.contains(s.entity_id.as_str()),
            Stance::Neutral => false,
        })
        .collect();
    // Each entity the camp stands for or against in turn, those with the
    // most members first, most confident comment first, so that one entity
    // does not fill the list.
    let mut order: Vec<&camps::Stand> = stands.favours.iter().chain(&stands.opposes).collect();
    order.sort_by_key(|s| std::cmp::Reverse(s.members));
    let order: Vec<&str> = order.iter().map(|s| s.entity_id.as_str()).collect();
    let mut by_entity: Vec<Vec<&StanceRecord>> = order
        .iter()
        .map(|id| {
            let mut list: Vec<&StanceRecord> = records.iter().copied().filter(|s| s.entity_id == *id).collect();
            list.sort_by(by_confidence);
            list.reverse();
            list
        })
        .collect();
    let mut quotes = Vec::new();
    while quotes.len() < CAMP_QUOTES && by_entity.iter().any(|l| !l.is_empty()) {
        for list in by_entity.iter_mut() {
            if let Some(s) = list.pop().filter(|_| quotes.len() < CAMP_QUOTES) {
                quotes.push(context.quote(s));
            }
        }
    }
    CampEvidence { more: records.len() - quotes.len(), quotes }
}

/// What a file of the set holds, in a few words.
fn describe(name: &str) -> &'static str {
    match name {
        "graph.gexf" => "the graph for Gephi (GEXF 1.3, with its timeline)",
        "graph.graphml" => "the same graph as GraphML",
        "nodes.csv" => "nodes for Gephi's spreadsheet import",
        "edges.csv" => "edges for Gephi's spreadsheet import",
        "commenters.gexf" => "commenters linked by agreement, for finding camps",
        "entities.gexf" => "entities linked by co-mention in one comment, for what is argued about together",
        "entities.jsonl" => "one entity a line: id, label, type, aliases, mentions",
        "mentions.jsonl" => "one mention a line, with character offsets",
        "stances.jsonl" => "one stance record (comment × entity) a line",
        "stances.csv" => "the same stance records as a spreadsheet, one a row",
        "summary.json" => "the run's counts, timings and skipped inputs",
        "entity-registry.json" => "entity ids kept between runs",
        _ => "",
    }
}

// ---------------------------------------------------------------- writing --

/// Writes the page for these records to `path` (through a temporary file in
/// the same folder, synced and renamed, like the other exports). Sizes of the
/// set's other files already in that folder are shown beside their links.
pub fn write(path: &Path, e: &Exports, summary: &impl Serialize) -> Result<(), ExportError> {
    let summary =
        serde_json::to_value(summary).map_err(|source| ExportError::Serialize { path: path.to_path_buf(), source })?;
    let mut report = build(e, &summary);
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

// ---------------------------------------------------------------- HTML --

/// Whether `c` is one of Unicode's explicit bidirectional formatting
/// characters (embeddings, overrides, isolates, and their ends) or a mark.
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Escapes text for HTML element content and quoted attribute values.
///
/// User text is shown as written, but can't disguise itself or the page:
/// controls other than tab, newline and CR and the noncharacters are written
/// as `\u{..}` ([`export::hidden_char`]: two names that differ only by one
/// stay two); the direction overrides U+202D and U+202E, which would show a
/// name reversed, are written as `\u{202d}` and `\u{202e}`; and a text
/// holding any other bidirectional control is wrapped in U+2068 … U+2069 (an
/// isolate, as `<bdi>` makes one), so an embedding it leaves open ends with
/// it instead of reordering the page's own text after it.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{202d}' | '\u{202e}' => export::push_shown(&mut out, c),
            c if c.is_control() || export::hidden_char(c) => export::push_shown(&mut out, c),
            c => out.push(c),
        }
    }
    if s.chars().any(bidi_control) {
        format!("\u{2068}{out}\u{2069}")
    } else {
        out
    }
}

/// JSON for a `<script type="application/json">` element: `<`, `>` and `&`
/// as `\u` escapes, so no `</script>` or `<!--` can appear.
fn script_json(v: &impl Serialize) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "{}".to_string())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `2026-12-01T15:23:42Z` → `2026-12-01 15:23 UTC`; anything else as it is.
fn readable_time(s: &str) -> String {
    let b = s.as_bytes();
    if s.len() == 20 && b[10] == b'T' && s.ends_with('Z') {
        format!("{} {} UTC", &s[..10], &s[11..16])
    } else {
        s.to_string()
    }
}

/// `1234567` → `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a whole percentage; `<1%` for a small non-zero share.
fn pct(n: usize, total: usize) -> String {
    if total == 0 {
        return "–".to_string();
    }
    let p = n as f64 * 100.0 / total as f64;
    if n > 0 && p < 1.0 {
        "<1%".to_string()
    } else {
        format!("{}%", p.round() as i64)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A number to one decimal, without a trailing `.0`.
fn one_decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn bytes(n: u64) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{} KiB", one_decimal(n as f64 / 1024.0)),
        n => format!("{} MiB", one_decimal(n as f64 / (1024.0 * 1024.0))),
    }
}

const FAVOUR: &str = "#1a9850";
const AGAINST: &str = "#d73027";
const NEUTRAL: &str = "#9a9a9a";

/// The colour of an entity type's chip (the graph's node colours).
fn type_colour(t: EntityType) -> &'static str {
    match t {
        EntityType::Person => "#0072b2",
        EntityType::Country => "#e69f00",
        EntityType::Organisation => "#cc79a7",
        EntityType::Location => "#009e73",
        EntityType::Misc => "#56b4e9",
    }
}

/// Width of the stance-share bars, in pixels.
const BAR_W: f64 = 200.0;

/// A bar of favour / neutral / against shares, or "no comments measured".
fn share_bar(out: &mut String, c: &Counts) {
    let total = c.total();
    if total == 0 {
        let _ = write!(
            out,
            r#"<svg class="bar" width="{w}" height="20" viewBox="0 0 {w} 20" role="img" aria-label="no comments measured"><rect x="0.5" y="2.5" width="{iw}" height="15" rx="3" class="unmeasured"/><text x="{mid}" y="14" text-anchor="middle" class="unmeasured-text">no comments measured</text></svg>"#,
            w = BAR_W,
            iw = BAR_W - 1.0,
            mid = BAR_W / 2.0
        );
        return;
    }
    let title = format!(
        "{} favour ({}), {} neutral ({}), {} against ({}) of {}",
        c.favour,
        pct(c.favour, total),
        c.neutral,
        pct(c.neutral, total),
        c.against,
        pct(c.against, total),
        plural(total, "measured comment", "measured comments")
    );
    let _ = write!(
        out,
        r#"<svg class="bar" width="{w}" height="20" viewBox="0 0 {w} 20" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = BAR_W,
        t = escape(&title)
    );
    let mut x = 0.0;
    for (n, colour) in [(c.favour, FAVOUR), (c.neutral, NEUTRAL), (c.against, AGAINST)] {
        if n == 0 {
            continue;
        }
        let w = BAR_W * n as f64 / total as f64;
        let _ = write!(out, r#"<rect x="{x:.2}" y="2" width="{w:.2}" height="16" fill="{colour}"/>"#);
        if w >= 30.0 {
            let _ = write!(
                out,
                r#"<text x="{:.2}" y="14" text-anchor="middle" class="in-bar">{}</text>"#,
                x + w / 2.0,
                escape(&pct(n, total))
            );
        }
        x += w;
    }
    out.push_str("</svg>");
}

/// A diverging bar: against to the left of the centre, favour to the right,
/// scaled so that `max` fills a half.
fn diverging_bar(out: &mut String, c: &Counts, max: usize) {
    let (w, h) = (100.0, 20.0);
    let half = w / 2.0;
    let scale = if max == 0 { 0.0 } else { (half - 2.0) / max as f64 };
    let fa = c.favour as f64 * scale;
    let aa = c.against as f64 * scale;
    let title = format!("{} favour, {} against, {} neutral", c.favour, c.against, c.neutral);
    let _ = write!(
        out,
        r#"<svg class="bar" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title><rect x="{ax:.2}" y="3" width="{aa:.2}" height="14" fill="{AGAINST}"/><rect x="{half}" y="3" width="{fa:.2}" height="14" fill="{FAVOUR}"/><line x1="{half}" x2="{half}" y1="0" y2="{h}" class="axis"/></svg>"#,
        t = escape(&title),
        ax = half - aa
    );
}

/// A small stance triple: `3 · 1 · 2` in the stance colours.
fn triple(out: &mut String, c: &Counts) {
    if c.total() == 0 {
        out.push_str(r#"<span class="muted">–</span>"#);
        return;
    }
    let _ = write!(
        out,
        r#"<span class="triple" title="favour · neutral · against"><b class="fav">{}</b> · <b class="neu">{}</b> · <b class="aga">{}</b></span>"#,
        c.favour, c.neutral, c.against
    );
}

fn type_chip(out: &mut String, t: EntityType) {
    let _ = write!(out, r#"<span class="chip" style="--c:{}">{}</span>"#, type_colour(t), type_name(t));
}

fn key_number(out: &mut String, key: &str, label: &str, n: usize, note: &str) {
    let _ = write!(
        out,
        r#"<div class="kn"><div class="kn-value" data-key="{key}" data-value="{n}">{}</div><div class="kn-label">{}</div>"#,
        thousands(n),
        escape(label)
    );
    if !note.is_empty() {
        let _ = write!(out, r#"<div class="kn-note">{}</div>"#, escape(note));
    }
    out.push_str("</div>");
}

/// Opens a panel; `class` sets its width: `wide` (the whole row), `s7` or
/// `s5` (7 or 5 twelfths), empty (half).
fn section_open(out: &mut String, panel: &str, title: &str, lead: &str, class: &str) {
    let _ =
        write!(out, r#"<section class="panel {class}" data-panel="{panel}" id="{panel}"><h2>{}</h2>"#, escape(title));
    if !lead.is_empty() {
        let _ = write!(out, r#"<p class="lead">{lead}</p>"#);
    }
}

/// A quote, escaped, with its mention in `<mark>`.
fn quote_html(q: &Quote) -> String {
    let chars: Vec<char> = q.text.chars().collect();
    match q.mention {
        Some([s, e]) if s < e && e <= chars.len() => {
            let part = |r: std::ops::Range<usize>| escape(&chars[r].iter().collect::<String>());
            format!("{}<mark>{}</mark>{}", part(0..s), part(s..e), part(e..chars.len()))
        }
        _ => escape(&q.text),
    }
}

/// One quoted comment: the quote, then who, where, when, how sure.
fn quote_block(out: &mut String, q: &QuoteRow, with_entity: bool) {
    let class = match q.stance {
        Stance::Favour => "fav",
        Stance::Against => "aga",
        Stance::Neutral => "neu",
    };
    let _ = write!(
        out,
        r#"<blockquote class="q {class}" data-comment-id="{}" data-stance="{}"><q>{}</q><div class="q-by">{}"#,
        escape(&clip(&q.comment_id, 120)),
        q.stance.as_str(),
        quote_html(&q.quote),
        escape(&q.author)
    );
    let _ = write!(out, " · <i>{}</i>", escape(&q.title));
    if let Some(d) = &q.date {
        let _ = write!(out, " · {}", escape(d));
    }
    let _ = write!(
        out,
        r#" · <span title="the model's probability of {}">{}% sure</span>"#,
        q.stance.as_str(),
        (q.confidence * 100.0).round()
    );
    if with_entity {
        let _ = write!(out, " · {} {}", q.stance.as_str(), escape(&q.entity));
    }
    if q.implicit {
        out.push_str(r#" · <span class="imp" title="the comment does not name the entity: it replies to a comment that does, or the entity leads the document">implicit</span>"#);
    }
    out.push_str("</div></blockquote>");
}

/// An entity row's evidence: its favour and against comments, in a
/// `<details>` that opens in place.
fn evidence_details(out: &mut String, id: &str, ev: &Evidence, c: &Counts) {
    let _ = write!(
        out,
        r#"<details class="ev" data-entity="{}" data-favour="{}" data-against="{}"><summary>the comments: {} in favour · {} against</summary><div class="sides">"#,
        escape(id),
        c.favour,
        c.against,
        c.favour,
        c.against
    );
    for (quotes, more, class, word) in
        [(&ev.favour, ev.favour_more, "fav", "in favour"), (&ev.against, ev.against_more, "aga", "against")]
    {
        let _ = write!(out, r#"<div><div class="side-h {class}">{word}, most confident first</div>"#);
        if quotes.is_empty() {
            out.push_str(r#"<div class="muted">none</div>"#);
        }
        for q in quotes {
            quote_block(out, q, false);
        }
        if more > 0 {
            let _ = write!(out, r#"<div class="more" data-more="{more}">and {} more {word}</div>"#, thousands(more));
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
    if c.neutral > 0 {
        let _ = write!(
            out,
            r#"<p class="note">{} not quoted.</p>"#,
            escape(&plural(c.neutral, "neutral comment", "neutral comments"))
        );
    }
    out.push_str("</details>");
}

/// The evidence row under an entity row (`cols` wide), when it has a side.
fn evidence_row(out: &mut String, r: &Report, e: &EntityRow, cols: usize) {
    if e.stance.favour + e.stance.against == 0 {
        return;
    }
    if let Some(ev) = r.evidence.get(&e.id) {
        let _ = write!(out, r#"<tr class="ev"><td colspan="{cols}">"#);
        evidence_details(out, &e.id, ev, &e.stance);
        out.push_str("</td></tr>");
    }
}

/// A camp's members, all of them up to [`CAMP_MEMBERS_LISTED`], and the
/// comments that make it.
fn camp_details(out: &mut String, c: &CampRow) {
    out.push_str(
        r#"<details class="ev"><summary>members and the comments behind the camp</summary><div class="members-all">"#,
    );
    let listed: Vec<String> =
        c.members.iter().take(CAMP_MEMBERS_LISTED).map(|m| escape(&clip(m, AUTHOR_CHARS))).collect();
    out.push_str(&listed.join(", "));
    if c.members.len() > CAMP_MEMBERS_LISTED {
        let _ = write!(out, r#" <span class="muted">and {} more</span>"#, c.members.len() - CAMP_MEMBERS_LISTED);
    }
    out.push_str("</div>");
    if c.evidence.quotes.is_empty() {
        out.push_str(r#"<div class="muted">no comment on what the camp stands for</div>"#);
    }
    for q in &c.evidence.quotes {
        quote_block(out, q, true);
    }
    if c.evidence.more > 0 {
        let _ = write!(
            out,
            r#"<div class="more" data-more="{}">and {} more</div>"#,
            c.evidence.more,
            thousands(c.evidence.more)
        );
    }
    out.push_str("</details>");
}

const STYLE: &str = r#"
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--soft:#f1f3f6;
--fav:#1a9850;--aga:#d73027;--neu:#9a9a9a;--link:#2563eb;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#12151b;--card:#1b2029;--ink:#e6e9ef;--muted:#98a2b3;--line:#2c3340;--soft:#232a35;--link:#8ab4ff}.chip{filter:brightness(1.6)}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 20px 40px}
header .over{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);margin:0 0 2px;font-weight:600}
header h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}
header .sub{color:var(--muted);margin:0}
.grid{display:grid;grid-template-columns:repeat(12,minmax(0,1fr));gap:18px;margin-top:18px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px 14px;min-width:0;overflow-x:auto}
.panel{grid-column:span 6}.panel.wide{grid-column:1/-1}.panel.s7{grid-column:span 7}.panel.s5{grid-column:span 5}
@media (max-width:1000px){.panel,.panel.s7,.panel.s5{grid-column:1/-1}}
h2{font-size:16px;margin:0 0 2px}
.lead{color:var(--muted);margin:0 0 10px;font-size:13px}
.kns{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:10px;margin:4px 0 12px}
.kn{background:var(--soft);border-radius:8px;padding:10px 12px}
.kn-value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums;letter-spacing:-.01em}
.kn-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kn-note{color:var(--muted);font-size:12px}
.overall{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.overall .big{flex:1 1 420px;display:flex;height:26px;border-radius:6px;overflow:hidden;background:var(--soft)}
.overall .big>div{display:flex;align-items:center;justify-content:center;color:#fff;font-size:12px;font-weight:600;min-width:0;overflow:hidden;white-space:nowrap}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:13px}
.legend span::before{content:"";display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;background:var(--c);vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
th.num,td.num{text-align:right}
td{padding:4px 6px;border-bottom:1px solid var(--soft);vertical-align:middle}
tr:last-child td{border-bottom:0}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" ▲"}
table.sortable th[aria-sort=descending]::after{content:" ▼"}
td.rank{color:var(--muted);width:1.5em}
td.name{max-width:230px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
td.name.short{max-width:150px}
.tw{overflow-x:auto}
.chip{display:inline-block;font-size:10.5px;line-height:16px;padding:0 6px;border-radius:8px;margin-left:6px;color:var(--c);background:color-mix(in srgb,var(--c) 14%,transparent);vertical-align:1px}
a.camp-chip{color:inherit;text-decoration:none}
a.camp-chip:hover{border-color:var(--muted)}
.camp-chip{display:inline-block;font-size:11px;line-height:17px;padding:0 7px;border-radius:9px;background:var(--soft);border:1px solid var(--line)}
.bar{display:block}
.bar .in-bar{font-size:10.5px;fill:#fff;font-weight:600}
.bar .unmeasured{fill:none;stroke:var(--muted);stroke-dasharray:4 3}
.bar .unmeasured-text{font-size:10.5px;fill:var(--muted);font-style:italic}
.bar .axis{stroke:var(--muted);stroke-width:1}
.triple b{font-weight:600}.fav{color:var(--fav)}.aga{color:var(--aga)}.neu{color:var(--muted)}
.muted{color:var(--muted)}
h3.sub-h{font-size:14px;margin:16px 0 2px}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:4px 18px}
.side-h{font-size:11px;text-transform:uppercase;letter-spacing:.04em;font-weight:600;padding-bottom:3px;border-bottom:1px solid var(--line);margin-bottom:3px}
.side-row{display:flex;gap:6px;align-items:baseline;padding:2px 0;font-variant-numeric:tabular-nums}
.side-row .name{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.camps{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:10px}
.camp{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.camp h3{font-size:14px;margin:0 0 2px}
.camp .members{margin:4px 0 6px;font-size:13px}
.camp .stands{font-size:12.5px;margin:2px 0}
.pill{display:inline-block;border-radius:9px;padding:0 7px;margin:1px 2px 1px 0;font-size:12px;line-height:18px}
.pill.fav{background:color-mix(in srgb,var(--fav) 14%,transparent)}
.pill.aga{background:color-mix(in srgb,var(--aga) 14%,transparent)}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}
.multiple{border:1px solid var(--line);border-radius:8px;padding:8px 10px 4px}
.multiple h3{font-size:13.5px;margin:0}
.multiple .totals{font-size:12px;color:var(--muted)}
.chart text{font-size:10px;fill:var(--muted)}
.chart .zero{stroke:var(--muted);stroke-width:1}
.chart .grid{stroke:var(--line);stroke-width:1}
.files{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:6px 18px}
.files li{padding:2px 0}
.files a{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;color:var(--link)}
.files .what{color:var(--muted);font-size:12.5px}
.note{font-size:12.5px;color:var(--muted);margin:8px 0 0}
.ok{color:var(--fav);font-weight:600}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
footer{color:var(--muted);font-size:12px;margin-top:18px;text-align:center}
#self-check{display:none}
tr.ev td{padding:0 6px 2px;border-bottom:1px solid var(--soft)}
details.ev summary{cursor:pointer;color:var(--muted);font-size:12px}
details.ev[open]{padding-bottom:6px}
blockquote.q{margin:4px 0;padding:3px 8px;border-left:3px solid var(--neu);font-size:12.5px;white-space:normal}
blockquote.q.fav{border-color:var(--fav);color:inherit}blockquote.q.aga{border-color:var(--aga);color:inherit}
blockquote.q q{quotes:"\201C" "\201D"}
blockquote.q mark{background:color-mix(in srgb,#f5c518 45%,transparent);color:inherit;border-radius:2px;padding:0 1px}
.q-by{color:var(--muted);font-size:11.5px}
.imp{font-style:italic}
.more{color:var(--muted);font-size:12px;margin:2px 0 0 11px}
.members-all{font-size:12.5px;margin:4px 0}
.sides details .sides{display:block}
"#;

/// The first script in `<head>`: catches every later error on the page.
const CATCH: &str = r#"
window.reportErrors = [];
(function () {
  function note(msg) { window.reportErrors.push(String(msg)); if (window.reportPublish) { window.reportPublish(); } }
  window.addEventListener('error', function (e) {
    note(e.message ? 'error: ' + e.message : 'cannot load ' + (e.target && (e.target.src || e.target.href || e.target.tagName)));
  }, true);
  window.addEventListener('unhandledrejection', function (e) { note('rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { note('blocked: ' + e.blockedURI); });
})();
"#;

const SCRIPT: &str = r#"
(function () {
  var errors = window.reportErrors || [];
  function record(msg) { errors.push(String(msg)); publish(); }
  var result = { ok: false, keys: {}, panels: [], errors: errors };
  window.reportPublish = publish;
  function publish() {
    result.ok = errors.length === 0 && result.checked === true;
    var pre = document.getElementById('self-check');
    if (pre) { pre.textContent = JSON.stringify(result); }
    document.documentElement.setAttribute('data-ok', result.ok ? '1' : '0');
  }
  function check() {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var seen = document.querySelectorAll('[data-key]');
    for (var i = 0; i < seen.length; i++) {
      var key = seen[i].getAttribute('data-key');
      var shown = Number(seen[i].textContent.replace(/[^0-9]/g, ''));
      var value = Number(seen[i].getAttribute('data-value'));
      if (shown !== value) { record('key ' + key + ' shows ' + shown + ' but is ' + value); }
      if (!(key in data.totals)) { record('key ' + key + ' is not a total'); }
      else if (data.totals[key] !== value) { record('key ' + key + ' is ' + value + ', totals say ' + data.totals[key]); }
      result.keys[key] = value;
    }
    for (var k in data.totals) { if (!(k in result.keys)) { record('total ' + k + ' is not shown'); } }
    var panels = document.querySelectorAll('section[data-panel]');
    for (var j = 0; j < panels.length; j++) { result.panels.push(panels[j].getAttribute('data-panel')); }
    data.panels.forEach(function (p) { if (result.panels.indexOf(p) < 0) { record('panel ' + p + ' missing'); } });
    result.charts = document.querySelectorAll('svg').length;
    result.checked = true;
    publish();
  }
  function sortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') === 'descending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        // An evidence row (tr.ev) travels with the row above it.
        var rows = Array.prototype.filter.call(body.rows, function (r) { return !r.classList.contains('ev'); });
        var evidence = rows.map(function (r) {
          var next = r.nextElementSibling;
          return next && next.classList.contains('ev') ? next : null;
        });
        rows.forEach(function (r, i) { r.evidence = evidence[i]; });
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
          var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
          var nx = Number(x), ny = Number(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); if (r.evidence) { body.appendChild(r.evidence); } });
      });
    });
  }
  function start() {
    try {
      Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
      check();
    } catch (e) { record('self-check: ' + e); }
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
"#;

/// The panels every page has (the self-check looks for each).
pub const PANELS: [&str; 8] =
    ["key-numbers", "top-entities", "contested", "commenters", "camps", "timeline", "skipped", "files"];

/// The page, as one string.
pub fn render(r: &Report) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let t = &r.totals;
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        o,
        "<title>stancegraph report{}</title>",
        r.run_id.map(|id| format!(" · run {id}")).unwrap_or_default()
    );
    let _ = writeln!(o, "<script>{CATCH}</script>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>");

    // Header.
    o.push_str("<header><p class=\"over\">stancegraph report</p><h1>Who stands where</h1><p class=\"sub\">");
    let mut sub = vec![format!(
        "{} with {}",
        plural(t.documents, "document", "documents"),
        plural(t.comments, "comment", "comments")
    )];
    match (&r.first_date, &r.last_date) {
        (Some(a), Some(b)) if a == b => sub.push(format!("dated {a}")),
        (Some(a), Some(b)) => sub.push(format!("dated {a} to {b}")),
        _ => sub.push("no dates".to_string()),
    }
    if let Some(id) = r.run_id {
        sub.push(match &r.run_started {
            Some(s) => format!("run {id} at {}", readable_time(s)),
            None => format!("run {id}"),
        });
    }
    if let Some(m) = &r.stance_method {
        sub.push(format!("stance by {m}"));
    }
    o.push_str(&escape(&sub.join(" · ")));
    o.push_str("</p>");
    for note in [&r.coverage, &r.graph_left_out].into_iter().flatten() {
        let _ = write!(o, "<p class=\"sub\">{}</p>", escape(note));
    }
    o.push_str("</header>\n<div class=\"grid\">\n");

    // 1. Key numbers.
    section_open(&mut o, "key-numbers", "The corpus at a glance", "", "wide");
    o.push_str("<div class=\"kns\">");
    let dated_note = if t.documents > 0 && r.dated_documents < t.documents {
        format!("{} dated", thousands(r.dated_documents))
    } else {
        String::new()
    };
    key_number(&mut o, "documents", "documents", t.documents, &dated_note);
    key_number(&mut o, "comments", "comments", t.comments, "");
    key_number(&mut o, "commenters", "commenters", t.commenters, "");
    let by_type: Vec<String> =
        r.entities_by_type.iter().map(|(k, n)| format!("{} {}", thousands(*n), type_plural(k, *n))).collect();
    key_number(&mut o, "entities", "entities", t.entities, "");
    key_number(&mut o, "mentions", "mentions", t.mentions, "");
    key_number(&mut o, "stance_pairs", "stance pairs", t.stance_pairs, "comment × entity");
    o.push_str("</div>");
    o.push_str("<div class=\"overall\">");
    if t.stance_pairs > 0 {
        o.push_str("<div class=\"big\" role=\"img\" aria-label=\"stance of all measured comments\">");
        for (n, colour, name) in
            [(t.favour, FAVOUR, "favour"), (t.neutral, NEUTRAL, "neutral"), (t.against, AGAINST, "against")]
        {
            if n > 0 {
                let _ = write!(
                    o,
                    r#"<div style="flex:{n} 1 0;background:{colour}" title="{n} {name}">{}</div>"#,
                    if n * 100 >= t.stance_pairs * 6 { pct(n, t.stance_pairs) } else { String::new() }
                );
            }
        }
        o.push_str("</div>");
    }
    o.push_str("<div class=\"legend\">");
    for (key, n, colour, name) in [
        ("favour", t.favour, FAVOUR, "favour"),
        ("neutral", t.neutral, NEUTRAL, "neutral"),
        ("against", t.against, AGAINST, "against"),
    ] {
        let _ = write!(
            o,
            r#"<span style="--c:{colour}"><b data-key="{key}" data-value="{n}">{}</b> {name}</span>"#,
            thousands(n)
        );
    }
    o.push_str("</div></div>");
    let _ = write!(
        o,
        r#"<p class="note"><b data-key="unsure" data-value="{u}">{}</b> unsure (below the run's --min-confidence: in the stance pairs, in no share or count below); <b data-key="implicit" data-value="{i}">{}</b> implicit (the comment does not name the entity: it replies to a comment that does, or the entity leads the document). Open a row of Top entities or Most contested to read its comments.</p>"#,
        thousands(t.unsure),
        thousands(t.implicit),
        u = t.unsure,
        i = t.implicit
    );
    let _ = write!(
        o,
        r#"<p class="note">Entities: {}. A stance pair is one comment's stance toward one entity it speaks about; favour, neutral and against split them.</p>"#,
        if by_type.is_empty() { "none".to_string() } else { escape(&by_type.join(", ")) }
    );
    o.push_str("</section>\n");

    // 2. Top entities.
    let unranked: usize = r
        .entities_by_type
        .iter()
        .filter(|(k, _)| !RANKED_TYPES.iter().any(|t| type_name(*t) == k.as_str()))
        .map(|(_, n)| n)
        .sum();
    let lead = format!(
        "The most-mentioned people, countries and organisations, with the stance of the comments measured on each: \
         <span class=\"legend\" style=\"display:inline-flex\"><span style=\"--c:{FAVOUR}\">favour</span><span style=\"--c:{NEUTRAL}\">neutral</span><span style=\"--c:{AGAINST}\">against</span></span>"
    );
    section_open(&mut o, "top-entities", "Top entities", &lead, "s7");
    if r.top_entities.is_empty() {
        o.push_str("<p class=\"muted\">No people, countries or organisations were found.</p>");
    } else {
        o.push_str("<table class=\"sortable\"><thead><tr><th>#</th><th>entity</th><th class=\"num\">mentions</th><th class=\"num\">measured</th><th>stance</th></tr></thead><tbody>");
        for (i, e) in r.top_entities.iter().enumerate() {
            let _ = write!(
                o,
                r#"<tr data-entity="{id}"><td class="rank" data-sort="{}">{}</td><td class="name" title="{id}" data-sort="{}">{}"#,
                i + 1,
                i + 1,
                escape(&e.label),
                escape(&e.label),
                id = escape(&e.id)
            );
            type_chip(&mut o, e.kind);
            let _ = write!(
                o,
                r#"</td><td class="num">{}</td><td class="num">{}</td><td data-sort="{:.4}">"#,
                thousands(e.mentions),
                thousands(e.stance.total()),
                if e.stance.total() == 0 {
                    -2.0
                } else {
                    (e.stance.favour as f64 - e.stance.against as f64) / e.stance.total() as f64
                }
            );
            share_bar(&mut o, &e.stance);
            o.push_str("</td></tr>");
            evidence_row(&mut o, r, e, 5);
        }
        o.push_str("</tbody></table>");
    }
    let ranked_total: usize = r.entities_by_type.values().sum::<usize>() - unranked;
    let mut notes = vec![format!(
        "{} of {} measured",
        thousands(r.measured_entities),
        plural(ranked_total, "ranked entity", "ranked entities")
    )];
    if unranked > 0 {
        notes.push(format!("{} not ranked here (locations, misc)", plural(unranked, "entity", "entities")));
    }
    let _ = write!(o, "<p class=\"note\">{}. Click a column to sort.</p>", escape(&notes.join("; ")));
    o.push_str("</section>\n");

    // 3. Most contested.
    section_open(
        &mut o,
        "contested",
        "Most contested",
        "Entities with many comments in favour <em>and</em> many against. Score = 2·F·A / (F + A), the harmonic mean of the favour (F) and against (A) counts: 0 unless both sides are present, at most the smaller side.",
        "s5",
    );
    if r.contested.is_empty() {
        o.push_str(
            "<p class=\"muted\">No entity has comments both in favour and against: nothing is contested yet.</p>",
        );
    } else {
        let max = r.contested.iter().map(|e| e.stance.favour.max(e.stance.against)).max().unwrap_or(0);
        o.push_str("<div class=\"tw\"><table class=\"sortable\"><thead><tr><th>entity</th><th class=\"num\">favour</th><th class=\"num\">against</th><th class=\"num\">score</th><th title=\"against to the left, favour to the right\">balance</th></tr></thead><tbody>");
        for e in &r.contested {
            let _ = write!(
                o,
                r#"<tr data-entity="{}"><td class="name short" title="{} ({}): {} neutral too">{}</td>"#,
                escape(&e.id),
                escape(&e.label),
                type_name(e.kind),
                e.stance.neutral,
                escape(&e.label)
            );
            let _ = write!(
                o,
                r#"<td class="num fav">{}</td><td class="num aga">{}</td><td class="num" data-sort="{:.4}"><b>{}</b></td><td data-sort="{}">"#,
                e.stance.favour,
                e.stance.against,
                e.stance.contest(),
                one_decimal(e.stance.contest()),
                e.stance.favour as i64 - e.stance.against as i64
            );
            diverging_bar(&mut o, &e.stance, max);
            o.push_str("</td></tr>");
            evidence_row(&mut o, r, e, 5);
        }
        o.push_str("</tbody></table></div>");
    }
    let _ = write!(
        o,
        r#"<h3 class="sub-h">Most one-sided</h3><p class="lead">The highest favour and against shares among entities with at least {ONE_SIDED_MIN} measured comments.</p><div class="sides">"#
    );
    for (rows, class, word) in [(&r.favoured, "fav", "in favour"), (&r.opposed, "aga", "against")] {
        let _ = write!(o, r#"<div><div class="side-h {class}">most {word}</div>"#);
        if rows.is_empty() {
            o.push_str(r#"<div class="muted">none</div>"#);
        }
        for e in rows.iter() {
            let n = if class == "fav" { e.stance.favour } else { e.stance.against };
            let _ = write!(
                o,
                r#"<div class="side-row" data-entity="{}"><span class="name" title="{l} ({})">{l}</span> <b class="{class}">{}</b> <span class="muted">of {}</span></div>"#,
                escape(&e.id),
                type_name(e.kind),
                pct(n, e.stance.total()),
                e.stance.total(),
                l = escape(&e.label)
            );
            if let Some(ev) = r.evidence.get(&e.id) {
                evidence_details(&mut o, &e.id, ev, &e.stance);
            }
        }
        o.push_str("</div>");
    }
    o.push_str("</div></section>\n");

    // 4. Most active commenters.
    section_open(
        &mut o,
        "commenters",
        "Most active commenters",
        "By comments written; stance records are favour · neutral · against over every entity they spoke about.",
        "",
    );
    if r.commenters.is_empty() {
        o.push_str("<p class=\"muted\">The corpus has no comments.</p>");
    } else {
        o.push_str("<table class=\"sortable\"><thead><tr><th>commenter</th><th class=\"num\">comments</th><th class=\"num\">threads</th><th>stance records</th><th>camp</th></tr></thead><tbody>");
        for c in &r.commenters {
            let _ = write!(
                o,
                r#"<tr><td class="name" title="{n}">{n}</td><td class="num">{}</td><td class="num">{}</td><td data-sort="{}">"#,
                thousands(c.comments),
                thousands(c.threads),
                c.stance.total(),
                n = escape(&c.name)
            );
            triple(&mut o, &c.stance);
            let _ = write!(o, r#"</td><td data-sort="{}">"#, c.camp.unwrap_or(usize::MAX));
            match c.camp {
                Some(id) => {
                    let _ = write!(o, r##"<a class="camp-chip" href="#camp-{id}">camp {id}</a>"##);
                }
                None => o.push_str(r#"<span class="muted">–</span>"#),
            }
            o.push_str("</td></tr>");
        }
        o.push_str("</tbody></table>");
    }
    let _ = write!(o, "<p class=\"note\">{} in all.</p>", escape(&plural(t.commenters, "commenter", "commenters")));
    o.push_str("</section>\n");

    // 5. Camps.
    section_open(
        &mut o,
        "camps",
        "Camps",
        "Commenters who agree. Two commenters agree on an entity when both took the same side on it (more favour than against, or the reverse; neutral takes no side) and disagree when they took opposite sides; a pair's weight is agreements − disagreements. Camps are found by label propagation over these weights.",
        "",
    );
    if r.camps.is_empty() {
        o.push_str("<p class=\"muted\">No camp: no two commenters agree on more entities than they disagree on.</p>");
    } else {
        o.push_str("<div class=\"camps\">");
        for c in &r.camps {
            let _ = write!(
                o,
                r#"<div class="camp" id="camp-{}"><h3>Camp {} <span class="muted">· {}</span></h3><div class="muted" style="font-size:12px">{} inside, {}</div><div class="members">"#,
                c.id,
                c.id,
                escape(&plural(c.members.len(), "commenter", "commenters")),
                escape(&plural(c.agree, "agreement", "agreements")),
                escape(&plural(c.disagree, "disagreement", "disagreements"))
            );
            let shown: Vec<String> = c.members.iter().take(6).map(|m| escape(m)).collect();
            o.push_str(&shown.join(", "));
            if c.members.len() > 6 {
                let _ = write!(o, " <span class=\"muted\">and {} more</span>", c.members.len() - 6);
            }
            o.push_str("</div>");
            for (list, class, word) in [(&c.favours, "fav", "for"), (&c.opposes, "aga", "against")] {
                if list.is_empty() {
                    continue;
                }
                let _ = write!(o, r#"<div class="stands"><span class="muted">{word}</span> "#);
                for (label, n) in list {
                    let _ = write!(
                        o,
                        r#"<span class="pill {class}" title="{n} of the camp's members">{} <b>{n}</b></span>"#,
                        escape(label)
                    );
                }
                o.push_str("</div>");
            }
            camp_details(&mut o, c);
            o.push_str("</div>");
        }
        o.push_str("</div>");
    }
    let mut camp_note = format!(
        "{} in {} of the {} who took a side on any entity.",
        plural(r.commenters_in_camps, "commenter", "commenters"),
        plural(r.camps_found, "camp", "camps"),
        thousands(r.commenters_with_side)
    );
    if r.camp_commenters_capped {
        camp_note.push_str(&format!(
            " Camps are sought among the {} commenters who took a side on the most entities.",
            thousands(CAMP_COMMENTERS)
        ));
    }
    if r.camps_found > r.camps.len() {
        camp_note.push_str(&format!(" The {} biggest are shown.", r.camps.len()));
    }
    let _ = write!(o, "<p class=\"note\">{}</p>", escape(&camp_note));
    o.push_str("</section>\n");

    // 6. Stance over time.
    let tl = &r.timeline;
    section_open(
        &mut o,
        "timeline",
        "Stance over time",
        &if tl.series.is_empty() {
            "Stance records by their document's date.".to_string()
        } else {
            format!(
                "Stance records per {} of their document's date, for the entities with the most dated records: favour above the line, against below (neutral in the totals only). Every chart has the same scale.",
                tl.unit.name()
            )
        },
        "wide",
    );
    if tl.series.is_empty() {
        o.push_str("<p class=\"muted\">No stance record has a dated document: there is no timeline to draw.</p>");
    } else {
        let max =
            tl.series.iter().flat_map(|(_, c)| c.iter()).map(|c| c.favour.max(c.against)).max().unwrap_or(1).max(1);
        o.push_str("<div class=\"multiples\">");
        for (e, counts) in &tl.series {
            let mut sum = Counts::default();
            for c in counts {
                sum.favour += c.favour;
                sum.against += c.against;
                sum.neutral += c.neutral;
            }
            let _ = write!(o, r#"<div class="multiple"><h3>{}"#, escape(&e.label));
            type_chip(&mut o, e.kind);
            o.push_str("</h3><div class=\"totals\">");
            triple(&mut o, &sum);
            o.push_str(" dated records</div>");
            time_chart(&mut o, &tl.bins, counts, max, tl.unit);
            o.push_str("</div>");
        }
        o.push_str("</div>");
        if tl.bins.len() == 1 {
            let _ = write!(
                o,
                "<p class=\"note\">All dated records fall in one {} ({}): the timeline fills in as documents from more dates arrive.</p>",
                tl.unit.name(),
                escape(&tl.bins[0])
            );
        }
    }
    if tl.undated > 0 {
        let _ = write!(
            o,
            "<p class=\"note\">{} without a document date {} not on the timeline.</p>",
            escape(&plural(tl.undated, "stance record", "stance records")),
            if tl.undated == 1 { "is" } else { "are" }
        );
    }
    o.push_str("</section>\n");

    // 7. Skipped inputs.
    section_open(
        &mut o,
        "skipped",
        "Skipped inputs",
        "Files or lines that could not be read, from summary.json.",
        "s5",
    );
    if r.skipped.is_empty() {
        o.push_str("<p><span class=\"ok\">✓</span> No input was skipped.</p>");
    } else {
        let _ = write!(
            o,
            "<p><b data-count=\"skipped\">{}</b> left out:</p>",
            escape(&plural(r.skipped.len(), "input", "inputs"))
        );
        o.push_str("<table><thead><tr><th>file</th><th class=\"num\">line</th><th>reason</th></tr></thead><tbody>");
        for s in &r.skipped {
            let _ = write!(
                o,
                r#"<tr><td class="mono">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
                escape(&s.path),
                s.line.map(|l| l.to_string()).unwrap_or_else(|| "–".to_string()),
                escape(&s.reason)
            );
        }
        o.push_str("</tbody></table>");
    }
    if !r.duplicate_ids.is_empty() {
        let _ = write!(
            o,
            "<p class=\"note\">Document ids given twice (the later one was kept): {}</p>",
            r.duplicate_ids.iter().map(|d| format!("<code>{}</code>", escape(d))).collect::<Vec<_>>().join(", ")
        );
    }
    o.push_str("</section>\n");

    // 8. Files.
    section_open(&mut o, "files", "Files", "The rest of this export set, in this folder.", "s7");
    o.push_str("<ul class=\"files\">");
    for f in &r.files {
        let _ = write!(o, r#"<li><a href="{n}">{n}</a>"#, n = escape(&f.name));
        if let Some(b) = f.bytes {
            let _ = write!(o, r#" <span class="muted">{}</span>"#, bytes(b));
        }
        if !f.what.is_empty() {
            let _ = write!(o, r#"<br><span class="what">{}</span>"#, escape(f.what));
        }
        o.push_str("</li>");
    }
    o.push_str("</ul></section>\n</div>\n");

    let _ = write!(
        o,
        "<footer>Written by stancegraph{}. Numbers are counted from the same records as summary.json.</footer>\n</main>\n",
        r.version.as_ref().map(|v| format!(" {}", escape(v))).unwrap_or_default()
    );
    #[derive(Serialize)]
    struct Island<'a> {
        totals: &'a Totals,
        panels: [&'static str; 8],
    }
    let _ = writeln!(
        o,
        "<script type=\"application/json\" id=\"report-data\">{}</script>",
        script_json(&Island { totals: t, panels: PANELS })
    );
    o.push_str("<pre id=\"self-check\"></pre>\n");
    let _ = writeln!(o, "<script>{SCRIPT}</script>\n</body>\n</html>");
    o
}

/// One small chart: favour columns up, against columns down, per bin.
fn time_chart(o: &mut String, bins: &[String], counts: &[Counts], max: usize, unit: Unit) {
    let (w, h) = (340.0, 130.0);
    let (left, right, top, bottom) = (26.0, 8.0, 8.0, 20.0);
    let plot_w = w - left - right;
    let mid = top + (h - top - bottom) / 2.0;
    let half = (h - top - bottom) / 2.0;
    let slot = plot_w / bins.len().max(1) as f64;
    let col = (slot * 0.7).clamp(1.0, 28.0);
    let y = |n: usize| half * n as f64 / max as f64;
    let _ = write!(
        o,
        r#"<svg class="chart" width="100%" viewBox="0 0 {w} {h}" role="img" aria-label="stance per {}">"#,
        unit.name()
    );
    let _ = write!(
        o,
        r#"<line class="grid" x1="{left}" x2="{xe}" y1="{top}" y2="{top}"/><line class="grid" x1="{left}" x2="{xe}" y1="{yb}" y2="{yb}"/><text x="{tx}" y="{ty1}" text-anchor="end">{max}</text><text x="{tx}" y="{ty2}" text-anchor="end">{max}</text><text x="{tx}" y="{ty0}" text-anchor="end">0</text>"#,
        xe = w - right,
        yb = mid + half,
        tx = left - 4.0,
        ty1 = top + 8.0,
        ty2 = mid + half,
        ty0 = mid + 3.5
    );
    for (i, c) in counts.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - col) / 2.0;
        let title = format!(
            "{}{}: {} favour, {} against, {} neutral",
            if unit == Unit::Day { "" } else { unit.name() },
            if unit == Unit::Day { bins[i].clone() } else { format!(" of {}", bins[i]) },
            c.favour,
            c.against,
            c.neutral
        );
        if c.total() == 0 {
            continue;
        }
        let _ = write!(o, "<g><title>{}</title>", escape(&title));
        if c.favour > 0 {
            let _ = write!(
                o,
                r#"<rect x="{x:.2}" y="{:.2}" width="{col:.2}" height="{:.2}" fill="{FAVOUR}"/>"#,
                mid - y(c.favour),
                y(c.favour)
            );
        }
        if c.against > 0 {
            let _ = write!(
                o,
                r#"<rect x="{x:.2}" y="{mid:.2}" width="{col:.2}" height="{:.2}" fill="{AGAINST}"/>"#,
                y(c.against)
            );
        }
        if c.favour == 0 && c.against == 0 {
            // Only neutral records: a grey tick on the line.
            let _ =
                write!(o, r#"<rect x="{x:.2}" y="{:.2}" width="{col:.2}" height="3" fill="{NEUTRAL}"/>"#, mid - 1.5);
        }
        o.push_str("</g>");
    }
    let _ = write!(o, r#"<line class="zero" x1="{left}" x2="{}" y1="{mid}" y2="{mid}"/>"#, w - right);
    // Date labels: the first and last bin, and one in the middle when there is room.
    let label_at = |i: usize| left + slot * i as f64 + slot / 2.0;
    let mut marks = vec![0];
    if bins.len() > 2 {
        marks.push(bins.len() / 2);
    }
    if bins.len() > 1 {
        marks.push(bins.len() - 1);
    }
    for (k, &i) in marks.iter().enumerate() {
        let anchor = if marks.len() == 1 {
            "middle"
        } else if k == 0 {
            "start"
        } else if k == marks.len() - 1 {
            "end"
        } else {
            "middle"
        };
        let x = match anchor {
            "start" => left,
            "end" => w - right,
            _ => label_at(i),
        };
        let _ = write!(o, r#"<text x="{x:.2}" y="{}" text-anchor="{anchor}">{}</text>"#, h - 5.0, escape(&bins[i]));
    }
    o.push_str("</svg>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_bins() {
        assert_eq!(days("1970-01-01"), 0);
        assert_eq!(days("2000-03-01"), 11_017);
        assert_eq!(date_of(days("2024-02-29")), "2024-02-29");
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
        assert_eq!(serde_json::from_str::<Value>(&j).unwrap()["x"], "</script><!--&");
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
            stances: &stances,
            graph: &graph,
            pair_graphs: &pairs,
        };
        let summary =
            serde_json::json!({"run_id": 7, "skipped": [{"path": "bad.jsonl", "line": 2, "reason": "not JSON"}]});
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
        let e =
            Exports { documents: &[], entities: &[], mentions: &[], stances: &[], graph: &graph, pair_graphs: &pairs };
        let html = render(&build(&e, &Value::Null));
        assert!(html.contains("No people, countries or organisations were found."));
        assert!(html.contains("No input was skipped."));
        assert!(html.ends_with("</html>\n"));
    }
}
