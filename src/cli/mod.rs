//! The command line: the argument definitions (`args`, with the long help
//! texts of `help`), the conversion of shared arguments into the library's
//! options (`options`), and one file per command. `main.rs` parses, calls
//! the command and turns its error into an exit code.

pub(crate) mod args;
pub(crate) mod bench;
pub(crate) mod eval;
pub(crate) mod export;
pub(crate) mod generate;
mod help;
pub(crate) mod merge;
mod options;
pub(crate) mod recover;
pub(crate) mod run;
