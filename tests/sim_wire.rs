//! The simulator over real sockets: started in process on a free port (and once as `tailor sim`),
//! spoken to with a hand-written HTTP/1.1 client, so what is checked is the bytes a provider
//! client would see: both wire formats, keys, limits and their headers, every fault, outages,
//! determinism for a seed, and the stats.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use tailor::sim::{Profile, SimHandle, SimStats, Simulator};

const KEY: &str = "sk-sim-test";
const JOB: &str = "<job>\nSenior Python Engineer building data services\n</job>\n<task>optimize</task>";
const SECTIONS: &str = "\n<section id=\"0\" type=\"skills\">\nPython, Go, SQL\n</section>\n<section id=\"1\" type=\"summary\">\nBuilds pipelines — fast.\n</section>";

/// A reply as read off the socket.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("body {:?}: {e}", String::from_utf8_lossy(&self.body)))
    }
}

/// Writes one request on `stream` with a Content-Length body.
fn write_request(stream: &mut TcpStream, method: &str, path: &str, headers: &[(&str, &str)], body: &str) {
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n", body.len());
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send head");
    stream.write_all(body.as_bytes()).expect("send body");
}

/// Reads one response: status line, headers, a Content-Length body. An error when the server
/// closes early or sends less body than it promised.
fn read_reply(reader: &mut BufReader<TcpStream>) -> std::io::Result<Reply> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before any response byte"));
    }
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status code");
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':').expect("header line");
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).expect("content-length");
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Reply { status, headers, body })
}

/// One request on a fresh connection.
fn try_send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write_request(&mut stream, method, path, headers, body);
    read_reply(&mut BufReader::new(stream))
}

fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    try_send(addr, method, path, headers, body).expect("a whole reply")
}

/// A simulator with two models, one per API, at time scale 1 (a rate-limit window of a real
/// minute, so a burst never straddles two windows however slow the machine).
fn start(extra_model_lines: &str) -> SimHandle {
    let toml = format!(
        "seed = 11\napi_key = \"{KEY}\"\n\
         [[model]]\nname = \"gpt-sim\"\nlatency_ms = {{ median = 2, p95 = 4 }}\n{extra_model_lines}\n\
         [[model]]\nname = \"claude-sim\"\nlatency_ms = {{ median = 2, p95 = 4 }}\n{extra_model_lines}\n"
    );
    Simulator::start(Profile::parse(&toml).expect("profile"), 0).expect("simulator starts")
}

fn batch_schema() -> Value {
    json!({"type": "object", "properties": {"items": {"type": "array", "items": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "score": {"type": "number", "minimum": 0, "maximum": 100}, "matched": {"type": "array", "items": {"type": "string"}}},
        "required": ["id", "text", "score", "matched"], "additionalProperties": false
    }}}, "required": ["items"], "additionalProperties": false})
}

fn openai_body(model: &str, schema: &Value) -> String {
    json!({
        "model": model,
        "messages": [{"role": "system", "content": "You tailor resumes."}, {"role": "user", "content": format!("{JOB}{SECTIONS}")}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true, "schema": schema}},
        "max_tokens": 200
    })
    .to_string()
}

fn anthropic_body(model: &str, schema: &Value) -> String {
    json!({
        "model": model, "max_tokens": 200, "system": "You tailor resumes.",
        "messages": [{"role": "user", "content": format!("{JOB}{SECTIONS}")}],
        "tools": [{"name": "answer", "description": "The answer.", "input_schema": schema}],
        "tool_choice": {"type": "tool", "name": "answer"}
    })
    .to_string()
}

fn openai(addr: SocketAddr, key: &str, body: &str) -> Reply {
    send(addr, "POST", "/v1/chat/completions", &[("authorization", &format!("Bearer {key}"))], body)
}

fn anthropic(addr: SocketAddr, key: &str, body: &str) -> Reply {
    send(addr, "POST", "/v1/messages", &[("x-api-key", key), ("anthropic-version", "2023-06-01")], body)
}

