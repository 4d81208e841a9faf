//! Probe (temporary).

use std::path::{Path, PathBuf};

use stancegraph::corpus::Document;
use stancegraph::link::{DocumentSpans, Entity, Linker, Mention};
use stancegraph::ner::{EntityKind, EntitySpan};

const FILLER: &str = " said that ";

fn fixture() -> Vec<(Document, DocumentSpans)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/link/us_politics_spans.tsv");
    let raw = std::fs::read_to_string(&path).unwrap();
    let mut docs: Vec<(String, Vec<(EntityKind, String)>)> = Vec::new();
    for line in raw.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let kind = match cols[1] {
            "PER" => EntityKind::Person,
            "ORG" => EntityKind::Organisation,
            "LOC" => EntityKind::Location,
            "MISC" => EntityKind::Misc,
            k => panic!("{k}"),
        };
        if docs.last().map(|d| d.0 != cols[0]).unwrap_or(true) {
            docs.push((cols[0].to_string(), Vec::new()));
        }
        docs.last_mut().unwrap().1.push((kind, cols[2].to_string()));
    }
    docs.into_iter()
        .map(|(id, rows)| {
            let mut text = String::new();
            let mut spans = Vec::new();
            for (kind, surface) in rows {
                if !text.is_empty() {
                    text.push_str(FILLER);
                }
                let start = text.chars().count();
                text.push_str(&surface);
                let end = text.chars().count();
                spans.push(EntitySpan { start, end, kind, text: surface, score: 0.95 });
            }
            let doc = Document {
                id: id.clone(),
                path: PathBuf::from(format!("{id}.txt")),
                date: None,
                title: None,
                text,
                comments: vec![],
            };
            (doc, DocumentSpans { article: spans, comments: vec![] })
        })
        .collect()
}

#[test]
fn probe() {
    let mut linker = Linker::new();
    let mut all: Vec<Mention> = Vec::new();
    for (d, s) in fixture() {
        all.extend(linker.link(&d, &s));
    }
    let mut e: Vec<Entity> = linker.entities();
    e.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.id.cmp(&b.id)));
    eprintln!("{} entities, {} mentions", e.len(), all.len());
    for (i, x) in e.iter().enumerate() {
        eprintln!("{:>3} {:>3} {:<40} {:<28} {:?}", i + 1, x.mentions, x.id, x.label, x.aliases);
    }
}
