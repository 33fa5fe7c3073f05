//! Dates in resume lines: years, month names, `MM/YYYY`, `YYYY-MM`, and ranges between them
//! (`Jan 2020 – Present`, `2019-2021`, `03/2018 to 06/2020`). No regex: a scan over tokens.

use std::ops::Range;

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january", "february", "march", "april",
    "june", "july", "august", "september", "october", "november", "december", "spring", "summer", "fall", "autumn", "winter",
];
const OPEN_ENDS: &[&str] = &["present", "current", "now", "today", "ongoing"];

/// For each first letter, the lengths (as bits) of the month names and open ends that begin with
/// it: most words are neither, and are told so without comparing them with every name.
const NAMED_SHAPES: [u16; 26] = {
    let mut shapes = [0u16; 26];
    let lists = [MONTHS, OPEN_ENDS];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let w = lists[l][i].as_bytes();
            shapes[(w[0] - b'a') as usize] |= 1 << w.len();
            i += 1;
        }
        l += 1;
    }
    shapes
};

/// A token of a line with its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    /// A year (1950..=2049), possibly as part of `MM/YYYY` or `YYYY-MM`.
    Date,
    Month,
    OpenEnd,
    /// `-`, `–`, `—`, `to`, `until`.
    Dash,
    Other,
}

fn is_year(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4 && b.iter().all(u8::is_ascii_digit) && (1950..=2049).contains(&b.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0')))
}

/// The decoration around a word that is not part of a date (`*December`, `2014,`): these ASCII
/// characters and `’`.
fn is_decoration_byte(b: u8) -> bool {
    matches!(b, b',' | b'(' | b')' | b'.' | b'*' | b'_' | b'[' | b']' | b'\'' | b';' | b':')
}

/// `’` (U+2019), the one decoration character above ASCII.
const CLOSING_QUOTE: &[u8] = "\u{2019}".as_bytes();

/// The word without its leading and trailing decoration, and the bytes dropped in front. Byte
/// tests, not a `char` search per character: this runs for every word of every dated line.
fn trim_decoration(w: &str) -> (usize, &str) {
    let b = w.as_bytes();
    let mut lead = 0;
    loop {
        match b.get(lead) {
            Some(&c) if is_decoration_byte(c) => lead += 1,
            Some(0xE2) if b[lead..].starts_with(CLOSING_QUOTE) => lead += CLOSING_QUOTE.len(),
            _ => break,
        }
    }
    let mut end = b.len();
    while end > lead {
        if is_decoration_byte(b[end - 1]) {
            end -= 1;
        } else if b[lead..end].ends_with(CLOSING_QUOTE) {
            end -= CLOSING_QUOTE.len();
        } else {
            break;
        }
    }
    (lead, &w[lead..end])
}

fn classify(word: &str) -> Tok {
    let (_, w) = trim_decoration(word);
    if matches!(w, "-" | "–" | "—" | "to" | "until" | "till" | "through") {
        return Tok::Dash;
    }
    if is_year(w) {
        return Tok::Date;
    }
    // MM/YYYY, MM/DD/YYYY, YYYY-MM, YYYY-MM-DD, YYYY/MM
    // (Digit groups joined by '/' or '-', one of them a year; no collected parts.)
    if w.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        let (mut parts, mut digits, mut year) = (0usize, true, false);
        for p in w.split(['/', '-']) {
            parts += 1;
            digits &= !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
            year |= is_year(p);
        }
        if parts >= 2 && digits && year {
            return Tok::Date;
        }
    }
    // Month names and open ends are 3 to 9 ASCII letters long: compared lower-cased, as bytes.
    if !(3..=9).contains(&w.len()) || !w.as_bytes()[0].is_ascii_alphabetic() {
        return Tok::Other;
    }
    let mut buf = [0u8; 9];
    let lower = &mut buf[..w.len()];
    lower.copy_from_slice(w.as_bytes());
    lower.make_ascii_lowercase();
    if NAMED_SHAPES[usize::from(lower[0] - b'a')] & (1 << lower.len()) == 0 {
        return Tok::Other;
    }
    if MONTHS.iter().any(|m| m.as_bytes() == lower) {
        return Tok::Month;
    }
    if OPEN_ENDS.iter().any(|m| m.as_bytes() == lower) {
        return Tok::OpenEnd;
    }
    Tok::Other
}

/// Whether the character at byte `i` ends a token (whitespace, `|`, `·`, `•`), and its length.
/// ASCII is judged by its byte: there `char::is_whitespace` is the space and `\t`..=`\r`.
fn separator_at(line: &str, i: usize) -> (bool, usize) {
    let b = line.as_bytes()[i];
    if b < 0x80 {
        return (matches!(b, b' ' | b'\t'..=b'\r' | b'|'), 1);
    }
    let c = line[i..].chars().next().expect("i is on a char boundary");
    (c.is_whitespace() || c == '·' || c == '•', c.len_utf8())
}

