//! End-to-end tests of `tailor run`: the real binary on the bundled sample and on malformed inputs,
//! in temporary folders.

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Output;
use support::{column, report, sample, stderr, tailor, text};
use tailor::io::{read_table, Value};

fn run(input: &Path, out: &Path, extra: &[&str]) -> Output {
    tailor()
        .arg("run")
        .arg("--input")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("tailor runs")
}

#[test]
fn sample_run_writes_every_output_and_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = run(&sample("csv"), &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["results.parquet", "sections.parquet", "rejects.csv", "run_report.json", "report.html", ".tailor-state/model_stats.parquet"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let results = read_table(&out.join("results.parquet")).expect("results");
    assert!(results.rows.len() >= 200, "sample has {} pairs", results.rows.len());
    assert!(column(&results, "status").iter().all(|s| text(s) == "ok"));
    let before = column(&results, "score_before");
    let after = column(&results, "score_after");
    let improved = before.iter().zip(&after).filter(|(b, a)| matches!((b, a), (Value::F64(b), Value::F64(a)) if a > b)).count();
    assert!(improved * 2 > results.rows.len(), "tailoring should raise most scores, raised {improved}");

    let r = report(&out);
    assert_eq!(r["accounting_holds"], true);
    assert_eq!(r["pairs"]["ok"].as_u64(), Some(results.rows.len() as u64));
    assert_eq!(r["exit_code"], 0);
    for stage in r["stages"].as_array().expect("stages") {
        let n = |k: &str| stage[k].as_u64().expect("count");
        assert_eq!(n("in"), n("ok") + n("failed") + n("rejected") + n("cached") + n("skipped"), "{stage}");
    }
    let stats = read_table(&out.join(".tailor-state/model_stats.parquet")).expect("model stats");
    let keys: HashSet<(String, String)> = stats.rows.iter().map(|r| (format!("{:?}", r[2]), format!("{:?}", r[3]))).collect();
    assert_eq!(keys.len(), stats.rows.len(), "one row per section type and task kind");
    assert!(column(&stats, "task_kind").iter().any(|k| text(k) == "optimize"));
    assert!(!dir.path().join("out").read_dir().expect("out").any(|e| e.expect("entry").file_name().to_string_lossy().contains(".tmp")), "no temp files left");
}

/// Results without the timing column, which differs run to run.
fn comparable(path: &Path) -> Vec<Vec<Value>> {
    let t = read_table(path).expect("results");
    let skip = t.columns.iter().position(|c| c == "elapsed_ms").expect("elapsed_ms");
    t.rows.into_iter().map(|mut r| {
        r.remove(skip);
        r
    }).collect()
}

#[test]
fn csv_parquet_and_jsonl_inputs_give_identical_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    // JSONL made from the CSV sample, so all three carry the same pairs.
    let mut reader = csv::Reader::from_path(sample("csv")).expect("sample.csv");
    let headers = reader.headers().expect("headers").clone();
    let mut jsonl = String::new();
    for record in reader.records() {
        let record = record.expect("record");
        let obj: serde_json::Map<String, serde_json::Value> =
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_string(), serde_json::Value::String(v.to_string()))).collect();
        jsonl.push_str(&serde_json::Value::Object(obj).to_string());
        jsonl.push('\n');
    }
    let jsonl_path = dir.path().join("sample.jsonl");
    std::fs::write(&jsonl_path, jsonl).expect("write jsonl");

    let mut outputs = Vec::new();
    for (name, input) in [("csv", sample("csv")), ("parquet", sample("parquet")), ("jsonl", jsonl_path)] {
        let out = dir.path().join(name);
        let o = run(&input, &out, &["--format", "csv", "--quiet"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        outputs.push(comparable(&out.join("results.csv")));
    }
    assert!(!outputs[0].is_empty());
    assert_eq!(outputs[0], outputs[1], "csv vs parquet");
    assert_eq!(outputs[0], outputs[2], "csv vs jsonl");
}

#[test]
fn malformed_csv_rows_are_rejected_with_row_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let resume = "Jane Doe\n\nExperience\nEngineer, Acme — 2019 – 2021\n- Built Python services\n\nSkills\nPython, SQL\n";
    let job = "Python Engineer\nRequirements:\n- Python and SQL\n";
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"pair_id,resume,job\n");
    bytes.extend_from_slice(format!("a1,\"{resume}\",\"{job}\"\n").as_bytes()); // row 1 ok
    bytes.extend_from_slice(format!("a2,\"\",\"{job}\"\n").as_bytes()); // row 2 empty resume
    bytes.extend_from_slice(b"a3,\"Jane \xff\xfe Doe\nExperience\n\",\"job text\"\n"); // row 3 invalid UTF-8
    bytes.extend_from_slice(format!("a1,\"{resume}\",\"{job}\"\n").as_bytes()); // row 4 duplicate id
    bytes.extend_from_slice(b"a5,\"unbalanced resume text,job text\n"); // row 5 unbalanced quote
    bytes.extend_from_slice(format!("a6,\"{resume}\",\"{job}\"\n").as_bytes()); // row 6 ok
    let input = dir.path().join("bad.csv");
    std::fs::write(&input, bytes).expect("write");
    let out = dir.path().join("out");
    let o = run(&input, &out, &["--format", "csv", "--quiet"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));

    let rejects = read_table(&out.join("rejects.csv")).expect("rejects");
    let rows: Vec<(String, String, String)> = rejects
        .rows
        .iter()
        .map(|r| (format!("{:?}", r[0]), text_or_empty(&r[2]), text_or_empty(&r[3]).to_lowercase()))
        .collect();
    let find = |row: i64| rows.iter().find(|(r, _, _)| *r == format!("{:?}", Value::<String>::I64(row))).unwrap_or_else(|| panic!("no reject for row {row}: {rows:?}"));
    assert_eq!(find(2).1, "resume");
    assert!(find(2).2.contains("empty"));
    assert_eq!(find(3).1, "resume");
    assert!(find(3).2.contains("utf-8"));
    assert!(find(4).2.contains("duplicate"));
    assert!(find(5).2.contains("quote") || find(5).2.contains("field"), "{:?}", find(5));
    assert_eq!(rows.len(), 4, "{rows:?}");

    let results = read_table(&out.join("results.csv")).expect("results");
    let ids: Vec<&str> = column(&results, "pair_id").into_iter().map(text).collect();
    assert_eq!(ids, vec!["a1", "a6"]);
    let r = report(&out);
    assert_eq!(r["pairs"]["rejected"], 4);
    assert_eq!(r["accounting_holds"], true);
}

