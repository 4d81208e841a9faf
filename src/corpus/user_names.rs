//! How much a line of the scraped text format looks like a user name
//! (rule 3 of `docs/formats.md`): the name score and the word lists it
//! reads.

/// Conversational words: a line holding one is very unlikely a user name
/// (rule 3, −2 each). Compared lower-cased, with `’` read as `'`.
const CONVERSATIONAL_WORDS: &[&str] = &[
    "i",
    "i'm",
    "im",
    "me",
    "my",
    "you",
    "your",
    "you're",
    "u",
    "he",
    "she",
    "it",
    "it's",
    "its",
    "we",
    "they",
    "them",
    "his",
    "her",
    "our",
    "their",
    "this",
    "that",
    "these",
    "those",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "am",
    "do",
    "does",
    "did",
    "don't",
    "doesn't",
    "didn't",
    "can",
    "can't",
    "cannot",
    "will",
    "won't",
    "would",
    "should",
    "could",
    "have",
    "has",
    "had",
    "not",
    "no",
    "yes",
    "yeah",
    "yep",
    "nope",
    "so",
    "just",
    "very",
    "too",
    "also",
    "what",
    "why",
    "how",
    "who",
    "when",
    "where",
    "which",
    "lol",
    "lmao",
    "rofl",
    "haha",
    "hahaha",
    "wow",
    "ok",
    "okay",
    "oh",
    "ah",
    "ugh",
    "meh",
    "hmm",
    "wut",
    "huh",
    "thanks",
    "thank",
    "please",
    "sorry",
    "agreed",
    "agree",
    "exactly",
    "indeed",
    "absolutely",
    "seriously",
    "really",
    "true",
    "sure",
    "right",
    "well",
    "go",
    "get",
    "got",
    "see",
    "say",
    "said",
    "let",
    "make",
    "like",
    "only",
    "more",
    "than",
    "then",
    "there",
    "here",
    "now",
    "same",
    "nice",
    "great",
    "good",
    "bad",
    "never",
    "always",
    "again",
    "still",
    "even",
    "maybe",
    "probably",
    "obviously",
    "clearly",
    "totally",
    "nonsense",
    "rubbish",
    "ridiculous",
    "typical",
    "bingo",
    "amen",
    "precisely",
];

/// Function words that names rarely contain (rule 3, −0.75 each).
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "with", "by", "from", "and", "or", "but", "as", "about",
    "into", "over", "after", "before", "all", "some", "any", "every", "if",
];

/// Rule 3: how much `line` looks like a user name; `None` when it cannot be
/// one. `repeated` says the same line occurs elsewhere in the file.
pub(super) fn name_score(line: &str, repeated: bool) -> Option<f64> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let impossible = words.is_empty()
        || words.len() > 4
        || line.chars().count() > 40
        || line.ends_with(['.', '!', '?', '…', ',', ';', ':'])
        || line.contains(['"', '“', '”', '„', '«', '»', '©'])
        || line.contains(", ")
        || line.contains("; ")
        || line.contains("://")
        || line.to_lowercase().contains("www.")
        || line.starts_with('>')
        || !line.chars().any(char::is_alphabetic);
    if impossible {
        return None;
    }

    let mut score = 1.0;
    if words.len() == 1 {
        score += 1.0;
    }
    if words.iter().any(|w| has_username_styling(w)) {
        score += 1.0;
    }
    if words.len() >= 2 {
        let capitalised = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
        let lowercase = |w: &&str| w.chars().next().is_some_and(char::is_lowercase);
        if words.iter().all(capitalised) || words.iter().all(lowercase) {
            score += 0.5;
        }
    }
    if words.len() == 4 {
        score -= 0.5;
    }
    for word in &words {
        let word = word.to_lowercase().replace('’', "'");
        let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        if CONVERSATIONAL_WORDS.contains(&word) {
            score -= 2.0;
        } else if FUNCTION_WORDS.contains(&word) {
            score -= 0.75;
        }
    }
    let odd_symbol = line.chars().any(|c| !(c.is_alphanumeric() || c.is_whitespace() || "-_.'’@".contains(c)));
    if odd_symbol {
        score -= 1.0;
    }
    if line.starts_with('@') {
        score -= 1.0;
    }
    if repeated {
        score += 2.0;
    }
    Some(score)
}

/// A digit, an underscore, or a lower-case letter followed by an upper-case
/// one (`ushosh123`, `stone_cold`, `TaiwanIsNotChina`).
fn has_username_styling(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    chars.iter().any(|c| c.is_ascii_digit() || *c == '_') && chars.iter().any(|c| c.is_alphabetic())
        || chars.windows(2).any(|p| p[0].is_lowercase() && p[1].is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_name(line: &str) -> bool {
        name_score(line, false).is_some_and(|s| s > 0.0)
    }

    #[test]
    fn user_names_look_like_names() {
        for name in [
            "TaiwanIsNotChina",
            "Mr Kipling",
            "Peter Neil",
            "marc laden",
            "ushosh123",
            "Kotaro88",
            "Yrral",
            "obladi",
            "stormcrow",
            "The Dude",
            "stone_cold_99",
        ] {
            assert!(is_name(name), "{name} should look like a user name");
        }
    }

    #[test]
    fn comment_lines_do_not_look_like_names() {
        for line in [
            "Go Japan",
            "Wow",
            "I agree",
            "Japan has neither",
            "Thanks everyone",
            "Only problem is there never seem to be any positive results!",
            "\"Please Iran tell Hamas\"",
            "Why doesn't Japan just ask?",
            "No way at all",
            "Exactly",
            "https://example.com",
            "12345",
            "a line that is far too long to be anybody's user name here",
        ] {
            assert!(!is_name(line), "{line:?} should not look like a user name");
        }
    }

    #[test]
    fn repeated_lines_score_higher() {
        let once = name_score("Mr Kipling", false).unwrap_or(f64::NAN);
        let twice = name_score("Mr Kipling", true).unwrap_or(f64::NAN);
        assert!(twice > once);
    }
}
