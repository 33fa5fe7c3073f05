//! The trained line classifier: a multinomial logistic regression over line features giving each
//! line a section type, decoded over the whole resume with learned section-to-section transitions
//! (Viterbi), and a binary logistic regression marking the lines that begin an entry.
//!
//! Two weight sets ship in `data/segmenter-weights.tsv` (written by `scripts/train-segmenter`):
//! `alone` sees the text's features only; `combined` also sees the rules' opinion of each line.
//! The file is embedded and parsed once, on first use.

use super::features::{self, Active, Features, COUNT, ID_SPACE, MAX_ACTIVE};
use super::SectionType;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// Number of section types (classes).
pub const K: usize = SectionType::ALL.len();

/// The log-odds above which a line begins an entry: a little below even odds, because a missed
/// start merges two jobs (one hidden from tailoring) while an extra one only splits a job. Chosen
/// on the training part (exact entry counts at 0 / -0.25 / -0.5 / -0.75: 89.4% / 91.9% / 91.5% /
/// 90.3%); a line the rules call a start ("Data Analyst | Zillow | 2019-2021" over a bullet)
/// scored just under 0.
pub const BEGIN_THRESHOLD: f32 = -0.25;

/// One weight set.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Per feature id, its weight for each section type (a `Row`: lane K repeats `begin`, as
    /// `parse` sets it; the other padding lanes are 0). `ID_SPACE` rows, those from `COUNT` on 0:
    /// a line's ids index them with no bounds check (`row`).
    pub section: Box<[Row; ID_SPACE]>,
    /// Per feature id, its weight for "begins an entry".
    pub begin: Vec<f32>,
    /// Per feature id, its weight for "belongs to the other stream than the line before" in
    /// interleaved text (the line's own features and its physical neighbours').
    pub switch: Vec<f32>,
    /// Log-probability of the next non-blank line's type given this one's.
    pub transition: [[f32; K]; K],
    /// Log-probability of the first non-blank line's type.
    pub start: [f32; K],
    /// The two-stream decoder's parameters (flattened two-column text).
    pub streams: Streams,
}

/// A feature's section weights, padded from K to LANES lanes and aligned, so a line's scores add
/// whole rows straight from memory, whole vectors at a time. Lane K holds the feature's begin
/// weight (`Model::begin`, set by `parse`), so the same adds sum a line's begin weights for the
/// entry-start model (`Model::begin_score_from`); the lanes after it are 0.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Row(pub [f32; LANES]);

/// Parameters of the two-stream decoder, log-probabilities learned from the interleaved training
/// resumes (training infers each line's stream from the labels). Text read line by line off a
/// two-column page interleaves two streams, main column and sidebar, each a sequence of
/// contiguous sections; a line's label is the current section of its stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Streams {
    /// A stream's next line keeps the section (by the section).
    pub keep: [f32; K],
    /// A stream's next line opens another section (by the section left).
    pub leave: [f32; K],
    /// `keep` and `leave` when that line is a vocabulary heading (sections mostly change there).
    pub keep_heading: [f32; K],
    pub leave_heading: [f32; K],
    /// The section a stream changes to.
    pub enter: [f32; K],
    /// Scale of the switch model's log-probabilities (as the counted rates are scaled).
    pub scale: f32,
    /// Log prior odds of interleaved text against one column: the two-stream reading is taken when
    /// its Viterbi score plus this beats the one-stream score.
    pub prior: f32,
}

impl Streams {
    pub fn zero() -> Streams {
        let z = [0.0; K];
        Streams { keep: z, leave: z, keep_heading: z, leave_heading: z, enter: z, scale: 0.0, prior: f32::NEG_INFINITY }
    }

    fn rows(&mut self) -> [(&'static str, &mut [f32; K]); 5] {
        [
            ("keep", &mut self.keep),
            ("leave", &mut self.leave),
            ("keep_heading", &mut self.keep_heading),
            ("leave_heading", &mut self.leave_heading),
            ("enter", &mut self.enter),
        ]
    }
}

/// A decoder's readings: the one-stream path and score, and the two-stream path, streams and
/// score if it was decoded.
struct Reading {
    path: Vec<u8>,
    one: f32,
    two: Option<(Vec<u8>, Vec<u8>, f32)>,
    /// The emissions the readings were decoded from (`emissions`).
    em: Vec<[f32; LANES]>,
}

/// The decoded reading of a resume.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The section type of every line (a blank line takes the type of the line before it).
    pub kinds: Vec<SectionType>,
    /// The stream (0 or 1) of every line when the text was read as two interleaved streams;
    /// empty for one stream.
    pub streams: Vec<u8>,
}

/// Both weight sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    pub alone: Model,
    pub combined: Model,
}

