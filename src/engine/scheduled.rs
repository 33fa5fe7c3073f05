//! Running a chunk's pairs through the scheduler (networked models): the coordinator admits pairs
//! a window at a time, turns their parts into jobs (small sections of a pair batched into one
//! request), follows each job down its fallback chain, starts a part's second evaluation when its
//! optimization lands, and finishes a pair when its last task ends.

use super::governor::Governor;
use super::tailor_pair::{finish, PairOutput, PartRun, Prepared, TaskCounts, TASKS_PER_PART};
use crate::job::JobAnalysis;
use crate::pair::Pair;
use crate::provider::registry::Registry;
use crate::provider::{ProviderError, TaskKind, TaskOutput};
use crate::quality::unfaithful_tokens;
use crate::schedule::job::{Answer, Done, ItemKey, Job, JobItem, Outcome, Stage};
use crate::schedule::Scheduler;
use crate::segment::SectionType;
use crate::stats::CallRecord;
use crate::text::approx_tokens;
use ahash::AHashMap;
use crossbeam_channel::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// A section this small (estimated tokens) may share a request with others of its pair.
const SMALL_SECTION_TOKENS: u32 = 250;
/// Largest batch, in estimated section tokens and in sections.
const BATCH_TOKENS: u32 = 1200;
const BATCH_ITEMS: usize = 6;
/// After a stop signal, in-flight pairs get this long to finish before they are abandoned (their
/// finished calls are in the cache, so a rerun pays little for them).
const GRACE: Duration = Duration::from_secs(15);
/// A part's second evaluation jumps ahead: finishing started parts frees their pairs sooner.
const AFTER_BOOST: f32 = 0.3;

/// Per (section type, task kind) history: tasks of a kind that keep failing or run slow are
/// re-ranked to start earlier, so their retries and long calls do not form the run's tail.
#[derive(Default)]
pub struct History {
    kinds: AHashMap<(SectionType, TaskKind), (f64, f64)>,
    mean_latency: f64,
}

impl History {
    const ALPHA: f64 = 0.05;

    fn observe(&mut self, section_type: SectionType, kind: TaskKind, latency_us: u64, failed: bool) {
        let lat = latency_us as f64;
        self.mean_latency = if self.mean_latency == 0.0 { lat } else { self.mean_latency + Self::ALPHA * (lat - self.mean_latency) };
        let e = self.kinds.entry((section_type, kind)).or_insert((lat, 0.0));
        e.0 += Self::ALPHA * (lat - e.0);
        e.1 += Self::ALPHA * (f64::from(u8::from(failed)) - e.1);
    }

    /// Priority adjustment for a kind of task, -0.1 to +0.4.
    pub fn adjustment(&self, section_type: SectionType, kind: TaskKind) -> f32 {
        match self.kinds.get(&(section_type, kind)) {
            Some(&(lat, fail)) if self.mean_latency > 0.0 => (0.2 * fail + 0.2 * (lat / self.mean_latency - 1.0).clamp(-0.5, 1.0)) as f32,
            _ => 0.0,
        }
    }
}

/// Everything a chunk's coordinator needs.
pub struct Coordinator<'a, 's> {
    pub scheduler: &'a mut Scheduler<'s>,
    pub registry: &'a Registry,
    pub governor: Option<&'a Governor>,
    pub batching: bool,
    /// Pairs in flight at most: bounds memory and keeps deadline checks close to real starts.
    pub window: usize,
    pub history: &'a mut History,
}

struct PairState {
    prepared: Prepared,
    job: Arc<JobAnalysis>,
    runs: Vec<Option<PartRun>>,
    calls: Vec<CallRecord>,
    tasks: TaskCounts,
    pending: usize,
    started: Instant,
    estimate: f64,
    evidence: Arc<[usize]>,
    job_text: Arc<str>,
    resume: Arc<str>,
}

