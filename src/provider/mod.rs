//! The `Provider` trait every model backend implements, and the task vocabulary it speaks.
//!
//! A provider answers one task at a time, synchronously: evaluate a resume section against a job, or
//! optimize it. Layers (cache, budget, rate limit, breaker, retry) wrap a provider; backends know
//! nothing of them. `local` is the deterministic offline backend and the last-resort fallback.

pub mod anthropic;
pub mod http;
pub mod local;
pub mod openai;
pub mod prompt;
pub mod registry;

use crate::job::{JobAnalysis, TermHits};
use crate::segment::SectionType;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

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
    /// The text's scan against the job when the caller has made it; a provider that scores locally
    /// reads it instead of scanning the text again.
    pub hits: Option<&'a TermHits>,
}

/// One section of a batch.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    pub section_type: SectionType,
    pub text: &'a str,
}

/// Several sections of one job for one task kind and model, sent as one request: it saves
/// repeating the job text and the request overhead for small sections.
#[derive(Clone, Copy, Debug)]
pub struct BatchInput<'a> {
    pub kind: TaskKind,
    pub job_text: &'a str,
    pub job: &'a JobAnalysis,
    pub evidence: &'a [usize],
    pub items: &'a [BatchItem<'a>],
}

impl<'a> BatchInput<'a> {
    /// Item `i` as a single task.
    pub fn input(&self, i: usize) -> TaskInput<'a> {
        let item = self.items[i];
        TaskInput { kind: self.kind, section_type: item.section_type, text: item.text, job_text: self.job_text, job: self.job, evidence: self.evidence, hits: None }
    }
}

/// A batch's answers, one per item in order (an item can fail alone), and the request's usage.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchCompletion {
    pub outputs: Vec<Result<TaskOutput, String>>,
    pub usage: Usage,
    pub limits: RateLimits,
}

/// An evaluation: how well a section matches the job.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    /// 0–100.
    pub score: f32,
    /// Terms as shared text: the local provider names the job's own terms without copying them.
    pub matched: Vec<Arc<str>>,
    pub missing: Vec<Arc<str>>,
}

/// A provider's answer, already parsed and validated.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TaskOutput {
    Evaluation(Evaluation),
    Optimization(String),
}

/// Tokens a call used, as the provider reported them (or estimated where it reports none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Prompt tokens served from the provider's prompt cache (billed lower by some providers).
    pub cached_input_tokens: u64,
}

/// A successful call.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Completion {
    pub output: TaskOutput,
    pub usage: Usage,
    /// What the reply's rate-limit headers said (not cached: it describes that moment).
    #[serde(skip)]
    pub limits: RateLimits,
}

/// What the caller should do about a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClass {
    /// Transient: the same call may succeed later.
    Retryable,
    /// This model will not do: try the next one in the fallback chain.
    FallBack,
    /// Nothing will help (bad credentials): give up on this provider for the run.
    Fatal,
}

/// What went wrong, as classified where it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureKind {
    /// 429 on the request or token limit.
    RateLimited,
    /// 429 for an exhausted quota or spend limit: waiting will not help.
    Quota,
    /// 500, 502, 503, 504, 408, 409.
    Server,
    /// 529 (Anthropic overloaded).
    Overloaded,
    Timeout,
    /// Connection refused, reset or closed before a whole response arrived.
    Connection,
    /// 401 or 403.
    Auth,
    /// 400 or 422: the request as sent will never work on this model.
    BadRequest,
    /// 404: unknown model or endpoint.
    NotFound,
    /// A 200 whose body is not valid JSON, misses the schema, or has no answer in it.
    InvalidAnswer,
    /// The model declined to answer.
    Refusal,
    /// The answer was cut off at the token limit.
    Truncated,
    /// The model's circuit breaker is open: not called at all.
    BreakerOpen,
    /// The run's retry budget is spent: no more retries, fall back instead.
    RetryBudget,
}

impl FailureKind {
    /// The default class of a kind (DESIGN.md: retry 408/409/429/5xx/529/timeouts/connection/invalid
    /// 200s; never retry 400/401/403/404 or quota errors).
    pub fn class(self) -> FailureClass {
        match self {
            FailureKind::RateLimited
            | FailureKind::Server
            | FailureKind::Overloaded
            | FailureKind::Timeout
            | FailureKind::Connection
            | FailureKind::InvalidAnswer => FailureClass::Retryable,
            FailureKind::Quota
            | FailureKind::BadRequest
            | FailureKind::NotFound
            | FailureKind::Refusal
            | FailureKind::Truncated
            | FailureKind::BreakerOpen
            | FailureKind::RetryBudget => FailureClass::FallBack,
            FailureKind::Auth => FailureClass::Fatal,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::RateLimited => "rate_limited",
            FailureKind::Quota => "quota",
            FailureKind::Server => "server",
            FailureKind::Overloaded => "overloaded",
            FailureKind::Timeout => "timeout",
            FailureKind::Connection => "connection",
            FailureKind::Auth => "auth",
            FailureKind::BadRequest => "bad_request",
            FailureKind::NotFound => "not_found",
            FailureKind::InvalidAnswer => "invalid_answer",
            FailureKind::Refusal => "refusal",
            FailureKind::Truncated => "truncated",
            FailureKind::BreakerOpen => "breaker_open",
            FailureKind::RetryBudget => "retry_budget",
        }
    }
}

