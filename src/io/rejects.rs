//! `rejects.csv`: one line per input row set aside, with its row number, pair id if known, the
//! column at fault and the reason. Always CSV, whatever the output format, so it opens anywhere.

use super::table::{Column, ColumnType, OutputFormat, TableRow, TableWriter, Value};
use super::OutputError;
use crate::pair::Reject;
use std::path::{Path, PathBuf};

const COLUMNS: &[Column] = &[
    Column { name: "row", ty: ColumnType::Int64, nullable: false },
    Column { name: "pair_id", ty: ColumnType::Utf8, nullable: true },
    Column { name: "column", ty: ColumnType::Utf8, nullable: false },
    Column { name: "reason", ty: ColumnType::Utf8, nullable: false },
];

impl TableRow for Reject {
    fn columns() -> &'static [Column] {
        COLUMNS
    }

    fn values(&self) -> Vec<Value<&str>> {
        vec![
            Value::I64(i64::try_from(self.row).unwrap_or(i64::MAX)),
            self.pair_id.as_deref().map_or(Value::Null, Value::Str),
            Value::Str(&self.column),
            Value::Str(&self.reason),
        ]
    }
}

/// Writes `rejects.csv` atomically.
pub struct RejectWriter(TableWriter<Reject>);

impl RejectWriter {
    pub fn create(dir: &Path) -> Result<RejectWriter, OutputError> {
        TableWriter::create(dir, "rejects", OutputFormat::Csv).map(RejectWriter)
    }

    pub fn write(&mut self, reject: &Reject) -> Result<(), OutputError> {
        self.0.write(std::slice::from_ref(reject))
    }

    pub fn finish(self) -> Result<PathBuf, OutputError> {
        self.0.finish()
    }
}
