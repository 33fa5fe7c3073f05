//! Pure text utilities shared by every stage: tokenising, normalising, stop words, skill and term
//! extraction, and cheap token estimates. No I/O, no allocation beyond what the caller keeps.

mod skills;
mod stopwords;

pub use skills::{skill_name, skills_in, skills_in_tokens, SKILL_TERMS};
pub use stopwords::is_stopword;

/// Splits text into word tokens, as borrowed slices in order.
///
/// A token is a run of letters and digits, with `+`, `#`, `.`, `/`, `-`, `'` and `&` allowed inside it
/// (so `C++`, `C#`, `Node.js`, `CI/CD`, `front-end` and `AT&T` stay whole); trailing punctuation is
/// not part of a token (`Python.` gives `Python`) except the `+` and `#` that end `C++` and `C#`.
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// Iterator behind [`words`]; a clone reads on from the same place.
#[derive(Clone)]
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_inner_char(c: char) -> bool {
    matches!(c, '+' | '#' | '.' | '/' | '-' | '\'' | '&' | '\u{2019}')
}

/// How the tokeniser reads a byte: ASCII bytes are classed by this table, one load each, and a
/// byte above ASCII starts a character that is decoded and judged by `is_word_char` and
/// `is_inner_char` (the table agrees with them on every ASCII character).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ByteClass {
    Separator,
    Word,
    Inner,
    NonAscii,
}

const BYTE_CLASS: [ByteClass; 256] = {
    let mut table = [ByteClass::NonAscii; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => ByteClass::Word,
            b'+' | b'#' | b'.' | b'/' | b'-' | b'\'' | b'&' => ByteClass::Inner,
            _ => ByteClass::Separator,
        };
        b += 1;
    }
    table
};

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let char_at = |i: usize| self.text[i..].chars().next().expect("i is on a char boundary");
        let mut i = self.pos;
        let start = loop {
            let &b = bytes.get(i)?;
            match BYTE_CLASS[usize::from(b)] {
                ByteClass::Word => break i,
                ByteClass::NonAscii => {
                    let c = char_at(i);
                    if is_word_char(c) {
                        break i;
                    }
                    i += c.len_utf8();
                }
                ByteClass::Separator | ByteClass::Inner => i += 1,
            }
        };
        let mut end = start;
        let mut last_word_end = start;
        while let Some(&b) = bytes.get(end) {
            match BYTE_CLASS[usize::from(b)] {
                ByteClass::Word => {
                    end += 1;
                    last_word_end = end;
                }
                ByteClass::Inner => end += 1,
                ByteClass::Separator => break,
                ByteClass::NonAscii => {
                    let c = char_at(end);
                    if is_word_char(c) {
                        end += c.len_utf8();
                        last_word_end = end;
                    } else if is_inner_char(c) {
                        end += c.len_utf8();
                    } else {
                        break;
                    }
                }
            }
        }
        // Keep a trailing run of '+' or '#' (C++, C#, F#); drop other trailing punctuation.
        let keep = bytes[last_word_end..end].iter().take_while(|&&b| b == b'+' || b == b'#').count();
        let token_end = last_word_end + keep;
        self.pos = end.max(token_end);
        Some(&self.text[start..token_end])
    }
}

/// Lower-cases a token for comparison. ASCII fast path; other text goes through Unicode lowering.
pub fn fold(token: &str) -> String {
    if token.is_ascii() {
        token.to_ascii_lowercase()
    } else {
        token.to_lowercase()
    }
}

/// `fold` into a reused buffer.
pub fn fold_into(token: &str, out: &mut String) {
    out.clear();
    fold_append(token, out);
}

/// Appends the folded token to `out`.
pub fn fold_append(token: &str, out: &mut String) {
    if token.is_ascii() {
        let start = out.len();
        out.push_str(token);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(token.chars().flat_map(char::to_lowercase));
    }
}

/// A fixed set of lower-case ASCII needles, looked for anywhere in a text ignoring ASCII case: one
/// Aho-Corasick pass (the crate the local provider's filler search uses too), with no lower-cased
/// copy of the text and no substring search per needle.
pub struct NeedleSet {
    matcher: aho_corasick::AhoCorasick,
}

impl NeedleSet {
    pub fn new(needles: &[&'static str]) -> NeedleSet {
        let matcher = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(needles).expect("a few short needles always build");
        NeedleSet { matcher }
    }

    /// Whether `text` contains any of the needles, ignoring ASCII case.
    pub fn found_in(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }
}

/// A cheap exact pre-check for lookups in a fixed set of keys: a 4096-bit set of the keys'
/// (first byte, last byte, length). A word whose triple is not in it is not a key, without
/// hashing it; any other word still needs the lookup.
pub struct KeyFilter {
    bits: [u64; 64],
}

impl KeyFilter {
    pub fn new<'k>(keys: impl IntoIterator<Item = &'k str>) -> KeyFilter {
        let mut bits = [0u64; 64];
        for k in keys {
            if let (Some(&first), Some(&last)) = (k.as_bytes().first(), k.as_bytes().last()) {
                let i = Self::slot(first, last, k.len());
                bits[i >> 6] |= 1 << (i & 63);
            }
        }
        KeyFilter { bits }
    }

    fn slot(first: u8, last: u8, len: usize) -> usize {
        let h = u32::from(first).wrapping_mul(0x9E37_79B9) ^ u32::from(last).wrapping_mul(0x85EB_CA6B) ^ (len as u32).wrapping_mul(0xC2B2_AE35);
        ((h ^ (h >> 15)) & 4095) as usize
    }