impl Coordinator<'_, '_> {
    /// Runs the pairs, handing `emit` one output per pair in input order as soon as every pair
    /// before it is done (None for pairs the governor did not start or a stop abandoned).
    /// `ready` delivers each pair's preparation and job analysis (slot, in any order) as the CPU
    /// pool finishes them: pairs start in input order as soon as theirs is in, so the first
    /// requests go out while the rest of the chunk is still being segmented.
    /// A fatal provider failure (bad credentials) ends the chunk with that error.
    pub fn run(
        &mut self,
        pairs: &[&Pair],
        ready: &Receiver<(usize, Prepared, Arc<JobAnalysis>)>,
        estimate: &dyn Fn(&Pair, &Prepared) -> f64,
        emit: &mut dyn FnMut(Option<PairOutput>),
    ) -> Result<(), ProviderError> {
        // Finished pairs waiting for the ones before them; `emitted` pairs have been handed over.
        let mut outputs: Vec<Option<PairOutput>> = (0..pairs.len()).map(|_| None).collect();
        let mut emitted = 0usize;
        let mut states: Vec<Option<PairState>> = (0..pairs.len()).map(|_| None).collect();
        let mut prepared: Vec<Option<(Prepared, Arc<JobAnalysis>)>> = (0..pairs.len()).map(|_| None).collect();
        let (mut next, mut active) = (0usize, 0usize);
        let mut stopped = false;
        let mut grace_until: Option<Instant> = None;
        loop {
            if grace_until.is_none() && self.governor.is_some_and(Governor::interrupted) {
                stopped = true;
                grace_until = Some(Instant::now() + GRACE);
            }
            if grace_until.is_some_and(|t| Instant::now() >= t) {
                // Abandon what is still running: those pairs are not written and a rerun redoes them.
                self.scheduler.stop();
                break;
            }
            while !stopped && active < self.window && next < pairs.len() {
                // Collect what the CPU pool has finished; wait for it only when nothing runs.
                while prepared[next].is_none() {
                    let got = if active == 0 { ready.recv().ok() } else { ready.try_recv().ok() };
                    let Some((slot, p, job)) = got else { break };
                    prepared[slot] = Some((p, job));
                }
                let Some((p, job)) = prepared[next].take() else {
                    if active == 0 {
                        unreachable!("the preparing side ended without pair {next}");
                    }
                    break;
                };
                let cost = estimate(pairs[next], &p);
                if self.governor.is_some_and(|g| !g.admit(cost, SystemTime::now())) {
                    stopped = true;
                    break;
                }
                let state = self.start_pair(next, pairs[next], job, p, cost);
                if state.pending == 0 {
                    outputs[next] = Some(self.finish_pair(pairs[next], state));
                } else {
                    states[next] = Some(state);
                    active += 1;
                }
                next += 1;
            }
            while emitted < next && outputs[emitted].is_some() {
                emit(outputs[emitted].take());
                emitted += 1;
            }
            if active == 0 {
                break;
            }
            let Some(done) = self.scheduler.next_done(Duration::from_millis(50)) else { continue };
            // A job holds sections of one pair only, so one report can finish at most one pair.
            if let Some(finished) = self.handle(done, &mut states)? {
                let slot = finished as usize;
                let state = states[slot].take().expect("finished pair was active");
                outputs[slot] = Some(self.finish_pair(pairs[slot], state));
                active -= 1;
            }
        }
        for out in &mut outputs[emitted..] {
            emit(out.take());
        }
        Ok(())
    }

    fn start_pair(&mut self, slot: usize, pair: &Pair, job: Arc<JobAnalysis>, prepared: Prepared, estimate: f64) -> PairState {
        let resume: Arc<str> = Arc::from(pair.resume.as_str());
        let mut state = PairState {
            runs: prepared.parts.iter().map(|p| p.needs_tasks().then(PartRun::default)).collect(),
            calls: Vec::new(),
            tasks: TaskCounts::default(),
            pending: 0,
            started: Instant::now(),
            estimate,
            evidence: Arc::from(prepared.evidence.clone()),
            job_text: Arc::from(pair.job.as_str()),
            resume,
            prepared,
            job,
        };
        for stage in [Stage::Before, Stage::Optimize] {
            let kind = if stage == Stage::Optimize { TaskKind::Optimize } else { TaskKind::Evaluate };
            let mut items: Vec<(JobItem, f32, u32)> = Vec::new();
            for (i, part) in state.prepared.parts.iter().enumerate() {
                if !part.needs_tasks() {
                    continue;
                }
                let text: Arc<str> = Arc::from(&state.resume[part.span.clone()]);
                let tokens = approx_tokens(&text);
                let priority = part.priority() + self.history.adjustment(part.section_type, kind);
                items.push((JobItem { key: ItemKey { pair: slot as u32, part: i as u32, stage }, section_type: part.section_type, text }, priority, tokens));
            }
            state.pending += items.len();
            for group in self.group(kind, items) {
                self.submit(&state, kind, group.0, group.1, 0);
            }
        }
        state.tasks.skipped += state.runs.iter().filter(|r| r.is_none()).count() as u64 * TASKS_PER_PART;
        state
    }