/// Checks `v` against the subset of JSON Schema the simulator promises.
fn conforms(v: &Value, schema: &Value) -> Result<(), String> {
    match schema["type"].as_str() {
        Some("object") => {
            let obj = v.as_object().ok_or(format!("{v} is not an object"))?;
            let props = schema["properties"].as_object().cloned().unwrap_or_default();
            for r in schema["required"].as_array().into_iter().flatten() {
                obj.get(r.as_str().unwrap_or_default()).ok_or(format!("{v} lacks {r}"))?;
            }
            if schema["additionalProperties"] == false {
                if let Some(k) = obj.keys().find(|k| !props.contains_key(*k)) {
                    return Err(format!("{v} has {k}"));
                }
            }
            obj.iter().filter_map(|(k, x)| props.get(k).map(|s| (x, s))).try_for_each(|(x, s)| conforms(x, s))
        }
        Some("array") => v.as_array().ok_or(format!("{v} is not an array"))?.iter().try_for_each(|x| conforms(x, &schema["items"])),
        Some("string") => v.as_str().map(drop).ok_or(format!("{v} is not a string")),
        Some("number") => {
            let n = v.as_f64().ok_or(format!("{v} is not a number"))?;
            let lo = schema["minimum"].as_f64().unwrap_or(f64::MIN);
            let hi = schema["maximum"].as_f64().unwrap_or(f64::MAX);
            (lo..=hi).contains(&n).then_some(()).ok_or(format!("{n} outside {lo}..={hi}"))
        }
        other => Err(format!("type {other:?} not checked here")),
    }
}

/// Checks a batch answer: schema, one item per section with its id and exact text.
fn check_batch_answer(answer: &Value) {
    conforms(answer, &batch_schema()).expect("answer conforms to the schema");
    let items = answer["items"].as_array().expect("items");
    assert_eq!(items.iter().map(|i| (i["id"].as_str().expect("id"), i["text"].as_str().expect("text"))).collect::<Vec<_>>(), [("0", "Python, Go, SQL"), ("1", "Builds pipelines — fast.")]);
}

/// What the simulator counts as a request's prompt tokens: a quarter of its message bytes.
fn expected_prompt_tokens() -> u64 {
    ("You tailor resumes.".len() + format!("{JOB}{SECTIONS}").len()).div_ceil(4) as u64
}

#[test]
fn openai_success_has_the_official_shape_and_a_conforming_answer() {
    let sim = start("rpm = 100\ntpm = 100000");
    let r = openai(sim.addr(), KEY, &openai_body("gpt-sim", &batch_schema()));
    assert_eq!(r.status, 200);
    let b = r.json();
    assert_eq!((b["object"].as_str(), b["model"].as_str()), (Some("chat.completion"), Some("gpt-sim")));
    assert!(b["id"].as_str().is_some_and(|id| id.starts_with("chatcmpl-")) && b["created"].as_u64().is_some_and(|t| t > 1_600_000_000));
    let choice = &b["choices"][0];
    assert_eq!((choice["index"].as_u64(), choice["finish_reason"].as_str(), choice["message"]["role"].as_str()), (Some(0), Some("stop"), Some("assistant")));
    assert!(choice["message"]["refusal"].is_null());
    let content = choice["message"]["content"].as_str().expect("content is a string");
    check_batch_answer(&serde_json::from_str(content).expect("content is JSON"));
    let usage = &b["usage"];
    let (prompt, completion) = (expected_prompt_tokens(), content.len().div_ceil(4) as u64);
    assert_eq!((usage["prompt_tokens"].as_u64(), usage["completion_tokens"].as_u64(), usage["total_tokens"].as_u64()), (Some(prompt), Some(completion), Some(prompt + completion)));
    assert_eq!(usage["prompt_tokens_details"]["cached_tokens"], 0);
    assert_eq!(r.header("x-ratelimit-limit-requests"), Some("100"));
    assert_eq!(r.header("x-ratelimit-remaining-requests"), Some("99"));
    assert_eq!(r.header("x-ratelimit-remaining-tokens"), Some((100_000 - prompt - 200).to_string().as_str()), "TPM counts prompt tokens plus max_tokens");
    assert!(r.header("x-ratelimit-reset-requests").and_then(tailor::provider::http::parse_go_duration).is_some());
    assert!(r.header("x-ratelimit-reset-tokens").and_then(tailor::provider::http::parse_go_duration).is_some());
    let m = &sim.stats().models["gpt-sim"];
    assert_eq!((m.requests, m.ok, m.prompt_tokens, m.completion_tokens), (1, 1, prompt, completion));
}

