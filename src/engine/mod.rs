//! The run pipeline: a reader thread streams chunks of rows, the main thread tailors each chunk's
//! pairs on rayon (jobs analysed once per distinct text), and one writer thread writes results,
//! sections and rejects in input order. Channels are bounded, so memory stays flat however large
//! the input is.

pub mod dry_run;
pub mod governor;
mod scheduled;
mod tailor_pair;

pub use governor::{Governor, StopReason};
pub use tailor_pair::{PairOutput, Tailor, TaskCounts, EVALUATE_OUTPUT_TOKENS, TASKS_PER_PART};

use scheduled::{Coordinator, History};
use tailor_pair::prepare;

use crate::io::{InputError, InputOptions, OutputError, OutputFormat, PairReader, RejectWriter, TableWriter};
use crate::job::{analyse, job_hash, JobAnalysis};
use crate::pair::{stable_pair_id, Pair, Reject, RowOutcome};
use crate::plan::SectionWeights;
use crate::provider::registry::Registry;
use crate::provider::ProviderError;
use crate::schedule::{Scheduler, SchedulerConfig, Shared};
use crate::report::{BreakerTransition, CacheCounts, PairCounts, ResilienceCounts, RunReport, StageCounts};
use crate::time::rfc3339_utc;
use crate::rows::{ResultRow, SectionRow, Status};
use crate::state::{self, Cache, CacheLimits, Journal, JournalEntry, LockError, RunLock, StateError, StateWrite, StateWriter};
use crate::stats::{ModelStatsRow, StatsTable};
use ahash::AHashMap;
use crossbeam_channel::{bounded, Receiver, Sender};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Instant, SystemTime};

/// Distinct job analyses kept in memory; past this the map is cleared, since inputs that repeat jobs
/// repeat them close together and an unbounded map would grow with the file.
const MAX_JOBS_IN_MEMORY: usize = 8192;

/// Exit codes of `tailor run` (DESIGN.md).
pub const EXIT_OK: i32 = 0;
pub const EXIT_SOME_FAILED: i32 = 3;
pub const EXIT_FATAL: i32 = 1;
pub const EXIT_STOPPED: i32 = 4;
/// Stopped by a signal: 128 + SIGINT, as shells report it.
pub const EXIT_INTERRUPTED: i32 = 130;
pub const EXIT_LOCKED: i32 = 75;

/// A validated run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub input: PathBuf,
    pub out_dir: PathBuf,
    pub state_dir: PathBuf,
    pub format: OutputFormat,
    pub input_options: InputOptions,
    /// Read only the first N data rows.
    pub limit: Option<u64>,
    pub weights: SectionWeights,
    /// Ignore the journal (recompute every pair; the cache still serves). Also sets a damaged
    /// state database aside instead of stopping.
    pub fresh: bool,
    pub cache_limits: CacheLimits,
    /// Models and their fallback chains.
    pub registry: Registry,
    pub max_cost_usd: Option<f64>,
    pub deadline: Option<SystemTime>,
    pub strategy: Strategy,
    /// Breakers, retries and budget of the scheduler (enhanced strategy).
    pub scheduler: SchedulerConfig,
    /// Set when SIGINT or SIGTERM arrives: stop dispatching, let in-flight work finish within
    /// the grace period, write everything done.
    pub interrupt: Option<Arc<AtomicBool>>,
}

/// How networked tasks are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// The scheduler with every improvement: rate limits, breakers, backoff with a budget,
    /// fallback chains, batching, the cache, aging and stealing.
    Enhanced,
    /// What the design improves on, for benchmarks: fixed priorities, no batching, no breaker,
    /// fixed retries without backoff, no cache, the first model of each chain only.
    Baseline,
}

/// A scheduler for networked runs, with the coordinator's lasting state.
struct Scheduled<'s> {
    scheduler: Scheduler<'s>,
    history: History,
    batching: bool,
    window: usize,
}

impl RunOptions {
    /// Everything besides the input that decides a pair's rows: a changed setting starts a new journal.
    fn settings_fingerprint(&self) -> String {
        format!("{}|{}|{:?}", crate::provider::PROMPT_VERSION, self.registry.fingerprint(), self.weights)
    }
}

