//! `tailor.toml`: what a user may configure, as serde structs that reject unknown keys, and its
//! validation into runtime values. Every field is optional; the defaults are written beside it.

use crate::plan::SectionWeights;
use crate::provider::openai::StructuredOutput;
use crate::segment::SectionType;
use crate::resilience::breaker::BreakerConfig;
use crate::resilience::retry::RetryPolicy;
use crate::schedule::SchedulerConfig;
use crate::state::CacheLimits;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file as written.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub run: RunSection,
    #[serde(default)]
    pub input: InputSection,
    #[serde(default)]
    pub cache: CacheSection,
    /// `[[provider]]`: where models are served. Without any, only the built-in `local` exists.
    #[serde(default, rename = "provider")]
    pub providers: Vec<ProviderConfig>,
    /// `[[model]]`: models, their prices and their simpler fallback.
    #[serde(default, rename = "model")]
    pub models: Vec<ModelConfig>,
    #[serde(default)]
    pub routing: RoutingConfig,
    #[serde(default)]
    pub resilience: ResilienceSection,
    /// Importance of each section type, 0 to 10 (0 = leave the section alone). Keys are section
    /// types: contact, summary, experience, education, skills, projects, certifications, awards,
    /// publications, volunteering, languages, interests, references, additional, other.
    /// Defaults: experience 1.0, skills 0.8, summary 0.7, projects 0.6, education 0.5, ...
    #[serde(default)]
    pub weights: BTreeMap<String, f32>,
}

/// `[run]`
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// State folder (cache, journal, performance table). Default: `.tailor-state` in the output folder.
    pub state_dir: Option<PathBuf>,
    /// Largest resume or job text accepted, in bytes; longer rows are rejected. Default 200000.
    pub max_text_bytes: Option<usize>,
    /// Rows read and processed together. Default 1024.
    pub chunk_rows: Option<usize>,
    /// Spend limit in USD, as `--max-cost` (the flag wins).
    pub max_cost_usd: Option<f64>,
    /// Deadline, as `--deadline`: `HH:MM` local time or RFC 3339 (the flag wins).
    pub deadline: Option<String>,
}

/// `[cache]`
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CacheSection {
    /// Days a cached model answer stays valid. Default 30.
    pub ttl_days: Option<f64>,
    /// Largest size of the cache in MiB; the least recently used answers go first. Default 2048.
    pub max_mib: Option<u64>,
}

/// The API a provider speaks.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    Openai,
    Anthropic,
    OpenaiCompatible,
    Local,
}

/// `[[provider]]`
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Name models refer to.
    pub name: String,
    pub kind: ProviderKind,
    /// As the official SDKs take it: OpenAI-style with `/v1` (`https://api.openai.com/v1`),
    /// Anthropic the bare host (`https://api.anthropic.com`). Defaults to those two.
    pub base_url: Option<String>,
    /// Environment variable holding the API key (required for openai and anthropic). The key itself
    /// never appears in config, logs or outputs.
    pub api_key_env: Option<String>,
    /// Calls in flight to this provider at once. Default 8.
    pub max_concurrency: Option<usize>,
    /// Requests per minute allowed for each of this provider's models (a `[[model]]` may override).
    pub rpm: Option<u32>,
    /// Tokens per minute allowed for each of this provider's models.
    pub tpm: Option<u64>,
    /// Whole-request timeout in seconds. Default 60.
    pub timeout_s: Option<f64>,
    /// Connect timeout in seconds. Default 10.
    pub connect_timeout_s: Option<f64>,
    /// json_schema | json_object_schema (llama.cpp) | json_object | prompt. Default json_schema.
    pub structured_output: Option<StructuredOutput>,
}

/// `[[model]]`
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The model name sent to the provider.
    pub name: String,
    /// A `[[provider]]` name.
    pub provider: String,
    /// USD per million input tokens. Default 0.
    #[serde(default)]
    pub price_in_per_mtok: f64,
    /// USD per million output tokens. Default 0.
    #[serde(default)]
    pub price_out_per_mtok: f64,
    /// USD per million input tokens served from the provider's prompt cache. Default: the input price.
    pub price_cached_in_per_mtok: Option<f64>,
    /// Model to fall back to when this one keeps failing (another `[[model]]` name, or `local`).
    pub simpler: Option<String>,
    /// Overrides the provider's rpm for this model.
    pub rpm: Option<u32>,
    /// Overrides the provider's tpm for this model.
    pub tpm: Option<u64>,
}

/// `[routing]`: which models serve each task kind, best first. `local` is always the last resort.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    #[serde(default)]
    pub evaluate: Vec<String>,
    #[serde(default)]
    pub optimize: Vec<String>,
}

