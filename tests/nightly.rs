//! Nightly runs over a growing corpus, end to end with the release binary
//! and the shipped models: nights accumulate in the store, a rerun with
//! nothing new does no model work, a grown thread costs only its new
//! comments, a kill -9 at any point is repaired by the next run, a second
//! run is refused while one holds the store, and a damaged store or a full
//! disk leaves the previous export set whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{comparable_export_set, root, shared, store_rows, wait_until_paused};

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

/// Small chunks so that a run of the sample commits several of each.
const CHUNKS: [&str; 4] = ["--chunk-chars", "1500", "--chunk-pairs", "4"];

fn stancegraph(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(root());
    if args[0] == "run" {
        c.args(["--threads", "2"]);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn run(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), out.display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    stancegraph(&args, &[]).output().expect("run stancegraph")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The export set as seen through `out/latest`, without run metadata.
fn export_set(out: &Path) -> BTreeMap<String, String> {
    comparable_export_set(&out.join("latest"))
}

/// Files a killed run may leave: none may survive the next run.
fn temporary_files(out: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") || name.starts_with(".tmp-") {
                found.push(e.path());
            }
            if e.path().is_dir() && !e.path().is_symlink() {
                stack.push(e.path());
            }
        }
    }
    found
}

/// Starts a run that pauses at `point`, waits until it is there.
fn start_paused(inputs: &[&Path], out: &Path, point: &str, flag: &Path) -> std::process::Child {
    let _ = std::fs::remove_file(flag);
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), out.display().to_string(), "--quiet".into()]);
    args.extend(CHUNKS.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child =
        stancegraph(&args, &[("STANCEGRAPH_PAUSE_AT", point), ("STANCEGRAPH_PAUSE_FILE", flag.to_str().unwrap())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
    wait_until_paused(&mut child, flag, 300, point);
    child
}

fn sample() -> PathBuf {
    root().join("examples/sample")
}

#[test]
fn nothing_new_does_no_model_work_and_keeps_the_exports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = run(&[&sample()], &out, &["--quiet"]);
    ok(&first);
    assert!(first.stdout.is_empty() && first.stderr.is_empty(), "--quiet printed: {first:?}");
    let s = summary(&out);
    assert_eq!(s["work"]["documents_new"], 4);
    assert!(s["work"]["ner_texts"].as_u64().unwrap() > 4);
    assert!(s["work"]["stance_pairs"].as_u64().unwrap() > 10);
    let before = export_set(&out);
    let first_set = std::fs::read_link(out.join("latest")).unwrap();

    let again = run(&[&sample()], &out, &[]);
    ok(&again);
    let stderr = String::from_utf8_lossy(&again.stderr);
    let said: Vec<&str> = stderr.lines().filter(|l| l.contains("nothing new")).collect();
    assert_eq!(said.len(), 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "a night with nothing new is one line: {stderr}");
    assert!(said[0].starts_with("20"), "log lines carry a timestamp: {}", said[0]);
    let s = summary(&out);
    assert_eq!(s["work"]["documents_unchanged"], 4);
    assert_eq!(s["work"]["documents_new"], 0);
    assert_eq!(s["work"]["ner_texts"], 0, "no NER work");
    assert_eq!(s["work"]["stance_pairs"], 0, "no stance work");
    assert_ne!(std::fs::read_link(out.join("latest")).unwrap(), first_set, "a new set was swapped in");
    assert_eq!(export_set(&out), before, "exports unchanged apart from run metadata");
    let gexf = std::fs::read_to_string(out.join("graph.gexf")).unwrap();
    assert!(gexf.contains(&format!("run {}", s["run_id"])), "the GEXF names its run");
}

#[test]
fn a_grown_thread_costs_exactly_its_new_comments() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let out = dir.path().join("out");
    let thread = |comments: &[(&str, &str)]| {
        let comments: Vec<serde_json::Value> =
            comments.iter().map(|(a, t)| serde_json::json!({"author": a, "text": t})).collect();
        let doc = serde_json::json!({
            "id": "thread-1", "date": "2024-05-02", "title": "Canada and Mexico talk trade",
            "text": "Canada and Mexico agreed on Tuesday to review their trade pact with the United States.",
            "comments": comments,
        });
        std::fs::write(input.join("threads.jsonl"), format!("{doc}\n")).unwrap();
    };
    let old = [
        ("maple", "Canada is doing the right thing here."),
        ("rio", "Mexico should not give in to these demands."),
        ("sam", "The United States will do whatever suits it."),
    ];
    thread(&old);
    ok(&run(&[&input], &out, &["--quiet"]));
    let s = summary(&out);
    assert_eq!(s["work"]["ner_comments"], 3);

    let mut grown = old.to_vec();
    grown.push(("nora", "Mexico has been very patient with Canada."));
    grown.push(("lee", "I trust Canada more than Mexico on this."));
    thread(&grown);
    ok(&run(&[&input], &out, &["--quiet"]));
    let s = summary(&out);
    assert_eq!(s["work"]["documents_updated"], 1);
    assert_eq!(s["work"]["comments_new"], 2);
    assert_eq!(s["work"]["ner_texts"], 2, "NER reads only the two new comments: {s}");
    assert_eq!(s["work"]["ner_comments"], 2);
    assert_eq!(s["work"]["stance_comments"], 2, "stance asks only about the two new comments: {s}");
    // nora and lee each name Mexico and Canada, and are asked about the United States, the
    // document's third most-mentioned entity, which they do not name (an implicit target).
    assert_eq!(s["work"]["stance_pairs"], 6, "two explicit and one implicit question each: {s}");
    let stances = jsonl(&out.join("stances.jsonl"));
    let authors: std::collections::BTreeSet<&str> = stances.iter().map(|r| r["author"].as_str().unwrap()).collect();
    assert_eq!(authors.into_iter().collect::<Vec<_>>(), ["lee", "maple", "nora", "rio", "sam"]);
}