/// Why a run could not finish. Row-level problems are not errors: they are rejects.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Locked(#[from] LockError),
    #[error("stopping: {0}")]
    ProviderFatal(ProviderError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("internal error: the {0} thread stopped unexpectedly")]
    Thread(&'static str),
}

impl RunError {
    /// The exit code DESIGN.md gives this failure: 75 when another run holds the state, else 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Locked(LockError::Held { .. } | LockError::HeldUnknown { .. }) => EXIT_LOCKED,
            _ => EXIT_FATAL,
        }
    }
}

/// What a finished run reports.
#[derive(Debug)]
pub struct RunSummary {
    pub report: RunReport,
    pub exit_code: i32,
}

/// Pairs handed to the writer at a time while a networked chunk runs.
const EMIT_PAIRS: usize = 32;

/// Puts a chunk's pairs back in input order for the writer: the journal's restored pairs where
/// they stand, computed pairs as they come (in input order among themselves), sent in batches of
/// `EMIT_PAIRS` so results and journal entries leave while the rest of the chunk still runs.
struct Assembler {
    restored: std::vec::IntoIter<Option<JournalEntry>>,
    contents: std::vec::IntoIter<String>,
    batch: Batch,
    not_started: u64,
    /// The writer hung up (it failed); reported when the chunk ends.
    writer_gone: bool,
}

impl Assembler {
    fn new(restored: Vec<Option<JournalEntry>>, contents: Vec<String>, rejects: Vec<Reject>) -> Assembler {
        Assembler {
            restored: restored.into_iter(),
            contents: contents.into_iter(),
            batch: Batch { rejects, ..Batch::default() },
            not_started: 0,
            writer_gone: false,
        }
    }

    /// The next computed pair's output (None: the governor did not start it), after the restored
    /// pairs that stand before it.
    fn computed(&mut self, out: Option<PairOutput>, state: &mut RunState, tx: &Sender<WriterMsg>) {
        loop {
            let entry = self.restored.next().expect("a computed pair has a slot in its chunk");
            let content = self.contents.next().expect("one content hash per pair");
            match entry {
                Some(e) => self.push(e.result, e.sections, None, state),
                None => {
                    match out {
                        Some(out) => {
                            state.absorb(&out);
                            self.push(out.result, out.sections, Some(content), state);
                        }
                        None => self.not_started += 1,
                    }
                    break;
                }
            }
        }
        if self.batch.results.len() >= EMIT_PAIRS {
            self.send(tx);
        }
    }

    fn push(&mut self, result: ResultRow, sections: Vec<SectionRow>, content: Option<String>, state: &mut RunState) {
        match result.status {
            Status::Ok | Status::Skipped => state.pair_counts.ok += 1,
            Status::Partial => state.pair_counts.partial += 1,
            Status::Failed => state.pair_counts.failed += 1,
        }
        self.batch.results.push(result);
        self.batch.sections.push(sections);
        self.batch.journal.push(content);
    }

    fn send(&mut self, tx: &Sender<WriterMsg>) {
        self.writer_gone |= tx.send(WriterMsg::Batch(std::mem::take(&mut self.batch))).is_err();
    }

    /// Sends the restored pairs after the last computed one and what is left; returns the pairs
    /// the governor did not start.
    fn finish(mut self, state: &mut RunState, tx: &Sender<WriterMsg>) -> Result<u64, RunError> {
        let rest: Vec<Option<JournalEntry>> = self.restored.by_ref().collect();
        for entry in rest {
            let e = entry.expect("every computed pair was handed over");
            self.push(e.result, e.sections, None, state);
        }
        self.send(tx);
        state.not_started += self.not_started;
        if self.writer_gone {
            return Err(RunError::Thread("writer"));
        }
        Ok(self.not_started)
    }
}

/// A chunk's finished pairs, in input order, for the writer.
#[derive(Default)]
struct Batch {
    results: Vec<ResultRow>,
    sections: Vec<Vec<SectionRow>>,
    /// The content hash of each pair computed in this run (to journal it); None for pairs the
    /// journal already had.
    journal: Vec<Option<String>>,
    rejects: Vec<Reject>,
}

