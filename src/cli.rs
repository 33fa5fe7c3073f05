//! Command-line arguments (clap derive). Parsing only: `main.rs` turns these into a run.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Tailors resumes to job descriptions with LLMs, in bulk.
#[derive(Debug, Parser)]
#[command(name = "tailor", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tailor every resume/job pair of an input file.
    Run(RunArgs),
    /// Print the sections, entries and metrics of one resume: a text file, or row N of an input file.
    Segment(SegmentArgs),
    /// Provider simulator on loopback (OpenAI and Anthropic APIs) for tests, benches and dry runs.
    Sim(SimArgs),
}

#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// A resume as a text file, or an input file (.csv, .parquet, .jsonl) with --row.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Data row of an input file (1-based, as rejects.csv numbers rows).
    #[arg(long, value_name = "N")]
    pub row: Option<u64>,
    /// Column holding the resume text (default "resume").
    #[arg(long, value_name = "NAME")]
    pub resume_col: Option<String>,
    /// Print JSON: sections with type, heading, heading line, line range, metrics and entries.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Simulator profile (TOML): models, latency, limits, faults, outages, seed, time scale.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Write the bound port to this file (atomically) once listening.
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Input pairs: .csv, .parquet or .jsonl, one pair per row (columns resume, job, optional pair_id).
    #[arg(long, value_name = "PAIRS")]
    pub input: PathBuf,
    /// Output folder for results, sections, rejects and the run report.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Config file (tailor.toml). Without it the built-in offline local provider is used.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// State folder (cache, journal, lock, performance table). Default: DIR/.tailor-state.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Format of results and sections.
    #[arg(long, value_enum, default_value_t = Format::Parquet)]
    pub format: Format,
    /// Process only the first N data rows.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Column holding the resume text (default "resume").
    #[arg(long, value_name = "NAME")]
    pub resume_col: Option<String>,
    /// Column holding the job description (default "job").
    #[arg(long, value_name = "NAME")]
    pub job_col: Option<String>,
    /// Column holding the pair id (default "pair_id"; without it a stable hash of the texts).
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,
    /// Stop dispatching before the estimated spend would pass this many USD; finish in-flight
    /// work, write everything, exit 4. A rerun continues.
    #[arg(long, value_name = "USD")]
    pub max_cost: Option<f64>,
    /// Stop dispatching in time to finish by this time (HH:MM local, or RFC 3339); exit 4.
    #[arg(long, value_name = "TIME")]
    pub deadline: Option<String>,
    /// Print the plan (pairs, tasks, requests, estimated tokens, cost and time) and call nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How networked tasks run: `enhanced` (the scheduler with rate limits, breakers, backoff,
    /// fallback, batching, cache), or `baseline`, the naive design kept for benchmarks.
    #[arg(long, value_enum, default_value_t = StrategyArg::Enhanced)]
    pub strategy: StrategyArg,
    /// Recompute every pair, ignoring the journal of earlier runs (the cache still serves); sets an
    /// unreadable state database aside and starts a new one.
    #[arg(long)]
    pub fresh: bool,
    /// Log line format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Print only warnings and errors.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Parquet,
    Csv,
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    Enhanced,
    Baseline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}
