//! Finding a target's mentions in a gold text, as the training side's
//! Python does: [`find_mentions`] re-implements its regular expressions by
//! hand (Rust's `regex` has no look-behind): case-insensitive whole-word
//! matches of the target's aliases (a known person's name may carry a bare
//! "s"), hashtags starting with a known prefix, and known handles with an
//! optional `@` / `#`; "whole word" and case folding follow Python's `re` on
//! `str`.

use crate::eval::example::py_strip;
use crate::stance::resolve_overlaps;

/// Known persons: whole-word aliases, hashtag prefixes, handles (the
/// `ALIASES` table of stance_data.py).
struct Aliases {
    key: &'static str,
    words: &'static [&'static str],
    hashtags: &'static [&'static str],
    handles: &'static [&'static str],
}

const ALIASES: &[Aliases] = &[
    Aliases {
        key: "donald trump",
        words: &["Donald Trump", "Donald J. Trump", "Trump", "Donald"],
        hashtags: &["Trump", "DonaldTrump"],
        handles: &["@realDonaldTrump"],
    },
    Aliases {
        key: "joe biden",
        words: &["Joe Biden", "Joseph Biden", "Biden", "Joe"],
        hashtags: &["Biden", "JoeBiden"],
        handles: &["@JoeBiden"],
    },
    Aliases {
        key: "bernie sanders",
        words: &["Bernie Sanders", "Bernie", "Sanders"],
        hashtags: &["Bernie", "Sanders"],
        handles: &["@BernieSanders", "@SenSanders"],
    },
    Aliases {
        key: "hillary clinton",
        words: &["Hillary Clinton", "Hillary Rodham Clinton", "Hillary", "Hilary", "Clinton"],
        hashtags: &["Hillary", "Hilary", "HillaryClinton"],
        handles: &["@HillaryClinton"],
    },
];

/// Python's `\w` on `str`: letters, numbers and `_`. Rust's alphabetic
/// property also counts the characters of Other_Alphabetic: the enclosed
/// letters among them (Ⓐ, 🅰, 🅿) are excluded here; its ~1,300 combining
/// vowel signs (Indic, Arabic, Hebrew points) are not, so only next to those
/// can a word boundary differ from Python's (none occurs in the stance sets).
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric() && !is_other_alphabetic_symbol(c)
}

/// Other_Alphabetic characters that are not letters or numbers to Python:
/// the combining Greek ypogegrammeni and the circled / squared Latin letters
/// (🅰 🅱 🅾 🅿 among them).
fn is_other_alphabetic_symbol(c: char) -> bool {
    matches!(c, '\u{345}' | '\u{24b6}'..='\u{24e9}' | '\u{1f130}'..='\u{1f149}' | '\u{1f150}'..='\u{1f169}' | '\u{1f170}'..='\u{1f189}')
}

/// Characters Python's `re.IGNORECASE` treats as equal beyond simple
/// lowercasing (`re._casefix._EXTRA_CASES`), mapped to one representative.
const EXTRA_CASES: &[(char, char)] = &[
    ('\u{131}', '\u{69}'),
    ('\u{17f}', '\u{73}'),
    ('\u{3b9}', '\u{345}'),
    ('\u{3bc}', '\u{b5}'),
    ('\u{3c3}', '\u{3c2}'),
    ('\u{3d0}', '\u{3b2}'),
    ('\u{3d1}', '\u{3b8}'),
    ('\u{3d5}', '\u{3c6}'),
    ('\u{3d6}', '\u{3c0}'),
    ('\u{3f0}', '\u{3ba}'),
    ('\u{3f1}', '\u{3c1}'),
    ('\u{3f5}', '\u{3b5}'),
    ('\u{1c80}', '\u{432}'),
    ('\u{1c81}', '\u{434}'),
    ('\u{1c82}', '\u{43e}'),
    ('\u{1c83}', '\u{441}'),
    ('\u{1c84}', '\u{442}'),
    ('\u{1c85}', '\u{442}'),
    ('\u{1c86}', '\u{44a}'),
    ('\u{1c87}', '\u{463}'),
    ('\u{1e9b}', '\u{1e61}'),
    ('\u{1fbe}', '\u{345}'),
    ('\u{1fd3}', '\u{390}'),
    ('\u{1fe3}', '\u{3b0}'),
    ('\u{a64b}', '\u{1c88}'),
    ('\u{fb06}', '\u{fb05}'),
];

/// The case-insensitive key of a character: its simple lowercase mapping,
/// then Python's extra equivalences.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let lower = if c == '\u{130}' {
        'i'
    } else {
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) => x,
            _ => c,
        }
    };
    EXTRA_CASES.iter().find(|(from, _)| *from == lower).map_or(lower, |&(_, to)| to)
}

