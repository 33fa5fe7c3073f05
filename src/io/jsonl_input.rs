//! JSONL input: one JSON object per line, the line number being the row number (blank lines are
//! skipped but counted). A line that is not an object, lacks a required key or holds a non-text
//! value is a reject; a first object without a required key is fatal, since the file then most
//! likely names its columns differently.

use super::input::{ColumnIndex, Field, InputOptions, RawRow, RowSource};
use super::InputError;
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

pub(crate) struct JsonlRows {
    reader: BufReader<File>,
    path: PathBuf,
    opts: InputOptions,
    line: u64,
    /// The first row, read at open to check the keys.
    first: Option<RawRow>,
}

impl JsonlRows {
    pub fn new(path: &Path, file: File, opts: &InputOptions) -> Result<JsonlRows, InputError> {
        let mut rows = JsonlRows { reader: BufReader::with_capacity(1 << 16, file), path: path.to_path_buf(), opts: opts.clone(), line: 0, first: None };
        if let Some(bytes) = rows.next_line()? {
            if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&bytes) {
                let names: Vec<String> = obj.keys().cloned().collect();
                ColumnIndex::find(path, &names, opts)?;
            }
            rows.first = Some(rows.parse(&bytes));
        }
        Ok(rows)
    }

    /// The next non-blank line, counting every line.
    fn next_line(&mut self) -> Result<Option<Vec<u8>>, InputError> {
        loop {
            let mut bytes = Vec::new();
            let n = self.reader.read_until(b'\n', &mut bytes).map_err(|e| InputError::Unreadable { path: self.path.clone(), message: e.to_string() })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(bytes));
            }
        }
    }

    fn parse(&self, bytes: &[u8]) -> RawRow {
        let row = self.line;
        let broken = |reason: String| RawRow::Broken { row, column: "(row)".into(), reason };
        let obj: Map<String, Value> = match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(obj)) => obj,
            Ok(_) => return broken("the line is JSON but not an object".into()),
            Err(_) if std::str::from_utf8(bytes).is_err() => return broken("invalid UTF-8 in the line".into()),
            Err(e) => return broken(format!("invalid JSON: {e}")),
        };
        let field = |name: &str| -> Result<Option<Field>, RawRow> {
            match obj.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(Field::Text(s.clone()))),
                Some(Value::Null) => Ok(Some(Field::Null)),
                Some(Value::Number(n)) => Ok(Some(Field::Text(n.to_string()))),
                Some(other) => Err(RawRow::Broken { row, column: name.to_string(), reason: format!("expected text, found {}", kind(other)) }),
            }
        };
        let required = |name: &str| -> Result<Field, RawRow> {
            field(name)?.ok_or_else(|| RawRow::Broken { row, column: name.to_string(), reason: format!("missing key {name:?}") })
        };
        let fields = (|| -> Result<RawRow, RawRow> {
            Ok(RawRow::Fields {
                row,
                resume: required(&self.opts.resume_col)?,
                job: required(&self.opts.job_col)?,
                id: field(&self.opts.id_col)?,
                resume_id: field("resume_id")?,
                job_id: field("job_id")?,
            })
        })();
        fields.unwrap_or_else(|broken| broken)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "a boolean",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "a value",
    }
}

impl RowSource for JsonlRows {
    fn next_rows(&mut self, n: usize) -> Result<Vec<RawRow>, InputError> {
        let mut out = Vec::with_capacity(n);
        if let Some(first) = self.first.take() {
            out.push(first);
        }
        while out.len() < n {
            match self.next_line()? {
                Some(bytes) => out.push(self.parse(&bytes)),
                None => break,
            }
        }
        Ok(out)
    }
}
