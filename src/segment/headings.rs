//! The heading vocabulary: the words real resumes use for each section, matched on whole lines
//! after normalisation (case, decoration, trailing colons, letter spacing, qualifier words).

use super::SectionType;
use ahash::{AHashMap, AHashSet};
use std::sync::OnceLock;

/// Heading text (normalised) and its section type.
const VOCABULARY: &[(&str, SectionType)] = &[
    ("contact", SectionType::Contact),
    ("contact information", SectionType::Contact),
    ("contact details", SectionType::Contact),
    ("personal information", SectionType::Contact),
    ("personal details", SectionType::Additional),
    ("personal profile", SectionType::Additional),
    ("summary", SectionType::Summary),
    ("profile", SectionType::Summary),
    ("about", SectionType::Summary),
    ("about me", SectionType::Summary),
    ("objective", SectionType::Summary),
    ("career objective", SectionType::Summary),
    ("career summary", SectionType::Summary),
    ("overview", SectionType::Summary),
    ("executive summary", SectionType::Summary),
    ("personal statement", SectionType::Summary),
    ("qualifications summary", SectionType::Summary),
    ("summary of qualifications", SectionType::Summary),
    ("what i do", SectionType::Summary),
    ("snapshot", SectionType::Summary),
    ("professional highlights", SectionType::Summary),
    ("career highlights", SectionType::Summary),
    ("highlights of qualifications", SectionType::Summary),
    ("teaching philosophy", SectionType::Summary),
    ("introduction", SectionType::Summary),
    ("experience", SectionType::Experience),
    ("work experience", SectionType::Experience),
    ("employment", SectionType::Experience),
    ("employment history", SectionType::Experience),
    ("work history", SectionType::Experience),
    ("background", SectionType::Experience),
    ("career history", SectionType::Experience),
    ("career", SectionType::Experience),
    ("positions", SectionType::Experience),
    ("positions held", SectionType::Experience),
    ("experience history", SectionType::Experience),
    ("industry experience", SectionType::Experience),
    ("where i've worked", SectionType::Experience),
    ("where i have worked", SectionType::Experience),
    ("jobs", SectionType::Experience),
    ("internships", SectionType::Experience),
    ("internship", SectionType::Experience),
    ("freelance", SectionType::Experience),
    ("freelance work", SectionType::Experience),
    ("appointments", SectionType::Experience),
    ("teaching", SectionType::Experience),
    ("clinical rotations", SectionType::Experience),
    ("rotations", SectionType::Experience),
    ("military service", SectionType::Experience),
    ("civilian work", SectionType::Experience),
    ("campus involvement", SectionType::Experience),
    ("employment experience", SectionType::Experience),
    ("education", SectionType::Education),
    ("academic background", SectionType::Education),
    ("academic qualifications", SectionType::Education),
    ("academics", SectionType::Education),
    ("education and training", SectionType::Education),
    ("training", SectionType::Education),
    ("qualifications", SectionType::Education),
    ("degrees", SectionType::Education),
    ("academic history", SectionType::Education),
    ("schooling", SectionType::Education),
    ("continuing education", SectionType::Education),
    ("educational qualification", SectionType::Education),
    ("educational qualifications", SectionType::Education),
    ("educational background", SectionType::Education),
    ("apprenticeship", SectionType::Education),
    ("skills", SectionType::Skills),
    ("competencies", SectionType::Skills),
    ("core competencies", SectionType::Skills),
    ("expertise", SectionType::Skills),
    ("areas of expertise", SectionType::Skills),
    ("technologies", SectionType::Skills),
    ("tools", SectionType::Skills),
    ("skill set", SectionType::Skills),
    ("skillset", SectionType::Skills),
    ("strengths", SectionType::Skills),
    ("capabilities", SectionType::Skills),
    ("proficiencies", SectionType::Skills),
    ("tech stack", SectionType::Skills),
    ("toolbox", SectionType::Skills),
    ("software", SectionType::Skills),
    ("equipment", SectionType::Skills),
    ("gear", SectionType::Skills),
    ("what i'm good at", SectionType::Skills),
    ("tools and equipment", SectionType::Skills),
    ("projects", SectionType::Projects),
    ("project", SectionType::Projects),
    ("portfolio", SectionType::Projects),
    ("side projects", SectionType::Projects),
    ("open source", SectionType::Projects),
    ("certifications", SectionType::Certifications),
    ("certification", SectionType::Certifications),
    ("certificates", SectionType::Certifications),
    ("licenses", SectionType::Certifications),
    ("licenses and certifications", SectionType::Certifications),
    ("credentials", SectionType::Certifications),
    ("licensure", SectionType::Certifications),
    ("license", SectionType::Certifications),
    ("bar admissions", SectionType::Certifications),
    ("bar admission", SectionType::Certifications),
    ("board certification", SectionType::Certifications),
    ("board certifications", SectionType::Certifications),
    ("registrations", SectionType::Certifications),
    ("professional development", SectionType::Certifications),
    ("awards", SectionType::Awards),
    ("honors", SectionType::Awards),
    ("honours", SectionType::Awards),
    ("honors and awards", SectionType::Awards),
    ("awards and honors", SectionType::Awards),
    ("achievements", SectionType::Awards),
    ("accomplishments", SectionType::Awards),
    ("recognition", SectionType::Awards),
    ("grants", SectionType::Awards),
    ("fellowships", SectionType::Awards),
    ("scholarships", SectionType::Awards),
    ("publications", SectionType::Publications),
    ("papers", SectionType::Publications),
    ("writing", SectionType::Publications),
    ("presentations", SectionType::Publications),
    ("talks", SectionType::Publications),
    ("research", SectionType::Publications),
    ("invited talks", SectionType::Publications),
    ("posters", SectionType::Publications),
    ("books", SectionType::Publications),
    ("published work", SectionType::Publications),
    ("volunteering", SectionType::Volunteering),
    ("volunteer", SectionType::Volunteering),
    ("volunteer experience", SectionType::Volunteering),
    ("volunteer work", SectionType::Volunteering),
    ("community involvement", SectionType::Volunteering),
    ("community service", SectionType::Volunteering),
    ("leadership and volunteering", SectionType::Volunteering),
    ("pro bono", SectionType::Volunteering),
    ("pro bono work", SectionType::Volunteering),
    ("community", SectionType::Volunteering),
    ("service", SectionType::Volunteering),
    ("outreach", SectionType::Volunteering),
    ("civic engagement", SectionType::Volunteering),
    ("languages", SectionType::Languages),
    ("language skills", SectionType::Languages),
    ("spoken languages", SectionType::Languages),
    ("languages spoken", SectionType::Languages),
    ("interests", SectionType::Interests),
    ("hobbies", SectionType::Interests),
    ("hobbies and interests", SectionType::Interests),
    ("personal interests", SectionType::Interests),
    ("outside interests", SectionType::Interests),
    ("activities", SectionType::Interests),
    ("references", SectionType::References),
    ("recommendations", SectionType::References),
    ("testimonials", SectionType::References),
    ("referees", SectionType::References),
    ("additional information", SectionType::Additional),
    ("additional", SectionType::Additional),
    ("other", SectionType::Additional),
    ("miscellaneous", SectionType::Additional),
    ("misc", SectionType::Additional),
    ("other information", SectionType::Additional),
    ("availability", SectionType::Additional),
    ("declaration", SectionType::Other),
    ("affiliations", SectionType::Other),
    ("professional affiliations", SectionType::Other),
    ("memberships", SectionType::Other),
    ("professional memberships", SectionType::Other),
    ("board service", SectionType::Other),
    ("students supervised", SectionType::Other),
];

