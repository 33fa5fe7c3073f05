//! Line features for the segmenter's classifier: binary facts about each line (casing, length,
//! punctuation, dates, bullets, vocabulary hits), its neighbours' facts and its context (the last
//! heading above, the position in the resume). Computed once per line into a fixed array of
//! active feature ids, without allocation, so scoring a line is a few dozen additions per class.

use super::lines::{Line, LineKind, Vocabulary, CONTACT_MARK};
use super::SectionType;
use crate::text::{self, SKILL_TERMS};
use ahash::AHashMap;
use std::sync::OnceLock;

/// Facts about one line alone. The order is the feature ids' order; `BASE_NAMES` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
enum Base {
    EntryLabel = 15,
    Rule,
    AllCaps,
    TitleCase,
    LowerStart,
    Words1,
    Words2,
    Words4,
    Words7,
    Words13,
    Bullet,
    Indented,
    Markdown,
    Bold,
    Date,
    DateRange,
    DateOpen,
    DateAtEnd,
    DateAtStart,
    DateMost,
    EndsPeriod,
    EndsColon,
    LabelColon,
    Pipe,
    Commas2,
    Comma1,
    Email,
    Url,
    Phone,
    Digits,
    Percent,
    PageMark,
    LetterSpaced,
    Degree,
    School,
    TitleWord,
    Skill1,
    Skill3,
    LanguageWord,
    CertWord,
    AwardWord,
    VolunteerWord,
    PublicationWord,
    ReferenceWord,
    InterestWord,
    Location,
    Prose,
    Short,
    Long,
    TwoPartsDated,
}

/// Number of own-line features: 15 heading-vocabulary types, then `Base`.
pub const BASE: u16 = Base::TwoPartsDated as u16 + 1;

const BASE_NAMES: [&str; BASE as usize - 15] = [
    "entry_label", "rule", "all_caps", "title_case", "lower_start", "words_1", "words_2_3", "words_4_6", "words_7_12", "words_13_plus",
    "bullet", "indented", "markdown", "bold", "date", "date_range", "date_open", "date_at_end", "date_at_start", "date_most",
    "ends_period", "ends_colon", "label_colon", "pipe", "commas_2", "comma_1", "email", "url", "phone", "digits", "percent",
    "page_mark", "letter_spaced", "degree", "school", "title_word", "skill_1", "skill_3", "language_word", "cert_word",
    "award_word", "volunteer_word", "publication_word", "reference_word", "interest_word", "location", "prose", "short_chars",
    "long_chars", "two_parts_dated",
];

/// Context features, after the own, previous and next lines' base features.
const CTX: u16 = 3 * BASE;
const LAST_HEAD: u16 = CTX; // 15 types + none
const NO_HEAD: u16 = LAST_HEAD + 15;
const FIRST_LINE: u16 = NO_HEAD + 1;
const TOP5: u16 = FIRST_LINE + 1;
const POS: u16 = TOP5 + 1; // 5 fifths
const PREV_BLANK: u16 = POS + 5;
const NEXT_BLANK: u16 = PREV_BLANK + 1;
const AFTER_HEAD: u16 = NEXT_BLANK + 1;
const BIAS: u16 = AFTER_HEAD + 1;
/// The rules' opinion (combined model only): their section type, heading and entry start.
const RULE_KIND: u16 = BIAS + 1;
const RULE_HEADING: u16 = RULE_KIND + 15;
const RULE_BEGIN: u16 = RULE_HEADING + 1;
/// The line's section type and whether it is the section's first body line (entry-start model).
const SEC_KIND: u16 = RULE_BEGIN + 1;
const SEC_FIRST: u16 = SEC_KIND + 15;
/// Every feature id is below this.
pub const COUNT: u16 = SEC_FIRST + 1;
/// `COUNT` rounded up to a power of two: a table of this many rows a feature id indexes with no
/// bounds check (the id masked to it, which leaves every id as it is).
pub const ID_SPACE: usize = (COUNT as usize).next_power_of_two();

/// The name of a feature id, as the weights file writes it.
pub fn name(id: u16) -> String {
    let kind = |i: u16| SectionType::ALL[i as usize].as_str();
    let base = |b: u16| if b < 15 { format!("heading_{}", kind(b)) } else { BASE_NAMES[(b - 15) as usize].to_string() };
    match id {
        _ if id < BASE => base(id),
        _ if id < 2 * BASE => format!("prev_{}", base(id - BASE)),
        _ if id < CTX => format!("next_{}", base(id - 2 * BASE)),
        _ if id < NO_HEAD => format!("last_heading_{}", kind(id - LAST_HEAD)),
        NO_HEAD => "no_heading_yet".into(),
        FIRST_LINE => "first_line".into(),
        TOP5 => "top_5_lines".into(),
        _ if id < PREV_BLANK => format!("position_fifth_{}", id - POS + 1),
        PREV_BLANK => "prev_blank".into(),
        NEXT_BLANK => "next_blank".into(),
        AFTER_HEAD => "just_after_heading".into(),
        BIAS => "bias".into(),
        _ if id < RULE_HEADING => format!("rules_{}", kind(id - RULE_KIND)),
        RULE_HEADING => "rules_heading".into(),
        RULE_BEGIN => "rules_entry_start".into(),
        _ if id < SEC_FIRST => format!("section_{}", kind(id - SEC_KIND)),
        SEC_FIRST => "section_first_line".into(),
        _ => format!("unknown_{id}"),
    }
}

/// Most features a line can have active.
pub const MAX_ACTIVE: usize = 96;

/// The ids of a neighbouring line copied at once when they are this many or fewer (most lines
/// have 10 to 25 own features).
const WIDE: usize = 32;

/// The active feature ids of one line.
#[derive(Clone, Copy, Debug)]
pub struct Active {
    ids: [u16; MAX_ACTIVE],
    len: u8,
    /// How many of `ids` are the line's own features (`own_features`), pushed first: what a
    /// neighbour reads of them once they have others after them (`extend_in_streams`).
    own_len: u8,
    /// Whether one of `ids` is an opening id (`opening_ids`): what `may_open_section` answers,
    /// kept as the ids are pushed.
    opens: bool,
    /// Of a line's own features: whether one of them, as the next line's `prev_` feature, is an
    /// opening id.
    opens_next: bool,
}

impl Default for Active {
    fn default() -> Self {
        Active { ids: [0; MAX_ACTIVE], len: 0, own_len: 0, opens: false, opens_next: false }
    }
}

impl Active {
    /// Pushes `id`, if there is room. The new length is reckoned from the length read before the
    /// id is stored, not read again after it (the compiler cannot tell that the store leaves it
    /// as it was): one load a push, which the next push's load of it then forwards.
    fn push(&mut self, id: u16) {
        let len = self.len;
        if usize::from(len) < MAX_ACTIVE {
            self.ids[usize::from(len)] = id;
            self.len = len + 1;
        }
    }

    /// Pushes each of `ids` plus `offset`, as far as there is room: what `push` of each in turn
    /// does, as one copy the compiler vectorises.
    fn push_offset(&mut self, ids: &[u16], offset: u16) {
        let at = usize::from(self.len);
        let n = ids.len().min(MAX_ACTIVE - at);
        for (slot, &id) in self.ids[at..at + n].iter_mut().zip(ids) {
            *slot = id + offset;
        }
        self.len = (at + n) as u8;
    }

    /// `push_offset` of the first `n` of `ids`, which may hold more: when `N` ids fit from the
    /// end, the first `N` are written (those past the `n`th lie past the end, unread), a fixed-size
    /// copy the compiler makes a few vector instructions, with no loop over the ids.
    #[inline(always)]
    fn push_first<const N: usize>(&mut self, ids: &[u16], n: usize, offset: u16) {
        let at = usize::from(self.len);
        match (self.ids.get_mut(at..at + N), ids.first_chunk::<N>()) {
            (Some(slots), Some(wide)) if n <= N => {
                // All read before any is written: the compiler need not fear that they overlap.
                slots.copy_from_slice(&wide.map(|id| id.wrapping_add(offset)));
                self.len = (at + n) as u8;
            }
            _ => self.push_offset(&ids[..n], offset),
        }
    }

