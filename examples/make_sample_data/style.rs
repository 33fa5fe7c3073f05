//! The eight resume styles and the seeded choices within each (entry layout, date form, bullet
//! glyph, wrapping, heading words), so one source document yields many realistic plain texts.

use crate::dates::DateFormat;
use crate::labels::Section;
use crate::prng::SplitMix64;

/// A family of resume layouts, as seen in real plain-text and PDF-extracted resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// "Work Experience", "Education", "Skills": Title Case headings.
    TitleCase,
    /// "EXPERIENCE" underlined with a rule of `-` or `=`.
    CapsRule,
    /// Synonym headings with a trailing colon: "Professional Background:".
    SynonymColon,
    /// Letter-spaced headings: "E X P E R I E N C E".
    LetterSpaced,
    /// Markdown-ish: "# Name", "## Employment History", `*` bullets.
    Markdown,
    /// No headings at all: sections only separated by blank lines.
    NoHeadings,
    /// A two-column page flattened line by line: the sidebar (contact details, skills, languages,
    /// interests) interleaved with the main column.
    TwoColumn,
    /// ALL-CAPS name and headings, and a page break repeating a heading "(continued)".
    CapsName,
}

impl Style {
    pub const ALL: [Style; 8] = [
        Style::TitleCase,
        Style::CapsRule,
        Style::SynonymColon,
        Style::LetterSpaced,
        Style::Markdown,
        Style::NoHeadings,
        Style::TwoColumn,
        Style::CapsName,
    ];

    /// The style's name in resume ids and file names.
    pub fn id(self) -> &'static str {
        match self {
            Style::TitleCase => "title-case",
            Style::CapsRule => "caps-rule",
            Style::SynonymColon => "synonym-colon",
            Style::LetterSpaced => "letter-spaced",
            Style::Markdown => "markdown",
            Style::NoHeadings => "no-headings",
            Style::TwoColumn => "two-column",
            Style::CapsName => "caps-name",
        }
    }
}

/// How the first line(s) of an entry (a job, degree, project...) are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryLayout {
    /// "Title, Company — Jan 2020 – Present"
    TitleOrgDates,
    /// "Company | Title | 2019-2021"
    OrgTitleDatesPipes,
    /// "Title at Company" then "Palo Alto, CA | 03/2018 to 06/2020"
    TitleAtOrgThenDates,
    /// "Company, Location" then "Title    Jan 2020 - Present"
    OrgThenTitleDates,
    /// "2019-2021   Title, Company"
    DatesFirst,
    /// "### Title, Company" then "*Jan 2020 – Present*"
    MarkdownHeading,
}

/// How the skills section lists its groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkillsLayout {
    /// "Frontend (Expert): React, TypeScript"
    GroupLines,
    /// One bullet per group.
    GroupBullets,
    /// Every keyword in one comma-separated run.
    Flat,
}

/// How the contact details under the name are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactLayout {
    /// "jane@x.com | (555) 123-4567 | San Francisco, California"
    OneLine,
    /// One detail per line.
    Stacked,
    /// "Email: jane@x.com", "Phone: ...".
    Labelled,
}

/// Which heading words a resume uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    Plain,
    Synonyms,
    Mixed,
}

/// What a style allows; `Look::choose` draws one of each.
struct Options {
    entries: &'static [EntryLayout],
    dates: &'static [DateFormat],
    bullets: &'static [Option<&'static str>],
    wraps: &'static [Option<usize>],
}

/// Every layout decision for one rendered resume.
pub struct Look {
    pub style: Style,
    pub entry: EntryLayout,
    pub dates: DateFormat,
    /// `None`: highlights are plain lines without a glyph.
    pub bullet: Option<&'static str>,
    /// Column at which paragraphs and bullets wrap; `None` keeps one line per paragraph.
    pub wrap: Option<usize>,
    pub skills: SkillsLayout,
    pub contact: ContactLayout,
    pub vocabulary: Vocabulary,
    /// Headings in capitals (the two-column style draws this; others are fixed by style).
    pub upper_headings: bool,
    /// The rule character under CapsRule headings.
    pub rule: char,
    /// A blank line between the entries of a section.
    pub entry_gap: bool,
    /// Languages and interests merged into one "Additional Information" block.
    pub additional: bool,
}

