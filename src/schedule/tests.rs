//! The scheduler with fault-injecting providers, in process: fallback down the chain, retries
//! within the budget, the breaker opening on a dead model, batches split back per item.

use super::job::{Done, ItemKey, Job, JobItem, Outcome, Stage};
use super::{Scheduler, SchedulerConfig, Shared};
use crate::job::analyse;
use crate::provider::local::LocalProvider;
use crate::provider::registry::{ModelEntry, Price, Registry};
use crate::provider::{BatchCompletion, BatchInput, Completion, FailureKind, Provider, ProviderError, TaskInput, TaskKind};
use crate::resilience::breaker::BreakerConfig;
use crate::resilience::retry::RetryPolicy;
use crate::segment::SectionType;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A provider that answers like `local` but fails the calls `fail` says it should.
#[derive(Debug)]
struct Flaky {
    calls: AtomicU64,
    batches: AtomicU64,
    /// Given the 0-based call number, the failure to return, if any.
    fail: fn(u64) -> Option<FailureKind>,
}

impl Flaky {
    fn check(&self) -> Result<(), ProviderError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        match (self.fail)(n) {
            Some(kind) => {
                let mut e = ProviderError::new("flaky", "flaky-1", kind, "injected");
                if kind == FailureKind::RateLimited {
                    e.retry_after = Some(Duration::from_secs(10));
                }
                Err(e)
            }
            None => Ok(()),
        }
    }
}

impl Provider for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }

    fn complete(&self, model: &str, input: &TaskInput<'_>) -> Result<Completion, ProviderError> {
        self.check()?;
        LocalProvider.complete(model, input)
    }

    fn complete_batch(&self, model: &str, batch: &BatchInput<'_>) -> Result<BatchCompletion, ProviderError> {
        self.check()?;
        self.batches.fetch_add(1, Ordering::SeqCst);
        LocalProvider.complete_batch(model, batch)
    }
}

fn registry(flaky: Arc<Flaky>, workers: usize) -> Registry {
    Registry::from_entries(vec![entry("flaky-1", flaky, workers)], &["flaky-1"], &["flaky-1"])
}

/// A networked, cacheable model without rate limits served by `provider` with `workers` workers.
fn entry(name: &str, provider: Arc<dyn Provider>, workers: usize) -> ModelEntry {
    ModelEntry {
        name: name.into(),
        provider,
        price: Price { in_per_mtok: 1.0, out_per_mtok: 2.0, cached_in_per_mtok: 1.0 },
        simpler: None,
        cacheable: true,
        max_concurrency: workers,
        rpm: None,
        tpm: None,
    }
}

fn job(n: u32, items: usize) -> Job {
    let job = Arc::new(analyse("Engineer\n- Python and SQL\n"));
    Job {
        kind: TaskKind::Evaluate,
        items: (0..items)
            .map(|i| JobItem { key: ItemKey { pair: n, part: i as u32, stage: Stage::Before }, section_type: SectionType::Skills, text: Arc::from("Python, SQL\n") })
            .collect(),
        job,
        job_text: Arc::from("Engineer\n- Python and SQL\n"),
        evidence: Arc::from(Vec::new()),
        chain_pos: 0,
        priority: 0.5,
        enqueued: std::time::Instant::now(),
    }
}

fn config() -> SchedulerConfig {
    SchedulerConfig {
        retry: RetryPolicy { base: Duration::from_millis(1), cap: Duration::from_millis(2), ..RetryPolicy::default() },
        breaker: Some(BreakerConfig { window: 10, min_calls: 10, failure_rate: 0.5, open_for: Duration::from_secs(60), probes: 1 }),
        local_workers: 2,
        ..SchedulerConfig::default()
    }
}

/// Runs jobs to their end, following fallbacks as the engine's coordinator does; returns the
/// final reports.
fn run_all(shared: &Shared<'_>, jobs: Vec<Job>) -> Vec<Done> {
    std::thread::scope(|scope| {
        let mut s = Scheduler::start(scope, shared);
        let total = jobs.len();
        for j in jobs {
            s.submit(j);
        }
        let mut finished = Vec::new();
        while finished.len() < total {
            let Some(done) = s.next_done(Duration::from_secs(5)) else { panic!("scheduler stalled with {} pending", s.pending()) };
            match done.outcome {
                Outcome::FallBack(_) if done.job.chain_pos + 1 < shared.registry.chain(done.job.kind).len() => {
                    let mut next = done.job;
                    next.chain_pos += 1;
                    s.submit(next);
                }
                Outcome::Returned => s.submit(done.job),
                _ => finished.push(done),
            }
        }
        s.shutdown();
        finished
    })
}

