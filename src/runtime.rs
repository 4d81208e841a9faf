//! Transformer checkpoints on disk, shared by the model stages (`ner`,
//! `stance`) and the `mpnet` encoder: checks a model directory's files, reads
//! its `config.json` and `tokenizer.json`, loads the weights into a libtorch
//! `VarStore` at the chosen precision, packs token rows into padded batch
//! tensors (counting the padding), sizes the thread pools every model run
//! shares, and picks the device the models run on (`--device`). Each error
//! names the file concerned.
//!
//! The weights are one `model.safetensors`, or, for models too large for one
//! file of the repository (the MPNet stance model), Hugging Face's sharded
//! layout: `model.safetensors.index.json` naming the
//! `model-0000K-of-0000N.safetensors` file of every tensor.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

use tch::{nn, Device, Tensor};
use tokenizers::Tokenizer;

/// The index of sharded weights, in place of `model.safetensors`.
pub(crate) const WEIGHT_INDEX: &str = "model.safetensors.index.json";

/// The weight files of a model directory, in a fixed order: `model.safetensors`,
/// or the index followed by the shards it names (sorted, each once). Fails,
/// naming the file, when neither layout or both are there, or a shard is missing.
pub(crate) fn weight_files(dir: &Path) -> Result<Vec<PathBuf>, ModelError> {
    let single = dir.join("model.safetensors");
    let index = dir.join(WEIGHT_INDEX);
    match (single.is_file(), index.is_file()) {
        (true, false) => Ok(vec![single]),
        (false, false) => Err(ModelError::Missing(single, dir.to_path_buf())),
        (true, true) => Err(ModelError::Corrupt(
            index,
            "model.safetensors is there too: one weight layout only (rerun the export)".into(),
        )),
        (false, true) => {
            let map = weight_map(&index)?;
            let mut shards = std::collections::BTreeSet::new();
            for file in map.values() {
                let name = file.as_str().filter(|n| !n.contains('/') && !n.contains('\\') && *n != "..");
                let name = name.ok_or_else(|| ModelError::Corrupt(index.clone(), format!("bad file name {file}")))?;
                shards.insert(name.to_string());
            }
            if shards.is_empty() {
                return Err(ModelError::Corrupt(index, "weight_map is empty".into()));
            }
            let mut files = vec![index];
            for shard in shards {
                let p = dir.join(shard);
                if !p.is_file() {
                    return Err(ModelError::Missing(p, dir.to_path_buf()));
                }
                files.push(p);
            }
            Ok(files)
        }
    }
}

/// The `weight_map` (tensor name → shard file name) of a sharded model's index.
fn weight_map(index: &Path) -> Result<serde_json::Map<String, serde_json::Value>, ModelError> {
    let corrupt = |e: String| ModelError::Corrupt(index.to_path_buf(), e);
    let raw = std::fs::read_to_string(index).map_err(|e| corrupt(e.to_string()))?;
    let parsed: serde_json::Value = serde_json::from_str(&raw).map_err(|e| corrupt(e.to_string()))?;
    match parsed {
        serde_json::Value::Object(mut o) => match o.remove("weight_map") {
            Some(serde_json::Value::Object(map)) => Ok(map),
            _ => Err(corrupt("no weight_map".into())),
        },
        _ => Err(corrupt("no weight_map".into())),
    }
}

/// The files of a [`weight_files`] list that hold tensors: all but the index.
fn tensor_files(files: &[PathBuf]) -> &[PathBuf] {
    if files.len() == 1 {
        files
    } else {
        &files[1..]
    }
}

/// Tensors a model loads from another model folder
/// ([`Checkpoint::shared_tensors`]).
pub struct SharedTensors {
    /// The other model's folder.
    pub from: PathBuf,
    /// Each tensor's name and the SHA-256 (hex) of its bytes as stored.
    pub sha256: Vec<(String, String)>,
}

