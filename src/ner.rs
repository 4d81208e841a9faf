//! Named-entity recognition: runs our fine-tuned transformer over texts and
//! returns whole-word entity spans with character offsets into the original
//! text. Owns model loading, tokenization, batching, sliding windows and the
//! merging of word pieces into spans.
//!
//! The network is picked by config.json's `model_type`: `mpnet` (the
//! shipped model: 6 layers with a casing embedding) on
//! [`crate::mpnet::MpnetForTokenClassification`] (framing `<s> … </s>`;
//! with `"casing_embedding"` in the config, each piece also gets the casing
//! class of its word in the original text, [`crate::mpnet::piece_casing`],
//! computed once per text and cut into the same windows as the pieces);
//! `distilbert` (an earlier NER model, see models/ner/MODEL.md) and `bert` on
//! rust-bert's token classifiers. Under `--precision int8` an MPNet or
//! DistilBERT model runs on [`crate::quantized`]'s copies instead.
//!
//! How a call to [`NerModel::predict`] runs:
//! 1. every text is tokenized once, whole, on Rayon workers (piece ids,
//!    character offsets, word ids, the pieces that start a sentence);
//! 2. each text's pieces are cut into windows that fit the model, packed
//!    with whole sentences as in training ([`plan_sentence_windows`]); only a
//!    sentence longer than a window is cut into overlapping windows
//!    ([`plan_windows`]). Each piece is *owned* by exactly one window (in an
//!    overlap, the one where it sits farthest from an edge), so nothing is
//!    lost or counted twice at a seam;
//! 3. all windows of all texts are sorted by length and run in batches (little
//!    padding), libtorch using its own intra-op threads; each batch's output
//!    can be kept as it finishes and read back by a later call over the same
//!    texts ([`NerModel::predict_resuming`]);
//! 4. the owned piece labels are read back per text, each word takes the label
//!    of its first piece, and BIO runs of words become [`EntitySpan`]s
//!    ([`decode_words`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::mpnet::{piece_casing, MpnetConfig, MpnetForTokenClassification};
use crate::quantized;
use crate::runtime::{batch, var_store, Checkpoint, Padding, PaddingCounter};
use tch::{Device, Tensor};

use rayon::prelude::*;
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use serde::{Deserialize, Serialize};
use tch::{nn, Kind};
use tokenizers::Tokenizer;

/// The entity classes the model predicts (CoNLL-2003 scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organisation,
    Location,
    Misc,
}

impl EntityKind {
    /// Parses the type part of a tag (`PER`, `ORG`, `LOC`, `MISC`, and the
    /// WNUT-style long names).
    pub(crate) fn from_tag_type(t: &str) -> Option<EntityKind> {
        match t.to_ascii_uppercase().as_str() {
            "PER" | "PERSON" => Some(EntityKind::Person),
            "ORG" | "ORGANISATION" | "ORGANIZATION" | "GROUP" | "CORPORATION" => Some(EntityKind::Organisation),
            "LOC" | "LOCATION" | "GPE" => Some(EntityKind::Location),
            "MISC" | "PRODUCT" | "CREATIVE-WORK" => Some(EntityKind::Misc),
            _ => None,
        }
    }

    /// The CoNLL short name (`PER`, `ORG`, `LOC`, `MISC`).
    pub fn short(self) -> &'static str {
        match self {
            EntityKind::Person => "PER",
            EntityKind::Organisation => "ORG",
            EntityKind::Location => "LOC",
            EntityKind::Misc => "MISC",
        }
    }
}

/// One entity found in a text. `start..end` are character (not byte) offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitySpan {
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
    pub text: String,
    /// Mean probability of the predicted labels over the span's words.
    pub score: f32,
}

/// A BIO label of the model's output layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Outside,
    Begin(EntityKind),
    Inside(EntityKind),
}

