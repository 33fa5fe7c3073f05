//! A pool worker: a plain thread blocking on HTTP. It takes the highest-priority job of its pool
//! (strict priority over three bounded channels), steals from other pools when idle, and runs the
//! call stack of the job's model in this order:
//!
//! cache → circuit breaker → rate limiter → provider call → classify → retry (policy + budget) or
//! hand the job back for fallback.

use super::job::{Answer, Done, Job, Outcome};
use super::Shared;
use crate::provider::{BatchCompletion, BatchInput, BatchItem, Completion, FailureClass, FailureKind, ProviderError, TaskInput, Usage};
use crate::resilience::breaker::Outcome as BreakerOutcome;
use crate::resilience::retry::{Decision, SplitMix};
use crate::stats::{CallRecord, StatsKey};
use crate::text::approx_tokens;
use crossbeam_channel::{select_biased, Receiver, Sender};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How long an idle worker waits on its own queues before looking at other pools' queues.
const IDLE: Duration = Duration::from_millis(20);
/// Longest single sleep while waiting on the rate limiter, so a stop is noticed quickly.
const LIMIT_POLL: Duration = Duration::from_millis(100);

/// The three priority channels of a pool, highest first.
#[derive(Clone)]
pub struct Queues {
    pub levels: [Receiver<Job>; 3],
}

/// Runs one worker of pool `me` until its queues close.
pub fn run(shared: &Shared<'_>, me: usize, queues: &[Queues], done: &Sender<Done>, seed: u64) {
    let mut rng = SplitMix::new(seed);
    let own = &queues[me];
    let process = |job: Job, rng: &mut SplitMix| {
        let report = if shared.pool_of_job(&job) == me { execute(shared, job, rng) } else { adopt(shared, me, job, rng) };
        done.send(report).is_ok()
    };
    loop {
        // A disconnected channel is always ready, so `default` only fires while all are open and empty.
        let job = select_biased! {
            recv(own.levels[0]) -> j => j.ok(),
            recv(own.levels[1]) -> j => j.ok(),
            recv(own.levels[2]) -> j => j.ok(),
            default(IDLE) => match steal(shared, me, queues) {
                Some(j) => Some(j),
                None => continue,
            },
        };
        match job {
            Some(job) => {
                if !process(job, &mut rng) {
                    return;
                }
            }
            None => {
                // The coordinator closed the pool: finish what is still queued, then stop.
                for level in &own.levels {
                    while let Ok(job) = level.try_recv() {
                        if !process(job, &mut rng) {
                            return;
                        }
                    }
                }
                return;
            }
        }
    }
}

/// Takes a job from another networked pool's lowest non-empty level, if stealing is on.
fn steal(shared: &Shared<'_>, me: usize, queues: &[Queues]) -> Option<Job> {
    if !shared.config.steal || !shared.pools[me].networked {
        return None;
    }
    for (i, q) in queues.iter().enumerate() {
        if i == me || !shared.pools[i].networked {
            continue;
        }
        for level in q.levels.iter().rev() {
            if let Ok(job) = level.try_recv() {
                return Some(job);
            }
        }
    }
    None
}

/// Runs a stolen job on this pool's model further down its chain, or hands it back.
fn adopt(shared: &Shared<'_>, me: usize, mut job: Job, rng: &mut SplitMix) -> Done {
    let chain = shared.registry.chain(job.kind);
    let later = chain.iter().enumerate().skip(job.chain_pos + 1).find(|(_, &m)| shared.model_pool[m] == me).map(|(pos, _)| pos);
    match later {
        Some(pos) if job.enqueued.elapsed() >= shared.config.steal_after => {
            shared.stolen.fetch_add(1, Ordering::Relaxed);
            job.chain_pos = pos;
            execute(shared, job, rng)
        }
        _ => Done { job, outcome: Outcome::Returned, failed_calls: Vec::new() },
    }
}

/// Estimated tokens of a job's request, for the token bucket.
fn estimate_tokens(job: &Job) -> u64 {
    let texts: u64 = job.items.iter().map(|i| u64::from(approx_tokens(&i.text))).sum();
    let out = match job.kind {
        crate::provider::TaskKind::Evaluate => 60 * job.items.len() as u64,
        crate::provider::TaskKind::Optimize => texts,
    };
    u64::from(approx_tokens(&job.job_text)) + texts + out + 200
}

