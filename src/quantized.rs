//! Dynamic int8 inference on the CPU (`--precision int8`): linear layers whose
//! weights are quantized once at load time to int8 (7 bits, one scale per
//! output row) and packed for fbgemm, while the activations stay fp32 and are
//! quantized per call by libtorch's `fbgemm_linear_int8_weight_fp32_activation`
//! (the kernel behind PyTorch's `quantize_dynamic`), one call per window over
//! its real tokens, so that a window's entities do not depend on the windows
//! batched with it. Owns the token classifiers that run on them (MPNet, the
//! shipped NER model's architecture, and DistilBERT), built from the weights
//! of a loaded `VarStore`, so the NER model's files are the same at every
//! precision.
//!
//! Why second copies of the networks: rust-bert's layers and ours in
//! `crate::mpnet` are plain `nn::Linear`, which cannot hold a packed int8
//! matrix. Both architectures are post-LayerNorm transformers with the same
//! layer ([`Layer`]): attention (run window by window over the real
//! tokens, like the int8 linears), `attention_norm(x + out(context))`, then
//! `output_norm(h + output(gelu(intermediate(h))))`. They differ in the
//! embeddings (MPNet adds the casing embedding and numbers positions from
//! the padding id) and in MPNet's relative-position bias, added to every
//! layer's attention scores. The classifier on top stays fp32 (9 outputs).
//! `tests/quantized.rs` checks that with fp32 linears the MPNet here gives
//! `crate::mpnet`'s logits, and that int8 keeps the labels.
//!
//! fbgemm needs AVX2; a CPU without it gets one error at load time.

use rayon::prelude::*;
use tch::{nn, Kind, Scalar, Tensor};

use crate::mpnet::{self, MpnetConfig};
use crate::runtime::{ModelError, Precision};

/// The range our int8 weights use: 7 bits, not 8. On a CPU without VNNI
/// (AVX2 only) fbgemm multiplies with `vpmaddubsw`, which adds two u8 × i8
/// products into an i16 and saturates: 2 × 255 × 127 overflows it, 2 × 255 × 64
/// does not. With full-range weights 9 % of the NER model's token labels
/// changed on real sentences; with 7 bits 1.5 % (`tests/quantized.rs`, every
/// linear in int8), as
/// PyTorch's `reduce_range` does for the same reason.
const QMIN: i64 = -64;
const QMAX: i64 = 63;

/// A linear layer `y = x Wᵀ + b`: its fp32 weight as loaded, the weight in
/// bf16 (inputs and outputs fp32), or the weight quantized to int8 and packed
/// for fbgemm.
pub(crate) enum Linear {
    Fp32 {
        weight: Tensor,
        bias: Tensor,
    },
    Bf16 {
        weight: Tensor,
        bias: Tensor,
    },
    Int8 {
        quantized: Tensor,
        packed: Tensor,
        col_offsets: Tensor,
        scale: f64,
        zero_point: i64,
        zero_bias: Tensor,
        row_scales: Tensor,
        bias: Tensor,
    },
}

/// Scale and zero point that map `[min, max]` (widened to hold 0) onto
/// `QMIN..=QMAX`, the zero point nudged to an integer so that 0.0 is exact:
/// the rule of PyTorch's `ChooseQuantizationParams` for fbgemm weights.
pub(crate) fn quantization_params(min: f64, max: f64) -> (f64, i64) {
    let (min, max) = (min.min(0.0), max.max(0.0));
    let mut scale = (max - min) / (QMAX - QMIN) as f64;
    if scale == 0.0 {
        scale = 0.1;
    }
    let (from_min, from_max) = (QMIN as f64 - min / scale, QMAX as f64 - max / scale);
    let error_min = (QMIN as f64).abs() + (min / scale).abs();
    let error_max = (QMAX as f64).abs() + (max / scale).abs();
    let initial = if error_min < error_max { from_min } else { from_max };
    (scale, (initial.round() as i64).clamp(QMIN, QMAX))
}

