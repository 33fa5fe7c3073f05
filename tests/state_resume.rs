//! State that survives (issue #6), against `tailor sim`: runs killed with SIGKILL resume to the
//! same results with few extra requests; a finished run reruns for free; one run per state;
//! `--max-cost` and `--deadline` stop cleanly and a rerun completes; a damaged state database
//! gives a clear error and a way out.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{column, report, sample, stderr, table, tailor, Sim};
use tailor::io::Value;

const PAIRS: &str = "40";
const KEY: &str = "sk-state-test";

fn profile(median_ms: u32) -> String {
    format!(
        "seed = 11\ntime_scale = 10.0\napi_key = \"{KEY}\"\n[[model]]\nname = \"gpt-sim\"\nlatency_ms = {{ median = {median_ms}, p95 = {} }}\n",
        median_ms * 2
    )
}

fn config(dir: &Path, sim: &Sim) -> PathBuf {
    let cfg = dir.join("tailor.toml");
    let text = format!(
        "[[provider]]\nname = \"openai\"\nkind = \"openai\"\nbase_url = \"{}/v1\"\napi_key_env = \"TAILOR_SIM_KEY\"\nmax_concurrency = 4\ntimeout_s = 20\n\n\
         [[model]]\nname = \"gpt-sim\"\nprovider = \"openai\"\nprice_in_per_mtok = 2.5\nprice_out_per_mtok = 10.0\n\n\
         [routing]\nevaluate = [\"gpt-sim\"]\noptimize = [\"gpt-sim\"]\n",
        sim.base()
    );
    std::fs::write(&cfg, text).expect("config");
    cfg
}

fn command(cfg: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = tailor();
    c.args(["run", "--input"]).arg(sample("csv")).arg("--out").arg(out).arg("--config").arg(cfg).args(["--format", "jsonl", "--quiet"]);
    if !extra.contains(&"--limit") {
        c.args(["--limit", PAIRS]);
    }
    c.args(extra).env("TAILOR_SIM_KEY", KEY);
    c
}

fn requests(sim: &Sim) -> i64 {
    sim.stats()["total_requests"].as_i64().expect("total")
}

/// What a pair's result says about the pair: id, outcome, scores, tailored text, sections. The
/// other columns account for this run's own calls, which a resumed run makes fewer of.
const CONTENT: &[&str] = &["pair_id", "status", "score_before", "score_after", "tailored_resume", "sections", "sections_optimized", "models"];

fn results(out: &Path) -> Vec<Vec<Value>> {
    let t = table(&out.join("results.jsonl"));
    let keep: Vec<usize> = CONTENT.iter().filter_map(|c| t.columns.iter().position(|k| k == c)).collect();
    assert!(t.rows.is_empty() || keep.len() == CONTENT.len(), "{:?}", t.columns);
    t.rows.into_iter().map(|r| keep.iter().map(|&i| r[i].clone()).collect()).collect()
}

#[test]
fn killed_runs_resume_to_the_same_results_with_few_extra_requests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), &profile(300));
    let cfg = config(dir.path(), &sim);

    // Enough pairs that the requests in flight at each kill are a small share of the run.
    let limit = ["--limit", "120"];
    let reference = dir.path().join("reference");
    let o = command(&cfg, &reference, &limit).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let clean_requests = requests(&sim);
    let expected = results(&reference);
    assert_eq!(expected.len(), 120);

    let out = dir.path().join("killed");
    let before = requests(&sim);
    // Kill at several points of the run, each time after some work was done.
    for wait_ms in [1500u64, 700, 2500] {
        let mut child = command(&cfg, &out, &limit).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
        std::thread::sleep(Duration::from_millis(wait_ms));
        if child.try_wait().expect("poll").is_none() {
            child.kill().expect("SIGKILL");
        }
        let _ = child.wait();
        assert!(!out.join("results.jsonl").exists() || out.join("run_report.json").exists(), "no half-written results");
    }
    let o = command(&cfg, &out, &limit).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let resumed_requests = requests(&sim) - before;
    assert_eq!(results(&out), expected, "same pairs, same order, same texts");
    let extra = resumed_requests as f64 / clean_requests as f64 - 1.0;
    eprintln!("uninterrupted: {clean_requests} requests; killed 3 times and resumed: {resumed_requests} requests ({:+.1}%)", extra * 100.0);
    assert!(extra <= 0.05, "killed runs cost {resumed_requests} requests against {clean_requests} uninterrupted ({:.1}% extra)", extra * 100.0);
    let ids: Vec<_> = column(&table(&out.join("results.jsonl")), "pair_id").into_iter().cloned().collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "no duplicate rows");
}

