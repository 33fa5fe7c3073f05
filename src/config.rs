//! `tailor.toml`: what a user may configure, as serde structs that reject unknown keys, and its
//! validation into runtime values. Every field is optional; the defaults are written beside it.

use crate::plan::SectionWeights;
use crate::segment::SectionType;
use crate::state::CacheLimits;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file as written.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub run: RunSection,
    #[serde(default)]
    pub input: InputSection,
    #[serde(default)]
    pub cache: CacheSection,
    /// Importance of each section type, 0 to 10 (0 = leave the section alone). Keys are section
    /// types: contact, summary, experience, education, skills, projects, certifications, awards,
    /// publications, volunteering, languages, interests, references, additional, other.
    /// Defaults: experience 1.0, skills 0.8, summary 0.7, projects 0.6, education 0.5, ...
    #[serde(default)]
    pub weights: BTreeMap<String, f32>,
}

/// `[run]`
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// State folder (cache, journal, performance table). Default: `.tailor-state` in the output folder.
    pub state_dir: Option<PathBuf>,
    /// Largest resume or job text accepted, in bytes; longer rows are rejected. Default 200000.
    pub max_text_bytes: Option<usize>,
    /// Rows read and processed together. Default 1024.
    pub chunk_rows: Option<usize>,
}

/// `[cache]`
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CacheSection {
    /// Days a cached model answer stays valid. Default 30.
    pub ttl_days: Option<f64>,
    /// Largest size of the cache in MiB; the least recently used answers go first. Default 2048.
    pub max_mib: Option<u64>,
}

/// `[input]`: column names, when the file does not use `resume`, `job` and `pair_id`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InputSection {
    pub resume_col: Option<String>,
    pub job_col: Option<String>,
    pub id_col: Option<String>,
}

/// A config that cannot be used, with the file and the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl FileConfig {
    /// Reads and parses a config file; unknown keys and wrong types are errors naming the key.
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let err = |message: String| ConfigError { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read config: {e}")))?;
        let config: FileConfig = toml::from_str(&text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        config.validate().map_err(err)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if self.run.max_text_bytes == Some(0) {
            return Err("run.max_text_bytes must be at least 1".into());
        }
        if self.run.chunk_rows == Some(0) {
            return Err("run.chunk_rows must be at least 1".into());
        }
        if self.cache.ttl_days.is_some_and(|d| !(d > 0.0 && d.is_finite())) {
            return Err("cache.ttl_days must be a positive number of days".into());
        }
        self.section_weights().map(|_| ())
    }

    /// Cache TTL and size cap: defaults overridden by `[cache]`.
    pub fn cache_limits(&self) -> CacheLimits {
        let d = CacheLimits::default();
        CacheLimits {
            ttl: self.cache.ttl_days.map_or(d.ttl, |days| Duration::from_secs_f64(days * 86_400.0)),
            max_bytes: self.cache.max_mib.map_or(d.max_bytes, |m| m.saturating_mul(1 << 20)),
        }
    }

    /// The section weights: defaults overridden by `[weights]`.
    pub fn section_weights(&self) -> Result<SectionWeights, String> {
        let mut weights = SectionWeights::default();
        for (key, &value) in &self.weights {
            let kind = SectionType::parse(key).ok_or_else(|| {
                let known: Vec<&str> = SectionType::ALL.iter().map(|k| k.as_str()).collect();
                format!("weights.{key}: unknown section type; expected one of {}", known.join(", "))
            })?;
            if !(0.0..=10.0).contains(&value) {
                return Err(format!("weights.{key}: {value} is outside 0 to 10"));
            }
            weights.set(kind, value);
        }
        Ok(weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FileConfig, String> {
        let c: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn empty_config_is_all_defaults() {
        assert_eq!(parse("").expect("empty is valid"), FileConfig::default());
    }

    #[test]
    fn unknown_keys_name_themselves() {
        let e = parse("[run]\nmax_text_byte = 5\n").expect_err("typo");
        assert!(e.contains("max_text_byte"), "{e}");
        let e = parse("[weights]\nexperiense = 1.0\n").expect_err("typo");
        assert!(e.contains("weights.experiense"), "{e}");
    }

    #[test]
    fn weights_override_defaults_and_are_bounded() {
        let c = parse("[weights]\nskills = 2.5\n").expect("valid");
        assert_eq!(c.section_weights().expect("valid").get(SectionType::Skills), 2.5);
        assert!(parse("[weights]\nskills = 11\n").is_err());
        assert!(parse("[run]\nchunk_rows = 0\n").is_err());
    }
}
