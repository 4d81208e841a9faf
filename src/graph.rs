//! Graph building: turns documents, canonical entities, mentions and stance
//! records into the nodes and edges that the exporters write, keeping only
//! what [`GraphOptions`] asks for. The records themselves are not changed:
//! what the graph leaves out stays in `entities.jsonl`, `stances.jsonl` and
//! the store.
//!
//! # What the graph holds ([`GraphOptions`])
//!
//! * entities of the chosen **types** (default: person, country,
//!   organisation; `--types` widens it to location and misc) that are
//!   mentioned at least **`min_mentions`** times (default 1; mentions in
//!   articles and comments of the exported documents);
//! * at most **`max_entities`** entities (default 500, `--max-entities`; 0:
//!   no cap): the most mentioned, ties to the smaller id;
//! * the commenters with at least one kept stance record toward an entity
//!   shown, and the articles that keep an edge (a mention of an entity
//!   shown, or a comment of a commenter shown); **`all_nodes`**
//!   (`--all-nodes`) keeps every commenter and every article. What the cap
//!   and this rule leave out is counted ([`LeftOut`]) and said in the GEXF
//!   description, `summary.json` and the report;
//! * stance records whose confidence is at least **`min_confidence`**
//!   (default 0: all); lower ones are left out of every count below.
//!
//! # Nodes
//!
//! | kind      | id              | label          | counts (one meaning each) |
//! |-----------|-----------------|----------------|---------------------------|
//! | entity    | the entity id   | entity label   | `mentions`: times the entity is mentioned, in articles and comments; stance aggregates (below) only where a comment about it was measured |
//! | commenter | `user:<author>` | author name    | `comments_written`; `entity_mentions`: mentions of graph entities in those comments |
//! | article   | `doc:<id>`      | title, else id | `comments_below`: comments under it; `entity_mentions`: mentions of graph entities in its text |
//!
//! # Edges (all directed)
//!
//! | kind        | from → to             | `weight` is |
//! |-------------|-----------------------|-------------|
//! | `stance`    | commenter → entity    | stance records kept: comments of that commenter whose stance toward that entity was measured |
//! | `mention`   | article → entity      | mentions of the entity in the article text (comment mentions show through commenters) |
//! | `commented` | commenter → article   | comments the commenter wrote under the article |
//! | `reply`     | commenter → commenter | comments of the source that answer a comment of the target (JSONL `parent`; replying to oneself is no edge) |
//!
//! # Stance
//!
//! A stance edge aggregates one commenter's records toward one entity; an
//! entity node aggregates everyone's ([`StanceCounts`]): counts of favour,
//! against and neutral, `favour_share` and `against_share` (of all records),
//! `net` = (favour − against) / records, and a label ([`StanceLabel`]):
//!
//! * **neutral** when neutral records are more than half of the records;
//! * otherwise, of the polar records (favour + against): **favour** when
//!   favour is at least 2/3 of them, **against** when against is;
//! * otherwise **mixed** (both sides present, neither with 2/3). One favour
//!   and one against is mixed; two favour and one against is favour; one
//!   favour and one neutral is favour; one favour and two neutral is neutral.
//!
//! An entity no kept record is about has no stance at all: nothing is called
//! neutral when nothing was measured.
//!
//! A stance edge also carries its evidence ([`EdgeEvidence`]): the comment id
//! and quote of its most confident kept record, and how many of its records
//! are implicit.
//!
//! # Time
//!
//! A document's date is [`Document::date`]; a comment's is its own
//! [`Comment::date`](crate::corpus::Comment::date), else its article's. Only
//! valid `YYYY-MM-DD` dates count ([`valid_date`]). Every node and edge
//! lists the distinct dates it is seen at ([`Node::dates`], [`Edge::dates`];
//! the exporters write one spell per date): an article its date; a
//! commenter the dates of its comments; an entity the dates of its mentions
//! and of the records about it; a stance, commented or reply edge the dates
//! of the comments it counts; a mention edge its article's date. An element
//! with no date is always visible.
//!
//! Stance aggregates are kept per date ([`StanceHistory`]) and read
//! **cumulatively**: the value at a date counts every kept record up to and
//! including that date (records without a date count from the start). So
//! moving the end of Gephi's timeline window replays how each commenter's
//! and each entity's stance built up.
//!
//! Output order is deterministic: nodes sorted by id, edges by (source,
//! target, kind), whatever the order of the inputs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::corpus::Document;
use crate::link::{Entity, EntityType, Mention, Source};
use crate::stance::{Stance, StanceRecord};

/// What the graph holds (see the module docs). The records are not
/// filtered, only the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphOptions {
    /// Entity types shown, sorted, without repeats.
    pub types: Vec<EntityType>,
    /// Entities mentioned fewer times are left out (0 counts as 1).
    pub min_mentions: usize,
    /// Stance records with a lower confidence are left out (0: none).
    pub min_confidence: f32,
    /// At most this many entities: the most mentioned (0: no cap).
    pub max_entities: usize,
    /// Keep every commenter and article; by default commenters without a
    /// kept stance record, and articles left without any edge, are left out.
    pub all_nodes: bool,
    /// `commenters.gexf` links two commenters only when both took a side on
    /// at least this many of the same entities.
    pub min_shared_entities: usize,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            types: GraphOptions::DEFAULT_TYPES.to_vec(),
            min_mentions: GraphOptions::DEFAULT_MIN_MENTIONS,
            min_confidence: 0.0,
            max_entities: GraphOptions::DEFAULT_MAX_ENTITIES,
            all_nodes: false,
            min_shared_entities: GraphOptions::DEFAULT_MIN_SHARED_ENTITIES,
        }
    }
}

impl GraphOptions {
    pub const DEFAULT_TYPES: [EntityType; 3] = [EntityType::Person, EntityType::Country, EntityType::Organisation];
    pub const DEFAULT_MIN_MENTIONS: usize = 1;
    pub const DEFAULT_MAX_ENTITIES: usize = 500;
    pub const DEFAULT_MIN_SHARED_ENTITIES: usize = 2;

