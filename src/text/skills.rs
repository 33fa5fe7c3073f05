//! A vocabulary of skills that resumes and job postings name, with their usual spelling, and a fast
//! matcher that finds them in text (one to three words, case-insensitive).

use ahash::AHashMap;
use std::sync::OnceLock;

/// `(folded form, display form)`. Multi-word skills are written with single spaces.
pub const SKILL_TERMS: &[(&str, &str)] = &[
    (".net", ".NET"), ("a/b testing", "A/B testing"), ("accessibility", "accessibility"),
    ("acquisition", "acquisition"), ("agile", "Agile"), ("airflow", "Airflow"), ("ajax", "AJAX"),
    ("analytics", "analytics"), ("android", "Android"), ("angular", "Angular"), ("ansible", "Ansible"),
    ("api design", "API design"), ("apis", "APIs"), ("api", "API"), ("aws", "AWS"), ("azure", "Azure"),
    ("backbone", "Backbone"), ("bash", "Bash"), ("budgeting", "budgeting"), ("c", "C"), ("c#", "C#"),
    ("c++", "C++"), ("ci/cd", "CI/CD"), ("cloud", "cloud"), ("cloud.gov", "cloud.gov"),
    ("coaching", "coaching"), ("communication", "communication"), ("compliance", "compliance"),
    ("content design", "content design"), ("content strategy", "content strategy"),
    ("continuous deployment", "continuous deployment"), ("continuous integration", "continuous integration"),
    ("contracting", "contracting"), ("css", "CSS"), ("customer experience", "customer experience"),
    ("cybersecurity", "cybersecurity"), ("data analysis", "data analysis"), ("data science", "data science"),
    ("data visualization", "data visualization"), ("databases", "databases"), ("design systems", "design systems"),
    ("devops", "DevOps"), ("django", "Django"), ("docker", "Docker"), ("elasticsearch", "Elasticsearch"),
    ("excel", "Excel"), ("express", "Express"), ("facilitation", "facilitation"), ("figma", "Figma"),
    ("fedramp", "FedRAMP"), ("flask", "Flask"), ("gcp", "GCP"), ("git", "Git"), ("github", "GitHub"),
    ("go", "Go"), ("golang", "Go"), ("graphql", "GraphQL"), ("hadoop", "Hadoop"), ("hiring", "hiring"),
    ("html", "HTML"), ("html5", "HTML5"), ("human-centered design", "human-centered design"),
    ("information architecture", "information architecture"), ("interaction design", "interaction design"),
    ("ios", "iOS"), ("java", "Java"), ("javascript", "JavaScript"), ("jenkins", "Jenkins"), ("jquery", "jQuery"),
    ("jira", "Jira"), ("json", "JSON"), ("kafka", "Kafka"), ("kotlin", "Kotlin"), ("kubernetes", "Kubernetes"),
    ("leadership", "leadership"), ("lean", "Lean"), ("linux", "Linux"), ("machine learning", "machine learning"),
    ("mentoring", "mentoring"), ("microservices", "microservices"), ("mongodb", "MongoDB"), ("mysql", "MySQL"),
    ("negotiation", "negotiation"), ("nginx", "nginx"), ("node", "Node.js"), ("node.js", "Node.js"),
    ("nodejs", "Node.js"), ("nosql", "NoSQL"), ("numpy", "NumPy"), ("okrs", "OKRs"),
    ("open source", "open source"), ("pandas", "pandas"), ("perl", "Perl"), ("php", "PHP"),
    ("postgres", "PostgreSQL"), ("postgresql", "PostgreSQL"), ("procurement", "procurement"),
    ("product management", "product management"), ("product strategy", "product strategy"),
    ("program management", "program management"), ("project management", "project management"),
    ("prototyping", "prototyping"), ("public speaking", "public speaking"), ("python", "Python"),
    ("pytorch", "PyTorch"), ("qa", "QA"), ("r", "R"), ("rails", "Rails"), ("react", "React"),
    ("react native", "React Native"), ("recruiting", "recruiting"), ("redis", "Redis"),
    ("redux", "Redux"), ("rest", "REST"), ("restful", "REST"), ("roadmapping", "roadmapping"),
    ("ruby", "Ruby"), ("ruby on rails", "Ruby on Rails"), ("rust", "Rust"), ("sass", "Sass"),
    ("scala", "Scala"), ("scrum", "Scrum"), ("security", "security"), ("service design", "service design"),
    ("sketch", "Sketch"), ("spark", "Spark"), ("spring", "Spring"), ("sql", "SQL"),
    ("stakeholder management", "stakeholder management"), ("statistics", "statistics"),
    ("strategy", "strategy"), ("swift", "Swift"), ("tableau", "Tableau"), ("tdd", "TDD"),
    ("tensorflow", "TensorFlow"), ("terraform", "Terraform"), ("test automation", "test automation"),
    ("testing", "testing"), ("typescript", "TypeScript"), ("ui", "UI"), ("unix", "Unix"),
    ("usability testing", "usability testing"), ("user research", "user research"), ("ux", "UX"),
    ("user experience", "user experience"), ("user-centered design", "user-centered design"),
    ("visual design", "visual design"), ("vue", "Vue"), ("web development", "web development"),
    ("wordpress", "WordPress"), ("writing", "writing"), ("xml", "XML"),
];