impl Linear {
    /// Quantizes an fp32 `[out, in]` weight (any precision is read as fp32),
    /// one scale per output row: each row is divided by its largest magnitude
    /// before the matrix is quantized, and the output multiplied back by it
    /// (`row_scales`), so a row of small weights keeps its resolution although
    /// fbgemm's kernel takes one scale for the whole matrix.
    pub fn int8(weight: &Tensor, bias: &Tensor) -> Result<Linear, ModelError> {
        let weight = weight.to_kind(Kind::Float).contiguous();
        let row_scales = weight.abs().amax([1i64].as_slice(), false).clamp_min(1e-12);
        let normalized = (&weight / row_scales.unsqueeze(1)).contiguous();
        let min = normalized.min().double_value(&[]);
        let max = normalized.max().double_value(&[]);
        let (scale, zero_point) = quantization_params(min, max);
        let quantized = ((&normalized / scale).round() + zero_point as f64).clamp(QMIN, QMAX).to_kind(Kind::Int8);
        // fbgemm's column offsets: per output row, the sum of its int8 weights less zero_point × inputs.
        let inputs = weight.size()[1];
        let col_offsets = (quantized.to_kind(Kind::Int).sum_dim_intlist(1, false, Kind::Int) - zero_point * inputs)
            .to_kind(Kind::Int)
            .contiguous();
        let packed = quantized
            .f_fbgemm_pack_quantized_matrix()
            .map_err(|e| ModelError::Forward(format!("--precision int8 needs fbgemm (a CPU with AVX2): {e}")))?;
        let zero_bias = bias.zeros_like().to_kind(Kind::Float);
        Ok(Linear::Int8 {
            quantized,
            packed,
            col_offsets,
            scale,
            zero_point,
            zero_bias,
            row_scales,
            bias: bias.to_kind(Kind::Float),
        })
    }

    /// A layer kept in floating point among int8 ones: bf16 where the CPU
    /// computes it natively (half the time of fp32, the F1 of fp32), else fp32.
    pub fn float(weight: &Tensor, bias: &Tensor) -> Linear {
        if Precision::native_bf16() {
            Linear::Bf16 { weight: weight.to_kind(Kind::BFloat16), bias: bias.to_kind(Kind::BFloat16) }
        } else {
            Linear::fp32(weight, bias)
        }
    }

    pub fn fp32(weight: &Tensor, bias: &Tensor) -> Linear {
        Linear::Fp32 { weight: weight.to_kind(Kind::Float), bias: bias.to_kind(Kind::Float) }
    }