    pub fn ids(&self) -> &[u16] {
        &self.ids[..usize::from(self.len)]
    }

    /// The line's own features among `ids` (all of them, for `own_features`' own).
    fn own_ids(&self) -> &[u16] {
        &self.ids[..usize::from(self.own_len)]
    }

    /// Back to the line's own features alone, as `own_features` made them (`opens` is whether one
    /// of them is an opening id, as `base_features` tells it).
    fn own_only(&mut self) {
        self.len = self.own_len;
        self.opens = any_opening(self.own_ids());
    }

    /// These features plus the line's section type (for the entry-start model; training reads them so).
    pub fn with_section(&self, kind: SectionType, first_in_section: bool) -> Active {
        let mut a = *self;
        a.push(SEC_KIND + kind as u16);
        if first_in_section {
            a.push(SEC_FIRST);
        }
        a
    }

    /// The ids of `with_section(kind, first_in_section)`, in its order, without copying these:
    /// the section's ids (`section_ids`) go after these as far as there is room.
    pub fn ids_in_section(&self, kind: SectionType, first_in_section: bool) -> impl Iterator<Item = u16> + '_ {
        self.ids().iter().copied().chain(section_ids(kind, first_in_section)).take(MAX_ACTIVE)
    }
}

/// A line's features as the decoders take them (`classifier::Model`): None for a blank line.
pub trait Features {
    /// The line's features, None for a blank line.
    fn active(&self) -> Option<&Active>;
}

/// Features of every line, None for the blank ones (`extract_in_streams`).
impl Features for Option<Active> {
    #[inline(always)]
    fn active(&self) -> Option<&Active> {
        self.as_ref()
    }
}

/// Features of every line read in place (`extend_in_streams`): a blank line's have no ids, every
/// other line's have at least `BIAS`.
impl Features for Active {
    #[inline(always)]
    fn active(&self) -> Option<&Active> {
        (self.len > 0).then_some(self)
    }
}

/// The ids `Active::with_section(kind, first_in_section)` pushes after a line's own, in order.
pub fn section_ids(kind: SectionType, first_in_section: bool) -> impl Iterator<Item = u16> {
    [SEC_KIND + kind as u16, SEC_FIRST].into_iter().take(1 + usize::from(first_in_section))
}

#[cfg(test)]
impl Active {
    /// Pushes an opening id (`opening_ids`), if there is room.
    fn push_opening(&mut self, id: u16) {
        self.opens |= usize::from(self.len) < MAX_ACTIVE;
        self.push(id);
    }

    /// These features as of a line after a blank line (one that may open a section).
    pub fn after_blank(&self) -> Active {
        let mut a = *self;
        a.push_opening(PREV_BLANK);
        a
    }
}

/// Cue words, folded, and the features they raise (bit i = `Base` id `Degree + i`): a word is
/// looked up by its ends and length first (`text::WordTable`), and most words stop there.
fn cues() -> &'static text::WordTable {
    static CUES: OnceLock<text::WordTable> = OnceLock::new();
    CUES.get_or_init(|| text::WordTable::new(cue_map().into_iter().filter_map(|(k, bits)| Some((std::str::from_utf8(k).ok()?, u32::from(bits))))))
}

/// Cue words, folded, and their bits: what `cues` is built from.
fn cue_map() -> AHashMap<&'static [u8], u16> {
    let groups: [(Base, &[&str]); 11] = [
        (Base::Degree, &["bachelor", "bachelors", "master", "masters", "b.s", "b.a", "m.s", "m.a", "bs", "ba", "ms", "phd", "ph.d", "mba", "degree", "diploma", "bsc", "msc", "b.tech", "m.tech", "associate's", "gpa", "minor", "major", "graduated", "j.d", "m.d", "bachelor's", "master's", "coursework", "thesis", "a.a.s", "aas", "bba", "b.b.a", "m.ed", "b.ed", "b.sc", "m.sc", "dipl", "ged", "residency", "apprenticeship", "dissertation"]),
        (Base::School, &["university", "college", "institute", "school", "academy", "polytechnic", "universidad", "université", "universität", "hochschule", "college's", "seminary"]),
        (Base::TitleWord, &["engineer", "developer", "manager", "analyst", "designer", "director", "intern", "lead", "scientist", "consultant", "president", "ceo", "cto", "cfo", "officer", "specialist", "architect", "administrator", "coordinator", "associate", "programmer", "head", "founder", "co-founder", "owner", "researcher", "assistant", "teacher", "advisor", "strategist", "writer", "editor", "principal", "staff", "senior", "junior", "technician", "representative", "contractor", "freelance", "fellow", "chair", "nurse", "accountant", "supervisor", "driver", "chef", "cook", "clerk", "attorney", "associate", "vp", "vice", "executive", "instructor", "professor", "foreman", "apprentice", "operator", "mechanic", "welder", "plumber", "electrician", "aide", "cna", "physician", "pharmacist", "therapist", "counselor", "cashier", "paralegal", "agent", "sergeant", "lecturer", "tutor", "postdoctoral", "photographer", "superintendent", "inspector", "hospitalist", "practitioner", "detective", "guard", "dishwasher", "receptionist"]),
        (Base::Skill1, &[]),
        (Base::Skill3, &[]),
        (Base::LanguageWord, &["english", "spanish", "french", "german", "mandarin", "chinese", "hindi", "arabic", "portuguese", "japanese", "korean", "italian", "russian", "fluent", "native", "bilingual", "conversational", "proficiency", "intermediate", "beginner", "advanced", "tagalog", "vietnamese", "telugu", "tamil"]),
        (Base::CertWord, &["certified", "certification", "certificate", "license", "licensed", "licence", "credential", "cpa", "pmp", "rn", "bls", "acls", "cdl", "osha", "aws", "licensure", "registry", "cpr", "servsafe", "ase", "istqb", "shrm-cp", "fnp-c"]),
        (Base::AwardWord, &["award", "awarded", "winner", "honor", "honors", "honour", "prize", "scholarship", "dean's", "recipient", "finalist", "medal", "laude", "grant", "fellowship", "laureate", "commendation"]),
        (Base::VolunteerWord, &["volunteer", "volunteered", "volunteering", "nonprofit", "non-profit", "charity", "mentor", "foundation", "church", "community", "bono"]),
        (Base::PublicationWord, &["journal", "conference", "proceedings", "published", "publisher", "et", "al", "press", "vol", "pp", "doi", "arxiv", "review", "magazine", "blog"]),
        (Base::ReferenceWord, &["references", "reference", "request", "upon", "available"]),
    ];
    let mut m: AHashMap<&'static [u8], u16> = AHashMap::new();
    for (base, words) in groups {
        for w in words {
            *m.entry(w.as_bytes()).or_default() |= 1 << (base as u16 - Base::Degree as u16);
        }
    }
    for w in ["hiking", "reading", "travel", "traveling", "travelling", "photography", "cooking", "music", "chess", "running", "cycling", "gardening", "hobbies", "yoga", "painting", "guitar", "piano", "soccer", "football", "basketball", "gaming", "fishing", "baking"] {
        *m.entry(w.as_bytes()).or_default() |= 1 << (Base::InterestWord as u16 - Base::Degree as u16);
    }
    for (folded, _) in SKILL_TERMS.iter().filter(|(f, _)| !f.contains(' ')) {
        *m.entry(folded.as_bytes()).or_default() |= 1 << (Base::Skill1 as u16 - Base::Degree as u16);
    }
    m
}

/// Marks of a line that may be a heading the vocabulary lacks, or page furniture: a section may
/// open at such a line and at the line after it (`opening_ids`).
const MARKS: [Base; 7] = [Base::Rule, Base::PageMark, Base::EndsColon, Base::AllCaps, Base::LetterSpaced, Base::Markdown, Base::Bold];

/// `Active::push` for `base_features`: the count kept in a local (a register once inlined) and
/// stored once at the end, where `Active::push` loads and stores it at every push.
struct Pushes<'a> {
    ids: &'a mut [u16; MAX_ACTIVE],
    len: usize,
}

