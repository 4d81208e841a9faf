//! MPNet encoder on libtorch (rust-bert has none), for the
//! `all-mpnet-base-v2` base that `scripts/fetch_bases.sh mpnet` puts in
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
//! types that own one ([`MpnetForSequenceClassification`]). [`MpnetBase`]
//! opens a plain base folder (config, tokenizer, weights) for inference,
//! [`MpnetClassifier`] a sequence classifier saved by transformers
//! (`MPNetForSequenceClassification`, as `scripts/train_stance.py` and
//! `scripts/export_stance.py` would save an MPNet stance model).
//! `tests/mpnet.rs` checks token ids, hidden states and classifier logits
//! against transformers (fixture written by `scripts/mpnet_reference.py`).

use std::path::Path;

use serde::Deserialize;
use tch::{nn, nn::Module, Device, Kind, Tensor};

use crate::encoder::{batch, var_store, Checkpoint, ModelError, Precision};

/// Number of relative-position buckets, as fixed in transformers' MPNet (its
/// encoder calls `relative_position_bucket` with this default, whatever
/// `relative_attention_num_buckets` says).
pub const RELATIVE_BUCKETS: i64 = 32;

/// The distance from which all distances (in one direction) share the last
/// bucket, as fixed in transformers' MPNet.
pub const RELATIVE_MAX_DISTANCE: i64 = 128;

/// The token id that marks padding when position ids are numbered: fixed at
/// 1 (`<pad>`) in transformers' `MPNetEmbeddings`, whatever `pad_token_id` says.
pub const POSITION_PADDING_ID: i64 = 1;

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
}

impl MpnetConfig {
    /// What this implementation cannot run, if anything.
    pub fn unsupported(&self) -> Option<String> {
        if self.hidden_act != "gelu" {
            return Some(format!("hidden_act {:?} (only \"gelu\" is implemented)", self.hidden_act));
        }
        if self.relative_attention_num_buckets < RELATIVE_BUCKETS {
            return Some(format!(
                "relative_attention_num_buckets {} (the encoder uses {RELATIVE_BUCKETS})",
                self.relative_attention_num_buckets
            ));
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

/// Word and position embeddings, summed and normalised.
pub struct MpnetEmbeddings {
    word_embeddings: nn::Embedding,
    position_embeddings: nn::Embedding,
    layer_norm: nn::LayerNorm,
    dropout: f64,
}

impl MpnetEmbeddings {
    pub fn new(p: nn::Path, config: &MpnetConfig) -> MpnetEmbeddings {
        let e = Default::default();
        MpnetEmbeddings {
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

    /// `[batch, seq]` token ids → `[batch, seq, hidden]`.
    pub fn forward_t(&self, input_ids: &Tensor, train: bool) -> Tensor {
        let positions = position_ids(input_ids, POSITION_PADDING_ID);
        let summed = self.word_embeddings.forward(input_ids) + self.position_embeddings.forward(&positions);
        self.layer_norm.forward(&summed).dropout(self.dropout, train)
    }
}

/// Multi-head self-attention with the shared relative-position bias, then
/// the output projection, residual and LayerNorm (transformers'
/// `MPNetAttention` with its `MPNetSelfAttention`).
pub struct MpnetAttention {
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
pub struct MpnetLayer {
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
pub struct MpnetEncoder {
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
    pub fn position_bias(&self, seq: i64) -> Tensor {
        let device = self.relative_attention_bias.ws.device();
        let positions = Tensor::arange(seq, (Kind::Int64, device));
        let relative = positions.unsqueeze(0) - positions.unsqueeze(1);
        let buckets = relative_position_bucket(&relative, RELATIVE_BUCKETS, RELATIVE_MAX_DISTANCE);
        self.relative_attention_bias.forward(&buckets).permute([2, 0, 1]).unsqueeze(0)
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
    /// (`embeddings.…`, `encoder.…`); a head puts them under `mpnet`.
    pub fn new(p: nn::Path, config: &MpnetConfig) -> MpnetModel {
        MpnetModel {
            embeddings: MpnetEmbeddings::new(&p / "embeddings", config),
            encoder: MpnetEncoder::new(&p / "encoder", config),
        }
    }

    /// `input_ids`, `attention_mask`: `[batch, seq]` (mask 1 for real tokens,
    /// 0 for padding; `None` = no padding). Returns `[batch, seq, hidden]` in
    /// the weights' precision; rows at padding positions are meaningless.
    pub fn forward_t(&self, input_ids: &Tensor, attention_mask: Option<&Tensor>, train: bool) -> Tensor {
        let embedded = self.embeddings.forward_t(input_ids, train);
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
pub struct MpnetForSequenceClassification {
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
    fn position_ids_skip_padding() {
        let ids = Tensor::from_slice(&[0i64, 7, 2, 1, 1]).view([1, 5]);
        assert_eq!(Vec::<i64>::try_from(position_ids(&ids, 1).flatten(0, -1)).unwrap(), vec![2, 3, 4, 1, 1]);
    }
}
