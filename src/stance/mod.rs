//! Stance: decides what each comment thinks of each entity it targets
//! (favour / against / neutral, with a confidence).
//!
//! Two classifiers answer the same [`StanceQuery`] (a comment, the target
//! entity's name, and where the comment mentions it):
//!
//! - [`StanceModel`], the default: our fine-tuned transformer reads the
//!   comment with each mention of the target marked in place
//!   (`[unused1] … [unused2]`), the target's name as a second segment and,
//!   for a model trained so, the conversation (title, replied-to comment);
//!   the exact input encoding is specified in `scripts/stance_data.py` and
//!   mirrored byte for byte by [`InputEncoder::encode`]. Three models answer
//!   ([`StanceModelChoice`]): `comments` (models/stance-comments, MPNet on
//!   [`crate::mpnet`], the default), `accurate` (models/stance-accurate, the
//!   MPNet it was continued from) and `fast` (models/stance, MiniLM on
//!   rust-bert's BERT); config.json's `model_type` picks the network
//!   (`bert`, `distilbert`, `mpnet`), its `temperature` calibrates the
//!   probabilities and its `min_confidence` is the model's default
//!   `--min-confidence`; the pair layout
//!   ([`PairLayout`]: BERT's `[CLS] A [SEP] B [SEP]` with token types, or
//!   MPNet's `<s> A </s></s> B </s>` without).
//! - [`LexiconBaseline`] (`--stance baseline`): the VADER sentiment lexicon
//!   (MIT, the `vader_sentiment` crate) scored over the clause around each
//!   mention. It reads negation, intensifiers and "but" the way VADER does,
//!   and nothing more: it does not know who the sentiment inside a clause is
//!   aimed at, and it misses sarcasm.

pub mod questions;

use std::path::{Path, PathBuf};

use rust_bert::bert::{BertConfig, BertForSequenceClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertModelClassifier};
use serde::{Deserialize, Serialize};
use tch::{nn, Kind};
use tokenizers::{AddedToken, Tokenizer};
use vader_sentiment::SentimentIntensityAnalyzer;

use crate::mpnet::{MpnetConfig, MpnetForSequenceClassification, POSITION_PADDING_ID};
use crate::runtime::{batch, var_store, Checkpoint, DeviceChoice, ModelError, Padding, PaddingCounter, Precision};

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

/// A question for the stance stage: what does `text` think of `target`,
/// mentioned at `mentions` (character ranges in `text`; empty when the
/// target is implicit), read in its conversation: the document's `title` (or
/// its first sentence) and the `parent` comment it replies to (both empty
/// when there is none). Models trained without the conversation ignore it.
#[derive(Debug, Clone)]
pub struct StanceQuery<'a> {
    pub text: &'a str,
    pub target: &'a str,
    pub mentions: Vec<(usize, usize)>,
    pub title: &'a str,
    pub parent: &'a str,
}

impl<'a> StanceQuery<'a> {
    /// A question without conversation.
    pub fn new(text: &'a str, target: &'a str, mentions: Vec<(usize, usize)>) -> StanceQuery<'a> {
        StanceQuery { text, target, mentions, title: "", parent: "" }
    }

    /// The same question read under `title`, as a reply to `parent`.
    pub fn in_conversation(self, title: &'a str, parent: &'a str) -> StanceQuery<'a> {
        StanceQuery { title, parent, ..self }
    }

    /// The key of this question's answer: a hash of its whole input. A
    /// question without conversation keeps the hash it had before questions
    /// carried one; with one, the title and the parent are hashed too, so an
    /// edited parent re-asks its replies only.
    pub fn input_hash(&self) -> String {
        let ranges: Vec<String> = self.mentions.iter().map(|(s, e)| format!("{s}-{e}")).collect();
        let ranges = ranges.join(",");
        if self.title.is_empty() && self.parent.is_empty() {
            crate::hashes::content_hash([self.text, self.target, &ranges])
        } else {
            crate::hashes::content_hash([self.text, self.target, &ranges, "conversation", self.title, self.parent])
        }
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

/// VADER compound scores at or beyond this count as favour / against
/// (VADER's own recommended threshold).
pub(crate) const POLARITY_THRESHOLD: f64 = 0.05;

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
    /// A model directory written by `scripts/export_stance.py`.
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
                "scripts/train_stance_mpnet.sh (models/stance/MODEL.md)",
            ),
            StanceModelChoice::Comments => shipped(
                models_dir.join(Self::COMMENTS_DIR),
                "comment stance model",
                "scripts/train_stance_context.sh (models/stance-comments/MODEL.md)",
            ),
            StanceModelChoice::Path(p) => Ok(p.clone()),
        }
    }
}

