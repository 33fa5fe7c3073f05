//! Dates in resume lines: years, month names, `MM/YYYY`, `YYYY-MM`, and ranges between them
//! (`Jan 2020 – Present`, `2019-2021`, `03/2018 to 06/2020`). No regex: a scan over tokens.

use std::ops::Range;

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january", "february", "march", "april",
    "june", "july", "august", "september", "october", "november", "december", "spring", "summer", "fall", "autumn", "winter",
];
const OPEN_ENDS: &[&str] = &["present", "current", "now", "today", "ongoing"];

/// The words that are dashes ("2019 to 2021"), compared as they are.
const WORDED_DASHES: [&str; 4] = ["to", "until", "till", "through"];

/// For each first letter, the lengths (as bits) of the month names, open ends and worded dashes
/// that begin with it: most words are none, and are told so without comparing them with any.
const NAMED_SHAPES: [u16; 26] = {
    let mut shapes = [0u16; 26];
    let lists: [&[&str]; 3] = [MONTHS, OPEN_ENDS, &WORDED_DASHES];
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

/// Whether a word that begins with the ASCII letter `first` and is `len` bytes long has the shape
/// of a month name, an open end or a worded dash (`NAMED_SHAPES`, ignoring case).
fn named_shape(first: u8, len: usize) -> bool {
    len < 16 && NAMED_SHAPES[usize::from(first.to_ascii_lowercase() - b'a')] & (1 << len) != 0
}

/// For each first letter, the month names (bit `i` for `MONTHS[i]`) and open ends (bit
/// `MONTHS.len() + i` for `OPEN_ENDS[i]`) that begin with it: a word of a fitting shape is
/// compared with those alone.
const NAMES_BY_LETTER: [u64; 26] = {
    let mut names = [0u64; 26];
    let mut i = 0;
    while i < MONTHS.len() + OPEN_ENDS.len() {
        let w = if i < MONTHS.len() { MONTHS[i] } else { OPEN_ENDS[i - MONTHS.len()] };
        names[(w.as_bytes()[0] - b'a') as usize] |= 1 << i;
        i += 1;
    }
    names
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

fn is_year_bytes(b: &[u8]) -> bool {
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
#[inline(always)]
fn trim_decoration(w: &str) -> (usize, &str) {
    let b = w.as_bytes();
    // Most words have none: neither end is a decoration byte or '’' (E2 80 99; a dash, E2 80 93
    // or E2 80 94, is not), told where the word is read.
    if let (Some(&f), Some(&l)) = (b.first(), b.last()) {
        if !is_decoration_byte(f) && !b.starts_with(CLOSING_QUOTE) && !is_decoration_byte(l) && l != 0x99 {
            return (0, w);
        }
    }
    trim_decoration_bytes(w)
}

/// `trim_decoration` of a word that may have some, trimmed byte by byte.
fn trim_decoration_bytes(w: &str) -> (usize, &str) {
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
    classify_trimmed(trim_decoration(word).1)
}

/// `classify` of a word already without its decoration. Most words begin with a letter and have
/// no named shape (`named_shape`): told so where the word is read (always inlined), the rest by
/// `classify_named`.
#[inline(always)]
fn classify_trimmed(w: &str) -> Tok {
    match w.as_bytes().first() {
        Some(&first) if first.is_ascii_alphabetic() && !named_shape(first, w.len()) => Tok::Other,
        _ => classify_named(w),
    }
}

/// `classify_trimmed` of any word.
fn classify_named(w: &str) -> Tok {
    let b = w.as_bytes();
    let Some(&first) = b.first() else { return Tok::Other };
    // By the first byte: a date begins with a digit, a month name, open end or worded dash
    // ("to", "until") with a letter; anything else can only be a dash sign.
    if first.is_ascii_digit() {
        if is_year_bytes(b) {
            return Tok::Date;
        }
        // MM/YYYY, MM/DD/YYYY, YYYY-MM, YYYY-MM-DD, YYYY/MM
        // (Digit groups joined by '/' or '-', one of them a year; no collected parts.)
        let (mut parts, mut digits, mut year) = (0usize, true, false);
        // Split as bytes: '/' and '-' are ASCII, never inside another character.
        for p in b.split(|&b| b == b'/' || b == b'-') {
            parts += 1;
            digits &= !p.is_empty() && p.iter().all(u8::is_ascii_digit);
            year |= is_year_bytes(p);
        }
        return if parts >= 2 && digits && year { Tok::Date } else { Tok::Other };
    }
    if !first.is_ascii_alphabetic() {
        return if matches!(w, "-" | "–" | "—") { Tok::Dash } else { Tok::Other };
    }
    if WORDED_DASHES.contains(&w) {
        return Tok::Dash;
    }
    // Month names and open ends are compared lower-cased, as bytes, once their first letter and
    // length fit one of them.
    if !named_shape(first, b.len()) {
        return Tok::Other;
    }
    let mut names = NAMES_BY_LETTER[usize::from(first.to_ascii_lowercase() - b'a')];
    while names != 0 {
        let i = names.trailing_zeros() as usize;
        names &= names - 1;
        let (name, tok) = if i < MONTHS.len() { (MONTHS[i], Tok::Month) } else { (OPEN_ENDS[i - MONTHS.len()], Tok::OpenEnd) };
        if name.as_bytes().eq_ignore_ascii_case(b) {
            return tok;
        }
    }
    Tok::Other
}

/// Whether the character at byte `i` ends a token (whitespace, `|`, `·`, `•`), and its length.
/// Judged by its bytes, with no decoding: ASCII's whitespace (`char::is_whitespace`) is the space
/// and `\t`..=`\r`; above it, whitespace as `crate::text::begins_wide_space` judges it, and '·' is
/// U+00B7, '•' U+2022.
#[inline(always)]
fn separator_at(line: &str, i: usize) -> (bool, usize) {
    let b = &line.as_bytes()[i..];
    if b[0] < 0x80 {
        return (matches!(b[0], b' ' | b'\t'..=b'\r' | b'|'), 1);
    }
    (matches!(*b, [0xC2, 0xB7, ..] | [0xE2, 0x80, 0xA2, ..]) || crate::text::begins_wide_space(b), crate::text::char_len_at_lead(b[0]))
}

/// Splits on whitespace, and splits `2019-2021` / `2019–2021` into year, dash, year: the tokens
/// from byte `from` (the start of a word, or of the line) on.
fn tokens(line: &str, from: usize) -> Vec<(Tok, Range<usize>)> {
    let mut out = Vec::with_capacity(16);
    tokens_into(line, from, &mut out);
    out
}

/// `tokens`, appended to `out`.
fn tokens_into(line: &str, from: usize, out: &mut Vec<(Tok, Range<usize>)>) {
    for_each_token(line, from, |tok, r| out.push((tok, r)));
}

/// `tokens`, each handed to `f` in order: no vector for a caller that reads them once.
fn for_each_token(line: &str, from: usize, mut f: impl FnMut(Tok, Range<usize>)) {
    let mut push_word = |s: usize, e: usize| {
        // Decoration around a word is not part of a date (`*December`, `2014,`).
        let (lead, word) = trim_decoration(&line[s..e]);
        if word.is_empty() {
            f(Tok::Other, s..e);
            return;
        }
        let (s, e) = (s + lead, s + lead + word.len());
        // A word splits at the dash right after a year it begins with, when what follows the
        // dash begins a range (`2019-2021`, `2019.–Present`: see `dash_after_year`).
        if let Some((at, dash)) = dash_after_year(word.as_bytes()) {
            let tb = classify(&word[at + dash..]);
            if matches!(tb, Tok::Date | Tok::OpenEnd | Tok::Month) {
                let mid = s + at;
                f(Tok::Date, s..mid);
                f(Tok::Dash, mid..mid + dash);
                f(tb, mid + dash..e);
                return;
            }
        }
        f(classify_trimmed(word), s..e);
    };
    let b = line.as_bytes();
    let mut i = from;
    loop {
        while i < b.len() {
            let (separator, len) = separator_at(line, i);
            if !separator {
                break;
            }
            i += len;
        }
        if i >= b.len() {
            break;
        }
        let s = i;
        while i < b.len() {
            // Printable ASCII other than '|' first, one comparison a byte: most of a word.
            if b[i].wrapping_sub(b'!') <= b'~' - b'!' && b[i] != b'|' {
                i += 1;
                continue;
            }
            let (separator, len) = separator_at(line, i);
            if separator {
                break;
            }
            i += len;
        }
        push_word(s, i);
    }
}

/// Where a word (without its leading decoration) that begins with a year has a dash ('-', '–',
/// '—') right after it, past any decoration (`2019.–`, `2019’-`), and the dash's length: the one
/// place `tokens` can split a word. The part before a split must be a year or a month that holds
/// a year from its first digit to its last: a month holds no digit, a date with parts (`03/2019`)
/// more than four, and the part before any later dash holds this one too.
fn dash_after_year(word: &[u8]) -> Option<(usize, usize)> {
    if !word.get(..4).is_some_and(is_year_bytes) {
        return None;
    }
    let mut i = 4;
    loop {
        match word.get(i..)? {
            [b'-', ..] => return Some((i, 1)),
            [0xE2, 0x80, 0x93 | 0x94, ..] => return Some((i, 3)),
            [0xE2, 0x80, 0x99, ..] => i += CLOSING_QUOTE.len(),
            [c, ..] if is_decoration_byte(*c) => i += 1,
            _ => return None,
        }
    }
}

/// Where the text's first maximal run of exactly four ASCII digits making a year (`is_year`)
/// begins, if it has one.
fn first_year_run(b: &[u8]) -> Option<usize> {
    // Most lines hold fewer than four digits: counted first, by comparisons the compiler
    // vectorises, before the runs are walked byte by byte.
    if digit_count(b) < 4 {
        return None;
    }
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
        if i - s == 4 && is_year_bytes(&b[s..i]) {
            return Some(s);
        }
    }
    None
}

/// Where the tokens of a date whose first year is at byte `at` are read from: the start of the
/// word before the word holding `at` (words as `tokens` splits them) when that word may be a month
/// name, else of the word holding `at`. Only a month there can change what `date_in` finds (no
/// token before the first year is a date, and any other is skipped), and a month name ends in an
/// ASCII letter once its decoration (ASCII, or '’', whose last byte is 0x99) is trimmed: a word
/// that ends in another byte (most often the '—' of "Acme — 2019") is not read.
fn tokens_start(line: &str, at: usize) -> usize {
    let start = back_over(line, at, false);
    let end = back_over(line, start, true);
    match line.as_bytes()[..end].last() {
        Some(&c) if c.is_ascii_alphabetic() || is_decoration_byte(c) || c == 0x99 => back_over(line, end, false),
        _ => start,
    }
}

/// Where the characters before byte `j` stop being separators (`separators`) or not: walked
/// backwards by the bytes that begin them (no UTF-8 decoding but `separator_at`'s, for characters
/// above ASCII). Inlined in `tokens_start`'s three calls (a short walk each, most often over one
/// space or one character: a call's set-up cost as much).
#[inline(always)]
fn back_over(line: &str, mut j: usize, separators: bool) -> usize {
    let b = line.as_bytes();
    while j > 0 {
        let mut k = j - 1;
        while b[k] & 0xC0 == 0x80 {
            k -= 1;
        }
        if separator_at(line, k).0 != separators {
            break;
        }
        j = k;
    }
    j
}

/// The number of ASCII digits in `b` (counted in chunks whose count fits a `u8` lane).
pub(super) fn digit_count(b: &[u8]) -> usize {
    b.chunks(255).map(|c| usize::from(c.iter().fold(0u8, |n, d| n + u8::from(d.is_ascii_digit())))).sum()
}

/// The byte range of the date expression in a line (a range if there is one, else the first
/// date), or None. A bare month without a year is not a date.
pub fn find_dates(line: &str) -> Option<Range<usize>> {
    // Every date has a year token, a run of exactly four digits (the characters around it end a
    // token or a part) from 1950 to 2049: no such run, no date.
    let year = first_year_run(line.as_bytes())?;
    // The tokens of a date are its year tokens (each holding such a run), the month in front of
    // its first and what follows: none lies before the word ahead of the first run's word, and
    // the words there are not read.
    date_in(&tokens(line, tokens_start(line, year)))
}

/// `find_dates` of a line whose maximal runs of exactly four ASCII digits are known to begin at
/// `runs` (in order; `text::TextBits` finds them for all lines at once): the first that makes a
/// year is the one `first_year_run` would find.
/// `scratch` holds the tokens, its room kept from line to line.
pub fn find_dates_from_runs(line: &str, runs: impl IntoIterator<Item = usize>, scratch: &mut DateTokens) -> Option<Range<usize>> {
    let b = line.as_bytes();
    let year = runs.into_iter().find(|&s| is_year_bytes(&b[s..s + 4]))?;
    scratch.0.clear();
    tokens_into(line, tokens_start(line, year), &mut scratch.0);
    date_in(&scratch.0)
}

/// Room for a line's date tokens, for a caller that reads many lines (`find_dates_from_runs`).
#[derive(Default)]
pub struct DateTokens(Vec<(Tok, Range<usize>)>);

/// The date expression among a line's tokens (see `find_dates`).
fn date_in(toks: &[(Tok, Range<usize>)]) -> Option<Range<usize>> {
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
    // The first point's month, and the last's with whether its month was written (a bare year
    // was not).
    let (mut first, mut last): (Option<u32>, Option<(u32, bool)>) = (None, None);
    let mut open = false;
    let mut month: Option<u32> = None;
    for_each_token(date, 0, |tok, r| {
        let (_, w) = trim_decoration(&date[r]);
        match tok {
            Tok::Month => month = month_number(w),
            Tok::OpenEnd => open = true,
            Tok::Date => {
                let mut year = None;
                // Its parts between '/' and '-' read as numbers byte by byte, as `parse::<u32>`
                // would (ASCII digits, no overflow; an empty part is 0, which counts for nothing).
                for part in w.as_bytes().split(|&b| b == b'/' || b == b'-') {
                    match part.iter().try_fold(0u32, |v, &d| if d.is_ascii_digit() { v.checked_mul(10)?.checked_add(u32::from(d - b'0')) } else { None }) {
                        Some(y) if is_year_bytes(part) => year = Some(y),
                        Some(m) if (1..=12).contains(&m) && month.is_none() => month = Some(m - 1),
                        _ => {}
                    }
                }
                if let Some(y) = year {
                    let point = y * 12 + month.unwrap_or(0);
                    first.get_or_insert(point);
                    last = Some((point, month.is_some()));
                }
                month = None;
            }
            Tok::Dash | Tok::Other => {}
        }
    });
    let (first, (last, named)) = (first?, last?);
    // A bare year ends in its December.
    let end = if open { OPEN_END } else if named { last } else { last + 11 };
    Some((first, end.max(first)))
}

/// The end of a range that is still open ("– Present"): later than any dated month.
pub const OPEN_END: u32 = 2100 * 12;

/// A month or season name's month, 0 to 11 (seasons by their first month).
fn month_number(w: &str) -> Option<u32> {
    // Lower-cased as three bytes, no `String`: the names are ASCII, so a word whose third byte
    // ends no character matches none of them either way.
    let l = <[u8; 3]>::try_from(w.as_bytes().get(..3)?).expect("3 bytes").map(|b| b.to_ascii_lowercase());
    let names = [b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"];
    names.iter().position(|n| **n == l).map(|m| m as u32).or(match &l {
        b"spr" => Some(2),
        b"sum" => Some(5),
        b"fal" | b"aut" => Some(8),
        b"win" => Some(11),
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
        assert_eq!([&b"x 2019-2021"[..], b"03/1950", b"2049"].map(first_year_run), [Some(2), Some(3), Some(0)]);
        for b in [&b"555-4567"[..], b"20190", b"1949 2050", b"19 99"] {
            assert_eq!(first_year_run(b), None);
        }
        let long = "a1".repeat(300) + " 2019";
        assert_eq!(digit_count(long.as_bytes()), 304);
        assert_eq!((first_year_run(long.as_bytes()), first_year_run(&long.as_bytes()[..600])), (Some(601), None));
    }

    #[test]
    fn byte_tests_agree_with_the_char_tests() {
        const DECORATION: &[char] = &[',', '(', ')', '.', '*', '_', '[', ']', '\'', '’', ';', ':'];
        for w in ["", "*December", "2014,", "(2019)", "’’", "’x’", "x’s", "‘x", "...", "é.", ".–", "a’b", "’", "\u{2018}2019\u{201d}", "—", "–2019", "—’", "2019—", "’—"] {
            let (lead, t) = trim_decoration(w);
            assert_eq!(t, w.trim_matches(DECORATION), "{w}");
            assert_eq!(lead, if t.is_empty() { w.len() } else { w.len() - w.trim_start_matches(DECORATION).len() }, "{w}");
        }
        let line = "a b\tc|d·e•f\u{a0}g\u{2003}h\u{b}i\u{1c}j–k";
        for (i, c) in line.char_indices() {
            assert_eq!(separator_at(line, i), (c.is_whitespace() || matches!(c, '|' | '·' | '•'), c.len_utf8()), "{c:?}");
        }
        // Every character, by its bytes as by the char tests.
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            assert_eq!(separator_at(c.encode_utf8(&mut buf), 0), (c.is_whitespace() || matches!(c, '|' | '·' | '•'), c.len_utf8()), "{c:?}");
        }
    }

    /// `find_dates` reading all the tokens of the line, as it did before it skipped the words
    /// ahead of the first year's.
    fn dates_from_all_tokens(line: &str) -> Option<Range<usize>> {
        first_year_run(line.as_bytes()).and_then(|_| date_in(&tokens(line, 0)))
    }

    #[test]
    fn words_before() {
        let line = "a  bc\u{a0}·d | 2019–x";
        for (at, want) in [(0, 0), (1, 0), (3, 0), (4, 0), (9, 3), (13, 9), (15, 9), (line.len(), 9)] {
            assert_eq!(tokens_start(line, at), want, "{at}");
        }
        // A word before that ends in a byte no month name ends with is not read.
        let line = "x — 2019 (Jan. 2020’ 2021";
        for (at, want) in [(6, 6), (7, 6), (13, 11), (17, 11), (25, 17), (0, 0)] {
            assert_eq!(tokens_start(line, at), want, "{at}");
        }
    }

    #[test]
    fn dates_skip_the_words_before_the_first_year_alone() {
        for line in [
            "Engineer, Acme — Jan 2020 – Present", "May 2019", "x May 2019-2021", "2019.–2021 x", "Jan–2020", "(Jan 2019) to now", "*December 2013 - December 2014*",
            "Sept. 2019 | 2020", "ABC2019 Jan 2018 – 2019", "2050 Jan 2019", "Jan · 2019", "to 2019 – Present", "’Jan’ 2019", "",
        ] {
            assert_eq!(find_dates(line), dates_from_all_tokens(line), "{line:?}");
        }
        let mut dated = 0;
        for field in crate::segment::tests::sample_fields() {
            for line in field.lines() {
                let want = dates_from_all_tokens(line);
                assert_eq!(find_dates(line), want, "{line:?}");
                dated += usize::from(want.is_some());
            }
        }
        assert!(dated > 2000, "{dated} dated lines");
    }

    proptest::proptest! {
        #[test]
        fn dates_skip_only_words_without_a_date(line in "[ a-zA-Z0-9|·•\u{a0}().,’/–—-]{0,40}|((Jan|may|Present|to|19|20|2019|1949|[ –-]|[0-9]{1,5}) ?){0,8}") {
            proptest::prop_assert_eq!(find_dates(&line), dates_from_all_tokens(&line));
        }
    }

    /// `find_dates_from_runs` given the line's runs of exactly four digits, found byte by byte.
    fn dates_from_runs(line: &str) -> Option<Range<usize>> {
        let b = line.as_bytes();
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        find_dates_from_runs(line, (0..b.len()).filter(|&i| (i == 0 || !digit(i - 1)) && (i..i + 4).all(digit) && !digit(i + 4)), &mut DateTokens::default())
    }

    #[test]
    fn dates_from_runs_are_find_dates() {
        for line in ["", "Engineer, Acme — Jan 2020 – Present", "555-4567 2019", "20190 1949 2050 2021", "12345", "x 03/1950"] {
            assert_eq!(dates_from_runs(line), find_dates(line), "{line:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn dates_from_runs_agree_with_find_dates(line in "[ a-zA-Z0-9|·•\u{a0}().,’/–—-]{0,40}|((Jan|may|Present|to|19|20|2019|1949|[ –-]|[0-9]{1,5}) ?){0,8}") {
            proptest::prop_assert_eq!(dates_from_runs(&line), find_dates(&line));
        }
    }

    /// Where `tokens` split a word without its decoration before `dash_after_year`: at the first
    /// of each dash in turn, when the part before it is a year or a month holding a year from its
    /// first digit to its last and the part after it begins a range.
    fn split_at_any_dash(word: &str) -> Option<(usize, usize)> {
        ["–", "—", "-"].into_iter().find_map(|dash| {
            let at = word.find(dash)?;
            let (a, b) = (&word[..at], &word[at + dash.len()..]);
            let year = is_year_bytes(crate::text::trim_bytes(a.as_bytes(), |c| c.is_ascii_digit()));
            (matches!(classify(a), Tok::Date | Tok::Month) && year && matches!(classify(b), Tok::Date | Tok::OpenEnd | Tok::Month)).then_some((at, dash.len()))
        })
    }

    /// Where `tokens` split a word without its decoration now.
    fn split_after_year(word: &str) -> Option<(usize, usize)> {
        dash_after_year(word.as_bytes()).filter(|&(at, dash)| matches!(classify(&word[at + dash..]), Tok::Date | Tok::OpenEnd | Tok::Month))
    }

    #[test]
    fn words_split_only_at_a_dash_after_a_year() {
        for w in ["2019-2021", "2019–Present", "2019.–2021", "2019’—Jan", "2019-x–2020", "x–2019-2020", "20190-2021", "2019/03-2020", "Jan-2019", "2019-03-2020", "2019’", "2019-", "’2019-2020"] {
            let word = trim_decoration(w).1;
            assert_eq!(split_after_year(word), split_at_any_dash(word), "{w:?}");
        }
        for field in crate::segment::tests::sample_fields() {
            for w in field.split_whitespace() {
                let word = trim_decoration(w).1;
                assert_eq!(split_after_year(word), split_at_any_dash(word), "{w:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn words_split_where_any_dash_split_them(w in "((2019|1949|20190|Jan|may|Present|x|0?3|[.,’*()]|[–—-]|/)){0,7}") {
            let word = trim_decoration(&w).1;
            proptest::prop_assert_eq!(split_after_year(word), split_at_any_dash(word));
        }
    }

    #[test]
    fn names_are_short_lower_case_words() {
        for w in MONTHS.iter().chain(OPEN_ENDS) {
            assert!((3..=9).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase()), "{w}");
        }
        // One bit a name (`NAMES_BY_LETTER`), and no name on both lists.
        assert!(MONTHS.len() + OPEN_ENDS.len() <= 64 && !MONTHS.iter().any(|m| OPEN_ENDS.contains(m)));
        for w in MONTHS.iter().chain(OPEN_ENDS).chain(&["Present", "SEPT", "Now", "jun", "Summer", "nov", "may"]) {
            let want = if MONTHS.iter().any(|m| m.eq_ignore_ascii_case(w)) { Tok::Month } else { Tok::OpenEnd };
            assert_eq!(classify_trimmed(w), want, "{w}");
        }
        for w in ["pres", "ma", "octobers", "presents", "Jane", "nowhere", "sum", "todays"] {
            assert_eq!(classify_trimmed(w), Tok::Other, "{w}");
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
