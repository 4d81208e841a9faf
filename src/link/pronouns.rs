//! Pronouns and gender: a person's gender (curated table, titles, first
//! names, the article's own pronouns) and the resolution of he/she/they in
//! comments.

use std::collections::BTreeMap;

use super::names::{name_keys, name_parts, person_key, Gender};
use super::people_list::PEOPLE;
use super::text::{sentences, TextInfo};
use super::{overlaps, Antecedent, EntityType, Linker, Pending, Placed, Target};

/// Pronoun classes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PronounClass {
    Gendered(Gender),
    Plural,
}

fn pronoun_class(lower: &str) -> Option<PronounClass> {
    match lower {
        "he" | "him" | "his" => Some(PronounClass::Gendered(Gender::Male)),
        "she" | "her" | "hers" => Some(PronounClass::Gendered(Gender::Female)),
        "they" | "them" => Some(PronounClass::Plural),
        _ => None,
    }
}

/// A candidate antecedent at one level (comment, parent, article).
#[derive(Debug, Clone)]
struct Candidate {
    id: String,
    /// Name mentions (resolved pronouns left out).
    count: usize,
    last: usize,
    /// Its known gender is the wanted one (not merely unknown).
    known: bool,
    /// It may be chosen (else it is only a rival: a lone word of unknown
    /// gender, often a surname alone and sometimes not a person at all).
    eligible: bool,
}

impl Linker {
    /// Gender votes from the article: a he/she pronoun counts for the
    /// nearest person mentioned before it in the same sentence.
    pub(super) fn learn_gender(&mut self, article: &TextInfo, covered: &[(usize, usize)], placed: &[Placed]) {
        let persons: Vec<&Placed> = placed.iter().filter(|p| p.kind == EntityType::Person).collect();
        if persons.is_empty() {
            return;
        }
        let mut sents: Option<Vec<(usize, usize)>> = None;
        for w in &article.words {
            let Some(PronounClass::Gendered(g)) = pronoun_class(&w.lower) else { continue };
            if overlaps(covered, w.start, w.end) {
                continue;
            }
            let sents = sents.get_or_insert_with(|| sentences(article));
            let k = sents.partition_point(|s| s.1 <= w.start);
            let Some(&(s0, _)) = sents.get(k) else { continue };
            let nearest = persons.iter().filter(|p| p.start >= s0 && p.end <= w.start).max_by_key(|p| p.start);
            if let Some(p) = nearest {
                if let Some(rec) = self.entities.get_mut(&p.id) {
                    match g {
                        Gender::Male => rec.male += 1,
                        Gender::Female => rec.female += 1,
                    }
                }
            }
        }
    }

    /// Resolves the pronouns of comment text `t`; adds their placements to
    /// `placed[t]` and their counts to the entities. Returns (start, end,
    /// surface, id, where the person was found) per resolved pronoun.
    pub(super) fn resolve_pronouns(
        &mut self,
        t: usize,
        parent: Option<usize>,
        text: &TextInfo,
        covered: &[(usize, usize)],
        placed: &mut [Vec<Placed>],
    ) -> Vec<(usize, usize, String, String, Antecedent)> {
        let mut out = Vec::new();
        let mut sents: Option<Vec<(usize, usize)>> = None;
        for w in &text.words {
            let Some(class) = pronoun_class(&w.lower) else { continue };
            if overlaps(covered, w.start, w.end) {
                continue;
            }
            let sents = sents.get_or_insert_with(|| worded_sentences(text));
            let found = match class {
                PronounClass::Gendered(g) => {
                    let at = Position { t, parent, pos: w.start, text, sents };
                    self.resolve_gendered(g, &at, placed)
                }
                PronounClass::Plural => {
                    resolve_plural(text, sents, w.start, &placed[t]).map(|id| (id, Antecedent::Comment))
                }
            };
            let Some((id, from)) = found else { continue };
            let Some(rec) = self.entities.get_mut(&id) else { continue };
            rec.mentions += 1;
            // A person a gendered pronoun surely means takes its gender
            // ("E. Jean Carroll … she was awarded … he raped her": Carroll
            // is no candidate for "he" after "she").
            match class {
                PronounClass::Gendered(Gender::Male) => rec.male += 1,
                PronounClass::Gendered(Gender::Female) => rec.female += 1,
                PronounClass::Plural => {}
            }
            let at = placed[t].partition_point(|p| p.start < w.start);
            placed[t].insert(at, Placed { start: w.start, end: w.end, id: id.clone(), kind: rec.kind, pronoun: true });
            out.push((w.start, w.end, text.word_text(w).to_string(), id, from));
        }
        out
    }