    /// `x` is `[batch, width, in]` holding windows of `lengths[b]` real
    /// tokens each, the rest padding. An int8 layer runs each window's real
    /// rows on their own, so that its activation range (which fbgemm takes
    /// over the whole input of a call) is the window's own: a window's
    /// output then does not depend on the windows batched with it or on
    /// padding, and a nightly run gives what a rebuild gives. A bf16 layer
    /// does the same, as oneDNN's bf16 kernels round differently for other
    /// batch shapes. The windows run side by side on the Rayon pool, each
    /// call on one libtorch thread: a window is about 100 rows, and many such
    /// small calls on a shared 2-thread pool left a core idle and cost system
    /// time in OpenMP wake-ups (PERFORMANCE.md section 10). Padding rows come
    /// out zero, or the bias of an int8 layer: finite, and never read (the
    /// attention, too, runs per window over the real tokens).
    /// An fp32 layer runs the batch at once (its rows do not depend on the
    /// batch: `tests/shards.rs`).
    pub(crate) fn forward_windows(&self, x: &Tensor, lengths: &[i64]) -> Tensor {
        if let Linear::Fp32 { .. } = self {
            return self.forward(x);
        }
        let size = x.size();
        let (batch, width) = (size[0], size[1]);
        if lengths.iter().all(|&n| n == width) && batch == 1 {
            return self.forward(x);
        }
        let outputs = match self {
            Linear::Int8 { bias, .. } | Linear::Bf16 { bias, .. } => bias.size()[0],
            Linear::Fp32 { .. } => unreachable!("handled above"),
        };
        let windows: Vec<(i64, Tensor)> = lengths
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(b, &n)| (b as i64, x.get(b as i64).narrow(0, 0, n)))
            .collect();
        let kernels: Vec<Linear> = windows.iter().map(|_| self.share()).collect();
        let results: Vec<(i64, Tensor)> = windows
            .into_par_iter()
            .zip(kernels.into_par_iter())
            .map(|((b, window), kernel)| {
                one_libtorch_thread_here();
                (b, kernel.forward_unscaled(&window))
            })
            .collect();
        let mut out = Tensor::zeros([batch, width, outputs], (Kind::Float, x.device()));
        for (b, y) in results {
            out.get(b).narrow(0, 0, y.size()[0]).copy_(&y);
        }
        match self {
            Linear::Int8 { row_scales, bias, .. } => out.g_mul_(row_scales).g_add_(bias),
            _ => out,
        }
    }

    /// Another handle on the same weights (no copy), for another thread.
    fn share(&self) -> Linear {
        match self {
            Linear::Fp32 { weight, bias } => {
                Linear::Fp32 { weight: weight.shallow_clone(), bias: bias.shallow_clone() }
            }
            Linear::Bf16 { weight, bias } => {
                Linear::Bf16 { weight: weight.shallow_clone(), bias: bias.shallow_clone() }
            }
            Linear::Int8 { quantized, packed, col_offsets, scale, zero_point, zero_bias, row_scales, bias } => {
                Linear::Int8 {
                    quantized: quantized.shallow_clone(),
                    packed: packed.shallow_clone(),
                    col_offsets: col_offsets.shallow_clone(),
                    scale: *scale,
                    zero_point: *zero_point,
                    zero_bias: zero_bias.shallow_clone(),
                    row_scales: row_scales.shallow_clone(),
                    bias: bias.shallow_clone(),
                }
            }
        }
    }

    /// [`Linear::forward`] without an int8 layer's row scales and bias
    /// (applied once to the whole batch by [`Linear::forward_windows`]).
    fn forward_unscaled(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::Int8 { quantized, packed, col_offsets, scale, zero_point, zero_bias, .. } => {
                x.contiguous().fbgemm_linear_int8_weight_fp32_activation(
                    quantized,
                    packed,
                    col_offsets,
                    Scalar::float(*scale),
                    Scalar::int(*zero_point),
                    zero_bias,
                )
            }
            other => other.forward(x),
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::Fp32 { weight, bias } => x.linear(weight, Some(bias)),
            Linear::Bf16 { weight, bias } => x.to_kind(Kind::BFloat16).linear(weight, Some(bias)).to_kind(Kind::Float),
            Linear::Int8 { row_scales, bias, .. } => self.forward_unscaled(x).g_mul_(row_scales).g_add_(bias),
        }
    }
}

/// Which linear layers to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// As loaded, fp32: the same computation as the float model (for checks).
    Fp32,
    /// int8 encoder linears, except the feed-forward output (DistilBERT's
    /// `ffn.lin2`, MPNet's `output.dense`) of the lower half of the layers,
    /// kept in floating point ([`Linear::float`]: bf16 where native, else
    /// fp32); embeddings, LayerNorms and the classifier fp32. Chosen on
    /// CoNLL-2003 with the DistilBERT model (PERFORMANCE.md sections 9 and
    /// 10): every linear in int8 cost 0.6 F1 points on test, this 0.1. That
    /// layer reads the GELU output, whose long positive tail leaves little
    /// resolution to the rest of a per-tensor activation range.
    Int8,
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> Tensor {
        let dim = *x.size().last().expect("a hidden dimension");
        x.layer_norm([dim], Some(&self.weight), Some(&self.bias), self.eps, false)
    }
}

