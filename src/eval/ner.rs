//! NER evaluation: reads a CoNLL-style file, runs the NER model the way the
//! pipeline does (whole documents, sliding windows) and scores it
//! conlleval-style: an entity counts only when its type and both boundaries
//! match exactly.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::ner::{EntityKind, EntitySpan, Label};

/// One gold sentence: tokens and their gold entity spans (token indices,
/// end exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct GoldSentence {
    pub tokens: Vec<String>,
    pub entities: Vec<(EntityKind, usize, usize)>,
}

/// Reads a CoNLL-style file: token in the first column, tag in the last,
/// columns split on whitespace; `-DOCSTART-` lines start a document; a blank
/// line ends a sentence. IOB1 and IOB2 tags are both read (an `I-` that does
/// not continue an entity of its type starts one; `B-` always starts one).
pub fn read_conll(text: &str) -> Result<Vec<Vec<GoldSentence>>> {
    let mut docs: Vec<Vec<GoldSentence>> = Vec::new();
    let mut doc: Vec<GoldSentence> = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut tags: Vec<Label> = Vec::new();
    let flush = |tokens: &mut Vec<String>, tags: &mut Vec<Label>, doc: &mut Vec<GoldSentence>| {
        if !tokens.is_empty() {
            doc.push(GoldSentence { tokens: std::mem::take(tokens), entities: entities_of(tags) });
            tags.clear();
        }
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("-DOCSTART-") {
            flush(&mut tokens, &mut tags, &mut doc);
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut tokens, &mut tags, &mut doc);
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 2 {
            anyhow::bail!("line {}: expected a token and a tag, got {:?}", n + 1, line);
        }
        tokens.push(cols[0].to_string());
        tags.push(Label::parse(cols[cols.len() - 1]));
    }
    flush(&mut tokens, &mut tags, &mut doc);
    if !doc.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// Entity spans of a tag sequence (conlleval reading of IOB1/IOB2).
pub fn entities_of(tags: &[Label]) -> Vec<(EntityKind, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(EntityKind, usize)> = None;
    for (i, t) in tags.iter().enumerate() {
        match *t {
            Label::Outside => {
                if let Some((k, s)) = open.take() {
                    out.push((k, s, i));
                }
            }
            Label::Begin(k) => {
                if let Some((ok, s)) = open.take() {
                    out.push((ok, s, i));
                }
                open = Some((k, i));
            }
            Label::Inside(k) => match open {
                Some((ok, _)) if ok == k => {}
                _ => {
                    if let Some((ok, s)) = open.take() {
                        out.push((ok, s, i));
                    }
                    open = Some((k, i));
                }
            },
        }
    }
    if let Some((k, s)) = open {
        out.push((k, s, tags.len()));
    }
    out
}

/// A gold document laid out as one text: sentences on their own lines,
/// tokens separated by one space.
pub struct LaidOut {
    pub text: String,
    /// Per sentence, per token: character range in `text`.
    pub token_chars: Vec<Vec<(usize, usize)>>,
}

pub fn lay_out(doc: &[GoldSentence]) -> LaidOut {
    let mut text = String::new();
    let mut chars = 0usize;
    let mut token_chars = Vec::with_capacity(doc.len());
    for (si, s) in doc.iter().enumerate() {
        if si > 0 {
            text.push('\n');
            chars += 1;
        }
        let mut ranges = Vec::with_capacity(s.tokens.len());
        for (ti, t) in s.tokens.iter().enumerate() {
            if ti > 0 {
                text.push(' ');
                chars += 1;
            }
            let n = t.chars().count();
            ranges.push((chars, chars + n));
            text.push_str(t);
            chars += n;
        }
        token_chars.push(ranges);
    }
    LaidOut { text, token_chars }
}

/// Maps predicted character spans back onto token indices, per sentence. A
/// span covers the tokens it overlaps; a span that crosses a sentence break is
/// cut at it.
pub fn spans_to_tokens(laid: &LaidOut, spans: &[EntitySpan]) -> Vec<Vec<(EntityKind, usize, usize)>> {
    let mut out = vec![Vec::new(); laid.token_chars.len()];
    for span in spans {
        for (si, ranges) in laid.token_chars.iter().enumerate() {
            let covered: Vec<usize> = ranges
                .iter()
                .enumerate()
                .filter(|(_, (a, b))| *a < span.end && span.start < *b)
                .map(|(i, _)| i)
                .collect();
            if let (Some(&first), Some(&last)) = (covered.first(), covered.last()) {
                out[si].push((span.kind, first, last + 1));
            }
        }
    }
    out
}

/// Counts for one entity type.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Counts {
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: &Counts) {
        self.true_pos += o.true_pos;
        self.false_pos += o.false_pos;
        self.false_neg += o.false_neg;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Per-type and overall counts of predicted vs gold spans.
#[derive(Debug, Default)]
pub struct NerScore {
    pub by_type: BTreeMap<EntityKind, Counts>,
    pub sentences: usize,
}

impl NerScore {
    pub fn add_sentence(&mut self, gold: &[(EntityKind, usize, usize)], predicted: &[(EntityKind, usize, usize)]) {
        self.sentences += 1;
        let g: HashSet<_> = gold.iter().copied().collect();
        let p: HashSet<_> = predicted.iter().copied().collect();
        for e in &p {
            let c = self.by_type.entry(e.0).or_default();
            if g.contains(e) {
                c.true_pos += 1;
            } else {
                c.false_pos += 1;
            }
        }
        for e in g.difference(&p) {
            self.by_type.entry(e.0).or_default().false_neg += 1;
        }
    }

    pub fn overall(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.by_type.values() {
            all.add(c);
        }
        all
    }

    /// conlleval-style table.
    pub fn table(&self) -> String {
        let mut s = format!("{:<8}{:>10}{:>10}{:>10}{:>8}\n", "type", "precision", "recall", "f1", "gold");
        let row = |name: &str, c: &Counts| {
            format!(
                "{:<8}{:>10.4}{:>10.4}{:>10.4}{:>8}\n",
                name,
                c.precision(),
                c.recall(),
                c.f1(),
                c.true_pos + c.false_neg
            )
        };
        for (k, c) in &self.by_type {
            s += &row(k.short(), c);
        }
        s += &row("overall", &self.overall());
        s
    }
}

/// Runs `stancegraph eval ner FILE`: prints the table and a final JSON line.
pub fn eval_ner(file: &Path, model: &crate::ner::NerModel) -> Result<NerScore> {
    let raw = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let text = String::from_utf8(raw).with_context(|| format!("{}: not UTF-8", file.display()))?;
    let docs = read_conll(&text).with_context(|| format!("{}: not a CoNLL file", file.display()))?;
    let laid: Vec<LaidOut> = docs.iter().map(|d| lay_out(d)).collect();
    let texts: Vec<&str> = laid.iter().map(|l| l.text.as_str()).collect();
    let predicted = model.predict(&texts)?;
    let mut score = NerScore::default();
    for ((doc, l), spans) in docs.iter().zip(&laid).zip(&predicted) {
        let per_sentence = spans_to_tokens(l, spans);
        for (s, p) in doc.iter().zip(&per_sentence) {
            score.add_sentence(&s.entities, p);
        }
    }
    Ok(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iob1_and_iob2_alike() {
        let iob1 = "-DOCSTART- -X- O O\n\nEU NNP I-ORG\nrejects VBZ O\nGerman JJ I-MISC\ncall NN O\n\nPeter NNP I-PER\nBlackburn NNP I-PER\n";
        let iob2 = "-DOCSTART- -X- O O\n\nEU NNP B-ORG\nrejects VBZ O\nGerman JJ B-MISC\ncall NN O\n\nPeter NNP B-PER\nBlackburn NNP I-PER\n";
        let a = read_conll(iob1).unwrap();
        let b = read_conll(iob2).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0][0].entities, vec![(EntityKind::Organisation, 0, 1), (EntityKind::Misc, 2, 3)]);
        assert_eq!(a[0][1].entities, vec![(EntityKind::Person, 0, 2)]);
    }

    #[test]
    fn iob1_b_tag_splits_adjacent_entities_of_one_type() {
        let t = "A x I-LOC\nB x B-LOC\nC x I-LOC\n";
        let d = read_conll(t).unwrap();
        assert_eq!(d[0][0].entities, vec![(EntityKind::Location, 0, 1), (EntityKind::Location, 1, 3)]);
    }

    #[test]
    fn predicted_char_spans_map_back_to_tokens() {
        let docs = read_conll("Yoko x B-PER\nKamikawa x I-PER\nsaid x O\n\nIn x O\nTokyo x B-LOC\n").unwrap();
        let laid = lay_out(&docs[0]);
        assert_eq!(laid.text, "Yoko Kamikawa said\nIn Tokyo");
        let spans = vec![
            EntitySpan { start: 0, end: 13, kind: EntityKind::Person, text: "Yoko Kamikawa".into(), score: 1.0 },
            EntitySpan { start: 22, end: 27, kind: EntityKind::Location, text: "Tokyo".into(), score: 1.0 },
        ];
        let mapped = spans_to_tokens(&laid, &spans);
        assert_eq!(mapped[0], vec![(EntityKind::Person, 0, 2)]);
        assert_eq!(mapped[1], vec![(EntityKind::Location, 1, 2)]);
        let mut s = NerScore::default();
        for (g, p) in docs[0].iter().zip(&mapped) {
            s.add_sentence(&g.entities, p);
        }
        assert_eq!(s.overall().f1(), 1.0);
    }

    #[test]
    fn boundary_or_type_errors_count_as_both_false_positive_and_negative() {
        let mut s = NerScore::default();
        s.add_sentence(
            &[(EntityKind::Person, 0, 2), (EntityKind::Location, 3, 4)],
            &[(EntityKind::Person, 1, 2), (EntityKind::Organisation, 3, 4)],
        );
        let o = s.overall();
        assert_eq!((o.true_pos, o.false_pos, o.false_neg), (0, 2, 2));
        assert_eq!(o.f1(), 0.0);
    }
}
