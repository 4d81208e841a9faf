//! Stance: decides what each comment thinks of each entity it targets
//! (favour / against / neutral, with a confidence). Owns the records and
//! answers ([`Stance`], [`StanceRecord`], [`StanceDecision`]), the choice of
//! classifier ([`StanceModelChoice`], [`StanceClassifier`]) and the
//! `--min-confidence` rule; its parts own the questions asked
//! ([`questions`]), the transformer ([`StanceModel`], in `model`) with the
//! input it reads (`input`, mirroring `scripts/lib/stance_data.py`), and the
//! VADER lexicon baseline (`lexicon`). Which model to pick and how far to
//! trust it: `docs/models.md`.

mod input;
mod lexicon;
mod model;
pub mod questions;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::runtime::{ModelError, Padding};

pub(crate) use input::resolve_overlaps;
pub use input::{mark, ContextSpec, InputEncoder, InputMode, InputSpec, PairLayout};
pub use lexicon::{decide, LexiconBaseline};
pub use model::{StanceConfig, StanceModel};
pub(crate) use questions::ConversationParts;
pub use questions::StanceQuery;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Favour,
    Against,
    Neutral,
}

impl Stance {
    /// The classes in the order of [`StanceDecision::probabilities`] and of
    /// evaluation reports.
    pub const ALL: [Stance; 3] = [Stance::Against, Stance::Neutral, Stance::Favour];

    /// Position in [`Stance::ALL`].
    pub fn index(self) -> usize {
        match self {
            Stance::Against => 0,
            Stance::Neutral => 1,
            Stance::Favour => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Favour => "favour",
            Stance::Against => "against",
            Stance::Neutral => "neutral",
        }
    }

    /// The stance named by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One line of `stances.jsonl`: a comment's stance toward one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceRecord {
    pub doc_id: String,
    /// 0-based index of the comment in its document.
    pub comment: usize,
    /// The comment's id: the input's own, else `<doc_id>#<comment>`
    /// ([`crate::evidence::comment_id`]).
    #[serde(default)]
    pub comment_id: String,
    pub author: String,
    /// The comment's words around the mention, with the mention's offsets
    /// in them; an implicit record quotes the comment's opening
    /// ([`crate::evidence::quote`]).
    #[serde(default)]
    pub quote: crate::evidence::Quote,
    pub entity_id: String,
    pub entity: String,
    pub entity_type: crate::link::EntityType,
    pub stance: Stance,
    pub confidence: f32,
    /// The probability of each class, in [`Stance::ALL`] order.
    pub probabilities: [f32; 3],
    /// The model that answered (its name and version, as the store keeps it).
    pub model: String,
    /// The comment does not name the entity: it was asked because the
    /// comment replies to one that does, or the entity leads the document.
    /// Kept only when the answer is favour or against and sure.
    pub implicit: bool,
    /// The answer's confidence is below the run's `--min-confidence`: kept in
    /// the records, left out of the graph and counted apart.
    pub unsure: bool,
}

/// Applies a run's `--min-confidence` to its records: an explicit record
/// below it is marked unsure (kept, counted apart, left out of the graph); an
/// implicit one below it is dropped, since implicit records are kept only
/// when the answer is favour or against and sure.
pub fn apply_min_confidence(records: &mut Vec<StanceRecord>, min_confidence: f32) {
    let sure = |r: &StanceRecord| min_confidence <= 0.0 || r.confidence >= min_confidence;
    records.retain(|r| !r.implicit || (sure(r) && r.stance != Stance::Neutral));
    for r in records.iter_mut() {
        r.unsure = !sure(r);
    }
}

/// The answer to a [`StanceQuery`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StanceDecision {
    pub stance: Stance,
    /// The probability of `stance`.
    pub confidence: f32,
    /// Probability of each class, in [`Stance::ALL`] order (for the lexicon
    /// baseline: a score with the same ordering).
    pub probabilities: [f32; 3],
}

impl StanceDecision {
    /// The more probable of favour and against: the answer where the
    /// question is known to have no neutral side (the two-class protocol of
    /// P-Stance and SemEval in the literature).
    pub fn favour_or_against(&self) -> Stance {
        if self.probabilities[Stance::Favour.index()] > self.probabilities[Stance::Against.index()] {
            Stance::Favour
        } else {
            Stance::Against
        }
    }
}

/// Which stance model to load: `--stance-model comments|fast|accurate|PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StanceModelChoice {
    /// `models/stance-comments`: MPNet reading each comment in its
    /// conversation (the accurate model continued on comment threads).
    Comments,
    /// `models/stance`: MiniLM, the fastest.
    Fast,
    /// `models/stance-accurate`: MPNet trained on news and tweets.
    Accurate,
    /// A model directory written by `scripts/export/export_stance.py`.
    Path(PathBuf),
}