    /// Every node and edge the records allow: no cap, every commenter and
    /// article, commenters linked on one shared entity.
    pub fn everything() -> GraphOptions {
        GraphOptions { max_entities: 0, all_nodes: true, min_shared_entities: 1, ..GraphOptions::default() }
    }
    /// Every type, in the order of `--types` help.
    pub const ALL_TYPES: [EntityType; 5] =
        [EntityType::Person, EntityType::Country, EntityType::Organisation, EntityType::Location, EntityType::Misc];

    /// Parses `--types`: comma-separated type names (`person`, `country`,
    /// `organisation`, `location`, `misc`), case-insensitive; sorted and
    /// without repeats.
    pub fn parse_types(s: &str) -> Result<Vec<EntityType>, String> {
        let mut types = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let t = GraphOptions::ALL_TYPES
                .into_iter()
                .find(|t| entity_type_name(*t).eq_ignore_ascii_case(part))
                .ok_or_else(|| {
                    format!("unknown entity type {part:?} (person, country, organisation, location, misc)")
                })?;
            types.push(t);
        }
        if types.is_empty() {
            return Err("no entity type given (person, country, organisation, location, misc)".into());
        }
        types.sort();
        types.dedup();
        Ok(types)
    }

    /// Parses `--min-confidence`: a number in `[0, 1]`.
    pub fn parse_confidence(s: &str) -> Result<f32, String> {
        match s.trim().parse::<f32>() {
            Ok(c) if (0.0..=1.0).contains(&c) => Ok(c),
            _ => Err(format!("{s:?} is not a confidence between 0 and 1")),
        }
    }

    /// Whether a record with this confidence counts in the graph.
    pub fn keeps_confidence(&self, confidence: f32) -> bool {
        self.min_confidence <= 0.0 || confidence >= self.min_confidence
    }
}

/// The graph the exporters write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    /// Sorted by id.
    pub nodes: Vec<Node>,
    /// Sorted by (source, target, kind).
    pub edges: Vec<Edge>,
    /// Where the graph came from (the store run that wrote it), for the
    /// GEXF `<description>`; set by the caller.
    pub provenance: Option<String>,
    /// What the size cap and the readable defaults left out.
    pub left_out: LeftOut,
}

/// What [`build`] left out beyond the type, mention and confidence filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LeftOut {
    /// Entities past `max_entities` (the least mentioned).
    pub entities: usize,
    /// The most mentions of an entity left out by the cap (0: none).
    pub entity_max_mentions: usize,
    /// Commenters without a kept stance record toward an entity shown.
    pub commenters: usize,
    /// Articles left without any edge.
    pub articles: usize,
}

impl LeftOut {
    /// One line for the GEXF description and the report; `None` when nothing was left out.
    pub fn text(&self, options: &GraphOptions) -> Option<String> {
        let mut parts = Vec::new();
        if self.entities > 0 {
            parts.push(format!(
                "{} less mentioned entities (at most {} mentions each; the graph keeps the {} most mentioned, --max-entities)",
                self.entities, self.entity_max_mentions, options.max_entities
            ));
        }
        if self.commenters > 0 {
            parts.push(format!("{} commenters without a stance record (--all-nodes keeps them)", self.commenters));
        }
        if self.articles > 0 {
            parts.push(format!("{} articles left without an edge", self.articles));
        }
        (!parts.is_empty()).then(|| format!("left out: {}", parts.join("; ")))
    }
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Entity(EntityType),
    Commenter,
    Article,
}

impl NodeKind {
    /// The `type` attribute written to the exports: `person`, `country`,
    /// `organisation`, `location`, `misc`, `commenter` or `article`.
    pub fn type_name(self) -> &'static str {
        match self {
            NodeKind::Entity(t) => entity_type_name(t),
            NodeKind::Commenter => "commenter",
            NodeKind::Article => "article",
        }
    }
}

/// The lowercase name of an entity type (as it serialises).
pub fn entity_type_name(t: EntityType) -> &'static str {
    t.as_str()
}

/// One node. Each count is `Some` only on the kinds it belongs to (see the
/// module docs), so that one name never means two things.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Entity id, `user:<author>` or `doc:<document id>`.
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
    /// Entity: times mentioned, in articles and comments.
    pub mentions: Option<usize>,
    /// Commenter: comments written.
    pub comments_written: Option<usize>,
    /// Article: comments under it.
    pub comments_below: Option<usize>,
    /// Commenter: mentions of graph entities in its comments. Article: in
    /// its text.
    pub entity_mentions: Option<usize>,
    /// Distinct valid dates the node is seen at, sorted.
    pub dates: Vec<String>,
    /// Entity: the kept stance records about it, by date; `None` when there
    /// is none.
    pub stance: Option<StanceHistory>,
}

/// What an edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Commenter → entity.
    Stance,
    /// Article → entity.
    Mention,
    /// Commenter → article.
    Commented,
    /// Commenter → the commenter it answered.
    Reply,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 4] = [EdgeKind::Stance, EdgeKind::Mention, EdgeKind::Commented, EdgeKind::Reply];

    /// The `kind` attribute written to the exports.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Stance => "stance",
            EdgeKind::Mention => "mention",
            EdgeKind::Commented => "commented",
            EdgeKind::Reply => "reply",
        }
    }
}

/// One directed edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub kind: EdgeKind,
    /// Stance: records kept. Mention: mentions. Commented: comments.
    /// Reply: replies.
    pub weight: f64,
    /// Stance edges only.
    pub stance: Option<StanceHistory>,
    /// Stance edges only: the comment behind the edge's most confident kept
    /// record, and how many of its records are implicit.
    pub evidence: Option<EdgeEvidence>,
    /// Distinct valid dates of what the edge counts, sorted.
    pub dates: Vec<String>,
}

