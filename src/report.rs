//! The run report: per-stage counts with the accounting identity, stage timings, outcomes by
//! provider and model, cache figures and suggestions; written as `run_report.json` and `report.html`.

use crate::stats::StatsTable;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Counts of one stage. Every item that enters a stage leaves it in exactly one bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StageCounts {
    pub name: String,
    #[serde(rename = "in")]
    pub input: u64,
    pub ok: u64,
    pub failed: u64,
    pub rejected: u64,
    pub cached: u64,
    pub skipped: u64,
    /// Time spent in the stage summed over the threads that ran it, so it can exceed wall time.
    pub busy_ms: f64,
}

impl StageCounts {
    pub fn new(name: &str) -> Self {
        StageCounts { name: name.to_string(), ..Default::default() }
    }

    /// in = ok + failed + rejected + cached + skipped.
    pub fn balanced(&self) -> bool {
        self.input == self.ok + self.failed + self.rejected + self.cached + self.skipped
    }
}

/// Pair outcomes of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PairCounts {
    pub ok: u64,
    pub partial: u64,
    pub failed: u64,
    pub rejected: u64,
}

/// One provider/model's figures, summed over section types and task kinds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelLine {
    pub provider: String,
    pub model: String,
    pub calls: u64,
    pub successes: u64,
    pub failures: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
}

/// Reuse figures: the result cache (model answers; the local provider is not cached, it is
/// cheaper to recompute), the journal (whole pairs from an interrupted or earlier run) and job
/// analyses shared between pairs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CacheCounts {
    pub hits: u64,
    pub misses: u64,
    pub hit_ratio: f64,
    pub journal_restored: u64,
    pub jobs_analysed: u64,
    pub jobs_reused: u64,
}

/// A circuit breaker changing state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakerTransition {
    /// `provider/model`.
    pub model: String,
    /// Milliseconds since the run's workers started.
    pub at_ms: f64,
    pub from: &'static str,
    pub to: &'static str,
}

/// What the resilience layers did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ResilienceCounts {
    pub breaker_transitions: Vec<BreakerTransition>,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Times a worker waited on a rate limiter instead of sending.
    pub rate_limit_waits: u64,
    pub rate_limit_wait_ms: f64,
    pub retries: u64,
    pub retries_refused_by_budget: u64,
    pub jobs_stolen: u64,
    /// HTTP requests per `provider/model` (a batch counts once).
    pub requests: Vec<(String, u64)>,
}

/// Everything `run_report.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    pub tailor_version: &'static str,
    pub started_at: String,
    pub finished_at: String,
    pub wall_ms: f64,
    pub input: String,
    pub output_dir: String,
    pub exit_code: i32,
    /// Why dispatch stopped early, when it did (exit code 4).
    pub stopped: Option<String>,
    pub pairs: PairCounts,
    pub stages: Vec<StageCounts>,
    pub accounting_holds: bool,
    pub by_model: Vec<ModelLine>,
    pub cache: CacheCounts,
    pub cost_usd: f64,
    pub resilience: ResilienceCounts,
    pub suggestions: Vec<String>,
}

impl RunReport {
    /// Sums the performance table per provider and model.
    pub fn model_lines(table: &StatsTable) -> Vec<ModelLine> {
        let mut lines: Vec<ModelLine> = Vec::new();
        for (k, s) in &table.rows {
            let line = match lines.iter_mut().find(|l| l.provider == k.provider && l.model == k.model) {
                Some(l) => l,
                None => {
                    lines.push(ModelLine {
                        provider: k.provider.clone(),
                        model: k.model.clone(),
                        calls: 0,
                        successes: 0,
                        failures: 0,
                        input_tokens: 0,
                        output_tokens: 0,
                        cost_usd: 0.0,
                    });
                    lines.last_mut().expect("just pushed")
                }
            };
            line.calls += s.calls;
            line.successes += s.successes;
            line.failures += s.failures();
            line.input_tokens += s.input_tokens;
            line.output_tokens += s.output_tokens;
            line.cost_usd += s.cost_usd;
        }
        lines
    }