impl StanceModelChoice {
    /// Where `accurate` lives in a models folder.
    pub(crate) const ACCURATE_DIR: &'static str = "stance-accurate";
    /// Where `comments` lives in a models folder.
    pub(crate) const COMMENTS_DIR: &'static str = "stance-comments";

    /// `comments`, `fast`, `accurate`, or any other string as a directory
    /// (write `./fast` for a directory of that name).
    pub fn parse(s: &str) -> StanceModelChoice {
        match s {
            "comments" => StanceModelChoice::Comments,
            "fast" => StanceModelChoice::Fast,
            "accurate" => StanceModelChoice::Accurate,
            path => StanceModelChoice::Path(PathBuf::from(path)),
        }
    }

    /// The model directory, named ones inside `models_dir`. `accurate` fails
    /// when it is not there, saying how to train it.
    pub fn dir(&self, models_dir: &Path) -> Result<PathBuf, ModelError> {
        match self {
            StanceModelChoice::Fast => Ok(models_dir.join("stance")),
            StanceModelChoice::Accurate => shipped(
                models_dir.join(Self::ACCURATE_DIR),
                "accurate stance model",
                "scripts/train/train_stance_mpnet.sh (models/stance/MODEL.md)",
            ),
            StanceModelChoice::Comments => shipped(
                models_dir.join(Self::COMMENTS_DIR),
                "comment stance model",
                "scripts/train/train_stance_context.sh (models/stance-comments/MODEL.md)",
            ),
            StanceModelChoice::Path(p) => Ok(p.clone()),
        }
    }
}

/// The `--min-confidence` a model folder recommends (config.json
/// `stancegraph.min_confidence`: where its favour and against answers were 80 %
/// precise on our comment dev set; `scripts/train/calibrate_stance.sh`).
pub fn recorded_min_confidence(dir: &Path) -> Option<f32> {
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let config: serde_json::Value = serde_json::from_str(&text).ok()?;
    let t = config.get("stancegraph")?.get("min_confidence")?.as_f64()? as f32;
    (0.0..=1.0).contains(&t).then_some(t)
}

/// `dir` when it holds a model, else the error saying how to train it.
fn shipped(dir: PathBuf, model: &'static str, how: &'static str) -> Result<PathBuf, ModelError> {
    if dir.join("config.json").is_file() {
        Ok(dir)
    } else {
        Err(ModelError::NotShipped { model, dir, how })
    }
}

/// Which classifier the pipeline uses.
pub enum StanceClassifier {
    Model(Box<StanceModel>),
    Baseline(LexiconBaseline),
}

impl StanceClassifier {
    /// The lexicon baseline when `baseline`, else the model in `dir`.
    pub fn load(baseline: bool, dir: &Path, config: StanceConfig) -> Result<StanceClassifier, ModelError> {
        Ok(if baseline {
            StanceClassifier::Baseline(LexiconBaseline::new())
        } else {
            StanceClassifier::Model(Box::new(StanceModel::load(dir, config)?))
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            StanceClassifier::Model(_) => StanceModel::NAME,
            StanceClassifier::Baseline(_) => LexiconBaseline::NAME,
        }
    }

    /// Padding of the transformer's batches so far (`None` for the baseline).
    pub fn padding(&self) -> Option<Padding> {
        match self {
            StanceClassifier::Model(m) => Some(m.padding.total()),
            StanceClassifier::Baseline(_) => None,
        }
    }

    pub fn predict(&self, queries: &[StanceQuery]) -> Result<Vec<StanceDecision>, ModelError> {
        match self {
            StanceClassifier::Model(m) => m.predict(queries),
            StanceClassifier::Baseline(b) => {
                use rayon::prelude::*;
                Ok(queries.par_iter().map(|q| b.predict(q)).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stance_model_names_pick_folders_and_a_missing_accurate_model_says_how_to_train_it() {
        let models = tempfile::tempdir().unwrap();
        let fast = StanceModelChoice::parse("fast").dir(models.path()).unwrap();
        assert_eq!(fast, models.path().join("stance"));
        assert_eq!(StanceModelChoice::parse("some/dir"), StanceModelChoice::Path(PathBuf::from("some/dir")));
        let err = StanceModelChoice::parse("accurate").dir(models.path()).unwrap_err().to_string();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.contains("accurate stance model isn't shipped yet"), "{err}");
        assert!(err.contains("stance-accurate") && err.contains("scripts/train/train_stance_mpnet.sh"), "{err}");
        let accurate = models.path().join("stance-accurate");
        std::fs::create_dir_all(&accurate).unwrap();
        std::fs::write(accurate.join("config.json"), "{}").unwrap();
        assert_eq!(StanceModelChoice::Accurate.dir(models.path()).unwrap(), accurate);
    }
}
