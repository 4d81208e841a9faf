//! Integration tests for `stancegraph::corpus`: the scraped text format, JSON
//! Lines, and loading whole directories with bad files mixed in.

use std::fs;
use std::path::{Path, PathBuf};

use stancegraph::corpus::{
    cut_at_sentence, input_files, load, load_file, BadLine, CorpusError, Document, DuplicateId, Skipped,
};

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/seed/000_62d861501da0fb6e.txt");
const POLNEAR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/corpus/polnear");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(name)
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample")
}

/// Loads a file that must hold exactly one document.
fn one(path: &Path) -> Document {
    let file = load_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(file.bad_lines, [], "{}", path.display());
    assert_eq!(file.documents.len(), 1, "{}", path.display());
    file.documents.into_iter().next().expect("one document")
}

fn authors(doc: &Document) -> Vec<&str> {
    doc.comments.iter().map(|c| c.author.as_str()).collect()
}

// --- the seed document -----------------------------------------------------

#[test]
fn seed_document_has_its_17_comments() {
    let path = Path::new(SEED);
    if !path.exists() {
        eprintln!("note: {SEED} is missing; seed test skipped");
        return;
    }
    let doc = one(path);
    assert_eq!(doc.id, "000_62d861501da0fb6e");
    assert_eq!(doc.date.as_deref(), Some("2023-10-17"));
    assert_eq!(doc.title, None);

    let paragraphs: Vec<&str> = doc.text.split('\n').collect();
    assert_eq!(paragraphs.len(), 7);
    assert!(paragraphs[0].starts_with("Japanese Foreign Minister Yoko Kamikawa"));
    assert!(!doc.text.contains("date 2023"));
    // The credit is cut off the last paragraph.
    assert!(paragraphs[6].ends_with("second half of this week."), "{}", paragraphs[6]);
    assert!(!doc.text.contains("Thomson Reuters"));

    assert_eq!(
        authors(&doc),
        [
            "TaiwanIsNotChina",
            "Mr Kipling",
            "Peter Neil",
            "Mr Kipling",
            "ushosh123",
            "Kotaro88",
            "Yrral",
            "TaiwanIsNotChina",
            "marc laden",
            "Keepitreal",
            "obladi",
            "TaiwanIsNotChina",
            "Meiyouwenti",
            "didou",
            "Yubaru",
            "antifun",
            "stormcrow",
        ]
    );
    for comment in &doc.comments {
        assert!(!comment.text.is_empty());
        assert_eq!(comment.parent, None);
        assert_eq!(comment.id, None);
    }

    let marc = &doc.comments[8];
    let lines: Vec<&str> = marc.text.split('\n').collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("The reality is coming out"));
    assert!(lines[1].starts_with("Go Japan... be a leader by yourself."));

    let yubaru = &doc.comments[14];
    let lines: Vec<&str> = yubaru.text.split('\n').collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("Kishida is having her do this"));
    assert_eq!(lines[1], "Only problem is there never seem to be any positive results!");

    // Mr Kipling's first comment has two lines too; every other one has one.
    let multi: Vec<usize> = (0..doc.comments.len()).filter(|&i| doc.comments[i].text.contains('\n')).collect();
    assert_eq!(multi, [1, 8, 14]);
    assert_eq!(doc.comments[1].text.lines().count(), 2);
    assert_eq!(doc.comments[2].text, "I'm sure that will work . . .");
}

// --- the text format ---------------------------------------------------------

#[test]
fn continuation_lines_stay_with_their_comment() {
    let doc = one(&fixture("continuation.txt"));
    assert_eq!(doc.date.as_deref(), Some("2024-05-02"));
    assert_eq!(doc.text.lines().count(), 2);
    assert_eq!(authors(&doc), ["river_watch", "Peru Fan", "Carla M", "pedro_22"]);
    assert_eq!(doc.comments[0].text, "Three years to organise one meeting.\nThen they promise another one.\nGo Chile");
    // A short line right after a name is text, even when it is one word.
    assert_eq!(doc.comments[1].text, "Seriously?");
    assert!(doc.comments[2].text.ends_with("\nJust saying"));
}

#[test]
fn user_names_may_contain_spaces() {
    let doc = one(&fixture("spaced_names.txt"));
    assert_eq!(authors(&doc), ["Anna Lindgren", "Ole Martin Berg", "the old sailor", "Anna Lindgren"]);
    assert_eq!(doc.comments[2].text, "Nice idea, but 2029 means 2035.");
    assert_eq!(doc.comments[3].text, "@Ole Martin Berg you say that every time.");
}

