//! Job description analysis, done once per distinct job text: the key terms a resume should show,
//! the skills the job names, and its requirement lines. Pure: text in, analysis out.

use crate::text::{self, skills_in_tokens};
use ahash::{AHashMap, AHashSet};
use std::sync::Arc;

/// How many ranked terms a job keeps. Enough to cover a posting's real asks; more only adds noise.
/// At most 64, so a set of a job's terms is one `u64`.
pub const MAX_TERMS: usize = 40;
/// A named skill weighs this many times an ordinary term occurrence.
const SKILL_BOOST: f32 = 3.0;
/// A term that appears in a requirement line weighs this much more.
const REQUIREMENT_BOOST: f32 = 1.5;

/// Words every posting uses that say nothing about what this job needs.
const POSTING_FILLER: &[&str] = &[
    "ability", "able", "applicant", "applicants", "application", "apply", "candidate", "candidates",
    "day", "desired", "duties", "excellent", "experience", "help", "ideal", "include", "includes",
    "it's", "job", "knowledge", "looking", "new", "opportunity", "position", "preferred",
    "required", "requirements", "responsibilities", "responsible", "role", "skills", "strong",
    "team", "teams", "understanding", "use", "using", "want", "way", "we're", "work", "working",
    "year", "years", "you'll", "you're",
];

/// A term the job asks for, with its weight in scoring.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyTerm {
    /// The matching form (folded, stemmed); compare with [`match_form`] of a resume word.
    pub key: String,
    /// How the term reads to a person (the skill's display name, or the folded word); shared, so
    /// that evaluations list terms without copying them.
    pub display: Arc<str>,
    pub weight: f32,
    pub is_skill: bool,
}

/// What a job asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct JobAnalysis {
    /// blake3 of the job text, hex: the job's identity for caches and batching.
    pub hash: String,
    /// First non-blank line, trimmed.
    pub title: String,
    /// Ranked by weight, highest first; ties broken by key so the order is deterministic.
    pub terms: Vec<KeyTerm>,
    /// Skill indices (see [`crate::text::SKILL_TERMS`]) the job names, in order of first mention.
    pub skills: Vec<usize>,
    /// Lines that state a requirement (bullets under a requirements/qualifications heading, or lines
    /// that say "must", "required", "experience with/in").
    pub requirements: Vec<String>,
    /// Every word of the job, folded: what a tailored section may mention without inventing it.
    pub vocabulary: AHashSet<String>,
    index: TermIndex,
}

/// Where each term is found by its matching form; built once per job so that matching a section
/// is one pass over its words with no allocation per word.
#[derive(Clone, Debug, Default, PartialEq)]
struct TermIndex {
    /// Match form of a one-word term -> term index.
    single: AHashMap<String, usize>,
    /// Folded multi-word skill ("machine learning") -> term index.
    multi: AHashMap<String, usize>,
    /// First words of the multi-word terms.
    multi_first: AHashSet<String>,
    /// By the folded first byte of an ASCII word (`& 31`), the lengths (bits) of the one-word
    /// terms and of the multi-word terms' first words that start with it: a word that fits
    /// neither is not looked up, which is most words.
    single_lengths: [u64; 32],
    multi_first_lengths: [u64; 32],
}

impl TermIndex {
    /// Lengths past this are not in the filter; words as long are always looked up.
    const FILTER_LEN: usize = 60;

    fn add_single(&mut self, key: &str, term: usize) {
        self.single.insert(key.to_string(), term);
        Self::note(&mut self.single_lengths, key);
    }

    fn add_multi(&mut self, key: &str, first: &str, term: usize) {
        self.multi.insert(key.to_string(), term);
        self.multi_first.insert(first.to_string());
        Self::note(&mut self.multi_first_lengths, first);
    }

    fn note(lengths: &mut [u64; 32], word: &str) {
        if let Some(&b) = word.as_bytes().first() {
            if word.len() < Self::FILTER_LEN {
                lengths[usize::from(b & 31)] |= 1 << word.len();
            }
        }
    }

