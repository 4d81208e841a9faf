//! Command line: `stancegraph run` (corpus in, corpus store updated, Gephi
//! graph out), `stancegraph export` (exports from the store alone),
//! `stancegraph recover` (a damaged store), `stancegraph eval` (model scores
//! on gold data) and `stancegraph bench`. Errors are reported here, once,
//! with `anyhow`; exit codes tell cron what happened (the EXIT CODES part of
//! `run --help`, and the README).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use stancegraph::corpus::Document;
use stancegraph::encoder::{DeviceChoice, Precision};
use stancegraph::eval::stance::StanceFormat;
use stancegraph::eval::stance::{Conversation, Protocol};
use stancegraph::eval::NerFormat;
use stancegraph::graph::GraphOptions;
use stancegraph::ner::{NerConfig, NerModel};
use stancegraph::outputs::OutputError;
use stancegraph::pipeline::{self, ExportRange, RunOptions, Shard};
use stancegraph::stance::{StanceClassifier, StanceConfig, StanceModelChoice};
use stancegraph::store::StoreError;

const FORMATS_HELP: &str = "\
INPUT FORMATS
  Text files (.txt), one article with its reader comments per file:
    date YYYY-MM-DD <first paragraph of the article>
    <more article paragraphs, one per line>
    <comment author>
    <comment text, one or more lines>
    <next comment author>
    ...
  A file without the `date` line is read as a plain article (first short line = title).

  JSON Lines (.jsonl), one document per line:
    {\"id\": .., \"date\": \"YYYY-MM-DD\", \"title\": ..?, \"text\": ..,
     \"comments\": [{\"author\": .., \"text\": .., \"id\": ..?, \"parent\": ..?, \"date\": ..?}]}
  A document without a date takes the first YYYY-MM-DD in its file name, if any;
  a comment without a date is dated with its article.

  Directories are read recursively. A file that can't be read or parsed is
  reported with its reason and skipped; the rest of the corpus still runs.

OUTPUTS (in --out DIR; each run writes a whole set into runs/run-NNNNNN/ and then
  moves the `latest` link to it in one step; DIR/graph.gexf etc. point through latest/)
  stancegraph.db  the corpus store (SQLite; --store PATH to put it elsewhere)
  graph.gexf      GEXF 1.3 for Gephi: entities, commenters, articles; stance, mention,
                  commented and reply edges; dated spells (--types, --min-mentions, --min-confidence)
  graph.graphml   the same graph as GraphML
  nodes.csv, edges.csv   Gephi spreadsheet import
  entities.jsonl, mentions.jsonl, stances.jsonl   records
  stances.csv     the stance records, one a row (comment id, author, quote, probabilities, …)
  summary.json    run id, this run's work, corpus counts, records per model, timings, graph filters

NIGHTLY RUNS
  Point `run` at the whole growing folder (or at tonight's files only) with the same
  --out: unchanged documents cost no model work, a grown thread costs its new comments.

EXIT CODES
  0 success (also: nothing new)   1 some input files or lines were skipped
  2 fatal error                   3 another run holds the store or --out (nothing done)
  4 the store is damaged (run `stancegraph recover --store PATH`)
  5 not published: the store holds fewer documents than the last set (--accept-shrink publishes it)
  6 export: the date range matches no document (nothing written)";

#[derive(Parser)]
#[command(
    name = "stancegraph",
    version,
    about = "Per-comment stance toward the people, countries and organisations in news comments, as a Gephi graph"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How the models run: shared by every command that runs one.
#[derive(Args, Clone, Copy)]
struct Runtime {
    /// Worker threads: bounds the Rayon pool and libtorch's intra-op pool (inter-op is 1). Default: all cores.
    #[arg(long)]
    threads: Option<usize>,
    /// Texts (NER windows, stance pairs) per model forward pass.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Transformer precision: auto (bf16 where the CPU has it natively, else int8 where it has AVX2, else fp32), fp32, bf16, int8 (dynamic int8 NER, per window; the stance model in bf16 where native, else fp32).
    #[arg(long, default_value = "auto", value_parser = parse_precision)]
    precision: Precision,
    /// Where the transformers run: auto (the GPU when this build has CUDA and one is visible, else the CPU), cpu, cuda.
    #[arg(long, default_value = "auto", value_parser = parse_device)]
    device: DeviceChoice,
}

/// How NER cuts long texts into model windows (bench and eval; `run` uses the defaults).
#[derive(Args, Clone, Copy)]
struct Windows {
    /// Word pieces per model window at most (not counting [CLS]/[SEP]); windows hold whole sentences.
    #[arg(long, default_value_t = NerConfig::default().window)]
    window: usize,
    /// Pieces shared by neighbouring windows inside a sentence longer than a window.
    #[arg(long, default_value_t = NerConfig::default().overlap)]
    overlap: usize,
}

impl Runtime {
    fn ner_config(&self, windows: Windows) -> NerConfig {
        NerConfig {
            batch_size: self.batch_size,
            threads: self.threads(),
            precision: self.precision,
            device: self.device,
            window: windows.window,
            overlap: windows.overlap,
        }
    }

    fn threads(&self) -> usize {
        self.threads.unwrap_or_else(num_cpus)
    }
}

/// What the graph files hold (the records always hold everything).
#[derive(Args, Clone)]
struct GraphArgs {
    /// Entity types in the graph, comma-separated: person, country, organisation, location, misc.
    #[arg(long, default_value = "person,country,organisation", value_parser = parse_types)]
    types: TypeList,
    /// Leave entities mentioned fewer times out of the graph.
    #[arg(long, default_value_t = GraphOptions::DEFAULT_MIN_MENTIONS)]
    min_mentions: usize,
    /// Stance decisions below this confidence (0-1) are "unsure": left out of the graph and the report's
    /// shares, kept in stances.jsonl (explicit ones; implicit ones are dropped). Default: the stance model's
    /// own threshold (config.json `min_confidence`: its favour and against answers at or above it were 80 %
    /// precise on our comment dev set; `export` takes the default model's); 0 keeps everything.
    #[arg(long, value_parser = GraphOptions::parse_confidence)]
    min_confidence: Option<f32>,
    /// At most this many entities in the graphs: the most mentioned (0: no cap). What is left out is said
    /// in the GEXF description, summary.json and the report.
    #[arg(long, default_value_t = GraphOptions::DEFAULT_MAX_ENTITIES)]
    max_entities: usize,
    /// Keep every commenter and article in graph.gexf (default: commenters without a stance record, and
    /// articles left without any edge, are left out).
    #[arg(long)]
    all_nodes: bool,
    /// commenters.gexf links two commenters only when both took a side on at least this many entities.
    #[arg(long, default_value_t = GraphOptions::DEFAULT_MIN_SHARED_ENTITIES)]
    min_shared_entities: usize,
}

/// Which documents the export set holds (docs/nightly.md, "The rolling window").
#[derive(Args, Clone)]
struct WindowArgs {
    /// Export the whole archive instead of the rolling window.
    #[arg(long)]
    all: bool,
    /// The rolling window: the newest N days of document dates (undated documents count by the day
    /// of the run that first stored them), counted back from the newest document in the store.
    #[arg(long, default_value_t = ExportRange::DEFAULT_DAYS, value_parser = clap::value_parser!(u32).range(1..))]
    window_days: u32,
    /// The window reaches further back until it holds at least this many documents.
    #[arg(long, default_value_t = ExportRange::DEFAULT_MIN_DOCUMENTS)]
    window_min_documents: usize,
}

impl WindowArgs {
    fn range(&self) -> ExportRange {
        if self.all {
            ExportRange::All
        } else {
            ExportRange::Window { days: self.window_days, min_documents: self.window_min_documents }
        }
    }
}

/// The value of `--types`.
#[derive(Clone)]
struct TypeList(Vec<stancegraph::link::EntityType>);

fn parse_types(s: &str) -> Result<TypeList, String> {
    GraphOptions::parse_types(s).map(TypeList)
}

impl GraphArgs {
    /// The options, `--min-confidence` defaulting to the threshold recorded
    /// with the stance model in `model` (0 without one).
    fn options(&self, model: Option<PathBuf>) -> GraphOptions {
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

#[derive(Subcommand)]
enum Command {
    /// Read a corpus, find entities and each comment's stance toward them, write the graph.
    #[command(after_help = FORMATS_HELP)]
    Run {
        /// Files or directories to read.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output directory (created if missing). Not with --shard.
        #[arg(long, short, required_unless_present = "shard", conflicts_with = "shard")]
        out: Option<PathBuf>,
        /// The corpus store (SQLite). Default: OUT/stancegraph.db.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Map step of a Slurm job array: only the documents of shard K of N (by a stable hash of
        /// their id), into --store (replaced whole); no exports. `stancegraph merge` reduces.
        #[arg(long, value_parser = parse_shard, requires = "store")]
        shard: Option<Shard>,
        #[command(flatten)]
        runtime: Runtime,
        /// Folder of the models (`ner/`, `stance/`, and `stance-accurate/`, whose word-piece table
        /// the NER model reads). Default: the shipped ones.
        #[arg(long)]
        models: Option<PathBuf>,
        /// Print nothing on success: only warnings and errors.
        #[arg(long)]
        quiet: bool,
        /// Stance classifier: `model` (the shipped target-aware transformer) or
        /// `baseline` (VADER lexicon over the clause around each mention).
        #[arg(long, default_value = "model", value_parser = ["model", "baseline"])]
        stance: String,
        /// Stance model: `comments` (MODELS/stance-comments, MPNet tuned on comment threads, the default),
        /// `fast` (MODELS/stance, MiniLM, 5x faster), `accurate` (MODELS/stance-accurate) or a model directory.
        #[arg(long, default_value = "comments", value_parser = parse_stance_model)]
        stance_model: StanceModelChoice,
        /// Apply the current models to stored records made by other model versions.
        #[arg(long)]
        reprocess: bool,
        /// Texts longer than this (characters, at least 1) are cut at a sentence end, with a warning.
        #[arg(long, default_value_t = RunOptions::DEFAULT_MAX_TEXT_CHARS, value_parser = parse_positive)]
        max_text_chars: usize,
        /// Publish the set even when the store holds fewer documents than the last set in OUT
        /// (otherwise such a run stops before its exports with exit code 5).
        #[arg(long)]
        accept_shrink: bool,
        /// Refuse to start when OUT has less free space than this (MiB).
        #[arg(long, default_value_t = RunOptions::DEFAULT_MIN_FREE_MB)]
        min_free_mb: u64,
        /// Characters of text per NER chunk; each chunk is committed to the store as it finishes.
        #[arg(long, default_value_t = RunOptions::DEFAULT_CHUNK_CHARS, hide = true)]
        chunk_chars: usize,
        /// Stance questions per chunk; each chunk is committed to the store as it finishes.
        #[arg(long, default_value_t = RunOptions::DEFAULT_CHUNK_PAIRS, hide = true)]
        chunk_pairs: usize,
        #[command(flatten)]
        graph: GraphArgs,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// Reduce step of a Slurm job array: merge the shard stores of `run --shard` into the corpus
    /// store, link the whole corpus, answer the stance questions the shards could not, export.
    Merge {
        /// Every shard store of the job (all of 0/N .. N-1/N, each finished).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output directory (created if missing).
        #[arg(long, short)]
        out: PathBuf,
        /// The corpus store. Default: OUT/stancegraph.db.
        #[arg(long)]
        store: Option<PathBuf>,
        #[command(flatten)]
        runtime: Runtime,
        #[arg(long)]
        models: Option<PathBuf>,
        /// Stance model, as the shards': `comments`, `fast`, `accurate` or a model directory.
        #[arg(long, default_value = "comments", value_parser = parse_stance_model)]
        stance_model: StanceModelChoice,
        #[arg(long)]
        quiet: bool,
        #[arg(long, default_value_t = RunOptions::DEFAULT_MIN_FREE_MB)]
        min_free_mb: u64,
        /// As `run --accept-shrink`.
        #[arg(long)]
        accept_shrink: bool,
        #[command(flatten)]
        graph: GraphArgs,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// Write the export set from the store alone (no model runs).
    Export {
        /// Output directory (created if missing).
        #[arg(long, short)]
        out: PathBuf,
        /// The corpus store. Default: OUT/stancegraph.db.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Only documents dated on or after this day (YYYY-MM-DD), instead of the rolling window.
        #[arg(long, value_parser = parse_day, conflicts_with = "all")]
        from: Option<String>,
        /// Only documents dated on or before this day (YYYY-MM-DD), instead of the rolling window.
        #[arg(long, value_parser = parse_day, conflicts_with = "all")]
        to: Option<String>,
        #[arg(long, default_value_t = RunOptions::DEFAULT_MIN_FREE_MB)]
        min_free_mb: u64,
        #[arg(long)]
        quiet: bool,
        /// Publish a whole-corpus export smaller than the last set (as `run --accept-shrink`).
        #[arg(long)]
        accept_shrink: bool,
        #[command(flatten)]
        graph: GraphArgs,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// Copy what can still be read from a damaged store into a new one (the damaged file is kept beside it).
    Recover {
        #[arg(long)]
        store: PathBuf,
    },
    /// Score a model on a gold set.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Time one stage alone over a corpus (used by `make bench`).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// NER alone over the articles and comments of a corpus: words/s and peak memory.
    Ner {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long)]
        model: Option<PathBuf>,
        #[command(flatten)]
        runtime: Runtime,
        #[command(flatten)]
        windows: Windows,
        /// Only the first N documents.
        #[arg(long)]
        limit: Option<usize>,
        /// Also write the texts processed, one JSON string per line (for the Python side of the benchmark).
        #[arg(long)]
        texts_out: Option<PathBuf>,
        /// Only write --texts-out and print the counts; load no model.
        #[arg(long, requires = "texts_out")]
        texts_only: bool,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// NER on a gold file: CoNLL-style (token first column, tag last; IOB1 or IOB2), WNUT-17,
    /// Tweebank-NER or Broad Twitter Corpus.
    Ner {
        file: PathBuf,
        /// Gold format: conll (PER, ORG, LOC, MISC scored), wnut17 (person → PER, location → LOC,
        /// corporation and group → ORG, product and creative-work → O; PER, ORG, LOC scored, predicted
        /// MISC dropped), tweebank (Tweebank-NER .bio; PER, ORG, LOC, MISC scored) or btc (Broad Twitter
        /// Corpus; PER, ORG, LOC scored, predicted MISC dropped); the last three: one text per post.
        #[arg(long, value_enum, default_value = "conll")]
        format: NerFormat,
        /// Model directory. Default: the shipped models/ner.
        #[arg(long)]
        model: Option<PathBuf>,
        #[command(flatten)]
        runtime: Runtime,
        #[command(flatten)]
        windows: Windows,
    },
    /// Stance on a gold set: per-class P/R/F1, macro F1 (and favour/against F1 for P-Stance, SemEval).
    Stance {
        file: PathBuf,
        #[arg(long, value_enum)]
        format: StanceFormat,
        /// Stance model: `comments` (models/stance-comments, the default), `fast` (models/stance),
        /// `accurate` (models/stance-accurate) or a model directory.
        #[arg(long, alias = "stance-model", default_value = "comments", value_parser = parse_stance_model)]
        model: StanceModelChoice,
        /// Score the lexicon baseline instead of the model.
        #[arg(long)]
        baseline: bool,
        /// The literature's P-Stance/SemEval protocol: leave out gold NONE rows and answer the more
        /// probable of favour and against.
        #[arg(long)]
        favour_against_only: bool,
        /// Which part of the examples' conversation (thread title, replied-to text) the questions carry:
        /// read (both), none, parent, title; the ablations of a model that reads it.
        #[arg(long, value_enum, default_value = "read")]
        conversation: Conversation,
        /// The data folder `--format comments` joins its comment texts from.
        #[arg(long, default_value = stancegraph::eval::comment_set::DEFAULT_DATA_DIR)]
        data: PathBuf,
        #[command(flatten)]
        runtime: Runtime,
    },
    /// Linking on our comment mentions (data/link-dev/mentions.tsv): B-cubed P/R/F1, pronoun P/R.
    /// Links the documents and NER spans of a store made by `stancegraph run` on the threads afresh.
    Link {
        file: PathBuf,
        /// The corpus store of a run over the threads the set names.
        #[arg(long)]
        store: PathBuf,
    },
}

fn main() -> ExitCode {
    passive_openmp_waiting();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // One timestamped line, like every other error.
            let text = e.to_string();
            let what: Vec<&str> =
                text.lines().map(str::trim).take_while(|l| !l.is_empty() && !l.starts_with("Usage:")).collect();
            let what = what.join(" ");
            eprintln!(
                "{} stancegraph: error: {}",
                stancegraph::now_utc(),
                stancegraph::escape_log(what.trim_start_matches("error: "))
            );
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // The chain, each cause once (an error that names its source in
            // its own text is not followed by the source again).
            let mut text = String::new();
            for cause in e.chain().map(|c| c.to_string()) {
                if !text.contains(&cause) {
                    text += if text.is_empty() { "" } else { ": " };
                    text += &cause;
                }
            }
            eprintln!("{} stancegraph: error: {}", stancegraph::now_utc(), stancegraph::escape_log(&text));
            let code = match (e.downcast_ref::<StoreError>(), e.downcast_ref::<OutputError>()) {
                (Some(StoreError::Busy { .. }), _) | (_, Some(OutputError::Busy { .. })) => 3,
                (Some(StoreError::Damaged { .. }), _) => 4,
                (_, Some(OutputError::Shrink { .. })) => 5,
                (_, Some(OutputError::NothingMatched { .. })) => 6,
                _ => 2,
            };
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run {
            inputs,
            out,
            store,
            runtime,
            models,
            quiet,
            stance,
            stance_model,
            reprocess,
            max_text_chars,
            accept_shrink,
            min_free_mb,
            chunk_chars,
            chunk_pairs,
            shard,
            graph,
            window,
        } => {
            // A shard writes no exports: its folder is the shard store's.
            let out = match (&out, &store) {
                (Some(out), _) => out.clone(),
                (None, Some(store)) => store.parent().map(PathBuf::from).unwrap_or_default(),
                (None, None) => unreachable!("clap requires --out or --shard with --store"),
            };
            let out = if out.as_os_str().is_empty() { PathBuf::from(".") } else { out };
            let options = RunOptions {
                inputs,
                out,
                store,
                shard,
                merge_from: Vec::new(),
                threads: runtime.threads(),
                batch_size: runtime.batch_size,
                models_dir: models.unwrap_or_else(stancegraph::models_dir),
                quiet,
                precision: runtime.precision,
                device: runtime.device,
                stance_baseline: stance == "baseline",
                stance_model,
                reprocess,
                max_text_chars,
                min_free_mb,
                chunk_chars: chunk_chars.max(1),
                chunk_pairs: chunk_pairs.max(1),
                graph: GraphOptions::default(),
                accept_shrink,
                range: window.range(),
            };
            let model =
                (!options.stance_baseline).then(|| options.stance_model.dir(&options.models_dir).ok()).flatten();
            let options = RunOptions { graph: graph.options(model), ..options };
            let report = pipeline::run(&options)?;
            Ok(if report.skipped > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Merge {
            shards,
            out,
            store,
            runtime,
            models,
            stance_model,
            quiet,
            min_free_mb,
            accept_shrink,
            graph,
            window,
        } => {
            let options = RunOptions {
                inputs: Vec::new(),
                out,
                store,
                shard: None,
                merge_from: shards,
                threads: runtime.threads(),
                batch_size: runtime.batch_size,
                models_dir: models.unwrap_or_else(stancegraph::models_dir),
                quiet,
                precision: runtime.precision,
                device: runtime.device,
                stance_baseline: false,
                stance_model,
                reprocess: false,
                max_text_chars: RunOptions::DEFAULT_MAX_TEXT_CHARS,
                min_free_mb,
                chunk_chars: RunOptions::DEFAULT_CHUNK_CHARS,
                chunk_pairs: RunOptions::DEFAULT_CHUNK_PAIRS,
                graph: GraphOptions::default(),
                accept_shrink,
                range: window.range(),
            };
            let model = options.stance_model.dir(&options.models_dir).ok();
            let options = RunOptions { graph: graph.options(model), ..options };
            pipeline::run(&options)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { out, store, from, to, min_free_mb, quiet, accept_shrink, graph, window } => {
            if let (Some(from), Some(to)) = (&from, &to) {
                if from > to {
                    anyhow::bail!("--from {from} is later than --to {to}: the range is empty");
                }
            }
            let store = store.unwrap_or_else(|| out.join(stancegraph::store::DEFAULT_FILE));
            let default_model = StanceModelChoice::Comments.dir(&stancegraph::models_dir()).ok();
            let graph = graph.options(default_model);
            let range = if from.is_some() || to.is_some() { ExportRange::Dated { from, to } } else { window.range() };
            pipeline::export_only(&store, &out, &range, min_free_mb, quiet, accept_shrink, &graph)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Recover { store } => {
            if !store.is_file() {
                return Err(StoreError::Missing { path: store }.into());
            }
            let _lock = stancegraph::store::StoreLock::acquire(&store, "recover")?;
            let report = stancegraph::store::recover(&store)?;
            let now = stancegraph::now_utc;
            let Some(damaged) = &report.damaged else {
                eprintln!(
                    "{} stancegraph: store {} is healthy (integrity_check ok): nothing changed",
                    now(),
                    store.display()
                );
                return Ok(ExitCode::SUCCESS);
            };
            let tables: Vec<String> = report
                .tables
                .iter()
                .filter(|(_, t)| t.kept > 0 || t.lost != Some(0))
                .map(|(name, t)| match t.lost {
                    Some(lost) => format!("{name} {} kept, {lost} lost", t.kept),
                    None => format!("{name} {} kept, ? lost", t.kept),
                })
                .collect();
            let rows: usize = report.tables.values().map(|t| t.kept).sum();
            eprintln!(
                "{} stancegraph: recovered {rows} rows into {} ({}); the damaged file is kept as {}",
                now(),
                store.display(),
                if tables.is_empty() { "no rows".to_string() } else { tables.join("; ") },
                damaged.display()
            );
            for lost in &report.lost {
                eprintln!("{} stancegraph: warning: could not read {lost}", now());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what: BenchCommand::Ner { inputs, model, runtime, windows, limit, texts_out, texts_only },
        } => {
            let model = if texts_only { None } else { Some(load_ner(model, runtime.ner_config(windows))?) };
            let corpus = stancegraph::corpus::load(&inputs);
            let docs = &corpus.documents[..limit.unwrap_or(usize::MAX).min(corpus.documents.len())];
            let texts: Vec<&str> = docs.iter().flat_map(Document::texts).filter(|t| !t.trim().is_empty()).collect();
            if let Some(path) = texts_out {
                let lines: Vec<String> = texts.iter().map(|t| serde_json::to_string(t)).collect::<Result<_, _>>()?;
                std::fs::write(&path, lines.join("\n") + "\n")?;
            }
            let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
            let Some(model) = model else {
                println!("{}", serde_json::json!({ "texts": texts.len(), "words": words }));
                return Ok(ExitCode::SUCCESS);
            };
            let started = Instant::now();
            let spans = model.predict(&texts)?;
            let seconds = started.elapsed().as_secs_f64();
            let entities: usize = spans.iter().map(|s| s.len()).sum();
            println!(
                "{}",
                serde_json::json!({
                    "stack": "rust-bert+tch",
                    "precision": format!("{:?}", runtime.precision).to_lowercase(),
                    "window": windows.window,
                    "overlap": windows.overlap,
                    "batch_size": runtime.batch_size,
                    "texts": texts.len(),
                    "words": words,
                    "entities": entities,
                    "seconds": (seconds * 100.0).round() / 100.0,
                    "words_per_s": (words as f64 / seconds).round(),
                    "padding_share": model.padding().share_rounded(),
                    "padded_positions": model.padding().positions,
                    "real_tokens": model.padding().tokens,
                    "peak_rss_mb": stancegraph::peak_rss_mb(),
                })
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            what:
                EvalCommand::Stance { file, format, model, baseline, favour_against_only, conversation, data, runtime },
        } => {
            let dir = if baseline { PathBuf::new() } else { model.dir(&stancegraph::models_dir())? };
            let config = StanceConfig {
                batch_size: runtime.batch_size,
                threads: runtime.threads(),
                precision: runtime.precision,
                device: runtime.device,
            };
            let classifier = StanceClassifier::load(baseline, &dir, config)?;
            let protocol = if favour_against_only { Protocol::FavourAgainst } else { Protocol::ThreeWay };
            if format == StanceFormat::Comments {
                let scores = stancegraph::eval::stance::eval_comment_set_with(
                    &file,
                    &data,
                    protocol,
                    &classifier,
                    conversation,
                )?;
                println!("protocol: {}", protocol.as_str());
                println!("== all pairs");
                print!("{}", scores.all.score.table());
                println!("== without the pairs marked doubt");
                print!("{}", scores.without_doubt.score.table());
                for (part, score) in &scores.parts {
                    println!("== {part} pairs");
                    print!("{}", score.score.table());
                }
                let mut json = scores.all.json(scores.seconds);
                json["protocol"] = protocol.as_str().into();
                json["without_doubt"] = scores.without_doubt.json(scores.seconds);
                for (part, score) in &scores.parts {
                    json[*part] = score.json(scores.seconds);
                }
                println!("{json}");
                return Ok(ExitCode::SUCCESS);
            }
            let (score, seconds) =
                stancegraph::eval::stance::eval_stance_calibrated(&file, format, protocol, &classifier, conversation)?;
            println!("protocol: {}", protocol.as_str());
            print!("{}", score.score.table());
            let mut json = score.json(seconds);
            json["protocol"] = protocol.as_str().into();
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { what: EvalCommand::Link { file, store } } => {
            use stancegraph::eval::link;
            let gold = link::read_gold(&file)?;
            let mentions = link::link_store(&store, &gold)?;
            let score = link::score(&gold, &link::system_entities(&gold, &mentions));
            print!("{}", score.table());
            println!("{}", score.json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { what: EvalCommand::Ner { file, format, model, runtime, windows } } => {
            let model = load_ner(model, runtime.ner_config(windows))?;
            let started = Instant::now();
            let score = stancegraph::eval::eval_ner(&file, format, &model)?;
            let seconds = started.elapsed().as_secs_f64();
            print!("{}", score.table());
            if score.dropped_predicted > 0 || score.unscored_gold > 0 {
                println!(
                    "not scored: {} predicted spans of other types, {} gold entities read as O \
                     ({} false positives lie on them)",
                    score.dropped_predicted, score.unscored_gold, score.false_pos_on_unscored
                );
            }
            println!("{}", score.json(format, seconds));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The NER model from `dir`, or the shipped one.
fn load_ner(dir: Option<PathBuf>, config: NerConfig) -> anyhow::Result<NerModel> {
    let dir = dir.unwrap_or_else(stancegraph::ner::default_model_dir);
    Ok(NerModel::load(&dir, config)?)
}

fn parse_precision(s: &str) -> Result<Precision, String> {
    Precision::parse(s).ok_or_else(|| format!("unknown precision {s:?} (auto, fp32, bf16, int8)"))
}

/// Makes libtorch's OpenMP threads sleep, not spin, while they wait for
/// work (`OMP_WAIT_POLICY=PASSIVE`), unless the environment already says
/// otherwise. Spinning waiters burn a core between the model's operators:
/// at `--threads 2` on an idle machine PASSIVE used 8 % less CPU for the
/// same or a shorter wall time, and on a loaded one about half the CPU
/// (PERFORMANCE.md), which is what a co-located user wants from a nightly
/// job. libgomp reads the variable once, when it is loaded, before `main`;
/// so the process sets it and executes itself again (same arguments, same
/// pid). If that exec fails the run goes on with the default policy.
fn passive_openmp_waiting() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_WAIT_POLICY").is_some() {
        return;
    }
    std::env::set_var("OMP_WAIT_POLICY", "PASSIVE");
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_default();
    let _exec_failed = std::process::Command::new("/proc/self/exe").arg0(arg0).args(args).exec();
}

fn parse_device(s: &str) -> Result<DeviceChoice, String> {
    DeviceChoice::parse(s).ok_or_else(|| format!("unknown device {s:?} (auto, cpu, cuda)"))
}

fn parse_stance_model(s: &str) -> Result<StanceModelChoice, String> {
    if s.is_empty() {
        return Err("empty: fast, accurate or a model directory".into());
    }
    Ok(StanceModelChoice::parse(s))
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    Shard::parse(s).ok_or_else(|| format!("{s:?} is not a shard K/N with 0 <= K < N"))
}

fn parse_day(s: &str) -> Result<String, String> {
    if stancegraph::corpus::calendar_date(s) {
        Ok(s.to_string())
    } else {
        Err(format!("{s:?} is not a day of the calendar (YYYY-MM-DD)"))
    }
}

fn parse_positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{s:?}: give a number of characters, at least 1")),
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