impl Model {
    pub fn zero() -> Model {
        Model {
            section: vec![Row([0.0; LANES]); ID_SPACE].into_boxed_slice().try_into().expect("ID_SPACE rows"),
            begin: vec![0.0; COUNT as usize],
            switch: vec![0.0; COUNT as usize],
            transition: [[0.0; K]; K],
            start: [0.0; K],
            streams: Streams::zero(),
        }
    }

    /// Unnormalised log-scores of each section type for a line.
    pub fn section_scores(&self, a: &Active) -> [f32; K] {
        let s = self.padded_scores(a);
        std::array::from_fn(|k| s[k])
    }

    /// `section_scores` padded to LANES, with lane K the sum of the ids' begin weights (`Row`),
    /// added from 0 in the ids' order, as `begin_score` adds them; the lanes after it are 0. Whole
    /// rows added, as whole vectors; every lane adds the same ids in the same order, so the scores
    /// are the same. Inlined where it is called: `emissions` stores the sums straight from the
    /// registers into its rows, with no call and no copy of the returned row.
    #[inline(always)]
    fn padded_scores(&self, a: &Active) -> [f32; LANES] {
        let mut s = [0.0f32; LANES];
        // Read whole: the row's alignment lets the adds take it straight from memory.
        let row = |id: u16| self.row(id);
        // Two ids a step (half the loop's own work), each lane adding the first, then the second:
        // pairs as arrays, read with no bounds test.
        let (pairs, odd) = a.ids().as_chunks::<2>();
        for &[p, q] in pairs {
            for ((x, y), z) in s.iter_mut().zip(row(p)).zip(row(q)) {
                *x = *x + y + z;
            }
        }
        for &id in odd {
            for (x, y) in s.iter_mut().zip(row(id)) {
                *x += y;
            }
        }
        s
    }

    /// A feature's section weights (`section`), the id masked to `ID_SPACE` (every id is below
    /// `COUNT`, so it is its own row) rather than tested against the table's length: one `and`
    /// an id instead of a compare and a branch, on the path every id of every line takes.
    #[inline(always)]
    fn row(&self, id: u16) -> [f32; LANES] {
        self.section[usize::from(id) % ID_SPACE].0
    }

    /// Log-odds that a line begins an entry (compare with [`BEGIN_THRESHOLD`]).
    pub fn begin_score(&self, a: &Active) -> f32 {
        a.ids().iter().map(|&id| self.begin[usize::from(id)]).sum()
    }

    /// `begin_score` of `a.with_section(kind, first_in_section)`, without copying `a`: the same
    /// ids, added in the same order.
    pub fn begin_score_in_section(&self, a: &Active, kind: SectionType, first_in_section: bool) -> f32 {
        a.ids_in_section(kind, first_in_section).map(|id| self.begin[usize::from(id)]).sum()
    }

    /// `begin_score_in_section`, going on from `row`, the line's emission row (`decode_with_rows`)
    /// when there is one: its lane K has the line's own ids' begin weights added in order, so only
    /// the section's ids are left to add. Summed afresh without a row, or when the section's ids
    /// might not all fit after the line's (`ids_in_section` cuts at MAX_ACTIVE). The same adds in
    /// the same order: the same score (`sum` may start from -0 where the row starts from 0, which
    /// changes at most the sign of a zero score, and that compares alike with BEGIN_THRESHOLD).
    pub(super) fn begin_score_from(&self, row: Option<&[f32; LANES]>, a: &Active, kind: SectionType, first_in_section: bool) -> f32 {
        match row {
            Some(row) if a.ids().len() + 2 <= MAX_ACTIVE => features::section_ids(kind, first_in_section).fold(row[K], |s, id| s + self.begin[usize::from(id)]),
            _ => self.begin_score_in_section(a, kind, first_in_section),
        }
    }

    /// The most likely section type of every line. The classifier's log-probabilities are the
    /// emissions of a Viterbi pass over the non-blank lines with the learned transitions (one
    /// stream); when the lines look interleaved (`looks_interleaved`), the two-stream reading is
    /// decoded too and taken if its score, plus the learned prior, beats the one-stream score. A
    /// blank line takes the type of the line before it (the first lines, of the line after).
    pub fn decode(&self, feats: &[Option<Active>]) -> Decoded {
        self.decode_with_rows(feats).0
    }

    /// `decode`, and the emission row of every non-blank line it was decoded from, whose lane K
    /// `begin_score_from` goes on from.
    pub(super) fn decode_with_rows<F: Features>(&self, feats: &[F]) -> (Decoded, Vec<[f32; LANES]>) {
        let r = self.read(feats);
        let decoded = match r.two {
            Some((path, streams, two)) if two + self.streams.prior > r.one => spread(feats, &path, &streams),
            _ => spread(feats, &r.path, &[]),
        };
        (decoded, r.em)
    }

