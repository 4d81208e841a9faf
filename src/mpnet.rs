//! MPNet encoder on libtorch (rust-bert has none), for the
//! `all-mpnet-base-v2` base that `scripts/train/fetch_bases.sh mpnet` puts in
//! `checkpoints/bases/mpnet-base`.
//!
//! Written layer for layer after transformers' `modeling_mpnet.py` (4.44) and
//! laid out like rust-bert's models (config → model → `forward_t`), with the
//! Hugging Face tensor names, so a `model.safetensors` saved by transformers
//! loads as it is:
//!
//! - embeddings: word + position embeddings, LayerNorm. Position ids count
//!   the non-padding tokens from 2 (`<pad>`'s id + 1, as in RoBERTa), padding
//!   tokens get 1;
//! - 12 BERT-style post-LayerNorm layers: self-attention (`q`, `k`, `v`, `o`),
//!   then an erf-GELU feed-forward;
//! - MPNet's relative-position bias: the key-minus-query distance is sorted
//!   into 32 buckets (16 per direction: distances 0–7 exact, then log-spaced
//!   up to 128, the last bucket beyond), one learnt value per bucket and
//!   head (`encoder.relative_attention_bias`), computed once per forward and
//!   added to the attention scores of every layer.
//!
//! [`MpnetModel`] returns the last hidden states; task heads are separate
//! types that own one ([`MpnetForSequenceClassification`],
//! [`MpnetForTokenClassification`]). [`MpnetBase`] opens a plain base folder
//! (config, tokenizer, weights) for inference, [`MpnetClassifier`] a
//! sequence classifier saved by transformers (`MPNetForSequenceClassification`,
//! as `scripts/train/train_stance.py` and `scripts/export/export_stance.py` would save an
//! MPNet stance model). The token classifier is the NER model
//! `crate::ner::NerModel` runs when config.json's `model_type` is `mpnet`.
//!
//! Casing embedding (MPNet's tokenizer lower-cases, NER needs
//! capitalisation back): a model trained by `scripts/train/train_ner.py --casing`
//! has `"casing_embedding": 5` in config.json and a `[5, hidden]` table
//! `mpnet.embeddings.casing_embeddings`, whose row of each piece's casing
//! class ([`casing_class`], [`piece_casing`]; the same spec as
//! `scripts/lib/ner_casing.py`) is added to the piece's word embedding, before
//! the position embeddings and the LayerNorm. Position ids are numbered from
//! the token ids as without it (`ner_casing.py` passes transformers these
//! position ids explicitly, since `MPNetEmbeddings` given `inputs_embeds`
//! alone would number padding too).
//!
//! `tests/mpnet.rs` checks token ids, hidden states and classifier logits
//! against transformers (fixture written by `scripts/reference/mpnet_reference.py`),
//! and a smoke-trained MPNet + casing NER model's logits, casing classes and
//! spans (`scripts/train/train_ner_mpnet.sh --smoke`).

use std::path::Path;

use serde::Deserialize;
use tch::{nn, nn::Module, Device, Kind, Tensor};

use crate::runtime::{batch, var_store, Checkpoint, ModelError, Precision};

/// Number of relative-position buckets, as fixed in transformers' MPNet (its
/// encoder calls `relative_position_bucket` with this default, whatever
/// `relative_attention_num_buckets` says).
pub const RELATIVE_BUCKETS: i64 = 32;

/// The distance from which all distances (in one direction) share the last
/// bucket, as fixed in transformers' MPNet.
pub const RELATIVE_MAX_DISTANCE: i64 = 128;

/// The token id that marks padding when position ids are numbered: fixed at
/// 1 (`<pad>`) in transformers' `MPNetEmbeddings`, whatever `pad_token_id` says.
pub(crate) const POSITION_PADDING_ID: i64 = 1;

/// The number of casing classes ([`casing_class`]).
pub(crate) const CASING_CLASSES: i64 = 5;

