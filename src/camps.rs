//! Camps of commenters: who agrees with whom, from the stance records alone.
//! Owns the agreement between commenter pairs ([`agreement`]) and a small
//! deterministic clustering of commenters into camps over it ([`find`]).
//! `report` shows the camps; [`crate::pair_graphs`] links commenters by the
//! same [`Pair`]s (positive ones) and colours them by these camps in
//! `commenters.gexf`.
//!
//! # Agreement
//!
//! 1. A commenter's **side** on an entity ([`positions`]): all of that
//!    commenter's stance records toward the entity, in every document, are
//!    counted; more favour than against is *favour*, more against than favour
//!    is *against*, anything else (only neutral records, or as many favour as
//!    against) is *no side*. Neutral records never make a side: two commenters
//!    who merely mention an entity do not agree about it.
//! 2. For every entity, every two commenters with a side on it form a pair:
//!    the same side is one **agreement**, opposite sides one
//!    **disagreement**.
//! 3. A [`Pair`] sums these over all entities; its [`weight`](Pair::weight)
//!    is agreements − disagreements.
//!
//! Commenters are named as in the graph ([`crate::graph::commenter_name`]);
//! records with an empty author are left out (an empty name is many people).
//! The cost is the sum over entities of (commenters with a side)², which is
//! what the pair list holds anyway.
//!
//! # Camps
//!
//! [`find`] runs weighted label propagation over the pairs with a non-zero
//! weight, deterministically:
//!
//! 1. Commenters are sorted by name; each starts with its own label.
//! 2. In rounds, each commenter in that order scores every label held by its
//!    neighbours: the sum of its pair weights to the neighbours holding it
//!    (agreements pull, disagreements push). It takes the best label with a
//!    positive score, keeping its current label on a tie, else the smallest;
//!    with no positive score it stands alone (a label of its own).
//! 3. Rounds stop when no label changes, or after [`MAX_ROUNDS`].
//!
//! A camp is a label held by at least two commenters. Camps are numbered from
//! 1, biggest first (ties: the first member's name); members are sorted by
//! name. [`of_most_sided`] bounds the work: camps are sought among the
//! [`MAX_COMMENTERS`] commenters with the most sides taken.

use std::collections::{BTreeMap, HashMap};

use crate::graph::commenter_name;
use crate::stance::{Stance, StanceRecord};

/// Label-propagation rounds at most (it nearly always settles in a few).
pub(crate) const MAX_ROUNDS: usize = 100;

/// Camps are sought among this many commenters at most: those who took a
/// side on the most entities ([`of_most_sided`]); the pairs grow with the
/// square of the commenters.
pub(crate) const MAX_COMMENTERS: usize = 1000;

/// A commenter's side on one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Favour,
    Against,
}

/// One commenter's records toward one entity, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    pub favour: usize,
    pub against: usize,
    pub neutral: usize,
}

