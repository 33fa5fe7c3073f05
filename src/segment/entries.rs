//! Entries inside a section: each job, degree, project or certification, found by its header
//! lines (a date, or a degree or school, on the line or the next, after a blank or a bullet) and
//! read for title, organisation and dates.

use super::lines::{Line, LineKind, ENTRY_COURSE, ENTRY_DEGREE, ENTRY_SCHOOL, ENTRY_TITLE};
use super::{Entry, SectionType};
use crate::text::{self, bullet_marker_len};

pub(super) const TITLE_WORDS: &[&str] = &[
    "engineer", "developer", "manager", "analyst", "designer", "director", "intern", "lead", "scientist", "consultant", "president",
    "ceo", "cto", "cfo", "officer", "specialist", "architect", "administrator", "coordinator", "associate", "programmer", "head",
    "founder", "co-founder", "owner", "researcher", "assistant", "teacher", "volunteer", "advisor", "strategist", "writer", "editor",
    "principal", "staff", "senior", "junior", "technician", "representative", "contractor", "freelance", "fellow", "chair", "member",
    "supervisor", "foreman", "apprentice", "operator", "mechanic", "welder", "plumber", "electrician", "driver", "cook", "chef",
    "nurse", "aide", "physician", "pharmacist", "therapist", "counselor", "clerk", "cashier", "attorney", "paralegal", "agent",
    "sergeant", "instructor", "professor", "lecturer", "tutor", "postdoctoral", "photographer", "superintendent", "inspector",
];
pub(super) const DEGREE_WORDS: &[&str] = &["bachelor", "master", "b.s", "b.a", "m.s", "m.a", "phd", "ph.d", "mba", "degree", "diploma", "associate", "bsc", "msc", "certificate"];
pub(super) const SCHOOL_WORDS: &[&str] = &["university", "college", "institute", "school", "academy", "polytechnic"];
/// Other words that name a course of study in an education section.
pub(super) const COURSE_WORDS: &[&str] = &["course", "program", "training", "residency", "apprenticeship", "bootcamp"];

use crate::text::NeedleSet;
use std::sync::OnceLock;

/// The word lists that split an entry's header into its fields, as needle sets, built once
/// (whole lines are searched once for all lists: `Line::named`).
struct Cues {
    title: NeedleSet,
    degree: NeedleSet,
    school: NeedleSet,
}

fn cues() -> &'static Cues {
    static CUES: OnceLock<Cues> = OnceLock::new();
    CUES.get_or_init(|| Cues {
        title: NeedleSet::new(TITLE_WORDS),
        degree: NeedleSet::new(DEGREE_WORDS),
        school: NeedleSet::new(SCHOOL_WORDS),
    })
}

/// A line that can head an entry: text, not a bullet, short, not a sentence, not indented.
fn header_like(l: &Line) -> bool {
    l.kind == LineKind::Text && !l.bullet && l.words <= 16 && !ends_sentence(l.text) && !indented(l.text)
}

/// Whether a line begins with a space or a tab (ASCII: its first byte tells, with no decoding).
fn indented(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b' ' | b'\t'))
}

/// Abbreviations that end company names and places, not sentences ("Acme Inc.").
const ABBREVIATIONS: &[&str] = &["inc", "ltd", "co", "corp", "llc", "llp", "plc", "jr", "sr", "st", "bros", "dept", "univ", "assn"];
/// The length of the longest of `ABBREVIATIONS` (a test checks).
const ABBREVIATION_LEN: usize = 4;

/// Whether a line ends a sentence: a final period that is not an abbreviation's ("Acme Inc.",
/// "Washington, D.C.").
#[inline]
pub(super) fn ends_sentence(text: &str) -> bool {
    // Most lines end in an ASCII byte that is neither whitespace nor a period: no sentence, told
    // where the line is asked, with no call.
    text.as_bytes().last().is_none_or(|&b| b == b'.' || !text::stops_trim(b)) && ends_in_period(text)
}

