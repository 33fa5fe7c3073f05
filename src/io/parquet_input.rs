//! Parquet input, read in record batches of the chunk size with only the needed columns.
//! String columns may be Utf8, LargeUtf8, Utf8View, or Binary (which may hold invalid UTF-8:
//! such a row is rejected, not a crash).

use super::input::{ColumnIndex, Field, InputOptions, RawRow, RowSource};
use super::InputError;
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};

pub(crate) struct ParquetRows {
    reader: ParquetRecordBatchReader,
    path: PathBuf,
    /// Positions of resume, job, id, resume_id, job_id in the projected batches.
    cols: [Option<usize>; 5],
    buffered: VecDeque<RawRow>,
    row: u64,
}

impl ParquetRows {
    pub fn new(path: &Path, file: File, opts: &InputOptions) -> Result<ParquetRows, InputError> {
        let unreadable = |e: parquet::errors::ParquetError| InputError::Unreadable { path: path.to_path_buf(), message: format!("not a readable Parquet file: {e}") };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(unreadable)?;
        let names: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
        let index = ColumnIndex::find(path, &names, opts)?;
        let wanted = [Some(index.resume), Some(index.job), index.id, index.resume_id, index.job_id];
        let mut leaves: Vec<usize> = wanted.iter().flatten().copied().collect();
        leaves.sort_unstable();
        leaves.dedup();
        let mask = ProjectionMask::roots(builder.parquet_schema(), leaves.iter().copied());
        // In the projected batch, columns keep file order.
        let cols = wanted.map(|w| w.map(|c| leaves.iter().position(|&l| l == c).expect("projected")));
        let reader = builder.with_projection(mask).with_batch_size(opts.chunk_rows.max(1)).build().map_err(unreadable)?;
        Ok(ParquetRows { reader, path: path.to_path_buf(), cols, buffered: VecDeque::new(), row: 0 })
    }

    fn push_batch(&mut self, batch: &RecordBatch) -> Result<(), InputError> {
        for c in self.cols.iter().flatten() {
            let dt = batch.column(*c).data_type();
            if !matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Binary | DataType::LargeBinary | DataType::BinaryView) {
                return Err(InputError::Unreadable { path: self.path.clone(), message: format!("column {:?} is {dt}, not text", batch.schema().field(*c).name()) });
            }
        }
        for i in 0..batch.num_rows() {
            self.row += 1;
            let field = |c: usize| cell(batch.column(c).as_ref(), i);
            self.buffered.push_back(RawRow::Fields {
                row: self.row,
                resume: field(self.cols[0].expect("required")),
                job: field(self.cols[1].expect("required")),
                id: self.cols[2].map(field),
                resume_id: self.cols[3].map(field),
                job_id: self.cols[4].map(field),
            });
        }
        Ok(())
    }
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
        _ => Field::Null,
    }
}

impl RowSource for ParquetRows {
    fn next_rows(&mut self, n: usize) -> Result<Vec<RawRow>, InputError> {
        while self.buffered.len() < n {
            match self.reader.next() {
                Some(Ok(batch)) => self.push_batch(&batch)?,
                Some(Err(e)) => return Err(InputError::Unreadable { path: self.path.clone(), message: format!("reading Parquet: {e}") }),
                None => break,
            }
        }
        let take = n.min(self.buffered.len());
        Ok(self.buffered.drain(..take).collect())
    }
}