impl Look {
    /// The seeded choices for one resume in `style`.
    pub fn choose(style: Style, rng: &mut SplitMix64) -> Look {
        use DateFormat::*;
        use EntryLayout::*;
        let options = match style {
            Style::TitleCase => Options {
                entries: &[TitleOrgDates, TitleAtOrgThenDates, DatesFirst],
                dates: &[ShortMonth, LongMonth],
                bullets: &[Some("•"), Some("-")],
                wraps: &[None, Some(100)],
            },
            Style::CapsRule => Options {
                entries: &[OrgTitleDatesPipes, OrgThenTitleDates],
                dates: &[Year, Numeric, ShortMonth],
                bullets: &[Some("-"), Some("*"), Some("•")],
                wraps: &[Some(80)],
            },
            Style::SynonymColon => Options {
                entries: &[TitleAtOrgThenDates, TitleOrgDates],
                dates: &[Numeric, LongMonth],
                bullets: &[Some("*"), Some("•"), Some("-")],
                wraps: &[None],
            },
            Style::LetterSpaced => Options {
                entries: &[OrgThenTitleDates, DatesFirst],
                dates: &[ShortMonth, Iso],
                bullets: &[None, Some("•")],
                wraps: &[Some(90)],
            },
            Style::Markdown => Options {
                entries: &[MarkdownHeading],
                dates: &[LongMonth, ShortMonth],
                bullets: &[Some("*"), Some("-")],
                wraps: &[None],
            },
            Style::NoHeadings => Options {
                entries: &[TitleOrgDates, DatesFirst, OrgTitleDatesPipes],
                dates: &[Year, ShortMonth],
                bullets: &[Some("-"), None, Some("•")],
                wraps: &[None, Some(100)],
            },
            Style::TwoColumn => Options {
                entries: &[TitleOrgDates, OrgThenTitleDates],
                dates: &[ShortMonth, Year],
                bullets: &[Some("•"), Some("*")],
                wraps: &[Some(60)],
            },
            Style::CapsName => Options {
                entries: &[OrgTitleDatesPipes, TitleOrgDates, OrgThenTitleDates],
                dates: &[LongMonth, Numeric],
                bullets: &[Some("•"), Some("-")],
                wraps: &[Some(85)],
            },
        };
        let skills: &[SkillsLayout] = match style {
            Style::Markdown => &[SkillsLayout::GroupBullets],
            Style::TwoColumn => &[SkillsLayout::GroupBullets, SkillsLayout::Flat],
            Style::NoHeadings | Style::TitleCase => &[SkillsLayout::GroupLines, SkillsLayout::Flat],
            _ => &[SkillsLayout::GroupLines, SkillsLayout::GroupBullets],
        };
        let contact: &[ContactLayout] = match style {
            Style::SynonymColon | Style::Markdown => &[ContactLayout::Labelled],
            Style::TwoColumn => &[ContactLayout::Stacked],
            Style::CapsRule | Style::CapsName => &[ContactLayout::Stacked, ContactLayout::OneLine],
            _ => &[ContactLayout::OneLine, ContactLayout::Stacked],
        };
        let vocabulary = match style {
            Style::SynonymColon => Vocabulary::Synonyms,
            Style::Markdown | Style::CapsName => Vocabulary::Mixed,
            _ => Vocabulary::Plain,
        };
        let additional_chance = match style {
            Style::TitleCase | Style::SynonymColon | Style::CapsName => 40,
            _ => 0,
        };
        Look {
            style,
            entry: *rng.pick(options.entries),
            dates: *rng.pick(options.dates),
            bullet: *rng.pick(options.bullets),
            wrap: *rng.pick(options.wraps),
            skills: *rng.pick(skills),
            contact: *rng.pick(contact),
            vocabulary,
            upper_headings: match style {
                Style::CapsRule | Style::CapsName => true,
                Style::TwoColumn => rng.percent(50),
                _ => false,
            },
            rule: *rng.pick(&['-', '=']),
            entry_gap: match style {
                Style::TitleCase | Style::Markdown | Style::NoHeadings => true,
                Style::CapsRule | Style::TwoColumn => false,
                _ => rng.percent(50),
            },
            additional: rng.percent(additional_chance),
        }
    }

