//! Blocking HTTP for the providers: one ureq `Agent` per provider with per-phase timeouts and an idle
//! pool larger than the worker count, status codes read as data (so 429 bodies and `Retry-After`
//! can be read), and the header parsing every wire format shares.
//!
//! Never turn on ureq's trace logging of traffic: it would print the API key headers.

use super::{FailureKind, ProviderError, RateLimits};
use crate::time::{parse_http_date, parse_rfc3339};
use std::io::Read;
use std::time::{Duration, SystemTime};

/// Largest response body read; a provider answer is far smaller, so more means something is wrong.
const MAX_BODY_BYTES: u64 = 16 << 20;

/// Timeouts and pool size of a provider's agent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// Whole request: send, wait, receive.
    pub request_timeout: Duration,
    /// Workers that call this provider at once; the idle pool keeps more connections than this.
    pub max_concurrency: usize,
}

/// A response, status and all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A reply as a recorded exchange would give it, for the wire-format tests.
    #[cfg(test)]
    pub fn recorded(status: u16, headers: &[(&str, &str)], body: &str) -> HttpReply {
        HttpReply { status, headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(), body: body.as_bytes().to_vec() }
    }
}

/// A provider's HTTP client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
}

impl HttpClient {
    pub fn new(settings: &HttpSettings) -> HttpClient {
        let idle = settings.max_concurrency.saturating_mul(2).max(4);
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_global(Some(settings.request_timeout))
            .max_idle_connections(idle)
            .max_idle_connections_per_host(idle)
            .user_agent(concat!("tailor/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient { agent: config.into() }
    }

    /// POSTs a JSON body. Transport failures come back classified (timeout or connection) for
    /// `provider`/`model`; statuses, even 5xx, come back as replies.
    pub fn post_json(&self, url: &str, headers: &[(&str, &str)], body: &[u8], provider: &str, model: &str) -> Result<HttpReply, ProviderError> {
        let mut req = self.agent.post(url).header("content-type", "application/json");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let transport = |e: ureq::Error| {
            let (kind, what) = match &e {
                ureq::Error::Timeout(phase) => (FailureKind::Timeout, format!("timed out ({phase:?})")),
                ureq::Error::Io(io) => (FailureKind::Connection, format!("connection failed: {}", io.kind())),
                ureq::Error::ConnectionFailed => (FailureKind::Connection, "connection failed".to_string()),
                ureq::Error::HostNotFound => (FailureKind::Connection, "host not found".to_string()),
                ureq::Error::BodyExceedsLimit(n) => (FailureKind::InvalidAnswer, format!("response body over {n} bytes")),
                ureq::Error::Protocol(p) => (FailureKind::Connection, format!("protocol error: {p}")),
                other => (FailureKind::Connection, format!("request failed: {other}")),
            };
            ProviderError::new(provider, model, kind, what)
        };
        let mut resp = req.send(body).map_err(transport)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_ascii_lowercase(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let mut body = Vec::new();
        resp.body_mut()
            .as_reader()
            .take(MAX_BODY_BYTES)
            .read_to_end(&mut body)
            .map_err(|e| ProviderError::new(provider, model, FailureKind::Connection, format!("response body cut off: {}", e.kind())))?;
        Ok(HttpReply { status, headers, body })
    }
}

/// The kind of a non-2xx status.
pub fn status_kind(status: u16) -> FailureKind {
    match status {
        429 => FailureKind::RateLimited,
        401 | 403 => FailureKind::Auth,
        404 => FailureKind::NotFound,
        529 => FailureKind::Overloaded,
        408 | 409 | 500..=599 => FailureKind::Server,
        _ => FailureKind::BadRequest,
    }
}

/// How long the provider asks us to wait: `retry-after-ms`, then `retry-after` in seconds or as an
/// HTTP date (relative to `now`).
pub fn retry_after(reply: &HttpReply, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = reply.header("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        return (ms >= 0.0 && ms.is_finite()).then(|| Duration::from_secs_f64(ms / 1000.0));
    }
    let v = reply.header("retry-after")?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs >= 0.0 && secs.is_finite()).then(|| Duration::from_secs_f64(secs));
    }
    parse_http_date(v).map(|t| t.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses OpenAI's reset durations: `1s`, `250ms`, `6m0s`, `1h2m3.5s`.
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut number = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let value: f64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            'h' => 3600.0,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0.001
            }
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        total += value * unit;
    }
    if !number.is_empty() {
        // A bare number: seconds.
        total += number.parse::<f64>().ok()?;
    }
    Some(Duration::from_secs_f64(total))
}

