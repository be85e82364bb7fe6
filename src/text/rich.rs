//! The rich-text subset of message parts: `<p>`, `<div>`, `<br>`, lists, `<strong>`/`<b>`,
//! `<em>`/`<i>`, `<a href>` and entities. Unknown tags are dropped and their text kept; text is
//! sanitised; whitespace (newlines included) between words is one space, as in HTML.

use super::entities::decode_entities;
use crate::text::clean;

/// How a run of rich text is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    /// Inside `<strong>` or `<b>`.
    pub bold: bool,
    /// Inside `<em>` or `<i>`.
    pub italic: bool,
    /// Inside `<a href>`, or the link's target written after its text.
    pub link: bool,
}

/// A run of text with one set of marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The text, sanitised (no controls, no line breaks).
    pub text: String,
    /// How it is marked.
    pub marks: Marks,
}

/// One paragraph: runs drawn one after the other, wrapped together.
pub type Paragraph = Vec<Run>;

/// Where the parser is inside the markup.
#[derive(Default)]
struct Parser {
    paragraphs: Vec<Paragraph>,
    bold: u32,
    italic: u32,
    href: Option<String>,
    link_text: String,
    /// Whether text is cleaned of escapes and controls (always, but for raw transcripts).
    sanitise: bool,
}

/// Parses rich text into paragraphs of marked runs. A link whose target differs from its text
/// is followed by ` (target)`. Paragraphs with only whitespace are dropped.
pub fn parse(html: &str) -> Vec<Paragraph> {
    parse_with(html, true)
}

fn parse_with(html: &str, sanitise: bool) -> Vec<Paragraph> {
    let mut parser = Parser {
        paragraphs: vec![Vec::new()],
        sanitise,
        ..Parser::default()
    };
    let mut rest = html;
    // Once a `<` finds no `>` after it, no later `<` can: such input is all text, read in one
    // pass rather than searched again at every `<`.
    let mut tags_possible = true;
    while !rest.is_empty() {
        if tags_possible && let Some(after) = rest.strip_prefix('<') {
            match after.find('>') {
                Some(end) => {
                    parser.tag(&after[..end]);
                    rest = &after[end + 1..];
                    continue;
                }
                None => tags_possible = false,
            }
        }
        let first = rest.chars().next().map_or(0, char::len_utf8);
        let next = if tags_possible {
            rest[first..].find('<').map_or(rest.len(), |i| i + first)
        } else {
            rest.len()
        };
        parser.text(&rest[..next]);
        rest = &rest[next..];
    }
    parser
        .paragraphs
        .retain(|p| p.iter().any(|r| !r.text.trim().is_empty()));
    parser.paragraphs
}

impl Parser {
    fn tag(&mut self, tag: &str) {
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("p" | "div" | "br" | "li" | "ul" | "ol", _)
                if self.paragraphs.last().is_some_and(|p| !p.is_empty()) =>
            {
                self.paragraphs.push(Vec::new());
            }
            ("strong" | "b", false) => self.bold += 1,
            ("strong" | "b", true) => self.bold = self.bold.saturating_sub(1),
            ("em" | "i", false) => self.italic += 1,
            ("em" | "i", true) => self.italic = self.italic.saturating_sub(1),
            ("a", false) => {
                self.href = attribute(tag, "href");
                self.link_text.clear();
            }
            ("a", true) => {
                if let Some(url) = self.href.take()
                    && url != self.link_text.trim()
                {
                    let marks = Marks {
                        link: true,
                        ..Marks::default()
                    };
                    self.push(format!(" ({})", clean(&url)), marks);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, raw: &str) {
        let decoded = decode_entities(raw);
        let text = if self.sanitise {
            clean(&decoded).into_owned()
        } else {
            decoded.into_owned()
        };
        if text.trim().is_empty() && self.paragraphs.last().is_none_or(Vec::is_empty) {
            return;
        }
        let marks = Marks {
            bold: self.bold > 0,
            italic: self.italic > 0,
            link: self.href.is_some(),
        };
        if marks.link {
            self.link_text.push_str(&text);
        }
        self.push(text, marks);
    }

    fn push(&mut self, text: String, marks: Marks) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            match paragraph.last_mut() {
                Some(last) if last.marks == marks => last.text.push_str(&text),
                _ => paragraph.push(Run { text, marks }),
            }
        }
    }
}

