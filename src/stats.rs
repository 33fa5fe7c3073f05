//! The per-model performance table: one row per (provider, model, section type, task kind) with
//! calls, outcomes, latency percentiles, tokens, cost and quality. Written to the state folder as
//! `model_stats.parquet`; later runs read it to choose models.

use crate::io::{Column, ColumnType, TableRow, Value};
use crate::provider::{FailureClass, TaskKind};
use crate::rows::{col, int};
use crate::segment::SectionType;
use std::collections::BTreeMap;

/// Latency histogram with ~10% wide log buckets over microseconds: constant memory, mergeable,
/// percentiles within 10%, which is all model selection needs.
#[derive(Clone, Debug, PartialEq)]
pub struct LatencyHistogram {
    buckets: Vec<u64>,
    count: u64,
}

const BUCKET_GROWTH: f64 = 1.1;
/// 1.1^240 µs is about 2.6 hours: longer calls land in the last bucket.
const BUCKETS: usize = 240;

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram { buckets: vec![0; BUCKETS], count: 0 }
    }
}

impl LatencyHistogram {
    pub fn record(&mut self, micros: u64) {
        let b = ((micros as f64 + 1.0).ln() / BUCKET_GROWTH.ln()) as usize;
        self.buckets[b.min(BUCKETS - 1)] += 1;
        self.count += 1;
    }

    pub fn merge(&mut self, other: &LatencyHistogram) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.count += other.count;
    }

    /// The q-quantile (0..=1) in milliseconds, the bucket's geometric middle; 0 when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (b, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let micros = BUCKET_GROWTH.powf(b as f64 + 0.5) - 1.0;
                return micros.round() / 1000.0;
            }
        }
        unreachable!("rank <= count")
    }
}

/// Identity of a performance row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatsKey {
    pub provider: String,
    pub model: String,
    pub section_type: SectionType,
    pub task_kind: TaskKind,
}

/// One call as the engine saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRecord {
    pub key: StatsKey,
    /// None for success.
    pub failure: Option<FailureClass>,
    pub latency_us: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    /// Quality of an optimize result (see `quality::section_quality`), when measured.
    pub quality: Option<f32>,
}

/// Accumulated figures of one row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelStats {
    pub calls: u64,
    pub successes: u64,
    pub failures_retryable: u64,
    pub failures_fallback: u64,
    pub failures_fatal: u64,
    pub latency: LatencyHistogram,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub quality_sum: f64,
    pub quality_count: u64,
}

impl ModelStats {
    pub fn failures(&self) -> u64 {
        self.failures_retryable + self.failures_fallback + self.failures_fatal
    }

    pub fn quality_mean(&self) -> Option<f64> {
        (self.quality_count > 0).then(|| self.quality_sum / self.quality_count as f64)
    }

    fn add(&mut self, call: &CallRecord) {
        self.calls += 1;
        match call.failure {
            None => self.successes += 1,
            Some(FailureClass::Retryable) => self.failures_retryable += 1,
            Some(FailureClass::FallBack) => self.failures_fallback += 1,
            Some(FailureClass::Fatal) => self.failures_fatal += 1,
        }
        self.latency.record(call.latency_us);
        self.input_tokens += call.input_tokens;
        self.output_tokens += call.output_tokens;
        self.cost_usd += call.cost_usd;
        if let Some(q) = call.quality {
            self.quality_sum += f64::from(q);
            self.quality_count += 1;
        }
    }
}

/// The performance table of one run, sorted by key so output is deterministic.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsTable {
    pub rows: BTreeMap<StatsKey, ModelStats>,
}

impl StatsTable {
    pub fn record(&mut self, call: &CallRecord) {
        // The key is cloned only for a row's first call.
        match self.rows.get_mut(&call.key) {
            Some(row) => row.add(call),
            None => self.rows.entry(call.key.clone()).or_default().add(call),
        }
    }