/// The `--min-confidence` a model folder recommends (config.json
/// `stancegraph.min_confidence`: where its favour and against answers were 80 %
/// precise on our comment dev set; `scripts/calibrate_stance.sh`).
pub fn recorded_min_confidence(dir: &Path) -> Option<f32> {
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let config: serde_json::Value = serde_json::from_str(&text).ok()?;
    let t = config.get("stancegraph")?.get("min_confidence")?.as_f64()? as f32;
    (0.0..=1.0).contains(&t).then_some(t)
}

/// Which parts of a question's conversation a classifier reads. The parts it
/// does not read are left out of the question, and so out of its key: a
/// model that ignores the parent is not re-asked when a parent is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ConversationParts {
    pub title: bool,
    pub parent: bool,
}

impl ConversationParts {
    /// What the classifier in `dir` reads by its config.json (a model that
    /// reads the conversation with a slot of 0 pieces ignores that part);
    /// nothing for the lexicon baseline or an unreadable config.
    pub(crate) fn read_by(baseline: bool, dir: &Path) -> ConversationParts {
        if baseline {
            return ConversationParts::default();
        }
        let config: Option<serde_json::Value> =
            std::fs::read_to_string(dir.join("config.json")).ok().and_then(|t| serde_json::from_str(&t).ok());
        let Some(meta) = config.as_ref().and_then(|c| c.get("stancegraph")) else {
            return ConversationParts::default();
        };
        if !meta.get("context").and_then(|v| v.as_bool()).unwrap_or(false) {
            return ConversationParts::default();
        }
        let pieces = |k: &str, d: u64| meta.get(k).and_then(|v| v.as_u64()).unwrap_or(d);
        ConversationParts {
            title: pieces("max_title_pieces", DEFAULT_TITLE_PIECES as u64) > 0,
            parent: pieces("max_parent_pieces", DEFAULT_PARENT_PIECES as u64) > 0,
        }
    }
}

/// Pieces of the title and of the parent a model that reads the
/// conversation takes when its config.json does not say.
const DEFAULT_TITLE_PIECES: usize = 24;
const DEFAULT_PARENT_PIECES: usize = 64;

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

enum Classifier {
    DistilBert(DistilBertModelClassifier),
    Bert(BertForSequenceClassification),
    Mpnet(MpnetForSequenceClassification),
}

/// How a (text, target) pair is laid out around its special tokens: as the
/// model family's tokenizer lays out pairs (`scripts/stance_data.py`, step 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairLayout {
    /// BERT, MiniLM, DistilBERT: `[CLS] A [SEP] B [SEP]`, token types 0 then 1.
    Bert,
    /// MPNet (RoBERTa's): `<s> A </s></s> B </s>`, no token types.
    Roberta,
}

impl PairLayout {
    /// The layout of a config.json `model_type`.
    pub fn of(model_type: &str) -> PairLayout {
        match model_type {
            "mpnet" | "roberta" | "xlm-roberta" => PairLayout::Roberta,
            _ => PairLayout::Bert,
        }
    }

    /// Separators between the two segments.
    fn pair_separators(self) -> usize {
        match self {
            PairLayout::Bert => 1,
            PairLayout::Roberta => 2,
        }
    }
}

/// How the model input is built (recorded in config.json `stancegraph.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// Mentions marked in place; no second segment.
    Marked,
    /// Plain text, target name as second segment.
    Pair,
    /// Mentions marked in place and target name as second segment.
    Both,
}

/// Tuning of a stance run.
#[derive(Debug, Clone)]
pub struct StanceConfig {
    pub batch_size: usize,
    pub threads: usize,
    pub precision: Precision,
    /// Where the transformer runs.
    pub device: DeviceChoice,
}

impl Default for StanceConfig {
    fn default() -> Self {
        StanceConfig { batch_size: 32, threads: 0, precision: Precision::auto(), device: DeviceChoice::default() }
    }
}

