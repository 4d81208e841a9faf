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
//! valid `YYYY-MM-DD` dates count ([`crate::dates::valid_date`]). Every node and edge
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
use crate::dates::valid_date;
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
    pub(crate) const DEFAULT_TYPES: [EntityType; 3] =
        [EntityType::Person, EntityType::Country, EntityType::Organisation];
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
    pub(crate) fn keeps_confidence(&self, confidence: f32) -> bool {
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
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            NodeKind::Entity(t) => entity_type_name(t),
            NodeKind::Commenter => "commenter",
            NodeKind::Article => "article",
        }
    }
}

/// The lowercase name of an entity type (as it serialises).
pub(crate) fn entity_type_name(t: EntityType) -> &'static str {
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
pub(crate) fn entity_node_id(entity_id: &str) -> String {
    entity_id.to_string()
}

/// The node id of a comment author: `user:<name>`, the name trimmed; an empty
/// name becomes `(anonymous)`.
pub(crate) fn commenter_node_id(author: &str) -> String {
    format!("user:{}", commenter_name(author))
}

/// The node id of a document: `doc:<id>`.
pub(crate) fn article_node_id(doc_id: &str) -> String {
    format!("doc:{doc_id}")
}

/// How an author is named in the graph: trimmed, `(anonymous)` when empty.
pub(crate) fn commenter_name(author: &str) -> &str {
    let t = author.trim();
    if t.is_empty() {
        "(anonymous)"
    } else {
        t
    }
}

/// Distinct dates, sorted: what an element lists in [`Node::dates`] and
/// [`Edge::dates`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Dates(BTreeSet<String>);

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
    pub(crate) fn into_vec(self) -> Vec<String> {
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
    pub(crate) fn document_date(&self, doc_id: &str) -> Option<&'a str> {
        self.document(doc_id).and_then(|d| d.date.as_deref()).and_then(valid_date)
    }

    /// A comment's own valid date, else its article's.
    pub(crate) fn comment_date(&self, doc_id: &str, i: usize) -> Option<&'a str> {
        let doc = self.document(doc_id)?;
        doc.comments.get(i).and_then(|c| c.date.as_deref()).and_then(valid_date).or_else(|| self.document_date(doc_id))
    }

    /// A comment's author as written (not yet [`commenter_name`]d).
    pub(crate) fn comment_author(&self, doc_id: &str, i: usize) -> Option<&'a str> {
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
    let (mut commented, mut replies) = count_comments(&dating, &mut commenters);

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

    let edges = edges_of(stance_edges, article_mentions, commented, replies, &dating);
    Graph { nodes, edges, provenance: None, left_out }
}

/// Counts the comments per commenter (into `commenters`), and returns the
/// comments per (commenter, article) and the replies per (commenter,
/// commenter replied to).
#[allow(clippy::type_complexity)]
fn count_comments<'a>(
    dating: &Dating<'a>,
    commenters: &mut BTreeMap<String, CommenterAcc>,
) -> (BTreeMap<(String, &'a str), CountAcc>, BTreeMap<(String, String), CountAcc>) {
    let comment_date = |doc_id: &str, i: usize| dating.comment_date(doc_id, i);
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
    (commented, replies)
}

/// The graph's edges, sorted by source, target and kind: stance (commenter
/// → entity), mention (article → entity), commented (commenter → article),
/// reply (commenter → commenter).
fn edges_of(
    stance_edges: BTreeMap<(String, &str), StanceAcc>,
    article_mentions: BTreeMap<(&str, &str), usize>,
    commented: BTreeMap<(String, &str), CountAcc>,
    replies: BTreeMap<(String, String), CountAcc>,
    dating: &Dating,
) -> Vec<Edge> {
    let doc_date = |doc_id: &str| dating.document_date(doc_id);
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
    edges
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
    pub(crate) fn has_time(&self) -> bool {
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
mod tests;