/// What a stance edge shows a reader of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeEvidence {
    /// The comment's id ([`crate::evidence::comment_id`]).
    pub comment_id: String,
    /// Its quote ([`crate::evidence::quote`]).
    pub quote: String,
    /// The edge's kept records that are implicit (the comment does not name
    /// the entity).
    pub implicit: usize,
}

/// The label of aggregated stance records (the rule is in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StanceLabel {
    Favour,
    Against,
    Neutral,
    Mixed,
}

impl StanceLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            StanceLabel::Favour => "favour",
            StanceLabel::Against => "against",
            StanceLabel::Neutral => "neutral",
            StanceLabel::Mixed => "mixed",
        }
    }
}

/// Stance records aggregated.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StanceCounts {
    pub favour: usize,
    pub against: usize,
    pub neutral: usize,
    /// Sum of the records' confidences.
    pub confidence_sum: f64,
}

impl StanceCounts {
    /// Adds one record.
    pub fn add(&mut self, stance: Stance, confidence: f32) {
        match stance {
            Stance::Favour => self.favour += 1,
            Stance::Against => self.against += 1,
            Stance::Neutral => self.neutral += 1,
        }
        if confidence.is_finite() {
            self.confidence_sum += f64::from(confidence);
        }
    }

    /// Adds all of `other`.
    pub fn merge(&mut self, other: &StanceCounts) {
        self.favour += other.favour;
        self.against += other.against;
        self.neutral += other.neutral;
        self.confidence_sum += other.confidence_sum;
    }

    /// Number of records.
    pub fn total(&self) -> usize {
        self.favour + self.against + self.neutral
    }

    fn share(&self, n: usize) -> f64 {
        match self.total() {
            0 => 0.0,
            total => n as f64 / total as f64,
        }
    }

    /// Favour records over all records; 0 when there are none.
    pub fn favour_share(&self) -> f64 {
        self.share(self.favour)
    }

    /// Against records over all records; 0 when there are none.
    pub fn against_share(&self) -> f64 {
        self.share(self.against)
    }

    /// `(favour − against) / total`, in `[-1, 1]`; 0 when there are no records.
    pub fn net(&self) -> f64 {
        self.favour_share() - self.against_share()
    }

    /// Mean confidence of the records; 0 when there are none.
    pub fn mean_confidence(&self) -> f64 {
        match self.total() {
            0 => 0.0,
            total => self.confidence_sum / total as f64,
        }
    }

    /// The label (rule in the module docs); `None` when there are no records.
    pub fn label(&self) -> Option<StanceLabel> {
        if self.total() == 0 {
            return None;
        }
        let polar = self.favour + self.against;
        Some(if self.neutral > polar {
            StanceLabel::Neutral
        } else if 3 * self.favour >= 2 * polar {
            StanceLabel::Favour
        } else if 3 * self.against >= 2 * polar {
            StanceLabel::Against
        } else {
            StanceLabel::Mixed
        })
    }
}

/// Stance records of one edge or entity, kept per date so that the exports
/// can write them as values that change over time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StanceHistory {
    /// Records without a valid date.
    pub undated: StanceCounts,
    /// Records per date (not cumulative).
    pub by_date: BTreeMap<String, StanceCounts>,
}

impl StanceHistory {
    /// Adds one record, dated or not.
    pub fn add(&mut self, date: Option<&str>, stance: Stance, confidence: f32) {
        match date {
            Some(d) => self.by_date.entry(d.to_string()).or_default().add(stance, confidence),
            None => self.undated.add(stance, confidence),
        }
    }

    /// All records.
    pub fn total(&self) -> StanceCounts {
        let mut all = self.undated;
        for c in self.by_date.values() {
            all.merge(c);
        }
        all
    }

    /// At each date, every record up to and including it (undated ones
    /// included from the start).
    pub fn cumulative(&self) -> Vec<(&str, StanceCounts)> {
        let mut running = self.undated;
        self.by_date
            .iter()
            .map(|(d, c)| {
                running.merge(c);
                (d.as_str(), running)
            })
            .collect()
    }
}

/// The node id of an entity (its own id).
pub fn entity_node_id(entity_id: &str) -> String {
    entity_id.to_string()
}

/// The node id of a comment author: `user:<name>`, the name trimmed; an empty
/// name becomes `(anonymous)`.
pub fn commenter_node_id(author: &str) -> String {
    format!("user:{}", commenter_name(author))
}

/// The node id of a document: `doc:<id>`.
pub fn article_node_id(doc_id: &str) -> String {
    format!("doc:{doc_id}")
}

/// How an author is named in the graph: trimmed, `(anonymous)` when empty.
pub fn commenter_name(author: &str) -> &str {
    let t = author.trim();
    if t.is_empty() {
        "(anonymous)"
    } else {
        t
    }
}

/// `Some(date)` when `date` is a valid calendar date written `YYYY-MM-DD`
/// (what `xs:date` and Gephi's `timeformat="date"` accept), else `None`.
pub fn valid_date(date: &str) -> Option<&str> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1 && (1..=days).contains(&day)).then_some(date)
}

/// Distinct dates, sorted: what an element lists in [`Node::dates`] and
/// [`Edge::dates`].
#[derive(Debug, Clone, Default)]
pub struct Dates(BTreeSet<String>);

impl Dates {
    /// Adds a date (nothing when `None`).
    pub fn see(&mut self, date: Option<&str>) {
        if let Some(d) = date {
            if !self.0.contains(d) {
                self.0.insert(d.to_string());
            }
        }
    }

    /// Adds every date of `other`.
    pub fn merge(&mut self, other: &Dates) {
        for d in &other.0 {
            self.see(Some(d));
        }
    }

    /// The dates, sorted.
    pub fn into_vec(self) -> Vec<String> {
        self.0.into_iter().collect()
    }
}

