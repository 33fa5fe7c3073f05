//! The simulator's profile (TOML): models with latency, limits, faults and outages.

use serde::Deserialize;
use std::path::Path;

/// The whole profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Seed of every random draw (latency, faults, scores): the same seed and requests give the
    /// same answers.
    #[serde(default)]
    pub seed: u64,
    /// Simulated time runs this much faster: latencies are divided by it and a rate-limit minute
    /// lasts 60 s / time_scale. Default 1.
    #[serde(default = "one")]
    pub time_scale: f64,
    /// When set, requests must carry this key (`Authorization: Bearer` or `x-api-key`), else 401.
    pub api_key: Option<String>,
    #[serde(rename = "model")]
    pub models: Vec<ModelProfile>,
}

fn one() -> f64 {
    1.0
}

/// One simulated model.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelProfile {
    pub name: String,
    #[serde(default)]
    pub latency_ms: Latency,
    /// Requests per (scaled) minute; none means unlimited.
    pub rpm: Option<u64>,
    /// Tokens per (scaled) minute; none means unlimited.
    pub tpm: Option<u64>,
    #[serde(default)]
    pub faults: Faults,
    /// Windows in simulated seconds since the simulator started during which every request to
    /// this model fails with `status`.
    #[serde(default)]
    pub outages: Vec<Outage>,
}

/// Latency as a log-normal distribution given by its median and 95th percentile, in unscaled ms.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    pub median: f64,
    pub p95: f64,
}

impl Default for Latency {
    fn default() -> Self {
        Latency { median: 100.0, p95: 300.0 }
    }
}

/// Probabilities (0..1) of each injected fault per request.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    #[serde(default)]
    pub http_500: f64,
    #[serde(default)]
    pub http_502: f64,
    #[serde(default)]
    pub http_503: f64,
    /// Anthropic's "overloaded" (the OpenAI route answers 503).
    #[serde(default)]
    pub http_529: f64,
    /// Hold the connection without answering (the client's timeout must fire).
    #[serde(default)]
    pub hang: f64,
    /// Close the connection right after reading the request.
    #[serde(default)]
    pub reset: f64,
    /// Promise more body than is sent, then close.
    #[serde(default)]
    pub truncated: f64,
    /// 200 with a body that is not JSON.
    #[serde(default)]
    pub malformed: f64,
    /// 200 with no choices (OpenAI) or no content (Anthropic).
    #[serde(default)]
    pub empty_choices: f64,
    /// 200 cut off at the token limit.
    #[serde(default)]
    pub length: f64,
}

/// A window of failures.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    pub start_s: f64,
    pub end_s: f64,
    #[serde(default = "http_503")]
    pub status: u16,
}

fn http_503() -> u16 {
    503
}

impl Profile {
    pub fn load(path: &Path) -> Result<Profile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Profile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Profile, String> {
        let p: Profile = toml::from_str(text).map_err(|e| e.to_string())?;
        if !(p.time_scale > 0.0 && p.time_scale.is_finite()) {
            return Err("time_scale must be a positive number".into());
        }
        for m in &p.models {
            if !(m.latency_ms.median > 0.0 && m.latency_ms.p95 >= m.latency_ms.median) {
                return Err(format!("model {:?}: latency_ms needs 0 < median <= p95", m.name));
            }
        }
        Ok(p)
    }
}
