//! The MPNet encoder (`src/mpnet.rs`) against transformers' `MPNetModel`:
//! token ids, relative-position buckets, last hidden states and the logits of
//! a sequence classifier (`MPNetForSequenceClassification` with an untrained
//! pseudo-random head) must match the fixture written by
//! `scripts/reference/mpnet_reference.py` (`tests/fixtures/mpnet/reference.json`),
//! hidden states and logits to 1e-4 in fp32 (and bf16 hidden states within
//! a loose bound).
//!
//! The stance side on MPNet: `src/stance/mod.rs`'s input encoder against the
//! Python one (`scripts/lib/stance_data.py`, fixture
//! `tests/fixtures/mpnet/stance_inputs.json` written by
//! `scripts/reference/stance_reference.py inputs`), and, end to end, a smoke-trained
//! MPNet stance model exported by `scripts/export/export_stance.py` (sharded fp16
//! weights) whose probabilities must match transformers' within 1e-3 in fp32
//! (`scripts/train/train_stance_mpnet.sh --smoke DIR` writes the model and the
//! reference, DIR/model and DIR/reference.json).
//!
//! The NER side on MPNet: a smoke-trained MPNet token classifier with the
//! casing embedding (`scripts/train/train_ner_mpnet.sh --smoke DIR`: DIR/model
//! exported by `scripts/export/export_ner.py`, DIR/reference.json written by
//! `scripts/reference/ner_reference.py`), loaded through `NerModel`: its inputs (piece
//! ids and casing classes, `src/mpnet.rs`'s `piece_casing` against
//! `scripts/lib/ner_casing.py`'s), its logits (to 1e-4 in fp32) and its entity
//! spans must match transformers'.
//!
//! The base weights are not in the repository: the tests that need them read
//! `checkpoints/bases/mpnet-base` (or `$STANCEGRAPH_MPNET_BASE`) and skip with
//! a note when it is absent, unless `$STANCEGRAPH_REQUIRE_MPNET` is set (as
//! `make test-mpnet` does, after fetching the base). Likewise the smoke models
//! in `checkpoints/stance-mpnet-smoke` (or `$STANCEGRAPH_MPNET_STANCE`) and
//! `checkpoints/mpnet-ner-smoke` (or `$STANCEGRAPH_MPNET_NER`), which
//! `make test-mpnet` trains when they are missing.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;
use stancegraph::mpnet::{
    relative_position_bucket, MpnetBase, MpnetClassifier, RELATIVE_BUCKETS, RELATIVE_MAX_DISTANCE,
};
use stancegraph::ner::{NerConfig, NerModel};
use stancegraph::runtime::{Checkpoint, DeviceChoice, Precision};
use stancegraph::stance::{
    InputEncoder, InputMode, InputSpec, PairLayout, Stance, StanceConfig, StanceModel, StanceQuery,
};
use tch::{Kind, Tensor};

/// Largest allowed |ours − transformers'| for a hidden-state value.
const TOLERANCE: f64 = 1e-4;

fn fixture() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mpnet/reference.json");
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&raw).expect("reference.json parses")
}

/// The base folder, or None (with a note) when its weights are absent.
fn base_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("STANCEGRAPH_MPNET_BASE") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("checkpoints/bases/mpnet-base"),
    };
    if dir.join("model.safetensors").is_file() {
        return Some(dir);
    }
    skip(format!(
        "MPNet base not found in {} (set STANCEGRAPH_MPNET_BASE, or fetch it with `scripts/train/fetch_bases.sh mpnet`)",
        dir.display()
    ))
}

/// A smoke-trained model's folder (with `model/` and `reference.json`):
/// `$ENV_VAR`, else `checkpoints/DEFAULT`; None (with a note naming the
/// script that writes it) when it is absent.
fn smoke_model_dir(env_var: &str, default: &str, what: &str, script: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os(env_var) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("checkpoints").join(default),
    };
    if dir.join("reference.json").is_file() && dir.join("model/config.json").is_file() {
        return Some(dir);
    }
    skip(format!(
        "smoke-trained {what} not found in {} (write it with `scripts/train/{script} --smoke {}`, or run `make test-mpnet`)",
        dir.display(),
        dir.display()
    ))
}

/// The smoke-trained MPNet stance model's folder.
fn smoke_dir() -> Option<PathBuf> {
    smoke_model_dir("STANCEGRAPH_MPNET_STANCE", "stance-mpnet-smoke", "MPNet stance model", "train_stance_mpnet.sh")
}