#[test]
fn kill_9_at_any_point_then_a_rerun_equals_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--quiet"];
    args.extend(CHUNKS);
    // Night 1 holds one article; night 2 the whole sample. The reference
    // runs both nights uninterrupted (same chunks, so the same batches).
    let first_night = root().join("examples/sample/001_canada_mexico_trade.txt");
    let reference = dir.path().join("reference");
    ok(&run(&[&first_night], &reference, &args));
    ok(&run(&[&sample()], &reference, &args));
    let want_rows = store_rows(&reference.join("stancegraph.db"));
    let want_set = export_set(&reference);
    assert!(want_rows["stance_decisions"].len() > 8, "several stance chunks");

    for point in ["ner-batch", "ner-chunk", "stance-chunk", "commit", "export"] {
        let out = dir.path().join(point);
        // A whole first night, so that the kill must leave it intact.
        ok(&run(&[&first_night], &out, &args));
        let night1 = export_set(&out);
        let mut child = start_paused(&[&sample()], &out, point, &dir.path().join("paused"));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(export_set(&out), night1, "{point}: the previous set is whole after the kill");
        ok(&run(&[&sample()], &out, &args));
        assert_eq!(store_rows(&out.join("stancegraph.db")), want_rows, "{point}: store differs");
        assert_eq!(export_set(&out), want_set, "{point}: exports differ");
        assert_eq!(temporary_files(&out), Vec::<PathBuf>::new(), "{point}: temporary files left");
    }
}

