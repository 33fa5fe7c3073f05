//! The two APIs as the simulator answers them: authentication, limits, outages, faults, latency,
//! then a schema-conforming answer with usage and rate-limit headers.

use super::generate::{answer as make_answer, Prompt};
use super::http::{Request, Response};
use super::{ModelState, Reply, State};
use crate::time::rfc3339_utc;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Api {
    OpenAi,
    Anthropic,
}

fn error(api: Api, status: u16, kind: &str, message: &str) -> Response {
    let body = match api {
        Api::OpenAi => json!({"error": {"message": message, "type": kind, "param": null, "code": kind}}),
        Api::Anthropic => json!({"type": "error", "error": {"type": kind, "message": message}}),
    };
    Response::json(status, &body)
}

fn error_kind(api: Api, status: u16) -> &'static str {
    match (api, status) {
        (Api::OpenAi, 429) => "rate_limit_exceeded",
        (Api::OpenAi, 401) => "invalid_api_key",
        (Api::OpenAi, _) => "server_error",
        (Api::Anthropic, 429) => "rate_limit_error",
        (Api::Anthropic, 401) => "authentication_error",
        (Api::Anthropic, 529) => "overloaded_error",
        (Api::Anthropic, _) => "api_error",
    }
}

fn ceil_tokens(bytes: usize) -> u64 {
    bytes.div_ceil(4) as u64
}

/// Text of a message's content (a string, or text blocks).
fn content_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// A scaled minute's window: how many requests and tokens it holds, and when it frees a slot.
fn admit(state: &State, m: &ModelState, rpm: Option<u64>, tpm: Option<u64>, tokens: u64) -> Result<(u64, u64, Duration), Duration> {
    let window = Duration::from_secs_f64(60.0 / state.profile.time_scale);
    let now = Instant::now();
    let mut w = m.window.lock().expect("window lock");
    while w.front().is_some_and(|(t, _)| now.duration_since(*t) >= window) {
        w.pop_front();
    }
    let used_tokens: u64 = w.iter().map(|(_, t)| t).sum();
    let reset = w.front().map_or(Duration::ZERO, |(t, _)| window.saturating_sub(now.duration_since(*t)));
    let over_rpm = rpm.is_some_and(|r| w.len() as u64 >= r);
    let over_tpm = tpm.is_some_and(|t| used_tokens + tokens > t && !w.is_empty());
    if over_rpm || over_tpm {
        return Err(reset.max(Duration::from_millis(1)));
    }
    w.push_back((now, tokens));
    Ok((rpm.map_or(u64::MAX, |r| r - w.len() as u64), tpm.map_or(u64::MAX, |t| t.saturating_sub(used_tokens + tokens)), reset))
}

fn openai_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis().max(1))
    } else {
        let s = d.as_secs_f64();
        let m = (s / 60.0).floor();
        if m >= 1.0 { format!("{}m{:.0}s", m, s - m * 60.0) } else { format!("{s:.1}s") }
    }
}

fn limit_headers(api: Api, r: Response, rpm: Option<u64>, tpm: Option<u64>, remaining: (u64, u64), reset: Duration) -> Response {
    let (rr, rt) = remaining;
    match api {
        Api::OpenAi => r
            .with_header("x-ratelimit-limit-requests", rpm.unwrap_or(u64::MAX).to_string())
            .with_header("x-ratelimit-remaining-requests", rr.to_string())
            .with_header("x-ratelimit-reset-requests", openai_duration(reset))
            .with_header("x-ratelimit-limit-tokens", tpm.unwrap_or(u64::MAX).to_string())
            .with_header("x-ratelimit-remaining-tokens", rt.to_string())
            .with_header("x-ratelimit-reset-tokens", openai_duration(reset)),
        Api::Anthropic => {
            let at = rfc3339_utc(SystemTime::now() + reset);
            r.with_header("anthropic-ratelimit-requests-limit", rpm.unwrap_or(u64::MAX).to_string())
                .with_header("anthropic-ratelimit-requests-remaining", rr.to_string())
                .with_header("anthropic-ratelimit-requests-reset", at.clone())
                .with_header("anthropic-ratelimit-tokens-limit", tpm.unwrap_or(u64::MAX).to_string())
                .with_header("anthropic-ratelimit-tokens-remaining", rt.to_string())
                .with_header("anthropic-ratelimit-tokens-reset", at)
        }
    }
}

/// Answers depend on the profile's seed, the model and each section (not on the order requests
/// arrive in, nor on how sections are batched), so a rerun or a resumed run gets the same answers
/// as an uninterrupted one.
fn answer_seed(seed: u64, model: &str) -> u64 {
    let digest = blake3::hash(model.as_bytes());
    u64::from_le_bytes(digest.as_bytes()[..8].try_into().expect("8 bytes")) ^ seed
}

