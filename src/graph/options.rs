//! What the graph holds: the entity types, the mention and confidence
//! floors, the entity cap and whether every commenter and article stays
//! ([`GraphOptions`]), with the parsers of their command-line flags.

use super::entity_type_name;
use crate::link::EntityType;

/// What the graph holds: entities of the chosen types mentioned at least
/// `min_mentions` times (in articles and comments of the exported
/// documents), at most `max_entities` of them (the most mentioned, ties to
/// the smaller id); the commenters with a kept stance record toward an
/// entity shown and the articles that keep an edge, unless `all_nodes`;
/// stance records at or above `min_confidence`. What the cap and the
/// commenter/article rule leave out is counted ([`super::LeftOut`]). The
/// records are not filtered, only the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphOptions {
    /// Entity types shown, sorted, without repeats.
    pub types: Vec<EntityType>,
    /// Entities mentioned fewer times are left out (0 counts as 1).
    pub min_mentions: usize,
    /// Stance records with a lower confidence are left out (0: none).
    pub min_confidence: f32,
    /// At most this many entities: the most mentioned (0: no cap).
    pub max_entities: usize,
    /// Keep every commenter and article; by default commenters without a
    /// kept stance record, and articles left without any edge, are left out.
    pub all_nodes: bool,
    /// `commenters.gexf` links two commenters only when both took a side on
    /// at least this many of the same entities.
    pub min_shared_entities: usize,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            types: GraphOptions::DEFAULT_TYPES.to_vec(),
            min_mentions: GraphOptions::DEFAULT_MIN_MENTIONS,
            min_confidence: 0.0,
            max_entities: GraphOptions::DEFAULT_MAX_ENTITIES,
            all_nodes: false,
            min_shared_entities: GraphOptions::DEFAULT_MIN_SHARED_ENTITIES,
        }
    }
}

impl GraphOptions {
    pub(crate) const DEFAULT_TYPES: [EntityType; 3] =
        [EntityType::Person, EntityType::Country, EntityType::Organisation];
    pub const DEFAULT_MIN_MENTIONS: usize = 1;
    pub const DEFAULT_MAX_ENTITIES: usize = 500;
    pub const DEFAULT_MIN_SHARED_ENTITIES: usize = 2;

    /// Every node and edge the records allow: no cap, every commenter and
    /// article, commenters linked on one shared entity.
    pub fn everything() -> GraphOptions {
        GraphOptions { max_entities: 0, all_nodes: true, min_shared_entities: 1, ..GraphOptions::default() }
    }
    /// Every type, in the order of `--types` help.
    pub const ALL_TYPES: [EntityType; 5] =
        [EntityType::Person, EntityType::Country, EntityType::Organisation, EntityType::Location, EntityType::Misc];

    /// Parses `--types`: comma-separated type names (`person`, `country`,
    /// `organisation`, `location`, `misc`), case-insensitive; sorted and
    /// without repeats.
    pub fn parse_types(s: &str) -> Result<Vec<EntityType>, String> {
        let mut types = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let t = GraphOptions::ALL_TYPES
                .into_iter()
                .find(|t| entity_type_name(*t).eq_ignore_ascii_case(part))
                .ok_or_else(|| {
                    format!("unknown entity type {part:?} (person, country, organisation, location, misc)")
                })?;
            types.push(t);
        }
        if types.is_empty() {
            return Err("no entity type given (person, country, organisation, location, misc)".into());
        }
        types.sort();
        types.dedup();
        Ok(types)
    }

    /// Parses `--min-confidence`: a number in `[0, 1]`.
    pub fn parse_confidence(s: &str) -> Result<f32, String> {
        match s.trim().parse::<f32>() {
            Ok(c) if (0.0..=1.0).contains(&c) => Ok(c),
            _ => Err(format!("{s:?} is not a confidence between 0 and 1")),
        }
    }

    /// Whether a record with this confidence counts in the graph.
    pub(crate) fn keeps_confidence(&self, confidence: f32) -> bool {
        self.min_confidence <= 0.0 || confidence >= self.min_confidence
    }
}