/// The documents by id (first of duplicates wins) with the dates the graph
/// gives them and their comments (see "Time" in the module docs).
#[derive(Debug, Clone)]
pub struct Dating<'a> {
    docs: HashMap<&'a str, &'a Document>,
}

impl<'a> Dating<'a> {
    pub fn new(documents: &'a [Document]) -> Dating<'a> {
        let mut docs: HashMap<&str, &Document> = HashMap::new();
        for d in documents {
            docs.entry(d.id.as_str()).or_insert(d);
        }
        Dating { docs }
    }

    /// The document with this id.
    pub fn document(&self, doc_id: &str) -> Option<&'a Document> {
        self.docs.get(doc_id).copied()
    }

    /// The documents, in no particular order.
    pub fn documents(&self) -> impl Iterator<Item = &'a Document> + '_ {
        self.docs.values().copied()
    }

    /// A document's valid date.
    pub fn document_date(&self, doc_id: &str) -> Option<&'a str> {
        self.document(doc_id).and_then(|d| d.date.as_deref()).and_then(valid_date)
    }

    /// A comment's own valid date, else its article's.
    pub fn comment_date(&self, doc_id: &str, i: usize) -> Option<&'a str> {
        let doc = self.document(doc_id)?;
        doc.comments.get(i).and_then(|c| c.date.as_deref()).and_then(valid_date).or_else(|| self.document_date(doc_id))
    }

    /// A comment's author as written (not yet [`commenter_name`]d).
    pub fn comment_author(&self, doc_id: &str, i: usize) -> Option<&'a str> {
        self.document(doc_id).and_then(|d| d.comments.get(i)).map(|c| c.author.as_str())
    }
}

#[derive(Default)]
struct CommenterAcc {
    comments: usize,
    entity_mentions: usize,
    dates: Dates,
}

#[derive(Default)]
struct CountAcc {
    count: usize,
    dates: Dates,
}

#[derive(Default)]
struct StanceAcc<'a> {
    history: StanceHistory,
    dates: Dates,
    /// The most confident record (the first of equals).
    best: Option<&'a StanceRecord>,
    implicit: usize,
}

