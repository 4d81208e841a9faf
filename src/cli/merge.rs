//! `stancegraph merge`: the reduce step of a Slurm job array. The shard
//! stores go into the corpus store, which is linked, its open stance
//! questions answered (by the `--stance-model` given, the baseline too) and
//! exported.

use std::process::ExitCode;

use stancegraph::pipeline::{self, RunOptions};

use super::args::MergeArgs;

impl From<MergeArgs> for RunOptions {
    fn from(args: MergeArgs) -> RunOptions {
        RunOptions { merge_from: args.shards, ..args.pipeline.options(args.out, args.store) }
    }
}

pub(crate) fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    pipeline::run(&RunOptions::from(args))?;
    Ok(ExitCode::SUCCESS)
}