impl Label {
    /// Parses `O`, `B-PER`, `I-LOC`, … Unknown types read as `O`.
    pub fn parse(tag: &str) -> Label {
        let (prefix, kind) = match tag.split_once('-') {
            Some((p, t)) => (p, EntityKind::from_tag_type(t)),
            None => return Label::Outside,
        };
        match (prefix, kind) {
            ("B", Some(k)) | ("S", Some(k)) => Label::Begin(k),
            ("I", Some(k)) | ("E", Some(k)) => Label::Inside(k),
            _ => Label::Outside,
        }
    }
}

pub use crate::runtime::{DeviceChoice, ModelError, Precision};

/// Tuning of a run. The defaults suit a 2-core machine; the window was chosen
/// on CoNLL-2003 valid and the PolNeAR benchmark (models/ner/MODEL.md).
#[derive(Debug, Clone)]
pub struct NerConfig {
    /// Windows per forward pass.
    pub batch_size: usize,
    /// Word pieces per window at most, not counting `[CLS]`/`[SEP]`.
    pub window: usize,
    /// Pieces shared by neighbouring windows inside a sentence longer than a
    /// window (context on each side of the seam).
    pub overlap: usize,
    /// libtorch intra-op threads (0 leaves libtorch's default).
    pub threads: usize,
    /// Numeric precision of the transformer.
    pub precision: Precision,
    /// Where the transformer runs.
    pub device: DeviceChoice,
}

impl Default for NerConfig {
    fn default() -> Self {
        NerConfig {
            batch_size: 32,
            window: 110,
            overlap: 6,
            threads: 0,
            precision: Precision::auto(),
            device: DeviceChoice::default(),
        }
    }
}

enum Encoder {
    DistilBert(DistilBertForTokenClassification),
    /// Our DistilBERT on int8 linear layers (`--precision int8`).
    DistilBertInt8(quantized::DistilBertForTokenClassification),
    Bert(BertForTokenClassification),
    Mpnet(MpnetForTokenClassification),
    /// Our MPNet on int8 linear layers (`--precision int8`).
    MpnetInt8(quantized::MpnetForTokenClassification),
}

impl Encoder {
    /// Whether the model reads casing classes beside the piece ids.
    fn has_casing(&self) -> bool {
        match self {
            Encoder::Mpnet(m) => m.has_casing(),
            Encoder::MpnetInt8(m) => m.has_casing(),
            _ => false,
        }
    }
}

/// The loaded NER model: tokenizer, transformer and label set.
pub struct NerModel {
    tokenizer: Tokenizer,
    encoder: Encoder,
    labels: Vec<Label>,
    // Kept alive: the model's tensors live in it.
    vars: nn::VarStore,
    cls_id: i64,
    sep_id: i64,
    pad_id: i64,
    config: NerConfig,
    padding: PaddingCounter,
}

/// Where the shipped model lives: `$STANCEGRAPH_MODELS/ner`, else `models/ner`
/// next to the binary's checkout, else `models/ner` in the working directory.
pub fn default_model_dir() -> PathBuf {
    crate::models_dir().join("ner")
}

