//! The output folder as one consistent set: every run writes its exports
//! into a folder of its own and swaps it in with one atomic rename, so a
//! user or Gephi always sees a complete set from one run. Owns the folder
//! layout, the pre-flight check (writable, free space) and the clean-up of
//! what a killed run left behind.
//!
//! ```text
//! OUT/runs/run-000012/   graph.gexf, graph.graphml, nodes.csv, edges.csv,
//!                        entities.jsonl, mentions.jsonl, stances.jsonl, summary.json,
//!                        commenters.gexf, entities.gexf, stances.csv, comments.jsonl, report.html
//! OUT/latest -> runs/run-000012        (replaced atomically: rename(2) of a new link)
//! OUT/graph.gexf -> latest/graph.gexf  (one such link per file, made once)
//! ```
//!
//! A set is written into `runs/.tmp-run-000012/`, synced, renamed to
//! `runs/run-000012/`, and only then does `latest` move. A run killed at any
//! point leaves `latest` on the previous whole set; the next run removes the
//! `.tmp-*` folders and `*.tmp` files it finds. The newest [`KEEP_RUNS`]
//! sets are kept.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::export::{self, ExportError, Exports, Summary, FILES};
use crate::report;

/// Export sets kept in `runs/` (the newest ones).
pub(crate) const KEEP_RUNS: usize = 3;

/// Why the output folder can't be used.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("output folder {} is not writable: {source}", path.display())]
    NotWritable { path: PathBuf, source: io::Error },
    #[error("folder {} has {free_mb} MiB free, less than the {need_mb} MiB a run needs (--min-free-mb)", path.display())]
    NoSpace { path: PathBuf, free_mb: u64, need_mb: u64 },
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("cannot switch {} to the new export set: {source}", path.display())]
    Swap { path: PathBuf, source: io::Error },
    #[error(
        "the store holds {documents} documents, fewer than the {last} of the last set ({set}) in {}: \
         not published (a recovered store, or another --store for this --out?); --accept-shrink publishes it",
        out.display()
    )]
    Shrink { out: PathBuf, documents: usize, last: usize, set: String },
    #[error("output folder {} is in use by {holder}", path.display())]
    Busy { path: PathBuf, holder: String },
    #[error(
        "the export of {range} matches no document ({undated} undated left out): nothing written, {}/latest is unchanged",
        out.display()
    )]
    NothingMatched { range: String, undated: usize, out: PathBuf },
    #[error(
        "the export's graph filters ({filters}) leave no entity in the graph: nothing written, {}/latest is unchanged",
        out.display()
    )]
    NoEntityShown { filters: String, out: PathBuf },
}

/// The lock of an output folder (`OUT/.lock`): one run or export writes a
/// folder at a time, whatever store each uses.
pub fn lock(out: &Path, command: &str) -> Result<crate::store::StoreLock, OutputError> {
    use crate::store::{LockError, StoreLock};
    StoreLock::take(&out.join(".lock"), command).map_err(|e| match e {
        LockError::Held(holder) => OutputError::Busy { path: out.to_path_buf(), holder },
        LockError::Io(source) => OutputError::NotWritable { path: out.to_path_buf(), source },
    })
}

