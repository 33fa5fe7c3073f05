//! The Anthropic Messages wire format (`POST /v1/messages`), as the official API spells it:
//! `x-api-key` and a required `anthropic-version` header, a required `max_tokens`, the answer as
//! the input of the tool named by `tool_choice` (else the first tool; without tools a text block),
//! `{"type": "error", "error": {type, message}}` errors and `anthropic-ratelimit-*` headers whose
//! resets are RFC 3339 times.

use super::http::{Request, Response};
use super::limits::{Dimension, Standing};
use super::wire::{content_text, cut_in_half, schema_in_system, tokens, Answer, Call, ErrorKind, Shape, Wire};
use crate::time::rfc3339_utc;
use serde_json::{json, Map, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The Anthropic API.
pub struct Anthropic;

/// The time `wait` after `now`, as Anthropic writes resets, rounded up to the second so that a
/// client waiting until then is never early.
pub fn reset_at(now: SystemTime, wait: Duration) -> String {
    let t = (now + wait).duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339_utc(UNIX_EPOCH + Duration::from_secs(t.as_secs() + u64::from(t.subsec_nanos() > 0)))
}

/// The first half of an object's properties: the part of a tool input written before the cut.
fn cut_object(value: &Value) -> Value {
    let Some(obj) = value.as_object() else { return json!({}) };
    Value::Object(obj.iter().take(obj.len() / 2).map(|(k, v)| (k.clone(), v.clone())).collect::<Map<_, _>>())
}

impl Wire for Anthropic {
    fn key(req: &Request) -> Option<&str> {
        req.header("x-api-key")
    }

    fn read(req: &Request, body: &Value) -> Result<Call, String> {
        if req.header("anthropic-version").is_none() {
            return Err("anthropic-version: header is required".into());
        }
        if body.get("model").and_then(Value::as_str).is_none() {
            return Err("model: Field required".into());
        }
        let max_tokens = body.get("max_tokens").and_then(Value::as_u64).ok_or("max_tokens: Field required")?;
        let messages = body.get("messages").and_then(Value::as_array).ok_or("messages: Field required")?;
        let system = body.get("system").map(content_text).unwrap_or_default();
        let tools = body.get("tools").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let tool = match body.pointer("/tool_choice/name").and_then(Value::as_str) {
            Some(name) => Some(tools.iter().find(|t| t["name"] == name).ok_or(format!("tool_choice.name: tool {name:?} is not in tools"))?),
            None => tools.first(),
        };
        let schema = match tool {
            Some(t) => Some(t.get("input_schema").cloned().ok_or("tools.input_schema: Field required")?),
            None => schema_in_system(&system),
        };
        Ok(Call {
            prompt_bytes: system.len() + messages.iter().map(|m| content_text(&m["content"]).len()).sum::<usize>(),
            user: messages.iter().rev().find(|m| m["role"] == "user").map(|m| content_text(&m["content"])).unwrap_or_default(),
            schema,
            max_tokens: Some(max_tokens),
            tool: tool.and_then(|t| t["name"].as_str()).map(str::to_string),
        })
    }

    fn error(status: u16, kind: ErrorKind, message: &str) -> Response {
        let kind = match kind {
            ErrorKind::InvalidRequest => "invalid_request_error",
            ErrorKind::Authentication => "authentication_error",
            ErrorKind::Permission => "permission_error",
            ErrorKind::NotFound => "not_found_error",
            ErrorKind::RateLimit(_) => "rate_limit_error",
            ErrorKind::Overloaded => "overloaded_error",
            ErrorKind::Server => "api_error",
        };
        Response::json(status, &json!({"type": "error", "error": {"type": kind, "message": message}}))
    }

    fn too_many(_model: &str, by: Dimension, wait: Duration, s: &Standing) -> Response {
        let (limit, what) = match by {
            Dimension::Requests => (s.limit_requests, "requests"),
            Dimension::Tokens => (s.limit_tokens, "tokens"),
        };
        let message = format!("This request would exceed the rate limit for your organization of {} {what} per minute.", limit.unwrap_or(u64::MAX));
        Self::error(429, ErrorKind::RateLimit(by), &message).with_header("retry-after", (wait.as_secs_f64().ceil() as u64).max(1).to_string())
    }

    fn limit_headers(r: Response, s: &Standing, now: SystemTime) -> Response {
        r.with_header("anthropic-ratelimit-requests-limit", s.limit_requests.unwrap_or(u64::MAX).to_string())
            .with_header("anthropic-ratelimit-requests-remaining", s.remaining_requests.to_string())
            .with_header("anthropic-ratelimit-requests-reset", reset_at(now, s.reset_requests))
            .with_header("anthropic-ratelimit-tokens-limit", s.limit_tokens.unwrap_or(u64::MAX).to_string())
            .with_header("anthropic-ratelimit-tokens-remaining", s.remaining_tokens.to_string())
            .with_header("anthropic-ratelimit-tokens-reset", reset_at(now, s.reset_tokens))
    }

    fn success(a: &Answer) -> (Value, u64) {
        let cut = a.shape == Shape::CutOff;
        let (content, completion, stop) = match (a.shape, &a.call.tool) {
            (Shape::Empty, _) => (json!([]), 0, "end_turn"),
            (_, Some(tool)) => {
                let input = if cut { cut_object(a.value) } else { a.value.clone() };
                let completion = tokens(input.to_string().len());
                (json!([{"type": "tool_use", "id": format!("toolu_sim{:016x}", a.id), "name": tool, "input": input}]), completion, if cut { "max_tokens" } else { "tool_use" })
            }
            (_, None) => {
                let whole = a.value.to_string();
                let text = if cut { cut_in_half(&whole) } else { &whole };
                (json!([{"type": "text", "text": text}]), tokens(text.len()), if cut { "max_tokens" } else { "end_turn" })
            }
        };
        let body = json!({
            "id": format!("msg_sim{:016x}", a.id), "type": "message", "role": "assistant", "model": a.model,
            "content": content, "stop_reason": stop, "stop_sequence": null,
            "usage": {"input_tokens": a.prompt_tokens, "output_tokens": completion, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        });
        (body, completion)
    }

    fn malformed(id: u64) -> Vec<u8> {
        format!("{{\"id\": \"msg_sim{id:016x}\", \"type\": \"message\", \"content\": [{{\"type\": \"tool_u").into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(version: bool) -> Request {
        let mut headers = vec![("x-api-key".to_string(), "sk-a".to_string())];
        if version {
            headers.push(("anthropic-version".into(), "2023-06-01".into()));
        }
        Request { method: "POST".into(), path: "/v1/messages".into(), headers, body: Vec::new(), close: false }
    }

    fn tool(name: &str, property: &str) -> Value {
        json!({"name": name, "description": "d", "input_schema": {"type": "object", "properties": {property: {"type": "string"}}}})
    }

    #[test]
    fn resets_are_rfc3339_times_rounded_up() {
        let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_500);
        assert_eq!(reset_at(now, Duration::from_millis(200)), "2023-11-14T22:13:21Z");
        assert_eq!(reset_at(now, Duration::from_millis(500)), "2023-11-14T22:13:21Z");
        assert_eq!(reset_at(now, Duration::from_secs(60)), "2023-11-14T22:14:21Z");
    }

    #[test]
    fn requests_are_validated_and_the_forced_tool_chosen() {
        let body = json!({"model": "c", "max_tokens": 9, "system": [{"type": "text", "text": "Sys."}], "messages": [{"role": "user", "content": [{"type": "text", "text": "<job>x</job>"}]}],
            "tools": [tool("other", "a"), tool("answer", "text")], "tool_choice": {"type": "tool", "name": "answer"}});
        let c = Anthropic::read(&request(true), &body).expect("valid");
        assert_eq!((c.tool.as_deref(), c.max_tokens, c.prompt_bytes, c.user.as_str()), (Some("answer"), Some(9), 4 + 12, "<job>x</job>"));
        assert_eq!(c.schema, Some(tool("answer", "text")["input_schema"].clone()));
        assert!(Anthropic::read(&request(false), &body).expect_err("no version").contains("anthropic-version"));
        let mut no_budget = body.clone();
        no_budget.as_object_mut().expect("object").remove("max_tokens");
        assert!(Anthropic::read(&request(true), &no_budget).expect_err("no max_tokens").contains("max_tokens"));
        let mut unknown = body.clone();
        unknown["tool_choice"]["name"] = json!("missing");
        assert!(Anthropic::read(&request(true), &unknown).expect_err("unknown tool").contains("tool_choice"));
        let plain = json!({"model": "c", "max_tokens": 9, "messages": [{"role": "user", "content": "hi"}]});
        assert_eq!(Anthropic::read(&request(true), &plain).expect("valid").tool, None);
    }

    #[test]
    fn answers_go_to_the_tool_or_a_text_block() {
        let body = json!({"model": "c", "max_tokens": 9, "messages": [{"role": "user", "content": "hi"}], "tools": [tool("answer", "text")]});
        let with_tool = Anthropic::read(&request(true), &body).expect("valid");
        let plain = Anthropic::read(&request(true), &json!({"model": "c", "max_tokens": 9, "messages": []})).expect("valid");
        let value = json!({"a": 1, "text": "x"});
        let answer = |call, shape| Anthropic::success(&Answer { id: 7, model: "c", value: &value, shape, prompt_tokens: 3, call });
        let (b, completion) = answer(&with_tool, Shape::Whole);
        assert_eq!(b["content"], json!([{"type": "tool_use", "id": "toolu_sim0000000000000007", "name": "answer", "input": value}]));
        assert_eq!((b["stop_reason"].as_str(), b["usage"]["output_tokens"].as_u64(), completion), (Some("tool_use"), Some(tokens(value.to_string().len())), tokens(value.to_string().len())));
        assert_eq!(b["usage"]["input_tokens"], 3);
        let (cut, _) = answer(&with_tool, Shape::CutOff);
        assert_eq!((cut["stop_reason"].as_str(), &cut["content"][0]["input"]), (Some("max_tokens"), &json!({"a": 1})));
        let (text, _) = answer(&plain, Shape::Whole);
        assert_eq!((text["content"][0]["type"].as_str(), text["content"][0]["text"].as_str(), text["stop_reason"].as_str()), (Some("text"), Some(value.to_string().as_str()), Some("end_turn")));
        let (empty, completion) = answer(&with_tool, Shape::Empty);
        assert_eq!((empty["content"].clone(), completion), (json!([]), 0));
        let e: Value = serde_json::from_slice(&Anthropic::error(529, ErrorKind::Overloaded, "busy").body).expect("json");
        assert_eq!(e, json!({"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}));
        assert!(serde_json::from_slice::<Value>(&Anthropic::malformed(1)).is_err());
    }
}
