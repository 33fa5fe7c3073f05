//! What travels through the scheduler: jobs (one or several sections for one model and task kind)
//! and what workers send back.

use crate::job::JobAnalysis;
use crate::provider::{ProviderError, TaskKind, TaskOutput};
use crate::segment::SectionType;
use crate::stats::CallRecord;
use std::sync::Arc;
use std::time::Instant;

/// Which of a part's three tasks an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Before,
    Optimize,
    After,
}

/// Where an item's answer belongs: pair slot in the chunk, part of the pair, stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub pair: u32,
    pub part: u32,
    pub stage: Stage,
}

/// One section's task inside a job.
#[derive(Clone, Debug)]
pub struct JobItem {
    pub key: ItemKey,
    pub section_type: SectionType,
    pub text: Arc<str>,
}

/// A unit of work for one model: one section, or several small ones of the same job (a batch).
#[derive(Clone, Debug)]
pub struct Job {
    pub kind: TaskKind,
    pub items: Vec<JobItem>,
    pub job: Arc<JobAnalysis>,
    pub job_text: Arc<str>,
    pub evidence: Arc<[usize]>,
    /// Position in the task kind's model chain; the model is `registry.chain(kind)[chain_pos]`.
    pub chain_pos: usize,
    /// Higher runs first; waiting raises it (aging).
    pub priority: f32,
    pub enqueued: Instant,
}

/// One item's answer.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The validated output, or why this item's part of the answer was unusable.
    pub result: Result<TaskOutput, String>,
    pub cached: bool,
    /// The item's share of the call (none for cache hits).
    pub call: Option<CallRecord>,
}

/// How a job ended on its model.
#[derive(Debug)]
pub enum Outcome {
    /// One answer per item, in order, from the registry model `model`.
    Answered { model: usize, answers: Vec<Answer> },
    /// This model will not do (after any retries): try the next in the chain.
    FallBack(ProviderError),
    /// Nothing will help (bad credentials): the run stops.
    Fatal(ProviderError),
    /// A job taken by an idle pool that could not serve it, handed back untouched.
    Returned,
}

/// A worker's report.
#[derive(Debug)]
pub struct Done {
    pub job: Job,
    pub outcome: Outcome,
    /// Attempts that failed, each item's share, so the performance table sees every call.
    pub failed_calls: Vec<CallRecord>,
}
