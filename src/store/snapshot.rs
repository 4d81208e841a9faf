//! What an export reads from the store: row counts, the rolling window and
//! the snapshot of the documents of a [`Scope`] (the whole archive, a date
//! range or the window) with their entities, mentions and stance records.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};

use super::{mention_row, rounded, Result, Store, StoreError};
use crate::corpus::Document;
use crate::evidence;
use crate::graph::{MentionCount, MentionTally};
use crate::link::{Entity, EntityType, LinkedBy, Mention, Source};
use crate::stance::{Stance, StanceRecord};

/// A document's day for the rolling window: its date (`YYYY-MM-DD`), else
/// the day of the run that first stored it.
const DOCUMENT_DAY: &str =
    "coalesce(substr(d.date, 1, 10), (SELECT substr(r.started, 1, 10) FROM runs r WHERE r.id = d.first_run))";

/// Which documents an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope<'a> {
    /// The whole archive.
    All,
    /// Documents dated within `from..=to` (either bound optional); undated
    /// documents are left out.
    Dated { from: Option<&'a str>, to: Option<&'a str> },
    /// Documents whose day (date, else the day of the run that first stored
    /// them) is this day or later: the rolling window.
    Since(&'a str),
}

/// The rolling window ([`Store::window`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    /// First day in the window (`YYYY-MM-DD`).
    pub from: String,
    /// The newest document day.
    pub to: String,
    /// Documents in the window.
    pub documents: usize,
}

/// Everything an export needs, read from the store.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Documents with their comments (id, author, parent, date), without
    /// texts: the article and comment `text` fields are empty (no export
    /// prints an article text; `comments.jsonl` reads the comments again,
    /// with their texts, one document at a time: [`Store::each_document`]).
    pub documents: Vec<Document>,
    pub entities: Vec<Entity>,
    /// The mentions, counted ([`MentionCount`]): `mentions.jsonl` reads
    /// the mentions themselves row by row ([`Store::each_mention`]).
    pub mentions: Vec<MentionCount>,
    /// With each comment's id and quote ([`crate::evidence`]).
    pub stances: Vec<StanceRecord>,
    /// Merged ids → the id they joined.
    pub merged_ids: BTreeMap<String, Vec<String>>,
    /// The documents it was read for.
    pub selection: Selection,
}

/// A [`Scope`] that owns its days, kept with the [`Snapshot`] read for it
/// so that the mentions can be read again as they are written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// 0: all, 1: dated within `from..=to`, 2: `from` or later by document day.
    mode: i64,
    from: Option<String>,
    to: Option<String>,
}

impl From<Scope<'_>> for Selection {
    fn from(scope: Scope) -> Selection {
        let owned = |d: Option<&str>| d.map(str::to_string);
        match scope {
            Scope::All => Selection { mode: 0, from: None, to: None },
            Scope::Dated { from, to } => Selection { mode: 1, from: owned(from), to: owned(to) },
            Scope::Since(day) => Selection { mode: 2, from: Some(day.to_string()), to: None },
        }
    }
}

/// The condition on `documents d` that keeps a [`Selection`]'s documents
/// (parameters `?1` mode, `?2` from, `?3` to).
fn in_selection() -> String {
    format!(
        "(?1 = 0 OR (?1 = 1 AND d.date IS NOT NULL AND (?2 IS NULL OR substr(d.date, 1, 10) >= ?2)
                      AND (?3 IS NULL OR substr(d.date, 1, 10) <= ?3))
              OR (?1 = 2 AND ({DOCUMENT_DAY} IS NULL OR {DOCUMENT_DAY} >= ?2)))"
    )
}

/// Row counts, for summaries and tests.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Totals {
    pub documents: usize,
    pub comments: usize,
    pub mentions: usize,
    pub entities: usize,
    pub stances: usize,
    /// NER outputs of the stored texts, by model.
    pub ner_by_model: BTreeMap<String, usize>,
    /// Current stance records, by model.
    pub stances_by_model: BTreeMap<String, usize>,
}

impl Store {
    // --------------------------------------------------------- reading --

