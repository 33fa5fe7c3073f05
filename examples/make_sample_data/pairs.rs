//! The pool of rendered resumes (source x style x variant) and the schedule that crosses it with
//! the jobs into pairs: resume `k mod R` with a job that shifts by one every full pass over the
//! resumes, so every resume meets every job before any (resume, job) pair repeats.

use crate::jobs::Job;
use crate::labels::{text_of, LabelledLine};
use crate::prng::SplitMix64;
use crate::render::render;
use crate::resume::JsonResume;
use crate::style::Style;
use crate::variant::make_variant;

/// Renderings of each (source, style): the document itself and three seeded variants.
pub const VARIANTS: usize = 4;
/// Renderings with fewer words are the deliberately empty or broken source documents.
pub const MIN_RESUME_WORDS: usize = 40;

pub struct RenderedResume {
    /// `{source}.{style}.v{variant}`, e.g. `richard-hendriks.caps-rule.v2`.
    pub id: String,
    pub style: Style,
    pub lines: Vec<LabelledLine>,
    pub text: String,
}

/// Every rendering of every source, variant by variant (all of variant 0 first, so a small sample
/// holds every source in every style), in a seeded order within a variant. Also returns the
/// renderings left out for being too short, as `(id, words)`.
pub fn render_pool(
    sources: &[(String, JsonResume)],
    seed: u64,
) -> (Vec<RenderedResume>, Vec<(String, usize)>) {
    let mut pool = Vec::new();
    let mut too_short = Vec::new();
    for variant in 0..VARIANTS {
        let mut combos: Vec<(&(String, JsonResume), Style)> = sources
            .iter()
            .flat_map(|s| Style::ALL.into_iter().map(move |style| (s, style)))
            .collect();
        SplitMix64::for_key(seed, &format!("pool-order/v{variant}")).shuffle(&mut combos);
        for ((stem, resume), style) in combos {
            let id = format!("{stem}.{}.v{variant}", style.id());
            let mut rng = SplitMix64::for_key(seed, &id);
            let variant = make_variant(resume, variant, &mut rng);
            let lines = render(&variant.resume, style, &variant.order, &mut rng);
            let text = text_of(&lines);
            let words = text.split_whitespace().count();
            if words < MIN_RESUME_WORDS {
                too_short.push((id, words));
            } else {
                pool.push(RenderedResume {
                    id,
                    style,
                    lines,
                    text,
                });
            }
        }
    }
    (pool, too_short)
}

/// The jobs in a seeded order, so neighbouring pairs get unrelated postings.
pub fn shuffle_jobs(jobs: &mut [Job], seed: u64) {
    SplitMix64::for_key(seed, "job-order").shuffle(jobs);
}

/// One output row, borrowing its texts from the pool.
pub struct PairRow<'a> {
    pub pair_id: String,
    pub resume_id: &'a str,
    pub job_id: &'a str,
    pub resume: &'a str,
    pub job: &'a str,
}

/// Which job each of `count` pairs gets when a fraction `shared` of them reuse a job an earlier
/// pair has (spread evenly over the file): the others each get a job no other pair has so far.
/// Returns the job index per pair; indices count distinct jobs from 0.
pub fn shared_job_schedule(count: usize, shared: f64) -> Vec<usize> {
    let shared = shared.clamp(0.0, 1.0);
    let mut distinct = 0usize;
    (0..count)
        .map(|k| {
            let reuses = k > 0 && ((k + 1) as f64 * shared).floor() > (k as f64 * shared).floor();
            if reuses {
                // An earlier job, cycling back over the ones handed out so far.
                (k * 7) % distinct
            } else {
                distinct += 1;
                distinct - 1
            }
        })
        .collect()
}

/// `n` distinct job texts from the postings: past the pool a posting comes back as a new
/// requisition (its text gains a requisition line), as boards repost the same role.
pub fn distinct_jobs(jobs: &[Job], n: usize) -> Vec<Job> {
    (0..n)
        .map(|d| {
            let job = &jobs[d % jobs.len()];
            match d / jobs.len() {
                0 => job.clone(),
                round => Job {
                    id: format!("{}-r{round}", job.id),
                    text: format!("{}\n\nRequisition: {round:04}-{d:05}", job.text),
                },
            }
        })
        .collect()
}

/// `count` pairs, `p00001` onwards (wider ids past 99,999 pairs, so they still sort), produced
/// one at a time. With `schedule` (see `shared_job_schedule`), pair `k` gets `jobs[schedule[k]]`.
pub fn pairs<'a>(
    resumes: &'a [RenderedResume],
    jobs: &'a [Job],
    count: usize,
    schedule: Option<&'a [usize]>,
) -> impl Iterator<Item = PairRow<'a>> {
    assert!(
        !resumes.is_empty() && !jobs.is_empty(),
        "an empty pool makes no pairs"
    );
    let width = count.to_string().len().max(5);
    (0..count).map(move |k| {
        let (round, slot) = (k / resumes.len(), k % resumes.len());
        let resume = &resumes[slot];
        let job = match schedule {
            Some(s) => &jobs[s[k]],
            None => &jobs[(slot + round) % jobs.len()],
        };
        PairRow {
            pair_id: format!("p{:0width$}", k + 1),
            resume_id: &resume.id,
            job_id: &job.id,
            resume: &resume.text,
            job: &job.text,
        }
    })
}

/// A small pool for tests: `resumes` renderings `r{i}.title-case.v0` and `jobs` postings `j{i}`,
/// with texts that need quoting in CSV and escaping in JSON.
#[cfg(test)]
pub fn test_pool(resumes: usize, jobs: usize) -> (Vec<RenderedResume>, Vec<Job>) {
    let resumes = (0..resumes)
        .map(|i| RenderedResume {
            id: format!("r{i}.title-case.v0"),
            style: Style::TitleCase,
            lines: vec![],
            text: format!("Resume {i}\nwith \"quotes\", commas"),
        })
        .collect();
    let jobs = (0..jobs)
        .map(|i| Job {
            id: format!("j{i}"),
            text: format!("Job {i}\n- bullet"),
        })
        .collect();
    (resumes, jobs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_resume_meets_every_job_before_a_pair_repeats() {
        let (resumes, jobs) = test_pool(6, 4);
        let rows: Vec<_> = pairs(&resumes, &jobs, 24, None).collect();
        let distinct: BTreeSet<_> = rows.iter().map(|r| (r.resume_id, r.job_id)).collect();
        assert_eq!(distinct.len(), 24);
        assert_eq!(rows[0].pair_id, "p00001");
        assert_eq!(
            pairs(&resumes, &jobs, 100_000, None).last().unwrap().pair_id,
            "p100000"
        );
    }

    #[test]
    fn a_fifth_of_pairs_share_a_job_and_the_rest_are_distinct() {
        let schedule = shared_job_schedule(1000, 0.2);
        let mut uses = std::collections::BTreeMap::new();
        for &j in &schedule {
            *uses.entry(j).or_insert(0usize) += 1;
        }
        let sharing: usize = uses.values().filter(|&&n| n > 1).sum();
        let reusing = 1000 - uses.len();
        assert_eq!(reusing, 200, "exactly a fifth reuse an earlier job");
        assert!(sharing >= 200 && sharing <= 400, "{sharing}");
        let (_, jobs) = test_pool(1, 3);
        let texts: BTreeSet<String> = distinct_jobs(&jobs, uses.len()).into_iter().map(|j| j.text).collect();
        assert_eq!(texts.len(), uses.len(), "every distinct job has its own text");
    }
}
