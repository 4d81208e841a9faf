//! The linker's corpus state kept between runs: the entities, keys, name
//! indexes and name evidence after the last linking, written as JSON with
//! the version of the rules that made it. A night reads it back and links
//! only its new and changed documents against it; a state of another
//! version (or none) means a full relink.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Linker;

/// Bumped whenever the state's fields or their meaning change (2: the
/// corpus's lower-case Misc phrases; 3: a person's gender counts include
/// the comment pronouns resolved to it).
const STATE_FORMAT: u32 = 3;

#[derive(Deserialize)]
struct Kept {
    version: String,
    linker: Linker,
}

#[derive(Serialize)]
struct KeptRef<'a> {
    version: String,
    linker: &'a Linker,
}

/// The rules' version a kept state must carry to be used.
fn version() -> String {
    format!("{} state {STATE_FORMAT}", env!("CARGO_PKG_VERSION"))
}

impl Linker {
    /// The corpus state, to be kept in the store with the linking.
    pub fn save_state(&self) -> String {
        let kept = KeptRef { version: version(), linker: self };
        serde_json::to_string(&kept).expect("the linker state serialises")
    }

    /// A linker holding a kept state; `None` when the state was made by
    /// other rules (another version) or cannot be read.
    pub fn from_state(text: &str) -> Option<Linker> {
        let kept: Kept = serde_json::from_str(text).ok()?;
        (kept.version == version()).then_some(kept.linker)
    }

    /// Takes back the mentions an earlier version of a changed document
    /// gave to its entities (fresh id → mentions), before the new version
    /// is linked.
    pub fn forget_mentions(&mut self, counts: &HashMap<String, usize>) {
        for (id, n) in counts {
            if let Some(rec) = self.entities.get_mut(id) {
                rec.mentions = rec.mentions.saturating_sub(*n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::test_util::{link_text, span};
    use crate::ner::EntityKind;

    #[test]
    fn a_kept_state_links_the_next_document_as_the_linker_would() {
        let first = "Joe Biden met Fumio Kishida in Tokyo.";
        let second = "Biden thanked Kishida.";
        let spans1 = |t: &str| {
            vec![
                span(t, "Joe Biden", 0, EntityKind::Person),
                span(t, "Fumio Kishida", 0, EntityKind::Person),
                span(t, "Tokyo", 0, EntityKind::Location),
            ]
        };
        let spans2 = |t: &str| vec![span(t, "Biden", 0, EntityKind::Person), span(t, "Kishida", 0, EntityKind::Person)];
        let mut straight = Linker::new();
        link_text(&mut straight, first, spans1(first));
        let mut kept = Linker::from_state(&straight.save_state()).expect("same version");
        let a = link_text(&mut straight, second, spans2(second));
        let b = link_text(&mut kept, second, spans2(second));
        assert_eq!(a, b);
        assert_eq!(straight.entities(), kept.entities());
        assert_eq!(straight.save_state().len(), kept.save_state().len());
    }

    #[test]
    fn a_state_of_other_rules_is_not_used() {
        let state = Linker::new().save_state();
        let other = state.replace(&version(), "0.0.0 state 0");
        assert!(Linker::from_state(&state).is_some());
        assert!(Linker::from_state(&other).is_none());
        assert!(Linker::from_state("not json").is_none());
    }
}
