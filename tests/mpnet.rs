//! The MPNet encoder (`src/mpnet.rs`) against transformers' `MPNetModel`:
//! token ids, relative-position buckets and last hidden states must match the
//! fixture written by `scripts/mpnet_reference.py`
//! (`tests/fixtures/mpnet/reference.json`), hidden states to 1e-4 in fp32.
//!
//! The base weights are not in the repository: the tests that need them read
//! `checkpoints/bases/mpnet-base` (or `$STANCEGRAPH_MPNET_BASE`) and skip with
//! a note when it is absent, unless `$STANCEGRAPH_REQUIRE_MPNET` is set (as
//! `make test-mpnet` does, after fetching the base).

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;
use stancegraph::encoder::Precision;
use stancegraph::mpnet::{relative_position_bucket, MpnetBase, RELATIVE_BUCKETS, RELATIVE_MAX_DISTANCE};
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
    let note = format!(
        "MPNet base not found in {} (set STANCEGRAPH_MPNET_BASE, or fetch it with `scripts/fetch_bases.sh mpnet`)",
        dir.display()
    );
    if std::env::var_os("STANCEGRAPH_REQUIRE_MPNET").is_some() {
        panic!("{note}");
    }
    eprintln!("skipped: {note}");
    None
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