/// The casing class of one word's original text (before lower-casing), the
/// spec of `casing_class` in `scripts/lib/ner_casing.py`. Only cased letters
/// count (`is_uppercase() || is_lowercase()`, Python's `isupper() or
/// islower()`; letters without case, digits, marks and symbols are ignored):
///
/// - 0: no cased letter (digits, punctuation, CJK, emoji); special tokens too;
/// - 1: all cased letters lower ("said", "ok2");
/// - 2: Title: the first cased letter upper, every other one lower ("Merkel",
///   "3M"). A one-letter capital ("I", "A", initials, the "U" of "U.S.") is
///   Title, not UPPER: one capital cannot tell an acronym from a
///   capitalised word;
/// - 3: UPPER: at least two cased letters, all upper ("NATO", "USA");
/// - 4: mixed: anything else ("iPhone", "McCain").
pub(crate) fn casing_class(word: &str) -> i64 {
    let mut cased = word.chars().filter(|c| c.is_uppercase() || c.is_lowercase()).map(|c| c.is_uppercase());
    let Some(first) = cased.next() else { return 0 };
    let (mut rest_upper, mut rest_lower) = (0usize, 0usize);
    for upper in cased {
        if upper {
            rest_upper += 1;
        } else {
            rest_lower += 1;
        }
    }
    match (first, rest_upper, rest_lower) {
        (false, 0, _) => 1,
        (true, 0, _) => 2,
        (true, _, 0) => 3,
        _ => 4,
    }
}

/// The casing class of every piece of a tokenized text: the class of the
/// pre-tokenizer word the piece belongs to (`word_ids`, `None` for special
/// tokens: class 0), read from `chars[a..b]` where `a..b` covers the
/// character `offsets` of all the word's pieces. `text_chars` is the
/// original text as characters (the offsets are character offsets).
pub fn piece_casing(text_chars: &[char], offsets: &[(usize, usize)], word_ids: &[Option<u32>]) -> Vec<i64> {
    let mut spans: std::collections::HashMap<u32, (usize, usize)> = std::collections::HashMap::new();
    for (&(s, e), w) in offsets.iter().zip(word_ids) {
        if let Some(w) = w {
            let span = spans.entry(*w).or_insert((s, e));
            *span = (span.0.min(s), span.1.max(e));
        }
    }
    let classes: std::collections::HashMap<u32, i64> = spans
        .into_iter()
        .map(|(w, (a, b))| {
            let word: String = text_chars[a.min(text_chars.len())..b.min(text_chars.len())].iter().collect();
            (w, casing_class(&word))
        })
        .collect();
    word_ids.iter().map(|w| w.map_or(0, |w| classes[&w])).collect()
}

/// The fields of an MPNet `config.json` the encoder needs.
#[derive(Debug, Clone, Deserialize)]
pub struct MpnetConfig {
    pub vocab_size: i64,
    pub hidden_size: i64,
    pub num_hidden_layers: i64,
    pub num_attention_heads: i64,
    pub intermediate_size: i64,
    pub hidden_act: String,
    pub hidden_dropout_prob: f64,
    pub attention_probs_dropout_prob: f64,
    pub max_position_embeddings: i64,
    pub layer_norm_eps: f64,
    pub pad_token_id: i64,
    pub relative_attention_num_buckets: i64,
    /// Rows of the casing embedding of an NER model trained with
    /// `train_ner.py --casing` ([`CASING_CLASSES`]); absent otherwise.
    #[serde(default)]
    pub casing_embedding: Option<i64>,
}

