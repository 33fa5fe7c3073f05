//! Pure text utilities shared by every stage: tokenising, normalising, stop words, terms.
