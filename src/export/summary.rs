//! `summary.json`: the typed summary of an export set, built once by
//! [`Summary::of_set`] for `run`, `merge` and `export` alike and read,
//! field by field, by the report page ([`crate::report`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{write_atomic, ExportError, Exports, Fail};
use crate::graph::{self, GraphOptions, LeftOut};
use crate::runtime::Padding;

/// The summary of an export set. The fields of [`RunFacts`] and
/// [`RunInputs`] are there when a run (or merge) wrote the set; those of
/// [`ExportRequest`] when `stancegraph export` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub version: String,
    pub run_id: i64,
    pub run_started: String,
    #[serde(flatten)]
    pub request: Option<ExportRequest>,
    pub store: String,
    #[serde(flatten)]
    pub run_inputs: Option<RunInputs>,
    /// Which documents the set holds (the rolling window by default).
    pub coverage: Coverage,
    /// Documents in the store (what `--accept-shrink` guards).
    pub archive_documents: usize,
    /// The set's corpus, as exported.
    pub documents: usize,
    pub comments: usize,
    pub mentions: usize,
    pub mentions_by_link: BTreeMap<String, usize>,
    pub entities: usize,
    pub entities_by_type: BTreeMap<String, usize>,
    /// Surface forms the linker saw (a run that relinked; `null`: not relinked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surface_forms_before_linking: Option<Option<usize>>,
    pub stance_pairs: usize,
    /// Sure records by stance (confidence at least `--min-confidence`).
    pub stances: BTreeMap<String, usize>,
    /// Records below `--min-confidence`, kept in stances.jsonl only.
    pub stances_unsure: usize,
    /// Records toward an entity the comment does not name.
    pub stances_implicit: usize,
    /// Stored model output by model version: NER per text, stance per record.
    pub records_by_model: RecordsByModel,
    #[serde(flatten)]
    pub run: Option<RunFacts>,
    /// Nodes and edges of graph.gexf, commenters.gexf (and camps), entities.gexf.
    pub graphs: GraphCounts,
    /// What the graph files leave out (`--types`, `--min-mentions`, `--min-confidence`, ...).
    pub filters: Filters,
}

/// What `stancegraph export` was asked for.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportRequest {
    pub command: &'static str,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What a run read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunInputs {
    pub inputs: Vec<String>,
    /// What this run did.
    pub work: WorkDone,
}

/// How a run's models ran, and what it skipped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunFacts {
    pub stance_method: &'static str,
    pub ner_model: String,
    pub stance_model: String,
    /// Where the transformers ran (or would have run): `cpu`, `cuda:0`.
    pub device: String,
    pub seconds: BTreeMap<&'static str, f64>,
    pub words_per_second: WordsPerSecond,
    /// Share of the model positions computed this run that were padding
    /// (batches pad every row to the longest); `None` when the model did not run.
    pub ner_padding_share: Option<f64>,
    pub stance_padding_share: Option<f64>,
    /// The counts behind the shares.
    pub padding: PaddingCounts,
    pub skipped: Vec<SkippedInput>,
    pub duplicate_ids: Vec<String>,
}

/// This run's model work and ingest, counted (summary.json `work`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkDone {
    pub documents_new: usize,
    pub documents_updated: usize,
    pub documents_unchanged: usize,
    /// Comments that were not stored before (new threads and grown ones).
    pub comments_new: usize,
    /// Texts (articles and comments) whose NER output the run stored.
    pub ner_texts: usize,
    pub ner_words: usize,
    /// Comment texts among them.
    pub ner_comments: usize,
    /// NER batches run, and batches read back instead: kept by a run killed
    /// in the middle of the same chunk.
    pub ner_batches: usize,
    pub ner_batches_read_back: usize,
    /// Stance questions the stance model answered.
    pub stance_pairs: usize,
    /// Distinct comments among them.
    pub stance_comments: usize,
    /// Texts cut to `--max-text-chars`.
    pub texts_cut: usize,
    pub relinked: bool,
    /// How the run linked: `full` (the whole store afresh) or `incremental`
    /// (its new and changed documents against the kept linker state); none
    /// when it did not link (`docs/nightly.md`).
    pub linking: Option<&'static str>,
    /// Documents the linker read (all of them in a full relink).
    pub documents_linked: usize,
}

/// What an export set holds, for `summary.json` (`coverage`), the GEXF
/// description and the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// `window`, `all` or `range`.
    pub scope: &'static str,
    /// First and last day of the window or range (none: unbounded).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Documents in the set, and in the store.
    pub documents: usize,
    pub archive_documents: usize,
    /// The above in words (the GEXF description and the report say it).
    pub text: String,
}

