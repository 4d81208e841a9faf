//! Building the graph from the records: which entities, commenters and
//! articles it keeps, what each node and edge counts, and their dates.
//! Output order is deterministic: nodes sorted by id, edges by (source,
//! target, kind), whatever the order of the inputs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::dating::{Dates, Dating};
use super::mention_counts::CountedMention;
use super::options::GraphOptions;
use super::stance_counts::StanceHistory;
use super::{
    article_node_id, commenter_name, commenter_node_id, entity_node_id, Edge, EdgeEvidence, EdgeKind, Graph, LeftOut,
    Node, NodeKind,
};
use crate::corpus::Document;
use crate::link::{Entity, Source};
use crate::stance::StanceRecord;

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
/// `mentions` may be the mentions or their counts ([`super::MentionCount`]).
/// Mentions and stance records naming an unknown entity are ignored; so are
/// mentions of an unknown document (for edges and dates; they still count
/// toward the entity's `mentions`), and stance records toward an entity that
/// is not in the graph.
pub fn build<M: CountedMention>(
    documents: &[Document],
    entities: &[Entity],
    mentions: &[M],
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
        if let Some(entity) = known.get(m.entity_id()) {
            *mention_count.entry(entity.id.as_str()).or_default() += m.count();
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
        let (eid, doc_id, n) = (m.entity_id(), m.doc_id(), m.count());
        if !shown(eid) || dating.document(doc_id).is_none() {
            continue;
        }
        match m.source() {
            Source::Article => {
                entity_dates.entry(eid).or_default().see(doc_date(doc_id));
                *article_mentions.entry((doc_id, eid)).or_default() += n;
                *article_mention_total.entry(doc_id).or_default() += n;
            }
            Source::Comment(i) => {
                entity_dates.entry(eid).or_default().see(comment_date(doc_id, i));
                if let Some(author) = comment_author(doc_id, i) {
                    commenters.entry(commenter_name(author).to_string()).or_default().entity_mentions += n;
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
        // Entities with an edge stay: one mentioned only in comments without a kept record
        // would sit alone in Gephi's layout.
        let with_edge: BTreeSet<&str> =
            article_mentions.keys().map(|(_, e)| *e).chain(stance_edges.keys().map(|(_, e)| *e)).collect();
        left_out.entities_without_edge = mention_count.keys().filter(|e| !with_edge.contains(*e)).count();
        mention_count.retain(|e, _| with_edge.contains(e));
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