    /// The heading words for a section, drawn from the look's vocabulary (Title Case, unadorned).
    pub fn heading_words(&self, section: Section, rng: &mut SplitMix64) -> &'static str {
        let (plain, synonyms) = heading_vocabulary(section);
        let words = match self.vocabulary {
            Vocabulary::Plain => plain,
            Vocabulary::Synonyms => synonyms,
            Vocabulary::Mixed if rng.percent(50) => plain,
            Vocabulary::Mixed => synonyms,
        };
        words[rng.below(words.len())]
    }

    /// The heading as written in this style: one line, or two with a rule; none without headings.
    pub fn heading_lines(&self, words: &str) -> Vec<String> {
        let upper = words.to_uppercase();
        let cased = if self.upper_headings {
            upper.clone()
        } else {
            words.to_string()
        };
        match self.style {
            Style::NoHeadings => vec![],
            Style::CapsRule => {
                let rule = self.rule.to_string().repeat(upper.chars().count());
                vec![upper, rule]
            }
            Style::SynonymColon => vec![format!("{words}:")],
            Style::LetterSpaced => vec![letter_spaced(&upper)],
            Style::Markdown => vec![format!("## {words}")],
            Style::TitleCase | Style::TwoColumn | Style::CapsName => vec![cased],
        }
    }
}

/// "WORK EXPERIENCE" -> "W O R K   E X P E R I E N C E".
fn letter_spaced(upper: &str) -> String {
    upper
        .split_whitespace()
        .map(|word| word.chars().map(String::from).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("   ")
}

/// (plain headings, synonym headings) for each section a heading can introduce.
fn heading_vocabulary(section: Section) -> (&'static [&'static str], &'static [&'static str]) {
    match section {
        Section::Summary => (
            &["Summary", "Profile", "Professional Summary"],
            &["Career Summary", "Professional Profile", "About Me"],
        ),
        Section::Experience => (
            &["Work Experience", "Experience", "Employment History"],
            &[
                "Professional Background",
                "Career History",
                "Relevant Experience",
            ],
        ),
        Section::Education => (
            &["Education"],
            &[
                "Academic Background",
                "Education & Training",
                "Academic Qualifications",
            ],
        ),
        Section::Skills => (
            &["Skills", "Technical Skills"],
            &[
                "Core Competencies",
                "Areas of Expertise",
                "Technical Proficiencies",
            ],
        ),
        Section::Projects => (
            &["Projects"],
            &["Selected Projects", "Key Projects", "Portfolio"],
        ),
        Section::Certifications => (
            &["Certifications", "Certificates"],
            &[
                "Licenses & Certifications",
                "Credentials",
                "Professional Development",
            ],
        ),
        Section::Awards => (
            &["Awards", "Honors & Awards"],
            &["Honors", "Recognition", "Achievements"],
        ),
        Section::Publications => (
            &["Publications"],
            &["Published Work", "Writing", "Papers & Articles"],
        ),
        Section::Volunteering => (
            &["Volunteer Experience", "Volunteering"],
            &[
                "Community Involvement",
                "Volunteer Work",
                "Civic Engagement",
            ],
        ),
        Section::Languages => (&["Languages"], &["Language Skills", "Languages Spoken"]),
        Section::Interests => (
            &["Interests"],
            &["Personal Interests", "Hobbies", "Outside Interests"],
        ),
        Section::References => (
            &["References"],
            &["Referees", "Recommendations", "Testimonials"],
        ),
        Section::Additional => (
            &["Additional Information"],
            &["Additional", "Other Information"],
        ),
        Section::Contact | Section::Other => (&["Contact"], &["Contact Information"]),
    }
}
