//! `stancegraph eval link`: the linker scored on our hand-labelled comment
//! mentions (`data/link-dev/mentions.tsv`, described in its README).
//!
//! The set holds, per mention, the document id, comment position, character
//! offsets, the SHA-256 of the comment text and the gold entity (our own
//! canonical name, or `-` for none); no text. The texts and NER spans come
//! from a corpus store that `stancegraph run` made over the converted
//! threads; this build's linker links the whole store afresh (observing
//! every document first, then linking in id order, as `run` does) without writing to it, so the score is the
//! current linker's on the stored NER output.
//!
//! Scores:
//! - **B-cubed** over the gold mentions: a mention's gold cluster is the
//!   mentions with its gold entity (a `-` mention is alone); its system
//!   cluster is the mentions the linker gave its entity (the system mention
//!   of the same comment that overlaps it most; none: alone). Precision and
//!   recall are averaged over mentions.
//! - **Pronouns**: a system entity stands for the gold entity most of its
//!   non-pronoun gold mentions carry (ties: the first in the set). A linked
//!   pronoun is right when its entity stands for the pronoun's gold entity;
//!   precision = right / linked, recall = right / pronouns with a gold entity.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::hashes::text_sha16;
use crate::link::{Linker, Mention, Source};
use crate::pipeline::stored_spans;
use crate::store::Store;

/// The columns of `mentions.tsv`, in order.
pub(crate) const COLUMNS: [&str; 11] =
    ["source", "key", "doc_id", "comment", "text_sha16", "start", "end", "pronoun", "gold", "sample_rank", "stratum"];

/// One labelled mention.
#[derive(Debug, Clone)]
pub struct GoldMention {
    pub doc_id: String,
    pub comment: usize,
    pub sha16: String,
    pub start: usize,
    pub end: usize,
    pub pronoun: bool,
    /// Our canonical name; `None` for `-`.
    pub gold: Option<String>,
}

/// Reads `mentions.tsv`.
pub fn read_gold(path: &Path) -> Result<Vec<GoldMention>> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut lines = raw.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    if header != COLUMNS {
        bail!("{}: the header is not {}", path.display(), COLUMNS.join(" "));
    }
    let mut out = Vec::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let c: Vec<&str> = line.split('\t').collect();
        let bad = |what: &str| anyhow::anyhow!("{}: line {}: {what}", path.display(), n + 2);
        if c.len() != COLUMNS.len() {
            return Err(bad("wrong number of columns"));
        }
        let num = |s: &str| s.parse::<usize>().map_err(|_| bad(&format!("{s:?} is not a number")));
        let (start, end) = (num(c[5])?, num(c[6])?);
        if start >= end {
            return Err(bad("start is not before end"));
        }
        out.push(GoldMention {
            doc_id: c[2].to_string(),
            comment: num(c[3])?,
            sha16: c[4].to_string(),
            start,
            end,
            pronoun: c[7] == "1",
            gold: (c[8] != "-").then(|| c[8].to_string()),
        });
    }
    Ok(out)
}

/// The linker's mentions of the gold set's documents, linking every
/// document of the store in id order. Fails when a gold comment is missing
/// or its text changed.
pub fn link_store(store_path: &Path, gold: &[GoldMention]) -> Result<Vec<Mention>> {
    if !store_path.exists() {
        bail!("store {} does not exist (run `stancegraph run` on the threads first)", store_path.display());
    }
    let store = Store::open(store_path)?;
    let wanted: HashSet<&str> = gold.iter().map(|g| g.doc_id.as_str()).collect();
    let mut sha: HashMap<(String, usize), String> = HashMap::new();
    let mut linker = Linker::new();
    let mut out = Vec::new();
    for observing in [true, false] {
        let mut after: Option<String> = None;
        loop {
            let page = store.documents_page(after.as_deref(), 64)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            for doc in &page {
                let spans = stored_spans(&store, doc)?;
                if observing {
                    linker.observe(doc, &spans);
                    continue;
                }
                let mentions = linker.link(doc, &spans);
                if wanted.contains(doc.id.as_str()) {
                    for (i, c) in doc.comments.iter().enumerate() {
                        sha.insert((doc.id.clone(), i), text_sha16(&c.text));
                    }
                    out.extend(mentions);
                }
            }
        }
    }
    for g in gold {
        match sha.get(&(g.doc_id.clone(), g.comment)) {
            None => bail!("{} comment {} is not in the store", g.doc_id, g.comment),
            Some(found) if *found != g.sha16 => {
                bail!(
                    "the text of {} comment {} has changed (SHA-256 {found}, the set has {})",
                    g.doc_id,
                    g.comment,
                    g.sha16
                )
            }
            _ => {}
        }
    }
    Ok(out)
}