/// The target-aware transformer stance classifier.
pub struct StanceModel {
    input: InputEncoder,
    classifier: Classifier,
    labels: Vec<Stance>,
    uses_token_types: bool,
    pad_id: i64,
    batch_size: usize,
    padding: PaddingCounter,
    vars: nn::VarStore,
    /// The logits are divided by this before the softmax (config.json
    /// `stancegraph.temperature`, fitted on dev data; 1 when absent).
    temperature: f64,
}

/// Builds model inputs (no tensors: shared freely across Rayon workers).
pub struct InputEncoder {
    tokenizer: Tokenizer,
    layout: PairLayout,
    spec: InputSpec,
    cls_id: i64,
    sep_id: i64,
}

/// The input encoding a model was trained with (config.json `stancegraph`).
#[derive(Debug, Clone)]
pub struct InputSpec {
    pub mode: InputMode,
    pub max_len: usize,
    pub max_target_pieces: usize,
    pub open_marker: String,
    pub close_marker: String,
    /// Whether the model reads the conversation (title and parent after the
    /// pair; `scripts/stance_data.py` step 5), with the pieces each may take.
    pub context: Option<ContextSpec>,
}

/// How many pieces of the title and of the parent comment a model that
/// reads the conversation takes (config.json `max_title_pieces`,
/// `max_parent_pieces`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextSpec {
    pub max_title_pieces: usize,
    pub max_parent_pieces: usize,
}

impl InputSpec {
    /// The most pieces an input can take: `max_len`, plus the conversation's
    /// slots for a model that reads it.
    pub(crate) fn longest_input(&self) -> usize {
        self.max_len + self.context.map_or(0, |c| c.max_title_pieces + c.max_parent_pieces + 2)
    }

    /// Reads config.json's `stancegraph` section.
    pub fn from_config(checkpoint: &Checkpoint) -> Result<InputSpec, ModelError> {
        let meta =
            checkpoint.config.get("stancegraph").ok_or_else(|| checkpoint.bad_config("no stancegraph section"))?;
        let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let number = |k: &str, d: usize| meta.get(k).and_then(|v| v.as_u64()).map(|v| v as usize).unwrap_or(d);
        let mode = match text("mode").as_deref() {
            Some("marked") => InputMode::Marked,
            Some("pair") => InputMode::Pair,
            Some("both") => InputMode::Both,
            other => return Err(checkpoint.bad_config(format!("unknown stancegraph.mode {other:?}"))),
        };
        let markers = meta.get("markers");
        let marker = |k: &str| markers.and_then(|m| m.get(k)).and_then(|v| v.as_str()).map(str::to_string);
        let (open_marker, close_marker) = match (marker("open"), marker("close")) {
            (Some(o), Some(c)) => (o, c),
            _ => return Err(checkpoint.bad_config("stancegraph.markers needs open and close")),
        };
        let layout = PairLayout::of(checkpoint.model_type());
        let recorded = match text("layout").as_deref() {
            None | Some("bert") => PairLayout::Bert,
            Some("roberta") => PairLayout::Roberta,
            Some(other) => return Err(checkpoint.bad_config(format!("unknown stancegraph.layout {other:?}"))),
        };
        if recorded != layout {
            return Err(checkpoint.bad_config(format!(
                "stancegraph.layout {recorded:?} does not fit model_type {:?}",
                checkpoint.model_type()
            )));
        }
        let context = meta.get("context").and_then(|v| v.as_bool()).unwrap_or(false).then(|| ContextSpec {
            max_title_pieces: number("max_title_pieces", DEFAULT_TITLE_PIECES),
            max_parent_pieces: number("max_parent_pieces", DEFAULT_PARENT_PIECES),
        });
        if context.is_some() && mode != InputMode::Both {
            return Err(checkpoint.bad_config("stancegraph.context needs mode both"));
        }
        Ok(InputSpec {
            mode,
            max_len: number("max_len", 128),
            max_target_pieces: number("max_target_pieces", 16),
            open_marker,
            close_marker,
            context,
        })
    }
}

impl StanceModel {
    /// What `summary.json` calls the method; `stance_model` beside it names the model and its version.
    pub const NAME: &'static str = "target-aware transformer";