/// The rate-limit headers of either provider family.
pub fn rate_limits(reply: &HttpReply, now: SystemTime) -> RateLimits {
    let num = |name: &str| reply.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    let openai_reset = |name: &str| reply.header(name).and_then(parse_go_duration);
    let anthropic_reset = |name: &str| {
        reply.header(name).and_then(parse_rfc3339).map(|t| t.duration_since(now).unwrap_or(Duration::ZERO))
    };
    RateLimits {
        remaining_requests: num("x-ratelimit-remaining-requests").or_else(|| num("anthropic-ratelimit-requests-remaining")),
        remaining_tokens: num("x-ratelimit-remaining-tokens").or_else(|| num("anthropic-ratelimit-tokens-remaining")),
        reset_requests: openai_reset("x-ratelimit-reset-requests").or_else(|| anthropic_reset("anthropic-ratelimit-requests-reset")),
        reset_tokens: openai_reset("x-ratelimit-reset-tokens").or_else(|| anthropic_reset("anthropic-ratelimit-tokens-reset")),
    }
}

/// A failure for a non-2xx reply, with the provider's error code, retry hint and limits attached.
/// `code` is what the provider's error body said (type or code), if anything.
pub fn status_failure(reply: &HttpReply, provider: &str, model: &str, code: Option<String>, message: &str) -> ProviderError {
    let now = SystemTime::now();
    let mut kind = status_kind(reply.status);
    let quota = code.as_deref().is_some_and(|c| c.contains("quota") || c.contains("billing") || c.contains("spend"));
    if reply.status == 429 && quota {
        kind = FailureKind::Quota;
    }
    let mut e = ProviderError::new(provider, model, kind, message);
    e.status = Some(reply.status);
    e.code = code;
    e.retry_after = retry_after(reply, now);
    e.limits = rate_limits(reply, now);
    e
}

/// The JSON body of a 2xx reply, or the classified failure of any other reply. `code_of` reads the
/// provider's error code or type out of its error object. The provider's own message is kept,
/// except on 401/403, where some providers echo part of the key.
pub fn json_reply(reply: &HttpReply, provider: &str, model: &str, code_of: fn(&serde_json::Value) -> Option<String>) -> Result<serde_json::Value, ProviderError> {
    let body: Result<serde_json::Value, _> = serde_json::from_slice(&reply.body);
    if !(200..300).contains(&reply.status) {
        let err = body.as_ref().ok().and_then(|b| b.get("error"));
        let code = err.and_then(code_of);
        let message = match reply.status {
            401 | 403 => "authentication failed: check the API key in the environment variable the config names".to_string(),
            _ => err.and_then(|e| e.get("message")).and_then(serde_json::Value::as_str).map_or_else(|| snippet(&reply.body), str::to_string),
        };
        return Err(status_failure(reply, provider, model, code, &message));
    }
    body.map_err(|e| ProviderError::new(provider, model, FailureKind::InvalidAnswer, format!("response is not JSON ({e}): {}", snippet(&reply.body))))
}

/// The first 200 characters of a body, for error messages (never request data, which has the key
/// only in headers, and those are not echoed).
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn reply(status: u16, headers: &[(&str, &str)]) -> HttpReply {
        HttpReply::recorded(status, headers, "")
    }

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        assert_eq!(retry_after(&reply(429, &[("retry-after-ms", "1500")]), now), Some(Duration::from_millis(1500)));
        assert_eq!(retry_after(&reply(429, &[("retry-after", "3")]), now), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&reply(429, &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]), now), Some(Duration::from_secs(10)));
        assert_eq!(retry_after(&reply(429, &[("retry-after-ms", "250"), ("retry-after", "9")]), now), Some(Duration::from_millis(250)));
        assert_eq!(retry_after(&reply(429, &[]), now), None);
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("1s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_go_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(parse_go_duration("1h2m3.5s"), Some(Duration::from_secs_f64(3723.5)));
        assert_eq!(parse_go_duration("soon"), None);
    }

    #[test]
    fn rate_limit_headers_of_both_families() {
        let now = UNIX_EPOCH + Duration::from_secs(1_795_894_200);
        let o = rate_limits(&reply(200, &[("x-ratelimit-remaining-requests", "59"), ("x-ratelimit-reset-tokens", "6m0s")]), now);
        assert_eq!(o.remaining_requests, Some(59));
        assert_eq!(o.reset_tokens, Some(Duration::from_secs(360)));
        let a = rate_limits(
            &reply(200, &[("anthropic-ratelimit-tokens-remaining", "1000"), ("anthropic-ratelimit-requests-reset", "2026-11-28T19:30:02Z")]),
            now,
        );
        assert_eq!(a.remaining_tokens, Some(1000));
        assert_eq!(a.reset_requests, Some(Duration::from_secs(2)));
    }

    #[test]
    fn statuses_classify() {
        assert_eq!(status_kind(429), FailureKind::RateLimited);
        assert_eq!(status_kind(503), FailureKind::Server);
        assert_eq!(status_kind(408), FailureKind::Server);
        assert_eq!(status_kind(529), FailureKind::Overloaded);
        assert_eq!(status_kind(401), FailureKind::Auth);
        assert_eq!(status_kind(404), FailureKind::NotFound);
        assert_eq!(status_kind(400), FailureKind::BadRequest);
        let e = status_failure(&reply(429, &[("retry-after", "2")]), "openai", "m", Some("insufficient_quota".into()), "quota");
        assert_eq!(e.kind, FailureKind::Quota);
        assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
    }
}
