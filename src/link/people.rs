//! People: the curated world figures (owning their lookup table,
//! [`PeopleTable`], and its loader), full names clustered by identity
//! within a document and across the corpus, one-word names joining a full
//! name of their document or the corpus, two-word surnames, and
//! Organisation / Misc spans that name a person of the document.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::names::Gender;
use super::names::{middle_initials, name_keys, name_parts, name_tail, person_key, person_name, PersonName, SUFFIXES};
use super::orgs::{org_key, org_word, ORGS};
use super::people_list::PEOPLE;
use super::pronouns::name_gender;
use super::text::has_lowercase;
use super::variants;
use super::{EntityType, Linker, Pending, Target};

impl Linker {
    /// An Organisation or Misc span whose whole text is the full name, the
    /// surname or the one-word name of a person named by a Person span of
    /// the same document ("Trump" tagged as an organisation next to "Donald
    /// Trump") becomes a mention of that name, resolved with the people; so
    /// does a Misc span that is a curated person's name or short form
    /// ("Trump" in "Trump rallies"), and an Organisation, Misc or Location
    /// span that is a nickname or a pet form of a first name ("Donny").
    /// Curated organisations and party words are not touched.
    pub(super) fn org_spans_naming_people(&self, pending: &mut [Pending]) {
        let mut names: HashSet<String> = HashSet::new();
        for p in pending.iter() {
            let Target::Person(name) = &p.target else { continue };
            let (_, keys) = self.tables.people.canonical_person(name);
            names.insert(keys.join(" "));
            if let Some(key) = person_key(&keys) {
                names.insert(key);
            }
            if let Some((_, surname, _)) = name_parts(&keys) {
                names.insert(surname.to_string());
            }
        }
        for p in pending.iter_mut() {
            let (Target::Org(label) | Target::Misc(label) | Target::Location(label)) = &p.target else { continue };
            let curated = self.tables.orgs.by_key.contains_key(&org_key(label))
                || ORGS.iter().any(|(name, _)| name == label)
                || org_word(label).is_some();
            if curated || !label.chars().next().map(char::is_uppercase).unwrap_or(false) || !has_lowercase(label) {
                continue;
            }
            let Some(name) = person_name(&self.tables.countries, label) else { continue };
            let whole = name.keys == name_keys(label);
            let joined = name.keys.join(" ");
            let nickname = self.tables.nicknames.alias.contains_key(&joined)
                || (name.keys.len() == 1 && self.tables.nicknames.first.contains_key(&joined));
            let curated =
                self.tables.people.short.contains_key(&joined) || self.tables.people.full.contains_key(&joined);
            let person = match p.target {
                Target::Location(_) => nickname,
                Target::Misc(_) => nickname || curated || names.contains(&joined),
                _ => nickname || names.contains(&joined),
            };
            if whole && person {
                p.target = Target::Person(name);
            }
        }
    }

    /// Each pending person's (label, keys): the curated canonical form, or
    /// the known person a variant stands for (a nickname, a full-name
    /// variant, a hyphen form of two name words: "Huckabee-Sanders"); other
    /// one-word names as written.
    fn person_names(&self, pending: &[Pending]) -> Vec<Option<(String, Vec<String>)>> {
        pending
            .iter()
            .map(|p| {
                let Target::Person(name) = &p.target else { return None };
                let (label, keys) = self.tables.people.canonical_person(name);
                let parts: Vec<String> = match &keys[..] {
                    [one] => one.split('-').filter(|w| !w.is_empty()).map(String::from).collect(),
                    _ => keys.clone(),
                };
                if let Some(alias) = self.tables.nicknames.alias.get(&keys.join(" ")) {
                    return Some((alias.clone(), name_keys(alias)));
                }
                if parts.len() >= 2 {
                    if let Some(v) = self.full_variant(&parts, &self.bearers) {
                        return Some(v);
                    }
                }
                Some((label, keys))
            })
            .collect()
    }

