//! CSV input: records split by a strict, quote-aware scanner that recovers from a broken row.
//!
//! Quoted fields may hold newlines (resumes are multi-line), so a record ends at the first line
//! end outside quotes, and one bad quote can make a parser swallow the rows after it. The `csv`
//! crate is lenient (it reads `"a"b` as `ab` and runs an unclosed quote to the end of the file),
//! which hides exactly the damage to detect, and it cannot restart at a line of our choosing; so
//! records are framed by lines here and parsed strictly (RFC 4180): a record is well-formed when
//! its quotes balance, no quote stands inside an unquoted field or after a closing quote, and it
//! has the header's number of fields.
//!
//! Recovery (`resync`). A record that is not well-formed is rejected as one row, and reading
//! restarts at a line chosen so that only that row is lost:
//! 1. at the first of its later lines that starts a well-formed record *followed by* a plausible
//!    one (well-formed, readable leniently, or the end of a file whose last line ends with a line
//!    break), or ending where the lenient
//!    reading of 2. ends (which then only found its fields by swallowing that record). This
//!    catches the usual damage, a quote never closed: the next real row starts right after the
//!    broken one, while a line inside a multi-line field that happens to parse as a record
//!    (`Skills, Python, Go`) is rarely followed by one that does too;
//! 2. otherwise, where the broken row ends when stray quotes inside a quoted field are read as
//!    text (`"He led the "Apollo" team"`), if that reading gives the header's number of fields;
//! 3. otherwise after all the lines the broken record spanned. A lone well-formed line in there
//!    is not trusted: in a file cut off inside a multi-line resume it is a line of that resume
//!    (`Engineer, Acme, 2019`), and a pair made of it would be worse than a lost row.
//!
//! Rows are numbered by record, so the rows after a broken one keep their own numbers. Lines are
//! held only while a record or a recovery looks at them, and each look stops after
//! `row_byte_limit` bytes, so a quote that never closes costs bounded memory and time. A row over
//! that limit is rejected; the lines of a quoted field that runs past it may come back as rejected
//! rows of their own, since where such a field ends cannot be known without holding it.

use super::input::{read_line_bounded, row_byte_limit, ColumnIndex, Field, InputOptions, RawRow, RowSource};
use super::InputError;
use std::collections::VecDeque;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Physical lines read but not yet consumed by a record (kept for recovery).
struct Lines {
    reader: BufReader<File>,
    pending: VecDeque<Vec<u8>>,
    path: PathBuf,
    /// Longest record; a longer line is kept cut to one byte over it, which marks it too long.
    max_record: usize,
}

impl Lines {
    /// The `i`-th line ahead, reading more as needed; None past the end of the file.
    fn peek(&mut self, i: usize) -> Result<Option<&[u8]>, InputError> {
        while self.pending.len() <= i {
            let mut line = Vec::new();
            let n = read_line_bounded(&mut self.reader, &mut line, self.max_record + 1).map_err(|e| InputError::Unreadable { path: self.path.clone(), message: e.to_string() })?;
            if n == 0 {
                return Ok(None);
            }
            self.pending.push_back(line);
        }
        Ok(self.pending.get(i).map(Vec::as_slice))
    }
}

/// What starts at a line.
enum Scan {
    /// A well-formed record spanning this many lines, with its unescaped fields.
    Record(usize, Vec<Vec<u8>>),
    /// An empty line between records: not a row.
    Blank,
    /// No well-formed record starts here; the strict reading spans this many lines (at least 1).
    Broken(usize, String),
    End,
}

pub(crate) struct CsvRows {
    lines: Lines,
    columns: ColumnIndex,
    width: usize,
    row: u64,
}

impl CsvRows {
    pub fn new(path: &Path, file: File, opts: &InputOptions) -> Result<CsvRows, InputError> {
        let reader = BufReader::with_capacity(1 << 16, file);
        let mut lines = Lines { reader, pending: VecDeque::new(), path: path.to_path_buf(), max_record: row_byte_limit(opts) };
        let unreadable = |message: &str| InputError::Unreadable { path: path.to_path_buf(), message: message.to_string() };
        let header = loop {
            match scan(&mut lines, 0, None)? {
                Scan::Record(n, fields) => {
                    lines.pending.drain(..n);
                    break fields;
                }
                Scan::Blank => {
                    lines.pending.pop_front();
                }
                Scan::Broken(..) => return Err(unreadable("the header row is not valid CSV")),
                Scan::End => return Err(unreadable("the file is empty (no header row)")),
            }
        };
        let mut names = Vec::with_capacity(header.len());
        for (i, h) in header.into_iter().enumerate() {
            let mut s = String::from_utf8(h).map_err(|_| unreadable(&format!("header column {} is not valid UTF-8", i + 1)))?;
            if i == 0 {
                s = s.trim_start_matches('\u{feff}').to_string();
            }
            names.push(s.trim().to_string());
        }
        let columns = ColumnIndex::find(path, &names, opts)?;
        Ok(CsvRows { lines, columns, width: names.len(), row: 0 })
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

    /// How many lines the broken record at the first pending line takes (see the module docs),
    /// and, when it is found to end at the next row, a truer reason than the strict parse's.
    fn resync(&mut self, strict_lines: usize) -> Result<(usize, Option<&'static str>), InputError> {
        let width = Some(self.width);
        let lenient = lenient_lines(&mut self.lines, 0, self.width)?;
        let span = strict_lines.max(lenient.unwrap_or(0));
        for start in 1..span {
            if let Scan::Record(n, _) = scan(&mut self.lines, start, width)? {
                // A lenient reading that ends where this record does got its fields by
                // swallowing this record: the broken row ends before it.
                if lenient == Some(start + n) || plausible_at(&mut self.lines, start + n, self.width)? {
                    return Ok((start, Some("unbalanced quote: a quoted field is not closed before the next row")));
                }
            }
        }
        Ok((lenient.unwrap_or(span), None))
    }
}

impl RowSource for CsvRows {
    fn next_rows(&mut self, n: usize) -> Result<Vec<RawRow>, InputError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match scan(&mut self.lines, 0, Some(self.width))? {
                Scan::End => break,
                Scan::Blank => {
                    self.lines.pending.pop_front();
                }
                Scan::Record(lines, fields) => {
                    self.lines.pending.drain(..lines);
                    self.row += 1;
                    out.push(self.raw(self.row, fields));
                }
                Scan::Broken(lines, reason) => {
                    self.row += 1;
                    let (skip, cause) = self.resync(lines)?;
                    self.lines.pending.drain(..skip);
                    let reason = cause.map_or(reason, str::to_string);
                    out.push(RawRow::Broken { row: self.row, column: "(row)".into(), reason });
                }
            }
        }
        Ok(out)
    }
}

