//! Step 1 of a run, its pre-flight: what is checked and locked before
//! anything is written (free space; the output folder's and the store's
//! locks, and a merge's shard stores'; the models against their manifests,
//! their tokenizers read), then the store opened and the run recorded in it,
//! with a line naming the interrupted run it takes over from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use super::{Log, Run, RunOptions};
use crate::outputs;
use crate::runtime;
use crate::store::{self, Store, StoreLock};

/// Step 1, pre-flight (a device that is not there fails before anything is
/// done): free space, the locks, the models against their manifests and
/// their tokenizers read, the store opened and the run recorded in it.
pub(super) fn begin<'a>(options: &'a RunOptions, log: &'a Log) -> Result<Run<'a>> {
    let started = Instant::now();
    let mut seconds: BTreeMap<&'static str, f64> = BTreeMap::new();
    let device = runtime::device_name(options.device.resolve()?);
    let store_path = options.store_path();
    let command = match (options.shard, !options.merge_from.is_empty()) {
        (Some(_), _) => "shard",
        (None, true) => "merge",
        (None, false) => "run",
    };
    outputs::preflight(&options.out, options.min_free_mb)?;
    outputs::check_free(store_path.parent().unwrap_or(Path::new(".")), options.min_free_mb)?;
    let out_lock = if options.shard.is_none() { Some(outputs::lock(&options.out, command)?) } else { None };
    let store_lock = StoreLock::acquire(&store_path, command)?;
    let shard_locks = lock_shard_stores(&options.merge_from)?;
    // Every model the run may need is there and matches its manifest,
    // before anything is written to the store.
    let ner_dir = options.models_dir.join("ner");
    let ner_model = runtime::model_id(&ner_dir)?;
    let stance_model = if options.stance_baseline {
        "lexicon-baseline".to_string()
    } else {
        runtime::model_id(&options.stance_dir()?)?
    };
    let t = Instant::now();
    crate::manifest::verify_model(&ner_dir)?;
    if !options.stance_baseline {
        crate::manifest::verify_model(&options.stance_dir()?)?;
    }
    // A tokenizer.json edited together with its manifest passes the check
    // above: each model's config and tokenizer are read as its loading reads
    // them (the weights are loaded only when there is work for the model).
    runtime::Checkpoint::open(&ner_dir)?;
    if !options.stance_baseline {
        runtime::Checkpoint::open(&options.stance_dir()?)?;
    }
    seconds.insert("model_check", t.elapsed().as_secs_f64());
    if options.shard.is_some() {
        // A rerun of a shard replaces its store whole.
        store::remove(&store_path)?;
    }
    let mut store = Store::open(&store_path)?;
    let cleaned = if options.shard.is_some() { 0 } else { outputs::clean_leftovers(&options.out) };
    if cleaned > 0 {
        log.info(&format!("removed {cleaned} temporary file(s) left by an interrupted run"));
    }
    let sources = if options.merge_from.is_empty() { &options.inputs } else { &options.merge_from };
    let inputs: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
    let after = if options.shard.is_some() { 0 } else { outputs::highest_set(&options.out) };
    let interrupted = store.interrupted_run()?;
    let run_id = store.begin_run_after(command, &inputs, after)?;
    if let Some(left) = &interrupted {
        log.info(&resuming_text(run_id, left));
    }
    store.set_run_models(run_id, &ner_model, &stance_model)?;
    if let Some(shard) = options.shard {
        store.set_shard(shard.k, shard.n)?;
    }
    Ok(Run {
        options,
        log,
        started,
        store,
        store_path,
        run_id,
        inputs,
        device,
        ner_dir,
        ner_model,
        stance_model,
        seconds,
        interrupted,
        shard_locks,
        _store_lock: store_lock,
        _out_lock: out_lock,
    })
}

/// The locks of a merge's shard stores, taken before anything is written:
/// a shard job that still writes its store holds its lock, and the merge
/// then fails at once ([`store::StoreError::Busy`], exit 3) naming that
/// store. A path given twice is locked once; a shard store that does not
/// exist is left to the merge's own check, which names it (no lock file is
/// made beside it).
fn lock_shard_stores(shards: &[PathBuf]) -> Result<Vec<StoreLock>> {
    let mut locked: Vec<PathBuf> = Vec::new();
    let mut locks = Vec::new();
    for shard in shards {
        let Ok(real) = shard.canonicalize() else { continue };
        if !real.is_file() || locked.contains(&real) {
            continue;
        }
        locks.push(StoreLock::acquire(shard, "merge")?);
        locked.push(real);
    }
    Ok(locks)
}

/// The line that says a run takes over from one that did not end, with
/// what that run left undone (read from the store before this run's ingest).
fn resuming_text(run_id: i64, left: &store::InterruptedRun) -> String {
    let how = if left.killed { "was killed" } else { "failed" };
    let undone = match (left.texts_without_ner, left.linking_stale) {
        (0, false) => "its model work was done, the export was not".to_string(),
        (0, true) => "NER was done; the linking and stance are left".to_string(),
        (n, stale) => format!(
            "{n} texts of {} documents left without NER{}",
            left.documents_without_ner,
            if stale { ", then the linking and stance" } else { "" }
        ),
    };
    format!(
        "run {run_id} resumes run {}, which {how} after storing {} new or updated documents: {undone}",
        left.run, left.documents_stored
    )
}
