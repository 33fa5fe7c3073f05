//! Renders a JSON Resume document to plain text in one look, labelling every line with its true
//! section and whether it begins an entry. Only facts of the source document are written; the
//! look decides words of headings, order of fields, date forms, glyphs and wrapping.

use crate::labels::{LabelledLine, Section};
use crate::layout::{self, Block, Entry};
use crate::lines::{bullets, dated, header, join, labelled_list, wrap};
use crate::markdown::strip_inline;
use crate::prng::SplitMix64;
use crate::resume::{present, Education, JsonResume, Work};
use crate::style::{ContactLayout, EntryLayout, Look, SkillsLayout, Style};

/// The resume as labelled lines, its sections in `order` (sections the document lacks are left
/// out), laid out in `style` with choices drawn from `rng`.
pub fn render(
    resume: &JsonResume,
    style: Style,
    order: &[Section],
    rng: &mut SplitMix64,
) -> Vec<LabelledLine> {
    let look = Look::choose(style, rng);
    let mut blocks = Vec::new();
    let mut additional_done = false;
    for &section in order {
        let merged = look.additional && matches!(section, Section::Languages | Section::Interests);
        if merged && additional_done {
            continue;
        }
        let (section, entries) = if merged {
            additional_done = true;
            (Section::Additional, additional(resume, &look))
        } else {
            (section, section_entries(resume, section, &look))
        };
        let entries: Vec<Entry> = entries
            .into_iter()
            .filter(|e| !e.lines.is_empty())
            .collect();
        if !entries.is_empty() {
            let heading = (section != Section::Contact).then(|| look.heading_words(section, rng));
            blocks.push(Block {
                section,
                heading,
                entries,
            });
        }
    }
    layout::assemble(&look, &blocks, &resume.basics.name, rng)
}

fn section_entries(r: &JsonResume, section: Section, look: &Look) -> Vec<Entry> {
    let paragraph = |text: &str| wrap(&strip_inline(text), look.wrap, "", "");
    let entries = match section {
        Section::Contact => contact(r, look),
        Section::Summary => vec![Entry::plain(paragraph(&r.basics.summary))],
        Section::Experience => r.work.iter().map(|w| role(w, look)).collect(),
        Section::Volunteering => r.volunteer.iter().map(|w| role(w, look)).collect(),
        Section::Education => r.education.iter().map(|e| degree(e, look)).collect(),
        Section::Skills => vec![Entry::plain(skills(r, look))],
        Section::Projects => r
            .projects
            .iter()
            .map(|p| {
                let mut lines = header(
                    look,
                    &p.name,
                    &p.entity,
                    "",
                    look.dates.range(&p.start_date, &p.end_date),
                    ", ",
                );
                lines.extend(paragraph(&p.description));
                lines.extend(bullets(&p.highlights, look));
                lines.extend(labelled_list("Role", &p.roles, look));
                lines.extend(labelled_list("Keywords", &p.keywords, look));
                Entry::begins(lines)
            })
            .collect(),
        Section::Certifications => r
            .certificates
            .iter()
            .map(|c| {
                Entry::begins(header(
                    look,
                    &c.name,
                    &c.issuer,
                    "",
                    dated(look, &c.date),
                    ", ",
                ))
            })
            .collect(),
        Section::Awards => r
            .awards
            .iter()
            .map(|a| {
                let mut lines = header(look, &a.title, &a.awarder, "", dated(look, &a.date), ", ");
                lines.extend(paragraph(&a.summary));
                Entry::begins(lines)
            })
            .collect(),
        Section::Publications => r
            .publications
            .iter()
            .map(|p| {
                let mut lines = header(
                    look,
                    &p.name,
                    &p.publisher,
                    "",
                    dated(look, &p.release_date),
                    ", ",
                );
                lines.extend(paragraph(&p.summary));
                Entry::begins(lines)
            })
            .collect(),
        Section::Languages => vec![Entry::plain(items_block(&languages(r), look))],
        Section::Interests => vec![Entry::plain(items_block(&interests(r), look))],
        Section::References => r
            .references
            .iter()
            .map(|f| {
                let quote = strip_inline(&f.reference);
                let lines = match (f.name.trim(), quote.is_empty()) {
                    (_, true) => vec![],
                    ("", false) => paragraph(&quote),
                    (name, false) if look.style == Style::SynonymColon => {
                        wrap(&format!("\"{quote}\" — {name}"), look.wrap, "", "")
                    }
                    (name, false) => [vec![name.to_string()], paragraph(&quote)].concat(),
                };
                Entry::begins(lines)
            })
            .collect(),
        Section::Additional | Section::Other => vec![],
    };
    entries
}

