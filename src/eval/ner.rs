//! NER evaluation: reads a gold file, runs the NER model the way the
//! pipeline does (whole texts, windows of whole sentences) and scores it
//! conlleval-style: an entity counts only when its type and both boundaries
//! match exactly (entity-level micro precision, recall and F1, plus per type).
//!
//! Four gold formats ([`NerFormat`]):
//! - `conll` (CoNLL-2003): token first, tag last, `-DOCSTART-` starts a
//!   document, IOB1 or IOB2; all four types (PER, ORG, LOC, MISC) scored. A
//!   document's sentences are laid out as one text, one sentence a line.
//! - `wnut17` (WNUT-17 emerging entities): `token<TAB>tag`, IOB2 over six
//!   types, mapped onto ours: person → PER, location → LOC, corporation and
//!   group → ORG; product and creative-work have no counterpart and are read
//!   as O. Only PER, ORG and LOC are scored: the model's MISC spans are
//!   dropped before scoring (gold has no MISC, so they are neither right nor
//!   wrong), and their number is reported. The file has no document markers
//!   and its sentences are unrelated posts (tweets, Reddit and YouTube
//!   comments), so each sentence is its own text, laid out like a CoNLL
//!   sentence (tokens joined by one space), as the pipeline reads one short
//!   comment.
//! - `tweebank` (Tweebank-NER `.bio`): four tab-separated columns (token,
//!   two placeholder columns, IOB2 tag over CoNLL's four types); all four
//!   scored. Its `-DOCSTART-` heads the whole file of unrelated tweets, so
//!   every sentence is its own text, as for WNUT-17.
//! - `btc` (Broad Twitter Corpus sections): `token<TAB>tag`, IOB2 over PER,
//!   ORG, LOC; scored like WNUT-17 (predicted MISC dropped: names CoNLL calls
//!   MISC are O in BTC), one text per tweet. A token's surrounding white
//!   space is trimmed and a token left empty is skipped (a few in sections f
//!   and h, all tagged O). BTC tags user names as entities (`@` and the name
//!   are two tokens there, mostly both B-PER: 951 of section h's 2,323 PER
//!   begin at an `@`); Tweebank and WNUT-17 do not, and a user name is no
//!   entity in our graph, so an entity overlapping an `@` token or the token
//!   after it is read as O and counted apart, like WNUT-17's products.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;

use crate::ner::{EntityKind, EntitySpan, Label};

/// The gold formats `eval ner` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum NerFormat {
    /// CoNLL-2003 style: token first column, tag last, IOB1 or IOB2; PER, ORG, LOC, MISC.
    #[default]
    #[value(name = "conll", alias = "conll2003")]
    Conll,
    /// WNUT-17 `token<TAB>tag`: person → PER, location → LOC, corporation and group → ORG, product and
    /// creative-work → O; PER, ORG, LOC scored, predicted MISC dropped.
    #[value(name = "wnut17", alias = "wnut")]
    Wnut17,
    /// Tweebank-NER `.bio`: token, two placeholder columns, tag (tab-separated); PER, ORG, LOC, MISC; one
    /// text per tweet.
    #[value(name = "tweebank")]
    Tweebank,
    /// Broad Twitter Corpus `token<TAB>tag`: PER, ORG, LOC scored, predicted MISC dropped; one text per tweet.
    #[value(name = "btc")]
    Btc,
}

/// The four CoNLL-2003 types, in table order.
pub const CONLL_TYPES: [EntityKind; 4] =
    [EntityKind::Person, EntityKind::Organisation, EntityKind::Location, EntityKind::Misc];

/// The types scored on WNUT-17 (those its six map onto) and on the Broad Twitter Corpus.
pub const WNUT17_TYPES: [EntityKind; 3] = [EntityKind::Person, EntityKind::Organisation, EntityKind::Location];

