//! Assembling a pair's result: weighted scores over its parts and the tailored resume text.

use std::ops::Range;

/// One part's contribution to the pair.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredPart<'a> {
    pub span: Range<usize>,
    /// The text that replaces the span (the original when not optimized).
    pub text: &'a str,
    pub importance: f32,
    pub score_before: Option<f32>,
    pub score_after: Option<f32>,
    /// Parts with the same group may be reordered among themselves by `score_after` (entries of
    /// sections whose order is not chronological: projects, certifications, awards, publications).
    pub reorder_group: Option<usize>,
}

/// Importance-weighted mean of the scores present; None when no part was scored.
pub fn weighted_score(parts: impl IntoIterator<Item = (f32, Option<f32>)>) -> Option<f32> {
    let (mut sum, mut weight) = (0.0f32, 0.0f32);
    for (importance, score) in parts {
        if let Some(s) = score {
            sum += importance * s;
            weight += importance;
        }
    }
    (weight > 0.0).then(|| ((sum / weight) * 10.0).round() / 10.0)
}

/// The tailored resume: the original text with every part's span replaced by its text. Runs of
/// adjacent parts in one reorder group are emitted most relevant first (stable on ties).
pub fn assemble(original: &str, parts: &[ScoredPart<'_>]) -> String {
    let mut out = String::with_capacity(original.len() + original.len() / 8);
    let mut pos = 0;
    let mut i = 0;
    while i < parts.len() {
        let start = parts[i].span.start;
        out.push_str(&original[pos..start]);
        // A run: same group, each part starting where the previous ended.
        let mut j = i + 1;
        if parts[i].reorder_group.is_some() {
            while j < parts.len() && parts[j].reorder_group == parts[i].reorder_group && parts[j].span.start == parts[j - 1].span.end {
                j += 1;
            }
        }
        let mut run: Vec<&ScoredPart<'_>> = parts[i..j].iter().collect();
        // A part without a final line end (the end of the file) can only stay last.
        if run.len() > 1 && run.iter().all(|p| p.text.ends_with('\n')) {
            run.sort_by(|a, b| b.score_after.unwrap_or(0.0).total_cmp(&a.score_after.unwrap_or(0.0)));
        }
        for p in run {
            out.push_str(p.text);
            if !p.text.ends_with('\n') && p.span.end > p.span.start && original[..p.span.end].ends_with('\n') {
                out.push('\n');
            }
        }
        pos = parts[j - 1].span.end;
        i = j;
    }
    out.push_str(&original[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(span: Range<usize>, text: &str, score: f32, group: Option<usize>) -> ScoredPart<'_> {
        ScoredPart { span, text, importance: 1.0, score_before: Some(score), score_after: Some(score), reorder_group: group }
    }

    #[test]
    fn weighted_score_ignores_unscored_parts() {
        assert_eq!(weighted_score([(1.0, Some(80.0)), (3.0, Some(40.0)), (5.0, None)]), Some(50.0));
        assert_eq!(weighted_score([(1.0, None)]), None);
    }

    #[test]
    fn assemble_replaces_spans_and_keeps_the_rest() {
        let original = "Head\nA\nB\nTail\n";
        let parts = [part(5..7, "a!\n", 1.0, None), part(7..9, "b!\n", 2.0, None)];
        assert_eq!(assemble(original, &parts), "Head\na!\nb!\nTail\n");
    }

    #[test]
    fn assemble_reorders_adjacent_entries_of_a_group() {
        let original = "Projects\nP1\nP2\n";
        let parts = [part(9..12, "P1\n", 10.0, Some(0)), part(12..15, "P2\n", 90.0, Some(0))];
        assert_eq!(assemble(original, &parts), "Projects\nP2\nP1\n");
    }

    #[test]
    fn a_part_without_a_final_newline_is_not_moved() {
        let original = "Awards\nA1\nA2";
        let parts = [part(7..10, "A1\n", 10.0, Some(0)), part(10..12, "A2", 90.0, Some(0))];
        assert_eq!(assemble(original, &parts), "Awards\nA1\nA2");
    }

    #[test]
    fn assemble_keeps_line_breaks_when_a_text_drops_its_newline() {
        let original = "X\nY\n";
        let parts = [part(0..2, "x", 1.0, None)];
        assert_eq!(assemble(original, &parts), "x\nY\n");
    }
}
