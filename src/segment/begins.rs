//! Entry starts after the model: the structural checks a reader makes of a section's entries.
//! The entry-start model judges each line from its own features and its neighbours'; a reader
//! also compares a line with the section's other entries:
//! - a job or degree starts on a line that can head one: not a bullet (unless the rules read the
//!   section as a list of bullet entries), not the wrapped continuation of the line above, not a
//!   sentence, not a heading repeated inside the section;
//! - entries of one section share a layout: a line laid out like the section's first entry header
//!   (where its date sits, where the next line's date sits, capitals, Markdown), after the body
//!   of the entry before, starts an entry too;
//! - roles stacked under an employer's header are one entry: a line whose dates fall inside the
//!   span of the current entry's header, when that header names no job title ("United States
//!   Marine Corps, 2014 – 2025" over "Maintenance Control Chief, …, 2021 – 2025"), goes on it;
//! - a header's lines are one entry: the line under an undated first line that brings the date
//!   completes it;
//! - a section resumed after a page break goes on with its entry;
//! - a degree's header names a degree, school or course, or a date.

use super::classifier::BEGIN_THRESHOLD;
use super::dates::months_spanned;
use super::features::{names_a_title, names_title_employer_and_range, Active};
use super::lines::{Line, LineKind};
use super::SectionType;
use crate::text;

/// Where a line's date sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DatePlace {
    None,
    /// The date is all the line says ("Summer 2024", "2019 – 2021").
    Only,
    Start,
    End,
    Middle,
}

impl DatePlace {
    fn of(l: &Line) -> DatePlace {
        let Some(r) = &l.dates else { return DatePlace::None };
        // `text::is_alphanumeric`: the dashes around a date are answered without Unicode's tables.
        let wordy = |s: &str| s.chars().any(text::is_alphanumeric);
        match (wordy(&l.text[..r.start]), wordy(&l.text[r.end..])) {
            (false, false) => DatePlace::Only,
            (false, true) => DatePlace::Start,
            (true, false) => DatePlace::End,
            (true, true) => DatePlace::Middle,
        }
    }
}

/// How an entry header is laid out: where its date sits and where the next line's does, whether
/// it is in capitals, whether it is marked up (`**`, `#`, `_`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    date: DatePlace,
    next_date: DatePlace,
    caps: bool,
    marked: bool,
}

impl Shape {
    fn of(l: &Line, next: Option<&Line>) -> Shape {
        let t = text::trim_start(l.text);
        Shape { date: DatePlace::of(l), next_date: next.map_or(DatePlace::None, DatePlace::of), caps: Shape::caps(t), marked: Shape::marked(t) }
    }

    /// Whether `Shape::of` the line and its next would be this shape, read field by field until
    /// one differs (most lines differ from a dated header in where their date sits: the rest of
    /// the line is not read).
    fn fits(&self, l: &Line, next: Option<&Line>) -> bool {
        let t = || text::trim_start(l.text);
        self.date == DatePlace::of(l) && self.next_date == next.map_or(DatePlace::None, DatePlace::of) && self.marked == Shape::marked(t()) && self.caps == Shape::caps(t())
    }

    /// Whether a line (its indent trimmed) is in capitals: two letters or more, none lower case.
    fn caps(t: &str) -> bool {
        let mut letters = t.chars().filter(|c| c.is_alphabetic());
        letters.clone().nth(1).is_some() && letters.all(char::is_uppercase)
    }

    /// Whether a line (its indent trimmed) begins with Markdown's marks (`**`, `#`, `_`).
    fn marked(t: &str) -> bool {
        t.starts_with(['*', '#', '_'])
    }

    /// A layout a reader would recognise again: one with a date on the line or the next.
    fn dated(&self) -> bool {
        self.date != DatePlace::None || self.next_date != DatePlace::None
    }
}

