//! The two pair graphs written beside the main graph (`commenters.gexf`,
//! `entities.gexf`), each answering one question the main graph cannot
//! answer at a glance: which commenters form camps ([`CommenterGraph`]) and
//! which entities are argued about together ([`EntityGraph`]). Owns which
//! nodes and undirected edges they hold and what their counts mean. Both
//! start from the main [`Graph`] built with the same [`GraphOptions`]
//! (copies of its nodes, its entities, its `--min-confidence`);
//! [`crate::export`] writes them and decides how they are drawn. Why the
//! edges are built so for Gephi is in `docs/gephi.md` ("Camps and
//! co-mention").

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::camps::{self, Position, Side};
use crate::corpus::Document;
use crate::graph::{
    commenter_name, commenter_node_id, CountedMention, Dates, Dating, Graph, GraphOptions, Node, NodeKind,
};
use crate::link::Source;
use crate::stance::{Stance, StanceRecord};

/// Both pair graphs of an export set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairGraphs {
    pub commenters: CommenterGraph,
    pub entities: EntityGraph,
}

/// Commenters linked by agreement. A commenter's **side** on an entity and
/// the agreement of two commenters are [`camps::agreement`]'s: all of a
/// commenter's kept records toward an entity make one side (favour, against,
/// or none: neutral records never make a side).
///
/// * **Nodes**: the commenters of the main graph who took a side on at
///   least one entity shown; `sides` counts those entities, `camp` is the
///   camp [`camps::find`] puts them in (none when they stand alone).
/// * **Edges**: one per pair of commenters who both took a side on at least
///   `min_shared_entities` of the same entities (`--min-shared-entities`)
///   and whose **net agreement** (`agreements` − `disagreements`) is
///   **positive**, weighted by it: Gephi's Modularity and ForceAtlas 2 read
///   only attraction, and its importer drops weight-0 edges. The
///   disagreements still show, in the edges' `disagreements` and in
///   [`CommenterNode::camp`], which `camps::find` computes from the signed
///   pairs.
///
/// Camps, like the report's, are sought among the [`camps::MAX_COMMENTERS`]
/// commenters with the most sides taken ([`camps::of_most_sided`]); the
/// others are nodes without edges. An edge is dated by the comments behind
/// it: the kept records of both commenters toward the entities they both
/// took a side on; the counts are totals, not replayed over time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommenterGraph {
    /// Sorted by id.
    pub nodes: Vec<CommenterNode>,
    /// Sorted by (source, target).
    pub edges: Vec<AgreementEdge>,
    /// Camps found (each of at least two commenters).
    pub camps: usize,
    /// The main graph's provenance.
    pub provenance: Option<String>,
}

/// A commenter of the main graph who took a side.
#[derive(Debug, Clone, PartialEq)]
pub struct CommenterNode {
    /// The main graph's node (id `user:<author>`, label, `comments_written`, dates).
    pub node: Node,
    /// Entities shown that the commenter took a side on.
    pub sides: usize,
    /// [`camps::Camp::id`] (1 the biggest); `None` when the commenter is in no camp.
    pub camp: Option<usize>,
    /// What the camp stands for ([`camps::stands`], entity labels): the
    /// entities more of its members favour than oppose, and the reverse;
    /// empty without a camp.
    pub camp_for: Vec<String>,
    pub camp_against: Vec<String>,
}

/// Two commenters who agree more often than not.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementEdge {
    /// Node ids, `source` < `target`.
    pub source: String,
    pub target: String,
    /// Entities both took the same side on.
    pub agreements: usize,
    /// Entities they took opposite sides on.
    pub disagreements: usize,
    /// Distinct valid dates of the comments behind it, sorted.
    pub dates: Vec<String>,
}

impl AgreementEdge {
    /// Entities both took a side on.
    pub fn shared(&self) -> usize {
        self.agreements + self.disagreements
    }

    /// `agreements − disagreements`; positive on every edge (the weight).
    pub fn net(&self) -> i64 {
        self.agreements as i64 - self.disagreements as i64
    }
}

