//! Name variants of people in comments: the curated nickname table
//! (`data/nicknames.tsv`, [`NicknameTable`]), the corpus evidence the
//! linker gathers before linking ([`Evidence`]: the corpus's full names
//! and name words with their counts), and the rules that map a variant onto a known
//! person: pet forms of first names, plurals, a first name or surname
//! alone with one dominant bearer, spelling slips, initials, hyphen forms
//! and the first two or last two words of a longer name.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::names::{name_keys, name_parts, person_key, SUFFIXES};
use super::people_list::PEOPLE;
use super::Linker;

const NICKNAMES_TSV: &str = include_str!("../../data/nicknames.tsv");

/// The curated nicknames: whole-name aliases and pet forms of first names.
#[derive(Debug, Default)]
pub(super) struct NicknameTable {
    /// Name keys joined by spaces ("sleepy joe") → canonical label.
    pub(super) alias: HashMap<String, String>,
    /// Pet form key ("donnie") → first-name key ("donald").
    pub(super) first: HashMap<String, String>,
}

impl NicknameTable {
    /// Parses the embedded `data/nicknames.tsv` (comment lines start `#`).
    pub(super) fn load() -> NicknameTable {
        let mut t = NicknameTable::default();
        for line in NICKNAMES_TSV.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() == 4, "data/nicknames.tsv: want kind, form, means, source: {line:?}");
            let form = name_keys(cols[1]).join(" ");
            match cols[0] {
                "alias" => t.alias.insert(form, cols[2].to_string()),
                "first" => t.first.insert(form, name_keys(cols[2]).join(" ")),
                kind => panic!("data/nicknames.tsv: unknown kind {kind:?}"),
            };
        }
        t
    }
}

/// Full names seen anywhere in the corpus before linking (identity key →
/// the longest label and the number of Person spans with it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Evidence {
    pub(super) full: HashMap<String, (String, usize)>,
    /// Name word key → Person spans holding it (any name, any length).
    pub(super) words: HashMap<String, usize>,
    /// Key of a Misc span of two or more words written all in lower case
    /// ("beaver faced") → how many such spans the corpus holds (the junk
    /// rule for one-off lower-case phrases).
    #[serde(default)]
    pub(super) lower_phrases: HashMap<String, usize>,
}

impl Evidence {
    pub(super) fn add(&mut self, label: &str, keys: &[String]) {
        let Some(key) = person_key(keys) else { return };
        let e = self.full.entry(key).or_insert_with(|| (label.to_string(), 0));
        e.1 += 1;
        if label.chars().count() > e.0.chars().count() {
            e.0 = label.to_string();
        }
    }
}

/// A person a variant may stand for: label, name keys, weight (corpus
/// count, plus [`CURATED_WEIGHT`] for a curated person).
#[derive(Debug, Clone)]
pub(super) struct Bearer {
    pub(super) label: String,
    pub(super) keys: Vec<String>,
    pub(super) weight: usize,
}

/// What a curated person weighs beside corpus counts.
const CURATED_WEIGHT: usize = 1;
/// A corpus full name seen fewer times does not attract variants.
const EVIDENCE_MIN: usize = 2;
/// A bearer is dominant with this many times the weight of the next.
const RATIO: usize = 3;
/// A spelling counts as a slip of a name word written this many times
/// more often in the corpus's Person spans (and at least [`EVIDENCE_MIN`]).
const SLIP_RATIO: usize = 2;

/// Damerau (optimal string alignment) edit distance over characters.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Whether `written` is a spelling slip of the name word `known`: same
/// first letter, one edit for words of six letters or more, two from
/// seven ("Hilary", "Kamila", "Huckaby"); never the same word or its
/// plural.
pub(super) fn is_slip(written: &str, known: &str) -> bool {
    if written == known || written.chars().next() != known.chars().next() {
        return false;
    }
    // A plural is no slip: "the Clintons" are a family, not Hillary.
    if written.strip_suffix('s') == Some(known) || known.strip_suffix('s') == Some(written) {
        return false;
    }
    let n = written.chars().count().min(known.chars().count());
    let allowed = if n >= 7 {
        2
    } else if n >= 6 {
        1
    } else {
        0
    };
    allowed > 0 && edit_distance(written, known) <= allowed
}

