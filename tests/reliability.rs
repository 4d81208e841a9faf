//! The operator's fault trial (issue 27), item by item, end to end with the
//! release binary: a damaged store is salvaged row by row and a night never
//! silently publishes a smaller corpus; corrupt model files are caught
//! before the store is written; an export that matches nothing keeps
//! `latest`; an id delivered twice is stored once; `--out` is locked; user
//! text can't forge log lines; bad dates and arguments are refused in one
//! timestamped line; `recover` leaves a healthy or missing store alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::root;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn stancegraph(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(root());
    if args[0] == "run" {
        c.args(["--threads", "2"]);
    }
    c
}

fn out_of(args: &[&str]) -> Output {
    stancegraph(args).output().expect("run stancegraph")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}: {}", o.status, stderr(o));
}

/// Exit code `code` and exactly one stderr line, timestamped, holding every one of `words`.
fn one_line(o: &Output, code: i32, words: &[&str]) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("20"), "timestamped: {err}");
    for w in words {
        assert!(err.contains(w), "{w:?} missing: {err}");
    }
    err
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn latest(out: &Path) -> PathBuf {
    std::fs::read_link(out.join("latest")).unwrap()
}

fn set_number(out: &Path) -> i64 {
    latest(out).file_name().unwrap().to_str().unwrap().trim_start_matches("run-").parse().unwrap()
}

/// `n` JSONL documents `doc-<first+i>`, each article about 1,000 characters
/// carrying the marker `DOCMARK-<id>`, two comments each.
fn corpus(path: &Path, first: usize, n: usize) {
    let people = ["Angela Merkel", "Emmanuel Macron", "Justin Trudeau", "Joe Biden", "Narendra Modi", "Olaf Scholz"];
    let countries = ["Canada", "Mexico", "France", "Germany", "India", "Japan"];
    let mut lines = String::new();
    for i in first..first + n {
        let (who, place) = (people[i % 6], countries[i % 6]);
        let text = format!("DOCMARK-{i:03}. {who} met officials from {place} on Tuesday to discuss trade. ").repeat(12);
        let comments: Vec<serde_json::Value> = (0..2)
            .map(|j| serde_json::json!({"author": format!("user{j}"), "text": format!("I think {who} is right about {place}.")}))
            .collect();
        let doc = serde_json::json!({"id": format!("doc-{i:03}"), "date": format!("2024-05-{:02}", 1 + i % 28),
            "title": format!("{who} in {place}"), "text": text, "comments": comments});
        lines += &format!("{doc}\n");
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, lines).unwrap();
}

/// Overwrites the 4 KiB page holding `marker` with random bytes; returns
/// how many distinct `DOCMARK-` documents that page held.
fn corrupt_page_holding(db: &Path, marker: &str) -> usize {
    let mut bytes = std::fs::read(db).unwrap();
    let at = bytes.windows(marker.len()).position(|w| w == marker.as_bytes()).expect("marker in the store");
    let page = at / 4096 * 4096;
    let held: std::collections::BTreeSet<Vec<u8>> =
        bytes[page..page + 4096].windows(11).filter(|w| w.starts_with(b"DOCMARK-")).map(|w| w.to_vec()).collect();
    let mut x: u32 = 0x9e37_79b9;
    for b in &mut bytes[page..page + 4096] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    std::fs::write(db, bytes).unwrap();
    held.len()
}

// --- 1. recover row by row; no silent shrink; numbering never goes back ----

