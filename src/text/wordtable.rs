//! A fixed map from words, ignoring case, to small values, for the lookups every word of a
//! resume goes through (is this token a skill? is this word a cue word?). A short ASCII word (the
//! usual case) is looked up without folding it into a string and without a general-purpose hash:
//! the classes of its first and last bytes pick a word of a fixed-size filter and its length a bit
//! of it, and most words find it clear, a few instructions in all (no hash, no bounds check, no
//! load of the slots). The others are loaded as machine words
//! (`text::load8`), lower-cased eight bytes at a time (`text::ascii_lower8`) and compared with
//! the keys of their slot. Other words are folded (`fold_into`) and looked up in a hash map.

use ahash::AHashMap;

/// Longest key (in bytes) the packed table holds; longer or non-ASCII keys go to `other`.
const PACKED: usize = 24;

/// A short ASCII word as `PACKED / 8` little-endian machine words, zero-padded.
type Packed = [u64; PACKED / 8];

/// A key of the packed table, lower-cased.
struct Key {
    words: Packed,
    len: u8,
    /// The next key of its slot (`WordTable::slots`), 0 for none.
    next: u16,
    value: u32,
}

/// Bits of the hash that pick a slot (`slot_of`): 2,048 slots, about five a key of the largest
/// table (the cue words), so most slots hold one key or none.
const SLOT_BITS: u32 = 11;

/// The class of a byte as a word's first or last (`WordTable::filter`): an ASCII letter's is its
/// own, either case (1 to 26), every digit's is 27, and `+`, `#`, `.` and `'` (which end some
/// keys) have theirs; every other byte's is 0. 32 classes: two ends pick one of 1,024 cells.
const END_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 26 {
        t[b'a' as usize + c] = c as u8 + 1;
        t[b'A' as usize + c] = c as u8 + 1;
        c += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = 27;
        d += 1;
    }
    t[b'+' as usize] = 28;
    t[b'#' as usize] = 29;
    t[b'.' as usize] = 30;
    t[b'\'' as usize] = 31;
    t
};

/// The cell of `WordTable::filter` of a word (1 to `PACKED` bytes) with these ends: their classes
/// (`END_CLASS`), the first's above the last's.
#[inline(always)]
fn cell_of(first: u8, last: u8) -> usize {
    (usize::from(END_CLASS[usize::from(first)]) << 5 | usize::from(END_CLASS[usize::from(last)])) & 1023
}

/// Words (their folded form) to values.
pub struct WordTable {
    /// Bit `n` of cell `c` set when a packed key of `n` bytes has its ends in cell `c` (`cell_of`):
    /// a word whose bit is clear is no key. A word that is none but passes shares its ends'
    /// classes and its length with a key (as with a hash of its ends, most that pass do). 4 KB, of
    /// a fixed size, so the word's bit is read with no bounds check and no hash reckoned.
    filter: [u32; 1024],
    /// Slot `s` holds the index in `keys` of the first key of those whose first machine word and
    /// length hash to `s` (`slot_of`; the others follow by `Key::next`), 0 for none. Of a fixed
    /// size: a word's slot is read with no bounds check, and its first key with no test of the
    /// slot for none (`keys[0]` is no key).
    slots: Box<[u16; 1 << SLOT_BITS]>,
    /// The packed keys after `keys[0]`, which is none: its length, 0, is no word's.
    keys: Vec<Key>,
    /// Folded keys longer than `PACKED` bytes or not ASCII.
    other: AHashMap<String, u32>,
    /// Whether `other` holds an ASCII key: if not, a long ASCII word is no key, unfolded.
    long_ascii: bool,
}

