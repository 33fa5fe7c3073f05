//! Trains the segmenter's two weight sets (classifier alone, and combined with the rules'
//! opinion) on the training part: a multinomial logistic regression for each line's section type,
//! a binary one for entry starts (both by SGD with L2 decay, in a seeded order, so training is
//! deterministic), section-to-section transitions counted from the labels, and the two-stream
//! decoder's parameters counted from the interleaved resumes (each line's stream inferred from
//! the labels, `streams_of`).

use crate::corpus::{Doc, Truth};
use tailor::segment::{line_features, log_softmax, Active, Model, SectionType, Streams, Weights, FEATURES, K};

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
    /// Whether the entry-start model trains on it.
    entries: bool,
    weight: f32,
}

fn examples(docs: &[Doc], with_rules: bool, hand_weight: f32) -> Vec<Example> {
    let mut out = Vec::new();
    for d in docs {
        let weight = if d.group == "handwritten" { hand_weight } else { 1.0 };
        // An interleaved resume trains twice: read as one stream (as the decoder first reads it,
        // to find the streams) and with each line's context (neighbours, last heading) taken from
        // its own stream (as it reads it again). "First line of the section" is per stream: a
        // section resumed after the other stream's lines goes on; entry starts train on the
        // second reading only, the one they are judged on.
        let (streams, switches) = streams_of(&sections(d));
        let one = line_features(&d.text, with_rules, None);
        let readings = if switches >= MIN_SWITCHES {
            let mut all = Vec::with_capacity(d.labels.len());
            let mut n = 0;
            for t in &d.labels {
                all.push(streams.get(n).or(streams.last()).copied().unwrap_or(0));
                n += usize::from(t.section().is_some());
            }
            vec![(one, false), (line_features(&d.text, with_rules, Some(&all)), true)]
        } else {
            vec![(one, true)]
        };
        for (feats, entries) in readings {
            let mut prev: [Option<SectionType>; 2] = [None; 2];
            let mut first = [false; 2];
            let mut n = 0;
            for (f, t) in feats.iter().zip(&d.labels) {
                let Some(kind) = t.section() else { continue };
                let st = usize::from(streams[n]);
                n += 1;
                let Some(f) = f else { continue };
                if prev[st] != Some(kind) {
                    first[st] = true;
                }
                let heading = matches!(t, Truth::Heading(_));
                let begins = matches!(t, Truth::Body(_, true));
                out.push(Example { feats: *f, kind, begins, first_in_section: first[st] && !heading, entries, weight });
                if !heading {
                    first[st] = false;
                }
                prev[st] = Some(kind);
            }
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
                let w = &mut m.section[usize::from(*id)].0;
                for (k, wk) in w[..K].iter_mut().enumerate() {
                    let target = if k == e.kind as usize { 1.0 } else { 0.0 };
                    *wk -= rate * e.weight * (p[k].exp() - target);
                }
            }
            if e.entries && e.kind.has_entries() {
                let b = e.feats.with_section(e.kind, e.first_in_section);
                let prob = 1.0 / (1.0 + (-m.begin_score(&b)).exp());
                let g = prob - if e.begins { 1.0 } else { 0.0 };
                for id in b.ids() {
                    m.begin[usize::from(*id)] -= rate * e.weight * g;
                }
            }
        }
        let decay = 1.0 - rate * s.l2;
        m.section.iter_mut().flat_map(|r| &mut r.0).for_each(|w| *w *= decay);
        m.begin.iter_mut().for_each(|w| *w *= decay);
    }
    // Transitions between consecutive non-blank lines' true types, add-one smoothed, over the
    // one-stream resumes (the interleaved ones train the two-stream decoder instead).
    let mut counts = [[1.0f32; K]; K];
    let mut start = [1.0f32; K];
    for d in docs.iter().filter(|d| !interleaved(d)) {
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
    m.streams = stream_parameters(docs, s.transition_scale);
    train_switch(&mut m, docs, with_rules, s);
    m.streams.prior = stream_prior(&m, docs, with_rules);
    assert_eq!(m.section.len(), usize::from(FEATURES));
    m
}

