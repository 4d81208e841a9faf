//! Readers of the stance sets whose examples sit in a conversation: MT-CSD's
//! Reddit reply chains and the reddit-trump comments with their parent. Each
//! example carries its context as the pipeline would give it (the thread's
//! root post as the title, the replied-to text as the parent), mirroring
//! `read_mtcsd` and `read_reddit` of `scripts/lib/stance_data.py`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::eval::csv::CsvTable;
use crate::eval::example::{example, py_strip, GoldExample};
use crate::eval::mentions::find_mentions;
use crate::stance::Stance;

/// MT-CSD `{split}.json` (e.g. `mtcsd/SpaceX/valid.json`): each item is a
/// chain of text ids from the root post and the stance of the chain's last
/// text toward the thread's target, the name of the folder. The texts come
/// from `text.csv` beside the file. Title: the root post (for chains of 2 or
/// more); parent: the text before the last (chains of 3 or more, since the
/// root itself is the title).
pub(crate) fn read_mtcsd(path: &Path) -> Result<Vec<GoldExample>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let target = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .context("MT-CSD: the folder's name is the target")?;
    let texts = mtcsd_texts(&dir.join("text.csv"))?;
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let items: Vec<serde_json::Value> = serde_json::from_str(&raw)
        .with_context(|| format!("{}: not an MT-CSD split (a JSON array)", path.display()))?;
    let mut out = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let bad = |why: &str| anyhow::anyhow!("{}: item {}: {why}", path.display(), n + 1);
        let chain: Vec<&str> = item["index"]
            .as_array()
            .ok_or_else(|| bad("no index list"))?
            .iter()
            .map(|v| v.as_str().ok_or_else(|| bad("an index is not a string")))
            .collect::<Result<_>>()?;
        let text_of = |id: &str| texts.get(id).cloned().ok_or_else(|| bad(&format!("no text {id:?} in text.csv")));
        let Some(last) = chain.last() else { bail!(bad("empty chain")) };
        let label = match item["stance"].as_str().map(str::to_lowercase).as_deref() {
            Some("favor" | "favour") => Stance::Favour,
            Some("against") => Stance::Against,
            Some("none" | "neutral") => Stance::Neutral,
            other => bail!(bad(&format!("unknown stance {other:?}"))),
        };
        let text = text_of(last)?;
        let title = if chain.len() >= 2 { text_of(chain[0])? } else { String::new() };
        let parent = if chain.len() >= 3 { text_of(chain[chain.len() - 2])? } else { String::new() };
        out.push(gold(text, &target, label).in_conversation(title, parent));
    }
    Ok(out)
}

/// A CSV file as a table, read errors naming the file.
fn read_table(path: &Path) -> Result<CsvTable> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    CsvTable::parse(&raw).with_context(|| format!("{}: not a CSV file", path.display()))
}

/// `text.csv`: id → text.
fn mtcsd_texts(path: &Path) -> Result<HashMap<String, String>> {
    let table = read_table(path)?;
    let col = |name: &str| table.column(&[name]).with_context(|| format!("{} (MT-CSD texts)", path.display()));
    let (id, text) = (col("id")?, col("text")?);
    Ok(table.rows.iter().filter(|r| r.len() > id.max(text)).map(|r| (r[id].clone(), r[text].clone())).collect())
}

/// reddit-trump CSV (`reddit_trump_val.csv`): `content` toward Donald Trump,
/// `support` 0 neutral, 1 favour, 2 against; the parent is
/// `parent_content`. Markdown images are removed; empty, `[deleted]` and
/// `[removed]` comments are left out. (Its labels are support for the
/// thread, which the set's subject is: see `scripts/lib/stance_data.py`.)
pub(crate) fn read_reddit_trump(path: &Path) -> Result<Vec<GoldExample>> {
    let table = read_table(path)?;
    let col = |name: &str| table.column(&[name]).with_context(|| path.display().to_string());
    let (content, parent, support) = (col("content")?, col("parent_content")?, col("support")?);
    let mut out = Vec::new();
    for (n, r) in table.rows.iter().enumerate() {
        let field = |c: usize| r.get(c).map(String::as_str).unwrap_or("");
        let text = without_images(field(content));
        if text.is_empty() || text == "[deleted]" || text == "[removed]" {
            continue;
        }
        let label = match field(support).trim() {
            "0" => Stance::Neutral,
            "1" => Stance::Favour,
            "2" => Stance::Against,
            other => bail!("{}: record {}: unknown support {other:?}", path.display(), n + 1),
        };
        let parent_text = without_images(field(parent));
        let parent_text =
            if parent_text == "[deleted]" || parent_text == "[removed]" { String::new() } else { parent_text };
        out.push(gold(text, "Donald Trump", label).in_conversation(String::new(), parent_text));
    }
    Ok(out)
}

/// An example toward `target`, its mentions found as the Python readers find them.
fn gold(text: String, target: &str, label: Stance) -> GoldExample {
    let spans = find_mentions(&text, target);
    example(text, target.to_string(), spans, label)
}

/// The text without markdown images (`![gif](giphy|...)`), trimmed as
/// Python's `str.strip()` does.
fn without_images(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("![") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let image_end = after.find(']').and_then(|j| {
            let tail = &after[j + 1..];
            tail.starts_with('(').then(|| tail.find(')').map(|k| j + 1 + k + 1))?
        });
        match image_end {
            Some(end) => rest = &after[end..],
            None => {
                out.push_str("![");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    py_strip(&out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_removed() {
        assert_eq!(without_images("lol ![gif](giphy|abc) ok"), "lol  ok");
        assert_eq!(without_images("  ![gif](giphy|abc)  "), "");
        assert_eq!(without_images("a ![b] c"), "a ![b] c");
        assert_eq!(without_images("x ![a](b"), "x ![a](b");
    }

    #[test]
    fn mtcsd_chains_give_title_and_parent() {
        let dir = std::env::temp_dir().join(format!("sg-mtcsd-{}", std::process::id())).join("SpaceX");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("text.csv"),
            "id,text\n1,Rocket explodes\n1-1,SpaceX is doomed\n1-1-1,\"No, it will fly\"\n",
        )
        .unwrap();
        let split = dir.join("valid.json");
        std::fs::write(
            &split,
            r#"[{"index":["1"],"stance":"none"},{"index":["1","1-1"],"stance":"against"},
                {"index":["1","1-1","1-1-1"],"stance":"favor"}]"#,
        )
        .unwrap();
        let ex = read_mtcsd(&split).unwrap();
        assert_eq!(ex.len(), 3);
        assert_eq!((ex[0].title.as_str(), ex[0].parent.as_str()), ("", ""));
        assert_eq!((ex[1].title.as_str(), ex[1].parent.as_str()), ("Rocket explodes", ""));
        assert_eq!(ex[1].mentions, vec![(0, 6)]);
        assert_eq!(ex[1].target, "SpaceX");
        assert_eq!(
            (ex[2].title.as_str(), ex[2].parent.as_str(), ex[2].label),
            ("Rocket explodes", "SpaceX is doomed", Stance::Favour)
        );
        std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }
}
