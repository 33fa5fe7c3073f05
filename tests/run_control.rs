//! Controlling a run: `--dry-run` plans without calling anything; SIGINT stops dispatch, writes
//! what is done and exits 130, and a rerun finishes the rest.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::{report, sample, stderr, table, tailor, Sim};

const KEY: &str = "sk-control";

fn setup(dir: &Path, median_ms: u32, rpm: u32) -> (Sim, PathBuf) {
    let sim = Sim::start(
        dir,
        &format!("seed = 3\ntime_scale = 10.0\napi_key = \"{KEY}\"\n[[model]]\nname = \"gpt-sim\"\nlatency_ms = {{ median = {median_ms}, p95 = {} }}\n", median_ms * 2),
    );
    let cfg = dir.join("tailor.toml");
    let text = format!(
        "[[provider]]\nname = \"openai\"\nkind = \"openai\"\nbase_url = \"{}/v1\"\napi_key_env = \"TAILOR_SIM_KEY\"\nmax_concurrency = 8\nrpm = {rpm}\ntpm = 20000000\n\n\
         [[model]]\nname = \"gpt-sim\"\nprovider = \"openai\"\nprice_in_per_mtok = 2.5\nprice_out_per_mtok = 10.0\n\n\
         [routing]\nevaluate = [\"gpt-sim\"]\noptimize = [\"gpt-sim\"]\n",
        sim.base(),
    );
    std::fs::write(&cfg, text).expect("config");
    (sim, cfg)
}

fn command(cfg: &Path, out: &Path, pairs: &str, extra: &[&str]) -> Command {
    let mut c = tailor();
    c.args(["run", "--input"]).arg(sample("csv")).arg("--out").arg(out).arg("--config").arg(cfg).args(["--limit", pairs, "--format", "jsonl"]).args(extra);
    c.env("TAILOR_SIM_KEY", KEY);
    c
}

#[test]
fn dry_run_prints_the_plan_and_calls_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (sim, cfg) = setup(dir.path(), 100, 600);
    let out = dir.path().join("out");
    let o = command(&cfg, &out, "40", &["--dry-run"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan = String::from_utf8_lossy(&o.stdout);
    for line in ["pairs        40", "tasks", "openai/gpt-sim", "est. cost    $", "min at the configured rate limits"] {
        assert!(plan.contains(line), "{line:?} missing from:\n{plan}");
    }
    let cost: f64 = plan.lines().find_map(|l| l.strip_prefix("est. cost    $")).and_then(|c| c.trim().parse().ok()).expect("cost");
    assert!(cost > 0.0);
    assert_eq!(sim.stats()["total_requests"], 0, "nothing was called");
    assert!(!out.join("results.jsonl").exists(), "nothing was written");
}

#[test]
fn sigint_writes_what_is_done_exits_130_and_a_rerun_finishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_sim, cfg) = setup(dir.path(), 600, 60000);
    let out = dir.path().join("out");
    let child = command(&cfg, &out, "120", &["--quiet"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn");
    std::thread::sleep(Duration::from_millis(1200));
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(sent.success());
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let done = table(&out.join("results.jsonl")).rows.len();
    assert!(done < 120, "stopped before the end ({done} pairs)");
    assert!(report(&out)["stopped"].as_str().is_some_and(|s| s.contains("signal")));
    let o = command(&cfg, &out, "120", &["--quiet"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(table(&out.join("results.jsonl")).rows.len(), 120);
}
