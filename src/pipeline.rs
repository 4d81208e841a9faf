//! The run: wires corpus → ner → link → stance → graph → export, times each
//! stage, reports progress, and assembles `summary.json`. It owns no
//! algorithm of its own; every decision is made in the stage modules.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::corpus::{self, Document};
use crate::export::{self, Exports};
use crate::graph;
use crate::link::{DocumentSpans, Entity, Linker, Mention, Source};
use crate::ner::{NerConfig, NerModel};
use crate::stance::{StanceClassifier, StanceConfig, StanceQuery, StanceRecord};

/// What `stancegraph run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub threads: usize,
    pub batch_size: usize,
    pub models_dir: PathBuf,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    pub precision: crate::encoder::Precision,
    /// Use the lexicon baseline instead of the shipped stance model.
    pub stance_baseline: bool,
}

/// What a run did, for the exit code.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub documents: usize,
    pub skipped: usize,
    pub files: Vec<PathBuf>,
}

/// The entity-id registry kept in the output folder between runs.
pub const REGISTRY_FILE: &str = "entity-registry.json";

/// Documents per NER call: big enough for well-filled batches, small enough
/// for a live progress bar.
const NER_CHUNK_DOCS: usize = 32;

#[derive(Debug, Serialize)]
struct Summary {
    version: &'static str,
    inputs: Vec<String>,
    documents: usize,
    comments: usize,
    words: usize,
    mentions: usize,
    mentions_by_link: BTreeMap<String, usize>,
    entities: usize,
    entities_by_type: BTreeMap<String, usize>,
    surface_forms_before_linking: usize,
    stance_pairs: usize,
    stances: BTreeMap<String, usize>,
    stance_method: &'static str,
    stance_pairs_per_second: f64,
    ner_model: String,
    seconds: BTreeMap<&'static str, f64>,
    words_per_second: WordsPerSecond,
    skipped: Vec<SkippedFile>,
}

#[derive(Debug, Serialize)]
struct WordsPerSecond {
    ner: f64,
    total: f64,
}

#[derive(Debug, Serialize)]
struct SkippedFile {
    path: String,
    reason: String,
}

