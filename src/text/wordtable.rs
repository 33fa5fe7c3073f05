//! A fixed map from words, ignoring case, to small values, for the lookups every token of a
//! resume goes through (is this word a skill? a cue word?). A short ASCII word (the usual case)
//! is looked up without folding it into a string and without a general-purpose hash: its bytes
//! are loaded as two machine words (`text::load8`), lower-cased eight at a time
//! (`text::ascii_lower8`), and found by one multiplicative hash and a probe or two in an
//! open-addressed table. Other words are folded (`fold_into`) and looked up in a hash map.

use ahash::AHashMap;

/// Longest key (in bytes) the packed table holds; longer or non-ASCII keys go to `other`.
const PACKED: usize = 16;

/// A slot of the packed table; `len == 0` marks it empty (the empty word is never a key).
#[derive(Clone, Copy, Default)]
struct Slot {
    lo: u64,
    hi: u64,
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
        let mut table = WordTable {
            slots: vec![Slot::default(); 1 << bits],
            bits,
            other: AHashMap::new(),
        };
        for (key, value) in entries {
            let Some((lo, hi)) = load_ascii(key.as_bytes()) else {
                table.other.insert(key, value);
                continue;
            };
            let len = key.len() as u8;
            let mut i = table.home(lo, hi, len);
            loop {
                let slot = &mut table.slots[i];
                if slot.len == 0 || (slot.lo, slot.hi, slot.len) == (lo, hi, len) {
                    *slot = Slot { lo, hi, len, value };
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
            Some((lo, hi)) => self.get_packed(lo, hi, word.len() as u8),
            None => self.get_folded(word, scratch),
        }
    }

    /// `get` of a word that is not short ASCII: folded first.
    #[cold]
    #[inline(never)]
    fn get_folded(&self, word: &str, scratch: &mut String) -> Option<u32> {
        super::fold_into(word, scratch);
        match load_ascii(scratch.as_bytes()) {
            Some((lo, hi)) => self.get_packed(lo, hi, scratch.len() as u8),
            None => self.other.get(scratch.as_str()).copied(),
        }
    }

    /// The value of a short ASCII word (loaded by `load_ascii`), lower-cased here.
    #[inline(always)]
    fn get_packed(&self, lo: u64, hi: u64, len: u8) -> Option<u32> {
        let (lo, hi) = (super::ascii_lower8(lo), super::ascii_lower8(hi));
        let mut i = self.home(lo, hi, len);
        loop {
            let slot = &self.slots[i];
            if slot.len == 0 {
                return None;
            }
            if (slot.lo, slot.hi, slot.len) == (lo, hi, len) {
                return Some(slot.value);
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
    }

    /// The slot a key's probe starts at: a Fibonacci hash of its two words and length.
    #[inline]
    fn home(&self, lo: u64, hi: u64, len: u8) -> usize {
        let h = (lo ^ hi.rotate_left(29) ^ u64::from(len)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - self.bits)) as usize
    }
}

/// A word of 1 to 16 ASCII bytes as two little-endian words, zero-padded (`text::load8`); None
/// for any other.
#[inline(always)]
fn load_ascii(b: &[u8]) -> Option<(u64, u64)> {
    if b.is_empty() || b.len() > PACKED {
        return None;
    }
    let (first, rest) = b.split_at(b.len().min(8));
    let (lo, hi) = (super::load8(first, 0), super::load8(rest, 0));
    ((lo | hi) & 0x8080_8080_8080_8080 == 0).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_ascii_is_the_zero_padded_bytes() {
        let text = b"abcdefghijklmnopqrs";
        for n in 0..=text.len() {
            let mut buf = [0u8; 16];
            let want = (1..=16).contains(&n).then(|| {
                buf[..n].copy_from_slice(&text[..n]);
                (u64::from_le_bytes(buf[..8].try_into().unwrap()), u64::from_le_bytes(buf[8..].try_into().unwrap()))
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
        fn agrees_with_a_map_of_folded_keys(keys in proptest::collection::vec("[a-zA-Z0-9+#.éΣ]{1,20}", 0..60), probes in proptest::collection::vec("[a-zA-Z0-9+#.éΣσς]{0,20}", 0..60)) {
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
