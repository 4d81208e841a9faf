//! Evidence: what a stance record shows a reader so that the number it counts
//! toward can be checked, namely the comment's id and a quote of the comment
//! around the mention the stance was asked about.
//!
//! - **Comment id** ([`comment_id`]): the input's own id when it had one, else
//!   `<document id>#<position>` (the comment's 0-based position in its
//!   document, the store's key for it), stable across runs as long as the
//!   thread keeps its order.
//! - **Quote** ([`quote`]): the sentence holding the first mention (sentences
//!   end at `.`, `!` or `?` before a space, or at a line break; not at the
//!   dots of "U.S."), cut to at
//!   most [`QUOTE_CHARS`] characters around the mention at word boundaries;
//!   an implicit record (no mention in the comment) quotes the comment's
//!   opening. A cut is marked with `…` at that end; between the marks the
//!   quote is the comment's own text, character for character. The
//!   mention's character offsets in the quote come with it.

use serde::{Deserialize, Serialize};

/// The longest quote, in characters (the `…` marks included).
pub const QUOTE_CHARS: usize = 200;

/// The mark at a cut end of a quote.
pub(crate) const CUT: char = '…';

/// A comment's words around a mention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub text: String,
    /// The mention's character offsets in `text` (`None`: no mention).
    pub mention: Option<[usize; 2]>,
}

/// The comment's id: the input's own when it has one, else
/// `<doc_id>#<position>`.
pub fn comment_id(input_id: Option<&str>, doc_id: &str, position: usize) -> String {
    match input_id.map(str::trim) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => format!("{doc_id}#{position}"),
    }
}

fn ends_sentence(chars: &[char], i: usize) -> bool {
    match chars[i] {
        '\n' => true,
        // Not after a lone capital ("U.S.", "J. Smith").
        '.' if i >= 1 && chars[i - 1].is_uppercase() && (i < 2 || !chars[i - 2].is_alphanumeric()) => false,
        '.' | '!' | '?' => chars.get(i + 1).is_none_or(|c| c.is_whitespace()),
        _ => false,
    }
}

/// The sentence around `start..end` (character offsets), without the
/// whitespace at its ends.
fn sentence(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let mut from = (0..start).rev().find(|&i| ends_sentence(chars, i)).map_or(0, |i| i + 1);
    let mut to = (end..chars.len()).find(|&i| ends_sentence(chars, i)).map_or(chars.len(), |i| i + 1);
    while from < start && chars[from].is_whitespace() {
        from += 1;
    }
    while to > end && chars[to - 1].is_whitespace() {
        to -= 1;
    }
    (from, to)
}

/// `from..to` narrowed to at most `max` characters holding `start..end`
/// (as much of it as fits), centred on it, cut at spaces where one is near.
fn window(chars: &[char], (from, to): (usize, usize), (start, end): (usize, usize), max: usize) -> (usize, usize) {
    if to - from <= max {
        return (from, to);
    }
    let end = end.min(start + max);
    let spare = max - (end - start);
    let mut left = from.max(start.saturating_sub(spare / 2));
    let right = to.min(end + (spare - (start - left)));
    left = from.max(right.saturating_sub(max)).min(left);
    let (mut a, mut b) = (left, right);
    // Back off to a word boundary, by at most a sixth of the window.
    let slack = max / 6;
    if a > from {
        if let Some(i) = (a..start.min(a + slack)).find(|&i| chars[i].is_whitespace()) {
            a = i + 1;
        }
    }
    if b < to {
        if let Some(i) = (end.max(b.saturating_sub(slack))..b).rev().find(|&i| chars[i].is_whitespace()) {
            b = i;
        }
    }
    while a < start && chars[a].is_whitespace() {
        a += 1;
    }
    while b > end && chars[b - 1].is_whitespace() {
        b -= 1;
    }
    (a, b)
}

/// The quote of `text` for a mention at character offsets `mention`
/// (`None`, or offsets outside the text: the opening of the comment).
pub fn quote(text: &str, mention: Option<(usize, usize)>) -> Quote {
    let chars: Vec<char> = text.chars().collect();
    let mention = mention.filter(|&(s, e)| s < e && e <= chars.len());
    // Room for the two cut marks.
    let max = QUOTE_CHARS - 2;
    let (from, to, at) = match mention {
        Some((s, e)) => {
            let (a, b) = window(&chars, sentence(&chars, s, e), (s, e), max);
            (a, b, Some((s.max(a), e.min(b))))
        }
        None => {
            let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
            let (a, b) = window(&chars, (lead, chars.len()), (lead, lead), max);
            (a, b, None)
        }
    };
    let open = chars[..from].iter().any(|c| !c.is_whitespace());
    let close = to < chars.len() && chars[to..].iter().any(|c| !c.is_whitespace());
    let mut out = String::new();
    if open {
        out.push(CUT);
    }
    out.extend(&chars[from..to]);
    if close {
        out.push(CUT);
    }
    let shift = from - usize::from(open);
    Quote { text: out, mention: at.map(|(s, e)| [s - shift, e - shift]) }
}