/// `[resilience]`: breaker and retry knobs. Defaults suit bulk jobs against real providers.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResilienceSection {
    /// Calls in the breaker's sliding window. Default 20.
    pub breaker_window: Option<usize>,
    /// Calls the window needs before the breaker may open. Default 20.
    pub breaker_min_calls: Option<usize>,
    /// Failure share of the window that opens the breaker, 0 to 1. Default 0.5.
    pub breaker_failure_rate: Option<f64>,
    /// Seconds the breaker stays open before probing. Default 30.
    pub breaker_open_s: Option<f64>,
    /// Probe calls when half-open. Default 3.
    pub breaker_probes: Option<u32>,
    /// Attempts per model, the first included. Default 3.
    pub max_attempts: Option<u32>,
    /// Retries allowed as a share of first attempts over the run. Default 0.2.
    pub retry_budget: Option<f64>,
    /// Longest `retry-after` in seconds worth waiting for; longer falls back. Default 30.
    pub max_retry_wait_s: Option<f64>,
}

/// `[input]`: column names, when the file does not use `resume`, `job` and `pair_id`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InputSection {
    pub resume_col: Option<String>,
    pub job_col: Option<String>,
    pub id_col: Option<String>,
}

/// A config that cannot be used, with the file and the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl FileConfig {
    /// Reads and parses a config file; unknown keys and wrong types are errors naming the key.
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let err = |message: String| ConfigError { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read config: {e}")))?;
        let config: FileConfig = toml::from_str(&text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        config.validate().map_err(err)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if self.run.max_text_bytes == Some(0) {
            return Err("run.max_text_bytes must be at least 1".into());
        }
        if self.run.chunk_rows == Some(0) {
            return Err("run.chunk_rows must be at least 1".into());
        }
        if self.run.max_cost_usd.is_some_and(|c| !(c >= 0.0 && c.is_finite())) {
            return Err("run.max_cost_usd must be 0 or more".into());
        }
        if self.cache.ttl_days.is_some_and(|d| !(d > 0.0 && d.is_finite())) {
            return Err("cache.ttl_days must be a positive number of days".into());
        }
        self.validate_models()?;
        let r = &self.resilience;
        if r.breaker_failure_rate.is_some_and(|f| !(0.0..=1.0).contains(&f)) {
            return Err("resilience.breaker_failure_rate must be between 0 and 1".into());
        }
        for (key, v) in [("breaker_open_s", r.breaker_open_s), ("max_retry_wait_s", r.max_retry_wait_s), ("retry_budget", r.retry_budget)] {
            if v.is_some_and(|x| !(x >= 0.0 && x.is_finite())) {
                return Err(format!("resilience.{key} must be a number of 0 or more"));
            }
        }
        if r.breaker_window == Some(0) || r.max_attempts == Some(0) || r.breaker_probes == Some(0) {
            return Err("resilience.breaker_window, breaker_probes and max_attempts must be at least 1".into());
        }
        self.section_weights().map(|_| ())
    }

    fn validate_models(&self) -> Result<(), String> {
        let mut names: Vec<&str> = vec!["local"];
        for (i, p) in self.providers.iter().enumerate() {
            if names.contains(&p.name.as_str()) && p.name != "local" {
                return Err(format!("provider[{i}].name: {:?} is used twice", p.name));
            }
            if matches!(p.kind, ProviderKind::Openai | ProviderKind::Anthropic) && p.api_key_env.is_none() {
                return Err(format!("provider[{i}].api_key_env: required for provider {:?}", p.name));
            }
            if p.kind == ProviderKind::OpenaiCompatible && p.base_url.is_none() {
                return Err(format!("provider[{i}].base_url: required for an openai-compatible provider"));
            }
            if p.max_concurrency == Some(0) || p.rpm == Some(0) || p.tpm == Some(0) {
                return Err(format!("provider[{i}]: max_concurrency, rpm and tpm must be at least 1"));
            }
            for (key, v) in [("timeout_s", p.timeout_s), ("connect_timeout_s", p.connect_timeout_s)] {
                if v.is_some_and(|s| !(s > 0.0 && s.is_finite())) {
                    return Err(format!("provider[{i}].{key}: must be a positive number of seconds"));
                }
            }
            names.push(&p.name);
        }
        let mut models: Vec<&str> = vec!["local"];
        for (i, m) in self.models.iter().enumerate() {
            if !names.contains(&m.provider.as_str()) {
                return Err(format!("model[{i}].provider: no [[provider]] named {:?}", m.provider));
            }
            if models.contains(&m.name.as_str()) {
                return Err(format!("model[{i}].name: {:?} is defined twice", m.name));
            }
            for (key, v) in [("price_in_per_mtok", Some(m.price_in_per_mtok)), ("price_out_per_mtok", Some(m.price_out_per_mtok)), ("price_cached_in_per_mtok", m.price_cached_in_per_mtok)] {
                if v.is_some_and(|p| !(p >= 0.0 && p.is_finite())) {
                    return Err(format!("model[{i}].{key}: must be a price of 0 or more"));
                }
            }
            models.push(&m.name);
        }
        for (i, m) in self.models.iter().enumerate() {
            if let Some(s) = &m.simpler {
                if !models.contains(&s.as_str()) {
                    return Err(format!("model[{i}].simpler: no model named {s:?}"));
                }
            }
        }
        for (kind, list) in [("evaluate", &self.routing.evaluate), ("optimize", &self.routing.optimize)] {
            if let Some(unknown) = list.iter().find(|m| !models.contains(&m.as_str())) {
                return Err(format!("routing.{kind}: no model named {unknown:?}"));
            }
        }
        Ok(())
    }

    /// The scheduler's resilience settings: defaults overridden by `[resilience]`.
    pub fn scheduler_config(&self) -> SchedulerConfig {
        let d = SchedulerConfig::default();
        let r = &self.resilience;
        let b = d.breaker.unwrap_or_default();
        SchedulerConfig {
            breaker: Some(BreakerConfig {
                window: r.breaker_window.unwrap_or(b.window),
                min_calls: r.breaker_min_calls.unwrap_or(b.min_calls),
                failure_rate: r.breaker_failure_rate.unwrap_or(b.failure_rate),
                open_for: r.breaker_open_s.map_or(b.open_for, Duration::from_secs_f64),
                probes: r.breaker_probes.unwrap_or(b.probes),
            }),
            retry: RetryPolicy {
                max_attempts: r.max_attempts.unwrap_or(d.retry.max_attempts),
                max_wait: r.max_retry_wait_s.map_or(d.retry.max_wait, Duration::from_secs_f64),
                ..d.retry
            },
            retry_budget: r.retry_budget.unwrap_or(d.retry_budget),
            ..d
        }
    }

    /// Cache TTL and size cap: defaults overridden by `[cache]`.
    pub fn cache_limits(&self) -> CacheLimits {
        let d = CacheLimits::default();
        CacheLimits {
            ttl: self.cache.ttl_days.map_or(d.ttl, |days| Duration::from_secs_f64(days * 86_400.0)),
            max_bytes: self.cache.max_mib.map_or(d.max_bytes, |m| m.saturating_mul(1 << 20)),
        }
    }

    /// The section weights: defaults overridden by `[weights]`.
    pub fn section_weights(&self) -> Result<SectionWeights, String> {
        let mut weights = SectionWeights::default();
        for (key, &value) in &self.weights {
            let kind = SectionType::parse(key).ok_or_else(|| {
                let known: Vec<&str> = SectionType::ALL.iter().map(|k| k.as_str()).collect();
                format!("weights.{key}: unknown section type; expected one of {}", known.join(", "))
            })?;
            if !(0.0..=10.0).contains(&value) {
                return Err(format!("weights.{key}: {value} is outside 0 to 10"));
            }
            weights.set(kind, value);
        }
        Ok(weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FileConfig, String> {
        let c: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn empty_config_is_all_defaults() {
        assert_eq!(parse("").expect("empty is valid"), FileConfig::default());
    }

    #[test]
    fn unknown_keys_name_themselves() {
        let e = parse("[run]\nmax_text_byte = 5\n").expect_err("typo");
        assert!(e.contains("max_text_byte"), "{e}");
        let e = parse("[weights]\nexperiense = 1.0\n").expect_err("typo");
        assert!(e.contains("weights.experiense"), "{e}");
    }

    const PROVIDERS: &str = r#"
[[provider]]
name = "openai"
kind = "openai"
api_key_env = "OPENAI_API_KEY"
rpm = 500

[[model]]
name = "gpt-4o-mini"
provider = "openai"
price_in_per_mtok = 0.15
price_out_per_mtok = 0.60
simpler = "local"

[routing]
evaluate = ["gpt-4o-mini", "local"]
optimize = ["gpt-4o-mini"]
"#;

    #[test]
    fn providers_models_and_routing_parse_and_cross_check() {
        let c = parse(PROVIDERS).expect("valid");
        assert_eq!(c.providers[0].kind, ProviderKind::Openai);
        assert_eq!(c.models[0].simpler.as_deref(), Some("local"));
        let e = parse(&PROVIDERS.replace(r#"provider = "openai""#, r#"provider = "opnai""#)).expect_err("bad provider");
        assert!(e.contains("model[0].provider"), "{e}");
        let e = parse(&PROVIDERS.replace(r#"optimize = ["gpt-4o-mini"]"#, r#"optimize = ["gpt-5"]"#)).expect_err("bad route");
        assert!(e.contains("routing.optimize") && e.contains("gpt-5"), "{e}");
        let e = parse(&PROVIDERS.replace("api_key_env = \"OPENAI_API_KEY\"\n", "")).expect_err("no key env");
        assert!(e.contains("api_key_env"), "{e}");
        let e = parse(&PROVIDERS.replace("rpm = 500", "rpn = 500")).expect_err("typo");
        assert!(e.contains("rpn"), "{e}");
    }

    #[test]
    fn weights_override_defaults_and_are_bounded() {
        let c = parse("[weights]\nskills = 2.5\n").expect("valid");
        assert_eq!(c.section_weights().expect("valid").get(SectionType::Skills), 2.5);
        assert!(parse("[weights]\nskills = 11\n").is_err());
        assert!(parse("[run]\nchunk_rows = 0\n").is_err());
    }
}
