//! Over-long texts: where a text longer than `--max-text-chars` is cut (at
//! a sentence end near the limit), and whether a cut text ends a sentence.
//! Applying the limit and warning about it are the caller's part.

/// Sentence-final punctuation for [`cut_at_sentence`].
const SENTENCE_END: [char; 4] = ['.', '!', '?', '…'];
/// Closing quotes and brackets that may follow sentence-final punctuation.
const SENTENCE_CLOSERS: [char; 7] = ['"', '\'', '”', '’', ')', ']', '»'];

/// Whether `text` ends a sentence (its last punctuation, before closing
/// quotes and brackets, is sentence-final): how a cut text ended.
pub(crate) fn ends_sentence(text: &str) -> bool {
    text.trim_end().trim_end_matches(SENTENCE_CLOSERS).ends_with(SENTENCE_END)
}

/// `text` cut to at most `max_chars` characters (chars, not bytes) at the
/// last sentence end at or before the limit, or `None` when the text is
/// within the limit. A sentence end counts only in the last 20% of the
/// limit; without one the cut falls back to the last whitespace there, and
/// then to a hard cut at the limit. The limit counts characters (Unicode
/// scalar values), not bytes; trailing whitespace is dropped from what is
/// kept.
pub fn cut_at_sentence(text: &str, max_chars: usize) -> Option<String> {
    // The first `max_chars` characters and the one just past them.
    let chars: Vec<(usize, char)> = text.char_indices().take(max_chars.saturating_add(1)).collect();
    if chars.len() <= max_chars {
        return None;
    }
    // Cutting before `chars[k]` keeps `k` characters.
    let keep = |k: usize| text[..chars[k].0].trim_end().to_string();
    let ends_sentence = |k: usize| {
        let mut end = k;
        while end > 0 && SENTENCE_CLOSERS.contains(&chars[end - 1].1) {
            end -= 1;
        }
        end > 0 && SENTENCE_END.contains(&chars[end - 1].1)
    };
    let floor = max_chars - max_chars / 5;
    let mut word_end = None;
    for k in (floor..=max_chars).rev() {
        let next = chars[k].1;
        if next == '\n' || next == '\r' || (next.is_whitespace() && ends_sentence(k)) {
            return Some(keep(k));
        }
        if next.is_whitespace() && word_end.is_none() {
            word_end = Some(k);
        }
    }
    Some(keep(word_end.unwrap_or(max_chars)))
}
