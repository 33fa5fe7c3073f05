//! Builds tailor's bundled sample data and larger synthetic pair sets for benchmarks from the
//! sources copied into `data/source/`: 18F job postings (Markdown, CC0) and JSON Resume documents
//! (MIT) rendered to plain text in eight heading and layout styles. Deterministic: the same
//! arguments give byte-identical files. Run it through `scripts/make-sample-data`.
//!
//! ```text
//! make_sample_data                                  # data/sample.csv + data/sample.parquet, 240 pairs
//! make_sample_data --pairs 100000 --out big.parquet # a benchmark set (also .csv, .jsonl)
//! make_sample_data --labelled DIR                   # every rendering as NAME.txt + NAME.labels
//! make_sample_data --check FILE                     # read a pair file back and summarise it
//! ```
#![forbid(unsafe_code)]

mod dates;
mod files;
mod jobs;
mod labels;
mod layout;
mod lines;
mod markdown;
mod output;
mod pairs;
mod prng;
mod render;
mod resume;
mod style;
mod variant;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{ensure, Result};
use clap::Parser;

use crate::jobs::Skipped;

/// The seed of the bundled sample.
const DEFAULT_SEED: u64 = 20_240_601;

/// Makes resume/job pair files for tailor from the bundled sources.
#[derive(Parser)]
struct Args {
    /// Folder holding `jobs-18f/*.md` and `jsonresume/*.json`.
    #[arg(long, value_name = "DIR", default_value = "data/source")]
    source: PathBuf,
    /// Number of pairs to write; past the pool's size the renderings repeat with fresh pair ids.
    #[arg(long, value_name = "N", default_value_t = 240)]
    pairs: usize,
    /// Output file, `.csv`, `.parquet` or `.jsonl` (repeatable). Without `--out` and
    /// `--labelled`: `data/sample.csv` and `data/sample.parquet`.
    #[arg(long, value_name = "FILE")]
    out: Vec<PathBuf>,
    /// Seed of every random choice (layouts, variants, orders).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Also write every rendered resume as `NAME.txt` plus `NAME.labels` (one label a line:
    /// `blank`, `heading experience`, `experience B` for an entry's first line, `experience I`).
    #[arg(long, value_name = "DIR")]
    labelled: Option<PathBuf>,
    /// Spread a fraction of pairs that reuse an earlier pair's job evenly over the file; every
    /// other pair gets a job text of its own (postings come back as new requisitions past the
    /// pool). Without it, the sample's schedule: every resume meets every job in turn.
    #[arg(long, value_name = "FRACTION")]
    shared_jobs: Option<f64>,
    /// Only read FILE back, check it (five columns, no empty text, unique pair_id) and summarise.
    #[arg(long, value_name = "FILE", exclusive = true)]
    check: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.check {
        let report = output::check(path)?;
        println!(
            "{}: rows={} columns={} distinct_resumes={} distinct_jobs={} pairs_sharing_a_job={} styles={}",
            path.display(),
            report.rows,
            report.columns.join(","),
            report.distinct_resumes,
            report.distinct_jobs,
            report.pairs_sharing_a_job,
            report.styles,
        );
        return Ok(());
    }
    ensure!(args.pairs > 0, "--pairs must be at least 1");
    let started = Instant::now();

    let jobs::JobSources {
        usable: mut jobs,
        skipped: skipped_jobs,
    } = jobs::load_jobs(&args.source.join("jobs-18f"))?;
    let sources = resume::load_resumes(&args.source.join("jsonresume"))?;
    let (pool, too_short) = pairs::render_pool(&sources, args.seed);
    ensure!(
        !jobs.is_empty() && !pool.is_empty(),
        "no usable jobs or resumes under {}",
        args.source.display()
    );
    pairs::shuffle_jobs(&mut jobs, args.seed);

    let skipped: Vec<String> = skipped_jobs
        .iter()
        .map(|(id, why)| match why {
            Skipped::Placeholder => format!("{id} (placeholder)"),
            Skipped::TooShort(words) => format!("{id} ({words} words)"),
        })
        .collect();
    println!(
        "jobs: {} usable, {} skipped: {}",
        jobs.len(),
        skipped.len(),
        skipped.join(", ")
    );
    let rendered: BTreeSet<&str> = pool
        .iter()
        .map(|r| r.id.split('.').next().unwrap_or_default())
        .collect();
    let left_out: BTreeSet<&str> = too_short
        .iter()
        .map(|(id, _)| id.split('.').next().unwrap_or_default())
        .filter(|stem| !rendered.contains(stem))
        .collect();
    let styles: BTreeSet<&str> = pool.iter().map(|r| r.style.id()).collect();
    println!(
        "resumes: {} of {} sources rendered (left out, under {} words: {}); pool of {} renderings in {} styles; {} short renderings skipped",
        rendered.len(),
        sources.len(),
        pairs::MIN_RESUME_WORDS,
        left_out.into_iter().collect::<Vec<_>>().join(", "),
        pool.len(),
        styles.len(),
        too_short.len(),
    );

    if let Some(dir) = &args.labelled {
        output::write_labelled(dir, &pool)?;
        println!("labelled: {} renderings in {}", pool.len(), dir.display());
    }
    let outs = if args.out.is_empty() && args.labelled.is_none() {
        vec![
            PathBuf::from("data/sample.csv"),
            PathBuf::from("data/sample.parquet"),
        ]
    } else {
        args.out.clone()
    };
    let schedule = args.shared_jobs.map(|f| pairs::shared_job_schedule(args.pairs, f));
    if let Some(s) = &schedule {
        jobs = pairs::distinct_jobs(&jobs, s.iter().max().map_or(0, |m| m + 1));
    }
    for path in &outs {
        let t = Instant::now();
        let rows = output::write_pairs(path, pairs::pairs(&pool, &jobs, args.pairs, schedule.as_deref()))?;
        let bytes = std::fs::metadata(path)?.len();
        println!(
            "wrote {}: {rows} pairs, {:.1} MB, {:.2} s",
            path.display(),
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
    }
    println!("done in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}