fn contact(r: &JsonResume, look: &Look) -> Vec<Entry> {
    let b = &r.basics;
    let name = match look.style {
        Style::CapsName => b.name.trim().to_uppercase(),
        Style::Markdown if !b.name.trim().is_empty() => format!("# {}", b.name.trim()),
        _ => b.name.trim().to_string(),
    };
    let top: Vec<String> = [name, b.label.trim().to_string()]
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    let loc = &b.location;
    // A multi-line address may open with the addressee's name: keep the lines with numbers.
    let mut street: Vec<&str> = loc
        .address
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if street.len() > 1 {
        street.retain(|l| l.contains(|c: char| c.is_ascii_digit()));
    }
    let place = join(
        &[&loc.city, &join(&[&loc.region, &loc.postal_code], " ")],
        ", ",
    );
    let place = match (look.contact, street.len()) {
        (ContactLayout::OneLine, _) | (_, 0) => place,
        (_, 1) => join(&[street[0], &place], ", "),
        _ => street.join(", "),
    };
    let mut details: Vec<(&str, String)> = vec![
        ("Email", b.email.trim().to_string()),
        ("Phone", b.phone.trim().to_string()),
        ("Web", b.url.trim().to_string()),
        ("Location", place),
    ];
    for p in &b.profiles {
        let handle = if !p.username.trim().is_empty() && !p.url.contains(p.username.trim()) {
            &p.username
        } else {
            &p.url
        };
        details.push((p.network.trim(), handle.trim().to_string()));
    }
    details.retain(|(key, value)| !key.is_empty() && !value.is_empty());
    // A bare handle needs its network beside it; emails, phones and URLs speak for themselves.
    let shown = |(key, value): &(&str, String)| match look.contact {
        ContactLayout::Labelled => format!("{key}: {value}"),
        _ if value.contains("://") || ["Email", "Phone", "Web", "Location"].contains(key) => {
            value.clone()
        }
        _ => format!("{key}: {value}"),
    };
    let lines = match look.contact {
        ContactLayout::OneLine => vec![details.iter().map(shown).collect::<Vec<_>>().join(" | ")],
        ContactLayout::Stacked | ContactLayout::Labelled => details.iter().map(shown).collect(),
    };
    vec![
        Entry::plain(top),
        Entry::plain(lines.into_iter().filter(|l| !l.is_empty()).collect()),
    ]
}

/// A job or a volunteer role.
fn role(w: &Work, look: &Look) -> Entry {
    let mut lines = header(
        look,
        &w.position,
        &w.name,
        &w.location,
        look.dates.range(&w.start_date, &w.end_date),
        " at ",
    );
    lines.extend(wrap(&strip_inline(&w.description), look.wrap, "", ""));
    lines.extend(wrap(&strip_inline(&w.summary), look.wrap, "", ""));
    lines.extend(bullets(&w.highlights, look));
    lines.extend(labelled_list("Keywords", &w.keywords, look));
    Entry::begins(lines)
}

fn degree(e: &Education, look: &Look) -> Entry {
    let title = match (e.study_type.trim(), e.area.trim()) {
        (kind, "") => kind.to_string(),
        ("", area) => area.to_string(),
        (kind, area) if look.entry == EntryLayout::OrgTitleDatesPipes => format!("{kind}, {area}"),
        (kind, area) => format!("{kind} in {area}"),
    };
    let mut lines = header(
        look,
        &title,
        &e.institution,
        "",
        look.dates.range(&e.start_date, &e.end_date),
        ", ",
    );
    let score = e.score.trim();
    // A grade ("3.8", "3.5/4.0", "A") reads as a GPA; anything longer (a dissertation title) as is.
    if score.len() <= 8 && !score.is_empty() {
        lines.push(format!("GPA: {score}"));
    } else {
        lines.extend(wrap(score, look.wrap, "", ""));
    }
    let courses_label = if look.style == Style::SynonymColon {
        "Relevant coursework"
    } else {
        "Courses"
    };
    lines.extend(labelled_list(courses_label, &e.courses, look));
    Entry::begins(lines)
}

fn skills(r: &JsonResume, look: &Look) -> Vec<String> {
    let groups: Vec<(String, Vec<&str>)> = r
        .skills
        .iter()
        .filter(|s| !s.name.trim().is_empty() || !present(&s.keywords).is_empty())
        .map(|s| {
            let name = match s.level.trim() {
                "" => s.name.trim().to_string(),
                level => format!("{} ({level})", s.name.trim()),
            };
            (name, present(&s.keywords))
        })
        .collect();
    match look.skills {
        SkillsLayout::Flat => {
            let all: Vec<&str> = r
                .skills
                .iter()
                .flat_map(|s| {
                    let keywords = present(&s.keywords);
                    if keywords.is_empty() {
                        vec![s.name.trim()]
                    } else {
                        keywords
                    }
                })
                .filter(|s| !s.is_empty())
                .collect();
            wrap(&all.join(", "), look.wrap, "", "")
        }
        SkillsLayout::GroupLines | SkillsLayout::GroupBullets => {
            let lines: Vec<String> = groups
                .iter()
                .map(|(name, keywords)| {
                    if keywords.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}: {}", keywords.join(", "))
                    }
                })
                .collect();
            if look.skills == SkillsLayout::GroupBullets {
                bullets(&lines, look)
            } else {
                lines
                    .iter()
                    .flat_map(|l| wrap(l, look.wrap, "", "  "))
                    .collect()
            }
        }
    }
}

