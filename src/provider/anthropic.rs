//! Anthropic Messages: `x-api-key`, `anthropic-version: 2023-06-01`, `max_tokens` always set, and
//! structured output through one forced tool whose input schema is the task's schema.

use super::http::{json_reply, rate_limits, HttpClient, HttpReply};
use super::prompt::{Request, ANSWER_NAME};
use super::{complete_batch_via, complete_via, Exchanged, ApiKey, BatchCompletion, BatchInput, Completion, FailureKind, Provider, ProviderError, TaskInput, Usage};
use serde_json::{json, Value};

pub const API_VERSION: &str = "2023-06-01";

/// The Messages endpoint.
#[derive(Debug)]
pub struct AnthropicProvider {
    pub name: String,
    endpoint: String,
    key: ApiKey,
    client: HttpClient,
}

impl AnthropicProvider {
    /// `base_url` is the bare host as the official SDK takes it (`https://api.anthropic.com`).
    pub fn new(name: &str, base_url: &str, key: ApiKey, client: HttpClient) -> Self {
        let endpoint = format!("{}/v1/messages", base_url.trim_end_matches('/'));
        AnthropicProvider { name: name.to_string(), endpoint, key, client }
    }
}

/// The request body.
pub fn request_body(model: &str, req: &Request) -> Value {
    json!({
        "model": model,
        "max_tokens": req.max_tokens,
        "temperature": 0,
        "system": req.system,
        "messages": [{"role": "user", "content": req.user}],
        "tools": [{
            "name": ANSWER_NAME,
            "description": "Give the answer in this exact structure.",
            "input_schema": req.schema
        }],
        "tool_choice": {"type": "tool", "name": ANSWER_NAME}
    })
}