#[test]
fn article_without_credit_line_still_ends_before_first_comment() {
    let doc = one(&fixture("no_credit.txt"));
    assert_eq!(doc.text.lines().count(), 3);
    assert!(doc.text.ends_with("how the project would be financed."));
    assert_eq!(authors(&doc), ["savannah_k", "Mr Tadesse"]);
}

#[test]
fn plain_article_has_title_and_no_comments() {
    let doc = one(&fixture("no_comments.txt"));
    assert_eq!(doc.id, "no_comments");
    assert_eq!(doc.title.as_deref(), Some("Senate Passes Budget Bill."));
    assert_eq!(doc.date, None);
    assert!(doc.comments.is_empty());
    assert_eq!(doc.text.lines().count(), 3);
    assert!(doc.text.starts_with("WASHINGTON - The Senate passed"));
}

#[test]
fn dated_article_without_comments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("solo.txt");
    let text = "date 2024-02-02 A quiet day in parliament passed without any votes at all.\n\
                Members are expected back on Monday for a debate on the budget.\n";
    fs::write(&path, text).expect("write");
    let doc = one(&path);
    assert!(doc.comments.is_empty());
    assert_eq!(doc.text.lines().count(), 2);
}

#[test]
fn crlf_bom_and_trailing_whitespace_are_handled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crlf.txt");
    let text = "\u{feff}date 2024-05-02 Officials from Chile and Peru met in Lima on Thursday.  \r\n\
                \r\n\
                The talks ended without an agreement, the ministries said.\t\r\n\
                \u{a9} Andes Newswire 2024.\r\n\
                river_watch \r\n\
                Three years to organise one meeting.\r\n\
                Then they promise another one.\r\n\
                Carla M\r\n\
                Water first, flags later.\r\n";
    fs::write(&path, text).expect("write");
    let doc = one(&path);
    assert_eq!(doc.date.as_deref(), Some("2024-05-02"));
    assert_eq!(
        doc.text,
        "Officials from Chile and Peru met in Lima on Thursday.\n\
         The talks ended without an agreement, the ministries said."
    );
    assert_eq!(authors(&doc), ["river_watch", "Carla M"]);
    assert_eq!(doc.comments[0].text, "Three years to organise one meeting.\nThen they promise another one.");
    assert!(!doc.comments.iter().any(|c| c.text.contains('\r') || c.author.contains('\r')));
}

#[test]
fn polnear_articles_load_without_comments() {
    let dir = Path::new(POLNEAR);
    if !dir.exists() {
        eprintln!("note: {POLNEAR} is missing; polnear test skipped");
        return;
    }
    let corpus = load(&[dir.to_path_buf()]);
    assert!(corpus.skipped.is_empty(), "{:?}", &corpus.skipped[..corpus.skipped.len().min(3)]);
    assert!(corpus.documents.len() > 1000, "{}", corpus.documents.len());
    for doc in &corpus.documents {
        assert!(doc.comments.is_empty(), "{} has comments", doc.id);
        assert!(doc.title.is_some(), "{} has no title", doc.id);
        assert!(!doc.text.is_empty(), "{} has no text", doc.id);
        // breitbart_2015-11-11_the-ninth-circle-the-hellish-vie.txt is dated 2015-11-11.
        let from_name = doc.id.split('_').nth(1).expect("source_date_title");
        assert_eq!(doc.date.as_deref(), Some(from_name), "{}", doc.id);
    }
}

