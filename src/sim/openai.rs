//! The OpenAI Chat Completions wire format (`POST /v1/chat/completions`), as the official API
//! spells it: `Authorization: Bearer KEY`; the schema in `response_format` (`json_schema`, or
//! llama.cpp's `json_object` with a `schema`) or else after a `JSON schema:` line of the system
//! message; `{"error": {message, type, param, code}}` errors; `x-ratelimit-*` headers whose resets
//! are Go-style durations (`250ms`, `1s`, `6m0s`).

use super::http::{Request, Response};
use super::limits::{Dimension, Standing};
use super::wire::{content_text, cut_in_half, schema_in_system, tokens, Answer, Call, ErrorKind, Shape, Wire};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// The OpenAI API.
pub struct OpenAi;

/// A duration as OpenAI writes its resets (Go's `time.Duration` format, to the millisecond),
/// rounded up so that a client waiting that long is never early.
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_nanos().div_ceil(1_000_000) as u64;
    if ms < 1000 {
        return if ms == 0 { "0s".into() } else { format!("{ms}ms") };
    }
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let seconds = if frac == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0')) };
    match (h, m) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

impl Wire for OpenAi {
    fn key(req: &Request) -> Option<&str> {
        req.header("authorization").and_then(|h| h.strip_prefix("Bearer "))
    }

    fn read(_req: &Request, body: &Value) -> Result<Call, String> {
        if body.get("model").and_then(Value::as_str).is_none() {
            return Err("model: field required (a string)".into());
        }
        let messages = body.get("messages").and_then(Value::as_array).ok_or("messages: field required (an array)")?;
        let texts_of = |roles: &[&str]| -> Vec<String> { messages.iter().filter(|m| m["role"].as_str().is_some_and(|r| roles.contains(&r))).map(|m| content_text(&m["content"])).collect() };
        let system = texts_of(&["system", "developer"]);
        let format = body.get("response_format");
        let schema = format.and_then(|f| f.pointer("/json_schema/schema").or_else(|| f.get("schema"))).cloned().or_else(|| system.iter().find_map(|s| schema_in_system(s)));
        Ok(Call {
            prompt_bytes: messages.iter().map(|m| content_text(&m["content"]).len()).sum(),
            user: texts_of(&["user"]).pop().unwrap_or_default(),
            schema,
            max_tokens: body.get("max_completion_tokens").or_else(|| body.get("max_tokens")).and_then(Value::as_u64),
            tool: None,
        })
    }

    fn error(status: u16, kind: ErrorKind, message: &str) -> Response {
        // OpenAI has no 529: its overloaded servers answer 503.
        let status = if status == 529 { 503 } else { status };
        let (kind, code) = match kind {
            ErrorKind::InvalidRequest | ErrorKind::Permission => ("invalid_request_error", Value::Null),
            ErrorKind::Authentication => ("invalid_request_error", json!("invalid_api_key")),
            ErrorKind::NotFound => ("invalid_request_error", json!("model_not_found")),
            ErrorKind::RateLimit(Dimension::Requests) => ("requests", json!("rate_limit_exceeded")),
            ErrorKind::RateLimit(Dimension::Tokens) => ("tokens", json!("rate_limit_exceeded")),
            ErrorKind::Overloaded | ErrorKind::Server => ("server_error", Value::Null),
        };
        Response::json(status, &json!({"error": {"message": message, "type": kind, "param": null, "code": code}}))
    }

    fn too_many(model: &str, by: Dimension, wait: Duration, s: &Standing) -> Response {
        let (what, limit, remaining) = match by {
            Dimension::Requests => ("requests per min (RPM)", s.limit_requests, s.remaining_requests),
            Dimension::Tokens => ("tokens per min (TPM)", s.limit_tokens, s.remaining_tokens),
        };
        let limit = limit.unwrap_or(u64::MAX);
        let message = format!("Rate limit reached for {model} in organization org-sim on {what}: Limit {limit}, Used {}. Please try again in {}.", limit - remaining, go_duration(wait));
        Self::error(429, ErrorKind::RateLimit(by), &message)
            .with_header("retry-after", (wait.as_secs_f64().ceil() as u64).max(1).to_string())
            .with_header("retry-after-ms", wait.as_millis().max(1).to_string())
    }

    fn limit_headers(r: Response, s: &Standing, _now: SystemTime) -> Response {
        r.with_header("x-ratelimit-limit-requests", s.limit_requests.unwrap_or(u64::MAX).to_string())
            .with_header("x-ratelimit-remaining-requests", s.remaining_requests.to_string())
            .with_header("x-ratelimit-reset-requests", go_duration(s.reset_requests))
            .with_header("x-ratelimit-limit-tokens", s.limit_tokens.unwrap_or(u64::MAX).to_string())
            .with_header("x-ratelimit-remaining-tokens", s.remaining_tokens.to_string())
            .with_header("x-ratelimit-reset-tokens", go_duration(s.reset_tokens))
    }