/// The quote without its cut marks: the comment's own text.
pub fn uncut(quote: &str) -> &str {
    let q = quote.strip_prefix(CUT).unwrap_or(quote);
    q.strip_suffix(CUT).unwrap_or(q)
}

/// `s` cut to at most `max` characters, with [`CUT`] at the end when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push(CUT);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(q: &Quote) -> String {
        let [s, e] = q.mention.expect("a mention");
        let c: Vec<char> = q.text.chars().collect();
        format!(
            "{}[{}]{}",
            c[..s].iter().collect::<String>(),
            c[s..e].iter().collect::<String>(),
            c[e..].iter().collect::<String>()
        )
    }

    fn at(text: &str, word: &str) -> (usize, usize) {
        let b = text.find(word).expect("word in text");
        let s = text[..b].chars().count();
        (s, s + word.chars().count())
    }

    #[test]
    fn the_sentence_around_the_mention() {
        let t = "Nothing here. I think Iran is wrong! And U.S. policy too.\nNext line";
        let q = quote(t, Some(at(t, "Iran")));
        assert_eq!(marked(&q), "…I think [Iran] is wrong!…");
        assert!(t.contains(uncut(&q.text)));
        let q = quote(t, Some(at(t, "policy")));
        assert_eq!(marked(&q), "…And U.S. [policy] too.…");
        let q = quote(t, Some(at(t, "Nothing")));
        assert_eq!(marked(&q), "[Nothing] here.…");
        let q = quote(t, Some(at(t, "Next")));
        assert_eq!(marked(&q), "…[Next] line");
        let whole = "Only Iran";
        assert_eq!(marked(&quote(whole, Some(at(whole, "Iran")))), "Only [Iran]");
    }

    #[test]
    fn long_sentences_are_cut_around_the_mention_at_spaces() {
        let before = "word ".repeat(100);
        let after = " more".repeat(100);
        let t = format!("{before}Zoë 🦀 Müller{after}");
        let q = quote(&t, Some(at(&t, "Zoë 🦀 Müller")));
        let n = q.text.chars().count();
        assert!(n <= QUOTE_CHARS, "{n}");
        assert!(n > QUOTE_CHARS - 12, "{n}: the window is used");
        assert!(marked(&q).contains("[Zoë 🦀 Müller]"), "{}", marked(&q));
        assert!(q.text.starts_with("…word ") && q.text.ends_with("more…"), "{}", q.text);
        assert!(t.contains(uncut(&q.text)));
        // A mention near the start takes the room after it.
        let t = format!("Iran{after}");
        let q = quote(&t, Some((0, 4)));
        assert_eq!(q.mention, Some([0, 4]));
        assert!(q.text.chars().count() > QUOTE_CHARS - 12);
        // A mention longer than the cap is cut itself.
        let t = "x".repeat(500);
        let q = quote(&t, Some((10, 490)));
        assert!(q.text.chars().count() <= QUOTE_CHARS);
        assert!(t.contains(uncut(&q.text)));
    }

    #[test]
    fn implicit_records_quote_the_opening() {
        let t = "  Hang him. ".to_string() + &"and so on ".repeat(40);
        let q = quote(&t, None);
        assert_eq!(q.mention, None);
        assert!(q.text.starts_with("Hang him. and so on"), "{}", q.text);
        assert!(q.text.ends_with('…') && q.text.chars().count() <= QUOTE_CHARS);
        assert!(t.contains(uncut(&q.text)));
        assert_eq!(quote("short", None).text, "short");
        assert_eq!(quote("", None).text, "");
        // Offsets past the text (an edited comment) quote the opening too.
        assert_eq!(quote("short", Some((3, 9))), Quote { text: "short".into(), mention: None });
    }

    #[test]
    fn comment_ids_fall_back_to_document_and_position() {
        assert_eq!(comment_id(Some("t1_abc"), "d", 3), "t1_abc");
        assert_eq!(comment_id(None, "d", 3), "d#3");
        assert_eq!(comment_id(Some("  "), "d", 0), "d#0");
    }

    #[test]
    fn clip_marks_a_cut() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
    }
}
