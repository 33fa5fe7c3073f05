//! Tailoring one pair: segment, plan, run each part's tasks through the provider, measure quality,
//! assemble. Pure CPU work over one pair; the pipeline runs many of these on rayon.

use crate::aggregate::{assemble, weighted_score, ScoredPart};
use crate::job::JobAnalysis;
use crate::pair::Pair;
use crate::plan::{plan_parts, Part, SectionWeights};
use crate::provider::prompt::system_prompt;
use crate::provider::registry::{task_cache_key, ModelEntry, Price, Registry};
use crate::provider::{Completion, Evaluation, FailureKind, ProviderError, TaskInput, TaskKind, TaskOutput, Usage};
use crate::text::approx_tokens;
use super::governor::Governor;
use crate::resilience::retry::{Decision, RetryPolicy, SplitMix};
use crate::state::Cache;
use crate::quality::{keyword_coverage, section_quality, unfaithful_tokens};
use crate::rows::{ResultRow, SectionRow, Status};
use crate::segment::{segment, SectionType};
use crate::stats::{CallRecord, StatsKey};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime};

/// The tasks of one part, in order; each depends on the one before.
pub const TASKS_PER_PART: u64 = 3;
/// Output tokens planned for an evaluation answer (a score and two short lists).
pub const EVALUATE_OUTPUT_TOKENS: u64 = 60;

/// What the engine needs to tailor pairs.
pub struct Tailor<'a> {
    pub registry: &'a Registry,
    /// The result cache for networked models; None runs without one.
    pub cache: Option<&'a Cache>,
    pub weights: &'a SectionWeights,
    pub retry: RetryPolicy,
    /// The first failure no other model can route around (bad credentials): once set, the run stops.
    pub fatal: &'a OnceLock<ProviderError>,
    /// Spend and deadline limits, when the run has any.
    pub governor: Option<&'a Governor>,
}

/// Task outcomes of one pair, for the run's stage counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskCounts {
    pub ok: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// Everything one pair produced.
#[derive(Debug)]
pub struct PairOutput {
    pub result: ResultRow,
    pub sections: Vec<SectionRow>,
    pub calls: Vec<CallRecord>,
    pub tasks: TaskCounts,
    pub prepare_us: u64,
    pub execute_us: u64,
}

/// A part's three tasks as they ended.
#[derive(Debug, Default)]
pub struct PartRun {
    pub before: Option<Evaluation>,
    pub optimized: Option<String>,
    pub after: Option<Evaluation>,
    pub error: Option<String>,
    pub attempts: u32,
    pub latency_us: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    /// Index in the pair's call list of the call that produced the optimized text, if a call did.
    pub optimize_call: Option<usize>,
    /// Provider and model that produced the optimized text.
    pub served_by: Option<(String, String)>,
    pub cache_hits: u32,
    /// The optimized text is the original: its second evaluation is the first one, reused when
    /// that lands.
    pub after_is_before: bool,
    /// The first evaluation failed on every model: an unchanged text has nothing to reuse.
    pub before_failed: bool,
    /// The job's terms in the original and in the optimized text, when the part's tasks scanned
    /// them (the sequential path); `finish` scans what is missing.
    pub terms_before: Option<u64>,
    pub terms_after: Option<u64>,
}

impl PartRun {
    /// Adds one call made for this part.
    pub fn count_call(&mut self, call: &CallRecord) {
        self.attempts += 1;
        self.latency_us += call.latency_us;
        self.input_tokens += call.input_tokens;
        self.output_tokens += call.output_tokens;
        self.cost_usd += call.cost_usd;
    }
}

/// Planned usage of one part's evaluate and optimize calls: prompt (system, job, section) in, a
/// short JSON or the section again out. For budgets and dry runs; calls report their real usage.
pub fn planned_usage(section: &str, job_tokens: u64) -> (Usage, Usage) {
    let text = u64::from(approx_tokens(section));
    let prompt = |kind| u64::from(approx_tokens(system_prompt(kind))) + job_tokens + text + 16;
    (
        Usage { input_tokens: prompt(TaskKind::Evaluate), output_tokens: EVALUATE_OUTPUT_TOKENS, cached_input_tokens: 0 },
        Usage { input_tokens: prompt(TaskKind::Optimize), output_tokens: text + 8, cached_input_tokens: 0 },
    )
}

