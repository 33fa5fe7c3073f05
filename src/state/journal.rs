//! The run journal: every finished pair's output rows, committed once they are written, so a rerun
//! with the same input, output and settings re-emits them instead of recomputing, and outputs end
//! complete, in input order, without duplicates.

use super::{classify, StateError};
use crate::rows::{ResultRow, SectionRow};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the journal keeps of a finished pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub result: ResultRow,
    pub sections: Vec<SectionRow>,
}

/// Identity of a run for the journal: the input and output paths and a fingerprint of every
/// setting that changes results (models, weights, prompt versions). Changing any of them starts
/// a new journal, so a rerun never serves results made under other settings.
pub fn run_key(input: &Path, out_dir: &Path, settings: &str) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut h = blake3::Hasher::new();
    for part in [canon(input).display().to_string(), canon(out_dir).display().to_string(), settings.to_string()] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// Read side of the journal for one run.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    run_key: String,
}

impl Journal {
    pub fn open(path: &Path, run_key: &str) -> Result<Journal, StateError> {
        Ok(Journal { conn: super::open(path)?, path: path.to_path_buf(), run_key: run_key.to_string() })
    }

    /// How many pairs of this run are done.
    pub fn done(&self) -> Result<u64, StateError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM journal WHERE run_key = ?1", [&self.run_key], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| classify(&self.path, e))
    }

    /// The finished rows of a pair, if it is done and its texts are unchanged (`content` is the
    /// pair's content hash, so an edited row in the same file is recomputed).
    pub fn get(&self, pair_id: &str, content: &str) -> Result<Option<JournalEntry>, StateError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT content, entry FROM journal WHERE run_key = ?1 AND pair_id = ?2")
            .map_err(|e| classify(&self.path, e))?;
        let row: Option<(String, Vec<u8>)> = stmt
            .query_row((&self.run_key, pair_id), |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| classify(&self.path, e))?;
        Ok(match row {
            Some((c, entry)) if c == content => decode(&entry),
            _ => None,
        })
    }

    /// Forgets this run's finished pairs (`--fresh`); the cache is kept.
    pub fn clear(&self) -> Result<u64, StateError> {
        self.conn
            .execute("DELETE FROM journal WHERE run_key = ?1", [&self.run_key])
            .map(|n| n as u64)
            .map_err(|e| classify(&self.path, e))
    }
}

/// An entry as stored: JSON, Snappy-compressed (a pair's rows are mostly text and shrink about
/// threefold, which matters at a hundred thousand pairs).
fn encode(entry: &JournalEntry) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(entry).map_err(|e| e.to_string())?;
    snap::raw::Encoder::new().compress_vec(&json).map_err(|e| e.to_string())
}

/// A stored entry, or None when it cannot be read back (it is then recomputed).
fn decode(blob: &[u8]) -> Option<JournalEntry> {
    let json = snap::raw::Decoder::new().decompress_vec(blob).ok()?;
    serde_json::from_slice(&json).ok()
}

/// Writes finished pairs `(pair_id, content hash, entry)`; the caller's transaction makes them
/// durable together.
pub fn record(conn: &Connection, path: &Path, run_key: &str, entries: &[(String, String, JournalEntry)]) -> Result<(), StateError> {
    let err = |e| classify(path, e);
    let mut stmt = conn
        .prepare_cached("INSERT OR REPLACE INTO journal (run_key, pair_id, content, entry) VALUES (?1, ?2, ?3, ?4)")
        .map_err(err)?;
    for (pair_id, content, entry) in entries {
        let blob = encode(entry).map_err(|detail| StateError::Corrupt { path: path.to_path_buf(), detail })?;
        stmt.execute((run_key, pair_id, content, blob)).map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::Status;

    fn entry(id: &str) -> JournalEntry {
        JournalEntry {
            result: ResultRow {
                pair_id: id.into(),
                status: Status::Ok,
                score_before: Some(10.0),
                score_after: Some(20.0),
                tailored_resume: "text".into(),
                sections: 1,
                sections_optimized: 1,
                models: "local/local".into(),
                calls: 3,
                cache_hits: 0,
                input_tokens: 5,
                output_tokens: 6,
                cost_usd: 0.0,
                elapsed_ms: 1.5,
                error: None,
            },
            sections: Vec::new(),
        }
    }

    #[test]
    fn recorded_pairs_come_back_only_for_their_run_and_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = super::super::db_path(dir.path());
        let conn = super::super::open(&path).expect("open");
        let key = run_key(Path::new("in.csv"), Path::new("out"), "local");
        record(&conn, &path, &key, &[("a".into(), "h1".into(), entry("a"))]).expect("record");
        let j = Journal::open(&path, &key).expect("journal");
        assert_eq!(j.done().expect("count"), 1);
        assert_eq!(j.get("a", "h1").expect("get"), Some(entry("a")));
        assert_eq!(j.get("a", "changed").expect("get"), None, "edited pair is recomputed");
        assert_eq!(j.get("b", "h1").expect("get"), None);
        let other = Journal::open(&path, &run_key(Path::new("in.csv"), Path::new("out"), "gpt-4o")).expect("journal");
        assert_eq!(other.done().expect("count"), 0, "other settings, other journal");
        assert_eq!(j.clear().expect("clear"), 1);
        assert_eq!(j.done().expect("count"), 0);
    }
}