/// Turns a reply into the forced tool's input and the call's usage, or a classified failure.
pub fn parse_reply(provider: &str, model: &str, reply: &HttpReply) -> Result<(Value, Usage), ProviderError> {
    let fail = |kind, msg: String| ProviderError::new(provider, model, kind, msg);
    let body = json_reply(reply, provider, model, |e| e.get("type").and_then(Value::as_str).map(str::to_string))?;
    match body.get("stop_reason").and_then(Value::as_str) {
        Some("max_tokens") => return Err(fail(FailureKind::Truncated, "answer cut off at max_tokens (stop_reason: max_tokens)".into())),
        Some("refusal") => return Err(fail(FailureKind::Refusal, "model refused (stop_reason: refusal)".into())),
        _ => {}
    }
    let content = body.get("content").and_then(Value::as_array).ok_or_else(|| fail(FailureKind::InvalidAnswer, "response has no content".into()))?;
    let answer = content
        .iter()
        .find(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
        .and_then(|b| b.get("input"))
        .ok_or_else(|| fail(FailureKind::InvalidAnswer, "response has no tool_use block".into()))?;
    let usage = body.get("usage");
    let n = |name: &str| usage.and_then(|u| u.get(name)).and_then(Value::as_u64).unwrap_or(0);
    // input_tokens excludes the cached parts of the prompt; the whole prompt is their sum.
    let cached = n("cache_read_input_tokens");
    let usage = Usage {
        input_tokens: n("input_tokens") + n("cache_creation_input_tokens") + cached,
        output_tokens: n("output_tokens"),
        cached_input_tokens: cached,
    };
    Ok((answer.clone(), usage))
}

impl AnthropicProvider {
    fn exchange(&self, model: &str, req: &Request) -> Result<Exchanged, ProviderError> {
        let body = serde_json::to_vec(&request_body(model, req)).expect("a JSON value serialises");
        let headers = [("x-api-key", self.key.expose()), ("anthropic-version", API_VERSION)];
        let redact = |mut e: ProviderError| {
            e.message = self.key.redact(&e.message);
            e
        };
        let reply = self.client.post_json(&self.endpoint, &headers, &body, &self.name, model).map_err(redact)?;
        let (answer, usage) = parse_reply(&self.name, model, &reply).map_err(redact)?;
        Ok((answer, usage, rate_limits(&reply, std::time::SystemTime::now())))
    }
}

impl Provider for AnthropicProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn complete(&self, model: &str, input: &TaskInput<'_>) -> Result<Completion, ProviderError> {
        complete_via(&self.name, model, input, |req| self.exchange(model, req))
    }

    fn complete_batch(&self, model: &str, batch: &BatchInput<'_>) -> Result<BatchCompletion, ProviderError> {
        complete_batch_via(&self.name, model, batch, |req| self.exchange(model, req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::prompt::parse_answer;
    use crate::job::analyse;
    use crate::provider::{FailureClass, TaskKind, TaskOutput};
    use std::sync::Arc;
    use crate::segment::SectionType;

    fn input(kind: TaskKind) -> TaskInput<'static> {
        let job = Box::leak(Box::new(analyse("Engineer\n- Python\n")));
        TaskInput { kind, section_type: SectionType::Summary, text: "Builds things.", job_text: "Engineer\n- Python\n", job, evidence: &[], hits: None }
    }

    fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> HttpReply {
        HttpReply::recorded(status, headers, body)
    }

    #[test]
    fn request_forces_the_answer_tool() {
        let b = request_body("claude-haiku", &Request::single(&input(TaskKind::Evaluate)));
        assert!(b["max_tokens"].as_u64().is_some_and(|n| n > 0));
        assert_eq!(b["tool_choice"], json!({"type": "tool", "name": "answer"}));
        assert_eq!(b["tools"][0]["input_schema"], crate::provider::prompt::schema(TaskKind::Evaluate));
        assert!(b["messages"][0]["content"].as_str().is_some_and(|c| c.starts_with("<job>")));
    }

    #[test]
    fn success_reads_tool_input_and_cache_usage() {
        let body = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku","content":[{"type":"tool_use","id":"toolu_1","name":"answer","input":{"score":72,"matched":["Python"],"missing":[]}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":15,"cache_creation_input_tokens":100,"cache_read_input_tokens":300}}"#;
        let (answer, usage) = parse_reply("anthropic", "m", &reply(200, &[], body)).expect("ok");
        let output = parse_answer(&input(TaskKind::Evaluate), &answer).expect("valid");
        assert!(matches!(output, TaskOutput::Evaluation(ref e) if e.score == 72.0 && e.matched == [Arc::from("Python")]));
        assert_eq!(usage, Usage { input_tokens: 420, output_tokens: 15, cached_input_tokens: 300 });
    }

    #[test]
    fn error_shapes_classify() {
        let parse = |r: HttpReply| parse_reply("anthropic", "m", &r).expect_err("failure");
        let overloaded = parse(reply(529, &[], r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#));
        assert_eq!((overloaded.kind, overloaded.class, overloaded.code.as_deref()), (FailureKind::Overloaded, FailureClass::Retryable, Some("overloaded_error")));
        let rl = parse(reply(
            429,
            &[("retry-after", "7"), ("anthropic-ratelimit-requests-remaining", "0")],
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
        ));
        assert_eq!((rl.kind, rl.retry_after), (FailureKind::RateLimited, Some(std::time::Duration::from_secs(7))));
        assert_eq!(rl.limits.remaining_requests, Some(0));
        let auth = parse(reply(401, &[], r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#));
        assert_eq!(auth.class, FailureClass::Fatal);
        let cut = r#"{"type":"message","content":[{"type":"tool_use","name":"answer","input":{}}],"stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":1}}"#;
        assert_eq!(parse(reply(200, &[], cut)).kind, FailureKind::Truncated);
        let no_tool = r#"{"type":"message","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"#;
        assert_eq!(parse(reply(200, &[], no_tool)).kind, FailureKind::InvalidAnswer);
    }
}
