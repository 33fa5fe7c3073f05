//! `tailor sim`: a provider simulator on loopback that speaks the OpenAI Chat Completions and the
//! Anthropic Messages APIs, with per-model latency, RPM/TPM limits enforced with real 429s and
//! their headers, injectable faults, outage windows and a seed. Tests and benches start it in
//! process (`Simulator::start`) or as `tailor sim`; `GET /__stats` tells what it saw.
//!
//! One thread accepts, one thread serves each connection (HTTP/1.1 keep-alive), so latencies are
//! slept concurrently as a provider would serve them. Routes: `POST /v1/chat/completions`,
//! `POST /v1/messages`, `GET /__stats`, `POST /__reset` (zeroes the stats), `POST /__shutdown`.

mod anthropic;
mod draw;
mod generate;
mod http;
mod limits;
mod openai;
pub mod profile;
mod stats;
mod wire;

use crate::resilience::retry::SplitMix;
use http::{read_request, write_response, Framing, Request, Response};
use limits::SlidingWindow;
pub use profile::Profile;
use serde_json::json;
pub use stats::{ModelStats, SimStats};
use std::collections::BTreeMap;
use std::io::BufReader;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The state of one simulated model.
struct ModelState {
    window: Mutex<SlidingWindow>,
    /// Fault and latency draws, in the order this model admits requests.
    rng: Mutex<SplitMix>,
    /// Base seed of this model's answer values.
    answer_seed: u64,
    stats: Mutex<ModelStats>,
}

impl ModelState {
    fn arrive(&self) {
        let mut s = self.stats.lock().expect("stats lock");
        s.requests += 1;
        s.in_flight += 1;
        s.max_in_flight = s.max_in_flight.max(s.in_flight);
    }

    fn record(&self, outcome: stats::Outcome) {
        self.stats.lock().expect("stats lock").record(outcome);
    }

    fn leave(&self) {
        let mut s = self.stats.lock().expect("stats lock");
        s.in_flight = s.in_flight.saturating_sub(1);
    }
}

/// A running simulator's shared state; `Simulator::start` runs one and hands back its handle.
pub struct Simulator {
    profile: Profile,
    addr: SocketAddr,
    started: Instant,
    models: Vec<ModelState>,
    unrouted: AtomicU64,
    /// Numbers the replies' ids.
    replies: AtomicU64,
    stop: AtomicBool,
    /// Open connections by number, so a shutdown can unblock their reads.
    connections: Mutex<BTreeMap<u64, TcpStream>>,
    next_connection: AtomicU64,
}

impl Simulator {
    /// Listens on 127.0.0.1:`port` (0 for any free port) and serves until the handle is shut down
    /// or dropped.
    pub fn start(profile: Profile, port: u16) -> std::io::Result<SimHandle> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let window = Duration::from_secs_f64(60.0 / profile.time_scale);
        let models = profile
            .models
            .iter()
            .map(|m| ModelState {
                window: Mutex::new(SlidingWindow::new(window, m.rpm, m.tpm)),
                rng: Mutex::new(SplitMix::new(draw::stream_seed(profile.seed, &m.name, "draws"))),
                answer_seed: draw::stream_seed(profile.seed, &m.name, "answers"),
                stats: Mutex::new(ModelStats::default()),
            })
            .collect();
        let sim = Arc::new(Simulator {
            profile,
            addr,
            started: Instant::now(),
            models,
            unrouted: AtomicU64::new(0),
            replies: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            connections: Mutex::new(BTreeMap::new()),
            next_connection: AtomicU64::new(0),
        });
        let accepting = Arc::clone(&sim);
        let accept = std::thread::Builder::new().name("sim-accept".into()).spawn(move || accept_loop(&accepting, &listener))?;
        Ok(SimHandle { sim, accept: Some(accept) })
    }

    fn model_index(&self, name: &str) -> Option<usize> {
        self.profile.models.iter().position(|m| m.name == name)
    }

    fn count_unrouted(&self) {
        self.unrouted.fetch_add(1, Ordering::Relaxed);
    }

    fn next_id(&self) -> u64 {
        self.replies.fetch_add(1, Ordering::Relaxed)
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Stops accepting: sets the flag and wakes the accept loop with a connection of its own.
    fn request_stop(&self) {
        self.stop.store(true, Ordering::Release);
        let _ = TcpStream::connect(self.addr);
    }

    /// Holds a hung request for `d`, or until shutdown.
    fn hold(&self, d: Duration) {
        let until = Instant::now() + d;
        while Instant::now() < until && !self.stopping() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stats(&self) -> SimStats {
        let models: BTreeMap<String, ModelStats> = self.profile.models.iter().zip(&self.models).map(|(p, m)| (p.name.clone(), m.stats.lock().expect("stats lock").clone())).collect();
        let unrouted = self.unrouted.load(Ordering::Relaxed);
        SimStats { total_requests: unrouted + models.values().map(|m| m.requests).sum::<u64>(), models, unrouted }
    }

    fn reset_stats(&self) {
        for m in &self.models {
            let mut s = m.stats.lock().expect("stats lock");
            // Requests being answered now finish after the reset and must not underflow it.
            *s = ModelStats { in_flight: s.in_flight, ..ModelStats::default() };
        }
        self.unrouted.store(0, Ordering::Relaxed);
    }
}

/// A running simulator: its address and stats; shuts it down when dropped.
pub struct SimHandle {
    sim: Arc<Simulator>,
    accept: Option<JoinHandle<()>>,
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.sim.addr
    }

    /// The same counts as `GET /__stats`.
    pub fn stats(&self) -> SimStats {
        self.sim.stats()
    }

    /// Whether a `POST /__shutdown` asked it to stop.
    pub fn stopping(&self) -> bool {
        self.sim.stopping()
    }

    /// Stops accepting, ends hung requests and closes every connection.
    pub fn shutdown(mut self) {
        self.close();
    }

    fn close(&mut self) {
        self.sim.request_stop();
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        // No connection is accepted any more: closing the open ones ends their threads.
        for stream in self.sim.connections.lock().expect("connections lock").values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.close();
    }
}

