//! Our own comment-domain stance dev set (`data/comment-dev/pairs.tsv`):
//! (comment, entity) pairs exactly as the pipeline asks them, labelled by
//! hand, stored without the comment text.
//!
//! The set holds keys, hashes, the entity and its mention offsets as
//! `stancegraph run` gave them, and the gold label; the comment text is
//! joined at evaluation time from the read-only data folder
//! (`../shared/data` by default), in the same form the converters
//! (`scripts/data/reddit_to_jsonl.py`, `scripts/data/vast_to_jsonl.py`) put it into
//! the pipeline's input:
//!
//! - **reddit**: `stance/reddit-trump/reddit_trump_{train,val}.csv`; the key
//!   is the Reddit comment id. A comment that is a row is that row's
//!   `content` (the first row with that id, train before val); a comment
//!   that is only a row's parent is that parent's `parent_content`, taken
//!   from the row with the smallest `comment_id` naming it (the thread root
//!   the converter took it from).
//! - **vast**: `stance/vast/dev.csv`; the key is the 0-based record index of
//!   the comment's first row, the text its `Tweet` field.
//!
//! Every joined text must have the SHA-256 (first 16 hex digits) recorded
//! in the set, and the question built from it (comment text, entity label,
//! mention ranges) must have the pipeline's recorded input hash
//! ([`crate::stance::StanceQuery::input_hash`]); otherwise reading fails, naming
//! the file and the pair. The question is built where the pipeline builds
//! its own ([`crate::stance::questions::ask`]): the same text, the target's
//! label, every mention of the entity in the comment (pronoun mentions
//! included) and the conversation, so the classifiers read the same input.
//!
//! `pairs.tsv` is tab-separated with a header line; the columns are named
//! in [`COLUMNS`] and described in `data/comment-dev/README.md`. Mentions
//! are written `start-end` (character offsets, end exclusive) joined by
//! `;`.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::eval::csv::parse_csv;
use crate::eval::example::GoldExample;
use crate::hashes::text_sha16;
use crate::stance::questions::{self, ConversationParts};
use crate::stance::{Stance, StanceQuery};

/// The columns of `pairs.tsv`, in order; [`KIND_COLUMN`] may follow them.
pub(crate) const COLUMNS: [&str; 14] = [
    "source",
    "key",
    "doc_id",
    "comment",
    "text_sha16",
    "entity_id",
    "entity",
    "entity_type",
    "mentions",
    "input_hash",
    "gold",
    "doubt",
    "note",
    "sample_rank",
];

/// The last column of a set that holds implicit pairs: the pair's [`PairKind`].
pub(crate) const KIND_COLUMN: &str = "kind";

/// Why a pair was asked: the comment names the entity, or it may mean it
/// without naming it (the entity of the comment it replies to, or one of
/// the thread's most-mentioned ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairKind {
    Explicit,
    Parent,
    Thread,
}

impl PairKind {
    pub const ALL: [PairKind; 3] = [PairKind::Explicit, PairKind::Parent, PairKind::Thread];

    pub fn as_str(self) -> &'static str {
        match self {
            PairKind::Explicit => "explicit",
            PairKind::Parent => "parent",
            PairKind::Thread => "thread",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        PairKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn implicit(self) -> bool {
        self != PairKind::Explicit
    }
}

/// The default data folder, relative to the working directory (a checkout's
/// root, next to which `../shared` lies).
pub const DEFAULT_DATA_DIR: &str = "../shared/data";

/// Where a pair's comment comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentSource {
    Reddit,
    Vast,
}

impl CommentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentSource::Reddit => "reddit",
            CommentSource::Vast => "vast",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "reddit" => Some(CommentSource::Reddit),
            "vast" => Some(CommentSource::Vast),
            _ => None,
        }
    }

    /// The files the texts are read from, relative to the data folder.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            CommentSource::Reddit => {
                &["stance/reddit-trump/reddit_trump_train.csv", "stance/reddit-trump/reddit_trump_val.csv"]
            }
            CommentSource::Vast => &["stance/vast/dev.csv"],
        }
    }
}