/// The smoke-trained MPNet + casing NER model's folder.
fn ner_smoke_dir() -> Option<PathBuf> {
    smoke_model_dir("STANCEGRAPH_MPNET_NER", "mpnet-ner-smoke", "MPNet NER model", "train_ner_mpnet.sh")
}

/// Skips with a note, or fails when `$STANCEGRAPH_REQUIRE_MPNET` is set.
fn skip(note: String) -> Option<PathBuf> {
    if std::env::var_os("STANCEGRAPH_REQUIRE_MPNET").is_some() {
        panic!("{note}");
    }
    eprintln!("skipped: {note}");
    None
}

/// A stance query from a fixture case (spans are character offsets, as in Python).
fn query(case: &Value) -> StanceQuery<'_> {
    let spans = case["spans"].as_array().unwrap();
    StanceQuery::new(
        case["text"].as_str().unwrap(),
        case["target"].as_str().unwrap(),
        spans.iter().map(|s| (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize)).collect(),
    )
}

#[test]
fn stance_inputs_match_the_python_encoder() {
    let Some(base) = base_dir() else { return };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mpnet/stance_inputs.json");
    let f: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(f["layout"], "roberta");
    let checkpoint = Checkpoint::open(&base).expect("base opens");
    let cases = f["cases"].as_array().unwrap();
    assert!(cases.iter().any(|c| !c["untruncated_equals_tokenizer_pair"].as_bool().unwrap()), "a windowed case");
    for case in cases {
        let mode = match case["mode"].as_str().unwrap() {
            "both" => InputMode::Both,
            "marked" => InputMode::Marked,
            "pair" => InputMode::Pair,
            other => panic!("mode {other}"),
        };
        let spec = InputSpec {
            mode,
            max_len: f["max_len"].as_u64().unwrap() as usize,
            max_target_pieces: 16,
            open_marker: "[unused1]".into(),
            close_marker: "[unused2]".into(),
            context: None,
        };
        let encoder = InputEncoder::new(
            checkpoint.tokenizer.clone(),
            PairLayout::of(checkpoint.model_type()),
            spec,
            checkpoint.cls_id,
            checkpoint.sep_id,
        )
        .expect("markers are in MPNet's vocabulary");
        let (ids, types) = encoder.encode(&query(case)).unwrap();
        assert_eq!(ids, ints(&case["input_ids"]), "{mode:?} input of {:?}", case["text"]);
        assert!(types.iter().all(|&t| t == 0), "MPNet takes no token types");
        if mode != InputMode::Pair {
            assert!(ids.contains(&6) || case["spans"].as_array().unwrap().is_empty(), "[unused1] is id 6, whole");
        }
    }
}

#[test]
fn smoke_trained_stance_model_matches_transformers() {
    let Some(dir) = smoke_dir() else { return };
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap()).unwrap();
    let cases = reference["cases"].as_array().unwrap();
    let queries: Vec<StanceQuery> = cases.iter().map(query).collect();
    for (precision, tolerance) in [(Precision::Fp32, 1e-3f64), (Precision::Bf16, 0.05)] {
        // Batches of 3: padded rows, as in a pipeline run.
        let config = StanceConfig { batch_size: 3, threads: 2, precision, ..StanceConfig::default() };
        let model = StanceModel::load(&dir.join("model"), config).expect("MPNet stance model loads");
        let mut worst = (0.0f64, 0.0f64);
        for (case, q) in cases.iter().zip(&queries) {
            assert_eq!(model.input().encode(q).unwrap().0, ints(&case["input_ids"]), "input of {:?}", q.text);
        }
        let decisions = model.predict(&queries).unwrap();
        for (case, d) in cases.iter().zip(&decisions) {
            let label = |s: Stance| case["probabilities"][s.as_str()].as_f64().unwrap();
            let logit = |s: Stance| case["logits"][s.as_str()].as_f64().unwrap();
            for s in Stance::ALL {
                let p = d.probabilities[s.index()] as f64;
                worst.0 = worst.0.max((p - label(s)).abs());
                // Log-probability differences are logit differences: a sharper check
                // than probabilities near 1/3 (a smoke model is barely trained).
                let ours = p.ln() - (d.probabilities[0] as f64).ln();
                worst.1 = worst.1.max((ours - (logit(s) - logit(Stance::ALL[0]))).abs());
            }
        }
        eprintln!(
            "MPNet stance model in {precision:?} vs transformers fp32: max abs probability difference {:.2e}, \
             logit-difference {:.2e} (tolerance {tolerance:e})",
            worst.0, worst.1
        );
        assert!(worst.0 <= tolerance && worst.1 <= tolerance * 4.0, "{precision:?}: {worst:?} over {tolerance:e}");
    }
}

