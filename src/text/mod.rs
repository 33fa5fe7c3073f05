//! Pure text utilities shared by every stage: tokenising, normalising, stop words, skill and term
//! extraction, and cheap token estimates. No I/O, no allocation beyond what the caller keeps.

mod skills;
mod stopwords;
mod wordtable;

pub(crate) use skills::SkillScan;
pub use skills::{skill_name, skills_in, skills_in_tokens, SkillHits, SKILL_TERMS};
pub use stopwords::is_stopword;
pub use wordtable::WordTable;

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
    is_alphanumeric(c)
}

/// `char::is_alphanumeric`, with ASCII and the General Punctuation block (U+2000..=U+206F:
/// dashes, quotes, bullets, spaces, none of them alphanumeric, as a test checks) answered without
/// the Unicode tables: resumes are full of '–', '—', '•' and '’'.
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        !('\u{2000}'..='\u{206F}').contains(&c) && c.is_alphanumeric()
    }
}

/// `word` without the characters around it that are neither alphanumeric nor an ASCII byte
/// `keep` accepts. An ASCII word is trimmed by its bytes, the same answer as the `char` tests that
/// other words take (hot: every word of every line goes through it).
#[inline]
pub fn trim_keeping(word: &str, keep: impl Fn(u8) -> bool) -> &str {
    if !word.is_ascii() {
        return word.trim_matches(|c: char| !(is_alphanumeric(c) || (c.is_ascii() && keep(c as u8))));
    }
    let b = word.as_bytes();
    let core = trim_bytes(b, |c| c.is_ascii_alphanumeric() || keep(c));
    // ASCII: every byte is a character boundary.
    let start = core.as_ptr() as usize - b.as_ptr() as usize;
    &word[start..start + core.len()]
}

/// `s.trim()`, by bytes where it can be: the ASCII whitespace at the ends is cut off without
/// decoding a character (nothing, when both ends are other ASCII bytes: most lines); an end that
/// is then above ASCII ("Analyst, Initech —") is decoded, and only if it is a wider space is the
/// rest left to `str::trim`.
#[inline(always)]
pub fn trim(s: &str) -> &str {
    // Both ends printable ASCII: nothing to cut, nothing to slice.
    if let (Some(first), Some(last)) = (s.as_bytes().first(), s.as_bytes().last()) {
        if first.is_ascii_graphic() && last.is_ascii_graphic() {
            return s;
        }
    }
    let core = trim_bytes(s.as_bytes(), |c| !is_ascii_space(c));
    // Cut at ASCII bytes only: character boundaries.
    let start = core.as_ptr() as usize - s.as_ptr() as usize;
    let t = &s[start..start + core.len()];
    let wide_space = |c: Option<char>| c.is_some_and(char::is_whitespace);
    match (core.first(), core.last()) {
        (Some(&first), Some(&last)) if (first >= 0x80 && wide_space(t.chars().next())) || (last >= 0x80 && wide_space(t.chars().next_back())) => t.trim(),
        _ => t,
    }
}

/// Whether a byte ends a trim of whitespace where it stands: an ASCII byte that is not
/// whitespace is a character that is not (`char::is_whitespace`).
#[inline(always)]
pub fn stops_trim(b: u8) -> bool {
    b.is_ascii() && !is_ascii_space(b)
}

/// `str::trim_start`, with no search for a text that begins with an ASCII byte that is not
/// whitespace (most lines: nothing to cut).
#[inline(always)]
pub fn trim_start(s: &str) -> &str {
    if s.as_bytes().first().is_some_and(|&b| stops_trim(b)) {
        s
    } else {
        s.trim_start()
    }
}

/// `str::trim_end`, with no search for a text that ends with an ASCII byte that is not
/// whitespace.
#[inline(always)]
pub fn trim_end(s: &str) -> &str {
    if s.as_bytes().last().is_some_and(|&b| stops_trim(b)) {
        s
    } else {
        s.trim_end()
    }
}

/// `b` from its first byte `kept` accepts to its last; empty (at the start of `b`) when there is
/// none.
#[inline(always)]
pub fn trim_bytes(b: &[u8], kept: impl Fn(u8) -> bool) -> &[u8] {
    // Most words keep both ends: no search.
    if let (Some(&first), Some(&last)) = (b.first(), b.last()) {
        if kept(first) && kept(last) {
            return b;
        }
    }
    match (b.iter().position(|&c| kept(c)), b.iter().rposition(|&c| kept(c))) {
        (Some(start), Some(end)) => &b[start..=end],
        _ => &b[..0],
    }
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

/// Calls `chunk(k, before, starts, digits)` for every 64 bytes of `text` in order (`before`: the
/// tokens that start in the chunks before; bit j for byte 64k + j: where tokens start, where
/// ASCII digits are), and `token(i, start, end, ascii)` with the index and byte range of every
/// token, in order: exactly those of [`words`], found another way, in one pass over the text. A token is
/// the stretch of a run of word and inner characters (see `Words`) from its first word character
/// to its last, with the '+' and '#' right after that; runs without a word character give none.
/// `ascii` is true only for a token that is ASCII (for every token of a text with no byte above
/// ASCII; one read near such a byte is tested), so that a caller can look it up by its bytes
/// (`SkillScan::push_ascii`). Gives back the number of tokens.
///
/// Every byte is marked in bit sets (word, inner), for ASCII by comparisons (`masks_of`), and
/// where tokens start is computed 64 bytes at a time by bit arithmetic: a run's first word byte
/// is where the sum of the run's leading inner bytes and the bit of its first byte carries to
/// (the sum's carry out of a chunk goes on into the next). A token ends after its last word
/// byte and the '+' and '#' right after, at the first byte past the word byte that is neither:
/// where adding the bit past each word byte to the '+' and '#' bits carries to, when that is no
/// word byte (the sum's carry goes on into the next chunk too). The open token's end is the last
/// such end before the next token's start (or the text's end): a token is handed over when the
/// next one starts, with no pass backward and no byte read.
pub(crate) fn each_token(text: &str, mut chunk: impl FnMut(usize, usize, u64, u64), mut token: impl FnMut(usize, usize, usize, bool)) -> usize {
    let b = text.as_bytes();
    // Whether a run goes on from the chunk before (its last byte is a word or inner byte), and
    // whether that run has had no word byte yet (the sum's carry).
    let (mut in_run, mut no_word_yet) = (0u64, false);
    // The bits of a character above ASCII that runs on into the next chunk.
    let (mut spill_word, mut spill_inner) = (0u64, 0u64);
    // The open token's start (the last one found); the last end (see above) read; one past the
    // last byte above ASCII read.
    let (mut open, mut last_end, mut high_end) = (None, 0, 0);
    // The bit past a chunk's last byte when it is a word byte, or the carry of its ends' sum out
    // of it: an end's search goes on into the next chunk.
    let mut end_carry = 0u64;
    let mut tokens = 0;
    for (k, bytes) in b.chunks(64).enumerate() {
        let base = k * 64;
        let [mut word, mut inner, high, digits, plus_hash] = masks_of(bytes);
        (word, inner) = (word | spill_word, inner | spill_inner);
        (spill_word, spill_inner) = (0, 0);
        if high != 0 {
            // Bytes above ASCII are marked 0 by `masks_of`: the characters they begin (at lead
            // bytes, 0b11xxxxxx, visited by their bits) are decoded, each marking all its bytes,
            // the ones past the chunk in the next.
            let mut leads = bits_where(bytes, |c| c >= 0xC0);
            while leads != 0 {
                let i = leads.trailing_zeros();
                leads &= leads - 1;
                let ch = text[base + i as usize..].chars().next().expect("a lead byte begins a character");
                let bits = ((1u128 << ch.len_utf8()) - 1) << i;
                if is_word_char(ch) {
                    (word, spill_word) = (word | bits as u64, spill_word | (bits >> 64) as u64);
                } else if is_inner_char(ch) {
                    (inner, spill_inner) = (inner | bits as u64, spill_inner | (bits >> 64) as u64);
                }
            }
            high_end = base + 64 - high.leading_zeros() as usize;
        }
        // A token starts at a run's first byte when it is a word byte, or where the run's leading
        // inner bytes end when a word byte is there: adding the run's first bit to the inner bits
        // carries through them to the byte after.
        let part = word | inner;
        let run_starts = part & !((part << 1) | in_run);
        let (sum, over) = inner.overflowing_add((run_starts & inner) | u64::from(no_word_yet));
        let starts = word & (run_starts | sum);
        (in_run, no_word_yet) = (part >> 63, over);
        // Where tokens end (see above): each word byte's next bit carried through the '+' and '#'
        // after it, landing on no word byte.
        let (sum, over) = plus_hash.overflowing_add((word << 1) | end_carry);
        let ends = sum & !plus_hash & !word;
        end_carry = (word >> 63) | u64::from(over);
        chunk(k, tokens, starts, digits);
        let mut bits = starts;
        // The text's first token opens with none before it to hand over: the loop below has no
        // test for it.
        if open.is_none() && bits != 0 {
            open = Some(base + bits.trailing_zeros() as usize);
            bits &= bits - 1;
            tokens += 1;
        }
        if let Some(mut start) = open {
            // The open token's index.
            let mut i = tokens - 1;
            // The tokens handed over, `all_ascii` when no byte above ASCII has been read from the
            // open token's start on (so from any later one's): then none is tested, the loop
            // written out twice, for either case.
            macro_rules! hand_over {
                ($all_ascii:expr) => {
                    while bits != 0 {
                        let low = bits & bits.wrapping_neg();
                        bits ^= low;
                        // The open token's end is the last one below this start.
                        let below = ends & (low - 1);
                        let end = if below != 0 { base + 63 - below.leading_zeros() as usize } else { last_end };
                        // ASCII when no byte above ASCII has been read from its start on, or (begun in
                        // this chunk, so ending in it) none is among its bytes' bits.
                        let ascii = $all_ascii || high_end <= start || if start >= base { high >> (start - base) & ((1 << (end - start)) - 1) == 0 } else { b[start..end].is_ascii() };
                        token(i, start, end, ascii);
                        start = base + low.trailing_zeros() as usize;
                        i += 1;
                    }
                };
            }
            if high_end <= start {
                hand_over!(true);
            } else {
                hand_over!(false);
            }
            (open, tokens) = (Some(start), i + 1);
        }
        if ends != 0 {
            last_end = base + 63 - ends.leading_zeros() as usize;
        }
    }
    if let Some(start) = open {
        // An end carried out of the last chunk is the text's end.
        let end = if end_carry != 0 { b.len() } else { last_end };
        token(tokens - 1, start, end, high_end <= start || b[start..end].is_ascii());
    }
    tokens
}

/// Of up to 64 bytes, five bit sets (bit j for byte j): word characters (ASCII letters and
/// digits, `BYTE_CLASS`'s `Word`), inner ones (its `Inner`), bytes above ASCII, ASCII digits,
/// and '+' and '#', judged in a fixed-size block (`block64`, `token_bits`).
#[inline(always)]
fn masks_of(chunk: &[u8]) -> [u64; 5] {
    token_bits(&block64(chunk, 0))
}

/// `masks_of` of a block by SSE2, sixteen bytes at a time: range tests of one signed comparison
/// each (`byte_range_m128i`; a letter's byte or-ed with 0x20 is lower-case), the inner bytes as
/// a range and a byte of the bytes with bit 3 cleared and '-', and the high bits read as they
/// are (`pmovmskb`).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn token_bits(block: &[u8; 64]) -> [u64; 5] {
    use safe_arch::{bitand_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    let within = byte_range_m128i;
    let bits = |m: m128i, k: usize| u64::from(move_mask_i8_m128i(m) as u16) << (16 * k);
    let [mut word, mut inner, mut high, mut digits, mut plus_hash] = [0u64; 5];
    for (k, sixteen) in block.chunks_exact(16).enumerate() {
        let x = load_unaligned_m128i(sixteen.try_into().expect("16 bytes"));
        let digit = within(x, b'0', 10);
        word |= bits(bitor_m128i(within(bitor_m128i(x, splat(0x20)), b'a', 26), digit), k);
        // Without bit 3 (0xF7), '#' and '+' are 0x23, and '&', '\'', '.' and '/' are 0x26 and
        // 0x27 (no other byte is any of them); '-' is tested alone.
        let folded = bitand_m128i(x, splat(0xF7));
        let hash_plus = cmp_eq_mask_i8_m128i(folded, splat(b'#'));
        inner |= bits(bitor_m128i(bitor_m128i(within(folded, b'&', 2), cmp_eq_mask_i8_m128i(x, splat(b'-'))), hash_plus), k);
        high |= bits(x, k);
        digits |= bits(digit, k);
        plus_hash |= bits(hash_plus, k);
    }
    [word, inner, high, digits, plus_hash]
}

/// `token_bits` elsewhere: `judged_token_bits`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn token_bits(block: &[u8; 64]) -> [u64; 5] {
    judged_token_bits(block)
}

