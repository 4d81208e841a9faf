//! Slurm scale-out, without Slurm: `run --shard K/N` over the same inputs
//! four times, then `merge`, gives the same store records and the same
//! exports as one `run` (in fp32: in bf16 the NER model's output depends
//! slightly on which texts share its batch, so borderline spans can differ;
//! PERFORMANCE.md section 17.2 gives the measured size), and in bf16 the same
//! stance numbers; an incomplete or unfinished set of shards is refused
//! naming the shard, and so is a shard store whose lock a shard job still
//! holds; a shard or a merge killed (SIGKILL) and rerun ends in the same
//! result. The Slurm scripts themselves are checked
//! by `make test-slurm`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{comparable_export_set, root};

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn stancegraph(args: &[String]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).args(["--threads", "2", "--quiet"]).current_dir(root());
    if args[0] != "recover" {
        // fp32 is batch-independent here; see the module doc.
        c.args(["--precision", "fp32"]);
    }
    c.output().unwrap()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
}

fn strings(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<String> {
    parts.iter().map(|p| p.as_ref().to_string_lossy().into_owned()).collect()
}

/// The equivalence corpus: the seed, 100 PolNeAR articles and 300 Reddit
/// threads when ../shared is here; else our own sample.
fn corpus(dir: &Path) -> Vec<PathBuf> {
    let shared = root().join("../shared/data");
    if !shared.exists() {
        eprintln!("note: ../shared is absent; the shard check runs on examples/sample only");
        return vec![root().join("examples/sample")];
    }
    let polnear = dir.join("polnear");
    std::fs::create_dir_all(&polnear).unwrap();
    let mut articles: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus/polnear"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    articles.sort();
    for a in &articles[..100] {
        std::os::unix::fs::symlink(a, polnear.join(a.file_name().unwrap())).unwrap();
    }
    let reddit = dir.join("reddit.jsonl");
    let o = Command::new("python3")
        .arg(root().join("scripts/data/reddit_to_jsonl.py"))
        .arg(shared.join("stance/reddit-trump"))
        .output()
        .unwrap();
    ok(&o);
    let threads: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().take(300).collect();
    std::fs::write(&reddit, threads.join("\n") + "\n").unwrap();
    vec![shared.join("seed"), polnear, reddit]
}

/// The export set without run metadata.
fn export_set(out: &Path) -> BTreeMap<String, String> {
    comparable_export_set(out)
}

fn shard(inputs: &[PathBuf], k: u32, store: &Path) -> Vec<String> {
    let mut args = vec!["run".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(strings(&[&"--shard", &format!("{k}/4"), &"--store", &store]));
    args
}

#[test]
fn four_shards_merged_equal_one_run_and_incomplete_sets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = corpus(dir.path());

    let single = dir.path().join("single");
    let mut args = vec!["run".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(strings(&[&"--out", &single]));
    ok(&stancegraph(&args));

    let stores: Vec<PathBuf> = (0..4).map(|k| dir.path().join(format!("shards/shard-{k}.db"))).collect();
    let mut documents = 0;
    for (k, store) in stores.iter().enumerate() {
        ok(&stancegraph(&shard(&inputs, k as u32, store)));
        let conn = rusqlite::Connection::open(store).unwrap();
        documents += conn.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get::<_, i64>(0)).unwrap();
    }
    let merged = dir.path().join("merged");

    // Three shards only: refused, naming the missing one.
    let mut args = vec!["merge".to_string()];
    args.extend(stores[..3].iter().map(|p| p.display().to_string()));
    args.extend(strings(&[&"--out", &merged]));
    let o = stancegraph(&args);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("shard 3/4 is missing"), "{stderr}");

    let mut args = vec!["merge".to_string()];
    args.extend(stores.iter().map(|p| p.display().to_string()));
    args.extend(strings(&[&"--out", &merged]));
    ok(&stancegraph(&args));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["documents"], documents, "the shards hold every document once");
    assert_eq!(summary["work"]["ner_texts"], 0, "the merge reads no text: the shards did");
    let single_summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(single.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["documents"], single_summary["documents"]);

    let (a, b) = (export_set(&single), export_set(&merged));
    for f in a.keys() {
        assert!(a[f] == b[f], "{f} differs between one run and four merged shards");
    }
}

