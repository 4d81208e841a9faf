//! The command line's promises: the help says every output file and each
//! command's exit codes (the long epilogue only with `--help`); the old
//! spellings of flags still work beside the new ones (`recover --store`,
//! `run --stance baseline`, `eval stance --baseline|--model`, `eval ner
//! --model`); `--types organization`; and `merge` answers with the stance
//! classifier it is given, the lexicon baseline too. (Every flag having
//! help is checked on the definitions themselves, in `src/cli/args.rs`.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{comparable_export_set, root};

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

fn stancegraph(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(root()).output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "exit {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn help_names_every_output_and_the_exit_codes() {
    let long = ok(&stancegraph(&["run", "--help"]));
    for file in stancegraph::export::FILES.iter().chain(&["stancegraph.db"]) {
        assert!(long.contains(file), "run --help does not name {file}");
    }
    for part in ["INPUT FORMATS", "OUTPUTS", "EXIT CODES", "recover STORE"] {
        assert!(long.contains(part), "run --help lacks {part}");
    }
    let short = ok(&stancegraph(&["run", "-h"]));
    assert!(!short.contains("INPUT FORMATS") && !short.contains("graph.graphml"), "{short}");
    assert!(short.contains("stancegraph run --help"), "-h points at --help: {short}");
    assert!(short.lines().count() + 30 < long.lines().count());

    for (command, codes) in [("merge", &["0 ", "2 ", "3 ", "4 ", "5 "][..]), ("export", &["0 ", "3 ", "5 ", "6 "])] {
        for flag in ["-h", "--help"] {
            let help = ok(&stancegraph(&[command, flag]));
            let codes_part = help.split("EXIT CODES").nth(1).unwrap_or_else(|| panic!("{command} {flag}: {help}"));
            for code in codes {
                assert!(codes_part.contains(code), "{command} {flag} lacks exit code {code}: {codes_part}");
            }
        }
    }
}

#[test]
fn recover_takes_the_store_as_argument_or_as_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stancegraph.db");
    drop(stancegraph::store::Store::open(&db).unwrap());
    for args in [vec!["recover", p(&db)], vec!["recover", "--store", p(&db)]] {
        let o = stancegraph(&args);
        ok(&o);
        let said = String::from_utf8_lossy(&o.stderr);
        assert!(said.contains("is healthy") && said.contains(p(&db)), "{args:?}: {said}");
    }
    let missing = dir.path().join("none.db");
    assert_eq!(stancegraph(&["recover", p(&missing)]).status.code(), Some(2));
    assert_eq!(stancegraph(&["recover"]).status.code(), Some(2));
    assert_eq!(stancegraph(&["recover", p(&db), "--store", p(&db)]).status.code(), Some(2));
}

/// `merge --stance-model baseline` over baseline shards: the baseline's
/// answers, the same set as one `run --stance baseline` (the old flag).
/// Then `export --types organization` is `organisation`.
#[test]
fn merge_answers_with_the_baseline_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name);
    let common = ["--threads", "2", "--precision", "fp32", "--quiet"];
    let sample = p(&root().join("examples/sample")).to_string();
    for k in 0..2 {
        let shard = d(&format!("shard{k}.db"));
        let shard_k = format!("{k}/2");
        let args = ["run", &sample, "--shard", &shard_k, "--store", p(&shard), "--stance-model", "baseline"];
        ok(&stancegraph(&[&args[..], &common].concat()));
    }
    let merged = d("merged");
    let (shard0, shard1) = (d("shard0.db"), d("shard1.db"));
    let args = ["merge", p(&shard0), p(&shard1), "--out", p(&merged), "--stance-model", "baseline"];
    ok(&stancegraph(&[&args[..], &common].concat()));
    let s = summary(&merged);
    assert_eq!(s["stance_method"], stancegraph::stance::LexiconBaseline::NAME, "{s}");
    assert_eq!(s["stance_model"], "lexicon-baseline", "{s}");
    let by_model = s["records_by_model"]["stance"].as_object().unwrap();
    assert!(by_model.keys().all(|k| k.starts_with("lexicon-baseline")), "{by_model:?}");
    assert!(s["stance_pairs"].as_u64().unwrap() > 0, "{s}");

    let single = d("single");
    ok(&stancegraph(&[&["run", &sample, "--out", p(&single), "--stance", "baseline"][..], &common].concat()));
    assert_eq!(summary(&single)["stance_method"], s["stance_method"]);
    assert!(comparable_export_set(&merged) == comparable_export_set(&single), "merge and run differ");

    let store = merged.join("stancegraph.db");
    let (us, uk) = (d("us"), d("uk"));
    for (out, types) in [(&us, "person,organization"), (&uk, "person,organisation")] {
        ok(&stancegraph(&["export", "--out", p(out), "--store", p(&store), "--types", types, "--quiet"]));
    }
    assert_eq!(summary(&us)["filters"], summary(&uk)["filters"]);
    assert!(comparable_export_set(&us) == comparable_export_set(&uk));
    assert_eq!(summary(&us)["filters"]["types"], serde_json::json!(["person", "organisation"]));
}

