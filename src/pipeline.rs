//! The run: wires corpus → store → ner → link → stance → graph → outputs,
//! so that each run does only what is new and exports the rolling window.
//! It times each stage, logs (timestamped lines), and assembles
//! `summary.json`. It owns no algorithm and no SQL of its own: every
//! decision is made in the stage modules, every record kept by `store`.
//!
//! # A run, step by step
//!
//! 1. **Pre-flight**, before any model work: take the store's lock (a second
//!    run is refused at once), check that `--out` is writable with free
//!    space, open the store and check its integrity, remove what a killed run
//!    left behind.
//! 2. **Ingest** the inputs file by file into the store. A document id seen
//!    before with the same content hash costs nothing; another hash is an
//!    update (a grown thread, an edited article). A text longer than
//!    `--max-text-chars` is cut at a sentence end, with a warning.
//! 3. **NER** over the texts that have no stored output, in chunks of about
//!    [`RunOptions::chunk_chars`] characters, each committed as it finishes;
//!    inside a chunk each finished batch is kept at once, so a kill loses at
//!    most one batch (`docs/nightly.md`). A run after one that was killed or
//!    failed says which run it resumes and what that run left.
//! 4. **Link** the night's new and changed documents against the linker
//!    state the last linking kept, or the whole store afresh (documents in id
//!    order) with `--relink`, without a kept state, or when the documents
//!    linked incrementally since the last full relink reach `--relink-after`
//!    percent of the store (`linking`); then map the entities onto the ids
//!    issued before (ids never change).
//! 5. **Stance** for the (comment, entity) questions never answered before,
//!    in chunks committed as they finish; the linking result swaps in with
//!    one transaction.
//! 6. **Export** one set (see `outputs`) of the documents of
//!    [`ExportRange`]: by default the rolling window (the newest 30 days of
//!    document days, at least 1,000 documents; `docs/nightly.md`), or the
//!    whole archive (`--all`), or a date range (`export --from/--to`). The
//!    graph and the two pair graphs are built once from one snapshot
//!    (`ExportSet`), for `run` and `export` alike.
//!
//! The models load only when there is work for them. When nothing changed
//! since the last committed linking, steps 3–5 are skipped.
//!
//! This module only sequences the steps; each is a submodule: `preflight`,
//! `ingest`, `ner_step`, `linking`, `stance_step` and `export_step`, with
//! `model_work` holding what the two model steps share and `log` the log.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;

use crate::export::summary::{PaddingCounts, SkippedInput, Summary, WorkDone};
use crate::graph;
use crate::runtime::{self, DeviceChoice, Padding, Precision};
use crate::stance::StanceModelChoice;
use crate::store::{self, Store, StoreLock, Work};

mod export_step;
mod ingest;
mod linking;
mod log;
mod model_work;
mod ner_step;
mod preflight;
mod stance_step;

pub use export_step::export_only;
pub use log::Log;
pub(crate) use ner_step::stored_spans;

use ingest::{ingest, merge_shards};
use model_work::{ModelWork, Models};
use preflight::begin;

