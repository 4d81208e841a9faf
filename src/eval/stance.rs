//! Stance evaluation: `stancegraph eval stance --format F FILE`.
//!
//! Reads a gold stance set ([`crate::eval::formats`]), turns every
//! example into the [`StanceQuery`] the training side built for it, runs the stance
//! classifier and scores it: per-class precision / recall / F1 for against,
//! neutral and favour, macro F1 over the three classes, accuracy, and the
//! favour/against average F1 that P-Stance and SemEval-2016 report.
//!
//!
//! The fifth format, `comments`, is our own comment-domain dev set: its
//! questions are the pipeline's, not the training side's; reading and
//! joining it is [`crate::eval::comment_set`]'s job, and
//! [`eval_comment_set`] scores it as a whole, without the pairs marked
//! `doubt`, and per source.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Result};
use serde_json::json;

use crate::eval::calibration::Calibration;
use crate::eval::comment_set::{read_comment_set, CommentSource};
use crate::eval::example::GoldExample;
use crate::eval::formats::{read_gold, StanceFormat};
use crate::stance::{Stance, StanceClassifier, StanceDecision, StanceQuery};

/// Confusion counts of a stance evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StanceScore {
    /// `confusion[gold][predicted]`, classes in [`Stance::ALL`] order.
    pub confusion: [[usize; 3]; 3],
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl StanceScore {
    /// Counts aligned gold / predicted labels.
    pub fn from_pairs(gold: &[Stance], predicted: &[Stance]) -> Self {
        assert_eq!(gold.len(), predicted.len(), "gold and predicted labels differ in number");
        let mut s = StanceScore::default();
        for (&g, &p) in gold.iter().zip(predicted) {
            s.confusion[g.index()][p.index()] += 1;
        }
        s
    }

    /// Number of examples.
    pub fn n(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    pub(crate) fn true_positives(&self, c: Stance) -> usize {
        let i = c.index();
        self.confusion[i][i]
    }

    /// Gold examples of the class.
    pub fn support(&self, c: Stance) -> usize {
        self.confusion[c.index()].iter().sum()
    }

    /// Examples predicted as the class.
    pub fn predicted(&self, c: Stance) -> usize {
        let i = c.index();
        self.confusion.iter().map(|row| row[i]).sum()
    }

    /// 0 when nothing was predicted as the class.
    pub fn precision(&self, c: Stance) -> f64 {
        ratio(self.true_positives(c), self.predicted(c))
    }

    /// 0 when the class has no gold examples.
    pub fn recall(&self, c: Stance) -> f64 {
        ratio(self.true_positives(c), self.support(c))
    }

    /// 0 when precision and recall are both 0.
    pub fn f1(&self, c: Stance) -> f64 {
        let (p, r) = (self.precision(c), self.recall(c));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Mean F1 of against, neutral and favour.
    pub fn macro_f1(&self) -> f64 {
        Stance::ALL.iter().map(|&c| self.f1(c)).sum::<f64>() / 3.0
    }

    pub fn accuracy(&self) -> f64 {
        ratio((0..3).map(|i| self.confusion[i][i]).sum(), self.n())
    }

    /// Mean of F1(favour) and F1(against), neutral predictions counting as
    /// misses (P-Stance's macro F, SemEval-2016's F_avg).
    pub fn favour_against_f1(&self) -> f64 {
        (self.f1(Stance::Favour) + self.f1(Stance::Against)) / 2.0
    }

    /// A per-class table, the summary scores and the confusion matrix.
    pub fn table(&self) -> String {
        let mut s =
            format!("{:<10}{:>10}{:>10}{:>10}{:>8}{:>8}\n", "class", "precision", "recall", "f1", "gold", "pred");
        for c in Stance::ALL {
            s += &format!(
                "{:<10}{:>10.4}{:>10.4}{:>10.4}{:>8}{:>8}\n",
                c.as_str(),
                self.precision(c),
                self.recall(c),
                self.f1(c),
                self.support(c),
                self.predicted(c)
            );
        }
        s += &format!("{:<30}{:>10.4}{:>8}\n", "macro F1 (3 classes)", self.macro_f1(), self.n());
        s += &format!("{:<30}{:>10.4}\n", "favour/against F1", self.favour_against_f1());
        s += &format!("{:<30}{:>10.4}\n", "accuracy", self.accuracy());
        s += "confusion (rows gold, columns predicted):\n";
        s += &format!("{:<10}{:>10}{:>10}{:>10}\n", "", "against", "neutral", "favour");
        for (c, row) in Stance::ALL.iter().zip(&self.confusion) {
            s += &format!("{:<10}{:>10}{:>10}{:>10}\n", c.as_str(), row[0], row[1], row[2]);
        }
        s
    }

    /// The summary as one JSON object: `macro_f1`, `accuracy`,
    /// `favour_against_f1`, `n`, `seconds`, plus `per_class` (precision,
    /// recall, f1, support) and `confusion` (rows gold, columns predicted,
    /// against / neutral / favour).
    pub fn json(&self, n_seconds: f64) -> serde_json::Value {
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        let per_class: serde_json::Map<String, serde_json::Value> = Stance::ALL
            .iter()
            .map(|&c| {
                (
                    c.as_str().to_string(),
                    json!({
                        "precision": r4(self.precision(c)),
                        "recall": r4(self.recall(c)),
                        "f1": r4(self.f1(c)),
                        "support": self.support(c),
                    }),
                )
            })
            .collect();
        json!({
            "macro_f1": r4(self.macro_f1()),
            "accuracy": r4(self.accuracy()),
            "favour_against_f1": r4(self.favour_against_f1()),
            "n": self.n(),
            "seconds": (n_seconds * 100.0).round() / 100.0,
            "per_class": per_class,
            "confusion": self.confusion,
        })
    }
}

/// How predictions are compared with the gold labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Every gold example, the classifier's own three-way answer.
    ThreeWay,
    /// The favour/against protocol of the P-Stance and SemEval literature:
    /// gold neutral (NONE) examples are left out and the answer is the more
    /// probable of favour and against.
    FavourAgainst,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::ThreeWay => "three-way",
            Protocol::FavourAgainst => "favour-against",
        }
    }
}