/// Words that qualify a heading without changing its type ("Relevant Experience").
const QUALIFIERS: &[&str] = &[
    "relevant", "selected", "additional", "key", "professional", "technical", "other", "recent", "core", "my", "academic",
    "work", "career", "notable", "select", "personal", "related",
    // Fields and settings people name their experience, skills or training by.
    "culinary", "clinical", "military", "legal", "teaching", "sales", "shop", "civilian", "leadership", "research", "industry",
    "nursing", "consulting", "field", "executive", "digital", "computer", "staff", "postgraduate", "job-related", "invited",
    "conference", "university", "hris",
];

/// Lines inside a job entry that look like headings but label a part of the entry.
const ENTRY_LABELS: &[&str] = &[
    "responsibilities", "key responsibilities", "achievements", "key achievements", "accomplishments", "key accomplishments",
    "role", "project description", "description", "environment", "technologies used", "tools used", "tech", "highlights",
    "duties", "key contributions", "impact", "results", "courses", "coursework", "relevant coursework", "skills used",
    "roles and responsibilities", "duties and responsibilities", "key accomplishment", "key achievement",
];

fn vocabulary() -> &'static AHashMap<&'static str, SectionType> {
    static MAP: OnceLock<AHashMap<&'static str, SectionType>> = OnceLock::new();
    MAP.get_or_init(|| VOCABULARY.iter().copied().collect())
}

/// Every word a heading can be made of: a line with any other word is not a heading, which
/// rejects almost every line at the cost of a few lookups.
fn heading_words() -> &'static AHashSet<&'static str> {
    static WORDS: OnceLock<AHashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut w: AHashSet<&'static str> = VOCABULARY.iter().flat_map(|(h, _)| h.split(' ')).collect();
        w.extend(QUALIFIERS);
        w.extend(["and", "or", "continued", "cont", "licences"]);
        w
    })
}

/// Every word a heading or an entry label can be made of (`heading_words` and the words of
/// `ENTRY_LABELS`), with a filter of `LABEL_FILTER_BITS` bits, one set for each word's
/// `label_filter_slot`: a word whose bit is clear is none of them, told with no hash.
struct LabelWords {
    words: AHashSet<&'static str>,
    filter: [u64; LABEL_FILTER_BITS / 64],
}