#[test]
fn recover_salvages_row_by_row_and_a_smaller_corpus_is_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let (night1, night2) = (dir.path().join("in/a.jsonl"), dir.path().join("in2/b.jsonl"));
    corpus(&night1, 0, 47);
    corpus(&night2, 100, 2);
    let out = dir.path().join("out");
    ok(&out_of(&["run", p(&night1), "--out", p(&out), "--quiet"]));
    assert_eq!(summary(&out)["documents"], 47);
    let db = out.join("stancegraph.db");
    let pristine = std::fs::read(&db).unwrap();
    let lost = corrupt_page_holding(&db, "DOCMARK-017");
    assert!((1..=4).contains(&lost), "one page holds a few documents: {lost}");

    let rec = out_of(&["recover", "--store", p(&db)]);
    ok(&rec);
    let said = stderr(&rec);
    assert!(said.contains(&format!("documents {} kept, {lost} lost", 47 - lost)), "{said}");
    // The comments of a lost document go with it (its next delivery stores them again).
    assert!(said.contains(&format!("comments {} kept, {} lost", 94 - 2 * lost, 2 * lost)), "{said}");
    assert!(said.contains(&format!("the documents of {} comments", 2 * lost)), "{said}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let docs: i64 = conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0)).unwrap();
    assert_eq!(docs as usize, 47 - lost);
    drop(conn);

    // A copy of the store truncated to half: its table list is gone, the rows are not.
    let half = dir.path().join("half/stancegraph.db");
    std::fs::create_dir_all(half.parent().unwrap()).unwrap();
    std::fs::write(&half, &pristine[..pristine.len() / 2 / 4096 * 4096]).unwrap();
    let rec = out_of(&["recover", "--store", p(&half)]);
    ok(&rec);
    let said = stderr(&rec);
    let kept: usize = said.split("documents ").nth(1).and_then(|t| t.split(' ').next()).unwrap().parse().unwrap();
    assert!(kept >= 30, "most documents kept from a half store: {said}");
    assert!(said.contains("table list"), "{said}");

    // The recovered store plus tonight's 2 documents is smaller than the last set.
    let before = latest(&out);
    let o = out_of(&["run", p(&night2), "--out", p(&out), "--quiet"]);
    one_line(&o, 5, &["fewer than the 47", "run-000001", "--accept-shrink"]);
    assert_eq!(latest(&out), before, "nothing published");
    // With the whole folder again the corpus is whole, and numbered after the last set.
    ok(&out_of(&["run", p(&night1), p(&night2), "--out", p(&out), "--quiet"]));
    assert_eq!(summary(&out)["documents"], 49);
    let whole = set_number(&out);
    assert!(whole > 1);

    // Another --store for the same --out: refused, then accepted; never renumbered from 1.
    let other = dir.path().join("other.db");
    let o = out_of(&["run", p(&night2), "--out", p(&out), "--store", p(&other), "--quiet"]);
    one_line(&o, 5, &["2 documents", "fewer than the 49"]);
    ok(&out_of(&["run", p(&night2), "--out", p(&out), "--store", p(&other), "--quiet", "--accept-shrink"]));
    assert_eq!(summary(&out)["documents"], 2);
    assert!(set_number(&out) > whole, "set numbers never go backwards: {:?}", latest(&out));
}

#[test]
fn recover_leaves_a_healthy_store_alone_and_refuses_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none/stancegraph.db");
    let o = out_of(&["recover", "--store", p(&missing)]);
    one_line(&o, 2, &["does not exist", "nothing to recover"]);
    assert!(!dir.path().join("none").exists(), "no stray lock or folder");

    // Nor does an export of a missing store leave anything behind.
    let o = out_of(&["export", "--out", p(&dir.path().join("none")), "--quiet"]);
    one_line(&o, 2, &["does not exist"]);
    assert!(!dir.path().join("none").exists(), "no stray lock or folder");

    let out = dir.path().join("out");
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 2);
    ok(&out_of(&["run", p(&input), "--out", p(&out), "--quiet"]));
    let db = out.join("stancegraph.db");
    let bytes = std::fs::read(&db).unwrap();
    let o = out_of(&["recover", "--store", p(&db)]);
    one_line(&o, 0, &["healthy", "nothing changed"]);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    let aside = std::fs::read_dir(&out).unwrap().flatten().any(|e| e.file_name().to_string_lossy().contains("damaged"));
    assert!(!aside, "nothing moved aside");

    // A file that is not a store is refused untouched (the trial recovered a summary.json into an empty store).
    let summary_json = out.join("latest/summary.json");
    let text = std::fs::read(&summary_json).unwrap();
    let o = out_of(&["recover", p(&summary_json)]);
    one_line(&o, 2, &["is not a store", "nothing changed"]);
    assert_eq!(std::fs::read(&summary_json).unwrap(), text);
}