/// A kill in the middle of a NER chunk loses at most the batch in progress:
/// the batches finished before it are kept in the store, the rerun says which
/// run it resumes and what that run left, runs only the other batches, and
/// ends exactly where an uninterrupted run ends.
#[test]
fn a_kill_during_ner_keeps_the_finished_batches_and_the_rerun_says_what_it_resumes() {
    // One chunk (the default --chunk-chars) of many small batches.
    let args = ["--batch-size", "4"];
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    ok(&run(&[&sample()], &reference, &args));
    let want = summary(&reference);
    let (texts, batches) = (want["work"]["ner_texts"].as_u64().unwrap(), want["work"]["ner_batches"].as_u64().unwrap());
    assert!(batches > 6, "several batches: {want}");

    let out = dir.path().join("out");
    let flag = dir.path().join("paused");
    let out_arg = out.display().to_string();
    let mut child = stancegraph(
        &["run", sample().to_str().unwrap(), "--out", &out_arg, "--quiet", args[0], args[1]],
        &[
            ("STANCEGRAPH_PAUSE_AT", "ner-batch"),
            ("STANCEGRAPH_PAUSE_AFTER", "3"),
            ("STANCEGRAPH_PAUSE_FILE", flag.to_str().unwrap()),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_until_paused(&mut child, &flag, 300, "its third NER batch");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let db = out.join("stancegraph.db");
    let count =
        |sql: &str| -> i64 { rusqlite::Connection::open(&db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM ner_batches"), 3, "the three finished batches are kept");
    assert_eq!(count("SELECT COUNT(*) FROM ner_spans"), 0, "the chunk's spans were not stored yet");

    let again = run(&[&sample()], &out, &args);
    ok(&again);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains(&format!(
            "run 2 resumes run 1, which was killed after storing 4 new or updated documents: \
             {texts} texts of 4 documents left without NER, then the linking and stance"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("ner: resuming a chunk of {texts} texts: 3 batches of it were kept by run 1")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "0 new and 0 updated documents (4 unchanged), 0 new comments; model work (with what run 1 left): \
             NER {texts} texts ({} batches run, 3 read back)",
            batches - 3
        )),
        "{stderr}"
    );
    let s = summary(&out);
    assert_eq!(s["work"]["ner_batches"].as_u64(), Some(batches - 3), "only the batches not kept are run: {s}");
    assert_eq!(s["work"]["ner_batches_read_back"], 3);
    assert_eq!(count("SELECT COUNT(*) FROM ner_batches"), 0, "the stored chunk's batches are dropped");
    assert_eq!(store_rows(&db), store_rows(&reference.join("stancegraph.db")), "store differs");
    assert_eq!(export_set(&out), export_set(&reference), "exports differ");
}

#[test]
fn a_second_run_is_refused_while_one_holds_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut first = start_paused(&[&sample()], &out, "ner-chunk", &dir.path().join("paused"));
    let second = run(&[&sample()], &out, &["--quiet"]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(second.status.code(), Some(3), "{}", String::from_utf8_lossy(&second.stderr));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("in use by stancegraph run") && stderr.contains(&format!("pid {}", first.id())),
        "{stderr}"
    );
    // The killed holder never blocks the next run.
    ok(&run(&[&sample()], &out, &["--quiet"]));
}

#[test]
fn a_damaged_store_is_refused_and_recovered_without_losing_the_exports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&run(&[&sample()], &out, &["--quiet"]));
    let before = export_set(&out);
    let db = out.join("stancegraph.db");
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 16384);
    for b in &mut bytes[4096..12288] {
        *b = 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();

    let o = run(&[&sample()], &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    assert!(stderr.contains("damaged") && stderr.contains("stancegraph recover"), "{stderr}");
    assert_eq!(export_set(&out), before, "the previous set is whole");

    let rec = stancegraph(&["recover", "--store", db.to_str().unwrap()], &[]).output().unwrap();
    ok(&rec);
    assert!(String::from_utf8_lossy(&rec.stderr).contains("recovered"));
    let kept: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("stancegraph.db.damaged-"))
        .collect();
    assert!(!kept.is_empty(), "the damaged file is kept");
    ok(&run(&[&sample()], &out, &["--quiet"]));
    let s = summary(&out);
    assert_eq!(s["documents"], 4, "after recovery the corpus is whole again: {s}");
    assert_eq!(export_set(&out)["entities.jsonl"], before["entities.jsonl"]);
}

