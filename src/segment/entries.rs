//! Entries inside a section: each job, degree, project or certification, found by its header
//! lines (a date, or a degree or school, on the line or the next, after a blank or a bullet) and
//! read for title, organisation and dates.

use super::lines::{Line, LineKind};
use super::{Entry, SectionType};
use crate::text::bullet_marker_len;

const TITLE_WORDS: &[&str] = &[
    "engineer", "developer", "manager", "analyst", "designer", "director", "intern", "lead", "scientist", "consultant", "president",
    "ceo", "cto", "cfo", "officer", "specialist", "architect", "administrator", "coordinator", "associate", "programmer", "head",
    "founder", "co-founder", "owner", "researcher", "assistant", "teacher", "volunteer", "advisor", "strategist", "writer", "editor",
    "principal", "staff", "senior", "junior", "technician", "representative", "contractor", "freelance", "fellow", "chair", "member",
];
const DEGREE_WORDS: &[&str] = &["bachelor", "master", "b.s", "b.a", "m.s", "m.a", "phd", "ph.d", "mba", "degree", "diploma", "associate", "bsc", "msc", "certificate"];
const SCHOOL_WORDS: &[&str] = &["university", "college", "institute", "school", "academy", "polytechnic"];

use crate::text::NeedleSet;
use std::sync::OnceLock;

/// The word lists as needle sets, built once.
struct Cues {
    title: NeedleSet,
    degree: NeedleSet,
    school: NeedleSet,
    degree_or_school: NeedleSet,
}

fn cues() -> &'static Cues {
    static CUES: OnceLock<Cues> = OnceLock::new();
    CUES.get_or_init(|| Cues {
        title: NeedleSet::new(TITLE_WORDS),
        degree: NeedleSet::new(DEGREE_WORDS),
        school: NeedleSet::new(SCHOOL_WORDS),
        degree_or_school: NeedleSet::new(&[DEGREE_WORDS, SCHOOL_WORDS].concat()),
    })
}

/// A line that can head an entry: text, not a bullet, short, not a sentence.
fn header_like(l: &Line) -> bool {
    l.kind == LineKind::Text && !l.bullet && l.words <= 16 && !l.text.trim_end().ends_with('.') && !l.text.starts_with([' ', '\t'])
}

/// Entries of a section body (`lines`), as byte spans with their fields.
pub fn find(lines: &[Line], kind: SectionType) -> Vec<Entry> {
    from_starts(lines, &starts(lines, kind), kind)
}

/// The lines of a section body (`lines`) that begin an entry, by the rules.
pub fn starts(lines: &[Line], kind: SectionType) -> Vec<usize> {
    let education = kind == SectionType::Education;
    let mut starts: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        let after_break = i == 0 || matches!(lines[i - 1].kind, LineKind::Blank | LineKind::Rule) || lines[i - 1].bullet || starts.is_empty();
        let markdown = l.text.trim_start().starts_with("###");
        let next = lines.get(i + 1).filter(|n| header_like(n));
        let is_range = |r: &std::ops::Range<usize>| {
            let d = &l.text[r.clone()];
            d.chars().any(|c| matches!(c, '-' | '–' | '—')) || d.contains(" to ")
        };
        let dated_here = l.dates.as_ref().is_some_and(|r| is_range(r) || l.words <= 10);
        let dated_next = next.is_some_and(|n| n.has_date()) && l.words <= 12;
        // The degree and school search last, only where it decides.
        let schooled = || education && cues().degree_or_school.found_in(l.text);
        let starts_here = header_like(l) && (markdown || (after_break && (dated_here || dated_next || schooled())));
        if starts_here {
            starts.push(i);
            // The line that gave this header its date is part of the header, not a new entry.
            i += if !dated_here && dated_next { 2 } else { 1 };
        } else {
            i += 1;
        }
    }
    starts
}

