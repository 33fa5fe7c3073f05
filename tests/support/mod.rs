//! Helpers shared by the integration tests: running the binary, starting `tailor sim` on a free
//! loopback port, reading its stats, and reading output tables.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tailor::io::{read_table, Table, Value};

pub fn tailor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
}

pub fn sample(ext: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(format!("sample.{ext}"))
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn column<'a>(t: &'a Table, name: &str) -> Vec<&'a Value> {
    let i = t.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name} in {:?}", t.columns));
    t.rows.iter().map(|r| &r[i]).collect()
}

pub fn text(v: &Value) -> &str {
    match v {
        Value::Str(s) => s,
        other => panic!("expected text, got {other:?}"),
    }
}

pub fn int(v: &Value) -> i64 {
    match v {
        Value::I64(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

pub fn float(v: &Value) -> f64 {
    match v {
        Value::F64(n) => *n,
        other => panic!("expected a number, got {other:?}"),
    }
}

pub fn table(path: &Path) -> Table {
    read_table(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn report(out: &Path) -> serde_json::Value {
    let bytes = std::fs::read(out.join("run_report.json")).expect("run_report.json");
    serde_json::from_slice(&bytes).expect("report is JSON")
}

/// A `tailor sim` process on a free loopback port, killed when dropped.
pub struct Sim {
    child: Child,
    pub port: u16,
}

impl Sim {
    /// Starts the simulator with a profile written from `profile_toml`.
    pub fn start(dir: &Path, profile_toml: &str) -> Sim {
        let profile = dir.join("sim-profile.toml");
        std::fs::write(&profile, profile_toml).expect("write profile");
        let port_file = dir.join("sim.port");
        let child = tailor()
            .args(["sim", "--profile"])
            .arg(&profile)
            .args(["--port", "0", "--port-file"])
            .arg(&port_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tailor sim starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        let port = loop {
            if let Some(p) = std::fs::read_to_string(&port_file).ok().and_then(|s| s.trim().parse().ok()) {
                break p;
            }
            assert!(Instant::now() < deadline, "tailor sim wrote no port file");
            std::thread::sleep(Duration::from_millis(20));
        };
        Sim { child, port }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `GET /__stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to sim");
        write!(s, "GET /__stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").expect("send");
        let mut reply = String::new();
        s.read_to_string(&mut reply).expect("read");
        let body = reply.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("stats body {body:?}: {e}"))
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
