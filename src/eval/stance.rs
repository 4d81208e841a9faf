//! Stance evaluation: `stancegraph eval stance --format F FILE`.
//!
//! Reads a gold stance set in one of four public formats, turns every
//! example into the [`StanceQuery`] the training side built for it, runs the stance
//! classifier and scores it: per-class precision / recall / F1 for against,
//! neutral and favour, macro F1 over the three classes, accuracy, and the
//! favour/against average F1 that P-Stance and SemEval-2016 report.
//!
//! The readers are a port of `scripts/stance_data.py` (`read_newsmtsc`,
//! `read_pstance`, `read_semeval`, `read_vast`, `find_mentions`,
//! `newsmtsc_target`): for every gold example they give the same text,
//! target, mention spans (character offsets, i.e. Python string indices) and
//! label as the Python reader, so the model is evaluated on exactly the input
//! it was trained and validated on. Details that matter for that:
//!
//! - **NewsMTSC** (JSON lines): one example per target; the target name comes
//!   from the `Input.gid` ([`newsmtsc_target`]); spans are the labelled
//!   mention plus the coreferent `further_mentions` that are not pronouns;
//!   polarity 2 / 4 / 6 is against / neutral / favour.
//! - **P-Stance** (CSV `Tweet,Target,Stance`): FAVOR / AGAINST / NONE, NONE
//!   kept as neutral; spans from [`find_mentions`]. FILE may also be the
//!   P-Stance folder, which reads `raw_val_{trump,biden,bernie}.csv`.
//! - **SemEval-2016 Task 6 A** (TSV `ID Target Tweet Stance`, CRLF): lines
//!   decoded one by one as UTF-8, else Windows-1252; C1 control characters
//!   and undecodable bytes become spaces; the `#SemST` tag is removed.
//! - **VAST** (CSV `Tweet,Target,Stance,seen?`, also the original release's
//!   `post,topic_str,label`): 0 against, 1 favour, 2 neutral.
//!
//! [`find_mentions`] re-implements the Python regular expressions by hand
//! (Rust's `regex` has no look-behind): case-insensitive whole-word matches
//! of the target's aliases (a known person's name may carry a bare "s"),
//! hashtags starting with a known prefix, and known handles with an optional
//! `@` / `#`; "whole word" and case folding follow Python's `re` on `str`.
//! The CSV reader follows Python's `csv` module (excel dialect, non-strict).
//!
//! The fifth format, `comments`, is our own comment-domain dev set: its
//! questions are the pipeline's, not the training side's; reading and
//! joining it is [`crate::eval::comment_set`]'s job, and
//! [`eval_comment_set`] scores it as a whole, without the pairs marked
//! `doubt`, and per source.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::eval::calibration::Calibration;
use crate::eval::comment_set::{read_comment_set, CommentSource, DEFAULT_DATA_DIR};
use crate::stance::{resolve_overlaps, Stance, StanceClassifier, StanceDecision, StanceQuery};

// ------------------------------------------------------------------ formats

/// The gold formats `eval stance` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum StanceFormat {
    /// NewsMTSC JSON lines (`devtest_mt.jsonl`, `train.jsonl`).
    #[value(name = "newsmtsc")]
    NewsMtsc,
    /// P-Stance CSV (`raw_val_trump.csv`, ...) or the folder holding them.
    #[value(name = "pstance", alias = "p-stance")]
    PStance,
    /// SemEval-2016 Task 6 subtask A TSV.
    #[value(name = "semeval", alias = "semeval2016")]
    SemEval,
    /// VAST CSV.
    #[value(name = "vast")]
    Vast,
    /// Our comment-domain dev set (`data/comment-dev/pairs.tsv`), its texts
    /// joined from the data folder (see [`crate::eval::comment_set`]).
    #[value(name = "comments")]
    Comments,
    /// MT-CSD reply chains (`mtcsd/SpaceX/valid.json`, `text.csv` beside it).
    #[value(name = "mtcsd")]
    Mtcsd,
    /// reddit-trump CSV, with `parent_content` as the context.
    #[value(name = "reddit-trump")]
    RedditTrump,
}

impl StanceFormat {
    pub const ALL: [StanceFormat; 7] = [
        StanceFormat::NewsMtsc,
        StanceFormat::PStance,
        StanceFormat::SemEval,
        StanceFormat::Vast,
        StanceFormat::Comments,
        StanceFormat::Mtcsd,
        StanceFormat::RedditTrump,
    ];

    /// Parses a format name (`newsmtsc`, `pstance`, `semeval`, `vast`,
    /// `comments`; case and `-` / `_` ignored; `semeval2016` also accepted).
    pub fn parse(name: &str) -> Option<Self> {
        let n: String = name.trim().chars().filter(|c| !matches!(c, '-' | '_')).collect::<String>().to_lowercase();
        match n.as_str() {
            "newsmtsc" => Some(StanceFormat::NewsMtsc),
            "pstance" => Some(StanceFormat::PStance),
            "semeval" | "semeval2016" => Some(StanceFormat::SemEval),
            "vast" => Some(StanceFormat::Vast),
            "comments" => Some(StanceFormat::Comments),
            "mtcsd" => Some(StanceFormat::Mtcsd),
            "reddittrump" => Some(StanceFormat::RedditTrump),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StanceFormat::NewsMtsc => "newsmtsc",
            StanceFormat::PStance => "pstance",
            StanceFormat::SemEval => "semeval",
            StanceFormat::Vast => "vast",
            StanceFormat::Comments => "comments",
            StanceFormat::Mtcsd => "mtcsd",
            StanceFormat::RedditTrump => "reddit-trump",
        }
    }

    /// Whether the set's papers report the favour/against average F1
    /// (P-Stance, SemEval-2016 F_avg) rather than only the 3-class macro F1.
    pub fn reports_favour_against(self) -> bool {
        matches!(self, StanceFormat::PStance | StanceFormat::SemEval)
    }
}

impl std::fmt::Display for StanceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for StanceFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        StanceFormat::parse(s).ok_or_else(|| {
            format!("unknown stance format {s:?} (newsmtsc, pstance, semeval, vast, comments, mtcsd, reddit-trump)")
        })
    }
}

// ------------------------------------------------------------------ gold data

