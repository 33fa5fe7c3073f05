//! Source folders read in name order, so every machine sees the same files in the same order.

use std::path::Path;

use anyhow::{Context, Result};

/// The `*.{ext}` files of `dir` as (file stem, contents), sorted by file name.
pub fn read_sources(dir: &Path, ext: &str) -> Result<Vec<(String, String)>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading source folder {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.extension().is_some_and(|e| e == ext));
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            Ok((stem, text))
        })
        .collect()
}
