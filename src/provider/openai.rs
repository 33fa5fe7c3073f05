//! OpenAI Chat Completions, and OpenAI-compatible servers (Ollama, vLLM, llama.cpp) with their
//! structured-output dialects.

use super::http::{json_reply, rate_limits, snippet, HttpClient, HttpReply};
use super::prompt::{extract_json, Request, ANSWER_NAME};
use super::{complete_batch_via, complete_via, Exchanged, estimate_tokens, ApiKey, BatchCompletion, BatchInput, Completion, FailureKind, Provider, ProviderError, TaskInput, Usage};
use serde::Deserialize;
use serde_json::{json, Value};

/// How a server is asked for JSON that fits the task's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StructuredOutput {
    /// `response_format: {type: json_schema, json_schema: {strict: true, schema}}` (OpenAI, vLLM, Ollama).
    JsonSchema,
    /// `response_format: {type: json_object, schema}`: llama-cpp-python's form; it rejects `json_schema`.
    JsonObjectSchema,
    /// `response_format: {type: json_object}` with the schema in the system message.
    JsonObject,
    /// No response_format; the schema is in the system message and the JSON is extracted from text.
    Prompt,
}

/// Whether the server is OpenAI itself (which takes `max_completion_tokens`) or a compatible one
/// (which knows `max_tokens`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    OpenAi,
    Compatible,
}

/// A Chat Completions endpoint.
#[derive(Debug)]
pub struct OpenAiProvider {
    pub name: String,
    endpoint: String,
    key: Option<ApiKey>,
    mode: StructuredOutput,
    dialect: Dialect,
    client: HttpClient,
}

impl OpenAiProvider {
    /// `base_url` as the official SDK takes it, with `/v1` (`https://api.openai.com/v1`).
    pub fn new(name: &str, base_url: &str, key: Option<ApiKey>, mode: StructuredOutput, dialect: Dialect, client: HttpClient) -> Self {
        let endpoint = format!("{}/chat/completions", base_url.trim_end_matches('/'));
        OpenAiProvider { name: name.to_string(), endpoint, key, mode, dialect, client }
    }
}

/// The request body.
pub fn request_body(model: &str, req: &Request, mode: StructuredOutput, dialect: Dialect) -> Value {
    let system = match mode {
        StructuredOutput::JsonSchema | StructuredOutput::JsonObjectSchema => req.system.clone(),
        StructuredOutput::JsonObject | StructuredOutput::Prompt => req.system_with_schema(),
    };
    let mut body = json!({
        "model": model,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": req.user}
        ],
        "temperature": 0
    });
    match dialect {
        Dialect::OpenAi => body["max_completion_tokens"] = json!(req.max_tokens),
        Dialect::Compatible => body["max_tokens"] = json!(req.max_tokens),
    }
    match mode {
        StructuredOutput::JsonSchema => {
            body["response_format"] = json!({"type": "json_schema", "json_schema": {"name": ANSWER_NAME, "strict": true, "schema": req.schema}});
        }
        StructuredOutput::JsonObjectSchema => body["response_format"] = json!({"type": "json_object", "schema": req.schema}),
        StructuredOutput::JsonObject => body["response_format"] = json!({"type": "json_object"}),
        StructuredOutput::Prompt => {}
    }
    body
}