#[test]
fn a_date_in_the_file_name_dates_a_document_without_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("wire_2015-11-11_budget-talks.txt");
    fs::write(&plain, "Budget Talks Resume\nThe talks resumed on Wednesday in the capital.\n").expect("write");
    let doc = one(&plain);
    assert_eq!(doc.date.as_deref(), Some("2015-11-11"));
    assert!(doc.comments.is_empty(), "a date in the name does not make a file one with comments");
    assert_eq!(doc.title.as_deref(), Some("Budget Talks Resume"));

    // The date line comes first.
    let dated = dir.path().join("wire_2015-11-11_later.txt");
    fs::write(&dated, "date 2016-01-02 A quiet day in parliament passed without any votes at all.\n").expect("write");
    assert_eq!(one(&dated).date.as_deref(), Some("2016-01-02"));

    // JSONL: the document's `date` first, else the file name's; comments keep their own date;
    // a comment date that is no day makes its line bad, as a document's does.
    let jsonl = dir.path().join("threads-2015-12-24.jsonl");
    let lines = [
        serde_json::json!({"id": "a", "text": "No date here.", "comments": [
            {"author": "x", "text": "First.", "date": "2015-12-25T10:00:00Z"},
            {"author": "y", "text": "Second.", "date": ""},
            {"author": "z", "text": "Third."}]}),
        serde_json::json!({"id": "b", "date": "2016-03-01", "text": "Dated."}),
        serde_json::json!({"id": "c", "text": "Undated.", "comments": [{"author": "y", "text": "Hi.", "date": "sometime"}]}),
    ];
    fs::write(&jsonl, lines.map(|l| l.to_string()).join("\n")).expect("write");
    let loaded = load_file(&jsonl).expect("loads");
    assert_eq!(loaded.bad_lines.len(), 1, "{:?}", loaded.bad_lines);
    assert_eq!(loaded.bad_lines[0].line, 3);
    assert!(
        loaded.bad_lines[0].reason.contains("comment 0: `date` \"sometime\" is not a day"),
        "{:?}",
        loaded.bad_lines
    );
    let docs = loaded.documents;
    assert_eq!(docs[0].date.as_deref(), Some("2015-12-24"));
    let comment_dates: Vec<Option<&str>> = docs[0].comments.iter().map(|c| c.date.as_deref()).collect();
    assert_eq!(comment_dates, [Some("2015-12-25"), None, None]);
    assert_eq!(docs[1].date.as_deref(), Some("2016-03-01"));

    // No date anywhere.
    assert_eq!(one(&fixture("no_comments.txt")).date, None);
}

// --- bad files -----------------------------------------------------------------

#[test]
fn non_utf8_and_empty_files_are_skipped_and_others_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("a_good.txt"), "Title\nSome article paragraph here.\n").expect("write");
    fs::write(dir.path().join("b_latin1.txt"), b"Caf\xe9 news\nMore text.\n").expect("write");
    fs::write(dir.path().join("c_empty.txt"), "").expect("write");
    fs::write(dir.path().join("d_blank.txt"), " \n\r\n\t\n").expect("write");

    let corpus = load(&[dir.path().to_path_buf()]);
    assert_eq!(corpus.documents.len(), 1);
    assert_eq!(corpus.documents[0].id, "a_good");
    assert_eq!(corpus.skipped.len(), 3);
    let reasons: Vec<(&str, &str)> = corpus
        .skipped
        .iter()
        .map(|s| (s.path.file_name().and_then(|n| n.to_str()).unwrap_or(""), s.reason.as_str()))
        .collect();
    assert_eq!(reasons[0].0, "b_latin1.txt");
    assert!(reasons[0].1.contains("UTF-8") && reasons[0].1.contains('3'), "{}", reasons[0].1);
    assert_eq!(reasons[1], ("c_empty.txt", "empty file"));
    assert_eq!(reasons[2], ("d_blank.txt", "empty file"));

    assert!(matches!(load_file(&dir.path().join("b_latin1.txt")), Err(CorpusError::NotUtf8(3))));
    assert!(matches!(load_file(&dir.path().join("c_empty.txt")), Err(CorpusError::Empty)));
}

#[test]
fn missing_input_is_skipped() {
    let missing = PathBuf::from("/definitely/not/here.txt");
    let corpus = load(&[missing.clone(), fixture("no_comments.txt")]);
    assert_eq!(corpus.documents.len(), 1);
    assert_eq!(corpus.skipped.len(), 1);
    assert_eq!(corpus.skipped[0].path, missing);
    assert!(!corpus.skipped[0].reason.is_empty());
    assert!(matches!(load_file(&missing), Err(CorpusError::Io(_))));
}

// --- JSON Lines ------------------------------------------------------------------

#[test]
fn jsonl_parents_are_resolved() {
    let file = load_file(&fixture("thread.jsonl")).expect("thread.jsonl loads");
    assert!(file.bad_lines.is_empty());
    let docs = file.documents;
    assert_eq!(docs.len(), 2);

    let doc = &docs[0];
    assert_eq!(doc.id, "j1");
    assert_eq!(doc.date.as_deref(), Some("2024-04-01"));
    assert_eq!(doc.title.as_deref(), Some("Port strike ends"));
    assert_eq!(authors(doc), ["harbour_rat", "Jan de Vries", "Els"]);
    let parents: Vec<Option<usize>> = doc.comments.iter().map(|c| c.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(1)]);
    assert_eq!(doc.comments[0].id.as_deref(), Some("a"));
    assert_eq!(doc.comments[2].id, None);

    // Numeric ids become strings; a timestamp keeps its date.
    assert_eq!(docs[1].id, "42");
    assert_eq!(docs[1].date.as_deref(), Some("2024-04-02"));
    assert!(docs[1].comments.is_empty());
}

