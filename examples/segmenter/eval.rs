//! Scores a segmentation method on labelled resumes: line-level section accuracy and exact
//! experience and education entry counts, overall, per group (generator style or hand-written)
//! and per failing file.

use crate::corpus::Doc;
use std::collections::BTreeMap;
use tailor::segment::{segment_with, Method, SectionType, Segmentation};

/// The section type each line was put in.
pub fn predicted_lines(seg: &Segmentation, lines: usize) -> Vec<SectionType> {
    let mut out = vec![SectionType::Other; lines];
    for s in &seg.sections {
        for k in out.iter_mut().skip(s.first_line).take(s.line_count) {
            *k = s.kind;
        }
    }
    out
}

fn entries(seg: &Segmentation, kind: SectionType) -> usize {
    seg.sections.iter().filter(|s| s.kind == kind).map(|s| s.entries.len()).sum()
}

/// One document's score.
pub struct DocScore {
    pub lines: usize,
    pub correct: usize,
    pub exp: (usize, usize),
    pub edu: (usize, usize),
    /// (line number, truth, predicted) of each wrong line.
    pub wrong: Vec<(usize, SectionType, SectionType)>,
}

impl DocScore {
    pub fn exact(&self) -> bool {
        self.exp.0 == self.exp.1 && self.edu.0 == self.edu.1
    }
}

pub fn score(doc: &Doc, method: Method) -> DocScore {
    let seg = segment_with(&doc.text, method);
    let pred = predicted_lines(&seg, doc.labels.len());
    let mut s = DocScore {
        lines: 0,
        correct: 0,
        exp: (doc.entries(SectionType::Experience), entries(&seg, SectionType::Experience)),
        edu: (doc.entries(SectionType::Education), entries(&seg, SectionType::Education)),
        wrong: Vec::new(),
    };
    for (n, (t, p)) in doc.labels.iter().zip(&pred).enumerate() {
        let Some(truth) = t.section() else { continue };
        s.lines += 1;
        if truth == *p {
            s.correct += 1;
        } else {
            s.wrong.push((n + 1, truth, *p));
        }
    }
    s
}

#[derive(Default)]
struct Tally {
    docs: usize,
    exact: usize,
    lines: usize,
    correct: usize,
}

impl Tally {
    fn add(&mut self, s: &DocScore) {
        self.docs += 1;
        self.exact += usize::from(s.exact());
        self.lines += s.lines;
        self.correct += s.correct;
    }

    fn line_acc(&self) -> f64 {
        100.0 * self.correct as f64 / self.lines.max(1) as f64
    }

    fn exact_rate(&self) -> f64 {
        100.0 * self.exact as f64 / self.docs.max(1) as f64
    }
}

pub const DEFINITIONS: &str = "\
line accuracy: over non-blank lines, the share whose predicted section type (the type of the
  section the segmenter put the line in) equals the labelled one; a heading line (and its rule or
  \"(continued)\" repeat) counts by the section it opens.
exact counts: the share of resumes whose number of experience entries AND number of education
  entries (summed over all sections of that type) equal the labelled counts (`B` lines).";

/// Prints the comparison table, then per-group and per-file breakdowns for `detail`.
/// `show_files`: list the files with a wrong line or count (and with `show_lines` their wrong
/// lines); off by default on the held-out part, so that tuning never sees held-out files.
pub fn report(docs: &[Doc], methods: &[(&str, Method)], detail: Method, show_files: bool, show_lines: bool) {
    println!("{DEFINITIONS}\n");
    println!("{:<12} {:>8} {:>14} {:>12} {:>12}", "method", "lines", "line accuracy", "exact counts", "resumes");
    let mut detail_scores = Vec::new();
    for (name, m) in methods {
        let mut t = Tally::default();
        let scores: Vec<DocScore> = docs.iter().map(|d| score(d, *m)).collect();
        scores.iter().for_each(|s| t.add(s));
        println!("{name:<12} {:>8} {:>13.2}% {:>11.1}% {:>6}/{:<5}", t.lines, t.line_acc(), t.exact_rate(), t.exact, t.docs);
        if *m == detail {
            detail_scores = scores;
        }
    }
    let detail_name = methods.iter().find(|(_, m)| *m == detail).map_or("?", |(n, _)| n);
    println!("\nper group ({detail_name}):");
    let mut groups: BTreeMap<&str, Tally> = BTreeMap::new();
    for (d, s) in docs.iter().zip(&detail_scores) {
        groups.entry(d.group.as_str()).or_default().add(s);
    }
    for (g, t) in &groups {
        println!("  {g:<14} {:>6} lines {:>7.2}%   exact {:>3}/{:<3}", t.lines, t.line_acc(), t.exact, t.docs);
    }
    if !show_files {
        println!("\n(files with a wrong line or count: --files; held-out files are for measuring, not for tuning)");
        return;
    }
    println!("\nfiles with a wrong line or count ({detail_name}): name, line accuracy, experience true/found, education true/found");
    for (d, s) in docs.iter().zip(&detail_scores) {
        if s.wrong.is_empty() && s.exact() {
            continue;
        }
        println!(
            "  {:<44} {:>6.1}%  exp {}/{}  edu {}/{}{}",
            d.name,
            100.0 * s.correct as f64 / s.lines.max(1) as f64,
            s.exp.0,
            s.exp.1,
            s.edu.0,
            s.edu.1,
            if s.exact() { "" } else { "  <- counts" }
        );
        if show_lines {
            let lines: Vec<&str> = d.text.lines().collect();
            for (n, t, p) in &s.wrong {
                println!("      {n:>4} {:<14} as {:<14} {}", t.as_str(), p.as_str(), lines.get(n - 1).unwrap_or(&""));
            }
        }
    }
}
