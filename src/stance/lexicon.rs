//! The lexicon baseline (`--stance baseline`): the VADER sentiment lexicon
//! (MIT, the `vader_sentiment` crate) scored over the clause around each
//! mention. It reads negation, intensifiers and "but" the way VADER does,
//! and nothing more: it does not know who the sentiment inside a clause is
//! aimed at, and it misses sarcasm.

use vader_sentiment::SentimentIntensityAnalyzer;

use super::questions::StanceQuery;
use super::{Stance, StanceDecision};

/// VADER compound scores at or beyond this count as favour / against
/// (VADER's own recommended threshold).
pub(crate) const POLARITY_THRESHOLD: f64 = 0.05;

/// Stance v1: the VADER lexicon over the clause around each mention.
pub struct LexiconBaseline {
    analyzer: SentimentIntensityAnalyzer<'static>,
}

impl Default for LexiconBaseline {
    fn default() -> Self {
        Self::new()
    }
}

impl LexiconBaseline {
    pub const NAME: &'static str = "lexicon baseline (VADER over the clause around each mention)";

    pub fn new() -> Self {
        LexiconBaseline { analyzer: SentimentIntensityAnalyzer::new() }
    }

    /// Decides one query. The compound scores of the clauses holding the
    /// mentions are averaged (a clause holding two mentions counts once); the
    /// confidence grows with the distance of that mean from the neutral band.
    pub fn predict(&self, query: &StanceQuery) -> StanceDecision {
        let clauses = clauses(query.text);
        let mut seen = Vec::new();
        for &(start, _) in &query.mentions {
            if let Some(i) = clauses.iter().position(|c| c.start <= start && start < c.end.max(c.start + 1)) {
                if !seen.contains(&i) {
                    seen.push(i);
                }
            }
        }
        if seen.is_empty() {
            // Nothing to read: neutral, and no more sure of it than of the rest.
            return StanceDecision { stance: Stance::Neutral, confidence: 0.5, probabilities: [0.25, 0.5, 0.25] };
        }
        let mut sum = 0.0;
        for &i in &seen {
            let c = &clauses[i];
            let clause: String = query.text.chars().skip(c.start).take(c.end - c.start).collect();
            sum += self.analyzer.polarity_scores(&clause).get("compound").copied().unwrap_or(0.0);
        }
        decide(sum / seen.len() as f64)
    }
}

/// Maps a VADER compound score in [-1, 1] to a stance and a confidence in
/// [0.5, 1]: 0.5 at the threshold, 1.0 at ±1 (and at exactly 0 for neutral).
/// The `probabilities` give the chosen class its confidence and split the
/// rest; favour vs against always follows the sign of the score.
pub fn decide(compound: f64) -> StanceDecision {
    let c = compound.clamp(-1.0, 1.0);
    let (stance, confidence) = if c >= POLARITY_THRESHOLD || c <= -POLARITY_THRESHOLD {
        let strength = (c.abs() - POLARITY_THRESHOLD) / (1.0 - POLARITY_THRESHOLD);
        (if c > 0.0 { Stance::Favour } else { Stance::Against }, (0.5 + 0.5 * strength) as f32)
    } else {
        let strength = 1.0 - c.abs() / POLARITY_THRESHOLD;
        (Stance::Neutral, (0.5 + 0.5 * strength) as f32)
    };
    let rest = 1.0 - confidence;
    let mut probabilities = match stance {
        // The other two classes share the rest.
        Stance::Favour | Stance::Against => [rest / 2.0; 3],
        // Favour and against share the rest by the sign of the score.
        Stance::Neutral => {
            let favour = ((1.0 + c) / 2.0) as f32;
            [rest * (1.0 - favour), 0.0, rest * favour]
        }
    };
    probabilities[stance.index()] = confidence;
    StanceDecision { stance, confidence, probabilities }
}

/// A clause: character range of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clause {
    pub start: usize,
    pub end: usize,
}

/// Splits a text into clauses: sentences end at `.`, `!`, `?`, `;`, or a line
/// break; a sentence is further cut before ", but", " but ", " however",
/// " although", " whereas" (contrast moves the sentiment to another target).
/// Every character belongs to exactly one clause.
pub(crate) fn clauses(text: &str) -> Vec<Clause> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.to_lowercase().chars().collect();
    // to_lowercase can change lengths for a few characters; fall back to the original then.
    let lower = if lower.len() == chars.len() { lower } else { chars.clone() };
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let starts_with = |at: usize, pat: &str| {
        let p: Vec<char> = pat.chars().collect();
        at + p.len() <= lower.len() && lower[at..at + p.len()] == p[..]
    };
    while i < chars.len() {
        let c = chars[i];
        let hard_end = matches!(c, '.' | '!' | '?' | ';' | '\n')
            && (i + 1 == chars.len() || chars[i + 1].is_whitespace() || matches!(chars[i + 1], '"' | '\'' | '”' | '’'));
        if hard_end {
            // Keep runs like "..." or "?!" in the same clause.
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], '.' | '!' | '?' | '"' | '\'' | '”' | '’') {
                j += 1;
            }
            out.push(Clause { start, end: j });
            start = j;
            i = j;
            continue;
        }
        if i > start {
            if let Some(p) =
                [", but ", " but ", " however", " although ", " whereas ", " yet "].iter().find(|p| starts_with(i, p))
            {
                out.push(Clause { start, end: i });
                start = i;
                i += p.chars().count();
                continue;
            }
        }
        i += 1;
    }
    if start < chars.len() {
        out.push(Clause { start, end: chars.len() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(text: &str, target: &str) -> StanceDecision {
        let byte = text.find(target).expect("target in text");
        let start = text[..byte].chars().count();
        let q = StanceQuery::new(text, target, vec![(start, start + target.chars().count())]);
        LexiconBaseline::new().predict(&q)
    }

    #[test]
    fn clauses_split_sentences_and_contrast() {
        let t = "Japan is great. Iran is awful, but Hamas is worse!";
        let c = clauses(t);
        let texts: Vec<String> = c.iter().map(|c| t.chars().skip(c.start).take(c.end - c.start).collect()).collect();
        assert_eq!(texts, vec!["Japan is great.", " Iran is awful", ", but Hamas is worse!"]);
        // Every character is covered once.
        assert_eq!(c.first().unwrap().start, 0);
        assert_eq!(c.last().unwrap().end, t.chars().count());
        assert!(c.windows(2).all(|w| w[0].end == w[1].start));
    }

    #[test]
    fn negative_clause_is_against_and_positive_is_favour() {
        let d = ask("Iran is behind all this despicable terror attack.", "Iran");
        assert_eq!(d.stance, Stance::Against);
        let d = ask("Hamas will be hunted and killed as long as they live", "Hamas");
        assert_eq!(d.stance, Stance::Against);
        let d = ask("Japan has always had good relationships with Iran.", "Japan");
        assert_eq!(d.stance, Stance::Favour);
    }

    #[test]
    fn sentiment_in_another_sentence_does_not_leak() {
        let t = "I love this weather. Germany announced a new budget.";
        assert_eq!(ask(t, "Germany").stance, Stance::Neutral);
    }

    #[test]
    fn confidence_is_monotone_in_the_score() {
        assert!(decide(-0.9).confidence > decide(-0.2).confidence);
        assert_eq!(decide(0.0).stance, Stance::Neutral);
        assert!((decide(0.0).confidence - 1.0).abs() < 1e-6);
        assert_eq!(decide(0.05).stance, Stance::Favour);
        assert!((decide(0.05).confidence - 0.5).abs() < 1e-6);
    }
}
