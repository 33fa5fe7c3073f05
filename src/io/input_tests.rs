//! Tests of the input readers on files made here.

use super::*;
use crate::pair::{stable_pair_id, Pair, RowOutcome};
use arrow_array::{ArrayRef, BinaryArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Multi-line, with a line that parses as a three-field CSV record on its own.
const RESUME: &str = "Jane Doe\n\nExperience\nEngineer, Acme, 2019\n- Built Python services\n";
const JOB: &str = "Python Engineer\n- Python\n";

fn read_with(path: &Path, opts: &InputOptions) -> Result<Vec<RowOutcome>, InputError> {
    let mut r = PairReader::open(path, opts)?;
    let mut all = Vec::new();
    while let Some(chunk) = r.next_chunk()? {
        assert!(!chunk.is_empty() && chunk.len() <= opts.chunk_rows, "chunk of {}", chunk.len());
        all.extend(chunk);
    }
    Ok(all)
}

fn read_all(path: &Path, chunk_rows: usize) -> Result<Vec<RowOutcome>, InputError> {
    read_with(path, &InputOptions { chunk_rows, ..InputOptions::default() })
}

fn summary(outcomes: &[RowOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| match o {
            RowOutcome::Pair(p) => format!("{} ok {}", p.row, p.pair_id),
            RowOutcome::Reject(r) => format!("{} reject {} {}", r.row, r.column, r.reason),
        })
        .collect()
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn good_csv_row(id: &str) -> String {
    format!("{id},{},{}\n", quoted(RESUME), quoted(JOB))
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// One CSV file with every kind of bad row between good ones.
fn malformed_csv(dir: &Path) -> PathBuf {
    let mut bytes = b"pair_id,resume,job\n".to_vec();
    bytes.extend(good_csv_row("a1").bytes());
    bytes.extend(format!("a2,\"  \n \",{}\n", quoted(JOB)).bytes());
    bytes.extend(b"a3,\"Jane \xff Doe\",\"job\"\n");
    bytes.extend(b"a4,\"unbalanced resume,job text\n");
    bytes.extend(good_csv_row("a5").bytes());
    bytes.extend(b"a6,only two\n");
    bytes.extend(good_csv_row("a1").bytes());
    bytes.extend(good_csv_row("a8").bytes());
    write_file(dir, "pairs.csv", &bytes)
}

#[test]
fn csv_rejects_each_malformed_row_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let got = summary(&read_all(&malformed_csv(dir.path()), 1024).expect("readable"));
    let want = [
        "1 ok a1",
        "2 reject resume empty resume",
        "3 reject resume invalid UTF-8 at byte 5",
        "4 reject (row) unbalanced quote: a quoted field is not closed before the next row",
        "5 ok a5",
        "6 reject (row) unparseable CSV record: 2 fields where the header has 3",
        "7 reject pair_id duplicate pair_id a1, first seen at row 1",
        "8 ok a8",
    ];
    assert_eq!(got, want);
}

const UNCLOSED: &str = "unbalanced quote: a quoted field is not closed before the next row";

#[test]
fn an_unbalanced_quote_in_row_3_of_6_loses_only_row_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken_rows = [
        // A quote opened in the resume and never closed.
        ("resume never closed", "p3,\"Unclosed resume, with a comma\nand a second line,job 3\n".to_string(), UNCLOSED),
        // The same in the last field: it swallows the following row's opening quote.
        ("job never closed", format!("p3,{},\"Job never closed\n", quoted(RESUME)), UNCLOSED),
        // Unescaped quotes inside a quoted multi-line field, around a line that looks like a record.
        ("stray quotes", "p3,\"Led the \"Apollo\" team\nSkills, Python, Go\n\nReferences\",job 3\n".to_string(), "(an unescaped quote inside a quoted field?)"),
    ];
    for (case, row3, reason) in broken_rows {
        let mut text = String::from("pair_id,resume,job\n");
        text.push_str(&good_csv_row("p1"));
        text.push_str(&good_csv_row("p2"));
        text.push_str(&row3);
        text.push_str(&good_csv_row("p4"));
        text.push_str(&format!("p5,short resume,{}\n", quoted(JOB)));
        text.push_str(&good_csv_row("p6"));
        let path = write_file(dir.path(), "six.csv", text.as_bytes());
        for chunk_rows in [1, 3, 1024] {
            let got = summary(&read_all(&path, chunk_rows).expect("readable"));
            assert_eq!(got.len(), 6, "{case}: {got:#?}");
            assert!(got[2].starts_with("3 reject (row) ") && got[2].ends_with(reason), "{case}: {got:#?}");
            let others: Vec<&str> = got.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, s)| s.as_str()).collect();
            assert_eq!(others, ["1 ok p1", "2 ok p2", "4 ok p4", "5 ok p5", "6 ok p6"], "{case}, chunks of {chunk_rows}");
        }
    }
}

