//! Colours, sizes and thickness of the graph files (the `viz` namespace).
//!
//! Nodes by type (Okabe–Ito colour-blind-safe palette, commenters and articles
//! in greys so that entities stand out):
//!
//! | type         | colour          | rgb           |
//! |--------------|-----------------|---------------|
//! | person       | blue            | 0, 114, 178   |
//! | country      | orange          | 230, 159, 0   |
//! | organisation | reddish purple  | 204, 121, 167 |
//! | location     | bluish green    | 0, 158, 115   |
//! | misc         | sky blue        | 86, 180, 233  |
//! | commenter    | light grey      | 170, 170, 170 |
//! | article      | dark grey       | 85, 85, 85    |
//!
//! Stance edges by their final stance: favour green (26, 152, 80), against
//! red (215, 48, 39), mixed purple (118, 42, 131), neutral grey (150, 150,
//! 150). Mention edges light blue (128, 160, 200), commented edges very light
//! grey (215, 215, 215), reply edges slate blue (90, 90, 160). The colours
//! are the final picture; over the timeline, Gephi recolours by the dynamic
//! `stance` attribute (Appearance → Partition, with auto-apply).
//!
//! Node sizes grow with the square root of a count, relative to the largest
//! of its kind in the graph, so the default layout stays readable whatever
//! the corpus size: entities 8–48 by `mentions`, articles 5–15 by
//! `entity_mentions`, commenters 3–15 by `comments_written`. Edge thickness
//! is `1 + log2(weight)`.
//!

use crate::graph::{Edge, EdgeKind, Graph, Node, NodeKind, StanceHistory, StanceLabel};
use crate::link::EntityType;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The fixed colour of a node type (see the module docs).
pub(crate) fn node_colour(kind: NodeKind) -> Rgb {
    match kind {
        NodeKind::Entity(EntityType::Person) => Rgb(0, 114, 178),
        NodeKind::Entity(EntityType::Country) => Rgb(230, 159, 0),
        NodeKind::Entity(EntityType::Organisation) => Rgb(204, 121, 167),
        NodeKind::Entity(EntityType::Location) => Rgb(0, 158, 115),
        NodeKind::Entity(EntityType::Misc) => Rgb(86, 180, 233),
        NodeKind::Commenter => Rgb(170, 170, 170),
        NodeKind::Article => Rgb(85, 85, 85),
    }
}

const NEUTRAL_GREY: Rgb = Rgb(150, 150, 150);
const FAVOUR_GREEN: Rgb = Rgb(26, 152, 80);
const AGAINST_RED: Rgb = Rgb(215, 48, 39);
const MIXED_PURPLE: Rgb = Rgb(118, 42, 131);

const BALANCE_GREY: Rgb = Rgb(200, 200, 200);

/// An entity's colour in `entities.gexf`: its final favour/against balance
/// (`net`, −1 to 1) from red through light grey to green; light grey
/// without any kept record.
pub fn balance_colour(stance: Option<&StanceHistory>) -> Rgb {
    let net = stance.map_or(0.0, |h| h.total().net()).clamp(-1.0, 1.0);
    let towards = if net >= 0.0 { FAVOUR_GREEN } else { AGAINST_RED };
    let mix = |from: u8, to: u8| (from as f64 + (to as f64 - from as f64) * net.abs()).round() as u8;
    Rgb(mix(BALANCE_GREY.0, towards.0), mix(BALANCE_GREY.1, towards.1), mix(BALANCE_GREY.2, towards.2))
}

/// The colour of a stance label.
pub(crate) fn stance_colour(label: StanceLabel) -> Rgb {
    match label {
        StanceLabel::Favour => FAVOUR_GREEN,
        StanceLabel::Against => AGAINST_RED,
        StanceLabel::Mixed => MIXED_PURPLE,
        StanceLabel::Neutral => NEUTRAL_GREY,
    }
}

/// The colour of an edge: stance edges by their final stance.
pub(crate) fn edge_colour(e: &Edge) -> Rgb {
    match e.kind {
        EdgeKind::Stance => stance_colour(final_label(e.stance.as_ref()).unwrap_or(StanceLabel::Neutral)),
        EdgeKind::Mention => Rgb(128, 160, 200),
        EdgeKind::Commented => Rgb(215, 215, 215),
        EdgeKind::Reply => Rgb(90, 90, 160),
    }
}

