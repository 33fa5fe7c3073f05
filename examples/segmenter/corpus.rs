//! The labelled resumes: generator renderings (`NAME.txt` + `NAME.labels` from
//! `make_sample_data --labelled`) and the hand-written files, split into training and held-out
//! parts by `data/segment-eval/split.tsv` (generator renderings by source document) and by name
//! (hand-written `t-*` train, `h-*` held out).

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;
use tailor::segment::SectionType;

/// The true label of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Blank,
    Heading(SectionType),
    /// Body line of a section; `true` when it begins an entry.
    Body(SectionType, bool),
}

impl Truth {
    fn parse(s: &str) -> Option<Truth> {
        let mut it = s.split_whitespace();
        let (a, b) = (it.next()?, it.next());
        match (a, b) {
            ("blank", None) => Some(Truth::Blank),
            ("heading", Some(t)) => SectionType::parse(t).map(Truth::Heading),
            (t, Some(f @ ("B" | "I"))) => SectionType::parse(t).map(|k| Truth::Body(k, f == "B")),
            _ => None,
        }
    }

    /// The section the line belongs to (a heading counts by its section); None for blanks.
    pub fn section(self) -> Option<SectionType> {
        match self {
            Truth::Blank => None,
            Truth::Heading(k) | Truth::Body(k, _) => Some(k),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Train,
    HeldOut,
}

pub struct Doc {
    pub name: String,
    /// The generator style (`caps-rule`, ...) or `handwritten`.
    pub group: String,
    pub text: String,
    pub labels: Vec<Truth>,
}

impl Doc {
    /// True entries of a section type (its `B` lines).
    pub fn entries(&self, kind: SectionType) -> usize {
        self.labels.iter().filter(|t| **t == Truth::Body(kind, true)).count()
    }
}

/// Reads the split file: source document stem -> part.
fn read_split(path: &Path) -> Result<BTreeMap<String, Part>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let part = match line.split_once('\t') {
            Some((stem, "train")) => (stem, Part::Train),
            Some((stem, "heldout")) => (stem, Part::HeldOut),
            _ => bail!("{}:{}: expected `STEM<TAB>train|heldout`", path.display(), n + 1),
        };
        out.insert(part.0.to_string(), part.1);
    }
    Ok(out)
}

fn read_doc(dir: &Path, stem: &str, group: String) -> Result<Doc> {
    let txt = dir.join(format!("{stem}.txt"));
    let lab = dir.join(format!("{stem}.labels"));
    let text = std::fs::read_to_string(&txt).with_context(|| format!("reading {}", txt.display()))?;
    let labels_text = std::fs::read_to_string(&lab).with_context(|| format!("reading {}", lab.display()))?;
    let labels = labels_text
        .lines()
        .enumerate()
        .map(|(n, l)| Truth::parse(l).with_context(|| format!("{}:{}: bad label {l:?}", lab.display(), n + 1)))
        .collect::<Result<Vec<_>>>()?;
    let lines = text.split_inclusive('\n').count();
    if lines != labels.len() {
        bail!("{}: {lines} lines but {} labels", txt.display(), labels.len());
    }
    Ok(Doc { name: stem.to_string(), group, text, labels })
}

/// Stems of the `*.txt` files of a folder, sorted.
fn stems(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let name = e?.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".txt") {
            out.push(stem.to_string());
        }
    }
    out.sort();
    Ok(out)
}

/// The documents of one part: renderings in `rendered` whose source the split assigns to `part`
/// (a source missing from the split is an error, so a new document is never silently used), and
/// the hand-written files of `handwritten` with the part's prefix (`t-` or `h-`), if that folder
/// exists.
pub fn load(rendered: &Path, handwritten: Option<&Path>, split: &Path, part: Part) -> Result<Vec<Doc>> {
    let split = read_split(split)?;
    let mut docs = Vec::new();
    for stem in stems(rendered)? {
        let mut pieces = stem.split('.');
        let (Some(source), Some(style)) = (pieces.next(), pieces.next()) else { bail!("{}: unexpected name {stem}", rendered.display()) };
        match split.get(source) {
            Some(p) if *p == part => docs.push(read_doc(rendered, &stem, style.to_string())?),
            Some(_) => {}
            None => bail!("source document {source} is in neither part of the split; add it to the split file"),
        }
    }
    if let Some(dir) = handwritten {
        let prefix = if part == Part::Train { "t-" } else { "h-" };
        for stem in stems(dir)?.into_iter().filter(|s| s.starts_with(prefix)) {
            docs.push(read_doc(dir, &stem, "handwritten".to_string())?);
        }
    }
    Ok(docs)
}