/// A task's answer and where it came from.
struct Served {
    output: TaskOutput,
    provider: String,
    model: String,
    /// Index of the call that produced it; None when the cache did.
    call: Option<usize>,
    cached: bool,
}

impl Served {
    fn new(entry: &ModelEntry, output: TaskOutput, call: Option<usize>, cached: bool) -> Served {
        Served { output, provider: entry.provider.name().to_string(), model: entry.name.clone(), call, cached }
    }

    fn evaluation(self) -> Option<Evaluation> {
        match self.output {
            TaskOutput::Evaluation(e) => Some(e),
            TaskOutput::Optimization(_) => None,
        }
    }
}

fn blake3_u64(text: &str) -> u64 {
    let bytes = blake3::hash(text.as_bytes());
    u64::from_le_bytes(bytes.as_bytes()[..8].try_into().expect("8 bytes"))
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

impl Tailor<'_> {
    /// Tailors one pair against its analysed job, calling models one task after another on this
    /// thread; None when the governor refuses to start it (budget or deadline).
    pub fn pair(&self, pair: &Pair, job: &JobAnalysis) -> Option<PairOutput> {
        let prepared = prepare(pair, self.weights);
        let estimate = self.estimate_cost(&pair.resume, &prepared.parts, &pair.job);
        if let Some(g) = self.governor {
            if !g.admit(estimate, SystemTime::now()) {
                return None;
            }
        }
        let executing = Instant::now();
        // Jitter is seeded per pair, so a run's retry timing is reproducible.
        let mut rng = SplitMix::new(blake3_u64(&pair.pair_id));
        let mut calls = Vec::new();
        let mut tasks = TaskCounts::default();
        let mut runs: Vec<Option<PartRun>> = Vec::with_capacity(prepared.parts.len());
        for part in &prepared.parts {
            if !part.needs_tasks() {
                tasks.skipped += TASKS_PER_PART;
                runs.push(None);
                continue;
            }
            let input = TaskInput {
                kind: TaskKind::Evaluate,
                section_type: part.section_type,
                text: &pair.resume[part.span.clone()],
                job_text: &pair.job,
                job,
                evidence: &prepared.evidence,
                hits: None,
            };
            runs.push(Some(self.run_part(&input, &mut calls, &mut tasks, &mut rng)));
        }
        let execute_us = micros(executing);
        let out = finish(pair, job, prepared, runs, calls, tasks, execute_us);
        if let Some(g) = self.governor {
            g.settle(estimate, out.result.cost_usd, executing.elapsed());
        }
        Some(out)
    }

    /// Estimated USD of a pair's tasks on the first model of each chain.
    pub fn estimate_cost(&self, resume: &str, parts: &[Part], job_text: &str) -> f64 {
        let first = |kind| self.registry.entry(self.registry.chain(kind)[0]);
        let (eval, opt) = (first(TaskKind::Evaluate), first(TaskKind::Optimize));
        if eval.price == Price::default() && opt.price == Price::default() {
            return 0.0;
        }
        let job_tokens = u64::from(approx_tokens(job_text));
        parts
            .iter()
            .filter(|p| p.needs_tasks())
            .map(|p| {
                let (evaluate, optimize) = planned_usage(&resume[p.span.clone()], job_tokens);
                2.0 * eval.price.cost(&evaluate) + opt.price.cost(&optimize)
            })
            .sum()
    }

    /// Evaluate, optimize, evaluate again. A task whose predecessor failed is skipped. The text is
    /// scanned for the job's terms once and the scan serves its tasks and its coverage; the
    /// optimized text is scanned only when it differs.
    fn run_part(&self, input: &TaskInput<'_>, calls: &mut Vec<CallRecord>, tasks: &mut TaskCounts, rng: &mut SplitMix) -> PartRun {
        let mut run = PartRun::default();
        let first_call = calls.len();
        let mut outcome = |run: &mut PartRun, r: Result<Served, ProviderError>| -> Option<Served> {
            match r {
                Ok(served) => {
                    tasks.ok += 1;
                    run.cache_hits += u32::from(served.cached);
                    Some(served)
                }
                Err(e) => {
                    tasks.failed += 1;
                    run.error.get_or_insert_with(|| e.to_string());
                    None
                }
            }
        };
        let hits = input.job.hits(input.text);
        run.terms_before = Some(hits.all());
        let input = &TaskInput { hits: Some(&hits), ..*input };
        let before = self.task(input, calls, rng);
        run.before = outcome(&mut run, before).and_then(|s| s.evaluation());
        let optimize = TaskInput { kind: TaskKind::Optimize, ..*input };
        let optimized = self.task(&optimize, calls, rng);
        if let Some(served) = outcome(&mut run, optimized) {
            run.optimize_call = served.call;
            run.served_by = Some((served.provider.clone(), served.model.clone()));
            if let TaskOutput::Optimization(text) = served.output {
                run.optimized = Some(text);
            }
        }
        match &run.optimized {
            Some(text) => {
                let hits_after = (text != input.text).then(|| input.job.hits(text));
                let hits_after = hits_after.as_ref().unwrap_or(&hits);
                run.terms_after = Some(hits_after.all());
                let again = TaskInput { kind: TaskKind::Evaluate, text, hits: Some(hits_after), ..*input };
                let after = self.task(&again, calls, rng);
                run.after = outcome(&mut run, after).and_then(|s| s.evaluation());
            }
            None => tasks.skipped += 1,
        }
        for c in &calls[first_call..] {
            run.count_call(c);
        }
        run
    }

    /// One task through its model chain: cache, then each model with retries as the policy
    /// decides, falling back down the chain (the last model is always `local`).
    fn task(&self, input: &TaskInput<'_>, calls: &mut Vec<CallRecord>, rng: &mut SplitMix) -> Result<Served, ProviderError> {
        let mut last: Option<ProviderError> = None;
        for &index in self.registry.chain(input.kind) {
            let entry = self.registry.entry(index);
            if let Some(fatal) = self.fatal.get() {
                return Err(fatal.clone());
            }
            let key = entry.cacheable.then(|| task_cache_key(entry, input.kind, input.section_type, input.text, &input.job.hash));
            if let (Some(cache), Some(key)) = (self.cache, key.as_ref()) {
                if let Some(completion) = cache.get(key).ok().flatten().and_then(|bytes| serde_json::from_slice::<Completion>(&bytes).ok()) {
                    return Ok(Served::new(entry, completion.output, None, true));
                }
            }
            let mut attempt = 0;
            loop {
                match self.call(entry, input, calls) {
                    Ok(completion) => {
                        if let (Some(cache), Some(key)) = (self.cache, key) {
                            if let Ok(bytes) = serde_json::to_vec(&completion) {
                                cache.put(key, bytes);
                            }
                        }
                        return Ok(Served::new(entry, completion.output, Some(calls.len() - 1), false));
                    }
                    Err(e) => match self.retry.decide(&e, attempt, rng.next_f64()) {
                        Decision::Retry(wait) => {
                            std::thread::sleep(wait);
                            attempt += 1;
                        }
                        Decision::FallBack => {
                            last = Some(e);
                            break;
                        }
                        Decision::GiveUp => {
                            let _ = self.fatal.set(e.clone());
                            return Err(e);
                        }
                    },
                }
            }
        }
        Err(last.unwrap_or_else(|| ProviderError::new("none", "none", FailureKind::NotFound, "no model is routed for this task")))
    }

    fn call(&self, entry: &ModelEntry, input: &TaskInput<'_>, calls: &mut Vec<CallRecord>) -> Result<Completion, ProviderError> {
        let started = Instant::now();
        let result = entry.provider.complete(&entry.name, input);
        let (failure, usage) = match &result {
            Ok(c) => (None, c.usage),
            Err(e) => (Some(e.class), Default::default()),
        };
        calls.push(CallRecord {
            key: StatsKey {
                provider: entry.provider.name().to_string(),
                model: entry.name.clone(),
                section_type: input.section_type,
                task_kind: input.kind,
            },
            failure,
            latency_us: micros(started),
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cost_usd: entry.price.cost(&usage),
            quality: None,
        });
        result
    }
}