/// Entries of a section body (`lines`) that begin at the given lines (ascending).
pub fn from_starts(lines: &[Line], starts: &[usize], kind: SectionType) -> Vec<Entry> {
    let education = kind == SectionType::Education;
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let e = starts.get(k + 1).copied().unwrap_or(lines.len());
            let span = lines[s].start..lines[e - 1].end;
            let header: Vec<&Line> = lines[s..e].iter().take_while(|l| header_like(l)).take(2).collect();
            let (title, organisation, dates) = fields(&header, education);
            let bullets = lines[s..e].iter().filter(|l| l.bullet).count() as u32;
            Entry { span, title, organisation, dates, bullets }
        })
        .collect()
}

/// Title, organisation and dates from an entry's header lines. The parts are slices of the lines
/// (of one copy, for the line whose dates are cut out): only the fields kept are allocated.
fn fields(header: &[&Line], education: bool) -> (Option<String>, Option<String>, Option<String>) {
    // The first line with a date gives the dates, replaced by a separator in its text.
    let dated = header.iter().position(|l| l.dates.is_some());
    let mut dates = None;
    let mut cut = String::new();
    if let Some((line, r)) = dated.and_then(|k| header[k].dates.clone().map(|r| (header[k], r))) {
        dates = Some(line.text[r.clone()].trim().to_string());
        cut.push_str(line.text);
        cut.replace_range(r, " | ");
    }
    let mut clean: Vec<&str> = Vec::new();
    for (k, line) in header.iter().enumerate() {
        split_parts(if Some(k) == dated { &cut } else { line.text }, &mut clean);
    }
    clean.retain(|p| !looks_like_location(p));
    let c = cues();
    let (key_words, other_words) = if education { (&c.degree, Some(&c.school)) } else { (&c.title, None) };
    let title_pos = clean.iter().position(|p| key_words.found_in(p));
    let org_pos = other_words.and_then(|o| clean.iter().position(|p| o.found_in(p)));
    let title = title_pos.or(if clean.is_empty() { None } else { Some(0) });
    let org = org_pos.filter(|&o| Some(o) != title).or_else(|| (0..clean.len()).find(|&i| Some(i) != title));
    (title.map(|i| clean[i].to_string()), org.map(|i| clean[i].to_string()), dates)
}

/// The separators resumes use between title, organisation and place.
const SEPARATORS: [&str; 8] = [" | ", " at ", " — ", " – ", " · ", " - ", ", ", "    "];

/// Splits a header on the separators, in one pass: at each step the nearest separator cuts. The
/// parts (trimmed, not empty) are appended to `parts`.
fn split_parts<'t>(line: &'t str, parts: &mut Vec<&'t str>) {
    let t = line.trim().trim_start_matches('#').trim();
    let mut rest = &t[bullet_marker_len(t).unwrap_or(0)..];
    loop {
        let cut = nearest_separator(rest);
        let (part, next) = match cut {
            Some((at, len)) => (&rest[..at], Some(&rest[at + len..])),
            None => (rest, None),
        };
        let part = part.trim().trim_matches(['*', '_', '(', ')', '|', ',']).trim();
        if !part.is_empty() {
            parts.push(part);
        }
        match next {
            Some(n) => rest = n,
            None => return,
        }
    }
}

/// The first separator in `line` (its byte offset and length). No two separators begin at the
/// same byte, so this is the nearest of them: one pass instead of a search per separator.
fn nearest_separator(line: &str) -> Option<(usize, usize)> {
    let b = line.as_bytes();
    (0..b.len()).filter(|&i| b[i] == b' ' || b[i] == b',').find_map(|at| SEPARATORS.iter().find(|sep| b[at..].starts_with(sep.as_bytes())).map(|sep| (at, sep.len())))
}

/// "Austin, TX" and "Remote" are places, not employers.
fn looks_like_location(part: &str) -> bool {
    let p = part.trim();
    let upper2 = p.len() == 2 && p.chars().all(|c| c.is_ascii_uppercase());
    upper2 || ["remote", "hybrid", "on-site", "onsite"].iter().any(|w| p.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_separator_is_the_minimum_over_separators() {
        for line in ["", "Engineer at Acme — Austin, TX", "a - b | c", "x    y, z", "Acme · Remote", "no separator", "at the start", " at ", ",", "é – ü"] {
            let want = SEPARATORS.iter().filter_map(|sep| line.find(sep).map(|at| (at, sep.len()))).min();
            assert_eq!(nearest_separator(line), want, "{line}");
        }
    }
}