#[test]
fn bad_jsonl_line_is_skipped_and_the_other_lines_run() {
    // Line 1 good, line 2 blank, line 3 cut short, line 4 good.
    let file = load_file(&fixture("bad.jsonl")).expect("bad.jsonl keeps its good lines");
    let ids: Vec<&str> = file.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["ok1", "ok2"]);
    assert_eq!(file.bad_lines.len(), 1);
    assert_eq!(file.bad_lines[0].line, 3);
    let reason = &file.bad_lines[0].reason;
    assert!(reason.starts_with("invalid JSON: EOF while parsing an object"), "{reason}");
    assert!(!reason.contains("line"), "the line is a field, not part of the reason: {reason}");

    let corpus = load(&[fixture("bad.jsonl")]);
    assert_eq!(corpus.documents.len(), 2);
    assert_eq!(corpus.skipped.len(), 1);
    let skipped = &corpus.skipped[0];
    assert_eq!(skipped.line, Some(3));
    assert_eq!(skipped.reason, *reason);
    assert_eq!(skipped.to_string(), format!("{}:3: {reason}", fixture("bad.jsonl").display()));
}

#[test]
fn every_kind_of_bad_line_is_skipped_with_its_number() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mixed.jsonl");
    let lines = [
        r#"{"id": "a", "text": "First."}"#,
        r#"{"id": "b", "text": "Unclosed"#,
        r#"[1, 2]"#,
        r#"{"id": "c"}"#,
        r#"{"id": "d", "text": "t", "comments": [{"author": "x", "text": "y", "parent": 7}]}"#,
        "",
        r#"{"id": "e", "text": "Last."}"#,
    ];
    fs::write(&path, lines.join("\n")).expect("write");
    let file = load_file(&path).expect("two good lines");
    let ids: Vec<&str> = file.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "e"]);
    let bad: Vec<usize> = file.bad_lines.iter().map(|b| b.line).collect();
    assert_eq!(bad, [2, 3, 4, 5]);
    assert!(file.bad_lines[0].reason.starts_with("invalid JSON: "), "{}", file.bad_lines[0].reason);
    assert_eq!(file.bad_lines[1].reason, "not a JSON object");
    assert!(file.bad_lines[2].reason.contains("missing field `text`"), "{}", file.bad_lines[2].reason);
    assert_eq!(file.bad_lines[3].reason, "comment 0: parent index 7 is out of range");
    for bad in &file.bad_lines {
        assert!(!bad.reason.contains('\n'), "one clause: {:?}", bad.reason);
    }
}

#[test]
fn file_with_only_bad_lines_is_an_error_naming_the_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("all_bad.jsonl");
    fs::write(&path, "\n{\"id\": \"x\", \"text\": \"no end\"\nnot json at all\n").expect("write");
    match load_file(&path) {
        Err(CorpusError::Format { line, message }) => {
            assert_eq!(line, 2);
            assert!(message.starts_with("invalid JSON: EOF while parsing an object"), "{message}");
        }
        other => panic!("expected a format error, got {other:?}"),
    }
    let corpus = load(&[path.clone()]);
    assert!(corpus.documents.is_empty());
    assert_eq!(corpus.skipped.len(), 1);
    assert_eq!(corpus.skipped[0].line, None, "the whole file is skipped");
    assert!(corpus.skipped[0].reason.starts_with("line 2: invalid JSON: "), "{}", corpus.skipped[0].reason);
    assert!(corpus.skipped[0].to_string().starts_with(&format!("{}: line 2: ", path.display())));
}

#[test]
fn skipped_displays_path_and_line() {
    let whole = Skipped { path: PathBuf::from("in/a.txt"), line: None, reason: "empty file".into() };
    assert_eq!(whole.to_string(), "in/a.txt: empty file");
    let line = Skipped { path: PathBuf::from("in/b.jsonl"), line: Some(7), reason: "not a JSON object".into() };
    assert_eq!(line.to_string(), "in/b.jsonl:7: not a JSON object");
}