/// Copies the shared tensors from the weight files of their model folder
/// into the variables of the same names, checking each one's SHA-256
/// (`config` is the file that asked for them, named in errors).
fn load_shared(vars: &nn::VarStore, shared: &SharedTensors, config: &Path) -> Result<(), ModelError> {
    use sha2::{Digest, Sha256};
    let from = &shared.from;
    let files = weight_files(from).map_err(|e| {
        ModelError::Corrupt(config.to_path_buf(), format!("shared_tensors from {}: {e}", from.display()))
    })?;
    // Only the files that hold a shared tensor are read (the index says which).
    let holding: Vec<PathBuf> = match &files[..] {
        [single] => vec![single.clone()],
        [index, shards @ ..] => {
            let map = weight_map(index)?;
            let wanted: Vec<&str> =
                shared.sha256.iter().filter_map(|(name, _)| map.get(name).and_then(|f| f.as_str())).collect();
            shards.iter().filter(|p| wanted.iter().any(|w| p.file_name().is_some_and(|f| f == *w))).cloned().collect()
        }
        [] => Vec::new(),
    };
    let variables = vars.variables();
    let mut found = std::collections::BTreeSet::new();
    for file in &holding {
        let tensors = Tensor::read_safetensors(file).map_err(|e| ModelError::Corrupt(file.clone(), e.to_string()))?;
        for (name, tensor) in tensors {
            let Some((_, want)) = shared.sha256.iter().find(|(n, _)| *n == name) else { continue };
            let corrupt =
                |message: String| ModelError::Corrupt(file.clone(), format!("shared tensor {name}: {message}"));
            let numel = tensor.numel();
            let mut bytes = vec![0u8; numel * tensor.kind().elt_size_in_bytes()];
            tensor.f_copy_data_u8(&mut bytes, numel).map_err(|e| corrupt(e.to_string()))?;
            let got = format!("{:x}", Sha256::digest(&bytes));
            if &got != want {
                return Err(corrupt(format!(
                    "sha256 {got}, but {} was made with {want} (the model there was replaced: re-export this one)",
                    config.display()
                )));
            }
            let mut var =
                variables.get(&name).ok_or_else(|| corrupt("the model has no such variable".into()))?.shallow_clone();
            if var.size() != tensor.size() {
                return Err(corrupt(format!("{:?} there, {:?} in the model", tensor.size(), var.size())));
            }
            tch::no_grad(|| var.copy_(&tensor));
            found.insert(name);
        }
    }
    match shared.sha256.iter().find(|(n, _)| !found.contains(n)) {
        Some((name, _)) => Err(ModelError::Corrupt(
            config.to_path_buf(),
            format!("shared tensor {name} is in no weight file of {}", from.display()),
        )),
        None => Ok(()),
    }
}

/// Errors of loading or running a model. Each names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file missing: {0} (expected a model in {1})")]
    Missing(PathBuf, PathBuf),
    #[error("model file {0} is corrupt: {1}")]
    Corrupt(PathBuf, String),
    #[error("tokenizer failed on a text: {0}")]
    Tokenize(String),
    #[error("model forward pass failed: {0}")]
    Forward(String),
    #[error("the {model} isn't shipped yet ({dir} is missing): train it with {how}")]
    NotShipped { model: &'static str, dir: PathBuf, how: &'static str },
    #[error("--device cuda: {0}")]
    NoCuda(String),
}

/// Where the transformers run (`--device`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    /// The first CUDA GPU when this build's libtorch has CUDA and a GPU is
    /// visible, else the CPU.
    #[default]
    Auto,
    Cpu,
    /// The first CUDA GPU; an error when there is none.
    Cuda,
}

impl DeviceChoice {
    pub fn parse(s: &str) -> Option<DeviceChoice> {
        match s {
            "auto" => Some(DeviceChoice::Auto),
            "cpu" => Some(DeviceChoice::Cpu),
            "cuda" => Some(DeviceChoice::Cuda),
            _ => None,
        }
    }

