//! Evaluation on gold data: `stancegraph eval ner [--format conll|wnut17]
//! FILE` (conlleval-style entity-level scores) and `stancegraph eval stance --format F FILE`
//! (per-class and macro F1). Each submodule reads its gold format, runs the
//! model the way the pipeline does, and scores it.

pub mod calibration;
pub mod comment_set;
pub mod conversations;
pub mod ner;
pub mod stance;

pub use ner::{eval_ner, NerFormat, NerScore};