/// What `stancegraph run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// The corpus store; default `<out>/stancegraph.db`.
    pub store: Option<PathBuf>,
    pub threads: usize,
    pub batch_size: usize,
    pub models_dir: PathBuf,
    /// Print nothing on success: only warnings and errors.
    pub quiet: bool,
    pub precision: Precision,
    /// Where the transformers run.
    pub device: DeviceChoice,
    /// Use the lexicon baseline instead of the stance model.
    pub stance_baseline: bool,
    /// Which stance model (`fast`, `accurate`: inside `models_dir`).
    pub stance_model: StanceModelChoice,
    /// Redo stored model output made by other models than the current ones.
    pub reprocess: bool,
    /// Longer texts are cut at a sentence end (characters).
    pub max_text_chars: usize,
    /// The output folder must have this much free space (MiB) before a run.
    pub min_free_mb: u64,
    /// Characters of text per NER chunk (committed as it finishes).
    pub chunk_chars: usize,
    /// Stance questions per chunk (committed as it finishes).
    pub chunk_pairs: usize,
    /// What the exported graph holds (the records keep everything).
    pub graph: graph::GraphOptions,
    /// Map step of a Slurm job array: only this shard's documents, into a
    /// store of their own (replaced whole), no exports.
    pub shard: Option<Shard>,
    /// Reduce step: the documents and model output of these shard stores
    /// instead of input files.
    pub merge_from: Vec<PathBuf>,
    /// Publish a corpus smaller than the last set's (see `outputs::check_shrink`).
    pub accept_shrink: bool,
    /// Which documents the export set holds (default: the rolling window).
    pub range: ExportRange,
    /// Relink the whole store afresh instead of only the night's documents.
    pub relink: bool,
    /// Relink in full when the documents linked incrementally since the last
    /// full relink reach this percentage of the store (0: every night).
    pub relink_after: u32,
}

/// Which documents an export set holds (`docs/nightly.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportRange {
    /// The rolling window, the default of `run`, `merge` and `export`: the
    /// newest `days` days of document days ([`Store::window`]), reaching back
    /// to hold at least `min_documents` documents.
    Window { days: u32, min_documents: usize },
    /// The whole archive (`--all`).
    All,
    /// Documents dated within `from..=to` (`--from`/`--to`; undated ones are left out).
    Dated { from: Option<String>, to: Option<String> },
}

impl Default for ExportRange {
    fn default() -> Self {
        ExportRange::Window { days: Self::DEFAULT_DAYS, min_documents: Self::DEFAULT_MIN_DOCUMENTS }
    }
}

impl ExportRange {
    pub const DEFAULT_DAYS: u32 = 30;
    pub const DEFAULT_MIN_DOCUMENTS: usize = 1000;
}

/// Shard `k` of `n` (0-based): the documents whose id hashes to `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    /// Parses `K/N` with `0 <= K < N`.
    pub fn parse(s: &str) -> Option<Shard> {
        let (k, n) = s.split_once('/')?;
        let (k, n) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
        (n > 0 && k < n).then_some(Shard { k, n })
    }

    /// Whether this shard owns the document `id`.
    pub fn owns(&self, id: &str) -> bool {
        crate::hashes::shard_of(id, self.n) == self.k
    }
}

impl RunOptions {
    pub const DEFAULT_MAX_TEXT_CHARS: usize = 100_000;
    pub const DEFAULT_MIN_FREE_MB: u64 = 64;
    pub const DEFAULT_CHUNK_CHARS: usize = 200_000;
    pub const DEFAULT_CHUNK_PAIRS: usize = 512;
    pub const DEFAULT_RELINK_AFTER: u32 = 10;

    /// The store's path.
    pub(crate) fn store_path(&self) -> PathBuf {
        self.store.clone().unwrap_or_else(|| self.out.join(store::DEFAULT_FILE))
    }

    /// The stance model's directory (fails when `accurate` is not shipped).
    pub(crate) fn stance_dir(&self) -> Result<PathBuf, crate::runtime::ModelError> {
        self.stance_model.dir(&self.models_dir)
    }
}

/// What a run did, for the exit code.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub run_id: i64,
    /// Input files or lines left out.
    pub skipped: usize,
    /// Whether anything was new (documents, or model work).
    pub anything_new: bool,
    /// The export set's folder.
    pub export_dir: PathBuf,
}

/// Documents per page when the store is walked (link and stance passes).
const PAGE_DOCS: usize = 64;

/// Runs the whole pipeline over `options.inputs` into the store and the
/// output folder: [`preflight::begin`], then the steps of [`Run::steps`], then
/// [`Run::finish`] records how it ended.
pub fn run(options: &RunOptions) -> Result<RunReport> {
    let log = Log::new(options.quiet);
    // `--threads` bounds every pool: Rayon, libtorch intra-op, inter-op 1.
    // A second call (e.g. in tests) finds the pools built; that is fine.
    runtime::configure_threads(options.threads);
    let mut run = begin(options, &log)?;
    let mut done = WorkDone::default();
    let result = run.steps(&mut done);
    run.finish(result, &done)
}

