//! Log lines of a run or an export: timestamped, on stderr, info lines
//! dropped with `--quiet`, and on a terminal a progress bar that each step
//! resets with its own name and length.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

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

    pub(super) fn stage(&self, message: &str, total: usize) {
        if let Some(bar) = &self.bar {
            bar.reset();
            bar.set_length(total as u64);
            bar.set_message(message.to_string());
        }
    }

    pub(super) fn inc(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