/// `ends_sentence` of a line that may end in a period.
fn ends_in_period(text: &str) -> bool {
    // A line that ends in an ASCII byte that is not whitespace is its own trim (`text::trim_end`).
    let Some(body) = text::trim_end(text).strip_suffix('.') else { return false };
    // The last word: after the last space or comma (ASCII, so a byte search, backwards). A period
    // in it ("D.C.") ends no sentence: the search stops there.
    let b = body.as_bytes();
    let mut start = b.len();
    while start > 0 {
        match b[start - 1] {
            b' ' | b',' => break,
            b'.' => return false,
            _ => start -= 1,
        }
    }
    let last = &body[start..];
    // No abbreviation is longer than `ABBREVIATION_LEN`: a longer word is none, unsearched.
    !(last.len() <= ABBREVIATION_LEN && ABBREVIATIONS.iter().any(|a| last.eq_ignore_ascii_case(a)))
}

/// A one-line entry stacked under the previous one without a blank line: it opens with its date
/// and goes on ("2019–2021  Cook, Joe's Diner, Austin").
fn date_first(l: &Line) -> bool {
    let Some(r) = &l.dates else { return false };
    let t = l.text;
    t[..r.start].trim_matches(|c: char| !text::is_alphanumeric(c)).is_empty() && t[r.end..].split_whitespace().filter(|w| w.chars().any(text::is_alphanumeric)).count() >= 2
}

/// A line whose date ends it ("B.S. Biology, with Highest Honors, New Mexico State University, 2007").
fn date_ends(l: &Line, r: &std::ops::Range<usize>) -> bool {
    l.text[r.end..].trim_matches(|c: char| c.is_whitespace() || matches!(c, ')' | '*' | '_' | '|' | ']' | ',')).is_empty()
}

/// A one-line entry right under another ("Receptionist, Kelley Insurance, Broken Arrow, OK
/// (2009 – 2012)" under "Executive Assistant, Harmon Oil & Gas, Tulsa, OK (2012 – 2018)"): the
/// previous line began an entry and ends in its date, this one ends in a date range and names more
/// than a title before it (a role under a company header, "Project Manager (2014 – 2018)", does not).
fn one_liner_after_one_liner(lines: &[Line], i: usize, starts: &[usize]) -> bool {
    let l = &lines[i];
    let (Some(r), Some(&s)) = (&l.dates, starts.last()) else { return false };
    let prev = &lines[s];
    // The separators are searched for last: most dated lines are not right under a start.
    let parts = || [", ", " | ", " — ", " – "].iter().any(|sep| l.text[..r.start].contains(sep));
    s + 1 == i && l.has_date_range() && date_ends(l, r) && prev.has_date() && ends_in_year(prev.text) && parts()
}

/// Whether a line ends in a year or an open end ("... — Fall 2024, Spring 2025", "(2019 – present)").
fn ends_in_year(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | '*' | '_' | '|'));
    let last = t.rsplit([' ', '-', '–', '—', '/', '(']).next().unwrap_or("");
    (last.len() == 4 && last.bytes().all(|b| b.is_ascii_digit())) || ["present", "current", "now"].iter().any(|o| last.eq_ignore_ascii_case(o))
}

/// A dated line right under a dated line that began an entry and names a school: each has its
/// own year, so they are two one-line entries ("B.S. ..., Embry-Riddle Aeronautical University —
/// 2007" then "USAF Undergraduate Pilot Training, Columbus AFB — 2008"), not a school and its degree.
fn same_school_line(prev: &Line, l: &Line) -> bool {
    prev.has_date() && l.has_date() && prev.names(ENTRY_SCHOOL)
}

/// Whether a line names a degree, a school or a course of study.
pub(super) fn names_schooling(l: &Line) -> bool {
    l.names(ENTRY_DEGREE | ENTRY_SCHOOL | ENTRY_COURSE)
}

/// A dated line naming a degree, school or course right under another entry ("B.S.
/// Biochemistry, Marquette University — 2012" after a degree line and its honours line).
fn stacked_degree(l: &Line) -> bool {
    l.has_date() && names_schooling(l)
}

