//! The scraped text format: one article and its comments per file, with no
//! markers between them. Owns rules 1–7 of `docs/formats.md` ("The scraped
//! text format"): the date line, the title of a plain article, where the
//! article ends, which lines start comments, and the credit cut.

use std::collections::HashMap;
use std::path::Path;

use super::input_dates::{date_in_file_name, leading_date};
use super::user_names::name_score;
use super::{Comment, CorpusError, Document};

/// Parses one text-format file (rules 1–7 of `docs/formats.md`).
pub(super) fn parse_text(id: String, path: &Path, content: &str) -> Result<Document, CorpusError> {
    let mut lines: Vec<&str> = content.split(['\n', '\r']).map(str::trim).filter(|line| !line.is_empty()).collect();
    if lines.is_empty() {
        return Err(CorpusError::Empty);
    }

    let mut doc = Document {
        id,
        path: path.to_path_buf(),
        date: date_in_file_name(path),
        title: None,
        text: String::new(),
        comments: Vec::new(),
    };

    if let Some(bad) = malformed_date_line(lines[0]) {
        let line = content.split(['\n', '\r']).position(|l| !l.trim().is_empty()).map_or(1, |i| i + 1);
        let message = format!("`{bad}` on the date line is not a day (YYYY-MM-DD, a real calendar date)");
        return Err(CorpusError::Format { line, message });
    }
    let Some((date, first_paragraph)) = split_date_line(lines[0]) else {
        // Rule 2: a plain article, maybe with a title line.
        if lines.len() > 1 && is_title(lines[0]) {
            doc.title = Some(lines[0].to_string());
            lines.remove(0);
        }
        doc.text = article_text(&lines);
        return Ok(doc);
    };

    doc.date = Some(date);
    let forced_article = if first_paragraph.is_empty() {
        lines.remove(0);
        0
    } else {
        lines[0] = first_paragraph;
        1
    };

    let split = segment(&lines, forced_article);
    doc.text = article_text(&lines[..split.article_end]);
    for (line, &is_name) in lines[split.article_end..].iter().zip(&split.is_name) {
        if is_name {
            doc.comments.push(Comment {
                id: None,
                author: line.to_string(),
                text: String::new(),
                parent: None,
                date: None,
            });
        } else if let Some(comment) = doc.comments.last_mut() {
            if !comment.text.is_empty() {
                comment.text.push('\n');
            }
            comment.text.push_str(line);
        }
    }
    Ok(doc)
}