/// One post-LayerNorm transformer layer, the same in DistilBERT and MPNet:
/// `attention_norm(x + out(attention))`, then
/// `output_norm(h + output(gelu(intermediate(h))))`.
struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Layer {
    /// `x`: `[batch, width, hidden]` windows of `lengths` real tokens;
    /// `position_bias`: MPNet's `[1, heads, width, width]` relative-position
    /// bias, added to every layer's attention scores (DistilBERT has none).
    /// The attention runs window by window over its real tokens, like the
    /// linear layers: with the padded batch at once, the float sums round in
    /// another order for another padded width, and int8 can turn such a
    /// difference into a whole quantization step downstream (logits moved
    /// by 0.19 on the MPNet model), so a window's output would depend on the
    /// windows batched with it. Padding rows of the context stay zero.
    fn forward(&self, x: &Tensor, lengths: &[i64], position_bias: Option<&Tensor>, heads: i64) -> Tensor {
        let (batch, width, dim) = x.size3().expect("hidden states are [batch, width, hidden]");
        let per_head = dim / heads;
        let q = self.q.forward_windows(x, lengths) / (per_head as f64).sqrt();
        let k = self.k.forward_windows(x, lengths);
        let v = self.v.forward_windows(x, lengths);
        let context = Tensor::zeros([batch, width, dim], (Kind::Float, x.device()));
        for (b, &n) in lengths.iter().enumerate().filter(|(_, &n)| n > 0) {
            // [heads, n, per_head] of window b's real tokens.
            let part = |t: &Tensor| t.get(b as i64).narrow(0, 0, n).view([n, heads, per_head]).transpose(0, 1);
            let mut scores = part(&q).matmul(&part(&k).transpose(1, 2));
            if let Some(bias) = position_bias {
                scores += bias.get(0).narrow(1, 0, n).narrow(2, 0, n);
            }
            let window = scores.softmax(-1, Kind::Float).matmul(&part(&v)).transpose(0, 1).contiguous().view([n, dim]);
            context.get(b as i64).narrow(0, 0, n).copy_(&window);
        }
        let h = self.attention_norm.forward(&(self.out.forward_windows(&context, lengths) + x));
        let inner = self.intermediate.forward_windows(&h, lengths).gelu("none");
        self.output_norm.forward(&(self.output.forward_windows(&inner, lengths) + h))
    }
}

/// What each architecture calls the tensors of a [`Layer`], under the
/// layer's prefix.
struct LayerNames {
    q: &'static str,
    k: &'static str,
    v: &'static str,
    out: &'static str,
    attention_norm: &'static str,
    intermediate: &'static str,
    output: &'static str,
    output_norm: &'static str,
}

const DISTILBERT_LAYER: LayerNames = LayerNames {
    q: "attention.q_lin",
    k: "attention.k_lin",
    v: "attention.v_lin",
    out: "attention.out_lin",
    attention_norm: "sa_layer_norm",
    intermediate: "ffn.lin1",
    output: "ffn.lin2",
    output_norm: "output_layer_norm",
};

const MPNET_LAYER: LayerNames = LayerNames {
    q: "attention.attn.q",
    k: "attention.attn.k",
    v: "attention.attn.v",
    out: "attention.attn.o",
    attention_norm: "attention.LayerNorm",
    intermediate: "intermediate.dense",
    output: "output.dense",
    output_norm: "output.LayerNorm",
};

/// The variables of a loaded `VarStore` by name, read as fp32, and the
/// [`Linear`]s and [`LayerNorm`]s built from them.
struct Tensors<'a> {
    all: std::collections::HashMap<String, Tensor>,
    weights: Weights,
    model: &'a str,
}