#[test]
fn jsonl_bad_parents_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (r#"{"id":"x","text":"t","comments":[{"author":"a","text":"b","parent":"nope"}]}"#, "not a comment id"),
        (r#"{"id":"x","text":"t","comments":[{"author":"a","text":"b","parent":5}]}"#, "out of range"),
        (r#"{"id":"x","text":"t","comments":[{"author":"a","text":"b","parent":0}]}"#, "own parent"),
        (
            r#"{"id":"x","text":"t","comments":[{"id":"p","author":"a","text":"b","parent":"q"},{"id":"q","author":"c","text":"d","parent":"p"}]}"#,
            "loop",
        ),
        (r#"{"id":"x","text":"t","comments":[{"author":"a","text":"b","parent":true}]}"#, "must be"),
        (r#"{"id":"x","comments":[]}"#, "text"),
    ];
    for (i, (line, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case{i}.jsonl"));
        fs::write(&path, format!("\n{line}\n")).expect("write");
        match load_file(&path) {
            Err(CorpusError::Format { line: 2, message }) => {
                assert!(message.contains(expected), "case {i}: {message}")
            }
            other => panic!("case {i}: expected a line-2 format error, got {other:?}"),
        }
    }
}

#[test]
fn content_starting_with_brace_is_jsonl_whatever_the_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("looks_like_text.txt");
    fs::write(&path, "{\"id\": \"z\", \"text\": \"Hello.\"}\n").expect("write");
    let doc = one(&path);
    assert_eq!(doc.id, "z");
    assert_eq!(doc.text, "Hello.");
}

#[test]
fn json_files_may_hold_an_array_or_one_pretty_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let array = dir.path().join("many.json");
    fs::write(&array, "[\n {\"id\": \"m1\", \"text\": \"One.\"},\n {\"id\": \"m2\", \"text\": \"Two.\"}\n]\n")
        .expect("write");
    let ids: Vec<String> = load_file(&array).expect("array loads").documents.into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["m1", "m2"]);

    let pretty = dir.path().join("one.json");
    fs::write(
        &pretty,
        "{\n  \"id\": \"p\",\n  \"text\": \"Body.\",\n  \"comments\": [\n    {\"author\": \"x\", \"text\": \"y\"}\n  ]\n}\n",
    )
    .expect("write");
    let doc = one(&pretty);
    assert_eq!(doc.id, "p");
    assert_eq!(authors(&doc), ["x"]);

    // Valid JSON but not a document: the object's own problem, at its first line.
    let wrong = dir.path().join("wrong.json");
    fs::write(&wrong, "\n{\n  \"id\": \"p\",\n  \"body\": \"no text field\"\n}\n").expect("write");
    match load_file(&wrong) {
        Err(CorpusError::Format { line: 2, message }) => assert!(message.contains("missing field `text`"), "{message}"),
        other => panic!("expected a line-2 format error, got {other:?}"),
    }
}

#[test]
fn bad_array_elements_are_skipped_by_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("array.json");
    fs::write(&path, "[\n {\"id\": \"m1\", \"text\": \"One.\"},\n 5,\n {\"id\": \"m3\"},\n {\"text\": \"Four.\"}\n]\n")
        .expect("write");
    let file = load_file(&path).expect("array with good elements loads");
    let ids: Vec<&str> = file.documents.iter().map(|d| d.id.as_str()).collect();
    // A missing id is <stem>-<index>.
    assert_eq!(ids, ["m1", "array-4"]);
    assert_eq!(
        file.bad_lines,
        [
            BadLine { line: 2, reason: "not a JSON object".into() },
            BadLine { line: 3, reason: "missing field `text`".into() },
        ]
    );

    // Every element bad: an error naming the first.
    fs::write(&path, "[5, {\"id\": 1}]").expect("write");
    match load_file(&path) {
        Err(CorpusError::Format { line: 1, message }) => assert_eq!(message, "not a JSON object"),
        other => panic!("expected a format error for element 1, got {other:?}"),
    }
    // An array that does not parse is an error.
    fs::write(&path, "[{\"id\": \"m1\", \"text\": \"One.\"},\n").expect("write");
    assert!(matches!(load_file(&path), Err(CorpusError::Format { .. })));
    // An empty array is empty.
    fs::write(&path, "[]").expect("write");
    assert!(matches!(load_file(&path), Err(CorpusError::Empty)));
}

// --- directories -----------------------------------------------------------------