/// The index of the dominant weight: the only one, or at least [`RATIO`]
/// times every other.
fn dominant(weights: &[usize]) -> Option<usize> {
    let top = (0..weights.len()).max_by_key(|&i| (weights[i], std::cmp::Reverse(i)))?;
    let next = (0..weights.len()).filter(|&i| i != top).map(|i| weights[i]).max().unwrap_or(0);
    (weights[top] >= RATIO * next.max(1) || next == 0).then_some(top)
}

/// Which word of a bearer's name a one-word name matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Surname,
    Middle,
    First,
}

fn part_of(keys: &[String], word: &str) -> Option<Part> {
    let (first, surname, _) = name_parts(keys)?;
    if surname == word || surname.split('-').any(|p| p == word) {
        Some(Part::Surname)
    } else if keys.len() >= 3 && keys[1..keys.len() - 1].iter().any(|k| k == word) {
        Some(Part::Middle)
    } else if first == word {
        Some(Part::First)
    } else {
        None
    }
}

impl Linker {
    /// Gathers the full names of one document's Person spans as corpus
    /// evidence. [`Linker::link`] uses it for variants once every document
    /// of the corpus has been observed (the pipeline observes them all
    /// before linking, so the result does not depend on document order).
    pub(crate) fn observe(&mut self, doc: &crate::corpus::Document, spans: &super::DocumentSpans) {
        let texts = std::iter::once((&doc.text, &spans.article))
            .chain(doc.comments.iter().map(|c| &c.text).zip(spans.comments.iter()));
        for (text, list) in texts {
            let info = super::text::TextInfo::new(text);
            for span in list.iter().filter(|s| s.kind == crate::ner::EntityKind::Misc) {
                if let Some(key) = info.slice(span.start, span.end).and_then(super::junk::lower_phrase_key) {
                    *self.evidence.lower_phrases.entry(key).or_default() += 1;
                }
            }
            for span in list.iter().filter(|s| s.kind == crate::ner::EntityKind::Person) {
                let Some(surface) = info.slice(span.start, span.end) else { continue };
                let Some(name) = super::names::person_name(&self.tables.countries, surface) else { continue };
                for key in &name.keys {
                    *self.evidence.words.entry(key.clone()).or_default() += 1;
                }
                if name.keys.len() >= 2 && name.words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase)) {
                    let (label, keys) = match self.tables.nicknames.alias.get(&name.keys.join(" ")) {
                        Some(alias) => (alias.clone(), name_keys(alias)),
                        None => self.tables.people.canonical_person(&name),
                    };
                    self.evidence.add(&label, &keys);
                    self.bearers_stale = true;
                }
            }
        }
    }

    /// The people variants may stand for: the curated people and the
    /// corpus full names seen at least [`EVIDENCE_MIN`] times. A bearer's
    /// weight is its corpus count plus the counts of the two-word full names
    /// that can only be a short form of it ("Sarah Sanders", "Huckabee
    /// Sanders" of Sarah Huckabee Sanders), plus [`CURATED_WEIGHT`] when
    /// curated.
    pub(super) fn bearers(&self) -> Vec<Bearer> {
        let mut out: HashMap<String, Bearer> = HashMap::new();
        for (label, _, _) in PEOPLE.iter() {
            let keys = name_keys(label);
            let Some(key) = person_key(&keys) else { continue };
            let count = self.evidence.full.get(&key).map(|e| e.1).unwrap_or(0);
            out.insert(key, Bearer { label: label.to_string(), keys, weight: count + CURATED_WEIGHT });
        }
        for (key, (label, count)) in &self.evidence.full {
            if *count >= EVIDENCE_MIN && !out.contains_key(key) {
                out.insert(key.clone(), Bearer { label: label.clone(), keys: name_keys(label), weight: *count });
            }
        }
        let mut v: Vec<Bearer> = out.into_values().collect();
        v.sort_by(|a, b| a.label.cmp(&b.label));
        let mut forms: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, b) in v.iter().enumerate() {
            for form in short_forms(&b.keys) {
                forms.entry(form).or_default().push(i);
            }
        }
        for (key, (label, count)) in &self.evidence.full {
            let keys = name_keys(label);
            let [a, b] = &keys[..] else { continue };
            if let Some(&[i]) = forms.get(&(a.clone(), b.clone())).map(Vec::as_slice) {
                if person_key(&v[i].keys).as_ref() != Some(key) {
                    v[i].weight += count;
                }
            }
        }
        v
    }

    /// A full name (two or more keys) that is a variant of a known person:
    /// a nickname, a pet first name, a plural ("Donald Trumps"), the first
    /// two or last two words of a longer name ("Sarah Huckabee", "Huckabee
    /// Sanders"), or spelling slips of one ("Kamila Harris", "Sarah
    /// Huckaby"). `None` when the name is a known person itself or matches
    /// no dominant one.
    pub(super) fn full_variant(&self, keys: &[String], bearers: &[Bearer]) -> Option<(String, Vec<String>)> {
        if let Some(label) = self.tables.nicknames.alias.get(&keys.join(" ")) {
            return Some((label.clone(), name_keys(label)));
        }
        let original = keys;
        let mut keys = keys.to_vec();
        if let Some(first) = self.tables.nicknames.first.get(&keys[0]) {
            keys[0] = first.clone();
        }
        let count = |k: &[String]| person_key(k).and_then(|key| self.evidence.full.get(&key)).map(|e| e.1).unwrap_or(0);
        let known = |k: &[String]| {
            person_key(k).is_some_and(|key| self.tables.people.fl.contains_key(&key)) || count(k) >= EVIDENCE_MIN
        };
        let same = |k: &[String]| bearers.iter().find(|b| person_key(&b.keys) == person_key(k));
        if !known(&keys) {
            if let Some(stem) = keys.last().and_then(|k| k.strip_suffix('s')).filter(|s| !s.ends_with('s')) {
                let mut plural = keys.clone();
                *plural.last_mut()? = stem.to_string();
                if known(&plural) {
                    return same(&plural).map(|b| (b.label.clone(), b.keys.clone()));
                }
            }
        }
        // A short form or spelling slip of a person who outweighs this name
        // (a name seen once or twice, or a slip of a far commoner one:
        // "Hannibal Lector" of Hannibal Lecter).
        let own = count(&keys);
        let curated_self = person_key(&keys).is_some_and(|key| self.tables.people.fl.contains_key(&key));
        if keys.len() == 2 && !curated_self {
            let matches: Vec<&Bearer> = bearers
                .iter()
                .filter(|b| person_key(&b.keys) != person_key(&keys))
                .filter(|b| (own < EVIDENCE_MIN || b.weight >= RATIO * own) && self.two_word_form(&keys, &b.keys))
                .collect();
            let weights: Vec<usize> = matches.iter().map(|b| b.weight).collect();
            if let Some(i) = dominant(&weights) {
                return Some((matches[i].label.clone(), matches[i].keys.clone()));
            }
        }
        // Only a pet first name changed anything ("Donnie Trump").
        (keys[0] != original[0]).then(|| same(&keys).map(|b| (b.label.clone(), b.keys.clone()))).flatten()
    }

    /// Whether `written` is a spelling slip ([`is_slip`]) of the name word
    /// `known` that the corpus backs: `known` is written at least
    /// [`SLIP_RATIO`] times as often in Person spans, and [`EVIDENCE_MIN`]
    /// times.
    fn slip(&self, written: &str, known: &str) -> bool {
        let count = |w: &str| self.evidence.words.get(w).copied().unwrap_or(0);
        is_slip(written, known) && count(known) >= EVIDENCE_MIN && count(known) >= SLIP_RATIO * count(written)
    }

    /// Whether a two-word name is a short form of a bearer's name
    /// ([`short_forms`]), each word the same or a backed spelling slip.
    fn two_word_form(&self, keys: &[String], bearer: &[String]) -> bool {
        let same = |a: &str, b: &str| a == b || self.slip(a, b);
        short_forms(bearer).iter().any(|(a, b)| same(&keys[0], a) && same(&keys[1], b))
    }

    /// A one-word name that stands for a known person: a nickname
    /// ("Drumpf"), initials ("SHS", "DT": the initials of every word, or of
    /// the first name and surname), the surname, a middle word or the first
    /// name of one dominant bearer (a pet form read as its first name:
    /// "Donnie" → "donald"), else a spelling slip of one ("Hilary",
    /// "Donold"). Surnames are tried before middle words, middle words
    /// before first names, exact words before slips.
    pub(super) fn word_variant(&self, key: &str, word: &str, bearers: &[Bearer]) -> Option<(String, Vec<String>)> {
        if let Some(label) = self.tables.nicknames.alias.get(key) {
            return Some((label.clone(), name_keys(label)));
        }
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        if (2..=4).contains(&letters.len()) && letters.iter().all(|c| c.is_uppercase()) {
            let initials = fold(&letters);
            let found: Vec<&Bearer> = bearers.iter().filter(|b| initials_of(&b.keys).contains(&initials)).collect();
            if !found.is_empty() {
                let weights: Vec<usize> = found.iter().map(|b| b.weight).collect();
                return dominant(&weights).map(|i| (found[i].label.clone(), found[i].keys.clone()));
            }
        }
        let key = self.tables.nicknames.first.get(key).map(String::as_str).unwrap_or(key);
        for slip in [false, true] {
            for part in [Part::Surname, Part::Middle, Part::First] {
                let found: Vec<&Bearer> = bearers
                    .iter()
                    .filter(|b| {
                        if slip {
                            b.keys.iter().any(|k| self.slip(key, k) && part_of(&b.keys, k) == Some(part))
                        } else {
                            part_of(&b.keys, key) == Some(part)
                        }
                    })
                    .collect();
                if found.is_empty() {
                    continue;
                }
                let weights: Vec<usize> = found.iter().map(|b| b.weight).collect();
                return dominant(&weights).map(|i| (found[i].label.clone(), found[i].keys.clone()));
            }
        }
        None
    }

    /// The name words the corpus backs: every word (and hyphen part) of
    /// the bearers named in full at least [`EVIDENCE_MIN`] times in the
    /// corpus ("huckabee" of Sarah Huckabee Sanders), for the junk rule on
    /// lower-case words.
    pub(super) fn corpus_name_words(&self) -> HashSet<String> {
        let backed = self.bearers.iter().filter(|b| {
            person_key(&b.keys).and_then(|k| self.evidence.full.get(&k)).is_some_and(|e| e.1 >= EVIDENCE_MIN)
        });
        let parts = |k: &String| {
            std::iter::once(k.clone())
                .chain(k.split('-').filter(|p| p.len() < k.len()).map(str::to_string))
                .collect::<Vec<_>>()
        };
        backed.flat_map(|b| b.keys.iter().flat_map(parts)).collect()
    }
}