/// `token_bits` in portable code: each set judged by comparisons (`block_bits`), which the
/// compiler vectorises. Built and tested everywhere; used where there is no SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
#[inline(always)]
fn judged_token_bits(block: &[u8; 64]) -> [u64; 5] {
    let digit = |c: u8| c.wrapping_sub(b'0') < 10;
    let word = |c: u8| (c | 0x20).wrapping_sub(b'a') < 26 || digit(c);
    let inner = |c: u8| matches!(c, b'+' | b'#' | b'.' | b'/' | b'-' | b'\'' | b'&');
    [block_bits(block, word), block_bits(block, inner), high_bits(block), block_bits(block, digit), block_bits(block, |c| c == b'+' || c == b'#')]
}

/// The whitespace-separated words of a text: exactly `str::split_whitespace`, but ASCII is judged
/// by its byte (where `char::is_whitespace` is the space and `\t`..=`\r`) and only other
/// characters are decoded. The segmenter splits every line this way, several times.
pub fn split_whitespace(text: &str) -> SplitWhitespace<'_> {
    SplitWhitespace { text, pos: 0 }
}

/// Iterator behind [`split_whitespace`].
#[derive(Clone)]
pub struct SplitWhitespace<'a> {
    text: &'a str,
    pos: usize,
}

/// Whether an ASCII byte is whitespace (`char::is_whitespace`: the space and `\t`..=`\r`).
pub const fn is_ascii_space(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') <= b'\r' - b'\t'
}

/// Whether the character at byte `i` of `text` (above ASCII) is whitespace, and its length
/// (`begins_wide_space`, `char_len_at_lead`).
#[inline(never)]
fn wide_whitespace_at(text: &str, i: usize) -> (bool, usize) {
    let b = &text.as_bytes()[i..];
    (begins_wide_space(b), char_len_at_lead(b[0]))
}

/// Whether bytes (from a character's lead byte above ASCII) begin a whitespace character, judged
/// by its bytes with no decoding: above ASCII, whitespace (`char::is_whitespace`, Unicode's
/// `White_Space`) is U+0085, U+00A0, U+1680, U+2000..=U+200A, U+2028, U+2029, U+202F, U+205F and
/// U+3000.
#[inline(always)]
pub(crate) fn begins_wide_space(b: &[u8]) -> bool {
    matches!(*b, [0xC2, 0x85 | 0xA0, ..] | [0xE1, 0x9A, 0x80, ..] | [0xE3, 0x80, 0x80, ..] | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..] | [0xE2, 0x81, 0x9F, ..])
}

/// The length of the character a lead byte above ASCII begins: 110xxxxx, 1110xxxx, 11110xxx.
#[inline(always)]
pub(crate) fn char_len_at_lead(lead: u8) -> usize {
    2 + usize::from(lead >= 0xE0) + usize::from(lead >= 0xF0)
}

impl<'a> Iterator for SplitWhitespace<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let b = self.text.as_bytes();
        let mut i = self.pos;
        while i < b.len() {
            if b[i] < 0x80 {
                if !is_ascii_space(b[i]) {
                    break;
                }
                i += 1;
            } else {
                match wide_whitespace_at(self.text, i) {
                    (true, n) => i += n,
                    (false, _) => break,
                }
            }
        }
        if i >= b.len() {
            self.pos = i;
            return None;
        }
        let start = i;
        while i < b.len() {
            // Printable ASCII ('!'..='~') first, one comparison a byte: most of a word.
            if b[i].wrapping_sub(b'!') <= b'~' - b'!' {
                i += 1;
            } else if b[i] < 0x80 {
                if is_ascii_space(b[i]) {
                    break;
                }
                i += 1;
            } else {
                match wide_whitespace_at(self.text, i) {
                    (true, _) => break,
                    (false, n) => i += n,
                }
            }
        }
        self.pos = i;
        Some(&self.text[start..i])
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
        fold_append_ascii(token, out);
    } else {
        out.extend(token.chars().flat_map(char::to_lowercase));
    }
}

/// `fold_append` of a token its caller knows to be ASCII (the words of an ASCII line): not
/// tested again.
pub fn fold_append_ascii(token: &str, out: &mut String) {
    let start = out.len();
    out.push_str(token);
    out[start..].make_ascii_lowercase();
}

/// Bit j set where byte j of `b` (at most 64 bytes) passes `is`, none past its end: judged in a
/// fixed-size block (`block64`, `block_bits`), which the compiler vectorises when `is` is made of
/// comparisons.
#[inline]
pub fn bits_where(b: &[u8], is: impl Fn(u8) -> bool) -> u64 {
    BitsWhere::of(b).bits(is)
}

/// Up to 64 bytes made a block once for several tests of `bits_where`'s (one copy of the bytes,
/// not one a test).
pub struct BitsWhere {
    block: [u8; 64],
    /// The bits of the bytes there are.
    within: u64,
}

impl BitsWhere {
    #[inline]
    pub fn of(b: &[u8]) -> BitsWhere {
        BitsWhere { block: block64(b, 0), within: if b.len() >= 64 { !0 } else { !(!0u64 << b.len()) } }
    }

    /// `bits_where` of the bytes with `is`.
    #[inline]
    pub fn bits(&self, is: impl Fn(u8) -> bool) -> u64 {
        block_bits(&self.block, is) & self.within
    }
}

/// Bit sets of a whole text for reading it line by line, one `u64` for every 64 bytes (bit j of
/// the k-th for byte 64k + j): where lines break, where the words of [`split_whitespace`] begin,
/// where ASCII digits are, and where maximal runs of exactly four of them begin. One pass of comparisons the
/// compiler vectorises or SSE2 does (`line_masks_of`) over the text stands in for a search per line
/// for its end, a count of its words and a count of its digits; a line's share is then a few
/// bit operations on its chunks.
pub struct TextBits {
    len: usize,
    chunks: Vec<ChunkBits>,
    /// How many '\n' the text holds.
    newlines: usize,
}

/// The bits of one chunk of 64 bytes (see `TextBits`).
#[derive(Clone, Copy, Default)]
struct ChunkBits {
    newlines: u64,
    word_starts: u64,
    digits: u64,
    four_digits: u64,
}

impl TextBits {
    pub fn of(text: &str) -> TextBits {
        let b = text.as_bytes();
        let mut chunks = vec![ChunkBits::default(); b.len().div_ceil(64)];
        // Whether the byte before the chunk is a word byte (no word starts right after one), and
        // the bytes of a wide space begun in the chunk before that run on into this one.
        let (mut word_before, mut spill, mut lines) = (0u64, 0u64, 0);
        let mut judge = |bits: &mut ChunkBits, base: usize, block: &[u8; 64]| {
            let [newlines, mut word, digits, high] = line_masks_of(block);
            // A chunk holds a line break or two: counted a bit at a time, cheaper than a
            // population count of the whole word (no `popcnt` in the baseline x86_64).
            let mut each = newlines;
            while each != 0 {
                lines += 1;
                each &= each - 1;
            }
            // Most chunks are ASCII, with no wide space.
            if high != 0 {
                clear_wide_whitespace(text, base, block, &mut word, &mut spill);
            }
            bits.newlines = newlines;
            bits.word_starts = word & !((word << 1) | word_before);
            word_before = word >> 63;
            bits.digits = digits;
        };
        // The text's whole chunks are judged where they are, with no copy; then the rest, if
        // any, padded with spaces (no word byte, no digit, no line break).
        let (whole, rest) = b.as_chunks::<64>();
        for (k, (bits, block)) in chunks.iter_mut().zip(whole).enumerate() {
            judge(bits, k * 64, block);
        }
        if let Some(bits) = chunks.get_mut(whole.len()) {
            judge(bits, whole.len() * 64, &block64(rest, b' '));
        }
        // A run of exactly four starts at a digit with no digit before it, three digits after it
        // and then none: read over this chunk's digits and the next's, with the last digit bit of
        // the chunk before (a chunk with no digit begins none: most chunks of prose).
        let mut digit_before = 0u64;
        for k in 0..chunks.len() {
            let digits = chunks[k].digits;
            if digits != 0 {
                let next = chunks.get(k + 1).map_or(0, |c| c.digits);
                let x = u128::from(digits) | u128::from(next) << 64;
                let starts = x & !((x << 1) | u128::from(digit_before));
                chunks[k].four_digits = (starts & (x >> 1) & (x >> 2) & (x >> 3) & !(x >> 4)) as u64;
            }
            digit_before = digits >> 63;
        }
        TextBits { len: b.len(), chunks, newlines: lines }
    }

