//! `--dry-run`: the plan of a run without calling anything: pairs, tasks, requests, estimated
//! tokens and cost per model, and the time the configured rate limits imply.

use super::tailor_pair::planned_usage;
use super::{RunError, RunOptions, TASKS_PER_PART};
use crate::io::PairReader;
use crate::pair::RowOutcome;
use crate::plan::plan_parts;
use crate::provider::TaskKind;
use crate::segment::segment;
use crate::text::approx_tokens;
use rayon::prelude::*;
use std::fmt;

/// Planned load on one model (the first of its task kind's chain).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelPlan {
    pub provider: String,
    pub model: String,
    pub requests: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    /// Minutes the model's RPM and TPM limits need for this load; None without limits.
    pub minutes: Option<f64>,
}

/// What a run would do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DryRun {
    pub pairs: u64,
    pub rejected: u64,
    pub parts: u64,
    pub parts_with_tasks: u64,
    pub tasks: u64,
    pub models: Vec<ModelPlan>,
}

impl DryRun {
    pub fn cost_usd(&self) -> f64 {
        self.models.iter().map(|m| m.cost_usd).sum()
    }

    /// Wall time bound by rate limits: models run side by side, so the slowest one decides.
    pub fn minutes(&self) -> Option<f64> {
        self.models.iter().filter_map(|m| m.minutes).reduce(f64::max)
    }
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "dry run: nothing was called")?;
        writeln!(f, "pairs        {} (rejected rows {})", self.pairs, self.rejected)?;
        writeln!(f, "parts        {} ({} with tasks)", self.parts, self.parts_with_tasks)?;
        writeln!(f, "tasks        {} (evaluate, optimize, evaluate per part)", self.tasks)?;
        for m in &self.models {
            let time = m.minutes.map_or_else(|| "no rate limit configured".to_string(), |t| format!("{t:.1} min under its rpm/tpm"));
            writeln!(
                f,
                "model        {}/{}: {} requests, ~{} tokens in, ~{} out, ~${:.4}, {time}",
                m.provider, m.model, m.requests, m.input_tokens, m.output_tokens, m.cost_usd
            )?;
        }
        writeln!(f, "est. cost    ${:.4}", self.cost_usd())?;
        match self.minutes() {
            Some(t) => writeln!(f, "est. time    {t:.1} min at the configured rate limits"),
            None => writeln!(f, "est. time    not bound by rate limits (none configured)"),
        }
    }
}

/// One pair's plan: parts, parts with tasks, and (input, output) tokens for the evaluate model and
/// the optimize model.
struct PairPlan {
    parts: u64,
    with_tasks: u64,
    usage: [(u64, u64); 2],
}

/// Reads and plans the whole input; calls no provider and writes nothing.
pub fn dry_run(opts: &RunOptions) -> Result<DryRun, RunError> {
    let mut reader = PairReader::open(&opts.input, &opts.input_options)?;
    let mut plan = DryRun::default();
    let first = |kind| opts.registry.entry(opts.registry.chain(kind)[0]);
    let (eval, opt) = (first(TaskKind::Evaluate), first(TaskKind::Optimize));
    let mut totals = [ModelPlan::default(), ModelPlan::default()];
    let mut rows = 0u64;
    while let Some(chunk) = reader.next_chunk()? {
        let mut chunk = chunk;
        if let Some(limit) = opts.limit {
            chunk.truncate(limit.saturating_sub(rows) as usize);
        }
        rows += chunk.len() as u64;
        let pairs: Vec<_> = chunk
            .into_iter()
            .filter_map(|o| match o {
                RowOutcome::Pair(p) => Some(p),
                RowOutcome::Reject(_) => {
                    plan.rejected += 1;
                    None
                }
            })
            .collect();
        plan.pairs += pairs.len() as u64;
        let per_pair: Vec<PairPlan> = pairs
            .par_iter()
            .map(|p| {
                let seg = segment(&p.resume);
                let parts = plan_parts(&seg, &p.resume, &opts.weights);
                let job_tokens = u64::from(approx_tokens(&p.job));
                let mut usage = [(0u64, 0u64); 2];
                let mut with_tasks = 0;
                for part in parts.iter().filter(|p| p.needs_tasks()) {
                    with_tasks += 1;
                    let (e, o) = planned_usage(&p.resume[part.span.clone()], job_tokens);
                    usage[0].0 += 2 * e.input_tokens;
                    usage[0].1 += 2 * e.output_tokens;
                    usage[1].0 += o.input_tokens;
                    usage[1].1 += o.output_tokens;
                }
                PairPlan { parts: parts.len() as u64, with_tasks, usage }
            })
            .collect();
        for PairPlan { parts, with_tasks, usage } in per_pair {
            plan.parts += parts;
            plan.parts_with_tasks += with_tasks;
            totals[0].requests += 2 * with_tasks;
            totals[1].requests += with_tasks;
            for (t, (i, o)) in totals.iter_mut().zip(usage) {
                t.input_tokens += i;
                t.output_tokens += o;
            }
        }
        if opts.limit.is_some_and(|l| rows >= l) {
            break;
        }
    }
    plan.tasks = plan.parts_with_tasks * TASKS_PER_PART;
    for (t, entry) in totals.iter_mut().zip([eval, opt]) {
        t.provider = entry.provider.name().to_string();
        t.model = entry.name.clone();
    }
    // Both kinds on one model share its limits.
    if eval.name == opt.name {
        let [a, b] = totals;
        totals = [ModelPlan { requests: a.requests + b.requests, input_tokens: a.input_tokens + b.input_tokens, output_tokens: a.output_tokens + b.output_tokens, ..a }, ModelPlan::default()];
    }
    for (t, entry) in totals.into_iter().zip([eval, opt]) {
        if t.requests == 0 && t.model.is_empty() {
            continue;
        }
        let usage = crate::provider::Usage { input_tokens: t.input_tokens, output_tokens: t.output_tokens, cached_input_tokens: 0 };
        let by_rpm = entry.rpm.map(|rpm| t.requests as f64 / f64::from(rpm));
        let by_tpm = entry.tpm.map(|tpm| (t.input_tokens + t.output_tokens) as f64 / tpm as f64);
        let minutes = match (by_rpm, by_tpm) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        plan.models.push(ModelPlan { cost_usd: entry.price.cost(&usage), minutes, ..t });
    }
    Ok(plan)
}