enum WriterMsg {
    Batch(Batch),
    /// The run failed: drop the temporary files, publish nothing.
    Abort,
}

struct WriterDone {
    results: u64,
    rejects: u64,
    busy_us: u64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io { path: path.to_path_buf(), source }
}

/// Starts the state writer, setting a damaged database aside first when the run is `--fresh`.
fn open_state(db: &Path, opts: &RunOptions, stamp: &str) -> Result<StateWriter, RunError> {
    match StateWriter::start(db, opts.cache_limits) {
        Err(StateError::Corrupt { .. }) if opts.fresh => {
            let aside = state::set_aside(db, stamp).map_err(io_err(db))?;
            tracing::warn!("the state database was unreadable; set aside as {} and started anew", aside.display());
            Ok(StateWriter::start(db, opts.cache_limits)?)
        }
        other => Ok(other?),
    }
}

/// Runs the whole pipeline.
pub fn run(opts: &RunOptions) -> Result<RunSummary, RunError> {
    let started_at = SystemTime::now();
    let wall = Instant::now();
    let reader = PairReader::open(&opts.input, &opts.input_options)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(io_err(&opts.out_dir))?;
    std::fs::create_dir_all(&opts.state_dir).map_err(io_err(&opts.state_dir))?;
    let stamp = rfc3339_utc(started_at);
    let lock = RunLock::acquire(&opts.state_dir, &stamp)?;
    if let Some(h) = &lock.taken_over {
        tracing::warn!(pid = h.pid, started_at = %h.started_at, "took over the state lock of a run that is no longer running");
    }
    let db = state::db_path(&opts.state_dir);
    let state_writer = open_state(&db, opts, &stamp.replace(':', ""))?;
    let run_key = state::run_key(&opts.input, &opts.out_dir, &opts.settings_fingerprint());
    let journal = Journal::open(&db, &run_key)?;
    if opts.fresh {
        let forgotten = journal.clear()?;
        if forgotten > 0 {
            tracing::info!(pairs = forgotten, "--fresh: recomputing pairs the journal had");
        }
    }

    let results = TableWriter::<ResultRow>::create(&opts.out_dir, "results", opts.format)?;
    let sections = TableWriter::<SectionRow>::create(&opts.out_dir, "sections", opts.format)?;
    let rejects = RejectWriter::create(&opts.out_dir)?;

    let (chunk_tx, chunk_rx) = bounded(2);
    let (write_tx, write_rx) = bounded(2);
    let limit = opts.limit;
    let reader_thread = thread::Builder::new()
        .name("tailor-read".into())
        .spawn(move || read_chunks(reader, limit, &chunk_tx))
        .map_err(io_err(&opts.input))?;
    // Local answers cost nothing and are deterministic: a resumed local run recomputes its pairs
    // (same rows) instead of paying to journal them. Runs that call networked models journal.
    let journaling = opts.registry.uses_network();
    let journal_tx = journaling.then(|| state_writer.sender());
    let writer_key = run_key.clone();
    let writer_thread = thread::Builder::new()
        .name("tailor-write".into())
        .spawn(move || write_batches(&write_rx, results, sections, rejects, journal_tx.as_ref(), &writer_key))
        .map_err(io_err(&opts.out_dir))?;

    let cache = Cache::open(&db, state_writer.sender(), opts.cache_limits)?;
    let baseline = opts.strategy == Strategy::Baseline;
    let registry = if baseline { opts.registry.first_only() } else { opts.registry.clone() };
    let fatal = OnceLock::new();
    let governor = Governor::new(opts.max_cost_usd, opts.deadline, opts.interrupt.clone());
    let limited = opts.max_cost_usd.is_some() || opts.deadline.is_some() || opts.interrupt.is_some();
    let tailor = Tailor {
        registry: &registry,
        cache: (!baseline).then_some(&cache),
        weights: &opts.weights,
        retry: opts.scheduler.retry,
        fatal: &fatal,
        governor: limited.then_some(&governor),
    };
    let pool = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("tailor-cpu-{i}")).build().map_err(|e| RunError::Io {
        path: opts.out_dir.clone(),
        source: std::io::Error::other(e),
    })?;
    let scheduler_config = if baseline { SchedulerConfig::baseline(registry.network_concurrency().max(1)) } else { opts.scheduler };
    let shared = Shared::new(&registry, tailor.cache, scheduler_config);
    let mut run_state = RunState::default();
    let processed = std::thread::scope(|scope| {
        // Local-only runs are CPU work: rayon runs whole pairs. Networked runs go through pools.
        let mut scheduled = registry.uses_network().then(|| Scheduled {
            scheduler: Scheduler::start(scope, &shared),
            history: History::default(),
            batching: !baseline,
            window: shared.pools.iter().map(|p| p.workers).sum::<usize>() * 4,
        });
        let processed = process_chunks(&tailor, &pool, scheduled.as_mut(), &journal, &chunk_rx, &write_tx, &mut run_state);
        if let Some(s) = scheduled {
            s.scheduler.stop();
            s.scheduler.shutdown();
        }
        processed
    });
    run_state.scheduler = SchedulerFigures::collect(&shared);
    // A signal makes the run end non-zero even when nothing was left to refuse.
    run_state.stopped = governor.stopped().or(governor.interrupted().then_some(StopReason::Interrupted));
    // Dispatch stopped early: the reader may be waiting to send; hanging up releases it.
    drop(chunk_rx);
    run_state.cache_hits = cache.hits();
    run_state.cache_misses = cache.misses();
    drop(cache);
    if processed.is_err() {
        // Tell the writer to publish nothing.
        let _ = write_tx.send(WriterMsg::Abort);
    }
    drop(write_tx);
    let read_busy_us = reader_thread.join().map_err(|_| RunError::Thread("reader"))?;
    let written = writer_thread.join().map_err(|_| RunError::Thread("writer"))?;
    let evicted = state_writer.finish();
    processed?;
    let written = written?;
    let evicted = evicted?;
    if evicted > 0 {
        tracing::info!(entries = evicted, "cache entries evicted (TTL or size cap)");
    }

    let finished_at = SystemTime::now();
    let updated_at = rfc3339_utc(finished_at);
    let mut stats_writer = TableWriter::<ModelStatsRow>::create(&opts.state_dir, "model_stats", OutputFormat::Parquet)?;
    stats_writer.write(&run_state.stats.to_rows(&updated_at))?;
    stats_writer.finish()?;

    let report = run_state.report(opts, read_busy_us, &written, started_at, finished_at, wall.elapsed().as_secs_f64() * 1000.0);
    report.write(&opts.out_dir).map_err(io_err(&opts.out_dir))?;
    drop(lock);
    Ok(RunSummary { exit_code: report.exit_code, report })
}