    /// How many lines `lines` gives at most: one a '\n', and one more (for room).
    pub fn lines_at_most(&self) -> usize {
        self.newlines + 1
    }

    /// The text's lines in order, each its byte range (just after a '\n', or at the text's end for
    /// a last line without one: an empty text has none) and what the bit sets tell of it: how
    /// many words of [`split_whitespace`] begin in it (all of the line's: the byte before it is a
    /// line break or nothing), whether it holds an ASCII digit, and whether a maximal run of
    /// exactly four of them begins in it (`four_digit_runs_in` says where). The chunks are read
    /// once, in order, a line's share of each under a mask.
    pub fn lines(&self) -> impl Iterator<Item = (std::ops::Range<usize>, RangeFacts)> + '_ {
        // The chunk where the next line starts (`pos`), and its line breaks from there on.
        let (mut pos, mut k) = (0, 0);
        let mut breaks = self.chunks.first().map_or(0, |c| c.newlines);
        std::iter::from_fn(move || {
            if pos >= self.len {
                return None;
            }
            let start = pos;
            // The word starts not counted yet, each at its bit in its chunk: the parts of the
            // chunks they come from hold none at one bit, so they are counted at once (most lines
            // run on into the next chunk but are shorter than 64 bytes), unless a part's would
            // meet one of them (the line is longer), when those are counted first.
            let (mut words, mut starts, mut digits, mut runs) = (0, 0u64, 0u64, 0u64);
            let mut from = !0u64 << (pos & 63);
            loop {
                let c = self.chunks[k];
                // Up to the chunk's next line break, or all the rest of it.
                let (within, end) = if breaks != 0 {
                    let j = breaks.trailing_zeros() as usize;
                    breaks &= breaks - 1;
                    (from & (!0u64 >> (63 - j)), Some(k * 64 + j + 1))
                } else {
                    (from, None)
                };
                let part = c.word_starts & within;
                if starts & part != 0 {
                    words += starts.count_ones() as usize;
                    starts = 0;
                }
                starts |= part;
                digits |= c.digits & within;
                runs |= c.four_digits & within;
                if let Some(end) = end.filter(|&e| e & 63 != 0) {
                    pos = end;
                } else {
                    // The line goes on in the next chunk, or begins there after a break at its end
                    // (or the text ends).
                    k += 1;
                    from = !0;
                    breaks = self.chunks.get(k).map_or(0, |c| c.newlines);
                    match end {
                        Some(end) => pos = end,
                        None if k < self.chunks.len() => continue,
                        None => pos = self.len,
                    }
                }
                return Some((start..pos, RangeFacts { words: words + starts.count_ones() as usize, has_digit: digits != 0, has_four_digit_run: runs != 0 }));
            }
        })
    }

    /// Where the maximal runs of exactly four ASCII digits that begin in the byte range begin,
    /// in order (those of a line, for its range: no run goes on across a line break).
    pub fn four_digit_runs_in(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let (mut k, last, mut bits, high) = match self.span(range) {
            Some((first, last, low, high)) => (first, last, self.chunks[first].four_digits & low, high),
            None => (0, 0, 0, 0),
        };
        if k == last {
            bits &= high;
        }
        std::iter::from_fn(move || {
            while bits == 0 {
                if k >= last {
                    return None;
                }
                k += 1;
                bits = self.chunks[k].four_digits & if k == last { high } else { !0 };
            }
            let j = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Some(k * 64 + j)
        })
    }

    /// A byte range as chunks: the first and the last it touches, the bits of the first from its
    /// start on, and those of the last up to its end. None for an empty range.
    fn span(&self, range: std::ops::Range<usize>) -> Option<(usize, usize, u64, u64)> {
        let (start, end) = (range.start, range.end);
        (start < end).then(|| (start >> 6, (end - 1) >> 6, !0u64 << (start & 63), !0u64 >> (63 - ((end - 1) & 63))))
    }
}

/// What `TextBits::lines` tells of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeFacts {
    pub words: usize,
    pub has_digit: bool,
    pub has_four_digit_run: bool,
}

/// Of a block of 64 bytes (the last padded with spaces), the bit sets `TextBits` reads (bit j
/// for byte j): '\n', bytes that are not ASCII whitespace (`word_byte_bits`: those above ASCII
/// are set), ASCII digits, and bytes above ASCII.
#[inline(always)]
fn line_masks_of(block: &[u8; 64]) -> [u64; 4] {
    let [newlines, words, digits] = line_bits(block);
    [newlines, words, digits, high_bits(block)]
}

/// Of a block, the first three bit sets of `line_masks_of`: '\n', bytes that are not ASCII
/// whitespace, ASCII digits. By SSE2 where x86_64 has it (always: it is part of the
/// architecture): a range test is one signed `pcmpgtb` of the byte moved to -128 (not the
/// portable code's unsigned `pminub`-and-compare), the whitespace's bits negated once for the
/// block.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn line_bits(block: &[u8; 64]) -> [u64; 3] {
    use safe_arch::{bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    let within = byte_range_m128i;
    let bits = |m: m128i, k: usize| u64::from(move_mask_i8_m128i(m) as u16) << (16 * k);
    let [mut newlines, mut spaces, mut digits] = [0u64; 3];
    for (k, sixteen) in block.chunks_exact(16).enumerate() {
        let x = load_unaligned_m128i(sixteen.try_into().expect("16 bytes"));
        newlines |= bits(cmp_eq_mask_i8_m128i(x, splat(b'\n')), k);
        spaces |= bits(bitor_m128i(cmp_eq_mask_i8_m128i(x, splat(b' ')), within(x, b'\t', b'\r' - b'\t' + 1)), k);
        digits |= bits(within(x, b'0', 10), k);
    }
    [newlines, !spaces, digits]
}

/// All ones in the lanes of `x` whose byte is one of the `n` from `from` on (as `u8`s), zeros in
/// the others: the bytes moved so that `from` is -128, then one signed comparison (`pcmpgtb`)
/// with -128 + n, where an unsigned range test takes two instructions.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub(crate) fn byte_range_m128i(x: safe_arch::m128i, from: u8, n: u8) -> safe_arch::m128i {
    use safe_arch::{add_i8_m128i, cmp_gt_mask_i8_m128i, set_splat_i8_m128i};
    cmp_gt_mask_i8_m128i(set_splat_i8_m128i(0x80u8.wrapping_add(n) as i8), add_i8_m128i(x, set_splat_i8_m128i(0x80u8.wrapping_sub(from) as i8)))
}

/// `line_bits` elsewhere: `judged_line_bits`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn line_bits(block: &[u8; 64]) -> [u64; 3] {
    judged_line_bits(block)
}

/// `line_bits` in portable code: a mask at a time by `block_bits` (one loop judging them all is
/// not vectorised). Built and tested everywhere; used where there is no SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
#[inline(always)]
fn judged_line_bits(block: &[u8; 64]) -> [u64; 3] {
    [block_bits(block, |c| c == b'\n'), block_bits(block, |c| !is_ascii_space(c)), block_bits(block, |c| c.wrapping_sub(b'0') < 10)]
}

/// Whether a byte may begin a wide space (U+0085, U+00A0, U+1680, U+2000..=U+3000: lead bytes
/// C2, E1, E2, E3): bytes above ASCII are no whitespace unless they begin one, and the characters
/// such bytes begin ('–', '•', ...) are decoded to tell.
const fn is_wide_space_lead(c: u8) -> bool {
    c == 0xC2 || c.wrapping_sub(0xE1) <= 2
}

/// A fixed set of lower-case ASCII needles, looked for anywhere in a text ignoring ASCII case: one
/// Aho-Corasick pass (the crate the local provider's filler search uses too), with no lower-cased
/// copy of the text and no substring search per needle. The texts asked about are short (an entry
/// header's parts): the crate's DFA is stepped here a byte at a time, without the set-up of a
/// search of its own (some 400 instructions a call, more than the steps of a short text).
pub struct NeedleSet {
    dfa: aho_corasick::dfa::DFA,
    /// The DFA's unanchored start state.
    start: aho_corasick::automaton::StateID,
}

