//! The stance questions a document raises: each comment asked about each
//! entity it mentions (explicit), and about the entities it may mean without
//! naming them (implicit: those of the comment it replies to, and the
//! document's most-mentioned people, countries and organisations), each read
//! in its conversation (the document's title and the replied-to comment).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::corpus::Document;
use crate::link::{Entity, EntityType, Mention, Source};

/// A question for the stance stage: what does `text` think of `target`,
/// mentioned at `mentions` (character ranges in `text`; empty when the
/// target is implicit), read in its conversation: the document's `title` (or
/// its first sentence) and the `parent` comment it replies to (both empty
/// when there is none). Models trained without the conversation ignore it.
#[derive(Debug, Clone)]
pub struct StanceQuery<'a> {
    pub text: &'a str,
    pub target: &'a str,
    pub mentions: Vec<(usize, usize)>,
    pub title: &'a str,
    pub parent: &'a str,
}

impl<'a> StanceQuery<'a> {
    /// A question without conversation.
    pub fn new(text: &'a str, target: &'a str, mentions: Vec<(usize, usize)>) -> StanceQuery<'a> {
        StanceQuery { text, target, mentions, title: "", parent: "" }
    }

    /// The same question read under `title`, as a reply to `parent`.
    pub fn in_conversation(self, title: &'a str, parent: &'a str) -> StanceQuery<'a> {
        StanceQuery { title, parent, ..self }
    }

    /// The key of this question's answer: a hash of its whole input. A
    /// question without conversation keeps the hash it had before questions
    /// carried one; with one, the title and the parent are hashed too, so an
    /// edited parent re-asks its replies only.
    pub fn input_hash(&self) -> String {
        let ranges: Vec<String> = self.mentions.iter().map(|(s, e)| format!("{s}-{e}")).collect();
        let ranges = ranges.join(",");
        if self.title.is_empty() && self.parent.is_empty() {
            crate::hashes::content_hash([self.text, self.target, &ranges])
        } else {
            crate::hashes::content_hash([self.text, self.target, &ranges, "conversation", self.title, self.parent])
        }
    }
}

/// Which parts of a question's conversation a classifier reads. The parts it
/// does not read are left out of the question, and so out of its key: a
/// model that ignores the parent is not re-asked when a parent is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ConversationParts {
    pub title: bool,
    pub parent: bool,
}

impl ConversationParts {
    /// The whole conversation: what evaluation hands every classifier (each
    /// one reads what its model was trained to read).
    pub(crate) const ALL: ConversationParts = ConversationParts { title: true, parent: true };

    /// What the classifier in `dir` reads by its config.json (a model that
    /// reads the conversation with a slot of 0 pieces ignores that part);
    /// nothing for the lexicon baseline or an unreadable config.
    pub(crate) fn read_by(baseline: bool, dir: &Path) -> ConversationParts {
        if baseline {
            return ConversationParts::default();
        }
        let config: Option<serde_json::Value> =
            std::fs::read_to_string(dir.join("config.json")).ok().and_then(|t| serde_json::from_str(&t).ok());
        let Some(meta) = config.as_ref().and_then(|c| c.get("stancegraph")) else {
            return ConversationParts::default();
        };
        if !meta.get("context").and_then(|v| v.as_bool()).unwrap_or(false) {
            return ConversationParts::default();
        }
        let pieces = |k: &str, d: u64| meta.get(k).and_then(|v| v.as_u64()).unwrap_or(d);
        ConversationParts {
            title: pieces("max_title_pieces", DEFAULT_TITLE_PIECES as u64) > 0,
            parent: pieces("max_parent_pieces", DEFAULT_PARENT_PIECES as u64) > 0,
        }
    }
}

/// The stance question about `target` in a comment's `text`, with the
/// target's `mentions` in it as the store holds them (empty when implicit),
/// read under `title` as a reply to `parent` as far as the classifier
/// `reads` them (the parts it does not read are left out, and so out of the
/// key). The one place a question is put together: the pipeline
/// ([`of_document`]) and the evaluation of the comment sets ask through it,
/// so the same comment and entity give the same question and key.
pub(crate) fn ask<'a>(
    text: &'a str,
    target: &'a str,
    mentions: Vec<(usize, usize)>,
    title: &'a str,
    parent: &'a str,
    reads: ConversationParts,
) -> StanceQuery<'a> {
    let title = if reads.title { title } else { "" };
    let parent = if reads.parent { parent } else { "" };
    StanceQuery::new(text, target, mentions).in_conversation(title, parent)
}

/// Pieces of the title and of the parent a model that reads the
/// conversation takes when its config.json does not say.
pub(super) const DEFAULT_TITLE_PIECES: usize = 24;
pub(super) const DEFAULT_PARENT_PIECES: usize = 64;

/// How many of a document's most-mentioned people, countries and
/// organisations each of its comments is also asked about.
pub(crate) const THREAD_TARGETS: usize = 3;

