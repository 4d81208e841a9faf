//! Evaluation on gold data: `stancegraph eval ner FILE` (conlleval-style
//! entity-level precision / recall / F1).