/// A pair made ready for its tasks: its parts and the skills the whole resume evidences.
pub struct Prepared {
    pub parts: Vec<Part>,
    pub evidence: Vec<usize>,
    pub prepare_us: u64,
}

/// Segments and plans a pair (CPU work).
pub fn prepare(pair: &Pair, weights: &SectionWeights) -> Prepared {
    let started = Instant::now();
    let seg = segment(&pair.resume);
    let parts = plan_parts(&seg, &pair.resume, weights);
    let evidence = seg.skills();
    Prepared { parts, evidence, prepare_us: micros(started) }
}

/// Turns a pair's finished part runs into its section rows, tailored text and result row.
/// `calls` are every call made for the pair; the optimize calls get their measured quality.
pub fn finish(pair: &Pair, job: &JobAnalysis, prepared: Prepared, mut runs: Vec<Option<PartRun>>, mut calls: Vec<CallRecord>, tasks: TaskCounts, execute_us: u64) -> PairOutput {
    let started = Instant::now();
    let parts = prepared.parts;
    let mut section_rows = Vec::with_capacity(parts.len());
    let (mut optimized_count, mut failed_parts, mut task_parts) = (0u32, 0u32, 0u32);
    let mut first_error: Option<String> = None;
    for (index, (part, run)) in parts.iter().zip(runs.iter_mut()).enumerate() {
        let original = &pair.resume[part.span.clone()];
        let row = section_row(pair, job, index, part, original, run.as_mut());
        if let Some(run) = run {
            if let Some(i) = run.optimize_call {
                calls[i].quality = row.quality;
            }
            task_parts += 1;
            if row.status == Status::Failed {
                failed_parts += 1;
                first_error = first_error.or_else(|| row.error.clone());
            } else {
                optimized_count += 1;
            }
        }
        section_rows.push(row);
    }
    let parts_for_text: Vec<ScoredPart<'_>> = parts
        .iter()
        .zip(&runs)
        .zip(&section_rows)
        .map(|((part, run), row)| {
            let reorderable = matches!(
                part.section_type,
                SectionType::Projects | SectionType::Certifications | SectionType::Awards | SectionType::Publications
            );
            ScoredPart {
                span: part.span.clone(),
                text: if row.status == Status::Ok { row.optimized.as_deref().unwrap_or(&row.original) } else { &row.original },
                importance: part.importance,
                score_before: run.as_ref().and_then(|r| r.before.as_ref().map(|e| e.score)),
                score_after: row.score_after,
                reorder_group: (reorderable && part.subsection.is_some()).then_some(part.section),
            }
        })
        .collect();
    let tailored = assemble(&pair.resume, &parts_for_text);
    let score_before = weighted_score(parts_for_text.iter().map(|p| (p.importance, p.score_before)));
    let score_after = weighted_score(parts_for_text.iter().map(|p| (p.importance, p.score_after)));
    let status = match (task_parts, failed_parts) {
        (_, 0) => Status::Ok,
        (t, f) if f == t => Status::Failed,
        _ => Status::Partial,
    };
    // Models that answered, by a call in this run or through the cache.
    let mut answered: Vec<(&str, &str)> = calls.iter().filter(|c| c.failure.is_none()).map(|c| (c.key.provider.as_str(), c.key.model.as_str())).collect();
    answered.extend(runs.iter().flatten().filter_map(|r| r.served_by.as_ref()).map(|(p, m)| (p.as_str(), m.as_str())));
    answered.sort_unstable();
    answered.dedup();
    // Sorted as written: the order of the names, not of their parts.
    let mut models: Vec<String> = answered.into_iter().map(|(p, m)| format!("{p}/{m}")).collect();
    models.sort();
    models.dedup();
    let result = ResultRow {
        pair_id: pair.pair_id.clone(),
        status,
        score_before,
        score_after,
        tailored_resume: tailored,
        sections: u32::try_from(parts.len()).unwrap_or(u32::MAX),
        sections_optimized: optimized_count,
        models: models.join(","),
        calls: u32::try_from(calls.len()).unwrap_or(u32::MAX),
        cache_hits: runs.iter().flatten().map(|r| r.cache_hits).sum(),
        input_tokens: calls.iter().map(|c| c.input_tokens).sum(),
        output_tokens: calls.iter().map(|c| c.output_tokens).sum(),
        // `+ 0.0` turns the -0.0 of an empty float sum into 0.0.
        cost_usd: calls.iter().map(|c| c.cost_usd).sum::<f64>() + 0.0,
        elapsed_ms: (prepared.prepare_us + execute_us + micros(started)) as f64 / 1000.0,
        error: first_error,
    };
    PairOutput { result, sections: section_rows, calls, tasks, prepare_us: prepared.prepare_us, execute_us }
}

