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

/// Appends `plain` escaped to `out`, with line breaks as `<br>` when `breaks`. A byte scan:
/// every character it replaces is ASCII or starts with 0xE2, so the runs it copies between them
/// are whole characters.
fn escape_into(out: &mut String, plain: &str, breaks: bool) {
    let bytes = plain.as_bytes();
    let (mut run, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        let next = |k: usize| bytes.get(i + k).copied();
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            b'\r' if breaks => ("<br>", if next(1) == Some(b'\n') { 2 } else { 1 }),
            b'\n' if breaks => ("<br>", 1),
            // U+2028 and U+2029: E2 80 A8 and E2 80 A9.
            0xE2 if breaks && next(1) == Some(0x80) && matches!(next(2), Some(0xA8 | 0xA9)) => {
                ("<br>", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&plain[run..i]);
        out.push_str(replacement);
        i += len;
        run = i;
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