impl NerFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            NerFormat::Conll => "conll",
            NerFormat::Wnut17 => "wnut17",
            NerFormat::Tweebank => "tweebank",
            NerFormat::Btc => "btc",
        }
    }

    /// The entity types scored; predicted spans of other types are dropped
    /// before scoring.
    pub fn scored_types(self) -> &'static [EntityKind] {
        match self {
            NerFormat::Conll | NerFormat::Tweebank => &CONLL_TYPES,
            NerFormat::Wnut17 | NerFormat::Btc => &WNUT17_TYPES,
        }
    }

    /// Reads a gold file's text into documents of sentences.
    pub fn read(self, text: &str) -> Result<Vec<Vec<GoldSentence>>, GoldError> {
        match self {
            NerFormat::Conll => read_conll(text),
            NerFormat::Wnut17 => read_wnut17(text),
            NerFormat::Tweebank => read_posts(text, &TWEEBANK),
            NerFormat::Btc => read_posts(text, &BTC),
        }
    }
}

impl std::fmt::Display for NerFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A gold file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    #[error("line {line}: expected a token and a tag, got {text:?}")]
    Columns { line: usize, text: String },
    #[error("line {line}: expected {expected} tab-separated columns, got {text:?}")]
    ColumnCount { line: usize, expected: usize, text: String },
    #[error("line {line}: unknown tag {tag:?} ({expected}){hint}")]
    Tag { line: usize, tag: String, expected: &'static str, hint: &'static str },
}

/// One gold sentence: tokens and their gold entity spans (token indices,
/// end exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct GoldSentence {
    pub tokens: Vec<String>,
    pub entities: Vec<(EntityKind, usize, usize)>,
    /// Gold entities of types that are not scored (WNUT-17 product and
    /// creative-work), read as O: token ranges, end exclusive.
    pub unscored: Vec<(usize, usize)>,
}