fn text_or_empty(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        _ => String::new(),
    }
}

#[test]
fn missing_column_is_fatal_and_names_file_and_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("cols.csv");
    std::fs::write(&input, "pair_id,resume,description\n1,r,j\n").expect("write");
    let o = run(&input, &dir.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("cols.csv") && e.contains("job") && e.contains("description"), "{e}");
}

#[test]
fn missing_input_exits_one_naming_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.csv");
    let o = run(&missing, &dir.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&missing.display().to_string()), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_two() {
    let o = tailor().args(["run", "--bogus"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
}

/// Numbers and capitalised words of `tailored` that neither `original` nor `job` contains.
fn invented(tailored: &str, original: &str, job: &str) -> Vec<String> {
    let split = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_alphanumeric() || "+#.".contains(c)))
            .map(|w| w.trim_matches('.').to_string())
            .filter(|w| !w.is_empty())
            .collect()
    };
    let known: HashSet<String> = split(original).into_iter().chain(split(job)).map(|w| w.to_lowercase()).collect();
    split(tailored)
        .into_iter()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()) || w.chars().next().is_some_and(char::is_uppercase))
        .filter(|w| !known.contains(&w.to_lowercase()))
        .collect()
}

#[test]
fn tailored_text_invents_no_number_or_name_over_the_whole_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = run(&sample("csv"), &out, &["--format", "jsonl", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut jobs: HashMap<String, String> = HashMap::new();
    let mut resumes: HashMap<String, String> = HashMap::new();
    let mut reader = csv::Reader::from_path(sample("csv")).expect("sample");
    for rec in reader.deserialize::<HashMap<String, String>>() {
        let rec = rec.expect("row");
        jobs.insert(rec["pair_id"].clone(), rec["job"].clone());
        resumes.insert(rec["pair_id"].clone(), rec["resume"].clone());
    }
    let sections = read_table(&out.join("sections.jsonl")).expect("sections");
    let (ids, originals, optimized) = (column(&sections, "pair_id"), column(&sections, "original"), column(&sections, "optimized"));
    let mut checked = 0;
    for i in 0..sections.rows.len() {
        if let Value::Str(opt) = optimized[i] {
            let bad = invented(opt, text(originals[i]), &jobs[text(ids[i])]);
            assert!(bad.is_empty(), "pair {} section {i} invents {bad:?}", text(ids[i]));
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} sections checked");
    let results = read_table(&out.join("results.jsonl")).expect("results");
    for (id, t) in column(&results, "pair_id").into_iter().zip(column(&results, "tailored_resume")) {
        let bad = invented(text(t), &resumes[text(id)], &jobs[text(id)]);
        assert!(bad.is_empty(), "pair {} invents {bad:?}", text(id));
    }
}