/// The size of `LabelWords`' filter (about 190 words set some 170 of its bits).
const LABEL_FILTER_BITS: usize = 4096;

/// A word's bit in `LabelWords`' filter, from its length and its end bytes.
fn label_filter_slot(word: &[u8]) -> usize {
    let (first, last) = (word.first().copied().unwrap_or(0), word.last().copied().unwrap_or(0));
    (usize::from(first) * 67 + usize::from(last) * 11 + word.len() * 523) % LABEL_FILTER_BITS
}

fn label_words() -> &'static LabelWords {
    static WORDS: OnceLock<LabelWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let words: AHashSet<&'static str> = heading_words().iter().copied().chain(ENTRY_LABELS.iter().flat_map(|l| l.split(' '))).collect();
        let mut filter = [0u64; LABEL_FILTER_BITS / 64];
        for w in &words {
            let slot = label_filter_slot(w.as_bytes());
            filter[slot / 64] |= 1 << (slot % 64);
        }
        LabelWords { words, filter }
    })
}

/// Whether a normalised word can be part of a heading the vocabulary knows or of an entry
/// label: a line with any other word is neither, and can only be a head-noun heading. Most
/// words are none, told by the filter; the others are looked up.
pub fn is_label_word(word: &str) -> bool {
    let lists = label_words();
    let slot = label_filter_slot(word.as_bytes());
    lists.filter[slot / 64] & 1 << (slot % 64) != 0 && lists.words.contains(word)
}

/// Normalises a candidate heading line into `out`: markdown and decoration stripped, letter
/// spacing collapsed, `&` read as "and", lower-cased, one space between words. Returns false when
/// the line cannot be a heading (too long, sentence punctuation inside); `out` is then left
/// unspecified. (The segmenter reads lines with `normalise_while`.)
#[cfg(test)]
pub fn normalise(line: &str, out: &mut String) -> bool {
    normalise_while(line, out, |_, _| true)
}

/// `normalise`, giving up (false) at the first word of `out` that `keep` refuses: each is
/// offered as it is folded, with the line (`LineShape`, to ask its shape from the bit sets made
/// here), and the rest of the line is not read.
pub fn normalise_while(line: &str, out: &mut String, mut keep: impl FnMut(&str, &LineShape) -> bool) -> bool {
    out.clear();
    // Most lines have nothing to strip at either end (an ASCII byte that is neither a space nor
    // decoration), told so by their two end bytes: the line is its own candidate text, with no
    // trimming, and most of those are too long.
    // (Byte tests: the whitespace is `char::is_whitespace`'s in ASCII, the decoration
    // `candidate_text`'s.)
    let plain = |b: u8| b < 0x80 && !crate::text::is_ascii_space(b);
    let t = match (line.as_bytes().first(), line.as_bytes().last()) {
        (Some(&first), Some(&last)) if plain(first) && !matches!(first, b'#' | b'*' | b'_' | b'=' | b'>' | b'|' | b'[') && plain(last) && !matches!(last, b'*' | b'_' | b'=' | b'|' | b']' | b':') => {
            if line.len() > 60 {
                return false;
            }
            line
        }
        _ => match candidate_text(line) {
            Some(t) => t,
            None => return false,
        },
    };
    // An ASCII line (at most 60 bytes, one block of bits) is read from bit sets: a piece of one
    // byte between single spaces has a space or an end on either side.
    let b = t.as_bytes();
    // Its bytes made a block once for all the bit sets.
    let ascii = t.is_ascii().then(|| crate::text::BitsWhere::of(b));
    let letter_spaced = if let Some(bytes) = &ascii {
        let spaces = bytes.bits(|c| c == b' ');
        let chars = !spaces & !(!0u64 << b.len());
        let single = chars & ((spaces << 1) | 1) & ((spaces >> 1) | 1 << (b.len() - 1));
        // Letter spacing takes three one-character pieces at least (seven in ten of four or
        // more): most lines have fewer, told by a bit left once the two lowest are cleared, with
        // no count of the bits.
        let above_lowest = single & single.wrapping_sub(1);
        above_lowest & above_lowest.wrapping_sub(1) != 0 && is_letter_spaced(spaces.count_ones() as usize + 1, single.count_ones() as usize)
    } else {
        let (pieces, single_letters) = pieces_by_split(b);
        is_letter_spaced(pieces, single_letters)
    };
    // The line's words: an ASCII line's from bit sets made only once its first word is kept (most
    // lines give up there); its block serves its shape too when the candidate text is the whole
    // line (a part of it as long as it).
    let words = match &ascii {
        Some(bytes) => HeadingWords::Ascii { t, bytes, first_end: None, rest: None },
        None => HeadingWords::Other(crate::text::split_whitespace(t)),
    };
    let shape = LineShape { line, t, letter_spaced, bytes: ascii.as_ref() };
    normalise_words(t, ascii.is_some(), letter_spaced, words, out, |w| keep(w, &shape))
}

