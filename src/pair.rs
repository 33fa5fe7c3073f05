//! One input row: a resume and a job description to tailor it to, or the reason the row was set aside.

use serde::{Deserialize, Serialize};

/// A validated input pair. `row` is the 1-based data row number in the input file (the header of a
/// CSV file is not counted), so messages and rejects can point the user at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub row: u64,
    pub pair_id: String,
    pub resume_id: Option<String>,
    pub job_id: Option<String>,
    pub resume: String,
    pub job: String,
}

/// A row that could not be used, with where and why. Written to `rejects.csv`; the run goes on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    pub row: u64,
    pub pair_id: Option<String>,
    pub column: String,
    pub reason: String,
}

/// What reading one row produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowOutcome {
    Pair(Pair),
    Reject(Reject),
}

/// The stable id of a pair without an explicit `pair_id`: the first 16 hex digits of the blake3 hash
/// of the resume and job texts, so the same pair gets the same id in every run and every shard.
pub fn stable_pair_id(resume: &str, job: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&(resume.len() as u64).to_le_bytes());
    hasher.update(resume.as_bytes());
    hasher.update(job.as_bytes());
    hasher.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_pair_id_is_stable_and_separates_fields() {
        let a = stable_pair_id("resume", "job");
        assert_eq!(a, stable_pair_id("resume", "job"));
        assert_eq!(a.len(), 16);
        assert_ne!(a, stable_pair_id("resumej", "ob"));
    }
}
