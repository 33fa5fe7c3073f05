//! `tailor sim`: a provider simulator on loopback that speaks the OpenAI Chat Completions and the
//! Anthropic Messages APIs, with per-model latency, RPM/TPM limits enforced with real 429s and
//! their headers, injectable faults, outage windows and a seed. Tests and benches start it on a
//! free port; `GET /__stats` tells what it saw.

mod generate;
mod http;
pub mod profile;
mod wire;

use crate::resilience::retry::SplitMix;
use http::{read_request, write_response, Request, Response};
pub use profile::Profile;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::io::BufReader;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the simulator counted for one model.
#[derive(Clone, Debug, Default)]
struct ModelStats {
    requests: u64,
    ok: u64,
    rate_limited: u64,
    faults: BTreeMap<&'static str, u64>,
    outage_failures: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
    max_in_flight: u64,
}

struct ModelState {
    /// Admitted requests in the current (scaled) minute: time and tokens.
    window: Mutex<VecDeque<(Instant, u64)>>,
    stats: Mutex<ModelStats>,
    in_flight: AtomicU64,
}

struct State {
    profile: Profile,
    started: Instant,
    rng: Mutex<SplitMix>,
    models: Vec<ModelState>,
    stop: AtomicBool,
}

/// A running simulator.
pub struct SimHandle {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The same JSON as `GET /__stats`.
    pub fn stats(&self) -> Value {
        stats_json(&self.state)
    }

    /// Whether a `POST /__shutdown` (or `shutdown`) asked it to stop.
    pub fn stopping(&self) -> bool {
        self.state.stop.load(Ordering::Acquire)
    }

    pub fn shutdown(mut self) {
        self.stop_accepting();
    }

    fn stop_accepting(&mut self) {
        self.state.stop.store(true, Ordering::Release);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop_accepting();
    }
}

/// Starts a simulator on 127.0.0.1:`port` (0 for any free port).
pub fn start(profile: Profile, port: u16) -> std::io::Result<SimHandle> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    let models = profile.models.iter().map(|_| ModelState { window: Mutex::new(VecDeque::new()), stats: Mutex::default(), in_flight: AtomicU64::new(0) }).collect();
    let state = Arc::new(State { rng: Mutex::new(SplitMix::new(profile.seed)), profile, started: Instant::now(), models, stop: AtomicBool::new(false) });
    let accept_state = Arc::clone(&state);
    let accept = std::thread::Builder::new().name("sim-accept".into()).spawn(move || {
        for stream in listener.incoming() {
            if accept_state.stop.load(Ordering::Acquire) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let s = Arc::clone(&accept_state);
            let _ = std::thread::Builder::new().name("sim-conn".into()).spawn(move || serve(&s, stream));
        }
    })?;
    Ok(SimHandle { addr, state, accept: Some(accept) })
}

fn serve(state: &State, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut stream = stream;
    while let Some(req) = read_request(&mut reader) {
        if state.stop.load(Ordering::Acquire) {
            return;
        }
        let close = req.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        match handle(state, &req) {
            Reply::Send(r) => {
                if write_response(&mut stream, &r, None).is_err() {
                    return;
                }
            }
            Reply::Truncated(r) => {
                let _ = write_response(&mut stream, &r, Some(r.body.len() + 100));
                return;
            }
            Reply::Reset => return,
        }
        if close {
            return;
        }
    }
}

/// What to do with a connection after a request.
enum Reply {
    Send(Response),
    Truncated(Response),
    Reset,
}

fn handle(state: &State, req: &Request) -> Reply {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/__stats") => Reply::Send(Response::json(200, &stats_json(state))),
        ("POST", "/__reset") => {
            for m in &state.models {
                *m.stats.lock().expect("stats lock") = ModelStats::default();
            }
            Reply::Send(Response::json(200, &json!({"reset": true})))
        }
        ("POST", "/__shutdown") => {
            state.stop.store(true, Ordering::Release);
            Reply::Send(Response::json(200, &json!({"stopping": true})))
        }
        ("POST", "/v1/chat/completions") => wire::call(state, req, wire::Api::OpenAi),
        ("POST", "/v1/messages") => wire::call(state, req, wire::Api::Anthropic),
        _ => Reply::Send(Response::json(404, &json!({"error": {"message": "no such route", "type": "not_found"}}))),
    }
}

fn stats_json(state: &State) -> Value {
    let mut models = serde_json::Map::new();
    let mut total = 0;
    for (p, m) in state.profile.models.iter().zip(&state.models) {
        let s = m.stats.lock().expect("stats lock").clone();
        total += s.requests;
        models.insert(
            p.name.clone(),
            json!({
                "requests": s.requests, "ok": s.ok, "rate_limited": s.rate_limited, "faults": s.faults,
                "outage_failures": s.outage_failures, "prompt_tokens": s.prompt_tokens,
                "completion_tokens": s.completion_tokens, "max_in_flight": s.max_in_flight
            }),
        );
    }
    json!({"models": models, "total_requests": total})
}

/// Runs `tailor sim` until a signal or `POST /__shutdown`: prints the address, writes the port.
pub fn run_cli(profile: &std::path::Path, port: u16, port_file: Option<&std::path::Path>, stop: &AtomicBool) -> anyhow::Result<()> {
    let profile = Profile::load(profile).map_err(anyhow::Error::msg)?;
    let handle = start(profile, port)?;
    if let Some(f) = port_file {
        crate::report::write_atomic(f, format!("{}\n", handle.addr().port()).as_bytes())?;
    }
    eprintln!("tailor sim listening on {}", handle.addr());
    while !stop.load(Ordering::Acquire) && !handle.stopping() {
        std::thread::sleep(Duration::from_millis(50));
    }
    handle.shutdown();
    Ok(())
}