    /// The libtorch device: fails for `Cuda` when this libtorch was built
    /// without CUDA (the default CPU-only build) or no GPU is visible.
    pub fn resolve(self) -> Result<Device, ModelError> {
        match self {
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Auto => Ok(Device::cuda_if_available()),
            DeviceChoice::Cuda if tch::Cuda::is_available() => Ok(Device::Cuda(0)),
            DeviceChoice::Cuda => Err(ModelError::NoCuda(if tch::utils::has_cudart() {
                "this libtorch has CUDA, but no GPU is visible (driver, CUDA_VISIBLE_DEVICES?); \
                 or run with --device cpu"
                    .into()
            } else {
                "this build's libtorch is the CPU-only one; build the CUDA variant with \
                 `make build TORCH_VARIANT=cu121` (docs/install.md), or run with --device cpu"
                    .into()
            })),
        }
    }
}

/// A device's name for logs and `summary.json`: `cpu`, `cuda:0`.
pub(crate) fn device_name(device: Device) -> String {
    match device {
        Device::Cuda(i) => format!("cuda:{i}"),
        Device::Mps => "mps".into(),
        Device::Vulkan => "vulkan".into(),
        Device::Cpu => "cpu".into(),
    }
}

/// A model's identity as the corpus store records it: the directory's name
/// and the first 12 hex digits of the SHA-256 of its files, config.json,
/// tokenizer.json, then the weight files in [`weight_files`] order
/// (`ner@3fa2b1c9d0e1`). Fails, naming the file, when one is missing.
pub fn model_id(dir: &Path) -> Result<String, ModelError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut files = vec![dir.join("config.json"), dir.join("tokenizer.json")];
    for p in &files {
        if !p.is_file() {
            return Err(ModelError::Missing(p.clone(), dir.to_path_buf()));
        }
    }
    files.extend(weight_files(dir)?);
    for p in files {
        let mut file = std::fs::File::open(&p).map_err(|_| ModelError::Missing(p.clone(), dir.to_path_buf()))?;
        loop {
            let n = file.read(&mut buf).map_err(|e| ModelError::Corrupt(p.clone(), e.to_string()))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
        }
    }
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
    let hex: String = hash.finalize()[..6].iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{name}@{hex}"))
}

/// Numeric precision of the transformer at run time. The weights ship in fp16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Fp32,
    /// bfloat16: about twice as fast where the CPU has AVX-512 BF16 or AMX,
    /// same entities on our gold sets; slow where it must be emulated.
    Bf16,
    /// Dynamic int8 linear layers (fbgemm, [`crate::quantized`]) for the NER
    /// model (MPNet or DistilBERT) on the CPU, with activation ranges per window. Every
    /// other model runs in [`Precision::float`]'s precision (bf16 where the
    /// CPU has it natively, else fp32), and every model on a GPU in fp32.
    Int8,
}

impl Precision {
    /// bf16 where the CPU computes it natively (AVX-512 BF16 or AMX); else
    /// int8 where fbgemm runs (x86-64 with AVX2); else fp32. On CoNLL-2003
    /// test int8 gives fp32's F1 (0.8863 against 0.8860) at 1.6–2× its
    /// speed; with native bf16 it only ties with bf16, using more memory
    /// (PERFORMANCE.md section 10). Its activation ranges are taken
    /// per window, so a text's entities do not depend on the texts batched
    /// with it and a nightly run matches a rebuild (`tests/nightly.rs` passed
    /// with `auto` forced to int8).
    pub fn auto() -> Precision {
        if Precision::native_bf16() {
            Precision::Bf16
        } else if cpu_has(&["avx2"]) && cfg!(target_arch = "x86_64") {
            Precision::Int8
        } else {
            Precision::Fp32
        }
    }

    /// bf16 when the CPU computes it natively, else fp32.
    pub(crate) fn float_auto() -> Precision {
        if Precision::native_bf16() {
            Precision::Bf16
        } else {
            Precision::Fp32
        }
    }

    /// Whether the CPU computes bf16 natively (AVX-512 BF16 or AMX).
    pub(crate) fn native_bf16() -> bool {
        cpu_has(&["avx512_bf16", "amx_bf16"])
    }

