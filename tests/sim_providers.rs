//! `tailor run` against `tailor sim` on loopback, through the OpenAI and the Anthropic wire formats:
//! every pair ok, tokens and cost equal to what the simulator counted, the API key nowhere in
//! outputs, state or logs, a wrong key stopping the run with one clear error.

mod support;

use std::path::Path;
use support::{column, files_under, float, int, report, sample, stderr, table, tailor, text, Sim};

const KEY: &str = "sk-canary-7f3a9c1e5b2d4f60a8e1";
const PAIRS: &str = "12";

fn profile(api_key: &str) -> String {
    format!(
        "seed = 7\ntime_scale = 50.0\napi_key = \"{api_key}\"\n\n\
         [[model]]\nname = \"gpt-sim\"\nlatency_ms = {{ median = 200, p95 = 400 }}\nrpm = 100000\ntpm = 100000000\n\n\
         [[model]]\nname = \"claude-sim\"\nlatency_ms = {{ median = 200, p95 = 400 }}\nrpm = 100000\ntpm = 100000000\n"
    )
}

fn config(kind: &str, base: &str, model: &str) -> String {
    format!(
        "[[provider]]\nname = \"{kind}\"\nkind = \"{kind}\"\nbase_url = \"{base}\"\napi_key_env = \"TAILOR_SIM_KEY\"\nmax_concurrency = 8\ntimeout_s = 20\n\n\
         [[model]]\nname = \"{model}\"\nprovider = \"{kind}\"\nprice_in_per_mtok = 2.5\nprice_out_per_mtok = 10.0\n\n\
         [routing]\nevaluate = [\"{model}\"]\noptimize = [\"{model}\"]\n"
    )
}

/// `tailor run` on the first pairs of the sample with a config, the key in the environment.
fn run_tailor(cfg: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    tailor()
        .args(["run", "--input"])
        .arg(sample("csv"))
        .arg("--out")
        .arg(out)
        .arg("--config")
        .arg(cfg)
        .args(["--limit", PAIRS])
        .args(extra)
        .env("TAILOR_SIM_KEY", KEY)
        .env("TAILOR_LOG", "debug")
        .output()
        .expect("tailor runs")
}

/// Runs tailor through one wire format and checks the run against the simulator's counts.
fn run_through(kind: &str, base_suffix: &str, model: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), &profile(KEY));
    let cfg = dir.path().join("tailor.toml");
    std::fs::write(&cfg, config(kind, &format!("{}{base_suffix}", sim.base()), model)).expect("config");
    let out = dir.path().join("out");
    let o = run_tailor(&cfg, &out, &["--format", "jsonl"]);
    let log = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{log}");

    let results = table(&out.join("results.jsonl"));
    assert_eq!(results.rows.len(), PAIRS.parse::<usize>().expect("n"));
    assert!(column(&results, "status").iter().all(|s| text(s) == "ok"));
    let sections = table(&out.join("sections.jsonl"));
    let served: Vec<&str> = column(&sections, "model").into_iter().filter_map(|m| match m {
        tailor::io::Value::Str(s) => Some(s.as_str()),
        _ => None,
    }).collect();
    assert!(!served.is_empty() && served.iter().all(|m| *m == model), "every optimized section served by {model}: {served:?}");

    let stats = sim.stats();
    let m = &stats["models"][model];
    let sim_in = m["prompt_tokens"].as_i64().expect("prompt tokens");
    let sim_out = m["completion_tokens"].as_i64().expect("completion tokens");
    let ours_in: i64 = column(&results, "input_tokens").into_iter().map(int).sum();
    let ours_out: i64 = column(&results, "output_tokens").into_iter().map(int).sum();
    assert_eq!((ours_in, ours_out), (sim_in, sim_out), "tokens recorded equal tokens the simulator counted");
    let cost: f64 = column(&results, "cost_usd").into_iter().map(float).sum();
    let expected = (sim_in as f64 * 2.5 + sim_out as f64 * 10.0) / 1e6;
    assert!((cost - expected).abs() < 1e-9, "cost {cost} vs {expected}");
    let r = report(&out);
    assert_eq!(r["accounting_holds"], true);

    assert_key_absent(&out, &log);
}

fn assert_key_absent(out: &Path, log: &str) {
    assert!(!log.contains(KEY), "the key appears in the log");
    for f in files_under(out) {
        let bytes = std::fs::read(&f).expect("read output");
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains(KEY), "the key appears in {}", f.display());
    }
}

#[test]
fn openai_wire_format_run_is_ok_and_counts_match() {
    run_through("openai", "/v1", "gpt-sim");
}

#[test]
fn anthropic_wire_format_run_is_ok_and_counts_match() {
    run_through("anthropic", "", "claude-sim");
}

#[test]
fn a_wrong_key_stops_the_run_with_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), &profile("sk-the-right-one"));
    let cfg = dir.path().join("tailor.toml");
    std::fs::write(&cfg, config("openai", &format!("{}/v1", sim.base()), "gpt-sim")).expect("config");
    let out = dir.path().join("out");
    let o = run_tailor(&cfg, &out, &[]);
    let log = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{log}");
    assert_eq!(log.matches("authentication failed").count(), 1, "one message, not one per task: {log}");
    assert_key_absent(&out, &log);
}

#[test]
fn a_missing_key_variable_is_named_before_any_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("tailor.toml");
    std::fs::write(&cfg, config("openai", "http://127.0.0.1:9/v1", "gpt-sim")).expect("config");
    let o = tailor()
        .args(["run", "--input"])
        .arg(sample("csv"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--config")
        .arg(&cfg)
        .env_remove("TAILOR_SIM_KEY")
        .output()
        .expect("tailor runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("TAILOR_SIM_KEY"), "{}", stderr(&o));
    assert!(!dir.path().join("out").join("results.parquet").exists());
}

#[test]
fn an_unknown_config_key_names_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("tailor.toml");
    std::fs::write(&cfg, "[[provider]]\nname = \"x\"\nkind = \"openai\"\napi_key_env = \"K\"\ntimeout_sec = 5\n").expect("config");
    let o = tailor().args(["run", "--input"]).arg(sample("csv")).arg("--out").arg(dir.path().join("out")).arg("--config").arg(&cfg).output().expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("timeout_sec") && e.contains("tailor.toml"), "{e}");
}