    /// Writes `run_report.json` and `report.html` into `dir`, each atomically.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(&dir.join("run_report.json"), &json)?;
        write_atomic(&dir.join("report.html"), self.to_html().as_bytes())
    }

    fn to_html(&self) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>tailor run report</title>\
             <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}\
             td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}th{{background:#eee}}\
             td:first-child{{text-align:left}}</style></head><body><h1>tailor run report</h1>\
             <p>{} → {}<br>started {} · finished {} · wall {:.0} ms · exit code {}</p>",
            esc(&self.input), esc(&self.output_dir), esc(&self.started_at), esc(&self.finished_at), self.wall_ms, self.exit_code
        );
        if let Some(why) = &self.stopped {
            let _ = write!(h, "<p><strong>Stopped early:</strong> {}</p>", esc(why));
        }
        let p = &self.pairs;
        let _ = write!(
            h,
            "<h2>Pairs</h2><table><tr><th>ok</th><th>partial</th><th>failed</th><th>rejected</th></tr>\
             <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr></table>",
            p.ok, p.partial, p.failed, p.rejected
        );
        h.push_str("<h2>Stages</h2><table><tr><th>stage</th><th>in</th><th>ok</th><th>failed</th><th>rejected</th><th>cached</th><th>skipped</th><th>busy ms</th></tr>");
        for s in &self.stages {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td></tr>",
                esc(&s.name), s.input, s.ok, s.failed, s.rejected, s.cached, s.skipped, s.busy_ms
            );
        }
        let _ = write!(h, "</table><p>accounting identity in = ok + failed + rejected + cached + skipped: {}</p>", if self.accounting_holds { "holds" } else { "BROKEN" });
        h.push_str("<h2>Providers and models</h2><table><tr><th>provider/model</th><th>calls</th><th>ok</th><th>failed</th><th>tokens in</th><th>tokens out</th><th>cost USD</th></tr>");
        for m in &self.by_model {
            let _ = write!(
                h,
                "<tr><td>{}/{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td></tr>",
                esc(&m.provider), esc(&m.model), m.calls, m.successes, m.failures, m.input_tokens, m.output_tokens, m.cost_usd
            );
        }
        let c = &self.cache;
        let _ = write!(
            h,
            "</table><p>cache hits {} · misses {} · hit ratio {:.3} · pairs restored from the journal {} · jobs analysed {} (reused {}) · cost {:.4} USD</p>",
            c.hits, c.misses, c.hit_ratio, c.journal_restored, c.jobs_analysed, c.jobs_reused, self.cost_usd
        );
        let r = &self.resilience;
        let _ = write!(
            h,
            "<h2>Resilience</h2><p>429s {} · rate-limit waits {} ({:.0} ms) · retries {} (refused by budget {}) · jobs stolen {}</p>",
            r.rate_limited, r.rate_limit_waits, r.rate_limit_wait_ms, r.retries, r.retries_refused_by_budget, r.jobs_stolen
        );
        if !r.breaker_transitions.is_empty() {
            h.push_str("<table><tr><th>model</th><th>at ms</th><th>from</th><th>to</th></tr>");
            for t in &r.breaker_transitions {
                let _ = write!(h, "<tr><td>{}</td><td>{:.0}</td><td>{}</td><td>{}</td></tr>", esc(&t.model), t.at_ms, t.from, t.to);
            }
            h.push_str("</table>");
        }
        if !self.suggestions.is_empty() {
            h.push_str("<h2>Suggestions</h2><ul>");
            for s in &self.suggestions {
                let _ = write!(h, "<li>{}</li>", esc(s));
            }
            h.push_str("</ul>");
        }
        h.push_str("</body></html>\n");
        h
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes a whole file under a temporary name, syncs it and renames it into place, so a reader sees
/// the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp: PathBuf = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_balance_checks_the_identity() {
        let mut s = StageCounts::new("read");
        s.input = 10;
        s.ok = 7;
        s.rejected = 2;
        assert!(!s.balanced());
        s.skipped = 1;
        assert!(s.balanced());
    }

    #[test]
    fn html_escapes_user_text() {
        assert_eq!(esc("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    }
}
