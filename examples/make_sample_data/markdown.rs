//! Inline Markdown and HTML clean-up shared by the job converter and the resume renderer: what a
//! reader sees of `**bold**`, `[text](url)`, `<br>` and `<a href>` once the page is rendered.

/// HTML elements that end a block of text: each becomes a paragraph break.
const BLOCK_TAGS: &[&str] = &[
    "p", "div", "section", "table", "thead", "tbody", "tr", "td", "th", "ul", "ol", "li", "h1",
    "h2", "h3", "h4", "h5", "h6",
];
/// HTML elements that sit inside a line of text: the tag goes, its text stays.
const INLINE_TAGS: &[&str] = &[
    "a", "span", "strong", "em", "b", "i", "u", "small", "sup", "sub",
];

/// Rewrites the HTML tags of a whole document: block elements become blank lines, `<br>` a line
/// break, inline elements vanish, and autolinks (`<https://...>`, `<name@host>`) keep their text.
pub fn replace_html_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "br" {
            out.push('\n');
        } else if BLOCK_TAGS.contains(&name.as_str()) {
            out.push_str("\n\n");
        } else if INLINE_TAGS.contains(&name.as_str()) {
            // dropped
        } else if inner.contains('@') || inner.contains("://") {
            out.push_str(inner);
        } else {
            out.push('<');
            rest = after;
            continue;
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The plain text of one line of Markdown: links and images keep their text, emphasis and code
/// marks go, runs of spaces collapse. Unknown constructs are left as they are.
pub fn strip_inline(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '!' if chars.get(i + 1) == Some(&'[') => {
                i += 1;
            }
            '[' => match link_at(&chars, i) {
                Some((text, end)) => {
                    out.push_str(&strip_inline(&text));
                    i = end;
                    continue;
                }
                None => out.push(c),
            },
            '*' | '_' | '~' if chars.get(i + 1) == Some(&c) => {
                i += 2;
                continue;
            }
            '*' | '_' if is_emphasis_mark(&chars, i) => {}
            '`' => {}
            _ => out.push(c),
        }
        i += 1;
    }
    collapse_spaces(&out)
}

/// `[text](target)` starting at `start`: the link text and the index just past the closing
/// parenthesis. Parentheses inside the target are balanced (`.../Silicon_Valley_(TV_series)`).
fn link_at(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut depth = 0usize;
    let mut j = start;
    let text_end = loop {
        match chars.get(j)? {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break j;
                }
            }
            _ => {}
        }
        j += 1;
    };
    if chars.get(text_end + 1) != Some(&'(') {
        return None;
    }
    let mut depth = 0usize;
    let mut k = text_end + 1;
    loop {
        match chars.get(k)? {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        k += 1;
    }
    let text: String = chars[start + 1..text_end].iter().collect();
    let target: String = chars[text_end + 2..k].iter().collect();
    let text = if text.trim().is_empty() { target } else { text };
    Some((text, k + 1))
}

/// A single `*` or `_` that opens or closes emphasis: it touches a word on one side and a space,
/// punctuation or the line's end on the other. `snake_case` and `5 * 3` keep theirs.
fn is_emphasis_mark(chars: &[char], i: usize) -> bool {
    let before = i.checked_sub(1).map(|p| chars[p]);
    let after = chars.get(i + 1).copied();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let open = !word(before) && after.is_some_and(|c| !c.is_whitespace());
    let close = !word(after) && before.is_some_and(|c| !c.is_whitespace());
    open || close
}

/// Trims and turns every run of whitespace into one space.
pub fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_emphasis_and_code_become_plain_text() {
        assert_eq!(
            strip_inline("Apply via [Join TTS Hiring Process](/hiring-process/) **today**"),
            "Apply via Join TTS Hiring Process today"
        );
        assert_eq!(
            strip_inline("[**Quantum Diorama**](https://x.org/a_(b))."),
            "Quantum Diorama."
        );
        assert_eq!(
            strip_inline("_For details, visit `opm.gov`._"),
            "For details, visit opm.gov."
        );
        assert_eq!(
            strip_inline("keep snake_case and 5 * 3"),
            "keep snake_case and 5 * 3"
        );
        assert_eq!(strip_inline("Samantha [Jones] is"), "Samantha [Jones] is");
        assert_eq!(
            strip_inline("[https://a.gov/x](https://a.gov/x)"),
            "https://a.gov/x"
        );
    }

    #[test]
    fn html_blocks_break_lines_and_autolinks_keep_text() {
        let html =
            "a<br>b<table><tr><td>x</td></tr></table> <a href=\"u\">c</a> <jo@gsa.gov> 1 < 2";
        assert_eq!(
            replace_html_tags(html),
            "a\nb\n\n\n\n\n\nx\n\n\n\n\n\n c jo@gsa.gov 1 < 2"
        );
    }
}