/// Prints stage lines, or drives a progress bar on a terminal.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} docs {elapsed_precise} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Progress { bar }
    }
    fn stage(&self, message: &str, total: usize) {
        match &self.bar {
            Some(bar) => {
                bar.reset();
                bar.set_length(total as u64);
                bar.set_message(message.to_string());
            }
            None => eprintln!("stancegraph: {message}: {total} documents"),
        }
    }
    fn inc(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }
    fn log(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs the whole pipeline.
pub fn run(options: &RunOptions) -> Result<RunReport> {
    let started = Instant::now();
    let mut seconds = BTreeMap::new();
    let progress = Progress::new(options.progress);
    if options.threads > 0 {
        // A second call (e.g. in tests) finds the pool built; that is fine.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(options.threads).build_global();
    }

    // corpus
    let t = Instant::now();
    let corpus = corpus::load(&options.inputs);
    for s in &corpus.skipped {
        progress.log(&format!("stancegraph: skipped {}: {}", s.path.display(), s.reason));
    }
    let documents = corpus.documents;
    seconds.insert("corpus", t.elapsed().as_secs_f64());
    if documents.is_empty() {
        anyhow::bail!("no readable documents in {}", join_paths(&options.inputs));
    }

    // ner
    let t = Instant::now();
    let ner_dir = options.models_dir.join("ner");
    let config = NerConfig {
        batch_size: options.batch_size,
        threads: options.threads,
        precision: options.precision,
        ..NerConfig::default()
    };
    let model = NerModel::load(&ner_dir, config)?;
    seconds.insert("ner_load", t.elapsed().as_secs_f64());
    // Both models load before any work, so a missing file fails the run at once.
    let t = Instant::now();
    let config =
        StanceConfig { batch_size: options.batch_size, threads: options.threads, precision: options.precision };
    let classifier = StanceClassifier::load(options.stance_baseline, &options.models_dir.join("stance"), config)?;
    seconds.insert("stance_load", t.elapsed().as_secs_f64());
    let t = Instant::now();
    progress.stage("ner", documents.len());
    let mut spans: Vec<DocumentSpans> = Vec::with_capacity(documents.len());
    for chunk in documents.chunks(NER_CHUNK_DOCS) {
        spans.extend(recognise(&model, chunk)?);
        progress.inc(chunk.len());
    }
    let ner_seconds = t.elapsed().as_secs_f64();
    seconds.insert("ner", ner_seconds);
    drop(model);

    // link
    let t = Instant::now();
    let registry = options.out.join(REGISTRY_FILE);
    let mut linker = Linker::load_registry(&registry).with_context(|| format!("{}", registry.display()))?;
    let mut mentions: Vec<Mention> = Vec::new();
    for (doc, s) in documents.iter().zip(&spans) {
        mentions.extend(linker.link(doc, s));
    }
    let entities = linker.entities();
    seconds.insert("link", t.elapsed().as_secs_f64());

    // stance
    let t = Instant::now();
    let stances = decide_stances(&classifier, &documents, &mentions, &entities)?;
    let stance_seconds = t.elapsed().as_secs_f64();
    seconds.insert("stance", stance_seconds);

    // graph + export
    let t = Instant::now();
    let graph = graph::build(&documents, &entities, &mentions, &stances);
    seconds.insert("graph", t.elapsed().as_secs_f64());
    progress.finish();

    let words: usize = documents.iter().flat_map(Document::texts).map(|t| t.split_whitespace().count()).sum();
    let mut summary = Summary {
        version: env!("CARGO_PKG_VERSION"),
        inputs: options.inputs.iter().map(|p| p.display().to_string()).collect(),
        documents: documents.len(),
        comments: documents.iter().map(|d| d.comments.len()).sum(),
        words,
        mentions: mentions.len(),
        mentions_by_link: count_by(mentions.iter().map(|m| format!("{:?}", m.linked_by).to_lowercase())),
        entities: entities.len(),
        entities_by_type: count_by(entities.iter().map(|e| graph::entity_type_name(e.kind).to_string())),
        surface_forms_before_linking: linker.surface_forms_seen(),
        stance_pairs: stances.len(),
        stances: count_by(stances.iter().map(|s| s.stance.as_str().to_string())),
        stance_method: classifier.name(),
        stance_pairs_per_second: round1(stances.len() as f64 / stance_seconds.max(1e-9)),
        ner_model: ner_dir.display().to_string(),
        seconds: BTreeMap::new(),
        words_per_second: WordsPerSecond { ner: round1(words as f64 / ner_seconds.max(1e-9)), total: 0.0 },
        skipped: corpus
            .skipped
            .iter()
            .map(|s| SkippedFile { path: s.path.display().to_string(), reason: s.reason.clone() })
            .collect(),
    };
    let total = started.elapsed().as_secs_f64();
    seconds.insert("total", total);
    summary.words_per_second.total = round1(words as f64 / total.max(1e-9));
    summary.seconds = seconds.into_iter().map(|(k, v)| (k, (v * 1000.0).round() / 1000.0)).collect();

    let exports =
        Exports { documents: &documents, entities: &entities, mentions: &mentions, stances: &stances, graph: &graph };
    let files = export::write_all(&options.out, &exports, &summary)?;
    linker.save_registry(&registry).with_context(|| format!("{}", registry.display()))?;

    eprintln!(
        "stancegraph: {} documents, {} comments, {} words; {} entities ({} surface forms before linking), {} mentions, {} stance pairs; NER {:.0} words/s, total {:.1}s",
        summary.documents,
        summary.comments,
        summary.words,
        summary.entities,
        summary.surface_forms_before_linking,
        summary.mentions,
        summary.stance_pairs,
        summary.words_per_second.ner,
        total
    );
    if !corpus.skipped.is_empty() {
        eprintln!("stancegraph: {} input file(s) skipped (see summary.json)", corpus.skipped.len());
    }
    for f in &files {
        println!("{}", f.display());
    }
    Ok(RunReport { documents: documents.len(), skipped: corpus.skipped.len(), files })
}

/// NER over a slice of documents: one model call for all their texts.
fn recognise(model: &NerModel, docs: &[Document]) -> Result<Vec<DocumentSpans>> {
    let texts: Vec<&str> = docs.iter().flat_map(Document::texts).collect();
    let mut found = model.predict(&texts)?.into_iter();
    Ok(docs
        .iter()
        .map(|d| DocumentSpans {
            article: found.next().unwrap_or_default(),
            comments: d.comments.iter().map(|_| found.next().unwrap_or_default()).collect(),
        })
        .collect())
}

/// One stance query per (comment, entity) pair, over all the mentions of that
/// entity in that comment (pronoun mentions included); the target is the
/// entity's canonical label.
fn decide_stances(
    classifier: &StanceClassifier,
    documents: &[Document],
    mentions: &[Mention],
    entities: &[Entity],
) -> Result<Vec<StanceRecord>> {
    let by_id: BTreeMap<&str, &Entity> = entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let docs: BTreeMap<&str, &Document> = documents.iter().map(|d| (d.id.as_str(), d)).collect();
    // (doc, comment, entity) -> mention ranges, in first-mention order.
    let mut pairs: Vec<((&str, usize, &str), Vec<(usize, usize)>)> = Vec::new();
    let mut index: BTreeMap<(&str, usize, &str), usize> = BTreeMap::new();
    for m in mentions {
        if let Source::Comment(c) = m.source {
            let key = (m.doc_id.as_str(), c, m.entity_id.as_str());
            let i = *index.entry(key).or_insert_with(|| {
                pairs.push((key, Vec::new()));
                pairs.len() - 1
            });
            pairs[i].1.push((m.start, m.end));
        }
    }
    // Keep only pairs whose document, comment and entity are all known.
    let resolved: Vec<(&Document, usize, &Entity, &Vec<(usize, usize)>)> = pairs
        .iter()
        .filter_map(|((doc_id, c, entity_id), ranges)| {
            let doc = *docs.get(doc_id)?;
            doc.comments.get(*c)?;
            Some((doc, *c, *by_id.get(entity_id)?, ranges))
        })
        .collect();
    let queries: Vec<StanceQuery> = resolved
        .iter()
        .map(|(doc, c, entity, ranges)| StanceQuery {
            text: &doc.comments[*c].text,
            target: &entity.label,
            mentions: ranges.to_vec(),
        })
        .collect();
    let decisions = classifier.predict(&queries)?;
    Ok(resolved
        .iter()
        .zip(decisions)
        .map(|((doc, c, entity, _), d)| StanceRecord {
            doc_id: doc.id.clone(),
            comment: *c,
            author: doc.comments[*c].author.clone(),
            entity_id: entity.id.clone(),
            entity: entity.label.clone(),
            entity_type: entity.kind,
            stance: d.stance,
            confidence: (d.confidence * 1000.0).round() / 1000.0,
        })
        .collect())
}

fn count_by(keys: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p: &PathBuf| Path::display(p).to_string()).collect::<Vec<_>>().join(", ")
}
