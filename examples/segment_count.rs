//! Segments the bench resume (the sample resume closest to 600 words) N times and prints µs per
//! call; run under `valgrind --tool=cachegrind --cache-sim=no` for instruction counts that do not
//! depend on the machine's load: `cargo run --release --example segment_count -- 200`.

use tailor::segment::segment;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let mut reader = csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample.csv")).unwrap();
    let col = reader.headers().unwrap().iter().position(|h| h == "resume").unwrap();
    let rows: Vec<String> = reader.records().map(|r| r.unwrap()[col].to_string()).collect();
    let best = rows.iter().min_by_key(|r| r.split_whitespace().count().abs_diff(600)).unwrap();
    let mut total = 0;
    let t = std::time::Instant::now();
    for _ in 0..n {
        total += std::hint::black_box(segment(std::hint::black_box(best))).sections.len();
    }
    eprintln!("{:.2} µs per call ({total})", t.elapsed().as_secs_f64() * 1e6 / n as f64);
}
