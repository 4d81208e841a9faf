//! The target-aware transformer stance classifier: loading a model folder
//! (BERT, DistilBERT or MPNet by config.json's `model_type`, with its labels
//! and temperature) and answering queries in batches of one padded width
//! each, a query's width set by its own length ([`width_batches`]).

use std::path::Path;

use rust_bert::bert::{BertConfig, BertForSequenceClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertModelClassifier};
use tch::{nn, Kind};

use super::input::{InputEncoder, InputSpec, PairLayout};
use super::questions::StanceQuery;
use super::{Stance, StanceDecision};
use crate::mpnet::{MpnetConfig, MpnetForSequenceClassification, POSITION_PADDING_ID};
use crate::runtime::{batch_to, var_store, Checkpoint, DeviceChoice, ModelError, PaddingCounter, Precision};

enum Classifier {
    DistilBert(DistilBertModelClassifier),
    Bert(BertForSequenceClassification),
    Mpnet(MpnetForSequenceClassification),
}

/// Tuning of a stance run.
#[derive(Debug, Clone)]
pub struct StanceConfig {
    pub batch_size: usize,
    pub threads: usize,
    pub precision: Precision,
    /// Where the transformer runs.
    pub device: DeviceChoice,
}

impl Default for StanceConfig {
    fn default() -> Self {
        StanceConfig { batch_size: 32, threads: 0, precision: Precision::auto(), device: DeviceChoice::default() }
    }
}

/// The target-aware transformer stance classifier.
pub struct StanceModel {
    input: InputEncoder,
    classifier: Classifier,
    labels: Vec<Stance>,
    uses_token_types: bool,
    pad_id: i64,
    batch_size: usize,
    pub(super) padding: PaddingCounter,
    vars: nn::VarStore,
    /// The logits are divided by this before the softmax (config.json
    /// `stancegraph.temperature`, fitted on dev data; 1 when absent).
    temperature: f64,
}

impl StanceModel {
    /// What `summary.json` calls the method; `stance_model` beside it names the model and its version.
    pub const NAME: &'static str = "target-aware transformer";

