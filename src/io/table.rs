//! Output tables: a row type describes its columns once (`TableRow`) and `TableWriter` writes it
//! as Parquet, CSV or JSONL, under a temporary name renamed into place when complete, flushing as
//! it goes so memory stays bounded. `read_table` (in `table_read.rs`) reads any of them back.

use super::OutputError;
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// Rows per Parquet row group (and per flush): bounds the memory a writer holds. Batches are cut
/// at this count whatever the sizes of the `write` calls, so identical rows give identical bytes.
const PARQUET_BATCH_ROWS: usize = 4096;

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

/// The type of an output column; each maps to one Arrow type and one `Value` variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Utf8,
    Int64,
    Float64,
    Bool,
}

/// One column of an output table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
}

/// One cell. `Null` is allowed only in nullable columns. Rows are written from borrowed text
/// (`Value<&str>`, see [`TableRow::values`]) and read back owned (`Value`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value<S = String> {
    Null,
    Str(S),
    I64(i64),
    F64(f64),
    Bool(bool),
}

impl Value<&str> {
    /// The value as `read_table` gives it back.
    pub fn to_owned_value(&self) -> Value {
        match *self {
            Value::Null => Value::Null,
            Value::Str(s) => Value::Str(s.to_string()),
            Value::I64(n) => Value::I64(n),
            Value::F64(n) => Value::F64(n),
            Value::Bool(b) => Value::Bool(b),
        }
    }
}

/// A row type of an output table.
pub trait TableRow {
    fn columns() -> &'static [Column];
    /// One value per column, in order, of the column's type (or `Null` where it is nullable),
    /// borrowing the row's text: the writer copies it once, into its output.
    fn values(&self) -> Vec<Value<&str>>;
}

enum Sink {
    /// Rows of the next row group are appended to one Arrow builder per column as they come.
    Parquet { writer: Box<ArrowWriter<File>>, columns: Vec<ColumnBuilder>, buffered: usize, schema: Arc<Schema> },
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Jsonl(BufWriter<File>),
}

/// Writes one table atomically. Dropped without `finish` (a failed run), it removes its
/// temporary file, so an aborted run publishes nothing and leaves nothing behind.
pub struct TableWriter<R: TableRow> {
    // Declared before `tmp` so the file is closed before the temporary name is removed.
    sink: Sink,
    tmp: TempFile,
    path: PathBuf,
    rows: u64,
    _rows: PhantomData<fn(&R)>,
}

/// A temporary file that is removed when dropped unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    renamed: bool,
}

impl TempFile {
    fn rename_to(mut self, dest: &Path) -> Result<(), OutputError> {
        std::fs::rename(&self.path, dest).map_err(io_err(dest))?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            // Best effort: a drop has no one to report to, and a leftover temporary name is
            // harmless (it never shadows a finished output).
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

pub(crate) fn format_err(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> OutputError + '_ {
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
    /// Starts `dir/<stem>.<ext>` under a temporary name (`.<stem>.<ext>.tmp-<pid>`); nothing is at
    /// the final name until `finish`.
    pub fn create(dir: &Path, stem: &str, format: OutputFormat) -> Result<Self, OutputError> {
        let path = dir.join(format!("{stem}.{}", format.extension()));
        let tmp_path = dir.join(format!(".{stem}.{}.tmp-{}", format.extension(), std::process::id()));
        let file = File::create(&tmp_path).map_err(io_err(&tmp_path))?;
        let tmp = TempFile { path: tmp_path, renamed: false };
        let sink = match format {
            OutputFormat::Parquet => {
                let fields: Vec<Field> = R::columns().iter().map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable)).collect();
                let schema = Arc::new(Schema::new(fields));
                // A fixed `created_by` (no library version drift) keeps the bytes reproducible.
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_max_row_group_row_count(Some(PARQUET_BATCH_ROWS))
                    .set_created_by(concat!("tailor ", env!("CARGO_PKG_VERSION")).to_string())
                    .build();
                let writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(props)).map_err(|e| format_err(&tmp.path)(&e))?;
                let columns = R::columns().iter().map(|c| ColumnBuilder::new(c.ty)).collect();
                Sink::Parquet { writer: Box::new(writer), columns, buffered: 0, schema }
            }
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(BufWriter::new(file));
                w.write_record(R::columns().iter().map(|c| c.name)).map_err(|e| format_err(&tmp.path)(&e))?;
                Sink::Csv(Box::new(w))
            }
            OutputFormat::Jsonl => Sink::Jsonl(BufWriter::new(file)),
        };
        Ok(TableWriter { sink, tmp, path, rows: 0, _rows: PhantomData })
    }

    /// Appends rows. A row whose values do not match the declared columns is an error (a bug in
    /// the row type), caught here so that no format silently writes a null in its place.
    pub fn write(&mut self, rows: &[R]) -> Result<(), OutputError> {
        let tmp = &self.tmp.path;
        for r in rows {
            self.rows += 1;
            let values = r.values();
            check_row(R::columns(), &values, self.rows).map_err(|e| format_err(tmp)(&e))?;
            match &mut self.sink {
                Sink::Parquet { writer, columns, buffered, schema } => {
                    for (column, value) in columns.iter_mut().zip(&values) {
                        column.append(value);
                    }
                    *buffered += 1;
                    if *buffered >= PARQUET_BATCH_ROWS {
                        flush_parquet(writer, columns, schema, tmp)?;
                        *buffered = 0;
                    }
                }
                Sink::Csv(w) => {
                    let cells: Vec<Cow<'_, str>> = values.iter().map(csv_text).collect();
                    w.write_record(cells.iter().map(|c| c.as_bytes())).map_err(|e| format_err(tmp)(&e))?;
                }
                Sink::Jsonl(w) => {
                    let obj: serde_json::Map<String, serde_json::Value> = R::columns().iter().zip(values).map(|(c, v)| (c.name.to_string(), json_value(v))).collect();
                    serde_json::to_writer(&mut *w, &obj).map_err(|e| format_err(tmp)(&e))?;
                    w.write_all(b"\n").map_err(io_err(tmp))?;
                }
            }
        }
        Ok(())
    }

    /// Flushes, syncs and renames the file into place (then syncs the folder, so the rename
    /// survives a crash); returns its final path. On failure the temporary file is removed.
    pub fn finish(self) -> Result<PathBuf, OutputError> {
        let TableWriter { sink, tmp, path, .. } = self;
        let file = match sink {
            Sink::Parquet { mut writer, mut columns, buffered, schema } => {
                if buffered > 0 {
                    flush_parquet(&mut writer, &mut columns, &schema, &tmp.path)?;
                }
                writer.into_inner().map_err(|e| format_err(&tmp.path)(&e))?
            }
            Sink::Csv(w) => (*w).into_inner().map_err(|e| format_err(&tmp.path)(e.error()))?.into_inner().map_err(|e| format_err(&tmp.path)(e.error()))?,
            Sink::Jsonl(w) => w.into_inner().map_err(|e| format_err(&tmp.path)(e.error()))?,
        };
        file.sync_all().map_err(io_err(&tmp.path))?;
        drop(file);
        tmp.rename_to(&path)?;
        sync_dir(&path)?;
        Ok(path)
    }
}