pub fn train(docs: &[Doc], s: &Settings) -> Weights {
    Weights { alone: train_model(docs, false, s), combined: train_model(docs, true, s) }
}

/// The section of every labelled non-blank line.
fn sections(d: &Doc) -> Vec<SectionType> {
    d.labels.iter().filter_map(|t| t.section()).collect()
}

/// Cost of a stream switch against a section change in `streams_of`.
const SWITCH_COST: f32 = 0.5;

/// Switches a resume needs before it counts as interleaved.
const MIN_SWITCHES: usize = 4;

/// Whether a resume's labels read as two interleaved streams.
fn interleaved(d: &Doc) -> bool {
    streams_of(&sections(d)).1 >= MIN_SWITCHES
}

/// Which of two interleaved streams each line belongs to (0 or 1, the first line in 0), and the
/// number of switches: the reading of the labels with the fewest section changes within the
/// streams plus `SWITCH_COST` per switch (a small dynamic programme over the other stream's
/// section). One-column text reads as one stream; lines of a sidebar cut into the main column's
/// sections read as the other stream.
pub fn streams_of(kinds: &[SectionType]) -> (Vec<u8>, usize) {
    let Some(&first) = kinds.first() else { return (Vec::new(), 0) };
    let inf = f32::INFINITY;
    // cost[o]: the best reading so far with the other stream in section o; both start in the first.
    let mut cost = [inf; K];
    cost[first as usize] = 0.0;
    // Per line after the first: for each o, whether the best reading switched there and, if so,
    // the other stream's section before the switch.
    let mut back: Vec<[(bool, u8); K]> = Vec::with_capacity(kinds.len());
    for w in kinds.windows(2) {
        let (prev, cur) = (w[0] as usize, w[1] as usize);
        let mut next = [inf; K];
        let mut bp = [(false, 0u8); K];
        for o in 0..K {
            next[o] = cost[o] + f32::from(u8::from(prev != cur));
        }
        // Switching: the other stream (in section x) takes over; the stream left keeps `prev`.
        let (x, via) = (0..K).map(|x| (x, cost[x] + f32::from(u8::from(x != cur)) + SWITCH_COST)).fold((0, inf), |b, c| if c.1 < b.1 { c } else { b });
        if via < next[prev] {
            next[prev] = via;
            bp[prev] = (true, x as u8);
        }
        cost = next;
        back.push(bp);
    }
    let mut o = (0..K).fold(0, |b, k| if cost[k] < cost[b] { k } else { b });
    let mut switched = vec![false; kinds.len()];
    for (t, bp) in back.iter().enumerate().rev() {
        let (sw, x) = bp[o];
        switched[t + 1] = sw;
        if sw {
            o = usize::from(x);
        }
    }
    let mut stream = 0u8;
    let streams = switched
        .iter()
        .map(|&s| {
            stream ^= u8::from(s);
            stream
        })
        .collect();
    (streams, switched.iter().filter(|&&s| s).count())
}

/// The two-stream decoder's parameters, counted (add-one smoothed) over the interleaved resumes
/// and scaled like the transitions (the prior is set by `stream_prior`).
fn stream_parameters(docs: &[Doc], scale: f32) -> Streams {
    // keep/leave counts at body lines [0] and at headings [1].
    let (mut keep, mut leave) = ([[1.0f32; K]; 2], [[1.0f32; K]; 2]);
    let mut enter = [1.0f32; K];
    for d in docs {
        let kinds = sections(d);
        let (streams, switches) = streams_of(&kinds);
        if switches < MIN_SWITCHES {
            continue;
        }
        let heading: Vec<usize> = d.labels.iter().filter(|t| t.section().is_some()).map(|t| usize::from(matches!(t, Truth::Heading(_)))).collect();
        let mut last = [kinds[0]; 2];
        for t in 1..kinds.len() {
            let (k, st) = (kinds[t], usize::from(streams[t]));
            let from = last[st] as usize;
            if last[st] == k {
                keep[heading[t]][from] += 1.0;
            } else {
                leave[heading[t]][from] += 1.0;
                enter[k as usize] += 1.0;
            }
            last[st] = k;
        }
    }
    let log = |p: f32| scale * p.ln();
    let total: f32 = enter.iter().sum();
    let rate = |a: &[f32; K], b: &[f32; K]| -> [f32; K] { std::array::from_fn(|k| log(a[k] / (a[k] + b[k]))) };
    Streams {
        keep: rate(&keep[0], &leave[0]),
        leave: rate(&leave[0], &keep[0]),
        keep_heading: rate(&keep[1], &leave[1]),
        leave_heading: rate(&leave[1], &keep[1]),
        enter: enter.map(|c| log(c / total)),
        scale,
        prior: 0.0,
    }
}