/// Handles one API call.
pub fn call(state: &State, req: &Request, api: Api) -> Reply {
    if let Some(key) = &state.profile.api_key {
        let given = match api {
            Api::OpenAi => req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")),
            Api::Anthropic => req.header("x-api-key"),
        };
        if given != Some(key.as_str()) {
            return Reply::Send(error(api, 401, error_kind(api, 401), "invalid API key"));
        }
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return Reply::Send(error(api, 400, "invalid_request_error", "body is not JSON"));
    };
    if api == Api::Anthropic {
        if req.header("anthropic-version").is_none() {
            return Reply::Send(error(api, 400, "invalid_request_error", "anthropic-version header is required"));
        }
        if body.get("max_tokens").and_then(Value::as_u64).is_none() {
            return Reply::Send(error(api, 400, "invalid_request_error", "max_tokens: field required"));
        }
    }
    let model = body.get("model").and_then(Value::as_str).unwrap_or("");
    let Some(index) = state.profile.models.iter().position(|m| m.name == model) else {
        return Reply::Send(error(api, 404, "not_found_error", &format!("model {model:?} not found")));
    };
    let m = &state.models[index];
    let in_flight = m.in_flight.fetch_add(1, Ordering::AcqRel) + 1;
    let reply = answer(state, &body, api, index);
    m.in_flight.fetch_sub(1, Ordering::AcqRel);
    let mut s = m.stats.lock().expect("stats lock");
    s.requests += 1;
    s.max_in_flight = s.max_in_flight.max(in_flight);
    match &reply {
        Outcome::Ok { prompt, completion, .. } => {
            s.ok += 1;
            s.prompt_tokens += prompt;
            s.completion_tokens += completion;
        }
        Outcome::Limited(_) => s.rate_limited += 1,
        Outcome::Outage(_) => s.outage_failures += 1,
        Outcome::Fault(name, _) => *s.faults.entry(name).or_insert(0) += 1,
    }
    drop(s);
    match reply {
        Outcome::Ok { response, .. } | Outcome::Limited(response) | Outcome::Outage(response) => Reply::Send(response),
        Outcome::Fault(_, reply) => reply,
    }
}