#[test]
fn a_recover_killed_before_its_swap_leaves_the_damaged_store_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 30);
    let out = dir.path().join("out");
    ok(&out_of(&["run", p(&input), "--out", p(&out), "--quiet"]));
    let db = out.join("stancegraph.db");
    corrupt_page_holding(&db, "DOCMARK-012");
    let damaged = std::fs::read(&db).unwrap();

    let flag = dir.path().join("paused");
    let mut child = stancegraph(&["recover", p(&db)])
        .env("STANCEGRAPH_PAUSE_AT", "recover-swap")
        .env("STANCEGRAPH_PAUSE_FILE", &flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until_paused(&mut child, &flag, 120, "the recover's swap");
    child.kill().unwrap(); // SIGKILL, the copy done, the swap not
    child.wait().unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), damaged, "the damaged store stays where it was");
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n.starts_with("stancegraph.db.recovering")), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("damaged")), "nothing moved aside yet: {names:?}");

    // The next recover starts again over the leftover and swaps.
    let rec = out_of(&["recover", p(&db)]);
    ok(&rec);
    assert!(stderr(&rec).contains("documents 2"), "{}", stderr(&rec));
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains("recovering")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("damaged")), "{names:?}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let docs: i64 = conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0)).unwrap();
    assert!((26..30).contains(&docs), "{docs} documents kept");
}

// --- 2. model manifests ------------------------------------------------------

#[test]
fn the_shipped_model_folders_match_their_manifests() {
    for m in ["ner", "stance", "stance-accurate"] {
        stancegraph::manifest::verify(&root().join("models").join(m)).unwrap();
    }
}