#[test]
fn a_killed_shard_blocks_the_merge_until_it_is_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = vec![root().join("examples/sample")];
    let stores: Vec<PathBuf> = (0..2).map(|k| dir.path().join(format!("shard-{k}.db"))).collect();
    let two = |k: u32, store: &Path| {
        let mut args = vec!["run".to_string()];
        args.extend(inputs.iter().map(|p| p.display().to_string()));
        args.extend(strings(&[&"--shard", &format!("{k}/2"), &"--store", &store, &"--chunk-chars", &"500"]));
        args
    };
    ok(&stancegraph(&two(0, &stores[0])));
    ok(&stancegraph(&two(1, &stores[1])));
    let reference = dir.path().join("reference");
    let mut merge = vec!["merge".to_string()];
    merge.extend(stores.iter().map(|p| p.display().to_string()));
    let mut args = merge.clone();
    args.extend(strings(&[&"--out", &reference]));
    ok(&stancegraph(&args));

    // Shard 1 killed during its model work.
    kill_at(&two(1, &stores[1]), "ner-chunk", dir.path());
    let out = dir.path().join("out");
    let mut args = merge.clone();
    args.extend(strings(&[&"--out", &out]));
    let o = stancegraph(&args);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("shard 1/2") && stderr.contains("unfinished"), "{stderr}");

    // Rerun the shard, then the merge: the same result as without the kill.
    ok(&stancegraph(&two(1, &stores[1])));
    ok(&stancegraph(&args));
    assert_eq!(export_set(&out), export_set(&reference));

    // A merge killed inside the commit of its linking, or halfway through its export, then
    // rerun (what resubmit.sh does after a lost merge job): the same result.
    for point in ["commit", "export"] {
        let out = dir.path().join(format!("merge-killed-at-{point}"));
        let mut args = merge.clone();
        args.extend(strings(&[&"--out", &out]));
        kill_at(&args, point, dir.path());
        ok(&stancegraph(&args));
        assert_eq!(export_set(&out), export_set(&reference), "merge killed at {point}, rerun");
    }
}

/// Runs `stancegraph ARGS` until it reaches the pause point `point` (`STANCEGRAPH_PAUSE_AT`),
/// then kills it with SIGKILL.
fn kill_at(args: &[String], point: &str, dir: &Path) {
    let flag = dir.join(format!("paused-at-{point}"));
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--threads", "2", "--quiet", "--precision", "fp32"])
        .env("STANCEGRAPH_PAUSE_AT", point)
        .env("STANCEGRAPH_PAUSE_FILE", &flag)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !flag.exists() {
        assert!(start.elapsed() < Duration::from_secs(120), "{point} not reached");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_merge_refuses_a_shard_store_whose_lock_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.jsonl");
    let doc = |id: &str, who: &str| {
        serde_json::json!({"id": id, "date": "2024-05-01", "text": format!("{who} met officials from Canada."),
            "comments": [{"author": "ann", "text": format!("{who} is right about Canada.")}]})
    };
    std::fs::write(&input, format!("{}\n{}\n", doc("d1", "Joe Biden"), doc("d2", "Justin Trudeau"))).unwrap();
    let store = dir.path().join("shard-0.db");
    let mut args = vec!["run".to_string()];
    args.extend(strings(&[&input, &"--shard", &"0/1", &"--store", &store, &"--stance-model", &"baseline"]));
    ok(&stancegraph(&args));

    // The shard job still writing its store holds its lock (as `run --shard` does).
    let held = stancegraph::store::StoreLock::acquire(&store, "shard").unwrap();
    let out = dir.path().join("out");
    let merge = strings(&[&"merge", &store, &"--out", &out, &"--stance-model", &"baseline"]);
    let o = stancegraph(&merge);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("store {} is in use by stancegraph shard", store.display())), "{stderr}");
    assert!(!out.join("stancegraph.db").exists(), "the merge wrote its store");
    assert!(!out.join("latest").exists(), "the merge published a set");

    // The shard done: the same merge goes through, and leaves the shard's lock free.
    drop(held);
    ok(&stancegraph(&merge));
    assert!(out.join("latest").exists());
    drop(stancegraph::store::StoreLock::acquire(&store, "shard").unwrap());
}