    /// False when `token` can be neither a one-word term nor a multi-word term's first word. An
    /// ASCII token's folded form is as long as the token and its match form is 0 to 3 bytes
    /// shorter (`match_form_into`); other tokens are always looked up.
    fn may_match(&self, token: &str) -> bool {
        let n = token.len();
        if n >= Self::FILTER_LEN || !token.is_ascii() {
            return true;
        }
        let row = usize::from(token.as_bytes()[0].to_ascii_lowercase() & 31);
        (self.single_lengths[row] >> n.saturating_sub(3)) & 0b1111 != 0 || (self.multi_first_lengths[row] >> n) & 1 != 0
    }
}

impl JobAnalysis {
    /// Sum of all term weights: the denominator of keyword coverage.
    pub fn total_weight(&self) -> f32 {
        self.terms.iter().map(|t| t.weight).sum()
    }

    /// Looks up a term by its matching form.
    pub fn term(&self, key: &str) -> Option<&KeyTerm> {
        self.terms.iter().find(|t| t.key == key)
    }

    /// Scans `text` once for the job's terms: the set of terms on each non-blank line.
    pub fn hits(&self, text: &str) -> TermHits {
        let mut lines = Vec::new();
        self.scan_lines(text, |terms| lines.push(terms));
        TermHits { lines }
    }

    /// Calls `line_terms(set)` for each non-blank line of `text`, in order, with the set of the
    /// job's terms that the line contains (bits of term indices).
    fn scan_lines(&self, text: &str, mut line_terms: impl FnMut(u64)) {
        let (mut folded, mut form, mut key) = (String::new(), String::new(), String::new());
        for line in text.lines() {
            if line.trim().is_empty() {
                continue;
            }
            let mut mask = 0u64;
            let mut tokens = text::words(line);
            while let Some(token) = tokens.next() {
                if !self.index.may_match(token) {
                    continue;
                }
                text::fold_into(token, &mut folded);
                if self.index.multi_first.contains(folded.as_str()) {
                    key.clear();
                    key.push_str(&folded);
                    for next in tokens.clone().take(2) {
                        key.push(' ');
                        text::fold_append(next, &mut key);
                        if let Some(&t) = self.index.multi.get(key.as_str()) {
                            mask |= 1 << t;
                        }
                    }
                }
                match_form_into(&folded, &mut form);
                if let Some(&t) = self.index.single.get(form.as_str()) {
                    mask |= 1 << t;
                }
            }
            line_terms(mask);
        }
    }

    /// The set of the job's terms that `text` contains, as bits of term indices.
    pub fn terms_in(&self, text: &str) -> u64 {
        let mut mask = 0u64;
        self.scan_lines(text, |terms| mask |= terms);
        mask
    }

    /// Summed weight of the terms in a set from `terms_in`, in term order.
    pub fn weight_of(&self, mask: u64) -> f32 {
        bits(mask).map(|t| self.terms[t].weight).sum()
    }
}

/// The job's terms in one text, line by line: one scan that scoring (where each term first
/// appears), coverage (which terms appear) and bullet relevance (terms per line) all read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TermHits {
    /// One set of term indices (bits) per non-blank line of the text, in order.
    pub lines: Vec<u64>,
}

impl TermHits {
    /// Every term the text contains.
    pub fn all(&self) -> u64 {
        self.lines.iter().fold(0, |all, line| all | line)
    }
}

/// The indices of the set bits of `mask`, lowest first.
pub fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let t = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            t
        })
    })
}

/// blake3 of a job text as hex: the identity used to analyse each distinct job once.
pub fn job_hash(job: &str) -> String {
    blake3::hash(job.as_bytes()).to_hex().to_string()
}

/// The form in which resume words and job terms are compared: folded, with a light plural and
/// verb-suffix strip so "services"/"service" and "designing"/"design" meet. Deliberately crude: it
/// must be fast, deterministic and symmetric, not linguistically right.
pub fn match_form(folded: &str) -> String {
    let mut out = String::new();
    match_form_into(folded, &mut out);
    out
}

