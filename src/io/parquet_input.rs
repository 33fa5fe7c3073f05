//! Parquet input, read in record batches of the chunk size with only the needed columns.
//! Text columns may be Utf8, LargeUtf8, Utf8View, or Binary/LargeBinary/BinaryView (which may
//! hold invalid UTF-8: such a row is rejected, not a crash); id columns may also be integers.
//! Any other column type is refused when the file is opened, before a row is read.

use super::input::{ColumnIndex, Field, InputOptions, RawRow, RowSource};
use super::InputError;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};

pub(crate) struct ParquetRows {
    reader: ParquetRecordBatchReader,
    path: PathBuf,
    /// Column positions in the projected batches (not in the file).
    cols: ColumnIndex,
    buffered: VecDeque<RawRow>,
    row: u64,
}

impl ParquetRows {
    pub fn new(path: &Path, file: File, opts: &InputOptions) -> Result<ParquetRows, InputError> {
        let unreadable = |e: parquet::errors::ParquetError| InputError::Unreadable { path: path.to_path_buf(), message: format!("not a readable Parquet file: {e}") };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(unreadable)?;
        let names: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
        let index = ColumnIndex::find(path, &names, opts)?;
        check_types(path, builder.schema(), &index)?;
        let ids = [index.id, index.resume_id, index.job_id];
        let mut roots: Vec<usize> = [index.resume, index.job].into_iter().chain(ids.into_iter().flatten()).collect();
        roots.sort_unstable();
        roots.dedup();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
        // A projected batch keeps the file's column order, so a column's place is the number of
        // projected columns before it.
        let pos = |c: usize| roots.partition_point(|&r| r < c);
        let cols = ColumnIndex { resume: pos(index.resume), job: pos(index.job), id: index.id.map(pos), resume_id: index.resume_id.map(pos), job_id: index.job_id.map(pos) };
        let reader = builder.with_projection(mask).with_batch_size(opts.chunk_rows.max(1)).build().map_err(unreadable)?;
        Ok(ParquetRows { reader, path: path.to_path_buf(), cols, buffered: VecDeque::new(), row: 0 })
    }

    fn push_batch(&mut self, batch: &RecordBatch) {
        for i in 0..batch.num_rows() {
            self.row += 1;
            let field = |c: usize| cell(batch.column(c).as_ref(), i);
            self.buffered.push_back(RawRow::Fields {
                row: self.row,
                resume: field(self.cols.resume),
                job: field(self.cols.job),
                id: self.cols.id.map(field),
                resume_id: self.cols.resume_id.map(field),
                job_id: self.cols.job_id.map(field),
            });
        }
    }
}

fn is_text(dt: &DataType) -> bool {
    matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Binary | DataType::LargeBinary | DataType::BinaryView)
}

fn is_integer(dt: &DataType) -> bool {
    matches!(dt, DataType::Int32 | DataType::Int64 | DataType::UInt32 | DataType::UInt64)
}

/// Refuses a file whose resume or job column is not text, or whose id columns are neither text
/// nor integers.
fn check_types(path: &Path, schema: &Schema, index: &ColumnIndex) -> Result<(), InputError> {
    let texts = [index.resume, index.job].map(|c| (c, false));
    let ids = [index.id, index.resume_id, index.job_id].into_iter().flatten().map(|c| (c, true));
    for (c, id) in texts.into_iter().chain(ids) {
        let field = schema.field(c);
        let (ok, expected) = if id { (is_text(field.data_type()) || is_integer(field.data_type()), "text or integers") } else { (is_text(field.data_type()), "text") };
        if !ok {
            return Err(InputError::Unreadable { path: path.to_path_buf(), message: format!("column {:?} is {}; expected {expected}", field.name(), field.data_type()) });
        }
    }
    Ok(())
}

fn cell(array: &dyn Array, i: usize) -> Field {
    if array.is_null(i) {
        return Field::Null;
    }
    match array.data_type() {
        DataType::Utf8 => Field::Text(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Field::Text(array.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Field::Text(array.as_string_view().value(i).to_string()),
        DataType::Binary => Field::Bytes(array.as_binary::<i32>().value(i).to_vec()),
        DataType::LargeBinary => Field::Bytes(array.as_binary::<i64>().value(i).to_vec()),
        DataType::BinaryView => Field::Bytes(array.as_binary_view().value(i).to_vec()),
        DataType::Int32 => Field::Text(array.as_primitive::<Int32Type>().value(i).to_string()),
        DataType::Int64 => Field::Text(array.as_primitive::<Int64Type>().value(i).to_string()),
        DataType::UInt32 => Field::Text(array.as_primitive::<UInt32Type>().value(i).to_string()),
        DataType::UInt64 => Field::Text(array.as_primitive::<UInt64Type>().value(i).to_string()),
        // `check_types` let no other type through.
        _ => Field::Null,
    }
}

impl RowSource for ParquetRows {
    fn next_rows(&mut self, n: usize) -> Result<Vec<RawRow>, InputError> {
        while self.buffered.len() < n {
            match self.reader.next() {
                Some(Ok(batch)) => self.push_batch(&batch),
                Some(Err(e)) => return Err(InputError::Unreadable { path: self.path.clone(), message: format!("reading Parquet: {e}") }),
                None => break,
            }
        }
        let take = n.min(self.buffered.len());
        Ok(self.buffered.drain(..take).collect())
    }
}
