//! Comment dates through the corpus store: a JSONL comment's own `date` is
//! stored and comes back in the export snapshot, and it is part of the
//! document's content hash (a changed date is an update), while documents
//! without comment dates keep the hash they had before comment dates
//! existed.

use std::path::PathBuf;

use stancegraph::corpus::{Comment, Document};
use stancegraph::store::{document_hash, DocumentChange, Store};

fn thread(dates: [Option<&str>; 2]) -> Document {
    Document {
        id: "t1".into(),
        path: PathBuf::from("threads.jsonl"),
        date: Some("2024-01-01".into()),
        title: None,
        text: "Canada and Mexico met.".into(),
        comments: dates
            .iter()
            .enumerate()
            .map(|(i, d)| Comment {
                id: Some(format!("c{i}")),
                author: format!("user{i}"),
                text: format!("comment {i}"),
                parent: (i > 0).then_some(0),
                date: d.map(str::to_string),
            })
            .collect(),
    }
}

#[test]
fn the_store_keeps_comment_dates() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("store.db")).unwrap();
    let run = store.begin_run("run", &[]).unwrap();
    let doc = thread([Some("2024-01-02"), None]);
    assert_eq!(store.ingest(std::slice::from_ref(&doc), run).unwrap(), [DocumentChange::New]);
    let snap = store.snapshot(None, None).unwrap();
    let dates: Vec<Option<&str>> = snap.documents[0].comments.iter().map(|c| c.date.as_deref()).collect();
    assert_eq!(dates, [Some("2024-01-02"), None]);
    assert_eq!(snap.documents[0].comments[1].parent, Some(0));

    // The same document again is unchanged; a changed comment date is an update.
    assert_eq!(store.ingest(std::slice::from_ref(&doc), run).unwrap(), [DocumentChange::Unchanged]);
    let moved = thread([Some("2024-01-03"), None]);
    assert_eq!(store.ingest(&[moved], run).unwrap(), [DocumentChange::Updated]);
    let snap = store.snapshot(None, None).unwrap();
    assert_eq!(snap.documents[0].comments[0].date.as_deref(), Some("2024-01-03"));
}

#[test]
fn comment_dates_change_the_hash_only_when_there_are_some() {
    let undated = thread([None, None]);
    let dated = thread([Some("2024-01-02"), None]);
    let other = thread([None, Some("2024-01-02")]);
    assert_ne!(document_hash(&undated), document_hash(&dated));
    assert_ne!(document_hash(&dated), document_hash(&other), "which comment has the date matters");
    // The hash of a document without comment dates, as computed before comment dates were
    // hashed (stores made then see such documents as unchanged): date, title, text, count,
    // then id, author, parent, text per comment.
    let parts = [
        "2024-01-01",
        "",
        "Canada and Mexico met.",
        "2",
        "c0",
        "user0",
        "",
        "comment 0",
        "c1",
        "user1",
        "0",
        "comment 1",
    ];
    assert_eq!(document_hash(&undated), stancegraph::hashes::content_hash(parts));
}
