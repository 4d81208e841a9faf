//! Shell completions and man pages, rendered from the same definitions as
//! the parser (`args`), for `make install`.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;

use super::args::Cli;

/// `stancegraph completions SHELL`: the script on stdout.
pub(crate) fn completions(shell: Shell) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "stancegraph", &mut script);
    io::stdout().write_all(&script).context("cannot write the completion script")?;
    Ok(ExitCode::SUCCESS)
}

/// `stancegraph man DIR`: stancegraph.1 and a page per visible command
/// (stancegraph-run.1, stancegraph-eval-stance.1, ...).
pub(crate) fn man_pages(dir: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    write_pages(&cli, dir).with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// The page of `cmd` and of each visible command under it.
fn write_pages(cmd: &clap::Command, dir: &Path) -> io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    let man = Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut page)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut page)?;
    }
    // The epilogue is laid out in columns: kept as written, not filled.
    if let Some(text) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        page.extend(preformatted("NOTES", &text.to_string()).into_bytes());
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut page)?;
    }
    std::fs::write(dir.join(format!("{name}.1")), page)
}

/// A man page section of `text` line for line (no filling), escaped for roff.
fn preformatted(title: &str, text: &str) -> String {
    let mut out = format!(".SH {title}\n.nf\n");
    for line in text.lines() {
        let escaped: String = line
            .chars()
            .map(|c| match c {
                '\\' => "\\e".to_string(),
                '-' => "\\-".to_string(),
                c if c.is_ascii() => c.to_string(),
                c => format!("\\[u{:04X}]", c as u32),
            })
            .collect();
        if escaped.starts_with(['.', '\'']) {
            out.push_str("\\&");
        }
        out.push_str(&escaped);
        out.push('\n');
    }
    out + ".fi\n"
}
