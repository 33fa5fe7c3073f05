//! Readers of input pairs (CSV, Parquet, JSONL) and writers of output tables; see the module docs.