fn languages(r: &JsonResume) -> Vec<String> {
    r.languages
        .iter()
        .filter(|l| !l.language.trim().is_empty())
        .map(|l| match l.fluency.trim() {
            "" => l.language.trim().to_string(),
            fluency => format!("{} ({fluency})", l.language.trim()),
        })
        .collect()
}

fn interests(r: &JsonResume) -> Vec<String> {
    r.interests
        .iter()
        .filter(|i| !i.name.trim().is_empty())
        .map(|i| {
            let keywords = present(&i.keywords);
            let name = if keywords.is_empty() {
                i.name.trim().to_string()
            } else {
                format!("{} ({})", i.name.trim(), keywords.join(", "))
            };
            match strip_inline(&i.summary) {
                summary if summary.is_empty() => name,
                summary => format!("{name}: {summary}"),
            }
        })
        .collect()
}

/// Short items (languages, interests) on one comma-separated run, or one per line when any is long.
fn items_block(items: &[String], look: &Look) -> Vec<String> {
    if items.iter().all(|i| i.len() < 40) {
        wrap(&items.join(", "), look.wrap, "", "")
    } else {
        items
            .iter()
            .flat_map(|i| wrap(i, look.wrap, "", "  "))
            .collect()
    }
}

/// Languages and interests as "Languages: ..." and "Interests: ..." lines of one block; long items
/// go one to a line under their label.
fn additional(r: &JsonResume, look: &Look) -> Vec<Entry> {
    let mut lines = Vec::new();
    for (label, items) in [("Languages", languages(r)), ("Interests", interests(r))] {
        if items.is_empty() {
            continue;
        }
        if items.iter().all(|i| i.len() < 40) {
            lines.extend(wrap(
                &format!("{label}: {}", items.join("; ")),
                look.wrap,
                "",
                "  ",
            ));
        } else {
            lines.push(format!("{label}:"));
            lines.extend(items.iter().flat_map(|i| wrap(i, look.wrap, "  ", "    ")));
        }
    }
    vec![Entry::plain(lines)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Label;
    use crate::resume::load_resumes;
    use crate::variant::DEFAULT_ORDER;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Words the layout itself writes: dates, field labels, page furniture.
    const LAYOUT_WORDS: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "present",
        "gpa",
        "keywords",
        "courses",
        "relevant",
        "coursework",
        "role",
        "email",
        "phone",
        "web",
        "location",
        "languages",
        "interests",
        "in",
        "at",
        "to",
        "page",
        "of",
    ];

    fn words(text: &str) -> impl Iterator<Item = String> + '_ {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
    }

    /// Every word of every string (keys included) of a JSON document.
    fn json_words(value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::String(s) => out.extend(words(s)),
            serde_json::Value::Array(items) => items.iter().for_each(|v| json_words(v, out)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.extend(words(k));
                json_words(v, out);
            }),
            other => out.extend(words(&other.to_string())),
        }
    }

    #[test]
    fn every_style_labels_every_line_and_invents_no_word() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/source/jsonresume");
        for (stem, resume) in load_resumes(&dir).unwrap() {
            let source = std::fs::read_to_string(dir.join(format!("{stem}.json"))).unwrap();
            let mut known: BTreeSet<String> = LAYOUT_WORDS.iter().map(|w| w.to_string()).collect();
            json_words(&serde_json::from_str(&source).unwrap(), &mut known);
            for (style, seed) in Style::ALL
                .into_iter()
                .flat_map(|style| (0..6).map(move |seed| (style, seed)))
            {
                let lines = render(&resume, style, &DEFAULT_ORDER, &mut SplitMix64::new(seed));
                if stem == "empty" {
                    assert!(
                        lines.iter().all(|l| l.text.trim().is_empty()),
                        "{stem} renders text"
                    );
                    continue;
                }
                let headings = lines
                    .iter()
                    .filter(|l| matches!(l.label, Label::Heading(_)))
                    .count();
                assert_eq!(
                    headings == 0,
                    style == Style::NoHeadings,
                    "{stem} {style:?}: {headings} headings"
                );
                for line in lines
                    .iter()
                    .filter(|l| matches!(l.label, Label::Body { .. }))
                {
                    let unknown: Vec<String> =
                        words(&line.text).filter(|w| !known.contains(w)).collect();
                    assert!(
                        unknown.is_empty()
                            || line.label
                                == Label::Body {
                                    section: Section::Other,
                                    begins: false
                                },
                        "{stem} {style:?}: {unknown:?} in {:?}",
                        line.text
                    );
                }
                assert!(
                    lines
                        .iter()
                        .all(|l| (l.label == Label::Blank) == l.text.is_empty()),
                    "{stem} {style:?}: blank lines"
                );
                let begins = lines
                    .iter()
                    .filter(|l| matches!(l.label, Label::Body { begins: true, .. }))
                    .count();
                assert!(begins > 0, "{stem} {style:?}: no entry starts");
            }
        }
    }
}