    /// People of one document (see "People" in the module doc): full names
    /// cluster by identity key; a two-word name that ends a longer full name
    /// joins it; one-word names join the document's full names, else the
    /// corpus (where the document's gender cues for the name may pick
    /// another bearer of it: [`Linker::cued_bearer`]).
    pub(super) fn resolve_people(
        &mut self,
        pending: &[Pending],
        parents: &[Option<usize>],
        pronoun_cues: &[Option<Gender>],
        ids: &mut [Option<String>],
    ) {
        let doc_cues = document_cues(pending, pronoun_cues);
        let names = self.person_names(pending);
        let tail_key = self.two_word_tails(&names, ids);
        let (clusters, member) = cluster_full_names(&names, &tail_key, ids);
        let live: BTreeSet<usize> = member.iter().flatten().copied().collect();
        let cluster_ids: Vec<String> = clusters
            .iter()
            .enumerate()
            .map(|(ci, c)| if live.contains(&ci) { self.person_full(&c.key, &c.label) } else { String::new() })
            .collect();
        // Mentions of each full name in the document (its full forms, then
        // the short forms that can only mean it), and the texts naming it.
        let mut count = vec![0usize; clusters.len()];
        let mut texts: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); clusters.len()];
        for (i, m) in member.iter().enumerate() {
            if let Some(ci) = *m {
                ids[i] = Some(cluster_ids[ci].clone());
                count[ci] += 1;
                texts[ci].insert(pending[i].t);
            }
        }

        // One-word names: first those with one candidate, then the shared ones.
        let mut shared: Vec<(usize, Vec<usize>)> = Vec::new();
        for (i, p) in pending.iter().enumerate() {
            let Target::Person(name) = &p.target else { continue };
            if ids[i].is_some() || member[i].is_some() || name.keys.len() != 1 {
                continue;
            }
            let (Some(key), Some(word)) = (name.keys.first(), name.words.first()) else { continue };
            // A title's gender ("Mr Clinton") rules out people of the other.
            let fits = |ci: usize| match (p.cue, self.gender_of(&cluster_ids[ci])) {
                (Some(cue), Some(g)) => cue == g,
                _ => true,
            };
            let candidates = self.word_candidates(key, word, &clusters, |ci| live.contains(&ci) && fits(ci));
            let cued = |linker: &mut Linker| match (p.cue, doc_cues.get(key)) {
                (None, Some(&g)) => linker.cued_bearer(key, word, g),
                _ => None,
            };
            match candidates[..] {
                [] => ids[i] = Some(cued(self).unwrap_or_else(|| self.person_alone(key, word, p.cue))),
                // A name whose one full name in the document is out of reach
                // (not in its text, the article or the comment it replies
                // to: Mary Trump in another comment) is read as the corpus
                // reads it when that is someone else (Donald Trump).
                [ci] if !in_reach(&texts[ci], p.t, parents)
                    && self.corpus_reads_otherwise(key, word, &clusters[ci].key) =>
                {
                    ids[i] = Some(cued(self).unwrap_or_else(|| self.person_alone(key, word, p.cue)))
                }
                [ci] => {
                    ids[i] = Some(cluster_ids[ci].clone());
                    count[ci] += 1;
                }
                _ => shared.push((i, candidates)),
            }
        }
        for (i, candidates) in shared {
            let Target::Person(name) = &pending[i].target else { continue };
            let (Some(key), Some(word)) = (name.keys.first(), name.words.first()) else { continue };
            let keys: Vec<&str> = clusters.iter().map(|c| c.key.as_str()).collect();
            let chosen = self.shared_surname(key, &candidates, &count, &cluster_ids, &keys);
            ids[i] = Some(match chosen {
                Some(ci) => cluster_ids[ci].clone(),
                // Still ambiguous: kept as its own one-word person.
                None => self.intern(&format!("person:{key}"), EntityType::Person, word),
            });
        }
    }

    /// Two-word names that are the last two words of a longer full name
    /// ("Wasserman Schultz" of "Debbie Wasserman Schultz"): in the document
    /// (one such identity: its key and middle initials returned), else in
    /// the corpus (one such person, and the two words are no person of
    /// their own: its id set in `ids`).
    fn two_word_tails(
        &self,
        names: &[Option<(String, Vec<String>)>],
        ids: &mut [Option<String>],
    ) -> Vec<Option<(String, String)>> {
        let mut doc_tails: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
        for (label, keys) in names.iter().flatten() {
            if let (Some(tail), Some(key)) = (name_tail(keys), person_key(keys)) {
                doc_tails.entry(tail).or_default().insert((key, middle_initials(label)));
            }
        }
        let mut tail_key: Vec<Option<(String, String)>> = vec![None; names.len()];
        for (i, n) in names.iter().enumerate() {
            let Some((_, keys)) = n else { continue };
            if keys.len() != 2 || SUFFIXES.contains(&keys[1].as_str()) {
                continue;
            }
            let joined = keys.join(" ");
            if let Some(set) = doc_tails.get(&joined) {
                if set.len() == 1 {
                    tail_key[i] = set.first().cloned();
                }
            } else if !self.keys.contains_key(&format!("person:{joined}")) {
                if let Some(set) = self.tails.get(&joined).filter(|s| s.len() == 1) {
                    ids[i] = set.first().cloned();
                }
            }
        }
        tail_key
    }

    /// The document's full names (clusters) a one-word name may mean, by
    /// the first of these that finds any: surname (or a part of a
    /// hyphenated one), a middle word ("Huckabee" of Sarah Huckabee
    /// Sanders), first name (a pet form read as its first name: "Donnie"),
    /// initials ("SHS"). `ok` filters the clusters.
    fn word_candidates(&self, key: &str, word: &str, clusters: &[Cluster], ok: impl Fn(usize) -> bool) -> Vec<usize> {
        let first = self.tables.nicknames.first.get(key).map(String::as_str).unwrap_or(key);
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        let initials = (2..=4).contains(&letters.len()) && letters.iter().all(|c| c.is_uppercase());
        let tiers: [&dyn Fn(&Cluster) -> bool; 4] = [
            &|c| c.surname == key || c.surname.split('-').any(|p| p == key),
            &|c| c.keys.len() >= 3 && c.keys[1..c.keys.len() - 1].iter().any(|k| k == key),
            &|c| c.first == first,
            &|c| initials && variants::initials_of(&c.keys).contains(&key.to_string()),
        ];
        for tier in tiers {
            let found: Vec<usize> = (0..clusters.len()).filter(|&ci| ok(ci) && tier(&clusters[ci])).collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// Whether a one-word name alone ([`Linker::word_variant`], else the
    /// curated short forms) means a person other than the identity
    /// `cluster_key`.
    fn corpus_reads_otherwise(&self, key: &str, word: &str, cluster_key: &str) -> bool {
        let corpus = self
            .word_variant(key, word, &self.bearers)
            .map(|(_, keys)| keys)
            .or_else(|| self.tables.people.short.get(key).map(|&pi| name_keys(PEOPLE[pi].0)));
        corpus.and_then(|keys| person_key(&keys)).is_some_and(|owner| owner != cluster_key)
    }

    /// Which of several full names in the document a shared one-word name
    /// means: the person the curated table gives that short form to, if
    /// among them ("Trump" → Donald Trump next to Melania Trump, "Clinton" →
    /// Hillary Clinton next to Bill Clinton); else the one with at least
    /// [`DOC_DOMINANT_RATIO`] times the document mentions of any other (the
    /// article is about them); else the one that dominates the corpus so far
    /// ([`dominant`] over mentions); else none.
    fn shared_surname(
        &self,
        key: &str,
        candidates: &[usize],
        count: &[usize],
        cluster_ids: &[String],
        cluster_keys: &[&str],
    ) -> Option<usize> {
        if let Some(&pi) = self.tables.people.short.get(key) {
            if let Some(full) = person_key(&name_keys(PEOPLE[pi].0)) {
                if let Some(&ci) = candidates.iter().find(|&&ci| cluster_keys[ci] == full) {
                    return Some(ci);
                }
            }
        }
        let mut by_doc: Vec<(usize, usize)> = candidates.iter().map(|&ci| (ci, count[ci])).collect();
        by_doc.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if by_doc[0].1 >= DOC_DOMINANT_RATIO * by_doc[1].1.max(1) {
            return Some(by_doc[0].0);
        }
        let corpus: Vec<usize> = candidates
            .iter()
            .map(|&ci| self.entities.get(&cluster_ids[ci]).map(|r| r.mentions).unwrap_or(0) + count[ci])
            .collect();
        dominant(&corpus).map(|k| candidates[k])
    }

    /// A person known by a full name (identity key from [`person_key`]).
    /// Middle initials tell people of one identity key apart: a name with
    /// them joins the entity of its key unless that entity's label has other
    /// middle initials (George W. Bush is not George H.W. Bush); a name
    /// without them joins the entity of its key (the first one created).
    fn person_full(&mut self, key: &str, label: &str) -> String {
        let plain = format!("person:{key}");
        let middle = middle_initials(label);
        let id = if middle.is_empty() {
            self.intern(&plain, EntityType::Person, label)
        } else {
            let full = format!("person:{key}/{middle}");
            match (self.keys.get(&full).cloned(), self.keys.get(&plain).cloned()) {
                (Some(id), _) => id,
                (None, Some(id)) => {
                    let theirs = self.entities.get(&id).map(|r| middle_initials(&r.label)).unwrap_or_default();
                    if theirs.is_empty() || theirs == middle {
                        self.keys.insert(full, id.clone());
                        id
                    } else {
                        self.intern(&full, EntityType::Person, label)
                    }
                }
                (None, None) => {
                    let id = self.intern(&full, EntityType::Person, label);
                    self.keys.insert(plain, id.clone());
                    id
                }
            }
        };
        if let Some(rec) = self.entities.get_mut(&id) {
            let longer = label.chars().count() > rec.label.chars().count();
            if longer && label.split_whitespace().count() >= 2 {
                rec.label = label.to_string();
            }
        }
        let label = self.entities.get(&id).map(|r| r.label.clone()).unwrap_or_default();
        self.index_names(&id, &label);
        id
    }

    /// A one-word name with no full name in its document: the known person
    /// it stands for ([`Linker::word_variant`]: nicknames, initials, a
    /// dominant bearer in the corpus evidence and the curated people,
    /// spelling slips), else a curated person with that short form, else the corpus persons with that surname, else
    /// those with that first name ("Hillary", "Jeb"): the only one, or the
    /// one that dominates ([`dominant`] over mentions so far); else its own
    /// person. A title's gender (`cue`) must not contradict the person's.
    fn person_alone(&mut self, key: &str, word: &str, cue: Option<Gender>) -> String {
        if let Some((label, keys)) = self.word_variant(key, word, &self.bearers) {
            let curated = person_key(&keys).and_then(|k| self.tables.people.fl.get(&k)).map(|&pi| PEOPLE[pi].1);
            if let (Some(full), true) = (person_key(&keys), cue.zip(curated).map(|(c, g)| c == g).unwrap_or(true)) {
                return self.person_full(&full, &label);
            }
        }
        if let Some(&pi) = self.tables.people.short.get(key) {
            let (label, gender, _) = PEOPLE[pi];
            if cue.map(|c| c == gender).unwrap_or(true) {
                if let Some(full) = person_key(&name_keys(label)) {
                    return self.person_full(&full, label);
                }
            }
        }
        let compatible = |linker: &Linker, id: &str| match (cue, linker.gender_of(id)) {
            (Some(c), Some(g)) => c == g,
            _ => true,
        };
        for index in [&self.surnames, &self.first_names] {
            let Some(set) = index.get(key) else { continue };
            let cands: Vec<&String> = set.iter().filter(|id| compatible(self, id)).collect();
            if cands.is_empty() {
                continue;
            }
            let counts: Vec<usize> =
                cands.iter().map(|id| self.entities.get(*id).map(|r| r.mentions).unwrap_or(0)).collect();
            let pick = if cands.len() == 1 { Some(0) } else { dominant(&counts) };
            match pick {
                Some(k) => return cands[k].clone(),
                // Several people and none dominant: not a guess.
                None => break,
            }
        }
        self.intern(&format!("person:{key}"), EntityType::Person, word)
    }

    /// The person a one-word name means when the document gives it gender
    /// `g` but the corpus reading ([`Linker::word_variant`], else the
    /// curated short form) is a person of the other gender: the one known
    /// person (curated, or a corpus full name of the evidence) with that
    /// surname and gender ("Clinton used his position" → Bill Clinton, not
    /// Hillary). `None` when the corpus reading agrees or is of unknown
    /// gender, or no such person or several are known: then the name is
    /// read as usual.
    fn cued_bearer(&mut self, key: &str, word: &str, g: Gender) -> Option<String> {
        let reading = self
            .word_variant(key, word, &self.bearers)
            .map(|(_, keys)| keys)
            .or_else(|| self.tables.people.short.get(key).map(|&pi| name_keys(PEOPLE[pi].0)))?;
        if name_gender(self, &reading).is_none_or(|rg| rg == g) {
            return None;
        }
        let found: Vec<(String, String)> = self
            .bearers
            .iter()
            .filter(|b| name_parts(&b.keys).is_some_and(|(_, surname, _)| surname == key))
            .filter(|b| name_gender(self, &b.keys) == Some(g))
            .filter_map(|b| Some((person_key(&b.keys)?, b.label.clone())))
            .collect();
        match &found[..] {
            [(full, label)] => Some(self.person_full(full, label)),
            _ => None,
        }
    }

    /// Indexes a full-named person by surname (and the last part of a
    /// hyphenated one), first name and, for names of three or more words,
    /// the last two words (a two-word surname: "Wasserman Schultz").
    pub(super) fn index_names(&mut self, id: &str, label: &str) {
        let keys = name_keys(label);
        let Some((first, surname, _)) = name_parts(&keys) else { return };
        self.first_names.entry(first.to_string()).or_default().insert(id.to_string());
        if let Some(tail) = name_tail(&keys) {
            self.tails.entry(tail).or_default().insert(id.to_string());
        }
        let surname = surname.to_string();
        if let Some(part) = surname.rsplit('-').next() {
            if part != surname && !part.is_empty() {
                self.surnames.entry(part.to_string()).or_default().insert(id.to_string());
            }
        }
        self.surnames.entry(surname).or_default().insert(id.to_string());
    }
}

/// A full name of one document: its identity, middle initials and label.
struct Cluster {
    first: String,
    surname: String,
    keys: Vec<String>,
    /// Identity key ([`person_key`]) and middle initials.
    key: String,
    middle: String,
    label: String,
}

/// Clusters the document's full names by identity key and middle
/// initials (a two-word tail joins the cluster `tail_key` names); a full
/// name without middle initials joins the one full name of the document
/// with the same identity and middle initials ("George Bush" next to
/// "George W. Bush"); several (George W. and George H.W. Bush) stay apart
/// and it stays with neither. Returns the clusters and each pending
/// mention's cluster.
fn cluster_full_names(
    names: &[Option<(String, Vec<String>)>],
    tail_key: &[Option<(String, String)>],
    ids: &[Option<String>],
) -> (Vec<Cluster>, Vec<Option<usize>>) {
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    let mut member: Vec<Option<usize>> = vec![None; names.len()];
    for (i, n) in names.iter().enumerate() {
        let Some((label, keys)) = n else { continue };
        if tail_key[i].is_some() || ids[i].is_some() {
            continue;
        }
        let (Some(key), Some((first, surname, _))) = (person_key(keys), name_parts(keys)) else { continue };
        let middle = middle_initials(label);
        let ci = *by_key.entry((key.clone(), middle.clone())).or_insert_with(|| {
            clusters.push(Cluster {
                first: first.to_string(),
                surname: surname.to_string(),
                keys: keys.clone(),
                key,
                middle,
                label: label.clone(),
            });
            clusters.len() - 1
        });
        if label.chars().count() > clusters[ci].label.chars().count() {
            clusters[ci].label = label.clone();
            clusters[ci].keys = keys.clone();
        }
        member[i] = Some(ci);
    }
    for (i, key) in tail_key.iter().enumerate() {
        if let Some(key) = key {
            member[i] = by_key.get(key).copied();
        }
    }
    for ci in 0..clusters.len() {
        if !clusters[ci].middle.is_empty() {
            continue;
        }
        let with_middle: Vec<usize> = (0..clusters.len())
            .filter(|&cj| clusters[cj].key == clusters[ci].key && !clusters[cj].middle.is_empty())
            .collect();
        if let [cj] = with_middle[..] {
            for m in member.iter_mut().filter(|m| **m == Some(ci)) {
                *m = Some(cj);
            }
        }
    }
    (clusters, member)
}

/// The gender cues of the document's one-word person names, by name key:
/// from a title before the name ("Mr Clinton") or a pronoun after it
/// (`pronoun_cues`); a key whose cues disagree has none. One name keeps one
/// reading in a document (a thread), so an uncued "Clinton" follows the
/// cued ones.
fn document_cues(pending: &[Pending], pronoun_cues: &[Option<Gender>]) -> HashMap<String, Gender> {
    let mut seen: HashMap<String, Option<Gender>> = HashMap::new();
    for (p, pronoun) in pending.iter().zip(pronoun_cues) {
        let Target::Person(name) = &p.target else { continue };
        let ([key], Some(g)) = (&name.keys[..], p.cue.or(*pronoun)) else { continue };
        let e = seen.entry(key.clone()).or_insert(Some(g));
        if *e != Some(g) {
            *e = None;
        }
    }
    seen.into_iter().filter_map(|(k, g)| Some((k, g?))).collect()
}

/// Whether a name in text `t` reaches a full name named in `texts`: in the
/// same text, the article (text 0) or the text `t` replies to.
fn in_reach(texts: &BTreeSet<usize>, t: usize, parents: &[Option<usize>]) -> bool {
    texts.contains(&t) || texts.contains(&0) || parents.get(t).copied().flatten().is_some_and(|p| texts.contains(&p))
}

/// The index of the count that dominates the others: at least
/// [`DOMINANT_MIN`] and [`DOMINANT_RATIO`] times every other count.
fn dominant(counts: &[usize]) -> Option<usize> {
    let (top, &best) = counts.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    let next = counts.iter().enumerate().filter(|&(k, _)| k != top).map(|(_, &c)| c).max().unwrap_or(0);
    (best >= DOMINANT_MIN && best >= DOMINANT_RATIO * next).then_some(top)
}

/// Document dominance of a shared surname: the ratio of the top full
/// name's document mentions to the next one's.
const DOC_DOMINANT_RATIO: usize = 3;

/// Corpus dominance: the fewest mentions so far, and the ratio to the next.
const DOMINANT_MIN: usize = 5;
const DOMINANT_RATIO: usize = 3;

/// The curated people's lookup table.
#[derive(Debug, Default)]
pub(super) struct PeopleTable {
    /// Curated people: full-name key → row of PEOPLE.
    pub(super) full: HashMap<String, usize>,
    /// Curated people: identity key ([`person_key`](super::names::person_key)) → row of PEOPLE.
    pub(super) fl: HashMap<String, usize>,
    /// Curated people: unambiguous one-word forms → row of PEOPLE.
    pub(super) short: HashMap<String, usize>,
}

impl PeopleTable {
    /// Loads the curated people: full names, identity keys, spelling
    /// variants and the one-word forms that only one of them owns.
    pub(super) fn load() -> PeopleTable {
        let mut t = PeopleTable::default();
        let mut ambiguous_short = HashSet::new();
        for (pi, (label, _, forms)) in PEOPLE.iter().enumerate() {
            let keys = name_keys(label);
            if let Some(key) = person_key(&keys) {
                t.fl.insert(key, pi);
            }
            t.full.insert(keys.join(" "), pi);
            for form in forms.iter() {
                let k = name_keys(form);
                if k.len() == 1 {
                    if let Some(&other) = t.short.get(&k[0]) {
                        if other != pi {
                            ambiguous_short.insert(k[0].clone());
                        }
                    }
                    t.short.insert(k[0].clone(), pi);
                } else if k.len() > 1 {
                    t.full.insert(k.join(" "), pi);
                }
            }
        }
        for k in ambiguous_short {
            t.short.remove(&k);
        }
        t
    }

    /// A full name mapped onto its curated canonical form when the table
    /// knows it ("Joseph R. Biden" → "Joe Biden"): (label, keys).
    pub(super) fn canonical_person(&self, name: &PersonName) -> (String, Vec<String>) {
        match self.full.get(&name.keys.join(" ")) {
            Some(&pi) => (PEOPLE[pi].0.to_string(), name_keys(PEOPLE[pi].0)),
            None => (name.words.join(" "), name.keys.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    use crate::link::test_util::{doc, link_text, span};
    use crate::link::{DocumentSpans, LinkedBy};
    use crate::ner::EntityKind;

    #[test]
    fn a_one_word_name_is_a_surname_before_a_first_name() {
        let text = "Rand Paul and Paul Ryan debated. Paul said no. Ryan agreed.";
        let spans = ["Rand Paul", "Paul Ryan"]
            .iter()
            .map(|n| span(text, n, 0, EntityKind::Person))
            .chain([span(text, "Paul", 2, EntityKind::Person), span(text, "Ryan", 1, EntityKind::Person)])
            .collect();
        let got: Vec<String> = link_text(&mut Linker::new(), text, spans).into_iter().map(|(_, id, _)| id).collect();
        assert_eq!(got, ["person:rand-paul", "person:paul-ryan", "person:rand-paul", "person:paul-ryan"]);
        // With Paul Ryan alone, "Paul" is his first name.
        let text = "Paul Ryan spoke. Paul left.";
        let spans = vec![span(text, "Paul Ryan", 0, EntityKind::Person), span(text, "Paul", 1, EntityKind::Person)];
        let got: Vec<String> = link_text(&mut Linker::new(), text, spans).into_iter().map(|(_, id, _)| id).collect();
        assert_eq!(got, ["person:paul-ryan"; 2]);
    }

    #[test]
    fn different_middle_initials_are_different_people() {
        assert_eq!(middle_initials("George H.W. Bush"), "hw");
        assert_eq!(middle_initials("George H. W. Bush"), "hw");
        assert_eq!(middle_initials("George Herbert Walker Bush"), "hw");
        assert_eq!(middle_initials("Paul D. Ryan"), "d");
        assert_eq!(middle_initials("Martin Luther King Jr."), "l");
        assert_eq!(middle_initials("Joe Biden"), "");
        let mut linker = Linker::new();
        let mut one = |text: &str, names: &[&str]| -> Vec<String> {
            let spans = names.iter().map(|n| span(text, n, 0, EntityKind::Person)).collect();
            link_text(&mut linker, text, spans).into_iter().map(|(_, id, _)| id).collect()
        };
        // A plain name first, then the middle initials of two presidents.
        assert_eq!(one("George Bush spoke.", &["George Bush"]), ["person:george-bush"]);
        assert_eq!(one("George H.W. Bush spoke.", &["George H.W. Bush"]), ["person:george-bush"]);
        assert_eq!(one("George W. Bush spoke.", &["George W. Bush"]), ["person:george-w-bush"]);
        assert_eq!(one("George Herbert Walker Bush.", &["George Herbert Walker Bush"]), ["person:george-bush"]);
        // Without and with one middle initial: one person.
        assert_eq!(one("Paul Ryan and Paul D. Ryan.", &["Paul Ryan", "Paul D. Ryan"]), ["person:paul-d-ryan"; 2]);
        assert_eq!(one("Paul Ryan again.", &["Paul Ryan"]), ["person:paul-d-ryan"]);
        // Both presidents in one document stay apart; a plain "George Bush"
        // is merged with neither there and goes to the entity that holds the
        // plain identity key (the first created).
        let text = "George W. Bush and George H.W. Bush and George Bush.";
        let got = one(text, &["George W. Bush", "George H.W. Bush", "George Bush"]);
        assert_eq!(got, ["person:george-w-bush", "person:george-bush", "person:george-bush"]);
        let labels: BTreeMap<String, String> = linker.entities().into_iter().map(|e| (e.id, e.label)).collect();
        assert_eq!(labels["person:george-bush"], "George Herbert Walker Bush");
        assert_eq!(labels["person:george-w-bush"], "George W. Bush");
    }

    #[test]
    fn title_and_short_forms_join_the_full_name_in_the_document() {
        let article = "Prime Minister Fumio Kishida spoke. Mr Kishida later met Foreign Minister Yoko Kamikawa; Kamikawa and Yoko agreed.";
        let comment = "President Kishida? He is a prime minister.";
        let d = doc(article, &[(comment, None)]);
        let spans = DocumentSpans {
            article: vec![
                span(article, "Prime Minister Fumio Kishida", 0, EntityKind::Person),
                span(article, "Kishida", 1, EntityKind::Person),
                span(article, "Foreign Minister Yoko Kamikawa", 0, EntityKind::Person),
                span(article, "Kamikawa", 1, EntityKind::Person),
                span(article, "Yoko", 1, EntityKind::Person),
            ],
            comments: vec![vec![span(comment, "President Kishida", 0, EntityKind::Person)]],
        };
        let mut linker = Linker::new();
        let m = linker.link(&d, &spans);
        let ids: Vec<&str> = m.iter().map(|m| m.entity_id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "person:fumio-kishida",
                "person:fumio-kishida",
                "person:yoko-kamikawa",
                "person:yoko-kamikawa",
                "person:yoko-kamikawa",
                "person:fumio-kishida",
                "person:fumio-kishida", // "He"
            ]
        );
        let e = linker.entities();
        assert_eq!(e.iter().find(|e| e.id == "person:yoko-kamikawa").map(|e| e.label.as_str()), Some("Yoko Kamikawa"));
    }

    #[test]
    fn surname_alone_uses_curated_leaders_unless_the_document_says_otherwise() {
        let mut linker = Linker::new();
        let text = "Biden and Abe and Putin spoke.";
        let m = link_text(
            &mut linker,
            text,
            ["Biden", "Abe", "Putin"].iter().map(|n| span(text, n, 0, EntityKind::Person)).collect(),
        );
        let ids: Vec<&str> = m.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(ids, vec!["person:joe-biden", "person:shinzo-abe", "person:vladimir-putin"]);
        // A document with another Biden: the surname joins that one.
        let text = "Hunter Biden testified. Biden said little.";
        let m = link_text(
            &mut linker,
            text,
            vec![span(text, "Hunter Biden", 0, EntityKind::Person), span(text, "Biden", 1, EntityKind::Person)],
        );
        assert_eq!(m[1].1, "person:hunter-biden");
        // Curated spelling variants are the same person.
        let text = "Joseph R. Biden won.";
        let m = link_text(&mut linker, text, vec![span(text, "Joseph R. Biden", 0, EntityKind::Person)]);
        assert_eq!(m[0].1, "person:joe-biden");
        // An unknown surname stays its own person.
        let text = "Tanaka disagreed.";
        let m = link_text(&mut linker, text, vec![span(text, "Tanaka", 0, EntityKind::Person)]);
        assert_eq!(m[0].1, "person:tanaka");
    }

    /// The ids of the Person-span names of a one-thread document whose
    /// comments (each replying to the one before) hold the given needles.
    fn thread_ids(linker: &mut Linker, comments: &[(&str, &[&str])]) -> Vec<String> {
        let texts: Vec<(&str, Option<usize>)> =
            comments.iter().enumerate().map(|(i, (t, _))| (*t, i.checked_sub(1))).collect();
        let d = doc("", &texts);
        let spans = DocumentSpans {
            article: vec![],
            comments: comments
                .iter()
                .map(|(t, names)| names.iter().map(|n| span(t, n, 0, EntityKind::Person)).collect())
                .collect(),
        };
        linker.observe(&d, &spans);
        linker.link(&d, &spans).into_iter().filter(|m| m.linked_by == LinkedBy::Name).map(|m| m.entity_id).collect()
    }

    #[test]
    fn a_pronoun_after_a_surname_picks_the_bearer_of_its_gender_in_the_thread() {
        // "Clinton" alone is Hillary (the curated owner of the short form)…
        let mut linker = Linker::new();
        assert_eq!(thread_ids(&mut linker, &[("Clinton lost.", &["Clinton"])]), vec!["person:hillary-clinton"]);
        // …but "Clinton used his position" is Bill, and so is every bare
        // "Clinton" of that thread.
        let got = thread_ids(
            &mut linker,
            &[("Clinton used his position to lie.", &["Clinton"]), ("Clinton cheated with an intern.", &["Clinton"])],
        );
        assert_eq!(got, vec!["person:bill-clinton"; 2]);
        // Not from an object pronoun (someone else), nor across a name or
        // a sentence end.
        for text in [
            "Clinton beat him easily.",
            "Clinton said he lied.",
            "Clinton said Obama and his team lied.",
            "Clinton won. His loss.",
        ] {
            let names: Vec<&str> = ["Clinton", "Obama"].into_iter().filter(|n| text.contains(n)).collect();
            let got = thread_ids(&mut Linker::new(), &[(text, &names)]);
            assert_eq!(got[0], "person:hillary-clinton", "{text}");
        }
    }

    #[test]
    fn a_pronoun_cue_never_merges_namesakes_on_a_subject_or_object_pronoun() {
        // The corpus knows Mary Trump; "Trump said she lied" and "Trump
        // called her a liar" are still Donald Trump (the pronoun is someone
        // else), and with no known bearer of the cued gender the name is
        // read as usual, never a person of its own.
        let mut linker = Linker::new();
        thread_ids(&mut linker, &[("Mary Trump wrote it. Mary Trump knows.", &["Mary Trump", "Mary Trump"])]);
        for text in ["Trump said she lied.", "Trump called her a liar.", "Trump saw her plan."] {
            let got = thread_ids(&mut linker, &[(text, &["Trump"])]);
            assert_eq!(got, vec!["person:donald-trump"], "{text}");
        }
        // Cues that disagree in one thread give none.
        let got = thread_ids(
            &mut Linker::new(),
            &[("Clinton used his position.", &["Clinton"]), ("Clinton and hers lost.", &["Clinton"])],
        );
        assert_eq!(got, vec!["person:hillary-clinton"; 2]);
    }

    #[test]
    fn suffixes_and_title_genders_keep_people_apart() {
        let mut linker = Linker::new();
        let text = "Donald Trump Jr. spoke; Donald Trump listened; Mr Clinton and Hillary Clinton waved.";
        let m = link_text(
            &mut linker,
            text,
            vec![
                span(text, "Donald Trump Jr.", 0, EntityKind::Person),
                span(text, "Donald Trump", 1, EntityKind::Person),
                span(text, "Clinton", 0, EntityKind::Person),
                span(text, "Hillary Clinton", 0, EntityKind::Person),
            ],
        );
        let ids: Vec<&str> = m.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(
            ids,
            vec!["person:donald-trump-jr", "person:donald-trump", "person:clinton", "person:hillary-clinton"]
        );
        // A female title joins her; a male title alone skips the curated
        // (female) Clinton.
        let text = "Mrs Clinton smiled, Hillary Clinton said.";
        let m = link_text(
            &mut linker,
            text,
            vec![span(text, "Clinton", 0, EntityKind::Person), span(text, "Hillary Clinton", 0, EntityKind::Person)],
        );
        assert_eq!(m[0].1, "person:hillary-clinton");
        let text = "Mr. Clinton smiled.";
        let m = link_text(&mut linker, text, vec![span(text, "Clinton", 0, EntityKind::Person)]);
        assert_eq!(m[0].1, "person:clinton");
    }

    #[test]
    fn shared_surname_in_one_document_stays_ambiguous() {
        let mut linker = Linker::new();
        let text = "John Smith and Mary Smith argued; Smith won.";
        let m = link_text(
            &mut linker,
            text,
            vec![
                span(text, "John Smith", 0, EntityKind::Person),
                span(text, "Mary Smith", 0, EntityKind::Person),
                span(text, "Smith", 2, EntityKind::Person),
            ],
        );
        let ids: Vec<&str> = m.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(ids, vec!["person:john-smith", "person:mary-smith", "person:smith"]);
        // Later, "Smith" alone in another document: two Smiths are known in
        // the corpus, so it is not merged either.
        let text = "Smith again.";
        let m = link_text(&mut linker, text, vec![span(text, "Smith", 0, EntityKind::Person)]);
        assert_eq!(m[0].1, "person:smith");
    }

    #[test]
    fn organisation_spans_naming_a_person_of_the_document() {
        let text = "Donald Trump spoke. Trump said the Trump campaign and Hamas agreed. Trump won.";
        let got = link_text(
            &mut Linker::new(),
            text,
            vec![
                span(text, "Donald Trump", 0, EntityKind::Person),
                span(text, "Trump", 1, EntityKind::Person),
                span(text, "Trump", 2, EntityKind::Organisation),
                span(text, "Hamas", 0, EntityKind::Organisation),
                span(text, "Trump", 3, EntityKind::Misc),
            ],
        );
        let ids: Vec<&str> = got.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            ["person:donald-trump", "person:donald-trump", "person:donald-trump", "org:hamas", "person:donald-trump"]
        );
        // Without a person of that name in the document it stays an
        // organisation, and a lower-case or all-capital text never converts.
        let text = "The Trump campaign and the Smith group met. John Smith and SMITH.";
        let got = link_text(
            &mut Linker::new(),
            text,
            vec![
                span(text, "Trump", 0, EntityKind::Organisation),
                span(text, "John Smith", 0, EntityKind::Person),
                span(text, "SMITH", 0, EntityKind::Organisation),
            ],
        );
        let ids: Vec<&str> = got.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(ids, ["org:trump", "person:john-smith", "org:smith"]);
    }

    #[test]
    fn slash_names_are_people_and_far_namesakes_stay_apart() {
        // "Harris/Walz" tagged as an organisation is two people.
        let text = "Vote Harris/Walz now.";
        let got = link_text(&mut Linker::new(), text, vec![span(text, "Harris/Walz", 0, EntityKind::Organisation)]);
        let got: Vec<(&str, &str)> = got.iter().map(|(t, id, _)| (t.as_str(), id.as_str())).collect();
        assert_eq!(got, [("Harris", "person:kamala-harris"), ("Walz", "person:tim-walz")]);
        // The NER may cut it as "Harris/": the one name is still the person.
        let text = "She's team Harris/Walz";
        let got = link_text(&mut Linker::new(), text, vec![span(text, "Harris/", 0, EntityKind::Organisation)]);
        let got: Vec<(&str, &str)> = got.iter().map(|(t, id, _)| (t.as_str(), id.as_str())).collect();
        assert_eq!(got, [("Harris", "person:kamala-harris")]);
        // "Trump" in a comment far from the thread's one "Mary Trump" (not
        // its parent) is Donald Trump; in her comment's reply it is her.
        let comments = [("His niece Mary Trump wrote a book.", None), ("Trump lies.", None), ("Trump says?", Some(0))];
        let d = doc("", &comments);
        let spans = DocumentSpans {
            article: vec![],
            comments: vec![
                vec![span(comments[0].0, "Mary Trump", 0, EntityKind::Person)],
                vec![span(comments[1].0, "Trump", 0, EntityKind::Person)],
                vec![span(comments[2].0, "Trump", 0, EntityKind::Person)],
            ],
        };
        let got: Vec<String> = Linker::new().link(&d, &spans).into_iter().map(|m| m.entity_id).collect();
        assert_eq!(got, ["person:mary-trump", "person:donald-trump", "person:mary-trump"]);
    }
}