impl WordTable {
    /// A table of `(key, value)` pairs; keys are folded as `get` folds words (`fold_into`). A key
    /// given twice keeps its last value.
    pub fn new<'k>(entries: impl IntoIterator<Item = (&'k str, u32)>) -> WordTable {
        let mut folded: AHashMap<String, u32> = AHashMap::new();
        for (k, v) in entries {
            let mut key = String::new();
            super::fold_into(k, &mut key);
            folded.insert(key, v);
        }
        let (mut keys, mut other, mut long_ascii) = (Vec::new(), AHashMap::new(), false);
        for (key, value) in folded {
            if (1..=PACKED).contains(&key.len()) && key.is_ascii() {
                keys.push((key.into_bytes(), value));
            } else {
                long_ascii |= key.is_ascii();
                other.insert(key, value);
            }
        }
        let mut filter = [0u32; 1024];
        for (k, _) in &keys {
            filter[cell_of(k[0], k[k.len() - 1])] |= 1 << k.len();
        }
        // In order of their bytes (the map's order changes from run to run), each put at the head
        // of its slot's list.
        keys.sort_unstable();
        let mut slots = Box::new([0u16; 1 << SLOT_BITS]);
        let mut packed = vec![Key { words: [0; PACKED / 8], len: 0, next: 0, value: 0 }];
        for (k, value) in keys {
            let (words, at) = (packed_lower(&k), u16::try_from(packed.len()).expect("fewer keys than u16::MAX"));
            let slot = &mut slots[slot_of(words[0], k.len())];
            packed.push(Key { words, len: k.len() as u8, next: *slot, value });
            *slot = at;
        }
        WordTable { filter, slots, keys: packed, other, long_ascii }
    }

    /// The value of `word` (any case), if it is a key. `scratch` holds the folded word when it
    /// has to be folded (not ASCII, or longer than the packed keys). Inlined where it is called.
    #[inline(always)]
    pub fn get(&self, word: &str, scratch: &mut String) -> Option<u32> {
        let b = word.as_bytes();
        if (1..=PACKED).contains(&b.len()) {
            return if is_short_ascii(b) { self.get_ascii(b) } else { self.get_folded(word, scratch) };
        }
        if b.is_ascii() && !self.long_ascii {
            return None;
        }
        self.get_folded(word, scratch)
    }

    /// The value of an ASCII word (any case), if it is a key: most words stop at a clear bit of
    /// the filter.
    #[inline(always)]
    pub fn get_ascii(&self, word: &[u8]) -> Option<u32> {
        debug_assert!(word.is_ascii());
        // Not 1 to `PACKED` bytes: an empty word wraps round to the most.
        if word.len().wrapping_sub(1) >= PACKED {
            return self.get_long_ascii(word);
        }
        let (first, last) = (word[0], word[word.len() - 1]);
        if !self.may_hold(first, last, word.len()) {
            return None;
        }
        self.find(word.len(), packed_lower(word))
    }

    /// `get_ascii` of ASCII words joined by single spaces (a multi-word key), with no joined
    /// copy made unless the filter passes it: the filter's bit is read from the first word's
    /// first byte, the last word's last byte and the joined length, and only then are the words
    /// copied into a zero-padded block (`Packed`'s padding) and compared.
    #[inline]
    pub fn get_ascii_joined<const N: usize>(&self, words: [&[u8]; N]) -> Option<u32> {
        let len = words.iter().map(|w| w.len()).sum::<usize>() + N.saturating_sub(1);
        let ends = (words.first().and_then(|w| w.first()), words.last().and_then(|w| w.last()));
        let (Some(&first), Some(&last)) = ends else { return self.get_joined(&words) };
        if len > PACKED || words.iter().any(|w| w.is_empty()) {
            return self.get_joined(&words);
        }
        if !self.may_hold(first, last, len) {
            return None;
        }
        let mut block = [0u8; PACKED];
        let mut at = 0;
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                block[at] = b' ';
                at += 1;
            }
            block[at..at + w.len()].copy_from_slice(w);
            at += w.len();
        }
        self.find(len, packed_lower(&block[..len]))
    }

    /// `get_ascii_joined` of words it does not read itself (an empty one, or joined longer than
    /// the packed keys): joined, then `get_ascii`.
    #[cold]
    #[inline(never)]
    fn get_joined(&self, words: &[&[u8]]) -> Option<u32> {
        self.get_ascii(&words.join(&b' '))
    }

    /// Whether the filter lets a word of `len` bytes (1 to `PACKED`) with these ends through to
    /// the slots.
    #[inline(always)]
    fn may_hold(&self, first: u8, last: u8, len: usize) -> bool {
        self.filter[cell_of(first, last)] & 1 << len != 0
    }

    /// The value of the key of `len` bytes (1 to `PACKED`), `words` packed and lower-cased, if
    /// there is one: the keys of its slot are walked from the first (`keys[0]`, no key, for an
    /// empty slot), most often one. A key of the word's length is compared by its first machine
    /// word, and by the others only past eight bytes (below, both are zeros there): most words
    /// that reach a slot are short, and theirs is one comparison of two registers.
    #[inline(always)]
    fn find(&self, len: usize, words: Packed) -> Option<u32> {
        let mut key = &self.keys[usize::from(self.slots[slot_of(words[0], len)])];
        loop {
            if usize::from(key.len) == len && key.words[0] == words[0] && (len <= 8 || key.words[1..] == words[1..]) {
                return Some(key.value);
            }
            if key.next == 0 {
                return None;
            }
            key = &self.keys[usize::from(key.next)];
        }
    }

    /// `get_ascii` of a word longer than the packed keys (or empty).
    #[cold]
    #[inline(never)]
    fn get_long_ascii(&self, word: &[u8]) -> Option<u32> {
        if !self.long_ascii {
            return None;
        }
        self.other.get(String::from_utf8_lossy(word).to_ascii_lowercase().as_str()).copied()
    }

    /// `get` of a word that is not short ASCII: folded first.
    #[cold]
    #[inline(never)]
    fn get_folded(&self, word: &str, scratch: &mut String) -> Option<u32> {
        super::fold_into(word, scratch);
        match scratch.len() {
            1..=PACKED if scratch.is_ascii() => self.get_ascii(scratch.as_bytes()),
            _ => self.other.get(scratch.as_str()).copied(),
        }
    }
}