/// Whether a row could start at pending line `start` (> 0), blank lines skipped: a well-formed
/// record, a record that reads leniently, or the end of a file whose last line is whole. A file
/// cut off mid-line (an interrupted export) ends inside a field, so its last line, whatever it
/// looks like, confirms nothing.
fn plausible_at(lines: &mut Lines, mut start: usize, width: usize) -> Result<bool, InputError> {
    loop {
        match scan(lines, start, Some(width))? {
            Scan::Blank => start += 1,
            Scan::Record(..) => return Ok(true),
            Scan::End => return Ok(lines.peek(start - 1)?.is_some_and(|l| l.ends_with(b"\n"))),
            Scan::Broken(..) => return Ok(lenient_lines(lines, start, width)?.is_some()),
        }
    }
}

/// Reads the record at pending line `start` strictly. `width` is the header's field count (None
/// while reading the header itself).
fn scan(lines: &mut Lines, start: usize, width: Option<usize>) -> Result<Scan, InputError> {
    let max_record = lines.max_record;
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
        if record.len() > max_record {
            let reason = if quotes % 2 == 1 { "unbalanced quote: the field runs past the size limit of a row".to_string() } else { format!("the row is over the limit of {max_record} bytes") };
            return Ok(Scan::Broken(i - start, reason));
        }
        if quotes % 2 == 1 {
            continue;
        }
        while matches!(record.last(), Some(b'\n' | b'\r')) {
            record.pop();
        }
        if record.is_empty() {
            return Ok(Scan::Blank);
        }
        return Ok(match split_fields(&record) {
            Ok(fields) if width.is_none_or(|w| fields.len() == w) => Scan::Record(i - start, fields),
            Ok(fields) => Scan::Broken(i - start, format!("unparseable CSV record: {} fields where the header has {}", fields.len(), width.unwrap_or(0))),
            Err(reason) => Scan::Broken(i - start, reason),
        });
    }
}

/// How many lines the record at pending line `start` spans when read leniently, if that reading
/// gives `width` fields. Leniently, a quote closes a quoted field only before a comma or a line
/// end, and a quote inside an unquoted field is text: how hand-made exports usually go wrong.
fn lenient_lines(lines: &mut Lines, start: usize, width: usize) -> Result<Option<usize>, InputError> {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        /// A quote inside a quoted field: a close, an escape or stray text, by what follows.
        QuoteInQuoted,
    }
    let max_record = lines.max_record;
    let mut state = State::FieldStart;
    let mut fields = 1;
    let mut size = 0;
    let mut i = start;
    while let Some(line) = lines.peek(i)? {
        i += 1;
        size += line.len();
        if size > max_record {
            return Ok(None);
        }
        for &b in line {
            state = match (state, b) {
                (State::FieldStart | State::Unquoted | State::QuoteInQuoted, b',') => {
                    fields += 1;
                    State::FieldStart
                }
                (State::FieldStart | State::Unquoted | State::QuoteInQuoted, b'\n') => return Ok((fields == width).then_some(i - start)),
                // `"\r\n` closes the field at the `\n`.
                (State::QuoteInQuoted, b'\r') => State::QuoteInQuoted,
                // After a quote in a quoted field, anything but a comma or a line end makes it
                // text: an escaped `""` or a stray quote alike.
                (State::FieldStart, b'"') | (State::QuoteInQuoted, _) => State::Quoted,
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::FieldStart | State::Unquoted, _) => State::Unquoted,
            };
        }
    }
    // The end of the file ends the record unless a quoted field is still open.
    Ok((i > start && !matches!(state, State::Quoted) && fields == width).then_some(i - start))
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
                Some(_) => return Err("unparseable CSV record: text after a closing quote (an unescaped quote inside a quoted field?)".into()),
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