/// Turns a reply into the model's JSON answer and the call's usage, or a classified failure.
/// `prompt_text` is what was sent, for estimating usage when the server reports none.
pub fn parse_reply(provider: &str, model: &str, mode: StructuredOutput, reply: &HttpReply, prompt_text: &str) -> Result<(Value, Usage), ProviderError> {
    let fail = |kind, msg: String| ProviderError::new(provider, model, kind, msg);
    let body = json_reply(reply, provider, model, |e| e.get("code").and_then(Value::as_str).or_else(|| e.get("type").and_then(Value::as_str)).map(str::to_string))?;
    let choice = body.get("choices").and_then(Value::as_array).and_then(|c| c.first()).ok_or_else(|| fail(FailureKind::InvalidAnswer, "response has no choices".into()))?;
    let message = choice.get("message").ok_or_else(|| fail(FailureKind::InvalidAnswer, "choice has no message".into()))?;
    if let Some(refusal) = message.get("refusal").and_then(Value::as_str) {
        return Err(fail(FailureKind::Refusal, format!("model refused: {refusal}")));
    }
    if choice.get("finish_reason").and_then(Value::as_str) == Some("length") {
        return Err(fail(FailureKind::Truncated, "answer cut off at the token limit (finish_reason: length)".into()));
    }
    let content = message.get("content").and_then(Value::as_str).ok_or_else(|| fail(FailureKind::InvalidAnswer, "message has no text content".into()))?;
    let answer = match mode {
        StructuredOutput::Prompt => extract_json(content),
        _ => serde_json::from_str(content).ok(),
    }
    .ok_or_else(|| fail(FailureKind::InvalidAnswer, format!("answer is not JSON: {}", snippet(content.as_bytes()))))?;
    let usage = body.get("usage");
    let count = |v: Option<&Value>| v.and_then(Value::as_u64);
    let usage = Usage {
        input_tokens: count(usage.and_then(|u| u.get("prompt_tokens"))).unwrap_or_else(|| estimate_tokens(prompt_text)),
        output_tokens: count(usage.and_then(|u| u.get("completion_tokens"))).unwrap_or_else(|| estimate_tokens(content)),
        cached_input_tokens: count(usage.and_then(|u| u.pointer("/prompt_tokens_details/cached_tokens"))).unwrap_or(0),
    };
    Ok((answer, usage))
}

impl OpenAiProvider {
    fn exchange(&self, model: &str, req: &Request) -> Result<Exchanged, ProviderError> {
        let body = request_body(model, req, self.mode, self.dialect);
        let bytes = serde_json::to_vec(&body).expect("a JSON value serialises");
        let auth = self.key.as_ref().map(|k| format!("Bearer {}", k.expose()));
        let headers: Vec<(&str, &str)> = auth.as_deref().map(|a| ("authorization", a)).into_iter().collect();
        let reply = self.client.post_json(&self.endpoint, &headers, &bytes, &self.name, model).map_err(|e| self.redact(e))?;
        let prompt_text = format!("{}{}", body["messages"][0]["content"].as_str().unwrap_or(""), req.user);
        let (answer, usage) = parse_reply(&self.name, model, self.mode, &reply, &prompt_text).map_err(|e| self.redact(e))?;
        Ok((answer, usage, rate_limits(&reply, std::time::SystemTime::now())))
    }

    fn redact(&self, mut e: ProviderError) -> ProviderError {
        if let Some(k) = &self.key {
            e.message = k.redact(&e.message);
        }
        e
    }
}

impl Provider for OpenAiProvider {
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
    use crate::segment::SectionType;