#[test]
fn directories_are_walked_recursively_in_path_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    fs::create_dir_all(root.join("b/deeper")).expect("mkdir");
    fs::create_dir_all(root.join(".git")).expect("mkdir");
    let article = "Headline\nOne paragraph of text.\n";
    fs::write(root.join("b/deeper/zeta.txt"), article).expect("write");
    fs::write(root.join("b/alpha.txt"), article).expect("write");
    fs::write(root.join("a.txt"), article).expect("write");
    fs::write(root.join("c.jsonl"), "{\"id\": \"alpha\", \"text\": \"x\"}\n").expect("write");
    // Passed over: hidden, other extensions, metadata.
    fs::write(root.join(".hidden.txt"), article).expect("write");
    fs::write(root.join(".git/config.txt"), article).expect("write");
    fs::write(root.join("notes.md"), article).expect("write");
    fs::write(root.join("metadata.tsv"), "a\tb\n").expect("write");

    let corpus = load(&[root.to_path_buf()]);
    assert!(corpus.skipped.is_empty(), "{:?}", corpus.skipped);
    let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
    // b/alpha.txt and c.jsonl both claim "alpha": c.jsonl is read later, so
    // it wins and stands at its own place.
    assert_eq!(ids, ["a", "zeta", "alpha"]);
    assert!(corpus.documents[1].path.ends_with("b/deeper/zeta.txt"));
    assert!(corpus.documents[2].path.ends_with("c.jsonl"));
    assert_eq!(
        corpus.duplicates,
        [DuplicateId {
            id: "alpha".into(),
            kept: format!("{}:1", root.join("c.jsonl").display()),
            dropped: root.join("b/alpha.txt").display().to_string(),
        }]
    );

    // Explicitly named files are tried whatever their extension.
    let corpus = load(&[root.join("notes.md"), root.join("metadata.tsv")]);
    assert_eq!(corpus.documents.len(), 1);
    assert_eq!(corpus.documents[0].id, "notes");
    assert_eq!(corpus.skipped.len(), 1);
}

#[test]
fn duplicate_id_across_files_the_later_input_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (night1, night2) = (dir.path().join("night1"), dir.path().join("night2"));
    fs::create_dir_all(&night1).expect("mkdir");
    fs::create_dir_all(&night2).expect("mkdir");
    fs::write(night1.join("thread.txt"), "Headline\nFirst scrape.\n").expect("write");
    fs::write(night2.join("thread.txt"), "Headline\nSecond scrape, with more.\n").expect("write");
    let place = |dir: &Path| dir.join("thread.txt").display().to_string();

    let corpus = load(&[night1.clone(), night2.clone()]);
    assert_eq!(corpus.documents.len(), 1);
    assert_eq!(corpus.documents[0].id, "thread");
    assert_eq!(corpus.documents[0].text, "Second scrape, with more.");
    assert_eq!(corpus.duplicates, [DuplicateId { id: "thread".into(), kept: place(&night2), dropped: place(&night1) }]);
    assert!(corpus.skipped.is_empty());

    // The order of the inputs decides, not their names.
    let corpus = load(&[night2.clone(), night1.clone()]);
    assert_eq!(corpus.documents[0].text, "First scrape.");
    assert_eq!(corpus.duplicates, [DuplicateId { id: "thread".into(), kept: place(&night1), dropped: place(&night2) }]);
}

#[test]
fn duplicate_id_within_one_file_the_later_line_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("night.jsonl");
    let lines = [
        r#"{"id": "x", "text": "Old version."}"#,
        r#"{"id": "y", "text": "Other story."}"#,
        r#"{"id": "x", "text": "New version.", "comments": [{"author": "a", "text": "late comment"}]}"#,
    ];
    fs::write(&path, lines.join("\n")).expect("write");

    // load_file reports what the file holds; duplicates are resolved by load.
    assert_eq!(load_file(&path).expect("loads").documents.len(), 3);

    let corpus = load(&[path.clone()]);
    let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["y", "x"], "the kept document stands at its own (later) place");
    assert_eq!(corpus.documents[1].text, "New version.");
    assert_eq!(corpus.documents[1].comments.len(), 1);
    let at = |line: usize| format!("{}:{line}", path.display());
    assert_eq!(corpus.duplicates, [DuplicateId { id: "x".into(), kept: at(3), dropped: at(1) }]);
}

#[test]
fn three_claims_the_last_wins_and_each_earlier_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jsonl = dir.path().join("a.jsonl");
    let text = dir.path().join("x.txt");
    fs::write(&jsonl, "{\"id\": \"x\", \"text\": \"one\"}\n{\"id\": \"x\", \"text\": \"two\"}\n").expect("write");
    fs::write(&text, "Headline\nthree\n").expect("write");

    let corpus = load(&[dir.path().to_path_buf()]);
    assert_eq!(corpus.documents.len(), 1);
    assert_eq!(corpus.documents[0].text, "three");
    let kept = text.display().to_string();
    assert_eq!(
        corpus.duplicates,
        [
            DuplicateId { id: "x".into(), kept: kept.clone(), dropped: format!("{}:1", jsonl.display()) },
            DuplicateId { id: "x".into(), kept, dropped: format!("{}:2", jsonl.display()) },
        ]
    );
}

