//! Every command, argument and flag of the command line, with its help, in
//! one place (clap derive). The commands turn these into the library's
//! options, each in its own file beside this one; `completions` and `man`
//! render the same definitions for the shells and man(1).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueHint};
use stancegraph::eval::formats::StanceFormat;
use stancegraph::eval::stance::Conversation;
use stancegraph::eval::NerFormat;
use stancegraph::graph::GraphOptions;
use stancegraph::link::EntityType;
use stancegraph::ner::NerConfig;
use stancegraph::pipeline::{ExportRange, RunOptions, Shard};
use stancegraph::runtime::{DeviceChoice, Precision};
use stancegraph::stance::StanceModelChoice;

use super::help;

#[derive(Parser)]
#[command(
    name = "stancegraph",
    version,
    about = "Per-comment stance toward the people, countries and organisations in news comments, as a Gephi graph"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Read a corpus, find entities and each comment's stance toward them, write the graph.
    #[command(after_help = help::RUN_SHORT, after_long_help = help::RUN_LONG)]
    Run(RunArgs),
    /// Reduce step of a Slurm job array: merge the shard stores of `run --shard` into the corpus
    /// store, link the whole corpus, answer the stance questions the shards could not, export.
    #[command(after_help = help::MERGE_EXIT_CODES)]
    Merge(MergeArgs),
    /// Write the export set from the store alone (no model runs).
    #[command(after_help = help::EXPORT_EXIT_CODES, mut_arg("stance_model", |a| a.help(EXPORT_STANCE_MODEL)))]
    Export(ExportArgs),
    /// Copy what can still be read from a damaged store into a new one (the damaged file is kept beside it).
    #[command(after_help = help::RECOVER_EXIT_CODES)]
    Recover(RecoverArgs),
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
    /// Print the completion script for a shell (`make install` installs them).
    #[command(hide = true)]
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (stancegraph.1 and one per command) into a folder (`make install` does).
    #[command(hide = true)]
    Man {
        /// The folder to write the pages into (created if missing).
        #[arg(value_hint = ValueHint::DirPath)]
        dir: PathBuf,
    },
}

#[derive(Args)]
pub(crate) struct RunArgs {
    /// Files or directories to read.
    #[arg(required = true, value_hint = ValueHint::AnyPath)]
    pub(crate) inputs: Vec<PathBuf>,
    /// Output directory (created if missing). Not with --shard.
    #[arg(long, short, required_unless_present = "shard", conflicts_with = "shard", value_hint = ValueHint::DirPath)]
    pub(crate) out: Option<PathBuf>,
    /// The corpus store (SQLite). Default: OUT/stancegraph.db.
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub(crate) store: Option<PathBuf>,
    /// Map step of a Slurm job array: only the documents of shard K of N (by a stable hash of
    /// their id), into --store (replaced whole); no exports. `stancegraph merge` reduces.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, requires = "store")]
    pub(crate) shard: Option<Shard>,
    /// The same as `--stance-model baseline` (`--stance model` is the default, --stance-model);
    /// kept for older scripts.
    #[arg(long, hide = true, value_parser = ["model", "baseline"])]
    pub(crate) stance: Option<String>,
    /// Apply the current models to stored records made by other model versions.
    #[arg(long)]
    pub(crate) reprocess: bool,
    /// Texts longer than this (characters, at least 1) are cut at a sentence end, with a warning.
    #[arg(long, default_value_t = RunOptions::DEFAULT_MAX_TEXT_CHARS, value_parser = parse_positive)]
    pub(crate) max_text_chars: usize,
    /// Characters of text per NER chunk; each chunk is committed to the store as it finishes.
    #[arg(long, default_value_t = RunOptions::DEFAULT_CHUNK_CHARS, hide = true)]
    pub(crate) chunk_chars: usize,
    /// Stance questions per chunk; each chunk is committed to the store as it finishes.
    #[arg(long, default_value_t = RunOptions::DEFAULT_CHUNK_PAIRS, hide = true)]
    pub(crate) chunk_pairs: usize,
    #[command(flatten)]
    pub(crate) pipeline: PipelineArgs,
}

#[derive(Args)]
pub(crate) struct MergeArgs {
    /// Every shard store of the job (all of 0/N .. N-1/N, each finished).
    #[arg(required = true, value_hint = ValueHint::FilePath)]
    pub(crate) shards: Vec<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long, short, value_hint = ValueHint::DirPath)]
    pub(crate) out: PathBuf,
    /// The corpus store. Default: OUT/stancegraph.db.
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub(crate) store: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) pipeline: PipelineArgs,
}

