//! English stop words plus the filler words of job postings and resumes, which carry no signal for
//! matching a resume to a job.

use ahash::AHashSet;
use std::sync::OnceLock;

/// Sorted and unique (a test checks), so that the list is easy to read and extend.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "across", "after", "again", "against", "all", "also", "am", "among", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either",
    "etc", "ever", "every", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
    "here", "hers", "him", "his", "how", "i", "if", "in", "including", "into", "is", "it", "its",
    "itself", "just", "like", "may", "me", "might", "more", "most", "much", "must", "my", "near", "need",
    "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours",
    "out", "over", "own", "per", "same", "shall", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "under", "until", "up", "upon", "us", "very", "via", "was", "we", "well", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would",
    "you", "your", "yours",
];

/// The longest stop word's length: longer words are not looked up.
const LONGEST: usize = 9;

/// True for a folded (lower-case) stop word. A hash set, not a binary search over the sorted list:
/// job analysis asks this of every word of every posting (eight string comparisons a word were a
/// tenth of a small run's CPU).
pub fn is_stopword(folded: &str) -> bool {
    static SET: OnceLock<AHashSet<&'static str>> = OnceLock::new();
    folded.len() <= LONGEST && SET.get_or_init(|| STOP_WORDS.iter().copied().collect()).contains(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_unique() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(STOP_WORDS.iter().map(|w| w.len()).max(), Some(LONGEST));
        assert!(STOP_WORDS.iter().all(|w| is_stopword(w)));
        assert!(is_stopword("the"));
        assert!(!is_stopword("python"));
    }
}