impl Tensors<'_> {
    fn get(&self, name: &str) -> Result<Tensor, ModelError> {
        self.all
            .get(name)
            .map(|t| t.to_kind(Kind::Float))
            .ok_or_else(|| ModelError::Forward(format!("int8 {}: no tensor {name}", self.model)))
    }

    /// `PREFIX.weight` and `PREFIX.bias` as a layer: int8 when `int8` and
    /// these are [`Weights::Int8`], else floating point.
    fn linear(&self, prefix: &str, int8: bool) -> Result<Linear, ModelError> {
        let (w, b) = (self.get(&format!("{prefix}.weight"))?, self.get(&format!("{prefix}.bias"))?);
        match (int8, self.weights) {
            (true, Weights::Int8) => Linear::int8(&w, &b),
            (_, Weights::Int8) => Ok(Linear::float(&w, &b)),
            (_, Weights::Fp32) => Ok(Linear::fp32(&w, &b)),
        }
    }

    fn norm(&self, prefix: &str, eps: f64) -> Result<LayerNorm, ModelError> {
        Ok(LayerNorm {
            weight: self.get(&format!("{prefix}.weight"))?,
            bias: self.get(&format!("{prefix}.bias"))?,
            eps,
        })
    }

    /// Layer `i` of `layers`, its tensors under `prefix` named as `names`
    /// says. The feed-forward output of the lower half of the layers stays
    /// in floating point ([`Weights::Int8`]).
    fn layer(&self, prefix: &str, i: i64, layers: i64, eps: f64, names: &LayerNames) -> Result<Layer, ModelError> {
        let path = |name: &str| format!("{prefix}.{name}");
        Ok(Layer {
            q: self.linear(&path(names.q), true)?,
            k: self.linear(&path(names.k), true)?,
            v: self.linear(&path(names.v), true)?,
            out: self.linear(&path(names.out), true)?,
            attention_norm: self.norm(&path(names.attention_norm), eps)?,
            intermediate: self.linear(&path(names.intermediate), true)?,
            output: self.linear(&path(names.output), i >= layers / 2)?,
            output_norm: self.norm(&path(names.output_norm), eps)?,
        })
    }
}

/// Builds a model with stderr closed when it has int8 layers, and runs it
/// once on a two-token batch (`warm`): libtorch warns once per process, on
/// stderr, that these fbgemm functions are deprecated, so that a run's
/// stderr (`--quiet`, cron mail) holds only what we print.
fn built_quietly<T>(
    weights: Weights,
    build: impl FnOnce() -> Result<T, ModelError>,
    warm: impl FnOnce(&T),
) -> Result<T, ModelError> {
    if weights == Weights::Fp32 {
        return build();
    }
    with_stderr_silenced(|| {
        let model = build()?;
        warm(&model);
        Ok(model)
    })
}

/// Each window's real length (windows hold their real tokens first).
fn window_lengths(mask: &Tensor) -> Vec<i64> {
    Vec::<i64>::try_from(mask.sum_dim_intlist(1, false, Kind::Int64)).expect("window lengths")
}

/// DistilBERT with a token-classification head on [`Linear`] layers.
pub struct DistilBertForTokenClassification {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    classifier: Linear,
    heads: i64,
}

impl DistilBertForTokenClassification {
    /// Built from the variables of a loaded rust-bert
    /// `DistilBertForTokenClassification` (Hugging Face names,
    /// `distilbert.transformer.layer.N.attention.q_lin.weight`, …). The
    /// tensors are shared or converted, so the `VarStore` may be dropped after.
    pub fn from_vars(vars: &nn::VarStore, layers: i64, heads: i64, weights: Weights) -> Result<Self, ModelError> {
        let t = Tensors { all: vars.variables(), weights, model: "DistilBERT" };
        let eps = 1e-12;
        let build = || {
            let stack = (0..layers)
                .map(|i| t.layer(&format!("distilbert.transformer.layer.{i}"), i, layers, eps, &DISTILBERT_LAYER))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(DistilBertForTokenClassification {
                word_embeddings: t.get("distilbert.embeddings.word_embeddings.weight")?,
                position_embeddings: t.get("distilbert.embeddings.position_embeddings.weight")?,
                embeddings_norm: t.norm("distilbert.embeddings.LayerNorm", eps)?,
                layers: stack,
                classifier: Linear::fp32(&t.get("classifier.weight")?, &t.get("classifier.bias")?),
                heads,
            })
        };
        built_quietly(weights, build, |m: &Self| {
            let tokens = Tensor::zeros([1, 2], (Kind::Int64, vars.device()));
            let _ = m.forward(&tokens, &tokens.ones_like());
        })
    }

