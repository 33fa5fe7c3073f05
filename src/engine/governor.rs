//! Spend and time limits of a run (`--max-cost`, `--deadline`): a pair is admitted only when its
//! estimated cost still fits the budget beside what is spent and reserved, and when it can finish
//! before the deadline less a margin from the latency seen so far. A refused pair stops dispatch;
//! pairs in flight finish, everything done is written, and the run exits 4 so a rerun continues.

use chrono::{Local, NaiveTime, TimeZone};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Micro-dollars: integer accounting so admission is one atomic compare-and-swap.
fn micro(usd: f64) -> u64 {
    (usd.max(0.0) * 1e6).round() as u64
}

/// Why dispatch stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    MaxCost,
    Deadline,
    /// SIGINT or SIGTERM.
    Interrupted,
}

/// The run's limits and what is committed against them.
#[derive(Debug)]
pub struct Governor {
    max_cost: Option<u64>,
    deadline: Option<SystemTime>,
    /// Spent plus reserved for pairs in flight, in micro-dollars.
    committed: AtomicU64,
    /// Slowest pair seen so far, in microseconds: the margin kept before the deadline.
    slowest_pair_us: AtomicU64,
    stopped: AtomicBool,
    reason: AtomicU64,
    /// Set by the signal handler.
    interrupt: Option<Arc<AtomicBool>>,
}

impl Governor {
    pub fn new(max_cost_usd: Option<f64>, deadline: Option<SystemTime>, interrupt: Option<Arc<AtomicBool>>) -> Governor {
        Governor {
            interrupt,
            max_cost: max_cost_usd.map(micro),
            deadline,
            committed: AtomicU64::new(0),
            slowest_pair_us: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            reason: AtomicU64::new(0),
        }
    }

    /// Reserves `estimate_usd` for a pair about to start at `now`; false (and dispatch stops for
    /// good) when it would pass a limit.
    pub fn admit(&self, estimate_usd: f64, now: SystemTime) -> bool {
        if self.stopped.load(Ordering::Acquire) {
            return false;
        }
        if self.interrupted() {
            return self.stop(StopReason::Interrupted);
        }
        if let Some(deadline) = self.deadline {
            let margin = Duration::from_micros(self.slowest_pair_us.load(Ordering::Relaxed));
            if now + margin >= deadline {
                return self.stop(StopReason::Deadline);
            }
        }
        let estimate = micro(estimate_usd);
        let Some(max) = self.max_cost else {
            self.committed.fetch_add(estimate, Ordering::AcqRel);
            return true;
        };
        let fits = self.committed.fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| (c + estimate <= max).then_some(c + estimate));
        fits.is_ok() || self.stop(StopReason::MaxCost)
    }

    /// Replaces a pair's reservation by what it cost, and learns its duration for the margin.
    pub fn settle(&self, estimate_usd: f64, actual_usd: f64, took: Duration) {
        let (estimate, actual) = (micro(estimate_usd), micro(actual_usd));
        let _ = self.committed.fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| Some(c.saturating_sub(estimate) + actual));
        self.slowest_pair_us.fetch_max(took.as_micros() as u64, Ordering::Relaxed);
    }

    fn stop(&self, reason: StopReason) -> bool {
        if !self.stopped.swap(true, Ordering::AcqRel) {
            self.reason.store(reason as u64 + 1, Ordering::Release);
        }
        false
    }

    /// Whether a stop signal arrived.
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|f| f.load(Ordering::Acquire))
    }

    /// Why dispatch stopped, if it did.
    pub fn stopped(&self) -> Option<StopReason> {
        match self.reason.load(Ordering::Acquire) {
            1 => Some(StopReason::MaxCost),
            2 => Some(StopReason::Deadline),
            3 => Some(StopReason::Interrupted),
            _ => None,
        }
    }

    /// USD spent and reserved.
    pub fn committed_usd(&self) -> f64 {
        self.committed.load(Ordering::Acquire) as f64 / 1e6
    }
}

/// Parses `--deadline`: RFC 3339, or `HH:MM` meaning the next such local time (today, or tomorrow
/// when it has passed).
pub fn parse_deadline(text: &str, now: chrono::DateTime<Local>) -> Result<SystemTime, String> {
    if let Some(t) = crate::time::parse_rfc3339(text) {
        return Ok(t);
    }
    let clock = NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| format!("--deadline {text:?}: expected HH:MM or an RFC 3339 time"))?;
    let mut day = now.date_naive();
    loop {
        let candidate = Local.from_local_datetime(&day.and_time(clock)).earliest();
        match candidate {
            Some(t) if t > now => return Ok(t.into()),
            _ => day = day.succ_opt().ok_or("--deadline: date out of range")?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_budget_admits_until_the_estimate_would_pass_it() {
        let g = Governor::new(Some(1.0), None, None);
        let now = SystemTime::now();
        assert!(g.admit(0.4, now));
        assert!(g.admit(0.4, now));
        assert!(!g.admit(0.4, now), "0.8 + 0.4 > 1.0");
        assert_eq!(g.stopped(), Some(StopReason::MaxCost));
        assert!(!g.admit(0.0, now), "once stopped, stays stopped");
    }

    #[test]
    fn settling_replaces_reservations_with_actual_cost() {
        let g = Governor::new(Some(1.0), None, None);
        let now = SystemTime::now();
        assert!(g.admit(0.9, now));
        g.settle(0.9, 0.1, Duration::from_millis(5));
        assert!((g.committed_usd() - 0.1).abs() < 1e-9);
        assert!(g.admit(0.8, now));
    }

    #[test]
    fn deadline_keeps_a_margin_of_the_slowest_pair() {
        let now = SystemTime::now();
        let g = Governor::new(None, Some(now + Duration::from_secs(10)), None);
        assert!(g.admit(0.0, now));
        g.settle(0.0, 0.0, Duration::from_secs(4));
        assert!(g.admit(0.0, now + Duration::from_secs(5)));
        assert!(!g.admit(0.0, now + Duration::from_secs(7)), "7 s + 4 s margin passes the deadline");
        assert_eq!(g.stopped(), Some(StopReason::Deadline));
    }

    #[test]
    fn a_signal_stops_admission() {
        let flag = Arc::new(AtomicBool::new(false));
        let g = Governor::new(None, None, Some(Arc::clone(&flag)));
        assert!(g.admit(0.0, SystemTime::now()));
        flag.store(true, Ordering::Release);
        assert!(!g.admit(0.0, SystemTime::now()));
        assert_eq!(g.stopped(), Some(StopReason::Interrupted));
    }

    #[test]
    fn deadlines_parse_as_clock_times_or_rfc3339() {
        let now = Local.with_ymd_and_hms(2026, 11, 28, 23, 0, 0).single().expect("valid local time");
        let six: SystemTime = parse_deadline("06:00", now).expect("clock time");
        let expect: SystemTime = Local.with_ymd_and_hms(2026, 11, 29, 6, 0, 0).single().expect("valid").into();
        assert_eq!(six, expect, "06:00 after 23:00 is tomorrow");
        let later: SystemTime = parse_deadline("23:30", now).expect("clock time");
        assert_eq!(later, SystemTime::from(Local.with_ymd_and_hms(2026, 11, 28, 23, 30, 0).single().expect("valid")));
        assert!(parse_deadline("2026-11-29T06:00:00Z", now).is_ok());
        assert!(parse_deadline("6 am", now).is_err());
    }
}