/// One gold example: what the classifier is asked and the gold answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldExample {
    pub text: String,
    pub target: String,
    /// The target's mentions in `text`: character offsets (end exclusive),
    /// sorted, non-overlapping; empty when the text never names the target.
    pub mentions: Vec<(usize, usize)>,
    pub label: Stance,
    /// The conversation: the thread's title (or root post) and the text the
    /// example replies to; empty where the set has none.
    pub title: String,
    pub parent: String,
}

impl GoldExample {
    /// The query the classifier answers for this example.
    pub fn query(&self) -> StanceQuery<'_> {
        StanceQuery::new(&self.text, &self.target, self.mentions.clone()).in_conversation(&self.title, &self.parent)
    }

    /// The example read under `title`, as a reply to `parent`.
    pub fn in_conversation(self, title: String, parent: String) -> GoldExample {
        GoldExample { title, parent, ..self }
    }
}

/// Reads a gold file (or, for P-Stance, a folder) in `format`; the
/// comment set's texts come from [`DEFAULT_DATA_DIR`] (see [`read_gold_in`]).
pub fn read_gold(path: &Path, format: StanceFormat) -> Result<Vec<GoldExample>> {
    read_gold_in(path, format, Path::new(DEFAULT_DATA_DIR))
}

/// [`read_gold`], with the data folder the comment set joins its texts from.
pub fn read_gold_in(path: &Path, format: StanceFormat, data: &Path) -> Result<Vec<GoldExample>> {
    match format {
        StanceFormat::Comments => Ok(read_comment_set(path, data)?.into_iter().map(|p| p.example).collect()),
        StanceFormat::NewsMtsc => {
            let text = read_utf8(path)?;
            parse_newsmtsc(&text).with_context(|| format!("{}: not a NewsMTSC file", path.display()))
        }
        StanceFormat::PStance if path.is_dir() => {
            let mut out = Vec::new();
            let mut found = false;
            for t in ["trump", "biden", "bernie"] {
                let f = path.join(format!("raw_val_{t}.csv"));
                if f.is_file() {
                    found = true;
                    out.extend(read_gold(&f, format)?);
                }
            }
            if !found {
                bail!("{}: no raw_val_{{trump,biden,bernie}}.csv in this folder", path.display());
            }
            Ok(out)
        }
        StanceFormat::PStance => {
            let text = read_utf8(path)?;
            parse_pstance(&text).with_context(|| format!("{}: not a P-Stance file", path.display()))
        }
        StanceFormat::SemEval => {
            let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
            parse_semeval(&bytes).with_context(|| format!("{}: not a SemEval-2016 file", path.display()))
        }
        StanceFormat::Vast => {
            let text = read_utf8(path)?;
            parse_vast(&text).with_context(|| format!("{}: not a VAST file", path.display()))
        }
        StanceFormat::Mtcsd => crate::eval::conversations::read_mtcsd(path),
        StanceFormat::RedditTrump => crate::eval::conversations::read_reddit_trump(path),
    }
}

fn read_utf8(path: &Path) -> Result<String> {
    let raw = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut text = String::from_utf8(raw).with_context(|| format!("{}: not UTF-8", path.display()))?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

pub(crate) fn example(text: String, target: String, spans: Vec<(usize, usize)>, label: Stance) -> GoldExample {
    let mentions = resolve_overlaps(&spans);
    GoldExample { text, target, mentions, label, title: String::new(), parent: String::new() }
}

/// Python's `str.isspace()`.
fn py_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// Python's `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

const PRONOUNS: &[&str] = &[
    "i",
    "me",
    "my",
    "mine",
    "myself",
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "who",
    "whom",
    "whose",
    "this",
    "that",
];

fn is_pronoun(s: &str) -> bool {
    PRONOUNS.contains(&py_strip(s).to_lowercase().as_str())
}

/// NewsMTSC JSON lines: one example per target.
pub fn parse_newsmtsc(text: &str) -> Result<Vec<GoldExample>> {
    let mut out = Vec::new();
    for (n, line) in py_lines(text).into_iter().enumerate() {
        if py_strip(line).is_empty() {
            continue;
        }
        let ctx = || format!("line {}", n + 1);
        let r: serde_json::Value = serde_json::from_str(line).with_context(ctx)?;
        let sentence = r["sentence_normalized"].as_str().context("no sentence_normalized").with_context(ctx)?;
        let targets = r["targets"].as_array().context("no targets").with_context(ctx)?;
        for t in targets {
            let offset = |v: &serde_json::Value, k: &str| -> Result<usize> {
                let x = &v[k];
                x.as_u64()
                    .map(|u| u as usize)
                    .or_else(|| x.as_f64().filter(|f| *f >= 0.0).map(|f| f as usize))
                    .with_context(|| format!("bad {k:?}: {x}"))
            };
            let mut spans = vec![(offset(t, "from").with_context(ctx)?, offset(t, "to").with_context(ctx)?)];
            if let Some(further) = t.get("further_mentions").and_then(|f| f.as_array()) {
                for fm in further {
                    let mention = fm["mention"].as_str().context("further mention without text").with_context(ctx)?;
                    if !is_pronoun(mention) {
                        spans.push((offset(fm, "from").with_context(ctx)?, offset(fm, "to").with_context(ctx)?));
                    }
                }
            }
            let polarity = match &t["polarity"] {
                serde_json::Value::Number(x) => x.as_f64(),
                serde_json::Value::String(s) => py_strip(s).parse::<f64>().ok(),
                _ => None,
            };
            let label = match polarity {
                Some(p) if p == 2.0 => Stance::Against,
                Some(p) if p == 4.0 => Stance::Neutral,
                Some(p) if p == 6.0 => Stance::Favour,
                _ => bail!("line {}: unknown polarity {}", n + 1, t["polarity"]),
            };
            let gid = t["Input.gid"].as_str().unwrap_or("");
            let mention = t["mention"].as_str().context("target without mention").with_context(ctx)?;
            out.push(example(sentence.to_string(), newsmtsc_target(gid, mention), spans, label));
        }
    }
    Ok(out)
}

/// Lines as Python's text-mode file iteration splits them (`\n`, `\r\n` or
/// `\r` end a line), without their line ends.
fn py_lines(text: &str) -> Vec<&str> {
    split_lines(text).into_iter().map(|l| l.trim_end_matches(['\r', '\n'])).collect()
}

/// Lines with their ends (`\n`, `\r\n`, `\r`), as a file opened with
/// `newline=""` yields them.
fn split_lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push(&text[start..=i]);
                start = i + 1;
            }
            b'\r' => {
                let end = if b.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
                out.push(&text[start..end]);
                start = end;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if start < b.len() {
        out.push(&text[start..]);
    }
    out
}