struct Matcher {
    /// Every single word a match can start at: its value is the index of the one-word skill it
    /// is (`NOT_A_TERM` if none), with `MULTI_START` set when it begins a multi-word skill and
    /// `THREE_WORDS` when one of three words or more, and `ONE_LETTER` when its one-word skill is one character.
    words: super::WordTable,
    /// Multi-word skills (single-spaced) -> index into `SKILL_TERMS`.
    multi: super::WordTable,
    /// Per skill, the first skill with its display name: skills found are told apart by it.
    name_of: Vec<u16>,
}

const MULTI_START: u32 = 1 << 31;
const THREE_WORDS: u32 = 1 << 30;
/// Set with a one-word skill that is one character (C, R): it counts only in capitals.
const ONE_LETTER: u32 = 1 << 29;
const NOT_A_TERM: u32 = ONE_LETTER - 1;

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let mut multi: Vec<(&str, u32)> = Vec::new();
        let mut words: AHashMap<&'static str, u32> = AHashMap::new();
        for (i, (term, _)) in SKILL_TERMS.iter().enumerate() {
            match term.split_once(' ') {
                Some((first, rest)) => {
                    *words.entry(first).or_insert(NOT_A_TERM) |= MULTI_START | if rest.contains(' ') { THREE_WORDS } else { 0 };
                    multi.push((term, i as u32));
                }
                None => {
                    let v = words.entry(term).or_insert(NOT_A_TERM);
                    *v = (*v & !NOT_A_TERM) | i as u32 | if super::is_one_char(term) { ONE_LETTER } else { 0 };
                }
            }
        }
        let name_of = SKILL_TERMS.iter().map(|(_, name)| SKILL_TERMS.iter().position(|(_, n)| n == name).expect("a skill has its own name") as u16).collect();
        Matcher { words: super::WordTable::new(words), multi: super::WordTable::new(multi), name_of }
    })
}

/// Display name of a skill index returned by [`skills_in`].
pub fn skill_name(index: usize) -> &'static str {
    SKILL_TERMS[index].1
}

/// Skills named in `text`, as indices into [`SKILL_TERMS`], deduplicated by display name, in order of
/// first appearance. The longest match wins at each position ("ruby on rails" over "ruby").
///
/// Single letters (`C`, `R`) count only when written in capitals, since "a" and "r" are ordinary text.
pub fn skills_in(text: &str) -> Vec<usize> {
    let tokens: Vec<&str> = super::words(text).collect();
    skills_in_tokens(&tokens)
}

/// `skills_in` over tokens already split by `text::words`, for callers that also need them.
pub fn skills_in_tokens(tokens: &[&str]) -> Vec<usize> {
    SkillHits::of(tokens).in_range(0..tokens.len())
}

/// Where a text's tokens can name a skill, read once: a caller that searches many stretches of
/// one text (a resume's sections, its blocks when content types them) looks every token up in
/// the tables once, and each search only walks the few tokens that start a skill.
pub struct SkillHits {
    /// The tokens a skill starts at, ascending.
    hits: Vec<Hit>,
}

