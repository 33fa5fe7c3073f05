//! Line-level formatting shared by the section renderers: entry header lines in the look's
//! layout, bullets, "Label: a, b" lists, word wrapping with a hanging indent.

use crate::markdown::{collapse_spaces, strip_inline};
use crate::resume::present;
use crate::style::{EntryLayout, Look};

/// The first line(s) of an entry: title (position, degree, project name), organisation, place and
/// dates in the look's entry layout. `at` joins title and organisation where a layout reads so.
pub fn header(
    look: &Look,
    title: &str,
    org: &str,
    place: &str,
    dates: Option<String>,
    at: &str,
) -> Vec<String> {
    let (title, org, place) = (strip_inline(title), strip_inline(org), strip_inline(place));
    let dates = dates.unwrap_or_default();
    let lines = match look.entry {
        EntryLayout::TitleOrgDates => vec![join(&[&join(&[&title, &org], ", "), &dates], " — ")],
        EntryLayout::OrgTitleDatesPipes => vec![join(&[&org, &title, &dates], " | ")],
        EntryLayout::TitleAtOrgThenDates => {
            vec![join(&[&title, &org], at), join(&[&place, &dates], " | ")]
        }
        EntryLayout::OrgThenTitleDates => {
            vec![join(&[&org, &place], ", "), join(&[&title, &dates], "    ")]
        }
        EntryLayout::DatesFirst => vec![join(&[&dates, &join(&[&title, &org], ", ")], "   ")],
        EntryLayout::MarkdownHeading => {
            vec![join(&[&title, &org], ", "), join(&[&dates, &place], " · ")]
        }
    };
    let mut lines: Vec<String> = lines.into_iter().filter(|l| !l.is_empty()).collect();
    if look.entry == EntryLayout::MarkdownHeading {
        if let Some(first) = lines.first_mut() {
            *first = format!("### {first}");
        }
        if let Some(second) = lines.get_mut(1) {
            *second = format!("*{second}*");
        }
    }
    lines
}

pub fn dated(look: &Look, date: &str) -> Option<String> {
    Some(look.dates.date(date)).filter(|d| !d.is_empty())
}

/// Highlights as bullets in the look's glyph (or plain lines), wrapped with a hanging indent.
pub fn bullets(items: &[String], look: &Look) -> Vec<String> {
    let (first, rest) = match look.bullet {
        Some(glyph) => (format!("{glyph} "), " ".repeat(glyph.chars().count() + 1)),
        None => (String::new(), "  ".to_string()),
    };
    present(items)
        .into_iter()
        .flat_map(|item| wrap(&strip_inline(item), look.wrap, &first, &rest))
        .collect()
}

/// "Keywords: a, b, c" when the list has any item.
pub fn labelled_list(label: &str, items: &[String], look: &Look) -> Vec<String> {
    let items = present(items);
    if items.is_empty() {
        return vec![];
    }
    wrap(
        &format!("{label}: {}", items.join(", ")),
        look.wrap,
        "",
        "  ",
    )
}

/// Words of `text` filled to `width` columns: `first` before the first line, `rest` before the
/// others. No width: one line. Empty text: no line.
pub fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> Vec<String> {
    let text = collapse_spaces(text);
    if text.is_empty() {
        return vec![];
    }
    let Some(width) = width else {
        return vec![format!("{first}{text}")];
    };
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

/// The non-empty parts joined by `sep`.
pub fn join(parts: &[&str], sep: &str) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_fills_lines_with_hanging_indent() {
        assert_eq!(
            wrap("one two three four", Some(9), "- ", "  "),
            vec!["- one two", "  three", "  four"]
        );
        assert_eq!(wrap("  ", Some(9), "- ", "  "), Vec::<String>::new());
        assert_eq!(wrap("a  b", None, "* ", ""), vec!["* a b"]);
    }

    #[test]
    fn join_skips_missing_parts() {
        assert_eq!(join(&["", "Pied Piper", " "], " | "), "Pied Piper");
        assert_eq!(join(&["CEO", "Pied Piper"], " at "), "CEO at Pied Piper");
    }
}