/// Rule 1: `date YYYY-MM-DD rest` → (date, rest). `rest` may be empty.
fn split_date_line(line: &str) -> Option<(String, &str)> {
    let after_space = after_date_keyword(line)?;
    let date = leading_date(after_space)?;
    let tail = &after_space[10..];
    if !(tail.is_empty() || tail.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((date.to_string(), tail.trim()))
}

/// A first line that means to be a date line (`date` and a date-like word of
/// digits joined by `-`, `/` or `.`) but whose date is not a day
/// (`date 2023-02-29`, `date 2024-1-5`): the word, so the file is reported
/// rather than read as an undated article.
fn malformed_date_line(line: &str) -> Option<&str> {
    if split_date_line(line).is_some() {
        return None;
    }
    let word = after_date_keyword(line)?.split_whitespace().next()?;
    let date_like = word.len() >= 6
        && word.starts_with(|c: char| c.is_ascii_digit())
        && word.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.'))
        && word.contains(['-', '/', '.']);
    date_like.then_some(word)
}

/// What follows `date` or `date:` (any case) and the whitespace after it;
/// `None` when the line does not start so ("dates ...", "date2023").
fn after_date_keyword(line: &str) -> Option<&str> {
    if !line.get(..4)?.eq_ignore_ascii_case("date") {
        return None;
    }
    let rest = &line[4..];
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let after_space = rest.trim_start();
    (after_space.len() < rest.len() || rest.is_empty()).then_some(after_space)
}

/// Rule 2: a first line short enough to be a headline.
fn is_title(line: &str) -> bool {
    line.chars().count() <= 160 && line.split_whitespace().count() <= 25
}

/// Joins article lines, cutting the credit off the last one (rule 7).
fn article_text(lines: &[&str]) -> String {
    let mut paragraphs: Vec<&str> = lines.to_vec();
    if let Some(last) = paragraphs.pop() {
        let kept = match credit_start(last) {
            Some(start) => last[..start].trim_end(),
            None => last,
        };
        if !kept.is_empty() {
            paragraphs.push(kept);
        }
    }
    paragraphs.join("\n")
}

/// Byte offset where a credit sentence (`© Thomson Reuters 2023.`,
/// `Copyright 2023 Kyodo News. All rights reserved.`) begins on this line.
fn credit_start(line: &str) -> Option<usize> {
    // ASCII lower-casing keeps byte offsets valid for `line`.
    let lower = line.to_ascii_lowercase();
    let mut markers = Vec::new();
    if let Some(i) = line.find('©') {
        markers.push(i);
    }
    for keyword in ["copyright", "(c)"] {
        for (i, _) in lower.match_indices(keyword) {
            let after = lower[i + keyword.len()..].trim_start();
            let after = after.strip_prefix('©').unwrap_or(after).trim_start();
            if leading_digits(after) == 4 {
                markers.push(i);
            }
        }
    }
    let trimmed = lower.trim_end_matches(['.', ' ']);
    if trimmed.ends_with("all rights reserved") {
        markers.push(trimmed.len() - "all rights reserved".len());
    }
    markers.into_iter().min().map(|i| sentence_start(line, i))
}

fn leading_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// Start of the sentence holding byte `at`: just after the last `.`, `!` or
/// `?` before it (skipping spaces), or the line start.
fn sentence_start(line: &str, at: usize) -> usize {
    match line[..at].trim_end().rfind(['.', '!', '?']) {
        Some(end) => {
            let from = end + 1;
            from + (line[from..at].len() - line[from..at].trim_start().len())
        }
        None => 0,
    }
}

/// Rule 6: a paragraph of prose (≥ 6 words, sentence-final punctuation,
/// possibly followed by closing quotes or brackets).
fn is_prose(line: &str) -> bool {
    let body = line.trim_end_matches(['"', '”', '’', '\'', ')', ']', '»']);
    line.split_whitespace().count() >= 6 && body.ends_with(['.', '!', '?', '…'])
}

/// Where the article ends and which comment-section lines are user names.
#[derive(Debug, PartialEq)]
struct Split {
    /// Lines `..article_end` are the article.
    article_end: usize,
    /// One flag per line from `article_end` on: does it start a comment?
    is_name: Vec<bool>,
}

/// Points for an article whose last line carries a credit (rule 6).
const CREDIT_BONUS: f64 = 10.0;
/// Points for each prose paragraph the article takes (rule 6).
const PROSE_POINTS: f64 = 0.5;

/// Rules 4–6: chooses the article end and the name lines. The first
/// `forced_article` lines are article whatever they look like.
fn segment(lines: &[&str], forced_article: usize) -> Split {
    let n = lines.len();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in lines {
        *counts.entry(line).or_default() += 1;
    }
    let names: Vec<Option<f64>> = lines.iter().map(|l| name_score(l, counts.get(l).is_some_and(|&c| c > 1))).collect();

    // Backward pass over the comment-section labelings (rules 4 and 5):
    // `as_text[i]` / `as_name[i]` = best score of lines i.. when line i is
    // comment text / a user name. A name must be followed by text; text may
    // be followed by text, a name, or the end.
    let mut as_text = vec![f64::NEG_INFINITY; n + 1];
    let mut as_name = vec![f64::NEG_INFINITY; n + 1];
    for i in (0..n).rev() {
        as_text[i] = if i + 1 == n { 0.0 } else { as_text[i + 1].max(as_name[i + 1]) };
        as_name[i] = match names[i] {
            Some(score) if i + 1 < n => score + as_text[i + 1],
            _ => f64::NEG_INFINITY,
        };
    }

    // Rule 6: try every article end, keep the best (later wins ties).
    let mut best_end = n;
    let mut best_total = f64::NEG_INFINITY;
    let mut article_points = 0.0;
    for end in 0..=n {
        if end > 0 {
            let line = lines[end - 1];
            article_points += match names[end - 1] {
                Some(s) if s > 0.0 => -(1.0 + s),
                _ if is_prose(line) => PROSE_POINTS,
                _ => 0.0,
            };
        }
        if end < forced_article {
            continue;
        }
        let comments = if end == n { 0.0 } else { as_name[end] };
        let credit = if end > 0 && credit_start(lines[end - 1]).is_some() { CREDIT_BONUS } else { 0.0 };
        let total = article_points + credit + comments;
        if total >= best_total && total > f64::NEG_INFINITY {
            best_total = total;
            best_end = end;
        }
    }

    // Replay the labeling forward from the chosen end.
    let mut is_name = Vec::with_capacity(n - best_end);
    let mut next_is_name = best_end < n;
    for i in best_end..n {
        is_name.push(next_is_name);
        next_is_name = if next_is_name {
            false // rule 4: the line after a name is text
        } else {
            // Ties go to "continuation".
            i + 1 < n && as_name[i + 1] > as_text[i + 1]
        };
    }
    Split { article_end: best_end, is_name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_line_is_split() {
        assert_eq!(split_date_line("date 2023-10-17 Tokyo said."), Some(("2023-10-17".to_string(), "Tokyo said.")));
        assert_eq!(split_date_line("Date: 2024-01-02"), Some(("2024-01-02".to_string(), "")));
        assert_eq!(split_date_line("dated 2023-10-17 x"), None);
        assert_eq!(split_date_line("date 2023-13-17 x"), None);
        assert_eq!(split_date_line("date 2023-10-170"), None);
        assert_eq!(split_date_line("Datelines are fun"), None);
    }

    #[test]
    fn a_date_line_whose_date_is_no_day_is_reported() {
        for (line, bad) in [("date 2023-02-29 Merkel spoke.", "2023-02-29"), ("Date: 2024-1-5", "2024-1-5")] {
            assert_eq!(malformed_date_line(line), Some(bad), "{line}");
            let err = parse_text("t".into(), Path::new("t.txt"), &format!("\n{line}\nBob\nRight.\n")).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("line 2: `{bad}` on the date line is not a day (YYYY-MM-DD, a real calendar date)")
            );
        }
        for line in
            ["date 2023-10-17 Tokyo said.", "Date 10 people died", "dated 2024-1-5", "Datelines are fun", "date"]
        {
            assert_eq!(malformed_date_line(line), None, "{line}");
        }
    }

    #[test]
    fn credit_sentence_is_found() {
        let line = "They will fly home this week.© Thomson Reuters 2023.";
        assert_eq!(credit_start(line).map(|i| &line[..i]), Some("They will fly home this week."));
        let line = "Copyright 2024 Kyodo News. All rights reserved.";
        assert_eq!(credit_start(line), Some(0));
        let line = "The court heard a copyright case about 2021 songs.";
        assert_eq!(credit_start(line), None);
    }

    #[test]
    fn short_continuation_before_a_name_stays_text() {
        let lines = [
            "The ministers met on Monday and agreed to talk again.",
            "alice_b",
            "This is a long first line of my comment.",
            "Go Japan",
            "Keepitreal",
            "Sure they will.",
        ];
        let split = segment(&lines, 1);
        assert_eq!(split.article_end, 1);
        assert_eq!(split.is_name, vec![true, false, false, true, false]);
    }

    #[test]
    fn article_ends_at_credit() {
        let lines = [
            "First paragraph of the story goes here today.",
            "Short Heading",
            "Another long paragraph of the article follows here. © Wire 2024.",
            "bob",
            "Nice.",
        ];
        let split = segment(&lines, 1);
        assert_eq!(split.article_end, 3);
        assert_eq!(split.is_name, vec![true, false]);
    }

    #[test]
    fn no_valid_comment_section_means_all_article() {
        let lines = ["One paragraph here that is long enough.", "Another paragraph that ends well."];
        assert_eq!(segment(&lines, 1), Split { article_end: 2, is_name: vec![] });
    }
}
