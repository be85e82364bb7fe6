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
    loop {
        i += plain_run(&bytes[i..]);
        let Some(&b) = bytes.get(i) else { break };
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

/// Bytes that may start something [`escape_into`] replaces (in either mode).
const CANDIDATE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(
            b as u8,
            b'&' | b'<' | b'>' | b'"' | b'\'' | b'\r' | b'\n' | 0xE2
        );
        b += 1;
    }
    table
};

/// How many bytes at the start of `bytes` cannot start a replacement: text is mostly such runs,
/// so they are skipped eight bytes at a time with one branch, not a `match` per byte (every
/// user message of a live chat is escaped on the broker's hot path).
fn plain_run(bytes: &[u8]) -> usize {
    let mut skipped = 0;
    for chunk in bytes.chunks_exact(8) {
        if chunk
            .iter()
            .fold(false, |any, &b| any | CANDIDATE[usize::from(b)])
        {
            break;
        }
        skipped += 8;
    }
    skipped
        + bytes[skipped..]
            .iter()
            .position(|&b| CANDIDATE[usize::from(b)])
            .unwrap_or(bytes.len() - skipped)
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

    #[test]
    fn a_replaced_character_is_found_at_any_place_in_a_long_run() {
        for special in [
            "&", "<", ">", "\"", "'", "\r", "\n", "\r\n", "\u{2028}", "\u{2029}", "\u{2022}",
        ] {
            for at in 0..40 {
                let plain = format!("{}{special}{}", "x".repeat(at), "y".repeat(40 - at));
                assert_eq!(paragraph(&plain), two_passes(&plain), "{plain:?}");
            }
        }
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