    /// Batches small sections of one pair for the same kind and model; large ones go alone.
    fn group(&self, kind: TaskKind, items: Vec<(JobItem, f32, u32)>) -> Vec<(Vec<JobItem>, f32)> {
        let first = self.registry.entry(self.registry.chain(kind)[0]);
        let batching = self.batching && first.cacheable;
        let mut groups: Vec<(Vec<JobItem>, f32)> = Vec::new();
        let mut open: Option<(Vec<JobItem>, f32, u32)> = None;
        for (item, priority, tokens) in items {
            if !batching || tokens > SMALL_SECTION_TOKENS {
                groups.push((vec![item], priority));
                continue;
            }
            match &mut open {
                Some((g, p, t)) if g.len() < BATCH_ITEMS && *t + tokens <= BATCH_TOKENS => {
                    g.push(item);
                    *p = p.max(priority);
                    *t += tokens;
                }
                _ => {
                    if let Some((g, p, _)) = open.take() {
                        groups.push((g, p));
                    }
                    open = Some((vec![item], priority, tokens));
                }
            }
        }
        if let Some((g, p, _)) = open {
            groups.push((g, p));
        }
        groups
    }

    fn submit(&mut self, state: &PairState, kind: TaskKind, items: Vec<JobItem>, priority: f32, chain_pos: usize) {
        self.scheduler.submit(Job {
            kind,
            items,
            job: Arc::clone(&state.job),
            job_text: Arc::clone(&state.job_text),
            evidence: Arc::clone(&state.evidence),
            chain_pos,
            priority,
            enqueued: Instant::now(),
        });
    }