/// A bullet line that is a whole entry, in a section listing its jobs or degrees as bullets
/// ("➢ Worked as Software Engineer in Cognizant, Chennai from Jun 2016 to Jul 2020."): dated with a
/// title, or naming a degree or school, and the section's first line or right after another such.
fn bullet_entry(lines: &[Line], i: usize, starts: &[usize], education: bool) -> bool {
    let l = &lines[i];
    if !l.bullet || l.words > 30 {
        return false;
    }
    let cue = if education { l.names(ENTRY_DEGREE | ENTRY_SCHOOL) } else { l.has_date() && l.names(ENTRY_TITLE) };
    if !cue {
        return false;
    }
    match (0..i).rev().find(|&p| lines[p].kind != LineKind::Blank) {
        None => true,
        Some(p) => starts.last() == Some(&p) && lines[p].bullet,
    }
}

/// Entries of a section body (`lines`), as byte spans with their fields (`cut`: as `from_starts`).
pub fn find(lines: &[Line], kind: SectionType, cut: &mut String) -> Vec<Entry> {
    from_starts(lines, &starts(lines, kind), kind, cut)
}

/// The number of lines whose marks `starts` keeps on the stack.
const MARKS_ON_STACK: usize = 64;

/// The lines of a section body (`lines`) that begin an entry, by the rules.
pub fn starts(lines: &[Line], kind: SectionType) -> Vec<usize> {
    let mut starts = Vec::new();
    starts_into(lines, kind, &mut starts);
    starts
}

/// `starts` into `starts` (cleared first): a caller that reads many sections keeps one room.
pub fn starts_into(lines: &[Line], kind: SectionType, starts: &mut Vec<usize>) {
    let education = kind == SectionType::Education;
    starts.clear();
    // The line after the last entry's header lines: it continues that header.
    let mut header_end = 0;
    // Per line, in one room: whether it can head an entry (each line is asked as itself and as
    // one of the two after a line: answered once), and whether it is in a bullet (bullets and
    // their indented continuation lines: a wrapped bullet ends like a bullet).
    // A section of up to `MARKS_ON_STACK` lines (most) keeps them on the stack, with no allocation.
    let (mut stack, mut heap) = ([(false, false); MARKS_ON_STACK], Vec::new());
    let marks: &mut [(bool, bool)] = if lines.len() <= MARKS_ON_STACK {
        &mut stack[..lines.len()]
    } else {
        heap.resize(lines.len(), (false, false));
        &mut heap
    };
    for (k, l) in lines.iter().enumerate() {
        let in_bullet = l.bullet || (k > 0 && marks[k - 1].1 && l.kind == LineKind::Text && indented(l.text));
        marks[k] = (header_like(l), in_bullet);
    }
    let marks = &*marks;
    let header = |k: usize| marks[k].0;
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        if !header(i) {
            // A line that cannot head an entry starts one only as a whole bullet entry (most
            // lines: bullets and sentences), with none of the header tests below read.
            if bullet_entry(lines, i, starts, education) {
                starts.push(i);
                header_end = i + 1;
            }
            i += 1;
            continue;
        }
        // A heading merged into the section (a second heading of the same type, a page-break repeat) is a break too.
        // Asked of a line that can head an entry only.
        let after_break = || i == 0 || matches!(lines[i - 1].kind, LineKind::Blank | LineKind::Rule | LineKind::Heading(_)) || marks[i - 1].1 || starts.is_empty();
        // Trimmed at both ends by `text::trim` (most lines need no cut): its end cannot change
        // whether it starts with "###".
        let markdown = || text::trim(l.text).starts_with("###");
        let next = lines.get(i + 1).filter(|_| header(i + 1));
        let dated_here = l.dates.as_ref().is_some_and(|r| l.has_date_range() || l.words <= 10 || date_ends(l, r) || ends_in_year(l.text));
        // The date on the next line, or on the one after ("Title" / "Company" / "2019 – 2021"),
        // when this line has none of its own.
        let short = l.words <= 12 && !l.has_date();
        let dated_next = short && next.is_some_and(|n| n.has_date());
        let dated_third = short && !dated_next && next.is_some_and(|n| n.words <= 12) && lines.get(i + 2).is_some_and(|n| header(i + 2) && n.has_date() && n.words <= 12);
        let schooled = || education && l.names(ENTRY_DEGREE | ENTRY_SCHOOL);
        let starts_here = markdown() || (after_break() && (dated_here || dated_next || dated_third || schooled()));
        let stacked = || date_first(l) || one_liner_after_one_liner(lines, i, starts) || (education && i > 0 && stacked_degree(l) && (i != header_end || same_school_line(&lines[i - 1], l)));
        if starts_here || stacked() || bullet_entry(lines, i, starts, education) {
            starts.push(i);
            // The lines that gave this header its date are part of the header, not new entries.
            i += match (starts_here && !dated_here, dated_next, dated_third) {
                (true, true, _) => 2,
                (true, _, true) => 3,
                _ => 1,
            };
            header_end = i;
        } else {
            i += 1;
        }
    }
}