/// Splits on whitespace, and splits `2019-2021` / `2019–2021` into year, dash, year.
fn tokens(line: &str) -> Vec<(Tok, Range<usize>)> {
    let mut out = Vec::with_capacity(16);
    let push_word = |out: &mut Vec<(Tok, Range<usize>)>, s: usize, e: usize| {
        // Decoration around a word is not part of a date (`*December`, `2014,`).
        let (lead, word) = trim_decoration(&line[s..e]);
        if word.is_empty() {
            out.push((Tok::Other, s..e));
            return;
        }
        let (s, e) = (s + lead, s + lead + word.len());
        // Only a word with '-', or with a byte 0xE2 that begins '–' and '—', can split.
        if word.bytes().any(|b| b == b'-' || b == 0xE2) {
            for dash in ['–', '—', '-'] {
                if let Some((a, b)) = word.split_once(dash) {
                    let (ta, tb) = (classify(a), classify(b));
                    if (ta == Tok::Date || ta == Tok::Month) && matches!(tb, Tok::Date | Tok::OpenEnd | Tok::Month) && is_year(a.trim_matches(|c: char| !c.is_ascii_digit())) {
                        let mid = s + a.len();
                        out.push((ta, s..mid));
                        out.push((Tok::Dash, mid..mid + dash.len_utf8()));
                        out.push((tb, mid + dash.len_utf8()..e));
                        return;
                    }
                }
            }
        }
        out.push((classify(word), s..e));
    };
    let mut start = None;
    let mut i = 0;
    while i < line.len() {
        let (separator, len) = separator_at(line, i);
        if separator {
            if let Some(s) = start.take() {
                push_word(&mut out, s, i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
        i += len;
    }
    if let Some(s) = start {
        push_word(&mut out, s, line.len());
    }
    out
}

/// Whether the text has a maximal run of exactly four ASCII digits making a year (`is_year`).
fn has_year_run(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i - s == 4 && (1950..=2049).contains(&b[s..i].iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'))) {
            return true;
        }
    }
    false
}

/// The byte range of the date expression in a line (a range if there is one, else the first
/// date), or None. A bare month without a year is not a date.
pub fn find_dates(line: &str) -> Option<Range<usize>> {
    // Every date has a year token, a run of exactly four digits (the characters around it end a
    // token or a part) from 1950 to 2049: no such run, no date.
    if !has_year_run(line.as_bytes()) {
        return None;
    }
    let toks = tokens(line);
    // A date point: [Month] Year | Date
    let point = |i: usize| -> Option<(usize, usize)> {
        match toks.get(i)?.0 {
            Tok::Month if toks.get(i + 1).is_some_and(|t| t.0 == Tok::Date) => Some((i, i + 2)),
            Tok::Date => Some((i, i + 1)),
            _ => None,
        }
    };
    let mut i = 0;
    let mut first: Option<Range<usize>> = None;
    while i < toks.len() {
        let Some((s, e)) = point(i) else {
            i += 1;
            continue;
        };
        // A range: point dash (point | open end).
        if toks.get(e).is_some_and(|t| t.0 == Tok::Dash) {
            if let Some((_, e2)) = point(e + 1) {
                return Some(toks[s].1.start..toks[e2 - 1].1.end);
            }
            if toks.get(e + 1).is_some_and(|t| t.0 == Tok::OpenEnd) {
                return Some(toks[s].1.start..toks[e + 1].1.end);
            }
        }
        first.get_or_insert(toks[s].1.start..toks[e - 1].1.end);
        i = e;
    }
    first
}

/// The months a date expression spans, as `year * 12 + month` (month 0 to 11), first to last:
/// "Jan 2020 – Present" gives January 2020 to `OPEN_END`, "2019-2021" January 2019 to December
/// 2021, "03/2018 to 06/2020" March 2018 to June 2020, "2016" the whole year; never ending before
/// it starts (a range written backwards spans its first month). None without a year.
pub fn months_spanned(date: &str) -> Option<(u32, u32)> {
    // Each point: its month, and whether the month was written (a bare year was not).
    let mut points: Vec<(u32, bool)> = Vec::with_capacity(2);
    let mut open = false;
    let mut month: Option<u32> = None;
    for (tok, r) in tokens(date) {
        let (_, w) = trim_decoration(&date[r]);
        match tok {
            Tok::Month => month = month_number(w),
            Tok::OpenEnd => open = true,
            Tok::Date => {
                let mut year = None;
                for part in w.split(['/', '-']) {
                    match part.parse::<u32>() {
                        Ok(y) if is_year(part) => year = Some(y),
                        Ok(m) if (1..=12).contains(&m) && month.is_none() => month = Some(m - 1),
                        _ => {}
                    }
                }
                if let Some(y) = year {
                    points.push((y * 12 + month.unwrap_or(0), month.is_some()));
                }
                month = None;
            }
            Tok::Dash | Tok::Other => {}
        }
    }
    let (first, _) = *points.first()?;
    let (last, named) = *points.last()?;
    // A bare year ends in its December.
    let end = if open { OPEN_END } else if named { last } else { last + 11 };
    Some((first, end.max(first)))
}

/// The end of a range that is still open ("– Present"): later than any dated month.
pub const OPEN_END: u32 = 2100 * 12;

/// A month or season name's month, 0 to 11 (seasons by their first month).
fn month_number(w: &str) -> Option<u32> {
    let l = w.get(..3)?.to_ascii_lowercase();
    let names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    names.iter().position(|n| *n == l).map(|m| m as u32).or(match l.as_str() {
        "spr" => Some(2),
        "sum" => Some(5),
        "fal" | "aut" => Some(8),
        "win" => Some(11),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(line: &str) -> Option<&str> {
        find_dates(line).map(|r| &line[r])
    }

    #[test]
    fn ranges_in_the_usual_forms() {
        assert_eq!(dates("Engineer, Acme — Jan 2020 – Present"), Some("Jan 2020 – Present"));
        assert_eq!(dates("Acme | Engineer | 2019-2021"), Some("2019-2021"));
        assert_eq!(dates("Austin, TX | 03/2018 to 06/2020"), Some("03/2018 to 06/2020"));
        assert_eq!(dates("*December 2013 - December 2014 · Palo Alto, CA*"), Some("December 2013 - December 2014"));
        assert_eq!(dates("Staff Engineer    February 2020 - Present"), Some("February 2020 - Present"));
        assert_eq!(dates("2020-01 – 2021-06"), Some("2020-01 – 2021-06"));
        assert_eq!(dates("B.S. Computer Science, MIT, 2015"), Some("2015"));
        assert_eq!(dates("Software Developer    2018-2022"), Some("2018-2022"));
        assert_eq!(dates("Jun 2024 – Sep 2024"), Some("Jun 2024 – Sep 2024"));
    }

    #[test]
    fn year_runs() {
        assert!(has_year_run(b"x 2019-2021") && has_year_run(b"03/1950") && has_year_run(b"2049"));
        assert!(!has_year_run(b"555-4567") && !has_year_run(b"20190") && !has_year_run(b"1949 2050") && !has_year_run(b"19 99"));
    }

    #[test]
    fn byte_tests_agree_with_the_char_tests() {
        const DECORATION: &[char] = &[',', '(', ')', '.', '*', '_', '[', ']', '\'', '’', ';', ':'];
        for w in ["", "*December", "2014,", "(2019)", "’’", "’x’", "x’s", "‘x", "...", "é.", ".–", "a’b", "’", "\u{2018}2019\u{201d}"] {
            let (lead, t) = trim_decoration(w);
            assert_eq!(t, w.trim_matches(DECORATION), "{w}");
            assert_eq!(lead, if t.is_empty() { w.len() } else { w.len() - w.trim_start_matches(DECORATION).len() }, "{w}");
        }
        let line = "a b\tc|d·e•f\u{a0}g\u{2003}h\u{b}i\u{1c}j–k";
        for (i, c) in line.char_indices() {
            assert_eq!(separator_at(line, i), (c.is_whitespace() || matches!(c, '|' | '·' | '•'), c.len_utf8()), "{c:?}");
        }
    }

    #[test]
    fn names_are_short_lower_case_words() {
        for w in MONTHS.iter().chain(OPEN_ENDS) {
            assert!((3..=9).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase()), "{w}");
        }
    }

    #[test]
    fn numbers_that_are_not_dates() {
        assert_eq!(dates("Cut runtime by 35% for 400 users"), None);
        assert_eq!(dates("May the force be with you"), None);
        assert_eq!(dates("Call (512) 555-0188"), None);
    }
    #[test]
    fn months_spanned_by_the_usual_forms() {
        let m = |y: u32, mo: u32| y * 12 + mo - 1;
        assert_eq!(months_spanned("Jan 2020 – Present"), Some((m(2020, 1), OPEN_END)));
        assert_eq!(months_spanned("2019-2021"), Some((m(2019, 1), m(2021, 12))));
        assert_eq!(months_spanned("2014 – 2025"), Some((m(2014, 1), m(2025, 12))));
        assert_eq!(months_spanned("03/2018 to 06/2020"), Some((m(2018, 3), m(2020, 6))));
        assert_eq!(months_spanned("2020-01 – 2021-06"), Some((m(2020, 1), m(2021, 6))));
        assert_eq!(months_spanned("December 2013 - December 2014"), Some((m(2013, 12), m(2014, 12))));
        assert_eq!(months_spanned("Summer 2024"), Some((m(2024, 6), m(2024, 6))));
        assert_eq!(months_spanned("2016"), Some((m(2016, 1), m(2016, 12))));
        assert_eq!(months_spanned("Oct 2019 – Jun 2024"), Some((m(2019, 10), m(2024, 6))));
        assert_eq!(months_spanned("(2019 – Present)"), Some((m(2019, 1), OPEN_END)));
        // A range written backwards spans its first month only, never less.
        assert_eq!(months_spanned("2021 – 2019"), Some((m(2021, 1), m(2021, 1))));
        assert_eq!(months_spanned("Present"), None);
        assert_eq!(months_spanned(""), None);
    }
}
