//! Entity ids that never change once issued. Every run links the whole
//! corpus afresh (so the grouping of mentions into entities depends only on
//! the documents, never on the nights they arrived in), then maps the fresh
//! entities onto the ids that earlier runs issued, through the canonical
//! keys each entity answers to ("person:joe biden", "org:idf", "loc:tokyo").
//!
//! # Rules
//!
//! * A fresh entity *claims* every earlier id that one of its keys was
//!   issued to (an id merged into another counts as that other), and its
//!   own fresh id when that was issued before (countries, curated people;
//!   such a claim weighs less than any key).
//! * Claims are granted oldest id first (the run that issued it, then the
//!   id), and among entities claiming one id, to the one with the most keys
//!   pointing at it, then the most mentions, then the smaller fresh id. Each
//!   id goes to one entity; each entity gets at most one id.
//! * When an entity got one id and also claimed others that nobody got
//!   (two entities of earlier nights that tonight's documents show to be
//!   one), those are **merged** into the one it kept: the older id stays,
//!   the others are recorded as merged into it and never issued again.
//! * An entity that claims nothing (or whose claims all went to others)
//!   gets its fresh id, suffixed `-2`, `-3`, … until it is an id never
//!   issued before.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Linker;

/// What earlier runs issued, as kept by the corpus store.
#[derive(Debug, Clone, Default)]
pub struct IssuedIds {
    /// Canonical key → the id it was last issued to.
    pub keys: HashMap<String, String>,
    /// Every id ever issued → the run that first issued it.
    pub first_run: HashMap<String, i64>,
    /// Id → the id it was merged into.
    pub merged_into: HashMap<String, String>,
}

impl IssuedIds {
    /// The id an earlier id stands for today (following merges).
    fn current<'a>(&'a self, mut id: &'a str) -> &'a str {
        let mut hops = 0;
        while let Some(next) = self.merged_into.get(id) {
            id = next;
            hops += 1;
            if hops > 64 {
                break;
            }
        }
        id
    }
}

/// The stable ids of one run's entities.
#[derive(Debug, Clone, Default)]
pub struct StableIds {
    /// Fresh id (as in [`Linker::entities`]) → stable id.
    pub ids: HashMap<String, String>,
    /// Earlier ids merged in this run: (merged id, the id it joined).
    pub merged: Vec<(String, String)>,
    /// Every canonical key of this run's entities → its stable id.
    pub keys: BTreeMap<String, String>,
}

impl StableIds {
    /// The stable id of a fresh id (itself when unknown).
    pub fn of<'a>(&'a self, fresh: &'a str) -> &'a str {
        self.ids.get(fresh).map(String::as_str).unwrap_or(fresh)
    }
}

impl Linker {
    /// Maps this linker's entities (those with mentions) onto the ids of
    /// earlier runs; see the module rules.
    pub fn stable_ids(&self, issued: &IssuedIds) -> StableIds {
        let mut keys_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (key, id) in &self.keys {
            if self.entities.get(id).is_some_and(|e| e.mentions > 0) {
                keys_of.entry(id.as_str()).or_default().push(key.as_str());
            }
        }
        let mentions = |id: &str| self.entities.get(id).map_or(0, |e| e.mentions);

        // (fresh, claimed id, weight)
        let mut claims: Vec<(&str, &str, usize)> = Vec::new();
        let mut fresh_ids: Vec<&str> =
            self.entities.iter().filter(|(_, e)| e.mentions > 0).map(|(id, _)| id.as_str()).collect();
        fresh_ids.sort();
        for &fresh in &fresh_ids {
            let mut weights: BTreeMap<&str, usize> = BTreeMap::new();
            for key in keys_of.get(fresh).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(old) = issued.keys.get(*key) {
                    *weights.entry(issued.current(old)).or_insert(0) += 1;
                }
            }
            if issued.first_run.contains_key(fresh) {
                // Weight 0: a key issued to the id beats a mere equal name.
                weights.entry(issued.current(fresh)).or_insert(0);
            }
            claims.extend(weights.into_iter().map(|(old, w)| (fresh, old, w)));
        }
        let first_run = |id: &str| issued.first_run.get(id).copied().unwrap_or(i64::MAX);
        claims.sort_by(|a, b| {
            first_run(a.1)
                .cmp(&first_run(b.1))
                .then(a.1.cmp(b.1))
                .then(b.2.cmp(&a.2))
                .then(mentions(b.0).cmp(&mentions(a.0)))
                .then(a.0.cmp(b.0))
        });

