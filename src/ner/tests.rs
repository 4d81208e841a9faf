//! Unit tests of `ner.rs`.

use super::*;

const LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

fn labels() -> Vec<Label> {
    LABELS.iter().map(|t| Label::parse(t)).collect()
}

fn lab(tag: &str) -> usize {
    LABELS.iter().position(|t| *t == tag).unwrap()
}

#[test]
fn windows_cover_every_piece_exactly_once() {
    for n in [0, 1, 5, 126, 127, 200, 1000, 1001] {
        let ws = plan_windows(n, 126, 32);
        let mut owned = vec![0; n];
        for w in &ws {
            assert!(w.end - w.start <= 126);
            assert!(w.start <= w.own_start && w.own_end <= w.end);
            for p in w.own_start..w.own_end {
                owned[p] += 1;
            }
        }
        assert!(owned.iter().all(|&c| c == 1), "n={n}: {owned:?}");
    }
}

#[test]
fn seam_pieces_have_context_on_both_sides() {
    let ws = plan_windows(300, 100, 40);
    for pair in ws.windows(2) {
        let seam = pair[0].own_end;
        assert!(seam - pair[1].start >= 20, "{pair:?}");
        assert!(pair[0].end - seam >= 20, "{pair:?}");
    }
}

/// Every piece owned by exactly one window, owned ranges inside their windows.
fn assert_exact_cover(ws: &[Window], n: usize, size: usize) {
    let mut owned = vec![0; n];
    for w in ws {
        assert!(w.end - w.start <= size && w.start <= w.own_start && w.own_end <= w.end, "{w:?}");
        for o in &mut owned[w.own_start..w.own_end] {
            *o += 1;
        }
    }
    assert!(owned.iter().all(|&c| c == 1), "{ws:?}");
}

#[test]
fn sentence_windows_pack_whole_sentences_without_overlap() {
    // sentences of 30 pieces: 3 fit in 100
    let starts: Vec<usize> = (1..10).map(|k| k * 30).collect();
    let ws = plan_sentence_windows(300, 100, 16, &starts);
    assert_exact_cover(&ws, 300, 100);
    assert_eq!(
        ws.iter().map(|w| (w.start, w.end)).collect::<Vec<_>>(),
        vec![(0, 90), (90, 180), (180, 270), (270, 300)]
    );
    assert!(ws.iter().all(|w| (w.own_start, w.own_end) == (w.start, w.end)), "no overlap");
}

#[test]
fn a_sentence_longer_than_a_window_falls_back_to_overlapping_windows() {
    // 10 pieces, then a 250-piece sentence, then 40 pieces
    let starts = [10, 260];
    let ws = plan_sentence_windows(300, 100, 16, &starts);
    assert_exact_cover(&ws, 300, 100);
    assert_eq!((ws[0].start, ws[0].end), (0, 10));
    // the long sentence's windows overlap and stay inside it
    let long: Vec<&Window> = ws.iter().filter(|w| w.start >= 10 && w.end <= 260).collect();
    assert!(long.len() >= 3, "{ws:?}");
    assert!(long.windows(2).all(|p| p[1].start < p[0].end), "overlapping: {ws:?}");
    assert_eq!(ws.last().map(|w| (w.start, w.end)), Some((260, 300)));
    // no boundaries at all: the plain sliding windows
    assert_eq!(plan_sentence_windows(300, 100, 16, &[]), plan_windows(300, 100, 16));
    assert!(plan_sentence_windows(0, 100, 16, &[]).is_empty());
}

/// Char offsets of a toy tokenization: letter/digit runs and single punctuation marks.
fn toy_pieces(text: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut prev_word = false;
    for (i, c) in text.chars().enumerate() {
        if c.is_alphanumeric() {
            match out.last_mut() {
                Some(last) if prev_word && last.1 == i => last.1 = i + 1,
                _ => out.push((i, i + 1)),
            }
            prev_word = true;
        } else {
            if !c.is_whitespace() {
                out.push((i, i + 1));
            }
            prev_word = false;
        }
    }
    out
}

#[test]
fn sentence_starts_after_stops_and_line_breaks_but_not_abbreviations() {
    let text = "Mr. Kishida met Dr. Lee in the U.S. today. She said so!\n“Fine,” he said. 3 more. a b";
    let offsets = toy_pieces(text);
    let first_words: Vec<String> = sentence_starts(text, &offsets)
        .into_iter()
        .map(|i| text.chars().skip(offsets[i].0).take(offsets[i].1 - offsets[i].0).collect())
        .collect();
    assert_eq!(first_words, vec!["She", "“", "3"]);
}