impl NerModel {
    /// Loads a model directory (`config.json`, `tokenizer.json` and the weights: [`crate::runtime::weight_files`]), with no network.
    pub fn load(dir: &Path, config: NerConfig) -> Result<NerModel, ModelError> {
        let checkpoint = Checkpoint::open(dir)?;
        let labels: Vec<Label> = checkpoint.labels()?.iter().map(|t| Label::parse(t)).collect();
        let mut vars = var_store(config.threads, config.device.resolve()?);
        let encoder = match checkpoint.model_type() {
            "distilbert" => {
                let c: DistilBertConfig = checkpoint.typed_config()?;
                Encoder::DistilBert(
                    DistilBertForTokenClassification::new(vars.root(), &c).map_err(|e| checkpoint.bad_config(e))?,
                )
            }
            "bert" => {
                let c: BertConfig = checkpoint.typed_config()?;
                Encoder::Bert(BertForTokenClassification::new(vars.root(), &c).map_err(|e| checkpoint.bad_config(e))?)
            }
            "mpnet" => {
                let c: MpnetConfig = checkpoint.typed_config()?;
                if let Some(problem) = c.unsupported() {
                    return Err(checkpoint.bad_config(problem));
                }
                Encoder::Mpnet(MpnetForTokenClassification::new(vars.root(), &c, labels.len() as i64))
            }
            other => {
                return Err(checkpoint
                    .bad_config(format!("unsupported model_type {other:?} (expected distilbert, bert or mpnet)")))
            }
        };
        // int8 is a CPU precision for DistilBERT and MPNet: elsewhere the
        // model runs in the float precision int8 implies.
        let int8 = matches!(encoder, Encoder::DistilBert(_) | Encoder::Mpnet(_))
            && config.precision == Precision::Int8
            && vars.device() == Device::Cpu;
        let load_as = if int8 { Precision::Int8 } else { config.precision.float(vars.device()) };
        checkpoint.load_weights(&mut vars, load_as)?;
        let encoder = match encoder {
            Encoder::DistilBert(_) if int8 => {
                let c: DistilBertConfig = checkpoint.typed_config()?;
                let int8 = quantized::DistilBertForTokenClassification::from_vars(
                    &vars,
                    c.n_layers,
                    c.n_heads,
                    quantized::Weights::Int8,
                )?;
                // The fp32 linear weights live on in `vars`, unused: free them.
                vars = nn::VarStore::new(vars.device());
                Encoder::DistilBertInt8(int8)
            }
            Encoder::Mpnet(_) if int8 => {
                let c: MpnetConfig = checkpoint.typed_config()?;
                let int8 = quantized::MpnetForTokenClassification::from_vars(&vars, &c, quantized::Weights::Int8)?;
                vars = nn::VarStore::new(vars.device());
                Encoder::MpnetInt8(int8)
            }
            other => other,
        };
        let Checkpoint { tokenizer, cls_id, sep_id, pad_id, .. } = checkpoint;
        Ok(NerModel {
            tokenizer,
            encoder,
            labels,
            vars,
            cls_id,
            sep_id,
            pad_id,
            config,
            padding: PaddingCounter::default(),
        })
    }

    /// Real tokens and computed positions of every batch this model ran so far.
    pub fn padding(&self) -> Padding {
        self.padding.total()
    }

    /// Finds the entities of each text. Output `i` belongs to `texts[i]`.
    pub fn predict(&self, texts: &[&str]) -> Result<Vec<Vec<EntitySpan>>, ModelError> {
        self.predict_resuming(texts, &HashMap::new(), |_, _| Ok::<(), ModelError>(()))
    }

