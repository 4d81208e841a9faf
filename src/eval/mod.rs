//! Evaluation on gold data: `stancegraph eval ner [--format conll|wnut17|tweebank|btc]
//! FILE` (conlleval-style entity-level scores) and `stancegraph eval stance --format F FILE`
//! (per-class and macro F1), `stancegraph eval link FILE --store PATH`
//! (B-cubed and pronoun links on our comment mentions). Each submodule reads its gold format, runs the
//! model the way the pipeline does, and scores it.

pub mod calibration;
pub mod comment_set;
pub mod conversations;
pub mod csv;
pub mod example;
pub mod formats;
pub mod link;
pub mod mentions;
pub mod ner;
pub mod stance;

pub use ner::{eval_ner, NerFormat, NerScore};
