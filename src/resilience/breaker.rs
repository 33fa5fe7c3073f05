//! Circuit breaker per (provider, model): opens when the failure rate over a sliding window of
//! recent calls passes a threshold (with a minimum number of calls), stays open for a while,
//! then lets a few probe calls through half-open and closes on their success. Rate-limit refusals
//! are not failures of the model and never count. Pure: the caller passes the time.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Thresholds, with bulk-job defaults (50% over 20 calls, 30 s open, 3 probes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BreakerConfig {
    pub window: usize,
    pub min_calls: usize,
    pub failure_rate: f64,
    pub open_for: Duration,
    pub probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig { window: 20, min_calls: 20, failure_rate: 0.5, open_for: Duration::from_secs(30), probes: 3 }
    }
}

/// The breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { in_flight: u32, successes: u32 },
}

impl State {
    pub fn name(&self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half_open",
        }
    }
}

/// What a call's outcome means to the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// A rate-limit refusal: the limiter's business, not a sign the model is down.
    Ignored,
}

/// A state change, for the log and the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub at: Instant,
    pub from: &'static str,
    pub to: &'static str,
}

/// One model's breaker.
#[derive(Debug)]
pub struct Breaker {
    config: BreakerConfig,
    state: State,
    recent: VecDeque<bool>,
    transitions: Vec<Transition>,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Breaker {
        Breaker { config, state: State::Closed, recent: VecDeque::with_capacity(config.window), transitions: Vec::new() }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Transitions so far, oldest first.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    fn go(&mut self, to: State, now: Instant) {
        self.transitions.push(Transition { at: now, from: self.state.name(), to: to.name() });
        self.state = to;
    }

    /// Whether a call may go out now. In half-open, each allowed call is a probe and must be
    /// answered with `record`.
    pub fn allow(&mut self, now: Instant) -> bool {
        match self.state {
            State::Closed => true,
            State::Open { until } if now >= until => {
                self.go(State::HalfOpen { in_flight: 1, successes: 0 }, now);
                true
            }
            State::Open { .. } => false,
            State::HalfOpen { in_flight, successes } if in_flight + successes < self.config.probes => {
                self.state = State::HalfOpen { in_flight: in_flight + 1, successes };
                true
            }
            State::HalfOpen { .. } => false,
        }
    }

    /// Records the outcome of an allowed call.
    pub fn record(&mut self, outcome: Outcome, now: Instant) {
        if outcome == Outcome::Ignored {
            if let State::HalfOpen { in_flight, successes } = self.state {
                self.state = State::HalfOpen { in_flight: in_flight.saturating_sub(1), successes };
            }
            return;
        }
        let failed = outcome == Outcome::Failure;
        match self.state {
            State::Closed => {
                if self.recent.len() == self.config.window {
                    self.recent.pop_front();
                }
                self.recent.push_back(failed);
                let failures = self.recent.iter().filter(|&&f| f).count();
                if self.recent.len() >= self.config.min_calls && failures as f64 >= self.config.failure_rate * self.recent.len() as f64 {
                    self.recent.clear();
                    self.go(State::Open { until: now + self.config.open_for }, now);
                }
            }
            State::HalfOpen { in_flight, successes } => {
                if failed {
                    self.go(State::Open { until: now + self.config.open_for }, now);
                } else if successes + 1 >= self.config.probes {
                    self.go(State::Closed, now);
                } else {
                    self.state = State::HalfOpen { in_flight: in_flight.saturating_sub(1), successes: successes + 1 };
                }
            }
            // A call allowed before the breaker opened, answering late: the window restarts anyway.
            State::Open { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BreakerConfig {
        BreakerConfig { window: 10, min_calls: 10, failure_rate: 0.5, open_for: Duration::from_secs(30), probes: 2 }
    }

    #[test]
    fn opens_on_failure_rate_over_the_window_only_after_min_calls() {
        let t0 = Instant::now();
        let mut b = Breaker::new(config());
        for _ in 0..4 {
            assert!(b.allow(t0));
            b.record(Outcome::Failure, t0);
        }
        assert_eq!(b.state(), State::Closed, "fewer than min_calls");
        for _ in 0..5 {
            b.record(Outcome::Success, t0);
        }
        assert_eq!(b.state(), State::Closed, "4 of 9");
        b.record(Outcome::Failure, t0);
        assert!(matches!(b.state(), State::Open { .. }), "5 of 10 fail");
        assert!(!b.allow(t0 + Duration::from_secs(29)));
    }

    #[test]
    fn half_opens_after_the_wait_and_closes_on_probe_successes() {
        let t0 = Instant::now();
        let mut b = Breaker::new(config());
        for _ in 0..10 {
            b.record(Outcome::Failure, t0);
        }
        let t1 = t0 + Duration::from_secs(30);
        assert!(b.allow(t1), "first probe");
        assert!(b.allow(t1), "second probe");
        assert!(!b.allow(t1), "no more than the probes");
        b.record(Outcome::Success, t1);
        b.record(Outcome::Success, t1);
        assert_eq!(b.state(), State::Closed);
        let names: Vec<(&str, &str)> = b.transitions().iter().map(|t| (t.from, t.to)).collect();
        assert_eq!(names, vec![("closed", "open"), ("open", "half_open"), ("half_open", "closed")]);
    }

    #[test]
    fn a_failed_probe_reopens() {
        let t0 = Instant::now();
        let mut b = Breaker::new(config());
        for _ in 0..10 {
            b.record(Outcome::Failure, t0);
        }
        let t1 = t0 + Duration::from_secs(31);
        assert!(b.allow(t1));
        b.record(Outcome::Failure, t1);
        assert_eq!(b.state(), State::Open { until: t1 + Duration::from_secs(30) });
    }

    #[test]
    fn rate_limits_never_trip_it() {
        let t0 = Instant::now();
        let mut b = Breaker::new(config());
        for _ in 0..100 {
            b.record(Outcome::Ignored, t0);
        }
        assert_eq!(b.state(), State::Closed);
        assert!(b.transitions().is_empty());
    }
}
