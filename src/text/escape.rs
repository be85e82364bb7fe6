//! Plain text into rich text.

/// Escapes plain text for use inside rich text.
pub fn escape(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text as one rich-text paragraph; line breaks (LF, CRLF, a lone CR, U+2028, U+2029)
/// become `<br>`.
pub fn paragraph(plain: &str) -> String {
    let escaped = escape(plain);
    let mut out = String::with_capacity(escaped.len() + 7);
    out.push_str("<p>");
    let mut chars = escaped.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out.push_str("</p>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape("5 < 6 & \"q\" 'a' >"),
            "5 &lt; 6 &amp; &quot;q&quot; &#39;a&#39; &gt;"
        );
    }

    #[test]
    fn every_kind_of_line_break_becomes_br() {
        assert_eq!(paragraph("a\nb\r\nc\rd"), "<p>a<br>b<br>c<br>d</p>");
        assert_eq!(paragraph("été"), "<p>été</p>");
    }
}