const EDGE: &[char] = &[
    ' ', '\t', '"', '\'', '“', '”', '‘', '’', '`', '«', '»', '(', ')', '[', ']', ',', '.', ';', ':', '-', '–', '—',
    '\\',
];

/// The target name of a NewsMTSC example (`newsmtsc_target` in
/// stance_data.py): the entity name in the `Input.gid`
/// ("allsides_..._Hillary Clinton_2_17"), cut at the first `,` `(` `:` or
/// dash and cleaned of quotes and possessives; the mention itself when that
/// name is unusable (a pronoun, under 3 characters, over 4 words).
pub fn newsmtsc_target(gid: &str, mention: &str) -> String {
    let name = gid_name(gid).unwrap_or("");
    let name = name.trim_matches(EDGE);
    let name = cut_at_separator(name);
    let name = name.trim_matches(EDGE);
    let name = strip_possessive(name);
    let name = name.trim_matches(EDGE);
    if is_pronoun_exact(name) || name.chars().count() < 3 || name.split(py_space).filter(|w| !w.is_empty()).count() > 4
    {
        return mention.to_string();
    }
    name.to_string()
}

fn is_pronoun_exact(s: &str) -> bool {
    PRONOUNS.contains(&s.to_lowercase().as_str())
}

/// `^(?:allsides_\d+_\d+_\d+|polusa_v1_\d+_-?\d+_\d+)_(.+)_\d+_\d+$`, group 1.
fn gid_name(gid: &str) -> Option<&str> {
    fn digits(s: &str) -> Option<&str> {
        let n = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        (n > 0).then(|| &s[n..])
    }
    fn prefix(s: &str) -> Option<&str> {
        if let Some(r) = s.strip_prefix("allsides_") {
            let r = digits(r)?.strip_prefix('_')?;
            let r = digits(r)?.strip_prefix('_')?;
            return digits(r)?.strip_prefix('_');
        }
        let r = s.strip_prefix("polusa_v1_")?;
        let r = digits(r)?.strip_prefix('_')?;
        let r = r.strip_prefix('-').unwrap_or(r);
        let r = digits(r)?.strip_prefix('_')?;
        digits(r)?.strip_prefix('_')
    }
    let rest = prefix(gid)?;
    // `$` also matches before one final newline; `.` never matches one.
    let rest = rest.strip_suffix('\n').unwrap_or(rest);
    if rest.contains('\n') {
        return None;
    }
    let trailing = |s: &str| s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let n2 = trailing(rest);
    if n2 == 0 {
        return None;
    }
    let r = rest[..rest.len() - n2].strip_suffix('_')?;
    let n1 = trailing(r);
    if n1 == 0 {
        return None;
    }
    let name = r[..r.len() - n1].strip_suffix('_')?;
    (!name.is_empty()).then_some(name)
}

/// `re.split(r"\s*[,(:–—]|\s+-\s+", name)[0]`.
fn cut_at_separator(name: &str) -> &str {
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    let n = chars.len();
    let spaces_from = |mut j: usize| {
        while j < n && py_space(chars[j].1) {
            j += 1;
        }
        j
    };
    for p in 0..n {
        let j = spaces_from(p);
        if j < n && matches!(chars[j].1, ',' | '(' | ':' | '–' | '—') {
            return &name[..chars[p].0];
        }
        if j > p && j < n && chars[j].1 == '-' {
            let k = spaces_from(j + 1);
            if k > j + 1 {
                return &name[..chars[p].0];
            }
        }
    }
    name
}

/// `re.sub(r"[’']s$", "", name)`.
fn strip_possessive(name: &str) -> String {
    let (body, newline) = match name.strip_suffix('\n') {
        Some(b) => (b, "\n"),
        None => (name, ""),
    };
    match body.strip_suffix("’s").or_else(|| body.strip_suffix("'s")) {
        Some(b) => format!("{b}{newline}"),
        None => name.to_string(),
    }
}

/// P-Stance CSV: `Tweet,Target,Stance` with FAVOR / AGAINST / NONE (NONE
/// kept as neutral).
pub fn parse_pstance(text: &str) -> Result<Vec<GoldExample>> {
    parse_csv_set(text, [&["Tweet"], &["Target"], &["Stance"]], |st| match st.to_uppercase().as_str() {
        "FAVOR" => Some(Stance::Favour),
        "AGAINST" => Some(Stance::Against),
        "NONE" => Some(Stance::Neutral),
        _ => None,
    })
}

/// VAST CSV: `Tweet,Target,Stance,seen?` (or `post,topic_str,label`), 0
/// against, 1 favour, 2 neutral.
pub fn parse_vast(text: &str) -> Result<Vec<GoldExample>> {
    parse_csv_set(text, [&["Tweet", "post"], &["Target", "topic_str"], &["Stance", "label"]], |st| match st {
        "0" => Some(Stance::Against),
        "1" => Some(Stance::Favour),
        "2" => Some(Stance::Neutral),
        _ => None,
    })
}

/// A CSV stance set: `columns` names (with alternatives) the text, target and
/// label columns; `label` maps the stripped label field to a stance.
fn parse_csv_set(
    text: &str,
    columns: [&[&str]; 3],
    label: impl Fn(&str) -> Option<Stance>,
) -> Result<Vec<GoldExample>> {
    let table = CsvTable::parse(text)?;
    let (tweet, target, stance) = (table.column(columns[0])?, table.column(columns[1])?, table.column(columns[2])?);
    let mut out = Vec::new();
    for (n, row) in table.rows.iter().enumerate() {
        let field = |c: usize| table.field(row, c, n);
        let raw = py_strip(field(stance)?);
        let Some(label) = label(raw) else { bail!("record {}: unknown stance {raw:?}", n + 1) };
        let text = field(tweet)?.to_string();
        let target = py_strip(field(target)?).to_string();
        let spans = find_mentions(&text, &target);
        out.push(example(text, target, spans, label));
    }
    Ok(out)
}