/// Builds the graph from the records, keeping what `options` asks for.
/// Mentions and stance records naming an unknown entity are ignored; so are
/// mentions of an unknown document (for edges and dates; they still count
/// toward the entity's `mentions`), and stance records toward an entity that
/// is not in the graph.
pub fn build(
    documents: &[Document],
    entities: &[Entity],
    mentions: &[Mention],
    stances: &[StanceRecord],
    options: &GraphOptions,
) -> Graph {
    // First of duplicates wins, for documents and entities alike.
    let dating = Dating::new(documents);
    let mut known: HashMap<&str, &Entity> = HashMap::new();
    for e in entities {
        known.entry(e.id.as_str()).or_insert(e);
    }
    let doc_date = |doc_id: &str| dating.document_date(doc_id);
    let comment_date = |doc_id: &str, i: usize| dating.comment_date(doc_id, i);
    let comment_author = |doc_id: &str, i: usize| dating.comment_author(doc_id, i);

    // Which entities the graph holds.
    let mut mention_count: BTreeMap<&str, usize> = BTreeMap::new();
    for m in mentions {
        if let Some(entity) = known.get(m.entity_id.as_str()) {
            *mention_count.entry(entity.id.as_str()).or_default() += 1;
        }
    }
    let min_mentions = options.min_mentions.max(1);
    mention_count.retain(|eid, count| *count >= min_mentions && options.types.contains(&known[eid].kind));
    let mut left_out = cap_entities(&mut mention_count, options.max_entities);
    let shown = |eid: &str| mention_count.contains_key(eid);

    // Mentions: entity dates, per (article, entity), per commenter.
    let mut entity_dates: HashMap<&str, Dates> = HashMap::new();
    let mut article_mentions: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut article_mention_total: HashMap<&str, usize> = HashMap::new();
    let mut commenters: BTreeMap<String, CommenterAcc> = BTreeMap::new();
    for m in mentions {
        let eid = m.entity_id.as_str();
        if !shown(eid) || dating.document(&m.doc_id).is_none() {
            continue;
        }
        match m.source {
            Source::Article => {
                entity_dates.entry(eid).or_default().see(doc_date(&m.doc_id));
                *article_mentions.entry((m.doc_id.as_str(), eid)).or_default() += 1;
                *article_mention_total.entry(m.doc_id.as_str()).or_default() += 1;
            }
            Source::Comment(i) => {
                entity_dates.entry(eid).or_default().see(comment_date(&m.doc_id, i));
                if let Some(author) = comment_author(&m.doc_id, i) {
                    commenters.entry(commenter_name(author).to_string()).or_default().entity_mentions += 1;
                }
            }
        }
    }

    // Comments: per commenter, per (commenter, article), per reply.
    let mut commented: BTreeMap<(String, &str), CountAcc> = BTreeMap::new();
    let mut replies: BTreeMap<(String, String), CountAcc> = BTreeMap::new();
    for d in dating.documents() {
        for (i, c) in d.comments.iter().enumerate() {
            let date = comment_date(&d.id, i);
            let name = commenter_name(&c.author).to_string();
            let acc = commenters.entry(name.clone()).or_default();
            acc.comments += 1;
            acc.dates.see(date);
            let edge = commented.entry((name.clone(), d.id.as_str())).or_default();
            edge.count += 1;
            edge.dates.see(date);
            let parent = c.parent.and_then(|p| d.comments.get(p)).map(|p| commenter_name(&p.author));
            if let Some(parent) = parent.filter(|p| *p != name) {
                let edge = replies.entry((name, parent.to_string())).or_default();
                edge.count += 1;
                edge.dates.see(date);
            }
        }
    }

    // Stance records: per (commenter, entity) and per entity.
    let mut stance_edges: BTreeMap<(String, &str), StanceAcc> = BTreeMap::new();
    let mut entity_stance: HashMap<&str, StanceHistory> = HashMap::new();
    for r in stances {
        let eid = r.entity_id.as_str();
        if !shown(eid) || !options.keeps_confidence(r.confidence) {
            continue;
        }
        let date = comment_date(&r.doc_id, r.comment);
        let name = commenter_name(&r.author).to_string();
        commenters.entry(name.clone()).or_default().dates.see(date);
        entity_dates.entry(eid).or_default().see(date);
        let acc = stance_edges.entry((name, eid)).or_default();
        acc.history.add(date, r.stance, r.confidence);
        acc.dates.see(date);
        acc.implicit += usize::from(r.implicit);
        if acc.best.is_none_or(|b| r.confidence > b.confidence) {
            acc.best = Some(r);
        }
        entity_stance.entry(eid).or_default().add(date, r.stance, r.confidence);
    }
    if !options.all_nodes {
        // Commenters with a stance edge stay, with their comments and replies among them.
        let sided: BTreeSet<&str> = stance_edges.keys().map(|(name, _)| name.as_str()).collect();
        left_out.commenters = commenters.keys().filter(|n| !sided.contains(n.as_str())).count();
        commenters.retain(|name, _| sided.contains(name.as_str()));
        commented.retain(|(name, _), _| sided.contains(name.as_str()));
        replies.retain(|(from, to), _| sided.contains(from.as_str()) && sided.contains(to.as_str()));
    }
    let linked: BTreeSet<&str> =
        article_mentions.keys().map(|(d, _)| *d).chain(commented.keys().map(|(_, d)| *d)).collect();
    let article_shown = |doc_id: &str| options.all_nodes || linked.contains(doc_id);
    left_out.articles = dating.documents().filter(|d| !article_shown(&d.id)).count();

    let mut nodes = Vec::with_capacity(mention_count.len() + commenters.len() + documents.len());
    for (&eid, &count) in &mention_count {
        let entity = known[eid];
        nodes.push(Node {
            id: entity_node_id(eid),
            label: entity.label.clone(),
            kind: NodeKind::Entity(entity.kind),
            mentions: Some(count),
            comments_written: None,
            comments_below: None,
            entity_mentions: None,
            dates: entity_dates.remove(eid).unwrap_or_default().into_vec(),
            stance: entity_stance.remove(eid),
        });
    }
    for (name, acc) in commenters {
        nodes.push(Node {
            id: commenter_node_id(&name),
            label: name,
            kind: NodeKind::Commenter,
            mentions: None,
            comments_written: Some(acc.comments),
            comments_below: None,
            entity_mentions: Some(acc.entity_mentions),
            dates: acc.dates.into_vec(),
            stance: None,
        });
    }
    for d in dating.documents().filter(|d| article_shown(&d.id)) {
        let label = match d.title.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => d.id.clone(),
        };
        nodes.push(Node {
            id: article_node_id(&d.id),
            label,
            kind: NodeKind::Article,
            mentions: None,
            comments_written: None,
            comments_below: Some(d.comments.len()),
            entity_mentions: Some(article_mention_total.get(d.id.as_str()).copied().unwrap_or(0)),
            dates: doc_date(&d.id).map(str::to_string).into_iter().collect(),
            stance: None,
        });
    }
    nodes.sort_by(|a, b| a.id.cmp(&b.id));

    let mut edges = Vec::with_capacity(stance_edges.len() + article_mentions.len() + commented.len() + replies.len());
    for ((name, eid), acc) in stance_edges {
        edges.push(Edge {
            source: commenter_node_id(&name),
            target: entity_node_id(eid),
            kind: EdgeKind::Stance,
            weight: acc.history.total().total() as f64,
            stance: Some(acc.history),
            evidence: acc.best.map(|r| EdgeEvidence {
                comment_id: r.comment_id.clone(),
                quote: r.quote.text.clone(),
                implicit: acc.implicit,
            }),
            dates: acc.dates.into_vec(),
        });
    }
    for ((doc_id, eid), count) in article_mentions {
        edges.push(Edge {
            source: article_node_id(doc_id),
            target: entity_node_id(eid),
            kind: EdgeKind::Mention,
            weight: count as f64,
            stance: None,
            evidence: None,
            dates: doc_date(doc_id).map(str::to_string).into_iter().collect(),
        });
    }
    for ((name, doc_id), acc) in commented {
        edges.push(Edge {
            source: commenter_node_id(&name),
            target: article_node_id(doc_id),
            kind: EdgeKind::Commented,
            weight: acc.count as f64,
            stance: None,
            evidence: None,
            dates: acc.dates.into_vec(),
        });
    }
    for ((from, to), acc) in replies {
        edges.push(Edge {
            source: commenter_node_id(&from),
            target: commenter_node_id(&to),
            kind: EdgeKind::Reply,
            weight: acc.count as f64,
            stance: None,
            evidence: None,
            dates: acc.dates.into_vec(),
        });
    }
    edges.sort_by(|a, b| (&a.source, &a.target, a.kind).cmp(&(&b.source, &b.target, b.kind)));

    Graph { nodes, edges, provenance: None, left_out }
}

/// Keeps the `max` most mentioned entities (ties: the smaller id; 0: all).
fn cap_entities(mention_count: &mut BTreeMap<&str, usize>, max: usize) -> LeftOut {
    if max == 0 || mention_count.len() <= max {
        return LeftOut::default();
    }
    let mut ranked: Vec<(&str, usize)> = mention_count.iter().map(|(e, n)| (*e, *n)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let dropped = &ranked[max..];
    let left_out = LeftOut {
        entities: dropped.len(),
        entity_max_mentions: dropped.first().map_or(0, |d| d.1),
        ..LeftOut::default()
    };
    for (e, _) in dropped {
        mention_count.remove(e);
    }
    left_out
}

impl Graph {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.binary_search_by(|n| n.id.as_str().cmp(id)).ok().map(|i| &self.nodes[i])
    }

    /// The edge of this kind from `source` to `target`.
    pub fn edge(&self, source: &str, target: &str, kind: EdgeKind) -> Option<&Edge> {
        self.edges.iter().find(|e| e.source == source && e.target == target && e.kind == kind)
    }

    /// Whether any node or edge has a date (the GEXF is then dynamic).
    pub fn has_time(&self) -> bool {
        self.nodes.iter().any(|n| !n.dates.is_empty()) || self.edges.iter().any(|e| !e.dates.is_empty())
    }
}

