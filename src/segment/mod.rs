//! Resume segmentation: sections (typed by a heading vocabulary, or by their content when a resume
//! has no headings), entries inside them (each job, degree, project) with title, organisation and
//! dates, and complexity metrics per section.
//!
//! Total and lossless: the sections' spans are contiguous and cover the input byte for byte, so
//! nothing a resume says is ever dropped; text that fits no section is typed `other`.

mod begins;
mod classifier;
mod dates;
mod entries;
mod features;
mod headings;
mod lines;

use crate::text::{self, SkillHits, SkillScan};
use features::Features;
use lines::{Line, LineKind};
use serde::{Deserialize, Serialize};
use std::ops::Range;

pub use classifier::{log_softmax, parse as parse_weights, to_tsv as weights_tsv, Decoded, Model, Row, Streams, Weights, K};
pub use dates::find_dates;
pub use features::{name as feature_name, Active, COUNT as FEATURES};

/// What a section is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionType {
    Contact,
    Summary,
    Experience,
    Education,
    Skills,
    Projects,
    Certifications,
    Awards,
    Publications,
    Volunteering,
    Languages,
    Interests,
    References,
    Additional,
    Other,
}

impl SectionType {
    pub const ALL: [SectionType; 15] = [
        SectionType::Contact,
        SectionType::Summary,
        SectionType::Experience,
        SectionType::Education,
        SectionType::Skills,
        SectionType::Projects,
        SectionType::Certifications,
        SectionType::Awards,
        SectionType::Publications,
        SectionType::Volunteering,
        SectionType::Languages,
        SectionType::Interests,
        SectionType::References,
        SectionType::Additional,
        SectionType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SectionType::Contact => "contact",
            SectionType::Summary => "summary",
            SectionType::Experience => "experience",
            SectionType::Education => "education",
            SectionType::Skills => "skills",
            SectionType::Projects => "projects",
            SectionType::Certifications => "certifications",
            SectionType::Awards => "awards",
            SectionType::Publications => "publications",
            SectionType::Volunteering => "volunteering",
            SectionType::Languages => "languages",
            SectionType::Interests => "interests",
            SectionType::References => "references",
            SectionType::Additional => "additional",
            SectionType::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<SectionType> {
        SectionType::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// Sections made of entries (each job, degree, project, ...).
    pub fn has_entries(self) -> bool {
        matches!(
            self,
            SectionType::Experience
                | SectionType::Education
                | SectionType::Projects
                | SectionType::Certifications
                | SectionType::Volunteering
                | SectionType::Awards
                | SectionType::Publications
        )
    }
}

/// Size and density of a section's body.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub lines: u32,
    pub words: u32,
    pub bullets: u32,
    pub entries: u32,
    pub distinct_skills: u32,
    pub numbers: u32,
}

impl Metrics {
    /// 0..=1, how hard the section is to tailor: a weighted sum of saturating terms — words
    /// (35%, full at 400), bullets (20%, at 12), entries (20%, at 5), distinct skills (15%, at
    /// 15) and numbers (10%, at 20). Long, dense sections with many facts to keep are harder.
    pub fn complexity(&self) -> f32 {
        let sat = |v: u32, full: f32| (v as f32 / full).min(1.0);
        0.35 * sat(self.words, 400.0) + 0.2 * sat(self.bullets, 12.0) + 0.2 * sat(self.entries, 5.0) + 0.15 * sat(self.distinct_skills, 15.0) + 0.1 * sat(self.numbers, 20.0)
    }