/// The switch model: a binary logistic regression (SGD with L2, seeded order) over the one-stream
/// features of the interleaved resumes' lines (the line's own facts and its physical neighbours')
/// for "this line belongs to the other stream than the line before", the streams inferred by
/// `streams_of`. Its evidence is general: a contact or skill line inside a job, a continuation
/// (indented, lower case) after a line that ended a sentence.
fn train_switch(m: &mut Model, docs: &[Doc], with_rules: bool, s: &Settings) {
    let mut ex: Vec<(Vec<u16>, bool)> = Vec::new();
    for d in docs {
        let (streams, switches) = streams_of(&sections(d));
        if switches < MIN_SWITCHES {
            continue;
        }
        let feats = line_features(&d.text, with_rules, None);
        let mut n = 0;
        for (f, t) in feats.iter().zip(&d.labels) {
            if t.section().is_none() {
                continue;
            }
            if let (Some(f), true) = (f, n > 0) {
                let ids: Vec<u16> = f.ids().iter().copied().filter(|&id| is_local(id)).collect();
                ex.push((ids, streams[n] != streams[n - 1]));
            }
            n += 1;
        }
    }
    let mut order: Vec<usize> = (0..ex.len()).collect();
    let mut rng = Rng(s.seed ^ 0x5157);
    for epoch in 0..s.epochs {
        rng.shuffle(&mut order);
        let rate = s.rate / (1.0 + epoch as f32 * 0.5);
        for &i in &order {
            let (ids, switched) = &ex[i];
            let z: f32 = ids.iter().map(|&id| m.switch[usize::from(id)]).sum();
            let g = 1.0 / (1.0 + (-z).exp()) - if *switched { 1.0 } else { 0.0 };
            for &id in ids {
                m.switch[usize::from(id)] -= rate * g;
            }
        }
        let decay = 1.0 - rate * s.l2;
        m.switch.iter_mut().for_each(|w| *w *= decay);
    }
}

/// Whether the switch model may use a feature: the line's and its neighbours' own facts, not
/// where the line sits in the resume or which heading came last (in the generator's renderings
/// the sidebar runs out before the main column, which says nothing of how columns interleave).
fn is_local(id: u16) -> bool {
    let name = tailor::segment::feature_name(id);
    !["position_fifth_", "top_5_lines", "first_line", "no_heading_yet", "last_heading_"].iter().any(|p| name.starts_with(p))
}

/// The stream prior: 0, no preference (the two-stream reading is taken when it explains the text
/// better than one stream). The midpoint between the training resumes' margins would sit far
/// from unseen one-column resumes (a markdown sample resume's margin is -3.8, the one-column
/// training resumes' at most about -12, the interleaved ones' at least about +1); the margins are
/// printed as a check that 0 separates them.
fn stream_prior(m: &Model, docs: &[Doc], with_rules: bool) -> f32 {
    let (mut one, mut two) = (f32::NEG_INFINITY, f32::INFINITY);
    for d in docs {
        let Some(margin) = m.stream_margin(&line_features(&d.text, with_rules, None)) else { continue };
        if interleaved(d) {
            two = two.min(margin);
        } else {
            one = one.max(margin);
        }
    }
    println!("stream margins: one-column resumes up to {one:.2}, interleaved from {two:.2}");
    0.0
}