/// Small hand-built records for the unit tests of this module and of
/// [`crate::pair_graphs`], which build graphs from the same inputs.
#[cfg(test)]
pub(crate) mod test_records {
    use super::*;
    use crate::corpus::Comment;
    use crate::link::LinkedBy;
    use std::path::PathBuf;

    pub(crate) fn doc(id: &str, date: Option<&str>, authors: &[&str]) -> Document {
        Document {
            id: id.into(),
            path: PathBuf::from(format!("{id}.txt")),
            date: date.map(str::to_string),
            title: None,
            text: String::new(),
            comments: authors
                .iter()
                .map(|a| Comment { id: None, author: a.to_string(), text: String::new(), parent: None, date: None })
                .collect(),
        }
    }

    pub(crate) fn entity(id: &str, kind: EntityType) -> Entity {
        Entity { id: id.into(), label: id.to_uppercase(), kind, aliases: vec![], mentions: 0 }
    }

    pub(crate) fn mention(doc_id: &str, source: Source, entity_id: &str) -> Mention {
        Mention {
            doc_id: doc_id.into(),
            source,
            start: 0,
            end: 1,
            text: "x".into(),
            entity_id: entity_id.into(),
            linked_by: LinkedBy::Name,
            antecedent: None,
        }
    }

    pub(crate) fn record(
        doc_id: &str,
        comment: usize,
        author: &str,
        entity_id: &str,
        stance: Stance,
        confidence: f32,
    ) -> StanceRecord {
        StanceRecord {
            doc_id: doc_id.into(),
            comment,
            comment_id: String::new(),
            author: author.into(),
            quote: Default::default(),
            entity_id: entity_id.into(),
            entity: entity_id.into(),
            entity_type: EntityType::Person,
            stance,
            confidence,
            probabilities: [0.0; 3],
            model: "test".into(),
            implicit: false,
            unsure: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_records::{doc, entity, mention, record};
    use super::*;

    fn counts(favour: usize, against: usize, neutral: usize) -> StanceCounts {
        StanceCounts { favour, against, neutral, confidence_sum: 0.0 }
    }

    #[test]
    fn the_label_rule() {
        use StanceLabel::*;
        let cases = [
            ((1, 1, 0), Some(Mixed)),
            ((2, 1, 0), Some(Favour)),
            ((1, 2, 0), Some(Against)),
            ((3, 2, 0), Some(Mixed)),
            ((4, 2, 0), Some(Favour)),
            ((1, 0, 1), Some(Favour)),
            ((1, 0, 2), Some(Neutral)),
            ((0, 0, 1), Some(Neutral)),
            ((1, 1, 2), Some(Mixed)),
            ((1, 1, 3), Some(Neutral)),
            ((0, 2, 2), Some(Against)),
            ((0, 0, 0), None),
        ];
        for ((f, a, n), want) in cases {
            assert_eq!(counts(f, a, n).label(), want, "favour {f}, against {a}, neutral {n}");
        }
    }

    #[test]
    fn counts_shares_and_net() {
        let mut c = StanceCounts::default();
        assert_eq!((c.net(), c.favour_share(), c.mean_confidence()), (0.0, 0.0, 0.0));
        c.add(Stance::Favour, 0.5);
        c.add(Stance::Favour, 1.0);
        c.add(Stance::Against, 0.75);
        c.add(Stance::Neutral, f32::NAN);
        assert_eq!(c.total(), 4);
        assert_eq!((c.favour_share(), c.against_share()), (0.5, 0.25));
        assert!((c.net() - 0.25).abs() < 1e-12);
        assert!((c.mean_confidence() - 2.25 / 4.0).abs() < 1e-12);
        assert_eq!(counts(0, 3, 0).net(), -1.0);
    }

    #[test]
    fn history_is_cumulative() {
        let mut h = StanceHistory::default();
        h.add(Some("2024-01-03"), Stance::Against, 0.5);
        h.add(None, Stance::Neutral, 0.5);
        h.add(Some("2024-01-01"), Stance::Favour, 0.5);
        h.add(Some("2024-01-03"), Stance::Against, 0.5);
        let steps: Vec<(&str, (usize, usize, usize))> =
            h.cumulative().into_iter().map(|(d, c)| (d, (c.favour, c.against, c.neutral))).collect();
        assert_eq!(steps, [("2024-01-01", (1, 0, 1)), ("2024-01-03", (1, 2, 1))]);
        assert_eq!(h.total().total(), 4);
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(valid_date("2024-02-29"), Some("2024-02-29"));
        assert_eq!(valid_date("2023-02-29"), None);
        assert_eq!(valid_date("2023-13-01"), None);
        assert_eq!(valid_date("2023-1-01"), None);
        assert_eq!(valid_date("yesterday"), None);
        assert_eq!(valid_date("0000-01-01"), None);
    }

    #[test]
    fn options_parse() {
        assert_eq!(
            GraphOptions::parse_types("misc, Person,person,location"),
            Ok(vec![EntityType::Person, EntityType::Location, EntityType::Misc])
        );
        assert!(GraphOptions::parse_types("people").unwrap_err().contains("people"));
        assert!(GraphOptions::parse_types(" , ").is_err());
        assert_eq!(GraphOptions::parse_confidence("0.6"), Ok(0.6));
        assert!(GraphOptions::parse_confidence("1.5").is_err());
        assert!(GraphOptions::parse_confidence("x").is_err());
        let o = GraphOptions { min_confidence: 0.6, ..GraphOptions::default() };
        assert!(o.keeps_confidence(0.6) && !o.keeps_confidence(0.59) && !o.keeps_confidence(f32::NAN));
        assert!(GraphOptions::default().keeps_confidence(f32::NAN));
    }

    #[test]
    fn builds_typed_sorted_graph() {
        let docs = vec![
            doc("b", Some("2024-03-02"), &["carol", "alice"]),
            doc("a", Some("2024-03-01"), &["alice", "  ", "alice"]),
        ];
        let entities = vec![
            entity("person:x", EntityType::Person),
            entity("JPN", EntityType::Country),
            entity("org:never-mentioned", EntityType::Organisation),
            entity("misc:yeah", EntityType::Misc),
        ];
        let mentions = vec![
            mention("a", Source::Article, "person:x"),
            mention("a", Source::Article, "person:x"),
            mention("b", Source::Article, "JPN"),
            mention("a", Source::Comment(0), "JPN"),
            mention("a", Source::Comment(9), "JPN"),
            mention("a", Source::Article, "unknown"),
            mention("b", Source::Comment(0), "misc:yeah"),
        ];
        let stances = vec![
            record("a", 0, "alice", "person:x", Stance::Favour, 0.9),
            record("a", 2, "alice", "person:x", Stance::Against, 0.8),
            record("b", 1, "alice", "person:x", Stance::Favour, 0.7),
            record("b", 0, "carol", "JPN", Stance::Neutral, 0.6),
            record("b", 0, "carol", "org:never-mentioned", Stance::Against, 0.6),
            record("b", 0, "carol", "misc:yeah", Stance::Against, 0.6),
        ];
        let g = build(&docs, &entities, &mentions, &stances, &GraphOptions::everything());

        let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["JPN", "doc:a", "doc:b", "person:x", "user:(anonymous)", "user:alice", "user:carol"]);
        assert_eq!(g.left_out, LeftOut::default());

        let x = g.node("person:x").unwrap();
        assert_eq!(x.kind, NodeKind::Entity(EntityType::Person));
        assert_eq!((x.mentions, x.comments_written, x.entity_mentions), (Some(2), None, None));
        assert_eq!(x.dates, ["2024-03-01", "2024-03-02"]);
        let xs = x.stance.as_ref().unwrap().total();
        assert_eq!((xs.favour, xs.against, xs.label()), (2, 1, Some(StanceLabel::Favour)));
        let jpn = g.node("JPN").unwrap();
        assert_eq!(jpn.mentions, Some(3), "mentions in articles and comments, unknown documents too");
        let alice = g.node("user:alice").unwrap();
        assert_eq!((alice.comments_written, alice.entity_mentions, alice.mentions), (Some(3), Some(1), None));
        let a = g.node("doc:a").unwrap();
        assert_eq!((a.entity_mentions, a.comments_below, a.label.as_str()), (Some(2), Some(3), "a"));
        assert_eq!(a.dates, ["2024-03-01"]);
        assert_eq!(g.node("user:carol").unwrap().entity_mentions, Some(0), "misc is not in the graph");

        let e = g.edge("user:alice", "person:x", EdgeKind::Stance).unwrap();
        let s = e.stance.as_ref().unwrap().total();
        assert_eq!((s.favour, s.against, s.neutral), (2, 1, 0));
        assert_eq!(e.weight, 3.0);
        assert_eq!(e.dates, ["2024-03-01", "2024-03-02"]);

        assert_eq!(g.edge("doc:a", "person:x", EdgeKind::Mention).unwrap().weight, 2.0);
        assert_eq!(g.edge("user:alice", "doc:a", EdgeKind::Commented).unwrap().weight, 2.0);
        assert!(g.edge("user:carol", "org:never-mentioned", EdgeKind::Stance).is_none());
        assert!(g.edge("user:carol", "misc:yeah", EdgeKind::Stance).is_none());
        assert_eq!(g.edges.len(), 2 + 2 + 4);

        // Input order does not matter.
        let mut docs2 = docs.clone();
        docs2.reverse();
        let mut stances2 = stances.clone();
        stances2.reverse();
        assert_eq!(build(&docs2, &entities, &mentions, &stances2, &GraphOptions::everything()), g);
        assert!(g.has_time());

        // By default, commenters without a kept stance record (carol's is toward JPN, neutral: kept)
        // and the anonymous commenter go, with their edges.
        let readable = build(&docs, &entities, &mentions, &stances, &GraphOptions::default());
        let ids: Vec<&str> = readable.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["JPN", "doc:a", "doc:b", "person:x", "user:alice", "user:carol"]);
        assert_eq!(readable.left_out, LeftOut { commenters: 1, ..LeftOut::default() });
        assert!(readable.edges.iter().all(|e| e.source != "user:(anonymous)"));

        // --types widens it; records and the rest are unchanged.
        let all = GraphOptions { types: GraphOptions::ALL_TYPES.to_vec(), ..GraphOptions::everything() };
        let wide = build(&docs, &entities, &mentions, &stances, &all);
        assert!(wide.node("misc:yeah").is_some());
        assert!(wide.edge("user:carol", "misc:yeah", EdgeKind::Stance).is_some());
    }

