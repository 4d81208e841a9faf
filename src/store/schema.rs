//! The store's table layout: the tables and indexes every open creates when
//! they are missing ([`SCHEMA`]), and the columns added since the first
//! release, which a store made by an earlier build gets (empty) when it is
//! opened. [`super::SCHEMA_VERSION`] names the layout.

use super::{Result, Store};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL DEFAULT '',
    ner_model TEXT,
    stance_model TEXT,
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    date TEXT,
    title TEXT,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    updated_run INTEGER NOT NULL,
    seen_run INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_text_hash ON documents(text_hash);
CREATE TABLE IF NOT EXISTS comments (
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    comment_id TEXT,
    author TEXT NOT NULL,
    parent INTEGER,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    date TEXT,
    PRIMARY KEY (doc_id, position)
);
CREATE INDEX IF NOT EXISTS comments_text_hash ON comments(text_hash);
CREATE TABLE IF NOT EXISTS ner_spans (
    text_hash TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    run INTEGER NOT NULL,
    spans TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ner_batches (
    chunk TEXT NOT NULL,
    batch INTEGER NOT NULL,
    run INTEGER NOT NULL,
    labels BLOB NOT NULL,
    PRIMARY KEY (chunk, batch)
);
CREATE TABLE IF NOT EXISTS stance_decisions (
    input_hash TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    run INTEGER NOT NULL,
    stance TEXT NOT NULL,
    p_against REAL NOT NULL,
    p_neutral REAL NOT NULL,
    p_favour REAL NOT NULL,
    confidence REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mentions (
    doc_id TEXT NOT NULL,
    comment INTEGER,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    linked_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS stances (
    doc_id TEXT NOT NULL,
    comment INTEGER NOT NULL,
    author TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    stance TEXT NOT NULL,
    p_against REAL NOT NULL,
    p_neutral REAL NOT NULL,
    p_favour REAL NOT NULL,
    confidence REAL NOT NULL,
    model TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    PRIMARY KEY (doc_id, comment, entity_id)
);
CREATE INDEX IF NOT EXISTS stances_entity ON stances(entity_id);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    type TEXT NOT NULL,
    mentions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entity_aliases (
    entity_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (entity_id, alias)
);
CREATE TABLE IF NOT EXISTS entity_ids (
    id TEXT PRIMARY KEY,
    first_run INTEGER NOT NULL,
    merged_into TEXT
);
CREATE TABLE IF NOT EXISTS entity_keys (
    key TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL
);
"#;

/// (table, column, type) added to the schema after its first release.
pub(super) const ADDED_COLUMNS: [(&str, &str, &str); 2] =
    [("comments", "date", "TEXT"), ("stances", "implicit", "INTEGER NOT NULL DEFAULT 0")];

impl Store {
    /// Columns added to a table after stores were first made: a store of an
    /// earlier build gets them (empty) when it is opened.
    pub(super) fn add_missing_columns(&self) -> Result<()> {
        for (table, column, ty) in ADDED_COLUMNS {
            let mut stmt = self.conn.prepare(&format!("PRAGMA table_info({table})")).map_err(|e| self.err(e))?;
            let names: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(1))
                .map_err(|e| self.err(e))?
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| self.err(e))?;
            if !names.iter().any(|n| n == column) {
                self.conn
                    .execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"))
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }
}
