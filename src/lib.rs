//! stancegraph: per-comment stance toward the people, countries and
//! organisations a news corpus talks about, exported as a Gephi graph.
//!
//! The pipeline is a chain of stages, each in its own module, each taking the
//! previous stage's typed records and producing its own:
//!
//! `corpus` (files → [`corpus::Document`]) → `ner` (text → [`ner::EntitySpan`])
//! → `link` (spans → canonical [`link::Entity`] + [`link::Mention`]) → `stance`
//! (comment × entity → [`stance::StanceRecord`]) → `graph` (records → nodes and
//! edges) → `export` (graph and records → files). `pipeline` wires them
//! together; `eval` measures the model stages on gold data.

pub mod corpus;
pub mod eval;
pub mod export;
pub mod graph;
pub mod link;
pub mod ner;
pub mod pipeline;
pub mod stance;