/// What `run` and `merge` share: the models, how they run, and what is published.
#[derive(Args)]
pub(crate) struct PipelineArgs {
    #[command(flatten)]
    pub(crate) runtime: Runtime,
    #[command(flatten)]
    pub(crate) models: ModelArgs,
    #[command(flatten)]
    pub(crate) publish: PublishArgs,
    #[command(flatten)]
    pub(crate) graph: GraphArgs,
    #[command(flatten)]
    pub(crate) window: WindowArgs,
    #[command(flatten)]
    pub(crate) linking: LinkingArgs,
}

/// How `run` and `merge` link (docs/nightly.md, "Linking").
#[derive(Args)]
pub(crate) struct LinkingArgs {
    /// Relink the whole store afresh (what a rebuild gives) instead of linking only the
    /// night's new and changed documents against the entities kept by the last linking.
    #[arg(long)]
    pub(crate) relink: bool,
    /// Relink the whole store by itself when the documents linked incrementally since the
    /// last full relink reach this percentage of the store (0: every night).
    #[arg(long, value_name = "PERCENT", default_value_t = RunOptions::DEFAULT_RELINK_AFTER)]
    pub(crate) relink_after: u32,
}

/// How a command that writes an export set behaves (run, merge, export).
#[derive(Args)]
pub(crate) struct PublishArgs {
    /// Print nothing on success: only warnings and errors.
    #[arg(long)]
    pub(crate) quiet: bool,
    /// Refuse to start when OUT (and the store's folder) has less free space than this (MiB).
    #[arg(long, default_value_t = RunOptions::DEFAULT_MIN_FREE_MB)]
    pub(crate) min_free_mb: u64,
    /// Publish the set even when the store holds fewer documents than the last set in OUT
    /// (otherwise the command stops before its exports with exit code 5).
    #[arg(long)]
    pub(crate) accept_shrink: bool,
}

/// `export --stance-model`: export runs no model.
const EXPORT_STANCE_MODEL: &str =
    "The stance model whose recorded threshold is --min-confidence's default (export runs no \
     model): comments (the default), fast, accurate, baseline (0) or a model directory";

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// Output directory (created if missing).
    #[arg(long, short, value_hint = ValueHint::DirPath)]
    pub(crate) out: PathBuf,
    /// The corpus store. Default: OUT/stancegraph.db.
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub(crate) store: Option<PathBuf>,
    /// Only documents dated on or after this day (YYYY-MM-DD), instead of the rolling window.
    #[arg(long, value_name = "DAY", value_parser = parse_day, conflicts_with = "all")]
    pub(crate) from: Option<String>,
    /// Only documents dated on or before this day (YYYY-MM-DD), instead of the rolling window.
    #[arg(long, value_name = "DAY", value_parser = parse_day, conflicts_with = "all")]
    pub(crate) to: Option<String>,
    #[command(flatten)]
    pub(crate) models: ModelArgs,
    #[command(flatten)]
    pub(crate) publish: PublishArgs,
    #[command(flatten)]
    pub(crate) graph: GraphArgs,
    #[command(flatten)]
    pub(crate) window: WindowArgs,
}

#[derive(Args)]
pub(crate) struct RecoverArgs {
    /// The damaged store (an SQLite file, e.g. OUT/stancegraph.db).
    #[arg(value_name = "STORE", required_unless_present = "store_flag", value_hint = ValueHint::FilePath)]
    pub(crate) store: Option<PathBuf>,
    /// The same as the STORE argument (kept for older scripts).
    #[arg(long = "store", id = "store_flag", value_name = "STORE", conflicts_with = "store", value_hint = ValueHint::FilePath)]
    pub(crate) store_flag: Option<PathBuf>,
}

/// Which models: the folder of all of them, and the stance classifier.
#[derive(Args, Clone)]
pub(crate) struct ModelArgs {
    /// The folder of all the models (ner/, stance-comments/, stance/, stance-accurate/).
    /// Default: the shipped ones ($STANCEGRAPH_MODELS, else the installed or built-in models/).
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) models: Option<PathBuf>,
    /// Stance classifier: `comments` (MODELS/stance-comments, MPNet tuned on comment threads, the
    /// default), `fast` (MODELS/stance, MiniLM, 5x faster), `accurate` (MODELS/stance-accurate),
    /// `baseline` (the VADER lexicon over the clause around each mention, no model) or a model directory.
    #[arg(long, value_name = "comments|fast|accurate|baseline|DIR", default_value = "comments",
          value_parser = parse_stance_choice, value_hint = ValueHint::DirPath)]
    pub(crate) stance_model: StanceChoice,
}