/// The value of `name="..."` (or `'...'`, or unquoted) in a tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let start = lower.find(&format!("{name}="))? + name.len() + 1;
    let value = tag.get(start..)?;
    let quote = value.chars().next()?;
    let value = match quote {
        '"' | '\'' => value[1..].split(quote).next(),
        _ => value.split(char::is_whitespace).next(),
    };
    Some(decode_entities(value.unwrap_or_default()).into_owned())
}

/// The text of rich text: paragraphs and `<br>` as line breaks, links followed by their target,
/// runs of whitespace folded, empty lines dropped.
pub fn to_plain(html: &str) -> String {
    plain_of(parse(html), html.len())
}

/// [`to_plain`] with the text as it was written: escape sequences and control characters kept,
/// for `handoff transcript --raw` (everything else printed is cleaned on the way out).
pub fn to_plain_raw(html: &str) -> String {
    plain_of(parse_with(html, false), html.len())
}

fn plain_of(paragraphs: Vec<Paragraph>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    for paragraph in paragraphs {
        let text: String = paragraph.iter().map(|r| r.text.as_str()).collect();
        let mut words = text.split_whitespace();
        let Some(first) = words.next() else { continue };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(first);
        for word in words {
            out.push(' ');
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bold_texts(html: &str) -> Vec<String> {
        parse(html)
            .into_iter()
            .flatten()
            .filter(|r| r.marks.bold)
            .map(|r| r.text)
            .collect()
    }

    #[test]
    fn plain_text_of_a_seed_summary() {
        let html = "<p>I understand you're having an issue with your <strong>SQL Database </strong>and would like to speak with a live agent.&nbsp;</p>";
        assert_eq!(
            to_plain(html),
            "I understand you're having an issue with your SQL Database and would like to speak with a live agent."
        );
        assert_eq!(bold_texts(html), ["SQL Database "]);
    }

    #[test]
    fn paragraphs_links_and_line_breaks() {
        assert_eq!(
            to_plain("<p><strong>Lisa Said:</strong></p>\n<p>Hello</p>"),
            "Lisa Said:\nHello"
        );
        assert_eq!(to_plain("a<br>b<br/>c"), "a\nb\nc");
        assert_eq!(
            to_plain(
                "<p>see <a href=\"https://x.test\">docs</a> &amp; <a href='https://y.test'>https://y.test</a></p>"
            ),
            "see docs (https://x.test) & https://y.test"
        );
    }

    #[test]
    fn text_that_starts_with_a_multibyte_character_parses() {
        for text in ["été chaud", "¿dónde?", "日本", "👩‍💻 ok", "é<b>x</b>é<"] {
            assert!(!to_plain(text).is_empty(), "{text}");
        }
        assert_eq!(to_plain("<p>été</p><p>日本</p>"), "été\n日本");
    }

    #[test]
    fn escaped_text_round_trips() {
        let text = "5 < 6 & \"quotes\" <script> été";
        assert_eq!(to_plain(&super::super::paragraph(text)), text);
    }

    #[test]
    fn raw_plain_text_keeps_escapes() {
        let html = "<p>a\u{1b}]0;t\u{7}b &amp; c</p>";
        assert_eq!(to_plain_raw(html), "a\u{1b}]0;t\u{7}b & c");
        assert_eq!(to_plain(html), "ab & c");
    }

    #[test]
    fn unclosed_tags_are_text_and_escapes_are_removed() {
        assert_eq!(to_plain("a < b and <c"), "a < b and <c");
        assert_eq!(to_plain("<p>a\u{1b}[2Jb</p>"), "ab");
        assert_eq!(to_plain("<p>a\u{1b}]0;pwned\u{7}b</p>"), "ab");
    }
}
