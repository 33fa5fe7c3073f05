//! Page layout: rendered sections (heading words plus entries of lines) put on the page in a
//! style's way, with blank lines, heading decoration, a flattened two-column page or a page break.

use crate::labels::{LabelledLine, Section};
use crate::prng::SplitMix64;
use crate::style::{Look, Style};

/// Lines of one entry. `begins`: the first line starts an entry (a job, a degree, a project...).
#[derive(Clone)]
pub struct Entry {
    pub lines: Vec<String>,
    pub begins: bool,
}

impl Entry {
    /// Lines of a section without entries (a summary, a skills list).
    pub fn plain(lines: Vec<String>) -> Entry {
        Entry {
            lines,
            begins: false,
        }
    }

    /// Lines of one entry of a section made of entries.
    pub fn begins(lines: Vec<String>) -> Entry {
        Entry {
            lines,
            begins: true,
        }
    }
}

/// One section as rendered content: heading words (`None` for the contact block) and entries.
pub struct Block {
    pub section: Section,
    pub heading: Option<&'static str>,
    pub entries: Vec<Entry>,
}

/// Lines on a printed page of a plain-text resume, where CapsName breaks its first page.
const PAGE_LINES: usize = 55;
/// Sections of a two-column page that sit in the sidebar.
const SIDEBAR: [Section; 4] = [
    Section::Skills,
    Section::Languages,
    Section::Interests,
    Section::Certifications,
];

/// The labelled lines of the page. `name` is the candidate's name, repeated at the top of page 2
/// when the style breaks pages.
pub fn assemble(
    look: &Look,
    blocks: &[Block],
    name: &str,
    rng: &mut SplitMix64,
) -> Vec<LabelledLine> {
    match look.style {
        Style::TwoColumn => two_column(look, blocks, rng),
        Style::CapsName => with_page_break(look, blocks, name),
        _ => {
            let mut out = Vec::new();
            for block in blocks {
                push_block(&mut out, look, block, &mut |_, _| {});
            }
            out
        }
    }
}

/// Appends one section: a blank line, its heading lines, its entries. `before_line` may insert
/// lines before the section's body line `k` (a page break).
fn push_block(
    out: &mut Vec<LabelledLine>,
    look: &Look,
    block: &Block,
    before_line: &mut dyn FnMut(&mut Vec<LabelledLine>, usize),
) {
    if !out.is_empty() {
        out.push(LabelledLine::blank());
    }
    if let Some(words) = block.heading {
        let lines = look.heading_lines(words);
        let decorated =
            !lines.is_empty() && matches!(look.style, Style::Markdown | Style::LetterSpaced);
        out.extend(
            lines
                .into_iter()
                .map(|l| LabelledLine::heading(l, block.section)),
        );
        if decorated {
            out.push(LabelledLine::blank());
        }
    }
    let mut k = 0;
    for (i, entry) in block.entries.iter().enumerate() {
        if i > 0 && look.entry_gap && block.section != Section::Contact {
            out.push(LabelledLine::blank());
        }
        for (j, line) in entry.lines.iter().enumerate() {
            before_line(out, k);
            out.push(LabelledLine::body(
                line.clone(),
                block.section,
                entry.begins && j == 0,
            ));
            k += 1;
        }
    }
}

/// A two-page resume: "Page 1 of 2", the name again at the top of page 2 and the heading of the
/// section the break cuts repeated as "... (continued)". The break falls before the body line
/// nearest to a full page (or to half the resume when it is shorter), never before a section's
/// first line.
fn with_page_break(look: &Look, blocks: &[Block], name: &str) -> Vec<LabelledLine> {
    let mut starts = Vec::new();
    let mut unbroken = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        push_block(&mut unbroken, look, block, &mut |out, k| {
            starts.push((b, k, out.len()))
        });
    }
    let target = (unbroken.len() / 2).min(PAGE_LINES);
    let cut = starts
        .into_iter()
        .filter(|&(b, k, _)| k > 0 && blocks[b].heading.is_some())
        .min_by_key(|&(_, _, line)| line.abs_diff(target))
        .map(|(b, k, _)| (b, k));
    let mut out = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        let mut page_break = |out: &mut Vec<LabelledLine>, k: usize| {
            let Some(words) = block.heading.filter(|_| cut == Some((b, k))) else {
                return;
            };
            if !out.last().is_some_and(|l| l.text.is_empty()) {
                out.push(LabelledLine::blank());
            }
            out.push(LabelledLine::body(
                "Page 1 of 2".into(),
                Section::Other,
                false,
            ));
            if !name.trim().is_empty() {
                out.push(LabelledLine::body(
                    name.trim().to_uppercase(),
                    Section::Other,
                    false,
                ));
            }
            out.push(LabelledLine::blank());
            let first = look.heading_lines(words).remove(0);
            out.push(LabelledLine::heading(
                format!("{first} (continued)"),
                block.section,
            ));
        };
        push_block(&mut out, look, block, &mut page_break);
    }
    if cut.is_some() {
        out.push(LabelledLine::blank());
        out.push(LabelledLine::body(
            "Page 2 of 2".into(),
            Section::Other,
            false,
        ));
    }
    out
}

/// A two-column page read line by line, as text extraction from a PDF often gives it: the main
/// column (name, summary, experience...) with the sidebar's lines (contact details, skills,
/// languages, interests, certifications) slipped in between every one to three main lines.
fn two_column(look: &Look, blocks: &[Block], rng: &mut SplitMix64) -> Vec<LabelledLine> {
    let mut main_blocks = Vec::new();
    let mut side_blocks = Vec::new();
    for block in blocks {
        if block.section == Section::Contact {
            let (top, details) = block.entries.split_at(1.min(block.entries.len()));
            main_blocks.push(Block {
                section: Section::Contact,
                heading: None,
                entries: top.to_vec(),
            });
            if !details.is_empty() {
                let heading = Some(look.heading_words(Section::Contact, rng));
                side_blocks.push(Block {
                    section: Section::Contact,
                    heading,
                    entries: details.to_vec(),
                });
            }
        } else if SIDEBAR.contains(&block.section) {
            side_blocks.push(Block {
                section: block.section,
                heading: block.heading,
                entries: block.entries.clone(),
            });
        } else {
            main_blocks.push(Block {
                section: block.section,
                heading: block.heading,
                entries: block.entries.clone(),
            });
        }
    }
    let mut main = Vec::new();
    for block in &main_blocks {
        push_block(&mut main, look, block, &mut |_, _| {});
    }
    let mut side = Vec::new();
    for block in &side_blocks {
        push_block(&mut side, look, block, &mut |_, _| {});
    }
    side.retain(|l| !l.text.is_empty());
    // The name block stays on top; interleaving starts below it.
    let header = main
        .iter()
        .position(|l| l.text.is_empty())
        .unwrap_or(main.len());
    let mut main = main.into_iter();
    let mut out: Vec<LabelledLine> = main.by_ref().take(header).collect();
    let mut side = side.into_iter();
    loop {
        let run: Vec<_> = main.by_ref().take(1 + rng.below(3)).collect();
        let next = side.next();
        if run.is_empty() && next.is_none() {
            break;
        }
        out.extend(run);
        out.extend(next);
    }
    out
}
