//! Writing pair files (CSV, Parquet in row groups, JSONL) row by row under a temporary name renamed
//! when complete, reading them back for `--check`, and the labelled renderings for `--labelled`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, ensure, Context, Result};
use arrow_array::{Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};

use crate::pairs::{PairRow, RenderedResume};

pub const COLUMNS: [&str; 5] = ["pair_id", "resume_id", "job_id", "resume", "job"];
/// Rows per Arrow batch handed to the Parquet writer: the most rows held in memory at once.
const BATCH_ROWS: usize = 1024;
/// Rows per Parquet row group. Texts repeat across pairs, so dictionary pages large enough for a
/// row group's distinct texts keep the file small.
const ROW_GROUP_ROWS: usize = 8192;
const DICTIONARY_PAGE_BYTES: usize = 16 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Jsonl,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Ok(Format::Csv),
            Some("parquet") => Ok(Format::Parquet),
            Some("jsonl") => Ok(Format::Jsonl),
            _ => bail!(
                "{}: the file name must end in .csv, .parquet or .jsonl",
                path.display()
            ),
        }
    }
}

/// A row as CSV and JSONL files hold it, in column order; borrowed where the source allows.
#[derive(Serialize, Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    pair_id: Cow<'a, str>,
    #[serde(borrow)]
    resume_id: Cow<'a, str>,
    #[serde(borrow)]
    job_id: Cow<'a, str>,
    #[serde(borrow)]
    resume: Cow<'a, str>,
    #[serde(borrow)]
    job: Cow<'a, str>,
}

impl<'a> Record<'a> {
    fn new(
        pair_id: &'a str,
        resume_id: &'a str,
        job_id: &'a str,
        resume: &'a str,
        job: &'a str,
    ) -> Self {
        Record {
            pair_id: Cow::Borrowed(pair_id),
            resume_id: Cow::Borrowed(resume_id),
            job_id: Cow::Borrowed(job_id),
            resume: Cow::Borrowed(resume),
            job: Cow::Borrowed(job),
        }
    }
}

impl<'a> From<&'a PairRow<'a>> for Record<'a> {
    fn from(row: &'a PairRow<'a>) -> Self {
        Record::new(&row.pair_id, row.resume_id, row.job_id, row.resume, row.job)
    }
}

/// Writes the rows to `path` in the format its extension names, via `path.tmp`; returns the count.
pub fn write_pairs<'a>(path: &Path, rows: impl Iterator<Item = PairRow<'a>>) -> Result<usize> {
    let format = Format::of(path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let written = match format {
        Format::Csv => write_csv(file, rows),
        Format::Jsonl => write_jsonl(file, rows),
        Format::Parquet => write_parquet(file, rows),
    }
    .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(written)
}

fn write_csv<'a>(file: File, rows: impl Iterator<Item = PairRow<'a>>) -> Result<usize> {
    let mut writer = csv::Writer::from_writer(BufWriter::new(file));
    let mut count = 0;
    for row in rows {
        writer.serialize(Record::from(&row))?;
        count += 1;
    }
    writer.flush()?;
    Ok(count)
}

fn write_jsonl<'a>(file: File, rows: impl Iterator<Item = PairRow<'a>>) -> Result<usize> {
    let mut out = BufWriter::new(file);
    let mut count = 0;
    for row in rows {
        serde_json::to_writer(&mut out, &Record::from(&row))?;
        out.write_all(b"\n")?;
        count += 1;
    }
    out.flush()?;
    Ok(count)
}