/// What `eval link` reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkScore {
    pub mentions: usize,
    pub pronouns: usize,
    pub b3_precision: f64,
    pub b3_recall: f64,
    pub b3_f1: f64,
    /// B-cubed over the name (non-pronoun) mentions alone.
    pub names_b3_f1: f64,
    pub pronouns_linked: usize,
    pub pronouns_right: usize,
    pub pronouns_gold: usize,
    pub pronoun_precision: f64,
    pub pronoun_recall: f64,
}

/// The entity the linker gave each gold mention: the system mention of the
/// same comment that overlaps it most.
pub fn system_entities(gold: &[GoldMention], system: &[Mention]) -> Vec<Option<String>> {
    let mut by_comment: HashMap<(&str, usize), Vec<&Mention>> = HashMap::new();
    for m in system {
        if let Source::Comment(c) = m.source {
            by_comment.entry((m.doc_id.as_str(), c)).or_default().push(m);
        }
    }
    gold.iter()
        .map(|g| {
            let list = by_comment.get(&(g.doc_id.as_str(), g.comment))?;
            list.iter()
                .map(|m| (m.end.min(g.end).saturating_sub(m.start.max(g.start)), m))
                .filter(|(overlap, _)| *overlap > 0)
                .max_by_key(|(overlap, m)| (*overlap, std::cmp::Reverse(m.start)))
                .map(|(_, m)| m.entity_id.clone())
        })
        .collect()
}