#[test]
fn a_file_reached_twice_is_read_once() {
    let path = fixture("no_credit.txt");
    let corpus = load(&[path.clone(), path.clone(), path.clone()]);
    assert_eq!(corpus.documents.len(), 1);
    assert!(corpus.duplicates.is_empty(), "{:?}", corpus.duplicates);

    // Named, and also inside a named directory: read at its first place.
    let dir = fixture("");
    let (files, _) = input_files(&[path.clone(), dir.clone()]);
    assert_eq!(files.len(), 6);
    assert_eq!(files[0], path);
    assert!(!files[1..].iter().any(|f| f.ends_with("no_credit.txt")));
    let corpus = load(&[path, dir]);
    assert!(corpus.duplicates.is_empty(), "{:?}", corpus.duplicates);
    assert_eq!(corpus.documents[0].id, "no_credit");
}

#[test]
fn fixture_directory_loads_with_the_bad_line_skipped() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let corpus = load(&[dir.clone()]);
    assert_eq!(corpus.skipped.len(), 1);
    assert!(corpus.skipped[0].path.ends_with("bad.jsonl"));
    assert_eq!(corpus.skipped[0].line, Some(3));
    assert!(corpus.duplicates.is_empty(), "{:?}", corpus.duplicates);
    // Two from bad.jsonl, continuation, no_comments, no_credit, spaced_names, and two from thread.jsonl.
    assert_eq!(corpus.documents.len(), 8);

    let (files, skipped) = input_files(&[dir]);
    assert!(skipped.is_empty());
    let names: Vec<&str> = files.iter().filter_map(|f| f.file_name()?.to_str()).collect();
    assert_eq!(
        names,
        ["bad.jsonl", "continuation.txt", "no_comments.txt", "no_credit.txt", "spaced_names.txt", "thread.jsonl"]
    );
}

// --- long texts ------------------------------------------------------------------

/// The cut's promises for every limit: a start of the text, never more than
/// `max` characters, `None` exactly when the text fits.
fn check_every_limit(text: &str) {
    let len = text.chars().count();
    for max in 0..len + 3 {
        match cut_at_sentence(text, max) {
            None => assert!(len <= max, "{max}: {text:?} must be cut"),
            Some(cut) => {
                assert!(len > max, "{max}: {text:?} fits");
                assert!(cut.chars().count() <= max, "{max}: {cut:?} is longer than the limit");
                assert!(text.starts_with(&cut), "{max}: {cut:?} is not a start of the text");
                assert_eq!(cut, cut.trim_end(), "{max}: trailing whitespace is dropped");
            }
        }
    }
}

#[test]
fn cut_at_sentence_ends_at_a_sentence() {
    let text = "Alpha beta gamma delta. Epsilon zeta eta theta.";
    assert_eq!(cut_at_sentence(text, 25).as_deref(), Some("Alpha beta gamma delta."));
    assert_eq!(cut_at_sentence(text, 23).as_deref(), Some("Alpha beta gamma delta."));
    // The last sentence end within the limit, not the first.
    let text = "One two. Three four! Five six? Seven eight… Nine ten eleven.";
    assert_eq!(cut_at_sentence(text, 45).as_deref(), Some("One two. Three four! Five six? Seven eight…"));
    assert_eq!(cut_at_sentence(text, 32).as_deref(), Some("One two. Three four! Five six?"));
    // Closing quotes and brackets stay with their sentence.
    let text = "The minister said \"we will see.\" Then she left the room quietly.";
    assert_eq!(cut_at_sentence(text, 40).as_deref(), Some("The minister said \"we will see.\""));
    // A line end is a sentence end, even without punctuation.
    let text = "A headline without a full stop\nThe first paragraph goes on and on.";
    assert_eq!(cut_at_sentence(text, 35).as_deref(), Some("A headline without a full stop"));
    // A full stop inside a number is no sentence end: "Growth was 3." is not
    // a cut; the word end after "3.5" is.
    let text = "Growth was 3.5 percent in the third quarter of 2024.";
    assert_eq!(cut_at_sentence(text, 15).as_deref(), Some("Growth was 3.5"));
    assert_eq!(cut_at_sentence(text, 13).as_deref(), Some("Growth was 3."), "a hard cut, no word end in reach");
    check_every_limit("One two. Three four! Five six? Seven eight… Nine ten eleven.");
}

#[test]
fn cut_at_sentence_is_none_within_the_limit() {
    assert_eq!(cut_at_sentence("Short text.", 11), None);
    assert_eq!(cut_at_sentence("Short text.", 1000), None);
    assert_eq!(cut_at_sentence("", 0), None);
    // Characters, not bytes: six characters, eleven bytes.
    assert_eq!(cut_at_sentence("café😀ü", 6), None);
    assert_eq!(cut_at_sentence("café😀ü", 5).as_deref(), Some("café😀"));
    assert_eq!(cut_at_sentence("Short text.", usize::MAX), None);
}

