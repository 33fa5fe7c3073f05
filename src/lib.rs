//! tailor: tailors resumes to job descriptions with LLMs, in bulk.
//!
//! The binary (`main.rs`, `cli.rs`) only parses arguments and dispatches; everything else is this
//! library, so tests and benches call the engine directly. See `docs/ARCHITECTURE.md` for the map.
#![forbid(unsafe_code)]

pub mod aggregate;
pub mod config;
pub mod engine;
pub mod io;
pub mod job;
pub mod pair;
pub mod plan;
pub mod provider;
pub mod quality;
pub mod report;
pub mod rows;
pub mod segment;
pub mod state;
pub mod stats;
pub mod text;