#[test]
fn smoke_trained_ner_model_matches_transformers() {
    let Some(dir) = ner_smoke_dir() else { return };
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap()).unwrap();
    assert_eq!(reference["casing"], true, "the smoke model has a casing embedding");
    // The casing rows matter: a casing class gone wrong would move the logits
    // far beyond the tolerance.
    let sensitivity = reference["zero_casing_max_logit_change"].as_f64().unwrap();
    assert!(sensitivity > 100.0 * TOLERANCE, "casing moves the logits by only {sensitivity:e}");
    let cases = reference["cases"].as_array().unwrap();
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    // Batches of 2 in predict: padded rows, as in a pipeline run.
    let config = NerConfig {
        batch_size: 2,
        threads: 2,
        precision: Precision::Fp32,
        device: DeviceChoice::Cpu,
        ..NerConfig::default()
    };
    let model = NerModel::load(&dir.join("model"), config).expect("MPNet NER model loads");

    let mut classes_seen = std::collections::BTreeSet::new();
    for (case, text) in cases.iter().zip(&texts) {
        let (ids, case_ids) = model.inputs(text).unwrap();
        assert_eq!(ids, ints(&case["input_ids"]), "piece ids of {text:?}");
        let case_ids = case_ids.expect("casing classes");
        assert_eq!(case_ids, ints(&case["case_ids"]), "casing classes of {text:?}");
        classes_seen.extend(case_ids);
    }
    assert_eq!(classes_seen.len(), 5, "the texts exercise every casing class");

    // Logits: all texts in one padded batch, against each text alone in Python.
    let mut worst = 0.0f64;
    for ((case, text), logits) in cases.iter().zip(&texts).zip(model.logits(&texts).unwrap()) {
        let expected: Vec<f32> = case["logits"].as_array().unwrap().iter().flat_map(floats).collect();
        let d = max_abs_diff(&logits, &expected);
        assert!(d <= TOLERANCE, "logits of {text:?} differ by {d:e} from transformers");
        worst = worst.max(d);
    }
    eprintln!(
        "MPNet + casing NER model vs transformers (fp32): max abs logit difference {worst:.2e} (tolerance \
         {TOLERANCE:e}; zeroing the casing classes moves them by {sensitivity:.2e})"
    );

    let predicted = model.predict(&texts).unwrap();
    let mut spans = 0;
    for ((case, text), got) in cases.iter().zip(&texts).zip(&predicted) {
        let got: Vec<(u64, u64, &str, &str)> =
            got.iter().map(|s| (s.start as u64, s.end as u64, s.kind.short(), s.text.as_str())).collect();
        let expected: Vec<(u64, u64, &str, &str)> = case["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let field = |k: &str| s[k].as_str().unwrap();
                (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap(), field("kind"), field("text"))
            })
            .collect();
        assert_eq!(got, expected, "spans of {text:?}");
        spans += got.len();
    }
    eprintln!("MPNet + casing NER model: the same {spans} spans as transformers on {} texts", texts.len());
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().expect("an array").iter().map(|x| x.as_i64().expect("an integer")).collect()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number") as f32).collect()
}

fn max_abs_diff(ours: &Tensor, reference: &[f32]) -> f64 {
    let ours = Vec::<f32>::try_from(ours.to_kind(Kind::Float).flatten(0, -1)).expect("a float vector");
    assert_eq!(ours.len(), reference.len());
    ours.iter().zip(reference).map(|(a, b)| (a - b).abs() as f64).fold(0.0, f64::max)
}

/// Compares one text's hidden states (`[width, hidden]`, its first `tokens`
/// rows real) with its fixture row; returns the largest difference.
fn compare_row(hidden: &Tensor, row: &Value, label: &str) -> f64 {
    let tokens = row["tokens"].as_i64().expect("tokens");
    let mut worst = 0.0f64;
    for (p, reference) in ints(&row["positions"]).into_iter().zip(row["hidden"].as_array().expect("hidden")) {
        let d = max_abs_diff(&hidden.get(p), &floats(reference));
        assert!(d <= TOLERANCE, "{label}: token {p} differs by {d:e} from transformers");
        worst = worst.max(d);
    }
    let mean = hidden.narrow(0, 0, tokens).mean_dim(0, false, Kind::Float);
    let d = max_abs_diff(&mean, &floats(&row["mean"]));
    assert!(d <= TOLERANCE, "{label}: the mean over real tokens differs by {d:e} from transformers");
    worst.max(d)
}