/// The value of `--stance-model`: the lexicon baseline or a stance model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StanceChoice {
    Baseline,
    Model(StanceModelChoice),
}

/// How the models run: shared by every command that runs one.
#[derive(Args, Clone, Copy)]
pub(crate) struct Runtime {
    /// Worker threads: bounds the Rayon pool and libtorch's intra-op pool (inter-op is 1). Default: all cores.
    #[arg(long, value_parser = parse_threads)]
    pub(crate) threads: Option<usize>,
    /// Texts (NER windows, stance pairs) per model forward pass.
    #[arg(long, default_value_t = 32)]
    pub(crate) batch_size: usize,
    /// Transformer precision: auto (bf16 where the CPU has it natively, else int8 where it has AVX2, else fp32), fp32, bf16, int8 (dynamic int8 NER, per window; the stance model in bf16 where native, else fp32).
    #[arg(long, default_value = "auto", value_parser = parse_precision)]
    pub(crate) precision: Precision,
    /// Where the transformers run: auto (the GPU when this build has CUDA and one is visible, else the CPU), cpu, cuda.
    #[arg(long, default_value = "auto", value_parser = parse_device)]
    pub(crate) device: DeviceChoice,
}

/// How NER cuts long texts into model windows (bench and eval; `run` uses the defaults).
#[derive(Args, Clone, Copy)]
pub(crate) struct Windows {
    /// Word pieces per model window at most (not counting [CLS]/[SEP]); windows hold whole sentences.
    #[arg(long, default_value_t = NerConfig::default().window)]
    pub(crate) window: usize,
    /// Pieces shared by neighbouring windows inside a sentence longer than a window.
    #[arg(long, default_value_t = NerConfig::default().overlap)]
    pub(crate) overlap: usize,
}

/// Which NER model `eval ner` and `bench ner` load.
#[derive(Args, Clone)]
pub(crate) struct NerModelArgs {
    /// The folder of all the models; the NER model is its ner/. Default: the shipped ones.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) models: Option<PathBuf>,
    /// One NER model's directory, instead of MODELS/ner (`--model` is the same flag).
    #[arg(long, visible_alias = "model", value_name = "DIR", conflicts_with = "models", value_hint = ValueHint::DirPath)]
    pub(crate) ner_model: Option<PathBuf>,
}

/// What the graph files hold (the records always hold everything).
#[derive(Args, Clone)]
pub(crate) struct GraphArgs {
    /// Entity types in the graph, comma-separated: person, country, organisation (or organization),
    /// location, misc.
    #[arg(long, default_value = "person,country,organisation", value_parser = parse_types)]
    pub(crate) types: TypeList,
    /// Leave entities mentioned fewer times out of the graph.
    #[arg(long, default_value_t = GraphOptions::DEFAULT_MIN_MENTIONS)]
    pub(crate) min_mentions: usize,
    /// Stance decisions below this confidence (0-1) are "unsure": left out of the graph and the report's
    /// shares, kept in stances.jsonl (explicit ones; implicit ones are dropped). Default: the stance model's
    /// own threshold (config.json `min_confidence`: its favour and against answers at or above it were 80 %
    /// precise on our comment dev set; 0 for the baseline; `export` takes --stance-model's); 0 keeps everything.
    #[arg(long, value_parser = GraphOptions::parse_confidence)]
    pub(crate) min_confidence: Option<f32>,
    /// At most this many entities in the graphs: the most mentioned (0: no cap). What is left out is said
    /// in the GEXF description, summary.json and the report.
    #[arg(long, default_value_t = GraphOptions::DEFAULT_MAX_ENTITIES)]
    pub(crate) max_entities: usize,
    /// Keep every entity, commenter and article in graph.gexf (default: entities and articles left
    /// without any edge, and commenters without a stance record, are left out).
    #[arg(long)]
    pub(crate) all_nodes: bool,
    /// commenters.gexf links two commenters only when both took a side on at least this many entities.
    #[arg(long, default_value_t = GraphOptions::DEFAULT_MIN_SHARED_ENTITIES)]
    pub(crate) min_shared_entities: usize,
}

/// The value of `--types`.
#[derive(Clone)]
pub(crate) struct TypeList(pub(crate) Vec<EntityType>);