/// Entities linked by co-mention in **one comment**: an entity is *in* a
/// comment when the comment mentions it, or an explicit stance record of
/// the comment is about it (an implicit one does not count). Article text
/// is left out on purpose: an article names many entities in passing.
///
/// * **Nodes**: the entities of the main graph that are in at least one
///   comment.
/// * **Edges**: one per pair of entities in the same comment at least once:
///   `comments` (the weight) holds both; `same_stance` / `opposite_stance`
///   count those whose commenter took the same / opposite side (from that
///   comment's kept records) on the two, so `same_stance + opposite_stance
///   ≤ comments`. An edge is dated by the comments that hold both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntityGraph {
    /// The main graph's entity nodes, sorted by id.
    pub nodes: Vec<Node>,
    /// Sorted by (source, target).
    pub edges: Vec<CoMentionEdge>,
    /// The main graph's provenance.
    pub provenance: Option<String>,
}

/// Two entities in the same comment.
#[derive(Debug, Clone, PartialEq)]
pub struct CoMentionEdge {
    /// Entity ids, `source` < `target`.
    pub source: String,
    pub target: String,
    /// Comments that hold both (the weight).
    pub comments: usize,
    /// Of those, comments whose commenter took the same side on both.
    pub same_stance: usize,
    /// Of those, comments whose commenter took opposite sides on the two.
    pub opposite_stance: usize,
    /// Distinct valid dates of those comments, sorted.
    pub dates: Vec<String>,
}

/// Builds both pair graphs from the records behind `graph` (built from the
/// same records with `options`).
pub fn build<M: CountedMention>(
    graph: &Graph,
    documents: &[Document],
    mentions: &[M],
    stances: &[StanceRecord],
    options: &GraphOptions,
) -> PairGraphs {
    let dating = Dating::new(documents);
    PairGraphs {
        commenters: commenters(graph, &dating, stances, options),
        entities: entities(graph, &dating, mentions, stances, options),
    }
}

/// The ids of the entities the main graph shows.
fn shown_entities(graph: &Graph) -> HashSet<&str> {
    graph.entity_nodes().map(|n| n.id.as_str()).collect()
}

/// Commenters linked by agreement.
pub fn commenters(graph: &Graph, dating: &Dating, stances: &[StanceRecord], options: &GraphOptions) -> CommenterGraph {
    let shown = shown_entities(graph);
    let kept: Vec<StanceRecord> = stances
        .iter()
        .filter(|s| shown.contains(s.entity_id.as_str()) && options.keeps_confidence(s.confidence))
        .cloned()
        .collect();
    let (kept, _) = camps::of_most_sided(&kept, camps::MAX_COMMENTERS);
    let pairs = camps::agreement(&kept);
    let found = camps::find(&pairs);
    let camp_of: HashMap<&str, usize> =
        found.iter().flat_map(|c| c.members.iter().map(move |m| (m.as_str(), c.id))).collect();

    // Per commenter: entity → (side, dates of the records toward it).
    let mut dates: HashMap<(&str, &str), Dates> = HashMap::new();
    for s in &kept {
        let key = (commenter_name(&s.author), s.entity_id.as_str());
        dates.entry(key).or_default().see(dating.comment_date(&s.doc_id, s.comment));
    }
    let positions = camps::positions(&kept);
    let mut sided: BTreeMap<String, BTreeMap<String, Side>> = BTreeMap::new();
    for ((who, entity), p) in &positions {
        if let Some(side) = p.side() {
            sided.entry(who.clone()).or_default().insert(entity.clone(), side);
        }
    }
    let label = |id: &str| graph.node(&crate::graph::entity_node_id(id)).map_or(id, |n| n.label.as_str()).to_string();
    let stands: HashMap<usize, camps::Stands> =
        found.iter().map(|c| (c.id, camps::stands(&c.members, &positions, label))).collect();
    let labels = |list: &[camps::Stand]| list.iter().map(|s| s.label.clone()).collect::<Vec<String>>();

    let mut nodes: Vec<CommenterNode> = graph
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Commenter)
        .filter_map(|n| {
            let sides = sided.get(n.label.as_str())?.len();
            let camp = camp_of.get(n.label.as_str()).copied();
            let stand = camp.and_then(|c| stands.get(&c));
            Some(CommenterNode {
                node: n.clone(),
                sides,
                camp,
                camp_for: stand.map(|s| labels(&s.favours)).unwrap_or_default(),
                camp_against: stand.map(|s| labels(&s.opposes)).unwrap_or_default(),
            })
        })
        .collect();
    nodes.sort_by(|a, b| a.node.id.cmp(&b.node.id));

    let mut edges: Vec<AgreementEdge> = Vec::new();
    let min_shared = options.min_shared_entities.max(1);
    for p in pairs.iter().filter(|p| p.weight() > 0 && p.agree + p.disagree >= min_shared) {
        let (Some(a), Some(b)) = (sided.get(&p.a), sided.get(&p.b)) else { continue };
        let mut when = Dates::default();
        for entity in a.keys().filter(|e| b.contains_key(*e)) {
            for who in [&p.a, &p.b] {
                if let Some(d) = dates.get(&(who.as_str(), entity.as_str())) {
                    when.merge(d);
                }
            }
        }
        edges.push(AgreementEdge {
            source: commenter_node_id(&p.a),
            target: commenter_node_id(&p.b),
            agreements: p.agree,
            disagreements: p.disagree,
            dates: when.into_vec(),
        });
    }
    edges.sort_by(|x, y| (&x.source, &x.target).cmp(&(&y.source, &y.target)));
    CommenterGraph { nodes, edges, camps: found.len(), provenance: graph.provenance.clone() }
}