    /// [`NerModel::predict`] in batches that can be kept: `done(k, saved)`
    /// gets the output of batch `k` as it finishes (the owned pieces'
    /// labels, [`SavedBatch`]'s bytes), and the batches of `saved` (kept by an
    /// earlier call over the same texts, model and config) are read back
    /// instead of run. The batches are the same whenever the texts and the
    /// config are: windows sorted by length (a stable sort), cut every
    /// `batch_size`. A saved batch of the wrong length is run again.
    pub fn predict_resuming<E: From<ModelError>>(
        &self,
        texts: &[&str],
        saved: &HashMap<usize, Vec<u8>>,
        mut done: impl FnMut(usize, &[u8]) -> Result<(), E>,
    ) -> Result<Vec<Vec<EntitySpan>>, E> {
        let (tokenizer, casing) = (&self.tokenizer, self.encoder.has_casing());
        let encoded: Vec<Encoded> = texts.par_iter().map(|t| encode(tokenizer, t, casing)).collect::<Result<_, _>>()?;

        // All windows of all texts, longest first so each batch pads little.
        let mut jobs: Vec<(usize, Window)> = encoded
            .iter()
            .enumerate()
            .flat_map(|(i, e)| {
                plan_sentence_windows(e.ids.len(), self.config.window, self.config.overlap, &e.sentence_starts)
                    .into_iter()
                    .map(move |w| (i, w))
            })
            .collect();
        jobs.sort_by_key(|(_, w)| std::cmp::Reverse(w.end - w.start));

        let mut piece_labels: Vec<Vec<(usize, f32)>> = encoded.iter().map(|e| vec![(0, 0.0); e.ids.len()]).collect();
        for (k, batch) in jobs.chunks(self.config.batch_size.max(1)).enumerate() {
            let owned: Vec<(usize, std::ops::Range<usize>)> =
                batch.iter().map(|(i, w)| (*i, w.own_start..w.own_end)).collect();
            if let Some(labels) = saved.get(&k).and_then(|bytes| SavedBatch::read(bytes, &owned)) {
                for ((i, range), row) in owned.into_iter().zip(labels) {
                    piece_labels[i][range].copy_from_slice(&row);
                }
                continue;
            }
            let rows: Vec<&[i64]> = batch.iter().map(|(i, w)| &encoded[*i].ids[w.start..w.end]).collect();
            let cases: Vec<&[i64]> = batch.iter().map(|(i, w)| window_of(&encoded[*i].casing, w)).collect();
            let predicted = self.forward(&rows, &cases)?;
            for ((i, w), row) in batch.iter().zip(predicted) {
                for p in w.own_start..w.own_end {
                    piece_labels[*i][p] = row[p - w.start];
                }
            }
            done(k, &SavedBatch::write(&owned, &piece_labels))?;
        }

        let labels = &self.labels;
        Ok(encoded
            .par_iter()
            .zip(piece_labels.par_iter())
            .zip(texts.par_iter())
            .map(|((e, pl), text)| {
                let words = word_spans(&e.offsets, &e.word_ids, pl);
                decode_words(text, &words, labels)
            })
            .collect())
    }

    /// What decides the batches and their output besides the texts and the
    /// weights: a saved batch is read back only under the same settings.
    pub fn batching(&self) -> String {
        let c = &self.config;
        format!(
            "batch {}, window {}, overlap {}, {:?} on {:?}",
            c.batch_size,
            c.window,
            c.overlap,
            c.precision,
            self.vars.device()
        )
    }

    /// The model's input for one whole text, as [`NerModel::predict`] frames
    /// each window: `<s>`/`[CLS]`, the piece ids, `</s>`/`[SEP]`; and, for a
    /// model with a casing embedding, the casing class of each of those
    /// tokens (0 for the two specials).
    pub fn inputs(&self, text: &str) -> Result<(Vec<i64>, Option<Vec<i64>>), ModelError> {
        let casing = self.encoder.has_casing();
        let e = encode(&self.tokenizer, text, casing)?;
        Ok((frame(&e.ids, self.cls_id, self.sep_id), casing.then(|| frame(&e.casing, 0, 0))))
    }

