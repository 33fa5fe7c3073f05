//! The coordinator's backlog of ready jobs per pool, ordered by aged priority.
//!
//! Aging: a job's effective priority is `priority + age * rate`. Every job ages at the same rate,
//! so the order between two jobs is fixed by `priority - enqueued * rate` and a plain heap keeps
//! it without re-keying. Jobs leave the backlog for the pool's bounded priority channels, so most
//! waiting, and so most aging, happens here.

use super::job::Job;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

struct Entry {
    key: f64,
    seq: u64,
    job: Job,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Higher key first; among equals, first in first out.
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.total_cmp(&other.key).then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Jobs waiting for room in a pool's channels.
pub struct Backlog {
    heap: BinaryHeap<Entry>,
    epoch: Instant,
    /// Priority gained per second of waiting.
    rate: f64,
    seq: u64,
}

impl Backlog {
    pub fn new(epoch: Instant, rate: f64) -> Backlog {
        Backlog { heap: BinaryHeap::new(), epoch, rate, seq: 0 }
    }

    pub fn push(&mut self, job: Job) {
        let enqueued = job.enqueued.saturating_duration_since(self.epoch).as_secs_f64();
        self.seq += 1;
        self.heap.push(Entry { key: f64::from(job.priority) - enqueued * self.rate, seq: self.seq, job });
    }

    pub fn pop(&mut self) -> Option<Job> {
        self.heap.pop().map(|e| e.job)
    }

    /// The effective priority of the next job at `now`.
    pub fn peek_effective(&self, now: Instant) -> Option<f64> {
        self.heap.peek().map(|e| e.key + now.saturating_duration_since(self.epoch).as_secs_f64() * self.rate)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::analyse;
    use crate::provider::TaskKind;
    use std::sync::Arc;
    use std::time::Duration;

    fn job(priority: f32, enqueued: Instant) -> Job {
        Job {
            kind: TaskKind::Evaluate,
            items: Vec::new(),
            job: Arc::new(analyse("j")),
            job_text: "j".into(),
            evidence: Arc::from(Vec::new()),
            chain_pos: 0,
            priority,
            enqueued,
        }
    }

    #[test]
    fn higher_priority_first_and_fifo_among_equals() {
        let t0 = Instant::now();
        let mut b = Backlog::new(t0, 0.0);
        b.push(job(0.2, t0));
        b.push(job(0.9, t0));
        b.push(job(0.2, t0 + Duration::from_millis(1)));
        let order: Vec<(f32, Instant)> = std::iter::from_fn(|| b.pop()).map(|j| (j.priority, j.enqueued)).collect();
        assert_eq!(order, vec![(0.9, t0), (0.2, t0), (0.2, t0 + Duration::from_millis(1))]);
    }

    #[test]
    fn a_waiting_job_overtakes_newer_higher_ones() {
        let t0 = Instant::now();
        let mut b = Backlog::new(t0, 0.1);
        b.push(job(0.1, t0));
        // 10 s later a job of priority 0.9 arrives: the old one has aged to 1.1.
        b.push(job(0.9, t0 + Duration::from_secs(10)));
        assert_eq!(b.pop().map(|j| j.priority), Some(0.1));
        assert!((b.peek_effective(t0 + Duration::from_secs(10)).expect("one left") - 0.9).abs() < 1e-6);
    }
}