impl MpnetConfig {
    /// What this implementation cannot run, if anything.
    pub(crate) fn unsupported(&self) -> Option<String> {
        if self.hidden_act != "gelu" {
            return Some(format!("hidden_act {:?} (only \"gelu\" is implemented)", self.hidden_act));
        }
        if self.relative_attention_num_buckets < RELATIVE_BUCKETS {
            return Some(format!(
                "relative_attention_num_buckets {} (the encoder uses {RELATIVE_BUCKETS})",
                self.relative_attention_num_buckets
            ));
        }
        if let Some(n) = self.casing_embedding.filter(|&n| n != CASING_CLASSES) {
            return Some(format!("casing_embedding {n} (the casing classes are {CASING_CLASSES})"));
        }
        if self.num_attention_heads <= 0 || self.hidden_size % self.num_attention_heads != 0 {
            return Some(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        None
    }
}

/// The relative-position bucket of each key-minus-query distance, as
/// transformers' `MPNetEncoder.relative_position_bucket`: half of the buckets
/// for keys after the query, half for keys at or before it; within each half,
/// distances below `num_buckets / 4` have their own bucket and longer ones
/// share buckets on a log scale up to `max_distance`, beyond which all fall
/// in the last. The float32 arithmetic is the reference's, op for op, so the
/// bucket edges agree exactly.
pub fn relative_position_bucket(relative_position: &Tensor, num_buckets: i64, max_distance: i64) -> Tensor {
    let half = num_buckets / 2;
    let n = -relative_position;
    let mut ret = n.lt(0).to_kind(Kind::Int64) * half;
    let n = n.abs();
    let max_exact = half / 2;
    let is_small = n.lt(max_exact);
    let scale = (max_distance as f64 / max_exact as f64).ln();
    let val_if_large = ((n.to_kind(Kind::Float) / max_exact as f64).log() / scale * (half - max_exact) as f64)
        .to_kind(Kind::Int64)
        + max_exact;
    let val_if_large = val_if_large.clamp_max(half - 1);
    ret += n.where_self(&is_small, &val_if_large);
    ret
}

/// MPNet position ids: non-padding tokens are numbered from `pad_id + 1`,
/// padding tokens get `pad_id` (transformers' `create_position_ids_from_input_ids`;
/// the model passes [`POSITION_PADDING_ID`]).
pub fn position_ids(input_ids: &Tensor, pad_id: i64) -> Tensor {
    let mask = input_ids.ne(pad_id).to_kind(Kind::Int);
    let incremental = mask.cumsum(1, Kind::Int) * &mask;
    incremental.to_kind(Kind::Int64) + pad_id
}

/// The `[1, heads, seq, seq]` attention bias of a `[buckets, heads]` table
/// (`encoder.relative_attention_bias`): key position minus query position,
/// bucketed. Shared by this encoder and `crate::quantized`'s int8 MPNet.
pub(crate) fn relative_position_bias(table: &Tensor, seq: i64) -> Tensor {
    let positions = Tensor::arange(seq, (Kind::Int64, table.device()));
    let relative = positions.unsqueeze(0) - positions.unsqueeze(1);
    let buckets = relative_position_bucket(&relative, RELATIVE_BUCKETS, RELATIVE_MAX_DISTANCE);
    Tensor::embedding(table, &buckets, -1, false, false).permute([2, 0, 1]).unsqueeze(0)
}

/// The most negative finite value of a float kind (`torch.finfo(kind).min`),
/// added to the scores of padding keys.
fn most_negative(kind: Kind) -> f64 {
    match kind {
        Kind::BFloat16 => -3.389_531_389_251_535_5e38,
        Kind::Half => -65504.0,
        Kind::Double => f64::MIN,
        _ => f32::MIN as f64,
    }
}

fn linear(p: nn::Path, inputs: i64, outputs: i64) -> nn::Linear {
    nn::linear(p, inputs, outputs, Default::default())
}

fn layer_norm(p: nn::Path, config: &MpnetConfig) -> nn::LayerNorm {
    let c = nn::LayerNormConfig { eps: config.layer_norm_eps, ..Default::default() };
    nn::layer_norm(p, vec![config.hidden_size], c)
}

/// Word and position embeddings (plus, optionally, the casing embedding),
/// summed and normalised.
pub(crate) struct MpnetEmbeddings {
    word_embeddings: nn::Embedding,
    position_embeddings: nn::Embedding,
    casing_embeddings: Option<nn::Embedding>,
    layer_norm: nn::LayerNorm,
    dropout: f64,
}

impl MpnetEmbeddings {
    /// With a `[classes, hidden]` casing embedding (`casing_embeddings`) when
    /// `casing` is `Some(classes)`.
    pub(crate) fn with_casing(p: nn::Path, config: &MpnetConfig, casing: Option<i64>) -> MpnetEmbeddings {
        let e = Default::default();
        MpnetEmbeddings {
            casing_embeddings: casing
                .map(|n| nn::embedding(&p / "casing_embeddings", n, config.hidden_size, Default::default())),
            word_embeddings: nn::embedding(&p / "word_embeddings", config.vocab_size, config.hidden_size, e),
            position_embeddings: nn::embedding(
                &p / "position_embeddings",
                config.max_position_embeddings,
                config.hidden_size,
                e,
            ),
            layer_norm: layer_norm(&p / "LayerNorm", config),
            dropout: config.hidden_dropout_prob,
        }
    }

    /// Whether this has a casing embedding.
    pub(crate) fn has_casing(&self) -> bool {
        self.casing_embeddings.is_some()
    }

    /// `[batch, seq]` token ids (and casing classes, added when this has a
    /// casing embedding; ignored otherwise) → `[batch, seq, hidden]`.
    pub fn forward_t(&self, input_ids: &Tensor, case_ids: Option<&Tensor>, train: bool) -> Tensor {
        let positions = position_ids(input_ids, POSITION_PADDING_ID);
        let mut words = self.word_embeddings.forward(input_ids);
        if let (Some(casing), Some(cases)) = (&self.casing_embeddings, case_ids) {
            words = words + casing.forward(cases);
        }
        let summed = words + self.position_embeddings.forward(&positions);
        self.layer_norm.forward(&summed).dropout(self.dropout, train)
    }
}

/// Multi-head self-attention with the shared relative-position bias, then
/// the output projection, residual and LayerNorm (transformers'
/// `MPNetAttention` with its `MPNetSelfAttention`).
pub(crate) struct MpnetAttention {
    q: nn::Linear,
    k: nn::Linear,
    v: nn::Linear,
    o: nn::Linear,
    layer_norm: nn::LayerNorm,
    heads: i64,
    head_size: i64,
    attention_dropout: f64,
    dropout: f64,
}

impl MpnetAttention {
    pub fn new(p: nn::Path, config: &MpnetConfig) -> MpnetAttention {
        let h = config.hidden_size;
        let attn = &p / "attn";
        MpnetAttention {
            q: linear(&attn / "q", h, h),
            k: linear(&attn / "k", h, h),
            v: linear(&attn / "v", h, h),
            o: linear(&attn / "o", h, h),
            layer_norm: layer_norm(&p / "LayerNorm", config),
            heads: config.num_attention_heads,
            head_size: h / config.num_attention_heads,
            attention_dropout: config.attention_probs_dropout_prob,
            dropout: config.hidden_dropout_prob,
        }
    }

    /// `hidden`: `[batch, seq, hidden]`; `position_bias`: `[batch or 1, heads, seq, seq]`;
    /// `mask_bias`: `[batch, 1, 1, seq]`, 0 for real keys and very negative for padding.
    pub fn forward_t(&self, hidden: &Tensor, position_bias: &Tensor, mask_bias: &Tensor, train: bool) -> Tensor {
        let (b, s, h) = hidden.size3().expect("hidden states are [batch, seq, hidden]");
        let split = |x: Tensor| x.view([b, s, self.heads, self.head_size]).permute([0, 2, 1, 3]);
        let q = split(self.q.forward(hidden));
        let k = split(self.k.forward(hidden));
        let v = split(self.v.forward(hidden));
        let scores = q.matmul(&k.transpose(-1, -2)) / (self.head_size as f64).sqrt();
        let scores = scores + position_bias + mask_bias;
        let probs = scores.softmax(-1, scores.kind()).dropout(self.attention_dropout, train);
        let context = probs.matmul(&v).permute([0, 2, 1, 3]).contiguous().view([b, s, h]);
        let out = self.o.forward(&context).dropout(self.dropout, train);
        self.layer_norm.forward(&(out + hidden))
    }
}

/// One transformer layer: attention, then the GELU feed-forward with its
/// residual and LayerNorm.
pub(crate) struct MpnetLayer {
    attention: MpnetAttention,
    intermediate: nn::Linear,
    output: nn::Linear,
    output_norm: nn::LayerNorm,
    dropout: f64,
}

impl MpnetLayer {
    pub fn new(p: nn::Path, config: &MpnetConfig) -> MpnetLayer {
        MpnetLayer {
            attention: MpnetAttention::new(&p / "attention", config),
            intermediate: linear(&p / "intermediate" / "dense", config.hidden_size, config.intermediate_size),
            output: linear(&p / "output" / "dense", config.intermediate_size, config.hidden_size),
            output_norm: layer_norm(&p / "output" / "LayerNorm", config),
            dropout: config.hidden_dropout_prob,
        }
    }

    pub fn forward_t(&self, hidden: &Tensor, position_bias: &Tensor, mask_bias: &Tensor, train: bool) -> Tensor {
        let attended = self.attention.forward_t(hidden, position_bias, mask_bias, train);
        let inner = self.intermediate.forward(&attended).gelu("none");
        let out = self.output.forward(&inner).dropout(self.dropout, train);
        self.output_norm.forward(&(out + attended))
    }
}

/// The layer stack and the relative-position bias table they share.
pub(crate) struct MpnetEncoder {
    layers: Vec<MpnetLayer>,
    relative_attention_bias: nn::Embedding,
}

impl MpnetEncoder {
    pub fn new(p: nn::Path, config: &MpnetConfig) -> MpnetEncoder {
        let layers = (0..config.num_hidden_layers).map(|i| MpnetLayer::new(&p / "layer" / i, config)).collect();
        MpnetEncoder {
            layers,
            relative_attention_bias: nn::embedding(
                &p / "relative_attention_bias",
                config.relative_attention_num_buckets,
                config.num_attention_heads,
                Default::default(),
            ),
        }
    }

    /// The `[1, heads, seq, seq]` bias added to every layer's attention
    /// scores (key position minus query position, bucketed).
    pub(crate) fn position_bias(&self, seq: i64) -> Tensor {
        relative_position_bias(&self.relative_attention_bias.ws, seq)
    }

    pub fn forward_t(&self, embedded: &Tensor, mask_bias: &Tensor, train: bool) -> Tensor {
        let position_bias = self.position_bias(embedded.size()[1]);
        let mut hidden = embedded.shallow_clone();
        for layer in &self.layers {
            hidden = layer.forward_t(&hidden, &position_bias, mask_bias, train);
        }
        hidden
    }
}

/// Embeddings + encoder: token ids to last hidden states (transformers'
/// `MPNetModel` without its pooler, which no head of ours uses).
pub struct MpnetModel {
    embeddings: MpnetEmbeddings,
    encoder: MpnetEncoder,
}

impl MpnetModel {
    /// Creates the variables under `p` with Hugging Face's names
    /// (`embeddings.…`, `encoder.…`); a head puts them under `mpnet`. No
    /// casing embedding.
    pub fn new(p: nn::Path, config: &MpnetConfig) -> MpnetModel {
        MpnetModel::with_casing(p, config, None)
    }

    /// As [`MpnetModel::new`], with `embeddings.casing_embeddings` of
    /// `casing` rows when it is `Some`.
    pub(crate) fn with_casing(p: nn::Path, config: &MpnetConfig, casing: Option<i64>) -> MpnetModel {
        MpnetModel {
            embeddings: MpnetEmbeddings::with_casing(&p / "embeddings", config, casing),
            encoder: MpnetEncoder::new(&p / "encoder", config),
        }
    }

    /// `input_ids`, `attention_mask`: `[batch, seq]` (mask 1 for real tokens,
    /// 0 for padding; `None` = no padding). Returns `[batch, seq, hidden]` in
    /// the weights' precision; rows at padding positions are meaningless.
    pub fn forward_t(&self, input_ids: &Tensor, attention_mask: Option<&Tensor>, train: bool) -> Tensor {
        self.forward_cased_t(input_ids, None, attention_mask, train)
    }

    /// [`MpnetModel::forward_t`] with the `[batch, seq]` casing classes a
    /// model with a casing embedding adds to its word embeddings.
    pub(crate) fn forward_cased_t(
        &self,
        input_ids: &Tensor,
        case_ids: Option<&Tensor>,
        attention_mask: Option<&Tensor>,
        train: bool,
    ) -> Tensor {
        let embedded = self.embeddings.forward_t(input_ids, case_ids, train);
        let kind = embedded.kind();
        let mask = match attention_mask {
            Some(m) => m.shallow_clone(),
            None => input_ids.ones_like(),
        };
        let mask_bias = (1.0 - mask.unsqueeze(1).unsqueeze(2).to_kind(kind)) * most_negative(kind);
        self.encoder.forward_t(&embedded, &mask_bias, train)
    }
}

/// Sentence-level classifier on the first token's hidden state, laid out as
/// transformers' `MPNetForSequenceClassification` (`mpnet.…`,
/// `classifier.dense`, `classifier.out_proj`): dense, tanh, projection to
/// the labels.
pub(crate) struct MpnetForSequenceClassification {
    mpnet: MpnetModel,
    dense: nn::Linear,
    out_proj: nn::Linear,
    dropout: f64,
}

impl MpnetForSequenceClassification {
    pub fn new(p: nn::Path, config: &MpnetConfig, labels: i64) -> MpnetForSequenceClassification {
        let classifier = &p / "classifier";
        MpnetForSequenceClassification {
            mpnet: MpnetModel::new(&p / "mpnet", config),
            dense: linear(&classifier / "dense", config.hidden_size, config.hidden_size),
            out_proj: linear(&classifier / "out_proj", config.hidden_size, labels),
            dropout: config.hidden_dropout_prob,
        }
    }

    /// `[batch, labels]` logits.
    pub fn forward_t(&self, input_ids: &Tensor, attention_mask: Option<&Tensor>, train: bool) -> Tensor {
        let hidden = self.mpnet.forward_t(input_ids, attention_mask, train);
        let first = hidden.select(1, 0).dropout(self.dropout, train);
        let pooled = self.dense.forward(&first).tanh().dropout(self.dropout, train);
        self.out_proj.forward(&pooled)
    }
}

/// Token classifier laid out as transformers' `MPNetForTokenClassification`
/// (`mpnet.…`, `classifier.weight`, `classifier.bias`: dropout, then a
/// linear projection of every token's hidden state to the labels), with the
/// casing embedding `mpnet.embeddings.casing_embeddings` when the config
/// has `casing_embedding` (`scripts/lib/ner_casing.py`'s
/// `MPNetCasedForTokenClassification`).
pub struct MpnetForTokenClassification {
    mpnet: MpnetModel,
    classifier: nn::Linear,
    dropout: f64,
}

impl MpnetForTokenClassification {
    pub fn new(p: nn::Path, config: &MpnetConfig, labels: i64) -> MpnetForTokenClassification {
        MpnetForTokenClassification {
            mpnet: MpnetModel::with_casing(&p / "mpnet", config, config.casing_embedding),
            classifier: linear(&p / "classifier", config.hidden_size, labels),
            dropout: config.hidden_dropout_prob,
        }
    }

    /// Whether the model adds a casing embedding (then [`Self::forward_t`]
    /// needs the casing classes).
    pub(crate) fn has_casing(&self) -> bool {
        self.mpnet.embeddings.has_casing()
    }

    /// `[batch, seq, labels]` logits of `[batch, seq]` token ids, their
    /// casing classes ([`piece_casing`], 0 for `<s>`, `</s>` and padding)
    /// and attention mask. Fails when the casing classes are missing for a
    /// model with a casing embedding, or given to one without.
    pub fn forward_t(
        &self,
        input_ids: &Tensor,
        case_ids: Option<&Tensor>,
        attention_mask: Option<&Tensor>,
        train: bool,
    ) -> Result<Tensor, ModelError> {
        if self.has_casing() != case_ids.is_some() {
            return Err(ModelError::Forward(format!(
                "casing classes {} for a model {} a casing embedding",
                if case_ids.is_some() { "given" } else { "missing" },
                if self.has_casing() { "with" } else { "without" }
            )));
        }
        let hidden = self.mpnet.forward_cased_t(input_ids, case_ids, attention_mask, train);
        Ok(self.classifier.forward(&hidden.dropout(self.dropout, train)))
    }
}

/// A plain MPNet checkpoint folder opened for inference: its tokenizer and
/// encoder (the base `checkpoints/bases/mpnet-base`, or any folder saved by
/// transformers' `MPNetModel`).
pub struct MpnetBase {
    pub checkpoint: Checkpoint,
    pub config: MpnetConfig,
    model: MpnetModel,
    _vars: nn::VarStore,
}

impl MpnetBase {
    /// Reads config, tokenizer and `model.safetensors` from `dir`, on the CPU.
    /// `threads` = 0 keeps libtorch's default.
    pub fn load(dir: &Path, precision: Precision, threads: usize) -> Result<MpnetBase, ModelError> {
        let (checkpoint, config) = open_mpnet(dir)?;
        let mut vars = var_store(threads, Device::Cpu);
        let model = MpnetModel::new(vars.root(), &config);
        let precision = precision.float(vars.device());
        checkpoint.load_weights(&mut vars, precision)?;
        Ok(MpnetBase { checkpoint, config, model, _vars: vars })
    }

    /// The token ids of `text` as the model reads it: `<s> pieces </s>`,
    /// lower-cased WordPiece, no truncation.
    pub fn token_ids(&self, text: &str) -> Result<Vec<i64>, ModelError> {
        let encoding = self.checkpoint.tokenizer.encode(text, true).map_err(|e| ModelError::Tokenize(e.to_string()))?;
        Ok(encoding.get_ids().iter().map(|&i| i as i64).collect())
    }

    /// Last hidden states of a batch of token-id rows (padded to the longest
    /// row): `[rows, width, hidden]`, float32, with the `[rows, width]`
    /// attention mask (1 = real token).
    pub fn hidden_states(&self, rows: &[Vec<i64>]) -> Result<(Tensor, Tensor), ModelError> {
        let (ids, mask) = padded_batch(&self.config, self.checkpoint.pad_id, rows)?;
        let hidden = tch::no_grad(|| self.model.forward_t(&ids, Some(&mask), false));
        Ok((hidden.to_kind(Kind::Float), mask))
    }

    /// The encoder itself, for heads built on this base.
    pub fn model(&self) -> &MpnetModel {
        &self.model
    }
}

/// A sequence classifier saved by transformers' `MPNetForSequenceClassification`
/// (`model.safetensors` with `mpnet.…` and `classifier.…` tensors, `id2label`
/// in `config.json`), opened for inference.
pub struct MpnetClassifier {
    pub checkpoint: Checkpoint,
    pub config: MpnetConfig,
    /// `id2label` in output order.
    pub labels: Vec<String>,
    model: MpnetForSequenceClassification,
    _vars: nn::VarStore,
}

impl MpnetClassifier {
    /// Reads config (with `id2label`), tokenizer and `model.safetensors` from
    /// `dir`. `threads` = 0 keeps libtorch's default.
    pub fn load(dir: &Path, precision: Precision, threads: usize) -> Result<MpnetClassifier, ModelError> {
        let (checkpoint, config) = open_mpnet(dir)?;
        let labels = checkpoint.labels()?;
        let mut vars = var_store(threads, Device::Cpu);
        let model = MpnetForSequenceClassification::new(vars.root(), &config, labels.len() as i64);
        let precision = precision.float(vars.device());
        checkpoint.load_weights(&mut vars, precision)?;
        Ok(MpnetClassifier { checkpoint, config, labels, model, _vars: vars })
    }

    /// `[rows, labels]` float32 logits of a batch of token-id rows (each
    /// starting with `<s>`), padded to the longest row.
    pub fn logits(&self, rows: &[Vec<i64>]) -> Result<Tensor, ModelError> {
        let (ids, mask) = padded_batch(&self.config, self.checkpoint.pad_id, rows)?;
        let logits = tch::no_grad(|| self.model.forward_t(&ids, Some(&mask), false));
        Ok(logits.to_kind(Kind::Float))
    }
}

/// Opens `dir` as an MPNet checkpoint this module can run.
fn open_mpnet(dir: &Path) -> Result<(Checkpoint, MpnetConfig), ModelError> {
    let checkpoint = Checkpoint::open(dir)?;
    if checkpoint.model_type() != "mpnet" {
        return Err(checkpoint.bad_config(format!("model_type {:?}, expected \"mpnet\"", checkpoint.model_type())));
    }
    let config: MpnetConfig = checkpoint.typed_config()?;
    if let Some(problem) = config.unsupported() {
        return Err(checkpoint.bad_config(problem));
    }
    Ok((checkpoint, config))
}

/// `(ids, attention mask)` of rows padded to the longest; fails when a row
/// is longer than the model has positions for.
fn padded_batch(config: &MpnetConfig, pad_id: i64, rows: &[Vec<i64>]) -> Result<(Tensor, Tensor), ModelError> {
    let positions = config.max_position_embeddings - POSITION_PADDING_ID - 1;
    if let Some(long) = rows.iter().find(|r| r.len() as i64 > positions) {
        return Err(ModelError::Forward(format!(
            "a row of {} tokens; the model has {positions} positions",
            long.len()
        )));
    }
    let (ids, mask, _, _) = batch(rows, &[], pad_id, Device::Cpu);
    Ok((ids, mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_follow_the_reference_edges() {
        let distances: Vec<i64> = vec![-200, -128, -127, -9, -8, -7, -1, 0, 1, 7, 8, 9, 11, 16, 127, 128, 1000];
        let got = Vec::<i64>::try_from(relative_position_bucket(&Tensor::from_slice(&distances), 32, 128)).unwrap();
        // Key before the query (negative distance) → 0..16, after → 16..32;
        // exact below 8, log-spaced up to 128, the last bucket beyond. Values
        // from transformers' `MPNetEncoder.relative_position_bucket`; 16 sits
        // on a bucket edge (log 2 / log 16 × 8 = 2).
        assert_eq!(got, vec![15, 15, 15, 8, 8, 7, 1, 0, 17, 23, 24, 24, 24, 26, 31, 31, 31]);
    }

    #[test]
    fn casing_classes_follow_the_spec() {
        let cases = [
            ("", 0),
            ("2024", 0),
            ("...", 0),
            ("😀", 0),
            ("北京", 0),
            ("said", 1),
            ("ok2", 1),
            ("über", 1),
            ("Merkel", 2),
            ("I", 2),
            ("A", 2),
            ("3M", 2),
            ("Zürich", 2),
            ("NATO", 3),
            ("USA2", 3),
            ("ÉTÉ", 3),
            ("iPhone", 4),
            ("McCain", 4),
            ("aB", 4),
        ];
        for (word, class) in cases {
            assert_eq!(casing_class(word), class, "{word:?}");
        }
    }

    #[test]
    fn pieces_take_their_words_casing() {
        // "NATO's iPhone": NATO ' s iPhone → nato | ' | s | ip ##hone; specials around.
        let text: Vec<char> = "NATO's iPhone".chars().collect();
        let offsets = [(0, 0), (0, 4), (4, 5), (5, 6), (7, 9), (9, 13), (0, 0)];
        let word_ids = [None, Some(0), Some(1), Some(2), Some(3), Some(3), None];
        assert_eq!(piece_casing(&text, &offsets, &word_ids), vec![0, 3, 0, 1, 4, 4, 0]);
    }

    #[test]
    fn position_ids_skip_padding() {
        let ids = Tensor::from_slice(&[0i64, 7, 2, 1, 1]).view([1, 5]);
        assert_eq!(Vec::<i64>::try_from(position_ids(&ids, 1).flatten(0, -1)).unwrap(), vec![2, 3, 4, 1, 1]);
    }
}