/// SemEval-2016 Task 6 A: TSV `ID Target Tweet Stance` with a header line,
/// CRLF line ends; each line decoded as UTF-8, else Windows-1252.
pub fn parse_semeval(bytes: &[u8]) -> Result<Vec<GoldExample>> {
    let mut out = Vec::new();
    for (i, b) in bytes.split(|&c| c == b'\n').enumerate() {
        let decoded = decode_line(b);
        let line = decoded.trim_end_matches('\r');
        if i == 0 || py_strip(line).is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 4 {
            bail!("line {}: expected 4 tab-separated columns, got {}", i + 1, cols.len());
        }
        let label = match py_strip(cols[3]) {
            "FAVOR" => Stance::Favour,
            "AGAINST" => Stance::Against,
            "NONE" => Stance::Neutral,
            other => bail!("line {}: unknown stance {other:?}", i + 1),
        };
        let text = py_strip(&remove_semst(cols[2])).to_string();
        let target = py_strip(cols[1]).to_string();
        let spans = find_mentions(&text, &target);
        out.push(example(text, target, spans, label));
    }
    Ok(out)
}

/// Windows-1252 for bytes 0x80..=0x9F (`None`: undefined there).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20ac}'),
    None,
    Some('\u{201a}'),
    Some('\u{192}'),
    Some('\u{201e}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{2c6}'),
    Some('\u{2030}'),
    Some('\u{160}'),
    Some('\u{2039}'),
    Some('\u{152}'),
    None,
    Some('\u{17d}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201c}'),
    Some('\u{201d}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{2dc}'),
    Some('\u{2122}'),
    Some('\u{161}'),
    Some('\u{203a}'),
    Some('\u{153}'),
    None,
    Some('\u{17e}'),
    Some('\u{178}'),
];

/// `_decode_line`: UTF-8, else Windows-1252 (undefined bytes replaced);
/// C1 control characters and U+FFFD become spaces.
fn decode_line(b: &[u8]) -> String {
    let s: String = match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b
            .iter()
            .map(|&x| match x {
                0x80..=0x9f => CP1252_HIGH[(x - 0x80) as usize].unwrap_or('\u{fffd}'),
                _ => x as char,
            })
            .collect(),
    };
    s.chars().map(|c| if matches!(c, '\u{80}'..='\u{9f}' | '\u{fffd}') { ' ' } else { c }).collect()
}

/// `re.sub(r"\s*#SemST\b", "", tweet)`.
fn remove_semst(tweet: &str) -> String {
    const TAG: &str = "#SemST";
    let chars: Vec<(usize, char)> = tweet.char_indices().collect();
    let n = chars.len();
    let at = |i: usize| if i < n { chars[i].0 } else { tweet.len() };
    let mut out = String::with_capacity(tweet.len());
    let mut copied = 0; // byte offset copied so far
    let mut p = 0;
    while p < n {
        let mut q = p;
        while q < n && py_space(chars[q].1) {
            q += 1;
        }
        let tag_end = q + TAG.len(); // TAG is ASCII: chars == bytes
        let matches = tweet[at(q)..].starts_with(TAG) && (tag_end >= n || !is_word(chars[tag_end].1));
        if matches {
            out.push_str(&tweet[copied..at(p)]);
            copied = at(tag_end);
            p = tag_end;
        } else {
            p += 1;
        }
    }
    out.push_str(&tweet[copied..]);
    out
}

// ------------------------------------------------------------------ CSV

/// A CSV file read as Python's `csv.DictReader` reads it.
pub(crate) struct CsvTable {
    header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl CsvTable {
    pub(crate) fn parse(text: &str) -> Result<CsvTable> {
        let mut records = parse_csv(text)?.into_iter();
        let header = records.next().context("empty file (no header)")?;
        // DictReader skips empty rows (blank lines).
        let rows = records.filter(|r| !r.is_empty()).collect();
        Ok(CsvTable { header, rows })
    }

    /// Index of the first header name found among `names` (the last column
    /// of that name, as a Python dict keeps it).
    pub(crate) fn column(&self, names: &[&str]) -> Result<usize> {
        names
            .iter()
            .find_map(|name| self.header.iter().rposition(|h| h == name))
            .with_context(|| format!("no column {} in header {:?}", names.join(" / "), self.header))
    }

    pub(crate) fn field<'a>(&self, row: &'a [String], c: usize, n: usize) -> Result<&'a str> {
        row.get(c).map(String::as_str).with_context(|| {
            format!(
                "record {}: {} fields, no {:?}",
                n + 1,
                row.len(),
                self.header.get(c).map(String::as_str).unwrap_or("")
            )
        })
    }
}

/// Records of a CSV text, following Python's `csv.reader` (excel dialect:
/// `,` delimiter, `"` quotes, `""` an escaped quote, not strict) over a file
/// opened with `newline=""`: quoted fields may hold delimiters, quotes and
/// line breaks (kept as they are); a blank line is an empty record.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>> {
    #[derive(PartialEq, Clone, Copy)]
    enum St {
        StartRecord,
        StartField,
        InField,
        InQuoted,
        QuoteInQuoted,
        EatCrnl,
    }
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut state = St::StartRecord;
    // `None` is the end-of-line marker the C parser feeds after each line.
    let step =
        |c: Option<char>, state: &mut St, fields: &mut Vec<String>, field: &mut String, line: usize| -> Result<()> {
            let save = |fields: &mut Vec<String>, field: &mut String| fields.push(std::mem::take(field));
            let mut s = *state;
            if s == St::StartRecord {
                match c {
                    None => return Ok(()),
                    Some('\n' | '\r') => {
                        *state = St::EatCrnl;
                        return Ok(());
                    }
                    _ => s = St::StartField,
                }
            }
            *state = match (s, c) {
                (St::StartField, Some('"')) => St::InQuoted,
                (St::QuoteInQuoted, Some('"')) => {
                    field.push('"');
                    St::InQuoted
                }
                // Outside quotes (and after a closing quote) every other character
                // is read the same way.
                (St::StartField | St::InField | St::QuoteInQuoted, c) => match c {
                    None => {
                        save(fields, field);
                        St::StartRecord
                    }
                    Some('\n' | '\r') => {
                        save(fields, field);
                        St::EatCrnl
                    }
                    Some(',') => {
                        save(fields, field);
                        St::StartField
                    }
                    Some(ch) => {
                        field.push(ch);
                        St::InField
                    }
                },
                (St::InQuoted, None) => St::InQuoted,
                (St::InQuoted, Some('"')) => St::QuoteInQuoted,
                (St::InQuoted, Some(ch)) => {
                    field.push(ch);
                    St::InQuoted
                }
                (St::EatCrnl, Some('\n' | '\r')) => St::EatCrnl,
                (St::EatCrnl, None) => St::StartRecord,
                (St::EatCrnl, Some(_)) => bail!("line {line}: new-line character seen in unquoted field"),
                (St::StartRecord, _) => unreachable!(),
            };
            Ok(())
        };
    for (i, line) in split_lines(text).into_iter().enumerate() {
        for c in line.chars() {
            step(Some(c), &mut state, &mut fields, &mut field, i + 1)?;
        }
        step(None, &mut state, &mut fields, &mut field, i + 1)?;
        if state == St::StartRecord {
            records.push(std::mem::take(&mut fields));
        }
    }
    // End of data inside a record (an unterminated quoted field): Python
    // saves the field and returns the record.
    if state == St::InQuoted {
        fields.push(std::mem::take(&mut field));
        records.push(fields);
    }
    Ok(records)
}