    /// The two-stream reading, whatever the text looks like, of features taken in either
    /// stream's context (`contexts`): a line's log-probability of a type is the better of the
    /// two. `physical` are the features with physical neighbours, which the switch model reads.
    /// Also returns, for every line, the context (0 or 1) that gave its decoded type.
    pub fn decode_streams<F: Features>(&self, contexts: &[Vec<Option<Active>>; 2], physical: &[F]) -> (Decoded, Vec<u8>) {
        let first = self.log_probabilities(&contexts[0]);
        let second = self.log_probabilities(&contexts[1]);
        let em: Vec<[f32; LANES]> = first.iter().zip(&second).map(|(a, b)| std::array::from_fn(|k| a[k].max(b[k]))).collect();
        let (path, streams, _) = self.two_streams(&em, &headings(&contexts[0]), &self.switch_costs(physical));
        let chosen: Vec<u8> = path.iter().zip(first.iter().zip(&second)).map(|(&k, (a, b))| u8::from(b[usize::from(k)] > a[usize::from(k)])).collect();
        (spread(&contexts[0], &path, &streams), spread(&contexts[0], &path, &chosen).streams)
    }

    /// The two-stream reading's score minus the one-stream reading's, when the text looks
    /// interleaved (for training the prior).
    pub fn stream_margin(&self, feats: &[Option<Active>]) -> Option<f32> {
        let r = self.read(feats);
        r.two.map(|(_, _, two)| two - r.one)
    }

    /// The one-stream reading, and the two-stream one when the text looks interleaved and the
    /// weights have a stream prior.
    fn read<F: Features>(&self, feats: &[F]) -> Reading {
        // Unnormalised: a line's log-probabilities are its scores less one constant, which every
        // path through the line pays alike, in one stream or two.
        let (em, top, open) = self.emissions(feats);
        let (path, one) = self.viterbi(&em, &open);
        let two = (self.streams.prior.is_finite() && looks_interleaved(&top)).then(|| self.two_streams(&em, &headings(feats), &self.switch_costs(feats)));
        Reading { path, one, two, em }
    }

    /// The scores of every non-blank line's types (its log-probabilities plus a constant a line),
    /// the most likely type, and whether a section may open at the line
    /// (`features::may_open_section`, what `viterbi` takes), in one pass. The scores are padded to
    /// LANES (`padded_scores`; the decoders never read the padding, whose lane K is the line's
    /// begin weights).
    fn emissions<F: Features>(&self, feats: &[F]) -> (Vec<[f32; LANES]>, Vec<u8>, Vec<bool>) {
        let mut em: Vec<[f32; LANES]> = Vec::with_capacity(feats.len());
        let mut top: Vec<u8> = Vec::with_capacity(feats.len());
        let mut open: Vec<bool> = Vec::with_capacity(feats.len());
        for a in feats.iter().filter_map(F::active) {
            let e = self.padded_scores(a);
            top.push(argmax(&e) as u8);
            em.push(e);
            open.push(features::may_open_section(a));
        }
        (em, top, open)
    }

    /// The log-probabilities of every non-blank line's types: `emissions` normalised, a pass of
    /// its own (so the scores stay whole vectors while they are summed), padded as they are.
    fn log_probabilities(&self, feats: &[Option<Active>]) -> Vec<[f32; LANES]> {
        let (mut em, _, _) = self.emissions(feats);
        for e in &mut em {
            log_softmax(e.first_chunk_mut().expect("K is at most LANES"));
        }
        em
    }

    /// The scaled log-probabilities that each non-blank line switches stream, and that it stays.
    fn switch_costs<F: Features>(&self, feats: &[F]) -> Vec<(f32, f32)> {
        let log_sigmoid = |z: f32| -(1.0 + (-z).exp()).ln();
        feats
            .iter()
            .filter_map(F::active)
            .map(|a| {
                let z: f32 = a.ids().iter().map(|&id| self.switch[usize::from(id)]).sum();
                (self.streams.scale * log_sigmoid(z), self.streams.scale * log_sigmoid(-z))
            })
            .collect()
    }