    /// The floating-point precision of a model that does not run in int8
    /// (the stance models, MPNet) on `device`: itself for fp32 and bf16; for
    /// int8, [`Precision::float_auto`] on the CPU and fp32 on a GPU.
    pub fn float(self, device: Device) -> Precision {
        match (self, device) {
            (Precision::Int8, Device::Cpu) => Precision::float_auto(),
            (Precision::Int8, _) => Precision::Fp32,
            (other, _) => other,
        }
    }

    pub fn parse(s: &str) -> Option<Precision> {
        match s {
            "fp32" => Some(Precision::Fp32),
            "bf16" => Some(Precision::Bf16),
            "int8" => Some(Precision::Int8),
            "auto" => Some(Precision::auto()),
            _ => None,
        }
    }
}

/// Whether the CPU's `/proc/cpuinfo` flags hold any of `flags` (the file is
/// read once per process: model loading asks several times).
fn cpu_has(flags: &[&str]) -> bool {
    static CPU_FLAGS: std::sync::OnceLock<std::collections::BTreeSet<String>> = std::sync::OnceLock::new();
    let known = CPU_FLAGS.get_or_init(|| {
        let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let lines = info.lines().filter(|l| l.starts_with("flags"));
        lines.flat_map(|l| l.split_whitespace().map(str::to_string)).collect()
    });
    flags.iter().any(|f| known.contains(*f))
}

/// An opened model directory: config and tokenizer read, weights not yet.
pub struct Checkpoint {
    pub dir: PathBuf,
    pub config: serde_json::Value,
    pub tokenizer: Tokenizer,
    pub cls_id: i64,
    pub sep_id: i64,
    pub pad_id: i64,
}