/// The shipped models in `dir/models`: `ner/` copied (its weights get
/// corrupted), the others hard-linked (read only).
fn models_copy(dir: &Path) -> PathBuf {
    let models = dir.join("models");
    for m in ["ner", "stance", "stance-accurate", "stance-comments"] {
        std::fs::create_dir_all(models.join(m)).unwrap();
        for e in std::fs::read_dir(root().join("models").join(m)).unwrap().flatten() {
            let to = models.join(m).join(e.file_name());
            if m == "ner" || std::fs::hard_link(e.path(), &to).is_err() {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
    }
    models
}

#[test]
fn a_corrupt_or_unlisted_model_fails_in_one_line_before_the_store_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 2);
    let out = dir.path().join("out");
    let weights = models.join("ner/model.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let middle = bytes.len() / 2;
    for (i, b) in bytes[middle..middle + (1 << 20)].iter_mut().enumerate() {
        *b = (i * 7 + 3) as u8;
    }
    std::fs::write(&weights, &bytes).unwrap();
    let o = out_of(&["run", p(&input), "--out", p(&out), "--models", p(&models), "--quiet"]);
    one_line(&o, 2, &["ner/model.safetensors", "corrupt or changed"]);
    assert!(!out.join("stancegraph.db").exists(), "nothing written to the store");

    // A folder without a manifest (the lead's new models/stance-comments, before its manifest).
    std::fs::copy(root().join("models/ner/model.safetensors"), &weights).unwrap();
    std::fs::remove_file(models.join("stance-comments/SHA256SUMS")).unwrap();
    let o = out_of(&["run", p(&input), "--out", p(&out), "--models", p(&models), "--quiet"]);
    one_line(&o, 2, &["stance-comments has no SHA256SUMS", "scripts/export/write_manifest.py"]);
    assert!(!out.join("stancegraph.db").exists());
    // The script writes one; then the run goes through.
    let py = Command::new("python3")
        .arg("scripts/export/write_manifest.py")
        .arg(models.join("stance-comments"))
        .current_dir(root())
        .output();
    match py {
        Ok(py) if py.status.success() => {
            ok(&out_of(&["run", p(&input), "--out", p(&out), "--models", p(&models), "--quiet"]));
        }
        _ => eprintln!("note: python3 is not here; the manifest script is not run"),
    }
}

/// The shipped models in `dir/models`, the weight files symlinked and the
/// small files (config, tokenizer, manifest) copied, so a test may rewrite them.
fn models_with_linked_weights(dir: &Path) -> PathBuf {
    let models = dir.join("models");
    for m in ["ner", "stance", "stance-accurate", "stance-comments"] {
        std::fs::create_dir_all(models.join(m)).unwrap();
        for e in std::fs::read_dir(root().join("models").join(m)).unwrap().flatten() {
            let to = models.join(m).join(e.file_name());
            if e.file_name().to_string_lossy().ends_with(".safetensors") {
                std::os::unix::fs::symlink(e.path(), &to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
    }
    models
}

#[test]
fn a_tokenizer_changed_with_its_manifest_fails_before_the_store_is_written() {
    for model in ["ner", "stance-comments"] {
        let dir = tempfile::tempdir().unwrap();
        let models = models_with_linked_weights(dir.path());
        let input = dir.path().join("in/a.jsonl");
        corpus(&input, 0, 2);
        let out = dir.path().join("out");
        // Cut in half (no longer JSON), and the manifest rewritten to match.
        let tokenizer = models.join(model).join("tokenizer.json");
        let text = std::fs::read(&tokenizer).unwrap();
        std::fs::write(&tokenizer, &text[..text.len() / 2]).unwrap();
        stancegraph::manifest::write(&models.join(model)).unwrap();
        stancegraph::manifest::verify(&models.join(model)).unwrap();

        let o = out_of(&["run", p(&input), "--out", p(&out), "--models", p(&models), "--quiet"]);
        one_line(&o, 2, &[&format!("{model}/tokenizer.json"), "corrupt"]);
        let db = out.join("stancegraph.db");
        if db.exists() {
            let conn = rusqlite::Connection::open(&db).unwrap();
            let documents: i64 = conn.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0)).unwrap();
            assert_eq!(documents, 0, "{model}: nothing written to the store");
        }
    }
}

// --- 3 + 7. exports that match nothing, dates ---------------------------------

#[test]
fn an_export_that_matches_nothing_keeps_latest_and_bad_dates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 3);
    let undated = dir.path().join("in/undated.jsonl");
    std::fs::write(&undated, "{\"id\": \"u1\", \"text\": \"Canada and Mexico met.\"}\n").unwrap();
    let out = dir.path().join("out");
    ok(&out_of(&["run", p(&input), p(&undated), "--out", p(&out), "--quiet"]));
    let before = latest(&out);
    let sets = std::fs::read_dir(out.join("runs")).unwrap().count();

    let o = out_of(&["export", "--out", p(&out), "--from", "2030-01-01", "--quiet"]);
    one_line(&o, 6, &["2030-01-01", "matches no document", "latest is unchanged"]);
    assert_eq!(latest(&out), before);
    assert_eq!(std::fs::read_dir(out.join("runs")).unwrap().count(), sets, "no set written, none pruned");
    // Nor do graph filters that leave no entity (the re-trial: `--types misc --min-mentions 100000`).
    let o = out_of(&["export", "--out", p(&out), "--min-mentions", "100000", "--quiet"]);
    one_line(&o, 6, &["graph filters", "min mentions 100000", "leave no entity", "latest is unchanged"]);
    assert_eq!(latest(&out), before);
    assert_eq!(std::fs::read_dir(out.join("runs")).unwrap().count(), sets, "no set written, none pruned");

    for day in ["2016-02-30", "2016-13-45", "yesterday"] {
        let o = out_of(&["export", "--out", p(&out), "--from", day, "--quiet"]);
        one_line(&o, 2, &[day, "not a day"]);
    }
    let o = out_of(&["export", "--out", p(&out), "--from", "2024-05-03", "--to", "2024-05-01", "--quiet"]);
    one_line(&o, 2, &["later than --to"]);
    // An export of a range says how many undated documents it leaves out.
    let o = out_of(&["export", "--out", p(&out), "--from", "2024-05-02", "--quiet"]);
    one_line(&o, 0, &["1 undated document(s) left out"]);
    assert_eq!(summary(&out)["documents"], 2);

    // A JSONL date that is no day: the line is reported (exit 1), the rest runs.
    let bad = dir.path().join("in2/bad.jsonl");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(
        &bad,
        "{\"id\": \"b1\", \"date\": \"yesterday\", \"text\": \"Canada met Mexico.\"}\n\
         {\"id\": \"b2\", \"date\": \"2024-13-45\", \"text\": \"Canada met Mexico.\"}\n\
         {\"id\": \"b3\", \"date\": \"2024-02-29\", \"text\": \"Canada met Mexico.\"}\n\
         {\"id\": \"b4\", \"date\": \"2024-02-29\", \"text\": \"Canada met Mexico.\", \"comments\": [{\"author\": \"a\", \"text\": \"Yes.\", \"date\": \"yesterday\"}]}\n",
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    let o = out_of(&["run", p(&bad), "--out", p(&out2), "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("bad.jsonl") && err.contains("\"yesterday\" is not a day"), "{err}");
    assert!(err.contains("\"2024-13-45\" is not a day"), "{err}");
    // A comment's date that is no day makes its line bad too (it used to fall back to the article's date).
    let line = err.lines().find(|l| l.contains("bad.jsonl:4")).unwrap_or_else(|| panic!("line 4 reported: {err}"));
    assert!(line.contains("comment 0: `date` \"yesterday\" is not a day"), "{line}");
    assert_eq!(summary(&out2)["documents"], 1);
}

// --- 4. one id delivered twice in one run -----------------------------------

fn thread(path: &Path, comments: usize) {
    let comments: Vec<serde_json::Value> = (0..comments)
        .map(|i| serde_json::json!({"author": format!("u{i}"), "text": format!("Canada is right, says comment {i}.")}))
        .collect();
    let doc = serde_json::json!({"id": "t1", "date": "2024-05-02", "text": "Canada and Mexico met on trade.", "comments": comments});
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("{doc}\n")).unwrap();
}