#[test]
fn a_file_cut_off_inside_a_resume_ends_with_one_reject() {
    let dir = tempfile::tempdir().expect("tempdir");
    let whole = format!("pair_id,resume,job\n{}{}", good_csv_row("k1"), good_csv_row("k2"));
    let k2 = whole.find("k2,").expect("k2");
    // Cut after `Engineer, Acme,` and after `Engineer, Acme, 20`: the last line parses as three
    // fields either way.
    for cut in [k2 + 40, k2 + 44] {
        let path = write_file(dir.path(), "cut.csv", &whole.as_bytes()[..cut]);
        let got = summary(&read_all(&path, 1024).expect("readable"));
        assert_eq!(got, ["1 ok k1", "2 reject (row) unbalanced quote: the field runs to the end of the file"], "cut at {cut}: no pair is made of resume lines");
    }
    // Whereas a whole last row after an unclosed quote is read.
    let last = write_file(dir.path(), "last.csv", format!("pair_id,resume,job\n{}k2,\"never closed,job\nk3,plain resume,plain job\n", good_csv_row("k1")).as_bytes());
    assert_eq!(summary(&read_all(&last, 1024).expect("readable")), ["1 ok k1", &format!("2 reject (row) {UNCLOSED}"), "3 ok k3"]);
}

#[test]
fn texts_keep_their_newlines_quotes_and_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let resume = "He said \"hi\"\r\nthen left, quickly\n";
    let text = format!("\u{feff}resume_id, job_id ,pair_id,job,resume,notes\nr1,j1,,{},{},ignored\n", quoted(JOB), quoted(resume));
    let path = write_file(dir.path(), "ids.csv", text.as_bytes());
    let got = read_all(&path, 10).expect("readable");
    let want = Pair { row: 1, pair_id: stable_pair_id(resume, JOB), resume_id: Some("r1".into()), job_id: Some("j1".into()), resume: resume.into(), job: JOB.into() };
    assert_eq!(got, vec![RowOutcome::Pair(want)]);
}

#[test]
fn texts_over_the_limit_and_invalid_ids_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = "x".repeat(120);
    let mut bytes = format!("pair_id,resume,job,resume_id\nl1,{long},{JOB:?},\nl2,short,{long},\n").into_bytes();
    bytes.extend(b"l3,short,job,r\xc3\n");
    bytes.extend(b"l4,short,job,r4\n");
    let path = write_file(dir.path(), "limits.csv", &bytes);
    let opts = InputOptions { max_text_bytes: 100, ..InputOptions::default() };
    let got = summary(&read_with(&path, &opts).expect("readable"));
    assert_eq!(got, ["1 reject resume resume is 120 bytes, over the limit of 100", "2 reject job job is 120 bytes, over the limit of 100", "3 reject resume_id invalid UTF-8 at byte 1", "4 ok l4"]);
}

#[test]
fn a_csv_row_over_the_row_limit_is_rejected_and_reading_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = InputOptions { max_text_bytes: 10, ..InputOptions::default() };
    let huge = "y".repeat(row_byte_limit_for(&opts) + 10);
    let one_line = write_file(dir.path(), "line.csv", format!("resume,job\n{huge},{huge}\nshort,job\n").as_bytes());
    let got = summary(&read_with(&one_line, &opts).expect("readable"));
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(got[0].starts_with("1 reject (row) the row is over the limit of"), "{}", got[0]);
    assert!(got[1].starts_with("2 ok "), "{}", got[1]);
    // Held lines stop at the limit, so the lines of a runaway quoted field past it may come back
    // as rows of their own; what matters is that the good rows after them are read.
    let many_lines = write_file(dir.path(), "lines.csv", format!("resume,job\n\"{}\",job\nshort,job\n", "y\n".repeat(huge.len())).as_bytes());
    let got = summary(&read_with(&many_lines, &opts).expect("readable"));
    assert!(got[0].starts_with("1 reject (row) unbalanced quote: the field runs past the size limit"), "{}", got[0]);
    assert!(got.last().is_some_and(|g| g.ends_with(&format!("ok {}", stable_pair_id("short", "job")))), "{:?}", got.last());
}

