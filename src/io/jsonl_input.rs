//! JSONL input: one JSON object per line, the line number being the row number (blank lines are
//! skipped but counted). A line that is not an object, lacks a required key or holds a non-text
//! value is a reject. The first object line decides the columns: if it lacks a required key the
//! file is refused, since it then most likely names its columns differently.

use super::input::{read_line_bounded, row_byte_limit, ColumnIndex, Field, InputOptions, RawRow, RowSource};
use super::InputError;
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub(crate) struct JsonlRows {
    reader: BufReader<File>,
    path: PathBuf,
    opts: InputOptions,
    /// Lines read so far, blank ones included: the row number of the last line read.
    line: u64,
    line_limit: usize,
}

/// A non-blank line, or the length of one too long to hold.
enum Line {
    Bytes(Vec<u8>),
    TooLong(usize),
}

impl JsonlRows {
    pub fn new(path: &Path, file: File, opts: &InputOptions) -> Result<JsonlRows, InputError> {
        let reader = BufReader::with_capacity(1 << 16, file);
        let mut rows = JsonlRows { reader, path: path.to_path_buf(), opts: opts.clone(), line: 0, line_limit: row_byte_limit(opts) };
        rows.check_first_object()?;
        Ok(rows)
    }

    /// Finds the first line that is a JSON object and checks its keys, then rewinds. A separate
    /// pass (usually of one line) rather than holding the lines before it, which may be many.
    fn check_first_object(&mut self) -> Result<(), InputError> {
        while let Some(line) = self.next_line()? {
            if let Line::Bytes(bytes) = line {
                if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&bytes) {
                    let names: Vec<String> = obj.keys().cloned().collect();
                    ColumnIndex::find(&self.path, &names, &self.opts)?;
                    break;
                }
            }
        }
        self.reader.seek(SeekFrom::Start(0)).map_err(|e| self.unreadable(&e))?;
        self.line = 0;
        Ok(())
    }

    fn unreadable(&self, e: &std::io::Error) -> InputError {
        InputError::Unreadable { path: self.path.clone(), message: e.to_string() }
    }

    /// The next non-blank line, counting every line.
    fn next_line(&mut self) -> Result<Option<Line>, InputError> {
        loop {
            let mut bytes = Vec::new();
            let n = read_line_bounded(&mut self.reader, &mut bytes, self.line_limit + 1).map_err(|e| self.unreadable(&e))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if n > self.line_limit {
                return Ok(Some(Line::TooLong(n)));
            }
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(Line::Bytes(bytes)));
            }
        }
    }

    fn parse(&self, line: Line) -> RawRow {
        let row = self.line;
        let broken = |column: &str, reason: String| RawRow::Broken { row, column: column.to_string(), reason };
        let bytes = match line {
            Line::Bytes(bytes) => bytes,
            Line::TooLong(n) => return broken("(row)", format!("the line is {n} bytes, over the limit of {} for a row", self.line_limit)),
        };
        if let Err(e) = std::str::from_utf8(&bytes) {
            return broken("(row)", format!("invalid UTF-8 at byte {}", e.valid_up_to()));
        }
        let obj: Map<String, Value> = match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(obj)) => obj,
            Ok(other) => return broken("(row)", format!("the line is JSON but not an object ({})", kind(&other))),
            Err(e) => return broken("(row)", format!("invalid JSON: {e}")),
        };
        // Ids may be numbers (`"pair_id": 17`); the texts must be strings.
        let field = |name: &str, number_ok: bool| -> Result<Option<Field>, RawRow> {
            match obj.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(Field::Text(s.clone()))),
                Some(Value::Null) => Ok(Some(Field::Null)),
                Some(Value::Number(n)) if number_ok => Ok(Some(Field::Text(n.to_string()))),
                Some(other) => Err(broken(name, format!("expected text, found {}", kind(other)))),
            }
        };
        let required = |name: &str| field(name, false)?.ok_or_else(|| broken(name, format!("missing key {name:?}")));
        let fields = || -> Result<RawRow, RawRow> {
            Ok(RawRow::Fields {
                row,
                resume: required(&self.opts.resume_col)?,
                job: required(&self.opts.job_col)?,
                id: field(&self.opts.id_col, true)?,
                resume_id: field("resume_id", true)?,
                job_id: field("job_id", true)?,
            })
        };
        fields().unwrap_or_else(|broken| broken)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl RowSource for JsonlRows {
    fn next_rows(&mut self, n: usize) -> Result<Vec<RawRow>, InputError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next_line()? {
                Some(line) => out.push(self.parse(line)),
                None => break,
            }
        }
        Ok(out)
    }
}