/// Which documents the export set holds (docs/nightly.md, "The rolling window").
#[derive(Args, Clone)]
pub(crate) struct WindowArgs {
    /// Export the whole archive instead of the rolling window.
    #[arg(long)]
    pub(crate) all: bool,
    /// The rolling window: the newest N days of document dates (undated documents count by the day
    /// of the run that first stored them), counted back from the newest document in the store.
    #[arg(long, default_value_t = ExportRange::DEFAULT_DAYS, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) window_days: u32,
    /// The window reaches further back until it holds at least this many documents.
    #[arg(long, default_value_t = ExportRange::DEFAULT_MIN_DOCUMENTS)]
    pub(crate) window_min_documents: usize,
}

#[derive(Subcommand)]
pub(crate) enum BenchCommand {
    /// NER alone over the articles and comments of a corpus: words/s and peak memory.
    Ner(BenchNerArgs),
}

#[derive(Args)]
pub(crate) struct BenchNerArgs {
    /// Files or directories of the corpus to read (as `run` reads them).
    #[arg(required = true, value_hint = ValueHint::AnyPath)]
    pub(crate) inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) model: NerModelArgs,
    #[command(flatten)]
    pub(crate) runtime: Runtime,
    #[command(flatten)]
    pub(crate) windows: Windows,
    /// Only the first N documents.
    #[arg(long)]
    pub(crate) limit: Option<usize>,
    /// Also write the texts processed, one JSON string per line (for the Python side of the benchmark).
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub(crate) texts_out: Option<PathBuf>,
    /// Only write --texts-out and print the counts; load no model.
    #[arg(long, requires = "texts_out")]
    pub(crate) texts_only: bool,
}

#[derive(Subcommand)]
pub(crate) enum EvalCommand {
    /// NER on a gold file: CoNLL-style (token first column, tag last; IOB1 or IOB2), WNUT-17,
    /// Tweebank-NER or Broad Twitter Corpus.
    Ner(EvalNerArgs),
    /// Stance on a gold set: per-class P/R/F1, macro F1 (and favour/against F1 for P-Stance, SemEval).
    Stance(EvalStanceArgs),
    /// Linking on our comment mentions (data/link-dev/mentions.tsv): B-cubed P/R/F1, pronoun P/R.
    /// Links the documents and NER spans of a store made by `stancegraph run` on the threads afresh.
    Link(EvalLinkArgs),
}

#[derive(Args)]
pub(crate) struct EvalNerArgs {
    /// The gold file (in --format).
    #[arg(value_hint = ValueHint::FilePath)]
    pub(crate) file: PathBuf,
    /// Gold format: conll (PER, ORG, LOC, MISC scored), wnut17 (person → PER, location → LOC,
    /// corporation and group → ORG, product and creative-work → O; PER, ORG, LOC scored, predicted
    /// MISC dropped), tweebank (Tweebank-NER .bio; PER, ORG, LOC, MISC scored) or btc (Broad Twitter
    /// Corpus; PER, ORG, LOC scored, predicted MISC dropped); the last three: one text per post.
    #[arg(long, value_enum, default_value = "conll")]
    pub(crate) format: NerFormat,
    #[command(flatten)]
    pub(crate) model: NerModelArgs,
    #[command(flatten)]
    pub(crate) runtime: Runtime,
    #[command(flatten)]
    pub(crate) windows: Windows,
}

#[derive(Args)]
pub(crate) struct EvalStanceArgs {
    /// The gold file (in --format); for P-Stance also the folder of its CSV files.
    #[arg(value_hint = ValueHint::AnyPath)]
    pub(crate) file: PathBuf,
    /// Gold format.
    #[arg(long, value_enum)]
    pub(crate) format: StanceFormat,
    /// The folder of all the models (stance-comments/, stance/, stance-accurate/). Default: the shipped ones.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) models: Option<PathBuf>,
    /// Stance classifier: `comments` (MODELS/stance-comments, the default), `fast` (MODELS/stance),
    /// `accurate` (MODELS/stance-accurate), `baseline` (the VADER lexicon) or a model directory
    /// (`--model` is the same flag).
    #[arg(long, visible_alias = "model", value_name = "comments|fast|accurate|baseline|DIR",
          default_value = "comments", value_parser = parse_stance_choice, value_hint = ValueHint::DirPath)]
    pub(crate) stance_model: StanceChoice,
    /// Score the lexicon baseline: the same as `--stance-model baseline`.
    #[arg(long, conflicts_with = "stance_model")]
    pub(crate) baseline: bool,
    /// The literature's P-Stance/SemEval protocol: leave out gold NONE rows and answer the more
    /// probable of favour and against (`--favor-against-only` is the same flag).
    #[arg(long, visible_alias = "favor-against-only")]
    pub(crate) favour_against_only: bool,
    /// Which part of the examples' conversation (thread title, replied-to text) the questions carry:
    /// read (both), none, parent, title; the ablations of a model that reads it.
    #[arg(long, value_enum, default_value = "read")]
    pub(crate) conversation: Conversation,
    /// Also write each example's answer to FILE, one JSON object a line: its index in the gold
    /// file, target, gold and predicted label, confidence and the three probabilities (the comment
    /// set adds source, key, entity_id, kind and doubt). No text is written.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) predictions: Option<PathBuf>,
    /// The data folder `--format comments` joins its comment texts from.
    #[arg(long, default_value = stancegraph::eval::comment_set::DEFAULT_DATA_DIR, value_hint = ValueHint::DirPath)]
    pub(crate) data: PathBuf,
    #[command(flatten)]
    pub(crate) runtime: Runtime,
}

