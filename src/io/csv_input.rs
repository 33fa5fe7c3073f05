//! CSV input: records split by a quote-aware scanner that can recover from a broken row.
//!
//! Quoted fields may hold newlines (resumes are multi-line), so a record ends at the first line end
//! outside quotes. An unbalanced quote would then swallow the rows after it. Recovery: a record
//! that does not parse into exactly the header's number of fields (or that reaches the end of the
//! file, or the size limit, inside quotes) is rejected as one row, and reading starts again at the
//! first of its later lines from which a whole, well-formed record parses. Only the broken row is
//! lost; the rows it had swallowed come back with their own row numbers.

use super::input::{ColumnIndex, Field, InputOptions, RawRow, RowSource};
use super::InputError;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Physical lines read but not yet consumed by a record (kept for recovery).
struct Lines {
    reader: BufReader<File>,
    pending: VecDeque<Vec<u8>>,
    path: PathBuf,
}

impl Lines {
    /// The `i`-th line ahead, reading more as needed; None past the end of the file.
    fn peek(&mut self, i: usize) -> Result<Option<&Vec<u8>>, InputError> {
        while self.pending.len() <= i {
            let mut line = Vec::new();
            let n = self.reader.read_until(b'\n', &mut line).map_err(|e| InputError::Unreadable { path: self.path.clone(), message: e.to_string() })?;
            if n == 0 {
                return Ok(None);
            }
            self.pending.push_back(line);
        }
        Ok(self.pending.get(i))
    }
}

/// Why a span of lines is not a record.
enum Scan {
    /// Lines `[0, n)` form a record with these fields.
    Record(usize, Vec<Vec<u8>>),
    /// No well-formed record starts here; it would span `n` lines (at least 1).
    Broken(usize, String),
    End,
}

pub(crate) struct CsvRows {
    lines: Lines,
    columns: ColumnIndex,
    width: usize,
    /// Largest record accepted while looking for its end.
    max_record: usize,
    row: u64,
}

impl CsvRows {
    pub fn new(path: &Path, file: File, opts: &InputOptions) -> Result<CsvRows, InputError> {
        let mut lines = Lines { reader: BufReader::with_capacity(1 << 16, file), pending: VecDeque::new(), path: path.to_path_buf() };
        let max_record = opts.max_text_bytes.saturating_mul(3).saturating_add(1 << 16);
        let header = match scan(&mut lines, 0, usize::MAX, max_record)? {
            Scan::Record(n, fields) => {
                lines.pending.drain(..n);
                fields
            }
            Scan::Broken(..) => return Err(InputError::Unreadable { path: path.to_path_buf(), message: "the header row is not valid CSV".into() }),
            Scan::End => return Err(InputError::Unreadable { path: path.to_path_buf(), message: "the file is empty".into() }),
        };
        let mut names = Vec::with_capacity(header.len());
        for (i, h) in header.into_iter().enumerate() {
            let mut s = String::from_utf8(h).map_err(|_| InputError::Unreadable { path: path.to_path_buf(), message: format!("header column {} is not valid UTF-8", i + 1) })?;
            if i == 0 {
                s = s.trim_start_matches('\u{feff}').to_string();
            }
            names.push(s.trim().to_string());
        }
        let columns = ColumnIndex::find(path, &names, opts)?;
        Ok(CsvRows { lines, columns, width: names.len(), max_record, row: 0 })
    }

    fn raw(&self, row: u64, mut fields: Vec<Vec<u8>>) -> RawRow {
        let mut take = |i: usize| Field::Bytes(std::mem::take(&mut fields[i]));
        let c = &self.columns;
        RawRow::Fields {
            row,
            id: c.id.map(&mut take),
            resume: take(c.resume),
            job: take(c.job),
            resume_id: c.resume_id.map(&mut take),
            job_id: c.job_id.map(&mut take),
        }
    }
}

impl RowSource for CsvRows {
    fn next_rows(&mut self, n: usize) -> Result<Vec<RawRow>, InputError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match scan(&mut self.lines, 0, self.width, self.max_record)? {
                Scan::End => break,
                Scan::Record(lines, fields) => {
                    self.lines.pending.drain(..lines);
                    if fields.len() == 1 && fields[0].is_empty() {
                        // A blank line between records: not a row.
                        continue;
                    }
                    self.row += 1;
                    out.push(self.raw(self.row, fields));
                }
                Scan::Broken(lines, reason) => {
                    self.row += 1;
                    // Restart at the first later line of the broken span that starts a good record.
                    let mut skip = 1;
                    while skip < lines {
                        if matches!(scan(&mut self.lines, skip, self.width, self.max_record)?, Scan::Record(..)) {
                            break;
                        }
                        skip += 1;
                    }
                    self.lines.pending.drain(..skip);
                    out.push(RawRow::Broken { row: self.row, column: "(row)".into(), reason });
                }
            }
        }
        Ok(out)
    }
}

/// Scans the record starting at pending line `start`. With `width == usize::MAX` any field count
/// is accepted (the header).
fn scan(lines: &mut Lines, start: usize, width: usize, max_record: usize) -> Result<Scan, InputError> {
    let mut record: Vec<u8> = Vec::new();
    let mut quotes = 0usize;
    let mut i = start;
    loop {
        let Some(line) = lines.peek(i)? else {
            return Ok(if i == start { Scan::End } else { Scan::Broken(i - start, "unbalanced quote: the field runs to the end of the file".into()) });
        };
        quotes += line.iter().filter(|&&b| b == b'"').count();
        record.extend_from_slice(line);
        i += 1;
        if quotes % 2 == 1 {
            if record.len() > max_record {
                return Ok(Scan::Broken(i - start, "unbalanced quote: the field runs past the size limit".into()));
            }
            continue;
        }
        while matches!(record.last(), Some(b'\n' | b'\r')) {
            record.pop();
        }
        return Ok(match split_fields(&record) {
            Ok(fields) if width == usize::MAX || fields.len() == width || (fields.len() == 1 && fields[0].is_empty()) => Scan::Record(i - start, fields),
            Ok(fields) => Scan::Broken(i - start, format!("unparseable CSV record: {} fields where the header has {width}", fields.len())),
            Err(reason) => Scan::Broken(i - start, reason),
        });
    }
}

/// Splits one record (quotes balanced, no trailing line end) into unescaped fields.
fn split_fields(record: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let mut field = Vec::new();
        if record.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match record.get(i) {
                    None => return Err("unbalanced quote".into()),
                    Some(b'"') if record.get(i + 1) == Some(&b'"') => {
                        field.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        field.push(b);
                        i += 1;
                    }
                }
            }
            match record.get(i) {
                None | Some(b',') => {}
                Some(_) => return Err("unparseable CSV record: text after a closing quote".into()),
            }
        } else {
            while let Some(&b) = record.get(i) {
                if b == b',' {
                    break;
                }
                if b == b'"' {
                    return Err("unparseable CSV record: a quote inside an unquoted field".into());
                }
                field.push(b);
                i += 1;
            }
        }
        fields.push(field);
        if record.get(i) == Some(&b',') {
            i += 1;
        } else {
            return Ok(fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_unescape_quotes_and_keep_newlines() {
        let f = split_fields(b"a,\"b \"\"q\"\"\nline\",,c").expect("valid");
        assert_eq!(f, vec![b"a".to_vec(), b"b \"q\"\nline".to_vec(), Vec::new(), b"c".to_vec()]);
        assert!(split_fields(b"a,\"b\"x,c").is_err());
        assert!(split_fields(b"a,b\"c").is_err());
    }
}