#[test]
fn cut_at_sentence_counts_characters_and_never_splits_one() {
    // Multi-byte characters right at the limit: é is 2 bytes, 😀 4, 👍🏽 two chars.
    let text = "Ça a été très évident. Les élèves 😀😀 sont partis à l'école 👍🏽 très tôt. Fin.";
    check_every_limit(text);
    assert_eq!(cut_at_sentence(text, 24).as_deref(), Some("Ça a été très évident."));
    assert_eq!(cut_at_sentence(text, 40).as_deref(), Some("Ça a été très évident. Les élèves 😀😀"));

    // No whitespace at all: a hard cut of exactly the limit, on a char boundary.
    let emoji = "😀é".repeat(20);
    check_every_limit(&emoji);
    let cut = cut_at_sentence(&emoji, 7).expect("cut");
    assert_eq!(cut.chars().count(), 7);
    assert_eq!(cut, "😀é😀é😀é😀");
    assert_eq!(cut_at_sentence(&emoji, 0).as_deref(), Some(""));
}

#[test]
fn cut_at_sentence_falls_back_to_a_word_end() {
    // No punctuation: the last whole word within the limit.
    let text = "word ".repeat(30);
    let text = text.trim_end();
    check_every_limit(text);
    let cut = cut_at_sentence(text, 52).expect("cut");
    assert_eq!(cut, "word ".repeat(10).trim_end());
    assert!(cut.chars().count() >= 52 - 52 / 5);

    // A sentence end far back is not worth losing most of the window for.
    let text = "Short. then a very long run of words without any punctuation at all in it";
    let cut = cut_at_sentence(text, 40).expect("cut");
    assert_eq!(cut, "Short. then a very long run of words");
    assert!(cut.chars().count() >= 40 - 40 / 5);

    // A long token reaching back past the last 20%: a hard cut.
    let text = format!("Intro {}", "x".repeat(60));
    assert_eq!(cut_at_sentence(&text, 30), Some(format!("Intro {}", "x".repeat(24))));
}

// --- the sample corpus -------------------------------------------------------------

#[test]
fn sample_corpus_parses() {
    let corpus = load(&[sample_dir()]);
    assert!(corpus.skipped.is_empty(), "{:?}", corpus.skipped);
    assert!(corpus.duplicates.is_empty(), "{:?}", corpus.duplicates);
    let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        ["001_canada_mexico_trade", "002_un_climate_meeting", "003_eu_regulator_tech", "extra_brexit_fisheries"]
    );
    for doc in &corpus.documents {
        assert!(doc.comments.len() >= 4, "{} has {} comments", doc.id, doc.comments.len());
        assert!(doc.date.is_some(), "{}", doc.id);
        assert!(doc.text.lines().count() >= 2, "{}", doc.id);
        for comment in &doc.comments {
            assert!(!comment.text.is_empty() && !comment.author.is_empty(), "{}", doc.id);
            assert!(comment.author.chars().count() <= 40, "{}: {}", doc.id, comment.author);
        }
        // Credits never leak into the article.
        assert!(!doc.text.contains('©') && !doc.text.contains("All rights reserved"), "{}", doc.id);
    }

    let trade = &corpus.documents[0];
    assert_eq!(trade.text.lines().count(), 5);
    assert_eq!(
        authors(trade),
        ["maple_leaf_77", "Rosa Delgado", "Big Tom", "maple_leaf_77", "quietobserver", "Rosa Delgado"]
    );
    assert_eq!(trade.comments[1].text.lines().count(), 2);

    let climate = &corpus.documents[1];
    assert_eq!(climate.text.lines().count(), 5);
    assert_eq!(
        authors(climate),
        ["kl_weber", "Ana Paula R", "kl_weber", "GreenSkeptic", "tropical_ed", "Maria da Silva"]
    );
    assert_eq!(climate.comments[3].text.lines().count(), 2);

    let tech = &corpus.documents[2];
    assert_eq!(tech.text.lines().count(), 6);
    assert_eq!(authors(tech), ["EU_watcher", "Dev P", "CloudGuy42", "Dev P", "hartmann_fan", "Li Wei"]);
    assert_eq!(tech.comments[2].text.lines().count(), 2);

    let extra = &corpus.documents[3];
    let parents: Vec<Option<usize>> = extra.comments.iter().map(|c| c.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(1), Some(0)]);
}