/// Splits a request's usage over its items by the prompt each caused, as per-item call records.
/// Shares are whole tokens that add up exactly to the request's usage (the last item takes the remainder), so
/// a run's token totals equal what the provider billed.
pub(super) fn item_calls(job: &Job, items: &[usize], key: &dyn Fn(usize) -> StatsKey, usage: Usage, cost: f64, latency_us: u64, failure: Option<FailureClass>) -> Vec<CallRecord> {
    // What every item of a request shares (instructions and the job text) is split evenly; each
    // item's own text counts for itself. So a one-line section batched with long ones still
    // carries the prompt it was sent with, never zero tokens.
    let shared = (job.job_text.len() + crate::provider::prompt::system_prompt(job.kind).len()) as f64 / items.len().max(1) as f64;
    let weight = |i: usize| job.items[i].text.len() as f64 + shared;
    let total: f64 = items.iter().map(|&i| weight(i)).sum::<f64>().max(1.0);
    let (mut given_in, mut given_out, mut given_cost) = (0u64, 0u64, 0f64);
    items
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let last = n + 1 == items.len();
            let share = weight(i) / total;
            let (input, output, part_cost) = if last {
                (usage.input_tokens - given_in, usage.output_tokens - given_out, cost - given_cost)
            } else {
                ((usage.input_tokens as f64 * share) as u64, (usage.output_tokens as f64 * share) as u64, cost * share)
            };
            given_in += input;
            given_out += output;
            given_cost += part_cost;
            CallRecord { key: key(i), failure, latency_us, input_tokens: input, output_tokens: output, cost_usd: part_cost, quality: None }
        })
        .collect()
}

/// The call stack of one job on its current model.
pub fn execute(shared: &Shared<'_>, job: Job, rng: &mut SplitMix) -> Done {
    let model = shared.registry.chain(job.kind)[job.chain_pos];
    let entry = shared.registry.entry(model);
    let runtime = &shared.models[model];
    let key = |i: usize| StatsKey { provider: entry.provider.name().to_string(), model: entry.name.clone(), section_type: job.items[i].section_type, task_kind: job.kind };
    let mut answers: Vec<Option<Answer>> = vec![None; job.items.len()];
    let mut failed_calls = Vec::new();

    let cache_keys: Vec<Option<[u8; 32]>> = job
        .items
        .iter()
        .map(|item| match (entry.cacheable, shared.cache) {
            (true, Some(_)) => Some(shared.cache_key(model, job.kind, item.section_type, &item.text, &job.job.hash)),
            _ => None,
        })
        .collect();
    if let Some(cache) = shared.cache {
        for (i, k) in cache_keys.iter().enumerate() {
            let hit = k.and_then(|k| cache.get(&k).ok().flatten()).and_then(|bytes| serde_json::from_slice::<Completion>(&bytes).ok());
            if let Some(c) = hit {
                answers[i] = Some(Answer { result: Ok(c.output), cached: true, call: None });
            }
        }
    }
    let todo: Vec<usize> = (0..job.items.len()).filter(|&i| answers[i].is_none()).collect();
    if todo.is_empty() {
        return Done { outcome: Outcome::Answered { model, answers: answers.into_iter().flatten().collect() }, job, failed_calls };
    }

    if let Some(breaker) = &runtime.breaker {
        if !breaker.lock().expect("breaker lock").allow(Instant::now()) {
            let e = ProviderError::new(entry.provider.name(), &entry.name, FailureKind::BreakerOpen, "circuit breaker open");
            return Done { job, outcome: Outcome::FallBack(e), failed_calls };
        }
    }

    let estimate = estimate_tokens(&job);
    shared.budget.deposit();
    let mut attempt = 0u32;
    loop {
        if !wait_for_limiter(shared, model, estimate) {
            return Done { job, outcome: Outcome::Returned, failed_calls };
        }
        let started = Instant::now();
        let result = call(shared, model, &job, &todo);
        let latency_us = started.elapsed().as_micros() as u64;
        shared.requests[model].fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(batch) => {
                if let Some(b) = &runtime.breaker {
                    b.lock().expect("breaker lock").record(BreakerOutcome::Success, Instant::now());
                }
                {
                    let mut limiter = runtime.limiter.lock().expect("limiter lock");
                    limiter.correct(estimate, batch.usage.input_tokens + batch.usage.output_tokens);
                    // A provider saying a window is spent pauses the model until its reset.
                    limiter.observe(&batch.limits, Instant::now());
                }
                let cost = entry.price.cost(&batch.usage);
                let calls = item_calls(&job, &todo, &key, batch.usage, cost, latency_us, None);
                for ((&i, output), call) in todo.iter().zip(batch.outputs).zip(calls) {
                    if let (Ok(out), Some(cache), Some(k)) = (&output, shared.cache, cache_keys[i]) {
                        let completion = Completion { output: out.clone(), usage: Usage { input_tokens: call.input_tokens, output_tokens: call.output_tokens, cached_input_tokens: 0 }, limits: Default::default() };
                        if let Ok(bytes) = serde_json::to_vec(&completion) {
                            cache.put(k, bytes);
                        }
                    }
                    answers[i] = Some(Answer { result: output, cached: false, call: Some(call) });
                }
                return Done { outcome: Outcome::Answered { model, answers: answers.into_iter().flatten().collect() }, job, failed_calls };
            }
            Err(e) => {
                failed_calls.extend(item_calls(&job, &todo, &key, Usage::default(), 0.0, latency_us, Some(e.class)));
                let now = Instant::now();
                // Whether the limiter makes every worker wait out this 429 (the baseline's does not:
                // a 429 there is one more failure to retry after the fixed delay).
                let mut limiter_waits = false;
                if e.kind == FailureKind::RateLimited {
                    let mut limiter = runtime.limiter.lock().expect("limiter lock");
                    limiter.on_rate_limited(e.retry_after, &e.limits, now);
                    limiter_waits = limiter.enforces();
                }
                if let Some(b) = &runtime.breaker {
                    let counts = e.class == FailureClass::Retryable && e.kind != FailureKind::RateLimited;
                    b.lock().expect("breaker lock").record(if counts { BreakerOutcome::Failure } else { BreakerOutcome::Ignored }, now);
                }
                match shared.config.retry.decide(&e, attempt, rng.next_f64()) {
                    Decision::Retry(wait) => {
                        if !shared.budget.withdraw() {
                            let mut spent = ProviderError::new(entry.provider.name(), &entry.name, FailureKind::RetryBudget, format!("retry budget spent after: {}", e.message));
                            spent.status = e.status;
                            return Done { job, outcome: Outcome::FallBack(spent), failed_calls };
                        }
                        // A rate-limit wait is the limiter's to enforce for every worker; others sleep here.
                        if !limiter_waits {
                            sleep_unless_stopped(shared, wait);
                        }
                        attempt += 1;
                    }
                    Decision::FallBack => return Done { job, outcome: Outcome::FallBack(e), failed_calls },
                    Decision::GiveUp => return Done { job, outcome: Outcome::Fatal(e), failed_calls },
                }
            }
        }
    }
}

