//! The gazetteer pass: country names, abbreviations and demonyms no NER span
//! covers, found by a hash lookup over word n-grams (longest first), with
//! the case, glue and shouting checks that keep "us" and "New Mexico" out.
//! Owns no table: it reads the [`CountryTable`] through the linker's tables.

use super::countries::{CasePat, CountryTable, CONTEXT_REQUIRED};
use super::text::{has_lowercase, has_uppercase, TextInfo, Word};
use super::{overlaps, DocContext, LinkedBy, Linker, Pending, Target};

impl Linker {
    /// Country names, abbreviations and demonyms that no NER span covers.
    pub(super) fn gazetteer(
        &self,
        t: usize,
        texts: &[TextInfo],
        covered: &[(usize, usize)],
        ctx: &mut DocContext,
        out: &mut Vec<Pending>,
    ) {
        let text = &texts[t];
        let words = &text.words;
        let countries = &self.tables.countries;
        let mut i = 0;
        while i < words.len() {
            // Alias keys that can start here, grown word by word while the
            // words are joined and still the prefix of some alias.
            let mut key = words[i].lower.clone();
            if !countries.alias_prefixes.contains(&key) {
                i += 1;
                continue;
            }
            let mut runs: Vec<(usize, String)> = vec![(1, key.clone())];
            while runs.len() < countries.max_alias_words
                && i + runs.len() < words.len()
                && joinable(text, &words[i + runs.len() - 1], &words[i + runs.len()])
            {
                key.push(' ');
                key.push_str(&words[i + runs.len()].lower);
                if !countries.alias_prefixes.contains(&key) {
                    break;
                }
                runs.push((runs.len() + 1, key.clone()));
            }
            let mut found = None;
            for (n, key) in runs.into_iter().rev() {
                let run = &words[i..i + n];
                let Some(entry) = countries.keys.get(&key) else { continue };
                if !entry.patterns.iter().any(|p| case_ok(p, run, text)) {
                    continue;
                }
                if GAZETTEER_EXCLUDED.contains(&key.as_str()) {
                    continue;
                }
                if CONTEXT_REQUIRED.contains(&key.as_str()) && !ctx.georgia_is_country(texts) {
                    continue;
                }
                let start = run[0].start;
                let mut end = run[n - 1].end;
                if run.iter().all(|w| w.end - w.start == 1) && text.char_at(end) == Some('.') {
                    end += 1;
                }
                if overlaps(covered, start, end) || glued(text, words, i, n) || text.char_at(end) == Some('$') {
                    continue;
                }
                if entry.abbrev_only
                    && key.chars().filter(|c| c.is_alphabetic()).count() <= 3
                    && shouting(countries, text, words, i, n)
                {
                    continue;
                }
                found = Some((n, start, end, entry.country));
                break;
            }
            match found {
                Some((n, start, end, country)) => {
                    out.push(Pending {
                        t,
                        start,
                        end,
                        text: text.slice(start, end).unwrap_or_default().to_string(),
                        by: LinkedBy::Gazetteer,
                        target: Target::Country(country),
                        cue: None,
                    });
                    i += n;
                }
                None => i += 1,
            }
        }
    }
}

/// Country aliases the gazetteer never proposes on its own (common names,
/// words or places of another kind); NER spans still link them.
const GAZETTEER_EXCLUDED: &[&str] = &[
    "jordan", "chad", "jersey", "holland", "reunion", "kiwi", "kiwis", "pole", "poles", "finn", "finns", "dane", "roc",
    "lao",
];

/// A capitalised word right before a gazetteer match that makes it part of
/// a longer name ("New Mexico", "Latin America", "Native Americans").
const PREV_BLOCK: &[&str] = &[
    "New", "Latin", "North", "South", "Central", "Native", "African", "Pan", "Northern", "Southern", "Meso", "Anglo",
    "Baja", "Air",
];

/// A word right after a gazetteer match that makes it part of a longer
/// name ("Mexico City", "Indian Ocean", "Korean Peninsula").
const NEXT_BLOCK: &[&str] = &["City", "Ocean", "Sea", "Strait", "Straits", "Peninsula", "Gulf", "Airlines", "Airways"];

/// Whether two neighbouring words may belong to one alias ("U.S.",
/// "Guinea-Bissau", "Côte d'Ivoire", "United States"): a short gap of
/// spaces, dots, hyphens or apostrophes, without a line break.
fn joinable(text: &TextInfo, a: &Word, b: &Word) -> bool {
    let gap = b.start.saturating_sub(a.end);
    if gap == 0 || gap > 3 {
        return false;
    }
    text.slice(a.end, b.start).map(|g| g.chars().all(|c| matches!(c, ' ' | '.' | '-' | '\'' | '’'))).unwrap_or(false)
}

