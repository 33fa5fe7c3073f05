//! The local provider: deterministic, offline, free. The default with no config and the last resort
//! of every fallback chain, so a pair always gets a result.
//!
//! Evaluate scores how much of the job's weighted key terms a section shows, earlier lines counting
//! more (recruiters skim). Optimize reorders bullets and list items by relevance, surfaces skills the
//! resume already evidences that the job asks for, and tightens filler wording. It never adds a
//! number, date, employer, degree or skill that the section or the resume's evidence lacks.

use super::{BatchCompletion, BatchInput, Completion, Evaluation, Provider, ProviderError, TaskInput, TaskKind, TaskOutput, Usage};
use crate::job::{bits, skill_key, JobAnalysis, TermHits};
use crate::segment::SectionType;
use crate::text::{self, approx_tokens, bullet_marker_len, skills_in};
use aho_corasick::AhoCorasick;
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// A term first seen on the last line still counts `1 - POSITION_DECAY` of its weight.
const POSITION_DECAY: f32 = 0.4;
/// Steepness of the coverage -> score curve: 100 * (1 - e^(-k * coverage)).
const SCORE_STEEPNESS: f32 = 3.0;
/// At most this many skills are surfaced into one section, so a section does not turn into a list.
const MAX_SURFACED: usize = 5;
const MAX_MISSING: usize = 10;

/// The offline provider. It has one model, `local`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalProvider;

impl Provider for LocalProvider {
    fn name(&self) -> &str {
        "local"
    }

    fn complete(&self, _model: &str, input: &TaskInput<'_>) -> Result<Completion, ProviderError> {
        let prompt_tokens = u64::from(approx_tokens(input.text)) + u64::from(approx_tokens(input.job_text));
        let (output, output_tokens) = match input.kind {
            TaskKind::Evaluate => {
                let e = match input.hits {
                    Some(hits) => evaluate_hits(hits, input.job),
                    None => evaluate(input.text, input.job),
                };
                let tokens = 8 + e.matched.len() as u64 * 2 + e.missing.len() as u64 * 2;
                (TaskOutput::Evaluation(e), tokens)
            }
            TaskKind::Optimize => {
                let text = match input.hits {
                    Some(hits) => optimize_hits(input.text, hits, input.section_type, input.job, input.evidence),
                    None => optimize(input.text, input.section_type, input.job, input.evidence),
                };
                let tokens = u64::from(approx_tokens(&text));
                (TaskOutput::Optimization(text), tokens)
            }
        };
        Ok(Completion { output, usage: Usage { input_tokens: prompt_tokens, output_tokens, cached_input_tokens: 0 }, limits: Default::default() })
    }

    fn complete_batch(&self, model: &str, batch: &BatchInput<'_>) -> Result<BatchCompletion, ProviderError> {
        let mut usage = Usage::default();
        let mut outputs = Vec::with_capacity(batch.items.len());
        for i in 0..batch.items.len() {
            let c = self.complete(model, &batch.input(i))?;
            usage.input_tokens += c.usage.input_tokens;
            usage.output_tokens += c.usage.output_tokens;
            outputs.push(Ok(c.output));
        }
        Ok(BatchCompletion { outputs, usage, limits: Default::default() })
    }
}

/// Scores a section against a job: 0–100 with the matched and the most important missing terms.
pub fn evaluate(section: &str, job: &JobAnalysis) -> Evaluation {
    evaluate_hits(&job.hits(section), job)
}

/// `evaluate` from the section's scan: a term counts from the first line it appears on.
pub fn evaluate_hits(hits: &TermHits, job: &JobAnalysis) -> Evaluation {
    let mut first_line = [usize::MAX; crate::job::MAX_TERMS];
    let mut seen = 0u64;
    for (line, &terms) in hits.lines.iter().enumerate() {
        for t in bits(terms & !seen) {
            first_line[t] = line;
        }
        seen |= terms;
    }
    let total = job.total_weight();
    let last = hits.lines.len().saturating_sub(1).max(1) as f32;
    let mut covered = 0.0f32;
    let mut matched = Vec::new();
    let mut missing = Vec::new();
    for (term, &line) in job.terms.iter().zip(&first_line) {
        match (line != usize::MAX).then_some(line) {
            Some(i) => {
                covered += term.weight * (1.0 - POSITION_DECAY * i as f32 / last);
                matched.push(Arc::clone(&term.display));
            }
            None if missing.len() < MAX_MISSING => missing.push(Arc::clone(&term.display)),
            None => {}
        }
    }
    let coverage = if total > 0.0 { covered / total } else { 0.0 };
    let score = (100.0 * (1.0 - (-SCORE_STEEPNESS * coverage).exp())).clamp(0.0, 100.0);
    Evaluation { score: (score * 10.0).round() / 10.0, matched, missing }
}

