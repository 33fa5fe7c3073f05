//! Trains the segmenter's two weight sets (classifier alone, and combined with the rules'
//! opinion) on the training part: a multinomial logistic regression for each line's section type,
//! a binary one for entry starts (both by SGD with L2 decay, in a seeded order, so training is
//! deterministic), and section-to-section transitions counted from the labels.

use crate::corpus::{Doc, Truth};
use tailor::segment::{line_features, log_softmax, Active, Model, SectionType, Weights, FEATURES, K};

/// Training settings, written into the weights file's header.
pub struct Settings {
    pub epochs: usize,
    pub rate: f32,
    pub l2: f32,
    /// Weight of a hand-written line relative to a generated one (there are far fewer).
    pub handwritten_weight: f32,
    /// Scale of the transition log-probabilities against the classifier's.
    pub transition_scale: f32,
    pub seed: u64,
}

struct Example {
    feats: Active,
    kind: SectionType,
    begins: bool,
    first_in_section: bool,
    weight: f32,
}

fn examples(docs: &[Doc], with_rules: bool, hand_weight: f32) -> Vec<Example> {
    let mut out = Vec::new();
    for d in docs {
        let weight = if d.group == "handwritten" { hand_weight } else { 1.0 };
        let feats = line_features(&d.text, with_rules);
        let mut prev: Option<SectionType> = None;
        let mut first = false;
        for (f, t) in feats.iter().zip(&d.labels) {
            let (Some(f), Some(kind)) = (f, t.section()) else { continue };
            if prev != Some(kind) {
                first = true;
            }
            let heading = matches!(t, Truth::Heading(_));
            out.push(Example { feats: *f, kind, begins: matches!(t, Truth::Body(_, true)), first_in_section: first && !heading, weight });
            if !heading {
                first = false;
            }
            prev = Some(kind);
        }
    }
    out
}

/// A small deterministic generator for the example order (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn train_model(docs: &[Doc], with_rules: bool, s: &Settings) -> Model {
    let ex = examples(docs, with_rules, s.handwritten_weight);
    let mut m = Model::zero();
    let mut order: Vec<usize> = (0..ex.len()).collect();
    let mut rng = Rng(s.seed);
    for epoch in 0..s.epochs {
        rng.shuffle(&mut order);
        let rate = s.rate / (1.0 + epoch as f32 * 0.5);
        for &i in &order {
            let e = &ex[i];
            let mut p = m.section_scores(&e.feats);
            log_softmax(&mut p);
            for id in e.feats.ids() {
                let w = &mut m.section[usize::from(*id)];
                for (k, wk) in w.iter_mut().enumerate() {
                    let target = if k == e.kind as usize { 1.0 } else { 0.0 };
                    *wk -= rate * e.weight * (p[k].exp() - target);
                }
            }
            if e.kind.has_entries() {
                let b = e.feats.with_section(e.kind, e.first_in_section);
                let prob = 1.0 / (1.0 + (-m.begin_score(&b)).exp());
                let g = prob - if e.begins { 1.0 } else { 0.0 };
                for id in b.ids() {
                    m.begin[usize::from(*id)] -= rate * e.weight * g;
                }
            }
        }
        let decay = 1.0 - rate * s.l2;
        m.section.iter_mut().flatten().for_each(|w| *w *= decay);
        m.begin.iter_mut().for_each(|w| *w *= decay);
    }
    // Transitions between consecutive non-blank lines' true types, add-one smoothed.
    let mut counts = [[1.0f32; K]; K];
    let mut start = [1.0f32; K];
    for d in docs {
        let mut prev: Option<SectionType> = None;
        for k in d.labels.iter().filter_map(|t| t.section()) {
            match prev {
                Some(p) => counts[p as usize][k as usize] += 1.0,
                None => start[k as usize] += 1.0,
            }
            prev = Some(k);
        }
    }
    let log_norm = |row: &[f32; K]| {
        let total: f32 = row.iter().sum();
        row.map(|c| s.transition_scale * (c / total).ln())
    };
    for (t, c) in m.transition.iter_mut().zip(&counts) {
        *t = log_norm(c);
    }
    m.start = log_norm(&start);
    assert_eq!(m.section.len(), usize::from(FEATURES));
    m
}

pub fn train(docs: &[Doc], s: &Settings) -> Weights {
    Weights { alone: train_model(docs, false, s), combined: train_model(docs, true, s) }
}
