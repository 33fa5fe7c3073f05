//! The result cache: a task's answer keyed by blake3 of everything that determines it, kept across
//! runs in `state.db` with a TTL and a size cap, behind an in-memory layer for this run's repeats.

use super::{classify, StateError, StateWrite};
use ahash::AHashMap;
use crossbeam_channel::Sender;
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Entries the in-memory layer holds before it starts over; the database still has them all.
const MEMORY_ENTRIES: usize = 65_536;

/// How long answers live and how much the cache may hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheLimits {
    pub ttl: Duration,
    pub max_bytes: u64,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits { ttl: Duration::from_secs(30 * 86_400), max_bytes: 2 << 30 }
    }
}

/// A cache key: blake3 over the parts, each length-prefixed so `("ab","c")` and `("a","bc")` differ.
pub fn cache_key(parts: &[&str]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    *h.finalize().as_bytes()
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The cache as the workers see it: reads here, writes sent to the state writer thread.
pub struct Cache {
    read: Mutex<Connection>,
    path: PathBuf,
    memory: Mutex<AHashMap<[u8; 32], Arc<[u8]>>>,
    writes: Sender<StateWrite>,
    ttl_secs: i64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Cache {
    pub fn open(path: &Path, writes: Sender<StateWrite>, limits: CacheLimits) -> Result<Cache, StateError> {
        Ok(Cache {
            read: Mutex::new(super::open(path)?),
            path: path.to_path_buf(),
            memory: Mutex::new(AHashMap::new()),
            writes,
            ttl_secs: limits.ttl.as_secs() as i64,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        })
    }

    /// The stored answer for `key`, if any and not expired.
    pub fn get(&self, key: &[u8; 32]) -> Result<Option<Arc<[u8]>>, StateError> {
        if let Some(v) = self.memory.lock().expect("cache memory lock").get(key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(Arc::clone(v)));
        }
        let found: Option<Vec<u8>> = {
            let conn = self.read.lock().expect("cache read lock");
            conn.prepare_cached("SELECT value FROM cache WHERE key = ?1 AND created_at >= ?2")
                .and_then(|mut s| s.query_row((key.as_slice(), now_secs() - self.ttl_secs), |r| r.get(0)).optional())
                .map_err(|e| classify(&self.path, e))?
        };
        match found {
            Some(v) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                let v: Arc<[u8]> = v.into();
                self.remember(*key, Arc::clone(&v));
                let _ = self.writes.send(StateWrite::Touch { key: *key });
                Ok(Some(v))
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                Ok(None)
            }
        }
    }

    /// Stores an answer: at once in memory, durably when the writer thread commits it.
    pub fn put(&self, key: [u8; 32], value: Vec<u8>) {
        let v: Arc<[u8]> = value.into();
        self.remember(key, Arc::clone(&v));
        let _ = self.writes.send(StateWrite::CachePut { key, value: v });
    }

    fn remember(&self, key: [u8; 32], value: Arc<[u8]>) {
        let mut m = self.memory.lock().expect("cache memory lock");
        if m.len() >= MEMORY_ENTRIES {
            m.clear();
        }
        m.insert(key, value);
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }
}

/// Drops expired entries, then the least recently used until the cache fits its cap. Returns how
/// many entries were removed.
pub fn evict(conn: &Connection, path: &Path, limits: CacheLimits) -> Result<u64, StateError> {
    let err = |e| classify(path, e);
    let mut removed = conn.execute("DELETE FROM cache WHERE created_at < ?1", [now_secs() - limits.ttl.as_secs() as i64]).map_err(err)? as u64;
    let mut size: i64 = conn.query_row("SELECT COALESCE(SUM(LENGTH(value)), 0) FROM cache", [], |r| r.get(0)).map_err(err)?;
    while size as u64 > limits.max_bytes {
        // Oldest first, a slice at a time, so a huge cache is trimmed without one giant statement.
        let (n, freed): (i64, i64) = conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(value)), 0) FROM (SELECT value FROM cache ORDER BY last_used LIMIT 512)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(err)?;
        if n == 0 {
            break;
        }
        conn.execute("DELETE FROM cache WHERE key IN (SELECT key FROM cache ORDER BY last_used LIMIT 512)", []).map_err(err)?;
        removed += n as u64;
        size -= freed;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{db_path, StateWriter};

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(cache_key(&["ab", "c"]), cache_key(&["a", "bc"]));
        assert_eq!(cache_key(&["a", "b"]), cache_key(&["a", "b"]));
    }

    #[test]
    fn answers_survive_a_restart_and_count_hits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = db_path(dir.path());
        let key = cache_key(&["v1", "optimize", "text"]);
        {
            let writer = StateWriter::start(&path, CacheLimits::default()).expect("writer");
            let cache = Cache::open(&path, writer.sender(), CacheLimits::default()).expect("cache");
            assert_eq!(cache.get(&key).expect("get"), None);
            cache.put(key, b"answer".to_vec());
            assert_eq!(cache.get(&key).expect("get").as_deref(), Some(&b"answer"[..]));
            assert_eq!((cache.hits(), cache.misses()), (1, 1));
            drop(cache);
            writer.finish().expect("finish");
        }
        let writer = StateWriter::start(&path, CacheLimits::default()).expect("writer");
        let cache = Cache::open(&path, writer.sender(), CacheLimits::default()).expect("cache");
        assert_eq!(cache.get(&key).expect("get").as_deref(), Some(&b"answer"[..]), "read back from disk");
    }

    #[test]
    fn eviction_enforces_ttl_and_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = db_path(dir.path());
        let conn = crate::state::open(&path).expect("open");
        let now = now_secs();
        conn.execute("INSERT INTO cache VALUES (x'01', zeroblob(100), ?1, ?1)", [now - 100_000]).expect("old");
        for i in 2..12u8 {
            conn.execute("INSERT INTO cache VALUES (?1, zeroblob(100), ?2, ?3)", (vec![i], now, now + i64::from(i))).expect("insert");
        }
        let limits = CacheLimits { ttl: Duration::from_secs(1000), max_bytes: 1000 };
        let removed = evict(&conn, &path, limits).expect("evict");
        let left: i64 = conn.query_row("SELECT COUNT(*) FROM cache", [], |r| r.get(0)).expect("count");
        assert_eq!(removed + left as u64, 11);
        assert!(left <= 10 && left > 0, "{left}");
        let oldest_left: Option<Vec<u8>> = conn.query_row("SELECT key FROM cache ORDER BY last_used LIMIT 1", [], |r| r.get(0)).optional().expect("q");
        assert_ne!(oldest_left, Some(vec![1]), "expired entry is gone");
    }
}
