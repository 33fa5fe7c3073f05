//! Job postings: the 18F/TTS Markdown pages (Jekyll front matter, Liquid tags, Markdown and a
//! little HTML) turned into the plain text a candidate reads on the rendered page.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use crate::files::read_sources;
use crate::markdown::{collapse_spaces, replace_html_tags, strip_inline};

/// Postings shorter than this after conversion are stubs, not job descriptions.
const MIN_JOB_WORDS: usize = 150;

/// One usable posting: `id` is the file stem, `text` the converted plain text.
#[derive(Clone)]
pub struct Job {
    pub id: String,
    pub text: String,
}

/// Why a posting was left out of the pool.
pub enum Skipped {
    Placeholder,
    TooShort(usize),
}

/// The postings of a folder: those in use and those left out, with why.
pub struct JobSources {
    pub usable: Vec<Job>,
    pub skipped: Vec<(String, Skipped)>,
}

/// Reads every `*.md` file of `dir` in name order and converts it.
pub fn load_jobs(dir: &Path) -> Result<JobSources> {
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    for (id, markdown) in read_sources(dir, "md")? {
        if id.to_ascii_lowercase().starts_with("test") {
            skipped.push((id, Skipped::Placeholder));
            continue;
        }
        let text = job_text(&markdown);
        let words = text.split_whitespace().count();
        if words < MIN_JOB_WORDS {
            skipped.push((id, Skipped::TooShort(words)));
        } else {
            jobs.push(Job { id, text });
        }
    }
    Ok(JobSources {
        usable: jobs,
        skipped,
    })
}

/// The plain text of one posting: the front matter's `title` on the first line, then the body
/// with Liquid evaluated against the front matter and Markdown reduced to text, `- ` bullets kept.
pub fn job_text(markdown: &str) -> String {
    let (front, body) = split_front_matter(markdown);
    let vars = parse_front_matter(front);
    let body = replace_html_tags(&eval_liquid(body, &vars));
    let mut lines = Vec::new();
    if let Some(title) = vars.get("title") {
        lines.push(title.clone());
        lines.push(String::new());
    }
    lines.extend(markdown_blocks(&body));
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn split_front_matter(markdown: &str) -> (&str, &str) {
    let Some(rest) = markdown.strip_prefix("---\n") else {
        return ("", markdown);
    };
    match rest.find("\n---") {
        Some(end) => {
            let after = &rest[end + 4..];
            (
                &rest[..end],
                after.split_once('\n').map_or("", |(_, body)| body),
            )
        }
        None => ("", markdown),
    }
}

/// Top-level `key: value` scalars of the YAML front matter (lists and comments are skipped).
fn parse_front_matter(front: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for line in front.lines() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .or_else(|| value.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
                .unwrap_or(value);
            if !value.is_empty() {
                vars.insert(key.trim().to_string(), value.to_string());
            }
        }
    }
    vars
}

