//! Reading back a whole table written by `TableWriter`: by tests, and by the run that loads
//! `model_stats.parquet`. Tables are small enough to hold; inputs never go through here.

use super::table::{format_err, Table, Value};
use super::OutputError;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::Array;
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Reads a table written by `TableWriter` (or `rejects.csv`), by extension.
///
/// Parquet keeps its types. CSV has none, so cells are typed back by shape: empty is null,
/// integers (without leading zeros) are `I64`, other numbers `F64`, `true`/`false` booleans. Text
/// that looks like a number or a boolean, and an empty string, therefore read back changed; so do
/// NaN and infinity. JSONL keeps strings, booleans and null; NaN and infinity were written as null.
pub fn read_table(path: &Path) -> Result<Table, OutputError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "parquet" => read_parquet(path),
        "csv" => read_csv(path),
        "jsonl" => read_jsonl(path),
        other => Err(format_err(path)(&format!("cannot read a .{other} table (parquet, csv or jsonl)"))),
    }
}

fn read_parquet(path: &Path) -> Result<Table, OutputError> {
    let file = File::open(path).map_err(|source| OutputError::Io { path: path.to_path_buf(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format_err(path)(&e))?;
    // From the schema, not the first batch, so that a table without rows still has its columns.
    let schema = builder.schema().clone();
    for field in schema.fields() {
        if !matches!(field.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Int64 | DataType::Float64 | DataType::Boolean) {
            return Err(format_err(path)(&format!("column {:?} is {}, which tailor tables do not use", field.name(), field.data_type())));
        }
    }
    let mut table = Table { columns: schema.fields().iter().map(|f| f.name().clone()).collect(), rows: Vec::new() };
    for batch in builder.build().map_err(|e| format_err(path)(&e))? {
        let batch = batch.map_err(|e| format_err(path)(&e))?;
        for i in 0..batch.num_rows() {
            table.rows.push(batch.columns().iter().map(|c| cell(c.as_ref(), i)).collect());
        }
    }
    Ok(table)
}

/// One cell of a column whose type `read_parquet` has checked.
fn cell(a: &dyn Array, i: usize) -> Value {
    if a.is_null(i) {
        return Value::Null;
    }
    match a.data_type() {
        DataType::Utf8 => Value::Str(a.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Value::Str(a.as_string::<i64>().value(i).to_string()),
        DataType::Int64 => Value::I64(a.as_primitive::<Int64Type>().value(i)),
        DataType::Float64 => Value::F64(a.as_primitive::<Float64Type>().value(i)),
        // Boolean, the last type the check lets through.
        _ => Value::Bool(a.as_boolean().value(i)),
    }
}

fn typed(s: &str) -> Value {
    if s.is_empty() {
        return Value::Null;
    }
    // `007` is an identifier, not the number 7.
    let leading_zero = s.len() > 1 && s.starts_with('0') && !s.starts_with("0.");
    if !leading_zero {
        if let Ok(n) = s.parse::<i64>() {
            return Value::I64(n);
        }
        // Requiring a digit keeps words that f64 parses (`inf`, `NaN`) as text.
        if s.bytes().any(|b| b.is_ascii_digit()) {
            if let Ok(n) = s.parse::<f64>() {
                return Value::F64(n);
            }
        }
    }
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::Str(s.to_string()),
    }
}

fn read_csv(path: &Path) -> Result<Table, OutputError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format_err(path)(&e))?;
    let columns = r.headers().map_err(|e| format_err(path)(&e))?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format_err(path)(&e))?;
        rows.push(rec.iter().map(typed).collect());
    }
    Ok(Table { columns, rows })
}

fn read_jsonl(path: &Path) -> Result<Table, OutputError> {
    let file = File::open(path).map_err(|source| OutputError::Io { path: path.to_path_buf(), source })?;
    let mut table = Table { columns: Vec::new(), rows: Vec::new() };
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|source| OutputError::Io { path: path.to_path_buf(), source })?;
        if line.trim().is_empty() {
            continue;
        }
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line).map_err(|e| format_err(path)(&e))?;
        if table.columns.is_empty() {
            table.columns = obj.keys().cloned().collect();
        }
        table.rows.push(table.columns.iter().map(|c| json_cell(obj.get(c))).collect());
    }
    Ok(table)
}

fn json_cell(v: Option<&serde_json::Value>) -> Value {
    match v {
        None | Some(serde_json::Value::Null) => Value::Null,
        Some(serde_json::Value::String(s)) => Value::Str(s.clone()),
        Some(serde_json::Value::Bool(b)) => Value::Bool(*b),
        Some(serde_json::Value::Number(n)) => n.as_i64().map_or_else(|| Value::F64(n.as_f64().unwrap_or(f64::NAN)), Value::I64),
        Some(other) => Value::Str(other.to_string()),
    }
}
