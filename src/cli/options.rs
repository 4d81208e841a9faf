//! The arguments several commands share, turned into the library's
//! options: the pipeline's [`RunOptions`] of `run` and `merge` (filled here
//! once), the graph options, the export range, the model configurations.

use std::path::PathBuf;

use stancegraph::graph::GraphOptions;
use stancegraph::ner::{NerConfig, NerModel};
use stancegraph::pipeline::{ExportRange, RunOptions};
use stancegraph::stance::{StanceConfig, StanceModelChoice};

use super::args::{GraphArgs, ModelArgs, NerModelArgs, PipelineArgs, Runtime, StanceChoice, WindowArgs, Windows};

impl PipelineArgs {
    /// The options of a run into `out` and `store` with the defaults of
    /// everything only `run` sets (inputs, shard, text limits, chunk sizes);
    /// `run` and `merge` set their own fields on top.
    pub(crate) fn options(self, out: PathBuf, store: Option<PathBuf>) -> RunOptions {
        let models_dir = self.models.models_dir();
        let graph = self.graph.options(self.models.threshold_model());
        RunOptions {
            inputs: Vec::new(),
            out,
            store,
            shard: None,
            merge_from: Vec::new(),
            threads: self.runtime.threads(),
            batch_size: self.runtime.batch_size,
            models_dir,
            quiet: self.publish.quiet,
            precision: self.runtime.precision,
            device: self.runtime.device,
            stance_baseline: self.models.stance_model == StanceChoice::Baseline,
            stance_model: self.models.stance_model.model(),
            reprocess: false,
            max_text_chars: RunOptions::DEFAULT_MAX_TEXT_CHARS,
            min_free_mb: self.publish.min_free_mb,
            chunk_chars: RunOptions::DEFAULT_CHUNK_CHARS,
            chunk_pairs: RunOptions::DEFAULT_CHUNK_PAIRS,
            graph,
            accept_shrink: self.publish.accept_shrink,
            range: self.window.range(),
            relink: self.linking.relink,
            relink_after: self.linking.relink_after,
        }
    }
}

impl ModelArgs {
    /// `--models`, or the shipped models.
    pub(crate) fn models_dir(&self) -> PathBuf {
        self.models.clone().unwrap_or_else(stancegraph::models_dir)
    }

    /// The stance model whose recorded threshold is `--min-confidence`'s
    /// default: none for the baseline (which records none: 0).
    pub(crate) fn threshold_model(&self) -> Option<PathBuf> {
        match &self.stance_model {
            StanceChoice::Baseline => None,
            StanceChoice::Model(model) => model.dir(&self.models_dir()).ok(),
        }
    }
}

impl StanceChoice {
    /// The stance model; the baseline keeps the default model's name, as
    /// the pipeline still reads which conversation parts it would carry.
    pub(crate) fn model(&self) -> StanceModelChoice {
        match self {
            StanceChoice::Baseline => StanceModelChoice::Comments,
            StanceChoice::Model(model) => model.clone(),
        }
    }
}

impl NerModelArgs {
    /// The NER model: `--ner-model`, else `--models`'s ner/, else the shipped one.
    pub(crate) fn load(self, config: NerConfig) -> anyhow::Result<NerModel> {
        let dir = match (self.ner_model, self.models) {
            (Some(dir), _) => dir,
            (None, Some(models)) => models.join("ner"),
            (None, None) => stancegraph::ner::default_model_dir(),
        };
        Ok(NerModel::load(&dir, config)?)
    }
}

impl Runtime {
    pub(crate) fn ner_config(&self, windows: Windows) -> NerConfig {
        NerConfig {
            batch_size: self.batch_size,
            threads: self.threads(),
            precision: self.precision,
            device: self.device,
            window: windows.window,
            overlap: windows.overlap,
        }
    }

    pub(crate) fn stance_config(&self) -> StanceConfig {
        StanceConfig {
            batch_size: self.batch_size,
            threads: self.threads(),
            precision: self.precision,
            device: self.device,
        }
    }

    /// `--threads`, else every core.
    pub(crate) fn threads(&self) -> usize {
        self.threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
    }
}

impl GraphArgs {
    /// The options, `--min-confidence` defaulting to the threshold recorded
    /// with the stance model in `model` (0 without one).
    pub(crate) fn options(&self, model: Option<PathBuf>) -> GraphOptions {
        let recorded = || model.as_deref().and_then(stancegraph::stance::recorded_min_confidence).unwrap_or(0.0);
        GraphOptions {
            types: self.types.0.clone(),
            min_mentions: self.min_mentions,
            min_confidence: self.min_confidence.unwrap_or_else(recorded),
            max_entities: self.max_entities,
            all_nodes: self.all_nodes,
            min_shared_entities: self.min_shared_entities,
        }
    }
}

impl WindowArgs {
    pub(crate) fn range(&self) -> ExportRange {
        if self.all {
            ExportRange::All
        } else {
            ExportRange::Window { days: self.window_days, min_documents: self.window_min_documents }
        }
    }
}
