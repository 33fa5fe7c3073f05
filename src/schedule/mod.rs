//! The scheduler: priority channels into one bounded pool of blocking workers per provider.
//!
//! The coordinator (the engine's main thread) keeps an aged backlog per pool and feeds the pool's
//! three bounded channels (high, normal, low) as they have room; workers take strictly by priority
//! and report on one bounded `done` channel that the coordinator drains. Each model has its own
//! circuit breaker and rate limiter shared by every worker, and the run has one retry budget.
//! Rayon is not used here: these threads wait on the network.

pub mod backlog;
pub mod job;
#[cfg(test)]
mod tests;
mod worker;

use crate::provider::registry::{task_cache_key, Registry};
use crate::provider::TaskKind;
use crate::resilience::breaker::{Breaker, BreakerConfig, Transition};
use crate::resilience::limiter::RateLimiter;
use crate::resilience::retry::{RetryBudget, RetryPolicy};
use crate::segment::SectionType;
use crate::state::Cache;
use backlog::Backlog;
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender, TrySendError};
use job::{Done, Job};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread::Scope;
use std::time::{Duration, Instant};

/// Priority gained per second of waiting.
const AGE_PER_SECOND: f64 = 0.05;
/// Channel slots per worker and level: enough that a worker never waits on the coordinator.
const SLOTS_PER_WORKER: usize = 2;

/// How the scheduler behaves.
#[derive(Clone, Copy, Debug)]
pub struct SchedulerConfig {
    pub retry: RetryPolicy,
    /// None runs without breakers (the baseline strategy).
    pub breaker: Option<BreakerConfig>,
    /// Retries allowed per first attempt over the run.
    pub retry_budget: f64,
    pub local_workers: usize,
    pub steal: bool,
    /// How long a job must have waited before another pool may steal it: stealing moves a job down
    /// its chain, to a model its routing ranks lower, which only pays when its pool is far behind.
    pub steal_after: Duration,
    /// Enforce configured RPM/TPM before sending (off: send and find out from 429s).
    pub rate_limits: bool,
    /// Priority gained per second of waiting (0: fixed priorities).
    pub aging: f64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            retry: RetryPolicy::default(),
            breaker: Some(BreakerConfig::default()),
            retry_budget: 0.2,
            local_workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            steal: true,
            steal_after: Duration::from_secs(2),
            rate_limits: true,
            aging: AGE_PER_SECOND,
        }
    }
}

impl SchedulerConfig {
    /// The architecture the design improves on, kept for benchmarks: fixed priorities, no
    /// breaker, fixed retries without backoff or budget, no rate limiting, no stealing.
    pub fn baseline(workers: usize) -> SchedulerConfig {
        SchedulerConfig {
            retry: RetryPolicy { max_attempts: 4, fixed_delay: Some(Duration::from_millis(100)), ..RetryPolicy::default() },
            breaker: None,
            retry_budget: f64::INFINITY,
            local_workers: workers,
            steal: false,
            steal_after: Duration::MAX,
            rate_limits: false,
            aging: 0.0,
        }
    }
}

/// A model's shared resilience state.
pub struct ModelRuntime {
    pub breaker: Option<Mutex<Breaker>>,
    pub limiter: Mutex<RateLimiter>,
}

/// A pool's identity.
pub struct PoolInfo {
    pub provider: String,
    pub workers: usize,
    /// False for the local pool, which neither steals nor is stolen from.
    pub networked: bool,
}

/// What the workers share; borrowed for the life of the scheduler's scoped threads.
pub struct Shared<'a> {
    pub registry: &'a Registry,
    pub cache: Option<&'a Cache>,
    pub config: SchedulerConfig,
    pub models: Vec<ModelRuntime>,
    pub pools: Vec<PoolInfo>,
    /// Registry model index -> pool index.
    pub model_pool: Vec<usize>,
    pub budget: RetryBudget,
    pub stop: AtomicBool,
    /// HTTP requests per model (a batch is one).
    pub requests: Vec<AtomicU64>,
    pub limiter_waits: AtomicU64,
    pub stolen: AtomicU64,
    pub started: Instant,
}