/// Reads chunks until the input ends, the limit is reached or the receiver hangs up. Returns the
/// time spent reading. A fatal read error is sent on as the last message.
fn read_chunks(mut reader: PairReader, limit: Option<u64>, tx: &Sender<Result<Vec<RowOutcome>, InputError>>) -> u64 {
    let mut busy_us = 0u64;
    let mut rows = 0u64;
    loop {
        let t = Instant::now();
        let next = reader.next_chunk();
        busy_us += t.elapsed().as_micros() as u64;
        let mut chunk = match next {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Err(e));
                break;
            }
        };
        let mut done = false;
        if let Some(limit) = limit {
            let room = limit.saturating_sub(rows);
            if chunk.len() as u64 >= room {
                chunk.truncate(room as usize);
                done = true;
            }
        }
        rows += chunk.len() as u64;
        if tx.send(Ok(chunk)).is_err() || done {
            break;
        }
    }
    busy_us
}

fn write_batches(
    rx: &Receiver<WriterMsg>,
    mut results: TableWriter<ResultRow>,
    mut sections: TableWriter<SectionRow>,
    mut rejects: RejectWriter,
    journal: Option<&Sender<StateWrite>>,
    run_key: &str,
) -> Result<WriterDone, RunError> {
    let mut done = WriterDone { results: 0, rejects: 0, busy_us: 0 };
    for msg in rx {
        let WriterMsg::Batch(batch) = msg else {
            return Ok(done);
        };
        let t = Instant::now();
        results.write(&batch.results)?;
        for rows in &batch.sections {
            sections.write(rows)?;
        }
        for reject in &batch.rejects {
            rejects.write(reject)?;
        }
        done.results += batch.results.len() as u64;
        done.rejects += batch.rejects.len() as u64;
        let Some(journal) = journal else {
            done.busy_us += t.elapsed().as_micros() as u64;
            continue;
        };
        let entries: Vec<(String, String, JournalEntry)> = batch
            .results
            .into_iter()
            .zip(batch.sections)
            .zip(batch.journal)
            .filter_map(|((result, sections), content)| Some((result.pair_id.clone(), content?, JournalEntry { result, sections })))
            .collect();
        if !entries.is_empty() && journal.send(StateWrite::Journal { run_key: run_key.to_string(), entries, ack: None }).is_err() {
            return Err(RunError::Thread("state writer"));
        }
        done.busy_us += t.elapsed().as_micros() as u64;
    }
    let t = Instant::now();
    results.finish()?;
    sections.finish()?;
    rejects.finish()?;
    done.busy_us += t.elapsed().as_micros() as u64;
    Ok(done)
}

