//! `src/quantized.rs` against rust-bert on the shipped NER model
//! (`models/ner`, DistilBERT): with fp32 linear layers our DistilBERT must
//! give rust-bert's logits (to 1e-4), and with int8 linear layers the same
//! label on nearly every token of real sentences (padding included in the
//! batch, so masking is exercised). The F1 cost of int8 is measured by
//! `stancegraph eval ner --precision int8` (PERFORMANCE.md), not here.

use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use stancegraph::encoder::{batch, Checkpoint, Precision};
use stancegraph::quantized::{self, Weights};
use tch::{nn, Device, Kind, Tensor};

const TEXTS: [&str; 4] = [
    "Yoko Kamikawa met Antony Blinken in Tokyo on Tuesday to discuss the ceasefire in Gaza.",
    "The European Union and NATO said Iran must stop.",
    "lol kamala harris is the VP, not the president of the usa",
    "Hamas already asked for a ceasefire.",
];

fn ids_and_mask(checkpoint: &Checkpoint) -> (Tensor, Tensor) {
    let rows: Vec<Vec<i64>> = TEXTS
        .iter()
        .map(|t| {
            let e = checkpoint.tokenizer.encode(*t, false).expect("tokenizes");
            let mut row = vec![checkpoint.cls_id];
            row.extend(e.get_ids().iter().map(|&i| i as i64));
            row.push(checkpoint.sep_id);
            row
        })
        .collect();
    let (ids, mask, _, _) = batch(&rows, &[], checkpoint.pad_id, Device::Cpu);
    (ids, mask)
}

/// The shipped NER model as rust-bert builds it, its weights loaded in fp32.
fn shipped_ner() -> (Checkpoint, DistilBertConfig, nn::VarStore, DistilBertForTokenClassification) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ner");
    let checkpoint = Checkpoint::open(&dir).expect("models/ner opens");
    let config: DistilBertConfig = checkpoint.typed_config().expect("DistilBERT config");
    let mut vars = nn::VarStore::new(Device::Cpu);
    let model = DistilBertForTokenClassification::new(vars.root(), &config).expect("rust-bert model");
    checkpoint.load_weights(&mut vars, Precision::Fp32).expect("weights load");
    (checkpoint, config, vars, model)
}

#[test]
fn our_distilbert_matches_rust_bert_and_int8_keeps_the_labels() {
    let (checkpoint, config, vars, reference) = shipped_ner();
    let (ids, mask) = ids_and_mask(&checkpoint);
    let expected = tch::no_grad(|| reference.forward_t(Some(&ids), Some(&mask), None, false).unwrap().logits);

    let ours =
        quantized::DistilBertForTokenClassification::from_vars(&vars, config.n_layers, config.n_heads, Weights::Fp32)
            .expect("our DistilBERT");
    let got = tch::no_grad(|| ours.forward(&ids, &mask));
    let real = mask.unsqueeze(-1).to_kind(Kind::Bool);
    let diff = (&got - &expected).abs().masked_select(&real).max().double_value(&[]);
    assert!(diff < 1e-4, "fp32 logits differ from rust-bert's by {diff}");

    let int8 =
        quantized::DistilBertForTokenClassification::from_vars(&vars, config.n_layers, config.n_heads, Weights::Int8)
            .expect("int8 DistilBERT");
    let got = tch::no_grad(|| int8.forward(&ids, &mask));
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
/// batch (what fbgemm does per call) logits moved by up to 0.77 here; per
/// window the difference is 2e-6 (fp32 rounding in the attention).
#[test]
fn an_int8_window_does_not_depend_on_its_batch() {
    let (checkpoint, config, vars, _) = shipped_ner();
    let int8 =
        quantized::DistilBertForTokenClassification::from_vars(&vars, config.n_layers, config.n_heads, Weights::Int8)
            .expect("int8 DistilBERT");
    let (ids, mask) = ids_and_mask(&checkpoint);
    let together = tch::no_grad(|| int8.forward(&ids, &mask));
    let mut worst = 0f64;
    for row in 0..TEXTS.len() as i64 {
        let n = mask.get(row).sum(Kind::Int64).int64_value(&[]);
        let alone_ids = ids.get(row).narrow(0, 0, n).unsqueeze(0);
        let alone = tch::no_grad(|| int8.forward(&alone_ids, &alone_ids.ones_like()));
        let in_batch = together.get(row).narrow(0, 0, n);
        let diff = (alone.get(0) - in_batch).abs().max().double_value(&[]);
        worst = worst.max(diff);
    }
    eprintln!("int8: largest logit difference between a window alone and in its batch: {worst:.2e}");
    assert!(worst < 1e-4, "a window's int8 logits depend on its batch: {worst}");
}