    /// `[tokens, labels]` float32 logits of each text run whole, in one padded
    /// batch, framed as [`NerModel::inputs`] (no windows: each text must fit
    /// the model). For checks against the Python side and diagnostics.
    pub fn logits(&self, texts: &[&str]) -> Result<Vec<Tensor>, ModelError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let casing = self.encoder.has_casing();
        let encoded: Vec<Encoded> =
            texts.iter().map(|t| encode(&self.tokenizer, t, casing)).collect::<Result<_, _>>()?;
        let rows: Vec<&[i64]> = encoded.iter().map(|e| &e.ids[..]).collect();
        let cases: Vec<&[i64]> = encoded.iter().map(|e| &e.casing[..]).collect();
        let logits = self.run(&rows, &cases)?.to_kind(Kind::Float).to_device(Device::Cpu);
        Ok(rows.iter().enumerate().map(|(r, row)| logits.get(r as i64).narrow(0, 0, row.len() as i64 + 2)).collect())
    }

    /// One batch through the model: `[rows, width, labels]` logits of the
    /// framed rows, padded to the longest. `cases` holds each row's casing
    /// classes (read only by a model with a casing embedding).
    fn run(&self, rows: &[&[i64]], cases: &[&[i64]]) -> Result<Tensor, ModelError> {
        let framed: Vec<Vec<i64>> = rows.iter().map(|r| frame(r, self.cls_id, self.sep_id)).collect();
        let (ids, mask, _, width) = batch(&framed, &[], self.pad_id, self.vars.device());
        self.padding.add(&framed, width);
        tch::no_grad(|| match &self.encoder {
            Encoder::DistilBert(m) => {
                m.forward_t(Some(&ids), Some(&mask), None, false).map(|o| o.logits).map_err(|e| e.to_string())
            }
            Encoder::DistilBertInt8(m) => Ok(m.forward(&ids, &mask)),
            Encoder::Bert(m) => Ok(m.forward_t(Some(&ids), Some(&mask), None, None, None, false).logits),
            Encoder::Mpnet(m) => {
                let case_ids = self.case_ids(cases, m.has_casing());
                m.forward_t(&ids, case_ids.as_ref(), Some(&mask), false).map_err(|e| e.to_string())
            }
            Encoder::MpnetInt8(m) => Ok(m.forward(&ids, self.case_ids(cases, m.has_casing()).as_ref(), &mask)),
        })
        .map_err(ModelError::Forward)
    }

    /// The `[rows, width]` casing classes of a batch, framed and padded as
    /// its pieces (class 0 on `<s>`, `</s>` and padding, as the Python side
    /// pads), for a model that reads them.
    fn case_ids(&self, cases: &[&[i64]], wanted: bool) -> Option<Tensor> {
        wanted.then(|| {
            let framed: Vec<Vec<i64>> = cases.iter().map(|c| frame(c, 0, 0)).collect();
            batch(&framed, &[], 0, self.vars.device()).0
        })
    }

    /// One batch through the model: per row, per piece, (label index, probability).
    fn forward(&self, rows: &[&[i64]], cases: &[&[i64]]) -> Result<Vec<Vec<(usize, f32)>>, ModelError> {
        let logits = self.run(rows, cases)?;
        let width = logits.size()[1] as usize;
        let probs = logits.to_kind(Kind::Float).softmax(-1, Kind::Float);
        let (best, idx) = probs.max_dim(-1, false);
        let (best, idx) = (best.to_device(Device::Cpu), idx.to_device(Device::Cpu));
        let best = Vec::<f32>::try_from(best.flatten(0, -1)).map_err(|e| ModelError::Forward(e.to_string()))?;
        let idx = Vec::<i64>::try_from(idx.flatten(0, -1)).map_err(|e| ModelError::Forward(e.to_string()))?;
        Ok(rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                (0..row.len())
                    .map(|p| {
                        let k = r * width + 1 + p;
                        (idx[k] as usize, best[k])
                    })
                    .collect()
            })
            .collect())
    }
}

/// The output of one batch as [`NerModel::predict_resuming`] hands it out
/// to be kept: for each window in batch order, each owned piece's label index
/// (u16) and probability (f32), little-endian.
struct SavedBatch;

impl SavedBatch {
    const PIECE_BYTES: usize = 6;