/// One labelled (comment, entity) pair of the set.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentPair {
    pub source: CommentSource,
    /// The Reddit comment id, or the VAST record index.
    pub key: String,
    /// The pipeline's document id and comment position in it.
    pub doc_id: String,
    pub comment: usize,
    /// SHA-256 of the comment text (UTF-8), first 16 hex digits.
    pub text_sha16: String,
    pub entity_id: String,
    /// The entity's label: the stance question's target.
    pub entity: String,
    pub entity_type: String,
    /// Character ranges of the entity's mentions in the comment.
    pub mentions: Vec<(usize, usize)>,
    /// [`crate::stance::StanceQuery::input_hash`] of the question.
    pub input_hash: String,
    pub gold: Stance,
    /// The labeller found the case genuinely ambiguous.
    pub doubt: bool,
    pub note: String,
    /// Position in the seeded sampling order (how it was drawn).
    pub sample_rank: usize,
    pub kind: PairKind,
}

/// A pair with its comment text joined: the gold example to score.
#[derive(Debug, Clone)]
pub struct JoinedPair {
    pub pair: CommentPair,
    pub example: GoldExample,
}

#[derive(Debug, thiserror::Error)]
pub enum CommentSetError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: line {line}: {reason}")]
    Line { path: PathBuf, line: usize, reason: String },
    #[error("{path}: {reason}")]
    Data { path: PathBuf, reason: String },
    #[error(
        "{path}: the text of {origin} comment {key} has changed (SHA-256 {found}, the set recorded {expected}); \
         the set no longer matches the data"
    )]
    HashDiffers { path: PathBuf, origin: &'static str, key: String, expected: String, found: String },
    #[error(
        "{origin} comment {key}, entity {entity:?}: the question built here (input hash {found}) is not the one \
         the pipeline asked ({expected})"
    )]
    QuestionDiffers { origin: &'static str, key: String, entity: String, expected: String, found: String },
}

fn parse_mentions(s: &str) -> Option<Vec<(usize, usize)>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    s.split(';')
        .map(|r| {
            let (a, b) = r.split_once('-')?;
            let (a, b) = (a.parse().ok()?, b.parse().ok()?);
            (a < b).then_some((a, b))
        })
        .collect()
}

/// Reads `pairs.tsv` (no texts).
pub fn read_pairs(path: &Path) -> Result<Vec<CommentPair>, CommentSetError> {
    let raw = std::fs::read_to_string(path).map_err(|source| CommentSetError::Read { path: path.into(), source })?;
    let bad = |line: usize, reason: String| CommentSetError::Line { path: path.into(), line, reason };
    let mut lines = raw.lines().enumerate();
    let header: Vec<&str> = lines.next().map(|(_, h)| h.split('\t').collect()).unwrap_or_default();
    let with_kind = header.len() == COLUMNS.len() + 1 && header.last() == Some(&KIND_COLUMN);
    if header[..header.len().min(COLUMNS.len())] != COLUMNS || !(header.len() == COLUMNS.len() || with_kind) {
        return Err(bad(1, format!("header must be the columns {} [{KIND_COLUMN}]", COLUMNS.join(" "))));
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != header.len() {
            return Err(bad(n, format!("{} fields, expected {}", f.len(), header.len())));
        }
        let kind = match f.get(COLUMNS.len()) {
            None => PairKind::Explicit,
            Some(k) => PairKind::parse(k)
                .ok_or_else(|| bad(n, format!("kind must be explicit, parent or thread, not {k:?}")))?,
        };
        if kind.implicit() != f[8].is_empty() {
            return Err(bad(n, "an implicit pair has no mentions, an explicit one has some".into()));
        }
        let source = CommentSource::parse(f[0]).ok_or_else(|| bad(n, format!("unknown source {:?}", f[0])))?;
        let comment = f[3].parse().map_err(|_| bad(n, format!("bad comment position {:?}", f[3])))?;
        let mentions = parse_mentions(f[8]).ok_or_else(|| bad(n, format!("bad mentions {:?}", f[8])))?;
        let gold = Stance::parse(f[10])
            .ok_or_else(|| bad(n, format!("gold label {:?} is not favour, against or neutral", f[10])))?;
        let doubt = match f[11] {
            "0" | "" => false,
            "1" => true,
            other => return Err(bad(n, format!("doubt must be 0 or 1, not {other:?}"))),
        };
        let sample_rank = f[13].parse().map_err(|_| bad(n, format!("bad sample_rank {:?}", f[13])))?;
        out.push(CommentPair {
            source,
            key: f[1].to_string(),
            doc_id: f[2].to_string(),
            comment,
            text_sha16: f[4].to_string(),
            entity_id: f[5].to_string(),
            entity: f[6].to_string(),
            entity_type: f[7].to_string(),
            mentions,
            input_hash: f[9].to_string(),
            gold,
            doubt,
            note: f[12].to_string(),
            sample_rank,
            kind,
        });
    }
    Ok(out)
}