// ------------------------------------------------------------------ mentions

/// Known persons: whole-word aliases, hashtag prefixes, handles (the
/// `ALIASES` table of stance_data.py).
struct Aliases {
    key: &'static str,
    words: &'static [&'static str],
    hashtags: &'static [&'static str],
    handles: &'static [&'static str],
}

const ALIASES: &[Aliases] = &[
    Aliases {
        key: "donald trump",
        words: &["Donald Trump", "Donald J. Trump", "Trump", "Donald"],
        hashtags: &["Trump", "DonaldTrump"],
        handles: &["@realDonaldTrump"],
    },
    Aliases {
        key: "joe biden",
        words: &["Joe Biden", "Joseph Biden", "Biden", "Joe"],
        hashtags: &["Biden", "JoeBiden"],
        handles: &["@JoeBiden"],
    },
    Aliases {
        key: "bernie sanders",
        words: &["Bernie Sanders", "Bernie", "Sanders"],
        hashtags: &["Bernie", "Sanders"],
        handles: &["@BernieSanders", "@SenSanders"],
    },
    Aliases {
        key: "hillary clinton",
        words: &["Hillary Clinton", "Hillary Rodham Clinton", "Hillary", "Hilary", "Clinton"],
        hashtags: &["Hillary", "Hilary", "HillaryClinton"],
        handles: &["@HillaryClinton"],
    },
];

/// Python's `\w` on `str`: letters, numbers and `_`. Rust's alphabetic
/// property also counts the characters of Other_Alphabetic: the enclosed
/// letters among them (Ⓐ, 🅰, 🅿) are excluded here; its ~1,300 combining
/// vowel signs (Indic, Arabic, Hebrew points) are not, so only next to those
/// can a word boundary differ from Python's (none occurs in the stance sets).
fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric() && !is_other_alphabetic_symbol(c)
}

/// Other_Alphabetic characters that are not letters or numbers to Python:
/// the combining Greek ypogegrammeni and the circled / squared Latin letters
/// (🅰 🅱 🅾 🅿 among them).
fn is_other_alphabetic_symbol(c: char) -> bool {
    matches!(c, '\u{345}' | '\u{24b6}'..='\u{24e9}' | '\u{1f130}'..='\u{1f149}' | '\u{1f150}'..='\u{1f169}' | '\u{1f170}'..='\u{1f189}')
}

/// Characters Python's `re.IGNORECASE` treats as equal beyond simple
/// lowercasing (`re._casefix._EXTRA_CASES`), mapped to one representative.
const EXTRA_CASES: &[(char, char)] = &[
    ('\u{131}', '\u{69}'),
    ('\u{17f}', '\u{73}'),
    ('\u{3b9}', '\u{345}'),
    ('\u{3bc}', '\u{b5}'),
    ('\u{3c3}', '\u{3c2}'),
    ('\u{3d0}', '\u{3b2}'),
    ('\u{3d1}', '\u{3b8}'),
    ('\u{3d5}', '\u{3c6}'),
    ('\u{3d6}', '\u{3c0}'),
    ('\u{3f0}', '\u{3ba}'),
    ('\u{3f1}', '\u{3c1}'),
    ('\u{3f5}', '\u{3b5}'),
    ('\u{1c80}', '\u{432}'),
    ('\u{1c81}', '\u{434}'),
    ('\u{1c82}', '\u{43e}'),
    ('\u{1c83}', '\u{441}'),
    ('\u{1c84}', '\u{442}'),
    ('\u{1c85}', '\u{442}'),
    ('\u{1c86}', '\u{44a}'),
    ('\u{1c87}', '\u{463}'),
    ('\u{1e9b}', '\u{1e61}'),
    ('\u{1fbe}', '\u{345}'),
    ('\u{1fd3}', '\u{390}'),
    ('\u{1fe3}', '\u{3b0}'),
    ('\u{a64b}', '\u{1c88}'),
    ('\u{fb06}', '\u{fb05}'),
];

/// The case-insensitive key of a character: its simple lowercase mapping,
/// then Python's extra equivalences.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let lower = if c == '\u{130}' {
        'i'
    } else {
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) => x,
            _ => c,
        }
    };
    EXTRA_CASES.iter().find(|(from, _)| *from == lower).map_or(lower, |&(_, to)| to)
}

/// One of the hand-written patterns of `_patterns`.
enum Pattern {
    /// `(?<![\w@#])[@#]?HANDLE(?!\w)` (HANDLE without its `@`).
    Handle(Vec<char>),
    /// `(?<![\w#])#PREFIX\w*`.
    Hashtag(Vec<char>),
    /// `(?<!\w)WORD(?!\w)`, with `s?` before the look-ahead when `plural`.
    Word { word: Vec<char>, plural: bool },
}

fn folded(s: &str) -> Vec<char> {
    s.chars().map(fold).collect()
}