/// The entity types implicit questions are asked about.
const IMPLICIT_TYPES: [EntityType; 3] = [EntityType::Person, EntityType::Country, EntityType::Organisation];

/// One stance question, with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Question {
    pub doc_id: String,
    /// 0-based index of the comment in its document.
    pub comment: usize,
    pub author: String,
    pub entity_id: String,
    /// The entity's label: the question's target.
    pub target: String,
    pub text: String,
    /// The entity's mentions in `text` (character ranges); empty when implicit.
    pub mentions: Vec<(usize, usize)>,
    /// The document's title, or its first sentence.
    pub title: String,
    /// The text of the comment this one replies to ("" when none).
    pub parent: String,
    /// The comment does not name the entity.
    pub implicit: bool,
    /// [`StanceQuery::input_hash`] of the question.
    pub hash: String,
}

impl Question {
    /// The question as the stance classifiers take it (its conversation
    /// holds only the parts the classifier reads already).
    pub fn query(&self) -> StanceQuery<'_> {
        ask(&self.text, &self.target, self.mentions.clone(), &self.title, &self.parent, ConversationParts::ALL)
    }
}

/// The questions of one document, comment by comment: first the entities the
/// comment mentions (in first-mention order, over all their mentions,
/// pronouns included), then the implicit ones (the parent's entities in
/// their first-mention order, then the document's top entities). `mentions`
/// are the document's mentions (article and comments); only entities in
/// `entities` are asked about. The conversation carries only the parts the
/// classifier `reads`.
pub(crate) fn of_document(
    doc: &Document,
    mentions: &[Mention],
    entities: &HashMap<&str, &Entity>,
    reads: ConversationParts,
) -> Vec<Question> {
    let by_comment = mentions_by_comment(doc, mentions, entities);
    let top = top_entities(mentions, entities);
    let title = if reads.title { conversation_title(doc) } else { String::new() };
    let mut out = Vec::new();
    for (c, comment) in doc.comments.iter().enumerate() {
        let parent = comment.parent.filter(|&p| p < doc.comments.len() && p != c);
        let parent_text = parent.map_or("", |p| doc.comments[p].text.as_str());
        let own = by_comment.get(&c);
        let mut asked: HashSet<&str> = HashSet::new();
        let mut push = |entity_id: &str, ranges: Vec<(usize, usize)>, implicit: bool| {
            let entity = entities[entity_id];
            let query = ask(&comment.text, &entity.label, ranges, &title, parent_text, reads);
            out.push(Question {
                doc_id: doc.id.clone(),
                comment: c,
                author: comment.author.clone(),
                entity_id: entity.id.clone(),
                target: entity.label.clone(),
                text: comment.text.clone(),
                hash: query.input_hash(),
                title: query.title.to_string(),
                parent: query.parent.to_string(),
                mentions: query.mentions,
                implicit,
            });
        };
        for (entity_id, ranges) in own.into_iter().flatten() {
            asked.insert(entity_id);
            push(entity_id, ranges.clone(), false);
        }
        let parents = parent.and_then(|p| by_comment.get(&p)).into_iter().flatten().map(|(id, _)| *id);
        for entity_id in parents.chain(top.iter().copied()) {
            if IMPLICIT_TYPES.contains(&entities[entity_id].kind) && asked.insert(entity_id) {
                push(entity_id, Vec::new(), true);
            }
        }
    }
    out
}

