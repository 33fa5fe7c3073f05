//! Per-line features and the rules that type the text before the first heading (and whole
//! resumes that have no headings at all) by what their lines look like.

use super::dates::{digit_count, find_dates_from_runs, DateTokens};
use super::headings::{head_noun_type, head_noun_type_if, heading_type, is_entry_label, is_label_word, is_rule, normalise_while};
use super::{SectionType, Start};
use crate::text::{self, bullet_marker_len};

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
    /// Whether that date is a range (`is_date_range`), read once: features, entry rules and the
    /// entry reader all ask (`has_date_range`).
    date_range: bool,
    /// Whitespace-separated words.
    pub words: usize,
    /// Whether the line holds an ASCII digit (told by `TextBits` with its words): a line with
    /// none is no phone number (`is_contact_line`), and its digits are not counted.
    has_digit: bool,
    /// What the heading vocabulary makes of the line whatever the guards say: a section type, an
    /// entry label ("Responsibilities:"), or nothing. Computed once, read by the classifier.
    pub vocabulary: Vocabulary,
    /// The word lists the line names a word of (`CONTACT_MARK`, `DEGREE_WORD`, ...: bits),
    /// ignoring ASCII case; found for all lines at once (see `named_lists`).
    pub named: u32,
}

/// The word lists every line is searched for (the bits of `Line::named`): contact marks, and
/// the degree and certification words of content typing, then the entry rules' title, degree,
/// school and course words.
pub const CONTACT_MARK: u32 = 1;
pub const DEGREE_WORD: u32 = 1 << 1;
pub const CERT_WORD: u32 = 1 << 2;
pub const ENTRY_TITLE: u32 = 1 << 3;
pub const ENTRY_DEGREE: u32 = 1 << 4;
pub const ENTRY_SCHOOL: u32 = 1 << 5;
pub const ENTRY_COURSE: u32 = 1 << 6;

/// The word lists in the order of their bits in `Line::named`.
const NAMED_LISTS: [&[&str]; 7] = [
    CONTACT_MARKS,
    DEGREE_WORDS,
    CERT_WORDS,
    super::entries::TITLE_WORDS,
    super::entries::DEGREE_WORDS,
    super::entries::SCHOOL_WORDS,
    super::entries::COURSE_WORDS,
];

/// The lists as one matcher, built once.
fn word_lists() -> &'static text::NeedleLists {
    static LISTS: std::sync::OnceLock<text::NeedleLists> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| text::NeedleLists::new(&NAMED_LISTS))
}

/// Sets every line's `named`: one search of the whole text for all the lists. No needle holds a
/// line break, so each occurrence lies inside one line, the one holding the byte before the
/// offset it is told at (its last byte or the one after: see `NeedleLists::for_each`; those come
/// in order).
fn named_lists(text: &str, lines: &mut [Line]) {
    let mut rest = lines.iter_mut();
    let mut line = rest.next();
    word_lists().for_each(text, |end, bits| {
        // The line holding the byte before `end`: the first that does not end before `end`.
        while line.as_ref().is_some_and(|l| l.end < end) {
            line = rest.next();
        }
        if let Some(l) = line.as_mut() {
            l.named |= bits;
        }
    });
}

/// The heading vocabulary's reading of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    None,
    Heading(SectionType),
    EntryLabel,
}

impl Line<'_> {
    /// Whether the line names a word of any of these lists (`CONTACT_MARK`, ...).
    pub fn names(&self, lists: u32) -> bool {
        self.named & lists != 0
    }

    pub fn has_date(&self) -> bool {
        self.dates.is_some()
    }

    /// Whether its date is a range ("2019 – 2021", "Jan 2020 to Present").
    pub fn has_date_range(&self) -> bool {
        self.date_range
    }
}

/// Whether a date expression is a range: a dash or " to " in it. One pass of byte tests: '-', the
/// bytes of '–' and '—' (E2 80 93, E2 80 94), or a space followed by "to ".
fn is_date_range(d: &[u8]) -> bool {
    (0..d.len()).any(|i| match d[i] {
        b'-' => true,
        0xE2 => matches!(d[i + 1..], [0x80, 0x93 | 0x94, ..]),
        b' ' => d[i + 1..].starts_with(b"to "),
        _ => false,
    })
}