fn accept_loop(sim: &Arc<Simulator>, listener: &TcpListener) {
    for stream in listener.incoming() {
        if sim.stopping() {
            break;
        }
        let Ok(stream) = stream else { continue };
        let number = sim.next_connection.fetch_add(1, Ordering::Relaxed);
        if let Ok(copy) = stream.try_clone() {
            sim.connections.lock().expect("connections lock").insert(number, copy);
        }
        let serving = Arc::clone(sim);
        let spawned = std::thread::Builder::new().name("sim-conn".into()).spawn(move || {
            serve_connection(&serving, stream);
            serving.connections.lock().expect("connections lock").remove(&number);
        });
        if spawned.is_err() {
            sim.connections.lock().expect("connections lock").remove(&number);
        }
    }
}

/// What to do with a connection after a request.
enum Reply {
    Send(Response),
    /// Send the headers and less body than they promise, then close.
    Truncated(Response),
    /// Close without answering.
    Close,
    /// Send, then stop the simulator.
    SendThenStop(Response),
}

fn serve_connection(sim: &Simulator, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut stream = stream;
    loop {
        let req = match read_request(&mut reader) {
            Ok(Some(req)) => req,
            Ok(None) => return,
            Err(why) => {
                let r = Response::json(400, &json!({"error": {"message": why, "type": "invalid_request_error", "param": null, "code": null}}));
                let _ = write_response(&mut stream, &r, Framing::Close);
                return;
            }
        };
        if sim.stopping() {
            return;
        }
        let framing = if req.close { Framing::Close } else { Framing::KeepAlive };
        match route(sim, &req) {
            Reply::Send(r) => {
                if write_response(&mut stream, &r, framing).is_err() || req.close {
                    return;
                }
            }
            Reply::Truncated(r) => {
                let _ = write_response(&mut stream, &r, Framing::ShortBy(r.body.len() / 2 + 64));
                return;
            }
            Reply::Close => return,
            Reply::SendThenStop(r) => {
                let _ = write_response(&mut stream, &r, Framing::Close);
                sim.request_stop();
                return;
            }
        }
    }
}

fn route(sim: &Simulator, req: &Request) -> Reply {
    match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/v1/chat/completions") => wire::call::<openai::OpenAi>(sim, req),
        ("POST", "/v1/messages") => wire::call::<anthropic::Anthropic>(sim, req),
        ("GET", "/__stats") => Reply::Send(Response::json(200, &serde_json::to_value(sim.stats()).expect("stats serialise"))),
        ("POST", "/__reset") => {
            sim.reset_stats();
            Reply::Send(Response::json(200, &json!({"reset": true})))
        }
        ("POST", "/__shutdown") => Reply::SendThenStop(Response::json(200, &json!({"stopping": true}))),
        (method, path) => Reply::Send(Response::json(404, &json!({"error": {"message": format!("no route {method} {path}"), "type": "invalid_request_error", "param": null, "code": null}}))),
    }
}

/// Runs `tailor sim` until `stop` (set by SIGINT/SIGTERM) or `POST /__shutdown`: writes the bound
/// port to `port_file` atomically, then says where it listens on stderr.
pub fn run_cli(profile: &std::path::Path, port: u16, port_file: Option<&std::path::Path>, stop: &AtomicBool) -> anyhow::Result<()> {
    let profile = Profile::load(profile).map_err(anyhow::Error::msg)?;
    let handle = Simulator::start(profile, port).map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    if let Some(f) = port_file {
        crate::report::write_atomic(f, format!("{}\n", handle.addr().port()).as_bytes()).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
    }
    eprintln!("tailor sim listening on {}", handle.addr());
    while !stop.load(Ordering::Acquire) && !handle.stopping() {
        std::thread::sleep(Duration::from_millis(50));
    }
    handle.shutdown();
    Ok(())
}