/// What the scheduler's shared state says at the end of a run.
#[derive(Default)]
struct SchedulerFigures {
    transitions: Vec<BreakerTransition>,
    rate_limited: u64,
    limiter_waits: u64,
    waited_ms: f64,
    retries: u64,
    retries_refused: u64,
    stolen: u64,
    requests: Vec<(String, u64)>,
}

impl SchedulerFigures {
    fn collect(shared: &Shared<'_>) -> SchedulerFigures {
        let epoch = shared.started;
        let (rate_limited, waited) = shared.rate_limit_figures();
        let (retries, retries_refused) = shared.budget.counts();
        SchedulerFigures {
            transitions: shared
                .transitions()
                .into_iter()
                .map(|(model, t)| BreakerTransition { model, at_ms: t.at.saturating_duration_since(epoch).as_secs_f64() * 1000.0, from: t.from, to: t.to })
                .collect(),
            rate_limited,
            limiter_waits: shared.limiter_waits.load(std::sync::atomic::Ordering::Relaxed),
            waited_ms: waited.as_secs_f64() * 1000.0,
            retries,
            retries_refused,
            stolen: shared.stolen.load(std::sync::atomic::Ordering::Relaxed),
            requests: (0..shared.registry.len())
                .map(|i| {
                    let e = shared.registry.entry(i);
                    (format!("{}/{}", e.provider.name(), e.name), shared.requests[i].load(std::sync::atomic::Ordering::Relaxed))
                })
                .filter(|(_, n)| *n > 0)
                .collect(),
        }
    }
}

/// Each pair's job analysis, filled on first use (see `RunState::job_cells`): the first pair
/// that needs a job analyses it while its CPU thread's neighbours go on with other pairs, so no
/// pair waits for a whole chunk's jobs.
struct JobCells {
    cells: Vec<Arc<OnceLock<Arc<JobAnalysis>>>>,
    /// The cells of jobs no earlier chunk analysed, by job hash.
    fresh: Vec<(String, Arc<OnceLock<Arc<JobAnalysis>>>)>,
    pairs: u64,
    /// Time spent analysing, over every thread.
    busy_us: AtomicU64,
}

impl JobCells {
    /// Pair `slot`'s job analysis, analysing it here if no one has.
    fn get(&self, slot: usize, pair: &Pair) -> Arc<JobAnalysis> {
        Arc::clone(self.cells[slot].get_or_init(|| {
            let t = Instant::now();
            let analysis = Arc::new(analyse(&pair.job));
            self.busy_us.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
            analysis
        }))
    }
}

/// Counters the main thread keeps while chunks flow.
#[derive(Default)]
struct RunState {
    jobs: AHashMap<String, Arc<JobAnalysis>>,
    rows_in: u64,
    pairs: u64,
    /// Pairs the journal already had from an earlier run of the same input and settings.
    restored: u64,
    computed: u64,
    computed_failed: u64,
    cache_hits: u64,
    cache_misses: u64,
    /// Pairs the governor did not start (and pairs of chunks never read after it stopped are not
    /// counted: they were not read).
    not_started: u64,
    stopped: Option<StopReason>,
    scheduler: SchedulerFigures,
    rejected: u64,
    jobs_analysed: u64,
    jobs_reused: u64,
    job_busy_us: u64,
    prepare_busy_us: u64,
    execute_busy_us: u64,
    parts_tasks: TaskCounts,
    pair_counts: PairCounts,
    stats: StatsTable,
}