impl Pushes<'_> {
    /// Pushes `id`, if there is room (a line's own features are at most 44: there always is).
    #[inline(always)]
    fn push(&mut self, id: u16) {
        if let Some(slot) = self.ids.get_mut(self.len) {
            *slot = id;
            self.len += 1;
        }
    }
}

/// Own-line features of one line into `out` (`own_ids`, its words looked up in `cue`), with its
/// `opens` and `opens_next`.
#[inline(always)]
fn base_features(line: &Line, cue: &text::WordTable, out: &mut Active) {
    let mut ids = Pushes { ids: &mut out.ids, len: usize::from(out.len) };
    (out.opens, out.opens_next) = own_ids(line, cue, &mut ids);
    out.len = ids.len as u8;
    out.own_len = out.len;
}

/// Pushes the own-line features of one line, and returns whether one of them is an opening id
/// (`opening_ids`: a heading type, a mark of `MARKS`, or `LabelColon`) and whether one is a mark
/// or a heading type (those whose `prev_` feature is one): told by the tests that push them
/// rather than by looking each id up. Its words are looked up in `cue` (`cues`).
#[inline(always)]
fn own_ids(line: &Line, cue: &text::WordTable, out: &mut Pushes) -> (bool, bool) {
    let t = text::trim(line.text);
    let offset = |b: Base| b as u16;
    match line.vocabulary {
        Vocabulary::Heading(k) => out.push(k as u16),
        Vocabulary::EntryLabel => out.push(offset(Base::EntryLabel)),
        Vocabulary::None => {}
    }
    if line.kind == LineKind::Rule {
        out.push(offset(Base::Rule));
        return (true, true);
    }
    let (Tally { letters, upper, digits, commas, punct }, WordCounts { singles, caps_words, cue_bits, skills }, colons) = scan(t, cue);
    // The whitespace-separated words of the line (its text and `t` have the same), counted when
    // it was split (`Line::words`).
    let words = line.words;
    let web = punct & DOT_SLASH != 0 && is_web(line, t);
    // Skill hits are counted, not flagged (below); every other cue group of the first 11 is one
    // feature (the interest words' bit, the 12th, raises none), pushed lowest first: most lines
    // have none, and no group is tested one by one.
    let mut groups = cue_bits & 0x7FF & !(0b11 << (Base::Skill1 as u16 - Base::Degree as u16));
    while groups != 0 {
        out.push(Base::Degree as u16 + groups.trailing_zeros() as u16);
        groups &= groups - 1;
    }
    if skills >= 1 {
        out.push(offset(Base::Skill1));
    }
    if skills >= 3 {
        out.push(offset(Base::Skill3));
    }
    let all_caps = letters >= 3 && upper * 10 >= letters * 9;
    if all_caps {
        out.push(offset(Base::AllCaps));
    }
    if words > 0 && caps_words * 10 >= words * 7 {
        out.push(offset(Base::TitleCase));
    }
    // An ASCII first byte (most) is its character: no decoding.
    let lower_start = match t.as_bytes().first() {
        Some(&b) if b.is_ascii() => b.is_ascii_lowercase(),
        _ => t.chars().next().is_some_and(char::is_lowercase),
    };
    if lower_start {
        out.push(offset(Base::LowerStart));
    }
    out.push(offset(match words {
        0 | 1 => Base::Words1,
        2..=3 => Base::Words2,
        4..=6 => Base::Words4,
        7..=12 => Base::Words7,
        _ => Base::Words13,
    }));
    let letter_spaced = words >= 4 && singles * 10 >= words * 7;
    if letter_spaced {
        out.push(offset(Base::LetterSpaced));
    }
    // As bits from `Bullet` on, pushed lowest first: in id order, without a branch per flag (a
    // shift by a constant and an or each).
    let flag = |on: bool, b: Base| u64::from(on) << (b as u16 - Base::Bullet as u16);
    let mut set = flag(line.bullet, Base::Bullet)
        | flag(line.text.as_bytes().first().is_some_and(|&c| c == b' ' || c == b'\t'), Base::Indented)
        | flag(t.starts_with('#'), Base::Markdown)
        | flag(t.starts_with("**") || t.starts_with("__"), Base::Bold)
        | flag(t.ends_with('.'), Base::EndsPeriod)
        | flag(t.ends_with(':'), Base::EndsColon)
        // The first ':' counts only before byte 30: the rest of the line is not searched.
        | flag(label_colon(colons, t.len()), Base::LabelColon)
        | flag(punct & PIPE != 0, Base::Pipe)
        | flag(commas >= 2, Base::Commas2)
        | flag(commas == 1, Base::Comma1)
        | flag(punct & AT != 0, Base::Email)
        | flag(web, Base::Url)
        | flag(digits >= 7 && words <= 8 && line.dates.is_none(), Base::Phone)
        | flag(digits > 0 && line.dates.is_none(), Base::Digits)
        | flag(punct & PERCENT != 0, Base::Percent)
        | flag(digits > 0 && is_page_mark(t), Base::PageMark)
        | flag(is_location(t), Base::Location)
        | flag(words >= 12 && t.ends_with('.'), Base::Prose)
        | flag(t.len() <= 25, Base::Short)
        | flag(t.len() >= 80, Base::Long);
    // The marks of `MARKS` among the flags (the others are tested above).
    const FLAG_MARKS: u64 = {
        let (mut m, mut k) = (0, 0);
        while k < MARKS.len() {
            let b = MARKS[k] as u16;
            if b >= Base::Bullet as u16 && b <= Base::Long as u16 {
                m |= 1 << (b - Base::Bullet as u16);
            }
            k += 1;
        }
        m
    };
    // A heading type is read again from the line, not kept in a register through the scan.
    let marks = matches!(line.vocabulary, Vocabulary::Heading(_)) || all_caps || letter_spaced || set & FLAG_MARKS != 0;
    let opens = (marks || set & flag(true, Base::LabelColon) != 0, marks);
    while set != 0 {
        out.push(offset(Base::Bullet) + set.trailing_zeros() as u16);
        set &= set - 1;
    }
    if let Some(r) = &line.dates {
        out.push(offset(Base::Date));
        let d = &line.text[r.clone()];
        if line.has_date_range() {
            out.push(offset(Base::DateRange));
        }
        if is_open_ended(d) {
            out.push(offset(Base::DateOpen));
        }
        let before = &line.text[..r.start];
        // Nothing after the date but spaces and closing marks (mostly nothing at all).
        if line.text[r.end..].chars().all(|c: char| c.is_whitespace() || matches!(c, ')' | '*' | '_' | '|' | ']')) {
            out.push(offset(Base::DateAtEnd));
        }
        // Nothing before the date but punctuation: no alphanumeric (found at the first, mostly).
        if !before.chars().any(text::is_alphanumeric) {
            out.push(offset(Base::DateAtStart));
        }
        if d.len() * 2 >= t.len() {
            out.push(offset(Base::DateMost));
        }
        if two_parts(before) {
            out.push(offset(Base::TwoPartsDated));
        }
    }
    opens
}

/// Whether a line's own features (of any of its readings) say it names a title and an employer
/// before a date range.
pub fn names_title_employer_and_range(own: &Active) -> bool {
    let ids = own.own_ids();
    ids.contains(&(Base::TwoPartsDated as u16)) && ids.contains(&(Base::DateRange as u16))
}

/// Whether a section may begin at this line: after a blank line, at a heading or a rule, right
/// after one, at page furniture or right after it, at a "Label: ..." line, or at the first line.
/// Elsewhere a line goes on with the section of the line above: a resume changes section at a
/// break (in the training resumes, not read as two streams, 7 of some 14,000 line pairs change
/// section without one).
pub fn may_open_section(a: &Active) -> bool {
    a.opens
}