/// Evaluates the Liquid the postings use: `{{ page.x | filter }}` outputs, `if`/`unless`/`else`
/// on front matter values, and `comment`/`for` blocks, which are dropped with their content.
fn eval_liquid(body: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut branches: Vec<bool> = Vec::new();
    let mut rest = body;
    loop {
        let next = [rest.find("{{"), rest.find("{%")]
            .into_iter()
            .flatten()
            .min();
        let Some(start) = next else { break };
        let active = branches.iter().all(|b| *b);
        if active {
            out.push_str(&rest[..start]);
        }
        let is_output = rest[start..].starts_with("{{");
        let closer = if is_output { "}}" } else { "%}" };
        let Some(len) = rest[start + 2..].find(closer) else {
            break;
        };
        let inner = rest[start + 2..start + 2 + len].trim();
        rest = &rest[start + 2 + len + 2..];
        if is_output {
            if active {
                out.push_str(&output_value(inner, vars));
            }
            continue;
        }
        let (tag, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        match tag {
            "if" => branches.push(condition(args.trim(), vars)),
            "unless" => branches.push(!condition(args.trim(), vars)),
            "else" => {
                if let Some(last) = branches.last_mut() {
                    *last = !*last;
                }
            }
            "endif" | "endunless" => {
                branches.pop();
            }
            "comment" | "for" => {
                let end = format!("{{% end{tag}");
                rest = rest.find(&end).map_or("", |at| {
                    let after = &rest[at..];
                    after.find("%}").map_or("", |close| &after[close + 2..])
                });
            }
            _ => {}
        }
    }
    if branches.iter().all(|b| *b) {
        out.push_str(rest);
    }
    out
}

/// `page.key` looked up in the front matter; `'literal'` as itself; anything else is absent.
fn operand(expr: &str, vars: &BTreeMap<String, String>) -> Option<String> {
    let expr = expr.trim();
    if let Some(key) = expr.strip_prefix("page.") {
        return vars.get(key).cloned();
    }
    expr.strip_prefix('\'')
        .and_then(|e| e.strip_suffix('\''))
        .or_else(|| expr.strip_prefix('"').and_then(|e| e.strip_suffix('"')))
        .map(str::to_string)
}

fn condition(args: &str, vars: &BTreeMap<String, String>) -> bool {
    if let Some((left, right)) = args.split_once("!=") {
        operand(left, vars) != operand(right, vars)
    } else if let Some((left, right)) = args.split_once("==") {
        operand(left, vars) == operand(right, vars)
    } else {
        operand(args, vars).is_some()
    }
}

/// The value of an output tag. Of the filters only `minus: n` changes a value here; dates are
/// already written out in words in the front matter.
fn output_value(inner: &str, vars: &BTreeMap<String, String>) -> String {
    let mut parts = inner.split('|');
    let value = operand(parts.next().unwrap_or(""), vars).unwrap_or_default();
    parts.fold(value, |value, filter| {
        let Some(by) = filter.trim().strip_prefix("minus:") else {
            return value;
        };
        match (value.trim().parse::<i64>(), by.trim().parse::<i64>()) {
            (Ok(v), Ok(by)) => (v - by).to_string(),
            _ => value,
        }
    })
}

/// One rendered block of the page.
enum Block {
    Heading(String),
    Paragraph(String),
    Item(String),
}

/// Markdown blocks as text lines: headings and paragraphs separated by a blank line, list items as
/// consecutive `- ` lines (numbered items keep their number), lazy continuation lines joined, the
/// "Quick Links" navigation and in-page anchor lists dropped.
fn markdown_blocks(body: &str) -> Vec<String> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut open = false;
    for raw in body.lines() {
        let line = raw.trim();
        if line.is_empty() || is_rule(line) {
            open = false;
            continue;
        }
        if line.starts_with('#') {
            blocks.push(Block::Heading(
                line.trim_start_matches('#').trim().to_string(),
            ));
            open = false;
        } else if let Some(item) = list_item(line) {
            blocks.push(Block::Item(item));
            open = true;
        } else if let (true, Some(Block::Paragraph(text) | Block::Item(text))) =
            (open, blocks.last_mut())
        {
            text.push(' ');
            text.push_str(line);
        } else {
            blocks.push(Block::Paragraph(line.to_string()));
            open = true;
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut after_item = false;
    for block in blocks {
        let (text, is_item) = match block {
            Block::Heading(t) | Block::Paragraph(t) => (t, false),
            Block::Item(t) if is_anchor_link(&t) => continue,
            Block::Item(t) => (t, true),
        };
        let text = strip_inline(&text);
        if text.is_empty() || text.starts_with("Quick Links") {
            continue;
        }
        let continues_list = is_item && after_item;
        if !continues_list && !lines.is_empty() {
            lines.push(String::new());
        }
        let marker = if is_item && !text.starts_with(|c: char| c.is_ascii_digit()) {
            "- "
        } else {
            ""
        };
        lines.push(format!("{marker}{text}"));
        after_item = is_item;
    }
    lines
}

fn is_rule(line: &str) -> bool {
    let marks: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3
        && ['-', '*', '_']
            .iter()
            .any(|m| marks.chars().all(|c| c == *m))
}

/// The text of a `- `, `* `, `+ ` or `1. ` list item (numbered ones keep their number).
fn list_item(line: &str) -> Option<String> {
    for marker in ["- ", "* ", "+ "] {
        if let Some(text) = line.strip_prefix(marker) {
            return Some(text.trim().to_string());
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    (digits > 0 && (rest.starts_with(". ") || rest.starts_with(") ")))
        .then(|| collapse_spaces(line))
}

/// A list item that is only a link to an anchor on the same page: page navigation, not content.
fn is_anchor_link(item: &str) -> bool {
    item.starts_with('[') && item.ends_with(')') && item.contains("](#")
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTING: &str = "---\ntitle: Content Designer\nstate: closed\ngs_level: 15\nrole_name: 'Designer'\nsubnav:\n  - text: Duties\n---\n\
{% if page.state == 'upcoming' %}Soon.{% else %}We're hiring a {{ page.role_name }} at GS-{{ page.gs_level | minus: 1 }}, see [the process]({{site.baseurl}}/hiring/).\n{% endif %}\n\
{% comment %}Internal {{ note }}{% endcomment %}\n\
**Quick Links to Posting Sections**\n- [Duties](#duties)\n- [How to apply](#how-to-apply)\n\n\
## Role Summary:\n\
- Coach **agency** partners\n  through design.\n* Lead research\n\n1. Be a citizen\n\n---\n<table><tr><td>Cell one</td></tr></table>\n";

    #[test]
    fn front_matter_liquid_and_markdown_become_plain_text() {
        assert_eq!(
            job_text(POSTING),
            "Content Designer\n\nWe're hiring a Designer at GS-14, see the process.\n\nRole Summary:\n\n\
- Coach agency partners through design.\n- Lead research\n1. Be a citizen\n\nCell one"
        );
    }

    #[test]
    fn unless_and_missing_values() {
        let vars = parse_front_matter("opens: tbd\nseries: '2210'");
        assert_eq!(
            eval_liquid("{% unless page.opens == 'tbd' %}x{% endunless %}y", &vars),
            "y"
        );
        assert_eq!(
            eval_liquid(
                "{% if page.series %}{{ page.series }}{% endif %}{{ page.nope }}",
                &vars
            ),
            "2210"
        );
    }
}
