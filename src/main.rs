//! The `tailor` binary: parse arguments, build a validated run, dispatch, map the outcome to an
//! exit code (0 all ok, 3 some pairs failed or rows rejected, 2 usage, 1 fatal). `segment` prints
//! one resume's segmentation (`tailor::inspect`).

mod cli;

use clap::Parser;
use cli::{Cli, Command, Format, LogFormat, RunArgs, StrategyArg};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tailor::config::FileConfig;
use tailor::engine::dry_run::dry_run;
use tailor::engine::governor::parse_deadline;
use tailor::engine::{self, RunOptions, Strategy};
use tailor::io::{InputOptions, OutputFormat};
use tailor::provider::registry::Registry;

const EXIT_FATAL: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => {
            init_logging(args.log_format, args.quiet);
            match run(&args) {
                Ok(code) => ExitCode::from(code),
                Err(e) => {
                    eprintln!("tailor: error: {e:#}");
                    let code = e.downcast_ref::<engine::RunError>().map_or(EXIT_FATAL, |r| u8::try_from(r.exit_code()).unwrap_or(EXIT_FATAL));
                    ExitCode::from(code)
                }
            }
        }
        Command::Segment(args) => segment(&args),
        Command::Sim(args) => {
            let stop = Arc::new(AtomicBool::new(false));
            for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
                if let Err(e) = signal_hook::flag::register(signal, Arc::clone(&stop)) {
                    eprintln!("tailor: error: {e}");
                    return ExitCode::from(EXIT_FATAL);
                }
            }
            match tailor::sim::run_cli(&args.profile, args.port, args.port_file.as_deref(), &stop) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("tailor: error: {e:#}");
                    ExitCode::from(EXIT_FATAL)
                }
            }
        }
    }
}

/// `tailor segment`: load one resume, segment it, print it.
fn segment(args: &cli::SegmentArgs) -> ExitCode {
    match tailor::inspect::load_resume(&args.file, args.row, args.resume_col.as_deref()) {
        Ok(text) => {
            let seg = tailor::segment::segment(&text);
            let source = args.file.display().to_string();
            if args.json {
                println!("{}", tailor::inspect::to_json(&source, args.row, &text, &seg));
            } else {
                print!("{}", tailor::inspect::to_text(&source, args.row, &text, &seg));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tailor: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn init_logging(format: LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TAILOR_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// The first SIGINT or SIGTERM sets the flag (the run stops dispatching and writes what is done);
/// a second one exits at once.
fn install_signal_handlers() -> anyhow::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&flag))?;
        signal_hook::flag::register(signal, Arc::clone(&flag))?;
    }
    Ok(flag)
}

fn run(args: &RunArgs) -> anyhow::Result<u8> {
    let config = match &args.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let defaults = InputOptions::default();
    let pick = |flag: &Option<String>, file: &Option<String>, default: &str| flag.clone().or_else(|| file.clone()).unwrap_or_else(|| default.to_string());
    let input_options = InputOptions {
        resume_col: pick(&args.resume_col, &config.input.resume_col, &defaults.resume_col),
        job_col: pick(&args.job_col, &config.input.job_col, &defaults.job_col),
        id_col: pick(&args.id_col, &config.input.id_col, &defaults.id_col),
        max_text_bytes: config.run.max_text_bytes.unwrap_or(defaults.max_text_bytes),
        chunk_rows: config.run.chunk_rows.unwrap_or(defaults.chunk_rows),
    };
    let state_dir = args.state.clone().or_else(|| config.run.state_dir.clone()).unwrap_or_else(|| args.out.join(".tailor-state"));
    let format = match args.format {
        Format::Parquet => OutputFormat::Parquet,
        Format::Csv => OutputFormat::Csv,
        Format::Jsonl => OutputFormat::Jsonl,
    };
    let weights = config.section_weights().map_err(anyhow::Error::msg)?;
    let cache_limits = config.cache_limits();
    let registry = if config.providers.is_empty() && config.models.is_empty() {
        Registry::local_only()
    } else {
        Registry::from_config(&config, &|var| std::env::var(var).ok())?
    };
    let opts = RunOptions {
        input: args.input.clone(),
        out_dir: args.out.clone(),
        state_dir,
        format,
        input_options,
        limit: args.limit,
        weights,
        fresh: args.fresh,
        cache_limits,
        registry,
        max_cost_usd: args.max_cost.or(config.run.max_cost_usd),
        scheduler: config.scheduler_config(),
        strategy: match args.strategy {
            StrategyArg::Enhanced => Strategy::Enhanced,
            StrategyArg::Baseline => Strategy::Baseline,
        },
        interrupt: Some(install_signal_handlers()?),
        deadline: match args.deadline.as_ref().or(config.run.deadline.as_ref()) {
            Some(text) => Some(parse_deadline(text, chrono::Local::now()).map_err(anyhow::Error::msg)?),
            None => None,
        },
    };
    if opts.max_cost_usd.is_some_and(|c| !(c >= 0.0 && c.is_finite())) {
        anyhow::bail!("--max-cost must be a number of USD, 0 or more");
    }
    if args.dry_run {
        print!("{}", dry_run(&opts)?);
        return Ok(0);
    }
    tracing::info!(input = %opts.input.display(), out = %opts.out_dir.display(), models = %opts.registry.fingerprint(), "run started");
    let summary = engine::run(&opts)?;
    let r = &summary.report;
    if let Some(why) = &r.stopped {
        tracing::warn!("{why}");
    }
    tracing::info!(
        ok = r.pairs.ok,
        partial = r.pairs.partial,
        failed = r.pairs.failed,
        rejected = r.pairs.rejected,
        wall_ms = r.wall_ms.round(),
        "run finished; results in {}",
        opts.out_dir.display()
    );
    Ok(u8::try_from(summary.exit_code).unwrap_or(EXIT_FATAL))
}
