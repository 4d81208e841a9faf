//! Unit tests of `graph.rs`.

use super::test_records::{doc, entity, mention, record};
use super::*;
use crate::link::{Entity, Mention, Source};
use crate::stance::Stance;

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
    let left = LeftOut { entities: 1, entity_max_mentions: 1, entities_without_edge: 0, commenters: 2, articles: 2 };
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

#[test]
fn entities_without_an_edge_go_by_default() {
    // p:quiet is mentioned only in a comment whose record is below the threshold: no edge.
    let docs = vec![doc("a", None, &["alice"])];
    let entities: Vec<Entity> = ["p:sure", "p:quiet"].iter().map(|id| entity(id, EntityType::Person)).collect();
    let mentions = vec![mention("a", Source::Comment(0), "p:sure"), mention("a", Source::Comment(0), "p:quiet")];
    let stances = vec![
        record("a", 0, "alice", "p:sure", Stance::Against, 0.9),
        record("a", 0, "alice", "p:quiet", Stance::Favour, 0.3),
    ];
    let options = GraphOptions { min_confidence: 0.8, ..GraphOptions::default() };
    let g = build(&docs, &entities, &mentions, &stances, &options);
    let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["doc:a", "p:sure", "user:alice"]);
    assert_eq!(g.left_out, LeftOut { entities_without_edge: 1, ..LeftOut::default() });
    let text = g.left_out.text(&options).unwrap();
    assert!(text.contains("1 entities without an edge"), "{text}");
    let all = build(&docs, &entities, &mentions, &stances, &GraphOptions { all_nodes: true, ..options });
    assert!(all.node("p:quiet").is_some_and(|n| n.mentions == Some(1)));
    assert_eq!(all.left_out, LeftOut::default());
}