/// Whether a line can head an entry (see the module doc). `prev` is the line before it in its
/// stream, blank lines skipped; `listed` is whether the rules start an entry here (a section of
/// bullet entries); `bullets_may` whether a dated bullet may start one (the section's first line,
/// or a section whose first entry is a bullet).
fn can_head(l: &Line, prev: Option<&Line>, listed: bool, bullets_may: bool) -> bool {
    let indent = |l: &Line| l.text.len() - text::trim_start(l.text).len();
    let t = text::trim_end(l.text);
    let continued = prev.is_some_and(|p| indent(l) > indent(p) && p.kind == LineKind::Text) || t.ends_with(',');
    let fits = if l.bullet { listed || (bullets_may && l.has_date()) } else { !super::entries::ends_sentence(t) };
    l.kind == LineKind::Text && !continued && fits
}

/// The months a line's date range spans, or the next line's when the line has no date ("Supply
/// Sergeant, 82nd Airborne Division" over "May 2015 – Sep 2019"). None for a single date.
fn span(l: &Line, next: Option<&Line>) -> Option<(u32, u32)> {
    let dated = if l.has_date() { l } else { next? };
    let range = dated.dates.clone().filter(|_| dated.has_date_range())?;
    months_spanned(&dated.text[range])
}

/// One stream's place in the text (one-column text is one stream): the section it is in, and
/// its reader of that section's entries.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stream {
    /// The type of the section the stream is in.
    current: Option<SectionType>,
    /// The type of its last section that is not `other` (page furniture is typed `other`).
    last_kind: Option<SectionType>,
    /// The section (its index) the stream resumed after a page break, while in it.
    resuming: Option<usize>,
    /// The next body line is the first after a page break.
    after_turn: bool,
    /// The next body line is the section's first.
    first: bool,
    /// The stream's last non-blank line.
    prev: Option<usize>,
    pub reader: Reader,
}

impl Stream {
    /// Enters non-blank line `i`, of section number `k` of type `kind` (`heading`: one of the
    /// section's heading lines); returns the stream's line before it. A new section starts a
    /// new reader, unless it resumes the section the stream was in before page furniture
    /// ("Page 1 of 2", the name repeated): then it goes on with the entry it was in, as a reader
    /// turning the page does.
    pub fn enter(&mut self, i: usize, k: usize, kind: SectionType, heading: bool) -> Option<usize> {
        if self.current != Some(kind) || heading {
            let resumed = (self.current == Some(SectionType::Other) && self.last_kind == Some(kind)) || self.resuming == Some(k);
            if resumed {
                self.resuming = Some(k);
                self.after_turn = true;
            } else {
                self.first = true;
                self.reader = Reader::new();
                self.resuming = None;
            }
            self.current = Some(kind);
        }
        if kind != SectionType::Other {
            self.last_kind = Some(kind);
        }
        self.prev.replace(i)
    }

    /// For a body line about to be judged: whether it is the section's first, and whether it is
    /// the first after a page break. Both hold for one line only.
    pub fn place(&mut self) -> (bool, bool) {
        (std::mem::take(&mut self.first), std::mem::take(&mut self.after_turn))
    }
}

/// One stream's reading of the section it is in, line by line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reader {
    /// The layout of the section's first entry header.
    first: Option<Shape>,
    /// The span of the current entry's header, when the header names no title: its roles'
    /// dates fall inside it. Read in experience sections only, so kept in those only (a reader
    /// reads one section, or its continuation after a page break: one type).
    enclosing: Option<(u32, u32)>,
    /// Whether the current entry has body lines yet (a bullet, a sentence): a line after them
    /// laid out like the first header starts the next entry.
    body_seen: bool,
    /// The section's first entry starts on a bullet: its entries are listed as bullets.
    bullets: bool,
    /// Lines since the current entry's first line.
    since: u32,
    /// The current entry's first line has no date.
    undated: bool,
}

/// A line for [`Reader::judge`]: the line, its neighbours in its stream, and what the model and
/// the rules say of it. The model's score is asked for only when the rest leaves it to decide.
pub struct Judged<'l, 'a, S: Fn() -> f32> {
    pub line: &'l Line<'a>,
    pub prev: Option<&'l Line<'a>>,
    pub next: Option<&'l Line<'a>>,
    /// The entry-start model's log-odds that the line starts an entry (a sum over the line's
    /// features, read when needed).
    pub score: S,
    /// The line's features (its own, `features::own_features`, first; the tests here look only for
    /// own-line ids): what it names.
    pub own: &'l Active,
    /// The line is the first body line of its section in its stream.
    pub first_line: bool,
    /// The line is the first after a section resumed past a page break: it goes on the entry
    /// before unless laid out like the section's first entry header.
    pub after_turn: bool,
    /// The rules start an entry here.
    pub rules: bool,
}

