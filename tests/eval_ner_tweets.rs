//! Integration tests of `stancegraph eval ner --format tweebank` and
//! `--format btc` (`stancegraph::eval::ner`): Tweebank-NER and the Broad
//! Twitter Corpus, one text per tweet.
//!
//! The inline samples are written for these tests in the two layouts. The
//! `*_files_read_whole` tests read the real files in `../shared/data/ner`
//! (in place, never copied; skipped with a note when absent) and check their
//! counts against what the files' tags say, and
//! `python_readers_train_on_what_rust_scores` checks that the training
//! readers (`scripts/lib/ner_data.py`, pure Python) read the same tokens and
//! entities; `tweebank_cli` runs the binary with the shipped model on a small
//! temporary file.

use std::path::{Path, PathBuf};
use std::process::Command;

use stancegraph::eval::ner::{NerFormat, NerScore, CONLL_TYPES, WNUT17_TYPES};
use stancegraph::ner::EntityKind::{self, Location, Misc, Organisation, Person};

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

/// Tweebank-NER layout: a `-DOCSTART-` heading the file, four tab-separated
/// columns, two tweets.
const TWEEBANK: &str = "-DOCSTART- -X- O\n\nRT\t-\t-\tO\n@USER1\t-\t-\tO\n:\t-\t-\tO\nFarmall\t-\t-\tB-ORG\nin\t-\t-\tO\n\
New\t-\t-\tB-LOC\nYork\t-\t-\tI-LOC\n\nwatching\t-\t-\tO\nStar\t-\t-\tB-MISC\nWars\t-\t-\tI-MISC\nwith\t-\t-\tO\nAnn\t-\t-\tB-PER\n";

/// Broad Twitter Corpus layout, with the oddities of sections f and h: a
/// token with a trailing space, an empty token, a white-space-only line.
/// A user name is an `@` token and the next, both B-PER mostly (or `@` O).
const BTC: &str =
    "MH17 \tO\nin\tO\nUkraine\tB-LOC\n\tO\n#prayers\tO\n\nBBC\tB-ORG\nNews\tI-ORG\n \nTheresa\tB-PER\nMay\tI-PER\n\n\
@\tB-PER\nbbcnews\tB-PER\n@\tO\nTheresa_May\tB-PER\nand\tO\nLabour\tB-ORG\n";

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ner").join(rel);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("note: {} not found; skipping", p.display());
        None
    }
}

#[test]
fn tweebank_every_tweet_is_a_document_and_misc_is_scored() {
    let docs = NerFormat::Tweebank.read(TWEEBANK).unwrap();
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|d| d.len() == 1));
    assert_eq!(docs[0][0].tokens, ["RT", "@USER1", ":", "Farmall", "in", "New", "York"]);
    assert_eq!(docs[0][0].entities, vec![(Organisation, 3, 4), (Location, 5, 7)]);
    assert_eq!(docs[1][0].entities, vec![(Misc, 1, 3), (Person, 4, 5)]);
    assert_eq!(NerFormat::Tweebank.scored_types(), &CONLL_TYPES);
}

#[test]
fn btc_tokens_are_trimmed_empty_ones_skipped_and_misc_dropped() {
    let docs = NerFormat::Btc.read(BTC).unwrap();
    // the white-space-only line ends a post, as a blank line does
    assert_eq!(docs.len(), 4);
    assert_eq!(docs[0][0].tokens, ["MH17", "in", "Ukraine", "#prayers"]);
    assert_eq!(docs[0][0].entities, vec![(Location, 2, 3)]);
    assert_eq!(docs[1][0].entities, vec![(Organisation, 0, 2)]);
    assert_eq!(docs[2][0].entities, vec![(Person, 0, 2)]);
    assert!(docs[..3].iter().all(|d| d[0].unscored.is_empty()));
    // user names are no entities here: read as O, counted apart
    assert_eq!(docs[3][0].entities, vec![(Organisation, 5, 6)]);
    assert_eq!(docs[3][0].unscored, vec![(0, 1), (1, 2), (3, 4)]);
    // Tweebank keeps what it tags (it tags no user names)
    let tweebank = NerFormat::Tweebank.read("@\t-\t-\tO\nAnn\t-\t-\tB-PER\n").unwrap();
    assert_eq!(tweebank[0][0].entities, vec![(Person, 1, 2)]);
    assert_eq!(NerFormat::Btc.scored_types(), &WNUT17_TYPES);
    let mut s = NerScore::new(NerFormat::Btc.scored_types());
    s.add_sentence(&docs[0][0].entities, &[(Location, 2, 3), (Misc, 0, 1)]);
    let o = s.overall();
    assert_eq!((o.true_pos, o.false_pos, o.false_neg, s.dropped_predicted), (1, 0, 0, 1));
}

#[test]
fn wrong_columns_and_tags_are_refused_with_the_line() {
    let e = NerFormat::Tweebank.read("Bob\tB-PER\n").unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("expected 4"), "{e}");
    let e = NerFormat::Btc.read("Bob\t-\t-\tB-PER\n").unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("expected 2"), "{e}");
    let e = NerFormat::Btc.read("ok\tO\nWindows\tB-MISC\n").unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("B-MISC"), "{e}");
    let e = NerFormat::Btc.read("Bob\tB-person\n").unwrap_err().to_string();
    assert!(e.contains("--format wnut17"), "{e}");
    let e = NerFormat::Tweebank.read("Bob\t-\t-\tB-GPE\n").unwrap_err().to_string();
    assert!(e.contains("B-GPE"), "{e}");
}

