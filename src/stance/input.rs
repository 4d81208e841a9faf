//! The transformer's input: how a query becomes token ids, byte for byte as
//! `scripts/lib/stance_data.py` specifies it (mentions marked in place, the
//! target's name as a second segment, the conversation after it for a
//! model trained so), read from config.json's `stancegraph` section.

use tokenizers::{AddedToken, Tokenizer};

use super::questions::{StanceQuery, DEFAULT_PARENT_PIECES, DEFAULT_TITLE_PIECES};
use crate::runtime::{Checkpoint, ModelError};

/// How a (text, target) pair is laid out around its special tokens: as the
/// model family's tokenizer lays out pairs (`scripts/lib/stance_data.py`, step 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairLayout {
    /// BERT, MiniLM, DistilBERT: `[CLS] A [SEP] B [SEP]`, token types 0 then 1.
    Bert,
    /// MPNet (RoBERTa's): `<s> A </s></s> B </s>`, no token types.
    Roberta,
}

impl PairLayout {
    /// The layout of a config.json `model_type`.
    pub fn of(model_type: &str) -> PairLayout {
        match model_type {
            "mpnet" | "roberta" | "xlm-roberta" => PairLayout::Roberta,
            _ => PairLayout::Bert,
        }
    }

    /// Separators between the two segments.
    fn pair_separators(self) -> usize {
        match self {
            PairLayout::Bert => 1,
            PairLayout::Roberta => 2,
        }
    }
}

/// How the model input is built (recorded in config.json `stancegraph.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// Mentions marked in place; no second segment.
    Marked,
    /// Plain text, target name as second segment.
    Pair,
    /// Mentions marked in place and target name as second segment.
    Both,
}

/// Builds model inputs (no tensors: shared freely across Rayon workers).
pub struct InputEncoder {
    tokenizer: Tokenizer,
    layout: PairLayout,
    pub(super) spec: InputSpec,
    cls_id: i64,
    sep_id: i64,
}

/// The input encoding a model was trained with (config.json `stancegraph`).
#[derive(Debug, Clone)]
pub struct InputSpec {
    pub mode: InputMode,
    pub max_len: usize,
    pub max_target_pieces: usize,
    pub open_marker: String,
    pub close_marker: String,
    /// Whether the model reads the conversation (title and parent after the
    /// pair; `scripts/lib/stance_data.py` step 5), with the pieces each may take.
    pub context: Option<ContextSpec>,
}

/// How many pieces of the title and of the parent comment a model that
/// reads the conversation takes (config.json `max_title_pieces`,
/// `max_parent_pieces`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextSpec {
    pub max_title_pieces: usize,
    pub max_parent_pieces: usize,
}

impl InputSpec {
    /// The most pieces an input can take: `max_len`, plus the conversation's
    /// slots for a model that reads it.
    pub(crate) fn longest_input(&self) -> usize {
        self.max_len + self.context.map_or(0, |c| c.max_title_pieces + c.max_parent_pieces + 2)
    }