/// `match_form` into a reused buffer.
pub fn match_form_into(folded: &str, out: &mut String) {
    out.clear();
    let n = folded.len();
    if !folded.is_ascii() || n < 5 {
        out.push_str(folded);
        return;
    }
    if let Some(stem) = folded.strip_suffix("ies") {
        out.push_str(stem);
        out.push('y');
        return;
    }
    for suffix in ["ing", "ed"] {
        if let Some(stem) = folded.strip_suffix(suffix) {
            if stem.len() >= 4 {
                out.push_str(stem);
                return;
            }
        }
    }
    if folded.ends_with('s') && !folded.ends_with("ss") && !folded.ends_with("us") {
        out.push_str(&folded[..n - 1]);
        return;
    }
    out.push_str(folded);
}

fn is_requirement_heading(line: &str) -> bool {
    let l = line.trim().trim_end_matches(':').to_ascii_lowercase();
    l.len() < 60
        && ["requirement", "qualification", "what you", "you have", "you bring", "specialized experience", "key objective"]
            .iter()
            .any(|k| l.contains(k))
}

fn states_requirement(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    ["must ", "required", "experience with", "experience in", "proficien", "demonstrated", "knowledge of"]
        .iter()
        .any(|k| l.contains(k))
}

/// A candidate term's weight so far, and the skill's display name when it names one.
struct Ranked {
    weight: f32,
    skill: Option<&'static str>,
}

/// Analyses one job description.
pub fn analyse(job: &str) -> JobAnalysis {
    let title = job.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").to_string();

    let mut requirements = Vec::new();
    let mut in_requirements = false;
    for line in job.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let is_bullet = text::bullet_marker_len(line).is_some();
        if !is_bullet && t.split_whitespace().count() <= 8 {
            in_requirements = is_requirement_heading(t);
            continue;
        }
        if (in_requirements && is_bullet) || states_requirement(t) {
            requirements.push(t.to_string());
        }
    }

    // One pass over the job's words gives its vocabulary (every folded word) and how often each
    // content term occurs, by match form; a word allocates only the first time it is seen.
    let mut vocabulary: AHashSet<String> = AHashSet::new();
    let mut weights: AHashMap<String, f32> = AHashMap::new();
    let (mut folded, mut form) = (String::new(), String::new());
    let tokens: Vec<&str> = text::words(job).collect();
    for &word in &tokens {
        text::fold_into(word, &mut folded);
        if !vocabulary.contains(folded.as_str()) {
            vocabulary.insert(folded.clone());
        }
        if !text::is_content_term(&folded) || text::has_digit(&folded) || POSTING_FILLER.binary_search(&folded.as_str()).is_ok() {
            continue;
        }
        match_form_into(&folded, &mut form);
        match weights.get_mut(form.as_str()) {
            Some(count) => *count += 1.0,
            None => {
                weights.insert(form.clone(), 1.0);
            }
        }
    }
    // Each mention in a requirement line boosts the term again.
    for req in &requirements {
        for word in text::words(req) {
            text::fold_into(word, &mut folded);
            if text::is_content_term(&folded) {
                match_form_into(&folded, &mut form);
                if let Some(w) = weights.get_mut(form.as_str()) {
                    *w *= REQUIREMENT_BOOST;
                }
            }
        }
    }
    // Term frequency grows too fast for long postings; a log keeps one repeated word from dominating.
    let mut ranked: AHashMap<String, Ranked> = weights.into_iter().map(|(key, tf)| (key, Ranked { weight: 1.0 + tf.ln_1p(), skill: None })).collect();
    let skills = skills_in_tokens(&tokens);
    for &s in &skills {
        let name = text::skill_name(s);
        let key = skill_key(s);
        match ranked.get_mut(key.as_str()) {
            Some(r) => {
                r.weight *= SKILL_BOOST;
                r.skill = Some(name);
            }
            None => {
                ranked.insert(key, Ranked { weight: SKILL_BOOST, skill: Some(name) });
            }
        }
    }
    // Highest weight first, ties by key: a total order (keys are unique), so selecting the top
    // terms before sorting them gives what sorting every term would.
    let mut all: Vec<(String, Ranked)> = ranked.into_iter().collect();
    let order = |a: &(String, Ranked), b: &(String, Ranked)| b.1.weight.total_cmp(&a.1.weight).then_with(|| a.0.cmp(&b.0));
    if all.len() > MAX_TERMS {
        all.select_nth_unstable_by(MAX_TERMS, order);
        all.truncate(MAX_TERMS);
    }
    all.sort_unstable_by(order);
    let terms: Vec<KeyTerm> = all
        .into_iter()
        .map(|(key, r)| KeyTerm { display: Arc::from(r.skill.unwrap_or(key.as_str())), key, weight: r.weight, is_skill: r.skill.is_some() })
        .collect();

    let mut index = TermIndex::default();
    for (i, t) in terms.iter().enumerate() {
        match t.key.split_once(' ') {
            Some((first, _)) => index.add_multi(&t.key, first, i),
            None => index.add_single(&t.key, i),
        }
    }
    JobAnalysis { hash: job_hash(job), title, terms, skills, requirements, vocabulary, index }
}