/// Entries of a section body (`lines`) that begin at the given lines (ascending). `cut` is the
/// room a dated header line is copied into to cut its dates out, kept from entry to entry (and
/// by the caller from section to section).
pub fn from_starts(lines: &[Line], starts: &[usize], kind: SectionType, cut: &mut String) -> Vec<Entry> {
    let education = kind == SectionType::Education;
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let e = starts.get(k + 1).copied().unwrap_or(lines.len());
            let span = lines[s].start..lines[e - 1].end;
            let headers = lines[s..e].iter().take_while(|l| header_like(l)).take(2).count();
            let (title, organisation, dates) = fields(&lines[s..s + headers], education, cut);
            let bullets = lines[s..e].iter().filter(|l| l.bullet).count() as u32;
            Entry { span, title, organisation, dates, bullets }
        })
        .collect()
}

/// Title, organisation and dates from an entry's header lines. The parts are slices of the lines
/// (of `cut`, a copy of the line whose dates are cut out), read as they are split, not gathered:
/// only the fields kept are allocated.
fn fields(header: &[Line], education: bool, cut: &mut String) -> (Option<String>, Option<String>, Option<String>) {
    // The first line with a date gives the dates, replaced by a separator in its text.
    let dated = header.iter().position(|l| l.dates.is_some());
    let mut dates = None;
    cut.clear();
    if let Some((line, r)) = dated.and_then(|k| header[k].dates.clone().map(|r| (&header[k], r))) {
        dates = Some(text::trim(&line.text[r.clone()]).to_string());
        cut.push_str(&line.text[..r.start]);
        cut.push_str(" | ");
        cut.push_str(&line.text[r.end..]);
    }
    let c = cues();
    let (key_words, other_words) = if education { ((&c.degree, ENTRY_DEGREE), Some((&c.school, ENTRY_SCHOOL))) } else { ((&c.title, ENTRY_TITLE), None) };
    // A part names a list's word only if its line does (`Line::named`, the same lists; no word
    // holds the separator that replaces the dates): most parts need no search.
    let searched = |line: &Line, (words, list): (&'static NeedleSet, u32)| line.names(list).then_some(words);
    // Of the parts that are no place: the first two, and the first naming each list, with its
    // place among them.
    let mut first: [Option<&str>; 2] = [None; 2];
    let mut keyed: Option<(usize, &str)> = None;
    let mut othered: Option<(usize, &str)> = None;
    let mut n = 0;
    for (k, line) in header.iter().enumerate() {
        let text: &str = if Some(k) == dated { cut } else { line.text };
        let (key, other) = (searched(line, key_words), other_words.and_then(|o| searched(line, o)));
        // A line after the first two parts, whose lists searched have their parts already (or
        // are not named on it), can change nothing: it is not split.
        if n >= 2 && (keyed.is_some() || key.is_none()) && (othered.is_some() || other.is_none()) {
            continue;
        }
        split_parts(text, |p| {
            if looks_like_location(p) {
                return;
            }
            if n < 2 {
                first[n] = Some(p);
            }
            if keyed.is_none() && key.is_some_and(|w| w.found_in(p)) {
                keyed = Some((n, p));
            }
            if othered.is_none() && other.is_some_and(|w| w.found_in(p)) {
                othered = Some((n, p));
            }
            n += 1;
        });
    }
    let title = keyed.or(first[0].map(|p| (0, p)));
    // The organisation: the other list's part, else the first part that is not the title.
    let org = othered.filter(|&(o, _)| title.is_none_or(|(t, _)| t != o)).or(if title.is_some_and(|(t, _)| t == 0) { first[1].map(|p| (1, p)) } else { first[0].map(|p| (0, p)) });
    (title.map(|(_, p)| p.to_string()), org.map(|(_, p)| p.to_string()), dates)
}

/// The separators resumes use between title, organisation and place.
const SEPARATORS: [&str; 8] = [" | ", " at ", " — ", " – ", " · ", " - ", ", ", "    "];

/// Splits a header on the separators, in one pass: at each step the nearest separator cuts. Each
/// part (trimmed, not empty) is given to `take`, in order.
fn split_parts<'t>(line: &'t str, mut take: impl FnMut(&'t str)) {
    // The '#'s are ASCII: cut by their bytes, and the line trimmed again only when there were some.
    let t = text::trim(line);
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    let t = if hashes == 0 { t } else { text::trim(&t[hashes..]) };
    let rest = &t[bullet_marker_len(t).unwrap_or(0)..];
    let mut keep = |part: &'t str| {
        let part = trim_part(part);
        if !part.is_empty() {
            take(part);
        }
    };
    let mut from = 0;
    each_separator(rest, |at, len| {
        keep(&rest[from..at]);
        from = at + len;
    });
    keep(&rest[from..]);
}

