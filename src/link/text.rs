//! Text utilities: a text's char → byte index and its words, comparison
//! keys (diacritic folding), label clean-up, slugs and sentence splitting.

/// One text with a char → byte index and its words.
#[derive(Debug)]
pub(super) struct TextInfo<'a> {
    text: &'a str,
    /// Byte offset of each char, then the text length.
    bytes: Vec<usize>,
    pub(super) words: Vec<Word>,
}

/// A maximal run of letters and digits.
#[derive(Debug, Clone)]
pub(super) struct Word {
    /// Character offsets.
    pub(super) start: usize,
    pub(super) end: usize,
    /// Folded lower-case form.
    pub(super) lower: String,
}

impl<'a> TextInfo<'a> {
    pub(super) fn new(text: &'a str) -> TextInfo<'a> {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        let mut spans = Vec::new();
        let mut open: Option<usize> = None;
        let mut n = 0;
        for (ci, (bi, c)) in text.char_indices().enumerate() {
            bytes.push(bi);
            if c.is_alphanumeric() {
                open.get_or_insert(ci);
            } else if let Some(s) = open.take() {
                spans.push((s, ci));
            }
            n = ci + 1;
        }
        if let Some(s) = open {
            spans.push((s, n));
        }
        bytes.push(text.len());
        let words = spans
            .into_iter()
            .map(|(s, e)| Word { start: s, end: e, lower: fold_lower(&text[bytes[s]..bytes[e]]) })
            .collect();
        TextInfo { text, bytes, words }
    }

    /// The text between two character offsets (`None` when empty or out of
    /// range).
    pub(super) fn slice(&self, start: usize, end: usize) -> Option<&'a str> {
        if start < end && end < self.bytes.len() {
            self.text.get(self.bytes[start]..self.bytes[end])
        } else {
            None
        }
    }

    pub(super) fn word_text(&self, w: &Word) -> &'a str {
        self.slice(w.start, w.end).unwrap_or("")
    }

    pub(super) fn char_at(&self, i: usize) -> Option<char> {
        self.slice(i, i + 1)?.chars().next()
    }
}

/// Comparison key: folded lower-case words joined by one space.
pub(super) fn key_of(s: &str) -> String {
    join_lower(&TextInfo::new(s).words)
}

/// Lower case with Latin diacritics folded ("Côte" → "cote", "ß" → "ss").
pub(super) fn fold_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            match fold_char(l) {
                Some(f) => out.push_str(f),
                None => out.push(l),
            }
        }
    }
    out
}

fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Drops a trailing possessive ("Iran's", "Iran’s", "Palestinians'").
pub(super) fn strip_possessive(s: &str) -> &str {
    for suffix in ["'s", "’s", "'S", "’S", "'", "’"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            if !rest.trim().is_empty() {
                return rest.trim_end();
            }
        }
    }
    s
}

/// Drops a leading "the " (any case).
fn strip_the(s: &str) -> &str {
    match s.get(..4) {
        Some(head) if head.eq_ignore_ascii_case("the ") && !s[4..].trim().is_empty() => s[4..].trim_start(),
        _ => s,
    }
}

/// A surface as a label: trimmed, no leading "the", no possessive, single
/// spaces.
pub(super) fn clean_label(surface: &str) -> String {
    strip_possessive(strip_the(surface.trim())).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Id slug: folded lower-case words joined by '-'.
pub(super) fn slug(label: &str) -> String {
    join_lower(&TextInfo::new(label).words).replace(' ', "-")
}

pub(super) fn has_uppercase(s: &str) -> bool {
    s.chars().any(char::is_uppercase)
}

pub(super) fn has_lowercase(s: &str) -> bool {
    s.chars().any(char::is_lowercase)
}

pub(super) fn join_lower(words: &[Word]) -> String {
    let mut key = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            key.push(' ');
        }
        key.push_str(&w.lower);
    }
    key
}

/// Sentence ranges (character offsets) of a text: split after . ! ? … that
/// are followed by a space or the end (not after Mr., Dr., U.S. and other
/// abbreviations or initials), and at line breaks.
pub(super) fn sentences(text: &TextInfo) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        let c = chars[i];
        let next_blank =
            chars.get(i + 1).map(|n| n.is_whitespace() || matches!(n, '"' | '”' | '’' | '\'' | ')')).unwrap_or(true);
        let boundary = match c {
            '\n' => true,
            '!' | '?' | '…' => next_blank,
            '.' => next_blank && !abbreviation_before(&chars, i),
            _ => false,
        };
        if boundary {
            // A break right after another ("?\n") opens no empty sentence.
            if chars[start..=i].iter().any(|c| !c.is_whitespace()) {
                out.push((start, i + 1));
            }
            start = i + 1;
        }
    }
    if chars[start.min(chars.len())..].iter().any(|c| !c.is_whitespace()) {
        out.push((start, chars.len()));
    }
    out
}

fn abbreviation_before(chars: &[char], dot: usize) -> bool {
    let mut i = dot;
    while i > 0 && chars[i - 1].is_alphanumeric() {
        i -= 1;
    }
    let word: String = chars[i..dot].iter().collect::<String>().to_lowercase();
    let single_capital = dot - i == 1 && chars[i].is_uppercase();
    single_capital || ABBREVIATIONS.contains(&word.as_str())
}

/// Words whose final dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "gen", "sen", "rep", "gov", "prof", "lt", "col", "sgt", "capt",
    "mt", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "corp", "co",
    "ltd",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_ends_not_on_abbreviations() {
        let t = TextInfo::new("Mr. Smith went to the U.S. embassy. He left! Did he?\nYes");
        let s = sentences(&t);
        let texts: Vec<String> =
            s.iter().map(|&(a, b)| t.text.chars().skip(a).take(b - a).collect::<String>().trim().to_string()).collect();
        assert_eq!(texts, vec!["Mr. Smith went to the U.S. embassy.", "He left!", "Did he?", "Yes"]);
    }

    #[test]
    fn keys_and_slugs_fold_case_and_diacritics() {
        assert_eq!(key_of("Côte d’Ivoire"), "cote d ivoire");
        assert_eq!(slug("Recep Tayyip Erdoğan"), "recep-tayyip-erdogan");
        assert_eq!(slug("Bashar al-Assad"), "bashar-al-assad");
        assert_eq!(strip_possessive("Palestinians'"), "Palestinians");
        assert_eq!(strip_the("The Hague"), "Hague");
        assert_eq!(clean_label("  the  United   Nations’s "), "United Nations");
    }
}
