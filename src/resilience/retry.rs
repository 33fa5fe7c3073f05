//! The retry decision: a pure function of the classified failure, the attempt number and a random
//! draw, so it is tested without sleeping and reproducible for a seed.
//!
//! Full-jitter exponential backoff (`random(0, min(cap, base * 2^attempt))`); a provider's
//! `retry-after` takes precedence up to `max_wait`, and a longer wait means fall back instead.

use crate::provider::{FailureClass, ProviderError};
use std::time::Duration;

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Try the same model again after this long.
    Retry(Duration),
    /// Move to the next model of the chain.
    FallBack,
    /// Stop: nothing will help (the run should stop for this provider).
    GiveUp,
}

/// The knobs of the policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per model, the first included.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    /// Longest `retry-after` worth waiting for; beyond it the task falls back.
    pub max_wait: Duration,
    /// The naive policy of the baseline strategy: always this delay, no backoff, no jitter, no
    /// regard for `retry-after`.
    pub fixed_delay: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, base: Duration::from_millis(250), cap: Duration::from_secs(8), max_wait: Duration::from_secs(30), fixed_delay: None }
    }
}

impl RetryPolicy {
    /// Decides after `attempt` (0-based) failed with `failure`; `draw` is uniform in [0, 1).
    pub fn decide(&self, failure: &ProviderError, attempt: u32, draw: f64) -> Decision {
        match failure.class {
            FailureClass::Fatal => Decision::GiveUp,
            FailureClass::FallBack => Decision::FallBack,
            FailureClass::Retryable if attempt + 1 >= self.max_attempts => Decision::FallBack,
            FailureClass::Retryable if self.fixed_delay.is_some() => Decision::Retry(self.fixed_delay.unwrap_or_default()),
            FailureClass::Retryable => match failure.retry_after {
                Some(wait) if wait > self.max_wait => Decision::FallBack,
                Some(wait) => Decision::Retry(wait),
                None => {
                    let ceiling = self.base.saturating_mul(1u32 << attempt.min(20)).min(self.cap);
                    Decision::Retry(ceiling.mul_f64(draw.clamp(0.0, 1.0)))
                }
            },
        }
    }
}

/// A run's retry budget: each first attempt deposits `ratio` of a retry, each retry withdraws one,
/// so retries stay under `ratio` of first attempts (plus a small reserve for the run's start) and
/// a failing provider cannot turn into a retry storm.
#[derive(Debug)]
pub struct RetryBudget {
    ratio: f64,
    /// Thousandths of a retry available.
    balance: std::sync::atomic::AtomicI64,
    retries: std::sync::atomic::AtomicU64,
    refused: std::sync::atomic::AtomicU64,
}

impl RetryBudget {
    pub fn new(ratio: f64, reserve: u32) -> RetryBudget {
        RetryBudget {
            ratio,
            balance: std::sync::atomic::AtomicI64::new(i64::from(reserve) * 1000),
            retries: Default::default(),
            refused: Default::default(),
        }
    }

    /// A first attempt went out.
    pub fn deposit(&self) {
        self.balance.fetch_add((self.ratio * 1000.0) as i64, std::sync::atomic::Ordering::Relaxed);
    }

    /// Takes one retry from the budget; false when it is spent.
    pub fn withdraw(&self) -> bool {
        use std::sync::atomic::Ordering;
        let ok = self.balance.fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| (b >= 1000).then_some(b - 1000)).is_ok();
        if ok { &self.retries } else { &self.refused }.fetch_add(1, Ordering::Relaxed);
        ok
    }

    /// Retries granted and refused so far.
    pub fn counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering;
        (self.retries.load(Ordering::Relaxed), self.refused.load(Ordering::Relaxed))
    }
}

/// A small, fast, seedable generator (splitmix64) for jitter and exploration draws.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::FailureKind;

    fn failure(kind: FailureKind, retry_after: Option<Duration>) -> ProviderError {
        let mut e = ProviderError::new("p", "m", kind, "x");
        e.retry_after = retry_after;
        e
    }

    #[test]
    fn retryable_failures_back_off_with_full_jitter_under_the_cap() {
        let p = RetryPolicy::default();
        let e = failure(FailureKind::Server, None);
        assert_eq!(p.decide(&e, 0, 0.0), Decision::Retry(Duration::ZERO));
        assert_eq!(p.decide(&e, 0, 0.5), Decision::Retry(Duration::from_millis(125)));
        assert_eq!(p.decide(&e, 1, 0.5), Decision::Retry(Duration::from_millis(250)));
        let capped = RetryPolicy { max_attempts: 30, ..p };
        assert_eq!(capped.decide(&e, 20, 0.999_999), Decision::Retry(Duration::from_secs(8).mul_f64(0.999_999)));
        assert_eq!(p.decide(&e, 2, 0.5), Decision::FallBack, "attempts exhausted");
    }

    #[test]
    fn retry_after_wins_up_to_a_cap_then_falls_back() {
        let p = RetryPolicy::default();
        assert_eq!(p.decide(&failure(FailureKind::RateLimited, Some(Duration::from_secs(3))), 0, 0.9), Decision::Retry(Duration::from_secs(3)));
        assert_eq!(p.decide(&failure(FailureKind::RateLimited, Some(Duration::from_secs(120))), 0, 0.9), Decision::FallBack);
    }

    #[test]
    fn the_fixed_policy_ignores_hints_and_attempts() {
        let p = RetryPolicy { fixed_delay: Some(Duration::from_millis(100)), max_attempts: 4, ..RetryPolicy::default() };
        let e = failure(FailureKind::RateLimited, Some(Duration::from_secs(5)));
        assert_eq!(p.decide(&e, 0, 0.9), Decision::Retry(Duration::from_millis(100)));
        assert_eq!(p.decide(&e, 2, 0.1), Decision::Retry(Duration::from_millis(100)));
        assert_eq!(p.decide(&e, 3, 0.1), Decision::FallBack);
    }

    #[test]
    fn client_errors_never_retry() {
        let p = RetryPolicy::default();
        for kind in [FailureKind::BadRequest, FailureKind::NotFound, FailureKind::Quota, FailureKind::Refusal] {
            assert_eq!(p.decide(&failure(kind, None), 0, 0.5), Decision::FallBack, "{kind:?}");
        }
        assert_eq!(p.decide(&failure(FailureKind::Auth, None), 0, 0.5), Decision::GiveUp);
    }

    #[test]
    fn the_budget_keeps_retries_to_a_share_of_first_attempts() {
        let b = RetryBudget::new(0.2, 1);
        assert!(b.withdraw(), "the reserve");
        assert!(!b.withdraw());
        for _ in 0..10 {
            b.deposit();
        }
        assert!(b.withdraw() && b.withdraw());
        assert!(!b.withdraw(), "10 first attempts earn 2 retries");
        assert_eq!(b.counts(), (3, 2));
    }

    #[test]
    fn splitmix_is_seeded_and_uniform_enough() {
        let mut a = SplitMix::new(7);
        let mut b = SplitMix::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let mean = (0..10_000).map(|_| a.next_f64()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }
}
