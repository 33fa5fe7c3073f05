//! The pair reader: picks the format by extension and turns raw rows into validated pairs or
//! rejects (empty text, text over the size limit, invalid UTF-8, duplicate ids). Also what the
//! format readers share: column lookup and bounded line reading.

use super::csv_input::CsvRows;
use super::jsonl_input::JsonlRows;
use super::parquet_input::ParquetRows;
use super::InputError;
use crate::pair::{stable_pair_id, Pair, Reject, RowOutcome};
use ahash::AHashMap;
use std::io::BufRead;
use std::path::Path;

/// Input file formats, chosen by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Csv,
    Parquet,
    Jsonl,
}

impl InputFormat {
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(InputFormat::Csv),
            "parquet" | "pq" => Some(InputFormat::Parquet),
            "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
            _ => None,
        }
    }
}

/// Column names and limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputOptions {
    pub resume_col: String,
    pub job_col: String,
    pub id_col: String,
    pub max_text_bytes: usize,
    pub chunk_rows: usize,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions { resume_col: "resume".into(), job_col: "job".into(), id_col: "pair_id".into(), max_text_bytes: 200_000, chunk_rows: 1024 }
    }
}

/// One row as a format reader found it: the fields tailor uses, still unvalidated, or a row the
/// format itself could not parse.
#[derive(Debug)]
pub(crate) enum RawRow {
    Fields { row: u64, id: Option<Field>, resume: Field, job: Field, resume_id: Option<Field>, job_id: Option<Field> },
    Broken { row: u64, column: String, reason: String },
}

/// A field's bytes (text formats) or a value known to be text.
#[derive(Debug)]
pub(crate) enum Field {
    Bytes(Vec<u8>),
    Text(String),
    Null,
}

/// The format readers behind `PairReader`.
pub(crate) trait RowSource {
    /// Up to `n` rows; an empty vector at the end of the file.
    fn next_rows(&mut self, n: usize) -> Result<Vec<RawRow>, InputError>;
}

/// Streams validated pairs and rejects from an input file, a chunk at a time.
pub struct PairReader {
    source: Box<dyn RowSource + Send>,
    opts: InputOptions,
    /// Ids seen so far (first row of each), to reject duplicates. Grows with distinct ids only.
    seen: AHashMap<String, u64>,
}

impl PairReader {
    pub fn open(path: &Path, opts: &InputOptions) -> Result<PairReader, InputError> {
        let format = InputFormat::from_path(path).ok_or_else(|| InputError::UnknownFormat { path: path.to_path_buf() })?;
        let file = std::fs::File::open(path).map_err(|source| InputError::Open { path: path.to_path_buf(), source })?;
        let source: Box<dyn RowSource + Send> = match format {
            InputFormat::Csv => Box::new(CsvRows::new(path, file, opts)?),
            InputFormat::Parquet => Box::new(ParquetRows::new(path, file, opts)?),
            InputFormat::Jsonl => Box::new(JsonlRows::new(path, file, opts)?),
        };
        Ok(PairReader { source, opts: opts.clone(), seen: AHashMap::new() })
    }

