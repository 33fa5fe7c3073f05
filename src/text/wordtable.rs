//! A fixed map from words, ignoring case, to small values, for the lookups every token of a
//! resume goes through (is this word a skill? a cue word?). A short ASCII word (the usual case)
//! is looked up without folding it into a string and without a general-purpose hash: its bytes
//! are loaded as two machine words (`text::load8`), lower-cased eight at a time
//! (`text::ascii_lower8`), and found by one multiplicative hash and a probe or two in an
//! open-addressed table. Other words are folded (`fold_into`) and looked up in a hash map.

use ahash::AHashMap;

/// Longest key (in bytes) the packed table holds; longer or non-ASCII keys go to `other`.
const PACKED: usize = 24;

/// A short ASCII word as `PACKED / 8` little-endian machine words, zero-padded.
type Packed = [u64; PACKED / 8];

/// A slot of the packed table; `len == 0` marks it empty (the empty word is never a key).
#[derive(Clone, Copy, Default)]
struct Slot {
    words: Packed,
    len: u8,
    value: u32,
}

/// Words (their folded form) to values.
pub struct WordTable {
    slots: Vec<Slot>,
    /// Bits of the hash that index `slots` (its length is `1 << bits`).
    bits: u32,
    /// Folded keys longer than `PACKED` bytes or not ASCII.
    other: AHashMap<String, u32>,
    /// Whether `other` holds an ASCII key: if not, a long ASCII word is no key, unfolded.
    long_ascii: bool,
}

impl WordTable {
    /// A table of `(key, value)` pairs; keys are folded as `get` folds words (`fold_into`). A key
    /// given twice keeps its last value.
    pub fn new<'k>(entries: impl IntoIterator<Item = (&'k str, u32)>) -> WordTable {
        let fold = |k: &str| {
            let mut s = String::new();
            super::fold_into(k, &mut s);
            s
        };
        let entries: Vec<(String, u32)> = entries.into_iter().map(|(k, v)| (fold(k), v)).collect();
        let packed = entries.iter().filter(|(k, _)| load_ascii(k.as_bytes()).is_some()).count();
        // At most half full: probes stay short.
        let bits = (packed * 2).max(16).next_power_of_two().trailing_zeros();
        let mut table = WordTable { slots: vec![Slot::default(); 1 << bits], bits, other: AHashMap::new(), long_ascii: false };
        for (key, value) in entries {
            let Some(words) = load_ascii(key.as_bytes()) else {
                table.long_ascii |= key.is_ascii();
                table.other.insert(key, value);
                continue;
            };
            let len = key.len() as u8;
            let mut i = table.home(&words, len);
            loop {
                let slot = &mut table.slots[i];
                if slot.len == 0 || (slot.words, slot.len) == (words, len) {
                    *slot = Slot { words, len, value };
                    break;
                }
                i = (i + 1) & (table.slots.len() - 1);
            }
        }
        table
    }

    /// The value of `word` (any case), if it is a key. `scratch` holds the folded word when it
    /// has to be folded (not short ASCII). Inlined where it is called: most words take the first
    /// branch, a few dozen instructions.
    #[inline(always)]
    pub fn get(&self, word: &str, scratch: &mut String) -> Option<u32> {
        match load_ascii(word.as_bytes()) {
            Some(words) => self.get_packed(words, word.len() as u8),
            None if word.is_ascii() && !self.long_ascii => None,
            None => self.get_folded(word, scratch),
        }
    }

    /// `get` of a word that is not short ASCII: folded first.
    #[cold]
    #[inline(never)]
    fn get_folded(&self, word: &str, scratch: &mut String) -> Option<u32> {
        super::fold_into(word, scratch);
        match load_ascii(scratch.as_bytes()) {
            Some(words) => self.get_packed(words, scratch.len() as u8),
            None => self.other.get(scratch.as_str()).copied(),
        }
    }

    /// The value of a short ASCII word (loaded by `load_ascii`), lower-cased here.
    #[inline(always)]
    fn get_packed(&self, words: Packed, len: u8) -> Option<u32> {
        let words = words.map(super::ascii_lower8);
        let mut i = self.home(&words, len);
        loop {
            let slot = &self.slots[i];
            if slot.len == 0 {
                return None;
            }
            if (slot.words, slot.len) == (words, len) {
                return Some(slot.value);
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
    }

    /// The slot a key's probe starts at: a Fibonacci hash of its words and length.
    #[inline(always)]
    fn home(&self, words: &Packed, len: u8) -> usize {
        let mixed = words[0] ^ words[1].rotate_left(21) ^ words[2].rotate_left(42) ^ u64::from(len);
        (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }
}

/// A word of 1 to `PACKED` ASCII bytes as machine words, zero-padded (`text::load8`); None for
/// any other.
#[inline(always)]
fn load_ascii(b: &[u8]) -> Option<Packed> {
    if b.is_empty() || b.len() > PACKED {
        return None;
    }
    let mut words = [0u64; PACKED / 8];
    for (w, eight) in words.iter_mut().zip(b.chunks(8)) {
        *w = super::load8(eight, 0);
    }
    (words.iter().fold(0, |a, w| a | w) & 0x8080_8080_8080_8080 == 0).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_ascii_is_the_zero_padded_bytes() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123";
        for n in 0..=text.len() {
            let mut buf = [0u8; PACKED];
            let want = (1..=PACKED).contains(&n).then(|| {
                buf[..n].copy_from_slice(&text[..n]);
                std::array::from_fn(|k| u64::from_le_bytes(buf[8 * k..8 * k + 8].try_into().unwrap()))
            });
            assert_eq!(load_ascii(&text[..n]), want, "{n}");
        }
        assert_eq!(load_ascii("é".as_bytes()), None);
        assert_eq!(load_ascii("abcdefghé".as_bytes()), None);
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
            }
        }
    }
}