#[test]
fn an_id_delivered_twice_in_one_run_is_stored_once_from_its_last_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a/t.jsonl"), dir.path().join("b/t.jsonl"));
    let out = dir.path().join("out");
    thread(&b, 3);
    ok(&out_of(&["run", p(&b), "--out", p(&out), "--quiet"]));
    // Night 2: an older copy in a/ beside the current one in b/.
    thread(&a, 2);
    let o = out_of(&["run", p(&dir.path().join("a")), p(&dir.path().join("b")), "--out", p(&out), "--quiet"]);
    ok(&o);
    assert!(stderr(&o).contains("claimed by"), "{}", stderr(&o));
    let w = &summary(&out)["work"];
    assert_eq!((w["documents_unchanged"].as_u64(), w["documents_updated"].as_u64()), (Some(1), Some(0)), "{w}");
    assert_eq!(w["comments_new"], 0, "{w}");
    let conn = rusqlite::Connection::open(out.join("stancegraph.db")).unwrap();
    let runs: (i64, i64) = conn
        .query_row("SELECT first_run, updated_run FROM documents WHERE id = 't1'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(runs, (1, 1), "first_run and updated_run untouched");
    let firsts: Vec<i64> = conn
        .prepare("SELECT first_run FROM comments WHERE doc_id = 't1' ORDER BY position")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(firsts, [1, 1, 1]);
}

