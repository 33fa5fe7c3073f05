//! State that survives a run, in the state folder: `state.db` (SQLite, WAL) with the result cache and
//! the run journal, and the run lock. Writes go through one writer thread (`StateWriter`); readers
//! open their own connections, which WAL lets run beside the writer.

pub mod cache;
pub mod journal;
pub mod lock;
mod writer;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cache::{cache_key, Cache, CacheLimits};
pub use journal::{run_key, Journal, JournalEntry};
pub use lock::{LockError, RunLock};
pub use writer::{StateWrite, StateWriter};

/// Bumped when the tables change shape; an older file is migrated or refused by number.
pub const SCHEMA_VERSION: i64 = 1;

/// Why the state could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "{path}: the state database is unreadable ({detail}). Move it aside (mv '{path}' '{path}.bad') \
         or rerun with --fresh, which sets it aside and starts a new one; written outputs are not affected"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: state database was written by a newer tailor (schema {found}, this one knows {SCHEMA_VERSION})")]
    TooNew { path: PathBuf, found: i64 },
    #[error("{path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Maps an SQLite error on `path` to a state error, recognising a damaged file.
pub fn classify(path: &Path, e: rusqlite::Error) -> StateError {
    if is_corruption(&e) {
        StateError::Corrupt { path: path.to_path_buf(), detail: e.to_string() }
    } else {
        StateError::Sqlite { path: path.to_path_buf(), source: e }
    }
}

/// Path of the database inside a state folder.
pub fn db_path(state_dir: &Path) -> PathBuf {
    state_dir.join("state.db")
}

/// Opens (creating if needed) the state database with its tables, in WAL mode.
pub fn open(path: &Path) -> Result<Connection, StateError> {
    let err = |e| classify(path, e);
    let conn = Connection::open(path).map_err(err)?;
    conn.busy_timeout(Duration::from_secs(30)).map_err(err)?;
    // The first read of the header is where a truncated or foreign file shows itself.
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
    if version > SCHEMA_VERSION {
        return Err(StateError::TooNew { path: path.to_path_buf(), found: version });
    }
    conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS cache (
             key BLOB PRIMARY KEY,
             value BLOB NOT NULL,
             created_at INTEGER NOT NULL,
             last_used INTEGER NOT NULL
         );
         CREATE INDEX IF NOT EXISTS cache_last_used ON cache(last_used);
         CREATE INDEX IF NOT EXISTS cache_created_at ON cache(created_at);
         CREATE TABLE IF NOT EXISTS journal (
             run_key TEXT NOT NULL,
             pair_id TEXT NOT NULL,
             content TEXT NOT NULL,
             entry BLOB NOT NULL,
             PRIMARY KEY (run_key, pair_id)
         );",
    )
    .map_err(err)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(err)?;
    // A damaged page deeper in the file shows up here rather than halfway through a run.
    let check: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(err)?;
    if check != "ok" {
        return Err(StateError::Corrupt { path: path.to_path_buf(), detail: check });
    }
    Ok(conn)
}

/// Moves a damaged database (and its WAL files) aside so a fresh one can start; returns the new name.
pub fn set_aside(path: &Path, stamp: &str) -> std::io::Result<PathBuf> {
    let aside = path.with_extension(format!("db.bad-{stamp}"));
    std::fs::rename(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_creates_and_reopens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = db_path(dir.path());
        drop(open(&path).expect("create"));
        let conn = open(&path).expect("reopen");
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn a_truncated_database_is_reported_as_corrupt_and_can_be_set_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = db_path(dir.path());
        {
            let conn = open(&path).expect("create");
            for i in 0..200 {
                conn.execute("INSERT INTO cache VALUES (?1, ?2, 0, 0)", (vec![i as u8, 1, 2], vec![7u8; 1000])).expect("insert");
            }
            conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").expect("checkpoint");
        }
        let len = std::fs::metadata(&path).expect("meta").len();
        std::fs::OpenOptions::new().write(true).open(&path).expect("open").set_len(len / 3).expect("truncate");
        match open(&path) {
            Err(e @ StateError::Corrupt { .. }) => assert!(e.to_string().contains("--fresh"), "{e}"),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        let aside = set_aside(&path, "test").expect("set aside");
        assert!(aside.exists() && !path.exists());
        open(&path).expect("a new database starts");
    }

    #[test]
    fn garbage_is_not_a_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = db_path(dir.path());
        std::fs::write(&path, vec![b'x'; 4096]).expect("write");
        assert!(matches!(open(&path), Err(StateError::Corrupt { .. })));
    }
}
