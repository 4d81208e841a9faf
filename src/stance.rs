//! Stance: decides what each comment thinks of each entity it targets
//! (favour / against / neutral, with a confidence).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Favour,
    Against,
    Neutral,
}

/// One line of `stances.jsonl`: a comment's stance toward one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceRecord {
    pub doc_id: String,
    /// 0-based index of the comment in its document.
    pub comment: usize,
    pub author: String,
    pub entity_id: String,
    pub entity: String,
    pub entity_type: crate::link::EntityType,
    pub stance: Stance,
    pub confidence: f32,
}