    /// Loads a model directory written by `scripts/export/export_stance.py`.
    pub fn load(dir: &Path, config: StanceConfig) -> Result<StanceModel, ModelError> {
        let checkpoint = Checkpoint::open(dir)?;
        let spec = InputSpec::from_config(&checkpoint)?;
        let labels = checkpoint
            .labels()?
            .iter()
            .map(|l| match l.as_str() {
                "against" => Ok(Stance::Against),
                "neutral" => Ok(Stance::Neutral),
                "favour" | "favor" => Ok(Stance::Favour),
                other => Err(checkpoint.bad_config(format!("unknown stance label {other:?}"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut vars = var_store(config.threads, config.device.resolve()?);
        let classifier = match checkpoint.model_type() {
            "distilbert" => {
                let c: DistilBertConfig = checkpoint.typed_config()?;
                Classifier::DistilBert(
                    DistilBertModelClassifier::new(vars.root(), &c).map_err(|e| checkpoint.bad_config(e))?,
                )
            }
            "bert" => {
                let c: BertConfig = checkpoint.typed_config()?;
                Classifier::Bert(
                    BertForSequenceClassification::new(vars.root(), &c).map_err(|e| checkpoint.bad_config(e))?,
                )
            }
            "mpnet" => {
                let c: MpnetConfig = checkpoint.typed_config()?;
                if let Some(problem) = c.unsupported() {
                    return Err(checkpoint.bad_config(problem));
                }
                let positions = (c.max_position_embeddings - POSITION_PADDING_ID - 1).max(0) as usize;
                if spec.longest_input() > positions {
                    return Err(checkpoint.bad_config(format!(
                        "the longest input ({} pieces) exceeds the model's {positions} positions",
                        spec.longest_input()
                    )));
                }
                Classifier::Mpnet(MpnetForSequenceClassification::new(vars.root(), &c, labels.len() as i64))
            }
            other => return Err(checkpoint.bad_config(format!("unsupported model_type {other:?}"))),
        };
        let precision = config.precision.float(vars.device());
        checkpoint.load_weights(&mut vars, precision)?;
        let uses_token_types = checkpoint
            .config
            .get("stancegraph")
            .and_then(|m| m.get("token_type_ids"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let layout = PairLayout::of(checkpoint.model_type());
        let temperature = checkpoint
            .config
            .get("stancegraph")
            .and_then(|m| m.get("temperature"))
            .and_then(|v| v.as_f64())
            .unwrap_or(1.0);
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(checkpoint.bad_config(format!("stancegraph.temperature {temperature} is not positive")));
        }
        let Checkpoint { tokenizer, cls_id, sep_id, pad_id, ref dir, .. } = checkpoint;
        let tok_path = dir.join("tokenizer.json");
        Ok(StanceModel {
            input: InputEncoder::new(tokenizer, layout, spec, cls_id, sep_id)
                .map_err(|e| ModelError::Corrupt(tok_path, e))?,
            classifier,
            labels,
            uses_token_types,
            pad_id,
            batch_size: config.batch_size.max(1),
            padding: PaddingCounter::default(),
            vars,
            temperature,
        })
    }
}

impl StanceModel {
    /// The input encoder (token ids of a query, as the model reads them).
    pub fn input(&self) -> &InputEncoder {
        &self.input
    }

    /// Whether the model reads the conversation around a comment.
    pub fn reads_conversation(&self) -> bool {
        self.input.spec.context.is_some()
    }
}

impl StanceModel {
    /// Decides every query, in batches of one padded width ([`width_batches`]).
    pub fn predict(&self, queries: &[StanceQuery]) -> Result<Vec<StanceDecision>, ModelError> {
        use rayon::prelude::*;
        let encoded: Vec<(Vec<i64>, Vec<i64>)> = {
            let input = &self.input;
            queries.par_iter().map(|q| input.encode(q)).collect::<Result<_, _>>()?
        };
        let lengths: Vec<usize> = encoded.iter().map(|e| e.0.len()).collect();
        let mut out =
            vec![StanceDecision { stance: Stance::Neutral, confidence: 0.0, probabilities: [0.0; 3] }; queries.len()];
        for (width, chunk) in width_batches(&lengths, self.batch_size) {
            let rows: Vec<Vec<i64>> = chunk.iter().map(|&i| encoded[i].0.clone()).collect();
            let types: Vec<Vec<i64>> =
                if self.uses_token_types { chunk.iter().map(|&i| encoded[i].1.clone()).collect() } else { Vec::new() };
            let (ids, mask, tt, width) = batch_to(&rows, &types, self.pad_id, width, self.vars.device());
            self.padding.add(&rows, width);
            let logits = tch::no_grad(|| match &self.classifier {
                Classifier::DistilBert(m) => m.forward_t(Some(&ids), Some(&mask), None, false).map(|o| o.logits),
                Classifier::Bert(m) => {
                    let tt = self.uses_token_types.then_some(&tt);
                    Ok(m.forward_t(Some(&ids), Some(&mask), tt, None, None, false).logits)
                }
                Classifier::Mpnet(m) => Ok(m.forward_t(&ids, Some(&mask), false)),
            })
            .map_err(|e| ModelError::Forward(e.to_string()))?;
            let probs =
                (logits.to_kind(Kind::Float) / self.temperature).softmax(-1, Kind::Float).to_device(tch::Device::Cpu);
            let width = self.labels.len();
            let probs = Vec::<f32>::try_from(probs.flatten(0, -1)).map_err(|e| ModelError::Forward(e.to_string()))?;
            for (k, &i) in chunk.iter().enumerate() {
                let mut probabilities = [0.0f32; 3];
                for (j, label) in self.labels.iter().enumerate() {
                    probabilities[label.index()] = probs[k * width + j];
                }
                let best = (0..3).max_by(|a, b| probabilities[*a].total_cmp(&probabilities[*b])).unwrap_or(1);
                out[i] = StanceDecision { stance: Stance::ALL[best], confidence: probabilities[best], probabilities };
            }
        }
        Ok(out)
    }
}

/// A query's input is padded to its length rounded up to a multiple of this.
const WIDTH_STEP: usize = 8;

/// The batches of queries of these input lengths (in pieces): `(padded
/// width, query indices)`, widest first, at most `batch_size` queries each.
/// A query is padded to a width set by its own length alone (rounded up to
/// [`WIDTH_STEP`]) and shares a batch only with queries of that width, so
/// its answer does not depend on which other questions a run asks: a night,
/// a shard and a merge give each question the same numbers. (In bf16 a
/// row's output depends on the width it is padded to, not on the other rows
/// of its batch: PERFORMANCE.md section 21.) The cost is at most 7 padding
/// positions per query and one part-filled batch per width.
fn width_batches(lengths: &[usize], batch_size: usize) -> Vec<(usize, Vec<usize>)> {
    let width = |i: usize| lengths[i].div_ceil(WIDTH_STEP).max(1) * WIDTH_STEP;
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(width(i)), i));
    let mut batches = Vec::new();
    for same in order.chunk_by(|&a, &b| width(a) == width(b)) {
        batches.extend(same.chunks(batch_size.max(1)).map(|chunk| (width(chunk[0]), chunk.to_vec())));
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_querys_width_is_set_by_its_own_length() {
        let lengths = [3, 17, 9, 16, 8, 1, 30];
        let batches = width_batches(&lengths, 2);
        let widths: Vec<usize> = batches.iter().map(|b| b.0).collect();
        assert_eq!(widths, [32, 24, 16, 8, 8]);
        let members: Vec<Vec<usize>> = batches.iter().map(|b| b.1.clone()).collect();
        assert_eq!(members, [vec![6], vec![1], vec![2, 3], vec![0, 4], vec![5]]);
        // Alone or among others, each query gets the same width.
        let width_of = |batches: &[(usize, Vec<usize>)], i: usize| batches.iter().find(|b| b.1.contains(&i)).unwrap().0;
        for (i, &n) in lengths.iter().enumerate() {
            assert_eq!(width_of(&batches, i), width_of(&width_batches(&[n], 32), 0), "query {i}");
            assert!(width_of(&batches, i) >= n);
        }
    }
}
