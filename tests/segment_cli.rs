//! End-to-end tests of `tailor segment`: the real binary on a text file, on rows of the bundled
//! sample (CSV and Parquet) and on bad arguments, with its exit codes.

mod support;

use std::process::Output;
use support::{sample, stderr, tailor};

fn segment(args: &[&str]) -> Output {
    tailor().arg("segment").args(args).output().expect("tailor runs")
}

const RESUME: &str = "Maya Okonkwo\nmaya@example.com\n\nWORK EXPERIENCE\n---------------\n\
Software Engineer | Outreach | Jun 2024 – Present\n• Built a dashboard in React\n\n\
Data Analyst | Zillow | 2019-2021\n• Wrote SQL models\n\nEDUCATION\n\
University of Washington | B.S. Computer Science | 2015 - 2019\n\nSKILLS\nPython, Go, SQL\n";

#[test]
fn a_text_file_as_json_lists_sections_and_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("maya.txt");
    std::fs::write(&path, RESUME).expect("write");
    let o = segment(&[path.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let sections = v["sections"].as_array().expect("sections");
    let types: Vec<&str> = sections.iter().map(|s| s["type"].as_str().expect("type")).collect();
    assert_eq!(types, ["contact", "experience", "education", "skills"]);
    let exp = &sections[1];
    assert_eq!(exp["heading"], "WORK EXPERIENCE");
    assert_eq!(exp["heading_line"], 4);
    assert_eq!(exp["lines"], serde_json::json!([4, 11]));
    let entries = exp["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["title"], "Software Engineer");
    assert_eq!(entries[0]["organisation"], "Outreach");
    assert_eq!(entries[0]["dates"], "Jun 2024 – Present");
    assert_eq!(entries[1]["dates"], "2019-2021");
    assert_eq!(sections[2]["entries"][0]["dates"], "2015 - 2019");
    // The line ranges tile the resume.
    let mut next = 1;
    for s in sections {
        assert_eq!(s["lines"][0], next);
        next = s["lines"][1].as_u64().expect("last line") + 1;
    }
    assert_eq!(next - 1, v["lines"].as_u64().expect("lines"));

    let o = segment(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).expect("utf-8");
    assert!(out.contains("experience") && out.contains("Software Engineer | Outreach | Jun 2024 – Present"), "{out}");
}

#[test]
fn a_row_of_an_input_file_in_each_format() {
    for ext in ["csv", "parquet"] {
        let o = segment(&[sample(ext).to_str().expect("path"), "--row", "3", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{ext}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(v["row"], 3);
        assert!(v["sections"].as_array().expect("sections").iter().any(|s| s["type"] == "experience"), "{ext}: {v}");
    }
}

#[test]
fn errors_name_the_file_and_row_and_use_the_exit_codes() {
    let csv = sample("csv");
    let csv = csv.to_str().expect("path");
    let o = segment(&[csv, "--row", "999999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sample.csv") && stderr(&o).contains("999999"), "{}", stderr(&o));
    let o = segment(&[csv]);
    assert_eq!(o.status.code(), Some(2), "an input file needs --row");
    let o = segment(&[csv, "--row", "1", "--resume-col", "no_such_column"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no_such_column"), "{}", stderr(&o));
    let o = segment(&["/nonexistent/resume.txt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/resume.txt"));

    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("pairs.csv");
    std::fs::write(&bad, "resume,job\n,a job\n").expect("write");
    let o = segment(&[bad.to_str().expect("path"), "--row", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("row 1") && stderr(&o).contains("resume"), "{}", stderr(&o));
    let o = segment(&["--row", "1", dir.path().join("x.txt").to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2), "--row with a text file is a usage error");
}