impl Checkpoint {
    /// Checks the files and reads config and tokenizer (no truncation, no padding).
    pub fn open(dir: &Path) -> Result<Checkpoint, ModelError> {
        for f in ["config.json", "tokenizer.json"] {
            let p = dir.join(f);
            if !p.is_file() {
                return Err(ModelError::Missing(p, dir.to_path_buf()));
            }
        }
        weight_files(dir)?;
        let config_path = dir.join("config.json");
        let raw = std::fs::read_to_string(&config_path)
            .map_err(|e| ModelError::Corrupt(config_path.clone(), e.to_string()))?;
        let config: serde_json::Value =
            serde_json::from_str(&raw).map_err(|e| ModelError::Corrupt(config_path.clone(), e.to_string()))?;

        let tok_path = dir.join("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&tok_path).map_err(|e| ModelError::Corrupt(tok_path.clone(), e.to_string()))?;
        tokenizer.with_truncation(None).map_err(|e| ModelError::Corrupt(tok_path.clone(), e.to_string()))?;
        tokenizer.with_padding(None);
        let special = |t: &str| {
            tokenizer
                .token_to_id(t)
                .map(|i| i as i64)
                .ok_or_else(|| ModelError::Corrupt(tok_path.clone(), format!("no {t} token")))
        };
        let model_type = config.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
        let [cls, sep, pad] = special_token_names(model_type);
        let (cls_id, sep_id, pad_id) = (special(cls)?, special(sep)?, special(pad)?);
        Ok(Checkpoint { dir: dir.to_path_buf(), config, tokenizer, cls_id, sep_id, pad_id })
    }

    pub(crate) fn config_path(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    /// An error about config.json.
    pub(crate) fn bad_config(&self, message: impl ToString) -> ModelError {
        ModelError::Corrupt(self.config_path(), message.to_string())
    }

    /// `model_type` from config.json (`distilbert`, `bert`).
    pub fn model_type(&self) -> &str {
        self.config.get("model_type").and_then(|v| v.as_str()).unwrap_or("")
    }

    /// The config deserialized as a rust-bert config type.
    pub fn typed_config<T: serde::de::DeserializeOwned>(&self) -> Result<T, ModelError> {
        serde_json::from_value(self.config.clone()).map_err(|e| self.bad_config(e))
    }

    /// `id2label` in output order.
    pub fn labels(&self) -> Result<Vec<String>, ModelError> {
        let map =
            self.config.get("id2label").and_then(|v| v.as_object()).ok_or_else(|| self.bad_config("no id2label"))?;
        let mut pairs: Vec<(usize, String)> = Vec::with_capacity(map.len());
        for (k, v) in map {
            let i = k.parse::<usize>().map_err(|_| self.bad_config(format!("bad id2label key {k}")))?;
            let tag = v.as_str().ok_or_else(|| self.bad_config("id2label values must be strings"))?;
            pairs.push((i, tag.to_string()));
        }
        pairs.sort_by_key(|p| p.0);
        if pairs.iter().enumerate().any(|(n, (i, _))| n != *i) {
            return Err(self.bad_config("id2label keys must be 0..n"));
        }
        Ok(pairs.into_iter().map(|p| p.1).collect())
    }

    /// The tensors this model takes from another model folder instead of
    /// shipping them twice: config.json's `"shared_tensors": {"from":
    /// "../stance-accurate", "sha256": {NAME: HEX, ...}}` (the folder
    /// relative to this one; each tensor's SHA-256 over its bytes as stored,
    /// so that a retrained neighbour is an error, not a silently different
    /// model). The shipped MPNet NER model takes its word-piece table, frozen
    /// in training, from the accurate stance model (`models/ner/MODEL.md`).
    pub fn shared_tensors(&self) -> Result<Option<SharedTensors>, ModelError> {
        let Some(shared) = self.config.get("shared_tensors") else { return Ok(None) };
        let from = shared.get("from").and_then(|v| v.as_str());
        let hashes = shared
            .get("sha256")
            .and_then(|v| v.as_object())
            .map(|m| m.iter().map(|(k, v)| v.as_str().map(|h| (k.clone(), h.to_string()))).collect::<Option<Vec<_>>>());
        match (from, hashes) {
            (Some(from), Some(Some(sha256))) if !sha256.is_empty() => {
                Ok(Some(SharedTensors { from: self.dir.join(from), sha256 }))
            }
            _ => Err(self.bad_config("shared_tensors needs \"from\" (a folder) and \"sha256\" (tensor name: hex)")),
        }
    }

    /// Loads the weights (one file or the shards) into `vars` (whose
    /// variables the model's constructor created) and sets the precision.
    /// Every variable must be found in some file: the model's own, or, for
    /// the tensors config.json's `shared_tensors` names, the files of the
    /// model folder it names ([`Checkpoint::shared_tensors`]).
    pub fn load_weights(&self, vars: &mut nn::VarStore, precision: Precision) -> Result<(), ModelError> {
        let files = weight_files(&self.dir)?;
        let shared = self.shared_tensors()?;
        if let ([weights], None) = (&files[..], &shared) {
            vars.load(weights).map_err(|e| ModelError::Corrupt(weights.clone(), e.to_string()))?;
        } else {
            let mut missing: Option<std::collections::BTreeSet<String>> = None;
            for file in tensor_files(&files) {
                let lacking = vars.load_partial(file).map_err(|e| ModelError::Corrupt(file.clone(), e.to_string()))?;
                let lacking: std::collections::BTreeSet<String> = lacking.into_iter().collect();
                missing = Some(match missing {
                    None => lacking,
                    Some(m) => m.intersection(&lacking).cloned().collect(),
                });
            }
            let mut missing = missing.unwrap_or_default();
            if let Some(shared) = &shared {
                load_shared(vars, shared, &self.config_path())?;
                missing.retain(|n| !shared.sha256.iter().any(|(name, _)| name == n));
            }
            if let Some(name) = missing.into_iter().next() {
                return Err(ModelError::Corrupt(files[0].clone(), format!("no weight file holds the tensor {name}")));
            }
        }
        // `load` keeps the file's precision (fp16), which CPU kernels run slowly.
        // Int8 loads fp32: the int8 builder quantizes from it (and whatever else
        // runs under int8 asks for `precision.float()`).
        match precision {
            Precision::Fp32 | Precision::Int8 => vars.float(),
            Precision::Bf16 => vars.bfloat16(),
        }
        vars.freeze();
        Ok(())
    }
}

/// The names of the sequence-start, separator and padding tokens in a model
/// family's vocabulary: `[CLS]`, `[SEP]`, `[PAD]` for BERT and DistilBERT;
/// `<s>`, `</s>`, `<pad>` for MPNet and RoBERTa.
pub(crate) fn special_token_names(model_type: &str) -> [&'static str; 3] {
    match model_type {
        "mpnet" | "roberta" | "xlm-roberta" => ["<s>", "</s>", "<pad>"],
        _ => ["[CLS]", "[SEP]", "[PAD]"],
    }
}

/// Bounds every thread pool of the process by `threads` (0 leaves the
/// defaults): the Rayon global pool (tokenizing, decoding, linking) gets
/// `threads` workers, libtorch's intra-op pool (OpenMP, the matrix kernels)
/// `threads`, and libtorch's inter-op pool 1 (nothing here runs operators in
/// parallel with each other, so more would only be idle threads). Call it
/// before any parallel work; later calls only reset the intra-op count (the
/// Rayon and inter-op pools can be sized once per process, and the first
/// call wins).
pub(crate) fn configure_threads(threads: usize) {
    if threads == 0 {
        return;
    }
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails when something built the global pool already; that one stays.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
        // libtorch refuses this once inter-op work has started; then its pool stays.
        let _ = std::panic::catch_unwind(|| tch::set_num_interop_threads(1));
    });
    tch::set_num_threads(threads as i32);
}

