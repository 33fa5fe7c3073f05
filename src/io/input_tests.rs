//! Tests of the input readers on files made here.

use super::*;
use crate::pair::RowOutcome;
use arrow_array::{BinaryArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use std::path::Path;
use std::sync::Arc;

const RESUME: &str = "Jane Doe\n\nExperience\nEngineer, Acme — 2019 – 2021\n- Built Python services\n";
const JOB: &str = "Python Engineer\n- Python\n";

fn read_all(path: &Path, chunk_rows: usize) -> Result<Vec<RowOutcome>, InputError> {
    let opts = InputOptions { chunk_rows, ..InputOptions::default() };
    let mut r = PairReader::open(path, &opts)?;
    let mut all = Vec::new();
    while let Some(chunk) = r.next_chunk()? {
        assert!(chunk.len() <= chunk_rows);
        all.extend(chunk);
    }
    Ok(all)
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

#[test]
fn csv_rejects_each_malformed_row_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pairs.csv");
    let good = |id: &str| format!("{id},{},{}\n", quoted(RESUME), quoted(JOB));
    let mut bytes = b"pair_id,resume,job\n".to_vec();
    bytes.extend(good("a1").bytes());
    bytes.extend(format!("a2,\"\",{}\n", quoted(JOB)).bytes());
    bytes.extend(b"a3,\"Jane \xff Doe\",\"job\"\n");
    bytes.extend(b"a4,\"unbalanced resume,job text\n");
    bytes.extend(good("a5").bytes());
    bytes.extend(b"a6,only two\n");
    bytes.extend(good("a1").bytes());
    bytes.extend(good("a8").bytes());
    std::fs::write(&path, bytes).expect("write");
    let got = summary(&read_all(&path, 1024).expect("readable"));
    assert_eq!(got.len(), 8, "{got:#?}");
    assert_eq!(got[0], "1 ok a1");
    assert_eq!(got[1], "2 reject resume empty resume");
    assert!(got[2].starts_with("3 reject resume invalid UTF-8 at byte 5"), "{}", got[2]);
    assert!(got[3].starts_with("4 reject (row) unparseable CSV record"), "{}", got[3]);
    assert_eq!(got[4], "5 ok a5", "the row after an unbalanced quote is recovered");
    assert!(got[5].starts_with("6 reject (row) unparseable CSV record: 2 fields"), "{}", got[5]);
    assert_eq!(got[6], "7 reject pair_id duplicate pair_id a1, first seen at row 1");
    assert_eq!(got[7], "8 ok a8");
}

#[test]
fn an_unbalanced_quote_in_the_last_field_does_not_swallow_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pairs.csv");
    let text = format!("pair_id,resume,job\nb1,{r},\"never closed\nb2,{r},{j}\nb3,{r},{j}\n", r = quoted(RESUME), j = quoted(JOB));
    std::fs::write(&path, text).expect("write");
    let got = summary(&read_all(&path, 1024).expect("readable"));
    assert!(got[0].starts_with("1 reject (row)"), "{got:#?}");
    assert!(got.iter().any(|g| g.ends_with("ok b3")), "{got:#?}");
}

#[test]
fn chunk_size_does_not_change_what_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pairs.csv");
    let mut text = String::from("resume,job\n");
    for i in 0..10 {
        text.push_str(&format!("{},{}\n", quoted(&format!("{RESUME}{i}")), quoted(JOB)));
    }
    text.push_str(",\n");
    std::fs::write(&path, text).expect("write");
    let reference = summary(&read_all(&path, 1024).expect("readable"));
    assert_eq!(reference.len(), 11);
    for n in [1, 3, 7] {
        assert_eq!(summary(&read_all(&path, n).expect("readable")), reference, "chunk {n}");
    }
}

#[test]
fn missing_columns_and_files_are_fatal_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cols.csv");
    std::fs::write(&path, "id,resume,text\n1,a,b\n").expect("write");
    let e = read_all(&path, 10).expect_err("missing job column").to_string();
    assert!(e.contains("cols.csv") && e.contains("\"job\"") && e.contains("id, resume, text"), "{e}");
    let e = read_all(&dir.path().join("nope.csv"), 10).expect_err("missing file").to_string();
    assert!(e.contains("nope.csv"), "{e}");
    let e = read_all(&dir.path().join("x.txt"), 10).expect_err("unknown format").to_string();
    assert!(e.contains("x.txt"), "{e}");
}

#[test]
fn jsonl_rows_are_checked_line_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pairs.jsonl");
    let row = |id: &str| serde_json::json!({"pair_id": id, "resume": RESUME, "job": JOB}).to_string();
    let text = format!("{}\n\nnot json\n{{\"pair_id\":\"c4\",\"resume\":[1],\"job\":\"j\"}}\n{}\n", row("c1"), row("c5"));
    std::fs::write(&path, text).expect("write");
    let got = summary(&read_all(&path, 2).expect("readable"));
    assert_eq!(got[0], "1 ok c1");
    assert!(got[1].starts_with("3 reject (row) invalid JSON"), "{}", got[1]);
    assert_eq!(got[2], "4 reject resume expected text, found an array");
    assert_eq!(got[3], "5 ok c5");
    let bad = dir.path().join("keys.jsonl");
    std::fs::write(&bad, "{\"cv\":\"a\",\"job\":\"b\"}\n").expect("write");
    let e = read_all(&bad, 2).expect_err("no resume key").to_string();
    assert!(e.contains("\"resume\"") && e.contains("cv"), "{e}");
}

#[test]
fn parquet_binary_columns_with_invalid_utf8_become_rejects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pairs.parquet");
    let schema = Arc::new(Schema::new(vec![Field::new("pair_id", DataType::Utf8, false), Field::new("resume", DataType::Binary, true), Field::new("job", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            Arc::new(StringArray::from(vec!["d1", "d2", "d3"])),
            Arc::new(BinaryArray::from(vec![Some(RESUME.as_bytes()), Some(&b"bad \xc3\x28 bytes"[..]), None])),
            Arc::new(StringArray::from(vec![Some(JOB), Some(JOB), Some(JOB)])),
        ],
    )
    .expect("batch");
    let file = std::fs::File::create(&path).expect("create");
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema, None).expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
    let got = summary(&read_all(&path, 2).expect("readable"));
    assert_eq!(got, vec!["1 ok d1".to_string(), "2 reject resume invalid UTF-8 at byte 4".into(), "3 reject resume empty resume".into()]);
}
