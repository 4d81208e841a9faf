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
//!    (`Graphs`), for `run` and `export` alike.
//!
//! The models load only when there is work for them. When nothing changed
//! since the last committed linking, steps 3–5 are skipped.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::corpus::{self, Document, Skipped};
use crate::export::summary::{
    Coverage, ExportRequest, PaddingCounts, RecordsByModel, RunFacts, RunInputs, SetHead, SkippedInput, Summary,
    WordsPerSecond, WorkDone,
};
use crate::export::{Exports, RecordRows};
use crate::graph;
use crate::link::{DocumentSpans, Entity};
use crate::ner::{NerConfig, NerModel};
use crate::outputs;
use crate::pair_graphs::{self, PairGraphs};
use crate::runtime::{self, DeviceChoice, Padding, Precision};
use crate::stance::questions::{self, Question};
use crate::stance::{
    ConversationParts, StanceClassifier, StanceConfig, StanceDecision, StanceModelChoice, StanceQuery,
};
use crate::store::{self, DocumentChange, StancePair, Store, StoreLock, Work};

mod linking;

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

/// Reads the export's documents and records from the store.
fn read_range(store: &Store, range: &ExportRange) -> Result<(store::Snapshot, Coverage)> {
    let archive_documents = store.document_count()?;
    let (snapshot, scope, from, to) = match range {
        ExportRange::All => (store.snapshot_of(store::Scope::All)?, "all", None, None),
        ExportRange::Dated { from, to } => {
            let scope = store::Scope::Dated { from: from.as_deref(), to: to.as_deref() };
            (store.snapshot_of(scope)?, "range", from.clone(), to.clone())
        }
        ExportRange::Window { days, min_documents } => match store.window(*days, *min_documents)? {
            Some(w) => (store.snapshot_of(store::Scope::Since(&w.from))?, "window", Some(w.from), Some(w.to)),
            None => (store.snapshot_of(store::Scope::All)?, "window", None, None),
        },
    };
    let coverage = Coverage::new(scope, from, to, snapshot.documents.len(), archive_documents);
    Ok((snapshot, coverage))
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

/// Log lines: timestamped, on stderr; info lines are dropped with `--quiet`
/// and drawn above the progress bar on a terminal.
pub struct Log {
    quiet: bool,
    bar: Option<ProgressBar>,
}

impl Log {
    pub fn new(quiet: bool) -> Log {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} {elapsed_precise} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Log { quiet, bar }
    }

    fn line(&self, text: &str) {
        let line = format!("{} stancegraph: {}", crate::dates::now_utc(), crate::escape_log(text));
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// A progress line (not shown with `--quiet`).
    pub(crate) fn info(&self, text: &str) {
        if !self.quiet {
            self.line(text);
        }
    }

    /// A warning (always shown).
    pub(crate) fn warn(&self, text: &str) {
        self.line(&format!("warning: {text}"));
    }

    fn stage(&self, message: &str, total: usize) {
        if let Some(bar) = &self.bar {
            bar.reset();
            bar.set_length(total as u64);
            bar.set_message(message.to_string());
        }
    }

    fn inc(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The graph options, for the GEXF description.
fn filters_text(o: &graph::GraphOptions) -> String {
    let types: Vec<&str> = o.types.iter().map(|t| graph::entity_type_name(*t)).collect();
    format!(
        "types {}, min mentions {}, min confidence {}, max entities {}{}, commenters linked on {} shared entities",
        types.join(","),
        o.min_mentions,
        o.min_confidence,
        o.max_entities,
        if o.all_nodes { ", all nodes" } else { "" },
        o.min_shared_entities.max(1)
    )
}

/// Models, loaded on first use.
struct Models<'a> {
    options: &'a RunOptions,
    ner: Option<NerModel>,
    stance: Option<StanceClassifier>,
}

impl Models<'_> {
    fn ner(&mut self) -> Result<&NerModel> {
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

    fn stance(&mut self) -> Result<&StanceClassifier> {
        if self.stance.is_none() {
            let o = self.options;
            let config =
                StanceConfig { batch_size: o.batch_size, threads: o.threads, precision: o.precision, device: o.device };
            self.stance = Some(StanceClassifier::load(o.stance_baseline, &o.stance_dir()?, config)?);
        }
        Ok(self.stance.as_ref().expect("loaded"))
    }
}

/// Runs the whole pipeline over `options.inputs` into the store and the
/// output folder: [`begin`], then the steps of [`Run::steps`], then
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
    /// Held until the run ends (the store's released first).
    _store_lock: StoreLock,
    _out_lock: Option<StoreLock>,
}

/// Step 1, pre-flight (a device that is not there fails before anything is
/// done): free space, the locks, the models against their manifests, the
/// store opened and the run recorded in it.
fn begin<'a>(options: &'a RunOptions, log: &'a Log) -> Result<Run<'a>> {
    let started = Instant::now();
    let mut seconds: BTreeMap<&'static str, f64> = BTreeMap::new();
    let device = runtime::device_name(options.device.resolve()?);
    let store_path = options.store_path();
    let command = match (options.shard, !options.merge_from.is_empty()) {
        (Some(_), _) => "shard",
        (None, true) => "merge",
        (None, false) => "run",
    };
    outputs::preflight(&options.out, options.min_free_mb)?;
    outputs::check_free(store_path.parent().unwrap_or(Path::new(".")), options.min_free_mb)?;
    let out_lock = if options.shard.is_none() { Some(outputs::lock(&options.out, command)?) } else { None };
    let store_lock = StoreLock::acquire(&store_path, command)?;
    // Every model the run may need is there and matches its manifest,
    // before anything is written to the store.
    let ner_dir = options.models_dir.join("ner");
    let ner_model = runtime::model_id(&ner_dir)?;
    let stance_model = if options.stance_baseline {
        "lexicon-baseline".to_string()
    } else {
        runtime::model_id(&options.stance_dir()?)?
    };
    let t = Instant::now();
    crate::manifest::verify_model(&ner_dir)?;
    if !options.stance_baseline {
        crate::manifest::verify_model(&options.stance_dir()?)?;
    }
    seconds.insert("model_check", t.elapsed().as_secs_f64());
    if options.shard.is_some() {
        // A rerun of a shard replaces its store whole.
        store::remove(&store_path)?;
    }
    let mut store = Store::open(&store_path)?;
    let cleaned = if options.shard.is_some() { 0 } else { outputs::clean_leftovers(&options.out) };
    if cleaned > 0 {
        log.info(&format!("removed {cleaned} temporary file(s) left by an interrupted run"));
    }
    let sources = if options.merge_from.is_empty() { &options.inputs } else { &options.merge_from };
    let inputs: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
    let after = if options.shard.is_some() { 0 } else { outputs::highest_set(&options.out) };
    let interrupted = store.interrupted_run()?;
    let run_id = store.begin_run_after(command, &inputs, after)?;
    if let Some(left) = &interrupted {
        log.info(&resuming_text(run_id, left));
    }
    store.set_run_models(run_id, &ner_model, &stance_model)?;
    if let Some(shard) = options.shard {
        store.set_shard(shard.k, shard.n)?;
    }
    Ok(Run {
        options,
        log,
        started,
        store,
        store_path,
        run_id,
        inputs,
        device,
        ner_dir,
        ner_model,
        stance_model,
        seconds,
        interrupted,
        _store_lock: store_lock,
        _out_lock: out_lock,
    })
}

/// The line that says a run takes over from one that did not end, with
/// what that run left undone (read from the store before this run's ingest).
fn resuming_text(run_id: i64, left: &store::InterruptedRun) -> String {
    let how = if left.killed { "was killed" } else { "failed" };
    let undone = match (left.texts_without_ner, left.linking_stale) {
        (0, false) => "its model work was done, the export was not".to_string(),
        (0, true) => "NER was done; the linking and stance are left".to_string(),
        (n, stale) => format!(
            "{n} texts of {} documents left without NER{}",
            left.documents_without_ner,
            if stale { ", then the linking and stance" } else { "" }
        ),
    };
    format!(
        "run {run_id} resumes run {}, which {how} after storing {} new or updated documents: {undone}",
        left.run, left.documents_stored
    )
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
            (merge_shards(&self.options.merge_from, &mut self.store, self.run_id, self.log, done)?, Vec::new())
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

    /// Step 6: the export set of the range (the rolling window by default),
    /// with the run's summary; returns the summary and the set's folder.
    fn export(
        &mut self,
        done: &WorkDone,
        model: ModelSteps,
        skipped: Vec<SkippedInput>,
        duplicates: Vec<String>,
    ) -> Result<(Summary, PathBuf)> {
        let (options, run_id) = (self.options, self.run_id);
        let (mut snapshot, coverage) = read_range(&self.store, &options.range)?;
        outputs::check_shrink(&options.out, coverage.archive_documents, options.accept_shrink)?;
        crate::stance::apply_min_confidence(&mut snapshot.stances, options.graph.min_confidence);
        let run_started = self.store.run_started(run_id)?.unwrap_or_default();
        let provenance = format!(
            "stancegraph {} run {run_id}, {run_started}; {}; graph filters: {}",
            env!("CARGO_PKG_VERSION"),
            coverage.text,
            filters_text(&options.graph)
        );
        let set = ExportSet::build(snapshot, &options.graph).with_provenance(provenance, &options.graph);
        let head = SetHead { run_id, run_started, store: self.store_path.display().to_string() };
        let mut summary = set.summary(head, coverage, &options.graph, &self.store)?;
        self.seconds.insert("total", self.started.elapsed().as_secs_f64());
        summary.run_inputs = Some(RunInputs { inputs: self.inputs.clone(), work: done.clone() });
        summary.surface_forms_before_linking = Some(model.surface_forms);
        summary.run = Some(RunFacts {
            stance_method: if options.stance_baseline {
                crate::stance::LexiconBaseline::NAME
            } else {
                crate::stance::StanceModel::NAME
            },
            ner_model: format!("{} ({})", self.ner_dir.display(), self.ner_model),
            stance_model: self.stance_model.clone(),
            device: self.device.clone(),
            seconds: self.seconds.iter().map(|(k, v)| (*k, (v * 1000.0).round() / 1000.0)).collect(),
            words_per_second: WordsPerSecond {
                ner: (done.ner_words > 0).then(|| round1(done.ner_words as f64 / model.ner_seconds.max(1e-9))),
            },
            ner_padding_share: model.padding.ner.share_rounded(),
            stance_padding_share: model.padding.stance.share_rounded(),
            padding: model.padding,
            skipped,
            duplicate_ids: duplicates,
        });
        let export_dir = outputs::write_set(&options.out, run_id, &set.exports(&self.store), &summary)?;
        Ok((summary, export_dir))
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

/// Reads the inputs file by file into the store. Returns what was skipped
/// and the duplicate-id warnings. An id delivered more than once in a run
/// is stored once, from its last copy (the later file, or the later line):
/// a first pass finds each id's last copy, so an earlier copy is never
/// applied and then replaced.
fn ingest(
    options: &RunOptions,
    store: &mut Store,
    run_id: i64,
    log: &Log,
    done: &mut WorkDone,
) -> Result<(Vec<Skipped>, Vec<String>)> {
    let (files, mut skipped) = corpus::input_files(&options.inputs);
    for s in &skipped {
        log.warn(&format!("skipped {s}"));
    }
    let owned = |d: &Document| options.shard.is_none_or(|shard| shard.owns(&d.id));
    let place = |path: &Path, i: usize, n: usize| {
        if n > 1 {
            format!("{} (document {} of the file)", path.display(), i + 1)
        } else {
            path.display().to_string()
        }
    };
    // id → (file, document) of its last copy in this run, and where that is.
    let mut last: HashMap<String, ((usize, usize), String)> = HashMap::new();
    for (f, path) in files.iter().enumerate() {
        let Ok(file) = corpus::load_file(path) else { continue };
        let n = file.documents.len();
        for (i, doc) in file.documents.iter().enumerate().filter(|(_, d)| owned(d)) {
            last.insert(doc.id.clone(), ((f, i), place(path, i, n)));
        }
    }
    let mut seen: HashMap<String, DocumentChange> = HashMap::new();
    let mut duplicates = Vec::new();
    log.stage("read", files.len());
    for (f, path) in files.iter().enumerate() {
        let file = match corpus::load_file(path) {
            Ok(file) => file,
            Err(e) => {
                let s = Skipped { path: path.clone(), line: None, reason: e.to_string() };
                log.warn(&format!("skipped {s}"));
                skipped.push(s);
                continue;
            }
        };
        for bad in file.bad_lines {
            let s = Skipped { path: path.clone(), line: Some(bad.line), reason: bad.reason };
            log.warn(&format!("skipped {s}"));
            skipped.push(s);
        }
        let n = file.documents.len();
        let mut docs = Vec::with_capacity(n);
        for (i, mut doc) in file.documents.into_iter().enumerate().filter(|(_, d)| owned(d)) {
            match last.get(&doc.id) {
                Some((at, kept)) if *at != (f, i) => {
                    let line = format!(
                        "document id {:?} is claimed by {} and {kept}; the later one ({kept}) is kept",
                        doc.id,
                        place(path, i, n)
                    );
                    log.warn(&line);
                    duplicates.push(line);
                }
                _ => {
                    cut_long_texts(&mut doc, options.max_text_chars, log, done);
                    docs.push(doc);
                }
            }
        }
        let changes = store.ingest(&docs, run_id)?;
        for (doc, change) in docs.iter().zip(changes) {
            seen.insert(doc.id.clone(), change);
        }
        log.inc(1);
    }
    for change in seen.values() {
        match change {
            DocumentChange::New => done.documents_new += 1,
            DocumentChange::Updated => done.documents_updated += 1,
            DocumentChange::Unchanged => done.documents_unchanged += 1,
        }
    }
    done.comments_new = store.comments_first_stored_in(run_id)?;
    Ok((skipped, duplicates))
}

/// The reduce step's ingest: checks that the shard stores are one complete
/// set (same N, every K once, each finished), then merges their documents
/// and model output into the store. Returns nothing skipped: an incomplete
/// set is refused as a whole, naming the missing or unfinished shard.
fn merge_shards(
    shards: &[PathBuf],
    store: &mut Store,
    run_id: i64,
    log: &Log,
    done: &mut WorkDone,
) -> Result<Vec<Skipped>> {
    let mut infos = Vec::with_capacity(shards.len());
    for p in shards {
        infos.push((p, store::shard_info(p)?));
    }
    let n = infos[0].1.n;
    if let Some((p, info)) = infos.iter().find(|(_, i)| i.n != n) {
        anyhow::bail!(
            "shard stores of different sizes: {} is shard {}/{}, {} is shard {}/{n}",
            p.display(),
            info.k,
            info.n,
            infos[0].0.display(),
            infos[0].1.k
        );
    }
    for k in 0..n {
        let holders: Vec<&&PathBuf> = infos.iter().filter(|(_, i)| i.k == k).map(|(p, _)| p).collect();
        match holders.as_slice() {
            [] => anyhow::bail!("shard {k}/{n} is missing: merge needs all {n} shard stores"),
            [one] => {
                let info = &infos.iter().find(|(p, _)| p == *one).expect("listed").1;
                if !info.finished {
                    anyhow::bail!(
                        "shard {k}/{n} ({}) is unfinished (its run is {}): rerun that shard, then the merge",
                        one.display(),
                        info.status
                    );
                }
            }
            [a, b, ..] => anyhow::bail!("shard {k}/{n} is claimed by both {} and {}", a.display(), b.display()),
        }
    }
    log.stage("merge", shards.len());
    let mut changes = Vec::new();
    for (p, _) in &infos {
        changes.extend(store.merge_shard(p, run_id)?);
        log.inc(1);
    }
    for change in changes {
        match change {
            DocumentChange::New => done.documents_new += 1,
            DocumentChange::Updated => done.documents_updated += 1,
            DocumentChange::Unchanged => done.documents_unchanged += 1,
        }
    }
    done.comments_new = store.comments_first_stored_in(run_id)?;
    log.info(&format!(
        "merge: {n} shards, {} documents",
        done.documents_new + done.documents_updated + done.documents_unchanged
    ));
    Ok(Vec::new())
}

/// Cuts the article and comments of `doc` to `max` characters at a sentence
/// end, with one warning per text cut.
fn cut_long_texts(doc: &mut Document, max: usize, log: &Log, done: &mut WorkDone) {
    let id = doc.id.clone();
    let mut cut = |what: String, text: &mut String| {
        if let Some(short) = corpus::cut_at_sentence(text, max) {
            let at =
                if corpus::ends_sentence(&short) { "at a sentence end" } else { "(no sentence end near the limit)" };
            log.warn(&format!(
                "document {id:?}: {what} has {} characters, cut to {} {at} (--max-text-chars {max})",
                text.chars().count(),
                short.chars().count()
            ));
            *text = short;
            done.texts_cut += 1;
        }
    };
    cut("the article".to_string(), &mut doc.text);
    for (i, c) in doc.comments.iter_mut().enumerate() {
        cut(format!("comment {} ({})", i + 1, c.author), &mut c.text);
    }
}

/// The model work of a run: the models (loaded on first use), the model
/// versions the store records, and what was done.
struct ModelWork<'a> {
    models: Models<'a>,
    options: &'a RunOptions,
    work: Work,
    run_id: i64,
    ner_model: &'a str,
    stance_model: &'a str,
    log: &'a Log,
    done: &'a mut WorkDone,
    /// (document, comment) pairs the stance model was asked about.
    comments_asked: HashSet<(String, usize)>,
    /// NER padding, kept when the NER model is dropped after its stage.
    ner_padding: Padding,
}

impl ModelWork<'_> {
    /// NER over every stored text without output, chunk by chunk. Each
    /// batch's output is kept in the store as it finishes and each chunk's
    /// spans are committed at its end, so a kill loses at most the batch in
    /// progress: the next run finds the same chunk first (hash order) and
    /// reads the kept batches back instead of running them.
    fn recognise(&mut self, store: &mut Store) -> Result<()> {
        let mut after = String::new();
        loop {
            let pending = store.pending_ner(self.ner_model, self.work, &after, self.options.chunk_chars)?;
            let Some(last) = pending.last() else {
                if let Some(model) = self.models.ner.take() {
                    self.ner_padding = self.ner_padding.plus(model.padding());
                }
                return Ok(());
            };
            after = last.hash.clone();
            if self.done.ner_texts == 0 {
                self.log.info(&format!("ner: reading new texts with {}", self.ner_model));
            }
            let texts: Vec<&str> = pending.iter().map(|p| p.text.as_str()).collect();
            let spans = self.recognise_chunk(store, &pending, &texts)?;
            let found: Vec<(String, Vec<crate::ner::EntitySpan>)> =
                pending.iter().map(|p| p.hash.clone()).zip(spans).collect();
            store.save_spans(&found, self.ner_model, self.run_id)?;
            self.done.ner_texts += pending.len();
            self.done.ner_comments += store.comment_texts_among(pending.iter().map(|p| p.hash.as_str()))?;
            self.done.ner_words += texts.iter().map(|t| t.split_whitespace().count()).sum::<usize>();
            self.log.inc(pending.len());
            crate::pause_point("ner-chunk");
        }
    }

    /// The NER output of one chunk: the batches an interrupted run kept for
    /// this very chunk (same texts, model and batching) are read back, the
    /// others run and kept one by one.
    fn recognise_chunk(
        &mut self,
        store: &mut Store,
        pending: &[store::PendingText],
        texts: &[&str],
    ) -> Result<Vec<Vec<crate::ner::EntitySpan>>> {
        let (ner_model, run_id) = (self.ner_model, self.run_id);
        let batching = self.models.ner()?.batching();
        let chunk = crate::hashes::content_hash(
            [ner_model, batching.as_str()].into_iter().chain(pending.iter().map(|p| p.hash.as_str())),
        );
        let kept = store.ner_batches(&chunk)?;
        if !kept.is_empty() {
            let by = store.ner_batches_run(&chunk)?.map_or_else(String::new, |r| format!(" by run {r}"));
            self.log.info(&format!(
                "ner: resuming a chunk of {} texts: {} batches of it were kept{by} and are read back",
                pending.len(),
                kept.len()
            ));
        }
        let mut batches_run = 0;
        let spans = self.models.ner()?.predict_resuming(texts, &kept, |batch, labels| -> Result<()> {
            store.save_ner_batch(&chunk, batch, labels, run_id)?;
            batches_run += 1;
            crate::pause_point("ner-batch");
            Ok(())
        })?;
        self.done.ner_batches += batches_run;
        self.done.ner_batches_read_back += kept.len();
        Ok(spans)
    }

    /// One stance question per (comment, entity) pair of the linking in
    /// progress, over all the mentions of that entity in that comment
    /// (pronoun mentions included); the target is the entity's label.
    /// Questions answered before are not asked again; the others are
    /// answered in chunks, each committed as it finishes. `only`: the
    /// documents of an incremental linking (default: every document).
    fn decide_stances(&mut self, store: &mut Store, entities: &[Entity], only: Option<&[String]>) -> Result<()> {
        let by_id: HashMap<&str, &Entity> = entities.iter().map(|e| (e.id.as_str(), e)).collect();
        let reads = ConversationParts::read_by(self.options.stance_baseline, &self.options.stance_dir()?);
        let mut waiting: Vec<Question> = Vec::new();
        let mut waiting_hashes: HashSet<String> = HashSet::new();
        let mut after: Option<String> = None;
        let mut listed = only.map(|ids| ids.chunks(PAGE_DOCS));
        loop {
            let page = match listed.as_mut() {
                None => store.documents_page(after.as_deref(), PAGE_DOCS)?,
                Some(chunks) => match chunks.next() {
                    Some(ids) => ids
                        .iter()
                        .map(|id| store.document(id))
                        .filter_map(Result::transpose)
                        .collect::<Result<_, _>>()?,
                    None => Vec::new(),
                },
            };
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            let mut questions: Vec<Question> = Vec::new();
            for doc in &page {
                questions.extend(questions::of_document(doc, &store.document_mentions(&doc.id)?, &by_id, reads));
            }
            let pairs: Vec<StancePair> = questions.iter().map(stance_pair).collect();
            let hashes: Vec<&str> = questions.iter().map(|q| q.hash.as_str()).collect();
            let known = store.decisions(&hashes, self.stance_model, self.work)?;
            for q in questions {
                if !known.contains_key(&q.hash) && waiting_hashes.insert(q.hash.clone()) {
                    waiting.push(q);
                }
            }
            store.add_stance_pairs(&pairs)?;
            while waiting.len() >= self.options.chunk_pairs {
                let rest = waiting.split_off(self.options.chunk_pairs);
                self.answer(store, &waiting)?;
                waiting = rest;
            }
        }
        if !waiting.is_empty() {
            self.answer(store, &waiting)?;
        }
        self.done.stance_comments = self.comments_asked.len();
        Ok(())
    }

    /// Runs the stance model over one chunk of questions and commits the answers.
    fn answer(&mut self, store: &mut Store, chunk: &[Question]) -> Result<()> {
        if self.done.stance_pairs == 0 {
            self.log.info(&format!("stance: answering new questions with {}", self.stance_model));
        }
        let queries: Vec<StanceQuery> = chunk.iter().map(Question::query).collect();
        let decisions: Vec<StanceDecision> = self.models.stance()?.predict(&queries)?;
        let found: Vec<(String, StanceDecision)> = chunk.iter().map(|q| q.hash.clone()).zip(decisions).collect();
        store.save_decisions(&found, self.stance_model, self.run_id)?;
        self.done.stance_pairs += chunk.len();
        self.comments_asked.extend(chunk.iter().map(|q| (q.doc_id.clone(), q.comment)));
        crate::pause_point("stance-chunk");
        Ok(())
    }
}

/// The store's record of a question asked in the linking in progress.
fn stance_pair(q: &Question) -> StancePair {
    StancePair {
        doc_id: q.doc_id.clone(),
        comment: q.comment,
        author: q.author.clone(),
        entity_id: q.entity_id.clone(),
        input_hash: q.hash.clone(),
        implicit: q.implicit,
    }
}

/// The stored NER spans of a document's article and comments.
pub(crate) fn stored_spans(store: &Store, doc: &Document) -> Result<DocumentSpans> {
    Ok(DocumentSpans {
        article: store.spans_of(&doc.text)?,
        comments: doc.comments.iter().map(|c| store.spans_of(&c.text)).collect::<Result<_, _>>()?,
    })
}

/// `stancegraph export`: the export set from the store alone, no model.
/// A date range that matches no document, or graph filters that leave no
/// entity, write nothing ([`outputs::OutputError::NothingMatched`],
/// [`outputs::OutputError::NoEntityShown`]); a window or whole-archive
/// export is checked like a run's (`accept_shrink`).
#[allow(clippy::too_many_arguments)]
pub fn export_only(
    store_path: &Path,
    out: &Path,
    range: &ExportRange,
    min_free_mb: u64,
    quiet: bool,
    accept_shrink: bool,
    graph_options: &graph::GraphOptions,
) -> Result<PathBuf> {
    let log = Log::new(quiet);
    if !store_path.exists() {
        anyhow::bail!("store {} does not exist (run `stancegraph run` first)", store_path.display());
    }
    outputs::preflight(out, min_free_mb)?;
    let _out_lock = outputs::lock(out, "export")?;
    let _lock = StoreLock::acquire(store_path, "export")?;
    let mut store = Store::open(store_path)?;
    outputs::clean_leftovers(out);
    let (mut snapshot, coverage) = read_range(&store, range)?;
    let (from, to) = match range {
        ExportRange::Dated { from, to } => (from.as_deref(), to.as_deref()),
        _ => (None, None),
    };
    let range_text = format!("{} to {}", from.unwrap_or("the start"), to.unwrap_or("the end"));
    if let ExportRange::Dated { .. } = range {
        let undated = store.undated_documents()?;
        if snapshot.documents.is_empty() {
            return Err(
                outputs::OutputError::NothingMatched { range: range_text, undated, out: out.to_path_buf() }.into()
            );
        }
        if undated > 0 {
            log.warn(&format!("{undated} undated document(s) left out of the export of {range_text}"));
        }
    } else {
        outputs::check_shrink(out, coverage.archive_documents, accept_shrink)?;
    }
    crate::stance::apply_min_confidence(&mut snapshot.stances, graph_options.min_confidence);
    let set = ExportSet::build(snapshot, graph_options);
    if set.graph_filtered_empty() {
        let filters = filters_text(graph_options);
        return Err(outputs::OutputError::NoEntityShown { filters, out: out.to_path_buf() }.into());
    }
    let run_id = store.begin_run_after("export", &[], outputs::highest_set(out))?;
    let run_started = store.run_started(run_id)?.unwrap_or_default();
    let provenance = format!(
        "stancegraph {} export {run_id}, {run_started}; {}; graph filters: {}",
        env!("CARGO_PKG_VERSION"),
        coverage.text,
        filters_text(graph_options)
    );
    let set = set.with_provenance(provenance, graph_options);
    let head = SetHead { run_id, run_started, store: store_path.display().to_string() };
    let mut summary = set.summary(head, coverage.clone(), graph_options, &store)?;
    summary.request =
        Some(ExportRequest { command: "export", from: from.map(str::to_string), to: to.map(str::to_string) });
    let result = outputs::write_set(out, run_id, &set.exports(&store), &summary).context("export");
    let status = if result.is_ok() { "ok" } else { "failed" };
    store.finish_run(run_id, status, &serde_json::to_value(&summary)?)?;
    let dir = result?;
    log.info(&format!(
        "export {run_id}: {} documents, {} entities, {} stance pairs ({}); graph: {}",
        set.snapshot.documents.len(),
        set.snapshot.entities.len(),
        set.snapshot.stances.len(),
        coverage.text,
        out.join("graph.gexf").display()
    ));
    Ok(dir)
}

/// An export set before it is written: one snapshot of the store and the
/// three graphs built from it with the same options (`graph.gexf`'s and the
/// two pair graphs).
struct ExportSet {
    snapshot: store::Snapshot,
    graph: graph::Graph,
    pairs: PairGraphs,
}

impl ExportSet {
    fn build(snapshot: store::Snapshot, options: &graph::GraphOptions) -> ExportSet {
        let (documents, mentions, stances) = (&snapshot.documents, &snapshot.mentions, &snapshot.stances);
        let graph = graph::build(documents, &snapshot.entities, mentions, stances, options);
        let pairs = pair_graphs::build(&graph, documents, mentions, stances, options);
        ExportSet { snapshot, graph, pairs }
    }

    /// The graphs' description: where the set came from and what the graph left out.
    fn with_provenance(mut self, provenance: String, options: &graph::GraphOptions) -> ExportSet {
        let text = match self.graph.left_out.text(options) {
            Some(t) => format!("{provenance}; {t}"),
            None => provenance,
        };
        self.pairs.commenters.provenance = Some(text.clone());
        self.pairs.entities.provenance = Some(text.clone());
        self.graph.provenance = Some(text);
        self
    }

    /// Whether the graph filters left no entity of a set that has some.
    fn graph_filtered_empty(&self) -> bool {
        !self.snapshot.entities.is_empty() && self.graph.entity_nodes().next().is_none()
    }

    /// The set's records; `mentions.jsonl` and `comments.jsonl` read their
    /// rows from `store`, which the snapshot was read from.
    fn exports<'a>(&'a self, store: &'a Store) -> Exports<'a> {
        Exports {
            documents: &self.snapshot.documents,
            entities: &self.snapshot.entities,
            mentions: &self.snapshot.mentions,
            rows: RecordRows::Stored(store, &self.snapshot.selection),
            stances: &self.snapshot.stances,
            graph: &self.graph,
            pair_graphs: &self.pairs,
        }
    }

    /// The set's summary (the one builder of `summary.json` and the report's
    /// numbers), without the run's own facts.
    fn summary(
        &self,
        head: SetHead,
        coverage: Coverage,
        options: &graph::GraphOptions,
        store: &Store,
    ) -> Result<Summary> {
        let totals = store.totals()?;
        let records_by_model = RecordsByModel { ner: totals.ner_by_model, stance: totals.stances_by_model };
        Ok(Summary::of_set(head, &self.exports(store), coverage, options, records_by_model))
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