enum Outcome {
    Ok { response: Response, prompt: u64, completion: u64 },
    Limited(Response),
    Outage(Response),
    Fault(&'static str, Reply),
}

fn answer(state: &State, body: &Value, api: Api, index: usize) -> Outcome {
    let p = &state.profile.models[index];
    let m = &state.models[index];
    let scale = state.profile.time_scale;
    let sim_now = state.started.elapsed().as_secs_f64() * scale;
    if let Some(o) = p.outages.iter().find(|o| (o.start_s..o.end_s).contains(&sim_now)) {
        return Outcome::Outage(error(api, o.status, error_kind(api, o.status), "simulated outage"));
    }

    // What the request says.
    let (system, messages) = match api {
        Api::OpenAi => {
            let msgs = body.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
            let system: String = msgs.iter().filter(|m| m["role"] == "system").map(|m| content_text(&m["content"])).collect::<Vec<_>>().join("\n");
            (system, msgs)
        }
        Api::Anthropic => (body.get("system").map(content_text).unwrap_or_default(), body.get("messages").and_then(Value::as_array).cloned().unwrap_or_default()),
    };
    let all_text: usize = system.len() + messages.iter().filter(|m| m["role"] != "system").map(|m| content_text(&m["content"]).len()).sum::<usize>();
    let prompt_tokens = ceil_tokens(all_text);
    let max_tokens = body.get("max_tokens").or_else(|| body.get("max_completion_tokens")).and_then(Value::as_u64).unwrap_or(0);
    let limits = admit(state, m, p.rpm, p.tpm, prompt_tokens + max_tokens);
    let (remaining, reset) = match limits {
        Ok((rr, rt, reset)) => ((rr, rt), reset),
        Err(wait) => {
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            let r = error(api, 429, error_kind(api, 429), "rate limit reached")
                .with_header("retry-after", secs.to_string())
                .with_header("retry-after-ms", wait.as_millis().max(1).to_string());
            return Outcome::Limited(limit_headers(api, r, p.rpm, p.tpm, (0, 0), wait));
        }
    };

    let (fault, latency, seed) = {
        let mut rng = state.rng.lock().expect("rng lock");
        let f = &p.faults;
        let draw = rng.next_f64();
        let table = [
            ("http_500", f.http_500),
            ("http_502", f.http_502),
            ("http_503", f.http_503),
            ("http_529", f.http_529),
            ("hang", f.hang),
            ("reset", f.reset),
            ("truncated", f.truncated),
            ("malformed", f.malformed),
            ("empty_choices", f.empty_choices),
            ("length", f.length),
        ];
        let mut acc = 0.0;
        let fault = table.iter().find(|(_, pr)| {
            acc += pr;
            draw < acc
        });
        // Log-normal latency from the median and the 95th percentile.
        let (u1, u2) = (rng.next_f64().max(1e-12), rng.next_f64());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        let sigma = (p.latency_ms.p95.ln() - p.latency_ms.median.ln()) / 1.645;
        let ms = (p.latency_ms.median.ln() + sigma * z).exp();
        (fault.map(|(n, _)| *n), Duration::from_secs_f64(ms / 1000.0 / scale), answer_seed(state.profile.seed, &p.name))
    };
    std::thread::sleep(latency);

    match fault {
        Some(name @ ("http_500" | "http_502" | "http_503" | "http_529")) => {
            let status: u16 = name[5..].parse().unwrap_or(500);
            let status = if status == 529 && api == Api::OpenAi { 503 } else { status };
            return Outcome::Fault(name, super::Reply::Send(error(api, status, error_kind(api, status), "simulated fault")));
        }
        Some("hang") => {
            let until = Instant::now() + Duration::from_secs(60);
            while Instant::now() < until && !state.stop.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(50));
            }
            return Outcome::Fault("hang", super::Reply::Reset);
        }
        Some("reset") => return Outcome::Fault("reset", super::Reply::Reset),
        Some("malformed") => return Outcome::Fault("malformed", super::Reply::Send(Response { status: 200, headers: Vec::new(), body: b"{\"id\": \"chatcmpl-x\", \"choices\": [".to_vec() })),
        _ => {}
    }

    // The answer.
    let user = messages.iter().rev().find(|m| m["role"] == "user").map(|m| content_text(&m["content"])).unwrap_or_default();
    let schema = match api {
        Api::OpenAi => body
            .pointer("/response_format/json_schema/schema")
            .or_else(|| body.pointer("/response_format/schema"))
            .cloned()
            .or_else(|| system.split_once("JSON schema:\n").and_then(|(_, s)| serde_json::from_str(s.trim()).ok())),
        Api::Anthropic => body.pointer("/tools/0/input_schema").cloned(),
    }
    .unwrap_or_else(|| json!({"type": "object", "properties": {"text": {"type": "string"}}}));
    let value = make_answer(&schema, &Prompt::parse(&user), seed);
    let text = value.to_string();
    let completion_tokens = ceil_tokens(text.len());
    let model = &p.name;
    let created = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let response = match (api, fault) {
        (Api::OpenAi, Some("empty_choices")) => json!({"id": "chatcmpl-sim", "object": "chat.completion", "created": created, "model": model, "choices": []}),
        (Api::OpenAi, f) => {
            let (content, finish) = if f == Some("length") { (text[..text.len() / 2].to_string(), "length") } else { (text.clone(), "stop") };
            json!({
                "id": format!("chatcmpl-{seed:x}"), "object": "chat.completion", "created": created, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null}, "finish_reason": finish}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens, "prompt_tokens_details": {"cached_tokens": 0}}
            })
        }
        (Api::Anthropic, Some("empty_choices")) => json!({"id": "msg_sim", "type": "message", "role": "assistant", "model": model, "content": [], "stop_reason": "end_turn", "usage": {"input_tokens": prompt_tokens, "output_tokens": 0}}),
        (Api::Anthropic, f) => {
            let tool = body.pointer("/tools/0/name").and_then(Value::as_str).unwrap_or("answer");
            let stop = if f == Some("length") { "max_tokens" } else { "tool_use" };
            json!({
                "id": format!("msg_{seed:x}"), "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "tool_use", "id": format!("toolu_{seed:x}"), "name": tool, "input": value}],
                "stop_reason": stop, "stop_sequence": null,
                "usage": {"input_tokens": prompt_tokens, "output_tokens": completion_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
            })
        }
    };
    let r = limit_headers(api, Response::json(200, &response), p.rpm, p.tpm, remaining, reset);
    match fault {
        Some("truncated") => Outcome::Fault("truncated", super::Reply::Truncated(r)),
        Some(name @ ("empty_choices" | "length")) => Outcome::Fault(name, super::Reply::Send(r)),
        _ => Outcome::Ok { response: r, prompt: prompt_tokens, completion: completion_tokens },
    }
}
