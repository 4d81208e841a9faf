//! Junk spans: NER spans that name nothing (function words only,
//! interjections and chat words, a lone unknown word that is a whole
//! question or exclamation) and are dropped before linking.

use super::text::{has_lowercase, TextInfo};
use super::{DocContext, Linker};
use crate::ner::{EntityKind, EntitySpan};

impl Linker {
    /// Whether a span names nothing (see "Junk spans" in the module doc):
    /// only function words ("of", "the"), a one-word Person span that is an
    /// interjection or chat word ("Wut", "lol"), or a one-word Person span
    /// that is a whole question or exclamation by itself ("Blorp?") and no
    /// known name (a word of a longer Person span of the document, a curated
    /// short form, or a surname / first name seen in the corpus).
    pub(super) fn is_junk(&self, span: &EntitySpan, surface: &str, text: &TextInfo, ctx: &DocContext) -> bool {
        let info = TextInfo::new(surface);
        let words = &info.words;
        if words.is_empty() {
            return true;
        }
        let acronym = !has_lowercase(surface) && surface.chars().filter(|c| c.is_alphabetic()).count() >= 2;
        if !acronym && words.iter().all(|w| FUNCTION_WORDS.contains(&w.lower.as_str())) {
            return true;
        }
        if span.kind != EntityKind::Person || words.len() != 1 {
            return false;
        }
        let key = &words[0].lower;
        if INTERJECTIONS.contains(&key.as_str()) {
            return true;
        }
        let known = ctx.person_words.contains(key)
            || self.tables.people.short.contains_key(key)
            || self.surnames.contains_key(key)
            || self.first_names.contains_key(key);
        !known && alone_in_exclamation(text, span.start, span.end)
    }
}

/// Whether `start..end` is a whole sentence by itself ending in ? or !
/// ("Wut? Hamas already asked…"): only spaces or quotes between it and the
/// start of the text or the previous sentence end, then ? / ! and a space
/// or the end.
fn alone_in_exclamation(text: &TextInfo, start: usize, end: usize) -> bool {
    let mut i = start;
    while i > 0 {
        match text.char_at(i - 1) {
            Some(c) if c.is_whitespace() || matches!(c, '"' | '“' | '\'' | '‘' | '(') => i -= 1,
            Some(c) => {
                if !matches!(c, '.' | '!' | '?' | '…') {
                    return false;
                }
                break;
            }
            None => break,
        }
    }
    let mut j = end;
    let mut marks = 0;
    while let Some(c) = text.char_at(j) {
        if matches!(c, '?' | '!') {
            marks += 1;
            j += 1;
        } else {
            break;
        }
    }
    marks > 0 && text.char_at(j).map(char::is_whitespace).unwrap_or(true)
}

/// Words that never make a name on their own: a span of nothing but these
/// ("of", "The", "in the") is dropped. Not "us" (the US), and an all-capital
/// span (IT, AND) is kept as a possible acronym.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "about", "into", "over", "under",
    "and", "or", "but", "nor", "so", "as", "if", "than", "then", "that", "this", "these", "those", "there", "here",
    "it", "its", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "i", "me", "my", "we", "our",
    "you", "your", "he", "him", "his", "she", "her", "they", "them", "their", "not", "no", "all", "any", "some", "one",
    "s", "t",
];