fn process_chunks(
    tailor: &Tailor<'_>,
    pool: &rayon::ThreadPool,
    mut scheduled: Option<&mut Scheduled<'_>>,
    journal: &Journal,
    rx: &Receiver<Result<Vec<RowOutcome>, InputError>>,
    tx: &Sender<WriterMsg>,
    state: &mut RunState,
) -> Result<(), RunError> {
    for chunk in rx {
        let chunk = chunk?;
        state.rows_in += chunk.len() as u64;
        let mut pairs: Vec<Pair> = Vec::with_capacity(chunk.len());
        let mut rejects: Vec<Reject> = Vec::new();
        for outcome in chunk {
            match outcome {
                RowOutcome::Pair(p) => pairs.push(p),
                RowOutcome::Reject(r) => rejects.push(r),
            }
        }
        state.pairs += pairs.len() as u64;
        state.rejected += rejects.len() as u64;

        // Content hashes key the journal, which only networked runs keep (see `journaling`).
        let networked = tailor.registry.uses_network();
        let contents: Vec<String> = if networked { pool.install(|| pairs.par_iter().map(|p| stable_pair_id(&p.resume, &p.job)).collect()) } else { vec![String::new(); pairs.len()] };
        let mut restored: Vec<Option<JournalEntry>> = Vec::with_capacity(pairs.len());
        for (p, content) in pairs.iter().zip(&contents) {
            restored.push(if networked { journal.get(&p.pair_id, content)? } else { None });
        }
        let todo: Vec<&Pair> = pairs.iter().zip(&restored).filter(|(_, r)| r.is_none()).map(|(p, _)| p).collect();
        state.restored += (pairs.len() - todo.len()) as u64;
        let mut assembler = Assembler::new(restored, contents, rejects);
        match scheduled.as_deref_mut() {
            Some(s) => {
                let jobs = pool.install(|| state.job_cells(&todo));
                let mut coordinator = Coordinator {
                    scheduler: &mut s.scheduler,
                    registry: tailor.registry,
                    governor: tailor.governor,
                    batching: s.batching,
                    window: s.window,
                    history: &mut s.history,
                };
                // The CPU pool analyses and segments while the coordinator already sends: the
                // first requests leave after one pair's preparation, not the whole chunk's. Pairs
                // go to the writer (and the journal) as soon as every pair before them is done.
                let estimate = |p: &Pair, prep: &tailor_pair::Prepared| tailor.estimate_cost(&p.resume, &prep.parts, &p.job);
                let run = on_pool(
                    pool,
                    &todo,
                    |slot, p| (slot, prepare(p, tailor.weights), jobs.get(slot, p)),
                    |ready| coordinator.run(&todo, &ready, &estimate, &mut |out| assembler.computed(out, state, tx)),
                );
                state.settle_jobs(jobs);
                if let Err(e) = run {
                    return Err(RunError::ProviderFatal(e));
                }
            }
            None => {
                // Offline (the local provider, which never fails): pairs are assembled and sent
                // to the writer in input order as they finish, on this thread, while the pool
                // computes the rest. Assembling a chunk after its last pair left both cores idle
                // for a fifth of a local run.
                let jobs = pool.install(|| state.job_cells(&todo));
                on_pool(
                    pool,
                    &todo,
                    |slot, p| (slot, tailor.pair(p, &jobs.get(slot, p))),
                    |done| {
                        let mut finished: Vec<Option<Option<PairOutput>>> = (0..todo.len()).map(|_| None).collect();
                        let mut next = 0;
                        for (slot, out) in done {
                            finished[slot] = Some(out);
                            while let Some(out) = finished.get_mut(next).and_then(Option::take) {
                                assembler.computed(out, state, tx);
                                next += 1;
                            }
                        }
                    },
                );
                state.settle_jobs(jobs);
                if let Some(e) = tailor.fatal.get() {
                    return Err(RunError::ProviderFatal(e.clone()));
                }
            }
        }
        let not_started = assembler.finish(state, tx)?;
        if not_started > 0 {
            // The governor stopped dispatch: what is done is written, the rest waits for a rerun.
            break;
        }
    }
    Ok(())
}