/// Rewrites a section for a job: reordered bullets and list items, surfaced evidenced skills,
/// tightened wording. Keeps the line-ending style and whether the text ended with a newline.
pub fn optimize(section: &str, kind: SectionType, job: &JobAnalysis, evidence: &[usize]) -> String {
    optimize_hits(section, &job.hits(section), kind, job, evidence)
}

/// `optimize` with the section's scan: a line that tightening leaves as it was takes its
/// relevance from the scan instead of being scanned again.
pub fn optimize_hits(section: &str, hits: &TermHits, kind: SectionType, job: &JobAnalysis, evidence: &[usize]) -> String {
    let newline = if section.contains("\r\n") { "\r\n" } else { "\n" };
    let mut scanned = hits.lines.iter();
    let lines: Vec<(Cow<'_, str>, f32)> = section
        .lines()
        .map(|l| {
            let terms = if l.trim().is_empty() { 0 } else { scanned.next().copied().unwrap_or(0) };
            let line = tighten(l);
            let relevance = match line {
                Cow::Borrowed(_) => job.weight_of(terms),
                Cow::Owned(ref tightened) => relevance(tightened, job),
            };
            (line, relevance)
        })
        .collect();
    let mut lines = reorder_bullet_runs(lines);
    if kind == SectionType::Skills {
        for line in &mut lines {
            if let Some(reordered) = reorder_list_line(line, job) {
                *line = Cow::Owned(reordered);
            }
        }
    }
    surface_skills(&mut lines, section, kind, job, evidence);
    let mut out = lines.join(newline);
    if section.ends_with('\n') {
        out.push_str(newline);
    }
    out
}

/// How much of the job a piece of text speaks to: the summed weight of job terms it contains.
fn relevance(text: &str, job: &JobAnalysis) -> f32 {
    job.weight_of(job.terms_in(text))
}

/// Sorts each run of consecutive bullets by relevance (each line comes with its own), most
/// relevant first; a bullet keeps the indented continuation lines under it. Stable, so equally
/// relevant bullets keep their order.
fn reorder_bullet_runs<'a>(lines: Vec<(Cow<'a, str>, f32)>) -> Vec<Cow<'a, str>> {
    let mut out: Vec<Cow<'a, str>> = Vec::with_capacity(lines.len());
    let mut run: Vec<(f32, Vec<Cow<'a, str>>)> = Vec::new();
    let flush = |run: &mut Vec<(f32, Vec<Cow<'a, str>>)>, out: &mut Vec<Cow<'a, str>>| {
        run.sort_by(|a, b| b.0.total_cmp(&a.0));
        out.extend(run.drain(..).flat_map(|(_, item)| item));
    };
    for (line, relevance) in lines {
        let is_bullet = bullet_marker_len(&line).is_some();
        let continues = !run.is_empty() && !is_bullet && !line.trim().is_empty() && line.starts_with([' ', '\t']);
        if is_bullet {
            run.push((relevance, vec![line]));
        } else if continues {
            let item = run.last_mut().expect("run is not empty");
            item.0 += relevance;
            item.1.push(line);
        } else {
            flush(&mut run, &mut out);
            out.push(line);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// For a list line such as `Languages: Go, Python, SQL`, the same line with its items ordered by
/// relevance to the job; None when the line is not a list.
fn reorder_list_line(line: &str, job: &JobAnalysis) -> Option<String> {
    let lead = bullet_marker_len(line).unwrap_or_else(|| line.len() - line.trim_start().len());
    let (label, list) = match line[lead..].split_once(": ") {
        Some((label, list)) if label.split_whitespace().count() <= 4 => (&line[..lead + label.len() + 2], list),
        _ => (&line[..lead], &line[lead..]),
    };
    let sep = [", ", " | ", "; ", " · ", " • ", ","].into_iter().find(|s| list.matches(s).count() >= 1)?;
    let trailing = if list.ends_with('.') { "." } else { "" };
    let mut items: Vec<(f32, &str)> = list.trim_end_matches('.').split(sep).map(|i| (relevance(i, job), i)).collect();
    if items.len() < 2 || items.iter().any(|(_, i)| i.split_whitespace().count() > 5) {
        return None;
    }
    items.sort_by(|a, b| b.0.total_cmp(&a.0));
    let joined: Vec<&str> = items.into_iter().map(|(_, i)| i).collect();
    Some(format!("{label}{}{trailing}", joined.join(sep)))
}

/// Adds to a summary or skills section the job's skills that the resume evidences elsewhere but this
/// section does not name. Only skills both in the job and in the resume, so nothing is invented.
fn surface_skills(lines: &mut Vec<Cow<'_, str>>, original: &str, kind: SectionType, job: &JobAnalysis, evidence: &[usize]) {
    if !matches!(kind, SectionType::Summary | SectionType::Skills) {
        return;
    }
    let present: Vec<String> = skills_in(original).into_iter().map(skill_key).collect();
    let mut names: Vec<&str> = Vec::new();
    for &s in &job.skills {
        let name = text::skill_name(s);
        if evidence.contains(&s) && !present.contains(&skill_key(s)) && !names.contains(&name) && names.len() < MAX_SURFACED {
            names.push(name);
        }
    }
    let Some(last) = lines.iter().rposition(|l| !l.trim().is_empty()) else { return };
    if names.is_empty() {
        return;
    }
    match kind {
        SectionType::Skills => {
            let list_line = lines.iter().position(|l| [", ", " | ", "; "].iter().any(|s| l.contains(s)));
            match list_line {
                Some(i) => {
                    let sep = [", ", " | ", "; "].into_iter().find(|s| lines[i].contains(s)).unwrap_or(", ");
                    let line = lines[i].to_mut();
                    let period = line.ends_with('.');
                    if period {
                        line.pop();
                    }
                    line.push_str(sep);
                    line.push_str(&names.join(sep));
                    if period {
                        line.push('.');
                    }
                }
                None => {
                    let marker_len = bullet_marker_len(&lines[last]).unwrap_or(0);
                    let marker = lines[last][..marker_len].to_string();
                    lines.insert(last + 1, Cow::Owned(format!("{marker}{}", names.join(", "))));
                }
            }
        }
        _ => {
            let list = match names.split_last() {
                Some((tail, [])) => tail.to_string(),
                Some((tail, head)) => format!("{} and {tail}", head.join(", ")),
                None => return,
            };
            let line = lines[last].to_mut();
            if line.ends_with('.') {
                line.pop();
                line.push_str(&format!(", with hands-on experience in {list}."));
            } else {
                line.push_str(&format!("; hands-on experience in {list}"));
            }
        }
    }
}

/// Filler phrases and their tighter forms; matched case-insensitively on word boundaries.
const TIGHTEN: &[(&str, &str)] = &[
    ("was responsible for ", ""),
    ("responsible for ", ""),
    ("duties included ", ""),
    ("successfully ", ""),
    ("in order to ", "to "),
    ("helped to ", "helped "),
    ("utilized ", "used "),
    ("utilizing ", "using "),
    ("utilize ", "use "),
    ("a wide variety of ", "many "),
    ("very ", ""),
];

/// Finds any `TIGHTEN` phrase in one pass, ignoring ASCII case: most lines have none, and this
/// tells them apart without a lower-cased copy of each line.
fn filler_finder() -> &'static AhoCorasick {
    static FINDER: OnceLock<AhoCorasick> = OnceLock::new();
    FINDER.get_or_init(|| {
        AhoCorasick::builder().ascii_case_insensitive(true).build(TIGHTEN.iter().map(|(from, _)| from)).expect("the filler phrases are few and short")
    })
}

/// Removes filler wording from one line, keeping its bullet marker and indentation, and keeps the
/// line's first letter capitalised when it was.
pub fn tighten(line: &str) -> Cow<'_, str> {
    if !filler_finder().is_match(line) {
        return Cow::Borrowed(line);
    }
    let lower = line.to_ascii_lowercase();
    let lead = bullet_marker_len(line).unwrap_or_else(|| line.len() - line.trim_start().len());
    let mut out = String::with_capacity(line.len());
    out.push_str(&line[..lead]);
    let body = &line[lead..];
    let body_lower = &lower[lead..];
    let mut i = 0;
    'scan: while i < body.len() {
        let at_word_start = i == 0 || !body[..i].chars().next_back().is_some_and(char::is_alphanumeric);
        if at_word_start {
            for (from, to) in TIGHTEN {
                if body_lower[i..].starts_with(from) {
                    out.push_str(to);
                    i += from.len();
                    continue 'scan;
                }
            }
        }
        let c = body[i..].chars().next().expect("i is on a char boundary");
        out.push(c);
        i += c.len_utf8();
    }
    let starts_upper = body.chars().next().is_some_and(char::is_uppercase);
    if starts_upper {
        if let Some(first) = out[lead..].chars().next() {
            if first.is_lowercase() {
                let upper: String = first.to_uppercase().collect();
                out.replace_range(lead..lead + first.len_utf8(), &upper);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::analyse;
    use crate::quality::unfaithful_tokens;

    const JOB: &str = "Backend Engineer\nRequirements:\n- Experience with Python and PostgreSQL\n- Docker in production\n";

    #[test]
    fn evaluate_scores_matches_higher_and_lists_terms() {
        let job = analyse(JOB);
        let weak = evaluate("Painted houses.\nWalked dogs.\n", &job);
        let strong = evaluate("- Built Python services on PostgreSQL\n- Shipped Docker images\n", &job);
        assert!(strong.score > weak.score, "{} vs {}", strong.score, weak.score);
        assert!(strong.matched.contains(&Arc::from("Python")));
        assert!(weak.missing.contains(&Arc::from("Python")));
        assert!((0.0..=100.0).contains(&strong.score));
    }

    #[test]
    fn evaluate_rewards_relevant_lines_first() {
        let job = analyse(JOB);
        let late = evaluate("- Walked dogs\n- Cooked meals\n- Wrote Python\n", &job);
        let early = evaluate("- Wrote Python\n- Walked dogs\n- Cooked meals\n", &job);
        assert!(early.score > late.score);
    }

    #[test]
    fn optimize_reorders_bullets_and_keeps_every_line() {
        let job = analyse(JOB);
        let section = "Engineer, Acme — 2019 – 2021\n- Organised the office party\n- Was responsible for Python services on PostgreSQL\n";
        let out = optimize(section, SectionType::Experience, &job, &[]);
        assert_eq!(out, "Engineer, Acme — 2019 – 2021\n- Python services on PostgreSQL\n- Organised the office party\n");
    }

    #[test]
    fn optimize_surfaces_only_evidenced_job_skills() {
        let job = analyse(JOB);
        let evidence = skills_in("Python, Docker, Haskell");
        let out = optimize("Languages: Haskell, Python\n", SectionType::Skills, &job, &evidence);
        assert_eq!(out, "Languages: Python, Haskell, Docker\n");
        let summary = optimize("Engineer who ships.", SectionType::Summary, &job, &evidence);
        assert_eq!(summary, "Engineer who ships, with hands-on experience in Python and Docker.");
        assert!(unfaithful_tokens(&summary, "Engineer who ships.", &job).is_empty());
    }

    #[test]
    fn tighten_removes_filler_and_keeps_capitals() {
        assert_eq!(tighten("- Responsible for managing 3 teams"), "- Managing 3 teams");
        assert_eq!(tighten("Utilized SQL in order to report"), "Used SQL to report");
        assert_eq!(tighten("irresponsible for nothing"), "irresponsible for nothing");
        assert_eq!(tighten("plain line"), "plain line");
    }

    #[test]
    fn provider_answers_both_kinds_with_usage() {
        let job = analyse(JOB);
        let input = TaskInput {
            kind: TaskKind::Optimize,
            section_type: SectionType::Experience,
            text: "- Python\n",
            job_text: JOB,
            job: &job,
            evidence: &[],
            hits: None,
        };
        let c = LocalProvider.complete("local", &input).expect("local never fails");
        assert!(matches!(c.output, TaskOutput::Optimization(ref t) if t == "- Python\n"));
        assert!(c.usage.input_tokens > 0 && c.usage.output_tokens > 0);
    }
}