/// The sections row of a part, with its quality measured; the optimized text moves from the run
/// to the row. An optimization that invents facts is not used: the part fails and keeps its
/// original text.
fn section_row(pair: &Pair, job: &JobAnalysis, index: usize, part: &Part, original: &str, run: Option<&mut PartRun>) -> SectionRow {
    let mut row = SectionRow {
        pair_id: pair.pair_id.clone(),
        section_index: u32::try_from(index).unwrap_or(u32::MAX),
        section_type: part.section_type,
        subsection: part.subsection.clone(),
        original: original.to_string(),
        optimized: None,
        score_before: None,
        score_after: None,
        quality: None,
        keyword_coverage_before: None,
        keyword_coverage_after: None,
        faithful: None,
        provider: None,
        model: None,
        attempts: 0,
        cache_hit: false,
        status: Status::Skipped,
        error: None,
        latency_ms: 0.0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0.0,
    };
    let Some(run) = run else { return row };
    if let Some((provider, model)) = &run.served_by {
        row.provider = Some(provider.clone());
        row.model = Some(model.clone());
    }
    row.cache_hit = run.cache_hits > 0;
    row.attempts = run.attempts;
    row.latency_ms = run.latency_us as f64 / 1000.0;
    row.input_tokens = run.input_tokens;
    row.output_tokens = run.output_tokens;
    row.cost_usd = run.cost_usd;
    row.score_before = run.before.as_ref().map(|e| e.score);
    row.score_after = run.after.as_ref().map(|e| e.score);
    row.error = run.error.clone();
    let terms_before = run.terms_before.unwrap_or_else(|| job.terms_in(original));
    row.keyword_coverage_before = Some(keyword_coverage(terms_before, job));
    row.status = if run.before.is_some() && run.after.is_some() { Status::Ok } else { Status::Failed };
    if let Some(text) = run.optimized.take() {
        // An unchanged text invents nothing and covers what the original covers.
        let unchanged = text == original;
        let invented = if unchanged { Vec::new() } else { unfaithful_tokens(&text, original, job) };
        let faithful = invented.is_empty();
        let terms_after = match run.terms_after {
            Some(terms) => terms,
            None if unchanged => terms_before,
            None => job.terms_in(&text),
        };
        let coverage_after = keyword_coverage(terms_after, job);
        row.keyword_coverage_after = Some(coverage_after);
        row.faithful = Some(faithful);
        row.quality = Some(section_quality(
            row.keyword_coverage_before.unwrap_or(0.0),
            coverage_after,
            original.len(),
            text.len(),
            faithful,
        ));
        row.optimized = Some(text);
        if !faithful {
            row.status = Status::Failed;
            row.error = Some(format!("optimized text adds facts absent from the original: {}", invented.join(", ")));
        }
    }
    row
}