/// `SkillHits` of tokens handed over one at a time, in order, each with its index (`push`,
/// `push_ascii`; the caller counts them, as the tokeniser does anyway), so that a caller that
/// finds them as it reads (`Tokens::of`) keeps no list of them: each token is looked up as it comes, and one that begins a multi-word skill stays open while it and the two after
/// it are looked up together. The tokens are borrowed (`'t`) until the scan is finished.
pub struct SkillScan<'t> {
    m: &'static Matcher,
    hits: Vec<Hit>,
    /// The tokens among the last two that begin a multi-word skill, by the parity of their
    /// index (`open` has bit `i % 2` set for one).
    keys: [OpenKey<'t>; 2],
    open: u8,
    /// Room for folding a token that is not short ASCII (`WordTable::get`).
    scratch: String,
    /// Room for a key of words that are not all ASCII, joined.
    joined: String,
}

/// A token that begins a multi-word skill, while the two after it come.
#[derive(Clone, Copy, Default)]
struct OpenKey<'t> {
    /// Its hit, which the skills of two and three words starting there fill in.
    hit: usize,
    /// Its index (its hit's `at`, kept here: the hit is read only when a skill is found).
    at: u32,
    /// Its words so far (it and the ones after it).
    words: [&'t [u8]; 3],
    /// The most words a skill starting with it has (2 or 3): no key of more is looked up.
    last: usize,
    /// Whether they are all ASCII (looked up by their bytes).
    ascii: bool,
}

impl<'t> SkillScan<'t> {
    /// A scan with no token yet, for about `tokens` tokens: about one token in eight or fewer
    /// starts a skill, room for them from the start.
    pub fn new(tokens: usize) -> SkillScan<'t> {
        SkillScan { m: matcher(), hits: Vec::with_capacity(tokens / 8 + 1), keys: Default::default(), open: 0, scratch: String::new(), joined: String::new() }
    }

    /// Hands over the next token (split by `text::words`), the `i`th (from 0).
    #[inline(always)]
    pub fn push(&mut self, i: usize, token: &'t str) {
        self.push_by(
            i as u32,
            token,
            token.as_bytes(),
            false,
            #[inline(always)]
            |table, token, scratch| table.get(token, scratch),
            |token| token.chars().all(char::is_uppercase),
        );
    }

    /// `push` of a token that is ASCII, as bytes: looked up by its bytes
    /// (`WordTable::get_ascii`), with no test of it for ASCII.
    #[inline(always)]
    pub fn push_ascii(&mut self, i: usize, token: &'t [u8]) {
        self.push_by(
            i as u32,
            token,
            token,
            true,
            #[inline(always)]
            |table, token, _| table.get_ascii(token),
            // An ASCII character is upper-case when its byte is.
            |token| token.iter().all(u8::is_ascii_uppercase),
        );
    }

    /// The hits of the tokens handed over.
    pub fn finish(self) -> SkillHits {
        SkillHits { hits: self.hits }
    }

    /// `push` of token `i` with the lookup inlined: `get` looks a token up in a table (`scratch` for
    /// folding), `capitals` tells whether a token is written in capitals; `bytes` are the
    /// token's, known to be ASCII when `ascii` (else they may be or not).
    #[inline(always)]
    fn push_by<T: ?Sized>(&mut self, i: u32, token: &T, bytes: &'t [u8], ascii: bool, get: impl Fn(&super::WordTable, &T, &mut String) -> Option<u32>, capitals: impl Fn(&T) -> bool) {
        if self.open != 0 {
            self.extend_keys(i, bytes, ascii);
        }
        // Most tokens are no skill's word: one table lookup, no folding.
        let Some(word) = get(&self.m.words, token, &mut self.scratch) else { return };
        let mut by_len = [NOT_A_TERM; 3];
        let term = word & NOT_A_TERM;
        if term != NOT_A_TERM {
            // A one-letter skill (C, R) counts only in capitals. The token folds to the skill's
            // folded form (the table matched them), so it is one letter when that is.
            if word & ONE_LETTER == 0 || capitals(token) {
                by_len[0] = term;
            }
        }
        if word & MULTI_START != 0 {
            // The two- and three-word skills starting here are filled in as the next tokens come
            // (a hit that none fills in is passed over by `each_of`).
            let slot = (i % 2) as usize;
            let last = if word & THREE_WORDS != 0 { 3 } else { 2 };
            self.keys[slot] = OpenKey { hit: self.hits.len(), at: i, words: [bytes; 3], last, ascii };
            self.open |= 1 << slot;
        } else if by_len[0] == NOT_A_TERM {
            return;
        }
        self.hits.push(Hit { at: i, by_len });
    }

    /// Adds token `i` (its `bytes`, ASCII when `ascii`) to the words of the open tokens before
    /// it and looks them up joined by spaces (the table folds; ASCII words by their bytes, with
    /// no joined copy for most: `WordTable::get_ascii_joined`): the skill of two or three words
    /// starting at each. A key of as many words as the longest skill its first begins is closed.
    #[cold]
    #[inline(never)]
    fn extend_keys(&mut self, i: u32, bytes: &'t [u8], ascii: bool) {
        // The open slots, by their bits (most often one; a slot is bit 0 or 1).
        let mut open = self.open;
        while open != 0 {
            let slot = (open.trailing_zeros() & 1) as usize;
            open &= open - 1;
            let key = &mut self.keys[slot];
            // 2 or 3: a key is closed at its `last` words.
            let len = (i - key.at) as usize + 1;
            if len == key.last {
                self.open &= !(1 << slot);
            }
            if len == 2 {
                key.words[1] = bytes;
            } else {
                key.words[2] = bytes;
            }
            key.ascii &= ascii;
            let found = match (key.ascii, len) {
                (true, 2) => self.m.multi.get_ascii_joined([key.words[0], bytes]),
                (true, _) => self.m.multi.get_ascii_joined(key.words),
                (false, _) => Self::get_joined(self.m, &key.words[..len], &mut self.joined, &mut self.scratch),
            };
            if let Some(idx) = found {
                self.hits[key.hit].by_len[len - 1] = idx;
            }
        }
    }

    /// The multi-word skill of `words` that are not all ASCII: joined by spaces in `joined` and
    /// looked up folded (`scratch`).
    #[cold]
    #[inline(never)]
    fn get_joined(m: &Matcher, words: &[&[u8]], joined: &mut String, scratch: &mut String) -> Option<u32> {
        joined.clear();
        for (k, word) in words.iter().enumerate() {
            if k > 0 {
                joined.push(' ');
            }
            joined.push_str(std::str::from_utf8(word).expect("tokens are whole characters"));
        }
        m.multi.get(joined, scratch)
    }
}