/// Keeps the memory of freed activation tensors in the process. Each forward
/// pass allocates and frees the same large buffers (up to about 22 MB per
/// tensor for 32 windows of 110 pieces); with glibc's defaults many of them
/// are returned to the kernel (`munmap`, heap trimming) and faulted in again
/// by the next batch. A fixed mmap threshold of 32 MiB (glibc's largest) and
/// no trimming keep them: on 10 PolNeAR articles at one thread, system time
/// fell from 1.24–1.29 s to 0.33–0.47 s with the same peak RSS
/// (PERFORMANCE.md). Only on glibc; once per process.
pub(crate) fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only sets allocator parameters; it is called
            // before the models allocate and fails harmlessly (returns 0).
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
                libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
            }
        });
    }
}

/// A fresh VarStore on `device`, after bounding the thread pools ([`configure_threads`];
/// 0 = defaults) and tuning the allocator ([`tune_allocator`]).
pub(crate) fn var_store(threads: usize, device: Device) -> nn::VarStore {
    configure_threads(threads);
    tune_allocator();
    nn::VarStore::new(device)
}

/// Token positions a model computed, and how many of them were padding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Padding {
    /// Real tokens (special tokens included).
    pub tokens: u64,
    /// Positions computed: per batch, rows × the longest row.
    pub positions: u64,
}

impl Padding {
    /// The padded share of the positions (0 when nothing ran).
    pub fn share(&self) -> f64 {
        if self.positions == 0 {
            0.0
        } else {
            1.0 - self.tokens as f64 / self.positions as f64
        }
    }

    /// The share rounded to 4 decimals, `None` when nothing ran.
    pub fn share_rounded(&self) -> Option<f64> {
        (self.positions > 0).then(|| (self.share() * 10000.0).round() / 10000.0)
    }

    /// Counts of two runs together.
    pub fn plus(self, other: Padding) -> Padding {
        Padding { tokens: self.tokens + other.tokens, positions: self.positions + other.positions }
    }
}

/// A running [`Padding`] tally a model keeps over its batches.
#[derive(Debug, Default)]
pub(crate) struct PaddingCounter {
    tokens: AtomicU64,
    positions: AtomicU64,
}

impl PaddingCounter {
    /// Adds one batch of rows padded to `width`.
    pub fn add<R: AsRef<[i64]>>(&self, rows: &[R], width: usize) {
        let tokens: usize = rows.iter().map(|r| r.as_ref().len()).sum();
        self.tokens.fetch_add(tokens as u64, Ordering::Relaxed);
        self.positions.fetch_add((rows.len() * width) as u64, Ordering::Relaxed);
    }

    /// Everything counted so far.
    pub fn total(&self) -> Padding {
        Padding { tokens: self.tokens.load(Ordering::Relaxed), positions: self.positions.load(Ordering::Relaxed) }
    }
}

