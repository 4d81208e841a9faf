//! Which files the inputs name: files as given, directories walked
//! recursively in path order (hidden entries, `metadata.tsv` and other
//! extensions passed over), each file once, and the inputs that are missing
//! or unreadable as [`Skipped`] entries.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::Skipped;

/// Extensions read when walking a directory (compared case-insensitively).
const CORPUS_EXTENSIONS: [&str; 3] = ["txt", "jsonl", "json"];

/// The metadata table that sits next to some corpora; never a document.
const METADATA_FILE: &str = "metadata.tsv";

/// The files `load` would read, in path order (inputs in the order given,
/// directories walked recursively and sorted; a file reached twice only at
/// its first place), and the inputs that are missing or can't be read.
pub fn input_files(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut skipped_out = Vec::new();
    for input in inputs {
        match fs::metadata(input) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                skipped_out.push(skipped(input, "no such file or directory"));
            }
            Err(err) => skipped_out.push(skipped(input, &format!("cannot read: {err}"))),
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                let mut visited = HashSet::new();
                walk_dir(input, &mut found, &mut skipped_out, &mut visited);
                found.sort();
                files.extend(found);
            }
            Ok(_) if file_name_is(input, METADATA_FILE) => {
                skipped_out.push(skipped(input, "a metadata table, not a document"));
            }
            Ok(_) => files.push(input.clone()),
        }
    }
    // The same file reached twice is one input, not two claims of its ids.
    let mut seen = HashSet::new();
    files.retain(|file| seen.insert(file.canonicalize().unwrap_or_else(|_| file.clone())));
    (files, skipped_out)
}

/// Collects corpus files under `dir` (unsorted). `visited` holds canonical
/// directory paths so that symlink loops end.
fn walk_dir(dir: &Path, files: &mut Vec<PathBuf>, skipped_out: &mut Vec<Skipped>, visited: &mut HashSet<PathBuf>) {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if !visited.insert(canonical) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            skipped_out.push(skipped(dir, &format!("cannot read directory: {err}")));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                skipped_out.push(skipped(dir, &format!("cannot list directory: {err}")));
                continue;
            }
        };
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        // `fs::metadata` follows symlinks, so linked files and folders count.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk_dir(&path, files, skipped_out, visited),
            Ok(meta) if meta.is_file() => {
                let ext = extension(&path);
                if CORPUS_EXTENSIONS.contains(&ext.as_str()) && !file_name_is(&path, METADATA_FILE) {
                    files.push(path);
                }
            }
            Ok(_) => {}
            Err(err) => skipped_out.push(skipped(&path, &format!("cannot read: {err}"))),
        }
    }
}

fn skipped(path: &Path, reason: &str) -> Skipped {
    Skipped { path: path.to_path_buf(), line: None, reason: reason.to_string() }
}

/// Lower-cased extension, or `""`.
pub(super) fn extension(path: &Path) -> String {
    path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default()
}

fn file_name_is(path: &Path, name: &str) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(name))
}