/// The stance over all records.
pub(super) fn final_label(h: Option<&StanceHistory>) -> Option<StanceLabel> {
    h.and_then(|h| h.total().label())
}

/// The largest count of each node kind, for [`Sizes::of`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    entity: usize,
    article: usize,
    commenter: usize,
}

impl Sizes {
    /// The ranges: (smallest, largest) size per kind.
    pub(crate) const ENTITY: (f64, f64) = (8.0, 48.0);
    pub const ARTICLE: (f64, f64) = (5.0, 15.0);
    pub(crate) const COMMENTER: (f64, f64) = (3.0, 15.0);

    pub fn new(g: &Graph) -> Sizes {
        Sizes::of_nodes(&g.nodes)
    }

    /// The largest counts among `nodes`.
    pub(crate) fn of_nodes<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> Sizes {
        let mut s = Sizes::default();
        for n in nodes {
            let count = Sizes::count(n);
            match n.kind {
                NodeKind::Entity(_) => s.entity = s.entity.max(count),
                NodeKind::Article => s.article = s.article.max(count),
                NodeKind::Commenter => s.commenter = s.commenter.max(count),
            }
        }
        s
    }

    /// The count a node is sized by.
    fn count(n: &Node) -> usize {
        match n.kind {
            NodeKind::Entity(_) => n.mentions,
            NodeKind::Article => n.entity_mentions,
            NodeKind::Commenter => n.comments_written,
        }
        .unwrap_or(0)
    }

    /// Display size of a node: the square root of its count over the largest
    /// of its kind, mapped onto its kind's range (see the module docs).
    pub fn of(&self, n: &Node) -> f64 {
        let (max, (low, high)) = match n.kind {
            NodeKind::Entity(_) => (self.entity, Sizes::ENTITY),
            NodeKind::Article => (self.article, Sizes::ARTICLE),
            NodeKind::Commenter => (self.commenter, Sizes::COMMENTER),
        };
        if max == 0 {
            return low;
        }
        low + (high - low) * (Sizes::count(n) as f64 / max as f64).sqrt()
    }
}

/// Display thickness of an edge: `1 + log2(weight)` (1 for weights up to 1).
pub fn thickness(weight: f64) -> f64 {
    1.0 + weight.max(1.0).log2()
}

/// Camp colours in `commenters.gexf`, camp 1 (the biggest) first (Okabe–Ito
/// without its black and grey). Camps 8 and later, the smallest, share
/// [`SMALL_CAMP_GREY`] rather than repeat a colour of a bigger camp.
pub(crate) const CAMP_COLOURS: [Rgb; 7] = [
    Rgb(230, 159, 0),
    Rgb(0, 114, 178),
    Rgb(0, 158, 115),
    Rgb(213, 94, 0),
    Rgb(204, 121, 167),
    Rgb(86, 180, 233),
    Rgb(240, 228, 66),
];
/// A commenter in no camp, and an agreement edge across camps.
pub(crate) const NO_CAMP_GREY: Rgb = Rgb(170, 170, 170);
/// Commenters and edges of camps 8 and later.
pub(crate) const SMALL_CAMP_GREY: Rgb = Rgb(105, 105, 105);
/// Co-mention edges in `entities.gexf`.
pub(crate) const CO_MENTION_BLUE: Rgb = Rgb(128, 160, 200);

/// The colour of a camp (`None`: no camp, grey).
pub(crate) fn camp_colour(camp: Option<usize>) -> Rgb {
    match camp {
        Some(c) if (1..=CAMP_COLOURS.len()).contains(&c) => CAMP_COLOURS[c - 1],
        Some(c) if c > 0 => SMALL_CAMP_GREY,
        _ => NO_CAMP_GREY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stance_labels_have_four_colours() {
        let colours: std::collections::HashSet<Rgb> =
            [StanceLabel::Favour, StanceLabel::Against, StanceLabel::Neutral, StanceLabel::Mixed]
                .into_iter()
                .map(stance_colour)
                .collect();
        assert_eq!(colours.len(), 4);
        assert_eq!(stance_colour(StanceLabel::Neutral), NEUTRAL_GREY);
        assert_eq!(stance_colour(StanceLabel::Favour), FAVOUR_GREEN);
        assert_eq!(stance_colour(StanceLabel::Against), AGAINST_RED);
    }

    #[test]
    fn thickness_grows_with_log_weight() {
        assert_eq!((thickness(0.0), thickness(1.0), thickness(8.0)), (1.0, 1.0, 4.0));
    }
}