fn served_by(shared: &Shared<'_>, done: &Done) -> String {
    match &done.outcome {
        Outcome::Answered { model, answers } => {
            assert!(answers.iter().all(|a| a.result.is_ok()), "every item answered");
            shared.registry.entry(*model).name.clone()
        }
        other => panic!("expected an answer, got {other:?}"),
    }
}

#[test]
fn transient_failures_are_retried_on_the_same_model() {
    let flaky = Arc::new(Flaky { calls: AtomicU64::new(0), batches: AtomicU64::new(0), fail: |n| (n % 2 == 0).then_some(FailureKind::Server) });
    // One worker, so calls alternate fail, succeed within each job.
    let reg = registry(Arc::clone(&flaky), 1);
    let shared = Shared::new(&reg, None, SchedulerConfig { retry_budget: 1.0, breaker: None, ..config() });
    let done = run_all(&shared, (0..8).map(|n| job(n, 1)).collect());
    assert!(done.iter().all(|d| served_by(&shared, d) == "flaky-1"), "a retry on the same model succeeds");
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 16, "each job failed once, then succeeded");
    assert_eq!(shared.budget.counts().0, 8);
}

#[test]
fn a_dead_model_falls_back_to_local_and_its_breaker_opens() {
    let flaky = Arc::new(Flaky { calls: AtomicU64::new(0), batches: AtomicU64::new(0), fail: |_| Some(FailureKind::Server) });
    let reg = registry(Arc::clone(&flaky), 4);
    let shared = Shared::new(&reg, None, config());
    let done = run_all(&shared, (0..40).map(|n| job(n, 1)).collect());
    assert!(done.iter().all(|d| served_by(&shared, d) == "local"), "every job ends on the last resort");
    let transitions = shared.transitions();
    assert!(transitions.iter().any(|(m, t)| m == "flaky/flaky-1" && t.to == "open"), "{transitions:?}");
    assert!(flaky.calls.load(Ordering::SeqCst) < 40 * 3, "the open breaker and the retry budget spared calls");
}

#[test]
fn client_errors_fall_back_without_retry() {
    let flaky = Arc::new(Flaky { calls: AtomicU64::new(0), batches: AtomicU64::new(0), fail: |_| Some(FailureKind::BadRequest) });
    let reg = registry(Arc::clone(&flaky), 4);
    let shared = Shared::new(&reg, None, SchedulerConfig { breaker: None, ..config() });
    let done = run_all(&shared, (0..5).map(|n| job(n, 1)).collect());
    assert!(done.iter().all(|d| served_by(&shared, d) == "local"));
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 5, "one attempt each");
}

#[test]
fn bad_credentials_are_fatal() {
    let flaky = Arc::new(Flaky { calls: AtomicU64::new(0), batches: AtomicU64::new(0), fail: |_| Some(FailureKind::Auth) });
    let reg = registry(Arc::clone(&flaky), 4);
    let shared = Shared::new(&reg, None, config());
    let done = run_all(&shared, vec![job(0, 1)]);
    assert!(matches!(done[0].outcome, Outcome::Fatal(ref e) if e.kind == FailureKind::Auth));
}

