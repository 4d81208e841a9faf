//! The linker's junk filter measured on comment text (issue 11): the 100
//! most-mentioned entities of the Reddit threads in
//! `../shared/data/stance/reddit-trump` contain at most
//! [`MAX_NON_ENTITIES`] non-entities, by the hand-checked judgements in
//! `tests/fixtures/link/reddit_top100.tsv` (its header gives the rules they
//! were judged by).
//!
//! The threads are converted with `scripts/data/reddit_to_jsonl.py` into a
//! temporary folder and run through the release binary with the shipped
//! models (`--stance baseline`: entities do not depend on stance, and the
//! lexicon baseline saves the stance model's time). The measure covers
//! every entity type the records hold (`entities.jsonl`: person, country,
//! organisation, location and misc), not only the graph's default types,
//! since junk lands in misc and location too. Entities are ranked by
//! `mentions` (name, gazetteer and pronoun mentions, as in
//! `entities.jsonl`), most first, ties by id (byte order), so the cut at
//! 100 is fixed; the cut falls inside the one-mention entities, where the
//! id order puts countries (upper-case ids) first, then `loc:`, `misc:`.
//!
//! `reddit_people_are_one_node_each` checks issue 26's people on the same
//! run: one node per person however commenters write them, and scores the
//! linker on our linking dev set (`stancegraph eval link`).
//!
//! Skipped with a note when `../shared/data` is absent (a user's machine);
//! CI always has it. No comment text is copied into the repository: the
//! fixture holds entity ids, labels and one-line reasons only.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

mod common;
use common::root;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

/// How many entities are judged.
const TOP: usize = 100;

/// The most non-entities allowed among the top [`TOP`]: issue 11's
/// target. The rules of `src/link/junk.rs` reach 1 with the comment-trained
/// NER model ("Judo"; 25 before the rules).
const MAX_NON_ENTITIES: usize = 2;

/// A judgement of the fixture.
struct Judgement {
    label: String,
    junk: bool,
    reason: String,
}

/// The fixture: entity id → judgement.
fn judgements() -> HashMap<String, Judgement> {
    let path = root().join("tests/fixtures/link/reddit_top100.tsv");
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = HashMap::new();
    for (n, line) in raw.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "line {}: want id, label, verdict, reason: {line:?}", n + 1);
        let junk = match cols[2] {
            "entity" => false,
            "junk" => true,
            v => panic!("line {}: verdict {v:?} is neither entity nor junk", n + 1),
        };
        let judgement = Judgement { label: cols[1].to_string(), junk, reason: cols[3].to_string() };
        assert!(out.insert(cols[0].to_string(), judgement).is_none(), "line {}: {} judged twice", n + 1, cols[0]);
    }
    out
}

/// One entity of `entities.jsonl`.
struct Ranked {
    id: String,
    label: String,
    kind: String,
    mentions: u64,
    aliases: Vec<String>,
}

/// Runs the converter and the binary; the entities ranked most mentioned
/// first, ties by id.
fn ranked_entities(data: &Path, dir: &Path) -> Vec<Ranked> {
    let jsonl = dir.join("reddit.jsonl");
    let file = std::fs::File::create(&jsonl).unwrap();
    let status = Command::new("python3")
        .arg(root().join("scripts/data/reddit_to_jsonl.py"))
        .arg(data)
        .stdout(Stdio::from(file))
        .status()
        .expect("python3 runs scripts/data/reddit_to_jsonl.py");
    assert!(status.success(), "reddit_to_jsonl.py: {status}");

    let out = dir.join("out");
    let threads = std::thread::available_parallelism().map(|n| n.get().min(8)).unwrap_or(2).to_string();
    let o = Command::new(BIN)
        .current_dir(root())
        .arg("run")
        .arg(&jsonl)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--stance", "baseline", "--threads", &threads])
        .output()
        .expect("run stancegraph");
    assert!(o.status.success(), "stancegraph run: {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));

    let text = std::fs::read_to_string(out.join("latest/entities.jsonl")).unwrap();
    let mut entities: Vec<Ranked> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Ranked {
                id: v["id"].as_str().unwrap().to_string(),
                label: v["label"].as_str().unwrap().to_string(),
                kind: v["type"].as_str().unwrap().to_string(),
                mentions: v["mentions"].as_u64().unwrap(),
                aliases: v["aliases"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect(),
            }
        })
        .collect();
    entities.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.id.cmp(&b.id)));
    entities
}