#[test]
fn relative_buckets_match_transformers() {
    let f = fixture();
    let from = f["buckets"]["from"].as_i64().unwrap();
    let expected = ints(&f["buckets"]["values"]);
    let distances: Vec<i64> = (from..from + expected.len() as i64).collect();
    let got = relative_position_bucket(&Tensor::from_slice(&distances), RELATIVE_BUCKETS, RELATIVE_MAX_DISTANCE);
    assert_eq!(Vec::<i64>::try_from(got).unwrap(), expected);
}

#[test]
fn token_ids_and_hidden_states_match_transformers() {
    let Some(dir) = base_dir() else { return };
    let f = fixture();
    let model = MpnetBase::load(&dir, Precision::Fp32, 2).expect("MPNet base loads");
    let texts: Vec<&str> = f["texts"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let rows = f["rows"].as_array().unwrap();

    // Token ids: every text, and the text pairs of the stance input layout.
    let ids: Vec<Vec<i64>> = texts.iter().map(|t| model.token_ids(t).unwrap()).collect();
    for (i, expected) in f["ids"].as_array().unwrap().iter().enumerate() {
        assert_eq!(ids[i], ints(expected), "token ids of text {i}: {:?}", texts[i]);
    }
    assert!(ids.iter().any(|r| r.len() > RELATIVE_MAX_DISTANCE as usize + 8), "a text must pass the max distance");
    for pair in f["pairs"].as_array().unwrap() {
        let (text, target) = (pair["text"].as_str().unwrap(), pair["target"].as_str().unwrap());
        let enc = model.checkpoint.tokenizer.encode((text, target), true).unwrap();
        let got: Vec<i64> = enc.get_ids().iter().map(|&i| i as i64).collect();
        assert_eq!(got, ints(&pair["ids"]), "pair ids of {text:?} / {target:?}");
    }

    // Hidden states, in the reference's padded batches.
    let mut worst = 0.0f64;
    for members in f["batches"].as_array().unwrap() {
        let members: Vec<usize> = ints(members).into_iter().map(|i| i as usize).collect();
        let batch: Vec<Vec<i64>> = members.iter().map(|&i| ids[i].clone()).collect();
        let start = Instant::now();
        let (hidden, mask) = model.hidden_states(&batch).unwrap();
        eprintln!(
            "forward of a batch of {} texts padded to {} tokens: {:.0} ms",
            batch.len(),
            mask.size()[1],
            start.elapsed().as_secs_f64() * 1000.0
        );
        for (b, &i) in members.iter().enumerate() {
            worst = worst.max(compare_row(&hidden.get(b as i64), &rows[i], &format!("text {i} in its batch")));
        }
    }
    // Each text alone (no padding) must give the same answer.
    for (i, row) in rows.iter().enumerate() {
        let (hidden, _) = model.hidden_states(&[ids[i].clone()]).unwrap();
        worst = worst.max(compare_row(&hidden.get(0), row, &format!("text {i} alone")));
    }
    eprintln!("MPNet vs transformers: max abs difference {worst:.2e} (tolerance {TOLERANCE:e})");
}

/// The untrained head weights of the fixture's classifier, bit for bit as
/// `pseudo_random` in `scripts/reference/mpnet_reference.py`: entry k (row-major) is
/// scale × (((k × 7919 + salt) mod 2003) / 1001 − 1) in f64, then f32.
fn pseudo_random(shape: &[i64], salt: i64, scale: f64) -> Tensor {
    let n: i64 = shape.iter().product();
    let values: Vec<f32> =
        (0..n).map(|k| ((((k * 7919 + salt) % 2003) as f64 / 1001.0 - 1.0) * scale) as f32).collect();
    Tensor::from_slice(&values).view(shape)
}

/// Writes, in `dir`, the sequence classifier that `scripts/train/train_stance.py`
/// would save for an MPNet stance model: the base's tensors under `mpnet.`
/// (without the pooler, which that model lacks, and `position_ids`, which
/// `export_stance.py` drops), the fixture's head, `id2label` in config.json,
/// the base's tokenizer.
fn write_classifier(base: &std::path::Path, dir: &std::path::Path, spec: &Value) {
    let mut tensors: Vec<(String, Tensor)> = Tensor::read_safetensors(base.join("model.safetensors"))
        .expect("base weights read")
        .into_iter()
        .filter(|(name, _)| !name.starts_with("pooler.") && !name.ends_with("position_ids"))
        .map(|(name, t)| (format!("mpnet.{name}"), t))
        .collect();
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(base.join("config.json")).unwrap()).expect("base config");
    let labels = spec["labels"].as_array().unwrap();
    let (hidden, n_labels) = (config["hidden_size"].as_i64().expect("hidden_size"), labels.len() as i64);
    for (name, h) in spec["head"].as_object().unwrap() {
        let shape: Vec<i64> = match name.as_str() {
            "classifier.dense.weight" => vec![hidden, hidden],
            "classifier.dense.bias" => vec![hidden],
            "classifier.out_proj.weight" => vec![n_labels, hidden],
            "classifier.out_proj.bias" => vec![n_labels],
            other => panic!("unknown head tensor {other}"),
        };
        tensors.push((name.clone(), pseudo_random(&shape, h["salt"].as_i64().unwrap(), h["scale"].as_f64().unwrap())));
    }
    let mut names: Vec<&str> = tensors.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    let expected: Vec<&str> = spec["tensor_names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(names, expected, "tensor names differ from what MPNetForSequenceClassification saves");
    Tensor::write_safetensors(&tensors, dir.join("model.safetensors")).expect("classifier weights written");

    let id2label: serde_json::Map<String, Value> =
        labels.iter().enumerate().map(|(i, l)| (i.to_string(), l.clone())).collect();
    config["id2label"] = Value::Object(id2label);
    config["architectures"] = serde_json::json!(["MPNetForSequenceClassification"]);
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    std::fs::copy(base.join("tokenizer.json"), dir.join("tokenizer.json")).unwrap();
}

#[test]
fn sequence_classifier_logits_match_transformers() {
    let Some(base) = base_dir() else { return };
    let f = fixture();
    let spec = &f["classifier"];
    let dir = tempfile::tempdir().unwrap();
    write_classifier(&base, dir.path(), spec);

    let classifier = MpnetClassifier::load(dir.path(), Precision::Fp32, 2).expect("MPNet classifier loads");
    let labels: Vec<&str> = spec["labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(classifier.labels, labels);
    let expected = spec["logits"].as_array().unwrap();
    let mut worst = 0.0f64;
    for members in f["batches"].as_array().unwrap() {
        let rows: Vec<Vec<i64>> = ints(members).into_iter().map(|i| ints(&f["ids"][i as usize])).collect();
        let logits = classifier.logits(&rows).unwrap();
        for (b, i) in ints(members).into_iter().enumerate() {
            let d = max_abs_diff(&logits.get(b as i64), &floats(&expected[i as usize]));
            assert!(d <= TOLERANCE, "text {i}: logits differ by {d:e} from transformers");
            worst = worst.max(d);
        }
    }
    eprintln!("MPNet classifier vs transformers: max abs logit difference {worst:.2e} (tolerance {TOLERANCE:e})");
}

#[test]
fn bf16_stays_near_transformers_fp32() {
    let Some(dir) = base_dir() else { return };
    let f = fixture();
    let model = MpnetBase::load(&dir, Precision::Bf16, 2).expect("MPNet base loads in bf16");
    let rows = f["rows"].as_array().unwrap();
    let mut worst = 0.0f64;
    for members in f["batches"].as_array().unwrap() {
        let batch: Vec<Vec<i64>> = ints(members).into_iter().map(|i| ints(&f["ids"][i as usize])).collect();
        let (hidden, _) = model.hidden_states(&batch).unwrap();
        for (b, i) in ints(members).into_iter().enumerate() {
            let row = &rows[i as usize];
            for (p, reference) in ints(&row["positions"]).into_iter().zip(row["hidden"].as_array().unwrap()) {
                worst = worst.max(max_abs_diff(&hidden.get(b as i64).get(p), &floats(reference)));
            }
        }
    }
    eprintln!("MPNet in bf16 vs transformers fp32: max abs difference {worst:.2e}");
    // bf16 keeps 8 bits of mantissa; measured 8.6e-3 on values up to 0.57. The
    // bound catches a broken bf16 path (say, the padding mask overflowing).
    assert!(worst <= 0.05, "bf16 hidden states differ by {worst:e} from transformers' fp32");
}