    /// The metrics of a body (its `body` lines, already typed: blank, bullet, with their
    /// `tokens`) and the `skills` it names; bodies are read in order, `next_digits` the
    /// cursor of `Tokens::with_digits_in_lines`.
    fn of(tokens: &Tokens, lines: &[Line], body: Range<usize>, entries: usize, skills: &[usize], next_digits: &mut usize) -> Metrics {
        let mut m = Metrics { entries: entries as u32, ..Metrics::default() };
        for line in lines[body.clone()].iter().filter(|l| l.kind != LineKind::Blank) {
            m.lines += 1;
            m.bullets += u32::from(line.bullet);
        }
        m.words = tokens.count_in_lines(body.clone()) as u32;
        m.numbers = tokens.with_digits_in_lines(body, next_digits) as u32;
        m.distinct_skills = skills.len() as u32;
        m
    }
}

/// A subsection: one job, degree, project, certification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// Byte range in the resume, whole lines, inside the section's body.
    pub span: Range<usize>,
    pub title: Option<String>,
    pub organisation: Option<String>,
    pub dates: Option<String>,
    pub bullets: u32,
}

/// A section of a resume.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    pub kind: SectionType,
    /// The heading line as written, trimmed; None when the section has no heading.
    pub heading: Option<String>,
    /// Byte range of the whole section, heading included, whole lines.
    pub span: Range<usize>,
    /// Byte range after the heading line(s) (the whole span when there is no heading).
    pub body: Range<usize>,
    /// 0-based index of the section's first line, and its number of lines.
    pub first_line: usize,
    pub line_count: usize,
    pub entries: Vec<Entry>,
    pub metrics: Metrics,
    /// Skills the section names (indices into `text::SKILL_TERMS`), in order of first mention.
    pub skills: Vec<usize>,
}

/// A segmented resume.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Segmentation {
    pub sections: Vec<Section>,
}