#[test]
fn pieces_sharing_one_character_make_no_gap() {
    // "#빅스 (": the uncased tokenizer splits 빅 into two jamo pieces, both at offsets (1, 2)
    let text = "#빅스 (";
    let offsets = [(0, 1), (1, 2), (1, 2), (2, 3), (4, 5)];
    assert_eq!(sentence_starts(text, &offsets), Vec::<usize>::new());
    assert_eq!(sentence_starts("a.\n빅. 빅", &[(0, 1), (1, 2), (3, 4), (3, 4), (4, 5), (6, 7)]), vec![2]);
}

#[test]
fn word_pieces_merge_into_one_word_with_first_piece_label() {
    // "Kamikawa said": Kami ##kawa said
    let offsets = [(0, 4), (4, 8), (9, 13)];
    let word_ids = [Some(0), Some(0), Some(1)];
    let piece = [(lab("B-PER"), 0.9), (lab("I-PER"), 0.8), (lab("O"), 0.99)];
    let words = word_spans(&offsets, &word_ids, &piece);
    assert_eq!(words.len(), 2);
    assert_eq!((words[0].start, words[0].end, words[0].label), (0, 8, lab("B-PER")));
    let spans = decode_words("Kamikawa said", &words, &labels());
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].text, "Kamikawa");
    assert_eq!(spans[0].kind, EntityKind::Person);
}

#[test]
fn punctuation_inside_an_entity_is_kept_and_after_it_dropped() {
    // "the U.S. said." -> words: the U . S . said .
    let text = "the U.S. said.";
    let words = vec![
        Word { start: 0, end: 3, label: lab("O"), prob: 1.0 },
        Word { start: 4, end: 5, label: lab("B-LOC"), prob: 0.9 },
        Word { start: 5, end: 6, label: lab("I-LOC"), prob: 0.9 },
        Word { start: 6, end: 7, label: lab("I-LOC"), prob: 0.9 },
        Word { start: 7, end: 8, label: lab("I-LOC"), prob: 0.9 },
        Word { start: 9, end: 13, label: lab("O"), prob: 1.0 },
        Word { start: 13, end: 14, label: lab("O"), prob: 1.0 },
    ];
    let spans = decode_words(text, &words, &labels());
    assert_eq!(spans.len(), 1);
    assert_eq!((spans[0].start, spans[0].end), (4, 8));
    assert_eq!(spans[0].text, "U.S.");
}

#[test]
fn a_span_never_starts_with_punctuation() {
    // "Mr. Rubio said": the model tags the dot as the name's start.
    let text = "Mr. Rubio said";
    let words = vec![
        Word { start: 0, end: 2, label: lab("O"), prob: 1.0 },
        Word { start: 2, end: 3, label: lab("B-PER"), prob: 0.6 },
        Word { start: 4, end: 9, label: lab("I-PER"), prob: 0.9 },
        Word { start: 10, end: 14, label: lab("O"), prob: 1.0 },
    ];
    let spans = decode_words(text, &words, &labels());
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].text, "Rubio");
    assert!((spans[0].score - 0.9).abs() < 1e-6);
    // A lone tagged "." is no span at all.
    let words = vec![Word { start: 2, end: 3, label: lab("B-PER"), prob: 0.6 }];
    assert!(decode_words(text, &words, &labels()).is_empty());
}

#[test]
fn a_span_never_runs_over_a_line_break() {
    let text = "Ted Cruz.\nCruz lost";
    let words = vec![
        Word { start: 0, end: 3, label: lab("B-PER"), prob: 0.9 },
        Word { start: 4, end: 8, label: lab("I-PER"), prob: 0.9 },
        Word { start: 8, end: 9, label: lab("I-PER"), prob: 0.5 },
        Word { start: 10, end: 14, label: lab("I-PER"), prob: 0.8 },
        Word { start: 15, end: 19, label: lab("O"), prob: 1.0 },
    ];
    let spans = decode_words(text, &words, &labels());
    let texts: Vec<&str> = spans.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["Ted Cruz.", "Cruz"]);
}