impl NeedleSet {
    pub fn new(needles: &[&'static str]) -> NeedleSet {
        use aho_corasick::automaton::Automaton;
        let dfa = aho_corasick::dfa::DFA::builder().ascii_case_insensitive(true).build(needles).expect("a few short needles always build");
        let start = dfa.start_state(aho_corasick::Anchored::No).expect("an unanchored DFA has an unanchored start");
        NeedleSet { dfa, start }
    }

    /// Whether `text` contains any of the needles, ignoring ASCII case: whether the DFA is in a
    /// matching state before a byte (an empty needle) or after one.
    pub fn found_in(&self, text: &str) -> bool {
        use aho_corasick::automaton::Automaton;
        let mut state = self.start;
        if self.dfa.is_match(state) {
            return true;
        }
        text.bytes().any(|b| {
            state = self.dfa.next_state(aho_corasick::Anchored::No, state, b);
            self.dfa.is_match(state)
        })
    }
}

/// Several lists of lower-case ASCII needles (at most 32, list `i` is bit `i`), found in a text
/// at once, ignoring ASCII case: one pass of an Aho-Corasick DFA over the whole text reports where
/// needles end, instead of one search per list and per piece of text.
///
/// The DFA is the aho-corasick crate's, copied once into a plain table whose states ("nodes")
/// are its states each with the lists that the state before it ended (none for most): a node
/// tells of the needles that end at its byte and of those that end at the byte before, so the
/// text's DFAs need to be asked only after every second byte (`steps_side_by_side`). The nodes
/// are numbered so that those that tell of any come from `MATCHING` on (one bit tells), the
/// bytes grouped into classes they move on alike (a short row a node), and a node (a `u16`) plus
/// a class (a `u8`) index the table without a bounds check (`step`).
pub struct NeedleLists {
    /// One table, so that stepping keeps one base address in a register: first per byte, its
    /// class (its column in a node's row), then from `ROWS` on per node (where its row starts),
    /// per class, the next node; the last 256 entries only make room for any `u16` plus any `u8`.
    table: Box<[u16; ROWS + (1 << 16) + 256]>,
    /// The number of classes: the length of a row.
    stride: usize,
    /// The start node: the DFA's start state, with no lists before it.
    start: u16,
    /// Per node that tells of needles (counted from `MATCHING`, a row each), the bits of the lists
    /// that hold them (those ending at its byte and at the byte before).
    bits: Vec<u32>,
}

/// Where the rows of the nodes that tell of a needle begin: the nodes before it tell of none.
const MATCHING: u16 = 1 << 15;

/// Where the rows begin in `NeedleLists::table`, after the bytes' classes.
const ROWS: usize = 256;

/// The node (where its row starts) a `NeedleLists` table moves to from node `state` on byte `x`.
#[inline(always)]
fn step(table: &[u16; ROWS + (1 << 16) + 256], state: usize, x: u8) -> usize {
    usize::from(table[ROWS + state + usize::from(table[usize::from(x)] as u8)])
}

impl NeedleLists {
    pub fn new(lists: &[&[&'static str]]) -> NeedleLists {
        use aho_corasick::automaton::Automaton;
        use aho_corasick::Anchored;
        assert!(lists.len() <= 32, "a bit a list");
        let mut needles: Vec<&'static str> = Vec::new();
        let mut pattern_bits: Vec<u32> = Vec::new();
        for (i, list) in lists.iter().enumerate() {
            for &n in *list {
                assert!(!n.is_empty() && !n.contains('\n'), "needles are not empty and hold no line break");
                match needles.iter().position(|&m| m == n) {
                    Some(p) => pattern_bits[p] |= 1 << i,
                    None => {
                        needles.push(n);
                        pattern_bits.push(1 << i);
                    }
                }
            }
        }
        let dfa = aho_corasick::dfa::DFA::builder().ascii_case_insensitive(true).build(&needles).expect("a few short needles always build");
        let start = dfa.start_state(Anchored::No).expect("an unanchored DFA has an unanchored start");
        // Every state reachable from the start (in the order first reached, by the DFA's id in
        // `index`), and per state and byte the state it moves to.
        let mut states = vec![start];
        let mut index: Vec<Option<usize>> = vec![None; start.as_usize() + 1];
        index[start.as_usize()] = Some(0);
        let mut to: Vec<usize> = Vec::new();
        let mut k = 0;
        while k < states.len() {
            for b in 0..=255u8 {
                let s = dfa.next_state(Anchored::No, states[k], b);
                if index.len() <= s.as_usize() {
                    index.resize(s.as_usize() + 1, None);
                }
                let i = *index[s.as_usize()].get_or_insert_with(|| {
                    states.push(s);
                    states.len() - 1
                });
                to.push(i);
            }
            k += 1;
        }
        // The lists of the needles each state ends (none for most).
        let own: Vec<u32> = states.iter().map(|&s| if dfa.is_match(s) { (0..dfa.match_len(s)).fold(0, |b, m| b | pattern_bits[dfa.match_pattern(s, m).as_usize()]) } else { 0 }).collect();
        // The table's states ("nodes") are the DFA's with the lists that the state before ended
        // (see `for_each`): every DFA state with none (node `i` for state `i`), and every state a
        // state that ends needles moves to, with that state's lists.
        let mut nodes: Vec<(usize, u32)> = (0..states.len()).map(|i| (i, 0)).collect();
        let mut node_of: ahash::AHashMap<(usize, u32), usize> = nodes.iter().enumerate().map(|(n, &node)| (node, n)).collect();
        for i in (0..states.len()).filter(|&i| own[i] != 0) {
            for &j in &to[i * 256..(i + 1) * 256] {
                node_of.entry((j, own[i])).or_insert_with(|| {
                    nodes.push((j, own[i]));
                    nodes.len() - 1
                });
            }
        }
        // Where a DFA state moves on a byte: to the node of the next state with the state's own
        // lists. A node moves as its state does (whatever lists came before it).
        let next = |i: usize, b: usize| node_of[&(to[i * 256 + b], own[i])];
        // Numbered with the nodes that tell of a needle (their state's or the one before) last,
        // their rows from `MATCHING` on.
        let telling = |n: usize| own[nodes[n].0] | nodes[n].1 != 0;
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.sort_by_key(|&n| telling(n));
        let matching = (0..nodes.len()).filter(|&n| telling(n)).count();
        let others = nodes.len() - matching;
        let mut number = vec![0usize; nodes.len()];
        for (k, &n) in order.iter().enumerate() {
            number[n] = k;
        }
        // A byte's column: where every DFA state (and so every node) moves on it. Bytes with one
        // column are one class.
        let mut columns: Vec<Vec<usize>> = Vec::new();
        let mut class_of: ahash::AHashMap<Vec<usize>, u8> = ahash::AHashMap::new();
        let mut table: Box<[u16; ROWS + (1 << 16) + 256]> = vec![0u16; ROWS + (1 << 16) + 256].into_boxed_slice().try_into().expect("the length is right");
        for (b, class) in table[..ROWS].iter_mut().enumerate() {
            let column: Vec<usize> = (0..states.len()).map(|i| next(i, b)).collect();
            *class = u16::from(*class_of.entry(column.clone()).or_insert_with(|| {
                columns.push(column);
                u8::try_from(columns.len() - 1).expect("at most 256 classes")
            }));
        }
        let stride = columns.len();
        assert!(others.max(matching) * stride <= usize::from(MATCHING), "the table fits u16 state numbers");
        let row = |n: usize| if number[n] < others { number[n] * stride } else { usize::from(MATCHING) + (number[n] - others) * stride };
        for n in 0..nodes.len() {
            for (c, column) in columns.iter().enumerate() {
                table[ROWS + row(n) + c] = row(column[nodes[n].0]) as u16;
            }
        }
        let bits = order[others..].iter().map(|&n| own[nodes[n].0] | nodes[n].1).collect();
        NeedleLists { table, stride, start: row(0) as u16, bits }
    }

    /// Calls `hit(end, bits)` for the needles of `text` (overlapping ones too), in the order of
    /// `end`: the byte offset just after them or one byte later (the DFAs are asked after every
    /// second byte, see `NeedleLists`), `bits` the lists that hold them; a needle may be told of
    /// at both. No needle holds a line break, so the byte after a needle's last is in its line
    /// (when there is one): the byte before `end` is in the line the needle is in.
    ///
    /// No needle may hold a line break (`new` checks), so after one the DFA is back in its start
    /// state, and so after any byte of its class (that moves every state where a line break does:
    /// any byte no needle holds, such as most punctuation and the bytes above ASCII). The text is
    /// cut just after such bytes, near its quarters, into `CHAINS` pieces whose DFAs are stepped side by
    /// side (`steps_side_by_side`, which notes where any of them is at a match and goes on), a
    /// table load a byte each, and the longer pieces' rest one at a time (`steps_on`). One DFA
    /// waits on each load before the next; several independent ones overlap their waits. The
    /// stops are kept, and read once a piece, its hits told after those of the pieces before it
    /// (no buffer of hits, none allocated unless there are more than `STOPS` stops). Never
    /// inlined: in its caller's body (as the compiler chooses to do, or not, as the code around
    /// it changes) it runs some 5,000 instructions a resume slower.
    #[inline(never)]
    pub fn for_each(&self, text: &str, mut hit: impl FnMut(usize, u32)) {
        const CHAINS: usize = 4;
        let b = text.as_bytes();
        let mut bounds = [b.len(); CHAINS + 1];
        bounds[0] = 0;
        let table = &*self.table;
        let reset = table[usize::from(b'\n')] as u8;
        for c in 1..CHAINS {
            let from = (b.len() * c / CHAINS).max(bounds[c - 1]);
            bounds[c] = b[from..].iter().position(|&x| table[usize::from(x)] as u8 == reset).map_or(b.len(), |p| from + p + 1);
        }
        let mut states = [usize::from(self.start); CHAINS];
        let common = (0..CHAINS).map(|c| bounds[c + 1] - bounds[c]).min().unwrap_or(0);
        // The pieces' first `common` bytes, as slices of that length.
        let heads: [&[u8]; CHAINS] = std::array::from_fn(|c| &b[bounds[c]..bounds[c] + common]);
        // The stops so far: the first `n` of `stops`, after those `spilled` (when there are more
        // than `STOPS`, rarely).
        let mut stops = [(0usize, [0u16; CHAINS]); STOPS];
        let mut spilled = Vec::new();
        let (mut i, mut n) = (0, 0);
        while i < common {
            if n == STOPS {
                spilled.extend_from_slice(&stops);
                n = 0;
            }
            (i, n) = self.steps_side_by_side(&heads, &mut states, i, &mut stops, n);
        }
        let bits = |node: usize| self.bits[(node - usize::from(MATCHING)) / self.stride];
        // Each piece's hits in order: at its stops, then in its rest.
        for c in 0..CHAINS {
            for part in [&spilled[..], &stops[..n]] {
                for &(at, stop) in part {
                    if stop[c] >= MATCHING {
                        hit(bounds[c] + at, bits(usize::from(stop[c])));
                    }
                }
            }
            let (mut at, mut node) = (bounds[c] + common, states[c]);
            while at < bounds[c + 1] {
                (at, node) = self.steps_on(&b[..bounds[c + 1]], at, node);
                if node >= usize::from(MATCHING) {
                    hit(at, bits(node));
                }
            }
        }
    }

    /// Steps one DFA from `node` over `bytes` from byte `at` on, up to a node that tells of a
    /// needle or the end: returns where it stopped (the offset after the last byte stepped) and
    /// the node there. Kept out of `for_each`, where it ran some five instructions a byte slower
    /// (reloads of spilled values).
    #[inline(never)]
    fn steps_on(&self, bytes: &[u8], mut at: usize, node: usize) -> (usize, usize) {
        let table = &*self.table;
        let mut node = node & 0xFFFF;
        while let Some(&x) = bytes.get(at) {
            node = step(table, node, x);
            at += 1;
            if node >= usize::from(MATCHING) {
                break;
            }
        }
        (at, node)
    }

    /// Steps the DFAs of `CHAINS` pieces of text side by side from byte `from` of each (`heads`,
    /// of one length), noting in `stops` (after the `noted` there) after which byte (counted from the pieces' starts) any
    /// of them is at a node that tells of a needle (their nodes or-ed, asked after every second
    /// byte and after an odd last one), with all their nodes there, until the pieces
    /// end or `stops` is full: returns the bytes stepped so far and the stops now noted. The stops go
    /// to memory on a path of their own, so the stepping keeps its states, pointers and table in
    /// registers and goes on past a match (a return and a call again for each cost some 80
    /// instructions). Kept out of `for_each`, whose buffers and bounds would otherwise crowd
    /// those out of registers; two bytes a turn take 40 instructions for the four pieces (45
    /// when the nodes were asked after every byte).
    #[inline(never)]
    fn steps_side_by_side<const CHAINS: usize>(&self, heads: &[&[u8]; CHAINS], states: &mut [usize; CHAINS], from: usize, stops: &mut [(usize, [u16; CHAINS]); STOPS], noted: usize) -> (usize, usize) {
        let table = &*self.table;
        let len = heads[0].len();
        // Of one length as the caller cut them, told to the compiler.
        let heads: [&[u8]; CHAINS] = std::array::from_fn(|c| &heads[c][..len]);
        // Read from `u16`s: below 1 << 16 (told to the compiler, no bounds checks below).
        let mut s = states.map(|x| x & 0xFFFF);
        // Steps past byte `x` of every piece.
        let step_all = |s: &mut [usize; CHAINS], x: [u8; CHAINS]| {
            for c in 0..CHAINS {
                s[c] = step(table, s[c], x[c]);
            }
        };
        // Whether any piece is at a node that tells of a needle (ending at its byte or the one
        // before).
        let telling = |s: &[usize; CHAINS]| s.iter().fold(0, |any, &x| any | x as u16) >= MATCHING;
        // The stops noted, and the bytes of every piece stepped so far.
        let (mut n, mut i) = (noted, from);
        // Where a pair of bytes can begin: before the last byte (of pieces that have one).
        let Some(pairs_end) = len.checked_sub(1) else {
            return (from, noted);
        };
        let stepped = loop {
            // Two bytes a turn, one test of the end and one of the nodes for both (the index
            // serves all the pieces at once), then any odd last byte, up to a stop: after which
            // byte it is.
            let at = 'turns: {
                while i < pairs_end {
                    i += 2;
                    step_all(&mut s, std::array::from_fn(|c| heads[c][i - 2]));
                    step_all(&mut s, std::array::from_fn(|c| heads[c][i - 1]));
                    if telling(&s) {
                        break 'turns Some(i);
                    }
                }
                if i < len {
                    i += 1;
                    step_all(&mut s, std::array::from_fn(|c| heads[c][i - 1]));
                    if telling(&s) {
                        break 'turns Some(i);
                    }
                }
                None
            };
            match at {
                Some(at) => {
                    stops[n] = (at, s.map(|x| x as u16));
                    n += 1;
                    if n == STOPS {
                        break at;
                    }
                }
                None => break len,
            }
        };
        *states = s;
        (stepped, n)
    }
}

/// How many stops of `NeedleLists::steps_side_by_side` its caller has room for on the stack (a
/// resume of 600 words makes some 55).
const STOPS: usize = 64;

/// The indices of the items of `sorted` (ascending by `key`) whose key is in `range`, for ranges
/// read in order (a resume's sections): walked from `*next`, the first item past the range
/// before, with no search (from the first item, should a range begin before that one's), and
/// `*next` left past them.
pub fn sorted_in_range<T>(sorted: &[T], key: impl Fn(&T) -> usize, range: std::ops::Range<usize>, next: &mut usize) -> std::ops::Range<usize> {
    let mut from = *next;
    if sorted[..from].last().is_some_and(|t| key(t) >= range.start) {
        from = 0;
    }
    from += sorted[from..].iter().take_while(|t| key(t) < range.start).count();
    *next = from + sorted[from..].iter().take_while(|t| key(t) < range.end).count();
    from..*next
}

/// True when the token carries a digit: numbers, dates, percentages, versions (`2019`, `40%`, `v2`).
/// Eight bytes at a time: a byte's low seven bits plus 0x50 reach the high bit from '0' up, plus
/// 0x46 from past '9', without a carry into the next byte; a byte above ASCII is none. A token of
/// eight bytes or fewer (most) is one or two loads (`load_overlapping`), a longer one its whole
/// eights and then its last eight.
pub fn has_digit(token: &str) -> bool {
    let digit_in = |x: u64| {
        let low = x & !HIGH_BITS;
        (low + LOW_BYTES * 0x50) & !(low + LOW_BYTES * 0x46) & !x & HIGH_BITS != 0
    };
    let b = token.as_bytes();
    match b.last_chunk::<8>() {
        None => digit_in(load_overlapping(b)),
        Some(&last) => b.chunks_exact(8).any(|eight| digit_in(u64::from_le_bytes(eight.try_into().expect("8 bytes")))) || digit_in(u64::from_le_bytes(last)),
    }
}

/// Up to eight bytes in a u64 by at most two loads that may overlap: every byte of `b` is in
/// it, some twice, in no set order, and the bytes it does not fill are 0. For tests of whether
/// any byte is of a kind 0 is not, cheaper than `load8`'s exact placing.
#[inline(always)]
pub fn load_overlapping(b: &[u8]) -> u64 {
    let n = b.len();
    match (b.first_chunk::<8>(), b.first_chunk::<4>(), b.first_chunk::<2>()) {
        (Some(&eight), ..) => u64::from_le_bytes(eight),
        (_, Some(&lo), _) => u64::from(u32::from_le_bytes(lo)) | u64::from(u32::from_le_bytes(b[n - 4..].try_into().expect("4 bytes"))) << 32,
        (.., Some(&lo)) => u64::from(u16::from_le_bytes(lo)) | u64::from(u16::from_le_bytes([b[n - 2], b[n - 1]])) << 16,
        _ => b.first().map_or(0, |&x| u64::from(x)),
    }
}

/// True when the text is exactly one character (`chars().count() == 1` without counting them all).
pub fn is_one_char(s: &str) -> bool {
    is_one_char_bytes(s.as_bytes())
}

/// `is_one_char` of valid UTF-8 cut at ASCII bytes: its first byte says how long its first
/// character is.
pub fn is_one_char_bytes(b: &[u8]) -> bool {
    let char_len = |first: u8| match first {
        0..=0x7F => 1,
        0x80..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    b.first().is_some_and(|&first| char_len(first) == b.len())
}

/// True when the token starts with an upper-case letter.
pub fn is_capitalised(token: &str) -> bool {
    match token.as_bytes().first() {
        Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
        _ => token.chars().next().is_some_and(char::is_uppercase),
    }
}

/// A cheap estimate of LLM tokens for a text: about four bytes a token for English prose. Used where a
/// provider reports no usage and for planning; never for billing a provider that reports usage.
pub fn approx_tokens(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(4)).unwrap_or(u32::MAX)
}

/// Whether a folded word counts as a content term: at least two characters, not a stop word, not
/// a pure number.
pub fn is_content_term(folded: &str) -> bool {
    !is_one_char(folded) && !folded.is_empty() && !folded.bytes().all(|b| b.is_ascii_digit()) && !is_stopword(folded)
}

/// Leading bullet glyph of a line, if any: `-`, `*`, `•`, `·`, `–`, `▪`, `◦`, `>` followed by a space, or
/// a numbered marker like `1.` / `2)`. Returns the byte length of the marker including its space.
pub fn bullet_marker_len(line: &str) -> Option<usize> {
    // Most lines begin with a letter: no marker, no indent.
    if line.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
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

/// The words of [`split_whitespace`] as bytes (whole characters: `std::str::from_utf8` of one
/// succeeds), handed to `each` in order with whether the word is all ASCII, for a caller that
/// reads every word once (the classifier's line features). See `each_whitespace_word_in_blocks`.
#[inline]
pub fn each_whitespace_word(text: &str, each: impl FnMut(&[u8], bool)) {
    each_whitespace_word_in_blocks(text, |_, _, _, _| {}, each);
}

/// `each_whitespace_word`, also handing `block` each 64-byte block of the text (its offset, its
/// bytes and whether they are all ASCII: the last block is padded with spaces, and when the text
/// ends a block one more holds only padding) before the words that end in it, and the ends of the
/// words of one byte in it (bit j: byte j ends a word begun at byte j - 1, perhaps in the block
/// before): a caller that judges every byte too reads each block once, and counts those words
/// by one popcount.
///
/// A block is judged as a bit set of the bytes that are not whitespace (`word_byte_bits`, a few
/// vector instructions); a word starts at a set bit after a clear one and ends at a clear bit
/// after a set one, and the k-th start of a block pairs with its k-th end, or (the block's last
/// start) with a later block's first end: no branch per byte, a few instructions a word. A word
/// inside a block is read from the block (the text's own bytes; the last block's padded copy),
/// at offsets below 64. Only the characters above ASCII of a block that has some are decoded.
#[inline(always)]
pub fn each_whitespace_word_in_blocks(text: &str, mut block: impl FnMut(usize, &[u8; 64], bool, u64), mut each: impl FnMut(&[u8], bool)) {
    let mut split = BlockSplit { open: None, carry: 0, start_carry: 0, spill: 0 };
    // The text's whole blocks are judged where they are, with no copy; then one block more, the
    // rest of the text padded: short (its padding ends a word that runs to the text's end) or,
    // when the text ends a block, empty (its bit 0 ends it).
    let (whole, rest) = text.as_bytes().as_chunks::<64>();
    for (k, bytes) in whole.iter().enumerate() {
        split.step(text, k * 64, bytes, &mut block, &mut each);
    }
    split.step(text, whole.len() * 64, &block64(rest, b' '), &mut block, &mut each);
}

/// What `each_whitespace_word_in_blocks` carries from one block to the next.
struct BlockSplit {
    /// The start of the word begun in an earlier block and not yet ended, and whether the blocks
    /// it is in so far are all ASCII.
    open: Option<(usize, bool)>,
    /// Bit 0: the last byte of the block before is a word byte; and begins a word.
    carry: u64,
    start_carry: u64,
    /// The bytes of a wide space begun in the block before that run on into this one.
    spill: u64,
}

impl BlockSplit {
    /// Splits the block at `base` of `text` (`bytes`: the last block padded with spaces) for
    /// `each_whitespace_word_in_blocks`: `block` of it, then `each` of the words that end in it.
    #[inline(always)]
    fn step(&mut self, text: &str, base: usize, bytes: &[u8; 64], block: &mut impl FnMut(usize, &[u8; 64], bool, u64), each: &mut impl FnMut(&[u8], bool)) {
        let (mut word, above) = word_byte_bits(bytes);
        // A block with a byte above ASCII holds (part of) a character above ASCII, perhaps one
        // begun in the block before.
        let ascii = !above;
        if !ascii {
            clear_wide_whitespace(text, base, bytes, &mut word, &mut self.spill);
        }
        let after_word = (word << 1) | self.carry;
        let (mut starts, mut ends) = (word & !after_word, !word & after_word);
        block(base, bytes, ascii, ends & ((starts << 1) | self.start_carry));
        (self.carry, self.start_carry) = (word >> 63, starts >> 63);
        if let Some((start, open_ascii)) = self.open {
            if ends == 0 {
                self.open = Some((start, open_ascii && ascii));
                return;
            }
            let w = &text.as_bytes()[start..base + ends.trailing_zeros() as usize];
            ends &= ends - 1;
            self.open = None;
            each(w, (open_ascii && ascii) || w.is_ascii());
        }
        // A word at the block's end runs on: its start pairs with a later block's first end.
        // Every other start pairs with the end of the same rank.
        if self.carry != 0 && starts != 0 {
            let last = 63 - starts.leading_zeros();
            self.open = Some((base + last as usize, ascii));
            starts &= !(1 << last);
        }
        // An ASCII block (most) has its own loop, in which every word is ASCII with no test.
        if ascii {
            each_word_in_block(bytes, starts, ends, true, each);
        } else {
            each_word_in_block(bytes, starts, ends, false, each);
        }
    }
}

/// Hands `each` the words of `bytes` that start at the bits of `starts` and end at those of
/// `ends` (the k-th start with the k-th end), and whether each is ASCII: all of them when the
/// block is (`ascii`, a constant where it is called, so that its loop tests nothing a word).
#[inline(always)]
fn each_word_in_block(bytes: &[u8; 64], mut starts: u64, mut ends: u64, ascii: bool, each: &mut impl FnMut(&[u8], bool)) {
    while starts != 0 {
        let (start, end) = (starts.trailing_zeros() as usize, ends.trailing_zeros() as usize);
        (starts, ends) = (starts & (starts - 1), ends & (ends - 1));
        let w = &bytes[start..end];
        each(w, ascii || w.is_ascii());
    }
}

/// Clears in `word` (bit j for byte `base + j` of `text`, byte j of `block`: the caller's block
/// of those bytes, padded with ASCII, which begins no character) the bytes of the whitespace
/// characters above ASCII there: those begun at bytes that may begin one (`is_wide_space_lead`,
/// a few vector instructions on the block as it is, no copy), judged by their bytes
/// (`wide_whitespace_at`), and `spill`, the bytes of one begun in the 64 before; `spill` is left
/// with those past these 64 of one begun here.
#[cold]
#[inline(never)]
fn clear_wide_whitespace(text: &str, base: usize, block: &[u8; 64], word: &mut u64, spill: &mut u64) {
    *word &= !*spill;
    *spill = 0;
    let mut leads = block_bits(block, is_wide_space_lead);
    while leads != 0 {
        let j = leads.trailing_zeros() as usize;
        leads &= leads - 1;
        let (space, len) = wide_whitespace_at(text, base + j);
        if space {
            let all = (1u128 << len) - 1;
            *word &= !((all << j) as u64);
            *spill |= (all << j >> 64) as u64;
        }
    }
}

/// Every byte of a u64 at once (`load8`'s padding, `ascii_lower8`'s test, whose sums never carry
/// from one byte into the next).
const LOW_BYTES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Up to eight bytes as a little-endian u64, the missing ones `pad`.
#[inline]
pub fn load8(b: &[u8], pad: u8) -> u64 {
    let n = b.len();
    if let Some(&eight) = b.first_chunk::<8>() {
        return u64::from_le_bytes(eight);
    }
    // Fewer than eight: two overlapping loads of the widest size that fits (the bytes both read
    // are the same), then the pad above them.
    let x = match (b.first_chunk::<4>(), b.last_chunk::<4>(), b.first_chunk::<2>(), b.last_chunk::<2>()) {
        (Some(&lo), Some(&hi), ..) => u64::from(u32::from_le_bytes(lo)) | u64::from(u32::from_le_bytes(hi)) << (8 * (n - 4)),
        (.., Some(&lo), Some(&hi)) => u64::from(u16::from_le_bytes(lo)) | u64::from(u16::from_le_bytes(hi)) << (8 * (n - 2)),
        _ => b.first().map_or(0, |&x| u64::from(x)),
    };
    x | (LOW_BYTES * u64::from(pad)) << (8 * n)
}

/// Eight ASCII bytes lower-cased (`to_ascii_lowercase` of each); every byte must be ASCII (below
/// 0x80), or a sum would carry into the next byte.
#[inline]
pub const fn ascii_lower8(x: u64) -> u64 {
    // Adding 0x3F reaches the high bit from 'A' on, adding 0x25 from past 'Z'; 0x80 >> 2 = 0x20.
    let upper = (x + LOW_BYTES * 0x3F) & !(x + LOW_BYTES * 0x25) & HIGH_BITS;
    x | upper >> 2
}

/// Whether `t` has a `byte` at a place `at` accepts: the `byte`s found 64 bytes at a time
/// (`byte_bits`), and only around them is `t` read. The search for a short ASCII needle,
/// by one of its bytes, without setting up a substring searcher.
#[inline(always)]
pub fn any_byte_at(t: &[u8], byte: u8, at: impl Fn(usize) -> bool) -> bool {
    t.chunks(64).enumerate().any(|(k, block)| {
        let mut found = byte_bits(block, byte);
        while found != 0 {
            if at(k * 64 + found.trailing_zeros() as usize) {
                return true;
            }
            found &= found - 1;
        }
        false
    })
}

/// Bit j set where byte j of `b` (at most 64 bytes) equals `byte`.
#[inline]
pub fn byte_bits(b: &[u8], byte: u8) -> u64 {
    // Padded with another byte: no bit past the end.
    block_byte_bits(&block64(b, !byte), byte)
}

/// Bit j set where byte j of `block` is `byte`: `byte_bits` of a block a caller already holds
/// (its padding is the caller's to mask off).
#[inline(always)]
pub fn block_byte_bits(block: &[u8; 64], byte: u8) -> u64 {
    block_bits(block, |c| c == byte)
}

/// `b` (at most 64 bytes) as a fixed-size block, the bytes past its end `pad`: what the
/// compiler judges in a few vector instructions. A short `b` is copied 16 bytes at a time, the
/// last 16 overlapping the ones before (or, below 16 bytes, as two `load8`s): no call, no loop
/// over bytes.
#[inline(always)]
pub fn block64(b: &[u8], pad: u8) -> [u8; 64] {
    if let Ok(&full) = b.try_into() {
        return full;
    }
    let mut padded = [pad; 64];
    let n = b.len().min(64);
    if n >= 16 {
        for at in (0..n - 16).step_by(16) {
            padded[at..at + 16].copy_from_slice(&b[at..at + 16]);
        }
        padded[n - 16..n].copy_from_slice(&b[n - 16..n]);
    } else {
        let (lo, hi) = b.split_at(n.min(8));
        padded[..8].copy_from_slice(&load8(lo, pad).to_le_bytes());
        padded[8..16].copy_from_slice(&load8(hi, pad).to_le_bytes());
    }
    padded
}

/// Bit j set where byte j of `flags` is not 0, byte j being `1 << (j / 8)` or 0 (a flag weighted
/// by the eighth of the block it is in): the eight eights or-ed together hold the flag of byte
/// 8k + i at bit 8i + k, an 8 × 8 matrix of bits whose transpose (three rounds of swapping
/// blocks of bits across its diagonal) holds it at bit 8k + i. A few vector instructions and
/// some twenty on one word, where a multiplication an eight took some forty.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
#[inline(always)]
fn gather_bits(flags: &[u8; 64]) -> u64 {
    // Sixteen bytes at a time (a vector register's worth), then the two halves.
    let x = flags.chunks_exact(16).fold(0, |m, sixteen| m | u128::from_le_bytes(sixteen.try_into().expect("16 bytes")));
    let mut x = x as u64 | (x >> 64) as u64;
    // Many tests pass no byte of a block (digits, bytes above ASCII): nothing to transpose.
    if x == 0 {
        return 0;
    }
    for (shift, mask) in [(7, 0x00AA_00AA_00AA_00AA_u64), (14, 0x0000_CCCC_0000_CCCC), (28, 0x0000_0000_F0F0_F0F0)] {
        let t = (x ^ (x >> shift)) & mask;
        x ^= t ^ (t << shift);
    }
    x
}

/// Bit j set where byte j of `block` is not ASCII whitespace (the space and `\t`..=`\r`); bytes
/// above ASCII are set. Also whether a byte is above ASCII (one with its high bit set). By SSE2,
/// sixteen bytes at a time, where x86_64 has it (always: it is part of the architecture).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn word_byte_bits(block: &[u8; 64]) -> (u64, bool) {
    use safe_arch::{add_i8_m128i, bitandnot_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_gt_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    let (sixteens, _) = block.as_chunks::<16>();
    let (mut word, mut high) = (0u64, m128i::default());
    for (k, sixteen) in sixteens.iter().enumerate() {
        let c = m128i::from(*sixteen);
        // Not `\t`..=`\r`: the byte moved so that `\t` is -128 is above `\r` (one comparison of
        // the moved byte in place, where the generic test's unsigned one took two), and no space.
        let not_control = cmp_gt_mask_i8_m128i(add_i8_m128i(c, splat(0x80 - b'\t')), splat(0x80 + (b'\r' - b'\t')));
        let bits = move_mask_i8_m128i(bitandnot_m128i(cmp_eq_mask_i8_m128i(c, splat(b' ')), not_control)) as u16;
        word |= u64::from(bits) << (16 * k);
        high = bitor_m128i(high, c);
    }
    (word, move_mask_i8_m128i(high) != 0)
}

/// `word_byte_bits` elsewhere: `judged_word_byte_bits`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn word_byte_bits(block: &[u8; 64]) -> (u64, bool) {
    judged_word_byte_bits(block)
}

/// `word_byte_bits` in portable code, by `block_bits` and `high_bits`. Built and tested
/// everywhere; used where there is no SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
#[inline(always)]
fn judged_word_byte_bits(block: &[u8; 64]) -> (u64, bool) {
    (block_bits(block, |c| !is_ascii_space(c)), high_bits(block) != 0)
}

/// Bit j set where byte j of `block` passes `is`: judged into a byte array of 0 or 0xFF (a few
/// vector instructions when `is` is made of comparisons), its high bits gathered (`high_bits`).
#[inline(always)]
fn block_bits(block: &[u8; 64], is: impl Fn(u8) -> bool) -> u64 {
    high_bits(&std::array::from_fn(|j| 0u8.wrapping_sub(u8::from(is(block[j])))))
}

/// Bit j set where byte j of `flags` has its high bit set (0xFF of flags that are 0 or 0xFF; a
/// byte above ASCII of text): SSE2's `pmovmskb`, sixteen bytes an instruction, where x86_64 has
/// it (always: it is part of the architecture).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn high_bits(flags: &[u8; 64]) -> u64 {
    use safe_arch::{load_unaligned_m128i, move_mask_i8_m128i};
    flags.chunks_exact(16).enumerate().fold(0, |m, (k, sixteen)| {
        let mask = move_mask_i8_m128i(load_unaligned_m128i(sixteen.try_into().expect("16 bytes"))) as u16;
        m | u64::from(mask) << (16 * k)
    })
}

/// `high_bits` elsewhere: `gathered_high_bits`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn high_bits(flags: &[u8; 64]) -> u64 {
    gathered_high_bits(flags)
}

