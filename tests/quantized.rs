//! `src/quantized.rs` against our float MPNet (`src/mpnet.rs`) on the
//! shipped NER model (`models/ner`, MPNet with a casing embedding): with
//! fp32 linear layers the int8 builder's MPNet must give `src/mpnet.rs`'s
//! logits (to 1e-4), and with int8 linear layers the same label on nearly
//! every token of real sentences (padding included in the batch, so masking
//! is exercised). The F1 cost of int8 is measured by `stancegraph eval ner
//! --precision int8` (PERFORMANCE.md), not here.
//!
//! The DistilBERT token classifier of `src/quantized.rs` (for a DistilBERT
//! NER model given with `--models`, such as the one shipped until
//! 2026-12-06) is checked against rust-bert's on a small DistilBERT with
//! random weights.

use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use stancegraph::mpnet::{piece_casing, MpnetConfig, MpnetForTokenClassification};
use stancegraph::quantized::{self, Weights};
use stancegraph::runtime::{batch, Checkpoint, Precision};
use tch::{nn, Device, Kind, Tensor};

const TEXTS: [&str; 4] = [
    "Yoko Kamikawa met Antony Blinken in Tokyo on Tuesday to discuss the ceasefire in Gaza.",
    "The European Union and NATO said Iran must stop.",
    "lol kamala harris is the VP, not the president of the usa",
    "Hamas already asked for a ceasefire.",
];

/// `[rows, width]` piece ids, casing classes and mask of [`TEXTS`], framed
/// `<s> … </s>` and padded as `NerModel` does.
fn inputs(checkpoint: &Checkpoint) -> (Tensor, Tensor, Tensor) {
    let (mut rows, mut cases) = (Vec::new(), Vec::new());
    for text in TEXTS {
        let e = checkpoint.tokenizer.encode_char_offsets(text, false).expect("tokenizes");
        let chars: Vec<char> = text.chars().collect();
        let casing = piece_casing(&chars, e.get_offsets(), e.get_word_ids());
        let mut row = vec![checkpoint.cls_id];
        row.extend(e.get_ids().iter().map(|&i| i as i64));
        row.push(checkpoint.sep_id);
        rows.push(row);
        let mut case = vec![0];
        case.extend(casing);
        case.push(0);
        cases.push(case);
    }
    let (ids, mask, _, _) = batch(&rows, &[], checkpoint.pad_id, Device::Cpu);
    let (case_ids, _, _, _) = batch(&cases, &[], 0, Device::Cpu);
    (ids, case_ids, mask)
}

/// The shipped NER model as `src/mpnet.rs` builds it, its weights loaded in fp32.
fn shipped_ner() -> (Checkpoint, MpnetConfig, nn::VarStore, MpnetForTokenClassification) {
    let dir = stancegraph::models_dir().join("ner");
    let checkpoint = Checkpoint::open(&dir).expect("models/ner opens");
    assert_eq!(checkpoint.model_type(), "mpnet", "{}: the shipped NER model is an MPNet", dir.display());
    let config: MpnetConfig = checkpoint.typed_config().expect("MPNet config");
    let labels = checkpoint.labels().expect("labels").len() as i64;
    let mut vars = nn::VarStore::new(Device::Cpu);
    let model = MpnetForTokenClassification::new(vars.root(), &config, labels);
    checkpoint.load_weights(&mut vars, Precision::Fp32).expect("weights load");
    (checkpoint, config, vars, model)
}

#[test]
fn our_int8_builders_mpnet_matches_the_float_one_and_int8_keeps_the_labels() {
    let (checkpoint, config, vars, reference) = shipped_ner();
    let (ids, cases, mask) = inputs(&checkpoint);
    let expected = tch::no_grad(|| reference.forward_t(&ids, Some(&cases), Some(&mask), false).unwrap());

    let ours = quantized::MpnetForTokenClassification::from_vars(&vars, &config, Weights::Fp32).expect("our MPNet");
    let got = tch::no_grad(|| ours.forward(&ids, Some(&cases), &mask));
    let real = mask.unsqueeze(-1).to_kind(Kind::Bool);
    let diff = (&got - &expected).abs().masked_select(&real).max().double_value(&[]);
    eprintln!("fp32: max logit difference {diff:.2e} from src/mpnet.rs");
    assert!(diff < 1e-4, "fp32 logits differ from src/mpnet.rs's by {diff}");

    // The casing classes reach the int8 builder's model too.
    let uncased = tch::no_grad(|| ours.forward(&ids, Some(&cases.zeros_like()), &mask));
    let moved = (&uncased - &got).abs().masked_select(&real).max().double_value(&[]);
    assert!(moved > 0.1, "zeroing the casing classes moves the logits by only {moved}");

    let int8 = quantized::MpnetForTokenClassification::from_vars(&vars, &config, Weights::Int8).expect("int8 MPNet");
    let got = tch::no_grad(|| int8.forward(&ids, Some(&cases), &mask));
    let same = got.argmax(-1, false).eq_tensor(&expected.argmax(-1, false)).masked_select(&mask.to_kind(Kind::Bool));
    let agree = same.to_kind(Kind::Float).mean(Kind::Float).double_value(&[]);
    let diff = (&got - &expected).abs().masked_select(&real).max().double_value(&[]);
    eprintln!(
        "int8: {:.1} % of {} tokens keep their label, max logit difference {diff:.3}",
        agree * 100.0,
        same.size()[0]
    );
    assert!(agree >= 0.98, "int8 keeps the label of only {:.1} % of tokens", agree * 100.0);
}