fn write_parquet<'a>(file: File, rows: impl Iterator<Item = PairRow<'a>>) -> Result<usize> {
    let schema = Arc::new(Schema::new(
        COLUMNS
            .iter()
            .map(|name| Field::new(*name, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_dictionary_page_size_limit(DICTIONARY_PAGE_BYTES)
        .build();
    let mut writer = ArrowWriter::try_new(BufWriter::new(file), schema.clone(), Some(props))?;
    let mut rows = rows.peekable();
    let mut count = 0;
    while rows.peek().is_some() {
        let batch: Vec<PairRow> = rows.by_ref().take(BATCH_ROWS).collect();
        count += batch.len();
        let column = |field: for<'r> fn(&'r PairRow<'a>) -> &'r str| -> Arc<dyn Array> {
            Arc::new(
                batch
                    .iter()
                    .map(|r| Some(field(r)))
                    .collect::<StringArray>(),
            )
        };
        let columns = vec![
            column(|r| &r.pair_id),
            column(|r| r.resume_id),
            column(|r| r.job_id),
            column(|r| r.resume),
            column(|r| r.job),
        ];
        writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
    }
    writer.close()?;
    Ok(count)
}

/// What `--check` found in a pair file.
pub struct CheckReport {
    pub rows: usize,
    pub columns: Vec<String>,
    pub distinct_resumes: usize,
    pub distinct_jobs: usize,
    /// Pairs whose `job_id` appears in at least one other pair.
    pub pairs_sharing_a_job: usize,
    /// Distinct styles, the middle part of `resume_id`s such as `john-doe.caps-rule.v1`.
    pub styles: usize,
}

/// Reads a pair file back and checks it: the five columns in order, no empty resume or job, no
/// repeated pair_id.
pub fn check(path: &Path) -> Result<CheckReport> {
    let mut columns = Vec::new();
    let mut seen_ids = BTreeSet::new();
    let mut resumes = BTreeSet::new();
    let mut styles = BTreeSet::new();
    let mut job_uses = BTreeMap::<String, usize>::new();
    let mut rows = 0;
    let mut visit = |r: Record| -> Result<()> {
        rows += 1;
        ensure!(
            !r.resume.trim().is_empty() && !r.job.trim().is_empty(),
            "row {rows} ({}) has an empty text",
            r.pair_id
        );
        ensure!(
            seen_ids.insert(r.pair_id.to_string()),
            "row {rows}: pair_id {} repeats",
            r.pair_id
        );
        styles.extend(r.resume_id.split('.').nth(1).map(str::to_string));
        resumes.insert(r.resume_id.into_owned());
        *job_uses.entry(r.job_id.into_owned()).or_default() += 1;
        Ok(())
    };
    match Format::of(path)? {
        Format::Csv => {
            let mut reader = csv::Reader::from_path(path)
                .with_context(|| format!("opening {}", path.display()))?;
            columns = reader.headers()?.iter().map(str::to_string).collect();
            for record in reader.records() {
                let record = record?;
                visit(record.deserialize(None)?)?;
            }
        }
        Format::Jsonl => {
            let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
            columns = COLUMNS.iter().map(|c| c.to_string()).collect();
            for line in BufReader::new(file).lines() {
                visit(serde_json::from_str(&line?)?)?;
            }
        }
        Format::Parquet => {
            let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
            for batch in reader {
                let batch = batch?;
                columns = batch
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect();
                let text = |i: usize| -> Result<&StringArray> {
                    batch
                        .column(i)
                        .as_any()
                        .downcast_ref::<StringArray>()
                        .context("a column is not text")
                };
                let (ids, rids, jids, res, jobs) =
                    (text(0)?, text(1)?, text(2)?, text(3)?, text(4)?);
                for i in 0..batch.num_rows() {
                    visit(Record::new(
                        ids.value(i),
                        rids.value(i),
                        jids.value(i),
                        res.value(i),
                        jobs.value(i),
                    ))?;
                }
            }
        }
    }
    ensure!(
        columns == COLUMNS,
        "{}: columns are {columns:?}, expected {COLUMNS:?}",
        path.display()
    );
    let pairs_sharing_a_job = job_uses.values().filter(|n| **n > 1).sum();
    Ok(CheckReport {
        rows,
        columns,
        distinct_resumes: resumes.len(),
        distinct_jobs: job_uses.len(),
        pairs_sharing_a_job,
        styles: styles.len(),
    })
}

/// Every rendering as `{id}.txt` (the text) and `{id}.labels` (one label a line) in `dir`.
pub fn write_labelled(dir: &Path, resumes: &[RenderedResume]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for resume in resumes {
        let mut text = String::new();
        let mut labels = String::new();
        for line in &resume.lines {
            text.push_str(&line.text);
            text.push('\n');
            labels.push_str(&line.label.to_string());
            labels.push('\n');
        }
        for (ext, body) in [("txt", text), ("labels", labels)] {
            let path = dir.join(format!("{}.{ext}", resume.id));
            std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::{pairs, test_pool};

    #[test]
    fn every_format_reads_back_and_rewrites_byte_identical() {
        let (resumes, jobs) = test_pool(3, 2);
        let dir = tempfile::tempdir().unwrap();
        for ext in ["csv", "parquet", "jsonl"] {
            let path = dir.path().join(format!("pairs.{ext}"));
            assert_eq!(
                write_pairs(&path, pairs(&resumes, &jobs, 2500, None)).unwrap(),
                2500
            );
            let first = std::fs::read(&path).unwrap();
            write_pairs(&path, pairs(&resumes, &jobs, 2500, None)).unwrap();
            assert_eq!(
                first,
                std::fs::read(&path).unwrap(),
                "{ext} is not deterministic"
            );
            let report = check(&path).unwrap();
            assert_eq!((report.rows, report.columns.len()), (2500, 5), "{ext}");
            let distinct = (report.distinct_resumes, report.distinct_jobs, report.styles);
            assert_eq!(distinct, (3, 2, 1), "{ext}");
        }
    }
}
