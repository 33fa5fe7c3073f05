//! The simulator's profile (TOML): seed, time scale, API key and the simulated models with their
//! latency, limits, faults and outages. Unknown keys are refused and every error names its key, so
//! a typo in a bench profile fails loudly instead of silently simulating something else.
//! `data/sim/example.toml` shows every field.

use serde::Deserialize;
use std::path::Path;

/// The whole profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Seed of every random draw (latency, faults, answer values): the same seed and the same
    /// sequence of requests to a model give the same faults, latencies and answers. Default 0.
    #[serde(default)]
    pub seed: u64,
    /// Simulated time runs this much faster than real time: latencies are divided by it, a
    /// rate-limit minute lasts 60 s / time_scale and outage windows pass as fast. Default 1.
    #[serde(default = "one")]
    pub time_scale: f64,
    /// When set, a request must carry this key (OpenAI `Authorization: Bearer KEY`, Anthropic
    /// `x-api-key: KEY`), else it gets a 401. When absent any key, or none, is accepted.
    pub api_key: Option<String>,
    /// The simulated models (`[[model]]`, at least one); a request naming another model gets 404.
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
    /// The name requests use in their `model` field; unique within the profile.
    pub name: String,
    /// Time to answer, before scaling. Default median 100 ms, p95 300 ms.
    #[serde(default)]
    pub latency_ms: Latency,
    /// Requests per (scaled) minute; absent means unlimited.
    pub rpm: Option<u64>,
    /// Tokens per (scaled) minute, a request costing its prompt tokens plus its `max_tokens`;
    /// absent means unlimited.
    pub tpm: Option<u64>,
    /// Probability of each injected fault per admitted request. Default none.
    #[serde(default)]
    pub faults: Faults,
    /// Windows, in simulated seconds since the simulator started (not since the first request),
    /// during which every request to this model fails with the window's status.
    #[serde(default)]
    pub outages: Vec<Outage>,
}

/// Latency as a log-normal distribution given by its median and 95th percentile, in ms of
/// simulated time (divided by `time_scale` before sleeping).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Half of the requests take less than this.
    pub median: f64,
    /// 95% of the requests take less than this; equal to `median` for a constant latency.
    pub p95: f64,
}

impl Default for Latency {
    fn default() -> Self {
        Latency { median: 100.0, p95: 300.0 }
    }
}

/// Probabilities (0 to 1, summing to at most 1) of each fault per admitted request. Each defaults
/// to 0. Rate-limit refusals and outages come first and draw nothing.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// 500 with the provider's error body.
    #[serde(default)]
    pub http_500: f64,
    /// 502 with the provider's error body.
    #[serde(default)]
    pub http_502: f64,
    /// 503 with the provider's error body.
    #[serde(default)]
    pub http_503: f64,
    /// Anthropic's 529 "overloaded"; the OpenAI route, which has no 529, answers 503.
    #[serde(default)]
    pub http_529: f64,
    /// Hold the connection without answering for 60 s real time (or until shutdown), then close
    /// it: the client's timeout must fire.
    #[serde(default)]
    pub hang: f64,
    /// Close the connection right after reading the request, sending nothing.
    #[serde(default)]
    pub reset: f64,
    /// Send the headers of a 200 with a Content-Length larger than the body sent, then close.
    #[serde(default)]
    pub truncated: f64,
    /// 200 with a body that is not JSON.
    #[serde(default)]
    pub malformed: f64,
    /// 200 with `"choices": []` (OpenAI) or `"content": []` (Anthropic).
    #[serde(default)]
    pub empty_choices: f64,
    /// 200 cut off at the token limit: `finish_reason: "length"` (OpenAI) or
    /// `stop_reason: "max_tokens"` (Anthropic), with half an answer.
    #[serde(default)]
    pub length: f64,
}

/// An injected fault; `name` is its key in the profile and in `/__stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Http500,
    Http502,
    Http503,
    Http529,
    Hang,
    Reset,
    Truncated,
    Malformed,
    EmptyChoices,
    Length,
}

impl Fault {
    pub const ALL: [Fault; 10] =
        [Fault::Http500, Fault::Http502, Fault::Http503, Fault::Http529, Fault::Hang, Fault::Reset, Fault::Truncated, Fault::Malformed, Fault::EmptyChoices, Fault::Length];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Http500 => "http_500",
            Fault::Http502 => "http_502",
            Fault::Http503 => "http_503",
            Fault::Http529 => "http_529",
            Fault::Hang => "hang",
            Fault::Reset => "reset",
            Fault::Truncated => "truncated",
            Fault::Malformed => "malformed",
            Fault::EmptyChoices => "empty_choices",
            Fault::Length => "length",
        }
    }
}

impl Faults {
    /// Each fault with its probability, in the order draws walk them.
    pub fn table(&self) -> [(Fault, f64); 10] {
        let f = self;
        [
            (Fault::Http500, f.http_500),
            (Fault::Http502, f.http_502),
            (Fault::Http503, f.http_503),
            (Fault::Http529, f.http_529),
            (Fault::Hang, f.hang),
            (Fault::Reset, f.reset),
            (Fault::Truncated, f.truncated),
            (Fault::Malformed, f.malformed),
            (Fault::EmptyChoices, f.empty_choices),
            (Fault::Length, f.length),
        ]
    }
}

