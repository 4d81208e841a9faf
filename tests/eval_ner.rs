//! Integration tests of `stancegraph eval ner` on WNUT-17
//! (`stancegraph::eval::ner`, `--format wnut17`).
//!
//! The inline sample is written for these tests in the WNUT-17 layout.
//! `wnut17_dev_end_to_end` runs the binary with the shipped model on
//! `../shared/data/ner/wnut17/dev.conll` (read in place, never copied) and is
//! skipped with a note when that file is absent; it checks the output's shape
//! and that every F1 it prints is the one its own counts give, not a fixed
//! score.

use std::path::Path;
use std::process::Command;

use stancegraph::eval::ner::{read_wnut17, NerFormat, NerScore, WNUT17_TYPES};
use stancegraph::ner::EntityKind::{Location, Misc, Organisation, Person};

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

/// Every WNUT-17 type once, a byte-order mark alone on the last line (as in
/// the distributed dev.conll) and CRLF line ends in the second post.
const SAMPLE: &str = "\u{feff}Stayed\tO\non\tO\nRedondo\tB-location\nBeach\tI-location\nwith\tO\nJohn\tB-person\nSmith\tI-person\n\n\
watching\tO\r\nGame\tB-creative-work\r\nof\tI-creative-work\r\nThrones\tI-creative-work\r\non\tO\r\nmy\tO\r\niPhone\tB-product\r\n\r\n\
the\tO\nred\tB-group\nsox\tI-group\nand\tO\nGoogle\tB-corporation\n\u{feff}\n";

#[test]
fn wnut17_types_map_onto_per_loc_org_and_unscored_types_read_as_o() {
    let docs = read_wnut17(SAMPLE).unwrap();
    // one document per post
    assert_eq!(docs.len(), 3);
    assert!(docs.iter().all(|d| d.len() == 1));
    let (a, b, c) = (&docs[0][0], &docs[1][0], &docs[2][0]);
    assert_eq!(a.tokens[0], "Stayed");
    assert_eq!(a.entities, vec![(Location, 2, 4), (Person, 5, 7)]);
    assert_eq!(a.unscored, vec![]);
    // product and creative-work: no gold entity, kept apart as unscored
    assert_eq!(b.tokens.len(), 7);
    assert_eq!(b.entities, vec![]);
    assert_eq!(b.unscored, vec![(1, 4), (6, 7)]);
    // group and corporation: ORG
    assert_eq!(c.entities, vec![(Organisation, 1, 3), (Organisation, 4, 5)]);
    assert_eq!(NerFormat::Wnut17.read(SAMPLE).unwrap(), docs);
    assert_eq!(NerFormat::Wnut17.scored_types(), &WNUT17_TYPES);
}

#[test]
fn a_wnut17_file_read_as_conll_is_refused_with_the_right_option() {
    let e = NerFormat::Conll.read(SAMPLE).unwrap_err().to_string();
    assert!(e.contains("B-location") && e.contains("--format wnut17"), "{e}");
    let e = NerFormat::Wnut17.read("EU\tB-ORG\n").unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("--format conll"), "{e}");
    let e = NerFormat::Wnut17.read("EU B-person\n").unwrap_err().to_string();
    assert!(e.contains("expected a token and a tag"), "{e}");
}

#[test]
fn predicted_misc_is_dropped_before_scoring() {
    let docs = read_wnut17(SAMPLE).unwrap();
    let mut s = NerScore::new(NerFormat::Wnut17.scored_types());
    // the model calls the show MISC, the phone ORG and the team ORG with a wrong boundary
    let predicted = [
        vec![(Location, 2, 4), (Person, 5, 7)],
        vec![(Misc, 1, 4), (Organisation, 6, 7)],
        vec![(Organisation, 2, 3), (Organisation, 4, 5)],
    ];
    for (d, p) in docs.iter().zip(&predicted) {
        s.add_sentence(&d[0].entities, p);
        s.add_unscored(&d[0], p);
    }
    let o = s.overall();
    assert_eq!((o.true_pos, o.false_pos, o.false_neg), (3, 2, 1));
    assert_eq!((s.dropped_predicted, s.unscored_gold, s.false_pos_on_unscored), (1, 2, 1));
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 5e-5
}

