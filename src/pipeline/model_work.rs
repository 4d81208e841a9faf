//! What the model steps (NER and stance) share: the two models, each loaded
//! on first use, and [`ModelWork`], a run's model work in progress (the
//! models, the model versions the store records, and the counts of what was
//! done).

use std::collections::HashSet;

use anyhow::Result;

use super::{Log, RunOptions};
use crate::export::summary::WorkDone;
use crate::ner::{NerConfig, NerModel};
use crate::runtime::Padding;
use crate::stance::{StanceClassifier, StanceConfig};
use crate::store::Work;

/// Models, loaded on first use.
pub(super) struct Models<'a> {
    pub(super) options: &'a RunOptions,
    pub(super) ner: Option<NerModel>,
    pub(super) stance: Option<StanceClassifier>,
}

impl Models<'_> {
    pub(super) fn ner(&mut self) -> Result<&NerModel> {
        if self.ner.is_none() {
            let config = NerConfig {
                batch_size: self.options.batch_size,
                threads: self.options.threads,
                precision: self.options.precision,
                device: self.options.device,
                ..NerConfig::default()
            };
            self.ner = Some(NerModel::load(&self.options.models_dir.join("ner"), config)?);
        }
        Ok(self.ner.as_ref().expect("loaded"))
    }

    pub(super) fn stance(&mut self) -> Result<&StanceClassifier> {
        if self.stance.is_none() {
            let o = self.options;
            let config =
                StanceConfig { batch_size: o.batch_size, threads: o.threads, precision: o.precision, device: o.device };
            self.stance = Some(StanceClassifier::load(o.stance_baseline, &o.stance_dir()?, config)?);
        }
        Ok(self.stance.as_ref().expect("loaded"))
    }
}

/// The model work of a run: the models (loaded on first use), the model
/// versions the store records, and what was done.
pub(super) struct ModelWork<'a> {
    pub(super) models: Models<'a>,
    pub(super) options: &'a RunOptions,
    pub(super) work: Work,
    pub(super) run_id: i64,
    pub(super) ner_model: &'a str,
    pub(super) stance_model: &'a str,
    pub(super) log: &'a Log,
    pub(super) done: &'a mut WorkDone,
    /// (document, comment) pairs the stance model was asked about.
    pub(super) comments_asked: HashSet<(String, usize)>,
    /// NER padding, kept when the NER model is dropped after its stage.
    pub(super) ner_padding: Padding,
}
