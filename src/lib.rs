//! tailor: tailors resumes to job descriptions with LLMs, in bulk.
//!
//! The binary (`main.rs`, `cli.rs`) only parses arguments and dispatches; everything else is this
//! library, so tests and benches call the engine directly. See `docs/ARCHITECTURE.md` for the map.
#![forbid(unsafe_code)]

pub mod io;
pub mod pair;
pub mod segment;
pub mod text;