    /// One-stream Viterbi: the best path and its log-score. A line where `open` is false goes on
    /// with the section of the line before.
    ///
    /// The forward pass keeps only the maxima (no argument per state), and for every line the
    /// scores before it and the maxima it took; the backtrace then finds, for the one state on the
    /// path at each line, which predecessor gave its maximum (`best_from`, the first of equals, as
    /// the forward pass's strict comparisons keep it).
    fn viterbi(&self, em: &[[f32; LANES]], open: &[bool]) -> (Vec<u8>, f32) {
        let Some((first, rest)) = em.split_first() else { return (Vec::new(), 0.0) };
        let mut history: Vec<([f32; LANES], [f32; LANES])> = Vec::with_capacity(rest.len());
        // Scores padded to LANES (the padding is never a `from`), so every step is whole vectors.
        let mut score = [f32::NEG_INFINITY; LANES];
        for ((x, &s), &e) in score.iter_mut().zip(&self.start).zip(first) {
            *x = s + e;
        }
        // The transitions by (from, to), rows padded to LANES: the `to`s are lanes that go
        // through the `from`s in order together, each keeping the larger, as a loop per `to` would.
        let mut transition = [[0.0f32; LANES]; K];
        for (row, t) in transition.iter_mut().zip(&self.transition) {
            row[..K].copy_from_slice(t);
        }
        for (e, &open) in rest.iter().zip(&open[1..]) {
            let mut best = score;
            if open {
                best = [f32::NEG_INFINITY; LANES];
                // Three `from`s a pass (K = 15), in order: fewer register moves between them.
                const { assert!(K.is_multiple_of(3), "every from is in a pass of three") };
                for (s, rows) in score[..K].chunks_exact(3).zip(transition.chunks_exact(3)) {
                    for (&s, row) in s.iter().zip(rows) {
                        for (b, &t) in best.iter_mut().zip(row) {
                            *b = larger(*b, s + t);
                        }
                    }
                }
            }
            history.push((score, best));
            // The padding lane keeps its maximum too (no use, but whole vectors throughout).
            score = best;
            for (x, &e) in score.iter_mut().zip(e) {
                *x += e;
            }
        }
        let mut state = argmax_out_of_line(&score);
        let best = score[state];
        let mut path = vec![0u8; em.len()];
        path[rest.len()] = state as u8;
        for (t, ((before, maxima), &open)) in history.iter().zip(&open[1..]).enumerate().rev() {
            if open {
                state = self.best_from(before, maxima[state], state);
            }
            path[t] = state as u8;
        }
        (path, best)
    }

    /// The predecessor of type `to` among the previous line's scores `score`, given the maximum
    /// `max` the forward pass kept for `to`: what that pass's strict comparisons from -inf pick,
    /// the first `from` whose score plus transition equals the maximum (an earlier equal one, or
    /// -0 against 0, would have been kept instead), and 0 when nothing beat -inf.
    fn best_from(&self, score: &[f32; LANES], max: f32, to: usize) -> usize {
        if max == f32::NEG_INFINITY {
            return 0;
        }
        score.iter().zip(&self.transition).position(|(&s, t)| s + t[to] == max).unwrap_or(0)
    }

    /// Two-stream Viterbi: the best path, each line's stream and the log-score. The state is (c,
    /// o): the current line's section c (its stream's section) and the other stream's section o.
    /// From one line to the next either the stream stays (o unchanged, the section goes on from
    /// c) or it switches (the section goes on from o, and c becomes the other stream's); a
    /// section goes on by keeping it or by leaving it for another. Transitions factor as
    /// keep[x] or leave[x] + enter[y], so the best predecessor of every state takes two maxima
    /// per o and four candidates per state: O(K²) per line.
    ///
    /// The forward pass keeps only the scores (branch-free maxima over contiguous rows, which
    /// the compiler vectorises; a transposed copy makes the other stream's rows contiguous too)
    /// and the scores of every line; the backtrace then finds, for the one state on the path at
    /// each line, which predecessor gave its score (`TwoStep::from`, the first of equals).
    fn two_streams(&self, em: &[[f32; LANES]], heading: &[bool], costs: &[(f32, f32)]) -> (Vec<u8>, Vec<u8>, f32) {
        let Some((first, rest)) = em.split_first() else { return (Vec::new(), Vec::new(), 0.0) };
        // Both streams start in the first line's section.
        let mut v: Scores = [[f32::NEG_INFINITY; LANES]; LANES];
        for c in 0..K {
            v[c][c] = self.start[c] + first[c];
        }
        let mut history: Vec<Scores> = Vec::with_capacity(rest.len());
        for (t, e) in rest.iter().enumerate() {
            let step = self.two_step(heading[t + 1], costs[t + 1]);
            // vt[c][o] = v[o][c]: the state with the streams swapped.
            let mut vt: Scores = [[f32::NEG_INFINITY; LANES]; LANES];
            for (c, row) in vt.iter_mut().enumerate().take(K) {
                for (o, x) in row.iter_mut().enumerate().take(K) {
                    *x = v[o][c];
                }
            }
            // Per o: the best stay-and-leave from (x, o), and the best switch-and-leave from (o, x).
            let mut stay_best = [f32::NEG_INFINITY; LANES];
            let mut switch_best = [f32::NEG_INFINITY; LANES];
            for x in 0..K {
                for o in 0..LANES {
                    let (stayed, switched) = step.leaving(x, v[x][o], vt[x][o]);
                    stay_best[o] = larger(stay_best[o], stayed);
                    switch_best[o] = larger(switch_best[o], switched);
                }
            }
            let mut next: Scores = [[f32::NEG_INFINITY; LANES]; LANES];
            for c in 0..K {
                for o in 0..LANES {
                    let [kept, entered, switched_kept, switched_entered] = step.entering(c, v[c][o], vt[c][o], stay_best[o], switch_best[o], &self.streams.enter);
                    next[c][o] = larger(larger(larger(kept, entered), switched_kept), switched_entered) + e[c];
                }
            }
            history.push(v);
            v = next;
        }
        let mut state = 0;
        for c in 0..K {
            for o in 0..K {
                if v[c][o] > v[state / K][state % K] {
                    state = c * K + o;
                }
            }
        }
        let best = v[state / K][state % K];
        let mut path = vec![0u8; em.len()];
        let mut switched = vec![false; em.len()];
        path[rest.len()] = (state / K) as u8;
        for (t, before) in history.iter().enumerate().rev() {
            let (from, switch) = self.two_step(heading[t + 1], costs[t + 1]).from(before, state, &self.streams.enter);
            switched[t + 1] = switch;
            state = from;
            path[t] = (state / K) as u8;
        }
        let mut stream = 0u8;
        let streams = switched.iter().map(|&s| {
            stream ^= u8::from(s);
            stream
        });
        (path, streams.collect(), best)
    }