/// Runs `work(slot, pair)` for every pair of a chunk on the CPU pool, from a scoped thread, and
/// meanwhile hands this thread the receiving end of the messages to `consume` as they land. The
/// channel closes when the last pair is done; if `consume` returns first, the rest of the work
/// still runs and its messages are dropped.
fn on_pool<M: Send, R>(pool: &rayon::ThreadPool, todo: &[&Pair], work: impl Fn(usize, &Pair) -> M + Sync, consume: impl FnOnce(Receiver<M>) -> R) -> R {
    let (tx, rx) = crossbeam_channel::unbounded();
    thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            pool.install(|| {
                todo.par_iter().enumerate().for_each_with(tx, |tx, (slot, p)| {
                    let _ = tx.send(work(slot, p));
                });
            });
        });
        consume(rx)
    })
}

impl RunState {
    /// Adds a computed pair's calls and task outcomes to the run's figures.
    fn absorb(&mut self, out: &PairOutput) {
        self.computed += 1;
        self.computed_failed += u64::from(out.result.status == Status::Failed);
        self.prepare_busy_us += out.prepare_us;
        self.execute_busy_us += out.execute_us;
        self.parts_tasks.ok += out.tasks.ok;
        self.parts_tasks.failed += out.tasks.failed;
        self.parts_tasks.skipped += out.tasks.skipped;
        for call in &out.calls {
            self.stats.record(call);
        }
    }

    /// A cell per pair for its job's analysis, one cell per distinct job text: cells of jobs an
    /// earlier chunk analysed come filled, the others are filled by the first pair that needs them.
    fn job_cells(&mut self, pairs: &[&Pair]) -> JobCells {
        let hashes: Vec<String> = pairs.par_iter().map(|p| job_hash(&p.job)).collect();
        if self.jobs.len() > MAX_JOBS_IN_MEMORY {
            self.jobs.clear();
        }
        let mut distinct: AHashMap<&str, Arc<OnceLock<Arc<JobAnalysis>>>> = AHashMap::new();
        let mut fresh = Vec::new();
        let cells = hashes
            .iter()
            .map(|h| {
                let cell = distinct.entry(h.as_str()).or_insert_with(|| {
                    let cell = Arc::new(OnceLock::new());
                    match self.jobs.get(h) {
                        Some(known) => {
                            let _ = cell.set(Arc::clone(known));
                        }
                        None => fresh.push((h.clone(), Arc::clone(&cell))),
                    }
                    cell
                });
                Arc::clone(cell)
            })
            .collect();
        JobCells { cells, fresh, pairs: pairs.len() as u64, busy_us: AtomicU64::new(0) }
    }

    /// Keeps the analyses a chunk made for the next chunks and counts them.
    fn settle_jobs(&mut self, jobs: JobCells) {
        let mut analysed = 0u64;
        for (hash, cell) in jobs.fresh {
            if let Some(analysis) = cell.get() {
                analysed += 1;
                self.jobs.insert(hash, Arc::clone(analysis));
            }
        }
        self.jobs_analysed += analysed;
        self.jobs_reused += jobs.pairs - analysed;
        self.job_busy_us += jobs.busy_us.into_inner();
    }

