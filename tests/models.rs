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
    // The fast model, and the MPNet ones where they are shipped.
    for name in ["stance", "stance-accurate", "stance-comments"] {
        if name != "stance" && !models().join(name).exists() {
            continue;
        }
        stance_model_reads_clear_cases_in(name);
    }
}

fn stance_model_reads_clear_cases_in(name: &str) {
    let model = StanceModel::load(&models().join(name), StanceConfig { threads: 1, ..StanceConfig::default() })
        .expect("shipped stance model loads");
    let q = |text: &'static str, target: &'static str| {
        let b = text.find(target).unwrap_or(0);
        let s = text[..b].chars().count();
        StanceQuery::new(text, target, vec![(s, s + target.chars().count())])
    };
    let queries = vec![
        // obladi's whole comment on the seed; without its lead-in the shipped
        // model reads the bare sentence as a neutral report (MODEL.md, known weaknesses).
        q("a bit too late for that. Hamas will be hunted and killed as long as they live", "Hamas"),
        q("Merkel did a wonderful job, I really admire her leadership.", "Merkel"),
        q("Iran is behind all this despicable terror attack.", "Iran"),
    ];
    let got: Vec<Stance> = model.predict(&queries).unwrap().iter().map(|d| d.stance).collect();
    assert_eq!(got, vec![Stance::Against, Stance::Favour, Stance::Against], "{name}");
}

#[test]
fn the_comment_model_reads_the_conversation_as_the_python_encoder_does() {
    // tests/fixtures/mpnet/stance_inputs.json: scripts/reference/stance_reference.py inputs, the
    // conversation cases (stance_data.py step 5, 24 title and 64 parent pieces) with the MPNet
    // tokenizer, encoded here with the comment model's tokenizer and spec at those caps (the
    // encoding any model trained with `--context` reads; the shipped one was trained without).
    use stancegraph::runtime::Checkpoint;
    use stancegraph::stance::{ContextSpec, InputEncoder, InputSpec, PairLayout};
    let dir = models().join("stance-comments");
    let checkpoint = Checkpoint::open(&dir).expect("opens");
    let mut spec = InputSpec::from_config(&checkpoint).unwrap();
    assert!(spec.context.is_none(), "the shipped comment model reads no conversation (MODEL.md)");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mpnet/stance_inputs.json");
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let caps = |k: &str| f[k].as_u64().unwrap() as usize;
    spec.context =
        Some(ContextSpec { max_title_pieces: caps("max_title_pieces"), max_parent_pieces: caps("max_parent_pieces") });
    let layout = PairLayout::of(checkpoint.model_type());
    let encoder =
        InputEncoder::new(checkpoint.tokenizer.clone(), layout, spec, checkpoint.cls_id, checkpoint.sep_id).unwrap();
    let cases = f["context_cases"].as_array().unwrap();
    assert!(cases.len() >= 4);
    let model = StanceModel::load(&dir, StanceConfig { threads: 1, ..StanceConfig::default() }).expect("loads");
    assert!(!model.reads_conversation());
    for case in cases {
        let spans = case["spans"].as_array().unwrap();
        let mentions = spans.iter().map(|s| (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize));
        let plain =
            StanceQuery::new(case["text"].as_str().unwrap(), case["target"].as_str().unwrap(), mentions.collect());
        let q = plain.clone().in_conversation(case["title"].as_str().unwrap(), case["parent"].as_str().unwrap());
        let want: Vec<i64> = case["input_ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
        assert_eq!(encoder.encode(&q).unwrap().0, want, "{:?}", case["text"]);
        // The shipped model reads no conversation: it changes nothing.
        assert_eq!(model.input().encode(&q).unwrap(), model.input().encode(&plain).unwrap());
    }
}

#[test]
fn a_one_file_model_keeps_its_id() {
    // config.json, tokenizer.json, model.safetensors hashed in that order, as
    // before sharded weights were read: stored records keep their model ids.
    use sha2::{Digest, Sha256};
    let dir = models().join("stance");
    let mut hash = Sha256::new();
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        hash.update(std::fs::read(dir.join(f)).unwrap());
    }
    let hex: String = hash.finalize()[..6].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(stancegraph::runtime::model_id(&dir).unwrap(), format!("stance@{hex}"));
}

#[test]
fn the_fast_stance_model_is_the_shipped_one() {
    use stancegraph::stance::StanceModelChoice;
    assert_eq!(StanceModelChoice::parse("fast").dir(&models()).unwrap(), models().join("stance"));
    assert_eq!(StanceModelChoice::parse("comments").dir(&models()).unwrap(), models().join("stance-comments"));
    if models().join("stance-accurate").exists() {
        assert_eq!(StanceModelChoice::parse("accurate").dir(&models()).unwrap(), models().join("stance-accurate"));
    } else {
        let err = StanceModelChoice::parse("accurate").dir(&models()).unwrap_err().to_string();
        assert!(err.contains("isn't shipped yet") && err.contains("scripts/train/train_stance_mpnet.sh"), "{err}");
    }
}