/// Runs `stancegraph eval stance --format F FILE`: reads the gold set,
/// classifies every example and scores it under `protocol`. The seconds are
/// the wall time of the classification alone (reading the file excluded).
pub fn eval_stance(
    path: &Path,
    format: StanceFormat,
    protocol: Protocol,
    classifier: &StanceClassifier,
) -> Result<(StanceScore, f64)> {
    let (scored, seconds) = eval_stance_calibrated(path, format, protocol, classifier, Conversation::Read)?;
    Ok((scored.score, seconds))
}

/// Whether an evaluation gives the model the examples' conversation (title
/// and parent) or leaves it out (the ablation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Conversation {
    /// The title and the parent.
    Read,
    /// Neither.
    #[value(name = "none")]
    LeftOut,
    /// The parent only.
    #[value(name = "parent")]
    ParentOnly,
    /// The title only.
    #[value(name = "title")]
    TitleOnly,
}

impl Conversation {
    fn apply(self, gold: &mut [GoldExample]) {
        for g in gold {
            if matches!(self, Conversation::LeftOut | Conversation::ParentOnly) {
                g.title.clear();
            }
            if matches!(self, Conversation::LeftOut | Conversation::TitleOnly) {
                g.parent.clear();
            }
        }
    }
}

/// [`eval_stance`] with the calibration of the answers (three-way protocol only).
pub fn eval_stance_calibrated(
    path: &Path,
    format: StanceFormat,
    protocol: Protocol,
    classifier: &StanceClassifier,
    conversation: Conversation,
) -> Result<(Scored, f64)> {
    let mut gold = read_gold(path, format)?;
    conversation.apply(&mut gold);
    if !gold.iter().any(|g| protocol == Protocol::ThreeWay || g.label != Stance::Neutral) {
        bail!("{}: no {} examples", path.display(), format);
    }
    let (score, predictions, decisions, seconds) = score_all(&gold, protocol, classifier)?;
    let calibration = calibration_of(&gold, &predictions, &decisions, protocol, |_| true);
    Ok((Scored { score, calibration, answers: answers_of(&gold, &predictions, &decisions, |_| json!({})) }, seconds))
}

