//! `tailor segment`: one resume's sections, entries and metrics, read from a text file or from a
//! row of an input file (CSV, Parquet, JSONL, through the same readers as `run`), printed as text
//! or JSON. Loading is the only I/O; rendering is pure.

use crate::io::{InputOptions, PairReader};
use crate::pair::RowOutcome;
use crate::segment::Segmentation;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Why a resume could not be loaded; `exit_code` follows DESIGN.md (2 usage, 1 fatal).
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: not UTF-8 text (at byte {at})")]
    NotText { path: PathBuf, at: usize },
    #[error(transparent)]
    Input(#[from] crate::io::InputError),
    #[error("{path}: row {row}, column {column}: {reason}")]
    Rejected { path: PathBuf, row: u64, column: String, reason: String },
    #[error("{path}: no row {row} (the file has {rows} data rows)")]
    NoSuchRow { path: PathBuf, row: u64, rows: u64 },
    #[error("{path}: --row needs an input file (.csv, .parquet or .jsonl); a text file is one resume")]
    RowOfText { path: PathBuf },
    #[error("{path}: an input file (.csv, .parquet or .jsonl) needs --row N to pick a resume")]
    RowMissing { path: PathBuf },
}

impl InspectError {
    pub fn exit_code(&self) -> u8 {
        match self {
            InspectError::NoSuchRow { .. } | InspectError::RowOfText { .. } | InspectError::RowMissing { .. } => 2,
            _ => 1,
        }
    }
}

/// The resume text of `path`: the whole file, or with `row` the resume column of data row `row`
/// (1-based, numbered as `rejects.csv` numbers rows) of an input file.
pub fn load_resume(path: &Path, row: Option<u64>, resume_col: Option<&str>) -> Result<String, InspectError> {
    let table = crate::io::InputFormat::from_path(path).is_some();
    match (table, row) {
        (false, Some(_)) => Err(InspectError::RowOfText { path: path.to_path_buf() }),
        (true, None) => Err(InspectError::RowMissing { path: path.to_path_buf() }),
        (false, None) => {
            let bytes = std::fs::read(path).map_err(|source| InspectError::Read { path: path.to_path_buf(), source })?;
            String::from_utf8(bytes).map_err(|e| InspectError::NotText { path: path.to_path_buf(), at: e.utf8_error().valid_up_to() })
        }
        (true, Some(want)) => {
            let mut opts = InputOptions::default();
            if let Some(c) = resume_col {
                opts.resume_col = c.to_string();
            }
            let mut reader = PairReader::open(path, &opts)?;
            let mut rows = 0;
            while let Some(chunk) = reader.next_chunk()? {
                for outcome in chunk {
                    let (r, found) = match outcome {
                        RowOutcome::Pair(p) => (p.row, Ok(p.resume)),
                        RowOutcome::Reject(j) => (j.row, Err((j.column, j.reason))),
                    };
                    rows = rows.max(r);
                    if r == want {
                        return found.map_err(|(column, reason)| InspectError::Rejected { path: path.to_path_buf(), row: r, column, reason });
                    }
                }
            }
            Err(InspectError::NoSuchRow { path: path.to_path_buf(), row: want, rows })
        }
    }
}

/// 1-based line number of each byte offset's line, by binary search over line starts.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// The 1-based first and last lines of a byte range of whole lines.
    fn lines(&self, span: &std::ops::Range<usize>) -> (usize, usize) {
        let line = |at: usize| self.0.partition_point(|&s| s <= at);
        (line(span.start), line(span.end.saturating_sub(1).max(span.start)))
    }
}

/// The JSON form: sections with type, heading, heading line, line range (1-based, inclusive),
/// metrics and entries with title, organisation, dates, line range and bullets.
pub fn to_json(source: &str, row: Option<u64>, text: &str, seg: &Segmentation) -> Value {
    let index = LineIndex::new(text);
    let sections: Vec<Value> = seg
        .sections
        .iter()
        .map(|s| {
            let (first, last) = index.lines(&s.span);
            let entries: Vec<Value> = s
                .entries
                .iter()
                .map(|e| {
                    let (a, b) = index.lines(&e.span);
                    json!({"title": e.title, "organisation": e.organisation, "dates": e.dates, "lines": [a, b], "bullets": e.bullets})
                })
                .collect();
            json!({
                "type": s.kind.as_str(),
                "heading": s.heading,
                "heading_line": s.heading.as_ref().map(|_| first),
                "lines": [first, last],
                "metrics": s.metrics,
                "complexity": (s.metrics.complexity() * 1000.0).round() / 1000.0,
                "entries": entries,
            })
        })
        .collect();
    json!({"source": source, "row": row, "lines": text.split_inclusive('\n').count(), "sections": sections})
}

/// The text form: one line per section (line range, type, heading, metrics), one per entry.
pub fn to_text(source: &str, row: Option<u64>, text: &str, seg: &Segmentation) -> String {
    use std::fmt::Write as _;
    let index = LineIndex::new(text);
    let mut out = String::new();
    let at = row.map_or(String::new(), |r| format!(" row {r}"));
    let _ = writeln!(out, "{source}{at}: {} sections, {} lines", seg.sections.len(), text.split_inclusive('\n').count());
    for s in &seg.sections {
        let (first, last) = index.lines(&s.span);
        let m = &s.metrics;
        let heading = s.heading.as_deref().map_or("(no heading)".to_string(), |h| format!("{h:?}"));
        let _ = writeln!(
            out,
            "{:>4}-{:<4} {:<14} {heading}  lines={} words={} bullets={} entries={} skills={} numbers={} complexity={:.2}",
            first,
            last,
            s.kind.as_str(),
            m.lines,
            m.words,
            m.bullets,
            m.entries,
            m.distinct_skills,
            m.numbers,
            m.complexity()
        );
        for e in &s.entries {
            let (a, b) = index.lines(&e.span);
            let field = |f: &Option<String>| f.clone().unwrap_or_else(|| "-".into());
            let _ = writeln!(out, "            {a:>4}-{b:<4} {} | {} | {}  ({} bullets)", field(&e.title), field(&e.organisation), field(&e.dates), e.bullets);
        }
    }
    out
}