/// How much faster the rerun is, is measured by `scripts/bench-resume`, not asserted here.
#[test]
fn a_rerun_of_a_finished_run_sends_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), &profile(300));
    let cfg = config(dir.path(), &sim);
    let out = dir.path().join("out");
    let o = command(&cfg, &out, &[]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first_results = results(&out);
    let before = requests(&sim);
    let o = command(&cfg, &out, &[]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(requests(&sim), before, "the rerun sent no request");
    assert_eq!(results(&out), first_results);
    assert_eq!(report(&out)["cache"]["journal_restored"], 40);
}

#[test]
fn a_second_run_on_the_same_state_exits_75_and_a_stale_lock_is_taken_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), &profile(1500));
    let cfg = config(dir.path(), &sim);
    let out = dir.path().join("out");
    let mut first = command(&cfg, &out, &[]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let lock = out.join(".tailor-state").join("lock");
    let t = Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |s| s.is_empty()) {
        assert!(t.elapsed() < Duration::from_secs(20), "first run never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = command(&cfg, &out, &[]).output().expect("runs");
    assert_eq!(o.status.code(), Some(75), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("pid {}", first.id())), "{}", stderr(&o));
    first.kill().expect("SIGKILL");
    let _ = first.wait();
    // The killed run left its name in the lock file; the next run takes the lock over.
    assert!(!std::fs::read_to_string(&lock).expect("lock file").is_empty());
    let o = command(&cfg, &out, &["--limit", "2"]).env("TAILOR_LOG", "warn").output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("took over the state lock"), "{}", stderr(&o));
}

#[test]
fn max_cost_and_deadline_stop_with_exit_4_and_a_rerun_completes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), &profile(300));
    let cfg = config(dir.path(), &sim);

    let out = dir.path().join("cost");
    let o = command(&cfg, &out, &["--max-cost", "0.5"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let partial = results(&out).len();
    assert!(partial > 0 && partial < 40, "stopped before the end ({partial} pairs)");
    let r = report(&out);
    assert!(r["stopped"].as_str().is_some_and(|s| s.contains("--max-cost")), "{r}");
    assert!(r["cost_usd"].as_f64().expect("cost") <= 0.5 + 1e-9);
    let o = command(&cfg, &out, &[]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(results(&out).len(), 40);

    let out = dir.path().join("deadline");
    let soon = tailor::time::rfc3339_utc(std::time::SystemTime::now() + Duration::from_secs(2));
    let o = command(&cfg, &out, &["--deadline", &soon]).output().expect("runs");
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(results(&out).len() < 40);
    let o = command(&cfg, &out, &[]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(results(&out).len(), 40);
}

#[test]
fn a_damaged_state_database_is_a_clear_error_with_a_way_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let run = |extra: &[&str]| tailor().args(["run", "--input"]).arg(sample("csv")).arg("--out").arg(&out).args(["--limit", "5"]).args(extra).output().expect("runs");
    assert_eq!(run(&[]).status.code(), Some(0));
    let db = out.join(".tailor-state").join("state.db");
    let len = std::fs::metadata(&db).expect("db").len();
    std::fs::OpenOptions::new().write(true).open(&db).expect("open").set_len(len / 3).expect("truncate");
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("state.db") && e.contains("--fresh") && !e.contains("panicked"), "{e}");
    let o = run(&["--fresh"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