/// Sets are numbered after every set in `out/runs`: the highest number
/// there (0 when none), so that numbering never goes backwards when the
/// store is another or a recovered one.
pub(crate) fn highest_set(out: &Path) -> i64 {
    let Ok(entries) = fs::read_dir(out.join("runs")) else { return 0 };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let digits = name.strip_prefix(".tmp-").unwrap_or(&name).strip_prefix("run-")?.to_string();
            digits.parse::<i64>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// Refuses a set made from an archive (the store's documents) smaller than
/// the newest set's in `out/runs` (its `archive_documents`; a set of an
/// earlier build without it counts by `documents`, unless filtered by
/// `export --from/--to`), unless `accept`.
pub(crate) fn check_shrink(out: &Path, documents: usize, accept: bool) -> Result<(), OutputError> {
    if accept {
        return Ok(());
    }
    let Some(names) = set_names(&out.join("runs")) else { return Ok(()) };
    for name in names.iter().rev() {
        let Ok(text) = fs::read_to_string(out.join("runs").join(name).join("summary.json")) else { continue };
        let Ok(summary) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let filtered = ["from", "to"].iter().any(|k| !summary[k].is_null());
        let archive = summary["archive_documents"].as_u64();
        let Some(last) = archive.or(summary["documents"].as_u64().filter(|_| !filtered)) else { continue };
        if (documents as u64) < last {
            return Err(OutputError::Shrink {
                out: out.to_path_buf(),
                documents,
                last: last as usize,
                set: name.clone(),
            });
        }
        return Ok(());
    }
    Ok(())
}

/// The name of a run's export folder.
pub(crate) fn run_name(run: i64) -> String {
    format!("run-{run:06}")
}

/// Before any model work: `out` exists (created if needed), a file can be
/// created in it, and it has at least `min_free_mb` MiB free.
pub(crate) fn preflight(out: &Path, min_free_mb: u64) -> Result<(), OutputError> {
    let not_writable = |source| OutputError::NotWritable { path: out.to_path_buf(), source };
    fs::create_dir_all(out).map_err(not_writable)?;
    let probe = out.join(format!(".stancegraph-probe-{}.tmp", std::process::id()));
    fs::write(&probe, b"probe").map_err(not_writable)?;
    let _ = fs::remove_file(&probe);
    check_free(out, min_free_mb)
}

/// `dir` (the output folder, or the store's when `--store` is elsewhere)
/// has at least `min_free_mb` MiB free.
pub(crate) fn check_free(dir: &Path, min_free_mb: u64) -> Result<(), OutputError> {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    // The store's folder may not exist yet: its nearest existing parent.
    let existing = dir.ancestors().find(|d| d.exists()).unwrap_or(Path::new("."));
    let free_mb = free_bytes(existing)
        .map_err(|source| OutputError::NotWritable { path: dir.to_path_buf(), source })?
        / (1024 * 1024);
    if free_mb < min_free_mb {
        return Err(OutputError::NoSpace { path: dir.to_path_buf(), free_mb, need_mb: min_free_mb });
    }
    Ok(())
}

/// Bytes available to this user on the file system holding `dir`.
fn free_bytes(dir: &Path) -> io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: statvfs fills the struct we pass; the path is a valid C string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Removes what a killed run left: `runs/.tmp-*` folders, `.latest.tmp`,
/// and `*.tmp` files in `out` and in the run folders. Returns how many.
pub(crate) fn clean_leftovers(out: &Path) -> usize {
    let mut removed = 0;
    let is_tmp = |name: &str| name.ends_with(".tmp") || name.starts_with(".tmp-");
    for dir in [out.to_path_buf(), out.join("runs")] {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if is_tmp(&name) {
                let gone = if path.is_dir() && !path.is_symlink() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
                removed += gone.is_ok() as usize;
            } else if dir.ends_with("runs") && path.is_dir() {
                for inner in fs::read_dir(&path).into_iter().flatten().flatten() {
                    if is_tmp(&inner.file_name().to_string_lossy()) && fs::remove_file(inner.path()).is_ok() {
                        removed += 1;
                    }
                }
            }
        }
    }
    removed
}

/// Writes every file of the export set ([`FILES`]) into `dir`: the data
/// files ([`export::write_all`]), then the report page beside them
/// ([`report::write`], which shows their sizes). Returns their paths, in the
/// order of [`FILES`].
pub fn write_files(dir: &Path, exports: &Exports, summary: &Summary) -> Result<Vec<PathBuf>, ExportError> {
    let mut paths = export::write_all(dir, exports, summary)?;
    let page = dir.join(export::REPORT);
    report::write(&page, exports, summary)?;
    paths.push(page);
    Ok(paths)
}

