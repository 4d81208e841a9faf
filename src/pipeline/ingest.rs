//! Step 2 of a run, ingest: the input files read into the store file by file
//! (an id delivered twice is stored once, from its last copy; an over-long
//! text is cut at a sentence end), or, in a Slurm reduce step, the shard
//! stores checked as one complete set and merged into the store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Log, RunOptions};
use crate::corpus::{self, Document, Skipped};
use crate::export::summary::WorkDone;
use crate::store::{self, DocumentChange, Store};

/// Reads the inputs file by file into the store. Returns what was skipped
/// and the duplicate-id warnings. An id delivered more than once in a run
/// is stored once, from its last copy (the later file, or the later line):
/// a first pass finds each id's last copy, so an earlier copy is never
/// applied and then replaced.
pub(super) fn ingest(
    options: &RunOptions,
    store: &mut Store,
    run_id: i64,
    log: &Log,
    done: &mut WorkDone,
) -> Result<(Vec<Skipped>, Vec<String>)> {
    let (files, mut skipped) = corpus::input_files(&options.inputs);
    for s in &skipped {
        log.warn(&format!("skipped {s}"));
    }
    let owned = |d: &Document| options.shard.is_none_or(|shard| shard.owns(&d.id));
    let place = |path: &Path, i: usize, n: usize| {
        if n > 1 {
            format!("{} (document {} of the file)", path.display(), i + 1)
        } else {
            path.display().to_string()
        }
    };
    // id → (file, document) of its last copy in this run, and where that is.
    let mut last: HashMap<String, ((usize, usize), String)> = HashMap::new();
    for (f, path) in files.iter().enumerate() {
        let Ok(file) = corpus::load_file(path) else { continue };
        let n = file.documents.len();
        for (i, doc) in file.documents.iter().enumerate().filter(|(_, d)| owned(d)) {
            last.insert(doc.id.clone(), ((f, i), place(path, i, n)));
        }
    }
    let mut seen: HashMap<String, DocumentChange> = HashMap::new();
    let mut duplicates = Vec::new();
    log.stage("read", files.len());
    for (f, path) in files.iter().enumerate() {
        let file = match corpus::load_file(path) {
            Ok(file) => file,
            Err(e) => {
                let s = Skipped { path: path.clone(), line: None, reason: e.to_string() };
                log.warn(&format!("skipped {s}"));
                skipped.push(s);
                continue;
            }
        };
        for bad in file.bad_lines {
            let s = Skipped { path: path.clone(), line: Some(bad.line), reason: bad.reason };
            log.warn(&format!("skipped {s}"));
            skipped.push(s);
        }
        let n = file.documents.len();
        let mut docs = Vec::with_capacity(n);
        for (i, mut doc) in file.documents.into_iter().enumerate().filter(|(_, d)| owned(d)) {
            match last.get(&doc.id) {
                Some((at, kept)) if *at != (f, i) => {
                    let line = format!(
                        "document id {:?} is claimed by {} and {kept}; the later one ({kept}) is kept",
                        doc.id,
                        place(path, i, n)
                    );
                    log.warn(&line);
                    duplicates.push(line);
                }
                _ => {
                    cut_long_texts(&mut doc, options.max_text_chars, log, done);
                    docs.push(doc);
                }
            }
        }
        let changes = store.ingest(&docs, run_id)?;
        for (doc, change) in docs.iter().zip(changes) {
            seen.insert(doc.id.clone(), change);
        }
        log.inc(1);
    }
    for change in seen.values() {
        match change {
            DocumentChange::New => done.documents_new += 1,
            DocumentChange::Updated => done.documents_updated += 1,
            DocumentChange::Unchanged => done.documents_unchanged += 1,
        }
    }
    done.comments_new = store.comments_first_stored_in(run_id)?;
    Ok((skipped, duplicates))
}

/// The reduce step's ingest: checks that the shard stores are one complete
/// set (same N, every K once, each finished), then merges their documents
/// and model output into the store. Returns nothing skipped: an incomplete
/// set is refused as a whole, naming the missing or unfinished shard.
pub(super) fn merge_shards(
    shards: &[PathBuf],
    store: &mut Store,
    run_id: i64,
    log: &Log,
    done: &mut WorkDone,
) -> Result<Vec<Skipped>> {
    let mut infos = Vec::with_capacity(shards.len());
    for p in shards {
        infos.push((p, store::shard_info(p)?));
    }
    let n = infos[0].1.n;
    if let Some((p, info)) = infos.iter().find(|(_, i)| i.n != n) {
        anyhow::bail!(
            "shard stores of different sizes: {} is shard {}/{}, {} is shard {}/{n}",
            p.display(),
            info.k,
            info.n,
            infos[0].0.display(),
            infos[0].1.k
        );
    }
    for k in 0..n {
        let holders: Vec<&&PathBuf> = infos.iter().filter(|(_, i)| i.k == k).map(|(p, _)| p).collect();
        match holders.as_slice() {
            [] => anyhow::bail!("shard {k}/{n} is missing: merge needs all {n} shard stores"),
            [one] => {
                let info = &infos.iter().find(|(p, _)| p == *one).expect("listed").1;
                if !info.finished {
                    anyhow::bail!(
                        "shard {k}/{n} ({}) is unfinished (its run is {}): rerun that shard, then the merge",
                        one.display(),
                        info.status
                    );
                }
            }
            [a, b, ..] => anyhow::bail!("shard {k}/{n} is claimed by both {} and {}", a.display(), b.display()),
        }
    }
    log.stage("merge", shards.len());
    let mut changes = Vec::new();
    for (p, _) in &infos {
        changes.extend(store.merge_shard(p, run_id)?);
        log.inc(1);
    }
    for change in changes {
        match change {
            DocumentChange::New => done.documents_new += 1,
            DocumentChange::Updated => done.documents_updated += 1,
            DocumentChange::Unchanged => done.documents_unchanged += 1,
        }
    }
    done.comments_new = store.comments_first_stored_in(run_id)?;
    log.info(&format!(
        "merge: {n} shards, {} documents",
        done.documents_new + done.documents_updated + done.documents_unchanged
    ));
    Ok(Vec::new())
}

/// Cuts the article and comments of `doc` to `max` characters at a sentence
/// end, with one warning per text cut.
fn cut_long_texts(doc: &mut Document, max: usize, log: &Log, done: &mut WorkDone) {
    let id = doc.id.clone();
    let mut cut = |what: String, text: &mut String| {
        if let Some(short) = corpus::cut_at_sentence(text, max) {
            let at =
                if corpus::ends_sentence(&short) { "at a sentence end" } else { "(no sentence end near the limit)" };
            log.warn(&format!(
                "document {id:?}: {what} has {} characters, cut to {} {at} (--max-text-chars {max})",
                text.chars().count(),
                short.chars().count()
            ));
            *text = short;
            done.texts_cut += 1;
        }
    };
    cut("the article".to_string(), &mut doc.text);
    for (i, c) in doc.comments.iter_mut().enumerate() {
        cut(format!("comment {} ({})", i + 1, c.author), &mut c.text);
    }
}