impl Position {
    /// Favour when favour > against, against when against > favour, else none.
    pub fn side(&self) -> Option<Side> {
        match self.favour.cmp(&self.against) {
            std::cmp::Ordering::Greater => Some(Side::Favour),
            std::cmp::Ordering::Less => Some(Side::Against),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// Two commenters (`a` < `b`) who both took a side on at least one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// Entities both took the same side on.
    pub agree: usize,
    /// Entities they took opposite sides on.
    pub disagree: usize,
}

impl Pair {
    /// Agreements − disagreements.
    pub fn weight(&self) -> i64 {
        self.agree as i64 - self.disagree as i64
    }

    /// Entities both took a side on.
    pub fn shared(&self) -> usize {
        self.agree + self.disagree
    }
}

/// Every (commenter, entity id) with at least one record, counted (empty
/// authors left out).
pub fn positions(stances: &[StanceRecord]) -> BTreeMap<(String, String), Position> {
    let mut out: BTreeMap<(String, String), Position> = BTreeMap::new();
    for s in stances {
        if s.author.trim().is_empty() {
            continue;
        }
        let p = out.entry((commenter_name(&s.author).to_string(), s.entity_id.clone())).or_default();
        match s.stance {
            Stance::Favour => p.favour += 1,
            Stance::Against => p.against += 1,
            Stance::Neutral => p.neutral += 1,
        }
    }
    out
}

/// The agreement of every two commenters who took a side on a shared entity
/// (see the module docs), sorted by (`a`, `b`).
pub fn agreement(stances: &[StanceRecord]) -> Vec<Pair> {
    // entity id -> commenters with a side, in name order (positions is sorted).
    let mut by_entity: BTreeMap<String, Vec<(String, Side)>> = BTreeMap::new();
    for ((author, entity), p) in positions(stances) {
        if let Some(side) = p.side() {
            by_entity.entry(entity).or_default().push((author, side));
        }
    }
    let mut pairs: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for sides in by_entity.values() {
        for (i, (a, side_a)) in sides.iter().enumerate() {
            for (b, side_b) in &sides[i + 1..] {
                let counts = pairs.entry((a.clone(), b.clone())).or_default();
                if side_a == side_b {
                    counts.0 += 1;
                } else {
                    counts.1 += 1;
                }
            }
        }
    }
    pairs.into_iter().map(|((a, b), (agree, disagree))| Pair { a, b, agree, disagree }).collect()
}

/// The records of the `max` commenters who took a side on the most entities
/// (ties: by name), and whether anyone was left out. With no one left out,
/// the records come back as given.
pub(crate) fn of_most_sided(stances: &[StanceRecord], max: usize) -> (Vec<StanceRecord>, bool) {
    let mut sides_taken: BTreeMap<String, usize> = BTreeMap::new();
    for ((who, _), p) in positions(stances) {
        if p.side().is_some() {
            *sides_taken.entry(who).or_insert(0) += 1;
        }
    }
    if sides_taken.len() <= max {
        return (stances.to_vec(), false);
    }
    let mut by_sides: Vec<(&str, usize)> = sides_taken.iter().map(|(w, n)| (w.as_str(), *n)).collect();
    by_sides.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let kept: std::collections::BTreeSet<&str> = by_sides.iter().take(max).map(|(w, _)| *w).collect();
    let records = stances.iter().filter(|s| kept.contains(commenter_name(&s.author))).cloned().collect();
    (records, true)
}

/// Entities a camp's [`stands`] lists on each side, at most.
pub(crate) const STANDS_SHOWN: usize = 4;

/// One entity a camp stands for or against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stand {
    pub entity_id: String,
    pub label: String,
    /// Members on that side of it.
    pub members: usize,
}

/// What a camp stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stands {
    /// Entities more members favour than oppose, most members first (ties:
    /// by label), [`STANDS_SHOWN`] at most.
    pub favours: Vec<Stand>,
    /// Entities more members oppose than favour, likewise.
    pub opposes: Vec<Stand>,
}

/// What the commenters `members` stand for, from their `positions`
/// (as [`positions`] counts them); `label` names an entity id.
pub fn stands(
    members: &[String],
    positions: &BTreeMap<(String, String), Position>,
    label: impl Fn(&str) -> String,
) -> Stands {
    let mut sides: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for m in members {
        let from = (m.clone(), String::new());
        for ((who, entity), p) in positions.range(from..) {
            if who != m {
                break;
            }
            let slot = sides.entry(entity.as_str()).or_default();
            match p.side() {
                Some(Side::Favour) => slot.0 += 1,
                Some(Side::Against) => slot.1 += 1,
                None => {}
            }
        }
    }
    let list = |pick: fn(usize, usize) -> Option<usize>| {
        let mut out: Vec<Stand> = sides
            .iter()
            .filter_map(|(id, &(f, a))| {
                pick(f, a).map(|n| Stand { entity_id: id.to_string(), label: label(id), members: n })
            })
            .collect();
        out.sort_by(|a, b| b.members.cmp(&a.members).then_with(|| a.label.cmp(&b.label)));
        out.truncate(STANDS_SHOWN);
        out
    };
    Stands { favours: list(|f, a| (f > a).then_some(f)), opposes: list(|f, a| (a > f).then_some(a)) }
}