    /// Rows for the state file, stamped with `updated_at` (RFC 3339).
    pub fn to_rows(&self, updated_at: &str) -> Vec<ModelStatsRow> {
        self.rows
            .iter()
            .map(|(k, s)| ModelStatsRow { key: k.clone(), stats: s.clone(), runs: 1, updated_at: updated_at.to_string() })
            .collect()
    }
}

/// A row of `model_stats.parquet`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelStatsRow {
    pub key: StatsKey,
    pub stats: ModelStats,
    pub runs: u64,
    pub updated_at: String,
}

const MODEL_STATS_COLUMNS: &[Column] = &[
    col("provider", ColumnType::Utf8, false),
    col("model", ColumnType::Utf8, false),
    col("section_type", ColumnType::Utf8, false),
    col("task_kind", ColumnType::Utf8, false),
    col("calls", ColumnType::Int64, false),
    col("successes", ColumnType::Int64, false),
    col("failures_retryable", ColumnType::Int64, false),
    col("failures_fallback", ColumnType::Int64, false),
    col("failures_fatal", ColumnType::Int64, false),
    col("latency_p50_ms", ColumnType::Float64, false),
    col("latency_p95_ms", ColumnType::Float64, false),
    col("input_tokens", ColumnType::Int64, false),
    col("output_tokens", ColumnType::Int64, false),
    col("cost_usd", ColumnType::Float64, false),
    col("quality_mean", ColumnType::Float64, true),
    col("quality_count", ColumnType::Int64, false),
    col("runs", ColumnType::Int64, false),
    col("updated_at", ColumnType::Utf8, false),
];

impl TableRow for ModelStatsRow {
    fn columns() -> &'static [Column] {
        MODEL_STATS_COLUMNS
    }

    fn values(&self) -> Vec<Value<&str>> {
        let s = &self.stats;
        vec![
            Value::Str(&self.key.provider),
            Value::Str(&self.key.model),
            Value::Str(self.key.section_type.as_str()),
            Value::Str(self.key.task_kind.as_str()),
            int(s.calls),
            int(s.successes),
            int(s.failures_retryable),
            int(s.failures_fallback),
            int(s.failures_fatal),
            Value::F64(s.latency.quantile_ms(0.5)),
            Value::F64(s.latency.quantile_ms(0.95)),
            int(s.input_tokens),
            int(s.output_tokens),
            Value::F64(s.cost_usd),
            s.quality_mean().map_or(Value::Null, Value::F64),
            int(s.quality_count),
            int(self.runs),
            Value::Str(&self.updated_at),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_within_ten_percent() {
        let mut h = LatencyHistogram::default();
        for ms in 1..=100u64 {
            h.record(ms * 1000);
        }
        let p50 = h.quantile_ms(0.5);
        let p95 = h.quantile_ms(0.95);
        assert!((p50 - 50.0).abs() / 50.0 < 0.1, "{p50}");
        assert!((p95 - 95.0).abs() / 95.0 < 0.1, "{p95}");
        assert_eq!(LatencyHistogram::default().quantile_ms(0.5), 0.0);
    }

    #[test]
    fn table_accumulates_outcomes_per_key() {
        let key = StatsKey { provider: "local".into(), model: "local".into(), section_type: SectionType::Skills, task_kind: TaskKind::Optimize };
        let call = |failure, quality| CallRecord { key: key.clone(), failure, latency_us: 100, input_tokens: 10, output_tokens: 5, cost_usd: 0.5, quality };
        let mut t = StatsTable::default();
        t.record(&call(None, Some(0.8)));
        t.record(&call(Some(FailureClass::Retryable), None));
        let s = &t.rows[&key];
        assert_eq!((s.calls, s.successes, s.failures()), (2, 1, 1));
        assert_eq!((s.input_tokens, s.output_tokens), (20, 10));
        assert!((s.cost_usd - 1.0).abs() < 1e-12);
        assert_eq!(s.quality_mean(), Some(f64::from(0.8f32)));
        let rows = t.to_rows("2026-01-01T00:00:00Z");
        assert_eq!(rows[0].values().len(), ModelStatsRow::columns().len());
    }
}