#[test]
fn anthropic_success_answers_through_the_forced_tool() {
    let sim = start("rpm = 100\ntpm = 100000");
    let r = anthropic(sim.addr(), KEY, &anthropic_body("claude-sim", &batch_schema()));
    assert_eq!(r.status, 200);
    let b = r.json();
    assert_eq!((b["type"].as_str(), b["role"].as_str(), b["stop_reason"].as_str()), (Some("message"), Some("assistant"), Some("tool_use")));
    assert!(b["id"].as_str().is_some_and(|id| id.starts_with("msg_")) && b["stop_sequence"].is_null());
    let block = &b["content"][0];
    assert_eq!((block["type"].as_str(), block["name"].as_str()), (Some("tool_use"), Some("answer")));
    assert!(block["id"].as_str().is_some_and(|id| id.starts_with("toolu_")));
    check_batch_answer(&block["input"]);
    let usage = &b["usage"];
    assert_eq!(usage["input_tokens"].as_u64(), Some(expected_prompt_tokens()));
    assert_eq!(usage["output_tokens"].as_u64(), Some(block["input"].to_string().len().div_ceil(4) as u64));
    assert_eq!((usage["cache_creation_input_tokens"].as_u64(), usage["cache_read_input_tokens"].as_u64()), (Some(0), Some(0)));
    assert_eq!(r.header("anthropic-ratelimit-requests-remaining"), Some("99"));
    assert!(r.header("anthropic-ratelimit-requests-reset").and_then(tailor::time::parse_rfc3339).is_some());
    assert!(r.header("anthropic-ratelimit-tokens-reset").and_then(tailor::time::parse_rfc3339).is_some());

    // Without tools the answer is a text block holding the JSON.
    let plain = json!({"model": "claude-sim", "max_tokens": 50, "system": format!("Answer in JSON.\nJSON schema:\n{}", batch_schema()), "messages": [{"role": "user", "content": format!("{JOB}{SECTIONS}")}]});
    let b = anthropic(sim.addr(), KEY, &plain.to_string()).json();
    assert_eq!((b["content"][0]["type"].as_str(), b["stop_reason"].as_str()), (Some("text"), Some("end_turn")));
    check_batch_answer(&serde_json::from_str(b["content"][0]["text"].as_str().expect("text")).expect("text is JSON"));
}

#[test]
fn wrong_keys_unknown_models_and_invalid_requests_get_each_apis_error() {
    let sim = start("");
    let schema = batch_schema();
    let e = openai(sim.addr(), "sk-wrong", &openai_body("gpt-sim", &schema));
    assert_eq!((e.status, e.json()["error"]["code"].as_str()), (401, Some("invalid_api_key")));
    assert!(e.json()["error"]["param"].is_null() && e.json()["error"]["message"].is_string());
    let e = anthropic(sim.addr(), "sk-wrong", &anthropic_body("claude-sim", &schema));
    assert_eq!((e.status, e.json()["type"].as_str(), e.json()["error"]["type"].as_str()), (401, Some("error"), Some("authentication_error")));
    let no_key = send(sim.addr(), "POST", "/v1/chat/completions", &[], &openai_body("gpt-sim", &schema));
    assert_eq!(no_key.status, 401);

    let e = openai(sim.addr(), KEY, &openai_body("gpt-nope", &schema));
    assert_eq!((e.status, e.json()["error"]["code"].as_str()), (404, Some("model_not_found")));
    let e = anthropic(sim.addr(), KEY, &anthropic_body("claude-nope", &schema));
    assert_eq!((e.status, e.json()["error"]["type"].as_str()), (404, Some("not_found_error")));

    let no_version = send(sim.addr(), "POST", "/v1/messages", &[("x-api-key", KEY)], &anthropic_body("claude-sim", &schema));
    assert_eq!((no_version.status, no_version.json()["error"]["type"].as_str()), (400, Some("invalid_request_error")));
    let mut no_budget: Value = serde_json::from_str(&anthropic_body("claude-sim", &schema)).expect("json");
    no_budget.as_object_mut().expect("object").remove("max_tokens");
    let e = anthropic(sim.addr(), KEY, &no_budget.to_string());
    assert!(e.status == 400 && e.json()["error"]["message"].as_str().is_some_and(|m| m.contains("max_tokens")));
    assert_eq!(openai(sim.addr(), KEY, "{not json").status, 400);

    let s = sim.stats();
    assert_eq!((s.models["gpt-sim"].rejected, s.models["claude-sim"].rejected, s.unrouted), (2, 3, 3));
    assert_eq!(s.total_requests, 8);
    assert_eq!(s.models["gpt-sim"].ok + s.models["claude-sim"].ok, 0);
}