impl<'a> Shared<'a> {
    pub fn new(registry: &'a Registry, cache: Option<&'a Cache>, config: SchedulerConfig) -> Shared<'a> {
        let now = Instant::now();
        let n = registry.len();
        let mut pools: Vec<PoolInfo> = Vec::new();
        let mut model_pool = Vec::with_capacity(n);
        let mut models = Vec::with_capacity(n);
        for i in 0..n {
            let e = registry.entry(i);
            let name = e.provider.name().to_string();
            let pool = match pools.iter().position(|p| p.provider == name) {
                Some(p) => p,
                None => {
                    let networked = e.cacheable;
                    let workers = if networked { e.max_concurrency } else { config.local_workers };
                    pools.push(PoolInfo { provider: name, workers: workers.max(1), networked });
                    pools.len() - 1
                }
            };
            model_pool.push(pool);
            models.push(ModelRuntime {
                breaker: config.breaker.filter(|_| e.cacheable).map(|c| Mutex::new(Breaker::new(c))),
                limiter: Mutex::new(if config.rate_limits { RateLimiter::new(e.rpm, e.tpm, now) } else { RateLimiter::unenforced(now) }),
            });
        }
        Shared {
            registry,
            cache,
            config,
            models,
            pools,
            model_pool,
            budget: RetryBudget::new(if config.retry_budget.is_finite() { config.retry_budget } else { 1e9 }, 10),
            stop: AtomicBool::new(false),
            requests: (0..n).map(|_| AtomicU64::new(0)).collect(),
            limiter_waits: AtomicU64::new(0),
            stolen: AtomicU64::new(0),
            started: now,
        }
    }

    fn pool_of_job(&self, job: &Job) -> usize {
        self.model_pool[self.registry.chain(job.kind)[job.chain_pos]]
    }

    /// Cache key of one section's task on registry model `model`.
    pub fn cache_key(&self, model: usize, kind: TaskKind, section_type: SectionType, text: &str, job_hash: &str) -> [u8; 32] {
        task_cache_key(self.registry.entry(model), kind, section_type, text, job_hash)
    }

    /// Breaker transitions of every model: (provider/model, transition), oldest first per model.
    pub fn transitions(&self) -> Vec<(String, Transition)> {
        let mut all = Vec::new();
        for (i, m) in self.models.iter().enumerate() {
            if let Some(b) = &m.breaker {
                let e = self.registry.entry(i);
                for t in b.lock().expect("breaker lock").transitions() {
                    all.push((format!("{}/{}", e.provider.name(), e.name), t.clone()));
                }
            }
        }
        all.sort_by_key(|(_, t)| t.at);
        all
    }

    /// 429s seen and time callers were told to wait, over every model.
    pub fn rate_limit_figures(&self) -> (u64, Duration) {
        let mut count = 0;
        let mut waited = Duration::ZERO;
        for m in &self.models {
            let l = m.limiter.lock().expect("limiter lock");
            count += l.rate_limited;
            waited += l.waited;
        }
        (count, waited)
    }
}

/// The coordinator's handle on running pools.
pub struct Scheduler<'s> {
    shared: &'s Shared<'s>,
    senders: Vec<[Sender<Job>; 3]>,
    backlogs: Vec<Backlog>,
    done_rx: Receiver<Done>,
    /// Jobs handed to pools and not yet reported back.
    in_pools: usize,
}

impl<'s> Scheduler<'s> {
    /// Starts every pool's workers inside `scope`.
    pub fn start<'scope>(scope: &'scope Scope<'scope, '_>, shared: &'s Shared<'s>) -> Scheduler<'s>
    where
        's: 'scope,
    {
        let epoch = Instant::now();
        let mut senders = Vec::new();
        let mut queues = Vec::new();
        let mut backlogs = Vec::new();
        let mut total_workers = 0;
        for pool in &shared.pools {
            let cap = pool.workers * SLOTS_PER_WORKER;
            let (a, ra) = bounded(cap);
            let (b, rb) = bounded(cap);
            let (c, rc) = bounded(cap);
            senders.push([a, b, c]);
            queues.push(worker::Queues { levels: [ra, rb, rc] });
            backlogs.push(Backlog::new(epoch, shared.config.aging));
            total_workers += pool.workers;
        }
        // Room for every job that can be in the pools at once, so a worker never blocks reporting.
        let (done_tx, done_rx) = bounded(total_workers * (3 * SLOTS_PER_WORKER + 1) + 1);
        let mut seed = 0x007A_110D_u64;
        for (p, pool) in shared.pools.iter().enumerate() {
            for w in 0..pool.workers {
                let queues = queues.clone();
                let done = done_tx.clone();
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let s = seed;
                std::thread::Builder::new()
                    .name(format!("tailor-{}-{w}", pool.provider))
                    .spawn_scoped(scope, move || worker::run(shared, p, &queues, &done, s))
                    .expect("worker thread starts");
            }
        }
        Scheduler { shared, senders, backlogs, done_rx, in_pools: 0 }
    }

    /// Queues a job for its model's pool.
    pub fn submit(&mut self, job: Job) {
        let pool = self.shared.pool_of_job(&job);
        self.backlogs[pool].push(job);
    }

    /// Moves backlog jobs into pool channels while they have room, best first; the level follows
    /// the job's aged priority.
    fn pump(&mut self) {
        let now = Instant::now();
        for (pool, backlog) in self.backlogs.iter_mut().enumerate() {
            while let Some(effective) = backlog.peek_effective(now) {
                let level = if effective >= 1.0 {
                    0
                } else if effective >= 0.5 {
                    1
                } else {
                    2
                };
                let job = backlog.pop().expect("peeked");
                match self.senders[pool][level].try_send(job) {
                    Ok(()) => self.in_pools += 1,
                    Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => {
                        backlog.push(job);
                        break;
                    }
                }
            }
        }
    }

    /// Jobs waiting or running.
    pub fn pending(&self) -> usize {
        self.in_pools + self.backlogs.iter().map(Backlog::len).sum::<usize>()
    }

    /// The next worker report, feeding the pools first; None after `timeout` without one.
    pub fn next_done(&mut self, timeout: Duration) -> Option<Done> {
        self.pump();
        match self.done_rx.recv_timeout(timeout) {
            Ok(done) => {
                self.in_pools -= 1;
                Some(done)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Asks workers to give up waiting (rate limits, backoff) so a stop is quick.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
    }

    /// Closes the channels; workers finish the job in hand and exit (the scope joins them).
    pub fn shutdown(self) {
        drop(self.senders);
    }
}