    /// The two-stream transition into a line: its keep and leave rates (heading or not) and its
    /// switch and stay costs.
    fn two_step(&self, at_heading: bool, (switch, stay): (f32, f32)) -> TwoStep<'_> {
        let st = &self.streams;
        let (keep, leave) = if at_heading { (&st.keep_heading, &st.leave_heading) } else { (&st.keep, &st.leave) };
        TwoStep { keep, leave, switch, stay }
    }
}

/// `b` when it is larger than `a`, else `a`: what the strict comparisons of the backtrace pick,
/// and, unlike `f32::max` with its NaN rule, a plain compare-and-select that vectorises.
fn larger(a: f32, b: f32) -> f32 {
    if b > a {
        b
    } else {
        a
    }
}

/// Two-stream scores by (c, o), each row padded from K to 16 lanes (the padding stays -inf), so
/// the forward pass's loops are whole vector registers.
const LANES: usize = 16;
const _: () = assert!(K < LANES, "a Row has a lane for the begin weight");
type Scores = [[f32; LANES]; LANES];

/// One line's two-stream transition parameters.
struct TwoStep<'a> {
    keep: &'a [f32; K],
    leave: &'a [f32; K],
    switch: f32,
    stay: f32,
}

impl TwoStep<'_> {
    /// Leaving section x, from the score `stayed` of (x, o) with the stream staying and the score
    /// `switched` of (o, x) with it switching: the two scores before entering another section.
    /// The forward pass and the backtrace both score through this and `entering`, so the backtrace
    /// finds exactly the maximum the forward pass kept.
    #[inline(always)]
    fn leaving(&self, x: usize, stayed: f32, switched: f32) -> (f32, f32) {
        (stayed + self.stay + self.leave[x], switched + self.leave[x])
    }

    /// The four ways into state (c, o), in the order the backtrace prefers among equals: c kept
    /// (from `same`, the score of (c, o)), entered after staying (from the best stay-and-leave),
    /// kept after switching (from `swapped`, the score of (o, c)), entered after switching.
    #[inline(always)]
    fn entering(&self, c: usize, same: f32, swapped: f32, stay_best: f32, switch_best: f32, enter: &[f32; K]) -> [f32; 4] {
        [same + self.stay + self.keep[c], stay_best + enter[c], swapped + self.switch + self.keep[c], switch_best + self.switch + enter[c]]
    }

    /// The predecessor of `state` among the previous line's scores `v` (as `c * K + o`), and
    /// whether the stream switched: the candidate the forward pass's maximum came from, the first
    /// of equals in the order kept, entered after staying, kept after switching, entered after
    /// switching (scored by `leaving` and `entering`, as in the forward pass).
    fn from(&self, v: &Scores, state: usize, enter: &[f32; K]) -> (usize, bool) {
        let (c, o) = (state / K, state % K);
        let (mut stay_best, mut stay_arg) = (f32::NEG_INFINITY, 0);
        let (mut switch_best, mut switch_arg) = (f32::NEG_INFINITY, 0);
        for (x, row) in v.iter().enumerate().take(K) {
            let (s, w) = self.leaving(x, row[o], v[o][x]);
            if s > stay_best {
                (stay_best, stay_arg) = (s, x);
            }
            if w > switch_best {
                (switch_best, switch_arg) = (w, x);
            }
        }
        let scores = self.entering(c, v[c][o], v[o][c], stay_best, switch_best, enter);
        let from = [(c * K + o, false), (stay_arg * K + o, false), (o * K + c, true), (o * K + switch_arg, true)];
        let mut best = 0;
        for k in 1..4 {
            if scores[k] > scores[best] {
                best = k;
            }
        }
        from[best]
    }
}

