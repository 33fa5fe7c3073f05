//! Readers of input pairs (CSV, Parquet, JSONL) and writers of output tables.
//!
//! Input is streamed in chunks so memory does not grow with the file; a bad row becomes a
//! `RowOutcome::Reject` with its row number, column and reason, and reading goes on. Only problems
//! with the file as a whole (missing, unreadable, a required column absent or not text) are
//! errors. A row of a text format is never held past `input::row_byte_limit`, whatever the file.
//!
//! Output tables are described once (`TableRow`) and written as Parquet, CSV or JSONL under a
//! temporary name that is renamed into place when complete.

mod csv_input;
mod input;
mod jsonl_input;
mod parquet_input;
mod rejects;
mod table;
mod table_read;
#[cfg(test)]
mod input_tests;
#[cfg(test)]
mod output_tests;

pub use input::{InputFormat, InputOptions, PairReader};
pub use rejects::RejectWriter;
pub use table::{Column, ColumnType, OutputFormat, Table, TableRow, TableWriter, Value};
pub use table_read::read_table;

use std::path::PathBuf;

/// A problem with an input file as a whole. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot open input: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("{path}: unknown input format (expected .csv, .parquet or .jsonl)")]
    UnknownFormat { path: PathBuf },
    #[error("{path}: missing required column {column:?}; the file has columns: {found}")]
    MissingColumn { path: PathBuf, column: String, found: String },
    #[error("{path}: {message}")]
    Unreadable { path: PathBuf, message: String },
}

/// A problem writing an output file.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}