#[derive(Default)]
struct CoMention {
    comments: usize,
    same: usize,
    opposite: usize,
    dates: Dates,
}

/// Entities linked by co-mention in one comment.
pub fn entities<M: CountedMention>(
    graph: &Graph,
    dating: &Dating,
    mentions: &[M],
    stances: &[StanceRecord],
    options: &GraphOptions,
) -> EntityGraph {
    let shown = shown_entities(graph);
    // (document, comment) → the entities in it, with that comment's kept records toward each.
    let mut comments: BTreeMap<(&str, usize), BTreeMap<&str, Position>> = BTreeMap::new();
    for m in mentions {
        if let Source::Comment(i) = m.source() {
            if shown.contains(m.entity_id()) && dating.document(m.doc_id()).is_some() {
                comments.entry((m.doc_id(), i)).or_default().entry(m.entity_id()).or_default();
            }
        }
    }
    // An implicit record's comment does not name the entity: no co-mention.
    for s in stances.iter().filter(|s| !s.implicit) {
        if !shown.contains(s.entity_id.as_str()) || dating.document(&s.doc_id).is_none() {
            continue;
        }
        let p = comments.entry((s.doc_id.as_str(), s.comment)).or_default().entry(s.entity_id.as_str()).or_default();
        if options.keeps_confidence(s.confidence) {
            match s.stance {
                Stance::Favour => p.favour += 1,
                Stance::Against => p.against += 1,
                Stance::Neutral => p.neutral += 1,
            }
        }
    }

    let mut in_a_comment: BTreeSet<&str> = BTreeSet::new();
    let mut pairs: BTreeMap<(&str, &str), CoMention> = BTreeMap::new();
    for ((doc_id, i), held) in &comments {
        let date = dating.comment_date(doc_id, *i);
        let held: Vec<(&str, Option<Side>)> = held.iter().map(|(e, p)| (*e, p.side())).collect();
        for (k, (a, side_a)) in held.iter().enumerate() {
            in_a_comment.insert(*a);
            for (b, side_b) in &held[k + 1..] {
                let acc = pairs.entry((*a, *b)).or_default();
                acc.comments += 1;
                acc.dates.see(date);
                match (side_a, side_b) {
                    (Some(x), Some(y)) if x == y => acc.same += 1,
                    (Some(_), Some(_)) => acc.opposite += 1,
                    _ => {}
                }
            }
        }
    }

    let nodes: Vec<Node> = graph.nodes.iter().filter(|n| in_a_comment.contains(n.id.as_str())).cloned().collect();
    let edges = pairs
        .into_iter()
        .map(|((a, b), acc)| CoMentionEdge {
            source: a.to_string(),
            target: b.to_string(),
            comments: acc.comments,
            same_stance: acc.same,
            opposite_stance: acc.opposite,
            dates: acc.dates.into_vec(),
        })
        .collect();
    EntityGraph { nodes, edges, provenance: graph.provenance.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph;
    use crate::graph::test_records::{doc, entity, mention, record};
    use crate::link::{Entity, EntityType, Mention};
    use Stance::{Against as A, Favour as F, Neutral as N};

    /// One article (2024-03-01), five comments; x, y, z people, w a place.
    ///
    /// | comment | author | mentions | records |
    /// |---|---|---|---|
    /// | 0 | ann | x, y | x favour, y favour |
    /// | 1 | bob | x, y | x favour, y against |
    /// | 2 | cat | x, y, z | x neutral, y against, z against (0.3) |
    /// | 3 | dan | x, w | x against, w favour |
    /// | 4 | ann | z | z favour (dated 2024-03-05) |
    struct Fixture {
        docs: Vec<Document>,
        entities: Vec<Entity>,
        mentions: Vec<Mention>,
        stances: Vec<StanceRecord>,
    }

    fn fixture() -> Fixture {
        let mut d = doc("a", Some("2024-03-01"), &["ann", "bob", "cat", "dan", "ann"]);
        d.comments[4].date = Some("2024-03-05".into());
        let entities = vec![
            entity("x", EntityType::Person),
            entity("y", EntityType::Person),
            entity("z", EntityType::Person),
            entity("w", EntityType::Location),
        ];
        let c = Source::Comment;
        let mentions = vec![
            mention("a", Source::Article, "x"),
            mention("a", Source::Article, "y"),
            mention("a", c(0), "x"),
            mention("a", c(0), "y"),
            mention("a", c(0), "x"),
            mention("a", c(1), "x"),
            mention("a", c(1), "y"),
            mention("a", c(2), "x"),
            mention("a", c(2), "y"),
            mention("a", c(2), "z"),
            mention("a", c(3), "x"),
            mention("a", c(3), "w"),
            mention("a", c(4), "z"),
        ];
        let stances = vec![
            record("a", 0, "ann", "x", F, 0.9),
            record("a", 0, "ann", "y", F, 0.9),
            record("a", 1, "bob", "x", F, 0.9),
            record("a", 1, "bob", "y", A, 0.9),
            record("a", 2, "cat", "x", N, 0.9),
            record("a", 2, "cat", "y", A, 0.9),
            record("a", 2, "cat", "z", A, 0.3),
            record("a", 3, "dan", "x", A, 0.9),
            record("a", 3, "dan", "w", F, 0.9),
            record("a", 4, "ann", "z", F, 0.9),
        ];
        Fixture { docs: vec![d], entities, mentions, stances }
    }

    fn pair_graphs(f: &Fixture, options: &GraphOptions) -> PairGraphs {
        let g = graph::build(&f.docs, &f.entities, &f.mentions, &f.stances, options);
        build(&g, &f.docs, &f.mentions, &f.stances, options)
    }

    #[test]
    fn mention_counts_build_the_same_graphs_as_the_mentions() {
        let f = fixture();
        let counts = graph::tally(&f.mentions);
        assert!(counts.len() < f.mentions.len());
        let options = [
            GraphOptions::default(),
            GraphOptions { all_nodes: true, ..GraphOptions::default() },
            GraphOptions { min_mentions: 2, ..GraphOptions::default() },
            GraphOptions { max_entities: 2, ..GraphOptions::default() },
        ];
        for o in &options {
            let g = graph::build(&f.docs, &f.entities, &f.mentions, &f.stances, o);
            let from_counts = graph::build(&f.docs, &f.entities, &counts, &f.stances, o);
            assert_eq!(g, from_counts, "{o:?}");
            assert_eq!(
                build(&g, &f.docs, &f.mentions, &f.stances, o),
                build(&from_counts, &f.docs, &counts, &f.stances, o),
                "{o:?}"
            );
        }
    }

    fn co(g: &EntityGraph, a: &str, b: &str) -> Option<(usize, usize, usize)> {
        g.edges.iter().find(|e| e.source == a && e.target == b).map(|e| (e.comments, e.same_stance, e.opposite_stance))
    }

    fn agree(g: &CommenterGraph, a: &str, b: &str) -> Option<(usize, usize, i64)> {
        let (a, b) = (commenter_node_id(a), commenter_node_id(b));
        g.edges.iter().find(|e| e.source == a && e.target == b).map(|e| (e.agreements, e.disagreements, e.net()))
    }

    #[test]
    fn co_mention_counts_comments_and_same_and_opposite_sides() {
        let f = fixture();
        let e = pair_graphs(&f, &GraphOptions::default()).entities;
        // x–y in comments 0 (favour, favour: same), 1 (favour, against: opposite),
        // 2 (neutral, against: no side on x, so neither).
        assert_eq!(co(&e, "x", "y"), Some((3, 1, 1)));
        // x–z and y–z in comment 2 only: x has no side; y against, z against: same.
        assert_eq!(co(&e, "x", "z"), Some((1, 0, 0)));
        assert_eq!(co(&e, "y", "z"), Some((1, 1, 0)));
        // w is a location: not shown by default, so no x–w edge.
        assert_eq!(co(&e, "w", "x"), None);
        assert_eq!(e.edges.len(), 3);
        // Entities in a comment, as the main graph has them; the mention twice in comment 0 counts once.
        let ids: Vec<&str> = e.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["x", "y", "z"]);
        assert_eq!(e.nodes[0].mentions, Some(6), "the main graph's node, article mentions included");
        let xy = &e.edges[0];
        assert_eq!(xy.dates, ["2024-03-01"]);

        // --types widens it: dan's opposite sides on x and w.
        let all = GraphOptions { types: GraphOptions::ALL_TYPES.to_vec(), ..GraphOptions::default() };
        let e = pair_graphs(&f, &all).entities;
        assert_eq!(co(&e, "w", "x"), Some((1, 0, 1)));

        // --min-confidence: cat's 0.3 against z no longer counts as a side; the co-mention stays.
        let strict = GraphOptions { min_confidence: 0.5, ..GraphOptions::default() };
        let e = pair_graphs(&f, &strict).entities;
        assert_eq!(co(&e, "y", "z"), Some((1, 0, 0)));

        // --min-mentions: z is mentioned twice, w once.
        let thin = GraphOptions { min_mentions: 3, ..all };
        let e = pair_graphs(&f, &thin).entities;
        assert_eq!(e.edges.iter().map(|e| (e.source.as_str(), e.target.as_str())).collect::<Vec<_>>(), [("x", "y")]);
    }

    #[test]
    fn neutral_only_and_one_entity_comments_make_no_side_and_no_edge() {
        let d = doc("n", None, &["ann", "bob"]);
        let entities = vec![entity("x", EntityType::Person), entity("y", EntityType::Person)];
        let c = Source::Comment;
        let mentions = vec![mention("n", c(0), "x"), mention("n", c(0), "y"), mention("n", c(1), "x")];
        let stances = vec![
            record("n", 0, "ann", "x", N, 0.9),
            record("n", 0, "ann", "y", N, 0.9),
            record("n", 1, "bob", "x", N, 0.9),
        ];
        let f = Fixture { docs: vec![d], entities, mentions, stances };
        let p = pair_graphs(&f, &GraphOptions::default());
        assert_eq!(co(&p.entities, "x", "y"), Some((1, 0, 0)), "co-mentioned, but neutral is no side");
        assert_eq!(p.entities.edges.len(), 1, "bob's comment holds one entity");
        assert!(p.entities.edges[0].dates.is_empty(), "no date known");
        assert!(p.commenters.nodes.is_empty() && p.commenters.edges.is_empty(), "nobody took a side");
    }

    #[test]
    fn agreement_edges_are_positive_net_pairs_with_camps() {
        let f = fixture();
        // By default two commenters must share two sides; bob and cat share one.
        assert!(pair_graphs(&f, &GraphOptions::default()).commenters.edges.is_empty());
        let c = pair_graphs(&f, &GraphOptions::everything()).commenters;
        // Sides: ann x+ y+ z+; bob x+ y-; cat y- z-; dan x-.
        // ann–bob: x same, y opposite: net 0, no edge. ann–cat: y, z opposite. ann–dan: x opposite.
        // bob–cat: y same. bob–dan: x opposite. cat–dan: nothing shared.
        assert_eq!(agree(&c, "bob", "cat"), Some((1, 0, 1)));
        assert_eq!(c.edges.len(), 1, "{:?}", c.edges);
        let names: Vec<&str> = c.nodes.iter().map(|n| n.node.label.as_str()).collect();
        assert_eq!(names, ["ann", "bob", "cat", "dan"]);
        let sides: Vec<usize> = c.nodes.iter().map(|n| n.sides).collect();
        assert_eq!(sides, [3, 2, 2, 1]);
        let camps: Vec<Option<usize>> = c.nodes.iter().map(|n| n.camp).collect();
        assert_eq!(camps, [None, Some(1), Some(1), None]);
        assert_eq!(c.camps, 1);
        assert_eq!(c.nodes[1].node.comments_written, Some(1), "the main graph's node");
        // Dated by bob's and cat's records toward y (both on 2024-03-01).
        assert_eq!(c.edges[0].dates, ["2024-03-01"]);

        // --min-confidence drops cat's side on z: ann–cat still disagree on y only.
        let strict = GraphOptions { min_confidence: 0.5, ..GraphOptions::everything() };
        let c = pair_graphs(&f, &strict).commenters;
        assert_eq!(c.nodes.iter().find(|n| n.node.label == "cat").unwrap().sides, 1);
    }

    #[test]
    fn more_agreements_than_disagreements_is_an_edge_dated_by_both() {
        let mut d = doc("t", Some("2024-01-01"), &["ann", "bob", "ann", "bob", "bob"]);
        d.comments[2].date = Some("2024-01-03".into());
        d.comments[3].date = Some("2024-01-04".into());
        let entities: Vec<Entity> = ["x", "y", "z"].iter().map(|e| entity(e, EntityType::Person)).collect();
        let c = Source::Comment;
        let mentions: Vec<Mention> = (0..5).flat_map(|i| ["x", "y", "z"].map(|e| mention("t", c(i), e))).collect();
        let stances = vec![
            record("t", 0, "ann", "x", F, 0.9),
            record("t", 1, "bob", "x", F, 0.9),
            record("t", 2, "ann", "y", A, 0.9),
            record("t", 3, "bob", "y", A, 0.9),
            record("t", 2, "ann", "z", F, 0.9),
            record("t", 4, "bob", "z", A, 0.9),
        ];
        let f = Fixture { docs: vec![d], entities, mentions, stances };
        let c = pair_graphs(&f, &GraphOptions::default()).commenters;
        assert_eq!(agree(&c, "ann", "bob"), Some((2, 1, 1)));
        assert_eq!(c.edges[0].shared(), 3);
        assert_eq!(c.edges[0].dates, ["2024-01-01", "2024-01-03", "2024-01-04"]);
        assert_eq!(c.nodes.iter().map(|n| n.camp).collect::<Vec<_>>(), [Some(1), Some(1)]);
    }

    #[test]
    fn no_comments_no_pairs() {
        let d = doc("p", Some("2016-01-01"), &[]);
        let entities = vec![entity("x", EntityType::Person), entity("y", EntityType::Person)];
        let mentions = vec![mention("p", Source::Article, "x"), mention("p", Source::Article, "y")];
        let f = Fixture { docs: vec![d], entities, mentions, stances: vec![] };
        let p = pair_graphs(&f, &GraphOptions::default());
        assert_eq!(p, PairGraphs::default(), "article co-mention is no edge; no comment, no node");
    }
}
