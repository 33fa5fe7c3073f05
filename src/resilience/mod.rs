//! Resilience decisions as small pure parts, each testable with a fake clock: the retry policy,
//! the circuit breaker and the rate limiter. The scheduler composes them around providers.

pub mod breaker;
pub mod limiter;
pub mod retry;
