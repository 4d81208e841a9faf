//! Helpers shared by the linker's unit tests: documents, spans over a
//! needle's occurrence, and linking one text.

use std::path::PathBuf;

use super::{DocumentSpans, LinkedBy, Linker};
use crate::corpus::{Comment, Document};
use crate::ner::{EntityKind, EntitySpan};

pub(super) fn doc(article: &str, comments: &[(&str, Option<usize>)]) -> Document {
    Document {
        id: "d".into(),
        path: PathBuf::from("d.txt"),
        date: None,
        title: None,
        text: article.into(),
        comments: comments
            .iter()
            .map(|(text, parent)| Comment {
                id: None,
                author: "a".into(),
                text: (*text).into(),
                parent: *parent,
                date: None,
            })
            .collect(),
    }
}

/// A span over the `nth` whole occurrence of `needle` (char offsets).
pub(super) fn span(text: &str, needle: &str, nth: usize, kind: EntityKind) -> EntitySpan {
    let byte = text.match_indices(needle).map(|(b, _)| b).nth(nth).unwrap_or_else(|| panic!("{needle} in {text}"));
    let start = text[..byte].chars().count();
    EntitySpan { start, end: start + needle.chars().count(), kind, text: needle.into(), score: 0.9 }
}

pub(super) fn link_text(linker: &mut Linker, text: &str, spans: Vec<EntitySpan>) -> Vec<(String, String, LinkedBy)> {
    let d = doc(text, &[]);
    linker
        .link(&d, &DocumentSpans { article: spans, comments: vec![] })
        .into_iter()
        .map(|m| (m.text, m.entity_id, m.linked_by))
        .collect()
}

pub(super) fn gazetteer_hits(text: &str) -> Vec<(String, String)> {
    let mut linker = Linker::new();
    link_text(&mut linker, text, vec![]).into_iter().map(|(t, id, _)| (t, id)).collect()
}