/// Per feature id, whether it is one that `may_open_section` looks for.
fn opening_ids() -> &'static [bool] {
    static OPENING: OnceLock<Vec<bool>> = OnceLock::new();
    OPENING.get_or_init(|| {
        let marks = MARKS.map(|b| b as u16);
        (0..COUNT)
            .map(|id| id < 15 || (BASE..BASE + 15).contains(&id) || marks.contains(&id) || marks.contains(&id.wrapping_sub(BASE)) || id == Base::LabelColon as u16 || matches!(id, PREV_BLANK | FIRST_LINE | AFTER_HEAD | RULE_HEADING))
            .collect()
    })
}

/// Whether one of `ids` is an opening id: what `Active::opens` keeps.
fn any_opening(ids: &[u16]) -> bool {
    let opening = opening_ids();
    ids.iter().any(|&id| opening[usize::from(id)])
}

/// Whether a line's own features (of any of its readings) say it names a job title (a title cue word).
pub fn names_a_title(own: &Active) -> bool {
    own.own_ids().contains(&(Base::TitleWord as u16))
}

/// Whether the text before a line's date names two things ("Analyst, Initech —", "Data Analyst |
/// Zillow |", "Nurse at Mercy Hospital"): a job's title and its employer, which a role stacked
/// under its employer's header ("Senior Accountant, 2019 – 2021") lacks. `before` is the line up
/// to the date, untrimmed: only " at " is searched for in it trimmed, and only when no separator
/// is found (most have one), so that most dated lines are not trimmed at all.
fn two_parts(before: &str) -> bool {
    // Two parts hold a letter or digit each: a separator lies between the first letter or digit
    // and the last (and conversely). No part is counted: two searches from the ends, one of the
    // text between.
    let alphanumeric = |(_, c): &(usize, char)| text::is_alphanumeric(*c);
    // The ASCII separators by bytes; the others only in a text above ASCII.
    let two = match (before.char_indices().find(alphanumeric), before.char_indices().rev().find(alphanumeric)) {
        (Some((first, _)), Some((last, _))) => {
            let between = &before[first..last];
            between.as_bytes().contains(&b',') || between.as_bytes().contains(&b'|') || (!between.is_ascii() && between.contains(['—', '–', '·']))
        }
        _ => false,
    };
    two || {
        let b = text::trim(before).as_bytes();
        text::any_byte_at(b, b' ', |i| b[i + 1..].starts_with(b"at "))
    }
}

/// Whether a date's text says it runs on ("2021 – Present", "since 2020 (current)"): one of its
/// whitespace-separated words, without the non-letters around it, is an open end (ASCII case
/// ignored). An ASCII word is trimmed by its bytes.
fn is_open_ended(d: &str) -> bool {
    const OPEN: [&[u8]; 5] = [b"present", b"current", b"now", b"today", b"ongoing"];
    // An open end is ASCII letters: a date without one ("2019 - 2021", most) has none.
    if !d.bytes().any(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let mut open = false;
    text::each_whitespace_word(d, |b, ascii| {
        let core = if ascii {
            text::trim_bytes(b, |c| c.is_ascii_alphabetic())
        } else {
            std::str::from_utf8(b).expect("whole characters").trim_matches(|c: char| !c.is_alphabetic()).as_bytes()
        };
        open |= (3..=7).contains(&core.len()) && OPEN.iter().any(|o| o.eq_ignore_ascii_case(core));
    });
    open
}

/// What the features count of a line's whitespace-separated words (how many there are, the
/// line knows: `Line::words`).
#[derive(Default)]
struct WordCounts {
    /// Words of one character (those of one byte counted by their blocks, `scan`).
    singles: usize,
    /// Words that start with an upper-case letter.
    caps_words: usize,
    /// The cue bits of all the words.
    cue_bits: u16,
    /// Words that are a skill.
    skills: usize,
}

impl WordCounts {
    /// Counts one word (`ascii`: whether it is all ASCII), its cue bits looked up in `cue`. One
    /// method, so that the word loop's closure holds one pointer to the counts, not one a count.
    #[inline(always)]
    fn add(&mut self, b: &[u8], ascii: bool, cue: &text::WordTable) {
        let core = if ascii {
            let (capitalised, core) = cue_core_ascii(b);
            self.caps_words += usize::from(capitalised);
            core
        } else {
            // Not ASCII: more than one byte, not counted by its block.
            let w = std::str::from_utf8(b).expect("whole characters");
            let one = text::is_one_char(w);
            self.singles += usize::from(one);
            self.caps_words += usize::from(text::is_capitalised(w));
            // One character above ASCII (a dash, a bullet: most such words) has no ASCII core
            // (`cue_core`: the character, or nothing, is left): no cue word, nothing to look up.
            if one {
                &[]
            } else {
                cue_core(w).unwrap_or_default()
            }
        };
        // Most words are no cue word: they stop at the lookup, with nothing to add.
        if let Some(bits) = Some(core).filter(|c| !c.is_empty()).and_then(|c| cue.get_ascii(c)) {
            self.cue_bits |= bits as u16;
            self.skills += usize::from(bits & (1 << (Base::Skill1 as u16 - Base::Degree as u16)) != 0);
        }
    }
}

/// A line's characters (`Tally`) and words (`WordCounts`), counted in one pass over its 64-byte
/// blocks (`text::each_whitespace_word_in_blocks`): each block is judged for the tally as it is
/// split into words. An ASCII word (most) is read by its bytes, others by their characters. Also
/// the ':'s of the first block (`label_colon`'s), found while it is at hand. Words are looked up
/// in `cue` (`cues`, fetched once for all lines by `own_features`).
fn scan(t: &str, cue: &text::WordTable) -> (Tally, WordCounts, u64) {
    let mut lanes = Lanes::default();
    let mut tally = Tally::default();
    let mut counts = WordCounts::default();
    let mut colons = 0;
    // Inlined where they are called: the word loop is the hot path of the line features.
    let mut singles = 0;
    text::each_whitespace_word_in_blocks(t, #[inline(always)] |base, block, ascii, one_byte_words| {
        // x86_64 has no popcnt of its own (a dozen instructions): most blocks have no such word.
        if one_byte_words != 0 {
            singles += one_byte_words.count_ones() as usize;
        }
        if base == 0 {
            colons = text::block_byte_bits(block, b':');
        }
        lanes.add_block(base, block, (t.len() - base).div_ceil(16), &mut tally);
        if !ascii {
            tally.add_above_ascii(t, base, block);
        }
    }, #[inline(always)] |b, ascii| counts.add(b, ascii, cue));
    // Every sixteen of the text was judged, the last padded: 16 bytes each.
    lanes.finish(16 * t.len().div_ceil(16), &mut tally);
    counts.singles += singles;
    (tally, counts, colons)
}

/// Whether an ASCII word starts with an upper-case letter, and its `cue_core` by its bytes
/// (empty where that is None): the word's length is told once for both. Most words keep both
/// ends, and most others end in one mark after a kept byte ("Python,", "2021."): neither is
/// searched (`text::trim_bytes` searches the rest).
#[inline]
fn cue_core_ascii(w: &[u8]) -> (bool, &[u8]) {
    let kept = |c: u8| CUE_KEPT[usize::from(c)];
    let (first, core) = match *w {
        [first, .., last] if kept(first) && kept(last) => (first, w),
        [first, .., before, _] if kept(first) && kept(before) => (first, &w[..w.len() - 1]),
        [first, ..] => (first, text::trim_bytes(w, kept)),
        [] => (0, w),
    };
    (first.is_ascii_uppercase(), match core {
        // A branch, seldom taken: most words do not end in "'s".
        [core @ .., b'\'', b's'] => core,
        core => core,
    })
}

/// The ASCII bytes a cue word's core keeps at its ends: letters, digits, `+`, `#` and `'`.
const CUE_KEPT: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = (c as u8).is_ascii_alphanumeric() || matches!(c as u8, b'+' | b'#' | b'\'');
        c += 1;
    }
    t
};