/// The marks `split_parts` trims off a part's ends.
fn is_mark(b: u8) -> bool {
    matches!(b, b'*' | b'_' | b'(' | b')' | b'|' | b',')
}

/// A part as `split_parts` keeps it: trimmed of whitespace, of the marks `* _ ( ) | ,` around it,
/// then of whitespace again. A part that begins and ends in an ASCII byte that is neither (most:
/// "Senior Engineer") is kept as it is, without the three passes, told where the part is read.
#[inline]
fn trim_part(part: &str) -> &str {
    if plain_ends(part, is_mark) {
        part
    } else {
        trim_marked_part(part)
    }
}

/// `trim_part` of a part with marks or whitespace at an end: trimmed by its bytes while the trims
/// stop at ASCII bytes (exact: the marks are ASCII, and so is the whitespace below U+0080), by
/// `str`'s trims when one stops above ASCII, where a wider space may stand.
fn trim_marked_part(part: &str) -> &str {
    let b = part.as_bytes();
    let (mut start, mut end) = (0, b.len());
    for cut in [text::is_ascii_space as fn(u8) -> bool, is_mark, text::is_ascii_space] {
        while start < end && cut(b[start]) {
            start += 1;
        }
        while end > start && cut(b[end - 1]) {
            end -= 1;
        }
    }
    // A trim that stopped above ASCII stopped every later one there too (they cut ASCII bytes).
    if start < end && (b[start] >= 0x80 || b[end - 1] >= 0x80) {
        return part.trim().trim_matches(|c: char| c.is_ascii() && is_mark(c as u8)).trim();
    }
    &part[start..end]
}

/// Whether a text begins and ends in an ASCII byte that is neither whitespace nor a `mark`: then
/// trimming it of whitespace and of the marks leaves it as it is, with no pass over it.
fn plain_ends(text: &str, mark: impl Fn(u8) -> bool) -> bool {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| text::stops_trim(b) && !mark(b));
    plain(text.as_bytes().first()) && plain(text.as_bytes().last())
}

/// Whether a byte is the second of a separator (a test checks it against `SEPARATORS`): a space
/// or comma followed by none of them (most spaces, before a word) is no separator, told without
/// comparing it with the separators. Comparisons, vectorised by `text::BitsWhere`.
#[inline(always)]
fn separator_second(c: u8) -> bool {
    matches!(c, b'|' | b'a' | 0xE2 | 0xC2 | b'-' | b' ')
}