/// A window of failures.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    /// Start, in simulated seconds since the simulator started.
    pub start_s: f64,
    /// End (exclusive), in simulated seconds since the simulator started.
    pub end_s: f64,
    /// Status of every reply in the window, with the provider's error body. Default 503.
    #[serde(default = "http_503")]
    pub status: u16,
}

fn http_503() -> u16 {
    503
}

impl Profile {
    /// Reads and validates a profile file; errors start with the file's path.
    pub fn load(path: &Path) -> Result<Profile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Profile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and validates a profile; errors name the key at fault.
    pub fn parse(text: &str) -> Result<Profile, String> {
        let p: Profile = toml::from_str(text).map_err(|e| e.to_string())?;
        p.validate()?;
        Ok(p)
    }

    fn validate(&self) -> Result<(), String> {
        if !(self.time_scale > 0.0 && self.time_scale.is_finite()) {
            return Err(format!("time_scale = {}: must be a positive number", self.time_scale));
        }
        if self.models.is_empty() {
            return Err("model: at least one [[model]] is needed".into());
        }
        for (i, m) in self.models.iter().enumerate() {
            let at = format!("model[{i}] (name = {:?})", m.name);
            if self.models[..i].iter().any(|o| o.name == m.name) {
                return Err(format!("{at}: name appears twice"));
            }
            let l = m.latency_ms;
            if !(l.median > 0.0 && l.p95 >= l.median && l.p95.is_finite()) {
                return Err(format!("{at}: latency_ms needs 0 < median <= p95, got median = {}, p95 = {}", l.median, l.p95));
            }
            for (key, limit) in [("rpm", m.rpm), ("tpm", m.tpm)] {
                if limit == Some(0) {
                    return Err(format!("{at}: {key} = 0 would refuse everything; leave it out for no limit"));
                }
            }
            let mut sum = 0.0;
            for (fault, p) in m.faults.table() {
                if !(0.0..=1.0).contains(&p) {
                    return Err(format!("{at}: faults.{} = {p}: a probability is between 0 and 1", fault.name()));
                }
                sum += p;
            }
            if sum > 1.0 + 1e-9 {
                return Err(format!("{at}: faults sum to {sum}, more than 1"));
            }
            for (j, o) in m.outages.iter().enumerate() {
                if !(o.start_s >= 0.0 && o.end_s > o.start_s) {
                    return Err(format!("{at}: outages[{j}] needs 0 <= start_s < end_s, got {} and {}", o.start_s, o.end_s));
                }
                if !(400..=599).contains(&o.status) {
                    return Err(format!("{at}: outages[{j}].status = {}: an outage answers with a 4xx or 5xx status", o.status));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "[[model]]\nname = \"m\"\n";

    #[test]
    fn the_example_profile_parses_with_every_field() {
        let p = Profile::parse(include_str!("../../data/sim/example.toml")).expect("example parses");
        assert_eq!(p.seed, 42);
        assert_eq!(p.api_key.as_deref(), Some("sk-sim"));
        let m = &p.models[0];
        assert_eq!((m.rpm, m.tpm), (Some(1200), Some(2_000_000)));
        assert_eq!(m.faults.http_500, 0.03);
        assert_eq!(m.outages, vec![Outage { start_s: 30.0, end_s: 60.0, status: 503 }]);
    }

    #[test]
    fn defaults_fill_what_is_left_out() {
        let p = Profile::parse(MODEL).expect("parses");
        assert_eq!((p.seed, p.time_scale, p.api_key.clone()), (0, 1.0, None));
        assert_eq!(p.models[0].latency_ms, Latency::default());
        assert_eq!((p.models[0].rpm, p.models[0].faults), (None, Faults::default()));
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (format!("{MODEL}faults = {{ http_501 = 0.1 }}\n"), "http_501"),
            (format!("{MODEL}latency = 3\n"), "latency"),
            (format!("time_scale = 0.0\n{MODEL}"), "time_scale"),
            (format!("{MODEL}faults = {{ reset = 1.5 }}\n"), "faults.reset"),
            (format!("{MODEL}faults = {{ reset = 0.6, hang = 0.6 }}\n"), "faults sum"),
            (format!("{MODEL}outages = [{{ start_s = 5.0, end_s = 1.0 }}]\n"), "outages[0]"),
            (format!("{MODEL}outages = [{{ start_s = 0.0, end_s = 1.0, status = 200 }}]\n"), "outages[0].status"),
            (format!("{MODEL}rpm = 0\n"), "rpm"),
            (format!("{MODEL}latency_ms = {{ median = 500, p95 = 100 }}\n"), "latency_ms"),
            (format!("{MODEL}{MODEL}"), "twice"),
            ("seed = 1\n".to_string(), "model"),
        ];
        for (text, key) in cases {
            let e = Profile::parse(&text).expect_err(&text);
            assert!(e.contains(key), "{key:?} not in {e:?}");
        }
    }
}