/// A token a skill starts at: the skill of one, two and three words starting there (indices into
/// `SKILL_TERMS`, `NOT_A_TERM` for none), the longer ones counted only if the stretch searched
/// holds their words.
struct Hit {
    at: u32,
    by_len: [u32; 3],
}

impl SkillHits {
    /// The skill starts of `tokens` (split by `text::words`).
    pub fn of(tokens: &[&str]) -> SkillHits {
        let mut scan = SkillScan::new(tokens.len());
        for (i, token) in tokens.iter().enumerate() {
            scan.push(i, token);
        }
        scan.finish()
    }

    /// Skills named in the tokens `range` (as `skills_in` finds them in those tokens alone):
    /// indices into [`SKILL_TERMS`], deduplicated by display name, in order of first appearance,
    /// the longest match winning at each position.
    pub fn in_range(&self, range: std::ops::Range<usize>) -> Vec<usize> {
        Self::listed(self.hits_in(&range), range.end)
    }

    /// `in_range` of stretches read in order (a resume's sections), `*next` the first hit past
    /// the stretch before: the stretch's hits are walked from there, with no search
    /// (`text::sorted_in_range`).
    pub fn in_range_after(&self, range: std::ops::Range<usize>, next: &mut usize) -> Vec<usize> {
        let end = range.end;
        Self::listed(&self.hits[super::sorted_in_range(&self.hits, |h| h.at as usize, range, next)], end)
    }

    /// The skills of `hits` (those of a stretch ending at token `end`), as `in_range` lists them.
    /// Room for one a hit from the start: no growing as skills are found.
    fn listed(hits: &[Hit], end: usize) -> Vec<usize> {
        let mut found = Vec::with_capacity(hits.len());
        Self::each_of(hits, end, |idx| found.push(idx));
        found
    }

