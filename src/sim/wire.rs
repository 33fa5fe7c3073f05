//! One API call as the simulator serves it, the same for both APIs: authentication, validation,
//! outage, RPM/TPM admission, fault and latency draws, then a schema-conforming answer with usage
//! and rate-limit headers. What differs between OpenAI and Anthropic (where the key, schema and
//! budget sit in a request, how errors, answers and headers are spelt) is the `Wire` trait,
//! implemented in `openai.rs` and `anthropic.rs`.

use super::draw;
use super::generate::{answer as make_answer, Prompt};
use super::http::{Request, Response};
use super::limits::{Admission, Dimension, Standing};
use super::profile::Fault;
use super::stats::Outcome;
use super::{Reply, Simulator};
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime};

/// How long a `hang` fault holds a connection, in real time.
const HANG: Duration = Duration::from_secs(60);

/// What the simulator reads from a request, the same for both APIs.
#[derive(Debug)]
pub struct Call {
    /// Bytes of all message text (system prompt and every message), for usage and TPM.
    pub prompt_bytes: usize,
    /// The text of the last user message: job, task and section blocks.
    pub user: String,
    /// The schema the answer must follow, if the request gives one.
    pub schema: Option<Value>,
    /// The output budget, counted against TPM.
    pub max_tokens: Option<u64>,
    /// Anthropic: the tool the answer goes to; none answers with a text block.
    pub tool: Option<String>,
}

/// The classes of error replies; each API spells them its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidRequest,
    Authentication,
    Permission,
    NotFound,
    RateLimit(Dimension),
    Overloaded,
    Server,
}

impl ErrorKind {
    /// The class of a status chosen by the profile (faults, outages).
    pub fn of_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimit(Dimension::Requests),
            529 => ErrorKind::Overloaded,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::InvalidRequest,
        }
    }
}

/// How much of the answer a 200 carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Whole,
    /// No choices (OpenAI) or no content blocks (Anthropic).
    Empty,
    /// Stopped at the token limit, half the answer sent.
    CutOff,
}

/// An answer to put in a 200.
pub struct Answer<'a> {
    /// Unique per reply, for the `id` fields.
    pub id: u64,
    pub model: &'a str,
    pub value: &'a Value,
    pub shape: Shape,
    pub prompt_tokens: u64,
    pub call: &'a Call,
}

/// What differs between the two APIs.
pub trait Wire {
    /// The API key the request carries.
    fn key(req: &Request) -> Option<&str>;
    /// Reads a request, or says why it is invalid (a 400).
    fn read(req: &Request, body: &Value) -> Result<Call, String>;
    /// An error reply.
    fn error(status: u16, kind: ErrorKind, message: &str) -> Response;
    /// The 429 of a request refused by `by`, fitting after `wait`, with the retry hints.
    fn too_many(model: &str, by: Dimension, wait: Duration, standing: &Standing) -> Response;
    /// Adds the rate-limit headers.
    fn limit_headers(r: Response, standing: &Standing, now: SystemTime) -> Response;
    /// The body of a 200 and the completion tokens of what it carries.
    fn success(a: &Answer) -> (Value, u64);
    /// A 200 body that starts like this API's answer and is not JSON.
    fn malformed(id: u64) -> Vec<u8>;
}

/// Tokens of a text: a quarter of its bytes, rounded up.
pub fn tokens(bytes: usize) -> u64 {
    bytes.div_ceil(4) as u64
}

/// The text of a message's content: a string, or the concatenated text of its blocks.
pub fn content_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect(),
        _ => String::new(),
    }
}

/// The JSON schema written after a `JSON schema:` line of a system prompt (for servers that take
/// no schema parameter); text after the schema is ignored.
pub fn schema_in_system(system: &str) -> Option<Value> {
    let (_, rest) = system.split_once("JSON schema:")?;
    serde_json::Deserializer::from_str(rest).into_iter::<Value>().next()?.ok().filter(Value::is_object)
}