/// One line of `--predictions`: an example's gold label, the model's answer
/// under the protocol and the model's three probabilities, with `fields`
/// naming the example.
fn answer_line(
    index: usize,
    gold: &GoldExample,
    predicted: Stance,
    d: &StanceDecision,
    mut fields: serde_json::Value,
) -> serde_json::Value {
    let probabilities: serde_json::Map<String, serde_json::Value> =
        Stance::ALL.iter().zip(d.probabilities).map(|(s, p)| (s.as_str().to_string(), json!(p))).collect();
    let line = json!({
        "index": index,
        "target": gold.target,
        "gold": gold.label.as_str(),
        "predicted": predicted.as_str(),
        "confidence": d.confidence,
        "probabilities": probabilities,
    });
    if let (Some(map), serde_json::Value::Object(line)) = (fields.as_object_mut(), line) {
        map.extend(line);
    }
    fields
}

/// Every answered example's [`answer_line`], in the gold file's order.
fn answers_of(
    gold: &[GoldExample],
    predictions: &[Option<Stance>],
    decisions: &[Option<StanceDecision>],
    fields: impl Fn(usize) -> serde_json::Value,
) -> Vec<serde_json::Value> {
    (0..gold.len())
        .filter_map(|i| Some(answer_line(i, &gold[i], predictions[i]?, decisions[i].as_ref()?, fields(i))))
        .collect()
}

/// A score with the calibration of the answers behind it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub score: StanceScore,
    /// `None` under the favour/against protocol (its answers are not the
    /// model's own three-way ones).
    pub calibration: Option<Calibration>,
    /// Each answered example as one JSON object (`eval stance --predictions`):
    /// gold, predicted, the three probabilities; empty for a subset's score.
    pub answers: Vec<serde_json::Value>,
}

impl Scored {
    /// The score's JSON with the calibration's keys.
    pub fn json(&self, seconds: f64) -> serde_json::Value {
        let mut j = self.score.json(seconds);
        if let (Some(c), Some(map)) = (&self.calibration, j.as_object_mut()) {
            if let serde_json::Value::Object(extra) = c.json() {
                map.extend(extra);
            }
        }
        j
    }
}

/// The calibration of the kept examples that `keep` selects.
fn calibration_of(
    gold: &[GoldExample],
    predictions: &[Option<Stance>],
    decisions: &[Option<StanceDecision>],
    protocol: Protocol,
    keep: impl Fn(usize) -> bool,
) -> Option<Calibration> {
    if protocol != Protocol::ThreeWay {
        return None;
    }
    let (g, d): (Vec<Stance>, Vec<StanceDecision>) = (0..gold.len())
        .filter(|&i| keep(i) && predictions[i].is_some())
        .filter_map(|i| Some((gold[i].label, decisions[i]?)))
        .unzip();
    (!g.is_empty()).then(|| Calibration::of(&g, &d))
}