/// The part of a word that cue words are looked up by: without the punctuation around it
/// (letters, digits, `+`, `#` and `'` are kept) and without a final "'s"; None unless it is
/// ASCII and not empty.
fn cue_core(w: &str) -> Option<&[u8]> {
    let core = text::trim_keeping(w, |c| matches!(c, b'+' | b'#' | b'\''));
    let core = core.strip_suffix("'s").unwrap_or(core);
    (!core.is_empty() && core.is_ascii()).then_some(core.as_bytes())
}

/// The characters of a line that features count.
#[derive(Default)]
struct Tally {
    letters: usize,
    upper: usize,
    digits: usize,
    commas: usize,
    /// `AT`, `PERCENT`, `PIPE`, `DOT_SLASH`.
    punct: u8,
}

impl Tally {
    /// Adds the characters above ASCII that begin in a block of `t` (at offset `base`, padded
    /// with spaces): decoded at their lead bytes, found in the block at once
    /// (`text::bits_where`); those of the General Punctuation block (U+2000..=U+206F: dashes,
    /// quotes, bullets, spaces), which `add` counts as nothing, are not judged further.
    #[cold]
    #[inline(never)]
    fn add_above_ascii(&mut self, t: &str, base: usize, block: &[u8; 64]) {
        let mut leads = text::bits_where(block, |c| c >= 0xC0);
        while leads != 0 {
            let c = t[base + leads.trailing_zeros() as usize..].chars().next().expect("a lead byte begins a character");
            if !('\u{2000}'..='\u{206F}').contains(&c) {
                self.add(c);
            }
            leads &= leads - 1;
        }
    }

    fn add(&mut self, c: char) {
        // ASCII first: the same answers as the Unicode tests, without their tables.
        let (alphabetic, uppercase) = if c.is_ascii() { (c.is_ascii_alphabetic(), c.is_ascii_uppercase()) } else { (c.is_alphabetic(), c.is_uppercase()) };
        if alphabetic {
            self.letters += 1;
            self.upper += usize::from(uppercase);
        } else if c.is_ascii_digit() {
            self.digits += 1;
        } else {
            match c {
                ',' => self.commas += 1,
                '@' => self.punct |= AT,
                '%' => self.punct |= PERCENT,
                '|' => self.punct |= PIPE,
                '.' | '/' => self.punct |= DOT_SLASH,
                _ => {}
            }
        }
    }
}

/// `Tally`'s counts of ASCII bytes in 16 lanes, for 16 bytes at a time: comparisons only, which
/// the compiler turns into a few vector instructions. Bytes above ASCII count nothing here (the
/// characters they make are added by `Tally::add_above_ascii`).
#[derive(Default)]
struct Lanes {
    /// The bytes that are not letters, not upper-case letters, not digits: those outside a range
    /// of bytes take one comparison where those in it take two (`add`), and the bytes judged less
    /// these are those in it (`finish`).
    non_letters: [u8; 16],
    non_upper: [u8; 16],
    non_digits: [u8; 16],
    commas: [u8; 16],
    /// Four lanes a mark, not 0 where it was seen: lane 4g + i for mark g (`AT`, `PERCENT`,
    /// `PIPE`, `DOT_SLASH`) of bytes 4i..4i + 4 (`punct_bits`).
    punct: [u8; 16],
    /// The sums of `non_letters`, `non_upper` and `non_digits` emptied so far (`flush`).
    outside: [usize; 3],
}

/// The sum of 16 u8 lanes: SSE2's `psadbw` against zeros, which sums each eight into a u64, where
/// x86_64 has it (always: it is part of the architecture).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn lane_sum(lanes: [u8; 16]) -> usize {
    use safe_arch::{m128i, sum_of_u8_abs_diff_m128i};
    let [lo, hi]: [u64; 2] = sum_of_u8_abs_diff_m128i(m128i::from(lanes), m128i::default()).into();
    (lo + hi) as usize
}

/// `lane_sum` elsewhere: `summed_lanes`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn lane_sum(lanes: [u8; 16]) -> usize {
    summed_lanes(lanes)
}