impl Reader {
    /// A reader at the start of a section.
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Whether the line starts an entry of a section of type `kind`; reads the line either way.
    /// Asked to be inlined in its one caller (the compiler chose to or not as code elsewhere
    /// changed): kept out of it, the resume took some 1,800 instructions more.
    #[inline]
    pub fn judge(&mut self, j: &Judged<impl Fn() -> f32>, kind: SectionType) -> bool {
        let l = j.line;
        if matches!(l.kind, LineKind::Heading(_)) {
            // A heading merged into the section (a page-break repeat, a second heading of the
            // type): the entry after it starts on its own line.
            return false;
        }
        let dated_kind = matches!(kind, SectionType::Experience | SectionType::Education);
        let heads = can_head(l, j.prev, j.rules, j.first_line || self.bullets);
        // The rules overrule a doubtful model on a job header with a title, an employer and a
        // date range: a convention the training resumes rarely show without a blank line before
        // it, and the one a reader is surest of. Asked last: most lines are settled before.
        let model = || (j.rules && names_title_employer_and_range(j.own)) || (j.score)() > BEGIN_THRESHOLD;
        let mut begins = (!dated_kind || (heads && !j.after_turn)) && model();
        // The line right under an entry's undated first line that brings the date, or whose next
        // line does, completes that header ("Bachelor of Science in Nursing" / "University of
        // Arizona, Tucson, AZ – May 2016"), unless the rules start an entry there.
        if begins && dated_kind && self.since == 0 && self.undated && !j.rules && (l.has_date() || j.next.is_some_and(Line::has_date)) {
            begins = false;
        }
        // A line laid out like the section's first entry header, past the header of the entry
        // before (after its body, or a dated line when that header had its date already),
        // starts an entry whatever the model says: layout is what a reader goes by (on the
        // training part and fresh renderings of its documents, any threshold on the model's
        // log-odds here only lost entries).
        let past_header = self.body_seen || j.after_turn || (!self.undated && l.has_date());
        if !begins && dated_kind && heads && past_header {
            begins = self.first.is_some_and(|f| f.dated() && f.fits(l, j.next));
        }
        // A degree's header says what or where it was studied, or when, on its line or the next.
        if begins && kind == SectionType::Education && !j.rules {
            let schooling = |l: &Line| l.has_date() || super::entries::names_schooling(l);
            begins = schooling(l) || j.next.is_some_and(schooling);
        }
        if begins && kind == SectionType::Experience {
            let inside = |(a, b): (u32, u32), (c, d): (u32, u32)| a <= c && d <= b && d - c < b - a;
            if let (Some(outer), Some(inner)) = (self.enclosing, span(l, j.next)) {
                begins = !inside(outer, inner);
            }
        }
        if begins {
            if self.first.is_none() {
                self.first = Some(Shape::of(l, j.next));
                self.bullets = l.bullet;
            }
            self.enclosing = if kind != SectionType::Experience || !l.has_date() || names_a_title(j.own) { None } else { span(l, None) };
            self.body_seen = false;
            self.since = 0;
            self.undated = !l.has_date();
        } else {
            // Past the header: a line that cannot head an entry, or the second line after the
            // start (a header's date is on its first or second line).
            self.since += 1;
            self.body_seen |= !heads || l.bullet || l.words > 16 || self.since >= 2;
        }
        begins
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::lines::analyse;

    #[test]
    fn shapes_fit_as_they_equal() {
        for field in crate::segment::tests::sample_fields().iter().take(40) {
            let lines = analyse(field);
            let next = |i: usize| lines.get(i + 1);
            let firsts: Vec<Shape> = (0..lines.len()).filter(|&i| lines[i].has_date() || next(i).is_some_and(Line::has_date)).take(5).map(|i| Shape::of(&lines[i], next(i))).collect();
            for first in &firsts {
                for (i, l) in lines.iter().enumerate() {
                    assert_eq!(first.fits(l, next(i)), *first == Shape::of(l, next(i)), "{:?}", l.text);
                }
            }
        }
    }
}