    /// Applies a worker's report. Returns the slot of a pair whose last task just ended.
    fn handle(&mut self, done: Done, states: &mut [Option<PairState>]) -> Result<Option<u32>, ProviderError> {
        let Done { job, outcome, failed_calls } = done;
        let slot = job.items.first().map(|i| i.key.pair).expect("a job has items");
        for call in failed_calls {
            self.history.observe(call.key.section_type, call.key.task_kind, call.latency_us, true);
            let Some(state) = states[slot as usize].as_mut() else { continue };
            let part = job.items.iter().find(|i| i.section_type == call.key.section_type).map(|i| i.key.part);
            if let Some(run) = part.and_then(|p| state.runs[p as usize].as_mut()) {
                run.count_call(&call);
            }
            state.calls.push(call);
        }
        match outcome {
            Outcome::Returned => {
                self.scheduler.submit(job);
                Ok(None)
            }
            Outcome::Fatal(e) => {
                self.scheduler.stop();
                Err(e)
            }
            Outcome::FallBack(e) => {
                let chain_len = self.registry.chain(job.kind).len();
                if job.chain_pos + 1 < chain_len {
                    let mut next = job;
                    next.chain_pos += 1;
                    next.enqueued = Instant::now();
                    self.scheduler.submit(next);
                    return Ok(None);
                }
                let state = states[slot as usize].as_mut().expect("pair of a job is active");
                for item in &job.items {
                    fail_item(state, item, &e.to_string());
                }
                Ok((state.pending == 0).then_some(slot))
            }
            Outcome::Answered { model, answers } => {
                let entry = self.registry.entry(model);
                let (provider, model_name) = (entry.provider.name().to_string(), entry.name.clone());
                let batch = job.items.len() > 1;
                let mut retry_alone = Vec::new();
                for (item, answer) in job.items.iter().zip(answers) {
                    let Answer { result, cached, call } = answer;
                    let state = states[slot as usize].as_mut().expect("pair of a job is active");
                    if let Some(call) = call {
                        self.history.observe(call.key.section_type, call.key.task_kind, call.latency_us, result.is_err());
                        if let Some(run) = state.runs[item.key.part as usize].as_mut() {
                            run.count_call(&call);
                        }
                        state.calls.push(call);
                    }
                    match result {
                        // An optimization that invents facts is this model's failure: the next
                        // model of the chain gets the section (the last, local, never invents).
                        Ok(TaskOutput::Optimization(text))
                            if job.chain_pos + 1 < self.registry.chain(job.kind).len()
                                && !unfaithful_tokens(&text, &item.text, &state.job).is_empty() =>
                        {
                            retry_alone.push((item.clone(), job.chain_pos + 1));
                        }
                        Ok(output) => {
                            let call_index = (!cached).then(|| state.calls.len() - 1);
                            let follow = apply(state, item, output, cached, call_index, &provider, &model_name);
                            if let Some(text) = follow {
                                state.pending += 1;
                                let after = JobItem { key: ItemKey { stage: Stage::After, ..item.key }, section_type: item.section_type, text: Arc::from(text.as_str()) };
                                let part = &state.prepared.parts[item.key.part as usize];
                                let priority = part.priority() + AFTER_BOOST + self.history.adjustment(part.section_type, TaskKind::Evaluate);
                                let state = states[slot as usize].as_ref().expect("active");
                                self.submit(state, TaskKind::Evaluate, vec![after], priority, 0);
                            }
                        }
                        // Part of a batch answer was unusable: that section goes again on its own.
                        Err(_) if batch => retry_alone.push((item.clone(), job.chain_pos)),
                        // A single answer that was unusable: the next model of the chain.
                        Err(_) if job.chain_pos + 1 < self.registry.chain(job.kind).len() => retry_alone.push((item.clone(), job.chain_pos + 1)),
                        Err(msg) => fail_item(state, item, &msg),
                    }
                }
                for (item, chain_pos) in retry_alone {
                    let mut single = job.clone();
                    single.items = vec![item];
                    single.chain_pos = chain_pos;
                    single.enqueued = Instant::now();
                    self.scheduler.submit(single);
                }
                let state = states[slot as usize].as_ref().expect("active");
                Ok((state.pending == 0).then_some(slot))
            }
        }
    }

    fn finish_pair(&self, pair: &Pair, state: PairState) -> PairOutput {
        let execute_us = state.started.elapsed().as_micros() as u64;
        let out = finish(pair, &state.job, state.prepared, state.runs, state.calls, state.tasks, execute_us);
        if let Some(g) = self.governor {
            g.settle(state.estimate, out.result.cost_usd, state.started.elapsed());
        }
        out
    }
}

/// Records an item's answer on its part. Returns the optimized text when the part's second
/// evaluation should now start.
fn apply(state: &mut PairState, item: &JobItem, output: TaskOutput, cached: bool, call: Option<usize>, provider: &str, model: &str) -> Option<String> {
    state.pending -= 1;
    state.tasks.ok += 1;
    let run = state.runs[item.key.part as usize].as_mut().expect("a part with tasks has a run");
    run.cache_hits += u32::from(cached);
    match (item.key.stage, output) {
        (Stage::Before, TaskOutput::Evaluation(e)) => {
            if run.after_is_before {
                // The unchanged text's second evaluation was waiting for this one.
                run.after = Some(e.clone());
                run.cache_hits += 1;
                state.pending -= 1;
                state.tasks.ok += 1;
            }
            run.before = Some(e);
        }
        (Stage::After, TaskOutput::Evaluation(e)) => run.after = Some(e),
        (Stage::Optimize, TaskOutput::Optimization(text)) => {
            run.optimized = Some(text.clone());
            run.optimize_call = call;
            run.served_by = Some((provider.to_string(), model.to_string()));
            if text.trim_end() != item.text.trim_end() {
                return Some(text);
            }
            // Unchanged text: evaluating it again would repeat the first evaluation.
            match &run.before {
                Some(before) => {
                    run.after = Some(before.clone());
                    run.cache_hits += 1;
                    state.tasks.ok += 1;
                }
                // The first evaluation failed: there is nothing to reuse, so evaluate it again.
                None if run.before_failed => return Some(text),
                None => {
                    run.after_is_before = true;
                    state.pending += 1;
                }
            }
        }
        (_, _) => {
            // Counted as a failure of the task, exactly as if every model had failed it.
            state.pending += 1;
            state.tasks.ok -= 1;
            fail_item(state, item, "answer of the wrong kind");
        }
    }
    None
}

