//! The truth the renderer knows about every line it writes: which section the line belongs to and
//! whether it starts an entry (a job, a degree, a project...). A later segmentation evaluation set
//! is built from these labels (`--labelled DIR`).

use std::fmt;

/// The section types of a resume, as the segmenter is to name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Contact,
    Summary,
    Experience,
    Education,
    Skills,
    Projects,
    Certifications,
    Awards,
    Publications,
    Volunteering,
    Languages,
    Interests,
    References,
    /// A catch-all block such as "Additional Information" holding languages and interests lines.
    Additional,
    /// Page furniture: running footers and headers ("Page 1 of 2").
    Other,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Contact => "contact",
            Section::Summary => "summary",
            Section::Experience => "experience",
            Section::Education => "education",
            Section::Skills => "skills",
            Section::Projects => "projects",
            Section::Certifications => "certifications",
            Section::Awards => "awards",
            Section::Publications => "publications",
            Section::Volunteering => "volunteering",
            Section::Languages => "languages",
            Section::Interests => "interests",
            Section::References => "references",
            Section::Additional => "additional",
            Section::Other => "other",
        }
    }
}

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
            Label::Heading(section) => write!(f, "heading {}", section.name()),
            Label::Body { section, begins } => {
                write!(f, "{} {}", section.name(), if *begins { "B" } else { "I" })
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