/// The scores' table and JSON without the timing.
fn scores(o: &Output) -> (String, serde_json::Value) {
    let out = ok(o);
    let (table, json) = out.trim_end().rsplit_once('\n').unwrap();
    let mut json: serde_json::Value = serde_json::from_str(json).unwrap();
    json.as_object_mut().unwrap().retain(|k, _| !k.contains("second") && !k.contains("per_s"));
    (table.to_string(), json)
}

/// A three-example SemEval gold file (favour, against, none) in `dir`.
fn semeval_gold(dir: &Path) -> PathBuf {
    let gold = dir.join("semeval.txt");
    std::fs::write(
        &gold,
        "ID\tTarget\tTweet\tStance\n\
         1\tHillary Clinton\tHillary Clinton is a wonderful leader and I love her plans.\tFAVOR\n\
         2\tHillary Clinton\tHillary Clinton is a terrible liar and her plans are awful.\tAGAINST\n\
         3\tAtheism\tAtheism was discussed at the meeting on Tuesday.\tNONE\n",
    )
    .unwrap();
    gold
}

#[test]
fn eval_stance_baseline_and_model_flags_are_one() {
    let dir = tempfile::tempdir().unwrap();
    let gold = semeval_gold(dir.path());
    let eval = |extra: &[&str]| {
        let args = [&["eval", "stance", "--format", "semeval", p(&gold), "--threads", "1"][..], extra].concat();
        scores(&stancegraph(&args))
    };
    let new = eval(&["--stance-model", "baseline"]);
    assert_eq!(eval(&["--baseline"]), new);
    assert_eq!(eval(&["--model", "baseline"]), new);
    assert_eq!(
        eval(&["--stance-model", "baseline", "--favor-against-only"]),
        eval(&["--baseline", "--favour-against-only"])
    );
    assert!(new.0.contains("favour"), "{}", new.0);
    let both = [&["eval", "stance", "--format", "semeval", p(&gold)][..], &["--baseline", "--stance-model", "fast"]];
    assert_eq!(stancegraph(&both.concat()).status.code(), Some(2));
}

#[test]
fn eval_stance_writes_each_answer_with_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let gold = semeval_gold(dir.path());
    let out = dir.path().join("answers.jsonl");
    for (extra, answered) in [(&[][..], 3), (&["--favour-against-only"][..], 2)] {
        let args =
            [&["eval", "stance", "--format", "semeval", p(&gold), "--baseline", "--predictions", p(&out)][..], extra];
        let (_, json) = scores(&stancegraph(&args.concat()));
        let lines: Vec<serde_json::Value> =
            std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), answered);
        let mut correct = 0;
        for (line, gold) in lines.iter().zip(["favour", "against", "neutral"]) {
            assert_eq!(line["gold"], gold);
            assert!(!line["target"].as_str().unwrap().is_empty());
            let probabilities = line["probabilities"].as_object().unwrap();
            assert_eq!(probabilities.len(), 3);
            let best = probabilities.iter().max_by(|a, b| a.1.as_f64().partial_cmp(&b.1.as_f64()).unwrap()).unwrap();
            if extra.is_empty() {
                assert_eq!(line["predicted"], best.0.as_str(), "the three-way answer is the most probable class");
            } else {
                assert_ne!(line["predicted"], "neutral");
            }
            correct += usize::from(line["predicted"] == line["gold"]);
        }
        let accuracy = json["accuracy"].as_f64().unwrap();
        assert!((accuracy - correct as f64 / answered as f64).abs() < 1e-3, "the file's answers are the scored ones");
    }
}

#[test]
fn eval_ner_takes_the_models_folder_or_one_model() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.conll");
    std::fs::write(&gold, "Yoko B-PER\nKamikawa I-PER\nvisited O\nOttawa B-LOC\n. O\n\nToyota B-ORG\ngrew O\n. O\n")
        .unwrap();
    let models = root().join("models");
    let eval =
        |extra: &[&str]| scores(&stancegraph(&[&["eval", "ner", p(&gold), "--threads", "1"][..], extra].concat()));
    let by_folder = eval(&["--models", p(&models)]);
    assert_eq!(eval(&["--ner-model", p(&models.join("ner"))]), by_folder);
    assert_eq!(eval(&["--model", p(&models.join("ner"))]), by_folder);
    // A folder without ner/ is not silently replaced by the shipped model.
    let o = stancegraph(&["eval", "ner", p(&gold), "--models", p(dir.path())]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}