/// Whether a gazetteer match is part of a longer proper name ("New Mexico",
/// "Latin America", "Mexico City", "Indian Ocean").
fn glued(text: &TextInfo, words: &[Word], i: usize, n: usize) -> bool {
    let spaced = |a: &Word, b: &Word| b.start == a.end + 1 && matches!(text.char_at(a.end), Some(' ') | Some('-'));
    if i > 0 && spaced(&words[i - 1], &words[i]) && PREV_BLOCK.contains(&text.word_text(&words[i - 1])) {
        return true;
    }
    if let Some(next) = words.get(i + n) {
        if spaced(&words[i + n - 1], next) && NEXT_BLOCK.contains(&text.word_text(next)) {
            return true;
        }
    }
    false
}

/// Whether a short all-capital abbreviation sits in shouted all-capital
/// text ("LET US GO"), where it is more likely a word than a country.
fn shouting(countries: &CountryTable, text: &TextInfo, words: &[Word], i: usize, n: usize) -> bool {
    let caps = |w: &Word| {
        let s = text.word_text(w);
        s.chars().count() >= 2
            && s.chars().all(|c| c.is_alphabetic() && !c.is_lowercase())
            && !countries.keys.contains_key(&w.lower)
    };
    let neighbours: Vec<&Word> =
        [i.checked_sub(1).and_then(|j| words.get(j)), words.get(i + n)].into_iter().flatten().collect();
    !neighbours.is_empty() && neighbours.iter().all(|w| caps(w))
}

fn case_ok(pattern: &[CasePat], run: &[Word], text: &TextInfo) -> bool {
    pattern.len() == run.len()
        && pattern.iter().zip(run).all(|(p, w)| {
            let s = text.word_text(w);
            match p {
                CasePat::Upper => !has_lowercase(s) && has_uppercase(s),
                CasePat::Initial => s.chars().next().map(char::is_uppercase).unwrap_or(false),
                CasePat::Any => true,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::link::test_util::{gazetteer_hits, link_text, span};
    use crate::ner::EntityKind;

    #[test]
    fn gazetteer_finds_missed_country_words_case_sensitively() {
        assert_eq!(gazetteer_hits("The US of where?"), vec![("US".into(), "USA".into())]);
        assert_eq!(gazetteer_hits("Iranian markings everywhere"), vec![("Iranian".into(), "IRN".into())]);
        assert_eq!(gazetteer_hits("Life in the U.K. is dull."), vec![("U.K.".into(), "GBR".into())]);
        assert_eq!(gazetteer_hits("back in the States now"), vec![("the States".into(), "USA".into())]);
        assert_eq!(
            gazetteer_hits("the United States of America"),
            vec![("United States of America".into(), "USA".into())]
        );
        assert_eq!(gazetteer_hits("US-led talks"), vec![("US".into(), "USA".into())]);
        assert_eq!(gazetteer_hits("Congo-Brazzaville votes"), vec![("Congo-Brazzaville".into(), "COG".into())]);
        assert_eq!(gazetteer_hits("North Korean missiles"), vec![("North Korean".into(), "PRK".into())]);
        for text in [
            "let us go",
            "Us two",
            "LET US GO NOW",
            "IT and ME",
            "iranian food",
            "america first",
            "the states",
            "Jordan scored",
            "Chad said hi",
            "Visit New Mexico",
            "Latin America grows",
            "Native Americans",
            "Mexico City traffic",
            "the Indian Ocean",
            "South China Sea",
            "US$ 300",
        ] {
            assert!(gazetteer_hits(text).is_empty(), "{text}: {:?}", gazetteer_hits(text));
        }
    }

    #[test]
    fn gazetteer_skips_regions_covered_by_ner_spans() {
        let mut linker = Linker::new();
        let text = "The Japanese Foreign Ministry and Japan Airlines met Iran.";
        let spans = vec![
            span(text, "Japanese Foreign Ministry", 0, EntityKind::Organisation),
            span(text, "Japan Airlines", 0, EntityKind::Organisation),
        ];
        let m = link_text(&mut linker, text, spans);
        let country_mentions: Vec<_> = m.iter().filter(|(_, id, _)| !id.starts_with("org:")).collect();
        assert_eq!(country_mentions, vec![&("Iran".to_string(), "IRN".to_string(), LinkedBy::Gazetteer)]);
    }
}