    #[test]
    fn the_cap_keeps_the_most_mentioned_and_bare_articles_go() {
        let docs = vec![doc("a", None, &["alice"]), doc("b", None, &[]), doc("c", None, &["bob"])];
        let entities: Vec<Entity> = ["p:1", "p:2", "p:3"].iter().map(|id| entity(id, EntityType::Person)).collect();
        let mut mentions = vec![mention("a", Source::Article, "p:1"), mention("a", Source::Article, "p:1")];
        mentions.extend([mention("a", Source::Article, "p:2"), mention("a", Source::Article, "p:2")]);
        mentions.push(mention("b", Source::Article, "p:3"));
        let stances = vec![record("a", 0, "alice", "p:3", Stance::Favour, 0.9)];
        let capped = GraphOptions { max_entities: 2, ..GraphOptions::default() };
        let g = build(&docs, &entities, &mentions, &stances, &capped);
        let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        // p:3 (1 mention) is past the cap, so alice's only record goes and alice with it;
        // doc:b and doc:c (bob wrote nothing about an entity) are left without an edge.
        assert_eq!(ids, ["doc:a", "p:1", "p:2"]);
        let left = LeftOut { entities: 1, entity_max_mentions: 1, commenters: 2, articles: 2 };
        assert_eq!(g.left_out, left);
        let text = g.left_out.text(&capped).unwrap();
        assert!(text.contains("1 less mentioned entities (at most 1 mentions each"), "{text}");
        let everything = build(&docs, &entities, &mentions, &stances, &GraphOptions::everything());
        assert_eq!(everything.nodes.len(), 3 + 3 + 2);
        assert_eq!(everything.left_out.text(&GraphOptions::everything()), None);
    }

