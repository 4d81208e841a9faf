//! Graph building: turns documents, canonical entities, mentions and stance
//! records into the nodes and edges that the exporters write, keeping only
//! what [`GraphOptions`] asks for (`options`). Owns what a node and an edge
//! are and what their counts mean; its parts build them (`builder`),
//! aggregate stance records into labels over time (`stance_counts`) and
//! date documents and comments (`dating`). The records themselves are not
//! changed: what the graph leaves out stays in `entities.jsonl`,
//! `stances.jsonl` and the store. What each node, edge and attribute means
//! for a reader is in `docs/outputs.md` ("graph.gexf").

mod builder;
mod dating;
mod mention_counts;
mod options;
mod stance_counts;

use crate::link::EntityType;

pub use builder::build;
pub(crate) use dating::Dates;
pub use dating::Dating;
pub use mention_counts::{tally, CountedMention, MentionCount, MentionTally};
pub use options::GraphOptions;
pub use stance_counts::{StanceCounts, StanceHistory, StanceLabel};

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
    /// Entities shown by the filters and the cap but without any edge: mentioned only in
    /// comments whose records toward them were all below the confidence threshold.
    pub entities_without_edge: usize,
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
        if self.entities_without_edge > 0 {
            parts.push(format!(
                "{} entities without an edge (mentioned only in comments with no sure stance; --all-nodes keeps them)",
                self.entities_without_edge
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

/// One node. Each count is `Some` only on the kinds it belongs to (the
/// table in `docs/outputs.md`), so that one name never means two things.
/// An entity no kept record is about has no stance at all: nothing is
/// called neutral when nothing was measured.
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

impl Graph {
    /// The nodes that stand for entities.
    pub(crate) fn entity_nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Entity(_)))
    }

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
    use crate::corpus::{Comment, Document};
    use crate::link::{Entity, LinkedBy, Mention, Source};
    use crate::stance::{Stance, StanceRecord};
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