    /// `[batch, width, labels]` fp32 logits of `ids` (`[batch, width]`),
    /// `mask` 1 on real tokens and 0 on padding.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Tensor {
        let (batch, width) = (ids.size()[0], ids.size()[1]);
        let positions = Tensor::arange(width, (Kind::Int64, ids.device())).unsqueeze(0).expand([batch, width], true);
        let x = Tensor::embedding(&self.word_embeddings, ids, -1, false, false)
            + Tensor::embedding(&self.position_embeddings, &positions, -1, false, false);
        let mut x = self.embeddings_norm.forward(&x);
        let lengths = window_lengths(mask);
        for layer in &self.layers {
            x = layer.forward(&x, &lengths, None, self.heads);
        }
        self.classifier.forward(&x)
    }
}

/// MPNet with a token-classification head on [`Linear`] layers: the
/// computation of [`crate::mpnet::MpnetForTokenClassification`] (word,
/// casing and position embeddings, the shared relative-position bias, the
/// same post-LayerNorm layers), for the NER model under `--precision int8`.
pub struct MpnetForTokenClassification {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    casing_embeddings: Option<Tensor>,
    embeddings_norm: LayerNorm,
    relative_attention_bias: Tensor,
    layers: Vec<Layer>,
    classifier: Linear,
    heads: i64,
}

impl MpnetForTokenClassification {
    /// Built from the variables of a loaded
    /// [`crate::mpnet::MpnetForTokenClassification`] (Hugging Face names,
    /// `mpnet.encoder.layer.N.attention.attn.q.weight`, …). The tensors are
    /// shared or converted, so the `VarStore` may be dropped after.
    pub fn from_vars(vars: &nn::VarStore, config: &MpnetConfig, weights: Weights) -> Result<Self, ModelError> {
        let t = Tensors { all: vars.variables(), weights, model: "MPNet" };
        let (layers, eps) = (config.num_hidden_layers, config.layer_norm_eps);
        let build = || {
            let stack = (0..layers)
                .map(|i| t.layer(&format!("mpnet.encoder.layer.{i}"), i, layers, eps, &MPNET_LAYER))
                .collect::<Result<Vec<_>, _>>()?;
            let casing_embeddings = match config.casing_embedding {
                Some(_) => Some(t.get("mpnet.embeddings.casing_embeddings.weight")?),
                None => None,
            };
            Ok(MpnetForTokenClassification {
                word_embeddings: t.get("mpnet.embeddings.word_embeddings.weight")?,
                position_embeddings: t.get("mpnet.embeddings.position_embeddings.weight")?,
                casing_embeddings,
                embeddings_norm: t.norm("mpnet.embeddings.LayerNorm", eps)?,
                relative_attention_bias: t.get("mpnet.encoder.relative_attention_bias.weight")?,
                layers: stack,
                classifier: Linear::fp32(&t.get("classifier.weight")?, &t.get("classifier.bias")?),
                heads: config.num_attention_heads,
            })
        };
        built_quietly(weights, build, |m: &Self| {
            let tokens = Tensor::zeros([1, 2], (Kind::Int64, vars.device()));
            let cases = m.has_casing().then(|| tokens.zeros_like());
            let _ = m.forward(&tokens, cases.as_ref(), &tokens.ones_like());
        })
    }

    /// Whether the model adds a casing embedding (then [`Self::forward`]
    /// reads the casing classes).
    pub(crate) fn has_casing(&self) -> bool {
        self.casing_embeddings.is_some()
    }

