//! Per-line features and the rules that type the text before the first heading (and whole
//! resumes that have no headings at all) by what their lines look like.

use super::dates::find_dates;
use super::headings::{head_noun_type, heading_type, is_entry_label, is_rule, normalise};
use super::{SectionType, Start};
use crate::text::{self, bullet_marker_len, skills_in};

/// What a line is, for sectioning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    /// Decoration only (`-----`).
    Rule,
    Heading(SectionType),
    Text,
}

/// A line of the resume with its byte range (including its line end) and features.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    pub start: usize,
    pub end: usize,
    /// Without the line end.
    pub text: &'a str,
    pub kind: LineKind,
    pub bullet: bool,
    /// Byte range of the line's date expression, if any (see `dates::find_dates`).
    pub dates: Option<std::ops::Range<usize>>,
    /// Whitespace-separated words.
    pub words: usize,
    /// What the heading vocabulary makes of the line whatever the guards say: a section type, an
    /// entry label ("Responsibilities:"), or nothing. Computed once, read by the classifier.
    pub vocabulary: Vocabulary,
}

/// The heading vocabulary's reading of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    None,
    Heading(SectionType),
    EntryLabel,
}

impl Line<'_> {
    pub fn has_date(&self) -> bool {
        self.dates.is_some()
    }

    /// Whether its date is a range ("2019 – 2021", "Jan 2020 to Present"): a dash or " to " in it.
    pub fn has_date_range(&self) -> bool {
        self.dates.as_ref().is_some_and(|r| {
            let d = &self.text[r.clone()];
            d.contains(['-', '–', '—']) || d.contains(" to ")
        })
    }
}

/// Splits text into lines and types each one.
pub fn analyse(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let content = text[pos..end].trim_end_matches(['\n', '\r']);
        let trimmed = content.trim();
        let bullet = bullet_marker_len(content).is_some();
        let vocabulary = if bullet || trimmed.is_empty() || !normalise(trimmed, &mut buf) {
            Vocabulary::None
        } else if is_entry_label(&buf) {
            Vocabulary::EntryLabel
        } else {
            heading_type(&buf).or_else(|| head_noun_type(trimmed, &buf)).map_or(Vocabulary::None, Vocabulary::Heading)
        };
        let kind = match vocabulary {
            _ if trimmed.is_empty() => LineKind::Blank,
            _ if is_rule(trimmed) => LineKind::Rule,
            Vocabulary::Heading(k) => LineKind::Heading(k),
            _ => LineKind::Text,
        };
        out.push(Line { start: pos, end, text: content, kind, bullet, dates: find_dates(content), words: text::count_words(content), vocabulary });
        pos = end;
    }
    out
}

/// What marks contact details anywhere in a line (ignoring ASCII case), and at its start.
const CONTACT_MARKS: &[&str] = &["@", "http", "www.", "linkedin", "github"];
const CONTACT_LABELS: &[&str] = &["phone", "email", "location", "address"];

/// A line of contact details: an address, a web link, a label, or a phone number. One pass of a
/// case-insensitive matcher, without a lower-cased copy of the line.
fn is_contact_line(line: &str) -> bool {
    static MARKS: std::sync::OnceLock<text::NeedleSet> = std::sync::OnceLock::new();
    let b = line.as_bytes();
    CONTACT_LABELS.iter().any(|p| b.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p.as_bytes())))
        || MARKS.get_or_init(|| text::NeedleSet::new(CONTACT_MARKS)).found_in(line)
        || (b.iter().filter(|c| c.is_ascii_digit()).count() >= 7 && text::count_words(line) <= 6)
}

/// Blocks of non-blank lines: (first line, end line exclusive, trailing blanks included).
fn blocks(lines: &[Line]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        while i < lines.len() && lines[i].kind == LineKind::Blank {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let s = i;
        while i < lines.len() && lines[i].kind != LineKind::Blank {
            i += 1;
        }
        while i < lines.len() && lines[i].kind == LineKind::Blank {
            i += 1;
        }
        out.push((s, i));
    }
    if let Some(first) = out.first_mut() {
        first.0 = 0;
    }
    out
}

/// A paragraph that reads like a profile: long lines of prose (not contact lines), ending a
/// sentence somewhere.
fn is_prose(lines: &[Line]) -> bool {
    let w: usize = lines.iter().map(|l| l.words).sum();
    let long = lines.iter().filter(|l| l.words >= 8 && !l.bullet && !is_contact_line(l.text)).count();
    let sentence = lines.iter().any(|l| l.text.contains(". ") || l.text.trim_end().ends_with(['.', '!', '?']));
    w >= 12 && sentence && long * 2 >= lines.iter().filter(|l| l.kind != LineKind::Blank).count()
}