#[test]
fn stray_inside_starts_an_entity_and_type_change_splits() {
    let text = "Hamas Israel";
    let words = vec![
        Word { start: 0, end: 5, label: lab("I-ORG"), prob: 0.8 },
        Word { start: 6, end: 12, label: lab("I-LOC"), prob: 0.6 },
    ];
    let spans = decode_words(text, &words, &labels());
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].kind, EntityKind::Organisation);
    assert_eq!(spans[1].kind, EntityKind::Location);
    assert_eq!(spans[1].text, "Israel");
    assert!((spans[1].score - 0.6).abs() < 1e-6);
}

#[test]
fn offsets_are_characters_in_non_ascii_and_emoji_text() {
    // "😀 Zoë Müller ➜ Genève" (characters, not bytes)
    let text = "😀 Zoë Müller ➜ Genève";
    let words = vec![
        Word { start: 0, end: 1, label: lab("O"), prob: 1.0 },
        Word { start: 2, end: 5, label: lab("B-PER"), prob: 0.9 },
        Word { start: 6, end: 12, label: lab("I-PER"), prob: 0.9 },
        Word { start: 13, end: 14, label: lab("O"), prob: 1.0 },
        Word { start: 15, end: 21, label: lab("B-LOC"), prob: 0.9 },
    ];
    let spans = decode_words(text, &words, &labels());
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].text, "Zoë Müller");
    assert_eq!(spans[1].text, "Genève");
    assert_eq!((spans[1].start, spans[1].end), (15, 21));
}

#[test]
fn an_entity_cut_by_a_window_seam_is_one_span() {
    // 10 pieces, windows of 6 sharing 4: the seam falls inside "New York City".
    let ws = plan_windows(10, 6, 4);
    assert!(ws.len() >= 2);
    let seam = ws[0].own_end;
    // Pieces: 0..10, each one word; entity covers pieces seam-1..=seam+1.
    let text = "a b c d e f g h i j";
    let mut piece = vec![(lab("O"), 1.0f32); 10];
    // What each window says; the owner's answer must win.
    let mut per_window: Vec<Vec<(usize, f32)>> = Vec::new();
    for w in &ws {
        let mut v = Vec::new();
        for p in w.start..w.end {
            let l = if p == seam - 1 {
                lab("B-LOC")
            } else if p == seam || p == seam + 1 {
                lab("I-LOC")
            } else {
                lab("O")
            };
            v.push((l, 0.9));
        }
        per_window.push(v);
    }
    for (w, v) in ws.iter().zip(&per_window) {
        for p in w.own_start..w.own_end {
            piece[p] = v[p - w.start];
        }
    }
    let offsets: Vec<(usize, usize)> = (0..10).map(|i| (2 * i, 2 * i + 1)).collect();
    let word_ids: Vec<Option<u32>> = (0..10).map(|i| Some(i as u32)).collect();
    let words = word_spans(&offsets, &word_ids, &piece);
    let spans = decode_words(text, &words, &labels());
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].start, 2 * (seam - 1));
    assert_eq!(spans[0].end, 2 * (seam + 1) + 1);
}

#[test]
fn label_parse_reads_both_schemes() {
    assert_eq!(Label::parse("B-PER"), Label::Begin(EntityKind::Person));
    assert_eq!(Label::parse("I-MISC"), Label::Inside(EntityKind::Misc));
    assert_eq!(Label::parse("O"), Label::Outside);
    assert_eq!(Label::parse("B-corporation"), Label::Begin(EntityKind::Organisation));
}

/// A kept batch reads back exactly (label and probability bits); bytes that
/// do not fit the batch's windows are refused, so that batch is run again.
#[test]
fn a_kept_batch_reads_back_exactly_or_not_at_all() {
    let piece_labels = vec![vec![(0, 0.25), (3, 0.912_345_7), (4, 1.0)], vec![(8, 1e-7), (0, 0.5)]];
    let owned = vec![(1, 0..2), (0, 1..3)];
    let bytes = SavedBatch::write(&owned, &piece_labels);
    assert_eq!(bytes.len(), 4 * SavedBatch::PIECE_BYTES);
    let rows = SavedBatch::read(&bytes, &owned).unwrap();
    assert_eq!(rows, vec![vec![(8, 1e-7), (0, 0.5)], vec![(3, 0.912_345_7), (4, 1.0)]]);
    assert_eq!(SavedBatch::read(&bytes[1..], &owned), None);
    assert_eq!(SavedBatch::read(&bytes, &owned[..1]), None);
}
