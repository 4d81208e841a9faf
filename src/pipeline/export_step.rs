//! Step 6 of a run, and `stancegraph export`: one export set of the documents
//! of an [`ExportRange`], read from one snapshot of the store, with the graph
//! and the two pair graphs built from it with the same options and the set's
//! `summary.json`; a set that shrank, or that holds no document or no entity,
//! is refused before anything is written.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{ExportRange, Log, ModelSteps, Run};
use crate::export::summary::{
    Coverage, ExportRequest, RecordsByModel, RunFacts, RunInputs, SetHead, SkippedInput, Summary, WordsPerSecond,
    WorkDone,
};
use crate::export::{Exports, RecordRows};
use crate::graph;
use crate::outputs;
use crate::pair_graphs::{self, PairGraphs};
use crate::store::{self, Store, StoreLock};

impl Run<'_> {
    /// Step 6: the export set of the range (the rolling window by default),
    /// with the run's summary; returns the summary and the set's folder.
    pub(super) fn export(
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