    /// The number of skills `in_range` finds, with no list of them made.
    pub fn count_in_range(&self, range: std::ops::Range<usize>) -> usize {
        let mut n = 0;
        Self::each_of(self.hits_in(&range), range.end, |_| n += 1);
        n
    }

    /// The hits whose token is in `range`.
    fn hits_in(&self, range: &std::ops::Range<usize>) -> &[Hit] {
        let from = self.hits.partition_point(|h| (h.at as usize) < range.start);
        let to = from + self.hits[from..].partition_point(|h| (h.at as usize) < range.end);
        &self.hits[from..to]
    }

    /// Calls `take` with each skill of `hits` (ascending, none at or past `end`) as `in_range`
    /// lists them. A display name already taken is a bit of a set, not a search of those taken.
    #[inline(always)]
    fn each_of(hits: &[Hit], end: usize, mut take: impl FnMut(usize)) {
        let name_of = &matcher().name_of[..];
        let mut taken = [0u64; SKILL_TERMS.len().div_ceil(64)];
        // The first token a match may start at: the words of the last match are no starts.
        let mut free = 0;
        for hit in hits {
            let at = hit.at as usize;
            if at < free {
                continue;
            }
            // The longest skill whose words are all inside the range; most hits begin no skill
            // of more words, and their token (inside the range) is the one skill, or none
            // (`NOT_A_TERM`, no index of `name_of`: a word that begins only longer skills).
            let len = if hit.by_len[1..] == [NOT_A_TERM; 2] {
                1
            } else {
                let Some(len) = (1..=3).rev().find(|&len| at + len <= end && hit.by_len[len - 1] != NOT_A_TERM) else { continue };
                len
            };
            let idx = hit.by_len[len - 1] as usize;
            let Some(&name) = name_of.get(idx) else { continue };
            let name = usize::from(name);
            if taken[name / 64] & 1 << (name % 64) == 0 {
                taken[name / 64] |= 1 << (name % 64);
                take(idx);
            }
            free = at + len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&'static str> {
        skills_in(text).into_iter().map(skill_name).collect()
    }

    #[test]
    fn finds_single_and_multi_word_skills() {
        assert_eq!(
            names("Built Ruby on Rails apps, then Python and machine learning with PostgreSQL."),
            vec!["Ruby on Rails", "Python", "machine learning", "PostgreSQL"]
        );
    }

    #[test]
    fn single_letters_need_capitals_and_synonyms_dedupe() {
        assert_eq!(names("a r C and R; node, Node.js, nodejs"), vec!["C", "R", "Node.js"]);
    }

    #[test]
    fn ascii_tokens_find_what_any_tokens_find_and_counts_agree() {
        let text = "Built Ruby on Rails apps, then Python and MACHINE learning with PostgreSQL; C and R; node, Node.js, ci/cd and c++ at a/b testing";
        let tokens: Vec<&str> = super::super::words(text).collect();
        let mut scan = SkillScan::new(tokens.len());
        for (i, token) in tokens.iter().enumerate() {
            scan.push_ascii(i, token.as_bytes());
        }
        let (any, ascii) = (SkillHits::of(&tokens), scan.finish());
        for start in 0..tokens.len() {
            for end in start..=tokens.len() {
                assert_eq!(any.in_range(start..end), ascii.in_range(start..end), "{start}..{end}");
                assert_eq!(any.count_in_range(start..end), any.in_range(start..end).len(), "{start}..{end}");
                // Read after any stretch: the one before in order, or one further on.
                for (before, mut next) in [(start.saturating_sub(3)..start, 0), (end..tokens.len(), 0)] {
                    any.in_range_after(before, &mut next);
                    assert_eq!(any.in_range_after(start..end, &mut next), any.in_range(start..end), "{start}..{end}");
                }
            }
        }
    }

    #[test]
    fn vocabulary_is_folded_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (term, _) in SKILL_TERMS {
            assert_eq!(*term, super::super::fold(term), "{term} must be folded");
            assert!(seen.insert(*term), "{term} twice");
        }
    }
}