#[test]
fn a_burst_over_rpm_gets_real_429s_with_their_headers() {
    // 3 requests a minute: of five sent in a row, two are refused.
    let sim = start("rpm = 3");
    let body = openai_body("gpt-sim", &batch_schema());
    let replies: Vec<Reply> = (0..5).map(|_| openai(sim.addr(), KEY, &body)).collect();
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "{statuses:?}");
    let refused: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!(refused.len(), 2, "{statuses:?}");
    for r in refused {
        let e = r.json();
        assert_eq!((e["error"]["type"].as_str(), e["error"]["code"].as_str()), (Some("requests"), Some("rate_limit_exceeded")));
        assert!(r.header("retry-after").and_then(|v| v.parse::<u64>().ok()).is_some_and(|s| s >= 1), "{:?}", r.headers);
        assert!(r.header("retry-after-ms").and_then(|v| v.parse::<u64>().ok()).is_some_and(|ms| (1..=60_000).contains(&ms)), "{:?}", r.headers);
        assert_eq!((r.header("x-ratelimit-limit-requests"), r.header("x-ratelimit-remaining-requests")), (Some("3"), Some("0")));
        assert!(r.header("x-ratelimit-reset-requests").is_some() && r.header("x-ratelimit-reset-tokens").is_some());
    }
    let body = anthropic_body("claude-sim", &batch_schema());
    let refused = (0..4).map(|_| anthropic(sim.addr(), KEY, &body)).find(|r| r.status == 429).expect("the fourth is refused");
    assert_eq!(refused.json()["error"]["type"], "rate_limit_error");
    assert!(refused.header("retry-after").is_some() && refused.header("anthropic-ratelimit-requests-remaining") == Some("0"));

    let s = sim.stats();
    let m = &s.models["gpt-sim"];
    assert_eq!((m.requests, m.ok, m.rate_limited), (5, 3, 2), "a refusal counts as a 429, not as a request served");
}

#[test]
fn tpm_refuses_with_the_tokens_type() {
    // The first request's prompt plus max_tokens fills the window.
    let sim = start(&format!("tpm = {}", expected_prompt_tokens() + 200));
    let body = openai_body("gpt-sim", &batch_schema());
    assert_eq!(openai(sim.addr(), KEY, &body).status, 200);
    let r = openai(sim.addr(), KEY, &body);
    assert_eq!((r.status, r.json()["error"]["type"].as_str()), (429, Some("tokens")));
    assert_eq!(r.header("x-ratelimit-remaining-tokens"), Some("0"));
}