/// An item that every model of its chain failed.
fn fail_item(state: &mut PairState, item: &JobItem, error: &str) {
    state.pending -= 1;
    state.tasks.failed += 1;
    let mut run = state.runs[item.key.part as usize].as_mut();
    let waiting_after = run.as_ref().is_some_and(|r| r.after_is_before);
    if item.key.stage == Stage::Before {
        if let Some(r) = run.as_deref_mut() {
            r.before_failed = true;
            // An unchanged text waiting to reuse this evaluation waits no more.
            r.after_is_before = false;
        }
    }
    if item.key.stage == Stage::Optimize || (item.key.stage == Stage::Before && waiting_after) {
        // The second evaluation never runs (or had nothing to reuse).
        state.tasks.skipped += 1;
        if item.key.stage == Stage::Before {
            state.pending -= 1;
        }
    }
    if let Some(run) = run {
        run.error.get_or_insert_with(|| error.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Evaluation;

    /// One part with tasks, its two first tasks (evaluate, optimize) pending.
    fn state() -> PairState {
        PairState {
            prepared: Prepared { parts: Vec::new(), evidence: Vec::new(), prepare_us: 0 },
            job: Arc::new(crate::job::analyse("Engineer: Python")),
            runs: vec![Some(PartRun::default())],
            calls: Vec::new(),
            tasks: TaskCounts::default(),
            pending: 2,
            started: Instant::now(),
            estimate: 0.0,
            evidence: Arc::from(Vec::new()),
            job_text: Arc::from("job"),
            resume: Arc::from("Python\n"),
        }
    }

    fn item(stage: Stage) -> JobItem {
        JobItem { key: ItemKey { pair: 0, part: 0, stage }, section_type: SectionType::Skills, text: Arc::from("Python\n") }
    }

    fn unchanged() -> TaskOutput {
        TaskOutput::Optimization("Python\n".into())
    }

    #[test]
    fn an_unchanged_text_reuses_the_first_evaluation_in_either_order() {
        let eval = TaskOutput::Evaluation(Evaluation { score: 40.0, matched: vec!["python".into()], missing: Vec::new() });
        let mut s = state();
        assert_eq!(apply(&mut s, &item(Stage::Optimize), unchanged(), false, None, "p", "m"), None);
        assert_eq!(s.pending, 2, "the second evaluation waits for the first");
        assert_eq!(apply(&mut s, &item(Stage::Before), eval.clone(), false, None, "p", "m"), None);
        assert_eq!((s.pending, s.tasks.ok), (0, 3));
        let mut s = state();
        assert_eq!(apply(&mut s, &item(Stage::Before), eval, false, None, "p", "m"), None);
        assert_eq!(apply(&mut s, &item(Stage::Optimize), unchanged(), false, None, "p", "m"), None);
        assert_eq!((s.pending, s.tasks.ok), (0, 3));
    }

    #[test]
    fn a_failed_first_evaluation_never_leaves_its_pair_waiting() {
        // The first evaluation fails before the unchanged optimization lands: evaluate it anew.
        let mut s = state();
        fail_item(&mut s, &item(Stage::Before), "429");
        assert_eq!(apply(&mut s, &item(Stage::Optimize), unchanged(), false, None, "p", "m"), Some("Python\n".into()));
        assert_eq!(s.pending, 0, "the caller counts the new evaluation it submits");
        // The unchanged optimization lands first, then the first evaluation fails.
        let mut s = state();
        apply(&mut s, &item(Stage::Optimize), unchanged(), false, None, "p", "m");
        fail_item(&mut s, &item(Stage::Before), "429");
        assert_eq!((s.pending, s.tasks.failed, s.tasks.skipped), (0, 1, 1));
        // An answer of the wrong kind is a failure too.
        let mut s = state();
        apply(&mut s, &item(Stage::Optimize), unchanged(), false, None, "p", "m");
        apply(&mut s, &item(Stage::Before), unchanged(), false, None, "p", "m");
        assert_eq!((s.pending, s.tasks.ok, s.tasks.failed), (0, 1, 1));
    }
}
