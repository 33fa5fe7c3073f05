//! RPM and TPM of one model, enforced over a sliding window (a log of admissions) rather than a
//! token bucket: a provider that counts over a sliding minute is the stricter case, and a client
//! pacing itself correctly against it is correct against a bucket too.
//!
//! A request is admitted when, over the last scaled minute, fewer than `rpm` requests were
//! admitted and the tokens admitted plus its own cost fit in `tpm`. A request costing more than
//! `tpm` alone is admitted once the window is empty, so it can never wait forever. The clock is
//! passed in, so tests move time without sleeping.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Which limit refused a request (OpenAI names it in the error's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Requests,
    Tokens,
}

/// Where a model's limits stand, as the rate-limit headers tell it. A `reset` is the time until
/// the window next frees capacity (its oldest admission leaves it), or, on a refusal, until the
/// refused request would fit: a client that waits for it is not refused again for that limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub limit_requests: Option<u64>,
    pub remaining_requests: u64,
    pub reset_requests: Duration,
    pub limit_tokens: Option<u64>,
    pub remaining_tokens: u64,
    pub reset_tokens: Duration,
}

/// The answer to a request for admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Admitted(Standing),
    /// Refused; `wait` is when it would fit (the longer wait when both limits refuse).
    Refused { by: Dimension, wait: Duration, standing: Standing },
}

/// The admissions of the last window of one model.
#[derive(Debug)]
pub struct SlidingWindow {
    window: Duration,
    rpm: Option<u64>,
    tpm: Option<u64>,
    /// When each admitted request came, and its token cost; oldest first.
    admitted: VecDeque<(Instant, u64)>,
}

impl SlidingWindow {
    /// `window` is the scaled minute (60 s / time_scale).
    pub fn new(window: Duration, rpm: Option<u64>, tpm: Option<u64>) -> SlidingWindow {
        SlidingWindow { window, rpm, tpm, admitted: VecDeque::new() }
    }

    /// Admits a request costing `tokens` at `now`, or says how long until it would fit.
    pub fn admit(&mut self, now: Instant, tokens: u64) -> Admission {
        self.expire(now);
        let wait_requests = self.rpm.filter(|&r| self.admitted.len() as u64 >= r).map(|r| self.wait_until_gone(now, self.admitted.len() - r as usize + 1));
        let used = self.used_tokens();
        let wait_tokens = self.tpm.filter(|&t| !self.admitted.is_empty() && used + tokens > t).map(|t| {
            // The fewest oldest admissions whose leaving makes room.
            let mut freed = 0;
            let mut gone = 0;
            for (_, cost) in &self.admitted {
                if used - freed + tokens <= t {
                    break;
                }
                freed += cost;
                gone += 1;
            }
            self.wait_until_gone(now, gone)
        });
        let refused = match (wait_requests, wait_tokens) {
            (None, None) => None,
            (Some(r), Some(t)) if t > r => Some((Dimension::Tokens, t)),
            (Some(r), _) => Some((Dimension::Requests, r)),
            (None, Some(t)) => Some((Dimension::Tokens, t)),
        };
        if let Some((by, wait)) = refused {
            let mut standing = self.standing(now);
            standing.reset_requests = wait_requests.unwrap_or(standing.reset_requests);
            standing.reset_tokens = wait_tokens.unwrap_or(standing.reset_tokens);
            return Admission::Refused { by, wait, standing };
        }
        self.admitted.push_back((now, tokens));
        Admission::Admitted(self.standing(now))
    }

    /// Where the limits stand at `now`, admitting nothing (for replies that were not admitted,
    /// such as outages).
    pub fn peek(&mut self, now: Instant) -> Standing {
        self.expire(now);
        self.standing(now)
    }

    fn expire(&mut self, now: Instant) {
        while self.admitted.front().is_some_and(|(t, _)| now.saturating_duration_since(*t) >= self.window) {
            self.admitted.pop_front();
        }
    }

    fn used_tokens(&self) -> u64 {
        self.admitted.iter().map(|(_, c)| c).sum()
    }

    /// How long until the `n` oldest admissions have left the window.
    fn wait_until_gone(&self, now: Instant, n: usize) -> Duration {
        n.checked_sub(1).and_then(|i| self.admitted.get(i)).map_or(Duration::ZERO, |(t, _)| (*t + self.window).saturating_duration_since(now))
    }