/// Waits for `condition` (a liveness bound, not a timing check: it holds long before).
fn eventually(condition: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(std::time::Instant::now() < deadline, "condition never held");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn with_fault(fault: &str) -> SimHandle {
    start(&format!("faults = {{ {fault} = 1.0 }}"))
}

#[test]
fn malformed_bodies_are_200s_that_are_not_json_and_are_counted() {
    let sim = with_fault("malformed");
    for _ in 0..3 {
        let r = openai(sim.addr(), KEY, &openai_body("gpt-sim", &batch_schema()));
        assert_eq!(r.status, 200);
        assert!(serde_json::from_slice::<Value>(&r.body).is_err(), "{}", String::from_utf8_lossy(&r.body));
    }
    let r = anthropic(sim.addr(), KEY, &anthropic_body("claude-sim", &batch_schema()));
    assert!(r.status == 200 && serde_json::from_slice::<Value>(&r.body).is_err());
    let s = sim.stats();
    assert_eq!((s.models["gpt-sim"].faults["malformed"], s.models["claude-sim"].faults["malformed"], s.models["gpt-sim"].ok), (3, 1, 0));
}

#[test]
fn each_fault_shows_as_a_client_would_meet_it() {
    let body = openai_body("gpt-sim", &batch_schema());
    let sim = with_fault("http_529");
    assert_eq!(openai(sim.addr(), KEY, &body).status, 503, "OpenAI has no 529");
    let r = anthropic(sim.addr(), KEY, &anthropic_body("claude-sim", &batch_schema()));
    assert_eq!((r.status, r.json()["error"]["type"].as_str()), (529, Some("overloaded_error")));
    let sim = with_fault("http_502");
    let r = openai(sim.addr(), KEY, &body);
    assert_eq!((r.status, r.json()["error"]["type"].as_str()), (502, Some("server_error")));
    assert!(r.header("x-ratelimit-remaining-requests").is_some(), "limit headers on every reply");

    let sim = with_fault("reset");
    let e = try_send(sim.addr(), "POST", "/v1/chat/completions", &[("authorization", &format!("Bearer {KEY}"))], &body).expect_err("no response bytes");
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
    let sim = with_fault("truncated");
    let e = try_send(sim.addr(), "POST", "/v1/chat/completions", &[("authorization", &format!("Bearer {KEY}"))], &body).expect_err("body shorter than promised");
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");

    let sim = with_fault("empty_choices");
    assert_eq!(openai(sim.addr(), KEY, &body).json()["choices"], json!([]));
    assert_eq!(anthropic(sim.addr(), KEY, &anthropic_body("claude-sim", &batch_schema())).json()["content"], json!([]));

    let sim = with_fault("length");
    let b = openai(sim.addr(), KEY, &body).json();
    assert_eq!(b["choices"][0]["finish_reason"], "length");
    assert!(serde_json::from_str::<Value>(b["choices"][0]["message"]["content"].as_str().expect("text")).is_err(), "cut off");
    assert_eq!(anthropic(sim.addr(), KEY, &anthropic_body("claude-sim", &batch_schema())).json()["stop_reason"], "max_tokens");
    let s = sim.stats();
    assert_eq!((s.models["gpt-sim"].faults["length"], s.models["gpt-sim"].ok, s.models["gpt-sim"].completion_tokens), (1, 0, 0));
}

#[test]
fn a_hang_answers_nothing_until_the_client_gives_up_and_shutdown_ends_it() {
    let sim = with_fault("hang");
    let mut stream = TcpStream::connect(sim.addr()).expect("connect");
    stream.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    write_request(&mut stream, "POST", "/v1/chat/completions", &[("authorization", &format!("Bearer {KEY}"))], &openai_body("gpt-sim", &batch_schema()));
    let e = read_reply(&mut BufReader::new(stream.try_clone().expect("clone"))).expect_err("no answer");
    assert!(matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut), "{e}");
    eventually(|| {
        let m = &sim.stats().models["gpt-sim"];
        (m.faults["hang"], m.in_flight) == (1, 1)
    });
    sim.shutdown();
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut rest = Vec::new();
    let n = stream.read_to_end(&mut rest).expect("closed, not timed out");
    assert_eq!(n, 0, "the hung request never got an answer");
}

#[test]
fn an_outage_fails_every_request_with_its_status() {
    let sim = start("outages = [{ start_s = 0.0, end_s = 1000000.0, status = 529 }]");
    let r = anthropic(sim.addr(), KEY, &anthropic_body("claude-sim", &batch_schema()));
    assert_eq!((r.status, r.json()["error"]["type"].as_str()), (529, Some("overloaded_error")));
    let r = openai(sim.addr(), KEY, &openai_body("gpt-sim", &batch_schema()));
    assert_eq!((r.status, r.json()["error"]["type"].as_str()), (503, Some("server_error")));
    assert_eq!(sim.stats().models["gpt-sim"].outage_failures, 1);
}

/// The statuses a fresh simulator with `seed` gives to 40 identical requests.
fn statuses(seed: u64) -> Vec<u16> {
    let toml = format!("seed = {seed}\ntime_scale = 1000.0\n[[model]]\nname = \"gpt-sim\"\nlatency_ms = {{ median = 10, p95 = 20 }}\nfaults = {{ http_500 = 0.3, http_503 = 0.3 }}\n");
    let sim = Simulator::start(Profile::parse(&toml).expect("profile"), 0).expect("starts");
    (0..40).map(|_| openai(sim.addr(), "any", &openai_body("gpt-sim", &batch_schema())).status).collect()
}

