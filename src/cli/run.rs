//! `stancegraph run`: a corpus in, the store updated, the export set out
//! (or, with `--shard K/N`, one shard's store and no exports).

use std::path::PathBuf;
use std::process::ExitCode;

use stancegraph::pipeline::{self, RunOptions};

use super::args::{RunArgs, StanceChoice};

impl From<RunArgs> for RunOptions {
    fn from(args: RunArgs) -> RunOptions {
        // A shard writes no exports: its folder is the shard store's.
        let out = match (&args.out, &args.store) {
            (Some(out), _) => out.clone(),
            (None, Some(store)) => store.parent().map(PathBuf::from).unwrap_or_default(),
            (None, None) => unreachable!("clap requires --out or --shard with --store"),
        };
        let out = if out.as_os_str().is_empty() { PathBuf::from(".") } else { out };
        let mut pipeline = args.pipeline;
        if args.stance.as_deref() == Some("baseline") {
            pipeline.models.stance_model = StanceChoice::Baseline;
        }
        RunOptions {
            inputs: args.inputs,
            shard: args.shard,
            reprocess: args.reprocess,
            max_text_chars: args.max_text_chars,
            chunk_chars: args.chunk_chars.max(1),
            chunk_pairs: args.chunk_pairs.max(1),
            ..pipeline.options(out, args.store)
        }
    }
}

/// Exit code 1 when input files or lines were skipped.
pub(crate) fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let report = pipeline::run(&RunOptions::from(args))?;
    Ok(if report.skipped > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