/// A line being normalised, for a `keep` of `normalise_while` that asks whether it can be a
/// head-noun heading: with its candidate text `t`, whether that is letter spaced, and the block
/// of its bytes when ASCII (`normalise_while` made it), so it is not made again.
pub struct LineShape<'a> {
    line: &'a str,
    t: &'a str,
    letter_spaced: bool,
    bytes: Option<&'a crate::text::BitsWhere>,
}

impl LineShape<'_> {
    /// `has_head_noun_shape` of the line.
    pub fn has_head_noun_shape(&self) -> bool {
        match self.bytes {
            Some(bytes) if self.t.len() == self.line.len() => shaped_by_block(self.line.as_bytes(), bytes),
            _ => has_head_noun_shape(self.line),
        }
    }

    /// Whether the line may be a head-noun heading (`head_noun_type_if` of its normalised words
    /// and `has_head_noun_shape` may be Some): false says not, true that it is shaped. A line
    /// shaped so holds no '/' word and no lower-case "and", so its normalised words hold "and"
    /// only where it has a byte '&' or 'A' (a word's first letter is upper-case); with none, its
    /// last word must be a head noun, found by its bytes (an ASCII candidate text not letter
    /// spaced: its last word is that of its normalised words) before the shape is tested.
    pub fn may_be_head_noun_heading(&self) -> bool {
        if let (Some(bytes), false) = (self.bytes, self.letter_spaced) {
            let b = self.t.as_bytes();
            // A text that ends in a letter no head noun ends with has a last word that is none
            // (most lines), told by that byte; the others' last word is read.
            let end = b[b.len() - 1].to_ascii_lowercase();
            let noun_last = (!end.is_ascii_lowercase() || HEAD_NOUN_ENDS >> (end - b'a') & 1 != 0) && {
                let last = trim_to_heading_word(&self.t[b.iter().rposition(|&c| crate::text::is_ascii_space(c)).map_or(0, |i| i + 1)..]);
                last.is_empty() || HEAD_NOUNS.iter().any(|n| n.eq_ignore_ascii_case(last))
            };
            if !noun_last && bytes.bits(|c| c == b'&' || c == b'A') == 0 {
                return false;
            }
        }
        self.has_head_noun_shape()
    }
}

/// The part of a line that may be a heading: without markdown, decoration and trailing colons;
/// None when that is empty or longer than 60 bytes.
fn candidate_text(line: &str) -> Option<&str> {
    let t = line.trim().trim_start_matches(['#', '*', '_', '=', '>', '|', '[']).trim_end_matches(['*', '_', '=', '|', ']']).trim();
    let t = t.trim_end_matches(':').trim();
    (!t.is_empty() && t.len() <= 60).then_some(t)
}

/// The pieces of a text between single spaces, and how many of them are one character long.
fn pieces_by_split(b: &[u8]) -> (usize, usize) {
    b.split(|&b| b == b' ').fold((0usize, 0usize), |(n, s), w| (n + 1, s + usize::from(crate::text::is_one_char_bytes(w))))
}

/// Letter-spaced ("E X P E R I E N C E", words split by wider gaps): four pieces or more between
/// single spaces, seven in ten or more of them one character long.
fn is_letter_spaced(pieces: usize, single_letters: usize) -> bool {
    pieces >= 4 && single_letters * 10 >= pieces * 7
}

/// The rest of `normalise_while` once the candidate text `t` is known, whether it is ASCII (its
/// words are folded as such), whether it is letter spaced, and its words without their
/// punctuation.
fn normalise_words<'a>(t: &'a str, ascii: bool, letter_spaced: bool, words: impl Iterator<Item = &'a str>, out: &mut String, mut keep: impl FnMut(&str) -> bool) -> bool {
    if letter_spaced {
        for gap in t.split("   ") {
            let word: String = gap.split_whitespace().collect();
            if !word.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                let start = out.len();
                fold_word(&word, ascii, out);
                if !keep(&out[start..]) {
                    return false;
                }
            }
        }
        return true;
    }
    // Every kept word folds to something and holds no space, so the spaces in `out` are those put
    // between words: at the seventh word the line has too many to be a heading, and the rest is
    // not folded.
    let mut spaces = 0;
    for w in words {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            spaces += 1;
            if spaces >= 6 {
                return false;
            }
            out.push(' ');
        }
        let start = out.len();
        match w {
            "&" | "/" => out.push_str("and"),
            _ => fold_word(w, ascii, out),
        }
        if !keep(&out[start..]) {
            return false;
        }
    }
    // Sentence punctuation rules the line out too: looked for last, as most lines have given up
    // at a word by now (the answer is the same, and `keep` is told nothing it can act on then).
    let sentence = t.as_bytes().windows(2).any(|w| w == b". ") || t.ends_with('.');
    !out.is_empty() && !sentence
}