/// For every non-blank line, whether it is a vocabulary heading (a `heading_*` feature: ids below
/// K, pushed first): what the two-stream decoder takes, worked out only when it runs.
fn headings<F: Features>(feats: &[F]) -> Vec<bool> {
    feats.iter().filter_map(F::active).map(|a| a.ids().first().is_some_and(|&id| usize::from(id) < K)).collect()
}

/// Whether the classifier's own guesses interleave: at least two lines whose type differs from
/// both neighbours' while the neighbours agree (`A B A`). One-column text rarely has any, so the
/// two-stream decoder runs on little else.
fn looks_interleaved(top: &[u8]) -> bool {
    top.windows(3).filter(|w| w[0] == w[2] && w[0] != w[1]).nth(1).is_some()
}

/// The index of the largest of a padded row's first K values (the first of equals), for values
/// without NaN (scores are sums of finite weights, or -inf): by SSE2, where x86_64 has it
/// (always: it is part of the architecture), the largest by lane-wise maxima over the row's four
/// quarters (`maxps`; the padding lane repeats the last value, which changes neither the largest
/// nor where it first is) and across the lanes, then the quarters compared with it at once
/// (`cmpeqps`, which like `==` finds -0 equal to 0, so the zero `maxps` keeps of two cannot
/// matter) and their signs gathered into bits (`movmskps`), the padding's masked off. Inlined
/// into `emissions`, which has the row in registers; `viterbi` calls it out of line
/// (`argmax_out_of_line`).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn argmax(x: &[f32; LANES]) -> usize {
    use safe_arch::{cmp_eq_mask_m128, m128, max_m128, move_mask_m128, shuffle_abi_f32_all_m128};
    let (quarters, _) = x.as_chunks::<4>();
    let q: [m128; 4] = std::array::from_fn(|k| m128::from(quarters[k]));
    // Lanes 12, 13, 14, 14: the padding lane replaced by the last value.
    let last = shuffle_abi_f32_all_m128::<0b10_10_01_00>(q[3], q[3]);
    let m = max_m128(max_m128(q[0], q[1]), max_m128(q[2], last));
    // Each lane the larger of itself and the lane two away, then one away: all four the largest.
    let m = max_m128(m, shuffle_abi_f32_all_m128::<0b01_00_11_10>(m, m));
    let m = max_m128(m, shuffle_abi_f32_all_m128::<0b10_11_00_01>(m, m));
    let equal = q.iter().enumerate().fold(0u32, |bits, (k, &four)| bits | (move_mask_m128(cmp_eq_mask_m128(four, m)) as u32) << (4 * k)) & ((1 << K) - 1);
    if equal == 0 {
        0
    } else {
        equal.trailing_zeros() as usize
    }
}

/// `argmax` elsewhere: `argmax_portably`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn argmax(x: &[f32; LANES]) -> usize {
    argmax_portably(x)
}

/// `argmax`, not inlined, for `viterbi`: inlined there, it turned the forward pass's reads of the
/// padded transitions into shuffles of the model's own rows (some 9 K instructions a call).
#[inline(never)]
fn argmax_out_of_line(x: &[f32; LANES]) -> usize {
    argmax(x)
}

/// `argmax` in portable code: the largest by lane-wise maxima over the row's four quarters (the
/// padding lanes repeat the last value), then the first value that equals it. Built and tested
/// everywhere; used where there is no SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
fn argmax_portably(x: &[f32; LANES]) -> usize {
    let lane = |i: usize| x[i.min(K - 1)];
    let m: [f32; 4] = std::array::from_fn(|j| larger(larger(lane(j), lane(j + 4)), larger(lane(j + 8), lane(j + 12))));
    let max = larger(larger(m[0], m[2]), larger(m[1], m[3]));
    x[..K].iter().position(|&y| y == max).unwrap_or(0)
}

/// Spreads a path over the non-blank lines to every line: a blank line takes the type (and
/// stream) of the line before it, the first lines those of the line after. Each is collected
/// from a map over the lines (a known length: no capacity test a line), the streams only when
/// there are any.
fn spread<F: Features>(feats: &[F], path: &[u8], streams: &[u8]) -> Decoded {
    let kind = |k: Option<u8>| k.map_or(SectionType::Other, |k| SectionType::ALL[usize::from(k)]);
    let kinds = spread_values(feats, path).map(kind).collect();
    let streams = if streams.is_empty() { Vec::new() } else { spread_values(feats, streams).flatten().collect() };
    Decoded { kinds, streams }
}