#[test]
fn a_batch_is_one_request_answered_per_item() {
    let flaky = Arc::new(Flaky { calls: AtomicU64::new(0), batches: AtomicU64::new(0), fail: |_| None });
    let reg = registry(Arc::clone(&flaky), 4);
    let shared = Shared::new(&reg, None, config());
    let done = run_all(&shared, vec![job(0, 4)]);
    match &done[0].outcome {
        Outcome::Answered { answers, .. } => {
            assert_eq!(answers.len(), 4);
            let calls: Vec<_> = answers.iter().filter_map(|a| a.call.as_ref()).collect();
            assert_eq!(calls.len(), 4, "each item carries its share of the call");
            assert!(calls.iter().all(|c| c.input_tokens > 0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((flaky.calls.load(Ordering::SeqCst), flaky.batches.load(Ordering::SeqCst)), (1, 1));
}

#[test]
fn a_429_pauses_the_model_but_the_baseline_retries_it_blindly() {
    let fail: fn(u64) -> Option<FailureKind> = |n| (n == 0).then_some(FailureKind::RateLimited);
    // Enhanced: the 429's ten-second retry-after holds the model; the job is still waiting.
    let flaky = Arc::new(Flaky { calls: AtomicU64::new(0), batches: AtomicU64::new(0), fail });
    let reg = registry(Arc::clone(&flaky), 1);
    let shared = Shared::new(&reg, None, config());
    std::thread::scope(|scope| {
        let mut s = Scheduler::start(scope, &shared);
        s.submit(job(0, 1));
        assert!(s.next_done(Duration::from_millis(300)).is_none(), "the limiter holds the retry");
        assert_eq!(flaky.calls.load(Ordering::SeqCst), 1);
        shared.stop.store(true, Ordering::Release);
        s.shutdown();
    });
    // Baseline: the same 429 is retried after its fixed delay, retry-after ignored.
    let flaky = Arc::new(Flaky { calls: AtomicU64::new(0), batches: AtomicU64::new(0), fail });
    let reg = registry(Arc::clone(&flaky), 1);
    let base = SchedulerConfig::baseline(1);
    let shared = Shared::new(&reg, None, SchedulerConfig { retry: RetryPolicy { fixed_delay: Some(Duration::from_millis(1)), ..base.retry }, ..base });
    let done = run_all(&shared, vec![job(0, 1)]);
    assert_eq!(served_by(&shared, &done[0]), "flaky-1");
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 2);
    assert_eq!(shared.rate_limit_figures().0, 1, "the 429 is still counted");
}

/// A provider answering like `local` after holding each call for `delay`.
#[derive(Debug)]
struct Slow {
    name: &'static str,
    delay: Duration,
    calls: AtomicU64,
}

impl Provider for Slow {
    fn name(&self) -> &str {
        self.name
    }

    fn complete(&self, model: &str, input: &TaskInput<'_>) -> Result<Completion, ProviderError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        LocalProvider.complete(model, input)
    }

    fn complete_batch(&self, model: &str, batch: &BatchInput<'_>) -> Result<BatchCompletion, ProviderError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        LocalProvider.complete_batch(model, batch)
    }
}

#[test]
fn an_idle_pool_steals_jobs_its_model_can_serve_further_down_their_chain() {
    let slow = Arc::new(Slow { name: "slow", delay: Duration::from_millis(200), calls: AtomicU64::new(0) });
    let fast = Arc::new(Slow { name: "fast", delay: Duration::ZERO, calls: AtomicU64::new(0) });
    let reg = Registry::from_entries(vec![entry("slow-1", Arc::clone(&slow) as Arc<dyn Provider>, 1), entry("fast-1", Arc::clone(&fast) as Arc<dyn Provider>, 1)], &["slow-1", "fast-1"], &["slow-1", "fast-1"]);
    let run = |steal: bool| {
        let shared = Shared::new(&reg, None, SchedulerConfig { steal, steal_after: Duration::ZERO, ..config() });
        let done = run_all(&shared, (0..8).map(|n| job(n, 1)).collect());
        let by_fast = done.iter().filter(|d| served_by(&shared, d) == "fast-1").count();
        (by_fast, shared.stolen.load(Ordering::Relaxed))
    };
    let (by_fast, stolen) = run(true);
    assert!(by_fast > 0 && stolen as usize == by_fast, "fast served {by_fast}, stolen {stolen}");
    assert!(by_fast < 8, "the slow pool kept the job in hand");
    assert_eq!(run(false), (0, 0), "without stealing every job waits for its own pool");
}

#[test]
fn a_batch_request_is_split_so_every_item_carries_its_share_and_the_sum_is_exact() {
    let mut j = job(0, 3);
    j.items[0].text = Arc::from("Go\n");
    j.items[1].text = Arc::from("Python, SQL, Rust, TypeScript, Kubernetes, Terraform, AWS, GCP, Azure\n".repeat(20));
    let key = |_: usize| crate::stats::StatsKey { provider: "p".into(), model: "m".into(), section_type: SectionType::Skills, task_kind: TaskKind::Evaluate };
    let usage = crate::provider::Usage { input_tokens: 1_001, output_tokens: 97, cached_input_tokens: 0 };
    let calls = super::worker::item_calls(&j, &[0, 1, 2], &key, usage, 0.5, 10, None);
    assert!(calls.iter().all(|c| c.input_tokens > 0 && c.output_tokens > 0 && c.cost_usd > 0.0), "{calls:?}");
    assert!(calls[1].input_tokens > calls[0].input_tokens, "the long section caused more of the prompt");
    assert_eq!(calls.iter().map(|c| c.input_tokens).sum::<u64>(), 1_001);
    assert_eq!(calls.iter().map(|c| c.output_tokens).sum::<u64>(), 97);
    assert!((calls.iter().map(|c| c.cost_usd).sum::<f64>() - 0.5).abs() < 1e-12);
}
