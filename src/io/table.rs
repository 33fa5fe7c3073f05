//! Output tables: a row type describes its columns once (`TableRow`) and `TableWriter` writes it
//! as Parquet, CSV or JSONL, under a temporary name renamed into place when complete, flushing as
//! it goes so memory stays bounded. `read_table` reads any of them back.

use super::OutputError;
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// Rows per Parquet row group (and per flush): bounds the memory a writer holds.
const PARQUET_BATCH_ROWS: usize = 2048;

/// Output file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Parquet,
    Csv,
    Jsonl,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Parquet => "parquet",
            OutputFormat::Csv => "csv",
            OutputFormat::Jsonl => "jsonl",
        }
    }
}

impl FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "parquet" => Ok(OutputFormat::Parquet),
            "csv" => Ok(OutputFormat::Csv),
            "jsonl" => Ok(OutputFormat::Jsonl),
            other => Err(format!("unknown format {other:?} (parquet, csv or jsonl)")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Utf8,
    Int64,
    Float64,
    Bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Str(String),
    I64(i64),
    F64(f64),
    Bool(bool),
}

/// A row type of an output table.
pub trait TableRow {
    fn columns() -> &'static [Column];
    /// One value per column, in order.
    fn values(&self) -> Vec<Value>;
}

enum Sink {
    Parquet { writer: Box<ArrowWriter<File>>, buffered: Vec<Vec<Value>>, schema: Arc<Schema> },
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Jsonl(BufWriter<File>),
}

/// Writes one table atomically.
pub struct TableWriter<R: TableRow> {
    sink: Sink,
    tmp: PathBuf,
    path: PathBuf,
    _rows: PhantomData<fn(&R)>,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

fn format_err(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> OutputError + '_ {
    move |e| OutputError::Format { path: path.to_path_buf(), message: e.to_string() }
}

fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Utf8 => DataType::Utf8,
        ColumnType::Int64 => DataType::Int64,
        ColumnType::Float64 => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
    }
}

impl<R: TableRow> TableWriter<R> {
    /// Starts `dir/<stem>.<ext>` under a temporary name; nothing is at the final name until
    /// `finish`.
    pub fn create(dir: &Path, stem: &str, format: OutputFormat) -> Result<Self, OutputError> {
        let path = dir.join(format!("{stem}.{}", format.extension()));
        let tmp = dir.join(format!(".{stem}.{}.tmp-{}", format.extension(), std::process::id()));
        let file = File::create(&tmp).map_err(io_err(&tmp))?;
        let sink = match format {
            OutputFormat::Parquet => {
                let fields: Vec<Field> = R::columns().iter().map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable)).collect();
                let schema = Arc::new(Schema::new(fields));
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_max_row_group_row_count(Some(PARQUET_BATCH_ROWS))
                    .set_created_by(concat!("tailor ", env!("CARGO_PKG_VERSION")).to_string())
                    .build();
                let writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(props)).map_err(|e| format_err(&tmp)(&e))?;
                Sink::Parquet { writer: Box::new(writer), buffered: Vec::new(), schema }
            }
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(BufWriter::new(file));
                w.write_record(R::columns().iter().map(|c| c.name)).map_err(|e| format_err(&tmp)(&e))?;
                Sink::Csv(Box::new(w))
            }
            OutputFormat::Jsonl => Sink::Jsonl(BufWriter::new(file)),
        };
        Ok(TableWriter { sink, tmp, path, _rows: PhantomData })
    }

    pub fn write(&mut self, rows: &[R]) -> Result<(), OutputError> {
        let tmp = &self.tmp;
        match &mut self.sink {
            Sink::Parquet { writer, buffered, schema } => {
                for r in rows {
                    buffered.push(r.values());
                    if buffered.len() >= PARQUET_BATCH_ROWS {
                        flush_parquet::<R>(writer, buffered, schema, tmp)?;
                    }
                }
            }
            Sink::Csv(w) => {
                for r in rows {
                    w.write_record(r.values().iter().map(csv_text)).map_err(|e| format_err(tmp)(&e))?;
                }
            }
            Sink::Jsonl(w) => {
                for r in rows {
                    let obj: serde_json::Map<String, serde_json::Value> = R::columns().iter().zip(r.values()).map(|(c, v)| (c.name.to_string(), json_value(v))).collect();
                    serde_json::to_writer(&mut *w, &obj).map_err(|e| format_err(tmp)(&e))?;
                    w.write_all(b"\n").map_err(io_err(tmp))?;
                }
            }
        }
        Ok(())
    }

    /// Flushes, syncs and renames the file into place; returns its final path.
    pub fn finish(self) -> Result<PathBuf, OutputError> {
        let tmp = self.tmp;
        let file = match self.sink {
            Sink::Parquet { mut writer, mut buffered, schema } => {
                flush_parquet::<R>(&mut writer, &mut buffered, &schema, &tmp)?;
                writer.into_inner().map_err(|e| format_err(&tmp)(&e))?
            }
            Sink::Csv(w) => (*w).into_inner().map_err(|e| format_err(&tmp)(&e.error().to_string()))?.into_inner().map_err(|e| format_err(&tmp)(&e.error().to_string()))?,
            Sink::Jsonl(w) => w.into_inner().map_err(|e| format_err(&tmp)(&e.error().to_string()))?,
        };
        file.sync_all().map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, &self.path).map_err(io_err(&self.path))?;
        Ok(self.path)
    }
}

