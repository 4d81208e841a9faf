//! Graph building: turns documents, canonical entities, mentions and stance
//! records into the nodes and edges that the exporters write.
//!
//! # Nodes
//!
//! | kind      | id              | label            | notes |
//! |-----------|-----------------|------------------|-------|
//! | entity    | the entity id   | entity label     | only entities with at least one mention |
//! | commenter | `user:<author>` | author name      | every comment author, plus authors of stance records |
//! | article   | `doc:<id>`      | title, else id   | every document |
//!
//! Every node carries `mentions` and `comments` counts whose meaning depends on
//! its kind (see [`Node`]); entity nodes also carry the stance of all
//! commenters toward them, aggregated ([`StanceCounts`]).
//!
//! # Edges (all directed)
//!
//! * **stance**: commenter → entity, one per (commenter, entity) pair that has
//!   at least one [`StanceRecord`]. It aggregates all of that commenter's
//!   records toward that entity: counts of favour / against / neutral, the net
//!   score `(favour − against) / (favour + against + neutral)` in `[-1, 1]`
//!   (plain counts, not confidence-weighted, so the number is easy to explain;
//!   the mean confidence is kept beside it), the majority label, and
//!   `weight` = number of records.
//! * **mention**: article → entity, `weight` = number of mentions of the entity
//!   in the article text (mentions in comments are not counted here; they show
//!   through the commenters).
//! * **commented**: commenter → article, `weight` = number of comments the
//!   commenter wrote under the article.
//!
//! # Time
//!
//! Dates come from [`Document::date`] and are used only when they are valid
//! `YYYY-MM-DD` dates (anything else is kept as the article's `date` text but
//! gives no time). Each element gets `start`/`end` (the first and last date at
//! which it is seen) so that Gephi's timeline can filter the graph: an article
//! lives on its date, a commenter from its first to its last comment, an entity
//! from its first to its last mention or stance, a stance edge from the first
//! to the last record, a mention or commented edge on the article's date.
//! Elements with no known date have none and are always visible.
//!
//! Output order is deterministic: nodes sorted by id, edges by (source,
//! target, kind), whatever the order of the inputs.

use std::collections::{BTreeMap, HashMap};

use crate::corpus::Document;
use crate::link::{Entity, EntityType, Mention, Source};
use crate::stance::{Stance, StanceRecord};

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
    match t {
        EntityType::Person => "person",
        EntityType::Country => "country",
        EntityType::Organisation => "organisation",
        EntityType::Location => "location",
        EntityType::Misc => "misc",
    }
}

/// One node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Entity id, `user:<author>` or `doc:<document id>`.
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
    /// Entity: its mentions (article and comments). Commenter: entity mentions
    /// in its comments. Article: entity mentions in the article text.
    pub mentions: usize,
    /// Entity: stance records toward it. Commenter: comments written.
    /// Article: comments under it.
    pub comments: usize,
    /// Article: the document's date as given (may be any text). Others: none.
    pub date: Option<String>,
    /// First and last valid `YYYY-MM-DD` date the node is seen at.
    pub start: Option<String>,
    pub end: Option<String>,
    /// Entity: all stance records toward it, aggregated. Others: none.
    pub stance: Option<StanceCounts>,
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
}

impl EdgeKind {
    /// The `kind` attribute written to the exports.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Stance => "stance",
            EdgeKind::Mention => "mention",
            EdgeKind::Commented => "commented",
        }
    }
}

/// One directed edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub kind: EdgeKind,
    /// Stance: number of records. Mention: mentions. Commented: comments.
    pub weight: f64,
    /// Stance edges only.
    pub stance: Option<StanceCounts>,
    /// First and last valid `YYYY-MM-DD` date of what the edge aggregates.
    pub start: Option<String>,
    pub end: Option<String>,
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

    /// Number of records.
    pub fn total(&self) -> usize {
        self.favour + self.against + self.neutral
    }

    /// `(favour − against) / total`, in `[-1, 1]`; 0 when there are no records.
    pub fn net(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            return 0.0;
        }
        (self.favour as f64 - self.against as f64) / total as f64
    }

    /// Mean confidence of the records; 0 when there are none.
    pub fn mean_confidence(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            0.0
        } else {
            self.confidence_sum / total as f64
        }
    }

    /// The label with the most records. A tie is settled by the sign of
    /// [`net`](Self::net): favour if positive, against if negative, neutral if
    /// zero (so favour = against reads neutral, and favour = neutral > against
    /// reads favour). No records reads neutral.
    pub fn majority(&self) -> Stance {
        let max = self.favour.max(self.against).max(self.neutral);
        let leaders = [
            (self.favour == max, Stance::Favour),
            (self.against == max, Stance::Against),
            (self.neutral == max, Stance::Neutral),
        ];
        let mut winners = leaders.iter().filter(|(lead, _)| *lead).map(|(_, s)| *s);
        match (winners.next(), winners.next()) {
            (Some(only), None) => only,
            _ => {
                let net = self.net();
                if net > 0.0 {
                    Stance::Favour
                } else if net < 0.0 {
                    Stance::Against
                } else {
                    Stance::Neutral
                }
            }
        }
    }
}

