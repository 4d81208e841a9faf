//! The stance gold formats ([`StanceFormat`]) and their readers
//! ([`read_gold`]).
//!
//! The readers are a port of `scripts/lib/stance_data.py` (`read_newsmtsc`,
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
//!   kept as neutral; spans from [`crate::eval::mentions::find_mentions`]. FILE may also be the
//!   P-Stance folder, which reads `raw_val_{trump,biden,bernie}.csv`.
//! - **SemEval-2016 Task 6 A** (TSV `ID Target Tweet Stance`, CRLF): lines
//!   decoded one by one as UTF-8, else Windows-1252; C1 control characters
//!   and undecodable bytes become spaces; the `#SemST` tag is removed.
//! - **VAST** (CSV `Tweet,Target,Stance,seen?`, also the original release's
//!   `post,topic_str,label`): 0 against, 1 favour, 2 neutral.
//!
//!
//! The fifth format, `comments`, is our own comment-domain dev set, read by
//! [`crate::eval::comment_set`]; `mtcsd` and `reddit-trump` are read with
//! their conversations by [`crate::eval::conversations`].

use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::eval::comment_set::{read_comment_set, DEFAULT_DATA_DIR};
use crate::eval::csv::{decode_line, CsvTable};
use crate::eval::example::{example, py_lines, py_space, py_strip, GoldExample};
use crate::eval::mentions::{find_mentions, is_word};
use crate::stance::Stance;

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
pub(crate) fn parse_newsmtsc(text: &str) -> Result<Vec<GoldExample>> {
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

const EDGE: &[char] = &[
    ' ', '\t', '"', '\'', '“', '”', '‘', '’', '`', '«', '»', '(', ')', '[', ']', ',', '.', ';', ':', '-', '–', '—',
    '\\',
];

/// The target name of a NewsMTSC example (`newsmtsc_target` in
/// stance_data.py): the entity name in the `Input.gid`
/// ("allsides_..._Hillary Clinton_2_17"), cut at the first `,` `(` `:` or
/// dash and cleaned of quotes and possessives; the mention itself when that
/// name is unusable (a pronoun, under 3 characters, over 4 words).
pub(crate) fn newsmtsc_target(gid: &str, mention: &str) -> String {
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
pub(crate) fn parse_pstance(text: &str) -> Result<Vec<GoldExample>> {
    parse_csv_set(text, [&["Tweet"], &["Target"], &["Stance"]], |st| match st.to_uppercase().as_str() {
        "FAVOR" => Some(Stance::Favour),
        "AGAINST" => Some(Stance::Against),
        "NONE" => Some(Stance::Neutral),
        _ => None,
    })
}

/// VAST CSV: `Tweet,Target,Stance,seen?` (or `post,topic_str,label`), 0
/// against, 1 favour, 2 neutral.
pub(crate) fn parse_vast(text: &str) -> Result<Vec<GoldExample>> {
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
pub(crate) fn parse_semeval(bytes: &[u8]) -> Result<Vec<GoldExample>> {
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
}