/// `stances.jsonl` of an export set: (doc, comment, entity) → (stance, confidence, probabilities).
fn stance_numbers(out: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(out.join("stances.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            let key = format!("{} {} {}", r["doc_id"], r["comment"], r["entity_id"]);
            (key, format!("{} {} {}", r["stance"], r["confidence"], r["probabilities"]))
        })
        .collect()
}

#[test]
fn in_bf16_a_merge_gives_each_stance_record_the_numbers_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("threads.jsonl");
    // Comments of many lengths, so that one run and each shard batch them differently.
    let people = ["Joe Biden", "Justin Trudeau", "Angela Merkel", "Emmanuel Macron"];
    let countries = ["Canada", "Mexico", "Germany", "France", "Japan"];
    let mut lines = String::new();
    for d in 0..12 {
        let (who, place) = (people[d % 4], countries[d % 5]);
        let comments: Vec<serde_json::Value> = (0..4)
            .map(|c| {
                let more = " and I have said so for years, whatever the papers write".repeat((d * 4 + c) % 7);
                serde_json::json!({"author": format!("user{}", (d + c) % 5),
                    "text": format!("{who} is {} about {place}{more}.", ["right", "wrong", "honest", "lying"][c])})
            })
            .collect();
        let doc = serde_json::json!({"id": format!("doc-{d:02}"), "date": "2024-05-01",
            "text": format!("{who} met officials from {place} on Tuesday to discuss trade."), "comments": comments});
        lines += &format!("{doc}\n");
    }
    std::fs::write(&input, lines).unwrap();
    let bf16 = |args: &[String]| {
        let o = Command::new(BIN)
            .args(args)
            .args(["--threads", "2", "--quiet", "--precision", "bf16"])
            .current_dir(root())
            .output()
            .unwrap();
        ok(&o);
    };
    let single = dir.path().join("single");
    bf16(&strings(&[&"run", &input, &"--out", &single]));
    let stores: Vec<PathBuf> = (0..3).map(|k| dir.path().join(format!("shard-{k}.db"))).collect();
    for (k, store) in stores.iter().enumerate() {
        bf16(&strings(&[&"run", &input, &"--shard", &format!("{k}/3"), &"--store", store]));
    }
    let merged = dir.path().join("merged");
    let mut merge = strings(&[&"merge"]);
    merge.extend(strings(&[&stores[0], &stores[1], &stores[2], &"--out", &merged]));
    bf16(&merge);

    let (one, three) = (stance_numbers(&single), stance_numbers(&merged));
    assert!(one.len() >= 40, "{} stance records", one.len());
    assert_eq!(one.keys().collect::<Vec<_>>(), three.keys().collect::<Vec<_>>(), "the same questions");
    let differ: Vec<String> =
        one.iter().filter(|(k, v)| three[*k] != **v).map(|(k, v)| format!("{k}: {v} / {}", three[k])).collect();
    assert!(differ.is_empty(), "run and merge differ on {} of {} records: {differ:#?}", differ.len(), one.len());
    // The store keeps the probabilities unrounded: the same there too.
    let decisions = |out: &Path| -> BTreeMap<String, (f64, f64, f64)> {
        let conn = rusqlite::Connection::open(out.join("stancegraph.db")).unwrap();
        let mut q = conn.prepare("SELECT input_hash, p_against, p_neutral, p_favour FROM stance_decisions").unwrap();
        let rows = q.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let (one, three) = (decisions(&single), decisions(&merged));
    assert_eq!(one.len(), three.len());
    let differ = one.iter().filter(|(k, v)| three.get(*k) != Some(v)).count();
    assert_eq!(differ, 0, "{differ} of {} stored decisions differ", one.len());
}