/// The matching key of a skill: its folded vocabulary form, stemmed like any word when it is one word.
pub fn skill_key(skill: usize) -> String {
    let folded = crate::text::SKILL_TERMS[skill].0;
    if folded.contains(' ') {
        folded.to_string()
    } else {
        match_form(folded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: &str = "Senior Software Engineer\n\nWe build services for the public.\n\n\
        Requirements:\n- Must have experience with Python and PostgreSQL\n- Experience designing APIs\n\n\
        About us\nOur team uses Python, Docker and machine learning. Python everywhere.\n";

    #[test]
    fn filler_list_is_sorted_for_binary_search() {
        assert!(POSTING_FILLER.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn analyses_title_requirements_and_ranked_skills() {
        let a = analyse(JOB);
        assert_eq!(a.title, "Senior Software Engineer");
        assert_eq!(a.requirements.len(), 2, "{:?}", a.requirements);
        assert_eq!(&*a.terms[0].display, "Python");
        let names: Vec<&str> = a.skills.iter().map(|&s| text::skill_name(s)).collect();
        assert_eq!(names, vec!["Python", "PostgreSQL", "APIs", "Docker", "machine learning"]);
        assert!(a.term("machine learning").is_some_and(|t| t.is_skill));
        assert!(a.term("experience").is_none(), "filler words are not key terms");
        assert_eq!(a.hash, job_hash(JOB));
    }

    #[test]
    fn analysis_is_deterministic() {
        assert_eq!(analyse(JOB), analyse(JOB));
    }

    #[test]
    fn scanning_finds_terms_by_line_including_multi_word_skills() {
        let a = analyse(JOB);
        let lines = a.hits("Wrote python daily\n\nDid Machine Learning with Dockers\n").lines;
        assert_eq!(lines.len(), 2, "blank lines are not counted");
        let terms = &a.terms;
        let hits: Vec<(String, usize)> = lines.iter().enumerate().flat_map(|(line, &set)| bits(set).map(move |t| (terms[t].display.to_string(), line))).collect();
        assert!(hits.contains(&("Python".to_string(), 0)), "{hits:?}");
        assert!(hits.contains(&("machine learning".to_string(), 1)), "{hits:?}");
        assert!(hits.contains(&("Docker".to_string(), 1)), "plural meets singular: {hits:?}");
        let mask = a.terms_in("python and docker");
        assert_eq!(mask.count_ones(), 2);
        assert!(a.weight_of(mask) > 0.0 && a.weight_of(0) == 0.0);
    }

    #[test]
    fn match_form_meets_plurals_and_verb_forms() {
        assert_eq!(match_form("services"), match_form("service"));
        assert_eq!(match_form("designing"), match_form("design"));
        assert_eq!(match_form("technologies"), "technology");
        assert_eq!(match_form("business"), "business");
        assert_eq!(match_form("css"), "css");
    }
}
