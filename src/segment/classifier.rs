//! The trained line classifier: a multinomial logistic regression over line features giving each
//! line a section type, decoded over the whole resume with learned section-to-section transitions
//! (Viterbi), and a binary logistic regression marking the lines that begin an entry.
//!
//! Two weight sets ship in `data/segmenter-weights.tsv` (written by `scripts/train-segmenter`):
//! `alone` sees the text's features only; `combined` also sees the rules' opinion of each line.
//! The file is embedded and parsed once, on first use.

use super::features::{Active, COUNT};
use super::SectionType;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// Number of section types (classes).
pub const K: usize = SectionType::ALL.len();

/// One weight set.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Per feature id, its weight for each section type.
    pub section: Vec<[f32; K]>,
    /// Per feature id, its weight for "begins an entry".
    pub begin: Vec<f32>,
    /// Log-probability of the next non-blank line's type given this one's.
    pub transition: [[f32; K]; K],
    /// Log-probability of the first non-blank line's type.
    pub start: [f32; K],
}

/// Both weight sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    pub alone: Model,
    pub combined: Model,
}

impl Model {
    pub fn zero() -> Model {
        Model { section: vec![[0.0; K]; COUNT as usize], begin: vec![0.0; COUNT as usize], transition: [[0.0; K]; K], start: [0.0; K] }
    }

    /// Unnormalised log-scores of each section type for a line.
    pub fn section_scores(&self, a: &Active) -> [f32; K] {
        let mut s = [0.0f32; K];
        for &id in a.ids() {
            let w = &self.section[usize::from(id)];
            for (x, y) in s.iter_mut().zip(w) {
                *x += y;
            }
        }
        s
    }

    /// Log-odds that a line begins an entry.
    pub fn begin_score(&self, a: &Active) -> f32 {
        a.ids().iter().map(|&id| self.begin[usize::from(id)]).sum()
    }

    /// The most likely section type of every line: Viterbi over the non-blank lines with the
    /// classifier's log-probabilities as emissions; a blank line takes the type of the line
    /// before it (the first lines, of the line after).
    pub fn decode(&self, feats: &[Option<Active>]) -> Vec<SectionType> {
        let mut back: Vec<[u8; K]> = Vec::with_capacity(feats.len());
        let mut score = [0.0f32; K];
        let mut first = true;
        for a in feats.iter().flatten() {
            let mut e = self.section_scores(a);
            log_softmax(&mut e);
            let mut next = [0.0f32; K];
            let mut bp = [0u8; K];
            for (to, n) in next.iter_mut().enumerate() {
                if first {
                    *n = self.start[to] + e[to];
                    continue;
                }
                let (mut best, mut arg) = (f32::NEG_INFINITY, 0);
                for (from, s) in score.iter().enumerate() {
                    let v = s + self.transition[from][to];
                    if v > best {
                        (best, arg) = (v, from);
                    }
                }
                *n = best + e[to];
                bp[to] = arg as u8;
            }
            first = false;
            score = next;
            back.push(bp);
        }
        let mut path = vec![SectionType::Other; back.len()];
        let mut state = (0..K).fold(0, |b, k| if score[k] > score[b] { k } else { b });
        for (t, bp) in back.iter().enumerate().rev() {
            path[t] = SectionType::ALL[state];
            state = usize::from(bp[state]);
        }
        let mut out = Vec::with_capacity(feats.len());
        let mut it = path.into_iter();
        let mut last = None;
        for a in feats {
            if a.is_some() {
                last = it.next();
            }
            out.push(last);
        }
        let first_kind = out.iter().flatten().next().copied().unwrap_or(SectionType::Other);
        out.into_iter().map(|k| k.unwrap_or(first_kind)).collect()
    }
}

/// In place: x -> x - log(sum(exp(x))).
pub fn log_softmax(x: &mut [f32; K]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = x.iter().map(|v| (v - max).exp()).sum();
    let norm = max + sum.ln();
    for v in x.iter_mut() {
        *v -= norm;
    }
}

/// The shipped weights, parsed on first use.
pub fn weights() -> &'static Weights {
    static W: OnceLock<Weights> = OnceLock::new();
    W.get_or_init(|| parse(include_str!("../../data/segmenter-weights.tsv")).expect("data/segmenter-weights.tsv is well formed (a unit test checks it)"))
}