/// Per comment, its entities in first-mention order with their ranges.
fn mentions_by_comment<'e>(
    doc: &Document,
    mentions: &[Mention],
    entities: &HashMap<&'e str, &Entity>,
) -> HashMap<usize, Vec<(&'e str, Vec<(usize, usize)>)>> {
    let mut out: HashMap<usize, Vec<(&'e str, Vec<(usize, usize)>)>> = HashMap::new();
    for m in mentions {
        let Source::Comment(c) = m.source else { continue };
        let Some((&id, _)) = entities.get_key_value(m.entity_id.as_str()) else { continue };
        if c >= doc.comments.len() {
            continue;
        }
        let list = out.entry(c).or_default();
        match list.iter_mut().find(|(e, _)| *e == id) {
            Some((_, ranges)) => ranges.push((m.start, m.end)),
            None => list.push((id, vec![(m.start, m.end)])),
        }
    }
    out
}

/// The document's [`THREAD_TARGETS`] most-mentioned people, countries and
/// organisations (article and comments), ties broken by entity id.
fn top_entities<'e>(mentions: &[Mention], entities: &HashMap<&'e str, &Entity>) -> Vec<&'e str> {
    let mut counts: BTreeMap<&'e str, usize> = BTreeMap::new();
    for m in mentions {
        if let Some((&id, e)) = entities.get_key_value(m.entity_id.as_str()) {
            if IMPLICIT_TYPES.contains(&e.kind) {
                *counts.entry(id).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(&'e str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked.into_iter().take(THREAD_TARGETS).map(|(id, _)| id).collect()
}

/// The document's title, or failing that the first sentence of its article
/// ("" when it has neither).
pub(crate) fn conversation_title(doc: &Document) -> String {
    if let Some(t) = doc.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        return t.to_string();
    }
    first_sentence(&doc.text).to_string()
}

/// The text up to and including the first `.`, `!` or `?` followed by
/// whitespace (or the first line break, or the end). A full stop ending a
/// word that holds another one ("U.S.") ends no sentence.
fn first_sentence(text: &str) -> &str {
    let text = text.trim_start();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        if c == '\n' {
            return text[..i].trim_end();
        }
        let word = text[..i].rsplit(char::is_whitespace).next().unwrap_or("");
        let abbreviation = c == '.' && word.contains('.');
        if matches!(c, '.' | '!' | '?') && next_is_space && !abbreviation {
            return &text[..i + c.len_utf8()];
        }
    }
    text.trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Comment;
    use crate::link::LinkedBy;

    fn comment(author: &str, text: &str, parent: Option<usize>) -> Comment {
        Comment { id: None, author: author.into(), text: text.into(), parent, date: None }
    }

    fn entity(id: &str, label: &str, kind: EntityType) -> Entity {
        Entity { id: id.into(), label: label.into(), kind, aliases: vec![], mentions: 0 }
    }

    fn mention(source: Source, start: usize, end: usize, id: &str) -> Mention {
        Mention {
            doc_id: "d".into(),
            source,
            start,
            end,
            text: String::new(),
            entity_id: id.into(),
            linked_by: LinkedBy::Name,
            antecedent: None,
        }
    }

    #[test]
    fn first_sentence_stops_at_the_first_sentence_end() {
        assert_eq!(first_sentence("  Iran fires missiles. Israel responds."), "Iran fires missiles.");
        assert_eq!(first_sentence("U.S. envoy meets Kishida\nmore"), "U.S. envoy meets Kishida");
        assert_eq!(first_sentence("no end"), "no end");
        assert_eq!(first_sentence(""), "");
    }

    #[test]
    fn replies_are_asked_about_their_parents_entities_and_the_threads_top_ones() {
        let doc = Document {
            id: "d".into(),
            path: "d.jsonl".into(),
            date: None,
            title: None,
            text: "Trump met Kishida in Tokyo. Trump spoke.".into(),
            comments: vec![comment("a", "Kishida is weak", None), comment("b", "Lock him up", Some(0))],
        };
        let es = [
            entity("p:trump", "Donald Trump", EntityType::Person),
            entity("p:kishida", "Fumio Kishida", EntityType::Person),
            entity("l:tokyo", "Tokyo", EntityType::Location),
        ];
        let by_id: HashMap<&str, &Entity> = es.iter().map(|e| (e.id.as_str(), e)).collect();
        let ms = [
            mention(Source::Article, 0, 5, "p:trump"),
            mention(Source::Article, 10, 17, "p:kishida"),
            mention(Source::Article, 21, 26, "l:tokyo"),
            mention(Source::Article, 28, 33, "p:trump"),
            mention(Source::Comment(0), 0, 7, "p:kishida"),
        ];
        let qs = of_document(&doc, &ms, &by_id, ConversationParts { title: true, parent: true });
        let asked: Vec<(usize, &str, bool)> =
            qs.iter().map(|q| (q.comment, q.entity_id.as_str(), q.implicit)).collect();
        assert_eq!(
            asked,
            vec![(0, "p:kishida", false), (0, "p:trump", true), (1, "p:kishida", true), (1, "p:trump", true)]
        );
        let reply = &qs[2];
        assert_eq!(reply.parent, "Kishida is weak");
        assert_eq!(reply.title, "Trump met Kishida in Tokyo.");
        assert!(reply.mentions.is_empty());
        // the conversation is part of the key: another parent, another question
        let mut edited = reply.clone();
        edited.parent = "Kishida is strong".into();
        assert_ne!(edited.query().input_hash(), reply.hash);
        // without a conversation the key is the one questions had before
        let plain = StanceQuery::new("Kishida is weak", "Fumio Kishida", vec![(0, 7)]);
        assert_eq!(plain.input_hash(), crate::hashes::content_hash(["Kishida is weak", "Fumio Kishida", "0-7"]));
        // a classifier that reads no conversation is asked without it, under the plain key
        let blind = of_document(&doc, &ms, &by_id, ConversationParts::default());
        assert_eq!(blind.len(), qs.len());
        assert!(blind.iter().all(|q| q.title.is_empty() && q.parent.is_empty()));
        assert_eq!(blind[0].hash, StanceQuery::new("Kishida is weak", "Fumio Kishida", vec![(0, 7)]).input_hash());
        // one that reads the parent only keeps it, and not the title
        let parent_only = of_document(&doc, &ms, &by_id, ConversationParts { title: false, parent: true });
        assert_eq!((parent_only[2].title.as_str(), parent_only[2].parent.as_str()), ("", "Kishida is weak"));
    }
}