/// Writes a run's export set and swaps it in; returns the set's folder.
pub(crate) fn write_set(out: &Path, run: i64, exports: &Exports, summary: &Summary) -> Result<PathBuf, OutputError> {
    let runs = out.join("runs");
    let name = run_name(run);
    let tmp = runs.join(format!(".tmp-{name}"));
    let done = runs.join(&name);
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(swap(&tmp))?;
    }
    let written = (|| {
        write_files(&tmp, exports, summary)?;
        if done.exists() {
            fs::remove_dir_all(&done).map_err(swap(&done))?;
        }
        fs::rename(&tmp, &done).map_err(swap(&done))?;
        sync_dir(&runs);
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // Move `latest` with one rename of a fresh link.
    let link_tmp = out.join(".latest.tmp");
    let _ = fs::remove_file(&link_tmp);
    std::os::unix::fs::symlink(Path::new("runs").join(&name), &link_tmp).map_err(swap(&link_tmp))?;
    fs::rename(&link_tmp, out.join("latest")).map_err(swap(&out.join("latest")))?;
    sync_dir(out);
    for f in FILES {
        ensure_link(out, f).map_err(swap(&out.join(f)))?;
    }
    prune(&runs, &name);
    Ok(done)
}

/// `out/<file>` → `latest/<file>`, replacing a plain file of an older layout.
fn ensure_link(out: &Path, file: &str) -> io::Result<()> {
    let path = out.join(file);
    let target = Path::new("latest").join(file);
    if fs::read_link(&path).is_ok_and(|t| t == target) {
        return Ok(());
    }
    let tmp = out.join(format!(".{file}.link.tmp"));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(&target, &tmp)?;
    fs::rename(&tmp, &path)
}

/// The `run-*` set folders in `runs`, sorted (`None` when it cannot be read).
fn set_names(runs: &Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(runs)
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("run-"))
        .collect();
    names.sort();
    Some(names)
}

/// Keeps the newest [`KEEP_RUNS`] sets (by name; `current` always stays).
fn prune(runs: &Path, current: &str) {
    let Some(names) = set_names(runs) else { return };
    let keep_from = names.len().saturating_sub(KEEP_RUNS);
    for n in &names[..keep_from] {
        if n != current {
            let _ = fs::remove_dir_all(runs.join(n));
        }
    }
}

/// An error of switching to the new set, naming `path`.
fn swap(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Swap { path: path.to_path_buf(), source }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_removed_and_sets_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::create_dir_all(out.join("runs/.tmp-run-000002")).unwrap();
        fs::create_dir_all(out.join("runs/run-000001")).unwrap();
        fs::write(out.join("runs/run-000001/.graph.gexf.1.0.tmp"), "x").unwrap();
        fs::write(out.join("runs/run-000001/graph.gexf"), "x").unwrap();
        fs::write(out.join(".latest.tmp"), "x").unwrap();
        assert_eq!(clean_leftovers(out), 3);
        assert!(out.join("runs/run-000001/graph.gexf").exists());
        assert!(!out.join("runs/.tmp-run-000002").exists());
        assert_eq!(clean_leftovers(out), 0);
    }

    #[test]
    fn prune_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        for i in 1..=5 {
            fs::create_dir_all(dir.path().join(run_name(i))).unwrap();
        }
        prune(dir.path(), &run_name(5));
        let mut left: Vec<String> =
            fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, ["run-000003", "run-000004", "run-000005"]);
    }

    #[test]
    fn preflight_refuses_too_little_space() {
        let dir = tempfile::tempdir().unwrap();
        assert!(preflight(dir.path(), 0).is_ok());
        let err = preflight(dir.path(), u64::MAX / (1 << 21)).unwrap_err();
        assert!(err.to_string().contains("MiB free"), "{err}");
    }
}