/// The first half of a text, cut at a character boundary.
pub fn cut_in_half(text: &str) -> &str {
    let mut end = text.len() / 2;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Serves one request to an API route. Every reply about a model carries its rate-limit headers,
/// except the 401s and 400s, which the real APIs send before any limit is looked at.
pub fn call<W: Wire>(sim: &Simulator, req: &Request) -> Reply {
    let body: Option<Value> = serde_json::from_slice(&req.body).ok();
    let index = body.as_ref().and_then(|b| b.get("model")).and_then(Value::as_str).and_then(|name| sim.model_index(name));
    let (Some(index), Some(body)) = (index, body.as_ref()) else {
        sim.count_unrouted();
        return Reply::Send(unrouted::<W>(sim, req, body.as_ref()));
    };
    let model = &sim.models[index];
    model.arrive();
    let (outcome, reply) = serve::<W>(sim, index, req, body);
    model.record(outcome);
    if outcome == Outcome::Fault(Fault::Hang) {
        sim.hold(HANG);
    }
    model.leave();
    reply
}

/// The reply to a request that names no model of the profile: 401, 400 or 404, in that order,
/// as the real APIs check them.
fn unrouted<W: Wire>(sim: &Simulator, req: &Request, body: Option<&Value>) -> Response {
    if !authorized::<W>(sim, req) {
        return W::error(401, ErrorKind::Authentication, "Incorrect API key provided.");
    }
    let Some(body) = body else {
        return W::error(400, ErrorKind::InvalidRequest, "The request body is not valid JSON.");
    };
    if let Err(why) = W::read(req, body) {
        return W::error(400, ErrorKind::InvalidRequest, &why);
    }
    match body.get("model").and_then(Value::as_str) {
        Some(name) => W::error(404, ErrorKind::NotFound, &format!("The model `{name}` does not exist or you do not have access to it.")),
        None => W::error(400, ErrorKind::InvalidRequest, "model: field required"),
    }
}

fn authorized<W: Wire>(sim: &Simulator, req: &Request) -> bool {
    sim.profile.api_key.as_deref().is_none_or(|key| W::key(req) == Some(key))
}

fn serve<W: Wire>(sim: &Simulator, index: usize, req: &Request, body: &Value) -> (Outcome, Reply) {
    let p = &sim.profile.models[index];
    let m = &sim.models[index];
    if !authorized::<W>(sim, req) {
        return (Outcome::Rejected, Reply::Send(W::error(401, ErrorKind::Authentication, "Incorrect API key provided.")));
    }
    let call = match W::read(req, body) {
        Ok(call) => call,
        Err(why) => return (Outcome::Rejected, Reply::Send(W::error(400, ErrorKind::InvalidRequest, &why))),
    };
    let now = Instant::now();
    let sim_seconds = now.duration_since(sim.started).as_secs_f64() * sim.profile.time_scale;
    if let Some(o) = p.outages.iter().find(|o| (o.start_s..o.end_s).contains(&sim_seconds)) {
        let standing = m.window.lock().expect("window lock").peek(now);
        let r = W::error(o.status, ErrorKind::of_status(o.status), "The model is unavailable (simulated outage).");
        return (Outcome::Outage, Reply::Send(W::limit_headers(r, &standing, SystemTime::now())));
    }

    let prompt_tokens = tokens(call.prompt_bytes);
    let standing = match m.window.lock().expect("window lock").admit(now, prompt_tokens + call.max_tokens.unwrap_or(0)) {
        Admission::Admitted(s) => s,
        Admission::Refused { by, wait, standing } => {
            let r = W::limit_headers(W::too_many(&p.name, by, wait, &standing), &standing, SystemTime::now());
            return (Outcome::RateLimited, Reply::Send(r));
        }
    };
    let (fault, latency_ms) = {
        let mut rng = m.rng.lock().expect("rng lock");
        (draw::fault(&mut rng, &p.faults), draw::latency_ms(&mut rng, p.latency_ms))
    };
    if fault == Some(Fault::Reset) {
        return (Outcome::Fault(Fault::Reset), Reply::Close);
    }
    std::thread::sleep(draw::scaled(latency_ms, sim.profile.time_scale));
    let with_limits = |r| W::limit_headers(r, &standing, SystemTime::now());
    let id = sim.next_id();
    let shape = match fault {
        Some(f @ (Fault::Http500 | Fault::Http502 | Fault::Http503 | Fault::Http529)) => {
            let status = match f {
                Fault::Http500 => 500,
                Fault::Http502 => 502,
                Fault::Http503 => 503,
                _ => 529,
            };
            let r = W::error(status, ErrorKind::of_status(status), "The server had an error while processing your request (simulated).");
            return (Outcome::Fault(f), Reply::Send(with_limits(r)));
        }
        Some(Fault::Hang) => return (Outcome::Fault(Fault::Hang), Reply::Close),
        Some(Fault::Malformed) => {
            let r = Response { status: 200, headers: Vec::new(), body: W::malformed(id) };
            return (Outcome::Fault(Fault::Malformed), Reply::Send(with_limits(r)));
        }
        Some(Fault::EmptyChoices) => Shape::Empty,
        Some(Fault::Length) => Shape::CutOff,
        Some(Fault::Reset | Fault::Truncated) | None => Shape::Whole,
    };
    let schema = call.schema.clone().unwrap_or_else(|| json!({"type": "object", "properties": {"text": {"type": "string"}}}));
    let value = make_answer(&schema, &Prompt::parse(&call.user), m.answer_seed);
    let (body, completion_tokens) = W::success(&Answer { id, model: &p.name, value: &value, shape, prompt_tokens, call: &call });
    let r = with_limits(Response::json(200, &body));
    match fault {
        Some(Fault::Truncated) => (Outcome::Fault(Fault::Truncated), Reply::Truncated(r)),
        Some(f) => (Outcome::Fault(f), Reply::Send(r)),
        None => (Outcome::Ok { prompt_tokens, completion_tokens }, Reply::Send(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_count_cut_and_find_what_they_should() {
        assert_eq!((tokens(0), tokens(1), tokens(8), tokens(9)), (0, 1, 2, 3));
        assert_eq!(content_text(&json!([{"type": "text", "text": "ab"}, {"type": "image"}, {"type": "text", "text": "c"}])), "abc");
        assert_eq!(cut_in_half("abcd"), "ab");
        assert_eq!(cut_in_half("aé"), "a", "never inside a character");
        let system = "Answer in JSON.\nJSON schema:\n{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}\nThanks.";
        assert_eq!(schema_in_system(system), Some(json!({"type": "object", "properties": {"text": {"type": "string"}}})));
        assert_eq!(schema_in_system("no schema here"), None);
        assert_eq!(ErrorKind::of_status(529), ErrorKind::Overloaded);
        assert_eq!(ErrorKind::of_status(502), ErrorKind::Server);
    }
}