/// The top block (name, title, contact lines) unless it is prose, or any block of contact lines.
fn is_contact_block(index: usize, block: &[Line]) -> bool {
    (index == 0 && !is_prose(block)) || block.iter().all(|l| l.kind == LineKind::Blank || is_contact_line(l.text))
}

/// Section starts from typing each block; consecutive blocks of one type form one section.
fn starts_by_block(lines: &[Line], mut kind_of: impl FnMut(usize, &[Line], &[Start]) -> SectionType) -> Vec<Start> {
    let mut starts: Vec<Start> = Vec::new();
    for (k, (s, e)) in blocks(lines).into_iter().enumerate() {
        let kind = kind_of(k, &lines[s..e], &starts);
        if starts.last().is_none_or(|p| p.kind != kind) {
            starts.push(Start { line: s, kind, heading_lines: 0 });
        }
    }
    starts
}

/// Types the lines before the first heading: the top block is contact details; a prose block is
/// the summary; contact-like blocks join the contact section; anything else is `other`.
pub fn preamble_starts(lines: &[Line]) -> Vec<Start> {
    starts_by_block(lines, |k, block, _| {
        if is_contact_block(k, block) {
            SectionType::Contact
        } else if is_prose(block) {
            SectionType::Summary
        } else {
            SectionType::Other
        }
    })
}

const DEGREE_WORDS: &[&str] = &["bachelor", "master", "b.s.", "b.a.", "m.s.", "m.a.", "phd", "ph.d.", "mba", "university", "college", "degree", "diploma", "school", "institute", "bsc", "msc"];

/// Whether a text names a degree or a school. No word contains a line break, so a block's text
/// can be searched at once, in one pass, instead of line by line.
fn mentions_degree(line: &str) -> bool {
    static SET: std::sync::OnceLock<text::NeedleSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| text::NeedleSet::new(DEGREE_WORDS)).found_in(line)
}

const CERT_WORDS: &[&str] = &[
    "certified", "certification", "certificate", "license", "licence", "cpr", "first aid", "osha", "registry", "bls", "acls", "servsafe",
    "food handler", "twic", "aws d1", "asme", "cdl", "nremt",
];

fn mentions_cert(line: &str) -> bool {
    static SET: std::sync::OnceLock<text::NeedleSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| text::NeedleSet::new(CERT_WORDS)).found_in(line)
}

/// A block of certifications and licences: at least half its lines name one, and more of them
/// than name a degree or school ("Tennessee CNA certificate program, ... community college" is
/// schooling).
fn is_cert_block(block: &[Line]) -> bool {
    let certs = block.iter().filter(|l| mentions_cert(l.text)).count();
    if certs == 0 {
        return false;
    }
    let text_lines = block.iter().filter(|l| l.kind != LineKind::Blank).count();
    let degrees = block.iter().filter(|l| mentions_degree(l.text)).count();
    certs * 2 >= text_lines && certs > degrees && !is_prose(block)
}

/// A block listing things: every line has three or more items (split by `·`, `•`, `|` or
/// commas), no date, and no sentence ("vital signs · hoyer lift · catheter care · ...").
fn is_list_block(block: &[Line]) -> bool {
    let items = |t: &str| t.matches([',', '·', '•', '|', ';']).count() + 1;
    !is_prose(block) && block.iter().filter(|l| l.kind != LineKind::Blank).all(|l| items(l.text) >= 3 && !l.has_date() && !l.text.contains(". ") && !l.text.trim_end().ends_with('.'))
}

/// Sections for a resume without headings, from what its blocks contain: dated blocks with a
/// degree are education, other dated blocks experience, lists of known skills skills, prose the
/// summary; the top block is the contact details.
pub fn content_starts(lines: &[Line], text: &str) -> Vec<Start> {
    starts_by_block(lines, |k, block, starts| {
        let dated = block.iter().any(|l| l.has_date() && !l.bullet && l.words <= 16);
        let words: usize = block.iter().map(|l| l.words).sum();
        // A list of skills: at least three known skills, and few other words around them.
        let listy = || {
            let span = &text[block[0].start..block[block.len() - 1].end];
            let skills = skills_in(span).len();
            skills >= 3 && words <= skills * 6
        };
        if is_contact_block(k, block) {
            SectionType::Contact
        } else if is_cert_block(block) {
            SectionType::Certifications
        } else if dated && mentions_degree(&text[block[0].start..block[block.len() - 1].end]) {
            SectionType::Education
        } else if dated {
            SectionType::Experience
        } else if words <= 120 && (listy() || is_list_block(block)) {
            SectionType::Skills
        } else if is_prose(block) && starts.iter().all(|p| p.kind != SectionType::Experience) {
            SectionType::Summary
        } else {
            SectionType::Other
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn degree_words_stay_within_a_line() {
        assert!(super::DEGREE_WORDS.iter().all(|w| !w.contains(['\n', '\r'])));
    }
}