    /// Reads config.json's `stancegraph` section.
    pub fn from_config(checkpoint: &Checkpoint) -> Result<InputSpec, ModelError> {
        let meta =
            checkpoint.config.get("stancegraph").ok_or_else(|| checkpoint.bad_config("no stancegraph section"))?;
        let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let number = |k: &str, d: usize| meta.get(k).and_then(|v| v.as_u64()).map(|v| v as usize).unwrap_or(d);
        let mode = match text("mode").as_deref() {
            Some("marked") => InputMode::Marked,
            Some("pair") => InputMode::Pair,
            Some("both") => InputMode::Both,
            other => return Err(checkpoint.bad_config(format!("unknown stancegraph.mode {other:?}"))),
        };
        let markers = meta.get("markers");
        let marker = |k: &str| markers.and_then(|m| m.get(k)).and_then(|v| v.as_str()).map(str::to_string);
        let (open_marker, close_marker) = match (marker("open"), marker("close")) {
            (Some(o), Some(c)) => (o, c),
            _ => return Err(checkpoint.bad_config("stancegraph.markers needs open and close")),
        };
        let layout = PairLayout::of(checkpoint.model_type());
        let recorded = match text("layout").as_deref() {
            None | Some("bert") => PairLayout::Bert,
            Some("roberta") => PairLayout::Roberta,
            Some(other) => return Err(checkpoint.bad_config(format!("unknown stancegraph.layout {other:?}"))),
        };
        if recorded != layout {
            return Err(checkpoint.bad_config(format!(
                "stancegraph.layout {recorded:?} does not fit model_type {:?}",
                checkpoint.model_type()
            )));
        }
        let context = meta.get("context").and_then(|v| v.as_bool()).unwrap_or(false).then(|| ContextSpec {
            max_title_pieces: number("max_title_pieces", DEFAULT_TITLE_PIECES),
            max_parent_pieces: number("max_parent_pieces", DEFAULT_PARENT_PIECES),
        });
        if context.is_some() && mode != InputMode::Both {
            return Err(checkpoint.bad_config("stancegraph.context needs mode both"));
        }
        Ok(InputSpec {
            mode,
            max_len: number("max_len", 128),
            max_target_pieces: number("max_target_pieces", 16),
            open_marker,
            close_marker,
            context,
        })
    }
}

impl InputEncoder {
    /// An encoder over `tokenizer` (truncation and padding off, as
    /// [`Checkpoint::open`] leaves it). The markers are registered as special
    /// added tokens, as `scripts/lib/stance_data.py`'s `load_tokenizer` does
    /// (a no-op for an exported tokenizer.json, which has them); fails when
    /// the vocabulary lacks them.
    pub fn new(
        mut tokenizer: Tokenizer,
        layout: PairLayout,
        spec: InputSpec,
        cls_id: i64,
        sep_id: i64,
    ) -> Result<InputEncoder, String> {
        let markers = [spec.open_marker.as_str(), spec.close_marker.as_str()];
        let ids: Vec<Option<u32>> = markers.iter().map(|m| tokenizer.token_to_id(m)).collect();
        if ids.contains(&None) {
            return Err(format!("the vocabulary lacks the markers {markers:?}"));
        }
        tokenizer.add_special_tokens(&markers.map(|m| AddedToken::from(m, true)));
        if markers.iter().map(|m| tokenizer.token_to_id(m)).collect::<Vec<_>>() != ids {
            return Err(format!("registering the markers {markers:?} changed their ids"));
        }
        Ok(InputEncoder { tokenizer, layout, spec, cls_id, sep_id })
    }