    fn input(kind: TaskKind) -> TaskInput<'static> {
        let job = Box::leak(Box::new(analyse("Engineer\n- Python\n")));
        TaskInput { kind, section_type: SectionType::Skills, text: "Python, Go\n", job_text: "Engineer\n- Python\n", job, evidence: &[], hits: None }
    }

    fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> HttpReply {
        HttpReply::recorded(status, headers, body)
    }

    const OK: &str = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"{\"text\":\"Python, Go\"}","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":9,"total_tokens":129,"prompt_tokens_details":{"cached_tokens":64}}}"#;

    #[test]
    fn request_uses_strict_json_schema_and_job_first() {
        let b = request_body("gpt-4o-mini", &Request::single(&input(TaskKind::Optimize)), StructuredOutput::JsonSchema, Dialect::OpenAi);
        assert_eq!(b["response_format"]["type"], "json_schema");
        assert_eq!(b["response_format"]["json_schema"]["strict"], true);
        assert_eq!(b["response_format"]["json_schema"]["schema"]["required"][0], "text");
        assert!(b["max_completion_tokens"].as_u64().is_some());
        assert!(b["messages"][1]["content"].as_str().is_some_and(|c| c.starts_with("<job>")));
        let l = request_body("m", &Request::single(&input(TaskKind::Evaluate)), StructuredOutput::JsonObjectSchema, Dialect::Compatible);
        assert_eq!(l["response_format"], json!({"type": "json_object", "schema": crate::provider::prompt::schema(TaskKind::Evaluate)}));
        assert!(l["max_tokens"].as_u64().is_some());
        let p = request_body("m", &Request::single(&input(TaskKind::Evaluate)), StructuredOutput::Prompt, Dialect::Compatible);
        assert!(p.get("response_format").is_none());
        assert!(p["messages"][0]["content"].as_str().is_some_and(|c| c.contains("JSON schema:")));
    }

    #[test]
    fn success_reads_answer_and_usage() {
        let (answer, usage) = parse_reply("openai", "m", StructuredOutput::JsonSchema, &reply(200, &[], OK), "").expect("ok");
        assert_eq!(parse_answer(&input(TaskKind::Optimize), &answer), Ok(TaskOutput::Optimization("Python, Go\n".into())));
        assert_eq!(usage, Usage { input_tokens: 120, output_tokens: 9, cached_input_tokens: 64 });
    }

    #[test]
    fn error_shapes_classify() {
        let parse = |r: HttpReply| parse_reply("openai", "m", StructuredOutput::JsonSchema, &r, "").expect_err("failure");
        let rl = parse(reply(
            429,
            &[("retry-after-ms", "1200"), ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "1s")],
            r#"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
        ));
        assert_eq!((rl.kind, rl.class, rl.code.as_deref()), (FailureKind::RateLimited, FailureClass::Retryable, Some("rate_limit_exceeded")));
        assert_eq!(rl.retry_after, Some(std::time::Duration::from_millis(1200)));
        assert_eq!(rl.limits.remaining_requests, Some(0));
        let quota = parse(reply(429, &[], r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#));
        assert_eq!((quota.kind, quota.class), (FailureKind::Quota, FailureClass::FallBack));
        let auth = parse(reply(401, &[], r#"{"error":{"message":"Incorrect API key provided: sk-abc","type":"invalid_request_error","code":"invalid_api_key"}}"#));
        assert_eq!(auth.class, FailureClass::Fatal);
        assert!(!auth.message.contains("sk-abc"), "{}", auth.message);
        assert_eq!(parse(reply(503, &[], r#"{"error":{"message":"busy","type":"server_error"}}"#)).class, FailureClass::Retryable);
        assert_eq!(parse(reply(400, &[], r#"{"error":{"message":"bad","type":"invalid_request_error"}}"#)).class, FailureClass::FallBack);
        assert_eq!(parse(reply(200, &[], "{not json")).kind, FailureKind::InvalidAnswer);
        assert_eq!(parse(reply(200, &[], r#"{"choices":[]}"#)).kind, FailureKind::InvalidAnswer);
        let length = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"{\"te"},"finish_reason":"length"}]}"#;
        assert_eq!(parse(reply(200, &[], length)).kind, FailureKind::Truncated);
        let refusal = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't"},"finish_reason":"stop"}]}"#;
        assert_eq!(parse(reply(200, &[], refusal)).kind, FailureKind::Refusal);
        let off_schema = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"{\"txt\":\"a\"}"},"finish_reason":"stop"}]}"#;
        let (answer, _) = parse_reply("openai", "m", StructuredOutput::JsonSchema, &reply(200, &[], off_schema), "").expect("JSON");
        assert!(parse_answer(&input(TaskKind::Optimize), &answer).is_err(), "off-schema answers are rejected");
    }

    #[test]
    fn missing_usage_is_estimated() {
        let body = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"{\"text\":\"Python\"}"},"finish_reason":"stop"}]}"#;
        let (_, usage) = parse_reply("local-llm", "m", StructuredOutput::JsonSchema, &reply(200, &[], body), "hello world, a prompt").expect("ok");
        assert!(usage.input_tokens > 0 && usage.output_tokens > 0);
    }
}