/// A group of commenters who agree (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Camp {
    /// 1 for the biggest camp.
    pub id: usize,
    /// Sorted by name; at least two.
    pub members: Vec<String>,
    /// Agreements and disagreements summed over the pairs inside the camp.
    pub agree: usize,
    pub disagree: usize,
}

/// Camps by label propagation over `pairs` (see the module docs). The order
/// of `pairs` does not matter; a pair given twice counts twice.
pub fn find(pairs: &[Pair]) -> Vec<Camp> {
    let mut names: Vec<&str> =
        pairs.iter().filter(|p| p.weight() != 0).flat_map(|p| [p.a.as_str(), p.b.as_str()]).collect();
    names.sort_unstable();
    names.dedup();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let n = names.len();
    let mut weights: Vec<BTreeMap<usize, i64>> = vec![BTreeMap::new(); n];
    for p in pairs.iter().filter(|p| p.weight() != 0) {
        let (a, b) = (index[p.a.as_str()], index[p.b.as_str()]);
        if a != b {
            *weights[a].entry(b).or_insert(0) += p.weight();
            *weights[b].entry(a).or_insert(0) += p.weight();
        }
    }

    // Labels 0..n are "started here"; n + v is v standing alone.
    let mut label: Vec<usize> = (0..n).collect();
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for v in 0..n {
            let mut score: BTreeMap<usize, i64> = BTreeMap::new();
            for (&u, &w) in &weights[v] {
                *score.entry(label[u]).or_insert(0) += w;
            }
            let best = score.values().copied().max().unwrap_or(0);
            let next = if best <= 0 {
                // No label pulls it: it stands alone (only it starts with n + v).
                n + v
            } else if score.get(&label[v]) == Some(&best) {
                label[v]
            } else {
                *score.iter().find(|(_, &s)| s == best).expect("a best label").0
            };
            if next != label[v] {
                label[v] = next;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (v, &l) in label.iter().enumerate() {
        groups.entry(l).or_default().push(v);
    }
    let mut camps: Vec<Camp> = groups
        .into_values()
        .filter(|m| m.len() >= 2)
        .map(|m| Camp { id: 0, members: m.iter().map(|&v| names[v].to_string()).collect(), agree: 0, disagree: 0 })
        .collect();
    camps.sort_by(|x, y| y.members.len().cmp(&x.members.len()).then_with(|| x.members[0].cmp(&y.members[0])));
    let mut camp_of: HashMap<String, usize> = HashMap::new();
    for (i, c) in camps.iter_mut().enumerate() {
        c.id = i + 1;
        for m in &c.members {
            camp_of.insert(m.clone(), i);
        }
    }
    for p in pairs {
        if let (Some(&x), Some(&y)) = (camp_of.get(p.a.as_str()), camp_of.get(p.b.as_str())) {
            if x == y {
                camps[x].agree += p.agree;
                camps[x].disagree += p.disagree;
            }
        }
    }
    camps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::EntityType;

    fn rec(author: &str, entity: &str, stance: Stance) -> StanceRecord {
        StanceRecord {
            doc_id: "d".into(),
            comment: 0,
            comment_id: String::new(),
            author: author.into(),
            quote: Default::default(),
            entity_id: entity.into(),
            entity: entity.into(),
            entity_type: EntityType::Person,
            stance,
            confidence: 0.9,
            probabilities: [0.05, 0.05, 0.9],
            model: "test".into(),
            implicit: false,
            unsure: false,
        }
    }

    use Stance::{Against as A, Favour as F, Neutral as N};

    #[test]
    fn sides_ignore_neutral_and_ties() {
        let p = positions(&[rec("x", "e", F), rec("x", "e", A), rec("x", "e", N), rec("y", "e", N), rec(" ", "e", F)]);
        assert_eq!(p.len(), 2, "the empty author is left out");
        assert_eq!(p[&("x".into(), "e".into())], Position { favour: 1, against: 1, neutral: 1 });
        assert_eq!(p[&("x".into(), "e".into())].side(), None);
        assert_eq!(p[&("y".into(), "e".into())].side(), None);
        assert_eq!(Position { favour: 2, against: 1, neutral: 5 }.side(), Some(Side::Favour));
    }

    #[test]
    fn agreement_counts_same_and_opposite_sides() {
        let stances = [
            rec("ann", "X", F),
            rec("bob", "X", F),
            rec("bob", "X", F),
            rec("cat", "X", A),
            rec("ann", "Y", A),
            rec("cat", "Y", A),
            rec("dan", "Y", N),
            rec("", "X", F),
        ];
        let pairs = agreement(&stances);
        let got: Vec<(&str, &str, usize, usize)> =
            pairs.iter().map(|p| (p.a.as_str(), p.b.as_str(), p.agree, p.disagree)).collect();
        assert_eq!(got, [("ann", "bob", 1, 0), ("ann", "cat", 1, 1), ("bob", "cat", 0, 1)]);
        assert_eq!(pairs[1].weight(), 0);
        assert_eq!(pairs[1].shared(), 2);
        assert_eq!(pairs[2].weight(), -1);
    }

    #[test]
    fn two_opposed_camps_and_a_loner() {
        let mut stances = Vec::new();
        for who in ["ann", "bob", "cy"] {
            stances.push(rec(who, "X", F));
            stances.push(rec(who, "Y", A));
        }
        for who in ["dee", "eve"] {
            stances.push(rec(who, "X", A));
            stances.push(rec(who, "Y", F));
        }
        // zed disagrees with both camps on one entity each, agrees with nobody.
        stances.push(rec("zed", "Z", F));
        stances.push(rec("ann", "Z", A));
        let pairs = agreement(&stances);
        let camps = find(&pairs);
        let members: Vec<Vec<&str>> = camps.iter().map(|c| c.members.iter().map(String::as_str).collect()).collect();
        assert_eq!(members, [vec!["ann", "bob", "cy"], vec!["dee", "eve"]]);
        assert_eq!((camps[0].id, camps[0].agree, camps[0].disagree), (1, 6, 0));
        assert_eq!((camps[1].id, camps[1].agree, camps[1].disagree), (2, 2, 0));

        // The order of the pairs does not matter.
        let mut reversed = pairs.clone();
        reversed.reverse();
        assert_eq!(find(&reversed), camps);
    }

    #[test]
    fn the_most_sided_commenters_are_kept() {
        let stances = [
            rec("ann", "X", F),
            rec("ann", "Y", A),
            rec("bob", "X", F),
            rec("bob", "Y", N),
            rec("cat", "X", A),
            rec("dan", "Y", N),
        ];
        let (all, capped) = of_most_sided(&stances, 3);
        assert_eq!((all.len(), capped), (6, false), "three commenters took a side");
        let (kept, capped) = of_most_sided(&stances, 2);
        assert!(capped);
        let names: std::collections::BTreeSet<&str> = kept.iter().map(|s| s.author.as_str()).collect();
        assert_eq!(names, ["ann", "bob"].into(), "ann took two sides; bob and cat one, bob first by name");
        assert_eq!(kept.len(), 4, "all of a kept commenter's records, neutral ones too");
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert!(agreement(&[]).is_empty());
        assert!(find(&[]).is_empty());
        // One commenter alone makes no pair.
        assert!(agreement(&[rec("ann", "X", F), rec("ann", "Y", A)]).is_empty());
    }
}