/// Appends a word of a candidate heading folded (`text::fold_append`), told whether the text
/// is ASCII.
fn fold_word(word: &str, ascii: bool, out: &mut String) {
    if ascii {
        crate::text::fold_append_ascii(word, out);
    } else {
        crate::text::fold_append(word, out);
    }
}

/// The words of a candidate heading, each without the punctuation around it
/// (`trim_to_heading_word`, perhaps leaving nothing): those of an ASCII text of at most 64 bytes
/// read from bit sets of its bytes (`bytes`), the runs of `word` bytes (not whitespace) from their
/// first `kept` byte (letters, digits, `&`, `/`) to their last, with no byte judged twice. The
/// first word is read by its bytes and the bit sets made (`rest`, the bytes after it) only when
/// the next is asked for: most lines are given up at their first word.
enum HeadingWords<'a> {
    Ascii { t: &'a str, bytes: &'a crate::text::BitsWhere, first_end: Option<usize>, rest: Option<(u64, u64)> },
    Other(crate::text::SplitWhitespace<'a>),
}

impl<'a> Iterator for HeadingWords<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            HeadingWords::Ascii { t, bytes, first_end, rest } => {
                let Some(end) = *first_end else {
                    // The first word: the bytes up to the first whitespace (the text begins with
                    // none, and is not empty).
                    let end = t.bytes().position(crate::text::is_ascii_space).unwrap_or(t.len());
                    *first_end = Some(end);
                    let w = crate::text::trim_bytes(&t.as_bytes()[..end], is_heading_byte);
                    let start = w.as_ptr() as usize - t.as_ptr() as usize;
                    return Some(&t[start..start + w.len()]);
                };
                let (word, kept) = rest.get_or_insert_with(|| (bytes.bits(|c| !crate::text::is_ascii_space(c)) & !0u64 << end, bytes.bits(is_heading_byte)));
                if *word == 0 {
                    return None;
                }
                let k = *kept & take_lowest_run(word);
                Some(if k == 0 { "" } else { &t[k.trailing_zeros() as usize..64 - k.leading_zeros() as usize] })
            }
            HeadingWords::Other(words) => words.next().map(trim_to_heading_word),
        }
    }
}

/// Whether an ASCII byte is kept in a heading word (`trim_to_heading_word`): a letter, a digit,
/// `&` or `/`.
fn is_heading_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'&' || c == b'/'
}

/// A word without the punctuation around it (letters, digits, `&` and `/` are kept).
fn trim_to_heading_word(word: &str) -> &str {
    crate::text::trim_keeping(word, |c| matches!(c, b'&' | b'/'))
}

/// The section type a normalised heading names, if any. Qualifier words are ignored, "(continued)"
/// too, and a compound heading ("skills and certifications") takes its first part's type.
pub fn heading_type(normalised: &str) -> Option<SectionType> {
    let words = heading_words();
    if !normalised.split(' ').all(|w| words.contains(w)) {
        return None;
    }
    let v = vocabulary();
    let text = normalised.trim_end_matches(" continued").trim_end_matches(" cont");
    if let Some(&t) = v.get(text) {
        return Some(t);
    }
    let core: Vec<&str> = text.split(' ').filter(|w| !QUALIFIERS.contains(w)).collect();
    // A qualifier gone from the front leaves its "and" ("HRIS & Tools" -> "tools").
    let core_text = core.join(" ");
    let core_text = core_text.trim_start_matches("and ").trim_start_matches("or ");
    if let Some(&t) = v.get(core_text) {
        return Some(t);
    }
    // "education and training", "skills and certifications": the first part decides.
    for sep in [" and ", " or ", ", "] {
        if let Some((first, _)) = core_text.split_once(sep) {
            if let Some(&t) = v.get(first) {
                return Some(t);
            }
        }
    }
    if text.starts_with("licenses") || text.starts_with("licences") {
        return Some(SectionType::Certifications);
    }
    None
}

/// The nouns that end a heading whatever field words come before them ("Hospitality
/// Experience", "Flight Experience", "Clinical Skills", "Certificates & Ratings").
const HEAD_NOUNS: &[&str] = &[
    "experience", "skills", "certifications", "certificates", "education", "training", "projects", "awards", "publications", "interests",
];

/// The letters the head nouns end with (bit `c - b'a'` for letter `c`): a word ending in another
/// is none of them.
const HEAD_NOUN_ENDS: u32 = {
    let mut ends = 0;
    let mut i = 0;
    while i < HEAD_NOUNS.len() {
        let n = HEAD_NOUNS[i].as_bytes();
        ends |= 1 << (n[n.len() - 1] - b'a');
        i += 1;
    }
    ends
};