/// Blocks until the model's limiter lets the call go; false when the run is stopping.
fn wait_for_limiter(shared: &Shared<'_>, model: usize, tokens: u64) -> bool {
    loop {
        if shared.stop.load(Ordering::Acquire) {
            return false;
        }
        let wait = match shared.models[model].limiter.lock().expect("limiter lock").try_acquire(tokens, Instant::now()) {
            Ok(()) => return true,
            Err(w) => w,
        };
        shared.limiter_waits.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(wait.min(LIMIT_POLL));
    }
}

fn sleep_unless_stopped(shared: &Shared<'_>, d: Duration) {
    let until = Instant::now() + d;
    while !shared.stop.load(Ordering::Acquire) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(LIMIT_POLL));
    }
}

/// One request for the items still unanswered: a single call, or a batch.
fn call(shared: &Shared<'_>, model: usize, job: &Job, todo: &[usize]) -> Result<BatchCompletion, ProviderError> {
    let entry = shared.registry.entry(model);
    if let [i] = todo {
        let item = &job.items[*i];
        let input = TaskInput { kind: job.kind, section_type: item.section_type, text: &item.text, job_text: &job.job_text, job: &job.job, evidence: &job.evidence, hits: None };
        return entry.provider.complete(&entry.name, &input).map(|c| BatchCompletion { outputs: vec![Ok(c.output)], usage: c.usage, limits: c.limits });
    }
    let items: Vec<BatchItem<'_>> = todo.iter().map(|&i| BatchItem { section_type: job.items[i].section_type, text: &job.items[i].text }).collect();
    let batch = BatchInput { kind: job.kind, job_text: &job.job_text, job: &job.job, evidence: &job.evidence, items: &items };
    entry.provider.complete_batch(&entry.name, &batch)
}