    /// `[batch, width, labels]` fp32 logits of `ids` (`[batch, width]`), their
    /// casing classes (read when the model has a casing embedding), `mask` 1
    /// on real tokens and 0 on padding.
    pub fn forward(&self, ids: &Tensor, cases: Option<&Tensor>, mask: &Tensor) -> Tensor {
        let positions = mpnet::position_ids(ids, mpnet::POSITION_PADDING_ID);
        let mut words = Tensor::embedding(&self.word_embeddings, ids, -1, false, false);
        if let (Some(casing), Some(cases)) = (&self.casing_embeddings, cases) {
            words += Tensor::embedding(casing, cases, -1, false, false);
        }
        let x = words + Tensor::embedding(&self.position_embeddings, &positions, -1, false, false);
        let mut x = self.embeddings_norm.forward(&x);
        let position_bias = mpnet::relative_position_bias(&self.relative_attention_bias, ids.size()[1]);
        let lengths = window_lengths(mask);
        for layer in &self.layers {
            x = layer.forward(&x, &lengths, Some(&position_bias), self.heads);
        }
        self.classifier.forward(&x)
    }
}

/// Gives the calling Rayon worker one libtorch (OpenMP) thread, once per
/// worker: the windows of [`Linear::forward_windows`] already run one per
/// worker. libtorch's thread count is per calling thread for OpenMP, so the
/// thread that runs the model's other operators keeps its `--threads`.
fn one_libtorch_thread_here() {
    thread_local! {
        static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    DONE.with(|done| {
        if !done.get() && rayon::current_thread_index().is_some() {
            tch::set_num_threads(1);
            done.set(true);
        }
    });
}

/// Runs `f` with the process's stderr (fd 2) pointed at /dev/null, then
/// restores it. Called at model load, before any other stage prints.
fn with_stderr_silenced<T>(f: impl FnOnce() -> T) -> T {
    use std::os::fd::AsRawFd;
    let null = std::fs::OpenOptions::new().write(true).open("/dev/null");
    // SAFETY: dup/dup2/close on fd 2 and on descriptors owned here.
    let saved = unsafe { libc::dup(2) };
    let silenced = match (&null, saved >= 0) {
        (Ok(null), true) => unsafe { libc::dup2(null.as_raw_fd(), 2) >= 0 },
        _ => false,
    };
    let out = f();
    if silenced {
        unsafe { libc::dup2(saved, 2) };
    }
    if saved >= 0 {
        unsafe { libc::close(saved) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_exact_and_the_range_is_covered() {
        let (scale, zp) = quantization_params(-0.5, 1.0);
        assert!((scale - 1.5 / 127.0).abs() < 1e-12);
        // 0.0 maps to the integer zero point exactly, and both ends stay in range.
        assert!((QMIN..=QMAX).contains(&zp));
        assert!(((-0.5 / scale).round() as i64 + zp) >= QMIN);
        assert!(((1.0 / scale).round() as i64 + zp) <= QMAX);
        // A range that does not hold 0 is widened to it.
        assert_eq!(quantization_params(0.2, 0.4).1, QMIN);
        // A constant-zero matrix still has a usable scale.
        assert_eq!(quantization_params(0.0, 0.0).0, 0.1);
    }

    #[test]
    fn int8_linear_is_close_to_fp32() {
        tch::manual_seed(7);
        let w = Tensor::randn([64, 48], (Kind::Float, tch::Device::Cpu)) * 0.05;
        let b = Tensor::randn([64], (Kind::Float, tch::Device::Cpu)) * 0.01;
        let x = Tensor::randn([5, 48], (Kind::Float, tch::Device::Cpu));
        let exact = Linear::fp32(&w, &b).forward(&x);
        let q = Linear::int8(&w, &b).expect("fbgemm runs on this CPU").forward(&x);
        let err = (&q - &exact).abs().max().double_value(&[]);
        let size = exact.abs().max().double_value(&[]);
        assert!(err < 0.02 * size, "int8 error {err} against outputs of size {size}");
    }
}