/// Reads the weights file: `#` comments, then rows `SET<TAB>TABLE<TAB>KEY<TAB>VALUES...` where
/// SET is `alone` or `combined`; TABLE `section` (KEY a feature, one value per section type in
/// `SectionType::ALL` order), `begin` (a feature, one value), `transition` (KEY the from-type,
/// one value per to-type) or `start` (KEY `-`, one value per type). Missing rows are zeros.
pub fn parse(text: &str) -> Result<Weights, String> {
    let ids: ahash::AHashMap<String, u16> = (0..COUNT).map(|i| (super::features::name(i), i)).collect();
    let mut w = Weights { alone: Model::zero(), combined: Model::zero() };
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let err = |what: &str| format!("segmenter weights line {}: {what}", n + 1);
        let mut cols = line.split('\t');
        let (Some(set), Some(table), Some(key)) = (cols.next(), cols.next(), cols.next()) else { return Err(err("too few columns")) };
        let values: Vec<f32> = cols.map(|c| c.parse::<f32>().map_err(|_| err("bad number"))).collect::<Result<_, _>>()?;
        let model = match set {
            "alone" => &mut w.alone,
            "combined" => &mut w.combined,
            _ => return Err(err("unknown weight set")),
        };
        let row = |want: usize| if values.len() == want { Ok(()) } else { Err(err("wrong number of values")) };
        let feature = || ids.get(key).map(|&i| usize::from(i)).ok_or_else(|| err("unknown feature"));
        let kind = || SectionType::parse(key).map(|k| k as usize).ok_or_else(|| err("unknown section type"));
        match table {
            "section" => {
                row(K)?;
                model.section[feature()?].copy_from_slice(&values);
            }
            "begin" => {
                row(1)?;
                model.begin[feature()?] = values[0];
            }
            "transition" => {
                row(K)?;
                model.transition[kind()?].copy_from_slice(&values);
            }
            "start" => {
                row(K)?;
                model.start.copy_from_slice(&values);
            }
            _ => return Err(err("unknown table")),
        }
    }
    Ok(w)
}

/// Writes weights in the format `parse` reads, zero rows left out.
pub fn to_tsv(w: &Weights, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    let classes: Vec<&str> = SectionType::ALL.iter().map(|k| k.as_str()).collect();
    let _ = writeln!(out, "# set\ttable\tkey\t{}", classes.join("\t"));
    let row = |out: &mut String, set: &str, table: &str, key: &str, values: &[f32]| {
        if values.iter().any(|v| *v != 0.0) {
            let _ = write!(out, "{set}\t{table}\t{key}");
            for v in values {
                let _ = write!(out, "\t{}", fmt(*v));
            }
            out.push('\n');
        }
    };
    for (set, m) in [("alone", &w.alone), ("combined", &w.combined)] {
        row(&mut out, set, "start", "-", &m.start);
        for (k, t) in m.transition.iter().enumerate() {
            row(&mut out, set, "transition", classes[k], t);
        }
        for id in 0..COUNT {
            row(&mut out, set, "section", &super::features::name(id), &m.section[usize::from(id)]);
        }
        for id in 0..COUNT {
            row(&mut out, set, "begin", &super::features::name(id), &[m.begin[usize::from(id)]]);
        }
    }
    out
}

/// A weight with three decimals, `0` for what rounds to zero.
fn fmt(v: f32) -> String {
    let s = format!("{v:.3}");
    if s == "0.000" || s == "-0.000" {
        "0".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_weights_parse_and_round_trip() {
        let w = parse(include_str!("../../data/segmenter-weights.tsv")).expect("weights parse");
        let again = parse(&to_tsv(&w, "test")).expect("written weights parse");
        assert_eq!(w, again);
    }

    #[test]
    fn malformed_weights_are_refused() {
        assert!(parse("alone\tsection\tbias\t1").is_err());
        assert!(parse("alone\tsection\tno_such_feature\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0").is_err());
        assert!(parse("sideways\tstart\t-\t0").is_err());
    }
}