/// `high_bits` in portable code: each byte's high bit weighted by the eighth of the block it is
/// in and gathered (`gather_bits`). Built and tested everywhere; used where there is no SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
#[inline(always)]
fn gathered_high_bits(flags: &[u8; 64]) -> u64 {
    gather_bits(&std::array::from_fn(|j| (flags[j] >> 7) << (j / 8)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        words(s).collect()
    }

    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "x", " x ", "\tJane Doe\r", "\u{a0}x\u{2003}", "x — ", " — ", "\x0bx\x0c", "é", " é\u{3000}", "a b", "\u{85}"] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn trim_agrees_with_str_trim(t in "\\s*\\PC{0,3}\\s*|\\PC*") {
            proptest::prop_assert_eq!(trim(&t), t.trim());
        }
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
    fn trim_keeping_by_bytes_is_the_char_trim() {
        for keep in [&b"&/"[..], b"+#'", b""] {
            let keep = |c: u8| keep.contains(&c);
            for w in ["", "--", "(Skills)", "&", "a/b,", "**Work**", "naïve:", "«Éducation»", "x.", ".x.", "–", "C++,", "(C#)", "'rock'n'roll'", "’quoted’"] {
                let by_chars = w.trim_matches(|c: char| !(c.is_alphanumeric() || (c.is_ascii() && keep(c as u8))));
                assert_eq!(trim_keeping(w, keep), by_chars, "{w:?}");
            }
        }
    }

    #[test]
    fn is_alphanumeric_is_the_char_one() {
        for c in (0..0x3000).filter_map(char::from_u32).chain(['\u{1F600}', 'ß', 'Ω', '٣']) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
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
    fn split_whitespace_is_the_std_one() {
        for t in ["", " ", "a", " a  b\tc\n", "x\u{b}y\u{c}z\u{1c}w", "é\u{a0}ü\u{2003}–\u{3000}", "\r\n", "naïve café "] {
            assert_eq!(split_whitespace(t).collect::<Vec<_>>(), t.split_whitespace().collect::<Vec<_>>(), "{t:?}");
        }
    }

    /// The tokens `each_token` hands over, with their `ascii`; its chunks' starts and digits
    /// checked against the tokens.
    fn tokens_at_once(s: &str) -> Vec<(&str, bool)> {
        let (mut out, mut starts, mut digits) = (Vec::new(), Vec::new(), Vec::new());
        let n = each_token(s, |k, before, st, d| {
            assert_eq!(k, starts.len());
            assert_eq!(before, starts.iter().map(|m: &u64| m.count_ones() as usize).sum::<usize>());
            starts.push(st);
            digits.push(d);
        }, |i, start, end, ascii| {
            assert_eq!(i, out.len());
            out.push((start, end, ascii));
        });
        assert_eq!(n, out.len());
        let bit = |m: &[u64], i: usize| m[i / 64] >> (i % 64) & 1 == 1;
        for i in 0..s.len() {
            assert_eq!(bit(&starts, i), out.iter().any(|t| t.0 == i), "start {i} of {s:?}");
            assert_eq!(bit(&digits, i), s.as_bytes()[i].is_ascii_digit(), "digit {i} of {s:?}");
        }
        out.into_iter().map(|(start, end, ascii)| (&s[start..end], ascii)).collect()
    }

    fn words_at_once(s: &str) -> Vec<&str> {
        let tokens = tokens_at_once(s);
        assert!(tokens.iter().all(|(t, ascii)| !ascii || t.is_ascii()), "{s:?}");
        tokens.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn each_token_finds_the_tokens_of_words() {
        let long = "Built C++ & C# tools at AT&T (2019-2021); front-end… naïve ’quotes’ x-- -- ++a+ #1 a'b' ".repeat(5);
        for t in ["", " ", "a", "C++, C# and Node.js; CI/CD.", "Python.", "  ...  ", "naïve café", "x’", "’x", "a+#+b+#", "é", "a\u{2003}b", long.as_str()] {
            assert_eq!(words_at_once(t), toks(t), "{t:?}");
        }
    }

    #[test]
    fn each_token_tells_ascii_tokens_of_ascii_text() {
        for t in ["", "a b", "C++ and x-y.z 2019", &"ab+ ".repeat(40)] {
            assert!(tokens_at_once(t).iter().all(|&(_, ascii)| ascii), "{t:?}");
        }
    }

    #[test]
    fn every_wide_space_begins_with_a_wide_lead_byte() {
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32).filter(|c| c.is_whitespace()) {
            let mut buf = [0u8; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            assert!(is_wide_space_lead(b[0]) && !b[1..].iter().any(|&x| is_wide_space_lead(x)), "{c:?}");
        }
    }

    #[test]
    fn wide_whitespace_is_judged_by_its_bytes_as_by_its_char() {
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
            let text = format!("{c}x");
            assert_eq!(wide_whitespace_at(&text, 0), (c.is_whitespace(), c.len_utf8()), "{c:?}");
        }
    }

    proptest::proptest! {
        /// The trims with their shortcut cut what `str`'s do, ASCII or wide spaces at either end.
        #[test]
        fn trims_are_str_trims(t in "[ \t\u{a0}\u{2003}]{0,2}[a-z.é\u{2014} ]{0,6}[ \t\r\u{a0}\u{3000}]{0,2}") {
            proptest::prop_assert_eq!(trim_start(&t), t.trim_start());
            proptest::prop_assert_eq!(trim_end(&t), t.trim_end());
        }

        #[test]
        fn each_token_agrees_with_words_on_any_text(t in "\\PC*|[ a-zA-Z0-9+#./'&\u{2019}é–\n-]*") {
            proptest::prop_assert_eq!(words_at_once(&t), toks(&t));
        }

        #[test]
        fn each_token_agrees_with_words_across_chunks(t in "([a-z0-9]{1,90}|[-+#./'&]{1,90}|[ ,;()]{1,3}|é|’|–|C\\+\\+){0,30}") {
            proptest::prop_assert_eq!(words_at_once(&t), toks(&t));
        }

        #[test]
        fn line_bits_and_judged_line_bits_agree(block in proptest::collection::vec(proptest::num::u8::ANY, 64)) {
            let block: [u8; 64] = block.try_into().expect("64 bytes");
            proptest::prop_assert_eq!(line_bits(&block), judged_line_bits(&block));
        }

        #[test]
        fn high_bits_and_gathered_bits_mark_the_set_flags(set in proptest::num::u64::ANY) {
            let flags: [u8; 64] = std::array::from_fn(|j| if set >> j & 1 == 1 { 0xFF } else { 0 });
            proptest::prop_assert_eq!(high_bits(&flags), set);
            proptest::prop_assert_eq!(gathered_high_bits(&flags), set);
        }

        #[test]
        fn high_bits_mark_the_bytes_above_ascii(block in proptest::collection::vec(proptest::num::u8::ANY, 64)) {
            let block: [u8; 64] = block.try_into().expect("64 bytes");
            let want = block.iter().enumerate().fold(0u64, |m, (j, &c)| m | u64::from(c >= 0x80) << j);
            proptest::prop_assert_eq!(high_bits(&block), want);
            proptest::prop_assert_eq!(gathered_high_bits(&block), want);
        }

        #[test]
        fn masks_of_agree_with_the_byte_classes(chunk in proptest::collection::vec(proptest::num::u8::ANY, 0..=64)) {
            let [word, inner, high, digits, plus_hash] = masks_of(&chunk);
            proptest::prop_assert_eq!(judged_token_bits(&block64(&chunk, 0)), [word, inner, high, digits, plus_hash]);
            for j in 0..64 {
                let class = chunk.get(j).map(|&c| BYTE_CLASS[usize::from(c)]);
                let bit = |m: u64| m >> j & 1 == 1;
                proptest::prop_assert_eq!(bit(word), class == Some(ByteClass::Word));
                proptest::prop_assert_eq!(bit(inner), class == Some(ByteClass::Inner));
                proptest::prop_assert_eq!(bit(high), class == Some(ByteClass::NonAscii));
                proptest::prop_assert_eq!(bit(digits), chunk.get(j).is_some_and(u8::is_ascii_digit));
                proptest::prop_assert_eq!(bit(plus_hash), matches!(chunk.get(j), Some(b'+' | b'#')));
            }
        }

        #[test]
        fn split_whitespace_agrees_with_std_on_any_text(t in "\\PC*|[ \t\u{b}\u{c}\r\n\u{a0}\u{2003}a-zé]*") {
            proptest::prop_assert_eq!(split_whitespace(&t).collect::<Vec<_>>(), t.split_whitespace().collect::<Vec<_>>());
            proptest::prop_assert_eq!(words_of_lines(&t), t.split_whitespace().count());
        }

        #[test]
        fn word_counts_agree_with_std_around_wide_characters(t in "[ a\u{85}\u{a0}\u{1680}\u{2003}\u{2013}\u{2022}\u{3000}\u{3001}é\u{e100}]{0,150}") {
            proptest::prop_assert_eq!(words_of_lines(&t), t.split_whitespace().count());
        }

        #[test]
        fn word_counts_agree_with_std_on_long_ascii_text(t in "[ \t\u{b}\u{c}\r\na-z.]{0,1200}") {
            proptest::prop_assert_eq!(words_of_lines(&t), t.split_whitespace().count());
        }
    }

    #[test]
    fn one_char_and_capitalised_by_bytes_agree_with_chars() {
        for t in ["", "a", "A", "ab", "é", "É", "éa", "😀", "😀x", "–", "Ωmega", "ü", "abcde"] {
            assert_eq!(is_one_char(t), t.chars().count() == 1, "{t}");
            assert_eq!(is_capitalised(t), t.chars().next().is_some_and(char::is_uppercase), "{t}");
        }
    }

    #[test]
    fn content_terms_drop_stop_words_and_numbers() {
        let t: Vec<String> = words("The team of 12 built a Python API with the users é").map(fold).filter(|f| is_content_term(f)).collect();
        assert_eq!(t, vec!["team", "built", "python", "api", "users"]);
    }

    #[test]
    fn bullet_markers() {
        assert_eq!(bullet_marker_len("- did x"), Some(2));
        assert_eq!(bullet_marker_len("  • did x"), Some(2 + '•'.len_utf8() + 1));
        assert_eq!(bullet_marker_len("12. did x"), Some(4));
        assert_eq!(bullet_marker_len("-did x"), None);
        assert_eq!(bullet_marker_len("2019 - 2020"), None);
        assert_eq!(bullet_marker_len("a. did x"), None);
        assert_eq!(bullet_marker_len("x"), None);
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
    fn needle_lists_find_what_each_needle_set_finds() {
        let (a, b): (&[&str], &[&str]) = (&["b.s", "phd", "university", "ma"], &["m.a", "ma", "sity"]);
        let lists = NeedleLists::new(&[a, b]);
        for text in ["", "B.S. in CS", "PhD", "UNIVERSITY of X", "Stanford", "Mä", "maîtrise", "xm", "M.A.", "naïve MA", "é"] {
            let mut found = 0;
            lists.for_each(text, |_, bits| found |= bits);
            let want = u32::from(NeedleSet::new(a).found_in(text)) | u32::from(NeedleSet::new(b).found_in(text)) << 1;
            assert_eq!(found, want, "{text}");
        }
    }

    /// Where needles of each list end in `text` (ignoring ASCII case), by a search per needle.
    fn needle_ends(lists: &[&[&str]], text: &str) -> std::collections::BTreeMap<usize, u32> {
        let lower = text.to_ascii_lowercase();
        let mut ends = std::collections::BTreeMap::new();
        for (i, list) in lists.iter().enumerate() {
            for n in *list {
                // Overlapping occurrences too ("aaa" holds "aa" twice).
                for at in (0..lower.len()).filter(|&at| lower.as_bytes()[at..].starts_with(n.as_bytes())) {
                    *ends.entry(at + n.len()).or_insert(0) |= 1 << i;
                }
            }
        }
        ends
    }

    /// Whether every needle of `lists` in `text` is told of where it ends or a byte later, and
    /// nothing else is: what is told at an offset ended there or a byte before, the offsets in
    /// order.
    fn needle_lists_tell_every_end(lists: &[&[&'static str]], text: &str) -> bool {
        let matcher = NeedleLists::new(lists);
        let mut found = std::collections::BTreeMap::new();
        let mut in_order = true;
        let mut last = 0;
        matcher.for_each(text, |end, bits| {
            in_order &= end >= last && end <= text.len();
            last = end;
            *found.entry(end).or_insert(0) |= bits;
        });
        let want = needle_ends(lists, text);
        let at = |m: &std::collections::BTreeMap<usize, u32>, e: usize| m.get(&e).copied().unwrap_or(0);
        in_order && want.iter().all(|(&e, &bits)| bits & !(at(&found, e) | at(&found, e + 1)) == 0) && found.iter().all(|(&e, &bits)| bits & !(at(&want, e) | at(&want, e - 1)) == 0)
    }

    const TEST_LISTS: [&[&str]; 3] = [&["b.s", "phd", "university", "ma"], &["m.a", "ma", "sity", "aa"], &["a", "ty u"]];

    /// A long text with needles all over it: more stops than `STOPS`, so that some are spilled.
    #[test]
    fn needle_lists_tell_every_end_of_a_long_text() {
        let text = "ma b.s a\nuniversity phd x".repeat(200);
        assert!(needle_lists_tell_every_end(&TEST_LISTS, &text));
        assert!(needle_lists_tell_every_end(&TEST_LISTS, &text[3..]));
    }

    proptest::proptest! {
        #[test]
        fn needle_lists_report_every_end(text in "[abspmhdunivrtyASMD. \n\u{e4}]{0,400}") {
            proptest::prop_assert!(needle_lists_tell_every_end(&TEST_LISTS, &text));
        }
    }

    /// The byte ranges of a text's lines, line ends included, by a search for each '\n'.
    fn line_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < text.len() {
            let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
            out.push(pos..end);
            pos = end;
        }
        out
    }

    /// Where the maximal runs of exactly four ASCII digits begin, byte by byte.
    fn four_digit_runs(b: &[u8]) -> Vec<usize> {
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        (0..b.len()).filter(|&i| (i == 0 || !digit(i - 1)) && (i..i + 4).all(digit) && !digit(i + 4)).collect()
    }

    /// The words of a text, counted line by line by `TextBits::lines`.
    fn words_of_lines(t: &str) -> usize {
        TextBits::of(t).lines().map(|(_, facts)| facts.words).sum()
    }

    fn text_bits_agree(t: &str, cuts: &[usize]) {
        let bits = TextBits::of(t);
        let lines = line_ranges(t);
        assert!(bits.lines_at_most() >= lines.len(), "{t:?}");
        let runs = four_digit_runs(t.as_bytes());
        let has_digit = |r: &std::ops::Range<usize>| t.as_bytes()[r.clone()].iter().any(u8::is_ascii_digit);
        let want_lines: Vec<_> = lines
            .iter()
            .map(|r| (r.clone(), RangeFacts { words: t[r.clone()].split_whitespace().count(), has_digit: has_digit(r), has_four_digit_run: runs.iter().any(|i| r.contains(i)) }))
            .collect();
        assert_eq!(bits.lines().collect::<Vec<_>>(), want_lines, "{t:?}");
        // Any range: the runs that begin in it.
        for r in lines.into_iter().chain(cuts.windows(2).map(|pair| pair[0].min(pair[1]).min(t.len())..pair[0].max(pair[1]).min(t.len()))) {
            let want: Vec<usize> = runs.iter().copied().filter(|i| r.contains(i)).collect();
            assert_eq!(bits.four_digit_runs_in(r.clone()).collect::<Vec<_>>(), want, "{r:?} of {t:?}");
        }
    }

    #[test]
    fn text_bits_of_edge_cases() {
        let long = "x".repeat(63) + "\u{3000}2019 " + &"1".repeat(60) + "1234\n5678";
        for t in ["", "\n", "a", "a\n", "\n\n2019", "2019\r\n12345 123 1234", "é\u{a0}ü\u{2003}–\u{3000}", long.as_str()] {
            text_bits_agree(t, &[0, 1, 3, 64, 65, 63, 200, 128, 127]);
        }
    }

    proptest::proptest! {
        #[test]
        fn text_bits_agree_with_the_line_by_line_reading(
            t in "\\PC*|([0-9]{1,6}|[ \n\r\t\u{85}\u{a0}\u{2003}\u{3000}é–]|[a-z]{1,70}){0,60}",
            cuts in proptest::collection::vec(0usize..1200, 0..8),
        ) {
            text_bits_agree(&t, &cuts);
        }
    }

    #[test]
    fn approx_tokens_rounds_up() {
        assert_eq!(approx_tokens(""), 0);
        assert_eq!(approx_tokens("abcde"), 2);
    }

    fn each_word(t: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        each_whitespace_word(t, |w, ascii| out.push((std::str::from_utf8(w).expect("whole characters").to_string(), ascii)));
        out
    }

    #[test]
    fn each_whitespace_word_is_split_whitespace() {
        for t in ["", " ", "a", " a  b\tc\n", "x\u{b}y\u{c}z\u{1c}w\u{7f}", "é\u{a0}ü\u{2003}–\u{3000}", "\r\n", "naïve café ", "a\u{2003}", "ab cd\u{2003}e ".repeat(20).as_str(), "x".repeat(64).as_str(), format!("{}\u{3000}y", "x".repeat(62)).as_str()] {
            let want: Vec<(String, bool)> = t.split_whitespace().map(|w| (w.to_string(), w.is_ascii())).collect();
            assert_eq!(each_word(t), want, "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn each_whitespace_word_agrees_with_std_on_any_text(t in "\\PC*|[ \t\u{b}\u{c}\r\n\u{a0}\u{2003}\u{7f}\u{1}a-zé]*|[ a\u{2003}é]{0,300}") {
            let want: Vec<(String, bool)> = t.split_whitespace().map(|w| (w.to_string(), w.is_ascii())).collect();
            proptest::prop_assert_eq!(each_word(&t), want);
        }
    }

    #[test]
    fn byte_bits_mark_each_byte() {
        let all: Vec<u8> = (0..=255).collect();
        for chunk in all.chunks(64).chain([&all[..0], &all[3..12], &all[250..]]) {
            let want_space = chunk.iter().enumerate().fold(0u64, |m, (j, &c)| m | u64::from(c >= 0x80 || !is_ascii_space(c)) << j);
            let want_high = chunk.iter().any(|&c| c >= 0x80);
            let block = block64(chunk, b' ');
            let (bits, high) = word_byte_bits(&block);
            assert_eq!((bits, high, gathered_high_bits(&block) != 0), (want_space, want_high, want_high), "{chunk:?}");
            assert_eq!(judged_word_byte_bits(&block), (want_space, want_high), "{chunk:?}");
            for byte in [0, b':', b'.', 0x80, 0xFF] {
                let want = chunk.iter().enumerate().fold(0u64, |m, (j, &c)| m | u64::from(c == byte) << j);
                assert_eq!(byte_bits(chunk, byte), want, "{byte} in {chunk:?}");
            }
        }
    }

    #[test]
    fn has_digit_finds_a_digit_anywhere() {
        for b in 0u8..=255 {
            let t = [b'x', b'y', b];
            if let Ok(s) = std::str::from_utf8(&t) {
                assert_eq!(has_digit(s), b.is_ascii_digit(), "{b}");
            }
        }
        // A digit at every place of every length up to 20 bytes.
        for n in 0..=20 {
            assert!(!has_digit(&"x".repeat(n)), "{n}");
            for at in 0..n {
                let mut t = "x".repeat(n);
                t.replace_range(at..at + 1, "7");
                assert!(has_digit(&t), "{t}");
            }
        }
        for t in ["", "abc", "v2", "abcdefgh9", "abcdefghijklmnop", "2019–2021", "é1", "ééééé", "/:"] {
            assert_eq!(has_digit(t), t.bytes().any(|b| b.is_ascii_digit()), "{t}");
        }
    }

    #[test]
    fn block64_is_the_bytes_then_padding() {
        let all: Vec<u8> = (0..64).map(|b| b * 3 + 1).collect();
        for n in 0..=64 {
            let want: Vec<u8> = all[..n].iter().copied().chain(std::iter::repeat(b'x')).take(64).collect();
            assert_eq!(block64(&all[..n], b'x')[..], want[..], "{n}");
        }
    }

    #[test]
    fn bits_where_mark_each_byte() {
        let all: Vec<u8> = (0..=255).collect();
        for chunk in all.chunks(64).chain([&all[..0], &all[3..12], &all[250..]]) {
            let is = |c: u8| c.is_ascii_alphanumeric() || c == b'&';
            let want = chunk.iter().enumerate().fold(0u64, |m, (j, &c)| m | u64::from(is(c)) << j);
            assert_eq!(bits_where(chunk, is), want, "{chunk:?}");
            assert_eq!(bits_where(chunk, |_| true).count_ones() as usize, chunk.len(), "{chunk:?}");
        }
    }

    #[test]
    fn ascii_lower8_lowers_each_byte() {
        let all: Vec<u8> = (0..128).collect();
        for eight in all.chunks(8) {
            let want: Vec<u8> = eight.iter().map(u8::to_ascii_lowercase).collect();
            assert_eq!(ascii_lower8(load8(eight, 0)).to_le_bytes(), <[u8; 8]>::try_from(want).unwrap());
        }
        for n in 0..=9 {
            let b = &b"abcdefghi"[..n];
            let want: Vec<u8> = b.iter().copied().chain([b'x'; 8]).take(8).collect();
            assert_eq!(load8(b, b'x').to_le_bytes()[..], want[..], "{n}");
        }
    }
}