/// Splits text into lines and types each one.
pub fn analyse(text: &str) -> Vec<Line<'_>> {
    let bits = text::TextBits::of(text);
    let mut out = Vec::with_capacity(bits.lines_at_most());
    // Room for a candidate heading's normalised words (at most 60 bytes of text), kept from line
    // to line.
    let mut buf = String::with_capacity(64);
    let mut date_tokens = DateTokens::default();
    for (std::ops::Range { start: pos, end }, facts) in bits.lines() {
        // Without its line end ('\n', the line's last byte but for a last line without one, and
        // any '\r' before it: bytes, never inside a character, so stripped as bytes).
        let line = &text.as_bytes()[pos..end];
        let content_end = pos + line.strip_suffix(b"\n").unwrap_or(line).iter().rposition(|&c| c != b'\r').map_or(0, |i| i + 1);
        let content = &text[pos..content_end];
        let trimmed = text::trim(content);
        let bullet = bullet_marker_len(content).is_some();
        // A line with a digit is no heading and no entry label (see `vocabulary_of`).
        let vocabulary = if bullet || trimmed.is_empty() || facts.has_digit { Vocabulary::None } else { vocabulary_of(trimmed, &mut buf) };
        let kind = match vocabulary {
            _ if trimmed.is_empty() => LineKind::Blank,
            _ if is_rule(trimmed) => LineKind::Rule,
            Vocabulary::Heading(k) => LineKind::Heading(k),
            _ => LineKind::Text,
        };
        // Every date has a run of four digits (its line end holds none: the line's runs are its
        // content's).
        let dates = if facts.has_four_digit_run { find_dates_from_runs(content, bits.four_digit_runs_in(pos..end).map(|s| s - pos), &mut date_tokens) } else { None };
        let date_range = dates.as_ref().is_some_and(|r| is_date_range(&content.as_bytes()[r.clone()]));
        out.push(Line { start: pos, end, text: content, kind, bullet, dates, date_range, words: facts.words, has_digit: facts.has_digit, vocabulary, named: 0 });
    }
    named_lists(text, &mut out);
    out
}

/// The heading vocabulary's reading of a trimmed line, with `buf` to normalise it in. A word
/// outside the vocabulary's words (`is_label_word`) leaves only a head-noun heading possible,
/// and a line that cannot be one (`LineShape::may_be_head_noun_heading`) is not normalised further. So a line
/// with an ASCII digit reads as nothing: it is not so shaped, and the word holding the digit
/// keeps it through normalising, while no vocabulary word has one (a test in `headings` checks):
/// `analyse` does not ask.
fn vocabulary_of(trimmed: &str, buf: &mut String) -> Vocabulary {
    let (mut unknown, mut shaped) = (false, None);
    let normalised = normalise_while(trimmed, buf, |w, line| {
        if is_label_word(w) {
            return true;
        }
        unknown = true;
        *shaped.get_or_insert_with(|| line.may_be_head_noun_heading())
    });
    if !normalised {
        Vocabulary::None
    } else if unknown {
        // Normalised with an unknown word: the line was found shaped as a head-noun heading.
        head_noun_type_if(buf, || true).map_or(Vocabulary::None, Vocabulary::Heading)
    } else if is_entry_label(buf) {
        Vocabulary::EntryLabel
    } else {
        heading_type(buf).or_else(|| head_noun_type(trimmed, buf)).map_or(Vocabulary::None, Vocabulary::Heading)
    }
}

/// What marks contact details anywhere in a line (ignoring ASCII case), and at its start.
const CONTACT_MARKS: &[&str] = &["@", "http", "www.", "linkedin", "github"];
const CONTACT_LABELS: &[&str] = &["phone", "email", "location", "address"];

