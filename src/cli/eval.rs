//! `stancegraph eval ner|stance|link`: a model stage scored on a gold set,
//! printed as a table for people and then one JSON line for scripts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use stancegraph::eval::formats::StanceFormat;
use stancegraph::eval::link;
use stancegraph::eval::stance::{self, CommentSetScores, Protocol};
use stancegraph::stance::StanceClassifier;

use super::args::{EvalLinkArgs, EvalNerArgs, EvalStanceArgs, StanceChoice};

pub(crate) fn ner(args: EvalNerArgs) -> anyhow::Result<ExitCode> {
    let model = args.model.load(args.runtime.ner_config(args.windows))?;
    let started = Instant::now();
    let score = stancegraph::eval::eval_ner(&args.file, args.format, &model)?;
    let seconds = started.elapsed().as_secs_f64();
    print!("{}", score.table());
    if score.dropped_predicted > 0 || score.unscored_gold > 0 {
        println!(
            "not scored: {} predicted spans of other types, {} gold entities read as O \
             ({} false positives lie on them)",
            score.dropped_predicted, score.unscored_gold, score.false_pos_on_unscored
        );
    }
    println!("{}", score.json(args.format, seconds));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn stance(args: EvalStanceArgs) -> anyhow::Result<ExitCode> {
    let baseline = args.baseline || args.stance_model == StanceChoice::Baseline;
    let models_dir = args.models.clone().unwrap_or_else(stancegraph::models_dir);
    let dir = if baseline { PathBuf::new() } else { args.stance_model.model().dir(&models_dir)? };
    let classifier = StanceClassifier::load(baseline, &dir, args.runtime.stance_config())?;
    let protocol = if args.favour_against_only { Protocol::FavourAgainst } else { Protocol::ThreeWay };
    if args.format == StanceFormat::Comments {
        let scores = stance::eval_comment_set_with(&args.file, &args.data, protocol, &classifier, args.conversation)?;
        print_comment_set(&scores, protocol);
        write_predictions(args.predictions.as_deref(), &scores.all.answers)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (score, seconds) =
        stance::eval_stance_calibrated(&args.file, args.format, protocol, &classifier, args.conversation)?;
    println!("protocol: {}", protocol.as_str());
    print!("{}", score.score.table());
    let mut json = score.json(seconds);
    json["protocol"] = protocol.as_str().into();
    println!("{json}");
    write_predictions(args.predictions.as_deref(), &score.answers)?;
    Ok(ExitCode::SUCCESS)
}

/// `--predictions FILE`: each answer as one JSON line.
fn write_predictions(path: Option<&Path>, answers: &[serde_json::Value]) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let mut text = String::new();
    for answer in answers {
        text.push_str(&answer.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("{}: cannot write the predictions", path.display()))
}

/// Our comment dev set: all pairs, without the doubtful ones, and per part.
fn print_comment_set(scores: &CommentSetScores, protocol: Protocol) {
    println!("protocol: {}", protocol.as_str());
    println!("== all pairs");
    print!("{}", scores.all.score.table());
    println!("== without the pairs marked doubt");
    print!("{}", scores.without_doubt.score.table());
    for (part, score) in &scores.parts {
        println!("== {part} pairs");
        print!("{}", score.score.table());
    }
    let mut json = scores.all.json(scores.seconds);
    json["protocol"] = protocol.as_str().into();
    json["without_doubt"] = scores.without_doubt.json(scores.seconds);
    for (part, score) in &scores.parts {
        json[*part] = score.json(scores.seconds);
    }
    println!("{json}");
}

pub(crate) fn link(args: EvalLinkArgs) -> anyhow::Result<ExitCode> {
    let gold = link::read_gold(&args.file)?;
    let mentions = link::link_store(&args.store, &gold)?;
    let score = link::score(&gold, &link::system_entities(&gold, &mentions));
    print!("{}", score.table());
    println!("{}", score.json());
    Ok(ExitCode::SUCCESS)
}