/// Per line, the value of `values` (one a non-blank line, in order) of the last non-blank line at
/// or before it, the first value before the first (None when there are none): each non-blank
/// line takes the next value (the last once they are spent), each blank line the value before
/// it, with no place reckoned.
fn spread_values<'v, F: Features, T: Copy>(feats: &'v [F], values: &'v [T]) -> impl Iterator<Item = Option<T>> + 'v {
    let (mut now, mut rest) = (values.first().copied(), values.iter());
    feats.iter().map(move |a| {
        if let Some(&v) = a.active().and_then(|_| rest.next()) {
            now = Some(v);
        }
        now
    })
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
/// one value per to-type), `start` (KEY `-`, one value per type) or `streams` (KEY `keep`,
/// `leave`, `keep_heading`, `leave_heading` or `enter`, one value per type; `prior` or `scale`,
/// one value) or `switch` (a feature, one value). Missing rows are
/// zeros, except a missing stream prior, which turns the two-stream decoder off.
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
                model.section[feature()?].0[..K].copy_from_slice(&values);
            }
            "begin" => {
                row(1)?;
                let f = feature()?;
                model.begin[f] = values[0];
                model.section[f].0[K] = values[0];
            }
            "transition" => {
                row(K)?;
                model.transition[kind()?].copy_from_slice(&values);
            }
            "start" => {
                row(K)?;
                model.start.copy_from_slice(&values);
            }
            "streams" if key == "prior" || key == "scale" => {
                row(1)?;
                *(if key == "prior" { &mut model.streams.prior } else { &mut model.streams.scale }) = values[0];
            }
            "switch" => {
                row(1)?;
                model.switch[feature()?] = values[0];
            }
            "streams" => {
                row(K)?;
                let mut rows = model.streams.rows();
                let (_, r) = rows.iter_mut().find(|(name, _)| *name == key).ok_or_else(|| err("unknown stream row"))?;
                r.copy_from_slice(&values);
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
        let mut streams = m.streams.clone();
        for (key, values) in streams.rows() {
            row(&mut out, set, "streams", key, values);
        }
        if m.streams.prior.is_finite() {
            let _ = writeln!(out, "{set}\tstreams\tprior\t{}", fmt(m.streams.prior));
        }
        row(&mut out, set, "streams", "scale", &[m.streams.scale]);
        for (k, t) in m.transition.iter().enumerate() {
            row(&mut out, set, "transition", classes[k], t);
        }
        for id in 0..COUNT {
            row(&mut out, set, "section", &super::features::name(id), &m.section[usize::from(id)].0[..K]);
        }
        for id in 0..COUNT {
            row(&mut out, set, "begin", &super::features::name(id), &[m.begin[usize::from(id)]]);
        }
        for id in 0..COUNT {
            row(&mut out, set, "switch", &super::features::name(id), &[m.switch[usize::from(id)]]);
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
    fn begin_scores_going_on_from_the_row_are_the_scores_summed_afresh() {
        let text = "Jane Doe\njane@example.com | 555-0100\n\nEXPERIENCE\nData Analyst | Zillow | 2019 - 2021\n- Built dashboards in SQL and Tableau\nSenior Engineer, Acme Corp\nMay 2015 – Sep 2019\n\nEducation\nB.S. Computer Science, State University, 2014\n\nSkills\nPython, SQL, Rust";
        let w = weights();
        for (m, with_rules) in [(&w.alone, false), (&w.combined, true)] {
            for a in super::super::line_features(text, with_rules, None).iter().flatten() {
                let row = m.padded_scores(a);
                for kind in SectionType::ALL {
                    for first in [false, true] {
                        assert_eq!(m.begin_score_from(Some(&row), a, kind, first), m.begin_score_in_section(a, kind, first), "{:?}", a.ids());
                    }
                }
            }
        }
    }

    use SectionType::{Contact as C, Experience as E, Skills as S, Summary as U};

    /// A model whose emissions are set by hand: line `k` of a test is an `Active` with only the
    /// `section_K` feature, weighted so the labelled type has log-probability about -0.4 and
    /// every other -2.6 (softmax over 15). One-stream changes cost 3, two-stream ones too, a
    /// stream switch 0.7.
    fn hand_model() -> Model {
        let mut m = Model::zero();
        for k in SectionType::ALL {
            let id = (0..COUNT).find(|&i| super::super::features::name(i) == format!("section_{}", k.as_str())).expect("section feature");
            m.section[usize::from(id)].0[k as usize] = 4.5;
        }
        for (from, row) in m.transition.iter_mut().enumerate() {
            for (to, t) in row.iter_mut().enumerate() {
                *t = if from == to { -0.05 } else { -3.0 };
            }
        }
        let (keep, leave) = ([-0.05; K], [-3.0; K]);
        // No switch weights: switching and staying cost log ½ each.
        m.streams = Streams { keep, leave, keep_heading: keep, leave_heading: leave, enter: [0.0; K], scale: 1.0, prior: 0.0 };
        m
    }

    /// Lines of these types, each after a blank line (so each may open a section).
    fn lines(kinds: &[SectionType]) -> Vec<Option<Active>> {
        kinds.iter().map(|&k| Some(Active::default().with_section(k, false).after_blank())).collect()
    }

    #[test]
    fn sections_change_only_where_a_line_may_open_one() {
        let m = hand_model();
        let path = |kinds: &[SectionType], open: &[bool]| {
            let em = m.log_probabilities(&lines(kinds));
            m.viterbi(&em, open).0.iter().map(|&k| SectionType::ALL[usize::from(k)]).collect::<Vec<_>>()
        };
        // Where every line may open a section the path follows the lines; where the third
        // may, the change happens there.
        assert_eq!(path(&[E, E, S, S], &[true; 4]), vec![E, E, S, S]);
        assert_eq!(path(&[E, E, S, S], &[true, false, true, false]), vec![E, E, S, S]);
        // A block where no line after the first may open one keeps one type: the one its lines
        // favour together.
        assert_eq!(path(&[E, S, S, S], &[true, false, false, false]), vec![S; 4]);
        assert_eq!(path(&[E, E, E, S], &[true, false, false, false]), vec![E; 4]);
    }

    #[test]
    fn interleaved_lines_decode_as_two_streams() {
        let m = hand_model();
        // A main column (contact, summary, experience) cut line by line by a sidebar (contact,
        // skills): the one-stream decoder pays a change at every alternation and smears.
        let truth = [C, C, U, C, U, U, C, E, S, E, E, S, E, S, E];
        let feats = lines(&truth);
        let em = m.log_probabilities(&feats);
        let (one, _) = m.viterbi(&em, &vec![true; em.len()]);
        assert_ne!(one.iter().map(|&k| SectionType::ALL[usize::from(k)]).collect::<Vec<_>>(), truth, "one stream smears");
        let d = m.decode(&feats);
        assert_eq!(d.kinds, truth);
        assert_eq!(d.streams.len(), truth.len());
        // The experience lines share a stream, the skills lines the other.
        let stream_of = |k: SectionType| -> Vec<u8> { truth.iter().zip(&d.streams).filter(|(t, _)| **t == k).map(|(_, s)| *s).collect() };
        let (e, s) = (stream_of(E), stream_of(S));
        assert!(e.iter().all(|&x| x == e[0]) && s.iter().all(|&x| x == s[0]) && e[0] != s[0], "{:?}", d.streams);
    }

    #[test]
    fn one_column_text_stays_one_stream() {
        let m = hand_model();
        // One stray line in the experience section: no interleaving, so the one-stream decoder
        // alone reads it, and smooths it over.
        let feats = lines(&[C, C, C, E, E, S, E, E, S, S, S]);
        let d = m.decode(&feats);
        assert!(d.streams.is_empty());
        assert_eq!(d.kinds, [C, C, C, E, E, E, E, E, S, S, S]);
        // Blank lines take the type of the line before them, leading ones of the line after.
        let mut blanks = vec![None];
        blanks.extend(lines(&[C, E]));
        blanks.insert(2, None);
        assert_eq!(m.decode(&blanks).kinds, [C, C, C, E]);
    }

    #[test]
    fn without_a_stream_prior_the_two_stream_decoder_is_off() {
        let mut m = hand_model();
        m.streams.prior = f32::NEG_INFINITY;
        let d = m.decode(&lines(&[C, C, U, C, U, U, C, E, S, E, E, S, E, S, E]));
        assert!(d.streams.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn argmax_is_the_portable_one(x in proptest::array::uniform16(proptest::prop_oneof![-3i8..3, proptest::strategy::Just(i8::MIN)]), neg in proptest::array::uniform16(proptest::bool::ANY)) {
            // Few distinct values (ties, with the padding lane among them), some zeros negative,
            // some -inf.
            let row: [f32; LANES] = std::array::from_fn(|i| match x[i] {
                i8::MIN => f32::NEG_INFINITY,
                n if neg[i] => -f32::from(n),
                n => f32::from(n),
            });
            proptest::prop_assert_eq!(argmax(&row), argmax_portably(&row));
            proptest::prop_assert_eq!(argmax(&row), row[..K].iter().position(|&y| y == row[..K].iter().copied().fold(f32::NEG_INFINITY, f32::max)).unwrap_or(0));
        }
    }

    #[test]
    fn malformed_weights_are_refused() {
        assert!(parse("alone\tsection\tbias\t1").is_err());
        assert!(parse("alone\tsection\tno_such_feature\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0").is_err());
        assert!(parse("sideways\tstart\t-\t0").is_err());
    }
}