    fn standing(&self, now: Instant) -> Standing {
        let next_free = self.wait_until_gone(now, 1);
        Standing {
            limit_requests: self.rpm,
            remaining_requests: self.rpm.map_or(u64::MAX, |r| r.saturating_sub(self.admitted.len() as u64)),
            reset_requests: next_free,
            limit_tokens: self.tpm,
            remaining_tokens: self.tpm.map_or(u64::MAX, |t| t.saturating_sub(self.used_tokens())),
            reset_tokens: next_free,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(6);

    fn refused(a: Admission) -> (Dimension, Duration, Standing) {
        match a {
            Admission::Refused { by, wait, standing } => (by, wait, standing),
            Admission::Admitted(s) => panic!("admitted: {s:?}"),
        }
    }

    fn admitted(a: Admission) -> Standing {
        match a {
            Admission::Admitted(s) => s,
            other => panic!("refused: {other:?}"),
        }
    }

    #[test]
    fn rpm_refuses_the_request_past_the_limit_until_the_oldest_leaves() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(MINUTE, Some(3), None);
        let s = admitted(w.admit(t0, 0));
        assert_eq!((s.remaining_requests, s.reset_requests), (2, MINUTE));
        admitted(w.admit(t0 + Duration::from_secs(1), 0));
        let s = admitted(w.admit(t0 + Duration::from_secs(2), 0));
        assert_eq!((s.remaining_requests, s.reset_requests), (0, Duration::from_secs(4)));
        let (by, wait, standing) = refused(w.admit(t0 + Duration::from_secs(3), 0));
        assert_eq!((by, wait, standing.remaining_requests), (Dimension::Requests, Duration::from_secs(3), 0));
        // A refusal takes no slot: right when the first admission leaves, one more fits.
        admitted(w.admit(t0 + MINUTE, 0));
        refused(w.admit(t0 + MINUTE, 0));
    }

    #[test]
    fn tpm_counts_tokens_and_waits_for_enough_to_leave() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(MINUTE, None, Some(100));
        admitted(w.admit(t0, 40));
        let s = admitted(w.admit(t0 + Duration::from_secs(1), 40));
        assert_eq!(s.remaining_tokens, 20);
        // 70 more needs both earlier admissions gone: the second leaves at 7 s.
        let (by, wait, _) = refused(w.admit(t0 + Duration::from_secs(2), 70));
        assert_eq!((by, wait), (Dimension::Tokens, Duration::from_secs(5)));
        // 30 more needs only the first gone, at 6 s.
        let (_, wait, _) = refused(w.admit(t0 + Duration::from_secs(2), 30));
        assert_eq!(wait, Duration::from_secs(4));
        admitted(w.admit(t0 + Duration::from_secs(2), 20));
    }

    #[test]
    fn a_request_larger_than_tpm_passes_alone() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(MINUTE, None, Some(100));
        let s = admitted(w.admit(t0, 500));
        assert_eq!(s.remaining_tokens, 0);
        let (by, wait, _) = refused(w.admit(t0, 1));
        assert_eq!((by, wait), (Dimension::Tokens, MINUTE));
    }

    #[test]
    fn when_both_refuse_the_longer_wait_names_the_limit() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(MINUTE, Some(2), Some(100));
        admitted(w.admit(t0, 10));
        admitted(w.admit(t0 + Duration::from_secs(1), 90));
        let (by, wait, standing) = refused(w.admit(t0 + Duration::from_secs(2), 50));
        assert_eq!((by, wait), (Dimension::Tokens, Duration::from_secs(5)));
        assert_eq!((standing.reset_requests, standing.reset_tokens), (Duration::from_secs(4), Duration::from_secs(5)));
    }

    #[test]
    fn peek_admits_nothing_and_unlimited_stays_open() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(MINUTE, None, None);
        for _ in 0..1000 {
            admitted(w.admit(t0, 1_000_000));
        }
        let mut w = SlidingWindow::new(MINUTE, Some(1), None);
        assert_eq!(w.peek(t0).remaining_requests, 1);
        assert_eq!(w.peek(t0).remaining_requests, 1);
        admitted(w.admit(t0, 0));
        assert_eq!(w.peek(t0 + MINUTE).remaining_requests, 1, "the admission left after a window");
    }
}
