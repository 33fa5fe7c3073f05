//! The `Provider` trait every model backend implements, and the task vocabulary it speaks.
//!
//! A provider answers one task at a time, synchronously: evaluate a resume section against a job, or
//! optimize it. Layers (cache, budget, rate limit, breaker, retry) wrap a provider; backends know
//! nothing of them. `local` is the deterministic offline backend and the last-resort fallback.

pub mod local;

use crate::job::JobAnalysis;
use crate::segment::SectionType;
use std::fmt;

/// Version of the prompts, schemas and local rules: part of every cache key and journal key, so
/// changing how a task is asked never serves an answer to the old question.
pub const PROMPT_VERSION: &str = "2026-11-28.1";

/// What a task asks of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskKind {
    /// Score a section's match to the job, 0–100, with matched and missing terms.
    Evaluate,
    /// Rewrite a section for the job without inventing facts.
    Optimize,
}

impl TaskKind {
    pub const ALL: [TaskKind; 2] = [TaskKind::Evaluate, TaskKind::Optimize];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Evaluate => "evaluate",
            TaskKind::Optimize => "optimize",
        }
    }
}

/// Everything a provider needs for one task. Borrowed: the engine owns the texts.
#[derive(Clone, Copy, Debug)]
pub struct TaskInput<'a> {
    pub kind: TaskKind,
    pub section_type: SectionType,
    /// The section or subsection text, whole lines.
    pub text: &'a str,
    pub job_text: &'a str,
    pub job: &'a JobAnalysis,
    /// Skills (indices into `text::SKILL_TERMS`) the whole resume shows: what optimize may surface.
    pub evidence: &'a [usize],
}

/// An evaluation: how well a section matches the job.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// 0–100.
    pub score: f32,
    pub matched: Vec<String>,
    pub missing: Vec<String>,
}

/// A provider's answer, already parsed and validated.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskOutput {
    Evaluation(Evaluation),
    Optimization(String),
}

/// Tokens a call used, as the provider reported them (or estimated where it reports none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// A successful call.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub output: TaskOutput,
    pub usage: Usage,
}

/// What the caller should do about a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClass {
    /// Transient: the same call may succeed later.
    Retryable,
    /// This model will not do: try the next one in the fallback chain.
    FallBack,
    /// Nothing will help (bad credentials, invalid request): give up on this provider.
    Fatal,
}

/// A classified provider failure. The message never holds credentials.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{provider}/{model}: {message}")]
pub struct ProviderError {
    pub provider: String,
    pub model: String,
    pub class: FailureClass,
    pub message: String,
}

/// A model backend.
pub trait Provider: Send + Sync + fmt::Debug {
    /// The provider's configured name (`local`, `openai`, ...).
    fn name(&self) -> &str;
    fn complete(&self, model: &str, input: &TaskInput<'_>) -> Result<Completion, ProviderError>;
}
