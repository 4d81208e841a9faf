//! Named-entity recognition: runs our fine-tuned transformer over texts and
//! returns whole-word entity spans with character offsets into the original
//! text. Owns model loading, tokenization, batching, sliding windows and the
//! merging of word pieces into spans.

use serde::{Deserialize, Serialize};

/// The entity classes the model predicts (CoNLL-2003 scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organisation,
    Location,
    Misc,
}

/// One entity found in a text. `start..end` are character (not byte) offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitySpan {
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
    pub text: String,
    /// Mean probability of the predicted labels over the span's pieces.
    pub score: f32,
}