/// One of the hand-written patterns of `_patterns`.
enum Pattern {
    /// `(?<![\w@#])[@#]?HANDLE(?!\w)` (HANDLE without its `@`).
    Handle(Vec<char>),
    /// `(?<![\w#])#PREFIX\w*`.
    Hashtag(Vec<char>),
    /// `(?<!\w)WORD(?!\w)`, with `s?` before the look-ahead when `plural`.
    Word { word: Vec<char>, plural: bool },
}

fn folded(s: &str) -> Vec<char> {
    s.chars().map(fold).collect()
}

fn patterns(target: &str) -> Vec<Pattern> {
    let t = py_strip(target);
    let key = t.to_lowercase();
    match ALIASES.iter().find(|a| a.key == key) {
        Some(a) => {
            let mut out: Vec<Pattern> =
                a.handles.iter().map(|h| Pattern::Handle(folded(h.trim_start_matches('@')))).collect();
            out.extend(a.hashtags.iter().map(|h| Pattern::Hashtag(folded(h))));
            out.extend(a.words.iter().map(|w| Pattern::Word { word: folded(w), plural: true }));
            out
        }
        None => vec![Pattern::Word { word: folded(t), plural: false }],
    }
}

/// Whether `lit` (folded) matches `text` at `at`; returns the end.
fn literal_at(text: &[char], folded_text: &[char], at: usize, lit: &[char]) -> Option<usize> {
    let end = at + lit.len();
    (end <= text.len() && folded_text[at..end] == lit[..]).then_some(end)
}

impl Pattern {
    /// The match starting at `i` (leftmost-first, as Python's `re` tries it).
    fn match_at(&self, text: &[char], folded_text: &[char], i: usize) -> Option<usize> {
        let before = i.checked_sub(1).map(|j| text[j]);
        let word_after = |e: usize| e < text.len() && is_word(text[e]);
        match self {
            Pattern::Handle(lit) => {
                if before.is_some_and(|c| is_word(c) || c == '@' || c == '#') {
                    return None;
                }
                let mut starts = Vec::with_capacity(2);
                if i < text.len() && matches!(text[i], '@' | '#') {
                    starts.push(i + 1);
                }
                starts.push(i);
                starts.into_iter().find_map(|s| literal_at(text, folded_text, s, lit).filter(|&e| !word_after(e)))
            }
            Pattern::Hashtag(lit) => {
                if before.is_some_and(|c| is_word(c) || c == '#') || text.get(i) != Some(&'#') {
                    return None;
                }
                let mut e = literal_at(text, folded_text, i + 1, lit)?;
                while word_after(e) {
                    e += 1;
                }
                Some(e)
            }
            Pattern::Word { word, plural } => {
                if word.is_empty() || before.is_some_and(is_word) {
                    return None;
                }
                let e = literal_at(text, folded_text, i, word)?;
                if *plural && e < text.len() && folded_text[e] == 's' && !word_after(e + 1) {
                    return Some(e + 1);
                }
                (!word_after(e)).then_some(e)
            }
        }
    }

    /// All non-overlapping matches, left to right (`finditer`).
    fn find_all(&self, text: &[char], folded_text: &[char], out: &mut Vec<(usize, usize)>) {
        let mut i = 0;
        while i <= text.len() {
            match self.match_at(text, folded_text, i) {
                Some(e) if e > i => {
                    out.push((i, e));
                    i = e;
                }
                _ => i += 1,
            }
        }
    }
}

/// The target's mentions in `text` (`find_mentions` in stance_data.py):
/// character offsets, sorted, non-overlapping. Known persons (Donald Trump,
/// Joe Biden, Bernie Sanders, Hillary Clinton) match their aliases as whole
/// words (with an optional bare "s": "Trumps"), hashtags starting with a
/// known prefix ("#Trump2020", whole hashtag) and their handles (with `@`,
/// `#` or bare); any other target matches only its full string as a whole
/// word. Matching ignores case.
pub fn find_mentions(text: &str, target: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let folded_text: Vec<char> = chars.iter().map(|&c| fold(c)).collect();
    let mut spans = Vec::new();
    for p in patterns(target) {
        p.find_all(&chars, &folded_text, &mut spans);
    }
    resolve_overlaps(&spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_case_folding() {
        assert_eq!(find_mentions("ſanders and SANDERS", "Bernie Sanders"), vec![(0, 7), (12, 19)]);
        assert_eq!(find_mentions("İran", "iran"), vec![(0, 4)]);
    }
}