fn patterns(target: &str) -> Vec<Pattern> {
    let t = py_strip(target);
    let key = t.to_lowercase();
    match ALIASES.iter().find(|a| a.key == key) {
        Some(a) => {
            let mut out: Vec<Pattern> =
                a.handles.iter().map(|h| Pattern::Handle(folded(h.trim_start_matches('@')))).collect();
            out.extend(a.hashtags.iter().map(|h| Pattern::Hashtag(folded(h))));
            out.extend(a.words.iter().map(|w| Pattern::Word { word: folded(w), plural: true }));
            out
        }
        None => vec![Pattern::Word { word: folded(t), plural: false }],
    }
}

/// Whether `lit` (folded) matches `text` at `at`; returns the end.
fn literal_at(text: &[char], folded_text: &[char], at: usize, lit: &[char]) -> Option<usize> {
    let end = at + lit.len();
    (end <= text.len() && folded_text[at..end] == lit[..]).then_some(end)
}

impl Pattern {
    /// The match starting at `i` (leftmost-first, as Python's `re` tries it).
    fn match_at(&self, text: &[char], folded_text: &[char], i: usize) -> Option<usize> {
        let before = i.checked_sub(1).map(|j| text[j]);
        let word_after = |e: usize| e < text.len() && is_word(text[e]);
        match self {
            Pattern::Handle(lit) => {
                if before.is_some_and(|c| is_word(c) || c == '@' || c == '#') {
                    return None;
                }
                let mut starts = Vec::with_capacity(2);
                if i < text.len() && matches!(text[i], '@' | '#') {
                    starts.push(i + 1);
                }
                starts.push(i);
                starts.into_iter().find_map(|s| literal_at(text, folded_text, s, lit).filter(|&e| !word_after(e)))
            }
            Pattern::Hashtag(lit) => {
                if before.is_some_and(|c| is_word(c) || c == '#') || text.get(i) != Some(&'#') {
                    return None;
                }
                let mut e = literal_at(text, folded_text, i + 1, lit)?;
                while word_after(e) {
                    e += 1;
                }
                Some(e)
            }
            Pattern::Word { word, plural } => {
                if word.is_empty() || before.is_some_and(is_word) {
                    return None;
                }
                let e = literal_at(text, folded_text, i, word)?;
                if *plural && e < text.len() && folded_text[e] == 's' && !word_after(e + 1) {
                    return Some(e + 1);
                }
                (!word_after(e)).then_some(e)
            }
        }
    }

    /// All non-overlapping matches, left to right (`finditer`).
    fn find_all(&self, text: &[char], folded_text: &[char], out: &mut Vec<(usize, usize)>) {
        let mut i = 0;
        while i <= text.len() {
            match self.match_at(text, folded_text, i) {
                Some(e) if e > i => {
                    out.push((i, e));
                    i = e;
                }
                _ => i += 1,
            }
        }
    }
}

/// The target's mentions in `text` (`find_mentions` in stance_data.py):
/// character offsets, sorted, non-overlapping. Known persons (Donald Trump,
/// Joe Biden, Bernie Sanders, Hillary Clinton) match their aliases as whole
/// words (with an optional bare "s": "Trumps"), hashtags starting with a
/// known prefix ("#Trump2020", whole hashtag) and their handles (with `@`,
/// `#` or bare); any other target matches only its full string as a whole
/// word. Matching ignores case.
pub fn find_mentions(text: &str, target: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let folded_text: Vec<char> = chars.iter().map(|&c| fold(c)).collect();
    let mut spans = Vec::new();
    for p in patterns(target) {
        p.find_all(&chars, &folded_text, &mut spans);
    }
    resolve_overlaps(&spans)
}

// ------------------------------------------------------------------ scores

/// Confusion counts of a stance evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StanceScore {
    /// `confusion[gold][predicted]`, classes in [`Stance::ALL`] order.
    pub confusion: [[usize; 3]; 3],
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl StanceScore {
    /// Counts aligned gold / predicted labels.
    pub fn from_pairs(gold: &[Stance], predicted: &[Stance]) -> Self {
        assert_eq!(gold.len(), predicted.len(), "gold and predicted labels differ in number");
        let mut s = StanceScore::default();
        for (&g, &p) in gold.iter().zip(predicted) {
            s.confusion[g.index()][p.index()] += 1;
        }
        s
    }

    /// Number of examples.
    pub fn n(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    pub fn true_positives(&self, c: Stance) -> usize {
        let i = c.index();
        self.confusion[i][i]
    }

    /// Gold examples of the class.
    pub fn support(&self, c: Stance) -> usize {
        self.confusion[c.index()].iter().sum()
    }

    /// Examples predicted as the class.
    pub fn predicted(&self, c: Stance) -> usize {
        let i = c.index();
        self.confusion.iter().map(|row| row[i]).sum()
    }

    /// 0 when nothing was predicted as the class.
    pub fn precision(&self, c: Stance) -> f64 {
        ratio(self.true_positives(c), self.predicted(c))
    }

    /// 0 when the class has no gold examples.
    pub fn recall(&self, c: Stance) -> f64 {
        ratio(self.true_positives(c), self.support(c))
    }

    /// 0 when precision and recall are both 0.
    pub fn f1(&self, c: Stance) -> f64 {
        let (p, r) = (self.precision(c), self.recall(c));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Mean F1 of against, neutral and favour.
    pub fn macro_f1(&self) -> f64 {
        Stance::ALL.iter().map(|&c| self.f1(c)).sum::<f64>() / 3.0
    }

    pub fn accuracy(&self) -> f64 {
        ratio((0..3).map(|i| self.confusion[i][i]).sum(), self.n())
    }

    /// Mean of F1(favour) and F1(against), neutral predictions counting as
    /// misses (P-Stance's macro F, SemEval-2016's F_avg).
    pub fn favour_against_f1(&self) -> f64 {
        (self.f1(Stance::Favour) + self.f1(Stance::Against)) / 2.0
    }

    /// A per-class table, the summary scores and the confusion matrix.
    pub fn table(&self) -> String {
        let mut s =
            format!("{:<10}{:>10}{:>10}{:>10}{:>8}{:>8}\n", "class", "precision", "recall", "f1", "gold", "pred");
        for c in Stance::ALL {
            s += &format!(
                "{:<10}{:>10.4}{:>10.4}{:>10.4}{:>8}{:>8}\n",
                c.as_str(),
                self.precision(c),
                self.recall(c),
                self.f1(c),
                self.support(c),
                self.predicted(c)
            );
        }
        s += &format!("{:<30}{:>10.4}{:>8}\n", "macro F1 (3 classes)", self.macro_f1(), self.n());
        s += &format!("{:<30}{:>10.4}\n", "favour/against F1", self.favour_against_f1());
        s += &format!("{:<30}{:>10.4}\n", "accuracy", self.accuracy());
        s += "confusion (rows gold, columns predicted):\n";
        s += &format!("{:<10}{:>10}{:>10}{:>10}\n", "", "against", "neutral", "favour");
        for (c, row) in Stance::ALL.iter().zip(&self.confusion) {
            s += &format!("{:<10}{:>10}{:>10}{:>10}\n", c.as_str(), row[0], row[1], row[2]);
        }
        s
    }

    /// The summary as one JSON object: `macro_f1`, `accuracy`,
    /// `favour_against_f1`, `n`, `seconds`, plus `per_class` (precision,
    /// recall, f1, support) and `confusion` (rows gold, columns predicted,
    /// against / neutral / favour).
    pub fn json(&self, n_seconds: f64) -> serde_json::Value {
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        let per_class: serde_json::Map<String, serde_json::Value> = Stance::ALL
            .iter()
            .map(|&c| {
                (
                    c.as_str().to_string(),
                    json!({
                        "precision": r4(self.precision(c)),
                        "recall": r4(self.recall(c)),
                        "f1": r4(self.f1(c)),
                        "support": self.support(c),
                    }),
                )
            })
            .collect();
        json!({
            "macro_f1": r4(self.macro_f1()),
            "accuracy": r4(self.accuracy()),
            "favour_against_f1": r4(self.favour_against_f1()),
            "n": self.n(),
            "seconds": (n_seconds * 100.0).round() / 100.0,
            "per_class": per_class,
            "confusion": self.confusion,
        })
    }
}

/// How predictions are compared with the gold labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Every gold example, the classifier's own three-way answer.
    ThreeWay,
    /// The favour/against protocol of the P-Stance and SemEval literature:
    /// gold neutral (NONE) examples are left out and the answer is the more
    /// probable of favour and against.
    FavourAgainst,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::ThreeWay => "three-way",
            Protocol::FavourAgainst => "favour-against",
        }
    }
}

