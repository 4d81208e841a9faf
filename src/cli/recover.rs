//! `stancegraph recover STORE`: what can still be read of a damaged store is
//! copied into a new one; one line says what was kept and what was lost.

use std::process::ExitCode;

use stancegraph::dates::now_utc as now;
use stancegraph::store::{self, StoreError};

use super::args::RecoverArgs;

pub(crate) fn recover(args: RecoverArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.or(args.store_flag).expect("clap requires STORE or --store");
    if !store.is_file() {
        return Err(StoreError::Missing { path: store }.into());
    }
    let _lock = store::StoreLock::acquire(&store, "recover")?;
    let report = store::recover(&store)?;
    let Some(damaged) = &report.damaged else {
        eprintln!("{} stancegraph: store {} is healthy (integrity_check ok): nothing changed", now(), store.display());
        return Ok(ExitCode::SUCCESS);
    };
    let tables: Vec<String> = report
        .tables
        .iter()
        .filter(|(_, t)| t.kept > 0 || t.lost != Some(0))
        .map(|(name, t)| {
            let lost = t.lost.map_or("?".to_string(), |n| n.to_string());
            let pages =
                if t.from_pages > 0 { format!(" ({} read from its pages)", t.from_pages) } else { String::new() };
            format!("{name} {} kept{pages}, {lost} lost", t.kept)
        })
        .collect();
    let rows: usize = report.tables.values().map(|t| t.kept).sum();
    eprintln!(
        "{} stancegraph: recovered {rows} rows into {} ({}); the damaged file is kept as {}",
        now(),
        store.display(),
        if tables.is_empty() { "no rows".to_string() } else { tables.join("; ") },
        damaged.display()
    );
    for lost in &report.lost {
        eprintln!("{} stancegraph: warning: could not read {lost}", now());
    }
    Ok(ExitCode::SUCCESS)
}