fn row_byte_limit_for(opts: &InputOptions) -> usize {
    super::input::row_byte_limit(opts)
}

#[test]
fn chunk_size_does_not_change_what_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = [malformed_csv(dir.path()), jsonl_sample(dir.path()), parquet_sample(dir.path())];
    for path in &paths {
        let reference = read_all(path, 1024).expect("readable");
        assert!(reference.len() >= 3, "{}", path.display());
        for n in [1, 3] {
            assert_eq!(read_all(path, n).expect("readable"), reference, "{} in chunks of {n}", path.display());
        }
    }
}

#[test]
fn missing_columns_and_files_are_fatal_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(dir.path(), "cols.csv", b"pair_id,resume,text\n1,a,b\n");
    let e = read_all(&path, 10).expect_err("missing job column").to_string();
    assert_eq!(e, format!("{}: missing required column \"job\"; the file has columns: pair_id, resume, text", path.display()));
    let e = read_all(&dir.path().join("nope.csv"), 10).expect_err("missing file").to_string();
    assert!(e.starts_with(&dir.path().join("nope.csv").display().to_string()), "{e}");
    let e = read_all(&dir.path().join("x.txt"), 10).expect_err("unknown format").to_string();
    assert!(e.contains("x.txt"), "{e}");
    let empty = write_file(dir.path(), "empty.csv", b"");
    assert!(read_all(&empty, 10).expect_err("no header").to_string().contains("empty.csv"));
    let header_only = write_file(dir.path(), "header.csv", b"resume,job\r\n");
    assert_eq!(read_all(&header_only, 10).expect("readable"), Vec::new());
}

#[test]
fn input_formats_follow_the_extension() {
    assert_eq!(InputFormat::from_path(Path::new("a/b.CSV")), Some(InputFormat::Csv));
    assert_eq!(InputFormat::from_path(Path::new("b.pq")), Some(InputFormat::Parquet));
    assert_eq!(InputFormat::from_path(Path::new("b.ndjson")), Some(InputFormat::Jsonl));
    assert_eq!(InputFormat::from_path(Path::new("b.json")), None);
}

fn jsonl_sample(dir: &Path) -> PathBuf {
    let row = |id: &str| serde_json::json!({"pair_id": id, "resume": RESUME, "job": JOB}).to_string();
    let mut bytes = format!("{}\n\nnot json\n{{\"pair_id\":\"c4\",\"resume\":[1],\"job\":\"j\"}}\n{}\n", row("c1"), row("c5")).into_bytes();
    bytes.extend(b"{\"resume\":\"caf\xc3\xa9 \xff\",\"job\":\"j\"}\n");
    bytes.extend(format!("{{\"pair_id\":17,\"resume\":{RESUME:?},\"job\":\"j\"}}\n{{\"resume\":12,\"job\":\"j\"}}\n[1,2]\n{{\"job\":\"j\"}}\n{}\n", row("c1")).bytes());
    write_file(dir, "pairs.jsonl", &bytes)
}

#[test]
fn jsonl_rows_are_checked_line_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let got = summary(&read_all(&jsonl_sample(dir.path()), 2).expect("readable"));
    assert_eq!(got[0], "1 ok c1");
    assert!(got[1].starts_with("3 reject (row) invalid JSON"), "{}", got[1]);
    assert_eq!(got[2..], [
        "4 reject resume expected text, found an array",
        "5 ok c5",
        "6 reject (row) invalid UTF-8 at byte 17",
        "7 ok 17",
        "8 reject resume expected text, found a number",
        "9 reject (row) the line is JSON but not an object (an array)",
        "10 reject resume missing key \"resume\"",
        "11 reject pair_id duplicate pair_id c1, first seen at row 1",
    ]);
}

#[test]
fn jsonl_columns_come_from_the_first_object_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write_file(dir.path(), "keys.jsonl", b"\nnot json\n{\"cv\":\"a\",\"job\":\"b\"}\n{\"resume\":\"a\",\"job\":\"b\"}\n");
    let e = read_all(&bad, 2).expect_err("the first object has no resume key").to_string();
    assert_eq!(e, format!("{}: missing required column \"resume\"; the file has columns: cv, job", bad.display()));
    let late = write_file(dir.path(), "late.jsonl", b"[]\n\n{\"resume\":\"a\",\"job\":\"b\",\"pair_id\":\"x\"}\n");
    assert_eq!(summary(&read_all(&late, 2).expect("readable")), ["1 reject (row) the line is JSON but not an object (an array)", "3 ok x"]);
}