impl Segmentation {
    /// Every skill the resume names, sorted (its evidence: what tailoring may surface).
    pub fn skills(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.sections.iter().flat_map(|s| s.skills.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Where a section starts and how it is typed, before spans are computed.
struct Start {
    line: usize,
    kind: SectionType,
    /// Lines of heading (heading text plus decoration), 0 for none.
    heading_lines: usize,
}

/// The word tokens of a resume (`text::words`), counted by line, and where they can name a skill, read once for
/// the whole text and shared by content typing and the sections' metrics (a token never spans a
/// line break).
struct Tokens {
    /// Per line, the index of its first token; then the number of tokens.
    line_first: Vec<usize>,
    skills: SkillHits,
    /// The tokens that hold an ASCII digit (`text::has_digit`), ascending.
    with_digits: Vec<u32>,
}

impl Tokens {
    fn of(text: &str, lines: &[Line]) -> Tokens {
        // One pass over the text (`text::each_token`), 64 bytes at a time, with the tokens started
        // before each chunk (`before`): a line's first token is that count plus the starts
        // in its chunk below it, with no walk over the tokens. A digit is a word byte, so it is in
        // the token of the last start at or before it, and the token's other digits in the chunk
        // (below the next start) are passed over; most tokens hold none and are not tested. Each
        // token is looked up for skills as it is handed over (by its bytes when it is ASCII: no
        // test of its ends for character boundaries), with no list of tokens made.
        // About six bytes a token.
        let mut scan = SkillScan::new(text.len() / 6);
        let mut line_first = Vec::with_capacity(lines.len() + 1);
        // Room for one token in eight holding a digit (six bytes a token): no growing.
        let mut with_digits = Vec::with_capacity(text.len() / 48 + 1);
        let mut line = 0;
        let count = text::each_token(
            text,
            |c, before, starts, mut digits| {
                while let Some(l) = lines.get(line).filter(|l| l.start < c * 64 + 64) {
                    line_first.push(before + (starts & ((1u64 << (l.start & 63)) - 1)).count_ones() as usize);
                    line += 1;
                }
                while digits != 0 {
                    let upto = u64::MAX >> (63 - digits.trailing_zeros());
                    let k = (before + (starts & upto).count_ones() as usize - 1) as u32;
                    if with_digits.last() != Some(&k) {
                        with_digits.push(k);
                    }
                    // The token ends before the next start above the digit (none: its digits go
                    // on to the chunk's end).
                    let next = starts & !upto;
                    digits &= !(next & next.wrapping_neg()).wrapping_sub(1);
                }
            },
            #[inline(always)]
            |i, start, end, ascii| if ascii { scan.push_ascii(i, &text.as_bytes()[start..end]) } else { scan.push(i, &text[start..end]) },
        );
        line_first.resize(lines.len(), count);
        line_first.push(count);
        Tokens { line_first, skills: scan.finish(), with_digits }
    }

    /// The number of tokens of a range of lines.
    fn count_in_lines(&self, lines: Range<usize>) -> usize {
        self.line_first[lines.end] - self.line_first[lines.start]
    }

    /// The number of tokens of a range of lines that hold an ASCII digit, for ranges read in
    /// order, `next` the first such token past the range before (`text::sorted_in_range`).
    fn with_digits_in_lines(&self, lines: Range<usize>, next: &mut usize) -> usize {
        text::sorted_in_range(&self.with_digits, |&t| t as usize, self.line_first[lines.start]..self.line_first[lines.end], next).len()
    }

    /// The skills a range of lines names (`text::skills_in` of their tokens), for ranges read in
    /// order, `next` the first skill hit past the range before (`SkillHits::in_range_after`).
    fn skills_of_lines(&self, lines: Range<usize>, next: &mut usize) -> Vec<usize> {
        self.skills.in_range_after(self.line_first[lines.start]..self.line_first[lines.end], next)
    }

    /// The number of skills a range of lines names (`skills_of_lines`, with no list made).
    fn skill_count_of_lines(&self, lines: Range<usize>) -> usize {
        self.skills.count_in_range(self.line_first[lines.start]..self.line_first[lines.end])
    }
}

/// How sections are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The heading vocabulary with its guards, and content rules for text without headings.
    Rules,
    /// The trained line classifier alone.
    Classifier,
    /// Rules for clear headings, the classifier for the rest (what `segment` uses).
    Combined,
}

/// Splits a resume into sections, entries and metrics. Deterministic, never panics, and the
/// sections' spans concatenate to the input exactly.
pub fn segment(text: &str) -> Segmentation {
    segment_with(text, Method::Combined)
}

/// `segment` by a chosen method (the evaluation compares them).
pub fn segment_with(text: &str, method: Method) -> Segmentation {
    let lines = lines::analyse(text);
    if lines.is_empty() {
        return Segmentation::default();
    }
    let tokens = Tokens::of(text, &lines);
    match method {
        Method::Rules => build(&lines, &tokens, &rule_starts(&lines, &tokens), None),
        Method::Classifier => classified(&lines, &tokens, None, &classifier::weights().alone),
        Method::Combined => {
            let view = rule_view(&lines, &rule_starts(&lines, &tokens));
            classified(&lines, &tokens, Some(&view), &classifier::weights().combined)
        }
    }
}

/// The classifier's features of every line of a text (None for blank lines), with the rules'
/// opinion when `with_rules` (the combined model's features), and with each line's context taken
/// from its own stream when `streams` gives every line's (interleaved text). For training.
pub fn line_features(text: &str, with_rules: bool, streams: Option<&[u8]>) -> Vec<Option<Active>> {
    let lines = lines::analyse(text);
    let view = (with_rules && !lines.is_empty()).then(|| rule_view(&lines, &rule_starts(&lines, &Tokens::of(text, &lines))));
    features::extract_in_streams(&lines, &features::own_features(&lines), view.as_deref(), streams, None)
}

/// Section starts by the rules: headings, then the preamble or (no headings) content typing.
fn rule_starts(lines: &[Line], tokens: &Tokens) -> Vec<Start> {
    let mut starts = heading_starts(lines);
    if starts.is_empty() {
        starts = lines::content_starts(lines, |r| tokens.skill_count_of_lines(r));
    } else {
        let preamble = lines::preamble_starts(&lines[..starts[0].line]);
        starts.splice(0..0, preamble);
    }
    if starts.first().is_none_or(|s| s.line != 0) {
        starts.insert(0, Start { line: 0, kind: SectionType::Other, heading_lines: 0 });
    }
    starts
}

/// What the rules say of each line: its section type, whether it is heading, whether it begins
/// an entry.
fn rule_view(lines: &[Line], starts: &[Start]) -> Vec<features::RuleView> {
    let mut view = vec![features::RuleView { kind: SectionType::Other, heading: false, begin: false }; lines.len()];
    // The entry starts of a section, in one room for all.
    let mut begins = Vec::new();
    for (k, s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(lines.len(), |n| n.line).max(s.line);
        let body = (s.line + s.heading_lines).min(end);
        for (i, v) in view.iter_mut().enumerate().take(end).skip(s.line) {
            *v = features::RuleView { kind: s.kind, heading: i < body, begin: false };
        }
        if s.kind.has_entries() {
            entries::starts_into(&lines[body..end], s.kind, &mut begins);
            for &b in &begins {
                view[body + b].begin = true;
            }
        }
    }
    view
}

/// Sections from the classifier: the decoded type of every line, runs of one type forming a
/// section; a run that opens on a vocabulary heading has it as its heading; entry starts where
/// the entry-start model says so.
fn classified(lines: &[Line], tokens: &Tokens, rules: Option<&[features::RuleView]>, model: &Model) -> Segmentation {
    // Each line's own features, extended in place (no copy of them): a later reading in other
    // contexts, and the entry-start rules' look at what a line names, take the own ones among them.
    let mut feats = features::own_features(lines);
    features::extend_in_streams(lines, &mut feats, rules, None, None);
    // Each non-blank line's emission row, whose begin lane the entry-start model goes on from.
    let (mut decoded, mut rows) = model.decode_with_rows(&feats);
    if !decoded.streams.is_empty() {
        // Interleaved: read again with each line's neighbours and last heading taken from a
        // stream, as the classifier was trained on interleaved text: from either (a line may take
        // the section either context supports), then, for entry starts, from the context that
        // gave the line its type.
        let in_stream = |s: u8| features::extract_in_streams(lines, &feats, rules, Some(&decoded.streams), Some(s));
        let contexts = [in_stream(0), in_stream(1)];
        let chosen;
        (decoded, chosen) = model.decode_streams(&contexts, &feats);
        feats = (0..lines.len()).map(|i| contexts[usize::from(chosen[i])][i].unwrap_or_default()).collect();
        // The rows were of the features read as one stream: the entry-start model sums afresh.
        rows.clear();
    }
    let kinds = &decoded.kinds;
    // Room for the sections most resumes have: no growing.
    let mut starts: Vec<Start> = Vec::with_capacity(16);
    for (i, &kind) in kinds.iter().enumerate() {
        if starts.last().is_none_or(|s| s.kind != kind) {
            starts.push(Start { line: i, kind, heading_lines: heading_lines(lines, i) });
        }
    }
    // An entry-start is judged with whether the line is the first body line of its section. In
    // interleaved text that is the first body line of the section in the line's own stream: a
    // section resumed after lines of the other stream goes on (usually the same entry).
    let stream = |i: usize| decoded.streams.get(i).map_or(0, |&s| usize::from(s));
    let mut begins = vec![false; lines.len()];
    let mut streams = [begins::Stream::default(); 2];
    // The non-blank lines' rows, in order (the sections' lines are every line, in order).
    let mut rows = rows.iter();
    for (k, s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(lines.len(), |n| n.line);
        let body = (s.line + s.heading_lines).min(end);
        for i in s.line..end {
            let Some(a) = feats[i].active() else { continue };
            let row = rows.next();
            let st = stream(i);
            let before = streams[st].enter(i, k, s.kind, i < body);
            if i < body || !s.kind.has_entries() || lines[i].kind == LineKind::Rule {
                continue;
            }
            let (first_line, after_turn) = streams[st].place();
            let line = begins::Judged {
                line: &lines[i],
                prev: before.map(|p| &lines[p]),
                // The next non-blank line in its stream: found for the lines judged only, by a walk
                // that ends there (the walks of a stream's lines pass over each line once).
                next: (i + 1..lines.len()).find(|&n| feats[n].active().is_some() && stream(n) == st).map(|n| &lines[n]),
                score: || model.begin_score_from(row, a, s.kind, first_line),
                own: a,
                first_line,
                after_turn,
                rules: rules.is_some_and(|r| r[i].begin),
            };
            begins[i] = streams[st].reader.judge(&line, s.kind);
        }
    }
    build(lines, tokens, &starts, Some(&begins))
}

/// Lines of heading at line `i`: a vocabulary heading with the rules under it (and a rule just
/// above it), or 0.
fn heading_lines(lines: &[Line], i: usize) -> usize {
    let above = usize::from(lines[i].kind == LineKind::Rule);
    if !matches!(lines.get(i + above).map(|l| l.kind), Some(LineKind::Heading(_))) {
        return 0;
    }
    let mut n = above + 1;
    while lines.get(i + n).is_some_and(|l| l.kind == LineKind::Rule) {
        n += 1;
    }
    n
}

/// Sections opened by headings; a heading of the type just before (a page-break repeat, or
/// "(continued)") merges into it.
fn heading_starts(lines: &[Line]) -> Vec<Start> {
    let mut starts: Vec<Start> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let LineKind::Heading(kind) = lines[i].kind {
            let mut n = 1;
            while lines.get(i + n).is_some_and(|l| l.kind == LineKind::Rule) {
                n += 1;
            }
            // A rule just above the heading belongs to it ("=====\nSKILLS\n=====").
            let above = usize::from(i > 0 && lines[i - 1].kind == LineKind::Rule && starts.last().is_none_or(|s| s.line + s.heading_lines < i - 1));
            if starts.last().is_some_and(|s| s.kind == kind) {
                i += n;
                continue;
            }
            starts.push(Start { line: i - above, kind, heading_lines: n + above });
            i += n;
        } else {
            i += 1;
        }
    }
    starts
}

/// Bytes `build` has room for in its copy of a dated entry header from the start (most header
/// lines are shorter).
const CUT_ROOM: usize = 160;

/// Sections (with entries and metrics) from their starts; entries where `begins` marks them,
/// else by the rules.
fn build(lines: &[Line], tokens: &Tokens, starts: &[Start], begins: Option<&[bool]>) -> Segmentation {
    let mut sections = Vec::with_capacity(starts.len());
    // Rooms kept from section to section: a section's entry starts, and the copy of a dated
    // entry header that its dates are cut out of (`entries::from_starts`); where the walks of
    // the tokens' skill hits and digits are (the sections come in order). Room from the start
    // for every line and a long header line: no growing.
    let (mut local, mut cut) = (Vec::with_capacity(lines.len()), String::with_capacity(CUT_ROOM));
    let (mut next_hit, mut next_digits) = (0, 0);
    for (k, s) in starts.iter().enumerate() {
        let end_line = starts.get(k + 1).map_or(lines.len(), |n| n.line);
        if end_line <= s.line {
            continue;
        }
        let span = lines[s.line].start..lines[end_line - 1].end;
        let body_line = (s.line + s.heading_lines).min(end_line);
        let body_start = if body_line < end_line { lines[body_line].start } else { span.end };
        let body = body_start..span.end;
        let heading = (s.heading_lines > 0)
            .then(|| lines[s.line..s.line + s.heading_lines].iter().find(|l| l.kind != LineKind::Rule).map(|l| l.text.trim().to_string()))
            .flatten();
        let body_lines = &lines[body_line..end_line];
        let entries = match begins {
            _ if !s.kind.has_entries() => Vec::new(),
            Some(b) => {
                local.clear();
                local.extend((body_line..end_line).filter(|&i| b[i]).map(|i| i - body_line));
                entries::from_starts(body_lines, &local, s.kind, &mut cut)
            }
            None => entries::find(body_lines, s.kind, &mut cut),
        };
        let skills = tokens.skills_of_lines(body_line..end_line, &mut next_hit);
        let metrics = Metrics::of(tokens, lines, body_line..end_line, entries.len(), &skills, &mut next_digits);
        sections.push(Section { kind: s.kind, heading, span, body, first_line: s.line, line_count: end_line - s.line, entries, metrics, skills });
    }
    Segmentation { sections }
}

#[cfg(test)]
mod tests;
