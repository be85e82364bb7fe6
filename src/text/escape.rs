//! Plain text into rich text.

/// Escapes plain text for use inside rich text.
pub fn escape(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len());
    escape_into(&mut out, plain, false);
    out
}

/// Plain text as one rich-text paragraph; line breaks (LF, CRLF, a lone CR, U+2028, U+2029)
/// become `<br>`. One pass over the text, copying the runs between the characters it replaces.
pub fn paragraph(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len() + 7);
    out.push_str("<p>");
    escape_into(&mut out, plain, true);
    out.push_str("</p>");
    out
}

/// Appends `plain` escaped to `out`, with line breaks as `<br>` when `breaks`.
fn escape_into(out: &mut String, plain: &str, breaks: bool) {
    let mut run = 0;
    let mut chars = plain.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            '\r' if breaks => {
                if chars.next_if(|&(_, next)| next == '\n').is_some() {
                    out.push_str(&plain[run..i]);
                    out.push_str("<br>");
                    run = i + 2;
                    continue;
                }
                "<br>"
            }
            '\n' | '\u{2028}' | '\u{2029}' if breaks => "<br>",
            _ => continue,
        };
        out.push_str(&plain[run..i]);
        out.push_str(replacement);
        run = i + c.len_utf8();
    }
    out.push_str(&plain[run..]);
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

    /// The two passes this module made before: escape, then line breaks.
    fn two_passes(plain: &str) -> String {
        let escaped = escape(plain);
        let mut out = String::from("<p>");
        let mut chars = escaped.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    chars.next_if_eq(&'\n');
                    out.push_str("<br>");
                }
                '\n' | '\u{2028}' | '\u{2029}' => out.push_str("<br>"),
                c => out.push(c),
            }
        }
        out + "</p>"
    }

    proptest::proptest! {
        #[test]
        fn one_pass_paragraphs_of_any_text_are_what_escaping_then_breaking_lines_gave(
            plain in "(\\PC|\\pC|[\r\n<>&'\"\u{2028}\u{2029}])*"
        ) {
            proptest::prop_assert_eq!(paragraph(&plain), two_passes(&plain));
        }
    }
}