    /// he/she/him/her/his/hers: the persons named earlier in the same
    /// comment, else in its parent comment, else in the article: the first
    /// of these levels with any candidate decides, and links only when one
    /// candidate is sure ([`sure`]), or, in the pronoun's own comment, when
    /// one is in focus ([`Linker::in_focus`]); otherwise the pronoun links
    /// to nothing.
    fn resolve_gendered(&self, want: Gender, at: &Position, placed: &[Vec<Placed>]) -> Option<(String, Antecedent)> {
        let own: Vec<&Placed> = placed.get(at.t)?.iter().filter(|p| p.end <= at.pos).collect();
        let levels = [
            (Some(own.clone()), Antecedent::Comment),
            (at.parent.and_then(|p| placed.get(p)).map(|l| l.iter().collect()), Antecedent::Parent),
            (placed.first().filter(|_| at.t != 0).map(|l| l.iter().collect()), Antecedent::Article),
        ];
        for (list, from) in levels {
            let Some(list) = list else { continue };
            let cands = self.candidates(&list, want);
            if cands.is_empty() {
                continue;
            }
            let own_level = from == Antecedent::Comment;
            let found = sure(&cands, own_level).or_else(|| own_level.then(|| self.in_focus(want, at, &own)).flatten());
            return found.map(|id| (id, from));
        }
        None
    }

    /// The person in focus where no candidate of the comment is sure: the
    /// nearest mention before the pronoun of a person who may take it (its
    /// known gender, or unknown and named by a full name), in the
    /// pronoun's sentence or the one before, or two before when the
    /// sentence between names no one else who may take it ("Biden was
    /// embarrassing. Wait wait wait. He did get hit…": a sentence that
    /// names no such person leaves the focus where it was); resolved
    /// pronouns count, so a chain of "he" keeps its person. A name in the
    /// possessive ("Putin's puppet") modifies a noun and is passed over.
    /// None when another such person is named from the focus's sentence on
    /// ("Kanye visited Trump, then he left": either could be meant).
    fn in_focus(&self, want: Gender, at: &Position, own: &[&Placed]) -> Option<String> {
        let sentence_of = |pos: usize| at.sents.partition_point(|s| s.1 <= pos);
        let k = sentence_of(at.pos);
        let sentence_start = at.sents.get(k)?.0;
        let may_take = |p: &&&Placed| {
            p.kind == EntityType::Person
                && (p.pronoun || !possessive(at.text, p.start, p.end))
                && self.agrees(&p.id, want)
        };
        let near = own.iter().filter(may_take).max_by_key(|p| p.start)?;
        let near_k = sentence_of(near.start);
        let rival_between = || {
            own.iter().any(|p| {
                p.kind == EntityType::Person
                    && p.id != near.id
                    && (near_k + 1..k).contains(&sentence_of(p.start))
                    && self.agrees(&p.id, want)
            })
        };
        if k - near_k > FOCUS_REACH || (k - near_k > 1 && rival_between()) {
            return None;
        }
        let from = if near.start >= sentence_start { sentence_start } else { at.sents[near_k].0 };
        let rival = own.iter().filter(may_take).any(|p| p.start >= from && p.id != near.id);
        (!rival).then(|| near.id.clone())
    }

    /// Whether a pronoun of gender `want` may refer to person `id`: its
    /// known gender is `want`, or it is unknown and the person was named by
    /// a full name.
    fn agrees(&self, id: &str, want: Gender) -> bool {
        match self.gender_of(id) {
            Some(g) => g == want,
            None => self.entities.get(id).is_some_and(|r| r.label.split_whitespace().count() >= 2),
        }
    }

