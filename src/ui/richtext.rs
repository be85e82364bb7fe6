//! The rich-text subset of message parts (`<p>`, `<br>`, `<strong>`/`<b>`, `<em>`/`<i>`,
//! `<a href>`, entities) turned into styled, word-wrapped lines. Unknown tags are dropped, their
//! text kept; all text is sanitised.

use super::sanitize::clean;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// A run of text with one style.
pub type Run = (String, Style);

/// Parses rich text into paragraphs of styled runs. `base` styles plain text and `link` links.
pub fn parse(html: &str, base: Style, link: Style) -> Vec<Vec<Run>> {
    let mut paragraphs: Vec<Vec<Run>> = vec![Vec::new()];
    let mut bold = 0u32;
    let mut italic = 0u32;
    let mut href: Option<String> = None;
    let mut link_text = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<')
            && let Some(end) = after.find('>')
        {
            let tag = &after[..end];
            rest = &after[end + 1..];
            let closing = tag.starts_with('/');
            let name = tag
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match (name.as_str(), closing) {
                ("p" | "div" | "br" | "li" | "ul" | "ol", _)
                    if paragraphs.last().is_some_and(|p| !p.is_empty()) =>
                {
                    paragraphs.push(Vec::new());
                }
                ("strong" | "b", false) => bold += 1,
                ("strong" | "b", true) => bold = bold.saturating_sub(1),
                ("em" | "i", false) => italic += 1,
                ("em" | "i", true) => italic = italic.saturating_sub(1),
                ("a", false) => {
                    href = attribute(tag, "href");
                    link_text.clear();
                }
                ("a", true) => {
                    if let Some(url) = href.take()
                        && url != link_text.trim()
                        && let Some(p) = paragraphs.last_mut()
                    {
                        p.push((format!(" ({})", clean(&url)), link));
                    }
                }
                _ => {}
            }
            continue;
        }
        let next = rest[1..].find('<').map_or(rest.len(), |i| i + 1);
        let raw = &rest[..next];
        rest = &rest[next..];
        let text = decode_entities(raw);
        // Newlines between tags are layout, not content.
        let text = text.replace(['\n', '\r'], " ");
        let text = clean(&text).into_owned();
        if text.trim().is_empty() && paragraphs.last().is_none_or(Vec::is_empty) {
            continue;
        }
        let mut style = if href.is_some() { link } else { base };
        if bold > 0 {
            style = style.add_modifier(Modifier::BOLD);
        }
        if italic > 0 {
            style = style.add_modifier(Modifier::ITALIC);
        }
        if href.is_some() {
            link_text.push_str(&text);
        }
        if let Some(p) = paragraphs.last_mut() {
            p.push((text, style));
        }
    }
    paragraphs.retain(|p| p.iter().any(|(t, _)| !t.trim().is_empty()));
    paragraphs
}