/// Interjections and chat words a model may tag as a one-word person
/// ("Wut? Hamas already asked…"); such Person spans are dropped.
const INTERJECTIONS: &[&str] = &[
    "wut",
    "wat",
    "what",
    "lol",
    "lmao",
    "lmfao",
    "rofl",
    "omg",
    "omfg",
    "wow",
    "yes",
    "yeah",
    "yep",
    "yup",
    "nope",
    "nah",
    "ok",
    "okay",
    "hmm",
    "hmmm",
    "hm",
    "huh",
    "meh",
    "ugh",
    "duh",
    "wtf",
    "smh",
    "imo",
    "imho",
    "oh",
    "ah",
    "aha",
    "haha",
    "hahaha",
    "hah",
    "hey",
    "oops",
    "yikes",
    "sigh",
    "bravo",
    "amen",
    "thanks",
    "please",
    "sorry",
    "well",
    "sure",
    "indeed",
    "really",
    "seriously",
    "exactly",
    "agreed",
    "nonsense",
    "rubbish",
    "boo",
    "whoa",
    "jeez",
    "geez",
    "gosh",
    "damn",
    "yay",
    "nay",
];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::link::test_util::{doc, link_text, span};
    use crate::link::{DocumentSpans, Source};

    #[test]
    fn junk_spans_are_dropped() {
        // The seed's shape: an interjection tagged Person opens the comment,
        // and "she" then means the article's woman.
        let article = "Foreign Minister Yoko Kamikawa asked her counterpart. Hossein Abdollahian agreed.";
        let c0 = "Wut? Hamas already asked. Does she even watch the news?";
        let c1 = "Blorp?! She called Tehran.";
        let c2 = "The US of where? Trump? Never. lol";
        let d = doc(article, &[(c0, None), (c1, None), (c2, None)]);
        let spans = DocumentSpans {
            article: vec![
                span(article, "Yoko Kamikawa", 0, EntityKind::Person),
                span(article, "Hossein Abdollahian", 0, EntityKind::Person),
            ],
            comments: vec![
                vec![span(c0, "Wut", 0, EntityKind::Person), span(c0, "Hamas", 0, EntityKind::Organisation)],
                vec![span(c1, "Blorp", 0, EntityKind::Person), span(c1, "Tehran", 0, EntityKind::Location)],
                vec![
                    span(c2, "The", 0, EntityKind::Organisation),
                    span(c2, "US", 0, EntityKind::Location),
                    span(c2, "of", 0, EntityKind::Location),
                    span(c2, "Trump", 0, EntityKind::Person),
                    span(c2, "lol", 0, EntityKind::Person),
                ],
            ],
        };
        let mut linker = Linker::new();
        let got: Vec<(Source, String, String)> =
            linker.link(&d, &spans).into_iter().map(|m| (m.source, m.text, m.entity_id)).collect();
        let comment = |i: usize| -> Vec<(String, String)> {
            got.iter().filter(|m| m.0 == Source::Comment(i)).map(|m| (m.1.clone(), m.2.clone())).collect()
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        // "Wut" (listed interjection) and "Blorp" (a whole "?!" sentence, no
        // known name) are no people; "she" goes to Yoko Kamikawa.
        assert_eq!(comment(0), vec![pair("Hamas", "org:hamas"), pair("she", "person:yoko-kamikawa")],);
        assert_eq!(comment(1), vec![pair("She", "person:yoko-kamikawa"), pair("Tehran", "loc:tehran")]);
        // "The" and "of" name nothing; "US" stays the US, and "Trump?" alone
        // is a known name, kept.
        assert_eq!(comment(2), vec![pair("US", "USA"), pair("Trump", "person:donald-trump")]);
        assert!(linker
            .entities()
            .iter()
            .all(|e| !["person:wut", "person:blorp", "loc:of", "person:lol"].contains(&e.id.as_str())));

        // A whole-sentence name the corpus knows is kept; capitals are kept
        // as a possible acronym ("IT"), a name inside a sentence is kept.
        let text = "Zorg Blorp spoke. Blorp? IT said no. Then Blorp left.";
        let got = link_text(
            &mut linker,
            text,
            vec![
                span(text, "Zorg Blorp", 0, EntityKind::Person),
                span(text, "Blorp", 1, EntityKind::Person),
                span(text, "IT", 0, EntityKind::Organisation),
                span(text, "Blorp", 2, EntityKind::Person),
            ],
        );
        let ids: Vec<&str> = got.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(ids, ["person:zorg-blorp", "person:zorg-blorp", "org:it", "person:zorg-blorp"]);
    }
}
