//! Tests of the table writers, `rejects.csv` and `read_table`.

use super::*;
use crate::pair::Reject;
use std::path::Path;

#[derive(Debug, PartialEq)]
struct Row(i64, Option<String>, f64, bool);

const COLS: &[Column] = &[
    Column { name: "n", ty: ColumnType::Int64, nullable: false },
    Column { name: "s", ty: ColumnType::Utf8, nullable: true },
    Column { name: "x", ty: ColumnType::Float64, nullable: false },
    Column { name: "b", ty: ColumnType::Bool, nullable: false },
];

impl TableRow for Row {
    fn columns() -> &'static [Column] {
        COLS
    }
    fn values(&self) -> Vec<Value<&str>> {
        vec![Value::I64(self.0), self.1.as_deref().map_or(Value::Null, Value::Str), Value::F64(self.2), Value::Bool(self.3)]
    }
}

/// A row type that breaks its own column declaration, as a buggy caller would.
struct Mistyped;

impl TableRow for Mistyped {
    fn columns() -> &'static [Column] {
        COLS
    }
    fn values(&self) -> Vec<Value<&str>> {
        vec![Value::Str("7"), Value::Null, Value::F64(1.0), Value::Bool(true)]
    }
}

const FORMATS: [OutputFormat; 3] = [OutputFormat::Parquet, OutputFormat::Csv, OutputFormat::Jsonl];

fn rows(n: i64) -> Vec<Row> {
    (0..n).map(|i| Row(i, (i % 3 != 0).then(|| format!("text {i}, \"quoted\"\nline")), i as f64 / 8.0, i % 2 == 0)).collect()
}

fn write_table(dir: &Path, stem: &str, format: OutputFormat, rows: &[Row], split: usize) -> std::path::PathBuf {
    let mut w = TableWriter::<Row>::create(dir, stem, format).expect("create");
    for part in rows.chunks(split) {
        w.write(part).expect("write");
    }
    w.finish().expect("finish")
}

/// Names in the folder, temporary ones included.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn every_format_round_trips_and_appears_only_when_finished() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = rows(5000);
    for format in FORMATS {
        let mut w = TableWriter::<Row>::create(dir.path(), "t", format).expect("create");
        w.write(&rows[..2500]).expect("write");
        w.write(&rows[2500..]).expect("write");
        let final_path = dir.path().join(format!("t.{}", format.extension()));
        assert!(!final_path.exists(), "nothing at the final name before finish");
        assert_eq!(w.finish().expect("finish"), final_path);
        let t = read_table(&final_path).expect("read");
        assert_eq!(t.columns, vec!["n", "s", "x", "b"]);
        assert_eq!(t.rows.len(), rows.len());
        for (got, want) in t.rows.iter().zip(&rows) {
            let want: Vec<Value> = want.values().iter().map(Value::to_owned_value).collect();
            assert_eq!(got, &want, "{format:?}");
        }
    }
    assert_eq!(names(dir.path()), vec!["t.csv", "t.jsonl", "t.parquet"], "no temporary file is left");
}

#[test]
fn parquet_bytes_do_not_depend_on_how_rows_were_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = rows(9000);
    let a = std::fs::read(write_table(dir.path(), "a", OutputFormat::Parquet, &rows, 9000)).expect("read a");
    let b = std::fs::read(write_table(dir.path(), "b", OutputFormat::Parquet, &rows, 777)).expect("read b");
    assert!(a == b, "identical rows give identical files ({} and {} bytes)", a.len(), b.len());
}

#[test]
fn a_writer_dropped_without_finish_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in FORMATS {
        let mut w = TableWriter::<Row>::create(dir.path(), "results", format).expect("create");
        w.write(&rows(10)).expect("write");
        assert_eq!(names(dir.path()).len(), 1, "a temporary file while writing");
        drop(w);
        assert!(names(dir.path()).is_empty(), "{format:?}: {:?}", names(dir.path()));
    }
}

#[test]
fn rows_that_break_their_columns_are_errors_not_silent_nulls() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in FORMATS {
        let mut w = TableWriter::<Mistyped>::create(dir.path(), "bad", format).expect("create");
        let e = w.write(&[Mistyped]).expect_err("a string in an Int64 column").to_string();
        assert!(e.contains("row 1") && e.contains("\"n\"") && e.contains(".bad."), "{e}");
    }
}

#[test]
fn floats_read_back_as_the_same_floats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xs = [1.0, -0.5, 0.1, 1e20, 1.5e-7, f64::MAX, f64::MIN_POSITIVE, 123456789.125];
    let rows: Vec<Row> = xs.iter().map(|&x| Row(1, None, x, false)).collect();
    for format in FORMATS {
        let t = read_table(&write_table(dir.path(), "f", format, &rows, 3)).expect("read");
        let got: Vec<&Value> = t.rows.iter().map(|r| &r[2]).collect();
        let want: Vec<Value> = xs.iter().map(|&x| Value::F64(x)).collect();
        assert_eq!(got, want.iter().collect::<Vec<_>>(), "{format:?}");
    }
}

#[test]
fn an_empty_table_keeps_its_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in [OutputFormat::Parquet, OutputFormat::Csv] {
        let t = read_table(&write_table(dir.path(), "empty", format, &[], 1)).expect("read");
        assert_eq!(t, Table { columns: vec!["n".into(), "s".into(), "x".into(), "b".into()], rows: Vec::new() }, "{format:?}");
    }
}

#[test]
fn rejects_csv_has_the_fixed_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = RejectWriter::create(dir.path()).expect("create");
    w.write(&Reject { row: 3, pair_id: None, column: "(row)".into(), reason: "unbalanced quote".into() }).expect("write");
    w.write(&Reject { row: 7, pair_id: Some("a1".into()), column: "pair_id".into(), reason: "duplicate pair_id a1, first seen at row 1".into() }).expect("write");
    let path = w.finish().expect("finish");
    assert_eq!(path, dir.path().join("rejects.csv"));
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text, "row,pair_id,column,reason\n3,,(row),unbalanced quote\n7,a1,pair_id,\"duplicate pair_id a1, first seen at row 1\"\n");
}

#[test]
fn output_formats_parse_by_name() {
    assert_eq!("jsonl".parse::<OutputFormat>(), Ok(OutputFormat::Jsonl));
    assert_eq!("parquet".parse::<OutputFormat>().map(OutputFormat::extension), Ok("parquet"));
    assert!("xlsx".parse::<OutputFormat>().is_err());
}