    fn write(owned: &[(usize, std::ops::Range<usize>)], piece_labels: &[Vec<(usize, f32)>]) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(owned.iter().map(|(_, r)| r.len()).sum::<usize>() * Self::PIECE_BYTES);
        for (i, range) in owned {
            for &(label, p) in &piece_labels[*i][range.clone()] {
                bytes.extend_from_slice(&(label as u16).to_le_bytes());
                bytes.extend_from_slice(&p.to_le_bytes());
            }
        }
        bytes
    }

    /// Each window's owned labels; `None` when the bytes do not fit the batch.
    fn read(bytes: &[u8], owned: &[(usize, std::ops::Range<usize>)]) -> Option<Vec<Vec<(usize, f32)>>> {
        if bytes.len() != owned.iter().map(|(_, r)| r.len()).sum::<usize>() * Self::PIECE_BYTES {
            return None;
        }
        let mut pieces = bytes.chunks_exact(Self::PIECE_BYTES).map(|b| {
            let label = u16::from_le_bytes([b[0], b[1]]) as usize;
            (label, f32::from_le_bytes([b[2], b[3], b[4], b[5]]))
        });
        Some(owned.iter().map(|(_, r)| pieces.by_ref().take(r.len()).collect()).collect())
    }
}

/// `row` between `first` and `last`: a window framed as the model reads it
/// (`[CLS]`/`<s>` … `[SEP]`/`</s>`, or casing class 0 on both ends).
fn frame(row: &[i64], first: i64, last: i64) -> Vec<i64> {
    let mut v = Vec::with_capacity(row.len() + 2);
    v.push(first);
    v.extend_from_slice(row);
    v.push(last);
    v
}

/// Tokenizes a whole text; `casing`: also the pieces' casing classes.
fn encode(tokenizer: &Tokenizer, text: &str, casing: bool) -> Result<Encoded, ModelError> {
    let enc = tokenizer.encode_char_offsets(text, false).map_err(|e| ModelError::Tokenize(e.to_string()))?;
    let offsets = enc.get_offsets().to_vec();
    let word_ids = enc.get_word_ids().to_vec();
    let casing = if casing {
        let chars: Vec<char> = text.chars().collect();
        piece_casing(&chars, &offsets, &word_ids)
    } else {
        Vec::new()
    };
    Ok(Encoded {
        ids: enc.get_ids().iter().map(|&i| i as i64).collect(),
        sentence_starts: sentence_starts(text, &offsets),
        offsets,
        word_ids,
        casing,
    })
}

/// A window's part of a per-piece vector (empty when the vector is: no casing).
fn window_of<'a>(v: &'a [i64], w: &Window) -> &'a [i64] {
    if v.is_empty() {
        v
    } else {
        &v[w.start..w.end]
    }
}

/// Pieces that start a sentence (never 0): after a line break, or after a
/// `.`, `!` or `?` piece followed by white space and a capital letter, digit
/// or quote — unless the word before the stop is a short capitalised
/// abbreviation ("Mr.", "Dr.", "St.", "U.S."), where a name usually follows.
pub(crate) fn sentence_starts(text: &str, offsets: &[(usize, usize)]) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    // Pieces of one character share its offsets (an uncased tokenizer decomposes a Hangul syllable
    // into jamo pieces), so a piece may end after the next one starts: no gap there.
    let slice = |a: usize, b: usize| -> &[char] { &chars[a.min(chars.len()).min(b)..b.min(chars.len())] };
    let mut starts = Vec::new();
    for i in 1..offsets.len() {
        let (prev, cur) = (offsets[i - 1], offsets[i]);
        let gap = slice(prev.1, cur.0);
        if gap.is_empty() {
            continue;
        }
        if gap.contains(&'\n') {
            starts.push(i);
            continue;
        }
        let stop = matches!(slice(prev.0, prev.1), ['.'] | ['!'] | ['?']);
        let next = slice(cur.0, cur.1).first().copied().unwrap_or(' ');
        let opens = next.is_uppercase() || next.is_ascii_digit() || matches!(next, '"' | '\'' | '“' | '‘' | '(');
        let abbreviation = i >= 2 && {
            // The word before the stop: pieces back to the last gap.
            let mut w = i - 2;
            while w > 0 && offsets[w - 1].1 == offsets[w].0 {
                w -= 1;
            }
            let word = slice(offsets[w].0, prev.0);
            word.len() <= 3 && word.first().is_some_and(|c| c.is_uppercase())
        };
        if stop && opens && !abbreviation {
            starts.push(i);
        }
    }
    starts
}

