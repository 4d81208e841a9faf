//! The one-run-at-a-time lock of a store: [`StoreLock`], an advisory `flock`
//! on `<store>.lock` whose file names the process holding it. The kernel drops
//! the lock when that process dies, so a killed run never blocks the next.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use super::{with_suffix, Result, StoreError};
use crate::dates::now_utc;

/// The one-run-at-a-time lock of a store (`<store>.lock`, advisory `flock`).
/// Released when dropped, and by the kernel when the process dies.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the store's lock for `command` (`run`, `export`, ...) or fails
    /// at once with [`StoreError::Busy`] naming the holder (its command, pid
    /// and start time).
    pub fn acquire(store: &Path, command: &str) -> Result<StoreLock> {
        let path = lock_path(store);
        StoreLock::take(&path, command).map_err(|e| match e {
            LockError::Held(holder) => StoreError::Busy { path: store.to_path_buf(), holder },
            LockError::Io(source) => StoreError::Lock { path, source },
        })
    }

    /// Takes the lock file `path` (created with its folder when missing);
    /// the file then names this process.
    pub fn take(path: &Path, command: &str) -> std::result::Result<StoreLock, LockError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(LockError::Io)?;
        }
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(LockError::Io)?;
        // SAFETY: flock on a file descriptor we own.
        let got = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if got != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(LockError::Held(if holder.is_empty() {
                    "another process".into()
                } else {
                    holder.to_string()
                }));
            }
            return Err(LockError::Io(e));
        }
        let io = LockError::Io;
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "stancegraph {command}, pid {} since {}", std::process::id(), now_utc()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(StoreLock { _file: file })
    }
}

/// Why a lock file could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it; what its lock file says of it.
    Held(String),
    Io(std::io::Error),
}

/// `<store>.lock`.
pub(crate) fn lock_path(store: &Path) -> PathBuf {
    with_suffix(store, ".lock")
}