/// A line of contact details: an address, a web link, a label, or a phone number. A label is
/// compared only with a line that begins with its first letter (most begin with none of theirs);
/// digits are counted by `dates::digit_count` (vectorised).
fn is_contact_line(l: &Line) -> bool {
    let b = l.text.as_bytes();
    let label = |p: &&str| b.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p.as_bytes()));
    let labelled = || b.first().is_some_and(|&f| CONTACT_LABELS.iter().any(|p| p.as_bytes()[0] == f.to_ascii_lowercase())) && CONTACT_LABELS.iter().any(label);
    l.names(CONTACT_MARK) || labelled() || (l.words <= 6 && l.has_digit && digit_count(b) >= 7)
}

/// Blocks of non-blank lines: (first line, end line exclusive, trailing blanks included). A blank
/// line ends each block but the last, so there are at most half as many as lines (rounded up):
/// room made once.
fn blocks(lines: &[Line]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(lines.len().div_ceil(2));
    let mut i = 0;
    while i < lines.len() {
        while i < lines.len() && matches!(lines[i].kind, LineKind::Blank) {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let s = i;
        while i < lines.len() && !matches!(lines[i].kind, LineKind::Blank) {
            i += 1;
        }
        while i < lines.len() && matches!(lines[i].kind, LineKind::Blank) {
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
/// sentence somewhere. The tests go from the cheapest (a sum of word counts) to the dearest (a
/// search of every line's text for a sentence end), each only when those before pass.
fn is_prose(lines: &[Line]) -> bool {
    let words: usize = lines.iter().map(|l| l.words).sum();
    let long = || lines.iter().filter(|l| l.words >= 8 && !l.bullet && !is_contact_line(l)).count();
    let text_lines = || lines.iter().filter(|l| !matches!(l.kind, LineKind::Blank)).count();
    let sentence = || lines.iter().any(|l| has_period_space(l.text) || l.text.trim_end().ends_with(['.', '!', '?']));
    words >= 12 && long() * 2 >= text_lines() && sentence()
}

/// The top block (name, title, contact lines) unless it is prose, or any block of contact lines.
/// `prose` is `is_prose` of the block (its caller asks it once a block: `prose_once`).
fn is_contact_block(index: usize, block: &[Line], prose: impl Fn() -> bool) -> bool {
    (index == 0 && !prose()) || block.iter().all(|l| matches!(l.kind, LineKind::Blank) || is_contact_line(l))
}

/// `is_prose` of a block, read once however often the rules ask (a block is asked up to four
/// times as it is typed).
fn prose_once<'b>(block: &'b [Line<'b>]) -> impl Fn() -> bool + 'b {
    let prose = std::cell::OnceCell::new();
    move || *prose.get_or_init(|| is_prose(block))
}

/// Section starts from typing each block (by its index and its range of lines); consecutive
/// blocks of one type form one section.
fn starts_by_block(lines: &[Line], mut kind_of: impl FnMut(usize, std::ops::Range<usize>, &[Start]) -> SectionType) -> Vec<Start> {
    let blocks = blocks(lines);
    // A start a block at most: room made once.
    let mut starts: Vec<Start> = Vec::with_capacity(blocks.len());
    for (k, (s, e)) in blocks.into_iter().enumerate() {
        let kind = kind_of(k, s..e, &starts);
        if starts.last().is_none_or(|p| p.kind != kind) {
            starts.push(Start { line: s, kind, heading_lines: 0 });
        }
    }
    starts
}

/// Types the lines before the first heading: the top block is contact details; a prose block is
/// the summary; contact-like blocks join the contact section; anything else is `other`.
pub fn preamble_starts(lines: &[Line]) -> Vec<Start> {
    starts_by_block(lines, |k, range, _| {
        let block = &lines[range];
        let prose = prose_once(block);
        if is_contact_block(k, block, &prose) {
            SectionType::Contact
        } else if prose() {
            SectionType::Summary
        } else {
            SectionType::Other
        }
    })
}

const DEGREE_WORDS: &[&str] = &["bachelor", "master", "b.s.", "b.a.", "m.s.", "m.a.", "phd", "ph.d.", "mba", "university", "college", "degree", "diploma", "school", "institute", "bsc", "msc"];

const CERT_WORDS: &[&str] = &[
    "certified", "certification", "certificate", "license", "licence", "cpr", "first aid", "osha", "registry", "bls", "acls", "servsafe",
    "food handler", "twic", "aws d1", "asme", "cdl", "nremt",
];

/// A block of certifications and licences: at least half its lines name one, and more of them
/// than name a degree or school ("Tennessee CNA certificate program, ... community college" is
/// schooling). `prose` is `is_prose` of the block.
fn is_cert_block(block: &[Line], prose: impl Fn() -> bool) -> bool {
    let certs = block.iter().filter(|l| l.names(CERT_WORD)).count();
    if certs == 0 {
        return false;
    }
    let text_lines = block.iter().filter(|l| !matches!(l.kind, LineKind::Blank)).count();
    let degrees = block.iter().filter(|l| l.names(DEGREE_WORD)).count();
    certs * 2 >= text_lines && certs > degrees && !prose()
}

/// A block listing things: every line has three or more items (split by `·`, `•`, `|` or
/// commas), no date, and no sentence ("vital signs · hoyer lift · catheter care · ...").
/// `prose` is `is_prose` of the block.
fn is_list_block(block: &[Line], prose: impl Fn() -> bool) -> bool {
    !prose() && block.iter().filter(|l| !matches!(l.kind, LineKind::Blank)).all(|l| !l.has_date() && item_separators_at_least(l.text, 2) && !has_period_space(l.text) && !l.text.trim_end().ends_with('.'))
}

/// Whether a line holds at least `n` of the separators of listed items (`,` `·` `•` `|` `;`):
/// counted by their bytes, with no decoding ('·' is C2 B7 and '•' E2 80 A2, the others ASCII;
/// B7 and A2 end no other character so begun), up to the `n`th. The candidates (the ASCII ones,
/// B7 and A2) are found 64 bytes at a time (`text::bits_where`), and only those are read.
fn item_separators_at_least(t: &str, n: usize) -> bool {
    let b = t.as_bytes();
    let mut found = 0;
    for (k, chunk) in b.chunks(64).enumerate() {
        let mut candidates = text::bits_where(chunk, |c| matches!(c, b',' | b'|' | b';' | 0xB7 | 0xA2));
        while candidates != 0 {
            if found >= n {
                return true;
            }
            let i = k * 64 + candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            found += usize::from(match b[i] {
                0xB7 => b[..i].ends_with(&[0xC2]),
                0xA2 => b[..i].ends_with(&[0xE2, 0x80]),
                _ => true,
            });
        }
    }
    found >= n
}

/// Whether a line holds ". " (`str::contains`, a sentence ending inside it): what follows each
/// '.' (`text::any_byte_at`). No searcher is set up for each line.
fn has_period_space(t: &str) -> bool {
    let b = t.as_bytes();
    text::any_byte_at(b, b'.', |i| b.get(i + 1) == Some(&b' '))
}

/// Sections for a resume without headings, from what its blocks contain: dated blocks with a
/// degree are education, other dated blocks experience, lists of known skills skills, prose the
/// summary; the top block is the contact details. `skills` counts the skills a range of lines
/// names (`text::skills_in`). Asked to be inlined in its one caller, where the compiler put it
/// in some builds and not in others as code elsewhere changed.
#[inline]
pub fn content_starts(lines: &[Line], mut skills: impl FnMut(std::ops::Range<usize>) -> usize) -> Vec<Start> {
    starts_by_block(lines, |k, range, starts| {
        let block = &lines[range.clone()];
        let prose = prose_once(block);
        let dated = block.iter().any(|l| l.has_date() && !l.bullet && l.words <= 16);
        let words: usize = block.iter().map(|l| l.words).sum();
        // A list of skills: at least three known skills, and few other words around them.
        let listy = || {
            let skills = skills(range);
            skills >= 3 && words <= skills * 6
        };
        if is_contact_block(k, block, &prose) {
            SectionType::Contact
        } else if is_cert_block(block, &prose) {
            SectionType::Certifications
        } else if dated && block.iter().any(|l| l.names(DEGREE_WORD)) {
            SectionType::Education
        } else if dated {
            SectionType::Experience
        } else if words <= 120 && (is_list_block(block, &prose) || listy()) {
            // (The list test first: it reads the lines alone, `listy` looks the skills up.)
            SectionType::Skills
        } else if prose() && starts.iter().all(|p| p.kind != SectionType::Experience) {
            SectionType::Summary
        } else {
            SectionType::Other
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_words_stay_within_a_line() {
        for list in NAMED_LISTS {
            assert!(list.iter().all(|w| !w.is_empty() && !w.contains(['\n', '\r'])));
        }
    }

    #[test]
    fn lines_name_the_lists_their_text_does() {
        let text = "Jane Doe\njane@example.com\r\nB.S., Stanford University\n\nCPR certified, nurse\nLEAD\nhead\nlead\n\n\
            GitHub: x | WWW.x | Ph.D. in X, Universität\nNurse Aide (CNA) — 2019 – present\nTraining program\nmisc\nBSc\nm";
        for chunked in [text.to_string(), text.repeat(7), text.replace('\n', " \n ")] {
            for l in analyse(&chunked) {
                let want: u32 = NAMED_LISTS.iter().enumerate().map(|(i, list)| u32::from(crate::text::NeedleSet::new(list).found_in(l.text)) << i).sum();
                assert_eq!(l.named, want, "{:?}", l.text);
            }
        }
        assert_eq!(analyse(text)[2].named, DEGREE_WORD | ENTRY_DEGREE | ENTRY_SCHOOL);
    }

    /// The lists a line names, the plain way: its lower-cased copy searched for every needle.
    fn named_by_search(line: &str) -> u32 {
        let lower = line.to_ascii_lowercase();
        NAMED_LISTS.iter().enumerate().map(|(i, list)| u32::from(list.iter().any(|n| lower.contains(n))) << i).sum()
    }

    /// Every line's `named` is what a search of the line alone finds.
    fn lines_named_as_searched(text: &str) -> bool {
        analyse(text).iter().all(|l| l.named == named_by_search(l.text))
    }

    #[test]
    fn sample_resumes_lines_name_what_a_search_finds() {
        for field in crate::segment::tests::sample_fields() {
            assert!(lines_named_as_searched(&field), "{field:?}");
        }
    }

    /// `item_separators_at_least` as the items were counted: a search for the separators as
    /// characters.
    fn separators_by_chars(t: &str, n: usize) -> bool {
        t.matches([',', '·', '•', '|', ';']).count() >= n
    }

    #[test]
    fn item_separators_by_bytes_are_those_by_chars() {
        for t in ["", "a, b, c", "vital signs · hoyer lift · catheter care", "a • b • c", "a | b; c", "·•", "·", "é ¢ ·", "\u{2022}\u{2122}\u{b7}", "a,b"] {
            for n in 0..4 {
                assert_eq!(item_separators_at_least(t, n), separators_by_chars(t, n), "{t:?} {n}");
            }
        }
        for field in crate::segment::tests::sample_fields() {
            for line in field.lines() {
                assert_eq!(item_separators_at_least(line, 2), separators_by_chars(line, 2), "{line:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn item_separators_by_bytes_agree_with_chars(t in "[a ,|;·•¢¶∙◦€—\u{a2}\u{b7}\u{2022}\u{20a2}]{0,30}", n in 0usize..5) {
            proptest::prop_assert_eq!(item_separators_at_least(&t, n), separators_by_chars(&t, n));
        }
    }

    #[test]
    fn period_space_found_at_every_place_across_blocks() {
        for at in 0..140 {
            for len in [at + 1, at + 2, at + 3, 200] {
                let mut t = vec![b'a'; len];
                t[at] = b'.';
                if at + 1 < len {
                    t[at + 1] = b' ';
                }
                let t = String::from_utf8(t).unwrap();
                assert_eq!(has_period_space(&t), t.contains(". "), "{at} {len}");
            }
        }
    }

    proptest::proptest! {
        /// Resume-like text: needles (cut or whole, any case), words and separators, lines of
        /// any length, so that the search's pieces and their ends fall anywhere.
        #[test]
        fn lines_name_what_a_search_finds(text in "(Lead|LEADERSHIP|engin|eer|Ph\\.D|b\\.s|B\\.A\\.|m\\.|www\\.|http|@|first aid|food handl|er|aws d1|AWS D|co-founder|CEO|apprentice|ship|University|schoo|l|ä|é|—|x|q|1|2019| |  |,|\\.|-|\n|\r\n|\n\n){0,300}") {
            proptest::prop_assert!(lines_named_as_searched(&text));
        }

        #[test]
        fn any_text_lines_name_what_a_search_finds(text in "[a-eh-pr-wyA-E .@\\-1\n\u{e4}\u{2014}]{0,600}") {
            proptest::prop_assert!(lines_named_as_searched(&text));
        }

        /// Periods and spaces anywhere, across the 64-byte blocks' ends too.
        #[test]
        fn period_space_is_what_contains_finds(t in "([a-z]{0,70}|\\.|\\. | |\u{2014}){0,12}") {
            proptest::prop_assert_eq!(has_period_space(&t), t.contains(". "), "{:?}", t);
        }
    }

    #[test]
    fn date_ranges_by_bytes_are_dashes_or_to() {
        for d in ["2019 – 2021", "2019—2021", "2014-2018", "Jan 2020 to Present", "2019 to", "2019 too 2020", "2019 onto 2020", "2019 ’ 2020", "2019 − 2020", "2019 to\u{2014}", "2020"] {
            assert_eq!(is_date_range(d.as_bytes()), d.contains(['-', '–', '—']) || d.contains(" to "), "{d:?}");
        }
    }

    /// The vocabulary's reading of a line from all of its normalised words, as `analyse` read it
    /// before it stopped at the first unknown word of a line not shaped as a head-noun heading.
    fn vocabulary_of_whole_line(trimmed: &str) -> Vocabulary {
        let mut buf = String::new();
        if !super::super::headings::normalise(trimmed, &mut buf) {
            Vocabulary::None
        } else if is_entry_label(&buf) {
            Vocabulary::EntryLabel
        } else {
            heading_type(&buf).or_else(|| head_noun_type(trimmed, &buf)).map_or(Vocabulary::None, Vocabulary::Heading)
        }
    }

    /// `vocabulary_of`, which `analyse` does not ask about a line with a digit: nothing.
    fn lines_with_digits_read_as_nothing(line: &str) -> bool {
        let trimmed = line.trim();
        !trimmed.bytes().any(|b| b.is_ascii_digit()) || vocabulary_of_whole_line(trimmed) == Vocabulary::None
    }

    fn same_vocabulary(line: &str) -> bool {
        let trimmed = line.trim();
        trimmed.is_empty() || vocabulary_of(trimmed, &mut String::new()) == vocabulary_of_whole_line(trimmed)
    }

    #[test]
    fn vocabulary_stops_only_where_no_heading_can_be() {
        let lines = [
            "Work History", "RELEVANT EXPERIENCE:", "## Professional Background", "Education & Training", "EXPERIENCE (continued)", "Key Achievements:",
            "HOSPITALITY EXPERIENCE", "Flight Experience", "CERTIFICATES & RATINGS", "AVIATION TRAINING & EDUCATION", "10 years experience",
            "with field experience", "VP, Customer Experience", "E X P E R I E N C E", "P R O F E S S I O N A L   S U M M A R Y", "Jane Doe",
            "Skills: Python, SQL", "Responsibilities", "Tools Used", "S\u{212a}ILLS", "Café Experience", "Zoo & Farm Skills", "Experience Zoo Farm",
        ];
        let mut headings = 0;
        for line in lines {
            assert!(same_vocabulary(line) && lines_with_digits_read_as_nothing(line), "{line:?}");
            headings += usize::from(vocabulary_of_whole_line(line) != Vocabulary::None);
        }
        assert!(headings >= 15, "{headings}");
        for field in crate::segment::tests::sample_fields() {
            for line in field.lines() {
                assert!(same_vocabulary(line) && lines_with_digits_read_as_nothing(line), "{line:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn vocabulary_agrees_with_the_whole_line(line in "((Skills|EXPERIENCE|experience|key|Duties|Flight|Zoo|and|&|/|A|B|7|,|:|#|\\|\\.|\\u{212a}|E X P|Skills7|2019|\\(3\\)) ?){0,9}") {
            proptest::prop_assert!(same_vocabulary(&line) && lines_with_digits_read_as_nothing(&line));
        }
    }
}
