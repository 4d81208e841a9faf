//! Dynamic int8 inference on the CPU (`--precision int8`): linear layers whose
//! weights are quantized once at load time to int8 (7 bits, one scale per
//! output row) and packed for fbgemm, while the activations stay fp32 and are
//! quantized per call by libtorch's `fbgemm_linear_int8_weight_fp32_activation`
//! (the kernel behind PyTorch's `quantize_dynamic`), one call per window over
//! its real tokens, so that a window's entities do not depend on the windows
//! batched with it. Owns the DistilBERT
//! token classifier that runs on them, built from the weights of a loaded
//! rust-bert `VarStore`, so the NER model's files are the same at every
//! precision.
//!
//! Why a second DistilBERT: rust-bert's layers are plain `nn::Linear`, which
//! cannot hold a packed int8 matrix. The forward pass here is rust-bert's
//! (`distilbert::{embeddings,attention,transformer}`): word + position
//! embeddings and LayerNorm (eps 1e-12), then per layer scaled dot-product
//! attention with padded keys masked, `sa_layer_norm(x + out_lin(context))`,
//! `output_layer_norm(h + lin2(gelu(lin1(h))))`, and the classifier on top
//! (kept fp32: 9 outputs). `tests/quantized.rs` checks that with fp32
//! linears it gives rust-bert's logits, and that int8 keeps the labels.
//!
//! fbgemm needs AVX2; a CPU without it gets one error at load time.

use rayon::prelude::*;
use tch::{nn, Kind, Scalar, Tensor};

use crate::encoder::{ModelError, Precision};

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
pub enum Linear {
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
pub fn quantization_params(min: f64, max: f64) -> (f64, i64) {
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
    /// out zero, or the bias of an int8 layer: finite, as the attention's
    /// zero weights on padded keys need, and never read otherwise.
    /// An fp32 layer runs the batch at once (its rows do not depend on the
    /// batch: `tests/shards.rs`).
    pub fn forward_windows(&self, x: &Tensor, lengths: &[i64]) -> Tensor {
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
    /// As loaded, fp32: the same computation as rust-bert's model (for checks).
    Fp32,
    /// int8 encoder linears, except the feed-forward output (`ffn.lin2`) of
    /// the lower half of the layers, kept in floating point ([`Linear::float`]:
    /// bf16 where native, else fp32); embeddings, LayerNorms and the
    /// classifier fp32. Chosen on CoNLL-2003 (PERFORMANCE.md sections 9 and
    /// 10): every linear in int8 costs 0.6 F1 points on test, this 0.1. `lin2`
    /// reads the GELU output, whose long positive tail leaves little
    /// resolution to the rest of a per-tensor activation range.
    Int8,
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> Tensor {
        let dim = *x.size().last().expect("a hidden dimension");
        x.layer_norm([dim], Some(&self.weight), Some(&self.bias), 1e-12, false)
    }
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    sa_norm: LayerNorm,
    lin1: Linear,
    lin2: Linear,
    out_norm: LayerNorm,
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
        if weights == Weights::Fp32 {
            return Self::build(vars, layers, heads, weights);
        }
        // libtorch warns once per process, on stderr, that these fbgemm functions are
        // deprecated: pack and run a two-token batch here with stderr closed, so that a
        // run's stderr (`--quiet`, cron mail) holds only what we print.
        with_stderr_silenced(|| {
            let model = Self::build(vars, layers, heads, weights)?;
            let device = vars.device();
            let tokens = Tensor::zeros([1, 2], (Kind::Int64, device));
            let _ = model.forward(&tokens, &tokens.ones_like());
            Ok(model)
        })
    }

    fn build(vars: &nn::VarStore, layers: i64, heads: i64, weights: Weights) -> Result<Self, ModelError> {
        let all = vars.variables();
        let get = |name: &str| {
            all.get(name)
                .map(|t| t.to_kind(Kind::Float))
                .ok_or_else(|| ModelError::Forward(format!("int8 DistilBERT: no tensor {name}")))
        };
        let linear = |prefix: &str, int8: bool| -> Result<Linear, ModelError> {
            let (w, b) = (get(&format!("{prefix}.weight"))?, get(&format!("{prefix}.bias"))?);
            match (int8, weights) {
                (true, _) => Linear::int8(&w, &b),
                (false, Weights::Int8) => Ok(Linear::float(&w, &b)),
                (false, Weights::Fp32) => Ok(Linear::fp32(&w, &b)),
            }
        };
        let norm = |prefix: &str| -> Result<LayerNorm, ModelError> {
            Ok(LayerNorm { weight: get(&format!("{prefix}.weight"))?, bias: get(&format!("{prefix}.bias"))? })
        };
        let mut stack = Vec::with_capacity(layers as usize);
        let int8 = weights == Weights::Int8;
        for i in 0..layers {
            let p = format!("distilbert.transformer.layer.{i}");
            stack.push(Layer {
                q: linear(&format!("{p}.attention.q_lin"), int8)?,
                k: linear(&format!("{p}.attention.k_lin"), int8)?,
                v: linear(&format!("{p}.attention.v_lin"), int8)?,
                out: linear(&format!("{p}.attention.out_lin"), int8)?,
                sa_norm: norm(&format!("{p}.sa_layer_norm"))?,
                lin1: linear(&format!("{p}.ffn.lin1"), int8)?,
                lin2: linear(&format!("{p}.ffn.lin2"), int8 && i >= layers / 2)?,
                out_norm: norm(&format!("{p}.output_layer_norm"))?,
            });
        }
        Ok(DistilBertForTokenClassification {
            word_embeddings: get("distilbert.embeddings.word_embeddings.weight")?,
            position_embeddings: get("distilbert.embeddings.position_embeddings.weight")?,
            embeddings_norm: norm("distilbert.embeddings.LayerNorm")?,
            layers: stack,
            classifier: Linear::fp32(&get("classifier.weight")?, &get("classifier.bias")?),
            heads,
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
        let padded = mask.le(0).view([batch, 1, 1, width]);
        let lengths: Vec<i64> =
            Vec::<i64>::try_from(mask.sum_dim_intlist(1, false, Kind::Int64)).expect("window lengths");
        let dim = *x.size().last().expect("a hidden dimension");
        let per_head = dim / self.heads;
        let split = |t: Tensor| t.view([batch, width, self.heads, per_head]).transpose(1, 2);
        for layer in &self.layers {
            let q = split(layer.q.forward_windows(&x, &lengths)) / (per_head as f64).sqrt();
            let k = split(layer.k.forward_windows(&x, &lengths));
            let v = split(layer.v.forward_windows(&x, &lengths));
            let scores = q.matmul(&k.transpose(2, 3)).masked_fill(&padded, f64::NEG_INFINITY);
            let context =
                scores.softmax(-1, Kind::Float).matmul(&v).transpose(1, 2).contiguous().view([batch, width, dim]);
            let h = layer.sa_norm.forward(&(layer.out.forward_windows(&context, &lengths) + &x));
            let ffn = layer.lin2.forward_windows(&layer.lin1.forward_windows(&h, &lengths).gelu("none"), &lengths);
            x = layer.out_norm.forward(&(ffn + h));
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