fn flush_parquet<R: TableRow>(writer: &mut ArrowWriter<File>, rows: &mut Vec<Vec<Value>>, schema: &Arc<Schema>, path: &Path) -> Result<(), OutputError> {
    if rows.is_empty() {
        return Ok(());
    }
    let columns: Vec<ArrayRef> = R::columns().iter().enumerate().map(|(i, c)| build_array(c.ty, rows.iter().map(|r| &r[i]))).collect();
    let batch = RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| format_err(path)(&e))?;
    writer.write(&batch).map_err(|e| format_err(path)(&e))?;
    writer.flush().map_err(|e| format_err(path)(&e))?;
    rows.clear();
    Ok(())
}

fn build_array<'a>(ty: ColumnType, values: impl Iterator<Item = &'a Value>) -> ArrayRef {
    match ty {
        ColumnType::Utf8 => {
            let mut b = StringBuilder::new();
            for v in values {
                match v {
                    Value::Str(s) => b.append_value(s),
                    _ => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        ColumnType::Int64 => {
            let mut b = Int64Builder::new();
            values.for_each(|v| b.append_option(if let Value::I64(n) = v { Some(*n) } else { None }));
            Arc::new(b.finish())
        }
        ColumnType::Float64 => {
            let mut b = Float64Builder::new();
            values.for_each(|v| b.append_option(if let Value::F64(n) = v { Some(*n) } else { None }));
            Arc::new(b.finish())
        }
        ColumnType::Bool => {
            let mut b = BooleanBuilder::new();
            values.for_each(|v| b.append_option(if let Value::Bool(n) = v { Some(*n) } else { None }));
            Arc::new(b.finish())
        }
    }
}

fn csv_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Str(s) => s.clone(),
        Value::I64(n) => n.to_string(),
        // `1` would read back as an integer: floats always show a decimal point.
        Value::F64(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.1}"),
        Value::F64(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
    }
}

fn json_value(v: Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Str(s) => serde_json::Value::String(s),
        Value::I64(n) => n.into(),
        Value::F64(n) => serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Bool(b) => b.into(),
    }
}

/// A whole table read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Reads a table written by `TableWriter` (or `rejects.csv`), by extension. CSV cells are typed
/// back by shape: empty is null, integers and numbers (without leading zeros) are numbers,
/// `true`/`false` are booleans.
pub fn read_table(path: &Path) -> Result<Table, OutputError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "parquet" => read_parquet(path),
        "csv" => read_csv(path),
        "jsonl" => read_jsonl(path),
        other => Err(format_err(path)(&format!("cannot read a .{other} table"))),
    }
}

fn read_parquet(path: &Path) -> Result<Table, OutputError> {
    let file = File::open(path).map_err(io_err(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format_err(path)(&e))?.build().map_err(|e| format_err(path)(&e))?;
    let mut table = Table { columns: Vec::new(), rows: Vec::new() };
    for batch in reader {
        let batch = batch.map_err(|e| format_err(path)(&e))?;
        if table.columns.is_empty() {
            table.columns = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        }
        for i in 0..batch.num_rows() {
            table.rows.push(batch.columns().iter().map(|c| cell(c.as_ref(), i)).collect());
        }
    }
    Ok(table)
}

fn cell(a: &dyn Array, i: usize) -> Value {
    if a.is_null(i) {
        return Value::Null;
    }
    match a.data_type() {
        DataType::Utf8 => Value::Str(a.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Value::Str(a.as_string::<i64>().value(i).to_string()),
        DataType::Int64 => Value::I64(a.as_primitive::<Int64Type>().value(i)),
        DataType::Float64 => Value::F64(a.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
        _ => Value::Null,
    }
}

fn typed(s: &str) -> Value {
    if s.is_empty() {
        return Value::Null;
    }
    let leading_zero = s.len() > 1 && s.starts_with('0') && !s.starts_with("0.");
    if !leading_zero {
        if let Ok(n) = s.parse::<i64>() {
            return Value::I64(n);
        }
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
    let file = File::open(path).map_err(io_err(path))?;
    let mut table = Table { columns: Vec::new(), rows: Vec::new() };
    for line in BufReader::new(file).lines() {
        let line = line.map_err(io_err(path))?;
        if line.trim().is_empty() {
            continue;
        }
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line).map_err(|e| format_err(path)(&e))?;
        if table.columns.is_empty() {
            table.columns = obj.keys().cloned().collect();
        }
        table.rows.push(
            table
                .columns
                .iter()
                .map(|c| match obj.get(c) {
                    None | Some(serde_json::Value::Null) => Value::Null,
                    Some(serde_json::Value::String(s)) => Value::Str(s.clone()),
                    Some(serde_json::Value::Bool(b)) => Value::Bool(*b),
                    Some(serde_json::Value::Number(n)) => n.as_i64().map_or_else(|| Value::F64(n.as_f64().unwrap_or(f64::NAN)), Value::I64),
                    Some(other) => Value::Str(other.to_string()),
                })
                .collect(),
        );
    }
    Ok(table)
}
