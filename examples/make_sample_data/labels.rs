//! The truth the renderer knows about every line it writes: which section the line belongs to and
//! whether it starts an entry (a job, a degree, a project...). A later segmentation evaluation set
//! is built from these labels (`--labelled DIR`).

use std::fmt;

/// The section types of a resume: the segmenter's own, so labels and predictions share names.
pub use tailor::segment::SectionType as Section;

/// What one rendered line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Blank,
    /// A section heading, or a decoration of one (a rule under it, a "(continued)" repeat).
    Heading(Section),
    /// Body text; `begins` marks the first line of an entry.
    Body {
        section: Section,
        begins: bool,
    },
}

impl fmt::Display for Label {
    /// `blank`, `heading experience`, `experience B` (begins an entry) or `experience I`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Blank => f.write_str("blank"),
            Label::Heading(section) => write!(f, "heading {}", section.as_str()),
            Label::Body { section, begins } => {
                write!(f, "{} {}", section.as_str(), if *begins { "B" } else { "I" })
            }
        }
    }
}

pub struct LabelledLine {
    pub text: String,
    pub label: Label,
}

impl LabelledLine {
    pub fn blank() -> Self {
        LabelledLine {
            text: String::new(),
            label: Label::Blank,
        }
    }

    pub fn heading(text: String, section: Section) -> Self {
        LabelledLine {
            text,
            label: Label::Heading(section),
        }
    }

    pub fn body(text: String, section: Section, begins: bool) -> Self {
        LabelledLine {
            text,
            label: Label::Body { section, begins },
        }
    }
}

/// The resume text (lines joined by `\n`, no trailing newline) of rendered lines.
pub fn text_of(lines: &[LabelledLine]) -> String {
    lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}