#[test]
fn reddit_top100_has_few_non_entities() {
    let data = root().join("../shared/data/stance/reddit-trump");
    if !data.exists() {
        eprintln!("note: {} is absent; the Reddit junk check is skipped (CI has ../shared)", data.display());
        return;
    }
    let judged = judgements();
    let dir = tempfile::tempdir().unwrap();
    let entities = ranked_entities(&data, dir.path());
    assert!(entities.len() >= TOP, "only {} entities", entities.len());
    let top = &entities[..TOP];

    let unjudged: Vec<String> = top
        .iter()
        .enumerate()
        .filter(|(_, e)| !judged.contains_key(&e.id))
        .map(|(i, e)| format!("  #{} {}\t{}\t({}, {} mentions)", i + 1, e.id, e.label, e.kind, e.mentions))
        .collect();
    assert!(
        unjudged.is_empty(),
        "{} of the top {TOP} are not judged in tests/fixtures/link/reddit_top100.tsv; \
         judge each (read its mentions in mentions.jsonl) and add it:\n{}",
        unjudged.len(),
        unjudged.join("\n")
    );

    let junk: Vec<String> = top
        .iter()
        .enumerate()
        .filter(|(_, e)| judged[&e.id].junk)
        .map(|(i, e)| {
            let j = &judged[&e.id];
            format!("  #{} {} {:?} ({} mentions): {}", i + 1, e.id, j.label, e.mentions, j.reason)
        })
        .collect();
    eprintln!("non-entities among the top {TOP}: {}\n{}", junk.len(), junk.join("\n"));
    assert!(
        junk.len() <= MAX_NON_ENTITIES,
        "{} non-entities among the top {TOP} (at most {MAX_NON_ENTITIES}):\n{}",
        junk.len(),
        junk.join("\n")
    );
}

/// Issue 26: each of these people is one node however commenters write
/// them (the surface forms below, read in the threads), and Mary Trump
/// stays apart from Donald Trump.
#[test]
fn reddit_people_are_one_node_each() {
    let data = root().join("../shared/data/stance/reddit-trump");
    if !data.exists() {
        eprintln!("note: {} is absent; the Reddit people check is skipped (CI has ../shared)", data.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let entities = ranked_entities(&data, dir.path());
    let holders = |form: &str| -> Vec<&str> {
        entities.iter().filter(|e| e.aliases.iter().any(|a| a == form)).map(|e| e.id.as_str()).collect()
    };
    let people: [(&str, &[&str]); 5] = [
        ("person:kamala-harris", &["Kamala", "Harris", "Kamila Harris", "VP Harris"]),
        (
            "person:sarah-huckabee-sanders",
            &[
                "Sarah Huckabee Sanders",
                "Huckabee Sanders",
                "Huckabee-Sanders",
                "Sarah Huckabee",
                "Sarah Huckaby",
                "SHS",
                "Sarah",
                "huckabee",
            ],
        ),
        ("person:hillary-clinton", &["Hillary", "Hilary", "Hillary Clinton", "Hilary Clinton"]),
        ("person:donald-trump", &["Trump", "Donald Trump", "Donnie", "Donny", "DT", "Donald Trumps", "King Donold"]),
        ("person:joe-biden", &["Biden", "Joe Biden", "Sleepy Joe"]),
    ];
    for (id, forms) in people {
        for form in forms {
            assert_eq!(holders(form), [id], "{form:?} should be {id} alone");
        }
    }
    let mary = holders("Mary Trump");
    assert_eq!(mary.len(), 1, "Mary Trump: {mary:?}");
    assert_ne!(mary[0], "person:donald-trump");
    let slash: Vec<&str> =
        entities.iter().filter(|e| e.aliases.iter().any(|a| a.contains('/'))).map(|e| e.id.as_str()).collect();
    assert!(slash.is_empty(), "names joined by a slash are people, not one node: {slash:?}");

    // Our linking dev set on the same store (data/link-dev): pronoun links
    // at issue 26's precision, names at B-cubed F1 0.90 or better, and all
    // mentions no worse than the linker of 2026-12-08 (B-cubed precision
    // 0.9756, F1 0.8619; issue 26's target of F1 0.90 needs the pronouns
    // whose person the thread never names, data/link-dev/README.md).
    let o = Command::new(BIN)
        .current_dir(root())
        .args(["eval", "link", "data/link-dev/mentions.tsv", "--store"])
        .arg(dir.path().join("out/stancegraph.db"))
        .output()
        .expect("run stancegraph eval link");
    assert!(o.status.success(), "eval link: {}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    eprintln!("{stdout}");
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(json["pronoun_precision"].as_f64().unwrap() >= 0.90, "{json}");
    assert!(json["names_b3_f1"].as_f64().unwrap() >= 0.90, "{json}");
    assert!(json["b3_precision"].as_f64().unwrap() >= 0.95, "{json}");
    assert!(json["b3_f1"].as_f64().unwrap() >= 0.86, "{json}");
}