#[cfg(unix)]
fn sync_dir(path: &Path) -> Result<(), OutputError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

/// Other systems cannot open a folder to sync it; the rename is as durable as they make it.
#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> Result<(), OutputError> {
    Ok(())
}

/// Checks one row against the columns; `row` is 1-based, for the message.
fn check_row(columns: &[Column], values: &[Value<&str>], row: u64) -> Result<(), String> {
    if values.len() != columns.len() {
        return Err(format!("row {row} has {} values for {} columns", values.len(), columns.len()));
    }
    for (c, v) in columns.iter().zip(values) {
        let fits = match (c.ty, v) {
            (_, Value::Null) => c.nullable,
            (ColumnType::Utf8, Value::Str(_)) | (ColumnType::Int64, Value::I64(_)) | (ColumnType::Float64, Value::F64(_)) | (ColumnType::Bool, Value::Bool(_)) => true,
            _ => false,
        };
        if !fits {
            return Err(format!("row {row}: column {:?} is {:?}{}, got {v:?}", c.name, c.ty, if c.nullable { " (nullable)" } else { "" }));
        }
    }
    Ok(())
}

/// Writes the buffered rows as one row group and empties the builders.
fn flush_parquet(writer: &mut ArrowWriter<File>, columns: &mut [ColumnBuilder], schema: &Arc<Schema>, path: &Path) -> Result<(), OutputError> {
    let arrays: Vec<ArrayRef> = columns.iter_mut().map(ColumnBuilder::finish).collect();
    let batch = RecordBatch::try_new(Arc::clone(schema), arrays).map_err(|e| format_err(path)(&e))?;
    writer.write(&batch).map_err(|e| format_err(path)(&e))?;
    writer.flush().map_err(|e| format_err(path)(&e))?;
    Ok(())
}

/// The Arrow builder of one column, for the rows of the next row group.
enum ColumnBuilder {
    Utf8(StringBuilder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Bool(BooleanBuilder),
}

impl ColumnBuilder {
    fn new(ty: ColumnType) -> ColumnBuilder {
        match ty {
            ColumnType::Utf8 => ColumnBuilder::Utf8(StringBuilder::new()),
            ColumnType::Int64 => ColumnBuilder::Int64(Int64Builder::new()),
            ColumnType::Float64 => ColumnBuilder::Float64(Float64Builder::new()),
            ColumnType::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
        }
    }

    /// Appends one value, already checked against the column's type by `check_row`.
    fn append(&mut self, v: &Value<&str>) {
        match self {
            ColumnBuilder::Utf8(b) => b.append_option(if let Value::Str(s) = v { Some(s) } else { None }),
            ColumnBuilder::Int64(b) => b.append_option(if let Value::I64(n) = v { Some(*n) } else { None }),
            ColumnBuilder::Float64(b) => b.append_option(if let Value::F64(n) = v { Some(*n) } else { None }),
            ColumnBuilder::Bool(b) => b.append_option(if let Value::Bool(n) = v { Some(*n) } else { None }),
        }
    }

    /// The column's array so far; the builder starts empty again.
    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Utf8(b) => Arc::new(b.finish()),
            ColumnBuilder::Int64(b) => Arc::new(b.finish()),
            ColumnBuilder::Float64(b) => Arc::new(b.finish()),
            ColumnBuilder::Bool(b) => Arc::new(b.finish()),
        }
    }
}

fn csv_text<'a>(v: &Value<&'a str>) -> Cow<'a, str> {
    Cow::Owned(match v {
        Value::Null => String::new(),
        Value::Str(s) => return Cow::Borrowed(s),
        Value::I64(n) => n.to_string(),
        // Debug is the shortest text that parses back to the same f64, and unlike Display it
        // always shows a point or an exponent (`1.0`, `1e20`), so a float never reads back as an
        // integer.
        Value::F64(n) => format!("{n:?}"),
        Value::Bool(b) => b.to_string(),
    })
}

/// JSON has no NaN or infinity: those floats are written as null.
fn json_value(v: Value<&str>) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Str(s) => serde_json::Value::String(s.to_string()),
        Value::I64(n) => n.into(),
        Value::F64(n) => serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Bool(b) => b.into(),
    }
}

/// A whole table read back by `read_table`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}