    /// Row counts and records per model.
    pub(crate) fn totals(&self) -> Result<Totals> {
        let by_model = |sql: &str| -> Result<BTreeMap<String, usize>> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize)))
                .map_err(|e| self.err(e))?;
            rows.collect::<std::result::Result<_, _>>().map_err(|e| self.err(e))
        };
        Ok(Totals {
            documents: self.count("SELECT COUNT(*) FROM documents")?,
            comments: self.count("SELECT COUNT(*) FROM comments")?,
            mentions: self.count("SELECT COUNT(*) FROM mentions")?,
            entities: self.count("SELECT COUNT(*) FROM entities")?,
            stances: self.count("SELECT COUNT(*) FROM stances")?,
            ner_by_model: by_model(
                "SELECT n.model, COUNT(*) FROM ner_spans n WHERE n.text_hash IN
                     (SELECT text_hash FROM documents UNION SELECT text_hash FROM comments) GROUP BY n.model",
            )?,
            stances_by_model: by_model("SELECT model, COUNT(*) FROM stances GROUP BY model")?,
        })
    }

    /// Documents in the store.
    pub(crate) fn document_count(&self) -> Result<usize> {
        self.count("SELECT count(*) FROM documents")
    }

    /// Documents without a date (left out of a `--from`/`--to` export).
    pub(crate) fn undated_documents(&self) -> Result<usize> {
        self.count("SELECT count(*) FROM documents WHERE date IS NULL")
    }

    /// The rolling window of the default export: the newest `days` days by
    /// document day ([`Scope::Since`]: a document's date, else the day of
    /// the run that first stored it), reaching back further when that holds
    /// fewer than `min_documents` documents, to the day of the
    /// `min_documents`-th newest, or to the oldest document's day when the
    /// store holds fewer. `None` for an empty store.
    pub fn window(&self, days: u32, min_documents: usize) -> Result<Option<Window>> {
        let sql = format!(
            "WITH eff AS (SELECT {DOCUMENT_DAY} AS day FROM documents d)
             SELECT (SELECT max(day) FROM eff),
                    min(date((SELECT max(day) FROM eff), ?1),
                        coalesce((SELECT day FROM eff WHERE day IS NOT NULL ORDER BY day DESC LIMIT 1 OFFSET ?2),
                                 (SELECT min(day) FROM eff)))"
        );
        let back = format!("-{} days", days.max(1) - 1);
        let offset = min_documents.max(1) as i64 - 1;
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(&sql, params![back, offset], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((Some(to), Some(from))) = row else { return Ok(None) };
        let documents = self.query_opt::<i64, _>(
            &format!("SELECT count(*) FROM documents d WHERE {DOCUMENT_DAY} IS NULL OR {DOCUMENT_DAY} >= ?1"),
            [&from],
        )?;
        Ok(Some(Window { from, to, documents: documents.unwrap_or(0) as usize }))
    }

    /// [`Store::snapshot_of`] for documents dated within `from..=to`
    /// (`YYYY-MM-DD`; an undated document is in only when no bound is given).
    pub fn snapshot(&self, from: Option<&str>, to: Option<&str>) -> Result<Snapshot> {
        match (from, to) {
            (None, None) => self.snapshot_of(Scope::All),
            _ => self.snapshot_of(Scope::Dated { from, to }),
        }
    }

    /// Everything an export needs, for the documents of `scope`. Entities
    /// are those mentioned there, with their mention counts there. The
    /// mentions are read row by row and kept as counts.
    pub(crate) fn snapshot_of(&self, scope: Scope) -> Result<Snapshot> {
        let selection = Selection::from(scope);
        let mut documents = Vec::new();
        self.each_document(&selection, |mut d: Document| -> Result<()> {
            d.comments.iter_mut().for_each(|c| c.text = String::new());
            documents.push(d);
            Ok(())
        })?;
        let mut tally = MentionTally::default();
        let mut first = FirstMentions::new();
        self.each_mention(&selection, |m: Mention| -> Result<()> {
            tally.add(&m);
            first.see(&m);
            Ok(())
        })?;
        let mentions = tally.into_counts();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for m in &mentions {
            *counts.entry(m.entity_id.as_str()).or_insert(0) += m.count;
        }
        let entities = self.entities_among(&counts)?;
        let stances = self.stances_of(&selection, &first)?;
        Ok(Snapshot { documents, entities, mentions, stances, merged_ids: self.merged_ids()?, selection })
    }

    /// Calls `f` with each mention of the selection's documents, in document
    /// then stored order, read row by row (none is kept).
    pub(crate) fn each_mention<E: From<StoreError>>(
        &self,
        selection: &Selection,
        mut f: impl FnMut(Mention) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let sql = format!(
            r#"SELECT m.doc_id, m.comment, m.start, m."end", m.text, m.entity_id, m.linked_by
               FROM mentions m WHERE m.doc_id IN (SELECT d.id FROM documents d WHERE {})
               ORDER BY m.doc_id, m.rowid"#,
            in_selection()
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(selection.params()).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            f(mention_row(r).map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }

    /// Calls `f` with each of the selection's documents, sorted by id, with
    /// its comments (texts included; the article text left empty), read one
    /// document at a time.
    pub(crate) fn each_document<E: From<StoreError>>(
        &self,
        selection: &Selection,
        mut f: impl FnMut(Document) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let sql =
            format!("SELECT d.id, d.source, d.date, d.title FROM documents d WHERE {} ORDER BY d.id", in_selection());
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(selection.params()).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let read = |r: &rusqlite::Row| -> rusqlite::Result<Document> {
                Ok(Document {
                    id: r.get(0)?,
                    path: PathBuf::from(r.get::<_, String>(1)?),
                    date: r.get(2)?,
                    title: r.get(3)?,
                    text: String::new(),
                    comments: Vec::new(),
                })
            };
            let mut d = read(r).map_err(|e| self.err(e))?;
            d.comments = self.comments_of(&d.id)?;
            f(d)?;
        }
        Ok(())
    }

    /// The entities with a count in `counts`, each with its aliases and that
    /// count (read one entity at a time, so that a window reads only its own).
    fn entities_among(&self, counts: &HashMap<&str, usize>) -> Result<Vec<Entity>> {
        let mut stmt =
            self.conn.prepare("SELECT id, label, type FROM entities ORDER BY id").map_err(|e| self.err(e))?;
        let mut aliases_of = self
            .conn
            .prepare("SELECT alias FROM entity_aliases WHERE entity_id = ?1 ORDER BY alias")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut entities = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id: String = r.get(0).map_err(|e| self.err(e))?;
            let Some(&n) = counts.get(id.as_str()) else { continue };
            let kind: String = r.get(2).map_err(|e| self.err(e))?;
            let aliases = aliases_of
                .query_map([&id], |r| r.get(0))
                .map_err(|e| self.err(e))?
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| self.err(e))?;
            entities.push(Entity {
                aliases,
                label: r.get(1).map_err(|e| self.err(e))?,
                id,
                kind: EntityType::parse(&kind).unwrap_or(EntityType::Misc),
                mentions: n,
            });
        }
        Ok(entities)
    }

    /// Merged ids → the id they joined.
    fn merged_ids(&self) -> Result<BTreeMap<String, Vec<String>>> {
        let mut stmt = self
            .conn
            .prepare("SELECT merged_into, id FROM entity_ids WHERE merged_into IS NOT NULL ORDER BY id")
            .map_err(|e| self.err(e))?;
        let mut merged: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))? {
            let (into, id): (String, String) = row.map_err(|e| self.err(e))?;
            merged.entry(into).or_default().push(id);
        }
        Ok(merged)
    }

    /// The selection's stance records, each with its comment's id and quote.
    fn stances_of(&self, selection: &Selection, first: &FirstMentions) -> Result<Vec<StanceRecord>> {
        let sql = format!(
            "SELECT s.doc_id, s.comment, s.author, s.entity_id, e.label, e.type, s.stance, s.confidence,
                    s.p_against, s.p_neutral, s.p_favour, s.model, s.implicit, c.comment_id, c.text
             FROM stances s JOIN entities e ON e.id = s.entity_id
             LEFT JOIN comments c ON c.doc_id = s.doc_id AND c.position = s.comment
             WHERE s.doc_id IN (SELECT d.id FROM documents d WHERE {})
             ORDER BY s.doc_id, s.comment, s.entity_id",
            in_selection()
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let records = stmt
            .query_map(selection.params(), |r| {
                let doc_id: String = r.get(0)?;
                let comment = r.get::<_, i64>(1)? as usize;
                let entity_id: String = r.get(3)?;
                let implicit: bool = r.get(12)?;
                let text: Option<String> = r.get(14)?;
                let mention = first.of(&doc_id, comment, &entity_id).filter(|_| !implicit);
                Ok(StanceRecord {
                    comment_id: evidence::comment_id(r.get::<_, Option<String>>(13)?.as_deref(), &doc_id, comment),
                    quote: evidence::quote(text.as_deref().unwrap_or(""), mention),
                    doc_id,
                    comment,
                    author: r.get(2)?,
                    entity_id,
                    entity: r.get(4)?,
                    entity_type: EntityType::parse(&r.get::<_, String>(5)?).unwrap_or(EntityType::Misc),
                    stance: Stance::parse(&r.get::<_, String>(6)?).unwrap_or(Stance::Neutral),
                    confidence: rounded(r.get(7)?),
                    probabilities: [rounded(r.get(8)?), rounded(r.get(9)?), rounded(r.get(10)?)],
                    model: r.get(11)?,
                    implicit,
                    unsure: false,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(records)
    }
}

impl Selection {
    /// The parameters of [`in_selection`].
    fn params(&self) -> (i64, Option<&str>, Option<&str>) {
        (self.mode, self.from.as_deref(), self.to.as_deref())
    }
}

/// The quote's mention of each (document, comment, entity): the comment's
/// first mention of the entity by name (a pronoun only when there is no
/// name).
struct FirstMentions(HashMap<(String, usize, String), (bool, usize, usize)>);

impl FirstMentions {
    fn new() -> FirstMentions {
        FirstMentions(HashMap::new())
    }

    fn see(&mut self, m: &Mention) {
        let Source::Comment(c) = m.source else { return };
        let rank = (m.linked_by == LinkedBy::Pronoun, m.start, m.end);
        let slot = self.0.entry((m.doc_id.clone(), c, m.entity_id.clone())).or_insert(rank);
        *slot = rank.min(*slot);
    }

    /// The mention's character range.
    fn of(&self, doc_id: &str, comment: usize, entity_id: &str) -> Option<(usize, usize)> {
        self.0.get(&(doc_id.to_string(), comment, entity_id.to_string())).map(|&(_, s, e)| (s, e))
    }
}