/// Runs `stancegraph eval stance --format F FILE`: reads the gold set,
/// classifies every example and scores it under `protocol`. The seconds are
/// the wall time of the classification alone (reading the file excluded).
pub fn eval_stance(
    path: &Path,
    format: StanceFormat,
    protocol: Protocol,
    classifier: &StanceClassifier,
) -> Result<(StanceScore, f64)> {
    let (scored, seconds) = eval_stance_calibrated(path, format, protocol, classifier, Conversation::Read)?;
    Ok((scored.score, seconds))
}

/// Whether an evaluation gives the model the examples' conversation (title
/// and parent) or leaves it out (the ablation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Conversation {
    /// The title and the parent.
    Read,
    /// Neither.
    #[value(name = "none")]
    LeftOut,
    /// The parent only.
    #[value(name = "parent")]
    ParentOnly,
    /// The title only.
    #[value(name = "title")]
    TitleOnly,
}

impl Conversation {
    fn apply(self, gold: &mut [GoldExample]) {
        for g in gold {
            if matches!(self, Conversation::LeftOut | Conversation::ParentOnly) {
                g.title.clear();
            }
            if matches!(self, Conversation::LeftOut | Conversation::TitleOnly) {
                g.parent.clear();
            }
        }
    }
}

/// [`eval_stance`] with the calibration of the answers (three-way protocol only).
pub fn eval_stance_calibrated(
    path: &Path,
    format: StanceFormat,
    protocol: Protocol,
    classifier: &StanceClassifier,
    conversation: Conversation,
) -> Result<(Scored, f64)> {
    let mut gold = read_gold(path, format)?;
    conversation.apply(&mut gold);
    if !gold.iter().any(|g| protocol == Protocol::ThreeWay || g.label != Stance::Neutral) {
        bail!("{}: no {} examples", path.display(), format);
    }
    let (score, predictions, decisions, seconds) = score_all(&gold, protocol, classifier)?;
    let calibration = calibration_of(&gold, &predictions, &decisions, protocol, |_| true);
    Ok((Scored { score, calibration }, seconds))
}

/// A score with the calibration of the answers behind it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub score: StanceScore,
    /// `None` under the favour/against protocol (its answers are not the
    /// model's own three-way ones).
    pub calibration: Option<Calibration>,
}

impl Scored {
    /// The score's JSON with the calibration's keys.
    pub fn json(&self, seconds: f64) -> serde_json::Value {
        let mut j = self.score.json(seconds);
        if let (Some(c), Some(map)) = (&self.calibration, j.as_object_mut()) {
            if let serde_json::Value::Object(extra) = c.json() {
                map.extend(extra);
            }
        }
        j
    }
}

/// The calibration of the kept examples that `keep` selects.
fn calibration_of(
    gold: &[GoldExample],
    predictions: &[Option<Stance>],
    decisions: &[Option<StanceDecision>],
    protocol: Protocol,
    keep: impl Fn(usize) -> bool,
) -> Option<Calibration> {
    if protocol != Protocol::ThreeWay {
        return None;
    }
    let (g, d): (Vec<Stance>, Vec<StanceDecision>) = (0..gold.len())
        .filter(|&i| keep(i) && predictions[i].is_some())
        .filter_map(|i| Some((gold[i].label, decisions[i]?)))
        .unzip();
    (!g.is_empty()).then(|| Calibration::of(&g, &d))
}

/// Classifies gold examples and scores them under `protocol`: the score,
/// each example's prediction (`None` where the protocol left it out) and
/// the seconds of classification.
pub fn score_examples(
    gold: &[GoldExample],
    protocol: Protocol,
    classifier: &StanceClassifier,
) -> Result<(StanceScore, Vec<Option<Stance>>, f64)> {
    let (score, predictions, _, seconds) = score_all(gold, protocol, classifier)?;
    Ok((score, predictions, seconds))
}