/// A run of `input` into `out` paused after its first NER chunk.
fn paused_at_ner(input: &Path, out: &Path, flag: &Path) -> std::process::Child {
    let mut child = stancegraph(&["run", p(input), "--out", p(out), "--quiet", "--chunk-chars", "500"])
        .env("STANCEGRAPH_PAUSE_AT", "ner-chunk")
        .env("STANCEGRAPH_PAUSE_FILE", flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until_paused(&mut child, flag, 300, "the end of its first NER chunk");
    child
}

// --- 11. the log after a kill during NER ---------------------------------------

#[test]
fn the_rerun_after_a_kill_during_ner_says_whose_work_it_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 4);
    let out = dir.path().join("out");
    let mut killed = paused_at_ner(&input, &out, &dir.path().join("paused"));
    killed.kill().unwrap();
    killed.wait().unwrap();
    // What the killed run left, read from the store: texts without NER
    // output, and the documents that hold them.
    let conn = rusqlite::Connection::open(out.join("stancegraph.db")).unwrap();
    let count = |sql: &str| -> u64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let without = "NOT EXISTS (SELECT 1 FROM ner_spans n WHERE n.text_hash = t.text_hash)";
    let texts = count(&format!(
        "SELECT COUNT(*) FROM (SELECT text_hash FROM documents UNION SELECT text_hash FROM comments) t WHERE {without}"
    ));
    let done = count("SELECT COUNT(*) FROM ner_spans");
    assert!(texts > 0 && done > 0, "the kill came between NER chunks: {texts} left, {done} done");
    drop(conn);
    let o = out_of(&["run", p(&input), "--out", p(&out)]);
    ok(&o);
    let err = stderr(&o);
    let resume = err.lines().find(|l| l.contains("resumes run")).unwrap_or_else(|| panic!("{err}"));
    assert!(
        resume.contains(&format!(
            "run 2 resumes run 1, which was killed after storing 4 new or updated documents: {texts} texts of "
        )) && resume.ends_with("documents left without NER, then the linking and stance"),
        "{resume}"
    );
    let line = err.lines().find(|l| l.contains(": run 2: ")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("0 new and 0 updated documents (4 unchanged)"), "{line}");
    assert!(line.contains(&format!("model work (with what run 1 left): NER {texts} texts,")), "{line}");
    assert_eq!(summary(&out)["work"]["ner_texts"], texts, "the rerun reads only the texts left");
}

// --- 5. the --out lock --------------------------------------------------------

#[test]
fn two_runs_with_different_stores_cannot_write_one_out_folder() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 3);
    let out = dir.path().join("out");
    let mut first = paused_at_ner(&input, &out, &dir.path().join("paused"));
    let other = dir.path().join("other.db");
    let o = out_of(&["run", p(&input), "--out", p(&out), "--store", p(&other), "--quiet"]);
    first.kill().unwrap();
    first.wait().unwrap();
    one_line(&o, 3, &["output folder", "in use by stancegraph run", &format!("pid {}", first.id())]);
    assert!(!other.exists(), "the refused run wrote nothing");
}

#[test]
fn a_run_refused_while_an_export_holds_the_folder_names_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 3);
    let out = dir.path().join("out");
    ok(&out_of(&["run", p(&input), "--out", p(&out), "--quiet"]));
    let flag = dir.path().join("paused");
    let mut export = stancegraph(&["export", "--out", p(&out), "--quiet"])
        .env("STANCEGRAPH_PAUSE_AT", "export")
        .env("STANCEGRAPH_PAUSE_FILE", &flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until_paused(&mut export, &flag, 120, "the export's pause point");
    let o = out_of(&["run", p(&input), "--out", p(&out), "--quiet"]);
    export.kill().unwrap();
    export.wait().unwrap();
    let err = one_line(&o, 3, &["in use by stancegraph export", &format!("pid {}", export.id())]);
    assert!(!err.contains("another run"), "{err}");
}

// --- 6 + 8 + 12. log lines ------------------------------------------------------