/// One tokenized text.
struct Encoded {
    ids: Vec<i64>,
    /// Pieces that start a sentence ([`sentence_starts`]).
    sentence_starts: Vec<usize>,
    /// Character offsets of each piece.
    offsets: Vec<(usize, usize)>,
    /// Pre-tokenizer word of each piece.
    word_ids: Vec<Option<u32>>,
    /// Casing class of each piece (empty for models without a casing embedding).
    casing: Vec<i64>,
}

/// A word of the text with the label the model gave its first piece.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub label: usize,
    pub prob: f32,
}

/// Groups pieces into words: consecutive pieces with the same word id form one
/// word (start of the first, end of the last); the word takes its first
/// piece's label.
pub(crate) fn word_spans(offsets: &[(usize, usize)], word_ids: &[Option<u32>], labels: &[(usize, f32)]) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<u32> = None;
    for (p, ((start, end), wid)) in offsets.iter().zip(word_ids).enumerate() {
        match (wid, current) {
            (Some(w), Some(c)) if *w == c => {
                if let Some(last) = words.last_mut() {
                    last.end = last.end.max(*end);
                }
            }
            _ => {
                words.push(Word { start: *start, end: *end, label: labels[p].0, prob: labels[p].1 });
            }
        }
        current = *wid;
    }
    words
}

/// A window over a text's pieces: it runs `start..end`, and its labels are
/// kept for `own_start..own_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub own_start: usize,
    pub own_end: usize,
}

/// Cuts `n` pieces into windows of at most `size` that end at sentence
/// boundaries (`sentence_starts`, sorted): each window packs as many whole
/// sentences as fit, with no overlap, as the model saw its training text. A
/// stretch with no sentence boundary within `size` pieces (a very long
/// sentence, a list) falls back to overlapping windows ([`plan_windows`])
/// up to the next boundary. Every piece is owned by exactly one window.
pub(crate) fn plan_sentence_windows(n: usize, size: usize, overlap: usize, sentence_starts: &[usize]) -> Vec<Window> {
    let size = size.max(1);
    let mut windows = Vec::new();
    let mut s = 0;
    while s < n {
        if n - s <= size {
            windows.push(Window { start: s, end: n, own_start: s, own_end: n });
            break;
        }
        let reach = sentence_starts.partition_point(|&b| b <= s + size);
        match sentence_starts[..reach].last() {
            Some(&b) if b > s => {
                windows.push(Window { start: s, end: b, own_start: s, own_end: b });
                s = b;
            }
            _ => {
                let run_end = sentence_starts.get(reach).copied().unwrap_or(n).min(n);
                windows.extend(plan_windows(run_end - s, size, overlap).into_iter().map(|w| Window {
                    start: w.start + s,
                    end: w.end + s,
                    own_start: w.own_start + s,
                    own_end: w.own_end + s,
                }));
                s = run_end;
            }
        }
    }
    windows
}

/// Cuts `n` pieces into windows of at most `size`, neighbours sharing
/// `overlap` pieces; the shared pieces are split at the middle, so every piece
/// is owned by exactly one window and has at least `overlap / 2` pieces of
/// context on the seam side.
pub(crate) fn plan_windows(n: usize, size: usize, overlap: usize) -> Vec<Window> {
    if n == 0 {
        return Vec::new();
    }
    let size = size.max(1);
    let overlap = overlap.min(size / 2);
    if n <= size {
        return vec![Window { start: 0, end: n, own_start: 0, own_end: n }];
    }
    let step = size - overlap;
    let mut starts = Vec::new();
    let mut s = 0;
    loop {
        if s + size >= n {
            starts.push(n - size);
            break;
        }
        starts.push(s);
        s += step;
    }
    starts.dedup();
    let mut windows: Vec<Window> =
        starts.iter().map(|&s| Window { start: s, end: s + size, own_start: s, own_end: s + size }).collect();
    for i in 1..windows.len() {
        // Seam in the middle of the shared region.
        let shared_start = windows[i].start;
        let shared_end = windows[i - 1].end;
        let seam = (shared_start + shared_end) / 2;
        windows[i - 1].own_end = seam;
        windows[i].own_start = seam;
    }
    windows
}