#[test]
fn a_full_disk_gives_one_line_and_keeps_the_previous_set() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=24m", "tmpfs"]).arg(&mnt).output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("note: cannot mount a tmpfs here (needs root); the full-disk check is skipped");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mnt.clone());
    let out = mnt.join("out");
    let first_night = root().join("examples/sample/001_canada_mexico_trade.txt");
    ok(&run(&[&first_night], &out, &["--quiet", "--min-free-mb", "8"]));
    let before = export_set(&out);

    // Fill the disk to about 1 MiB free.
    let avail = |p: &Path| -> u64 {
        let o = Command::new("df").args(["--output=avail", "-B1"]).arg(p).output().unwrap();
        String::from_utf8_lossy(&o.stdout).lines().nth(1).unwrap().trim().parse().unwrap()
    };
    let filler = vec![0u8; (avail(&mnt) - 1024 * 1024) as usize];
    std::fs::write(mnt.join("filler"), filler).unwrap();

    // Pre-flight: refused before any model work.
    let o = run(&[&sample()], &out, &["--quiet", "--min-free-mb", "8"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("MiB free"), "{stderr}");
    assert_eq!(export_set(&out), before);

    // Without the margin the run meets the full disk itself: one line, the set stays.
    std::fs::write(mnt.join("filler2"), vec![0u8; (avail(&mnt).saturating_sub(64 * 1024)) as usize]).unwrap();
    let o = run(&[&sample()], &out, &["--quiet", "--min-free-mb", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("full") || stderr.contains("space"), "{stderr}");
    assert_eq!(export_set(&out), before, "the previous set is whole");

    // Space again: the next run completes and leaves no temporary files.
    std::fs::remove_file(mnt.join("filler")).unwrap();
    std::fs::remove_file(mnt.join("filler2")).unwrap();
    ok(&run(&[&sample()], &out, &["--quiet", "--min-free-mb", "8"]));
    assert_eq!(summary(&out)["documents"], 4);
    assert_eq!(temporary_files(&out), Vec::<PathBuf>::new());
}

#[test]
fn three_nights_hold_all_three_and_match_a_rebuild() {
    let (Some(seed), Some(polnear)) = (shared("data/seed"), shared("data/corpus/polnear")) else { return };
    let mut articles: Vec<PathBuf> = std::fs::read_dir(&polnear)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    articles.sort();
    let night2: Vec<&Path> = articles[..3].iter().map(PathBuf::as_path).collect();
    let night3: Vec<&Path> = articles[3..6].iter().map(PathBuf::as_path).collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nightly");
    ok(&run(&[&seed], &out, &["--quiet"]));
    ok(&run(&night2, &out, &["--quiet"]));
    ok(&run(&night3, &out, &["--quiet"]));
    let s = summary(&out);
    assert_eq!(s["documents"], 7, "all three nights: {s}");
    assert_eq!(s["comments"], 17, "the seed's comments stay");
    let gexf = std::fs::read_to_string(out.join("graph.gexf")).unwrap();
    for p in night2.iter().chain(&night3) {
        let stem = p.file_stem().unwrap().to_string_lossy();
        assert!(gexf.contains(&format!("\"doc:{stem}\"")), "{stem} in the graph");
    }
    let stances = jsonl(&out.join("stances.jsonl"));
    assert!(stances.iter().any(|r| r["author"] == "Kotaro88" && r["entity"] == "Iran"), "night 1's stances stay");
    let labels: Vec<String> =
        jsonl(&out.join("entities.jsonl")).iter().map(|e| e["label"].as_str().unwrap().to_string()).collect();
    assert!(labels.iter().any(|l| l == "Yoko Kamikawa"));
    assert!(labels.iter().any(|l| l == "Hillary Clinton" || l == "Donald Trump" || l == "Barack Obama"), "{labels:?}");

    // One run over the same documents groups the mentions the same way.
    let rebuild = dir.path().join("rebuild");
    let mut all: Vec<&Path> = vec![&seed];
    all.extend(&night2);
    all.extend(&night3);
    ok(&run(&all, &rebuild, &["--quiet"]));
    assert_eq!(grouping(&out), grouping(&rebuild), "same grouping of mentions into entities");
    let stance_set = |o: &Path| -> Vec<String> {
        let mut v: Vec<String> = jsonl(&o.join("stances.jsonl"))
            .iter()
            .map(|r| format!("{} {} {} {}", r["doc_id"], r["comment"], r["entity"], r["stance"]))
            .collect();
        v.sort();
        v
    };
    assert_eq!(stance_set(&out), stance_set(&rebuild));
}

/// Mentions grouped by entity, each group as its sorted mention places,
/// ignoring the ids themselves.
fn grouping(out: &Path) -> Vec<Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in jsonl(&out.join("mentions.jsonl")) {
        let place = format!("{} {} {} {}", m["doc_id"], m["comment"], m["start"], m["end"]);
        groups.entry(m["entity_id"].as_str().unwrap().to_string()).or_default().push(place);
    }
    let mut v: Vec<Vec<String>> = groups
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    v.sort();
    v
}