/// A short heading the vocabulary does not know, read by its head noun: at most three words, each
/// capitalised, no digits or separators ("VP, Customer Experience" is a title), and the last word of the line (or of the first part before "and") one
/// of `HEAD_NOUNS`, typed as the vocabulary types it. `line` is the trimmed line, `normalised` its `normalise` form.
pub fn head_noun_type(line: &str, normalised: &str) -> Option<SectionType> {
    head_noun_type_if(normalised, || has_head_noun_shape(line))
}

/// `head_noun_type` with the line's shape told by `shaped` (asked only when the word count
/// fits): a caller that has already found the line shaped (`has_head_noun_shape`) does not test
/// it again.
pub fn head_noun_type_if(normalised: &str, shaped: impl FnOnce() -> bool) -> Option<SectionType> {
    // Its words counted between spaces as bytes (no searcher set up for a short text).
    if normalised.as_bytes().split(|&c| c == b' ').filter(|&w| w != b"and").count() > 3 || !shaped() {
        return None;
    }
    // A part's last word, after its last space found by a byte search from the end (a few bytes:
    // no searcher to set up).
    let noun_type = |part: &str| {
        let last = &part[part.bytes().rposition(|b| b == b' ').map_or(0, |i| i + 1)..];
        HEAD_NOUNS.contains(&last).then(|| vocabulary().get(last).copied()).flatten()
    };
    // The part before the first " and " is read only when the whole line gives nothing; found
    // by its bytes (a short text: no substring searcher to set up).
    noun_type(normalised).or_else(|| noun_type(&normalised[..normalised.as_bytes().windows(5).position(|w| w == b" and ")?]))
}

/// Whether a (trimmed) line is written as a head-noun heading is: no digits or separators
/// (`,`, `|`), and every word capitalised (or `&`).
pub fn has_head_noun_shape(line: &str) -> bool {
    if line.len() <= 64 && line.is_ascii() {
        shaped_by_bits(line.as_bytes())
    } else {
        shaped_by_chars(line)
    }
}

/// `has_head_noun_shape` of an ASCII line of at most 64 bytes, from bit sets of its bytes: no
/// digit, ',' or '|', and in every run of non-whitespace the first letter or digit upper-case
/// (or the run is "&").
fn shaped_by_bits(b: &[u8]) -> bool {
    shaped_by_block(b, &crate::text::BitsWhere::of(b))
}

/// `shaped_by_bits` from the block of the bytes (`bytes`), made once for `normalise_while` too.
/// Capitalisation is tested before digits and separators: most lines fail there (both must hold,
/// so the answer is the same). Every run's first letter or digit is found at once: adding a run's
/// start bit to the bit set of its bytes that are not alphanumeric carries it past those before
/// the first one (to a byte after the run, which is whitespace or past the end, when it has none).
/// The line is capitalised when those upper-case ones and the runs that are a lone '&' are all
/// its runs.
fn shaped_by_block(b: &[u8], bytes: &crate::text::BitsWhere) -> bool {
    let (word, alphanumeric) = (bytes.bits(|c| !crate::text::is_ascii_space(c)), bytes.bits(|c| c.is_ascii_alphanumeric()));
    let upper = bytes.bits(|c| c.is_ascii_uppercase());
    let starts = word & !(word << 1);
    let other = word & !alphanumeric;
    let firsts = other.wrapping_add(starts) & !other & alphanumeric;
    let mut lone = starts & !(word >> 1);
    let mut ampersands = 0;
    while lone != 0 {
        ampersands += u32::from(b[lone.trailing_zeros() as usize] == b'&');
        lone &= lone - 1;
    }
    (firsts & upper).count_ones() + ampersands == starts.count_ones() && bytes.bits(|c| c.is_ascii_digit() || c == b',' || c == b'|') == 0
}

/// The lowest run of set bits of `bits` (not 0), taken out of it: the next word of a line read
/// from the bit set of its bytes that are not whitespace.
fn take_lowest_run(bits: &mut u64) -> u64 {
    let start = bits.trailing_zeros();
    let len = (!(*bits >> start)).trailing_zeros();
    let run = (!0u64 >> (64 - len)) << start;
    *bits &= !run;
    run
}

/// `has_head_noun_shape` of any line, by its words and characters.
fn shaped_by_chars(line: &str) -> bool {
    // A word's first alphanumeric character, found by its byte when ASCII comes first.
    let capitalised = |w: &str| {
        w == "&"
            || match w.bytes().find(|b| b.is_ascii_alphanumeric() || *b >= 0x80) {
                Some(b) if b < 0x80 => b.is_ascii_uppercase(),
                Some(_) => w.chars().find(|c| c.is_alphanumeric()).is_some_and(char::is_uppercase),
                None => false,
            }
    };
    // Digits, ',' and '|' are ASCII: looked for as bytes, after the words (most lines have an
    // early word that is not capitalised).
    crate::text::split_whitespace(line).all(capitalised) && !line.bytes().any(|b| b.is_ascii_digit() || matches!(b, b',' | b'|'))
}

/// Whether a normalised line is one of the labels that structure a job entry.
pub fn is_entry_label(normalised: &str) -> bool {
    ENTRY_LABELS.contains(&normalised)
}