/// The separators of `line` where `split_parts` cuts it, in order, each as its byte offset and
/// length: at each step the nearest separator past the one before (no two separators begin at
/// the same byte, so the first that matches is the nearest). Every separator is a space or a
/// comma followed by a byte `separator_second` accepts: those pairs are found 64 bytes at a time
/// (`text::BitsWhere`), once for the whole line, and only there are the separators compared.
fn each_separator(line: &str, mut cut: impl FnMut(usize, usize)) {
    let b = line.as_bytes();
    // The end of the last separator: candidates inside it are not looked at.
    let mut from = 0;
    for (k, chunk) in b.chunks(64).enumerate() {
        let block = text::BitsWhere::of(chunk);
        // Bit j: byte j + 1 is a separator's second, the byte after the chunk standing for its last.
        let after = b.get(k * 64 + 64).is_some_and(|&n| separator_second(n));
        let seconds = block.bits(separator_second) >> 1 | u64::from(after) << 63;
        let mut candidates = block.bits(|c| c == b' ' || c == b',') & seconds;
        while candidates != 0 {
            let at = k * 64 + candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            if at < from {
                continue;
            }
            if let Some(sep) = SEPARATORS.iter().find(|sep| b[at..].starts_with(sep.as_bytes())) {
                cut(at, sep.len());
                from = at + sep.len();
            }
        }
    }
}