/// B-cubed (precision, recall) of the mentions `keep` selects; `None`
/// clusters are singletons.
fn b_cubed(gold: &[Option<String>], system: &[Option<String>], keep: &[bool]) -> (f64, f64) {
    let idx: Vec<usize> = (0..gold.len()).filter(|&i| keep[i]).collect();
    if idx.is_empty() {
        return (0.0, 0.0);
    }
    let cluster = |labels: &[Option<String>], i: usize| -> HashSet<usize> {
        match &labels[i] {
            None => HashSet::from([i]),
            Some(l) => idx.iter().copied().filter(|&j| labels[j].as_ref() == Some(l)).collect(),
        }
    };
    let (mut p, mut r) = (0.0, 0.0);
    for &i in &idx {
        let (g, s) = (cluster(gold, i), cluster(system, i));
        let both = g.intersection(&s).count() as f64;
        p += both / s.len() as f64;
        r += both / g.len() as f64;
    }
    (p / idx.len() as f64, r / idx.len() as f64)
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Scores the linker's entities (one per gold mention, from
/// [`system_entities`]) against the gold set.
pub fn score(gold: &[GoldMention], system: &[Option<String>]) -> LinkScore {
    let labels: Vec<Option<String>> = gold.iter().map(|g| g.gold.clone()).collect();
    let all = vec![true; gold.len()];
    let (p, r) = b_cubed(&labels, system, &all);
    let names: Vec<bool> = gold.iter().map(|g| !g.pronoun).collect();
    let (np, nr) = b_cubed(&labels, system, &names);

    // System entity → the gold entity most of its name mentions carry.
    let mut votes: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    for (g, s) in gold.iter().zip(system) {
        if let (false, Some(s), Some(l)) = (g.pronoun, s, &g.gold) {
            let v = votes.entry(s.as_str()).or_default();
            match v.iter_mut().find(|(name, _)| name == l) {
                Some(e) => e.1 += 1,
                None => v.push((l.as_str(), 1)),
            }
        }
    }
    let stands_for = |s: &str| -> Option<&str> {
        let v = votes.get(s)?;
        let best = v.iter().map(|e| e.1).max()?;
        v.iter().find(|e| e.1 == best).map(|e| e.0)
    };
    let mut out = LinkScore { mentions: gold.len(), ..LinkScore::default() };
    for (g, s) in gold.iter().zip(system).filter(|(g, _)| g.pronoun) {
        out.pronouns += 1;
        out.pronouns_gold += g.gold.is_some() as usize;
        if let Some(s) = s {
            out.pronouns_linked += 1;
            out.pronouns_right += (g.gold.is_some() && stands_for(s) == g.gold.as_deref()) as usize;
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    out.b3_precision = p;
    out.b3_recall = r;
    out.b3_f1 = f1(p, r);
    out.names_b3_f1 = f1(np, nr);
    out.pronoun_precision = ratio(out.pronouns_right, out.pronouns_linked);
    out.pronoun_recall = ratio(out.pronouns_right, out.pronouns_gold);
    out
}

impl LinkScore {
    /// The scores as printed lines.
    pub fn table(&self) -> String {
        format!(
            "mentions {} ({} pronouns)\nB-cubed  precision {:.4}  recall {:.4}  F1 {:.4}  (names alone: F1 {:.4})\n\
             pronouns linked {} of {}, right {}; gold entity {}: precision {:.4}  recall {:.4}\n",
            self.mentions,
            self.pronouns,
            self.b3_precision,
            self.b3_recall,
            self.b3_f1,
            self.names_b3_f1,
            self.pronouns_linked,
            self.pronouns,
            self.pronouns_right,
            self.pronouns_gold,
            self.pronoun_precision,
            self.pronoun_recall
        )
    }

    /// The scores as one JSON object.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "mentions": self.mentions,
            "pronouns": self.pronouns,
            "b3_precision": self.b3_precision,
            "b3_recall": self.b3_recall,
            "b3_f1": self.b3_f1,
            "names_b3_f1": self.names_b3_f1,
            "pronouns_linked": self.pronouns_linked,
            "pronouns_right": self.pronouns_right,
            "pronouns_gold": self.pronouns_gold,
            "pronoun_precision": self.pronoun_precision,
            "pronoun_recall": self.pronoun_recall,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(start: usize, pronoun: bool, gold: &str) -> GoldMention {
        GoldMention {
            doc_id: "d".into(),
            comment: 0,
            sha16: String::new(),
            start,
            end: start + 2,
            pronoun,
            gold: (gold != "-").then(|| gold.to_string()),
        }
    }

    fn s(ids: &[&str]) -> Vec<Option<String>> {
        ids.iter().map(|i| (*i != "-").then(|| i.to_string())).collect()
    }

    #[test]
    fn perfect_linking_scores_one() {
        let gold = vec![g(0, false, "A"), g(3, false, "A"), g(6, true, "A"), g(9, false, "B"), g(12, true, "-")];
        let sc = score(&gold, &s(&["x", "x", "x", "y", "-"]));
        assert_eq!((sc.b3_precision, sc.b3_recall, sc.b3_f1), (1.0, 1.0, 1.0));
        assert_eq!((sc.pronouns_linked, sc.pronouns_right, sc.pronouns_gold), (1, 1, 1));
        assert_eq!((sc.pronoun_precision, sc.pronoun_recall), (1.0, 1.0));
    }

    #[test]
    fn split_and_wrong_pronoun_links_cost() {
        // A split over two entities: recall falls; a pronoun of nobody linked to A: precision falls.
        let gold = vec![g(0, false, "A"), g(3, false, "A"), g(6, true, "-"), g(9, true, "A")];
        let sc = score(&gold, &s(&["x", "z", "x", "-"]));
        // Mention precisions: 1/2, 1, 1/2 (pronoun with x), 1 → 0.75.
        assert!((sc.b3_precision - 0.75).abs() < 1e-9, "{sc:?}");
        // Recalls: 1/3, 1/3, 1, 1/3 (gold A = {0, 1, 3}) → 0.5.
        assert!((sc.b3_recall - 0.5).abs() < 1e-9, "{sc:?}");
        assert_eq!((sc.pronouns_linked, sc.pronouns_right), (1, 0));
        assert_eq!((sc.pronoun_precision, sc.pronoun_recall), (0.0, 0.0));
    }

    #[test]
    fn system_entity_is_the_most_overlapping_mention() {
        let gold = vec![g(3, false, "A")];
        let m = |start: usize, end: usize, id: &str| Mention {
            doc_id: "d".into(),
            source: Source::Comment(0),
            start,
            end,
            text: String::new(),
            entity_id: id.into(),
            linked_by: crate::link::LinkedBy::Name,
            antecedent: None,
        };
        let got = system_entities(&gold, &[m(0, 4, "x"), m(3, 9, "y"), m(20, 22, "z")]);
        assert_eq!(got, vec![Some("y".to_string())]);
        assert_eq!(system_entities(&gold, &[m(10, 12, "x")]), vec![None]);
    }
}