/// The comment texts of one source, by key, as the converters give them.
struct SourceTexts {
    /// The file named when a key is missing.
    file: PathBuf,
    /// Key → (text, the file it was read from).
    texts: HashMap<String, (String, PathBuf)>,
    /// Key → the key of the comment it replies to (Reddit).
    parents: HashMap<String, String>,
}

impl SourceTexts {
    /// The text the comment `key` replies to, as the converter's thread
    /// gives it ("" for a thread's first comment and for VAST).
    fn parent_text(&self, key: &str) -> &str {
        self.parents.get(key).and_then(|p| self.texts.get(p)).map_or("", |(t, _)| t.as_str())
    }
}

/// The document title the converters give a pair's document: `Reddit thread
/// ROOT` (scripts/data/reddit_to_jsonl.py) and `VAST dev comment INDEX`
/// (scripts/data/vast_to_jsonl.py).
fn converter_title(pair: &CommentPair) -> String {
    match pair.source {
        CommentSource::Reddit => {
            format!("Reddit thread {}", pair.doc_id.strip_prefix("reddit-").unwrap_or(&pair.doc_id))
        }
        CommentSource::Vast => format!("VAST dev comment {}", pair.key),
    }
}

fn read_csv_records(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), CommentSetError> {
    let raw = std::fs::read(path).map_err(|source| CommentSetError::Read { path: path.into(), source })?;
    let data = |reason: String| CommentSetError::Data { path: path.into(), reason };
    let mut text = String::from_utf8(raw).map_err(|e| data(format!("not UTF-8: {e}")))?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let mut records = parse_csv(&text).map_err(|e| data(format!("{e:#}")))?.into_iter();
    let header = records.next().ok_or_else(|| data("empty file".into()))?;
    Ok((header, records.filter(|r| !r.is_empty()).collect()))
}

fn column(header: &[String], name: &str, path: &Path) -> Result<usize, CommentSetError> {
    header.iter().rposition(|h| h == name).ok_or_else(|| CommentSetError::Data {
        path: path.into(),
        reason: format!("no column {name:?} in header {header:?}"),
    })
}

fn field(row: &[String], c: usize) -> &str {
    row.get(c).map(String::as_str).unwrap_or("")
}

/// `scripts/data/reddit_to_jsonl.py`'s comments: rows' `content` by
/// `comment_id` (first file first), then parents known only through a
/// row's `parent_content` (the row with the smallest `comment_id`).
fn reddit_texts(data: &Path) -> Result<SourceTexts, CommentSetError> {
    // id -> (parent id, parent text, text, file)
    let mut rows: HashMap<String, (String, String, String, PathBuf)> = HashMap::new();
    for rel in CommentSource::Reddit.files() {
        let path = data.join(rel);
        let (header, records) = read_csv_records(&path)?;
        let (id, parent, parent_text, text) = (
            column(&header, "comment_id", &path)?,
            column(&header, "parent_comment_id", &path)?,
            column(&header, "parent_content", &path)?,
            column(&header, "content", &path)?,
        );
        for r in &records {
            rows.entry(field(r, id).to_string()).or_insert_with(|| {
                let parent_id = field(r, parent).trim().to_string();
                (parent_id, field(r, parent_text).to_string(), field(r, text).to_string(), path.clone())
            });
        }
    }
    let parents: HashMap<String, String> =
        rows.iter().filter(|(_, r)| !r.0.is_empty()).map(|(id, r)| (id.clone(), r.0.clone())).collect();
    let mut ids: Vec<&String> = rows.keys().collect();
    ids.sort();
    let mut texts: HashMap<String, (String, PathBuf)> = HashMap::new();
    for id in ids {
        let (parent, parent_text, _, file) = &rows[id];
        if !parent.is_empty() && !rows.contains_key(parent) && !parent_text.trim().is_empty() {
            texts.entry(parent.clone()).or_insert_with(|| (parent_text.clone(), file.clone()));
        }
    }
    for (id, (_, _, text, file)) in rows {
        texts.insert(id, (text, file));
    }
    Ok(SourceTexts { file: data.join(CommentSource::Reddit.files()[1]), texts, parents })
}

