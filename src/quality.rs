//! Deterministic quality metrics of a tailored section, with no judge model: keyword coverage of the
//! job's key terms, faithfulness to the original (nothing invented), length within bounds, validity.

use crate::job::JobAnalysis;
use crate::text;
use ahash::AHashSet;
use std::borrow::Cow;

/// Share (0..=1) of the job's term weight that a text covers, from the set of the job's terms it
/// contains (`JobAnalysis::terms_in`, `TermHits::all`).
pub fn keyword_coverage(terms: u64, job: &JobAnalysis) -> f32 {
    let total = job.total_weight();
    if total <= 0.0 {
        return 0.0;
    }
    // `+ 0.0` turns the -0.0 of an empty float sum into 0.0.
    (job.weight_of(terms) / total).clamp(0.0, 1.0) + 0.0
}

/// Tokens of `output` that would be invented facts: numbers (anything with a digit) and capitalised
/// words that appear neither in the original section nor in the job (case-insensitively, so a
/// word capitalised because it now starts a sentence is not a new name). Empty means faithful.
pub fn unfaithful_tokens(output: &str, original: &str, job: &JobAnalysis) -> Vec<String> {
    // Most tokens are found in the job already; the original's words are read only for the rest.
    let mut candidates: Vec<&str> = Vec::new();
    let mut folded = String::new();
    for w in text::words(output) {
        if !(text::has_digit(w) || text::is_capitalised(w)) {
            continue;
        }
        text::fold_into(w, &mut folded);
        if !job.vocabulary.contains(folded.as_str()) {
            candidates.push(w);
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    // Folding ASCII keeps every byte where it was, so the words of the folded text are the folded
    // words, borrowed; other text is folded word by word.
    let folded_original;
    let known: AHashSet<Cow<'_, str>> = if original.is_ascii() {
        folded_original = original.to_ascii_lowercase();
        text::words(&folded_original).map(Cow::Borrowed).collect()
    } else {
        text::words(original).map(|w| Cow::Owned(text::fold(w))).collect()
    };
    let mut invented: Vec<String> = Vec::new();
    for w in candidates {
        text::fold_into(w, &mut folded);
        if !known.contains(folded.as_str()) && !invented.iter().any(|i| i == w) {
            invented.push(w.to_string());
        }
    }
    invented
}

/// Quality of one optimized section, 0..=1: zero when unfaithful or invalid; otherwise the coverage
/// gained (half the score, scaled so +25 points of coverage is full marks), plus a length term that
/// is full between 60% and 130% of the original and falls off outside.
pub fn section_quality(coverage_before: f32, coverage_after: f32, original_len: usize, output_len: usize, faithful: bool) -> f32 {
    if !faithful || output_len == 0 {
        return 0.0;
    }
    let gain = ((coverage_after - coverage_before) / 0.25).clamp(0.0, 1.0);
    let ratio = output_len as f32 / original_len.max(1) as f32;
    let length = if (0.6..=1.3).contains(&ratio) {
        1.0
    } else if ratio < 0.6 {
        (ratio / 0.6).clamp(0.0, 1.0)
    } else {
        (1.3 / ratio).clamp(0.0, 1.0)
    };
    0.5 * (0.5 + 0.5 * gain) + 0.5 * length
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::analyse;

    #[test]
    fn coverage_counts_weighted_terms() {
        let job = analyse("Data Engineer\nWe need Python and machine learning and Python.\n");
        let coverage = |text| keyword_coverage(job.terms_in(text), &job);
        let none = coverage("Gardening and cooking.");
        let some = coverage("Wrote Python");
        let more = coverage("Wrote Python for machine learning at a data company");
        assert_eq!(none, 0.0);
        assert!(some > 0.0 && some < more && more <= 1.0, "{some} {more}");
    }

    #[test]
    fn invented_numbers_and_names_are_caught() {
        let original = "built reporting tools at acme in 2019";
        let job = analyse("We use Python");
        assert!(unfaithful_tokens("Built reporting tools at Acme in 2019 with Python", original, &job).is_empty());
        assert_eq!(unfaithful_tokens("Built tools at Globex in 2020", original, &job), vec!["Globex", "2020"]);
    }

    #[test]
    fn quality_rewards_gain_and_sane_length() {
        assert_eq!(section_quality(0.1, 0.5, 100, 100, false), 0.0);
        let good = section_quality(0.1, 0.35, 100, 100, true);
        let flat = section_quality(0.1, 0.1, 100, 100, true);
        let bloated = section_quality(0.1, 0.35, 100, 400, true);
        assert!((good - 1.0).abs() < 1e-6);
        assert!(flat < good && bloated < good);
    }
}