/// Turns labelled words into entity spans. A span starts at a `B-` word, or
/// at an `I-` word that does not continue an entity of the same type (the
/// conlleval reading), and runs over the following `I-` words of its type.
///
/// Two readings of the text overrule the labels: a word without a letter or
/// digit never starts a span (the model tags the dot of "Mr. Rubio" as the
/// name's start; the name then starts at "Rubio"), and no span runs over a
/// line break ("Ted Cruz.\nCruz" is two spans).
pub(crate) fn decode_words(text: &str, words: &[Word], labels: &[Label]) -> Vec<EntitySpan> {
    let chars: Vec<(usize, char)> = text.char_indices().collect(); // byte offset and character
    let between = |a: usize, b: usize| chars.get(a..b.min(chars.len())).unwrap_or(&[]);
    let is_punctuation = |w: &Word| !between(w.start, w.end).iter().any(|(_, c)| c.is_alphanumeric());
    let line_break_between = |a: usize, b: usize| between(a, b).iter().any(|(_, c)| *c == '\n');
    let mut spans = Vec::new();
    let mut open: Option<(EntityKind, usize, usize, f32, usize)> = None; // kind, start, end, prob sum, n
    let close = |open: &mut Option<(EntityKind, usize, usize, f32, usize)>, spans: &mut Vec<EntitySpan>| {
        if let Some((kind, start, end, sum, n)) = open.take() {
            spans.push(EntitySpan { start, end, kind, text: String::new(), score: sum / n as f32 });
        }
    };
    for w in words {
        if matches!(open, Some((_, _, end, _, _)) if line_break_between(end, w.start)) {
            close(&mut open, &mut spans);
        }
        let label = labels.get(w.label).copied().unwrap_or(Label::Outside);
        let continues = matches!((label, &open), (Label::Inside(k), Some((ok, ..))) if k == *ok);
        if !continues && is_punctuation(w) {
            close(&mut open, &mut spans);
            continue;
        }
        match label {
            Label::Outside => close(&mut open, &mut spans),
            Label::Begin(k) => {
                close(&mut open, &mut spans);
                open = Some((k, w.start, w.end, w.prob, 1));
            }
            Label::Inside(k) => match &mut open {
                Some((ok, _, end, sum, n)) if *ok == k => {
                    *end = w.end;
                    *sum += w.prob;
                    *n += 1;
                }
                _ => {
                    close(&mut open, &mut spans);
                    open = Some((k, w.start, w.end, w.prob, 1));
                }
            },
        }
    }
    close(&mut open, &mut spans);
    fill_span_texts(text, &chars, &mut spans);
    spans
}

/// Sets each span's `text` from the character offsets, through the text's
/// `(byte offset, character)` list that [`decode_words`] already made.
fn fill_span_texts(text: &str, chars: &[(usize, char)], spans: &mut [EntitySpan]) {
    let byte_of = |i: usize| match chars.get(i) {
        Some(&(b, _)) => b,
        None if i == chars.len() => text.len(),
        None => usize::MAX,
    };
    for s in spans.iter_mut() {
        let (a, b) = (byte_of(s.start), byte_of(s.end));
        if a <= b && b <= text.len() {
            s.text = text[a..b].to_string();
        }
    }
}

#[cfg(test)]
mod tests;