/// The slot (`WordTable::slots`) of a word of `len` bytes whose first machine word, packed and
/// lower-cased (`packed_lower`), is `first`: a Fibonacci hash of the two, its top bits. Reckoned
/// only for a word the filter passes; words of the same first eight bytes and length (long keys
/// that differ further on) share a slot.
#[inline(always)]
fn slot_of(first: u64, len: usize) -> usize {
    ((first ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOT_BITS)) as usize
}

/// Whether a word of 1 to `PACKED` bytes is ASCII: the high bits of its bytes read by a few loads
/// that overlap (bytes read twice are the same bytes), not byte by byte.
#[inline(always)]
fn is_short_ascii(b: &[u8]) -> bool {
    let n = b.len();
    let ends = match n {
        0..=8 => super::load_overlapping(b),
        _ => {
            let at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
            at(0) | at(n - 8) | if n > 16 { at(8) } else { 0 }
        }
    };
    ends & super::HIGH_BITS == 0
}

/// A word of at most `PACKED` ASCII bytes as machine words (`text::load8`), zero-padded and
/// lower-cased (`text::ascii_lower8`).
#[inline(always)]
fn packed_lower(word: &[u8]) -> Packed {
    let n = word.len();
    // The eight bytes from `from` (fewer at the end, none past it), each a test and a load: no loop.
    let eight = |from: usize| if n > from { super::ascii_lower8(super::load8(&word[from..n.min(from + 8)], 0)) } else { 0 };
    // Written out, not `array::from_fn`, which the compiler left out of line (a call a word that
    // passes the filter).
    const { assert!(PACKED == 24, "three eights") };
    [eight(0), eight(8), eight(16)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_lower_is_the_zero_padded_lower_case_bytes() {
        let text = b"abCDefGHijKLmnOPqrSTuvWXyz";
        for n in 0..=PACKED {
            let mut buf = [0u8; PACKED];
            buf[..n].copy_from_slice(&text[..n].to_ascii_lowercase());
            let want: Packed = std::array::from_fn(|k| u64::from_le_bytes(buf[8 * k..8 * k + 8].try_into().unwrap()));
            assert_eq!(packed_lower(&text[..n]), want, "{n}");
        }
    }

    #[test]
    fn short_ascii_is_read_at_every_byte() {
        for n in 1..=PACKED {
            let word = vec![b'a'; n];
            assert!(is_short_ascii(&word), "{n}");
            for at in 0..n {
                let mut w = word.clone();
                w[at] = 0x80;
                assert!(!is_short_ascii(&w), "{n} {at}");
            }
        }
    }

    #[test]
    fn finds_keys_in_any_case_and_nothing_else() {
        let keys = [
            "python",
            "c++",
            "c#",
            "node.js",
            "a-very-long-key-indeed",
            "a-key-longer-than-twenty-four",
            "café",
            "x",
            "kubernetes12345",
        ];
        let t = WordTable::new(keys.iter().enumerate().map(|(i, k)| (*k, i as u32)));
        let mut s = String::new();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(k, &mut s), Some(i as u32), "{k}");
            assert_eq!(t.get(&k.to_uppercase(), &mut s), Some(i as u32), "{k}");
        }
        for w in [
            "",
            "pytho",
            "pythons",
            "c+",
            "C",
            "caf",
            "cafe",
            "a-very-long-key-indeeD!",
            "kubernetes1234",
            "\u{212A}",
        ] {
            assert_eq!(t.get(w, &mut s), None, "{w}");
        }
        // A non-ASCII word whose folded form is a short ASCII key (the Kelvin sign folds to 'k').
        let k = WordTable::new([("k", 7)]);
        assert_eq!(k.get("\u{212A}", &mut s), Some(7));
    }

    #[test]
    fn finds_keys_that_share_a_slot() {
        // More keys than slots, a thousand of them alike in their first eight bytes and length:
        // slots hold several keys, walked by `next`.
        let keys: Vec<String> = (0..3000).map(|n| format!("key-of-{n:05}")).collect();
        let t = WordTable::new(keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get_ascii(k.to_uppercase().as_bytes()), Some(i as u32), "{k}");
        }
        for w in ["key-of-03000", "key-of-0000", "key-of-000000", "kez-of-00001"] {
            assert_eq!(t.get_ascii(w.as_bytes()), None, "{w}");
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_a_map_of_folded_keys(keys in proptest::collection::vec("[a-zA-Z0-9+#.éΣ]{1,30}", 0..60), probes in proptest::collection::vec("[a-zA-Z0-9+#.éΣσς]{0,30}", 0..60)) {
            let t = WordTable::new(keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)));
            let fold = |w: &str| w.chars().flat_map(char::to_lowercase).collect::<String>();
            let mut want: AHashMap<String, u32> = AHashMap::new();
            for (i, k) in keys.iter().enumerate() {
                want.insert(fold(k), i as u32);
            }
            let mut s = String::new();
            for w in keys.iter().chain(&probes) {
                proptest::prop_assert_eq!(t.get(w, &mut s), want.get(&fold(w)).copied(), "{}", w);
                if w.is_ascii() {
                    proptest::prop_assert_eq!(t.get_ascii(w.as_bytes()), want.get(&fold(w)).copied(), "{}", w);
                }
            }
            // Keys of several words, looked up by their words.
            let joined: Vec<String> = keys.windows(3).map(|w| w.join(" ")).chain(probes.windows(2).map(|w| w.join(" "))).collect();
            let t = WordTable::new(joined.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)));
            let mut want: AHashMap<String, u32> = AHashMap::new();
            for (i, k) in joined.iter().enumerate() {
                want.insert(fold(k), i as u32);
            }
            for w in keys.windows(3).chain(probes.windows(2)).chain(keys.windows(2)).filter(|w| w.iter().all(|x| x.is_ascii())) {
                let got = match w {
                    [a, b] => t.get_ascii_joined([a.as_bytes(), b.as_bytes()]),
                    [a, b, c] => t.get_ascii_joined([a.as_bytes(), b.as_bytes(), c.as_bytes()]),
                    _ => unreachable!("windows of two and three"),
                };
                proptest::prop_assert_eq!(got, want.get(&fold(&w.join(" "))).copied(), "{:?}", w);
            }
        }
    }
}