/// "Austin, TX" and "Remote" are places, not employers. `p` is a part as `split_parts` gives
/// it, trimmed (`trim_part`).
fn looks_like_location(p: &str) -> bool {
    let upper2 = p.len() == 2 && p.chars().all(|c| c.is_ascii_uppercase());
    upper2 || ["remote", "hybrid", "on-site", "onsite"].iter().any(|w| p.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::lines::analyse;

    #[test]
    fn wrapped_bullets_and_abbreviations() {
        let text = "TechCorp Inc\nSenior Engineer    Mar 2021 – Present\n* Led the migration, improving reliability to\n  99.9% uptime\nStartupXYZ\nFull Stack Developer    Jun 2019 – Feb 2021\n";
        assert_eq!(starts(&analyse(text), SectionType::Experience), vec![0, 4]);
        let inc = "Software Developer at Acme Inc.\nJun 2018 – May 2022\n";
        assert_eq!(starts(&analyse(inc), SectionType::Experience), vec![0]);
        assert!(ends_sentence("Built the platform.") && !ends_sentence("Acme Inc.") && !ends_sentence("Washington, D.C."));
    }

    #[test]
    fn stacked_one_line_entries_and_three_line_headers() {
        let jobs = "2021–present  Line Cook, Emmer & Rye, Austin\n2019–2021  Cook, Joe's Diner, Austin\n2018–2019  Prep Cook, Whole Foods Market, Austin\n";
        assert_eq!(starts(&analyse(jobs), SectionType::Experience), vec![0, 1, 2]);
        let three = "Charge Nurse, Telemetry Unit\nSaguaro Regional Medical Center\nJan 2020 – Present\n• Coordinate assignments\nStaff Nurse\nSaguaro Regional Medical Center\nJun 2016 – Dec 2019\n";
        assert_eq!(starts(&analyse(three), SectionType::Experience), vec![0, 4]);
        let one_liners = "Executive Assistant, Harmon Oil & Gas, Tulsa, OK (2012 – 2018)\nReceptionist, Kelley Insurance, Broken Arrow, OK (2009 – 2012)\n";
        assert_eq!(starts(&analyse(one_liners), SectionType::Experience), vec![0, 1]);
        let campus = "Teaching Assistant, Reasoning with Data, Carnegie Mellon — Fall 2024, Spring 2025\nTreasurer, Women in Data Science club — 2023 – 2025\n";
        assert_eq!(starts(&analyse(campus), SectionType::Experience), vec![0, 1]);
        let roles = "SUNDT CONSTRUCTION — Phoenix, AZ    2012 – Present\nSenior Project Manager (2018 – Present)\n";
        assert_eq!(starts(&analyse(roles), SectionType::Experience), vec![0]);
        let degrees = "Doctor of Medicine, Medical College of Wisconsin — 2016\nAlpha Omega Alpha Honor Medical Society\nB.S. Biochemistry, Marquette University — 2012\n";
        assert_eq!(starts(&analyse(degrees), SectionType::Education), vec![0, 2]);
        let school_then_degree = "Carnegie Mellon University, Pittsburgh, PA   Expected May 2026\nBachelor of Science in Statistics; Minor in Economics\n";
        assert_eq!(starts(&analyse(school_then_degree), SectionType::Education), vec![0]);
        let one_liners = "Parsons School of Design | MFA Design and Technology | 2015\nAmerican University of Beirut | BA Graphic Design | 2012\n";
        assert_eq!(starts(&analyse(one_liners), SectionType::Education), vec![0, 1]);
    }

    #[test]
    fn ends_sentence_is_the_trimmed_split() {
        let former = |text: &str| {
            let Some(body) = text.trim_end().strip_suffix('.') else { return false };
            let last = body.rsplit([' ', ',']).next().unwrap_or("");
            !(last.contains('.') || ABBREVIATIONS.iter().any(|a| last.eq_ignore_ascii_case(a)))
        };
        assert_eq!(ABBREVIATIONS.iter().map(|a| a.len()).max(), Some(ABBREVIATION_LEN));
        for text in ["", ".", "Built it.", "Built it. ", "Acme Inc.", "Acme, Inc.", "Washington, D.C.", "Acme,Inc.", "done.\u{a0}", "x.\t", "é.", "Café inc.", "Acme Corp.", "Big Bros.", "Engineering Dept. Head.", "no period", "a b"] {
            assert_eq!(ends_sentence(text), former(text), "{text:?}");
        }
    }

    #[test]
    fn trim_part_is_the_three_trims() {
        for part in ["", "Senior Engineer", " Acme ", "(Remote)", "**Lead**", "_x_", "\u{b}a\u{b}", "a\u{a0}", "\u{2003}b", "é", "Café", "| 2019 |", ",", "( )", "x,", " |", " * _ x", "x _ * ", "\u{a0}* x *\u{a0}", "*\u{2003}x", "é*", "*é", "(\u{a0})", "|é|"] {
            assert_eq!(trim_part(part), part.trim().trim_matches(['*', '_', '(', ')', '|', ',']).trim(), "{part:?}");
        }
    }

    #[test]
    fn separator_seconds_are_the_separators_second_bytes() {
        for c in 0..=u8::MAX {
            assert_eq!(separator_second(c), SEPARATORS.iter().any(|sep| sep.as_bytes()[1] == c), "{c}");
        }
    }

    /// The nearest of the separators in `line`, by a search for each.
    fn nearest_separator(line: &str) -> Option<(usize, usize)> {
        SEPARATORS.iter().filter_map(|sep| line.find(sep).map(|at| (at, sep.len()))).min()
    }

    #[test]
    fn separators_are_the_nearest_in_turn() {
        // Past the first 64 bytes, and across their end, too; separators overlapping.
        let long = ["x".repeat(62) + " | y", "a".repeat(63) + " at b", "y".repeat(70) + ", z", "z".repeat(60) + " —" + &"w".repeat(80) + "    v", "é".repeat(40) + " · u", " ".repeat(70) + "at , - |"];
        for line in ["", "Engineer at Acme — Austin, TX", "a - b | c", "x    y, z", "Acme · Remote", "no separator", "at the start", " at ", ",", "é – ü", "a      b", " at at at ", ",, , ", "a |  | b", " - - -"].into_iter().chain(long.iter().map(String::as_str)) {
            let mut want = Vec::new();
            let mut from = 0;
            while let Some((at, len)) = nearest_separator(&line[from..]) {
                want.push((from + at, len));
                from += at + len;
            }
            let mut got = Vec::new();
            each_separator(line, |at, len| got.push((at, len)));
            assert_eq!(got, want, "{line:?}");
        }
    }
}
