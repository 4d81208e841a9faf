//! The `stancegraph` binary: parses the command line (`cli::args`), runs the
//! command (one file each under `cli/`) and turns what happened into an exit
//! code for cron (the EXIT CODES of `run --help`). Every error is reported
//! here, once, as one timestamped line.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::args::{BenchCommand, Cli, Command, EvalCommand};
use stancegraph::outputs::OutputError;
use stancegraph::store::StoreError;

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
                stancegraph::dates::now_utc(),
                stancegraph::escape_log(what.trim_start_matches("error: "))
            );
            return ExitCode::from(2);
        }
    };
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "{} stancegraph: error: {}",
                stancegraph::dates::now_utc(),
                stancegraph::escape_log(&error_text(&e))
            );
            ExitCode::from(exit_code(&e))
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run(args) => cli::run::run(args),
        Command::Merge(args) => cli::merge::merge(args),
        Command::Export(args) => cli::export::export(args),
        Command::Recover(args) => cli::recover::recover(args),
        Command::Eval { what: EvalCommand::Ner(args) } => cli::eval::ner(args),
        Command::Eval { what: EvalCommand::Stance(args) } => cli::eval::stance(args),
        Command::Eval { what: EvalCommand::Link(args) } => cli::eval::link(args),
        Command::Bench { what: BenchCommand::Ner(args) } => cli::bench::ner(args),
        Command::Completions { shell } => cli::generate::completions(shell),
        Command::Man { dir } => cli::generate::man_pages(&dir),
    }
}

/// The error's chain, each cause once (an error that names its source in
/// its own text is not followed by the source again).
fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain().map(|c| c.to_string()) {
        if !text.contains(&cause) {
            text += if text.is_empty() { "" } else { ": " };
            text += &cause;
        }
    }
    text
}

/// 3 busy, 4 damaged store, 5 not published (shrink), 6 an empty export
/// (a range without documents, or graph filters without entities), 2
/// anything else (1, skipped inputs, is a successful run's).
fn exit_code(e: &anyhow::Error) -> u8 {
    match (e.downcast_ref::<StoreError>(), e.downcast_ref::<OutputError>()) {
        (Some(StoreError::Busy { .. }), _) | (_, Some(OutputError::Busy { .. })) => 3,
        (Some(StoreError::Damaged { .. }), _) => 4,
        (_, Some(OutputError::Shrink { .. })) => 5,
        (_, Some(OutputError::NothingMatched { .. } | OutputError::NoEntityShown { .. })) => 6,
        _ => 2,
    }
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
