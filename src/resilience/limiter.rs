//! Rate limiter per (provider, model): token buckets for requests and tokens per minute. Workers
//! ask before sending and wait the answer out, instead of sending requests that will be refused.
//! Token use is estimated before the call and corrected with reported usage; a 429 or a provider
//! saying it has nothing left pauses the model until its window resets. Pure: the caller passes
//! the time.

use crate::provider::RateLimits;
use std::time::{Duration, Instant};

/// The share of a configured limit actually used: a margin so the provider's own window, which
/// may be aligned differently, does not refuse the last requests of a burst.
const HEADROOM: f64 = 0.985;
/// How much burst a bucket allows, in seconds of its rate. Small, because providers count over
/// sliding windows: a full burst at the start plus the steady rate would overfill the first one.
const BURST_SECONDS: f64 = 0.1;
/// The fastest a model is paused for when a 429 says nothing about when to come back.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
struct Bucket {
    capacity: f64,
    level: f64,
    per_second: f64,
    last: Instant,
}

impl Bucket {
    fn new(per_minute: f64, now: Instant) -> Bucket {
        let per_second = per_minute * HEADROOM / 60.0;
        let capacity = (per_second * BURST_SECONDS).max(1.0);
        Bucket { capacity, level: capacity, per_second, last: now }
    }

    fn refill(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.level = (self.level + dt * self.per_second).min(self.capacity);
        self.last = now;
    }

    /// Time until `amount` is available (zero if it is now). Amounts over capacity wait for a
    /// full bucket, so one huge request is not refused forever.
    fn wait_for(&self, amount: f64) -> Duration {
        let need = amount.min(self.capacity) - self.level;
        if need <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(need / self.per_second)
        }
    }
}

/// One model's limiter.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
    paused_until: Option<Instant>,
    /// False for the baseline strategy's limiter: it counts 429s but never holds a call back.
    enforce: bool,
    /// 429s seen, for the report.
    pub rate_limited: u64,
    /// Total time callers were told to wait, for the report.
    pub waited: Duration,
}

impl RateLimiter {
    pub fn new(rpm: Option<u32>, tpm: Option<u64>, now: Instant) -> RateLimiter {
        RateLimiter {
            requests: rpm.map(|r| Bucket::new(f64::from(r), now)),
            tokens: tpm.map(|t| Bucket::new(t as f64, now)),
            paused_until: None,
            enforce: true,
            rate_limited: 0,
            waited: Duration::ZERO,
        }
    }

    /// A limiter that lets every call go at once and ignores 429s and rate-limit headers (it
    /// only counts the 429s): the baseline strategy, which sends blindly.
    pub fn unenforced(now: Instant) -> RateLimiter {
        RateLimiter { enforce: false, ..RateLimiter::new(None, None, now) }
    }

    /// Whether this limiter holds calls back on 429s and headers.
    pub fn enforces(&self) -> bool {
        self.enforce
    }

    /// Takes one request and `tokens` estimated tokens if both are available now; otherwise
    /// returns how long to wait before asking again.
    pub fn try_acquire(&mut self, tokens: u64, now: Instant) -> Result<(), Duration> {
        if let Some(until) = self.paused_until {
            if now < until {
                return self.wait(until - now);
            }
            self.paused_until = None;
        }
        for bucket in [&mut self.requests, &mut self.tokens].into_iter().flatten() {
            bucket.refill(now);
        }
        let wait_requests = self.requests.as_ref().map_or(Duration::ZERO, |b| b.wait_for(1.0));
        let wait_tokens = self.tokens.as_ref().map_or(Duration::ZERO, |b| b.wait_for(tokens as f64));
        let wait = wait_requests.max(wait_tokens);
        if !wait.is_zero() {
            return self.wait(wait);
        }
        if let Some(b) = &mut self.requests {
            b.level -= 1.0;
        }
        if let Some(b) = &mut self.tokens {
            b.level -= (tokens as f64).min(b.capacity);
        }
        Ok(())
    }

    fn wait(&mut self, d: Duration) -> Result<(), Duration> {
        self.waited += d;
        Err(d)
    }

    /// Corrects the token bucket once the call reports what it really used.
    pub fn correct(&mut self, estimated: u64, actual: u64) {
        if let Some(b) = &mut self.tokens {
            b.level = (b.level + estimated as f64 - actual as f64).min(b.capacity);
        }
    }