/// Sentences and gold entities (B- tags, counted here from the raw lines) of a file.
fn raw_counts(path: &Path) -> (usize, Vec<(EntityKind, usize)>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut sentences = 0;
    let mut open = false;
    let mut per_type = vec![(Person, 0), (Organisation, 0), (Location, 0), (Misc, 0)];
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with("-DOCSTART-") {
            sentences += open as usize;
            open = false;
            continue;
        }
        let tag = line.rsplit('\t').next().unwrap();
        open |= !line.split('\t').next().unwrap().trim().is_empty();
        for (k, n) in per_type.iter_mut() {
            *n += (tag == format!("B-{}", k.short())) as usize;
        }
    }
    (sentences + open as usize, per_type)
}

/// Reads a whole file and checks its sentences and entities against [`raw_counts`]: every
/// entity is read, as scored or (BTC user names) apart; returns how many are apart.
fn check_file(format: NerFormat, rel: &str, sentences: usize) -> usize {
    let Some(path) = shared(rel) else { return 0 };
    let docs = format.read(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (raw_sentences, raw_types) = raw_counts(&path);
    assert_eq!((docs.len(), raw_sentences), (sentences, sentences), "{rel}");
    assert!(docs.iter().all(|d| d.len() == 1 && d[0].tokens.iter().all(|t| !t.is_empty() && t.trim() == t)));
    let apart: usize = docs.iter().map(|d| d[0].unscored.len()).sum();
    let mut read_total = 0;
    for (kind, n) in &raw_types {
        let read: usize = docs.iter().map(|d| d[0].entities.iter().filter(|e| e.0 == *kind).count()).sum();
        assert!(read <= *n && (apart > 0 || read == *n), "{rel}: {kind:?} {read} of {n}");
        read_total += read;
    }
    assert_eq!(read_total + apart, raw_types.iter().map(|t| t.1).sum::<usize>(), "{rel}");
    apart
}

#[test]
fn tweebank_files_read_whole() {
    assert_eq!(check_file(NerFormat::Tweebank, "tweebank/dev.bio", 710), 0);
    assert_eq!(check_file(NerFormat::Tweebank, "tweebank/train.bio", 1639), 0);
}

#[test]
fn btc_files_read_whole() {
    // f: a white-space-only line splits one tweet, and one is empty tokens only; h: one is empty tokens only
    for (section, sentences) in [("a", 1000), ("b", 2000), ("e", 200), ("f", 2001), ("h", 2000)] {
        let apart = check_file(NerFormat::Btc, &format!("btc/{section}.conll"), sentences);
        eprintln!("btc/{section}: {apart} entities on user names");
    }
}

#[test]
fn tweebank_cli() {
    let dir = std::env::temp_dir().join(format!("eval_ner_tweets_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sample.bio");
    std::fs::write(&file, TWEEBANK).unwrap();
    let out = Command::new(BIN).args(["eval", "ner", "--format", "tweebank", "--threads", "1"]).arg(&file).output();
    std::fs::remove_dir_all(&dir).ok();
    let out = out.unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let j: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(j["format"], "tweebank");
    assert_eq!(j["sentences"], 2);
    assert_eq!(j["scored_types"], serde_json::json!(["PER", "ORG", "LOC", "MISC"]));
    let gold: u64 = ["PER", "ORG", "LOC", "MISC"]
        .iter()
        .map(|t| j["by_type"][t]["true_pos"].as_u64().unwrap() + j["by_type"][t]["false_neg"].as_u64().unwrap())
        .sum();
    assert_eq!(gold, 4);
}

/// ner_data.py's view of a file, one line per sentence: tokens joined by U+0001, then the
/// entities as `TYPE:start:end` (IOB2 read conlleval's way; BTC read with plain O).
const PY_DUMP: &str = r#"
import sys
sys.path.insert(0, "scripts/lib")
import ner_data as nd
fmt, path = sys.argv[1], sys.argv[2]
docs = nd.read_tweebank(path) if fmt == "tweebank" else nd.read_btc(path, "o")
for [(toks, tags)] in docs:
    ents, cur = [], None
    for i, t in enumerate(tags + ["O"]):
        if cur and not t.startswith("I-" + cur[0]):
            ents.append(f"{cur[0]}:{cur[1]}:{i}"); cur = None
        if t.startswith("B-") or (t.startswith("I-") and cur is None):
            cur = (t[2:], i)
    print("\x01".join(toks) + "\t" + " ".join(ents))
"#;

#[test]
fn python_readers_train_on_what_rust_scores() {
    for (format, rel) in
        [(NerFormat::Tweebank, "tweebank/dev.bio"), (NerFormat::Btc, "btc/h.conll"), (NerFormat::Btc, "btc/f.conll")]
    {
        let Some(path) = shared(rel) else { continue };
        let out = Command::new("python3")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["-c", PY_DUMP, format.as_str()])
            .arg(&path)
            .output()
            .expect("python3 runs scripts/lib/ner_data.py");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let python = String::from_utf8(out.stdout).unwrap();
        let docs = format.read(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let rust: Vec<String> = docs
            .iter()
            .map(|d| {
                let ents: Vec<String> =
                    d[0].entities.iter().map(|(k, a, b)| format!("{}:{a}:{b}", k.short())).collect();
                format!("{}\t{}", d[0].tokens.join("\u{1}"), ents.join(" "))
            })
            .collect();
        assert_eq!(python.lines().count(), rust.len(), "{rel}");
        for (p, r) in python.lines().zip(&rust) {
            assert_eq!(p, r, "{rel}");
        }
    }
}