    /// False only when `word` is certainly not a key (the empty word never is one).
    pub fn may_contain(&self, word: &str) -> bool {
        let b = word.as_bytes();
        !b.is_empty() && self.may_contain_parts(b[0], b[b.len() - 1], b.len())
    }

    /// `may_contain` for a word of `len` bytes (at least one) with this first and last byte.
    pub fn may_contain_parts(&self, first: u8, last: u8, len: usize) -> bool {
        let i = Self::slot(first, last, len);
        self.bits[i >> 6] & (1 << (i & 63)) != 0
    }
}

/// True when the token carries a digit: numbers, dates, percentages, versions (`2019`, `40%`, `v2`).
pub fn has_digit(token: &str) -> bool {
    token.bytes().any(|b| b.is_ascii_digit())
}

/// True when the text is exactly one character (`chars().count() == 1` without counting them all).
pub fn is_one_char(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some() && c.next().is_none()
}

/// True when the token starts with an upper-case letter.
pub fn is_capitalised(token: &str) -> bool {
    token.chars().next().is_some_and(char::is_uppercase)
}

/// A cheap estimate of LLM tokens for a text: about four bytes a token for English prose. Used where a
/// provider reports no usage and for planning; never for billing a provider that reports usage.
pub fn approx_tokens(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(4)).unwrap_or(u32::MAX)
}

/// Words counted as content terms: folded, not stop words, not pure numbers, at least two characters.
pub fn content_terms(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).filter_map(|w| {
        let f = fold(w);
        (f.chars().count() >= 2 && !is_stopword(&f) && !f.bytes().all(|b| b.is_ascii_digit())).then_some(f)
    })
}

/// Leading bullet glyph of a line, if any: `-`, `*`, `•`, `·`, `–`, `▪`, `◦`, `>` followed by a space, or
/// a numbered marker like `1.` / `2)`. Returns the byte length of the marker including its space.
pub fn bullet_marker_len(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let mut chars = trimmed.char_indices();
    let (_, first) = chars.next()?;
    if matches!(first, '-' | '*' | '•' | '·' | '–' | '▪' | '◦' | '>' | '●' | '○' | '■' | '‣' | '➢' | '➤' | '❖' | '◆' | '►' | '✓' | '✔') {
        let after = first.len_utf8();
        return trimmed[after..].starts_with(' ').then_some(indent + after + 1);
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &trimmed[digits..];
        if rest.starts_with(". ") || rest.starts_with(") ") {
            return Some(indent + digits + 2);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        words(s).collect()
    }

    #[test]
    fn words_keep_technical_tokens_whole() {
        assert_eq!(toks("C++, C# and Node.js; CI/CD."), vec!["C++", "C#", "and", "Node.js", "CI/CD"]);
        assert_eq!(toks("front-end work at AT&T (2019-2021)"), vec!["front-end", "work", "at", "AT&T", "2019-2021"]);
        assert_eq!(toks("Python."), vec!["Python"]);
        assert_eq!(toks("  ...  "), Vec::<&str>::new());
        assert_eq!(toks("naïve café"), vec!["naïve", "café"]);
    }

    #[test]
    fn byte_table_agrees_with_the_char_tests() {
        for b in 0u8..128 {
            let c = char::from(b);
            let want = if is_word_char(c) {
                ByteClass::Word
            } else if is_inner_char(c) {
                ByteClass::Inner
            } else {
                ByteClass::Separator
            };
            assert!(BYTE_CLASS[usize::from(b)] == want, "byte {b}");
        }
    }

    #[test]
    fn content_terms_drop_stop_words_and_numbers() {
        let t: Vec<String> = content_terms("The team of 12 built a Python API with the users").collect();
        assert_eq!(t, vec!["team", "built", "python", "api", "users"]);
    }

    #[test]
    fn bullet_markers() {
        assert_eq!(bullet_marker_len("- did x"), Some(2));
        assert_eq!(bullet_marker_len("  • did x"), Some(2 + '•'.len_utf8() + 1));
        assert_eq!(bullet_marker_len("12. did x"), Some(4));
        assert_eq!(bullet_marker_len("-did x"), None);
        assert_eq!(bullet_marker_len("2019 - 2020"), None);
    }

    /// The plain reading of a needle set: one lower-cased copy, a substring search per needle.
    fn contains_any_ignore_case(text: &str, needles: &[&str]) -> bool {
        let lower = text.to_ascii_lowercase();
        needles.iter().any(|n| lower.contains(n))
    }

    #[test]
    fn needle_set_agrees_with_contains_any_ignore_case() {
        let needles = ["b.s", "phd", "university", "ma", "m.a"];
        let set = NeedleSet::new(&needles);
        for text in ["", "B.S. in CS", "PhD", "Ph.D", "UNIVERSITY of X", "Stanford", "Mä", "maîtrise", "xm", "m", "M.", "naïve MA", "é"] {
            assert_eq!(set.found_in(text), contains_any_ignore_case(text, &needles), "{text}");
        }
        assert!(NeedleSet::new(&[""]).found_in("x"));
        assert!(!NeedleSet::new(&[]).found_in("x"));
    }

    #[test]
    fn key_filter_never_rejects_a_key() {
        let keys = ["python", "c", "ruby on rails", "a-very-long-key-of-more-than-sixty-three-bytes-to-check-the-cap-x"];
        let f = KeyFilter::new(keys);
        assert!(keys.iter().all(|k| f.may_contain(k)));
        assert!(!f.may_contain("pythons") && !f.may_contain("java") && !f.may_contain(""));
    }

    #[test]
    fn approx_tokens_rounds_up() {
        assert_eq!(approx_tokens(""), 0);
        assert_eq!(approx_tokens("abcde"), 2);
    }
}