/// Whether a line is only decoration (`-----`, `=====`, `_____`, `*****`, `~~~~`). Inlined (the
/// segmenter asks of every line): the test of the first byte that settles most lines, the rest
/// (`is_rule_by_chars`) a call.
#[inline(always)]
pub fn is_rule(line: &str) -> bool {
    // Most lines begin with an ASCII byte that is neither whitespace nor decoration.
    !line.as_bytes().first().is_some_and(|&b| b.is_ascii_graphic() && !matches!(b, b'-' | b'=' | b'_' | b'*' | b'~')) && is_rule_by_chars(line)
}

/// `is_rule` of a line its first byte does not settle: by its characters.
#[inline(never)]
fn is_rule_by_chars(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '=' | '_' | '*' | '~' | '─' | '━' | '—' | '·' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<SectionType> {
        let mut n = String::new();
        if !normalise(line, &mut n) {
            return None;
        }
        heading_type(&n)
    }

    #[test]
    fn synonyms_qualifiers_and_decoration() {
        assert_eq!(kind("Work History"), Some(SectionType::Experience));
        assert_eq!(kind("RELEVANT EXPERIENCE:"), Some(SectionType::Experience));
        assert_eq!(kind("## Professional Background"), Some(SectionType::Experience));
        assert_eq!(kind("Core Competencies"), Some(SectionType::Skills));
        assert_eq!(kind("Education & Training"), Some(SectionType::Education));
        assert_eq!(kind("Licenses & Certifications"), Some(SectionType::Certifications));
        assert_eq!(kind("EXPERIENCE (continued)"), Some(SectionType::Experience));
        assert_eq!(kind("**Skills**"), Some(SectionType::Skills));
        assert_eq!(kind("Additional Information"), Some(SectionType::Additional));
    }

    #[test]
    fn headings_people_really_write() {
        for (line, want) in [
            ("Where I've Worked", SectionType::Experience),
            ("CLINICAL EXPERIENCE", SectionType::Experience),
            ("Military Service", SectionType::Experience),
            ("Teaching Experience:", SectionType::Experience),
            ("Schooling", SectionType::Education),
            ("POSTGRADUATE TRAINING", SectionType::Education),
            ("Toolbox", SectionType::Skills),
            ("HRIS & Tools", SectionType::Skills),
            ("Technical Proficiencies:", SectionType::Skills),
            ("Credentials", SectionType::Certifications),
            ("BAR ADMISSIONS", SectionType::Certifications),
            ("Licensure & Certification", SectionType::Certifications),
            ("Professional Highlights", SectionType::Summary),
            ("Invited Talks", SectionType::Publications),
            ("Grants and Fellowships", SectionType::Awards),
            ("Pro Bono", SectionType::Volunteering),
            ("PERSONAL DETAILS", SectionType::Additional),
            ("DECLARATION:", SectionType::Other),
        ] {
            assert_eq!(kind(line), Some(want), "{line}");
        }
    }

    #[test]
    fn head_nouns_after_unknown_field_words() {
        let head = |line: &str| {
            let mut n = String::new();
            normalise(line, &mut n).then(|| head_noun_type(line, &n)).flatten()
        };
        assert_eq!(head("HOSPITALITY EXPERIENCE"), Some(SectionType::Experience));
        assert_eq!(head("Flight Experience"), Some(SectionType::Experience));
        assert_eq!(head("CERTIFICATES & RATINGS"), Some(SectionType::Certifications));
        assert_eq!(head("AVIATION TRAINING & EDUCATION"), Some(SectionType::Education));
        assert_eq!(head("10 years experience"), None);
        assert_eq!(head("Strong customer-facing communication skills"), None);
        assert_eq!(head("with field experience"), None);
        assert_eq!(head("VP, Customer Experience"), None);
    }

    #[test]
    fn letter_spaced_headings() {
        assert_eq!(kind("E X P E R I E N C E"), Some(SectionType::Experience));
        assert_eq!(kind("P R O F E S S I O N A L   S U M M A R Y"), Some(SectionType::Summary));
        assert_eq!(kind("E M P L O Y M E N T   H I S T O R Y"), Some(SectionType::Experience));
    }

    #[test]
    fn sentences_and_names_are_not_headings() {
        assert_eq!(kind("Built the experience platform for customers."), None);
        assert_eq!(kind("Jane Doe"), None);
        assert_eq!(kind("Skills: Python, SQL"), None);
        let mut n = String::new();
        assert!(normalise("Key Achievements:", &mut n) && is_entry_label(&n));
    }

    #[test]
    fn heading_words_trimmed_by_bytes_as_by_chars() {
        for w in ["", "--", "(Skills)", "&", "a/b,", "**Work**", "naïve:", "«Éducation»", "x.", ".x.", "–"] {
            assert_eq!(trim_to_heading_word(w), w.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '/'), "{w}");
        }
    }

    /// `normalise_while` as it read every line before bit sets: words by `split_whitespace` and
    /// `trim_to_heading_word`, pieces by a split at each space.
    fn normalise_by_chars(line: &str, out: &mut String, mut keep: impl FnMut(&str, &LineShape) -> bool) -> bool {
        out.clear();
        let Some(t) = candidate_text(line) else { return false };
        let (pieces, single_letters) = pieces_by_split(t.as_bytes());
        let shape = LineShape { line, t, letter_spaced: false, bytes: None };
        normalise_words(t, t.is_ascii(), is_letter_spaced(pieces, single_letters), t.split_whitespace().map(trim_to_heading_word), out, |w| keep(w, &shape))
    }

    fn normalises_as_by_chars(line: &str) -> bool {
        [&(|_: &str| true) as &dyn Fn(&str) -> bool, &|w: &str| is_label_word(w), &|w: &str| w.len() % 4 != 1].iter().all(|keep| {
            let (mut out, mut want_out, mut offered, mut want_offered) = (String::new(), String::new(), Vec::new(), Vec::new());
            // Each word offered with the line's shape, read from the bit sets where they serve.
            let got = normalise_while(line, &mut out, |w, shape| {
                offered.push((w.to_string(), shape.has_head_noun_shape()));
                keep(w)
            });
            let want = normalise_by_chars(line, &mut want_out, |w, _| {
                want_offered.push((w.to_string(), has_head_noun_shape(line)));
                keep(w)
            });
            // The output is only read after a yes.
            got == want && offered == want_offered && (!got || out == want_out)
        }) && {
            // A line that cannot be a head-noun heading is none, and one that may is shaped.
            let (mut out, mut may) = (String::new(), None);
            let got = normalise_while(line, &mut out, |_, shape| {
                may.get_or_insert_with(|| shape.may_be_head_noun_heading());
                true
            });
            match may {
                Some(false) => !got || head_noun_type(line, &out).is_none(),
                Some(true) => has_head_noun_shape(line),
                None => !got,
            }
        }
    }

    #[test]
    fn normalising_by_bits_is_by_chars() {
        for line in [
            "", "Work History", "E X P E R I E N C E", "P R O F E S S I O N A L   S U M M A R Y", "**Skills**", "Education & Training", "a b c d e", "a bb c d e",
            " a", "x\ty z", "(Skills)", "--", "Key Achievements:", "HRIS / Tools", "Skills: Python, SQL", "Built it. Then", "Jane Doe.", "naïve Café", "S\u{212a}ILLS", "\u{b}Skills\u{b}",
            "one two three four five six seven", "a\u{a0}b", "É X P",
        ] {
            assert!(normalises_as_by_chars(line), "{line:?}");
        }
        for field in crate::segment::tests::sample_fields() {
            for line in field.lines() {
                assert!(normalises_as_by_chars(line), "{line:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn normalising_by_bits_agrees_with_chars(line in "[ a-zA-Z&/.:,*#()\t\u{b}\u{a0}é-]{0,70}|((Skills|EXPERIENCE|key|and|&|/|A|B|7|,|:|#|\\.|E X P|\u{212a}|  ) ?){0,12}") {
            proptest::prop_assert!(normalises_as_by_chars(&line));
        }
    }

    #[test]
    fn shape_by_bits_is_by_chars() {
        for line in ["", "Flight Experience", "VP, Customer Experience", "& Skills", "Zoo && Farm", "Skills 2", "A | B", "x Y", "  Certificates &  Ratings\t", "(Skills) Tools", "-- --", "&"] {
            assert_eq!(shaped_by_bits(line.as_bytes()), shaped_by_chars(line), "{line:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn shape_by_bits_agrees_with_chars(line in "[ a-zA-Z0-9&,|()\t\u{b}.-]{0,64}|((Skills|key|&|A|b|7|,|\\||\\(X\\)|--) ?){0,12}") {
            proptest::prop_assume!(line.len() <= 64);
            proptest::prop_assert_eq!(shaped_by_bits(line.as_bytes()), shaped_by_chars(&line));
        }
    }

    #[test]
    fn no_label_word_holds_a_digit() {
        assert!(label_words().words.len() > 100);
        for w in &label_words().words {
            assert!(is_label_word(w) && !w.bytes().any(|b| b.is_ascii_digit()), "{w}");
        }
    }

    #[test]
    fn rules() {
        assert!(is_rule("---------"));
        assert!(is_rule("= = = ="));
        assert!(!is_rule("- item"));
        // The first byte's answer is the whole test's.
        for line in ["", "  ", " - -", "---", "a---", "—— ——", "·· ·", "\t***", "x", "~~~", "- item", "*", "==== Skills", "_ _ _", "#---"] {
            let t = line.trim();
            assert_eq!(is_rule(line), t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '=' | '_' | '*' | '~' | '─' | '━' | '—' | '·' | ' ')), "{line:?}");
        }
    }
}