/// The lowercase name of a stance (as it serialises).
pub fn stance_name(s: Stance) -> &'static str {
    match s {
        Stance::Favour => "favour",
        Stance::Against => "against",
        Stance::Neutral => "neutral",
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

/// The first and last date seen; `YYYY-MM-DD` strings order like dates.
#[derive(Debug, Clone, Default, PartialEq)]
struct Span {
    first: Option<String>,
    last: Option<String>,
}

impl Span {
    fn see(&mut self, date: Option<&str>) {
        let Some(d) = date else { return };
        if self.first.as_deref().map_or(true, |f| d < f) {
            self.first = Some(d.to_string());
        }
        if self.last.as_deref().map_or(true, |l| d > l) {
            self.last = Some(d.to_string());
        }
    }
}

#[derive(Default)]
struct CommenterAcc {
    comments: usize,
    mentions: usize,
    span: Span,
}

#[derive(Default)]
struct StanceAcc {
    counts: StanceCounts,
    span: Span,
}

/// Builds the graph. Mentions and stance records naming an unknown entity are
/// ignored; so are mentions of an unknown document (for edges; they still
/// count toward the entity), and stance records toward an entity with no
/// mention.
pub fn build(documents: &[Document], entities: &[Entity], mentions: &[Mention], stances: &[StanceRecord]) -> Graph {
    // First of duplicates wins, for documents and entities alike.
    let mut docs: HashMap<&str, &Document> = HashMap::new();
    for d in documents {
        docs.entry(d.id.as_str()).or_insert(d);
    }
    let mut known: HashMap<&str, &Entity> = HashMap::new();
    for e in entities {
        known.entry(e.id.as_str()).or_insert(e);
    }
    let doc_date = |doc_id: &str| docs.get(doc_id).and_then(|d| d.date.as_deref()).and_then(valid_date);
    let comment_author =
        |doc_id: &str, i: usize| docs.get(doc_id).and_then(|d| d.comments.get(i)).map(|c| c.author.as_str());

    // Mentions: per entity, per (article, entity), per commenter.
    let mut entity_mentions: BTreeMap<&str, usize> = BTreeMap::new();
    let mut entity_span: HashMap<&str, Span> = HashMap::new();
    let mut article_mentions: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut article_mention_total: HashMap<&str, usize> = HashMap::new();
    let mut commenters: BTreeMap<String, CommenterAcc> = BTreeMap::new();
    for m in mentions {
        let Some(entity) = known.get(m.entity_id.as_str()) else { continue };
        let eid = entity.id.as_str();
        *entity_mentions.entry(eid).or_default() += 1;
        entity_span.entry(eid).or_default().see(doc_date(&m.doc_id));
        if !docs.contains_key(m.doc_id.as_str()) {
            continue;
        }
        match m.source {
            Source::Article => {
                *article_mentions.entry((m.doc_id.as_str(), eid)).or_default() += 1;
                *article_mention_total.entry(m.doc_id.as_str()).or_default() += 1;
            }
            Source::Comment(i) => {
                if let Some(author) = comment_author(&m.doc_id, i) {
                    commenters.entry(commenter_name(author).to_string()).or_default().mentions += 1;
                }
            }
        }
    }

    // Comments: per commenter, per (commenter, article).
    let mut commented: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for d in docs.values() {
        let date = d.date.as_deref().and_then(valid_date);
        for c in &d.comments {
            let name = commenter_name(&c.author).to_string();
            let acc = commenters.entry(name.clone()).or_default();
            acc.comments += 1;
            acc.span.see(date);
            *commented.entry((name, d.id.as_str())).or_default() += 1;
        }
    }

    // Stance records: per (commenter, entity) and per entity.
    let mut stance_edges: BTreeMap<(String, &str), StanceAcc> = BTreeMap::new();
    let mut entity_stance: HashMap<&str, StanceCounts> = HashMap::new();
    for r in stances {
        let Some(entity) = known.get(r.entity_id.as_str()) else { continue };
        let eid = entity.id.as_str();
        if !entity_mentions.contains_key(eid) {
            continue;
        }
        let date = doc_date(&r.doc_id);
        let name = commenter_name(&r.author).to_string();
        commenters.entry(name.clone()).or_default().span.see(date);
        entity_span.entry(eid).or_default().see(date);
        let acc = stance_edges.entry((name, eid)).or_default();
        acc.counts.add(r.stance, r.confidence);
        acc.span.see(date);
        entity_stance.entry(eid).or_default().add(r.stance, r.confidence);
    }

    let mut nodes = Vec::with_capacity(entity_mentions.len() + commenters.len() + docs.len());
    for (&eid, &count) in &entity_mentions {
        let Some(entity) = known.get(eid) else { continue };
        let span = entity_span.remove(eid).unwrap_or_default();
        let stance = entity_stance.get(eid).copied().unwrap_or_default();
        nodes.push(Node {
            id: entity_node_id(eid),
            label: entity.label.clone(),
            kind: NodeKind::Entity(entity.kind),
            mentions: count,
            comments: stance.total(),
            date: None,
            start: span.first,
            end: span.last,
            stance: Some(stance),
        });
    }
    for (name, acc) in &commenters {
        nodes.push(Node {
            id: commenter_node_id(name),
            label: name.clone(),
            kind: NodeKind::Commenter,
            mentions: acc.mentions,
            comments: acc.comments,
            date: None,
            start: acc.span.first.clone(),
            end: acc.span.last.clone(),
            stance: None,
        });
    }
    for d in docs.values() {
        let label = match d.title.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => d.id.clone(),
        };
        let day = d.date.as_deref().and_then(valid_date).map(str::to_string);
        nodes.push(Node {
            id: article_node_id(&d.id),
            label,
            kind: NodeKind::Article,
            mentions: article_mention_total.get(d.id.as_str()).copied().unwrap_or(0),
            comments: d.comments.len(),
            date: d.date.clone(),
            start: day.clone(),
            end: day,
            stance: None,
        });
    }
    nodes.sort_by(|a, b| a.id.cmp(&b.id));

    let mut edges = Vec::with_capacity(stance_edges.len() + article_mentions.len() + commented.len());
    for ((name, eid), acc) in stance_edges {
        edges.push(Edge {
            source: commenter_node_id(&name),
            target: entity_node_id(eid),
            kind: EdgeKind::Stance,
            weight: acc.counts.total() as f64,
            stance: Some(acc.counts),
            start: acc.span.first,
            end: acc.span.last,
        });
    }
    for ((doc_id, eid), count) in article_mentions {
        let day = doc_date(doc_id).map(str::to_string);
        edges.push(Edge {
            source: article_node_id(doc_id),
            target: entity_node_id(eid),
            kind: EdgeKind::Mention,
            weight: count as f64,
            stance: None,
            start: day.clone(),
            end: day,
        });
    }
    for ((name, doc_id), count) in commented {
        let day = doc_date(doc_id).map(str::to_string);
        edges.push(Edge {
            source: commenter_node_id(&name),
            target: article_node_id(doc_id),
            kind: EdgeKind::Commented,
            weight: count as f64,
            stance: None,
            start: day.clone(),
            end: day,
        });
    }
    edges.sort_by(|a, b| (&a.source, &a.target, a.kind).cmp(&(&b.source, &b.target, b.kind)));

    Graph { nodes, edges, provenance: None }
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
        self.nodes.iter().any(|n| n.start.is_some() || n.end.is_some())
            || self.edges.iter().any(|e| e.start.is_some() || e.end.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Comment;
    use crate::link::LinkedBy;
    use std::path::PathBuf;

    fn doc(id: &str, date: Option<&str>, authors: &[&str]) -> Document {
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

    fn entity(id: &str, kind: EntityType) -> Entity {
        Entity { id: id.into(), label: id.to_uppercase(), kind, aliases: vec![], mentions: 0 }
    }

    fn mention(doc_id: &str, source: Source, entity_id: &str) -> Mention {
        Mention {
            doc_id: doc_id.into(),
            source,
            start: 0,
            end: 1,
            text: "x".into(),
            entity_id: entity_id.into(),
            linked_by: LinkedBy::Name,
        }
    }

    fn record(
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
            author: author.into(),
            entity_id: entity_id.into(),
            entity: entity_id.into(),
            entity_type: EntityType::Person,
            stance,
            confidence,
        }
    }

    #[test]
    fn counts_net_and_majority() {
        let mut c = StanceCounts::default();
        assert_eq!(c.net(), 0.0);
        assert_eq!(c.majority(), Stance::Neutral);
        c.add(Stance::Favour, 0.5);
        c.add(Stance::Favour, 1.0);
        c.add(Stance::Against, 0.75);
        c.add(Stance::Neutral, f32::NAN);
        assert_eq!(c.total(), 4);
        assert!((c.net() - 0.25).abs() < 1e-12);
        assert!((c.mean_confidence() - 2.25 / 4.0).abs() < 1e-12);
        assert_eq!(c.majority(), Stance::Favour);

        let tie = StanceCounts { favour: 2, against: 2, neutral: 1, confidence_sum: 0.0 };
        assert_eq!(tie.majority(), Stance::Neutral);
        let tie = StanceCounts { favour: 0, against: 2, neutral: 2, confidence_sum: 0.0 };
        assert_eq!(tie.majority(), Stance::Against);
        let all_against = StanceCounts { favour: 0, against: 3, neutral: 0, confidence_sum: 0.0 };
        assert_eq!(all_against.net(), -1.0);
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
    fn builds_typed_sorted_graph() {
        let docs = vec![
            doc("b", Some("2024-03-02"), &["carol", "alice"]),
            doc("a", Some("2024-03-01"), &["alice", "  ", "alice"]),
        ];
        let entities = vec![
            entity("person:x", EntityType::Person),
            entity("JPN", EntityType::Country),
            entity("org:never-mentioned", EntityType::Organisation),
        ];
        let mentions = vec![
            mention("a", Source::Article, "person:x"),
            mention("a", Source::Article, "person:x"),
            mention("b", Source::Article, "JPN"),
            mention("a", Source::Comment(0), "JPN"),
            mention("a", Source::Comment(9), "JPN"),
            mention("a", Source::Article, "unknown"),
        ];
        let stances = vec![
            record("a", 0, "alice", "person:x", Stance::Favour, 0.9),
            record("a", 2, "alice", "person:x", Stance::Against, 0.8),
            record("b", 1, "alice", "person:x", Stance::Favour, 0.7),
            record("b", 0, "carol", "JPN", Stance::Neutral, 0.6),
            record("b", 0, "carol", "org:never-mentioned", Stance::Against, 0.6),
        ];
        let g = build(&docs, &entities, &mentions, &stances);

        let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["JPN", "doc:a", "doc:b", "person:x", "user:(anonymous)", "user:alice", "user:carol"]);

        let x = g.node("person:x").unwrap();
        assert_eq!(x.kind, NodeKind::Entity(EntityType::Person));
        assert_eq!((x.mentions, x.comments), (2, 3));
        assert_eq!((x.start.as_deref(), x.end.as_deref()), (Some("2024-03-01"), Some("2024-03-02")));
        let alice = g.node("user:alice").unwrap();
        assert_eq!((alice.comments, alice.mentions), (3, 1));
        let a = g.node("doc:a").unwrap();
        assert_eq!((a.mentions, a.comments, a.label.as_str()), (2, 3, "a"));

        let e = g.edge("user:alice", "person:x", EdgeKind::Stance).unwrap();
        let s = e.stance.unwrap();
        assert_eq!((s.favour, s.against, s.neutral), (2, 1, 0));
        assert_eq!(e.weight, 3.0);
        assert!((s.net() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((e.start.as_deref(), e.end.as_deref()), (Some("2024-03-01"), Some("2024-03-02")));

        assert_eq!(g.edge("doc:a", "person:x", EdgeKind::Mention).unwrap().weight, 2.0);
        assert_eq!(g.edge("user:alice", "doc:a", EdgeKind::Commented).unwrap().weight, 2.0);
        assert!(g.edge("user:carol", "org:never-mentioned", EdgeKind::Stance).is_none());
        assert_eq!(g.edges.len(), 2 + 2 + 4);

        // Input order does not matter.
        let mut docs2 = docs.clone();
        docs2.reverse();
        let mut stances2 = stances.clone();
        stances2.reverse();
        assert_eq!(build(&docs2, &entities, &mentions, &stances2), g);
        assert!(g.has_time());
    }
}
