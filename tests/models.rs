//! The shipped models, run for real on short texts.

use std::path::PathBuf;

use stancegraph::ner::{EntityKind, NerConfig, NerModel};
use stancegraph::stance::{Stance, StanceConfig, StanceModel, StanceQuery};

fn models() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")
}

fn ner() -> NerModel {
    NerModel::load(&models().join("ner"), NerConfig { threads: 1, ..NerConfig::default() })
        .expect("shipped NER model loads")
}

#[test]
fn ner_finds_people_places_and_organisations() {
    let text = "Japanese Foreign Minister Yoko Kamikawa met officials of the European Union in Brussels on Tuesday.";
    let spans = &ner().predict(&[text]).unwrap()[0];
    let found: Vec<(&str, EntityKind)> = spans.iter().map(|s| (s.text.as_str(), s.kind)).collect();
    assert!(found.contains(&("Yoko Kamikawa", EntityKind::Person)), "{found:?}");
    assert!(found.contains(&("European Union", EntityKind::Organisation)), "{found:?}");
    assert!(found.contains(&("Brussels", EntityKind::Location)), "{found:?}");
    assert!(found.contains(&("Japanese", EntityKind::Misc)), "{found:?}");
    for s in spans {
        let by_offsets: String = text.chars().skip(s.start).take(s.end - s.start).collect();
        assert_eq!(by_offsets, s.text);
    }
}

#[test]
fn ner_offsets_are_characters_with_emoji_and_accents() {
    let text = "😀😀 Emmanuel Macron flew to Genève 🇨🇭 yesterday.";
    let spans = &ner().predict(&[text]).unwrap()[0];
    let macron = spans.iter().find(|s| s.text == "Emmanuel Macron").expect("Macron found");
    assert_eq!((macron.start, macron.end), (3, 18));
    let geneva = spans.iter().find(|s| s.text == "Genève").expect("Genève found");
    assert_eq!((geneva.start, geneva.end), (27, 33)); // 2 emoji = 2 chars, not 8 bytes
}

#[test]
fn long_texts_lose_and_duplicate_nothing_at_window_seams() {
    let sentence = "Angela Merkel met Emmanuel Macron in Berlin. ";
    let short = &ner().predict(&[sentence]).unwrap()[0];
    assert_eq!(short.len(), 3, "{short:?}");
    let long = sentence.repeat(40); // far beyond one model window
    let spans = &ner().predict(&[long.as_str()]).unwrap()[0];
    assert_eq!(spans.len(), 120, "{}", spans.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("|"));
    let mut starts: Vec<usize> = spans.iter().map(|s| s.start).collect();
    starts.dedup();
    assert_eq!(starts.len(), 120);
}

#[test]
fn stance_model_reads_clear_cases() {
    let model = StanceModel::load(&models().join("stance"), StanceConfig { threads: 1, ..StanceConfig::default() })
        .expect("shipped stance model loads");
    let q = |text: &'static str, target: &'static str| {
        let b = text.find(target).unwrap_or(0);
        let s = text[..b].chars().count();
        StanceQuery { text, target, mentions: vec![(s, s + target.chars().count())] }
    };
    let queries = vec![
        q("Hamas will be hunted and killed as long as they live", "Hamas"),
        q("Merkel did a wonderful job, I really admire her leadership.", "Merkel"),
        q("Iran is behind all this despicable terror attack.", "Iran"),
    ];
    let got: Vec<Stance> = model.predict(&queries).unwrap().iter().map(|d| d.stance).collect();
    assert_eq!(got, vec![Stance::Against, Stance::Favour, Stance::Against]);
}

/// A copy of the shipped stance directory (links to its weight files) whose
/// config lists `members`.
fn stance_dir_with_members(members: &[&str]) -> tempfile::TempDir {
    let shipped = models().join("stance");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "safetensors") || path.ends_with("tokenizer.json") {
            std::os::unix::fs::symlink(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shipped.join("config.json")).unwrap()).unwrap();
    config["stancegraph"]["members"] = serde_json::json!(members);
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    dir
}

#[test]
fn the_stance_ensemble_is_the_mean_of_its_members() {
    let config = || StanceConfig { threads: 1, ..StanceConfig::default() };
    let shipped = StanceModel::load(&models().join("stance"), config()).unwrap();
    let shipped_config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(models().join("stance/config.json")).unwrap()).unwrap();
    let files: Vec<String> = match shipped_config["stancegraph"]["members"].as_array() {
        Some(list) => list.iter().map(|f| f.as_str().unwrap().to_string()).collect(),
        None => vec!["model.safetensors".to_string()],
    };
    assert_eq!(shipped.members(), files.len());
    let text = "Japan has always had good relationships with Iran. It might better work than any US move.";
    let queries = vec![
        StanceQuery { text, target: "Japan", mentions: vec![(0, 5)] },
        StanceQuery { text, target: "United States", mentions: vec![(81, 83)] },
    ];
    let whole = shipped.predict(&queries).unwrap();
    let mut mean = vec![[0.0f32; 3]; queries.len()];
    for file in &files {
        let dir = stance_dir_with_members(&[file.as_str()]);
        let one = StanceModel::load(dir.path(), config()).unwrap();
        assert_eq!(one.members(), 1);
        for (m, d) in mean.iter_mut().zip(one.predict(&queries).unwrap()) {
            for k in 0..3 {
                m[k] += d.probabilities[k] / files.len() as f32;
            }
        }
    }
    for (w, m) in whole.iter().zip(&mean) {
        for k in 0..3 {
            assert!((w.probabilities[k] - m[k]).abs() < 2e-3, "{:?} vs {m:?}", w.probabilities);
        }
        assert!((w.probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-3);
    }
}

#[test]
fn a_missing_stance_member_is_an_error_naming_the_file() {
    let dir = stance_dir_with_members(&["model.safetensors", "member-9.safetensors"]);
    let err = StanceModel::load(dir.path(), StanceConfig { threads: 1, ..StanceConfig::default() })
        .err()
        .expect("a missing member file fails the load");
    assert!(err.to_string().contains("member-9.safetensors"), "{err}");
}