/// Rate-limit state a provider reported in its headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimits {
    pub remaining_requests: Option<u64>,
    pub remaining_tokens: Option<u64>,
    /// Time until the request window refills.
    pub reset_requests: Option<Duration>,
    pub reset_tokens: Option<Duration>,
}

/// A classified provider failure with what later layers need to act on it. The message never
/// holds credentials.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{provider}/{model}: {}{message}", status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
pub struct ProviderError {
    pub provider: String,
    pub model: String,
    pub kind: FailureKind,
    pub class: FailureClass,
    pub status: Option<u16>,
    /// The provider's error type or code (`rate_limit_exceeded`, `overloaded_error`, ...).
    pub code: Option<String>,
    /// From `retry-after-ms` or `Retry-After` (seconds or HTTP date).
    pub retry_after: Option<Duration>,
    pub limits: RateLimits,
    pub message: String,
}

impl ProviderError {
    pub fn new(provider: &str, model: &str, kind: FailureKind, message: impl Into<String>) -> ProviderError {
        ProviderError {
            provider: provider.to_string(),
            model: model.to_string(),
            kind,
            class: kind.class(),
            status: None,
            code: None,
            retry_after: None,
            limits: RateLimits::default(),
            message: message.into(),
        }
    }
}

/// An API key read from the environment. Its Debug and Display never show it, and `redact`
/// scrubs it from any text that might echo it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: String) -> ApiKey {
        ApiKey(key)
    }

    /// The key itself, for the one header that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key replaced.
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "[redacted]")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// Token count of a text with the o200k vocabulary (GPT-4o's): the estimate used when a server
/// reports no usage.
pub fn estimate_tokens(text: &str) -> u64 {
    tiktoken_rs::o200k_base_singleton().encode_ordinary(text).len() as u64
}

/// The output budget of a task: a short JSON for evaluate; for optimize, room to return the section
/// in full plus its JSON wrapping.
pub fn max_output_tokens(input: &TaskInput<'_>) -> u32 {
    match input.kind {
        TaskKind::Evaluate => 512,
        TaskKind::Optimize => (crate::text::approx_tokens(input.text).saturating_mul(2) + 256).min(8192),
    }
}

/// One task through a wire format's `exchange` (request in, JSON answer and usage out), with
/// the answer validated against the task's schema.
pub(crate) fn complete_via(provider: &str, model: &str, input: &TaskInput<'_>, exchange: impl FnOnce(&prompt::Request) -> Result<Exchanged, ProviderError>) -> Result<Completion, ProviderError> {
    let (answer, usage, limits) = exchange(&prompt::Request::single(input))?;
    let output = prompt::parse_answer(input, &answer).map_err(|e| ProviderError::new(provider, model, FailureKind::InvalidAnswer, e))?;
    Ok(Completion { output, usage, limits })
}

/// A batch through a wire format's `exchange`, the answer split per item.
pub(crate) fn complete_batch_via(provider: &str, model: &str, batch: &BatchInput<'_>, exchange: impl FnOnce(&prompt::Request) -> Result<Exchanged, ProviderError>) -> Result<BatchCompletion, ProviderError> {
    let (answer, usage, limits) = exchange(&prompt::Request::batch(batch))?;
    let outputs = prompt::parse_batch_answer(batch, &answer).map_err(|e| ProviderError::new(provider, model, FailureKind::InvalidAnswer, e))?;
    Ok(BatchCompletion { outputs, usage, limits })
}

/// What one exchange with a wire format gives: the JSON answer, usage, rate-limit headers.
pub(crate) type Exchanged = (serde_json::Value, Usage, RateLimits);

/// A model backend.
pub trait Provider: Send + Sync + fmt::Debug {
    /// The provider's configured name (`local`, `openai`, ...).
    fn name(&self) -> &str;
    fn complete(&self, model: &str, input: &TaskInput<'_>) -> Result<Completion, ProviderError>;

    /// Answers several sections in one request.
    fn complete_batch(&self, model: &str, batch: &BatchInput<'_>) -> Result<BatchCompletion, ProviderError>;
}