    /// A 429: pause the model (every worker honours it) until the provider's hint, or briefly.
    pub fn on_rate_limited(&mut self, retry_after: Option<Duration>, limits: &RateLimits, now: Instant) {
        self.rate_limited += 1;
        if !self.enforce {
            return;
        }
        let hint = retry_after.or(limits.reset_requests.max(limits.reset_tokens)).unwrap_or(DEFAULT_PAUSE);
        self.pause(now + hint);
        for b in [&mut self.requests, &mut self.tokens].into_iter().flatten() {
            b.level = b.level.min(0.0);
        }
    }

    /// Headers of a successful call: when the provider says a window is spent, wait for its reset.
    pub fn observe(&mut self, limits: &RateLimits, now: Instant) {
        if !self.enforce {
            return;
        }
        if limits.remaining_requests == Some(0) {
            if let Some(reset) = limits.reset_requests {
                self.pause(now + reset);
            }
        }
        if limits.remaining_tokens == Some(0) {
            if let Some(reset) = limits.reset_tokens {
                self.pause(now + reset);
            }
        }
    }

    fn pause(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |u| u.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_flow_at_the_configured_rate() {
        let t0 = Instant::now();
        let mut l = RateLimiter::new(Some(6000), None, t0);
        // 6000 rpm * 0.985 = 98.5/s, a burst of a tenth of a second: nine go at once, the tenth waits.
        let mut sent = 0;
        while l.try_acquire(0, t0).is_ok() {
            sent += 1;
        }
        assert_eq!(sent, 9);
        let wait = l.try_acquire(0, t0).expect_err("bucket is empty");
        assert!(wait > Duration::ZERO && wait < Duration::from_millis(11), "{wait:?}");
        // Over ten seconds about 985 more go out: the rate, not more.
        let mut now = t0;
        let mut later = 0;
        while now < t0 + Duration::from_secs(10) {
            match l.try_acquire(0, now) {
                Ok(()) => later += 1,
                Err(w) => now += w,
            }
        }
        assert!((980..=987).contains(&later), "{later}");
    }

    #[test]
    fn tokens_are_estimated_then_corrected() {
        let t0 = Instant::now();
        let mut l = RateLimiter::new(None, Some(600_000), t0);
        // 9850 tokens/s, burst 985.
        assert!(l.try_acquire(900, t0).is_ok());
        assert!(l.try_acquire(900, t0).is_err());
        l.correct(900, 100);
        assert!(l.try_acquire(700, t0).is_ok(), "the call used far less than estimated");
    }

    #[test]
    fn a_429_pauses_for_retry_after_and_headers_pause_for_reset() {
        let t0 = Instant::now();
        let mut l = RateLimiter::new(Some(6000), None, t0);
        l.on_rate_limited(Some(Duration::from_secs(2)), &RateLimits::default(), t0);
        assert_eq!(l.try_acquire(0, t0 + Duration::from_secs(1)), Err(Duration::from_secs(1)));
        assert!(l.try_acquire(0, t0 + Duration::from_secs(3)).is_ok());
        assert_eq!(l.rate_limited, 1);
        let spent = RateLimits { remaining_requests: Some(0), reset_requests: Some(Duration::from_millis(500)), ..Default::default() };
        let t1 = t0 + Duration::from_secs(3);
        l.observe(&spent, t1);
        assert_eq!(l.try_acquire(0, t1), Err(Duration::from_millis(500)));
    }

    #[test]
    fn unlimited_models_never_wait() {
        let t0 = Instant::now();
        let mut l = RateLimiter::new(None, None, t0);
        assert!((0..10_000).all(|_| l.try_acquire(1_000_000, t0).is_ok()));
    }

    #[test]
    fn the_baseline_limiter_counts_429s_but_never_holds_a_call() {
        let t0 = Instant::now();
        let mut l = RateLimiter::unenforced(t0);
        l.on_rate_limited(Some(Duration::from_secs(30)), &RateLimits::default(), t0);
        let spent = RateLimits { remaining_requests: Some(0), reset_requests: Some(Duration::from_secs(5)), ..Default::default() };
        l.observe(&spent, t0);
        assert!(l.try_acquire(1_000, t0).is_ok(), "neither the 429 nor the headers pause it");
        assert_eq!(l.rate_limited, 1);
        assert!(!l.enforces() && RateLimiter::new(None, None, t0).enforces());
    }
}
