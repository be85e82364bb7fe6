//! Rich text as styled, word-wrapped lines: the marks of [`crate::text::parse`] become styles of
//! the theme, and [`crate::text::wrap`]'s lines become ratatui lines with an indent.

use crate::text::{self, Marks};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// A run of text with one style.
pub type Run = (String, Style);

/// Parses rich text into paragraphs of styled runs. `base` styles plain text and `link` links.
pub fn parse(html: &str, base: Style, link: Style) -> Vec<Vec<Run>> {
    text::parse(html)
        .into_iter()
        .map(|paragraph| {
            paragraph
                .into_iter()
                .map(|run| (run.text, style_of(run.marks, base, link)))
                .collect()
        })
        .collect()
}

fn style_of(marks: Marks, base: Style, link: Style) -> Style {
    let mut style = if marks.link { link } else { base };
    if marks.bold {
        style = style.add_modifier(Modifier::BOLD);
    }
    if marks.italic {
        style = style.add_modifier(Modifier::ITALIC);
    }
    style
}

/// Word-wraps one paragraph of runs to `width` columns, each line prefixed by `indent`.
pub fn wrap(runs: &[Run], width: usize, indent: &str) -> Vec<Line<'static>> {
    let indent_width = text::width(indent);
    text::wrap(runs, width.saturating_sub(indent_width))
        .into_iter()
        .map(|line| {
            let mut spans = Vec::with_capacity(line.len() + 1);
            if indent_width > 0 {
                spans.push(Span::raw(indent.to_owned()));
            }
            spans.extend(line.into_iter().map(|(t, s)| Span::styled(t, s)));
            Line::from(spans)
        })
        .collect()
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
    fn bold_and_links_take_the_theme_styles() {
        let link = Style::new().fg(ratatui::style::Color::Blue);
        let paragraphs = parse(
            "<p>a <strong>b</strong> <a href=\"https://x.test\">c</a></p>",
            Style::new(),
            link,
        );
        let bold: Vec<_> = paragraphs[0]
            .iter()
            .filter(|(_, s)| s.add_modifier.contains(Modifier::BOLD))
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(bold, ["b"]);
        assert!(
            paragraphs[0]
                .iter()
                .any(|(t, s)| t == "c (https://x.test)" && *s == link)
        );
    }

    #[test]
    fn lines_carry_the_indent() {
        let runs = vec![("hello brave new world".to_owned(), Style::new())];
        assert_eq!(
            text_of(&wrap(&runs, 12, "  ")),
            ["  hello", "  brave new", "  world"]
        );
        assert_eq!(text_of(&wrap(&[], 4, "")), [""]);
    }
}
