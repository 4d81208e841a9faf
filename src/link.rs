//! Entity linking: turns NER spans into mentions of canonical entities
//! ("US", "USA", "the U.S.", "American" → United States; "Kishida" → Fumio
//! Kishida; "she" → the person meant). Owns the country table, the alias
//! rules, pronoun resolution and the registry that keeps ids stable.

use serde::{Deserialize, Serialize};

/// The type of a canonical entity (a graph node attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Person,
    Country,
    Organisation,
    Location,
    Misc,
}

/// A canonical entity: one node in the graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id: ISO alpha-3 for countries (`USA`), else a slug of type and label
    /// (`person:fumio-kishida`).
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// Surface forms seen, sorted.
    pub aliases: Vec<String>,
    pub mentions: usize,
}

/// Where a mention sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Article,
    /// 0-based comment index.
    Comment(usize),
}

/// How a mention was tied to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkedBy {
    /// The NER span's own name (or an alias / demonym of it).
    Name,
    /// A country name or demonym the NER model missed, found by the table.
    Gazetteer,
    /// A pronoun resolved to an entity.
    Pronoun,
}

/// One mention of a canonical entity in an article or comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub doc_id: String,
    pub source: Source,
    /// Character offsets into the article or comment text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub entity_id: String,
    pub linked_by: LinkedBy,
}

use crate::corpus::Document;
use crate::ner::EntitySpan;

/// NER output for one document: the spans of its article and of each comment
/// (same order as `Document::comments`).
#[derive(Debug, Clone, Default)]
pub struct DocumentSpans {
    pub article: Vec<EntitySpan>,
    pub comments: Vec<Vec<EntitySpan>>,
}
