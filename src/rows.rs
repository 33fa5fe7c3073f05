//! The rows of tailor's output tables, `results.*` and `sections.*`, as DESIGN.md fixes them.

use crate::io::{Column, ColumnType, TableRow, Value};
use crate::segment::SectionType;
use serde::{Deserialize, Serialize};

/// How a pair or a section ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// Some sections failed every tier; the rest are tailored.
    Partial,
    Failed,
    /// A section that gets no tasks (contact details, references).
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Partial => "partial",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// One row of `results.*`: one per input pair, in input order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub pair_id: String,
    pub status: Status,
    pub score_before: Option<f32>,
    pub score_after: Option<f32>,
    pub tailored_resume: String,
    pub sections: u32,
    pub sections_optimized: u32,
    /// `provider/model` names used, sorted, comma-separated.
    pub models: String,
    pub calls: u32,
    pub cache_hits: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub elapsed_ms: f64,
    pub error: Option<String>,
}

/// One row of `sections.*`: one per pair and part (section, or subsection where entries exist).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionRow {
    pub pair_id: String,
    pub section_index: u32,
    pub section_type: SectionType,
    pub subsection: Option<String>,
    pub original: String,
    pub optimized: Option<String>,
    pub score_before: Option<f32>,
    pub score_after: Option<f32>,
    pub quality: Option<f32>,
    pub keyword_coverage_before: Option<f32>,
    pub keyword_coverage_after: Option<f32>,
    pub faithful: Option<bool>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub attempts: u32,
    pub cache_hit: bool,
    pub status: Status,
    pub error: Option<String>,
    pub latency_ms: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
}

pub(crate) const fn col(name: &'static str, ty: ColumnType, nullable: bool) -> Column {
    Column { name, ty, nullable }
}

fn opt_f32<'a>(v: Option<f32>) -> Value<&'a str> {
    v.map_or(Value::Null, |x| Value::F64(f64::from(x)))
}

fn opt_str(v: &Option<String>) -> Value<&str> {
    v.as_deref().map_or(Value::Null, Value::Str)
}

pub(crate) fn int<'a>(v: u64) -> Value<&'a str> {
    Value::I64(i64::try_from(v).unwrap_or(i64::MAX))
}

/// Milliseconds rounded to microseconds, so text outputs stay short and exact.
fn ms<'a>(v: f64) -> Value<&'a str> {
    Value::F64((v * 1000.0).round() / 1000.0)
}

const RESULT_COLUMNS: &[Column] = &[
    col("pair_id", ColumnType::Utf8, false),
    col("status", ColumnType::Utf8, false),
    col("score_before", ColumnType::Float64, true),
    col("score_after", ColumnType::Float64, true),
    col("tailored_resume", ColumnType::Utf8, false),
    col("sections", ColumnType::Int64, false),
    col("sections_optimized", ColumnType::Int64, false),
    col("models", ColumnType::Utf8, false),
    col("calls", ColumnType::Int64, false),
    col("cache_hits", ColumnType::Int64, false),
    col("input_tokens", ColumnType::Int64, false),
    col("output_tokens", ColumnType::Int64, false),
    col("cost_usd", ColumnType::Float64, false),
    col("elapsed_ms", ColumnType::Float64, false),
    col("error", ColumnType::Utf8, true),
];

impl TableRow for ResultRow {
    fn columns() -> &'static [Column] {
        RESULT_COLUMNS
    }

    fn values(&self) -> Vec<Value<&str>> {
        vec![
            Value::Str(&self.pair_id),
            Value::Str(self.status.as_str()),
            opt_f32(self.score_before),
            opt_f32(self.score_after),
            Value::Str(&self.tailored_resume),
            int(u64::from(self.sections)),
            int(u64::from(self.sections_optimized)),
            Value::Str(&self.models),
            int(u64::from(self.calls)),
            int(u64::from(self.cache_hits)),
            int(self.input_tokens),
            int(self.output_tokens),
            Value::F64(self.cost_usd),
            ms(self.elapsed_ms),
            opt_str(&self.error),
        ]
    }
}

const SECTION_COLUMNS: &[Column] = &[
    col("pair_id", ColumnType::Utf8, false),
    col("section_index", ColumnType::Int64, false),
    col("section_type", ColumnType::Utf8, false),
    col("subsection", ColumnType::Utf8, true),
    col("original", ColumnType::Utf8, false),
    col("optimized", ColumnType::Utf8, true),
    col("score_before", ColumnType::Float64, true),
    col("score_after", ColumnType::Float64, true),
    col("quality", ColumnType::Float64, true),
    col("keyword_coverage_before", ColumnType::Float64, true),
    col("keyword_coverage_after", ColumnType::Float64, true),
    col("faithful", ColumnType::Bool, true),
    col("provider", ColumnType::Utf8, true),
    col("model", ColumnType::Utf8, true),
    col("attempts", ColumnType::Int64, false),
    col("cache_hit", ColumnType::Bool, false),
    col("status", ColumnType::Utf8, false),
    col("error", ColumnType::Utf8, true),
    col("latency_ms", ColumnType::Float64, false),
    col("input_tokens", ColumnType::Int64, false),
    col("output_tokens", ColumnType::Int64, false),
    col("cost_usd", ColumnType::Float64, false),
];

impl TableRow for SectionRow {
    fn columns() -> &'static [Column] {
        SECTION_COLUMNS
    }

    fn values(&self) -> Vec<Value<&str>> {
        vec![
            Value::Str(&self.pair_id),
            int(u64::from(self.section_index)),
            Value::Str(self.section_type.as_str()),
            opt_str(&self.subsection),
            Value::Str(&self.original),
            opt_str(&self.optimized),
            opt_f32(self.score_before),
            opt_f32(self.score_after),
            opt_f32(self.quality),
            opt_f32(self.keyword_coverage_before),
            opt_f32(self.keyword_coverage_after),
            self.faithful.map_or(Value::Null, Value::Bool),
            opt_str(&self.provider),
            opt_str(&self.model),
            int(u64::from(self.attempts)),
            Value::Bool(self.cache_hit),
            Value::Str(self.status.as_str()),
            opt_str(&self.error),
            ms(self.latency_ms),
            int(self.input_tokens),
            int(self.output_tokens),
            Value::F64(self.cost_usd),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_declared_columns() {
        let r = ResultRow {
            pair_id: "p".into(),
            status: Status::Ok,
            score_before: Some(1.0),
            score_after: None,
            tailored_resume: String::new(),
            sections: 1,
            sections_optimized: 1,
            models: "local/local".into(),
            calls: 3,
            cache_hits: 0,
            input_tokens: 1,
            output_tokens: 1,
            cost_usd: 0.0,
            elapsed_ms: 1.23456,
            error: None,
        };
        let v = r.values();
        assert_eq!(v.len(), ResultRow::columns().len());
        assert_eq!(v[13], Value::F64(1.235));
        for (value, column) in v.iter().zip(ResultRow::columns()) {
            assert!(column.nullable || *value != Value::Null, "{} is not nullable", column.name);
        }
    }
}
