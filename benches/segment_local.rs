//! Criterion benches of the CPU stages: segmentation of a ~600-word resume, job analysis, and the
//! local provider's evaluate and optimize, on texts from the bundled sample.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use tailor::job::analyse;
use tailor::provider::local::{evaluate, optimize};
use tailor::segment::segment;

/// The sample resume whose word count is closest to 600, and a job.
fn sample_texts() -> (String, String) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample.csv");
    let mut reader = csv::Reader::from_path(path).expect("data/sample.csv");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let (r, j) = (col("resume"), col("job"));
    let rows: Vec<(String, String)> = reader.records().map(|rec| rec.expect("row")).map(|rec| (rec[r].to_string(), rec[j].to_string())).collect();
    let best = rows.iter().min_by_key(|(resume, _)| resume.split_whitespace().count().abs_diff(600)).expect("sample has rows");
    best.clone()
}

fn benches(c: &mut Criterion) {
    let (resume, job_text) = sample_texts();
    let words = resume.split_whitespace().count();
    let mut g = c.benchmark_group(format!("resume_{words}_words"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("segment", |b| b.iter(|| segment(black_box(&resume))));
    let job = analyse(&job_text);
    g.bench_function("analyse_job", |b| b.iter(|| analyse(black_box(&job_text))));
    let seg = segment(&resume);
    let evidence = seg.skills();
    let bodies: Vec<(tailor::segment::SectionType, &str)> = seg.sections.iter().map(|s| (s.kind, &resume[s.body.clone()])).collect();
    g.bench_function("local_evaluate_all_sections", |b| {
        b.iter(|| bodies.iter().map(|(_, t)| evaluate(black_box(t), &job).score).sum::<f32>())
    });
    g.bench_function("local_optimize_all_sections", |b| {
        b.iter(|| bodies.iter().map(|(k, t)| optimize(black_box(t), *k, &job, &evidence).len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(segment_local, benches);
criterion_main!(segment_local);