/// [`score_examples`], with each kept example's decision.
#[allow(clippy::type_complexity)]
fn score_all(
    gold: &[GoldExample],
    protocol: Protocol,
    classifier: &StanceClassifier,
) -> Result<(StanceScore, Vec<Option<Stance>>, Vec<Option<StanceDecision>>, f64)> {
    let kept: Vec<usize> =
        (0..gold.len()).filter(|&i| protocol == Protocol::ThreeWay || gold[i].label != Stance::Neutral).collect();
    if kept.is_empty() {
        bail!("no examples to score");
    }
    let queries: Vec<StanceQuery> = kept.iter().map(|&i| gold[i].query()).collect();
    let started = Instant::now();
    let decisions = classifier.predict(&queries)?;
    let seconds = started.elapsed().as_secs_f64();
    if decisions.len() != kept.len() {
        bail!("classifier answered {} of {} queries", decisions.len(), kept.len());
    }
    let mut predictions = vec![None; gold.len()];
    let mut answers = vec![None; gold.len()];
    for (&i, d) in kept.iter().zip(&decisions) {
        predictions[i] = Some(match protocol {
            Protocol::ThreeWay => d.stance,
            Protocol::FavourAgainst => d.favour_or_against(),
        });
        answers[i] = Some(*d);
    }
    let (labels, predicted): (Vec<Stance>, Vec<Stance>) =
        kept.iter().map(|&i| (gold[i].label, predictions[i].expect("kept examples are predicted"))).unzip();
    Ok((StanceScore::from_pairs(&labels, &predicted), predictions, answers, seconds))
}

/// The scores of the comment set (`--format comments`): every pair, the
/// pairs without `doubt`, and each source alone.
#[derive(Debug, Clone)]
pub struct CommentSetScores {
    pub all: Scored,
    pub without_doubt: Scored,
    /// Per source (`reddit`, `vast`) and per kind (`explicit`, `implicit`).
    pub parts: Vec<(&'static str, Scored)>,
    pub seconds: f64,
}

/// Scores the comment set `pairs` (texts joined from `data`).
pub fn eval_comment_set(
    pairs: &Path,
    data: &Path,
    protocol: Protocol,
    classifier: &StanceClassifier,
) -> Result<CommentSetScores> {
    eval_comment_set_with(pairs, data, protocol, classifier, Conversation::Read)
}

/// [`eval_comment_set`], with or without the pairs' conversation.
pub fn eval_comment_set_with(
    pairs: &Path,
    data: &Path,
    protocol: Protocol,
    classifier: &StanceClassifier,
    conversation: Conversation,
) -> Result<CommentSetScores> {
    let joined = read_comment_set(pairs, data)?;
    let mut gold: Vec<GoldExample> = joined.iter().map(|j| j.example.clone()).collect();
    conversation.apply(&mut gold);
    if gold.is_empty() {
        bail!("{}: no pairs", pairs.display());
    }
    let (all, predictions, decisions, seconds) = score_all(&gold, protocol, classifier)?;
    let subset = |keep: &dyn Fn(&crate::eval::comment_set::CommentPair) -> bool| {
        let (g, p): (Vec<Stance>, Vec<Stance>) = joined
            .iter()
            .zip(&predictions)
            .filter_map(|(j, p)| (keep(&j.pair)).then_some((j.example.label, (*p)?)))
            .unzip();
        let calibration = calibration_of(&gold, &predictions, &decisions, protocol, |i| keep(&joined[i].pair));
        Scored { score: StanceScore::from_pairs(&g, &p), calibration }
    };
    let all = Scored { score: all, calibration: calibration_of(&gold, &predictions, &decisions, protocol, |_| true) };
    let without_doubt = subset(&|p| !p.doubt);
    let mut parts: Vec<(&'static str, Scored)> = [CommentSource::Reddit, CommentSource::Vast]
        .into_iter()
        .map(|s| (s.as_str(), subset(&|p| p.source == s)))
        .collect();
    if joined.iter().any(|j| j.pair.kind.implicit()) {
        parts.push(("explicit", subset(&|p| !p.kind.implicit())));
        parts.push(("implicit", subset(&|p| p.kind.implicit())));
    }
    Ok(CommentSetScores { all, without_doubt, parts, seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gid_names() {
        assert_eq!(gid_name("allsides_1002_402_12_Hillary Clinton’s_229_246"), Some("Hillary Clinton’s"));
        assert_eq!(gid_name("polusa_v1_5_-3_7_Maxine Waters, D-Calif_0_6"), Some("Maxine Waters, D-Calif"));
        assert_eq!(gid_name("allsides_1_2_3_a_b_12_5_6"), Some("a_b_12"));
        assert_eq!(gid_name("allsides_1_2_x_Name_1_2"), None);
        assert_eq!(newsmtsc_target("allsides_1002_402_12_Hillary Clinton’s_229_246", "Clinton"), "Hillary Clinton");
        assert_eq!(newsmtsc_target("allsides_1_2_3_Maxine Waters, D-Calif_0_6", "Waters"), "Maxine Waters");
        assert_eq!(newsmtsc_target("allsides_1_2_3_Rep. Jim Jordan - Ohio_0_6", "Jordan"), "Rep. Jim Jordan");
        assert_eq!(newsmtsc_target("allsides_1_2_3_He_0_2", "He"), "He");
        assert_eq!(
            newsmtsc_target("allsides_1_2_3_former Secretary of State Hillary Clinton_0_6", "Clinton"),
            "Clinton"
        );
        assert_eq!(newsmtsc_target("nonsense", "Obama"), "Obama");
    }

    #[test]
    fn semst_tag_removed() {
        assert_eq!(remove_semst("so blessed #hope #SemST"), "so blessed #hope");
        assert_eq!(remove_semst("#SemST at start"), " at start");
        assert_eq!(remove_semst("keep #SemSTx"), "keep #SemSTx");
        assert_eq!(remove_semst("a  #SemST, b"), "a, b");
    }

    #[test]
    fn cp1252_fallback() {
        assert_eq!(decode_line(b"caf\xe9 \x93ok\x94 \x81x"), "café “ok”  x");
        assert_eq!(decode_line("naïve\u{85}".as_bytes()), "naïve ");
    }

    #[test]
    fn python_case_folding() {
        assert_eq!(find_mentions("ſanders and SANDERS", "Bernie Sanders"), vec![(0, 7), (12, 19)]);
        assert_eq!(find_mentions("İran", "iran"), vec![(0, 4)]);
    }
}