    /// Loads a model directory written by `scripts/export_stance.py`.
    pub fn load(dir: &Path, config: StanceConfig) -> Result<StanceModel, ModelError> {
        let checkpoint = Checkpoint::open(dir)?;
        let spec = InputSpec::from_config(&checkpoint)?;
        let labels = checkpoint
            .labels()?
            .iter()
            .map(|l| match l.as_str() {
                "against" => Ok(Stance::Against),
                "neutral" => Ok(Stance::Neutral),
                "favour" | "favor" => Ok(Stance::Favour),
                other => Err(checkpoint.bad_config(format!("unknown stance label {other:?}"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut vars = var_store(config.threads, config.device.resolve()?);
        let classifier = match checkpoint.model_type() {
            "distilbert" => {
                let c: DistilBertConfig = checkpoint.typed_config()?;
                Classifier::DistilBert(
                    DistilBertModelClassifier::new(vars.root(), &c).map_err(|e| checkpoint.bad_config(e))?,
                )
            }
            "bert" => {
                let c: BertConfig = checkpoint.typed_config()?;
                Classifier::Bert(
                    BertForSequenceClassification::new(vars.root(), &c).map_err(|e| checkpoint.bad_config(e))?,
                )
            }
            "mpnet" => {
                let c: MpnetConfig = checkpoint.typed_config()?;
                if let Some(problem) = c.unsupported() {
                    return Err(checkpoint.bad_config(problem));
                }
                let positions = (c.max_position_embeddings - POSITION_PADDING_ID - 1).max(0) as usize;
                if spec.longest_input() > positions {
                    return Err(checkpoint.bad_config(format!(
                        "the longest input ({} pieces) exceeds the model's {positions} positions",
                        spec.longest_input()
                    )));
                }
                Classifier::Mpnet(MpnetForSequenceClassification::new(vars.root(), &c, labels.len() as i64))
            }
            other => return Err(checkpoint.bad_config(format!("unsupported model_type {other:?}"))),
        };
        let precision = config.precision.float(vars.device());
        checkpoint.load_weights(&mut vars, precision)?;
        let uses_token_types = checkpoint
            .config
            .get("stancegraph")
            .and_then(|m| m.get("token_type_ids"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let layout = PairLayout::of(checkpoint.model_type());
        let temperature = checkpoint
            .config
            .get("stancegraph")
            .and_then(|m| m.get("temperature"))
            .and_then(|v| v.as_f64())
            .unwrap_or(1.0);
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(checkpoint.bad_config(format!("stancegraph.temperature {temperature} is not positive")));
        }
        let Checkpoint { tokenizer, cls_id, sep_id, pad_id, ref dir, .. } = checkpoint;
        let tok_path = dir.join("tokenizer.json");
        Ok(StanceModel {
            input: InputEncoder::new(tokenizer, layout, spec, cls_id, sep_id)
                .map_err(|e| ModelError::Corrupt(tok_path, e))?,
            classifier,
            labels,
            uses_token_types,
            pad_id,
            batch_size: config.batch_size.max(1),
            padding: PaddingCounter::default(),
            vars,
            temperature,
        })
    }
}

impl StanceModel {
    /// The input encoder (token ids of a query, as the model reads them).
    pub fn input(&self) -> &InputEncoder {
        &self.input
    }

    /// Whether the model reads the conversation around a comment.
    pub fn reads_conversation(&self) -> bool {
        self.input.spec.context.is_some()
    }
}

impl InputEncoder {
    /// An encoder over `tokenizer` (truncation and padding off, as
    /// [`Checkpoint::open`] leaves it). The markers are registered as special
    /// added tokens, as `scripts/stance_data.py`'s `load_tokenizer` does
    /// (a no-op for an exported tokenizer.json, which has them); fails when
    /// the vocabulary lacks them.
    pub fn new(
        mut tokenizer: Tokenizer,
        layout: PairLayout,
        spec: InputSpec,
        cls_id: i64,
        sep_id: i64,
    ) -> Result<InputEncoder, String> {
        let markers = [spec.open_marker.as_str(), spec.close_marker.as_str()];
        let ids: Vec<Option<u32>> = markers.iter().map(|m| tokenizer.token_to_id(m)).collect();
        if ids.contains(&None) {
            return Err(format!("the vocabulary lacks the markers {markers:?}"));
        }
        tokenizer.add_special_tokens(&markers.map(|m| AddedToken::from(m, true)));
        if markers.iter().map(|m| tokenizer.token_to_id(m)).collect::<Vec<_>>() != ids {
            return Err(format!("registering the markers {markers:?} changed their ids"));
        }
        Ok(InputEncoder { tokenizer, layout, spec, cls_id, sep_id })
    }

    /// The model input of one query: (token ids, token type ids), following
    /// the specification in `scripts/stance_data.py`.
    pub fn encode(&self, q: &StanceQuery) -> Result<(Vec<i64>, Vec<i64>), ModelError> {
        let spec = &self.spec;
        let spans = resolve_overlaps(&q.mentions);
        let marked;
        let first: &str = match spec.mode {
            InputMode::Pair => q.text,
            InputMode::Marked | InputMode::Both => {
                marked = mark(q.text, &spans, &spec.open_marker, &spec.close_marker);
                &marked
            }
        };
        let ids = |s: &str| -> Result<Vec<i64>, ModelError> {
            Ok(self
                .tokenizer
                .encode(s, false)
                .map_err(|e| ModelError::Tokenize(e.to_string()))?
                .get_ids()
                .iter()
                .map(|&i| i as i64)
                .collect())
        };
        let mut a = ids(first)?;
        let b = match spec.mode {
            InputMode::Marked => None,
            InputMode::Pair | InputMode::Both => {
                let mut b = ids(q.target)?;
                b.truncate(spec.max_target_pieces);
                Some(b)
            }
        };
        let seps = self.layout.pair_separators();
        let budget = match &b {
            None => spec.max_len.saturating_sub(2),
            Some(b) => spec.max_len.saturating_sub(2 + seps + b.len()),
        };
        if a.len() > budget {
            let anchor = match spans.first() {
                Some(&(s0, _)) => ids(&char_prefix(q.text, s0))?.len(),
                None => 0,
            };
            let start = anchor.saturating_sub(budget / 2).min(a.len() - budget);
            a = a[start..start + budget].to_vec();
        }
        let mut input = Vec::with_capacity(spec.max_len);
        input.push(self.cls_id);
        input.extend_from_slice(&a);
        input.push(self.sep_id);
        let mut types = vec![0i64; input.len()];
        if let Some(b) = b {
            input.extend(std::iter::repeat_n(self.sep_id, seps - 1));
            input.extend_from_slice(&b);
            input.push(self.sep_id);
            let second_type = match self.layout {
                PairLayout::Bert => 1,
                PairLayout::Roberta => 0,
            };
            types.resize(input.len(), second_type);
            if let Some(context) = spec.context {
                let mut title = ids(q.title)?;
                title.truncate(context.max_title_pieces);
                let mut parent = ids(q.parent)?;
                parent.truncate(context.max_parent_pieces);
                input.extend_from_slice(&title);
                input.push(self.sep_id);
                input.extend_from_slice(&parent);
                input.push(self.sep_id);
                types.resize(input.len(), second_type);
            }
        }
        Ok((input, types))
    }
}

impl StanceModel {
    /// Decides every query, in batches sorted by length.
    pub fn predict(&self, queries: &[StanceQuery]) -> Result<Vec<StanceDecision>, ModelError> {
        use rayon::prelude::*;
        let encoded: Vec<(Vec<i64>, Vec<i64>)> = {
            let input = &self.input;
            queries.par_iter().map(|q| input.encode(q)).collect::<Result<_, _>>()?
        };
        let mut order: Vec<usize> = (0..encoded.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(encoded[i].0.len()));
        let mut out =
            vec![StanceDecision { stance: Stance::Neutral, confidence: 0.0, probabilities: [0.0; 3] }; queries.len()];
        for chunk in order.chunks(self.batch_size) {
            let rows: Vec<Vec<i64>> = chunk.iter().map(|&i| encoded[i].0.clone()).collect();
            let types: Vec<Vec<i64>> =
                if self.uses_token_types { chunk.iter().map(|&i| encoded[i].1.clone()).collect() } else { Vec::new() };
            let (ids, mask, tt, width) = batch(&rows, &types, self.pad_id, self.vars.device());
            self.padding.add(&rows, width);
            let logits = tch::no_grad(|| match &self.classifier {
                Classifier::DistilBert(m) => m.forward_t(Some(&ids), Some(&mask), None, false).map(|o| o.logits),
                Classifier::Bert(m) => {
                    let tt = self.uses_token_types.then_some(&tt);
                    Ok(m.forward_t(Some(&ids), Some(&mask), tt, None, None, false).logits)
                }
                Classifier::Mpnet(m) => Ok(m.forward_t(&ids, Some(&mask), false)),
            })
            .map_err(|e| ModelError::Forward(e.to_string()))?;
            let probs =
                (logits.to_kind(Kind::Float) / self.temperature).softmax(-1, Kind::Float).to_device(tch::Device::Cpu);
            let width = self.labels.len();
            let probs = Vec::<f32>::try_from(probs.flatten(0, -1)).map_err(|e| ModelError::Forward(e.to_string()))?;
            for (k, &i) in chunk.iter().enumerate() {
                let mut probabilities = [0.0f32; 3];
                for (j, label) in self.labels.iter().enumerate() {
                    probabilities[label.index()] = probs[k * width + j];
                }
                let best = (0..3).max_by(|a, b| probabilities[*a].total_cmp(&probabilities[*b])).unwrap_or(1);
                out[i] = StanceDecision { stance: Stance::ALL[best], confidence: probabilities[best], probabilities };
            }
        }
        Ok(out)
    }
}

/// Sorted by start (longer first on ties); spans overlapping a kept one are dropped.
pub(crate) fn resolve_overlaps(spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut sorted: Vec<(usize, usize)> = spans.iter().copied().filter(|(s, e)| e > s).collect();
    sorted.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e - s)));
    sorted.dedup();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(sorted.len());
    for (s, e) in sorted {
        if out.last().is_some_and(|&(_, le)| s < le) {
            continue;
        }
        out.push((s, e));
    }
    out
}

/// The text with every span (character offsets, sorted, disjoint) wrapped as
/// `open + " " + mention + " " + close`; nothing else changes.
pub fn mark(text: &str, spans: &[(usize, usize)], open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * (open.len() + close.len() + 2));
    let mut next = spans.iter().peekable();
    let mut inside: Option<usize> = None;
    let n = text.chars().count();
    for (i, c) in text.chars().enumerate() {
        if inside.is_none() {
            if let Some(&&(s, e)) = next.peek() {
                if s == i {
                    out.push_str(open);
                    out.push(' ');
                    inside = Some(e);
                    next.next();
                }
            }
        }
        out.push(c);
        if inside == Some(i + 1) {
            out.push(' ');
            out.push_str(close);
            inside = None;
        }
    }
    if inside.is_some_and(|e| e >= n) {
        out.push(' ');
        out.push_str(close);
    }
    out
}

fn char_prefix(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

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

    #[test]
    fn marks_mentions_in_place_with_character_offsets() {
        let t = "Zoë thinks Iran is bad, says Iran’s foe";
        let spans = resolve_overlaps(&[(29, 33), (11, 15), (11, 13)]);
        assert_eq!(spans, vec![(11, 15), (29, 33)]);
        assert_eq!(
            mark(t, &spans, "[unused1]", "[unused2]"),
            "Zoë thinks [unused1] Iran [unused2] is bad, says [unused1] Iran [unused2]’s foe"
        );
        // A mention at the very end of the text is closed.
        assert_eq!(mark("go Iran", &[(3, 7)], "<", ">"), "go < Iran >");
    }

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
    fn stance_model_names_pick_folders_and_a_missing_accurate_model_says_how_to_train_it() {
        let models = tempfile::tempdir().unwrap();
        let fast = StanceModelChoice::parse("fast").dir(models.path()).unwrap();
        assert_eq!(fast, models.path().join("stance"));
        assert_eq!(StanceModelChoice::parse("some/dir"), StanceModelChoice::Path(PathBuf::from("some/dir")));
        let err = StanceModelChoice::parse("accurate").dir(models.path()).unwrap_err().to_string();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.contains("accurate stance model isn't shipped yet"), "{err}");
        assert!(err.contains("stance-accurate") && err.contains("scripts/train_stance_mpnet.sh"), "{err}");
        let accurate = models.path().join("stance-accurate");
        std::fs::create_dir_all(&accurate).unwrap();
        std::fs::write(accurate.join("config.json"), "{}").unwrap();
        assert_eq!(StanceModelChoice::Accurate.dir(models.path()).unwrap(), accurate);
    }

    #[test]
    fn pair_layouts_follow_the_model_type() {
        assert_eq!(PairLayout::of("mpnet"), PairLayout::Roberta);
        assert_eq!(PairLayout::of("bert"), PairLayout::Bert);
        assert_eq!(PairLayout::of("distilbert"), PairLayout::Bert);
        assert_eq!(PairLayout::Roberta.pair_separators(), 2);
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