/// The plain text of rich text, paragraphs joined by newlines.
pub fn plain(html: &str) -> String {
    parse(html, Style::new(), Style::new())
        .iter()
        .map(|p| {
            p.iter()
                .map(|(t, _)| t.as_str())
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}="))? + name.len() + 1;
    let value = &tag[start..];
    let (quote, value) = match value.chars().next()? {
        q @ ('"' | '\'') => (q, &value[1..]),
        _ => (' ', value),
    };
    Some(decode_entities(
        value.split(quote).next().unwrap_or_default(),
    ))
}

/// Decodes the HTML entities that appear in assistant messages.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "nbsp" => Some('\u{a0}'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "hellip" => Some('…'),
            "mdash" => Some('—'),
            "ndash" => Some('–'),
            _ => entity.strip_prefix('#').and_then(|n| {
                n.strip_prefix(['x', 'X'])
                    .map_or_else(|| n.parse().ok(), |h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
            }),
        };
        if let Some(c) = decoded {
            out.push(c);
            rest = &rest[end + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Word-wraps one paragraph of runs to `width` columns, each line prefixed by `indent`.
pub fn wrap(runs: &[Run], width: usize, indent: &str) -> Vec<Line<'static>> {
    let indent_width = indent.chars().count();
    let width = width.saturating_sub(indent_width).max(1);
    let mut lines = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    let flush =
        |lines: &mut Vec<Line<'static>>, current: &mut Vec<Span<'static>>, used: &mut usize| {
            let mut spans = Vec::with_capacity(current.len() + 1);
            if indent_width > 0 {
                spans.push(Span::raw(indent.to_owned()));
            }
            spans.append(current);
            lines.push(Line::from(spans));
            *used = 0;
        };
    for (text, style) in runs {
        for word in split_words(text) {
            let w = str_width(word);
            let is_space = word.chars().all(|c| c == ' ' || c == '\u{a0}');
            if is_space {
                if used > 0 && used + w <= width {
                    push(&mut current, word, *style);
                    used += w;
                }
                continue;
            }
            if used + w > width && used > 0 {
                trim_trailing_space(&mut current);
                flush(&mut lines, &mut current, &mut used);
            }
            if w <= width {
                push(&mut current, word, *style);
                used += w;
                continue;
            }
            // A word longer than the line: break it by characters.
            let mut piece = String::new();
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width {
                    push(&mut current, &piece, *style);
                    piece.clear();
                    flush(&mut lines, &mut current, &mut used);
                }
                piece.push(c);
                used += cw;
            }
            push(&mut current, &piece, *style);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        trim_trailing_space(&mut current);
        flush(&mut lines, &mut current, &mut used);
    }
    lines
}

fn push(spans: &mut Vec<Span<'static>>, text: &str, style: Style) {
    if text.is_empty() {
        return;
    }
    if let Some(last) = spans.last_mut()
        && last.style == style
    {
        last.content.to_mut().push_str(text);
        return;
    }
    spans.push(Span::styled(text.to_owned(), style));
}

fn trim_trailing_space(spans: &mut Vec<Span<'static>>) {
    while let Some(last) = spans.last_mut() {
        let trimmed = last.content.trim_end_matches([' ', '\u{a0}']).len();
        if trimmed == 0 {
            spans.pop();
        } else {
            last.content.to_mut().truncate(trimmed);
            break;
        }
    }
}

/// Splits into words and runs of spaces, keeping both.
fn split_words(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let space = |c: char| c == ' ' || c == '\u{a0}';
        let first_is_space = rest.starts_with(space);
        let end = rest
            .char_indices()
            .find(|&(_, c)| space(c) != first_is_space)
            .map_or(rest.len(), |(i, _)| i);
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word)
    })
}

/// The display width of a string.
pub fn str_width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn seed_summary_keeps_bold_and_entities() {
        let html = "<p>I understand you're having an issue with your <strong>SQL Database </strong>and would like to speak with a live agent.&nbsp;</p>";
        let paras = parse(html, Style::new(), Style::new());
        assert_eq!(paras.len(), 1);
        let bold: Vec<_> = paras[0]
            .iter()
            .filter(|(_, s)| s.add_modifier.contains(Modifier::BOLD))
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(bold, ["SQL Database "]);
        assert!(
            paras[0]
                .last()
                .is_some_and(|(t, _)| t.ends_with("live agent.\u{a0}"))
        );
        assert!(plain(html).ends_with("live agent."));
    }

    #[test]
    fn paragraphs_links_and_line_breaks() {
        let html = "<p><strong>Lisa Said:</strong></p>\n<p>Hi<br>see <a href=\"https://x.test\">docs</a> &amp; more</p>";
        assert_eq!(
            plain(html),
            "Lisa Said:\nHi\nsee docs (https://x.test) & more"
        );
        assert_eq!(decode_entities("&#39;&#x41;&bogus;&"), "'A&bogus;&");
    }

    #[test]
    fn wrapping_breaks_at_words_and_long_words() {
        let runs = vec![("hello brave new world".to_owned(), Style::new())];
        assert_eq!(
            text_of(&wrap(&runs, 12, "  ")),
            ["  hello", "  brave new", "  world"]
        );
        let long = vec![("abcdefghij".to_owned(), Style::new())];
        assert_eq!(text_of(&wrap(&long, 4, "")), ["abcd", "efgh", "ij"]);
        assert_eq!(text_of(&wrap(&[], 4, "")), [""]);
    }

    #[test]
    fn escape_sequences_in_rich_text_are_removed() {
        assert_eq!(plain("<p>a\u{1b}[2Jb</p>"), "ab");
    }
}