impl Coverage {
    /// The coverage of `documents` of `archive_documents`, with its text.
    pub fn new(
        scope: &'static str,
        from: Option<String>,
        to: Option<String>,
        documents: usize,
        archive_documents: usize,
    ) -> Coverage {
        let days = match (&from, &to) {
            (None, None) => String::new(),
            (f, t) => format!(" {} to {}", f.as_deref().unwrap_or("the start"), t.as_deref().unwrap_or("the end")),
        };
        let text = format!("{scope}{days}: {documents} of {archive_documents} documents");
        Coverage { scope, from, to, documents, archive_documents, text }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordsByModel {
    pub ner: BTreeMap<String, usize>,
    pub stance: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PaddingCounts {
    pub ner: Padding,
    pub stance: Padding,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WordsPerSecond {
    pub ner: Option<f64>,
}

/// An input file or line left out, and why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SkippedInput {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub reason: String,
}

/// Nodes and edges of each GEXF file, for `summary.json` (`graphs`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct GraphCounts {
    pub graph: NodesEdges,
    /// What the size cap and the readable defaults left out of graph.gexf.
    pub left_out: LeftOut,
    /// The same in words (null: nothing).
    pub left_out_text: Option<String>,
    pub commenters: CommenterCounts,
    pub entities: NodesEdges,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NodesEdges {
    pub nodes: usize,
    pub edges: usize,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CommenterCounts {
    pub nodes: usize,
    pub edges: usize,
    pub camps: usize,
}

/// The graph options (`summary.json` `filters`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filters {
    pub all_nodes: bool,
    pub max_entities: usize,
    /// As written on the command line or in config.json (0.5747, not 0.5746999979).
    pub min_confidence: f64,
    pub min_mentions: usize,
    pub min_shared_entities: usize,
    pub types: Vec<&'static str>,
}

impl Filters {
    pub fn of(o: &GraphOptions) -> Filters {
        Filters {
            all_nodes: o.all_nodes,
            max_entities: o.max_entities,
            min_confidence: o.min_confidence.to_string().parse().unwrap_or_default(),
            min_mentions: o.min_mentions,
            min_shared_entities: o.min_shared_entities,
            types: o.types.iter().map(|t| graph::entity_type_name(*t)).collect(),
        }
    }
}

/// Who wrote the set, and from which store.
#[derive(Debug, Clone, Default)]
pub(crate) struct SetHead {
    pub run_id: i64,
    pub run_started: String,
    pub store: String,
}

impl Summary {
    /// The summary of the set `e`, built with `options`: everything but the
    /// run's own facts ([`Summary::run_inputs`], [`Summary::run`],
    /// [`Summary::surface_forms_before_linking`]) and the export request,
    /// which the caller adds.
    pub(crate) fn of_set(
        head: SetHead,
        e: &Exports,
        coverage: Coverage,
        options: &GraphOptions,
        records_by_model: RecordsByModel,
    ) -> Summary {
        let (c, en) = (&e.pair_graphs.commenters, &e.pair_graphs.entities);
        let graphs = GraphCounts {
            graph: NodesEdges { nodes: e.graph.nodes.len(), edges: e.graph.edges.len() },
            left_out: e.graph.left_out,
            left_out_text: e.graph.left_out.text(options),
            commenters: CommenterCounts { nodes: c.nodes.len(), edges: c.edges.len(), camps: c.camps },
            entities: NodesEdges { nodes: en.nodes.len(), edges: en.edges.len() },
        };
        Summary {
            version: env!("CARGO_PKG_VERSION").to_string(),
            run_id: head.run_id,
            run_started: head.run_started,
            request: None,
            store: head.store,
            run_inputs: None,
            archive_documents: coverage.archive_documents,
            coverage,
            documents: e.documents.len(),
            comments: e.documents.iter().map(|d| d.comments.len()).sum(),
            mentions: e.mentions.iter().map(|m| m.count).sum(),
            mentions_by_link: add_by(e.mentions.iter().map(|m| (format!("{:?}", m.linked_by).to_lowercase(), m.count))),
            entities: e.entities.len(),
            entities_by_type: count_by(e.entities.iter().map(|x| graph::entity_type_name(x.kind).to_string())),
            surface_forms_before_linking: None,
            stance_pairs: e.stances.len(),
            stances: count_by(e.stances.iter().filter(|s| !s.unsure).map(|s| s.stance.as_str().to_string())),
            stances_unsure: e.stances.iter().filter(|s| s.unsure).count(),
            stances_implicit: e.stances.iter().filter(|s| s.implicit).count(),
            records_by_model,
            run: None,
            graphs,
            filters: Filters::of(options),
        }
    }
}

fn count_by(keys: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    add_by(keys.map(|k| (k, 1)))
}

/// Adds up the numbers by key.
fn add_by(numbers: impl Iterator<Item = (String, usize)>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for (k, n) in numbers {
        *m.entry(k).or_insert(0) += n;
    }
    m
}

/// Writes `summary.json` (pretty-printed).
pub(crate) fn write_summary(path: &Path, summary: &Summary) -> Result<(), ExportError> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, summary).map_err(Fail::Json)?;
        w.write_all(b"\n").map_err(Fail::Io)
    })
}