/// `scripts/data/vast_to_jsonl.py`'s comments: the `Tweet` field by record index.
fn vast_texts(data: &Path) -> Result<SourceTexts, CommentSetError> {
    let path = data.join(CommentSource::Vast.files()[0]);
    let (header, records) = read_csv_records(&path)?;
    let tweet = column(&header, "Tweet", &path)?;
    let texts =
        records.iter().enumerate().map(|(i, r)| (i.to_string(), (field(r, tweet).to_string(), path.clone()))).collect();
    Ok(SourceTexts { file: path, texts, parents: HashMap::new() })
}

/// The comment texts of `source`, read from `data`; a missing file is named.
fn source_texts(source: CommentSource, data: &Path) -> Result<SourceTexts, CommentSetError> {
    for rel in source.files() {
        let path = data.join(rel);
        if !path.is_file() {
            return Err(CommentSetError::Data {
                path,
                reason: format!(
                    "not found: the {} texts of the comment set are read from here (--data DIR)",
                    source.as_str()
                ),
            });
        }
    }
    match source {
        CommentSource::Reddit => reddit_texts(data),
        CommentSource::Vast => vast_texts(data),
    }
}

/// The stance question of `pair` about its comment `text`, read under the
/// converter's `title` as a reply to `parent` as far as a classifier `reads`
/// them: built by [`questions::ask`], as the pipeline builds it.
fn question<'a>(
    pair: &'a CommentPair,
    text: &'a str,
    title: &'a str,
    parent: &'a str,
    reads: ConversationParts,
) -> StanceQuery<'a> {
    questions::ask(text, &pair.entity, pair.mentions.clone(), title, parent, reads)
}

/// The gold example of `pair`: its question with the whole conversation
/// (each classifier reads what it reads) and the gold label. The mentions
/// stay the ranges the pipeline asked with, so the question is the
/// pipeline's, key included.
fn joined_example(pair: &CommentPair, text: &str, title: String, parent: &str) -> GoldExample {
    let query = question(pair, text, &title, parent, ConversationParts::ALL);
    GoldExample {
        text: text.to_string(),
        target: pair.entity.clone(),
        mentions: query.mentions,
        label: pair.gold,
        parent: parent.to_string(),
        title,
    }
}