fn f1_of(tp: f64, fp: f64, fn_: f64) -> f64 {
    let p = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let r = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

#[test]
fn wnut17_dev_end_to_end() {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ner/wnut17/dev.conll");
    if !dev.is_file() {
        eprintln!("note: {} not found; skipping the WNUT-17 dev run", dev.display());
        return;
    }
    let out =
        Command::new(BIN).args(["eval", "ner", "--format", "wnut17", "--threads", "2"]).arg(&dev).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();

    // the table: header, PER, ORG, LOC, overall (no MISC row); then the "not scored" line; then JSON
    assert_eq!(lines.len(), 7, "{stdout}");
    assert!(lines[0].starts_with("type") && lines[0].contains("f1"));
    let rows: Vec<Vec<&str>> = lines[1..5].iter().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.iter().map(|r| r[0]).collect::<Vec<_>>(), ["PER", "ORG", "LOC", "overall"]);
    assert!(!stdout.contains("MISC"));
    assert!(lines[5].starts_with("not scored:"), "{}", lines[5]);

    let j: serde_json::Value = serde_json::from_str(lines[6]).unwrap();
    assert_eq!(j["format"], "wnut17");
    assert_eq!(j["scored_types"], serde_json::json!(["PER", "ORG", "LOC"]));
    assert_eq!(j["sentences"], 1009);
    // gold product + creative-work entities of dev, read as O: 218 B- tags and one I-creative-work
    // right after an I-person (line 1674), which starts an entity in the conlleval reading
    assert_eq!(j["unscored_gold"], 219);
    let n = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"));
    assert!(n(&j, "false_pos_on_unscored") <= n(&j, "false_pos"));
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (row, (ty, gold)) in rows.iter().zip([("PER", 470.0), ("ORG", 73.0), ("LOC", 74.0)]) {
        let t = &j["by_type"][ty];
        assert_eq!(n(t, "true_pos") + n(t, "false_neg"), gold, "{ty}: gold entities");
        let f1 = f1_of(n(t, "true_pos"), n(t, "false_pos"), n(t, "false_neg"));
        assert!(near(n(t, "f1"), f1), "{ty}: printed {} vs recomputed {f1}", t["f1"]);
        // the table row says the same (precision, recall, f1, gold)
        let printed: Vec<f64> = row[1..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(near(printed[0], n(t, "precision")) && near(printed[1], n(t, "recall")), "{row:?}");
        assert!(near(printed[2], f1) && printed[3] == gold, "{row:?}");
        tp += n(t, "true_pos");
        fp += n(t, "false_pos");
        fn_ += n(t, "false_neg");
    }
    assert_eq!((n(&j, "true_pos"), n(&j, "false_pos"), n(&j, "false_neg")), (tp, fp, fn_));
    let f1 = f1_of(tp, fp, fn_);
    assert!(near(n(&j, "f1"), f1), "overall: printed {} vs recomputed {f1}", j["f1"]);
    assert!(near(n(&j, "precision"), tp / (tp + fp)) && near(n(&j, "recall"), tp / (tp + fn_)));
    let overall: Vec<f64> = rows[3][1..].iter().map(|x| x.parse().unwrap()).collect();
    assert!(near(overall[2], f1) && overall[3] == 617.0, "{:?}", rows[3]);
    // the model predicts MISC on comments, and those spans were dropped, not scored
    assert!(n(&j, "dropped_predicted") > 0.0);
    assert!(lines[5].contains(&format!("{} predicted spans", j["dropped_predicted"])));
}