#[test]
fn the_same_seed_and_requests_give_the_same_faults() {
    let a = statuses(5);
    assert_eq!(a, statuses(5));
    assert_ne!(a, statuses(6));
    assert!(a.contains(&200) && a.contains(&500) && a.contains(&503), "{a:?}");
}

#[test]
fn stats_over_http_match_the_api_and_reset_zeroes_them() {
    let sim = start("rpm = 2");
    let body = openai_body("gpt-sim", &batch_schema());
    // Three requests on one keep-alive connection, the last asking to close.
    let mut stream = TcpStream::connect(sim.addr()).expect("connect");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let auth = format!("Bearer {KEY}");
    for close in [false, false, true] {
        let mut headers = vec![("authorization", auth.as_str())];
        if close {
            headers.push(("connection", "close"));
        }
        write_request(&mut stream, "POST", "/v1/chat/completions", &headers, &body);
        let r = read_reply(&mut reader).expect("reply on the same connection");
        assert_eq!(r.header("connection") == Some("close"), close);
    }
    assert_eq!(reader.read(&mut [0; 1]).expect("closed"), 0, "closed after Connection: close");

    let over_http: SimStats = serde_json::from_slice(&send(sim.addr(), "GET", "/__stats", &[], "").body).expect("stats JSON");
    assert_eq!(over_http, sim.stats());
    let raw = send(sim.addr(), "GET", "/__stats", &[], "").json();
    assert_eq!(raw["models"]["gpt-sim"]["faults"]["http_500"], 0, "every fault name is listed");
    let m = &over_http.models["gpt-sim"];
    assert_eq!((m.requests, m.ok, m.rate_limited, over_http.total_requests), (3, 2, 1, 3));
    let faults: u64 = m.faults.values().sum();
    assert_eq!(m.requests, m.ok + m.rate_limited + m.outage_failures + m.rejected + faults + m.in_flight);
    assert_eq!(send(sim.addr(), "POST", "/__reset", &[], "").status, 200);
    let s = sim.stats();
    assert_eq!((s.total_requests, s.models["gpt-sim"].requests, s.models["gpt-sim"].prompt_tokens), (0, 0, 0));
}

#[test]
fn requests_are_served_concurrently() {
    let toml = "time_scale = 1.0\n[[model]]\nname = \"slow\"\nlatency_ms = { median = 1500, p95 = 1500 }\n";
    let sim = Simulator::start(Profile::parse(toml).expect("profile"), 0).expect("starts");
    let addr = sim.addr();
    let workers: Vec<_> = (0..4).map(|_| std::thread::spawn(move || openai(addr, "k", &openai_body("slow", &batch_schema())).status)).collect();
    assert!(workers.into_iter().all(|w| w.join().expect("worker") == 200));
    assert!(sim.stats().models["slow"].max_in_flight >= 2, "{:?}", sim.stats().models["slow"]);
}

#[test]
fn the_binary_writes_its_port_answers_and_stops_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("profile.toml");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sim/example.toml"), &profile).expect("example profile");
    let port_file = dir.path().join("sim.port");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["sim", "--profile"])
        .arg(&profile)
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("tailor sim starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("a line on stderr");
    let port_text = std::fs::read_to_string(&port_file).expect("port file written before the line");
    assert!(port_text.ends_with('\n') && port_text.trim().parse::<u16>().is_ok_and(|p| p > 0), "{port_text:?}");
    let port: u16 = port_text.trim().parse().expect("port");
    assert_eq!(line.trim_end(), format!("tailor sim listening on 127.0.0.1:{port}"));

    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let stats = send(addr, "GET", "/__stats", &[], "").json();
    assert!(stats["models"]["gpt-4o-mini"].is_object() && stats["total_requests"] == 0, "{stats}");
    let e = openai(addr, "sk-not-the-one", &openai_body("gpt-4o-mini", &batch_schema()));
    assert_eq!(e.status, 401, "the example profile sets api_key");
    assert_eq!(send(addr, "POST", "/__shutdown", &[], "").status, 200);
    let status = child.wait().expect("tailor sim exits");
    assert_eq!(status.code(), Some(0));
}
