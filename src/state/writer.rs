//! The one thread that writes `state.db`: cache entries (batched) and journal batches (committed at
//! once, since "done" must mean durable). SQLite allows one writer; funnelling writes through a
//! channel keeps workers from contending for it.

use super::cache::{evict, now_secs, CacheLimits};
use super::journal::{record, JournalEntry};
use super::{classify, StateError};
use crossbeam_channel::{bounded, Receiver, Sender};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Cache entries written in one transaction at most; a batch also ends when the channel is idle.
const CACHE_BATCH: usize = 256;

/// A write for the state thread.
pub enum StateWrite {
    CachePut { key: [u8; 32], value: Arc<[u8]> },
    /// A cache hit: keeps the entry from being evicted as least recently used.
    Touch { key: [u8; 32] },
    /// Finished pairs `(pair_id, content hash, entry)`; `ack` learns when they are durable.
    Journal { run_key: String, entries: Vec<(String, String, JournalEntry)>, ack: Option<Sender<Result<(), String>>> },
}

/// Handle of the writer thread.
pub struct StateWriter {
    tx: Sender<StateWrite>,
    handle: JoinHandle<Result<u64, StateError>>,
}

impl StateWriter {
    /// Opens the database and starts the thread. Its first work is eviction under `limits`, which
    /// scans the cache: run while the pipeline starts, it costs the run no wall time (a finished
    /// run used to wait for it), and the cap holds as each run starts.
    pub fn start(path: &Path, limits: CacheLimits) -> Result<StateWriter, StateError> {
        let conn = super::open(path)?;
        let (tx, rx) = bounded(4096);
        let path: PathBuf = path.to_path_buf();
        let handle = std::thread::Builder::new()
            .name("tailor-state".into())
            .spawn(move || write_loop(conn, &path, &rx, limits))
            .map_err(|e| StateError::Corrupt { path: PathBuf::new(), detail: format!("cannot start the state writer: {e}") })?;
        Ok(StateWriter { tx, handle })
    }

    pub fn sender(&self) -> Sender<StateWrite> {
        self.tx.clone()
    }

    /// Waits for every sent write to commit and returns how many cache entries eviction removed.
    /// Every sender clone must be dropped first, or this waits for them.
    pub fn finish(self) -> Result<u64, StateError> {
        drop(self.tx);
        self.handle.join().unwrap_or_else(|_| Err(StateError::Corrupt { path: PathBuf::new(), detail: "the state writer panicked".into() }))
    }
}

fn write_loop(mut conn: rusqlite::Connection, path: &Path, rx: &Receiver<StateWrite>, limits: CacheLimits) -> Result<u64, StateError> {
    let err = |e| classify(path, e);
    let evicted = evict(&conn, path, limits)?;
    let mut pending: Vec<StateWrite> = Vec::new();
    while let Ok(first) = rx.recv() {
        pending.push(first);
        while pending.len() < CACHE_BATCH {
            match rx.try_recv() {
                Ok(w) => pending.push(w),
                Err(_) => break,
            }
        }
        let now = now_secs();
        let tx = conn.transaction().map_err(err)?;
        let mut acks = Vec::new();
        for w in pending.drain(..) {
            match w {
                StateWrite::CachePut { key, value } => {
                    tx.prepare_cached("INSERT OR REPLACE INTO cache (key, value, created_at, last_used) VALUES (?1, ?2, ?3, ?3)")
                        .and_then(|mut s| s.execute((key.as_slice(), &value[..], now)))
                        .map_err(err)?;
                }
                StateWrite::Touch { key } => {
                    tx.prepare_cached("UPDATE cache SET last_used = ?2 WHERE key = ?1")
                        .and_then(|mut s| s.execute((key.as_slice(), now)))
                        .map_err(err)?;
                }
                StateWrite::Journal { run_key, entries, ack } => {
                    record(&tx, path, &run_key, &entries)?;
                    acks.extend(ack);
                }
            }
        }
        let committed = tx.commit().map_err(err);
        for ack in acks {
            let _ = ack.send(committed.as_ref().map(|_| ()).map_err(ToString::to_string));
        }
        committed?;
    }
    Ok(evicted)
}