/// [`score_examples`], with each kept example's decision.
#[allow(clippy::type_complexity)]
fn score_all(
    gold: &[GoldExample],
    protocol: Protocol,
    classifier: &StanceClassifier,
) -> Result<(StanceScore, Vec<Option<Stance>>, Vec<Option<StanceDecision>>, f64)> {
    let kept: Vec<usize> =
        (0..gold.len()).filter(|&i| protocol == Protocol::ThreeWay || gold[i].label != Stance::Neutral).collect();
    if kept.is_empty() {
        bail!("no examples to score");
    }
    let queries: Vec<StanceQuery> = kept.iter().map(|&i| gold[i].query()).collect();
    let started = Instant::now();
    let decisions = classifier.predict(&queries)?;
    let seconds = started.elapsed().as_secs_f64();
    if decisions.len() != kept.len() {
        bail!("classifier answered {} of {} queries", decisions.len(), kept.len());
    }
    let mut predictions = vec![None; gold.len()];
    let mut answers = vec![None; gold.len()];
    for (&i, d) in kept.iter().zip(&decisions) {
        predictions[i] = Some(match protocol {
            Protocol::ThreeWay => d.stance,
            Protocol::FavourAgainst => d.favour_or_against(),
        });
        answers[i] = Some(*d);
    }
    let (labels, predicted): (Vec<Stance>, Vec<Stance>) =
        kept.iter().map(|&i| (gold[i].label, predictions[i].expect("kept examples are predicted"))).unzip();
    Ok((StanceScore::from_pairs(&labels, &predicted), predictions, answers, seconds))
}

/// The scores of the comment set (`--format comments`): every pair, the
/// pairs without `doubt`, and each source alone.
#[derive(Debug, Clone)]
pub struct CommentSetScores {
    pub all: Scored,
    pub without_doubt: Scored,
    /// Per source (`reddit`, `vast`) and per kind (`explicit`, `implicit`).
    pub parts: Vec<(&'static str, Scored)>,
    pub seconds: f64,
}

/// Scores the comment set `pairs` (texts joined from `data`).
pub fn eval_comment_set(
    pairs: &Path,
    data: &Path,
    protocol: Protocol,
    classifier: &StanceClassifier,
) -> Result<CommentSetScores> {
    eval_comment_set_with(pairs, data, protocol, classifier, Conversation::Read)
}

/// [`eval_comment_set`], with or without the pairs' conversation.
pub fn eval_comment_set_with(
    pairs: &Path,
    data: &Path,
    protocol: Protocol,
    classifier: &StanceClassifier,
    conversation: Conversation,
) -> Result<CommentSetScores> {
    let joined = read_comment_set(pairs, data)?;
    let mut gold: Vec<GoldExample> = joined.iter().map(|j| j.example.clone()).collect();
    conversation.apply(&mut gold);
    if gold.is_empty() {
        bail!("{}: no pairs", pairs.display());
    }
    let (all, predictions, decisions, seconds) = score_all(&gold, protocol, classifier)?;
    let subset = |keep: &dyn Fn(&crate::eval::comment_set::CommentPair) -> bool| {
        let (g, p): (Vec<Stance>, Vec<Stance>) = joined
            .iter()
            .zip(&predictions)
            .filter_map(|(j, p)| (keep(&j.pair)).then_some((j.example.label, (*p)?)))
            .unzip();
        let calibration = calibration_of(&gold, &predictions, &decisions, protocol, |i| keep(&joined[i].pair));
        Scored { score: StanceScore::from_pairs(&g, &p), calibration, answers: Vec::new() }
    };
    let answers = answers_of(&gold, &predictions, &decisions, |i| {
        let p = &joined[i].pair;
        json!({"source": p.source.as_str(), "key": p.key, "entity_id": p.entity_id,
               "kind": p.kind.as_str(), "doubt": p.doubt})
    });
    let calibration = calibration_of(&gold, &predictions, &decisions, protocol, |_| true);
    let all = Scored { score: all, calibration, answers };
    let without_doubt = subset(&|p| !p.doubt);
    let mut parts: Vec<(&'static str, Scored)> = [CommentSource::Reddit, CommentSource::Vast]
        .into_iter()
        .map(|s| (s.as_str(), subset(&|p| p.source == s)))
        .collect();
    if joined.iter().any(|j| j.pair.kind.implicit()) {
        parts.push(("explicit", subset(&|p| !p.kind.implicit())));
        parts.push(("implicit", subset(&|p| p.kind.implicit())));
    }
    Ok(CommentSetScores { all, without_doubt, parts, seconds })
}
