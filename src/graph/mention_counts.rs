//! Mentions counted per document, place (article or comment), entity and
//! linking rule: all that the graphs, the summary and the report need of
//! them, so an export holds these counts rather than every mention
//! (`mentions.jsonl` reads its rows from the store as it writes them).

use std::collections::HashMap;

use crate::link::{LinkedBy, Mention, Source};

/// How many mentions of one entity one article or comment holds, by one
/// linking rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionCount {
    pub doc_id: String,
    pub source: Source,
    pub entity_id: String,
    pub linked_by: LinkedBy,
    pub count: usize,
}

/// A mention or a count of them: what the graph builders read.
pub trait CountedMention {
    fn doc_id(&self) -> &str;
    fn source(&self) -> Source;
    fn entity_id(&self) -> &str;
    fn linked_by(&self) -> LinkedBy;
    /// How many mentions this stands for.
    fn count(&self) -> usize;
}

impl CountedMention for Mention {
    fn doc_id(&self) -> &str {
        &self.doc_id
    }
    fn source(&self) -> Source {
        self.source
    }
    fn entity_id(&self) -> &str {
        &self.entity_id
    }
    fn linked_by(&self) -> LinkedBy {
        self.linked_by
    }
    fn count(&self) -> usize {
        1
    }
}

impl CountedMention for MentionCount {
    fn doc_id(&self) -> &str {
        &self.doc_id
    }
    fn source(&self) -> Source {
        self.source
    }
    fn entity_id(&self) -> &str {
        &self.entity_id
    }
    fn linked_by(&self) -> LinkedBy {
        self.linked_by
    }
    fn count(&self) -> usize {
        self.count
    }
}

/// Counts mentions as they come, in the order each (place, entity, rule)
/// is first seen. Only the current document's places are looked up, so
/// mentions read document by document (as the store gives them) are
/// counted with memory for one document's keys; a document met again later
/// starts new counts, which every reader adds up the same way.
#[derive(Debug, Default)]
pub struct MentionTally {
    doc_id: String,
    index: HashMap<(Source, String, LinkedBy), usize>,
    counts: Vec<MentionCount>,
}

impl MentionTally {
    pub fn add(&mut self, m: &Mention) {
        if m.doc_id != self.doc_id {
            self.doc_id.clone_from(&m.doc_id);
            self.index.clear();
        }
        let key = (m.source, m.entity_id.clone(), m.linked_by);
        match self.index.get(&key) {
            Some(&i) => self.counts[i].count += 1,
            None => {
                self.index.insert(key, self.counts.len());
                self.counts.push(MentionCount {
                    doc_id: m.doc_id.clone(),
                    source: m.source,
                    entity_id: m.entity_id.clone(),
                    linked_by: m.linked_by,
                    count: 1,
                });
            }
        }
    }

    pub fn into_counts(self) -> Vec<MentionCount> {
        self.counts
    }
}

/// The counts of `mentions`.
pub fn tally(mentions: &[Mention]) -> Vec<MentionCount> {
    let mut t = MentionTally::default();
    for m in mentions {
        t.add(m);
    }
    t.into_counts()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_records::mention;

    #[test]
    fn counts_each_place_entity_and_rule_once_in_first_seen_order() {
        let mut pronoun = mention("a", Source::Comment(0), "x");
        pronoun.linked_by = LinkedBy::Pronoun;
        let mentions = vec![
            mention("a", Source::Article, "x"),
            mention("a", Source::Comment(0), "x"),
            mention("a", Source::Article, "x"),
            pronoun,
            mention("b", Source::Article, "x"),
            mention("a", Source::Article, "y"),
        ];
        let counts = tally(&mentions);
        let got: Vec<_> =
            counts.iter().map(|c| (c.doc_id.as_str(), c.source, c.entity_id.as_str(), c.linked_by, c.count)).collect();
        assert_eq!(
            got,
            vec![
                ("a", Source::Article, "x", LinkedBy::Name, 2),
                ("a", Source::Comment(0), "x", LinkedBy::Name, 1),
                ("a", Source::Comment(0), "x", LinkedBy::Pronoun, 1),
                ("b", Source::Article, "x", LinkedBy::Name, 1),
                ("a", Source::Article, "y", LinkedBy::Name, 1),
            ]
        );
        let total: usize = got.iter().map(|c| c.4).sum();
        assert_eq!(total, mentions.len());
    }
}