#[test]
fn a_jsonl_line_over_the_row_limit_is_rejected_and_reading_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = InputOptions { max_text_bytes: 10, ..InputOptions::default() };
    let huge = "z".repeat(row_byte_limit_for(&opts) + 1);
    let text = format!("{{\"resume\":\"a\",\"job\":\"b\"}}\n{{\"resume\":\"{huge}\",\"job\":\"b\"}}\n{{\"resume\":\"c\",\"job\":\"d\"}}\n");
    let path = write_file(dir.path(), "huge.jsonl", text.as_bytes());
    let got = summary(&read_with(&path, &opts).expect("readable"));
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(got[1].starts_with(&format!("2 reject (row) the line is {} bytes, over the limit of", huge.len() + 24)), "{}", got[1]);
    assert!(got[2].starts_with("3 ok "), "{}", got[2]);
}

fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let schema = Arc::new(Schema::new(columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect::<Vec<_>>()));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns.into_iter().map(|(_, a)| a).collect()).expect("batch");
    let file = std::fs::File::create(path).expect("create");
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema, None).expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
}

/// A Binary resume column holding invalid UTF-8 and a null, between Utf8 columns.
fn parquet_sample(dir: &Path) -> PathBuf {
    let path = dir.join("pairs.parquet");
    write_parquet(
        &path,
        vec![
            ("pair_id", Arc::new(StringArray::from(vec!["d1", "d2", "d3", "d4"]))),
            ("notes", Arc::new(Int64Array::from(vec![1, 2, 3, 4]))),
            ("resume", Arc::new(BinaryArray::from(vec![Some(RESUME.as_bytes()), Some(&b"bad \xc3\x28 bytes"[..]), None, Some(b"fine")]))),
            ("job", Arc::new(StringArray::from(vec![Some(JOB), Some(JOB), Some(JOB), Some(JOB)]))),
        ],
    );
    path
}

#[test]
fn parquet_binary_columns_with_invalid_utf8_become_rejects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let got = summary(&read_all(&parquet_sample(dir.path()), 2).expect("readable"));
    assert_eq!(got, ["1 ok d1", "2 reject resume invalid UTF-8 at byte 4", "3 reject resume empty resume", "4 ok d4"]);
}

#[test]
fn parquet_ids_may_be_integers_but_texts_must_be_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ids = dir.path().join("ids.parquet");
    write_parquet(&ids, vec![("pair_id", Arc::new(Int64Array::from(vec![7, 8]))), ("resume", Arc::new(StringArray::from(vec!["r", "s"]))), ("job", Arc::new(StringArray::from(vec!["j", "j"])))]);
    assert_eq!(summary(&read_all(&ids, 10).expect("readable")), ["1 ok 7", "2 ok 8"]);
    let numbers = dir.path().join("numbers.parquet");
    write_parquet(&numbers, vec![("resume", Arc::new(Int64Array::from(vec![1]))), ("job", Arc::new(StringArray::from(vec!["j"])))]);
    let e = read_all(&numbers, 10).expect_err("a numeric resume column").to_string();
    assert!(e.starts_with(&numbers.display().to_string()) && e.contains("column \"resume\" is Int64; expected text"), "{e}");
}

#[test]
fn unreadable_or_incomplete_parquet_files_are_fatal_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corrupt = write_file(dir.path(), "corrupt.parquet", b"PAR1 this is not a parquet file PAR1");
    let e = read_all(&corrupt, 10).expect_err("corrupt").to_string();
    assert!(e.starts_with(&corrupt.display().to_string()) && e.contains("not a readable Parquet file"), "{e}");
    let cols = dir.path().join("cols.parquet");
    write_parquet(&cols, vec![("resume", Arc::new(StringArray::from(vec!["r"]))), ("text", Arc::new(StringArray::from(vec!["t"])))]);
    let e = read_all(&cols, 10).expect_err("no job column").to_string();
    assert_eq!(e, format!("{}: missing required column \"job\"; the file has columns: resume, text", cols.display()));
}

#[test]
fn column_names_come_from_the_options() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(dir.path(), "named.csv", b"id,cv,posting\nn1,my cv,\n");
    let opts = InputOptions { resume_col: "cv".into(), job_col: "posting".into(), id_col: "id".into(), ..InputOptions::default() };
    assert_eq!(summary(&read_with(&path, &opts).expect("readable")), ["1 reject posting empty job"]);
}