    /// Persons among `placed` a pronoun of gender `want` may mean, most
    /// salient first (name mentions, then the latest mention, pronouns
    /// resolved before included): those of the
    /// wanted known gender or of unknown gender (eligible when named by a
    /// full name).
    fn candidates(&self, placed: &[&Placed], want: Gender) -> Vec<Candidate> {
        let mut by_id: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for p in placed.iter().filter(|p| p.kind == EntityType::Person) {
            let e = by_id.entry(p.id.as_str()).or_insert((0, 0));
            e.0 += usize::from(!p.pronoun);
            e.1 = e.1.max(p.start);
        }
        let mut out: Vec<Candidate> = by_id
            .into_iter()
            .filter_map(|(id, (count, last))| {
                let g = self.gender_of(id);
                let full = self.entities.get(id).is_some_and(|r| r.label.split_whitespace().count() >= 2);
                let known = g == Some(want);
                (known || g.is_none()).then(|| Candidate {
                    id: id.to_string(),
                    count,
                    last,
                    known,
                    eligible: known || full,
                })
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then(b.last.cmp(&a.last)).then(a.id.cmp(&b.id)));
        out
    }

    /// A person's gender from the curated table, titles, the first-name
    /// list (the first word of a full name, or a one-word name that is a
    /// listed first name: "Eric"), the article's pronouns and the comment
    /// pronouns resolved to it; `None` when unknown or tied.
    pub(super) fn gender_of(&self, id: &str) -> Option<Gender> {
        let rec = self.entities.get(id)?;
        if rec.kind != EntityType::Person {
            return None;
        }
        let (mut male, mut female) = (rec.male, rec.female);
        let keys = name_keys(&rec.label);
        let full = person_key(&keys).zip(name_parts(&keys));
        if let Some((key, _)) = &full {
            if let Some(&pi) = self.tables.people.fl.get(key) {
                match PEOPLE[pi].1 {
                    Gender::Male => male += 10,
                    Gender::Female => female += 10,
                }
            }
        }
        // The word the first-name list is asked about.
        let listed = match (&full, &keys[..]) {
            (Some((_, (first, _, _))), _) => Some(*first),
            (None, [word]) => Some(word.as_str()),
            _ => None,
        };
        if let Some(word) = listed {
            if MALE_NAMES.contains(&word) {
                male += 1;
            } else if FEMALE_NAMES.contains(&word) {
                female += 1;
            }
        }
        match male.cmp(&female) {
            std::cmp::Ordering::Greater => Some(Gender::Male),
            std::cmp::Ordering::Less => Some(Gender::Female),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// Where a pronoun stands: its text `t` (with the parent it replies to),
/// its character offset, the text's words and sentences.
struct Position<'a, 'b> {
    t: usize,
    parent: Option<usize>,
    pos: usize,
    text: &'a TextInfo<'b>,
    sents: &'a [(usize, usize)],
}

/// The sentences of a comment that hold a word: a quote mark or an emoji
/// alone on its line is no sentence between a name and its pronoun.
fn worded_sentences(text: &TextInfo) -> Vec<(usize, usize)> {
    let mut words = text.words.iter().peekable();
    sentences(text)
        .into_iter()
        .filter(|&(a, b)| {
            while words.next_if(|w| w.start < a).is_some() {}
            words.peek().is_some_and(|w| w.start < b)
        })
        .collect()
}

/// Whether the name at characters `start..end` is in the possessive: it
/// ends with, or is followed by, an apostrophe and a lone "s" ("Putin's",
/// "Putin’s").
fn possessive(text: &TextInfo, start: usize, end: usize) -> bool {
    let ends = text.slice(start, end).is_some_and(|s| s.ends_with("'s") || s.ends_with("’s"));
    let followed = matches!(text.char_at(end), Some('\'' | '’'))
        && text.words.iter().find(|w| w.start == end + 1).is_some_and(|w| w.lower == "s");
    ends || followed
}

/// The candidate a pronoun surely means. One of the wanted known gender:
/// when no other such candidate (nor, in the pronoun's own comment, one of
/// unknown gender named by a full name) comes close, that is it has at
/// least [`SURE_MIN`] mentions and [`SURE_RATIO`] times theirs, or there is
/// none; and, in its own comment (`own`), no person of either kind was
/// named after it. With none of the known gender: only a lone candidate
/// named by a full name.
fn sure(cands: &[Candidate], own: bool) -> Option<String> {
    let Some(top) = cands.iter().find(|c| c.known) else {
        return match cands {
            [only] if only.eligible => Some(only.id.clone()),
            _ => None,
        };
    };
    let others = || cands.iter().filter(|c| c.id != top.id);
    let rival = others().filter(|c| c.known || (own && c.eligible)).map(|c| c.count).max();
    let close = rival.is_some_and(|r| top.count < SURE_MIN || top.count < SURE_RATIO * r);
    let later = own && others().any(|c| c.last > top.last);
    (!close && !later).then(|| top.id.clone())
}

/// The gender a comment gives each one-word person name (`None` for the
/// rest): that of a possessive pronoun (his, hers) following the name in
/// its sentence, at most [`CUE_GAP`] words after it, with no other name and
/// no other pronoun between ("Clinton used his position" → male). Subject
/// and object forms are left out, as is "her" (object or possessive): in
/// "Clinton beat him" or "Trump said she lied" the pronoun is someone
/// else.
pub(super) fn pronoun_cues(texts: &[TextInfo], pending: &[Pending]) -> Vec<Option<Gender>> {
    let mut sents: Vec<Option<Vec<(usize, usize)>>> = vec![None; texts.len()];
    pending
        .iter()
        .map(|p| {
            let Target::Person(name) = &p.target else { return None };
            if p.t == 0 || name.keys.len() != 1 {
                return None;
            }
            let text = texts.get(p.t)?;
            let sents = sents[p.t].get_or_insert_with(|| sentences(text));
            let end = sents.iter().find(|s| s.0 <= p.start && p.end <= s.1)?.1;
            let next_name = pending.iter().filter(|q| q.t == p.t && q.start >= p.end).map(|q| q.start).min();
            let limit = end.min(next_name.unwrap_or(end));
            let after = text.words.iter().filter(|w| w.start >= p.end && w.end <= limit);
            let (gap, word) = after.enumerate().find(|(_, w)| pronoun_class(&w.lower).is_some())?;
            match word.lower.as_str() {
                "his" if gap <= CUE_GAP => Some(Gender::Male),
                "hers" if gap <= CUE_GAP => Some(Gender::Female),
                _ => None,
            }
        })
        .collect()
}

/// The most words between a one-word name and the pronoun that gives it a
/// gender ([`pronoun_cues`]).
const CUE_GAP: usize = 3;

/// The gender a person's name tells: a curated person's, else that of a
/// first name of the small lists; `None` when unknown.
pub(super) fn name_gender(linker: &Linker, keys: &[String]) -> Option<Gender> {
    let (first, _, _) = name_parts(keys)?;
    if let Some(&pi) = person_key(keys).and_then(|k| linker.tables.people.fl.get(&k)) {
        return Some(PEOPLE[pi].1);
    }
    if MALE_NAMES.contains(&first) {
        Some(Gender::Male)
    } else if FEMALE_NAMES.contains(&first) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// How many sentences before its own a pronoun's person in focus may be
/// named ([`Linker::in_focus`]): the one before, or two before over a
/// sentence that names no one else who may take the pronoun.
const FOCUS_REACH: usize = 2;

/// A pronoun's person among rivals: at least this many mentions…
const SURE_MIN: usize = 2;
/// …and this many times the mentions of every rival.
const SURE_RATIO: usize = 2;

/// they/them: the organisation or country that is the subject (first
/// mention, within the first four words) of the previous sentence.
fn resolve_plural(text: &TextInfo, sents: &[(usize, usize)], pos: usize, placed: &[Placed]) -> Option<String> {
    let k = sents.partition_point(|s| s.1 <= pos);
    if k == 0 || k > sents.len() {
        return None;
    }
    let (a, b) = sents[k - 1];
    let first = placed.iter().find(|p| p.start >= a && p.start < b)?;
    let words_before = text.words.iter().filter(|w| w.start >= a && w.start < first.start).count();
    if words_before >= 4 {
        return None;
    }
    matches!(first.kind, EntityType::Organisation | EntityType::Country).then(|| first.id.clone())
}

/// A small first-name list (a weak gender cue).
const MALE_NAMES: &[&str] = &[
    "joe",
    "joseph",
    "donald",
    "barack",
    "bill",
    "william",
    "george",
    "john",
    "james",
    "robert",
    "michael",
    "david",
    "richard",
    "thomas",
    "charles",
    "mark",
    "paul",
    "peter",
    "mike",
    "ted",
    "marco",
    "jeb",
    "bernie",
    "vladimir",
    "sergei",
    "dmitry",
    "benjamin",
    "emmanuel",
    "olaf",
    "rishi",
    "keir",
    "boris",
    "justin",
    "narendra",
    "recep",
    "ali",
    "hassan",
    "hossein",
    "mohammed",
    "muhammad",
    "mohammad",
    "ahmed",
    "ahmad",
    "ebrahim",
    "ibrahim",
    "bashar",
    "shinzo",
    "fumio",
    "yoshihide",
    "shigeru",
    "taro",
    "hiroshi",
    "takeshi",
    "kenji",
    "hideki",
    "junichiro",
    "antony",
    "anthony",
    "tony",
    "jens",
    "antonio",
    "elon",
    "jair",
    "luiz",
    "kevin",
    "chris",
    "christopher",
    "daniel",
    "matthew",
    "andrew",
    "steve",
    "stephen",
    "brian",
    "eric",
    "scott",
    "jeff",
    "tim",
    "tom",
    "jack",
    "harry",
    "henry",
    "abdullah",
    "omar",
    "yahya",
    "ismail",
    "mahmoud",
    "volodymyr",
    "xi",
];

const FEMALE_NAMES: &[&str] = &[
    "mary",
    "hillary",
    "kamala",
    "nancy",
    "angela",
    "theresa",
    "liz",
    "elizabeth",
    "ursula",
    "yoko",
    "yuriko",
    "sanae",
    "seiko",
    "jacinda",
    "giorgia",
    "marine",
    "golda",
    "indira",
    "sarah",
    "anna",
    "maria",
    "jennifer",
    "linda",
    "susan",
    "karen",
    "lisa",
    "emma",
    "olivia",
    "sophia",
    "elena",
    "nikki",
    "michelle",
    "melania",
    "ivanka",
    "jill",
    "laura",
    "hannah",
    "julia",
    "catherine",
    "kate",
    "victoria",
    "margaret",
    "anne",
    "ann",
    "jane",
    "emily",
    "rachel",
    "rebecca",
    "christine",
    "claudia",
    "hasina",
];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::link::test_util::{doc, span};
    use crate::link::{DocumentSpans, LinkedBy, Source};
    use crate::ner::{EntityKind, EntitySpan};

    /// (pronoun, entity id) of each pronoun mention a fresh linker makes.
    fn pronoun_links(d: &crate::corpus::Document, spans: &DocumentSpans) -> Vec<(String, String)> {
        Linker::new()
            .link(d, spans)
            .into_iter()
            .filter(|m| m.linked_by == LinkedBy::Pronoun)
            .map(|m| (m.text, m.entity_id))
            .collect()
    }

    /// Article with two people: a woman (learnt from "her") and a man
    /// (curated), plus a third person of unknown gender.
    const TWO_PEOPLE: &str = "Minister Anna Lind asked her counterpart. Vladimir Putin refused. Lars Norberg watched.";

    fn two_people_spans() -> Vec<EntitySpan> {
        vec![
            span(TWO_PEOPLE, "Anna Lind", 0, EntityKind::Person),
            span(TWO_PEOPLE, "Vladimir Putin", 0, EntityKind::Person),
            span(TWO_PEOPLE, "Lars Norberg", 0, EntityKind::Person),
        ]
    }

    fn pronouns(
        comments: &[(&str, Option<usize>)],
        comment_spans: Vec<Vec<EntitySpan>>,
    ) -> Vec<(usize, String, String)> {
        let d = doc(TWO_PEOPLE, comments);
        let mut linker = Linker::new();
        let spans = DocumentSpans { article: two_people_spans(), comments: comment_spans };
        linker
            .link(&d, &spans)
            .into_iter()
            .filter(|m| m.linked_by == LinkedBy::Pronoun)
            .map(|m| match m.source {
                Source::Comment(i) => (i, m.text, m.entity_id),
                Source::Article => panic!("article pronouns are not resolved"),
            })
            .collect()
    }

    #[test]
    fn pronouns_use_learnt_and_curated_gender() {
        let got = pronouns(&[("Does she even care?", None), ("I doubt he will listen to her.", None)], vec![]);
        assert_eq!(
            got,
            vec![
                (0, "she".into(), "person:anna-lind".into()),
                (1, "he".into(), "person:vladimir-putin".into()),
                (1, "her".into(), "person:anna-lind".into()),
            ]
        );
    }

    #[test]
    fn pronouns_prefer_the_comment_then_the_parent() {
        let c0 = "Lars Norberg is right and his plan works.";
        let c1 = "Maybe, but he never explains it.";
        let got =
            pronouns(&[(c0, None), (c1, Some(0))], vec![vec![span(c0, "Lars Norberg", 0, EntityKind::Person)], vec![]]);
        assert_eq!(
            got,
            vec![(0, "his".into(), "person:lars-norberg".into()), (1, "he".into(), "person:lars-norberg".into())]
        );
    }

    #[test]
    fn pronouns_are_skipped_when_not_confident() {
        // Two unknown-gender people and no female/male cue: nothing.
        let article = "Kim Lee met Sam Park.";
        let d = doc(article, &[("They say he lies.", None)]);
        let spans = DocumentSpans {
            article: vec![
                span(article, "Kim Lee", 0, EntityKind::Person),
                span(article, "Sam Park", 0, EntityKind::Person),
            ],
            comments: vec![],
        };
        let mut linker = Linker::new();
        let m = linker.link(&d, &spans);
        assert!(m.iter().all(|m| m.linked_by != LinkedBy::Pronoun), "{m:?}");
        // A male-only comment person does not take "she".
        let c = "Putin is wrong, she says.";
        let d = doc("No people here.", &[(c, None)]);
        let spans = DocumentSpans { article: vec![], comments: vec![vec![span(c, "Putin", 0, EntityKind::Person)]] };
        let m = linker.link(&d, &spans);
        assert!(m.iter().all(|m| m.linked_by != LinkedBy::Pronoun), "{m:?}");
    }

    #[test]
    fn they_resolves_to_the_previous_sentence_subject_organisation_or_country() {
        let c = "Iran is behind this. They wanted chaos. Then Putin spoke. They agreed.";
        let d = doc("Nothing.", &[(c, None)]);
        let spans = DocumentSpans {
            article: vec![],
            comments: vec![vec![span(c, "Iran", 0, EntityKind::Location), span(c, "Putin", 0, EntityKind::Person)]],
        };
        let m = pronoun_links(&d, &spans);
        // The second "They" follows a sentence whose subject is a person.
        assert_eq!(m, vec![("They".to_string(), "IRN".to_string())]);
    }

    #[test]
    fn titles_give_gender() {
        let article = "Mrs Chen met Mr. Okafor.";
        let d = doc(article, &[("I think she won.", None), ("And he lost.", None)]);
        let spans = DocumentSpans {
            article: vec![span(article, "Chen", 0, EntityKind::Person), span(article, "Okafor", 0, EntityKind::Person)],
            comments: vec![],
        };
        let m = pronoun_links(&d, &spans);
        assert_eq!(m, vec![("she".into(), "person:chen".into()), ("he".into(), "person:okafor".into())]);
    }

    #[test]
    fn a_pronoun_prefers_a_person_of_the_known_gender() {
        // "Zorg" (unknown gender) is named more often in the comment than
        // Anna Lind (female, learnt from the article's "her"): "she" is Anna.
        let c = "Zorg and Zorg again. Anna Lind too. Does she care?";
        let comment_spans = vec![vec![
            span(c, "Zorg", 0, EntityKind::Person),
            span(c, "Zorg", 1, EntityKind::Person),
            span(c, "Anna Lind", 0, EntityKind::Person),
        ]];
        let got = pronouns(&[(c, None)], comment_spans);
        assert_eq!(got, vec![(0, "she".into(), "person:anna-lind".into())]);
        // With no person of the known gender in the comment, a lone word of
        // unknown gender is not sure (issue 26: "she" went to "MacDonalds"
        // typed as a person): nothing is linked, and the comment's candidate
        // keeps the article's people out.
        let c = "Zorg is wrong. Does she care?";
        let got = pronouns(&[(c, None)], vec![vec![span(c, "Zorg", 0, EntityKind::Person)]]);
        assert_eq!(got, vec![]);
        // Named by a full name, a lone candidate of unknown gender is.
        let c = "Zorg Ulm is wrong. Does she care?";
        let got = pronouns(&[(c, None)], vec![vec![span(c, "Zorg Ulm", 0, EntityKind::Person)]]);
        assert_eq!(got, vec![(0, "she".into(), "person:zorg-ulm".into())]);
    }

    #[test]
    fn pronouns_need_a_sure_person_and_say_where_it_was_found() {
        let d = |comments: &[(&str, Option<usize>)]| doc("", comments);
        let link =
            |comments: &[(&str, Option<usize>)], names: &[&[&str]]| -> Vec<(String, String, Option<Antecedent>)> {
                let spans = DocumentSpans {
                    article: vec![],
                    comments: comments
                        .iter()
                        .zip(names)
                        .map(|((c, _), ns)| ns.iter().map(|n| span(c, n, 0, EntityKind::Person)).collect())
                        .collect(),
                };
                Linker::new()
                    .link(&d(comments), &spans)
                    .into_iter()
                    .filter(|m| m.linked_by == LinkedBy::Pronoun)
                    .map(|m| (m.text, m.entity_id, m.antecedent))
                    .collect()
            };
        // Two men named once each: "he" is neither.
        let c = [("Trump said Biden is old. He is.", None)];
        assert_eq!(link(&c, &[&["Trump", "Biden"]]), vec![]);
        // A rival named after the leader in the comment: nothing.
        let c = [("Trump, Trump and Dan Quayle: he could not spell.", None)];
        assert_eq!(link(&c, &[&["Trump", "Dan Quayle"]]), vec![]);
        // The parent's one man, found in the parent.
        let c = [("Biden is old.", None), ("He is not.", Some(0))];
        assert_eq!(
            link(&c, &[&["Biden"], &[]]),
            vec![("He".to_string(), "person:joe-biden".to_string(), Some(Antecedent::Parent))]
        );
        // Resolved pronouns do not make their person more salient: one name
        // each in the parent, so "she" of the reply is nobody.
        let c = [("Kamala Harris and her rival Sarah Sanders.", None), ("She is.", Some(0))];
        let got = link(&c, &[&["Kamala Harris", "Sarah Sanders"], &[]]);
        assert_eq!(got, vec![("her".to_string(), "person:kamala-harris".to_string(), Some(Antecedent::Comment))]);
    }
    /// (pronoun, entity id) of the pronouns of one comment whose people are
    /// the given names (each tagged at its first occurrence as a person).
    fn comment_links(c: &str, names: &[&str]) -> Vec<(String, String)> {
        let d = doc("", &[(c, None)]);
        let spans = DocumentSpans {
            article: vec![],
            comments: vec![names.iter().map(|n| span(c, n, 0, EntityKind::Person)).collect()],
        };
        pronoun_links(&d, &spans)
    }

    #[test]
    fn a_pronoun_takes_the_person_in_focus_where_none_is_sure() {
        // Biden and Trump are named once each: not sure by counts, but Trump
        // is the one named in the pronoun's sentence.
        let c = "Biden dropped out. Trump is the only old man now, and he rambles.";
        assert_eq!(comment_links(c, &["Biden", "Trump"]), vec![("he".into(), "person:donald-trump".into())]);
        // The sentence before counts too, and a resolved "he" carries its
        // person on; "Putin's" (possessive) is passed over.
        let c = "Biden is old. Trump lost. He is Putin's puppet. He kissed ass.";
        assert_eq!(
            comment_links(c, &["Biden", "Trump", "Putin"]),
            vec![("He".into(), "person:donald-trump".into()), ("He".into(), "person:donald-trump".into())]
        );
        // A name in the possessive modifies a noun: "Obama's" is passed over.
        let c = "Biden spoke. Trump is Obama's heir and he knows it.";
        assert_eq!(comment_links(c, &["Biden", "Trump", "Obama"]), vec![("he".into(), "person:donald-trump".into())]);
        // A person of unknown gender named by a full name may be in focus.
        let c = "Trump and Trump again. We told Dan Quayle to go because he could not spell.";
        assert_eq!(comment_links(c, &["Trump", "Dan Quayle"]), vec![("he".into(), "person:dan-quayle".into())]);
    }

    #[test]
    fn no_focus_without_agreement_or_with_a_rival_close_by() {
        // Two men in the pronoun's sentence: either could be meant.
        let c = "Biden is old. Kanye Smith visited Trump, then he left.";
        assert_eq!(comment_links(c, &["Biden", "Kanye Smith", "Trump"]), vec![]);
        // Two men in the sentence before, none in the pronoun's own.
        let c = "Biden is old. Obama met Trump. He left.";
        assert_eq!(comment_links(c, &["Biden", "Obama", "Trump"]), vec![]);
        // The nearest person is further back than the sentence before.
        let c = "Biden met Trump. It rained. It was cold. He left.";
        assert_eq!(comment_links(c, &["Biden", "Trump"]), vec![]);
        // Gender disagrees: "she" is not Trump's, and a lone word of unknown
        // gender ("Zorg", often a surname or no person at all) is no focus.
        let c = "Biden met Trump. Then Trump spoke and she left.";
        assert_eq!(comment_links(c, &["Biden", "Trump"]), vec![]);
        let c = "Zorg met Zorg. Then Zorg spoke and he left.";
        assert_eq!(comment_links(c, &["Zorg"]), vec![]);
    }

    #[test]
    fn the_focus_reaches_over_a_sentence_that_names_no_one() {
        // Biden and Trump once each: not sure. "Wow." names no one, so
        // Trump, two sentences back, is still in focus.
        let c = "Biden spoke. Trump lied again. Wow. He rambles.";
        assert_eq!(comment_links(c, &["Biden", "Trump"]), vec![("He".into(), "person:donald-trump".into())]);
        // A sentence between that names no one who may take the pronoun
        // (a woman for "he") leaves the focus too.
        let c = "Biden spoke. Trump lied again. Kamala Harris laughed. He rambles.";
        assert_eq!(
            comment_links(c, &["Biden", "Trump", "Kamala Harris"]),
            vec![("He".into(), "person:donald-trump".into())]
        );
        // A closing quote alone on its line is no sentence between them.
        let c = "Biden spoke. Trump said \"nobody is smarter.\"\nWow.\nHe rambles.";
        assert_eq!(comment_links(c, &["Biden", "Trump"]), vec![("He".into(), "person:donald-trump".into())]);
    }

    #[test]
    fn sentences_without_a_word_are_left_out() {
        let t = TextInfo::new("\"I won.\"\n\"\n😂\nHe lied.");
        let texts: Vec<String> =
            worded_sentences(&t).iter().map(|&(a, b)| t.slice(a, b).unwrap_or_default().trim().to_string()).collect();
        assert_eq!(texts, vec!["\"I won.", "He lied."]);
    }

    #[test]
    fn no_focus_over_a_rival_or_further_back() {
        // The sentence between names another man (in the possessive: no
        // focus itself, but a rival all the same).
        let c = "Biden spoke. Trump lied again. Obama's dog barked. He rambles.";
        assert_eq!(comment_links(c, &["Biden", "Trump", "Obama"]), vec![]);
        // Three sentences back is out of reach, whatever lies between.
        let c = "Biden spoke. Trump lied again. Wow. Sad. He rambles.";
        assert_eq!(comment_links(c, &["Biden", "Trump"]), vec![]);
        // Two men in the focus's sentence: either could be meant.
        let c = "Biden is old. Obama met Trump. Wow. He left.";
        assert_eq!(comment_links(c, &["Biden", "Obama", "Trump"]), vec![]);
    }

    #[test]
    fn a_person_a_pronoun_surely_means_takes_its_gender() {
        // "She" can only be Zorg Ulm (no woman known), who is then a woman:
        // "He" is Trump, not the nearer Zorg Ulm of unknown gender.
        let c = "Trump sued Zorg Ulm. She won. He lost.";
        assert_eq!(
            comment_links(c, &["Trump", "Zorg Ulm"]),
            vec![("She".into(), "person:zorg-ulm".into()), ("He".into(), "person:donald-trump".into())]
        );
        // A man never takes "she", and a woman never "he", whatever was
        // resolved before.
        let c = "Trump sued Zorg Ulm. He won. She lost.";
        assert_eq!(comment_links(c, &["Trump", "Zorg Ulm"]), vec![("She".into(), "person:zorg-ulm".into())]);
    }

    #[test]
    fn a_one_word_name_on_the_first_name_list_has_its_gender() {
        // "Eric" alone is a man: the one candidate for "he".
        let c = "Eric can't spell the words but he agrees with them.";
        assert_eq!(comment_links(c, &["Eric"]), vec![("he".into(), "person:eric".into())]);
        // Not for "she", and a one-word name off the list stays unknown and
        // takes neither.
        let c = "Eric can't spell the words but she agrees with them.";
        assert_eq!(comment_links(c, &["Eric"]), vec![]);
        let c = "Zorg can't spell the words but he agrees with them.";
        assert_eq!(comment_links(c, &["Zorg"]), vec![]);
    }

    #[test]
    fn possessive_names_end_with_apostrophe_s() {
        let t = TextInfo::new("Putin's puppet, Putin’s dog, Putin said, Putins s");
        assert!(possessive(&t, 0, 5));
        assert!(possessive(&t, 0, 7));
        assert!(possessive(&t, 16, 21));
        assert!(!possessive(&t, 28, 33));
        assert!(!possessive(&t, 40, 46));
    }
}