#[derive(Args)]
pub(crate) struct EvalLinkArgs {
    /// The hand-labelled mentions (data/link-dev/mentions.tsv).
    #[arg(value_hint = ValueHint::FilePath)]
    pub(crate) file: PathBuf,
    /// The corpus store of a run over the threads the set names.
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub(crate) store: PathBuf,
}

fn parse_precision(s: &str) -> Result<Precision, String> {
    Precision::parse(s).ok_or_else(|| format!("unknown precision {s:?} (auto, fp32, bf16, int8)"))
}

fn parse_device(s: &str) -> Result<DeviceChoice, String> {
    DeviceChoice::parse(s).ok_or_else(|| format!("unknown device {s:?} (auto, cpu, cuda)"))
}

/// `baseline`, or a stance model (`comments`, `fast`, `accurate`, a
/// directory; `./baseline` for a directory of that name).
fn parse_stance_choice(s: &str) -> Result<StanceChoice, String> {
    match s {
        "" => Err("empty: comments, fast, accurate, baseline or a model directory".into()),
        "baseline" => Ok(StanceChoice::Baseline),
        model => Ok(StanceChoice::Model(StanceModelChoice::parse(model))),
    }
}

/// `--types`, taking the American spelling `organization` for `organisation`.
fn parse_types(s: &str) -> Result<TypeList, String> {
    let british: Vec<&str> = s
        .split(',')
        .map(|part| if part.trim().eq_ignore_ascii_case("organization") { "organisation" } else { part })
        .collect();
    GraphOptions::parse_types(&british.join(",")).map(TypeList)
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    Shard::parse(s).ok_or_else(|| format!("{s:?} is not a shard K/N with 0 <= K < N"))
}

fn parse_day(s: &str) -> Result<String, String> {
    if stancegraph::dates::calendar_date(s) {
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

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{s:?}: give a number of threads, at least 1")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every argument of every command, hidden ones too, says what it is for.
    #[test]
    fn every_argument_of_every_command_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name()).trim().to_string();
            if cmd.get_about().is_none_or(|a| a.to_string().trim().is_empty()) {
                missing.push(format!("{path} (the command)"));
            }
            for arg in cmd.get_arguments() {
                let help = arg.get_help().or(arg.get_long_help()).map(|h| h.to_string()).unwrap_or_default();
                if help.trim().is_empty() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &path, missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
        // The walk did reach the nested commands and their flattened flags.
        let eval = cmd.find_subcommand("eval").unwrap();
        let stance = eval.find_subcommand("stance").unwrap();
        assert!(stance.get_arguments().any(|a| a.get_id() == "threads"));
    }

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn threads_is_at_least_one() {
        use clap::Parser;
        let run = |n: &str| Cli::try_parse_from(["stancegraph", "run", "in", "--out", "o", "--threads", n]);
        let err = run("0").err().unwrap().to_string();
        assert!(err.contains("give a number of threads, at least 1"), "{err}");
        assert!(run("2").is_ok());
    }

    #[test]
    fn organization_is_organisation() {
        let us = parse_types("person, Organization").unwrap().0;
        assert_eq!(us, parse_types("person,organisation").unwrap().0);
        assert!(parse_types("organizations").is_err());
    }

    #[test]
    fn stance_model_names_and_the_baseline() {
        assert_eq!(parse_stance_choice("baseline").unwrap(), StanceChoice::Baseline);
        assert_eq!(parse_stance_choice("fast").unwrap(), StanceChoice::Model(StanceModelChoice::Fast));
        let dir = StanceModelChoice::Path(PathBuf::from("./baseline"));
        assert_eq!(parse_stance_choice("./baseline").unwrap(), StanceChoice::Model(dir));
        assert!(parse_stance_choice("").is_err());
    }
}