/// Reads a CoNLL-style file: token in the first column, tag in the last,
/// columns split on whitespace; `-DOCSTART-` lines start a document; a blank
/// line ends a sentence. IOB1 and IOB2 tags are both read (an `I-` that does
/// not continue an entity of its type starts one; `B-` always starts one).
/// Tag types are CoNLL's four (any case); another type is an error, so a
/// WNUT-17 file is not silently scored with the wrong mapping.
pub(crate) fn read_conll(text: &str) -> Result<Vec<Vec<GoldSentence>>, GoldError> {
    let mut docs: Vec<Vec<GoldSentence>> = Vec::new();
    let mut doc: Vec<GoldSentence> = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut tags: Vec<Label> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("-DOCSTART-") {
            flush_sentence(&mut tokens, &mut tags, &[], &mut doc);
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        if line.trim().is_empty() {
            flush_sentence(&mut tokens, &mut tags, &[], &mut doc);
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 2 {
            return Err(GoldError::Columns { line: n + 1, text: line.to_string() });
        }
        let tag = cols[cols.len() - 1];
        tokens.push(cols[0].to_string());
        tags.push(parse_conll_tag(tag).ok_or_else(|| GoldError::Tag {
            line: n + 1,
            tag: tag.to_string(),
            expected: "O or B-/I- with PER, ORG, LOC, MISC",
            hint: if parse_wnut17_tag(tag).is_some() { "; a WNUT-17 file? use --format wnut17" } else { "" },
        })?);
    }
    flush_sentence(&mut tokens, &mut tags, &[], &mut doc);
    if !doc.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// A CoNLL-2003 tag: `O`, or `B-`/`I-` (also `S-`/`E-`) with PER, ORG, LOC
/// or MISC in any case. `None` for anything else.
pub(crate) fn parse_conll_tag(tag: &str) -> Option<Label> {
    if tag == "O" {
        return Some(Label::Outside);
    }
    let (_, t) = tag.split_once('-')?;
    CONLL_TYPES.iter().any(|k| k.short().eq_ignore_ascii_case(t)).then(|| Label::parse(tag))
}

/// A WNUT-17 tag under our mapping: `O`; `B-`/`I-` with person (PER),
/// location (LOC), corporation or group (ORG); product and creative-work are
/// read as O. `None` for anything else.
pub(crate) fn parse_wnut17_tag(tag: &str) -> Option<Label> {
    if tag == "O" {
        return Some(Label::Outside);
    }
    let (prefix, t) = tag.split_once('-')?;
    let kind = match t {
        "person" => Some(EntityKind::Person),
        "location" => Some(EntityKind::Location),
        "corporation" | "group" => Some(EntityKind::Organisation),
        "product" | "creative-work" => None,
        _ => return None,
    };
    match (prefix, kind) {
        ("B" | "I", None) => Some(Label::Outside),
        ("B", Some(k)) => Some(Label::Begin(k)),
        ("I", Some(k)) => Some(Label::Inside(k)),
        _ => None,
    }
}

/// Reads a WNUT-17 file: `token<TAB>tag` lines, a blank line ends a
/// sentence, and every sentence is its own document (the posts are
/// unrelated). Tags are mapped by [`parse_wnut17_tag`]; the gold entities
/// read as O (product, creative-work) are kept apart in
/// [`GoldSentence::unscored`]. Byte-order marks (U+FEFF, one stands alone on
/// the last line of the distributed `dev.conll`) are white space here.
pub fn read_wnut17(text: &str) -> Result<Vec<Vec<GoldSentence>>, GoldError> {
    let mut docs: Vec<Vec<GoldSentence>> = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut tags: Vec<Label> = Vec::new();
    // product / creative-work as MISC, everything else O: the unscored entities
    let mut unscored: Vec<Label> = Vec::new();
    let mut sentence: Vec<GoldSentence> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_matches(|c: char| c == '\u{feff}' || c == '\r');
        if line.trim().is_empty() {
            flush_sentence(&mut tokens, &mut tags, &entities_of(&unscored), &mut sentence);
            unscored.clear();
            docs.extend(sentence.drain(..).map(|s| vec![s]));
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 2 || cols[0].is_empty() {
            return Err(GoldError::Columns { line: n + 1, text: line.to_string() });
        }
        let tag = cols[1].trim();
        let label = parse_wnut17_tag(tag).ok_or_else(|| GoldError::Tag {
            line: n + 1,
            tag: tag.to_string(),
            expected: "O or B-/I- with person, location, corporation, group, product, creative-work",
            hint: if parse_conll_tag(tag).is_some() { "; a CoNLL file? use --format conll" } else { "" },
        })?;
        unscored.push(match (label, tag.split_once('-')) {
            (Label::Outside, Some(("B", _))) => Label::Begin(EntityKind::Misc),
            (Label::Outside, Some(("I", _))) => Label::Inside(EntityKind::Misc),
            _ => Label::Outside,
        });
        tokens.push(cols[0].to_string());
        tags.push(label);
    }
    flush_sentence(&mut tokens, &mut tags, &entities_of(&unscored), &mut sentence);
    docs.extend(sentence.drain(..).map(|s| vec![s]));
    Ok(docs)
}

/// The layout of a file of unrelated posts read by [`read_posts`].
struct PostLayout {
    /// Tab-separated columns a line has: the token first, the tag last.
    columns: usize,
    parse_tag: fn(&str) -> Option<Label>,
    expected_tags: &'static str,
    /// Entities on a user name (`@` and the token after it) are read as O and kept apart.
    usernames_apart: bool,
}

const TWEEBANK: PostLayout = PostLayout {
    columns: 4,
    parse_tag: parse_conll_tag,
    expected_tags: "O or B-/I- with PER, ORG, LOC, MISC",
    usernames_apart: false,
};

const BTC: PostLayout = PostLayout {
    columns: 2,
    parse_tag: parse_btc_tag,
    expected_tags: "O or B-/I- with PER, ORG, LOC",
    usernames_apart: true,
};

/// Moves the entities that overlap a user name (a token starting with `@`,
/// or the token after a lone `@`) from `entities` to `unscored`.
fn set_usernames_apart(sentence: &mut GoldSentence) {
    let tokens = &sentence.tokens;
    let username = |i: usize| tokens[i].starts_with('@') || (i > 0 && tokens[i - 1] == "@");
    let (apart, kept): (Vec<_>, Vec<_>) = sentence.entities.iter().partition(|&&(_, a, b)| (a..b).any(username));
    sentence.unscored.extend(apart.iter().map(|&(_, a, b)| (a, b)));
    sentence.entities = kept;
}

/// A Broad Twitter Corpus tag: `O`, or `B-`/`I-` with PER, ORG or LOC (BTC
/// has no MISC). `None` for anything else.
pub fn parse_btc_tag(tag: &str) -> Option<Label> {
    parse_conll_tag(tag).filter(|l| !matches!(l, Label::Begin(EntityKind::Misc) | Label::Inside(EntityKind::Misc)))
}

/// Reads a file of unrelated posts (Tweebank-NER, Broad Twitter Corpus):
/// tab-separated columns, token first, tag last; a blank (or white-space
/// only) line ends a post; `-DOCSTART-` lines are skipped; every post is its
/// own document. A token is trimmed of white space, and a token left empty
/// is skipped with its tag (a following `I-` then starts an entity, as
/// conlleval reads it).
fn read_posts(text: &str, layout: &PostLayout) -> Result<Vec<Vec<GoldSentence>>, GoldError> {
    let mut docs: Vec<Vec<GoldSentence>> = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut tags: Vec<Label> = Vec::new();
    let mut post: Vec<GoldSentence> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_matches(|c: char| c == '\u{feff}' || c == '\r');
        if line.trim().is_empty() || line.starts_with("-DOCSTART-") {
            flush_sentence(&mut tokens, &mut tags, &[], &mut post);
            docs.extend(post.drain(..).map(|s| vec![s]));
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != layout.columns {
            return Err(GoldError::ColumnCount { line: n + 1, expected: layout.columns, text: line.to_string() });
        }
        let tag = cols[cols.len() - 1].trim();
        let label = (layout.parse_tag)(tag).ok_or_else(|| GoldError::Tag {
            line: n + 1,
            tag: tag.to_string(),
            expected: layout.expected_tags,
            hint: if parse_wnut17_tag(tag).is_some() { "; a WNUT-17 file? use --format wnut17" } else { "" },
        })?;
        let token = cols[0].trim();
        if !token.is_empty() {
            tokens.push(token.to_string());
            tags.push(label);
        }
    }
    flush_sentence(&mut tokens, &mut tags, &[], &mut post);
    docs.extend(post.drain(..).map(|s| vec![s]));
    if layout.usernames_apart {
        docs.iter_mut().flatten().for_each(set_usernames_apart);
    }
    Ok(docs)
}

fn flush_sentence(
    tokens: &mut Vec<String>,
    tags: &mut Vec<Label>,
    unscored: &[(EntityKind, usize, usize)],
    doc: &mut Vec<GoldSentence>,
) {
    if !tokens.is_empty() {
        let unscored = unscored.iter().map(|&(_, a, b)| (a, b)).collect();
        doc.push(GoldSentence { tokens: std::mem::take(tokens), entities: entities_of(tags), unscored });
        tags.clear();
    }
}

/// Entity spans of a tag sequence (conlleval reading of IOB1/IOB2).
pub(crate) fn entities_of(tags: &[Label]) -> Vec<(EntityKind, usize, usize)> {
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
pub(crate) struct LaidOut {
    pub text: String,
    /// Per sentence, per token: character range in `text`.
    pub token_chars: Vec<Vec<(usize, usize)>>,
}

pub(crate) fn lay_out(doc: &[GoldSentence]) -> LaidOut {
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
pub(crate) fn spans_to_tokens(laid: &LaidOut, spans: &[EntitySpan]) -> Vec<Vec<(EntityKind, usize, usize)>> {
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

/// Per-type and overall counts of predicted vs gold spans, over the scored
/// types only.
#[derive(Debug)]
pub struct NerScore {
    pub by_type: BTreeMap<EntityKind, Counts>,
    pub sentences: usize,
    /// Predicted spans of types that are not scored, dropped before scoring
    /// (the model's MISC on WNUT-17).
    pub dropped_predicted: usize,
    /// Gold entities of types that are not scored, read as O (WNUT-17
    /// product and creative-work).
    pub unscored_gold: usize,
    /// False positives that overlap such an entity (the model's PER, ORG or
    /// LOC on a product or creative work): a diagnosis, already counted in
    /// the false positives.
    pub false_pos_on_unscored: usize,
}

impl Default for NerScore {
    /// Scores CoNLL's four types.
    fn default() -> Self {
        NerScore::new(&CONLL_TYPES)
    }
}

impl NerScore {
    /// An empty score over `types` (every one gets a row, even with no entity).
    pub fn new(types: &[EntityKind]) -> NerScore {
        NerScore {
            by_type: types.iter().map(|&k| (k, Counts::default())).collect(),
            sentences: 0,
            dropped_predicted: 0,
            unscored_gold: 0,
            false_pos_on_unscored: 0,
        }
    }

    /// Scores one sentence. Spans of types outside the score's types are
    /// dropped first (predicted ones counted in `dropped_predicted`).
    pub fn add_sentence(&mut self, gold: &[(EntityKind, usize, usize)], predicted: &[(EntityKind, usize, usize)]) {
        self.sentences += 1;
        let scored = |e: &&(EntityKind, usize, usize)| self.by_type.contains_key(&e.0);
        let g: HashSet<_> = gold.iter().filter(scored).copied().collect();
        let p: HashSet<_> = predicted.iter().filter(scored).copied().collect();
        self.dropped_predicted += predicted.iter().filter(|e| !self.by_type.contains_key(&e.0)).count();
        for e in &p {
            let c = self.by_type.get_mut(&e.0).expect("scored type");
            if g.contains(e) {
                c.true_pos += 1;
            } else {
                c.false_pos += 1;
            }
        }
        for e in g.difference(&p) {
            self.by_type.get_mut(&e.0).expect("scored type").false_neg += 1;
        }
    }

    /// Counts a sentence's gold entities of unscored types and the scored
    /// false positives that overlap one of them (call with the sentence given
    /// to [`NerScore::add_sentence`]).
    pub fn add_unscored(&mut self, gold: &GoldSentence, predicted: &[(EntityKind, usize, usize)]) {
        self.unscored_gold += gold.unscored.len();
        self.false_pos_on_unscored += predicted
            .iter()
            .filter(|e| self.by_type.contains_key(&e.0) && !gold.entities.contains(e))
            .filter(|&&(_, a, b)| gold.unscored.iter().any(|&(ua, ub)| a < ub && ua < b))
            .count();
    }

    /// Micro-averaged counts over the scored types.
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

    /// The final JSON line of `eval ner`: overall and per-type scores (rounded
    /// to 4 places) with the counts they are computed from.
    pub fn json(&self, format: NerFormat, seconds: f64) -> serde_json::Value {
        let scores = |c: &Counts| {
            json!({
                "precision": round4(c.precision()),
                "recall": round4(c.recall()),
                "f1": round4(c.f1()),
                "true_pos": c.true_pos,
                "false_pos": c.false_pos,
                "false_neg": c.false_neg,
            })
        };
        let mut j = scores(&self.overall());
        j["format"] = format.as_str().into();
        j["scored_types"] = self.by_type.keys().map(|k| k.short()).collect::<Vec<_>>().into();
        j["by_type"] = self.by_type.iter().map(|(k, c)| (k.short().to_string(), scores(c))).collect();
        j["dropped_predicted"] = self.dropped_predicted.into();
        j["unscored_gold"] = self.unscored_gold.into();
        j["false_pos_on_unscored"] = self.false_pos_on_unscored.into();
        j["sentences"] = self.sentences.into();
        j["seconds"] = ((seconds * 100.0).round() / 100.0).into();
        j
    }
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

/// Runs `stancegraph eval ner [--format F] FILE`: reads the gold file, runs
/// the model over its documents and scores every sentence.
pub fn eval_ner(file: &Path, format: NerFormat, model: &crate::ner::NerModel) -> Result<NerScore> {
    let raw = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let text = String::from_utf8(raw).with_context(|| format!("{}: not UTF-8", file.display()))?;
    let docs = format.read(&text).with_context(|| format!("{}: not a {format} file", file.display()))?;
    let laid: Vec<LaidOut> = docs.iter().map(|d| lay_out(d)).collect();
    let texts: Vec<&str> = laid.iter().map(|l| l.text.as_str()).collect();
    let predicted = model.predict(&texts)?;
    let mut score = NerScore::new(format.scored_types());
    for ((doc, l), spans) in docs.iter().zip(&laid).zip(&predicted) {
        let per_sentence = spans_to_tokens(l, spans);
        for (s, p) in doc.iter().zip(&per_sentence) {
            score.add_sentence(&s.entities, p);
            score.add_unscored(s, p);
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

    #[test]
    fn wnut17_tags_map_onto_three_types_and_o() {
        use EntityKind::*;
        assert_eq!(parse_wnut17_tag("B-person"), Some(Label::Begin(Person)));
        assert_eq!(parse_wnut17_tag("I-location"), Some(Label::Inside(Location)));
        assert_eq!(parse_wnut17_tag("B-corporation"), Some(Label::Begin(Organisation)));
        assert_eq!(parse_wnut17_tag("I-group"), Some(Label::Inside(Organisation)));
        assert_eq!(parse_wnut17_tag("B-product"), Some(Label::Outside));
        assert_eq!(parse_wnut17_tag("I-creative-work"), Some(Label::Outside));
        assert_eq!(parse_wnut17_tag("O"), Some(Label::Outside));
        assert_eq!(parse_wnut17_tag("B-PER"), None);
        assert_eq!(parse_wnut17_tag("X-person"), None);
    }

    #[test]
    fn conll_reader_refuses_other_types_and_names_the_format() {
        let e = read_conll("Bob x B-person\n").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("--format wnut17"), "{e}");
        let e = read_conll("Bob x B-GPE\n").unwrap_err().to_string();
        assert!(e.contains("B-GPE") && !e.contains("wnut17"), "{e}");
        assert_eq!(read_conll("Bob x B-per\n").unwrap()[0][0].entities, vec![(EntityKind::Person, 0, 1)]);
    }

    #[test]
    fn predicted_spans_of_unscored_types_are_dropped_and_counted() {
        let mut s = NerScore::new(&WNUT17_TYPES);
        s.add_sentence(
            &[(EntityKind::Person, 0, 1)],
            &[(EntityKind::Person, 0, 1), (EntityKind::Misc, 2, 3), (EntityKind::Location, 4, 5)],
        );
        let o = s.overall();
        assert_eq!((o.true_pos, o.false_pos, o.false_neg), (1, 1, 0));
        assert_eq!(s.dropped_predicted, 1);
        assert_eq!(s.by_type.keys().copied().collect::<Vec<_>>(), WNUT17_TYPES.to_vec());
        assert!(!s.table().contains("MISC"));
        let j = s.json(NerFormat::Wnut17, 0.0);
        assert_eq!(j["scored_types"], json!(["PER", "ORG", "LOC"]));
        assert_eq!(j["by_type"]["ORG"]["true_pos"], 0);
        assert_eq!(j["f1"], 0.6667);
    }
}
