//! `stancegraph bench ner`: NER alone over a corpus's texts, timed, printed
//! as one JSON line (words/s, padding, peak memory) for `make bench-ner`.

use std::process::ExitCode;
use std::time::Instant;

use stancegraph::corpus::Document;

use super::args::BenchNerArgs;

pub(crate) fn ner(args: BenchNerArgs) -> anyhow::Result<ExitCode> {
    let BenchNerArgs { inputs, model, runtime, windows, limit, texts_out, texts_only } = args;
    let model = if texts_only { None } else { Some(model.load(runtime.ner_config(windows))?) };
    let corpus = stancegraph::corpus::load(&inputs);
    let docs = &corpus.documents[..limit.unwrap_or(usize::MAX).min(corpus.documents.len())];
    let texts: Vec<&str> = docs.iter().flat_map(Document::texts).filter(|t| !t.trim().is_empty()).collect();
    if let Some(path) = texts_out {
        let lines: Vec<String> = texts.iter().map(|t| serde_json::to_string(t)).collect::<Result<_, _>>()?;
        std::fs::write(&path, lines.join("\n") + "\n")?;
    }
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let Some(model) = model else {
        println!("{}", serde_json::json!({ "texts": texts.len(), "words": words }));
        return Ok(ExitCode::SUCCESS);
    };
    let started = Instant::now();
    let spans = model.predict(&texts)?;
    let seconds = started.elapsed().as_secs_f64();
    let entities: usize = spans.iter().map(|s| s.len()).sum();
    println!(
        "{}",
        serde_json::json!({
            "stack": "rust-bert+tch",
            "precision": format!("{:?}", runtime.precision).to_lowercase(),
            "window": windows.window,
            "overlap": windows.overlap,
            "batch_size": runtime.batch_size,
            "texts": texts.len(),
            "words": words,
            "entities": entities,
            "seconds": (seconds * 100.0).round() / 100.0,
            "words_per_s": (words as f64 / seconds).round(),
            "padding_share": model.padding().share_rounded(),
            "padded_positions": model.padding().positions,
            "real_tokens": model.padding().tokens,
            "peak_rss_mb": stancegraph::peak_rss_mb(),
        })
    );
    Ok(ExitCode::SUCCESS)
}