#[test]
fn user_text_cannot_forge_log_lines_and_bad_arguments_get_one_timestamped_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("x\n2026-01-01T00:00:00Z stancegraph: run 9: all fine.txt"), "").unwrap();
    let long = "word ".repeat(60);
    let doc = serde_json::json!({"id": "d\u{202e}1", "date": "2024-05-02", "text": "Canada met Mexico.",
        "comments": [{"author": "evil\n2026-01-01T00:00:00Z stancegraph: forged \u{202e}eman", "text": long}]});
    std::fs::write(input.join("d.jsonl"), format!("{doc}\n")).unwrap();
    let out = dir.path().join("out");
    let o = out_of(&["run", p(&input), "--out", p(&out), "--quiet", "--max-text-chars", "100"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for line in err.lines() {
        assert!(line.starts_with("20") && line.contains(" stancegraph: warning: "), "forged or bare line: {line:?}");
        assert!(!line.contains('\u{202e}'), "bidi control in a log line: {line:?}");
    }
    assert!(err.contains("x\\u{a}2026-01-01T00:00:00Z"), "{err}");
    assert!(err.contains("no sentence end near the limit"), "{err}");
    assert!(!err.contains("at a sentence end"), "{err}");

    let o = out_of(&["run", p(&input), "--out", p(&out), "--max-text-chars", "0"]);
    one_line(&o, 2, &["max-text-chars", "at least 1"]);
    let o = out_of(&["run", "--out", p(&out)]);
    one_line(&o, 2, &["required"]);
}

// --- 9 + 12. free space on the store's file system; OS errors said once ----------

#[test]
fn min_free_mb_checks_the_store_folder_and_os_errors_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=24m", "tmpfs"]).arg(&mnt).output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("note: cannot mount a tmpfs here (needs root); the store free-space check is skipped");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mnt.clone());
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 2);
    let avail = |p: &Path| -> u64 {
        let o = Command::new("df").args(["--output=avail", "-B1"]).arg(p).output().unwrap();
        String::from_utf8_lossy(&o.stdout).lines().nth(1).unwrap().trim().parse().unwrap()
    };
    std::fs::write(mnt.join("filler"), vec![0u8; (avail(&mnt) - 1024 * 1024) as usize]).unwrap();

    // The output folder has room; the store's folder does not.
    let out = dir.path().join("out");
    let store = mnt.join("stancegraph.db");
    let o = out_of(&["run", p(&input), "--out", p(&out), "--store", p(&store), "--quiet", "--min-free-mb", "8"]);
    one_line(&o, 2, &["MiB free", p(&mnt)]);
    assert!(!store.exists(), "refused before the store was made");

    // An output folder that fills up: one line, the OS error said once.
    std::fs::write(mnt.join("filler2"), vec![0u8; avail(&mnt).saturating_sub(16 * 1024) as usize]).unwrap();
    let full_out = mnt.join("out");
    let other = dir.path().join("s.db");
    let o = out_of(&["run", p(&input), "--out", p(&full_out), "--store", p(&other), "--quiet", "--min-free-mb", "0"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.matches("os error 28").count() <= 1, "the OS error twice: {err}");
}

// --- 13. the filters are recorded -----------------------------------------------

#[test]
fn the_graph_filters_are_recorded_in_the_summary_and_the_gexf_description() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.jsonl");
    corpus(&input, 0, 3);
    let out = dir.path().join("out");
    let filters = ["--types", "person,country", "--min-mentions", "2", "--min-confidence", "0.5"];
    let mut args = vec!["run", p(&input), "--out", p(&out), "--quiet"];
    args.extend(filters);
    ok(&out_of(&args));
    let want = serde_json::json!({
        "types": ["person", "country"],
        "min_mentions": 2,
        "min_confidence": 0.5,
        "max_entities": 500,
        "all_nodes": false,
        "min_shared_entities": 2,
    });
    assert_eq!(summary(&out)["filters"], want);
    let described = "graph filters: types person,country, min mentions 2, min confidence 0.5";
    for f in ["graph.gexf", "entities.gexf", "commenters.gexf"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(text.contains(described), "{f}: {}", text.lines().find(|l| l.contains("description")).unwrap_or(""));
    }
    // An export records its own.
    ok(&out_of(&["export", "--out", p(&out), "--quiet"]));
    let s = summary(&out);
    assert_eq!(s["filters"]["types"], serde_json::json!(["person", "country", "organisation"]), "{s}");
    assert_eq!(s["filters"]["min_mentions"], 1);
}
