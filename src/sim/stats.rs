//! What the simulator saw, per model: the body of `GET /__stats` and of `SimHandle::stats`.
//!
//! Every request naming a model of the profile counts in that model's `requests` when it arrives
//! and, once answered, in exactly one outcome, so
//! `requests = ok + rate_limited + outage_failures + rejected + Σ faults + in_flight` always holds.
//! Tokens are those of answers served `ok`, the ones a client records; a cut-off or empty answer
//! counts as its fault.

use super::profile::Fault;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts of one model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelStats {
    /// Every request naming this model, whatever became of it.
    pub requests: u64,
    /// Answered 200 with a whole, schema-conforming answer.
    pub ok: u64,
    /// Refused with 429 by the model's RPM/TPM.
    pub rate_limited: u64,
    /// Each fault by its profile name (every name present, 0 when it never happened).
    pub faults: BTreeMap<String, u64>,
    /// Failed inside an outage window.
    pub outage_failures: u64,
    /// Refused before any work: a wrong or missing key (401) or an invalid request (400).
    pub rejected: u64,
    /// Prompt tokens of the `ok` answers, as their `usage` said.
    pub prompt_tokens: u64,
    /// Completion tokens of the `ok` answers, as their `usage` said.
    pub completion_tokens: u64,
    /// Requests being answered now.
    pub in_flight: u64,
    /// The most requests this model was answering at once.
    pub max_in_flight: u64,
}

impl Default for ModelStats {
    /// All zero, every fault name listed.
    fn default() -> ModelStats {
        ModelStats {
            requests: 0,
            ok: 0,
            rate_limited: 0,
            faults: Fault::ALL.iter().map(|f| (f.name().to_string(), 0)).collect(),
            outage_failures: 0,
            rejected: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            in_flight: 0,
            max_in_flight: 0,
        }
    }
}

/// The whole simulator.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStats {
    pub models: BTreeMap<String, ModelStats>,
    /// Requests to a model the profile lacks (404), or without a readable model name (400/401).
    pub unrouted: u64,
    /// Every request to the two API routes: the models' requests plus `unrouted`.
    pub total_requests: u64,
}

/// How one answered request ends, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok { prompt_tokens: u64, completion_tokens: u64 },
    RateLimited,
    Outage,
    Rejected,
    Fault(Fault),
}

impl ModelStats {
    pub fn record(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok { prompt_tokens, completion_tokens } => {
                self.ok += 1;
                self.prompt_tokens += prompt_tokens;
                self.completion_tokens += completion_tokens;
            }
            Outcome::RateLimited => self.rate_limited += 1,
            Outcome::Outage => self.outage_failures += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Fault(f) => *self.faults.entry(f.name().to_string()).or_insert(0) += 1,
        }
    }

    /// Answered requests: every outcome counted once.
    pub fn answered(&self) -> u64 {
        self.ok + self.rate_limited + self.outage_failures + self.rejected + self.faults.values().sum::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_counts_once_and_faults_list_every_name() {
        let mut s = ModelStats::default();
        assert_eq!(s.faults.len(), Fault::ALL.len());
        for o in [Outcome::Ok { prompt_tokens: 10, completion_tokens: 3 }, Outcome::RateLimited, Outcome::Outage, Outcome::Rejected, Outcome::Fault(Fault::Hang), Outcome::Fault(Fault::Hang)] {
            s.requests += 1;
            s.record(o);
        }
        assert_eq!((s.answered(), s.requests), (6, 6));
        assert_eq!((s.ok, s.prompt_tokens, s.completion_tokens, s.faults["hang"], s.faults["reset"]), (1, 10, 3, 2, 0));
        let json = serde_json::to_value(&s).expect("serialises");
        assert_eq!(json["faults"]["hang"], 2);
        assert_eq!(serde_json::from_value::<ModelStats>(json).expect("reads back"), s);
    }
}