/// Reads `pairs.tsv` and joins each pair's comment text from `data`,
/// checking the text hash and the question's input hash.
pub fn read_comment_set(pairs_path: &Path, data: &Path) -> Result<Vec<JoinedPair>, CommentSetError> {
    let pairs = read_pairs(pairs_path)?;
    let mut sources: HashMap<CommentSource, SourceTexts> = HashMap::new();
    let mut out = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let texts = match sources.entry(pair.source) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(source_texts(pair.source, data)?),
        };
        let (text, file) = texts.texts.get(&pair.key).ok_or_else(|| CommentSetError::Data {
            path: texts.file.clone(),
            reason: format!("no {} comment {}", pair.source.as_str(), pair.key),
        })?;
        let found = text_sha16(text);
        if found != pair.text_sha16 {
            return Err(CommentSetError::HashDiffers {
                path: file.clone(),
                origin: pair.source.as_str(),
                key: pair.key.clone(),
                expected: pair.text_sha16.clone(),
                found,
            });
        }
        let title = converter_title(&pair);
        let parent = texts.parent_text(&pair.key);
        // The recorded key is the question as a classifier that reads no conversation is asked it.
        let asked = question(&pair, text, &title, parent, ConversationParts::default()).input_hash();
        if asked != pair.input_hash {
            return Err(CommentSetError::QuestionDiffers {
                origin: pair.source.as_str(),
                key: pair.key.clone(),
                entity: pair.entity.clone(),
                expected: pair.input_hash.clone(),
                found: asked,
            });
        }
        let example = joined_example(&pair, text, title, parent);
        out.push(JoinedPair { pair, example });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mention ranges the way `pairs.tsv` holds them (`3-8;20-25`).
    fn format_mentions(mentions: &[(usize, usize)]) -> String {
        mentions.iter().map(|(s, e)| format!("{s}-{e}")).collect::<Vec<_>>().join(";")
    }

    /// A Reddit thread as `scripts/data/reddit_to_jsonl.py` gives it to the
    /// pipeline: the converter's title, a root comment and a reply to it
    /// that names the entity by a pronoun.
    fn thread() -> crate::corpus::Document {
        use crate::corpus::{Comment, Document};
        let comment = |id: &str, author: &str, text: &str, parent| Comment {
            id: Some(id.into()),
            author: author.into(),
            text: text.into(),
            parent,
            date: None,
        };
        Document {
            id: "reddit-r1".into(),
            path: "reddit.jsonl".into(),
            date: None,
            title: Some("Reddit thread r1".into()),
            text: "Trump speaks in Ohio.".into(),
            comments: vec![
                comment("r1", "alice", "Trump lies again and again.", None),
                comment("c2", "bob", "He never stops, and Trump knows it.", Some(0)),
            ],
        }
    }

    #[test]
    fn the_evaluation_asks_the_pipelines_question() {
        use crate::link::{Entity, EntityType, LinkedBy, Mention, Source};
        let doc = thread();
        let trump = Entity {
            id: "person:donald-trump".into(),
            label: "Donald Trump".into(),
            kind: EntityType::Person,
            aliases: vec![],
            mentions: 0,
        };
        let mention = |source, start, end| Mention {
            doc_id: doc.id.clone(),
            source,
            start,
            end,
            text: String::new(),
            entity_id: trump.id.clone(),
            linked_by: LinkedBy::Name,
            antecedent: None,
        };
        // In the store's order: the name, then the pronoun before it.
        let mentions =
            [mention(Source::Article, 0, 5), mention(Source::Comment(1), 19, 24), mention(Source::Comment(1), 0, 2)];
        let entities: HashMap<&str, &Entity> = HashMap::from([(trump.id.as_str(), &trump)]);
        let pair = CommentPair {
            source: CommentSource::Reddit,
            key: "c2".into(),
            doc_id: doc.id.clone(),
            comment: 1,
            text_sha16: text_sha16(&doc.comments[1].text),
            entity_id: trump.id.clone(),
            entity: trump.label.clone(),
            entity_type: "person".into(),
            mentions: vec![(19, 24), (0, 2)],
            input_hash: String::new(),
            gold: Stance::Against,
            doubt: false,
            note: String::new(),
            sample_rank: 0,
            kind: PairKind::Explicit,
        };
        let (text, parent) = (doc.comments[1].text.as_str(), doc.comments[0].text.as_str());
        let title = converter_title(&pair);
        let everything = ConversationParts::ALL;
        for reads in [ConversationParts::default(), ConversationParts { title: true, parent: false }, everything] {
            let asked = questions::of_document(&doc, &mentions, &entities, reads);
            let asked = asked.iter().find(|q| q.comment == 1 && q.entity_id == trump.id).expect("the pipeline asks it");
            let ours = question(&pair, text, &title, parent, reads);
            assert_eq!(ours.input_hash(), asked.hash, "{reads:?}");
            assert_eq!(
                (ours.title, ours.parent, &ours.mentions),
                (asked.title.as_str(), asked.parent.as_str(), &asked.mentions)
            );
        }
        // The example scored is the question of a classifier that reads it all,
        // and the key the set records is the one without the conversation.
        let hash_of = |reads| {
            let asked = questions::of_document(&doc, &mentions, &entities, reads);
            asked.into_iter().find(|q| q.comment == 1 && q.entity_id == trump.id).map(|q| q.hash)
        };
        let example = joined_example(&pair, text, title.clone(), parent);
        assert_eq!(Some(example.query().input_hash()), hash_of(everything));
        let recorded = question(&pair, text, &title, parent, ConversationParts::default()).input_hash();
        assert_eq!(Some(recorded.clone()), hash_of(ConversationParts::default()));
        assert_ne!(Some(recorded), hash_of(everything), "the conversation is part of the key");
    }

    #[test]
    fn mentions_round_trip() {
        let m = vec![(3, 8), (20, 25)];
        assert_eq!(format_mentions(&m), "3-8;20-25");
        assert_eq!(parse_mentions("3-8;20-25"), Some(m));
        assert_eq!(parse_mentions(""), Some(vec![]));
        assert_eq!(parse_mentions("8-3"), None);
        assert_eq!(parse_mentions("x"), None);
    }
}