    /// The model input of one query: (token ids, token type ids), following
    /// the specification in `scripts/lib/stance_data.py`.
    pub fn encode(&self, q: &StanceQuery) -> Result<(Vec<i64>, Vec<i64>), ModelError> {
        let spec = &self.spec;
        let spans = resolve_overlaps(&q.mentions);
        let marked;
        let first: &str = match spec.mode {
            InputMode::Pair => q.text,
            InputMode::Marked | InputMode::Both => {
                marked = mark(q.text, &spans, &spec.open_marker, &spec.close_marker);
                &marked
            }
        };
        let ids = |s: &str| -> Result<Vec<i64>, ModelError> {
            Ok(self
                .tokenizer
                .encode(s, false)
                .map_err(|e| ModelError::Tokenize(e.to_string()))?
                .get_ids()
                .iter()
                .map(|&i| i as i64)
                .collect())
        };
        let mut a = ids(first)?;
        let b = match spec.mode {
            InputMode::Marked => None,
            InputMode::Pair | InputMode::Both => {
                let mut b = ids(q.target)?;
                b.truncate(spec.max_target_pieces);
                Some(b)
            }
        };
        let seps = self.layout.pair_separators();
        let budget = match &b {
            None => spec.max_len.saturating_sub(2),
            Some(b) => spec.max_len.saturating_sub(2 + seps + b.len()),
        };
        if a.len() > budget {
            let anchor = match spans.first() {
                Some(&(s0, _)) => ids(&char_prefix(q.text, s0))?.len(),
                None => 0,
            };
            let start = anchor.saturating_sub(budget / 2).min(a.len() - budget);
            a = a[start..start + budget].to_vec();
        }
        let mut input = Vec::with_capacity(spec.max_len);
        input.push(self.cls_id);
        input.extend_from_slice(&a);
        input.push(self.sep_id);
        let mut types = vec![0i64; input.len()];
        if let Some(b) = b {
            input.extend(std::iter::repeat_n(self.sep_id, seps - 1));
            input.extend_from_slice(&b);
            input.push(self.sep_id);
            let second_type = match self.layout {
                PairLayout::Bert => 1,
                PairLayout::Roberta => 0,
            };
            types.resize(input.len(), second_type);
            if let Some(context) = spec.context {
                let mut title = ids(q.title)?;
                title.truncate(context.max_title_pieces);
                let mut parent = ids(q.parent)?;
                parent.truncate(context.max_parent_pieces);
                input.extend_from_slice(&title);
                input.push(self.sep_id);
                input.extend_from_slice(&parent);
                input.push(self.sep_id);
                types.resize(input.len(), second_type);
            }
        }
        Ok((input, types))
    }
}

/// Sorted by start (longer first on ties); spans overlapping a kept one are dropped.
pub(crate) fn resolve_overlaps(spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut sorted: Vec<(usize, usize)> = spans.iter().copied().filter(|(s, e)| e > s).collect();
    sorted.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e - s)));
    sorted.dedup();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(sorted.len());
    for (s, e) in sorted {
        if out.last().is_some_and(|&(_, le)| s < le) {
            continue;
        }
        out.push((s, e));
    }
    out
}

/// The text with every span (character offsets, sorted, disjoint) wrapped as
/// `open + " " + mention + " " + close`; nothing else changes.
pub fn mark(text: &str, spans: &[(usize, usize)], open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * (open.len() + close.len() + 2));
    let mut next = spans.iter().peekable();
    let mut inside: Option<usize> = None;
    let n = text.chars().count();
    for (i, c) in text.chars().enumerate() {
        if inside.is_none() {
            if let Some(&&(s, e)) = next.peek() {
                if s == i {
                    out.push_str(open);
                    out.push(' ');
                    inside = Some(e);
                    next.next();
                }
            }
        }
        out.push(c);
        if inside == Some(i + 1) {
            out.push(' ');
            out.push_str(close);
            inside = None;
        }
    }
    if inside.is_some_and(|e| e >= n) {
        out.push(' ');
        out.push_str(close);
    }
    out
}

fn char_prefix(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_mentions_in_place_with_character_offsets() {
        let t = "Zoë thinks Iran is bad, says Iran’s foe";
        let spans = resolve_overlaps(&[(29, 33), (11, 15), (11, 13)]);
        assert_eq!(spans, vec![(11, 15), (29, 33)]);
        assert_eq!(
            mark(t, &spans, "[unused1]", "[unused2]"),
            "Zoë thinks [unused1] Iran [unused2] is bad, says [unused1] Iran [unused2]’s foe"
        );
        // A mention at the very end of the text is closed.
        assert_eq!(mark("go Iran", &[(3, 7)], "<", ">"), "go < Iran >");
    }

    #[test]
    fn pair_layouts_follow_the_model_type() {
        assert_eq!(PairLayout::of("mpnet"), PairLayout::Roberta);
        assert_eq!(PairLayout::of("bert"), PairLayout::Bert);
        assert_eq!(PairLayout::of("distilbert"), PairLayout::Bert);
        assert_eq!(PairLayout::Roberta.pair_separators(), 2);
    }
}