/// A models folder whose NER model is the shipped one under another
/// version (its config.json differs by a trailing newline, the weights are
/// hard links). `stance-accurate/` comes along: the NER model reads its
/// word-piece table from there (config.json `shared_tensors`).
fn other_ner_version(dir: &Path) -> PathBuf {
    let models = dir.join("models-v2");
    for m in ["ner", "stance", "stance-accurate", "stance-comments"] {
        let to = models.join(m);
        std::fs::create_dir_all(&to).unwrap();
        let files = std::fs::read_dir(root().join("models").join(m)).unwrap();
        for f in files.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()) {
            if f.ends_with(".md") {
                continue;
            }
            let from = root().join("models").join(m).join(&f);
            if m == "ner" && f == "config.json" {
                let mut text = std::fs::read_to_string(&from).unwrap();
                text.push('\n');
                std::fs::write(to.join(&f), text).unwrap();
            } else if std::fs::hard_link(&from, to.join(&f)).is_err() {
                std::fs::copy(&from, to.join(&f)).unwrap();
            }
        }
    }
    // The changed config.json is a new model version: its manifest is rewritten.
    std::fs::remove_file(models.join("ner").join(stancegraph::manifest::FILE)).unwrap();
    stancegraph::manifest::write(&models.join("ner")).unwrap();
    models
}

#[test]
fn a_new_model_is_applied_to_old_records_only_with_reprocess() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first_night = root().join("examples/sample/001_canada_mexico_trade.txt");
    ok(&run(&[&first_night], &out, &["--quiet"]));
    let old_model = summary(&out)["records_by_model"]["ner"].as_object().unwrap().keys().next().unwrap().clone();
    let models = other_ner_version(dir.path());
    let models = models.to_str().unwrap();

    // Night 2 with the new NER version: only the new documents use it.
    ok(&run(&[&sample()], &out, &["--quiet", "--models", models]));
    let s = summary(&out);
    let by_model = s["records_by_model"]["ner"].as_object().unwrap();
    assert_eq!(by_model.len(), 2, "records per model version: {s}");
    let old_texts = 1 + 6; // the first article and its six comments
    assert_eq!(by_model[&old_model], old_texts, "old records keep their model: {s}");

    // --reprocess applies it to the old records on purpose.
    ok(&run(&[&sample()], &out, &["--quiet", "--models", models, "--reprocess"]));
    let s = summary(&out);
    assert_eq!(s["work"]["ner_texts"], old_texts, "only the old model's texts are redone: {s}");
    let by_model = s["records_by_model"]["ner"].as_object().unwrap();
    assert_eq!(by_model.len(), 1, "{s}");
    assert!(!by_model.contains_key(&old_model));
}

#[test]
fn export_rewrites_a_date_range_from_the_store_without_models() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&run(&[&sample()], &out, &["--quiet"]));
    let dates: Vec<String> = std::fs::read_dir(sample())
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            text.strip_prefix("date ").map(|t| t[..10].to_string())
        })
        .collect();
    let day = dates.iter().min().unwrap().clone();
    let range = dir.path().join("range");
    let o = stancegraph(
        &[
            "export",
            "--out",
            range.to_str().unwrap(),
            "--store",
            out.join("stancegraph.db").to_str().unwrap(),
            "--from",
            &day,
            "--to",
            &day,
        ],
        // No models at all: export must not need them.
        &[("STANCEGRAPH_MODELS", "/nonexistent")],
    )
    .output()
    .unwrap();
    ok(&o);
    let s = summary(&range);
    let on_day = dates.iter().filter(|d| **d == day).count();
    assert_eq!(s["documents"], on_day, "{s}");
    assert!(s["entities"].as_u64().unwrap() > 0);
    assert!(std::fs::read_to_string(range.join("graph.gexf")).unwrap().contains(&format!("export {}", s["run_id"])));
    let bad = stancegraph(&["export", "--out", range.to_str().unwrap(), "--from", "yesterday"], &[]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_bad_jsonl_line_is_skipped_and_the_other_lines_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("night.jsonl");
    let good = |id: &str| {
        serde_json::json!({"id": id, "date": "2024-05-02", "text": "Canada and Mexico met in Ottawa.",
            "comments": [{"author": "a", "text": "Canada is right."}]})
        .to_string()
    };
    std::fs::write(&input, format!("{}\n{{\"id\": \"broken\", \"text\": \n{}\n", good("one"), good("two"))).unwrap();
    let out = dir.path().join("out");
    let o = run(&[&input], &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("night.jsonl:2"), "file and line named: {stderr}");
    let s = summary(&out);
    assert_eq!(s["documents"], 2, "{s}");
    assert_eq!(s["skipped"][0]["line"], 2);
}