    #[test]
    fn min_mentions_and_min_confidence_thin_the_graph() {
        let docs = vec![doc("a", None, &["alice", "bob"])];
        let entities = vec![entity("person:x", EntityType::Person), entity("person:y", EntityType::Person)];
        let mut mentions = vec![mention("a", Source::Article, "person:y")];
        mentions.extend((0..3).map(|_| mention("a", Source::Article, "person:x")));
        let stances = vec![
            record("a", 0, "alice", "person:x", Stance::Favour, 0.9),
            record("a", 1, "bob", "person:x", Stance::Against, 0.4),
            record("a", 1, "bob", "person:y", Stance::Against, 0.9),
        ];
        let g = build(&docs, &entities, &mentions, &stances, &GraphOptions::default());
        assert!(g.node("person:y").is_some());
        assert!(!g.has_time());
        assert_eq!(g.node("person:x").unwrap().stance.as_ref().unwrap().total().label(), Some(StanceLabel::Mixed));

        let thin = GraphOptions { min_mentions: 3, min_confidence: 0.5, ..GraphOptions::default() };
        let g = build(&docs, &entities, &mentions, &stances, &thin);
        assert!(g.node("person:y").is_none(), "mentioned once");
        assert!(g.edge("user:bob", "person:y", EdgeKind::Stance).is_none());
        assert!(g.edge("user:bob", "person:x", EdgeKind::Stance).is_none(), "confidence 0.4 < 0.5");
        let x = g.node("person:x").unwrap().stance.as_ref().unwrap().total();
        assert_eq!((x.favour, x.against, x.label()), (1, 0, Some(StanceLabel::Favour)));
        assert_eq!(g.node("doc:a").unwrap().entity_mentions, Some(3));

        // An entity nobody's kept record is about has no stance at all.
        let strict = GraphOptions { min_confidence: 0.95, ..GraphOptions::default() };
        let g = build(&docs, &entities, &mentions, &stances, &strict);
        assert!(g.nodes.iter().all(|n| n.stance.is_none()));
        assert!(g.edges.iter().all(|e| e.kind != EdgeKind::Stance));
    }

    #[test]
    fn comments_take_their_own_date_else_the_article_date_and_replies_link_commenters() {
        let mut d = doc("t", Some("2024-01-01"), &["ann", "ben", "ann", "ben", "ben"]);
        d.comments[1].date = Some("2024-01-02".into());
        d.comments[1].parent = Some(0);
        d.comments[2].date = Some("2024-01-05".into());
        d.comments[2].parent = Some(1);
        d.comments[3].date = Some("2024-01-05".into());
        d.comments[3].parent = Some(2);
        d.comments[4].parent = Some(3); // ben answers himself: no edge
        d.comments[4].date = Some("not a date".into());
        let entities = vec![entity("person:x", EntityType::Person)];
        let mentions: Vec<Mention> = (0..5).map(|i| mention("t", Source::Comment(i), "person:x")).collect();
        let stances = vec![
            record("t", 1, "ben", "person:x", Stance::Favour, 0.9),
            record("t", 3, "ben", "person:x", Stance::Against, 0.9),
            record("t", 4, "ben", "person:x", Stance::Against, 0.9),
        ];
        let g = build(&[d], &entities, &mentions, &stances, &GraphOptions::everything());
        let edge = g.edge("user:ben", "person:x", EdgeKind::Stance).unwrap();
        assert_eq!(edge.dates, ["2024-01-01", "2024-01-02", "2024-01-05"], "one date per comment date");
        let steps: Vec<(&str, Option<StanceLabel>)> =
            edge.stance.as_ref().unwrap().cumulative().into_iter().map(|(d, c)| (d, c.label())).collect();
        assert_eq!(
            steps,
            [
                ("2024-01-01", Some(StanceLabel::Against)),
                ("2024-01-02", Some(StanceLabel::Mixed)),
                ("2024-01-05", Some(StanceLabel::Against))
            ]
        );
        let ben_ann = g.edge("user:ben", "user:ann", EdgeKind::Reply).unwrap();
        assert_eq!((ben_ann.weight, ben_ann.dates.clone()), (2.0, vec!["2024-01-02".to_string(), "2024-01-05".into()]));
        let ann_ben = g.edge("user:ann", "user:ben", EdgeKind::Reply).unwrap();
        assert_eq!((ann_ben.weight, ann_ben.dates.clone()), (1.0, vec!["2024-01-05".to_string()]));
        assert!(g.edge("user:ben", "user:ben", EdgeKind::Reply).is_none());
        assert_eq!(g.node("user:ann").unwrap().dates, ["2024-01-01", "2024-01-05"]);
        assert_eq!(g.edges.iter().filter(|e| e.kind == EdgeKind::Reply).count(), 2);
    }
}