    fn success(a: &Answer) -> (Value, u64) {
        let text = a.value.to_string();
        let (content, finish) = match a.shape {
            Shape::CutOff => (cut_in_half(&text), "length"),
            Shape::Whole | Shape::Empty => (text.as_str(), "stop"),
        };
        let completion = if a.shape == Shape::Empty { 0 } else { tokens(content.len()) };
        let choices = if a.shape == Shape::Empty {
            json!([])
        } else {
            json!([{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null}, "logprobs": null, "finish_reason": finish}])
        };
        let created = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let body = json!({
            "id": format!("chatcmpl-sim{:016x}", a.id), "object": "chat.completion", "created": created, "model": a.model,
            "choices": choices,
            "usage": {
                "prompt_tokens": a.prompt_tokens, "completion_tokens": completion, "total_tokens": a.prompt_tokens + completion,
                "prompt_tokens_details": {"cached_tokens": 0}
            }
        });
        (body, completion)
    }

    fn malformed(id: u64) -> Vec<u8> {
        format!("{{\"id\": \"chatcmpl-sim{id:016x}\", \"object\": \"chat.completion\", \"choices\": [{{\"index\": 0, \"message\": {{\"role\": \"assi").into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::http::parse_go_duration;

    fn request() -> Request {
        Request { method: "POST".into(), path: "/v1/chat/completions".into(), headers: vec![("authorization".into(), "Bearer sk-1".into())], body: Vec::new(), close: false }
    }

    #[test]
    fn resets_are_written_as_openai_writes_them() {
        let ms = Duration::from_millis;
        for (d, text) in [(ms(0), "0s"), (ms(250), "250ms"), (ms(1000), "1s"), (ms(1500), "1.5s"), (ms(6_000), "6s"), (ms(360_000), "6m0s"), (ms(90_250), "1m30.25s"), (ms(3_600_000), "1h0m0s")] {
            assert_eq!(go_duration(d), text);
            assert_eq!(parse_go_duration(text), Some(d), "tailor's client reads {text} back");
        }
        assert_eq!(go_duration(Duration::from_micros(1)), "1ms", "rounded up, never early");
    }

    #[test]
    fn the_schema_is_found_in_each_place_a_client_puts_it() {
        let schema = json!({"type": "object", "properties": {"score": {"type": "number"}}});
        let messages = json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "<job>x</job>"}]);
        let strict = json!({"model": "m", "messages": messages, "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true, "schema": schema}}, "max_tokens": 5});
        let llama = json!({"model": "m", "messages": messages, "response_format": {"type": "json_object", "schema": schema}, "max_completion_tokens": 7});
        let in_system = json!({"model": "m", "messages": [{"role": "system", "content": format!("Be brief.\nJSON schema:\n{schema}")}, {"role": "user", "content": "hi"}], "response_format": {"type": "json_object"}});
        let none = json!({"model": "m", "messages": messages});
        let read = |b: &Value| OpenAi::read(&request(), b).expect("valid");
        assert_eq!((read(&strict).schema, read(&strict).max_tokens), (Some(schema.clone()), Some(5)));
        assert_eq!((read(&llama).schema, read(&llama).max_tokens), (Some(schema.clone()), Some(7)));
        assert_eq!(read(&in_system).schema, Some(schema));
        assert_eq!(read(&none).schema, None);
        let c = read(&strict);
        assert_eq!((c.prompt_bytes, c.user.as_str()), ("Be brief.".len() + "<job>x</job>".len(), "<job>x</job>"));
        assert!(OpenAi::read(&request(), &json!({"model": "m"})).expect_err("no messages").contains("messages"));
        assert_eq!(OpenAi::key(&request()), Some("sk-1"));
    }

    #[test]
    fn errors_and_answers_have_the_official_shape() {
        let e: Value = serde_json::from_slice(&OpenAi::error(529, ErrorKind::Overloaded, "busy").body).expect("json");
        assert_eq!(e, json!({"error": {"message": "busy", "type": "server_error", "param": null, "code": null}}));
        assert_eq!(OpenAi::error(529, ErrorKind::Overloaded, "busy").status, 503);
        let s = Standing { limit_requests: Some(3), remaining_requests: 0, reset_requests: Duration::from_millis(1200), limit_tokens: None, remaining_tokens: u64::MAX, reset_tokens: Duration::ZERO };
        let r = OpenAi::too_many("m", Dimension::Requests, Duration::from_millis(1200), &s);
        let e: Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!((e["error"]["type"].as_str(), e["error"]["code"].as_str()), (Some("requests"), Some("rate_limit_exceeded")));
        assert!(e["error"]["message"].as_str().is_some_and(|m| m.contains("Limit 3, Used 3") && m.contains("1.2s")), "{e}");
        assert!(r.headers.contains(&("retry-after".into(), "2".into())) && r.headers.contains(&("retry-after-ms".into(), "1200".into())));

        let call = OpenAi::read(&request(), &json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]})).expect("valid");
        let value = json!({"text": "héllo wörld"});
        let answer = |shape| OpenAi::success(&Answer { id: 42, model: "m", value: &value, shape, prompt_tokens: 1, call: &call });
        let (whole, completion) = answer(Shape::Whole);
        assert_eq!(whole["choices"][0]["message"]["content"], value.to_string());
        assert_eq!((whole["usage"]["completion_tokens"].as_u64(), completion), (Some(tokens(value.to_string().len())), tokens(value.to_string().len())));
        assert_eq!(whole["usage"]["total_tokens"].as_u64(), Some(1 + completion));
        assert_eq!(whole["id"], "chatcmpl-sim000000000000002a");
        let (cut, _) = answer(Shape::CutOff);
        assert_eq!(cut["choices"][0]["finish_reason"], "length");
        assert!(serde_json::from_str::<Value>(cut["choices"][0]["message"]["content"].as_str().expect("text")).is_err());
        assert_eq!(answer(Shape::Empty).0["choices"], json!([]));
        assert!(serde_json::from_slice::<Value>(&OpenAi::malformed(1)).is_err());
    }
}
