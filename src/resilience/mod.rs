//! Resilience decisions as small pure parts: the retry policy now; the rate limiter and circuit
//! breaker join it with the scheduler (issue #5).

pub mod retry;