    /// The next chunk of up to `chunk_rows` outcomes, in input order; None at the end.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<RowOutcome>>, InputError> {
        let rows = self.source.next_rows(self.opts.chunk_rows.max(1))?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(rows.into_iter().map(|r| self.validate(r)).collect()))
    }

    fn validate(&mut self, raw: RawRow) -> RowOutcome {
        let (row, id, resume, job, resume_id, job_id) = match raw {
            RawRow::Broken { row, column, reason } => return RowOutcome::Reject(Reject { row, pair_id: None, column, reason }),
            RawRow::Fields { row, id, resume, job, resume_id, job_id } => (row, id, resume, job, resume_id, job_id),
        };
        let reject = |pair_id: Option<String>, column: &str, reason: String| RowOutcome::Reject(Reject { row, pair_id, column: column.to_string(), reason });
        let explicit_id = match optional_text(id) {
            Ok(id) => id.map(|s| s.trim().to_string()),
            Err(reason) => return reject(None, &self.opts.id_col, reason),
        };
        let max = self.opts.max_text_bytes;
        let resume = match required_text(resume, "resume", max) {
            Ok(t) => t,
            Err(reason) => return reject(explicit_id, &self.opts.resume_col, reason),
        };
        let job = match required_text(job, "job", max) {
            Ok(t) => t,
            Err(reason) => return reject(explicit_id, &self.opts.job_col, reason),
        };
        let (resume_id, job_id) = match (optional_text(resume_id), optional_text(job_id)) {
            (Ok(r), Ok(j)) => (r, j),
            (Err(reason), _) => return reject(explicit_id, "resume_id", reason),
            (_, Err(reason)) => return reject(explicit_id, "job_id", reason),
        };
        let pair_id = explicit_id.unwrap_or_else(|| stable_pair_id(&resume, &job));
        if let Some(first) = self.seen.get(&pair_id) {
            return reject(Some(pair_id.clone()), &self.opts.id_col, format!("duplicate pair_id {pair_id}, first seen at row {first}"));
        }
        self.seen.insert(pair_id.clone(), row);
        RowOutcome::Pair(Pair { row, pair_id, resume_id, job_id, resume, job })
    }
}

/// A field as text; invalid UTF-8 is an error naming the byte where it starts.
fn text(field: Field) -> Result<String, String> {
    match field {
        Field::Text(s) => Ok(s),
        Field::Null => Ok(String::new()),
        Field::Bytes(b) => String::from_utf8(b).map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to())),
    }
}

/// The resume or the job: text, not blank, within the size limit. `label` names it in reasons,
/// whatever the column is called in the file.
fn required_text(field: Field, label: &str, max_bytes: usize) -> Result<String, String> {
    let value = text(field)?;
    if value.trim().is_empty() {
        return Err(format!("empty {label}"));
    }
    if value.len() > max_bytes {
        return Err(format!("{label} is {} bytes, over the limit of {max_bytes}", value.len()));
    }
    Ok(value)
}

/// An id column: absent, null and blank all mean no value.
fn optional_text(field: Option<Field>) -> Result<Option<String>, String> {
    Ok(field.map(text).transpose()?.filter(|s| !s.trim().is_empty()))
}

/// The most bytes one row may take in a text format before it is rejected unread: room for the
/// resume and the job at their limit even when a writer escaped every character (JSON `\uXXXX`
/// turns a 2- or 3-byte character into 6 or 12 bytes), plus the other columns. Reading a line
/// never holds more than this, so one huge line cannot exhaust memory.
pub(crate) fn row_byte_limit(opts: &InputOptions) -> usize {
    opts.max_text_bytes.saturating_mul(6).saturating_add(1 << 16)
}

/// Reads one line (through its `\n`) into `buf`, keeping at most `limit` bytes of it, and
/// returns the line's whole length (0 at the end of the file). The rest of a longer line is read
/// and dropped, so the next call starts at the next line.
pub(crate) fn read_line_bounded(reader: &mut impl BufRead, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(total);
        }
        let end = available.iter().position(|&b| b == b'\n');
        let used = end.map_or(available.len(), |i| i + 1);
        let room = limit.saturating_sub(buf.len());
        buf.extend_from_slice(&available[..used.min(room)]);
        reader.consume(used);
        total += used;
        if end.is_some() {
            return Ok(total);
        }
    }
}

/// The positions of the needed columns in a header, or the error naming what is missing.
pub(crate) struct ColumnIndex {
    pub resume: usize,
    pub job: usize,
    pub id: Option<usize>,
    pub resume_id: Option<usize>,
    pub job_id: Option<usize>,
}

impl ColumnIndex {
    pub fn find(path: &Path, names: &[String], opts: &InputOptions) -> Result<ColumnIndex, InputError> {
        let pos = |n: &str| names.iter().position(|c| c == n);
        let required = |n: &str| {
            pos(n).ok_or_else(|| InputError::MissingColumn { path: path.to_path_buf(), column: n.to_string(), found: names.join(", ") })
        };
        Ok(ColumnIndex { resume: required(&opts.resume_col)?, job: required(&opts.job_col)?, id: pos(&opts.id_col), resume_id: pos("resume_id"), job_id: pos("job_id") })
    }
}