/// With int8 (and, where the CPU has native bf16, the bf16 layers kept among
/// them) a window's logits must not depend on the windows batched with it:
/// each sentence alone gives what it gives inside the padded batch of all
/// four. This is what lets `--precision auto` pick int8 while a nightly run
/// still matches a rebuild. With the activation range taken over the whole
/// batch (what fbgemm does per call) logits moved by up to 0.77 on the
/// DistilBERT model shipped before. With per-window ranges but the
/// attention run over the padded batch, its fp32 sums rounded differently
/// for another padded width and int8 turned that into whole quantization
/// steps: 0.19 on the shipped MPNet model. With the attention per window
/// too, the difference is 0.
#[test]
fn an_int8_window_does_not_depend_on_its_batch() {
    let (checkpoint, config, vars, _) = shipped_ner();
    let int8 = quantized::MpnetForTokenClassification::from_vars(&vars, &config, Weights::Int8).expect("int8 MPNet");
    let (ids, cases, mask) = inputs(&checkpoint);
    let together = tch::no_grad(|| int8.forward(&ids, Some(&cases), &mask));
    let mut worst = 0f64;
    for row in 0..TEXTS.len() as i64 {
        let n = mask.get(row).sum(Kind::Int64).int64_value(&[]);
        let alone_ids = ids.get(row).narrow(0, 0, n).unsqueeze(0);
        let alone_cases = cases.get(row).narrow(0, 0, n).unsqueeze(0);
        let alone = tch::no_grad(|| int8.forward(&alone_ids, Some(&alone_cases), &alone_ids.ones_like()));
        let in_batch = together.get(row).narrow(0, 0, n);
        let diff = (alone.get(0) - in_batch).abs().max().double_value(&[]);
        worst = worst.max(diff);
    }
    eprintln!("int8: largest logit difference between a window alone and in its batch: {worst:.2e}");
    assert!(worst < 1e-4, "a window's int8 logits depend on its batch: {worst}");
}

/// A small DistilBERT token classifier (2 layers, 64 wide) with rust-bert's
/// random initialisation: our fp32 copy must give rust-bert's logits, and
/// int8 must stay close to them, padding in the batch (5.4 % of the largest
/// logit measured: random weights quantize worse than trained ones).
#[test]
fn our_distilbert_matches_rust_bert_on_random_weights() {
    let config: DistilBertConfig = serde_json::from_value(serde_json::json!({
        "activation": "gelu", "attention_dropout": 0.0, "dim": 64, "dropout": 0.0, "hidden_dim": 256,
        "id2label": {"0": "O", "1": "B-PER", "2": "I-PER"}, "initializer_range": 0.02, "max_position_embeddings": 64,
        "n_heads": 4, "n_layers": 2, "qa_dropout": 0.0, "seq_classif_dropout": 0.0, "sinusoidal_pos_embds": false,
        "tie_weights_": false, "vocab_size": 100
    }))
    .expect("a DistilBERT config");
    tch::manual_seed(11);
    let vars = nn::VarStore::new(Device::Cpu);
    let reference = DistilBertForTokenClassification::new(vars.root(), &config).expect("rust-bert model");
    let rows: Vec<Vec<i64>> = vec![(1..20).collect(), (30..37).collect(), (50..62).collect()];
    let (ids, mask, _, _) = batch(&rows, &[], 0, Device::Cpu);
    let expected = tch::no_grad(|| reference.forward_t(Some(&ids), Some(&mask), None, false).unwrap().logits);
    let real = mask.unsqueeze(-1).to_kind(Kind::Bool);

    let ours = quantized::DistilBertForTokenClassification::from_vars(&vars, 2, 4, Weights::Fp32).expect("ours");
    let got = tch::no_grad(|| ours.forward(&ids, &mask));
    let diff = (&got - &expected).abs().masked_select(&real).max().double_value(&[]);
    assert!(diff < 1e-5, "fp32 logits differ from rust-bert's by {diff}");

    let int8 = quantized::DistilBertForTokenClassification::from_vars(&vars, 2, 4, Weights::Int8).expect("int8");
    let got = tch::no_grad(|| int8.forward(&ids, &mask));
    let diff = (&got - &expected).abs().masked_select(&real).max().double_value(&[]);
    let size = expected.abs().masked_select(&real).max().double_value(&[]);
    eprintln!("random DistilBERT: int8 logits within {diff:.2e} of fp32 (logits up to {size:.2e})");
    assert!(diff < 0.1 * size, "int8 logits differ by {diff} against logits of size {size}");
}
