//! A fixed map from words, ignoring case, to small values, for the lookups every word of a
//! resume goes through (is this token a skill? is this word a cue word?). A short ASCII word (the
//! usual case) is looked up without folding it into a string and without a general-purpose hash:
//! its first and last bytes and its length pick a bucket by one multiplication, and most words
//! find their bucket empty, a few instructions in all. The others are loaded as machine words
//! (`text::load8`), lower-cased eight bytes at a time (`text::ascii_lower8`) and compared with
//! the bucket's keys. Other words are folded (`fold_into`) and looked up in a hash map.

use ahash::AHashMap;

/// Longest key (in bytes) the packed table holds; longer or non-ASCII keys go to `other`.
const PACKED: usize = 24;

/// A short ASCII word as `PACKED / 8` little-endian machine words, zero-padded.
type Packed = [u64; PACKED / 8];

/// A key of the packed table, lower-cased.
struct Key {
    words: Packed,
    len: u8,
    value: u32,
}

/// Words (their folded form) to values.
pub struct WordTable {
    /// Bucket `b` holds `keys[starts[b]..starts[b + 1]]`.
    starts: Vec<u16>,
    keys: Vec<Key>,
    /// Bits of the hash that pick a bucket (there are `1 << bits`).
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
        let mut folded: AHashMap<String, u32> = AHashMap::new();
        for (k, v) in entries {
            let mut key = String::new();
            super::fold_into(k, &mut key);
            folded.insert(key, v);
        }
        let (mut keys, mut other, mut long_ascii) = (Vec::new(), AHashMap::new(), false);
        for (key, value) in folded {
            match load_ascii(key.as_bytes()) {
                Some(words) => keys.push((key.into_bytes(), Key { words: words.map(super::ascii_lower8), len: 0, value })),
                None => {
                    long_ascii |= key.is_ascii();
                    other.insert(key, value);
                }
            }
        }
        // About eight buckets a key: most lookups of a word that is no key end at an empty one.
        let bits = (keys.len() * 8).max(64).next_power_of_two().trailing_zeros();
        let mut keys: Vec<(usize, Key)> = keys.into_iter().map(|(k, key)| (bucket_of(&k, bits), Key { len: k.len() as u8, ..key })).collect();
        keys.sort_by_key(|(b, k)| (*b, k.words, k.len));
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        let mut at = 0;
        for b in 0..=(1usize << bits) {
            while keys.get(at).is_some_and(|&(kb, _)| kb < b) {
                at += 1;
            }
            starts.push(u16::try_from(at).expect("fewer keys than u16::MAX"));
        }
        WordTable { starts, keys: keys.into_iter().map(|(_, k)| k).collect(), bits, other, long_ascii }
    }

    /// The value of `word` (any case), if it is a key. `scratch` holds the folded word when it
    /// has to be folded (not ASCII, or longer than the packed keys). Inlined where it is called.
    #[inline(always)]
    pub fn get(&self, word: &str, scratch: &mut String) -> Option<u32> {
        let b = word.as_bytes();
        if (1..=PACKED).contains(&b.len()) && b.is_ascii() {
            return self.get_ascii(b);
        }
        if b.is_ascii() && !self.long_ascii {
            return None;
        }
        self.get_folded(word, scratch)
    }

    /// The value of an ASCII word (any case), if it is a key: most words stop at an empty bucket.
    #[inline(always)]
    pub fn get_ascii(&self, word: &[u8]) -> Option<u32> {
        debug_assert!(word.is_ascii());
        if !(1..=PACKED).contains(&word.len()) {
            return self.get_long_ascii(word);
        }
        let bucket = bucket_of(word, self.bits);
        let (from, to) = (usize::from(self.starts[bucket]), usize::from(self.starts[bucket + 1]));
        if from == to {
            return None;
        }
        let mut words = [0u64; PACKED / 8];
        for (w, eight) in words.iter_mut().zip(word.chunks(8)) {
            *w = super::ascii_lower8(super::load8(eight, 0));
        }
        self.keys[from..to].iter().find(|k| usize::from(k.len) == word.len() && k.words == words).map(|k| k.value)
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

/// The bucket of a word (1 to `PACKED` ASCII bytes) by its first and last bytes and its length,
/// a Fibonacci hash's top `bits` bits. The end bytes are or-ed with 0x20, which lower-cases a
/// letter, so a word and its lower-case key meet in one bucket.
#[inline(always)]
fn bucket_of(word: &[u8], bits: u32) -> usize {
    let ends = u32::from(word[0] | 0x20) | u32::from(word[word.len() - 1] | 0x20) << 8 | (word.len() as u32) << 16;
    (ends.wrapping_mul(0x9E37_79B9) >> (32 - bits)) as usize
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
                if w.is_ascii() {
                    proptest::prop_assert_eq!(t.get_ascii(w.as_bytes()), want.get(&fold(w)).copied(), "{}", w);
                }
            }
        }
    }
}
