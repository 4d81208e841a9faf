//! Model manifests: every model folder carries `SHA256SUMS`, the SHA-256 of
//! each of its files (all but the manifest, `*.md` notes and dot files), in
//! `sha256sum` format, so `sha256sum -c SHA256SUMS` checks a folder by hand.
//! The export scripts write it (`scripts/export/write_manifest.py` for a folder
//! made otherwise); a run checks every model folder it needs with
//! [`verify_model`] before it writes anything to the store.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The manifest's file name inside a model folder.
pub const FILE: &str = "SHA256SUMS";

/// Why a model folder fails its check. Each names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error(
        "model folder {} has no {FILE}: write one with `python3 scripts/export/write_manifest.py {}` once the folder is known good",
        .0.display(),
        .0.display()
    )]
    Missing(PathBuf),
    #[error("model file {} is corrupt or changed: its SHA-256 is not the one in {FILE} (restore the file, or re-export the model)", .0.display())]
    Changed(PathBuf),
    #[error("model file {} is missing (listed in {})", .0.display(), .1.display())]
    FileMissing(PathBuf, PathBuf),
    #[error("model file {} is not listed in {} (a file added after the export? rewrite the manifest)", .0.display(), .1.display())]
    Unlisted(PathBuf, PathBuf),
    #[error("{}: line {1} is not `<sha256>  <file name>`", .0.display())]
    Malformed(PathBuf, usize),
    #[error("cannot read {}: {1}", .0.display())]
    Io(PathBuf, io::Error),
}

/// The files a manifest covers, by name, sorted.
pub(crate) fn covered_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() || name == FILE || name.ends_with(".md") || name.starts_with('.') {
            continue;
        }
        names.push(name);
    }
    names.sort();
    Ok(names)
}

/// SHA-256 of a file, lower-case hex.
pub(crate) fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes `dir/SHA256SUMS` for the files there now (what
/// `scripts/export/write_manifest.py` writes).
pub fn write(dir: &Path) -> io::Result<()> {
    let mut text = String::new();
    for name in covered_files(dir)? {
        text += &format!("{}  {name}\n", sha256_file(&dir.join(&name))?);
    }
    fs::write(dir.join(FILE), text)
}

/// Checks `dir` against its manifest: every listed file is there with its
/// SHA-256, and no other covered file is.
pub fn verify(dir: &Path) -> Result<(), ManifestError> {
    let manifest = dir.join(FILE);
    let text = match fs::read_to_string(&manifest) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ManifestError::Missing(dir.to_path_buf())),
        Err(e) => return Err(ManifestError::Io(manifest, e)),
    };
    let mut listed = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let (hex, name) = line
            .split_once("  ")
            .map(|(h, n)| (h, n.strip_prefix('*').unwrap_or(n)))
            .filter(|(h, n)| h.len() == 64 && !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| ManifestError::Malformed(manifest.clone(), i + 1))?;
        let path = dir.join(name);
        if !path.is_file() {
            return Err(ManifestError::FileMissing(path, manifest));
        }
        let found = sha256_file(&path).map_err(|e| ManifestError::Io(path.clone(), e))?;
        if !found.eq_ignore_ascii_case(hex) {
            return Err(ManifestError::Changed(path));
        }
        listed.push(name.to_string());
    }
    let present = covered_files(dir).map_err(|e| ManifestError::Io(dir.to_path_buf(), e))?;
    if let Some(extra) = present.iter().find(|n| !listed.contains(n)) {
        return Err(ManifestError::Unlisted(dir.join(extra), manifest));
    }
    Ok(())
}

/// [`verify`] for a model folder and the folder its config.json takes
/// shared tensors from (`shared_tensors.from`), which the model reads too.
pub(crate) fn verify_model(dir: &Path) -> Result<(), ManifestError> {
    verify(dir)?;
    let config = dir.join("config.json");
    let shared = fs::read_to_string(&config)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|c| c["shared_tensors"]["from"].as_str().map(|f| dir.join(f)));
    match shared {
        Some(neighbour) => verify(&neighbour),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("config.json"), "{}").unwrap();
        fs::write(dir.path().join("model.safetensors"), vec![7u8; 100_000]).unwrap();
        fs::write(dir.path().join("MODEL.md"), "notes").unwrap();
        dir
    }

    #[test]
    fn a_written_manifest_verifies_and_notes_may_change() {
        let dir = folder();
        write(dir.path()).unwrap();
        let text = fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("  model.safetensors\n"));
        verify(dir.path()).unwrap();
        fs::write(dir.path().join("MODEL.md"), "other notes").unwrap();
        verify(dir.path()).unwrap();
    }

    #[test]
    fn same_size_corruption_fails_naming_the_file() {
        let dir = folder();
        write(dir.path()).unwrap();
        let mut bytes = fs::read(dir.path().join("model.safetensors")).unwrap();
        bytes[50_000] ^= 1;
        fs::write(dir.path().join("model.safetensors"), bytes).unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("model.safetensors") && err.contains("corrupt or changed"), "{err}");
        assert_eq!(err.lines().count(), 1);
    }

    #[test]
    fn missing_unlisted_and_absent_manifest_fail_clearly() {
        let dir = folder();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("has no SHA256SUMS") && err.contains("write_manifest.py"), "{err}");
        write(dir.path()).unwrap();
        fs::write(dir.path().join("tokenizer.json"), "{}").unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("tokenizer.json") && err.contains("not listed"), "{err}");
        fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
        fs::remove_file(dir.path().join("config.json")).unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("config.json") && err.contains("missing"), "{err}");
    }
}