/// A run that has passed its pre-flight: the store open and locked, the run
/// recorded, the models checked.
struct Run<'a> {
    options: &'a RunOptions,
    log: &'a Log,
    started: Instant,
    store: Store,
    store_path: PathBuf,
    run_id: i64,
    /// The input paths (or the shard stores of a merge), as recorded.
    inputs: Vec<String>,
    device: String,
    ner_dir: PathBuf,
    ner_model: String,
    stance_model: String,
    seconds: BTreeMap<&'static str, f64>,
    /// The run before, when it was killed or failed: what it left.
    interrupted: Option<store::InterruptedRun>,
    /// A merge's shard stores, locked while it reads them ([`merge_shards`]).
    shard_locks: Vec<StoreLock>,
    /// Held until the run ends (the store's released first).
    _store_lock: StoreLock,
    _out_lock: Option<StoreLock>,
}

/// What the model steps left for the summary.
struct ModelSteps {
    ner_seconds: f64,
    surface_forms: Option<usize>,
    padding: PaddingCounts,
}

impl Run<'_> {
    /// Steps 2 to 6: ingest, NER, link and stance, export (a shard stops
    /// before the export).
    fn steps(&mut self, done: &mut WorkDone) -> Result<RunReport> {
        let t = Instant::now();
        let (skipped, duplicates) = if self.options.merge_from.is_empty() {
            ingest(self.options, &mut self.store, self.run_id, self.log, done)?
        } else {
            let merged = merge_shards(&self.options.merge_from, &mut self.store, self.run_id, self.log, done)?;
            // Read: a shard may be rerun while the merge links and exports.
            self.shard_locks.clear();
            (merged, Vec::new())
        };
        self.seconds.insert("ingest", t.elapsed().as_secs_f64());
        let model = self.model_steps(done)?;
        self.log.finish();
        if let Some(shard) = self.options.shard {
            self.log.info(&format!(
                "shard {}/{}: {} documents ({} new), NER {} texts, stance {} pairs; store {}",
                shard.k,
                shard.n,
                done.documents_new + done.documents_updated + done.documents_unchanged,
                done.documents_new,
                done.ner_texts,
                done.stance_pairs,
                self.store_path.display()
            ));
            let skipped = skipped.len();
            return Ok(RunReport { run_id: self.run_id, skipped, anything_new: true, export_dir: PathBuf::new() });
        }
        let skipped: Vec<SkippedInput> = skipped
            .iter()
            .map(|s| SkippedInput { path: s.path.display().to_string(), line: s.line, reason: s.reason.clone() })
            .collect();
        let (summary, export_dir) = self.export(done, model, skipped, duplicates)?;
        Ok(self.report(done, &summary, export_dir))
    }

    /// Steps 3 to 5: NER over what has no stored output; then, when anything
    /// changed, link the whole store and decide the stance questions never
    /// answered before, and swap the linking in.
    fn model_steps(&mut self, done: &mut WorkDone) -> Result<ModelSteps> {
        let options = self.options;
        let mut job = ModelWork {
            models: Models { options, ner: None, stance: None },
            options,
            work: Work { reprocess: options.reprocess },
            run_id: self.run_id,
            ner_model: &self.ner_model,
            stance_model: &self.stance_model,
            log: self.log,
            done,
            comments_asked: HashSet::new(),
            ner_padding: Padding::default(),
        };
        let t = Instant::now();
        job.recognise(&mut self.store)?;
        let ner_seconds = t.elapsed().as_secs_f64();
        self.seconds.insert("ner", ner_seconds);
        let mut surface_forms = None;
        if options.reprocess || options.relink || self.store.linking_stale()? {
            let t = Instant::now();
            let full = options.reprocess || options.relink;
            let linked = match linking::plan(&self.store, full, options.relink_after)? {
                linking::Plan::Full => linking::link_all(&mut self.store, self.log, self.run_id)?,
                linking::Plan::Incremental(linker, kept, changed) => {
                    linking::link_night(&mut self.store, *linker, kept, changed, self.run_id, self.log)?
                }
            };
            surface_forms = Some(linked.surface_forms);
            self.seconds.insert("link", t.elapsed().as_secs_f64());
            let t = Instant::now();
            let only = linked.night.as_ref().map(|n| n.replaced.as_slice());
            job.decide_stances(&mut self.store, &linked.entities, only)?;
            linked.commit(&mut self.store)?;
            self.seconds.insert("stance", t.elapsed().as_secs_f64());
            job.done.relinked = true;
            job.done.linking = Some(linked.kind());
            job.done.documents_linked = linked.documents_linked;
        }
        let padding = PaddingCounts {
            ner: job.ner_padding,
            stance: job.models.stance.as_ref().and_then(|m| m.padding()).unwrap_or_default(),
        };
        Ok(ModelSteps { ner_seconds, surface_forms, padding })
    }

    /// The run's closing log lines.
    fn report(&self, done: &WorkDone, summary: &Summary, export_dir: PathBuf) -> RunReport {
        let (log, run_id) = (self.log, self.run_id);
        let skipped = summary.run.as_ref().map_or(0, |r| r.skipped.len());
        let anything_new = done.documents_new + done.documents_updated > 0 || done.ner_texts + done.stance_pairs > 0;
        if anything_new {
            // Model work may be what a run before left undone (killed or
            // failed: the documents it stored count as unchanged now), or
            // a new model's (--reprocess).
            let left_over = match (&self.interrupted, self.options.reprocess) {
                (Some(left), _) => format!(" (with what run {} left)", left.run),
                (None, true) => " (with --reprocess)".to_string(),
                (None, false) => String::new(),
            };
            let read_back = match done.ner_batches_read_back {
                0 => String::new(),
                n => format!(" ({} batches run, {n} read back)", done.ner_batches),
            };
            log.info(&format!(
                "run {run_id}: {} new and {} updated documents ({} unchanged), {} new comments; model work{left_over}: NER {} texts{read_back}, stance {} pairs; corpus: {} documents, {} comments, {} entities, {} stance pairs; {:.1}s",
                done.documents_new,
                done.documents_updated,
                done.documents_unchanged,
                done.comments_new,
                done.ner_texts,
                done.stance_pairs,
                summary.documents,
                summary.comments,
                summary.entities,
                summary.stance_pairs,
                self.started.elapsed().as_secs_f64()
            ));
        } else {
            log.info(&format!(
                "run {run_id}: nothing new ({} documents unchanged); exports rewritten from the store",
                done.documents_unchanged
            ));
        }
        if skipped > 0 {
            log.warn(&format!("{skipped} input file(s) or line(s) skipped (see summary.json)"));
        }
        if anything_new {
            log.info(&format!("graph: {}", self.options.out.join("graph.gexf").display()));
        }
        RunReport { run_id, skipped, anything_new, export_dir }
    }

    /// Records how the run ended in the store (best effort once the run
    /// itself failed: the store may be the reason) and folds the write-ahead
    /// log into the store, so that a run that ends leaves no large -wal
    /// behind (failing that, a full disk, is an error).
    fn finish(self, result: Result<RunReport>, done: &WorkDone) -> Result<RunReport> {
        let status = match &result {
            Ok(r) if r.skipped > 0 => "partial",
            Ok(_) => "ok",
            Err(_) => "failed",
        };
        let counts = serde_json::to_value(done).unwrap_or_default();
        if let (Ok(_), Err(e)) = (&result, self.store.finish_run(self.run_id, status, &counts)) {
            return Err(e.into());
        }
        if result.is_ok() {
            self.store.checkpoint()?;
        }
        result
    }
}