    fn report(&self, opts: &RunOptions, read_busy_us: u64, written: &WriterDone, started: SystemTime, finished: SystemTime, wall_ms: f64) -> RunReport {
        let ms = |us: u64| us as f64 / 1000.0;
        let mut read = StageCounts::new("read");
        read.input = self.rows_in;
        read.ok = self.pairs;
        read.rejected = self.rejected;
        read.busy_ms = ms(read_busy_us);
        let mut resume = StageCounts::new("journal");
        resume.input = self.pairs;
        resume.ok = self.computed;
        resume.cached = self.restored;
        resume.skipped = self.not_started;
        let mut jobs = StageCounts::new("analyse_jobs");
        jobs.input = self.computed + self.not_started;
        jobs.ok = self.jobs_analysed;
        jobs.cached = self.jobs_reused;
        jobs.busy_ms = ms(self.job_busy_us);
        let mut prepare = StageCounts::new("segment_and_plan");
        prepare.input = self.computed + self.not_started;
        prepare.ok = self.computed + self.not_started;
        prepare.busy_ms = ms(self.prepare_busy_us);
        let t = self.parts_tasks;
        let mut tasks = StageCounts::new("tasks");
        tasks.input = t.ok + t.failed + t.skipped;
        tasks.ok = t.ok;
        tasks.failed = t.failed;
        tasks.skipped = t.skipped;
        tasks.busy_ms = ms(self.execute_busy_us);
        let mut assemble = StageCounts::new("assemble");
        assemble.input = self.pairs - self.not_started;
        assemble.ok = self.computed - self.computed_failed;
        assemble.failed = self.computed_failed;
        assemble.cached = self.restored;
        let mut write = StageCounts::new("write");
        write.input = self.pairs - self.not_started + self.rejected;
        write.ok = written.results;
        write.rejected = written.rejects;
        write.busy_ms = ms(written.busy_us);
        let stages = vec![read, resume, jobs, prepare, tasks, assemble, write];
        let accounting_holds = stages.iter().all(StageCounts::balanced);

        let pairs = PairCounts { rejected: self.rejected, ..self.pair_counts.clone() };
        let all_ok = pairs.partial == 0 && pairs.failed == 0 && pairs.rejected == 0;
        let cost_usd = self.stats.rows.values().map(|s| s.cost_usd).sum();
        let mut suggestions = Vec::new();
        if self.rejected > 0 {
            suggestions.push(format!("{} input rows were rejected: see rejects.csv for row, column and reason", self.rejected));
        }
        if pairs.failed + pairs.partial > 0 {
            suggestions.push("some sections failed every tier: the sections table names the error of each".to_string());
        }
        RunReport {
            tailor_version: env!("CARGO_PKG_VERSION"),
            started_at: rfc3339_utc(started),
            finished_at: rfc3339_utc(finished),
            wall_ms,
            input: opts.input.display().to_string(),
            output_dir: opts.out_dir.display().to_string(),
            exit_code: match (self.stopped, all_ok) {
                (Some(StopReason::Interrupted), _) => EXIT_INTERRUPTED,
                (Some(_), _) => EXIT_STOPPED,
                (None, true) => EXIT_OK,
                (None, false) => EXIT_SOME_FAILED,
            },
            stopped: self.stopped.map(|r| match r {
                StopReason::MaxCost => format!("--max-cost reached: {} pairs not started; rerun with the same input, output and state to continue", self.not_started),
                StopReason::Deadline => format!("--deadline reached: {} pairs not started; rerun with the same input, output and state to continue", self.not_started),
                StopReason::Interrupted => format!("stopped by a signal: {} pairs not finished; rerun with the same input, output and state to continue", self.not_started),
            }),
            pairs,
            stages,
            accounting_holds,
            by_model: RunReport::model_lines(&self.stats),
            cache: CacheCounts {
                hits: self.cache_hits,
                misses: self.cache_misses,
                hit_ratio: if self.cache_hits + self.cache_misses == 0 { 0.0 } else { self.cache_hits as f64 / (self.cache_hits + self.cache_misses) as f64 },
                journal_restored: self.restored,
                jobs_analysed: self.jobs_analysed,
                jobs_reused: self.jobs_reused,
            },
            cost_usd,
            resilience: ResilienceCounts {
                breaker_transitions: self.scheduler.transitions.clone(),
                rate_limited: self.scheduler.rate_limited,
                rate_limit_waits: self.scheduler.limiter_waits,
                rate_limit_wait_ms: self.scheduler.waited_ms,
                retries: self.scheduler.retries,
                retries_refused_by_budget: self.scheduler.retries_refused,
                jobs_stolen: self.scheduler.stolen,
                requests: self.scheduler.requests.clone(),
            },
            suggestions,
        }
    }
}