        let mut out = StableIds::default();
        let mut taken: HashSet<String> = HashSet::new();
        for &(fresh, old, _) in &claims {
            if out.ids.contains_key(fresh) || taken.contains(old) {
                continue;
            }
            out.ids.insert(fresh.to_string(), old.to_string());
            taken.insert(old.to_string());
        }
        // Claimed ids nobody got are merged into the id their claimant kept.
        for &(fresh, old, _) in &claims {
            if taken.contains(old) {
                continue;
            }
            if let Some(kept) = out.ids.get(fresh) {
                out.merged.push((old.to_string(), kept.clone()));
                taken.insert(old.to_string());
            }
        }
        for &fresh in &fresh_ids {
            if out.ids.contains_key(fresh) {
                continue;
            }
            let mut id = fresh.to_string();
            let mut n = 2;
            while issued.first_run.contains_key(&id) || taken.contains(&id) {
                id = format!("{fresh}-{n}");
                n += 1;
            }
            taken.insert(id.clone());
            out.ids.insert(fresh.to_string(), id);
        }
        for (fresh, keys) in &keys_of {
            for key in keys {
                out.keys.insert(key.to_string(), out.of(fresh).to_string());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::link::test_util::{link_text, span};
    use crate::ner::EntityKind;

    fn linked(texts: &[&str]) -> Linker {
        let mut linker = Linker::new();
        for text in texts {
            let words: Vec<&str> = text.split(" and ").collect();
            let spans = words.iter().map(|w| span(text, w, 0, EntityKind::Person)).collect();
            link_text(&mut linker, text, spans);
        }
        linker
    }

    fn issue(stable: &StableIds, run: i64, issued: &mut IssuedIds) {
        for (k, id) in &stable.keys {
            issued.keys.insert(k.clone(), id.clone());
        }
        for id in stable.ids.values() {
            issued.first_run.entry(id.clone()).or_insert(run);
        }
        for (old, into) in &stable.merged {
            issued.merged_into.insert(old.clone(), into.clone());
        }
    }

    #[test]
    fn ids_survive_a_relink_and_new_entities_avoid_old_ids() {
        let mut issued = IssuedIds::default();
        let night1 = linked(&["Reince Priebus"]);
        let s1 = night1.stable_ids(&issued);
        assert_eq!(s1.ids["person:reince-priebus"], "person:reince-priebus");
        issue(&s1, 1, &mut issued);
        let night2 = linked(&["Reince Priebus", "Debbie Wasserman Schultz"]);
        let s2 = night2.stable_ids(&issued);
        assert_eq!(s2.ids["person:reince-priebus"], "person:reince-priebus");
        assert_eq!(s2.ids["person:debbie-wasserman-schultz"], "person:debbie-wasserman-schultz");
        assert!(s2.merged.is_empty());
    }

    #[test]
    fn a_merge_keeps_the_older_id_and_records_the_other() {
        let mut issued = IssuedIds::default();
        issued.keys.insert("person:priebus".into(), "person:priebus".into());
        issued.first_run.insert("person:priebus".into(), 1);
        issued.keys.insert("person:reince priebus".into(), "person:reince-priebus".into());
        issued.first_run.insert("person:reince-priebus".into(), 2);
        // Tonight's fresh entity answers to both keys.
        let mut linker = linked(&["Reince Priebus"]);
        let fresh = "person:reince-priebus".to_string();
        linker.keys.insert("person:priebus".into(), fresh.clone());
        let s = linker.stable_ids(&issued);
        assert_eq!(s.ids[&fresh], "person:priebus", "the older id stays");
        assert_eq!(s.merged, vec![("person:reince-priebus".to_string(), "person:priebus".to_string())]);
        assert_eq!(s.keys["person:reince priebus"], "person:priebus");
    }

    #[test]
    fn a_fresh_id_issued_to_another_entity_gets_a_suffix() {
        let mut issued = IssuedIds::default();
        // Long ago, the id person:reince-priebus went to the entity keyed "someone else".
        issued.keys.insert("person:someone else".into(), "person:reince-priebus".into());
        issued.first_run.insert("person:reince-priebus".into(), 1);
        let linker = linked(&["Reince Priebus and Someone Else"]);
        let s = linker.stable_ids(&issued);
        assert_eq!(s.ids["person:someone-else"], "person:reince-priebus", "the key holder keeps the id");
        assert_eq!(s.ids["person:reince-priebus"], "person:reince-priebus-2");
        assert!(s.merged.is_empty());
    }
}
