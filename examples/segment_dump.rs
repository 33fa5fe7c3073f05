//! Dumps every segmentation method's full result (sections, spans, headings, entries, metrics,
//! skills) for a set of resumes, one JSON line per resume and method, so a change to the
//! segmenter's speed can be checked to leave its output byte for byte the same:
//!   cargo run --release --example segment_dump -- data/sample.csv DIR_OF_TXT ... > dump.jsonl
//! A `.csv` argument reads its `resume` column; a directory reads its `*.txt` files (sorted); any
//! other path is read as one resume. `scripts/check-segment-output` wraps it.

use std::io::Write;
use std::path::Path;
use tailor::segment::{segment, segment_with, Method};

fn main() {
    let mut docs: Vec<(String, String)> = Vec::new();
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path).expect("readable dir").map(|e| e.expect("dir entry").path()).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
            files.sort();
            for f in files {
                docs.push((f.display().to_string(), std::fs::read_to_string(&f).expect("utf-8 file")));
            }
        } else if arg.ends_with(".csv") {
            let mut reader = csv::Reader::from_path(path).expect("csv");
            let col = reader.headers().expect("header").iter().position(|h| h == "resume").expect("resume column");
            for (n, rec) in reader.records().enumerate() {
                docs.push((format!("{arg}#{n}"), rec.expect("row")[col].to_string()));
            }
        } else {
            docs.push((arg.clone(), std::fs::read_to_string(path).expect("utf-8 file")));
        }
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    for (name, text) in &docs {
        // Also every prefix cut at a line end halfway, and the text with CRLF line ends: more
        // shapes of input for the same check.
        let half = text.as_bytes()[..text.len() / 2].iter().rposition(|&b| b == b'\n').map_or("", |i| &text[..=i]);
        let crlf = text.replace('\n', "\r\n");
        for (variant, t) in [("full", text.as_str()), ("half", half), ("crlf", crlf.as_str())] {
            for (m, seg) in [("combined", segment(t)), ("rules", segment_with(t, Method::Rules)), ("classifier", segment_with(t, Method::Classifier))] {
                writeln!(out, "{name}\t{variant}\t{m}\t{}", serde_json::to_string(&seg).expect("serialisable")).expect("stdout");
            }
        }
    }
}