fn fold(letters: &[char]) -> String {
    letters.iter().flat_map(|c| c.to_lowercase()).collect()
}

/// Initials of a name: of every word, and of first name and surname.
pub(super) fn initials_of(keys: &[String]) -> Vec<String> {
    let all: String = keys.iter().filter_map(|k| k.chars().next()).collect();
    let mut out = vec![all];
    if let Some((first, surname, _)) = name_parts(keys) {
        let fl: String = first.chars().take(1).chain(surname.chars().take(1)).collect();
        if fl != out[0] {
            out.push(fl);
        }
    }
    out
}

/// The two-word short forms of a name of two or more words (a hyphenated
/// surname counts as its parts): first name and surname, and for longer
/// names the first two and the last two words; none for a name with a
/// generational suffix.
fn short_forms(keys: &[String]) -> Vec<(String, String)> {
    // Donald Trump Jr is not Donald Trump: a suffixed name has none.
    if keys.last().is_some_and(|k| SUFFIXES.contains(&k.as_str())) {
        return Vec::new();
    }
    let words: Vec<&str> = keys.iter().flat_map(|k| k.split('-')).filter(|w| !w.is_empty()).collect();
    let n = words.len();
    if n < 2 {
        return Vec::new();
    }
    let mut forms = vec![(words[0].to_string(), words[n - 1].to_string())];
    if n >= 3 {
        forms.push((words[0].to_string(), words[1].to_string()));
        forms.push((words[n - 2].to_string(), words[n - 1].to_string()));
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::link::test_util::{doc, span};
    use crate::link::DocumentSpans;
    use crate::ner::{EntityKind, EntitySpan};

    #[test]
    fn slips_need_length_and_the_first_letter() {
        assert!(is_slip("hilary", "hillary"));
        assert!(is_slip("kamila", "kamala"));
        assert!(is_slip("huckaby", "huckabee"));
        assert!(is_slip("donold", "donald"));
        assert!(!is_slip("osama", "obama"));
        assert!(!is_slip("harris", "morris"));
        assert!(!is_slip("trump", "trump"));
        assert!(!is_slip("clintons", "clinton"));
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn the_nickname_table_loads() {
        let t = NicknameTable::load();
        assert_eq!(t.alias.get("sleepy joe").map(String::as_str), Some("Joe Biden"));
        assert_eq!(t.first.get("donnie").map(String::as_str), Some("donald"));
    }

    #[test]
    fn short_forms_of_a_name() {
        let f = |s: &str| short_forms(&name_keys(s));
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            f("Sarah Huckabee Sanders"),
            vec![pair("sarah", "sanders"), pair("sarah", "huckabee"), pair("huckabee", "sanders")]
        );
        assert_eq!(f("Sarah Huckabee-Sanders"), f("Sarah Huckabee Sanders"));
        assert!(f("Donald Trump Jr").is_empty());
        assert_eq!(initials_of(&name_keys("Sarah Huckabee Sanders")), vec!["shs".to_string(), "ss".to_string()]);
    }

    /// Links a corpus of one-comment documents (each text with its Person
    /// spans, given as needles), observing them all first; the entity id
    /// of each span, per document.
    fn corpus(docs: &[(&str, &[&str])]) -> Vec<Vec<String>> {
        let built: Vec<(crate::corpus::Document, DocumentSpans)> = docs
            .iter()
            .map(|(text, names)| {
                let mut seen: HashMap<&str, usize> = HashMap::new();
                let spans: Vec<EntitySpan> = names
                    .iter()
                    .map(|n| {
                        let k = seen.entry(n).or_default();
                        *k += 1;
                        span(text, n, *k - 1, EntityKind::Person)
                    })
                    .collect();
                (doc("", &[(text, None)]), DocumentSpans { article: vec![], comments: vec![spans] })
            })
            .collect();
        let mut linker = Linker::new();
        for (d, s) in &built {
            linker.observe(d, s);
        }
        built.iter().map(|(d, s)| linker.link(d, s).into_iter().map(|m| m.entity_id).collect()).collect()
    }

    #[test]
    fn variants_of_a_corpus_person_are_one_entity() {
        let shs = "person:sarah-huckabee-sanders";
        let got = corpus(&[
            ("Sarah Huckabee Sanders spoke.", &["Sarah Huckabee Sanders"]),
            ("Sarah Huckabee Sanders again.", &["Sarah Huckabee Sanders"]),
            ("Huckabee-Sanders lied.", &["Huckabee-Sanders"]),
            ("Sarah Huckaby nods.", &["Sarah Huckaby"]),
            ("Sarah Huckabee smiles.", &["Sarah Huckabee"]),
            ("SHS again.", &["SHS"]),
            ("Sarah is there.", &["Sarah"]),
            ("Huckabee is there.", &["Huckabee"]),
        ]);
        assert!(got.iter().all(|d| d == &vec![shs.to_string()]), "{got:?}");
    }

    #[test]
    fn curated_people_nicknames_slips_and_plurals() {
        let got = corpus(&[
            (
                "Kamala spoke, Harris agreed, VP Harris left, Kamala stayed.",
                &["Kamala", "Harris", "VP Harris", "Kamala"],
            ),
            ("Kamila Harris again.", &["Kamila Harris"]),
            ("Sleepy Joe and Donnie.", &["Sleepy Joe", "Donnie"]),
            ("Donald Trump, Donald Trump, Donald Trumps.", &["Donald Trump", "Donald Trump", "Donald Trumps"]),
            ("Hillary Clinton and Hillary Clinton.", &["Hillary Clinton", "Hillary Clinton"]),
            ("Hilary lost.", &["Hilary"]),
        ]);
        let kh = "person:kamala-harris".to_string();
        let dt = "person:donald-trump".to_string();
        assert_eq!(got[0], vec![kh.clone(); 4]);
        assert_eq!(got[1], vec![kh]);
        assert_eq!(got[2], vec!["person:joe-biden".to_string(), dt.clone()]);
        assert_eq!(got[3], vec![dt; 3]);
        assert_eq!(got[5], vec!["person:hillary-clinton".to_string()]);
    }

    #[test]
    fn no_slip_without_corpus_evidence_and_no_merge_of_namesakes() {
        // "Georgia" is no slip of Giorgia Meloni: the corpus never names her.
        let got = corpus(&[("Georgia spoke.", &["Georgia"])]);
        assert_eq!(got[0], vec!["person:georgia".to_string()]);
        // Mary Trump and Donald Trump share a surname, nothing else.
        let got = corpus(&[
            ("Donald Trump spoke.", &["Donald Trump"]),
            ("Mary Trump wrote a book.", &["Mary Trump"]),
            ("Trump read it.", &["Trump"]),
        ]);
        assert_eq!(got[1], vec!["person:mary-trump".to_string()]);
        assert_eq!(got[2], vec!["person:donald-trump".to_string()]);
    }
}