/// `lane_sum` in portable code, eight lanes at a time in u64s: pairs of lanes added into u16s (at
/// most 2 * 255 each, and the 16 lanes' sum below 2^16), then those summed by one multiplication.
/// Built and tested everywhere; used where there is no SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
fn summed_lanes(lanes: [u8; 16]) -> usize {
    const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
    let (lo, hi) = (u64::from_le_bytes(lanes[..8].try_into().expect("8 lanes")), u64::from_le_bytes(lanes[8..].try_into().expect("8 lanes")));
    let pairs = (lo & EVEN) + ((lo >> 8) & EVEN) + (hi & EVEN) + ((hi >> 8) & EVEN);
    (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize
}

impl Lanes {
    /// Adds the part of a 64-byte block (at offset `base` of the text) that holds text, its first
    /// `sixteens` sixteens, as many as hold text (the spaces past the text's end count nothing; a
    /// short line's block is mostly such spaces, and sixteens of them are not judged), taken with
    /// no slice of the block to test against its length: at most four bytes a lane. A lane holds
    /// 255, so every 63 blocks the lanes are emptied into `tally`.
    #[inline(always)]
    fn add_block(&mut self, base: usize, block: &[u8; 64], sixteens: usize, tally: &mut Tally) {
        for sixteen in block.as_chunks::<16>().0.iter().take(sixteens) {
            self.add(sixteen);
        }
        // Most lines are shorter than 62 blocks: the remainder is seldom taken, out of line (not
        // a multiplication at every block).
        if base >= 62 * 64 {
            self.flush_when_full(base, tally);
        }
    }

    /// `flush` at the last of every 63 blocks (`base`: the block's offset), when the lanes may
    /// be full.
    #[cold]
    #[inline(never)]
    fn flush_when_full(&mut self, base: usize, tally: &mut Tally) {
        if base % (63 * 64) == 62 * 64 {
            self.flush(tally);
        }
    }

    /// Adds 16 bytes, lane j byte j: by SSE2 (safe_arch), where x86_64 has it (always: it is
    /// part of the architecture). A range test is one signed comparison (`pcmpgtb`) of the byte
    /// moved so that the range begins at -128, where the portable code's unsigned one takes two.
    /// The four marks' matches are packed into the four lanes each has (two rounds of `packsswb`,
    /// whose saturation keeps a lane that is not 0 so), not masked by their bits one by one.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[inline(always)]
    fn add(&mut self, sixteen: &[u8; 16]) {
        use safe_arch::{add_i8_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_gt_mask_i8_m128i, m128i, pack_i16_to_i8_m128i, set_splat_i8_m128i, sub_i8_m128i};
        let splat = |b: u8| set_splat_i8_m128i(b as i8);
        let c = m128i::from(*sixteen);
        // A lane of all ones is -1: subtracting it counts one.
        let count = |lanes: &mut [u8; 16], mask: m128i| *lanes = sub_i8_m128i(m128i::from(*lanes), mask).into();
        // Outside a range: the byte moved so that the range begins at -128 is above its end, one
        // comparison of the moved byte in place (`text::byte_range_m128i`'s in reverse).
        let outside = |x: m128i, from: u8, n: u8| cmp_gt_mask_i8_m128i(add_i8_m128i(x, splat(0x80u8.wrapping_sub(from))), splat(0x80 + n - 1));
        count(&mut self.non_letters, outside(bitor_m128i(c, splat(0x20)), b'a', 26));
        count(&mut self.non_upper, outside(c, b'A', 26));
        count(&mut self.non_digits, outside(c, b'0', 10));
        count(&mut self.commas, cmp_eq_mask_i8_m128i(c, splat(b',')));
        let is = |byte: u8, x: m128i| cmp_eq_mask_i8_m128i(x, splat(byte));
        let punct = pack_i16_to_i8_m128i(pack_i16_to_i8_m128i(is(b'@', c), is(b'%', c)), pack_i16_to_i8_m128i(is(b'|', c), is(b'/', bitor_m128i(c, splat(1)))));
        self.punct = bitor_m128i(m128i::from(self.punct), punct).into();
    }

    /// `add` elsewhere: `add_portably`.
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    #[inline(always)]
    fn add(&mut self, sixteen: &[u8; 16]) {
        self.add_portably(sixteen);
    }

    /// `add` in portable code: comparisons only, which the compiler turns into a few vector
    /// instructions. Built and tested everywhere; used where there is no SSE2.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // Lane j of every array: the index serves them all.
    fn add_portably(&mut self, sixteen: &[u8; 16]) {
        for j in 0..16 {
            let c = sixteen[j];
            // c | 0x20 lower-cases a letter and makes no other ASCII byte one; c | 1 makes '.' a '/'
            // and no other byte one.
            self.non_letters[j] += u8::from((c | 0x20).wrapping_sub(b'a') >= 26);
            self.non_upper[j] += u8::from(c.wrapping_sub(b'A') >= 26);
            self.non_digits[j] += u8::from(c.wrapping_sub(b'0') >= 10);
            self.commas[j] += u8::from(c == b',');
            for (g, seen) in [c == b'@', c == b'%', c == b'|', c | 1 == b'/'].into_iter().enumerate() {
                self.punct[4 * g + j / 4] |= u8::from(seen);
            }
        }
    }

    /// The marks seen (`AT`, `PERCENT`, `PIPE`, `DOT_SLASH`): bit g where one of mark g's four
    /// lanes is not 0.
    fn punct_bits(&self) -> u8 {
        self.punct.chunks_exact(4).enumerate().fold(0, |p, (g, lanes)| p | u8::from(lanes != [0; 4]) << g)
    }

    /// Adds the lanes' counts to `tally` (those outside a range to `outside`) and empties them.
    fn flush(&mut self, tally: &mut Tally) {
        for (sum, lanes) in self.outside.iter_mut().zip([self.non_letters, self.non_upper, self.non_digits]) {
            *sum += lane_sum(lanes);
        }
        tally.commas += lane_sum(self.commas);
        tally.punct |= self.punct_bits();
        *self = Lanes { outside: self.outside, ..Lanes::default() };
    }

    /// `flush`, then the letters, upper-case letters and digits of the `judged` bytes added
    /// (every byte added, padding included) to `tally`: those judged less those outside.
    fn finish(mut self, judged: usize, tally: &mut Tally) {
        self.flush(tally);
        let [letters, upper, digits] = self.outside.map(|outside| judged - outside);
        tally.letters += letters;
        tally.upper += upper;
        tally.digits += digits;
    }
}

/// Punctuation seen on a line, as bits.
const AT: u8 = 1;
const PERCENT: u8 = 2;
const PIPE: u8 = 4;
const DOT_SLASH: u8 = 8;

/// "Page 2 of 3", "Jane Doe — Page 2" (the caller checks for a digit): "Page ", "page " or
/// "PAGE " in it, read back from its spaces (`text::any_byte_at`).
fn is_page_mark(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() <= 40 && text::any_byte_at(b, b' ', |i| i >= 4 && matches!(&b[i - 4..i], b"Page" | b"page" | b"PAGE"))
}

/// "Austin, TX" or "Remote" alone on a line (or ending one): the text after the last ", " is two
/// capital letters, i.e. the line ends with ", XY".
fn is_location(t: &str) -> bool {
    let b = t.as_bytes();
    (b.len() >= 4 && &b[b.len() - 4..b.len() - 2] == b", " && b[b.len() - 2..].iter().all(u8::is_ascii_uppercase)) || matches!(t, "Remote" | "Hybrid")
}

/// Whether a line names a web address: "http", "www.", ".com", "linkedin" or "github" in it (as
/// written, case-sensitive). All but ".com" are contact marks, which the line's `named` says
/// whether it has in any case: most lines need one search.
fn is_web(line: &Line, t: &str) -> bool {
    // Each mark where its first byte is (`text::any_byte_at`), with no string searcher set up a mark.
    let b = t.as_bytes();
    let has = |mark: &[u8]| text::any_byte_at(b, mark[0], |i| b[i..].starts_with(mark));
    has_dot_com(b) || (line.names(CONTACT_MARK) && [&b"http"[..], b"www.", b"linkedin", b"github"].into_iter().any(has))
}

/// `t.contains(".com")`: what follows each '.' (`text::any_byte_at`).
fn has_dot_com(t: &[u8]) -> bool {
    text::any_byte_at(t, b'.', |i| t[i + 1..].starts_with(b"com"))
}

/// "Label: ..." — a ':' among the first 30 bytes, the first of them not the line's last byte:
/// a ':' before byte 30 and before the last byte (the first of them is then one). `colons` are
/// the ':'s of the line's first 64 bytes (`scan`), `len` its length.
fn label_colon(colons: u64, len: usize) -> bool {
    colons & ((1 << len.saturating_sub(1).min(30)) - 1) != 0
}

/// What the combined model knows of the rules' segmentation of a line.
#[derive(Clone, Copy, Debug)]
pub struct RuleView {
    pub kind: SectionType,
    pub heading: bool,
    pub begin: bool,
}

/// Every line's own-line features (empty for blank lines): what `extend_in_streams` combines
/// with neighbours and context, in place.
pub fn own_features(lines: &[Line]) -> Vec<Active> {
    // Written in place: an `Active` is some 200 bytes, not copied again once made.
    let mut out = vec![Active::default(); lines.len()];
    let cue = cues();
    for (a, l) in out.iter_mut().zip(lines) {
        if l.kind != LineKind::Blank {
            base_features(l, cue, a);
        }
    }
    out
}

/// Features of every line (None for blank lines) from the lines' own (`own_features`, or any
/// reading's, whose own ids `extend_in_streams` leaves first): `extend_in_streams` of a copy of
/// them, for training and for reading a text again in other contexts.
pub fn extract_in_streams(lines: &[Line], own: &[Active], rules: Option<&[RuleView]>, streams: Option<&[u8]>, context: Option<u8>) -> Vec<Option<Active>> {
    let mut out = own.to_vec();
    out.iter_mut().for_each(Active::own_only);
    extend_in_streams(lines, &mut out, rules, streams, context);
    lines.iter().zip(out).map(|(l, a)| (l.kind != LineKind::Blank).then_some(a)).collect()
}

/// Features of every line (blank lines' left empty), in place of their `own_features`, which
/// they extend (each line's own ids stay first, `own_len` of them, where later lines read them:
/// no copy of a line's). `rules`, when given, adds the rules' opinion per line (the combined
/// model). For text read as two interleaved streams (`streams`: 0 or 1 per line), a line's
/// neighbours and last heading are those of its own stream, or with `context`, of that stream
/// whatever the line's own (what the line would look like in it).
pub fn extend_in_streams(lines: &[Line], feats: &mut [Active], rules: Option<&[RuleView]>, streams: Option<&[u8]>, context: Option<u8>) {
    let stream = |i: usize| streams.and_then(|s| s.get(i)).map_or(0, |&s| usize::from(s));
    let non_blank = lines.iter().filter(|l| l.kind != LineKind::Blank).count().max(1);
    let mut last_head: [Option<SectionType>; 2] = [None; 2];
    let mut since_head = [usize::MAX; 2];
    let mut seen = 0usize;
    // The fifth of the resume's non-blank lines a line is in (`seen * 5 / non_blank`, at most 4),
    // kept as `seen` grows, with no division a line: `fifth_end` is where the next fifth begins,
    // times five.
    let (mut fifth, mut fifth_end) = (0u16, non_blank);
    let mut prev: [Option<usize>; 2] = [None; 2];
    // Per stream, its first non-blank line after the last line that looked (`lines.len()` when
    // none): no line of the stream lies between, so a later line at or before it need not look.
    let mut next = [0usize; 2];
    for (i, l) in lines.iter().enumerate() {
        if l.kind == LineKind::Blank {
            continue;
        }
        // The lines before this one (extended), this one and those after (their own still).
        let (done, rest) = feats.split_at_mut(i);
        let Some((a, after)) = rest.split_first_mut() else { break };
        let st = stream(i);
        let ctx = context.map_or(st, usize::from);
        // Every own feature fits (at most 44), and so do the previous line's after them (`opens`
        // counts those as `opens_next` says); should they not, the ids are read again below.
        let mut cut = false;
        if let Some(p) = prev[ctx].and_then(|p| done.get(p)) {
            let (before, own) = (a.ids().len(), usize::from(p.own_len));
            a.push_first::<WIDE>(&p.ids, own, BASE);
            a.opens |= p.opens_next;
            cut = a.ids().len() - before < own;
        }
        if next[ctx] <= i {
            next[ctx] = (i + 1..lines.len()).find(|&n| lines[n].kind != LineKind::Blank && stream(n) == ctx).unwrap_or(lines.len());
        }
        if let Some(n) = after.get(next[ctx].wrapping_sub(i + 1)) {
            a.push_first::<WIDE>(&n.ids, usize::from(n.own_len), 2 * BASE);
        }
        // The context's ids, gathered here (their count in a register) and pushed at once;
        // `opening` is whether one of them is an opening id.
        let (mut context_ids, mut n, mut opening) = ([0u16; 16], 0, false);
        let mut add = |id: u16, opens: bool| {
            context_ids[n] = id;
            n += 1;
            opening |= opens;
        };
        add(last_head[ctx].map_or(NO_HEAD, |k| LAST_HEAD + k as u16), false);
        if seen == 0 {
            add(FIRST_LINE, true);
        }
        if seen < 5 {
            add(TOP5, false);
        }
        while seen * 5 >= fifth_end && fifth < 4 {
            (fifth, fifth_end) = (fifth + 1, fifth_end + non_blank);
        }
        add(POS + fifth, false);
        if i > 0 && lines[i - 1].kind == LineKind::Blank {
            add(PREV_BLANK, true);
        }
        if lines.get(i + 1).is_some_and(|n| n.kind == LineKind::Blank) {
            add(NEXT_BLANK, false);
        }
        if since_head[ctx] == 1 {
            add(AFTER_HEAD, true);
        }
        add(BIAS, false);
        if let Some(r) = rules.and_then(|r| r.get(i)) {
            add(RULE_KIND + r.kind as u16, false);
            if r.heading {
                add(RULE_HEADING, true);
            }
            if r.begin {
                add(RULE_BEGIN, false);
            }
        }
        let before = a.ids().len();
        a.push_first::<16>(&context_ids, n, 0);
        a.opens |= opening;
        // Some did not fit: `opens` is read from the ids there are.
        if cut || a.ids().len() - before < n {
            a.opens = any_opening(a.ids());
        }
        if let LineKind::Heading(k) = l.kind {
            last_head[st] = Some(k);
            since_head[st] = 0;
        } else if l.kind != LineKind::Rule {
            since_head[st] = since_head[st].saturating_add(1);
        }
        seen += 1;
        prev[st] = Some(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_feature_has_a_distinct_name() {
        let names: ahash::AHashSet<String> = (0..COUNT).map(name).collect();
        assert_eq!(names.len(), COUNT as usize);
        assert!(names.iter().all(|n| !n.starts_with("unknown")));
    }

    #[test]
    fn location_and_web_marks() {
        for t in ["Austin, TX", "Remote", "x, y, NY", ", TX", "TX", "Austin,TX", "Austin, Tx", "a, TXX", "é, TX", "Austin, TX, US"] {
            let tail = t.rsplit(", ").next().unwrap_or("");
            let want = (t.contains(", ") && tail.len() == 2 && tail.bytes().all(|b| b.is_ascii_uppercase())) || matches!(t, "Remote" | "Hybrid");
            assert_eq!(is_location(t), want, "{t}");
        }
        // A mark across a 64-byte block's end, and one past it.
        let long = ["a".repeat(61) + " linkedin", "a".repeat(62) + "http", "A ".repeat(40) + "www.x", "GitHub ".repeat(12)];
        for t in ["https://x", "www.x", "x.com", "linkedin", "github", "GitHub", "Http", "ww.", "x.co", "HTTP://X.COM", "a@b.co", "see github.io"].into_iter().chain(long.iter().map(String::as_str)) {
            let want = ["http", "www.", ".com", "linkedin", "github"].iter().any(|w| t.contains(w));
            assert_eq!(is_web(&super::super::lines::analyse(t)[0], t), want, "{t}");
        }
    }

    #[test]
    fn a_tally_counts_as_add_does() {
        let texts = (0u8..128).map(|b| char::from(b).to_string()).chain(["Jane Doe, jane@x.com | 50% 2019/2020".into(), "Ünïcödé — x, Ω|1".into(), String::new(), "Aa,1@%|./ ".repeat(900)])
            .chain((14..=33).chain(60..=130).map(|n| "aZ9,".repeat(n)[..n].to_string()));
        for t in texts {
            let mut by_add = Tally::default();
            t.chars().for_each(|c| by_add.add(c));
            let fields = |n: &Tally| (n.letters, n.upper, n.digits, n.commas, n.punct);
            assert_eq!(fields(&scan(&t, cues()).0), fields(&by_add), "{t:?}");
        }
    }

    /// What `scan` counts of words, word by word as `str::split_whitespace` gives them, each
    /// core folded into a copy and looked up in the cue map.
    fn word_counts_simply(t: &str) -> (usize, usize, u16, usize) {
        let map = cue_map();
        let (mut singles, mut caps, mut bits, mut skills) = (0, 0, 0u16, 0);
        for w in t.split_whitespace() {
            singles += usize::from(w.chars().count() == 1);
            caps += usize::from(w.chars().next().is_some_and(char::is_uppercase));
            let core = w.trim_matches(|c: char| !(c.is_alphanumeric() || matches!(c, '+' | '#' | '\'')));
            let core = core.strip_suffix("'s").unwrap_or(core);
            if !core.is_empty() && core.is_ascii() {
                let b = map.get(core.to_ascii_lowercase().as_bytes()).copied().unwrap_or(0);
                bits |= b;
                skills += usize::from(b & (1 << (Base::Skill1 as u16 - Base::Degree as u16)) != 0);
            }
        }
        (singles, caps, bits, skills)
    }

    fn word_counts(t: &str) -> (usize, usize, u16, usize) {
        let n = scan(t, cues()).1;
        (n.singles, n.caps_words, n.cue_bits, n.skills)
    }

    #[test]
    fn word_counts_are_the_simple_ones() {
        let texts = [
            "", " ", "Senior Engineer, Acme | Jan 2020 – Present", "B.S. in CS (PhD), M.Sc. University's", "PYTHON, Rust; c++ C# node.js", "J a n e  D o e",
            "(University)", "'s", "x's", "a.'s", "Ünïcödé — Université, Ω", "É x é 😀", "director's\u{a0}Volunteer\u{2003}ENGINEER", "a-very-long-word-of-more-than-twenty-four-bytes",
        ];
        for t in texts {
            assert_eq!(word_counts(t), word_counts_simply(t), "{t:?}");
        }
        // Words of one byte or one character at every place around the blocks' ends.
        for n in 56..=72 {
            for w in ["x", "é", "–", "xy"] {
                for gap in [" ", "\u{2003}"] {
                    let t = format!("{}{gap}{w}{gap}a {w}", "y".repeat(n));
                    assert_eq!(word_counts(&t), word_counts_simply(&t), "{t:?}");
                }
            }
        }
        // Every cue word, as written, capitalised and shouted, is found.
        for k in cue_map().keys().filter_map(|k| std::str::from_utf8(k).ok()) {
            let mut cap = k.to_string();
            cap[..1].make_ascii_uppercase();
            for t in [k.to_string(), cap, k.to_ascii_uppercase(), format!("({k}),"), format!("{k}'s")] {
                assert_eq!(word_counts(&t), word_counts_simply(&t), "{t:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn word_counts_agree_with_the_simple_ones(t in "\\PC*|([ ,()'.\u{a0}é–]{0,2}(python|Java|PhD|engineer|Volunteer|b\\.s|c\\+\\+|c#|x|É|[a-zA-Z'+#]{1,6})){0,12}") {
            proptest::prop_assert_eq!(word_counts(&t), word_counts_simply(&t));
        }
    }

    #[test]
    fn date_parts_are_read_as_the_simple_reading() {
        let open_simply = |d: &str| d.split_whitespace().any(|w| ["present", "current", "now", "today", "ongoing"].iter().any(|o| w.trim_matches(|c: char| !c.is_alphabetic()).eq_ignore_ascii_case(o)));
        let two_parts_simply = |b: &str| b.split([',', '|', '—', '–', '·']).map(str::trim).filter(|p| p.chars().any(text::is_alphanumeric)).count() >= 2 || b.trim().contains(" at ");
        for t in ["", "2019 – Present", "2019-PRESENT)", "Jan 2020 - now.", "(current)", "2021–Present", "2019 to date", "nowhere", "é-present", "présent", "Analyst, Initech —", "Data Analyst | Zillow |", "Nurse at Mercy", "Senior Accountant, ", ", ,", "a·b", "— x —", "Ω, é", "a,b", "a|", "|a", "x — y", "x —— ", "a · b", " ,a, ", "Nurse at", "Nurse at ", " at x", "Nurse at Mercy — "] {
            assert_eq!(is_open_ended(t), open_simply(t), "{t:?}");
            assert_eq!(two_parts(t), two_parts_simply(t), "{t:?}");
        }
    }

    #[test]
    fn label_colons_are_read_from_the_first_block() {
        let simply = |t: &str| t.as_bytes()[..t.len().min(30)].iter().position(|&c| c == b':').is_some_and(|i| i + 1 < t.len());
        for t in ["", ":", "a:", ":a", "Skills: Rust", "Skills:", "a: b:"].map(String::from).into_iter().chain(["x".repeat(29) + ":", "x".repeat(29) + ":a", "x".repeat(30) + ":a", "x".repeat(70) + ":a", "é:".repeat(20)]) {
            assert_eq!(label_colon(scan(&t, cues()).2, t.len()), simply(&t), "{t:?}");
        }
    }

    #[test]
    fn lane_sums_are_sums() {
        for lanes in [[0u8; 16], [255; 16], [1; 16], std::array::from_fn(|j| j as u8 * 17), std::array::from_fn(|j| 255 - j as u8)] {
            let sum = lanes.iter().map(|&x| usize::from(x)).sum::<usize>();
            assert_eq!((lane_sum(lanes), summed_lanes(lanes)), (sum, sum), "{lanes:?}");
        }
    }

    #[test]
    fn lanes_add_as_the_portable_code_does() {
        let fields = |l: &Lanes| (l.non_letters, l.non_upper, l.non_digits, l.commas, l.punct_bits());
        let (mut fast, mut portable) = (Lanes::default(), Lanes::default());
        // Every byte in every lane, each lane counted up to 16.
        for k in 0..=255u8 {
            let sixteen: [u8; 16] = std::array::from_fn(|j| k.wrapping_add(j as u8 * 16));
            fast.add(&sixteen);
            portable.add_portably(&sixteen);
            assert_eq!(fields(&fast), fields(&portable), "{sixteen:?}");
            if k % 16 == 15 {
                (fast, portable) = (Lanes::default(), Lanes::default());
            }
        }
        // Every byte alone at every place among spaces: the marks it makes, whatever the lane.
        for (k, j) in (0..=255u8).flat_map(|k| (0..16).map(move |j| (k, j))) {
            let mut sixteen = [b' '; 16];
            sixteen[j] = k;
            let (mut fast, mut portable) = (Lanes::default(), Lanes::default());
            fast.add(&sixteen);
            portable.add_portably(&sixteen);
            assert_eq!(fields(&fast), fields(&portable), "{sixteen:?}");
        }
    }

    #[test]
    fn flag_ids_fit_bits_from_bullet() {
        assert!((Base::Long as u16 - Base::Bullet as u16) < 64);
    }

    #[test]
    fn push_offset_is_pushing_each() {
        let ids: Vec<u16> = (0..70).collect();
        for (before, take) in [(0, 0), (0, 70), (30, 70), (90, 10), (96, 5)] {
            let (mut a, mut b) = (Active::default(), Active::default());
            for id in 0..before {
                a.push(id);
                b.push(id);
            }
            a.push_offset(&ids[..take], BASE);
            ids[..take].iter().for_each(|&id| b.push(BASE + id));
            assert_eq!(a.ids(), b.ids());
        }
        // `push_first` is `push_offset` of the first n, whether all `N` fit or not.
        for before in [0, 30, 64, 70, 90, 96] {
            for n in [0, 1, 16, 17, 32, 33, 70] {
                let (mut a, mut b) = (Active::default(), Active::default());
                for id in 0..before {
                    a.push(id);
                    b.push(id);
                }
                a.push_first::<WIDE>(&ids, n, BASE);
                b.push_offset(&ids[..n], BASE);
                assert_eq!(a.ids(), b.ids(), "{before} {n}");
            }
        }
        for t in ["", ".com", "x.co", "a.b.com", "com.", ".cOm", "..com"] {
            assert_eq!(has_dot_com(t.as_bytes()), t.contains(".com"), "{t}");
        }
    }

    #[test]
    fn ids_in_section_are_with_sections_at_any_length() {
        let mut a = Active::default();
        for n in 0..=MAX_ACTIVE {
            for first in [false, true] {
                assert_eq!(a.ids_in_section(SectionType::Skills, first).collect::<Vec<_>>(), a.with_section(SectionType::Skills, first).ids(), "{n} ids");
            }
            a.push(BIAS);
        }
    }

    #[test]
    fn may_open_section_is_any_opening_id() {
        let text = "JANE DOE\nPage 1 of 2\n\nExperience\nSenior Engineer, Acme | Jan 2020 – Present\n- Built x\nSkills: Rust\n-----\nE d u c a t i o n\n**Bold**\n# Mark\nNotes:\nplain line\nanother plain line\n";
        let lines = super::super::lines::analyse(text);
        let own = own_features(&lines);
        // A line's own `opens` and `opens_next`, told by `base_features`' tests, are what its ids say.
        let opening = opening_ids();
        for a in &own {
            assert_eq!((a.opens, a.opens_next), (any_opening(a.ids()), a.ids().iter().any(|&id| opening[usize::from(id + BASE)])), "{:?}", a.ids().iter().map(|&i| name(i)).collect::<Vec<_>>());
        }
        assert!(own.iter().any(|a| a.opens && !a.opens_next) && own.iter().any(|a| a.opens_next));
        let rules: Vec<RuleView> = (0..lines.len()).map(|i| RuleView { kind: SectionType::Other, heading: i % 3 == 0, begin: i % 2 == 0 }).collect();
        let streams: Vec<u8> = (0..lines.len()).map(|i| (i % 2) as u8).collect();
        let readings = [extract_in_streams(&lines, &own, None, None, None), extract_in_streams(&lines, &own, Some(&rules), Some(&streams), Some(1))];
        for a in readings.iter().flatten().flatten() {
            assert_eq!(may_open_section(a), any_opening(a.ids()), "{:?}", a.ids().iter().map(|&i| name(i)).collect::<Vec<_>>());
            let s = a.with_section(SectionType::Skills, true);
            assert_eq!(may_open_section(&s), any_opening(s.ids()));
            for first in [false, true] {
                assert_eq!(a.ids_in_section(SectionType::Education, first).collect::<Vec<_>>(), a.with_section(SectionType::Education, first).ids());
            }
        }
        assert!(readings[0].iter().flatten().any(may_open_section) && readings[0].iter().flatten().any(|a| !may_open_section(a)));
    }

    #[test]
    fn a_dated_header_line() {
        let lines = super::super::lines::analyse("Jane Doe\n\nSenior Engineer, Acme | Jan 2020 – Present\n");
        let f = extract_in_streams(&lines, &own_features(&lines), None, None, None);
        let names: Vec<String> = f[2].as_ref().unwrap().ids().iter().map(|&i| name(i)).collect();
        for want in ["date", "date_range", "date_open", "date_at_end", "title_word", "pipe", "prev_blank", "prev_title_case"] {
            assert!(names.iter().any(|n| n == want), "{want} missing from {names:?}");
        }
        assert!(f[1].is_none());
    }
}
