//! The run lock: one run at a time per state folder.
//!
//! An OS advisory lock (`flock`) on `state/lock` guards the folder, so the kernel releases it when the
//! holder dies, however it dies. The file's text names the holder (pid, start time) for the message a
//! second run prints. A run that ends cleanly empties the file; a run that finds text in a file it
//! could lock knows the previous holder died, and says it takes the lock over.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Who holds (or held) a lock, as written in the lock file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub started_at: String,
}

impl Holder {
    fn parse(text: &str) -> Option<Holder> {
        let mut pid = None;
        let mut started_at = None;
        for line in text.lines() {
            match line.split_once('=') {
                Some(("pid", v)) => pid = v.trim().parse().ok(),
                Some(("started_at", v)) => started_at = Some(v.trim().to_string()),
                _ => {}
            }
        }
        Some(Holder { pid: pid?, started_at: started_at.unwrap_or_default() })
    }
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path}: another tailor run holds this state folder (pid {}, started {}); wait for it to finish or use another --state", holder.pid, holder.started_at)]
    Held { path: PathBuf, holder: Holder },
    #[error("{path}: another tailor run holds this state folder")]
    HeldUnknown { path: PathBuf },
    #[error("{path}: cannot use the lock file: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// A held run lock; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    /// The holder whose dead run left the lock behind, if any.
    pub taken_over: Option<Holder>,
}

impl RunLock {
    /// Takes the lock of `state_dir`, writing this process as the holder.
    pub fn acquire(state_dir: &Path, started_at: &str) -> Result<RunLock, LockError> {
        let path = state_dir.join("lock");
        let io = |source| LockError::Io { path: path.clone(), source };
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(match Holder::parse(&text) {
                    Some(holder) => LockError::Held { path, holder },
                    None => LockError::HeldUnknown { path },
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let mut previous = String::new();
        file.read_to_string(&mut previous).map_err(io)?;
        let taken_over = Holder::parse(&previous);
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        write!(file, "pid={}\nstarted_at={started_at}\n", std::process::id()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(RunLock { file, taken_over })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // An empty file tells the next run that this one ended cleanly; the kernel drops the lock
        // when the file closes.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_names_the_holder_and_release_frees_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = RunLock::acquire(dir.path(), "2026-01-01T00:00:00Z").expect("first lock");
        assert_eq!(first.taken_over, None);
        match RunLock::acquire(dir.path(), "later") {
            Err(LockError::Held { holder, .. }) => {
                assert_eq!(holder.pid, std::process::id());
                assert_eq!(holder.started_at, "2026-01-01T00:00:00Z");
            }
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        let again = RunLock::acquire(dir.path(), "later").expect("free after drop");
        assert_eq!(again.taken_over, None, "a clean release leaves nothing to take over");
    }

    #[test]
    fn a_lock_left_by_a_dead_run_is_taken_over() {
        let dir = tempfile::tempdir().expect("tempdir");
        // What a killed run leaves: its text in the file, and no flock (the kernel released it).
        std::fs::write(dir.path().join("lock"), "pid=999999\nstarted_at=2026-01-01T00:00:00Z\n").expect("write");
        let lock = RunLock::acquire(dir.path(), "now").expect("stale lock is taken");
        assert_eq!(lock.taken_over, Some(Holder { pid: 999_999, started_at: "2026-01-01T00:00:00Z".into() }));
    }
}
