//! tailor: tailors resumes to job descriptions with LLMs, in bulk.
//!
//! The binary (`main.rs`, `cli.rs`) only parses arguments and dispatches; everything else is this
//! library, so tests and benches call the engine directly. See `docs/ARCHITECTURE.md` for the map.
#![forbid(unsafe_code)]
// Provider failures carry what retry and fallback need (status, code, limits, retry hint); they
// are the expected path of a network call, so their size is not worth boxing away.
#![allow(clippy::result_large_err)]

pub mod aggregate;
pub mod config;
pub mod engine;
pub mod inspect;
pub mod io;
pub mod job;
pub mod pair;
pub mod plan;
pub mod provider;
pub mod quality;
pub mod report;
pub mod resilience;
pub mod rows;
pub mod schedule;
pub mod segment;
pub mod sim;
pub mod state;
pub mod stats;
pub mod text;
pub mod time;

/// The allocator of every program built on this library (the CLI, its tests and benches):
/// mimalloc. The engine makes many small, short-lived strings and vectors per pair (a resume's
/// lines, tokens and entry fields; requests and responses) on rayon's and the workers' threads,
/// and mimalloc's per-thread free lists serve them in fewer instructions than glibc's malloc
/// (segmenting the bench resume: about 4% fewer instructions a call; `tailor run`: 8-23% more
/// pairs a second, for about a quarter more peak memory).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
