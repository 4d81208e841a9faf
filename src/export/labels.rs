//! Display labels of the graph files: the text a graph reader draws or
//! lists for a node or an edge (node labels, a stance edge's quote, a
//! camp's entities). A name or title may carry Unicode's bidirectional
//! controls, and U+202E (RIGHT-TO-LEFT OVERRIDE) alone shows a name
//! reversed in Gephi; so every one of them is written as the text `\u{..}`,
//! visible and never obeyed, as the log does ([`crate::escape_log`]) and the
//! report does for the overrides ([`crate::report`], which can isolate the
//! others in HTML; Gephi and the other graph readers have no isolate to
//! rely on). Ids and the evidence files (`*.jsonl`, `stances.csv`) keep the
//! text as written: they are data, not display.

use std::borrow::Cow;

use super::push_shown;

/// Whether `c` is one of Unicode's explicit bidirectional formatting
/// characters (embeddings and overrides U+202A–U+202E, isolates
/// U+2066–U+2069) or a direction mark (U+200E, U+200F, U+061C).
pub(crate) fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// `text` as a graph file shows it: each [`bidi_control`] written as
/// `\u{..}`, so two names that differ only by one stay two; the rest as it
/// is (the writers escape for XML or CSV after this).
pub(crate) fn display_label(text: &str) -> Cow<'_, str> {
    if !text.chars().any(bidi_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if bidi_control(c) {
            push_shown(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_shown_and_other_text_is_left_alone() {
        assert_eq!(display_label("evil\u{202e}eman"), "evil\\u{202e}eman");
        assert_eq!(display_label("\u{2067}a\u{2069}\u{200f}b\u{61c}"), "\\u{2067}a\\u{2069}\\u{200f}b\\u{61c}");
        assert!(matches!(display_label("Zoë 東京 שלום"), Cow::Borrowed(_)), "no copy without a control");
        assert_eq!(display_label("Zoë 東京 שלום"), "Zoë 東京 שלום");
        for c in ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2066}', '\u{2068}', '\u{200e}'] {
            assert!(!display_label(&format!("a{c}b")).contains(c), "{c:?}");
        }
    }
}