/// Padded batch tensors for rows of token ids on `device`: `(ids, attention
/// mask, token types)`, all `[rows, width]` where width is the longest row.
/// `types[r]` gives row r's token types (empty = all 0).
pub fn batch(rows: &[Vec<i64>], types: &[Vec<i64>], pad_id: i64, device: Device) -> (Tensor, Tensor, Tensor, usize) {
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    batch_to(rows, types, pad_id, width, device)
}

/// [`batch`] padded to `width` (at least the longest row's length).
pub fn batch_to(
    rows: &[Vec<i64>],
    types: &[Vec<i64>],
    pad_id: i64,
    width: usize,
    device: Device,
) -> (Tensor, Tensor, Tensor, usize) {
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0).max(width);
    let mut ids = vec![pad_id; rows.len() * width];
    let mut mask = vec![0i64; rows.len() * width];
    let mut tt = vec![0i64; rows.len() * width];
    for (r, row) in rows.iter().enumerate() {
        let base = r * width;
        ids[base..base + row.len()].copy_from_slice(row);
        mask[base..base + row.len()].fill(1);
        if let Some(t) = types.get(r) {
            tt[base..base + t.len()].copy_from_slice(t);
        }
    }
    let shape = [rows.len() as i64, width as i64];
    (
        Tensor::from_slice(&ids).view(shape).to_device(device),
        Tensor::from_slice(&mask).view(shape).to_device(device),
        Tensor::from_slice(&tt).view(shape).to_device(device),
        width,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_named() {
        let dir = std::env::temp_dir().join("stancegraph-no-model-here");
        let _ = std::fs::create_dir_all(&dir);
        let err = Checkpoint::open(&dir).err().expect("must fail");
        let msg = err.to_string();
        assert!(msg.contains("config.json"), "{msg}");
        assert!(msg.contains("missing"), "{msg}");
    }

    #[test]
    fn sharded_weights_are_read_through_their_index() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let index = r#"{"metadata": {"total_size": 8}, "weight_map": {"a": "model-00002-of-00002.safetensors",
            "b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}"#;
        std::fs::write(d.join(WEIGHT_INDEX), index).unwrap();
        std::fs::write(d.join("model-00001-of-00002.safetensors"), b"").unwrap();
        let err = weight_files(d).unwrap_err().to_string();
        assert!(err.contains("model-00002-of-00002.safetensors") && err.contains("missing"), "{err}");
        std::fs::write(d.join("model-00002-of-00002.safetensors"), b"").unwrap();
        let names: Vec<String> =
            weight_files(d).unwrap().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, [WEIGHT_INDEX, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]);
        std::fs::write(d.join("model.safetensors"), b"").unwrap();
        assert!(weight_files(d).unwrap_err().to_string().contains("one weight layout only"));
    }

    #[test]
    fn shared_tensors_come_from_the_named_folder() {
        let root = tempfile::tempdir().unwrap();
        let (own, other) = (root.path().join("ner"), root.path().join("stance-accurate"));
        std::fs::create_dir_all(&own).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        let table = Tensor::from_slice(&[1f32, 2., 3., 4.]).view([2, 2]);
        let head = Tensor::from_slice(&[5f32, 6.]);
        Tensor::write_safetensors(&[("head", &head)], own.join("model.safetensors")).unwrap();
        let elsewhere = Tensor::from_slice(&[9f32, 9.]);
        Tensor::write_safetensors(&[("table", &table), ("head", &elsewhere)], other.join("model.safetensors")).unwrap();
        let checkpoint = |config: serde_json::Value| Checkpoint {
            dir: own.clone(),
            config,
            tokenizer: Tokenizer::new(tokenizers::models::bpe::BPE::default()),
            cls_id: 0,
            sep_id: 0,
            pad_id: 0,
        };
        let vars = || {
            let vs = nn::VarStore::new(Device::Cpu);
            let _ = vs.root().zeros("table", &[2, 2]);
            let _ = vs.root().zeros("head", &[2]);
            vs
        };
        // SHA-256 of the table's 16 bytes as stored (four little-endian f32).
        let hash = {
            use sha2::{Digest, Sha256};
            let bytes: Vec<u8> = [1f32, 2., 3., 4.].iter().flat_map(|x| x.to_le_bytes()).collect();
            format!("{:x}", Sha256::digest(&bytes))
        };
        let shared =
            |from: &str, hash: &str| serde_json::json!({"shared_tensors": {"from": from, "sha256": {"table": hash}}});
        let mut vs = vars();
        checkpoint(shared("../stance-accurate", &hash)).load_weights(&mut vs, Precision::Fp32).unwrap();
        let got = vs.variables();
        assert!(got["table"].allclose(&table, 0.0, 0.0, false), "the table comes from the other folder");
        assert!(got["head"].allclose(&head, 0.0, 0.0, false), "the model's own tensors are its own");
        // Without shared_tensors the table is missing; a bad "from" is named.
        let err = checkpoint(serde_json::json!({})).load_weights(&mut vars(), Precision::Fp32).unwrap_err();
        assert!(err.to_string().contains("table"), "{err}");
        let err = checkpoint(shared("../nowhere", &hash)).load_weights(&mut vars(), Precision::Fp32).unwrap_err();
        let err = err.to_string();
        assert!(err.contains("shared_tensors from") && err.contains("nowhere"), "{err}");
        // A neighbour whose table changed since the export is an error.
        let other = "0".repeat(64);
        let err = checkpoint(shared("../stance-accurate", &other)).load_weights(&mut vars(), Precision::Fp32);
        let err = err.unwrap_err().to_string();
        assert!(err.contains("re-export") && err.contains("table"), "{err}");
    }

    #[test]
    fn batch_pads_and_masks() {
        let (ids, mask, tt, width) = batch(&[vec![101, 5, 102], vec![101, 102]], &[vec![0, 0, 1]], 0, Device::Cpu);
        assert_eq!(width, 3);
        assert_eq!(Vec::<i64>::try_from(ids.flatten(0, -1)).unwrap(), vec![101, 5, 102, 101, 102, 0]);
        assert_eq!(Vec::<i64>::try_from(mask.flatten(0, -1)).unwrap(), vec![1, 1, 1, 1, 1, 0]);
        assert_eq!(Vec::<i64>::try_from(tt.flatten(0, -1)).unwrap(), vec![0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn batch_to_pads_to_the_width_asked() {
        let (ids, mask, _, width) = batch_to(&[vec![101, 5, 102]], &[], 0, 8, Device::Cpu);
        assert_eq!((width, ids.size(), i64::try_from(mask.sum(tch::Kind::Int64)).unwrap()), (8, vec![1, 8], 3));
    }

    #[test]
    fn padding_counts_rows_times_width() {
        let counter = PaddingCounter::default();
        counter.add(&[vec![1, 2, 3], vec![1]], 3);
        counter.add(&[vec![1, 2]], 2);
        let p = counter.total();
        assert_eq!((p.tokens, p.positions), (6, 8));
        assert!((p.share() - 0.25).abs() < 1e-12);
        assert_eq!(Padding::default().share_rounded(), None);
    }
    #[test]
    fn device_choices_resolve_or_say_why_not() {
        assert_eq!(DeviceChoice::parse("cuda"), Some(DeviceChoice::Cuda));
        assert_eq!(DeviceChoice::parse("gpu"), None);
        assert_eq!(DeviceChoice::Cpu.resolve().unwrap(), Device::Cpu);
        let auto = DeviceChoice::Auto.resolve().unwrap();
        if tch::Cuda::is_available() {
            assert_eq!(DeviceChoice::Cuda.resolve().unwrap(), Device::Cuda(0));
            assert_eq!(auto, Device::Cuda(0));
        } else {
            let err = DeviceChoice::Cuda.resolve().unwrap_err().to_string();
            assert!(err.contains("--device cpu"), "{err}");
            assert_eq!(err.contains("TORCH_VARIANT=cu121"), !tch::utils::has_cudart(), "{err}");
            assert_eq!(auto, Device::Cpu);
        }
        assert_eq!(device_name(Device::Cuda(1)), "cuda:1");
    }
}
