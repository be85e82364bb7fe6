//! Cleaning text that comes from outside before it reaches a terminal: escape sequences (CSI,
//! OSC such as window titles and clipboard writes, DCS, ...), control characters and
//! bidirectional overrides are removed, tabs become spaces. Line breaks (LF, CRLF, a lone CR,
//! U+2028 and U+2029) become `\n` when asked for, a space otherwise.

use std::borrow::Cow;
use std::iter::Peekable;
use std::str::Chars;

/// Removes escape sequences and control characters; keeps line breaks, as `\n`, when
/// `keep_newlines`.
pub fn clean_text(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| needs_work(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let line_break = if keep_newlines { '\n' } else { ' ' };
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // The 8-bit CSI, OSC and string introducers start sequences too.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' => out.push_str("    "),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(line_break);
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push(line_break),
            c if c.is_control() || is_bidi(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`clean_text`] on one line: line breaks become spaces.
pub fn clean(s: &str) -> Cow<'_, str> {
    clean_text(s, false)
}

fn needs_work(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' => !keep_newlines,
        '\u{2028}' | '\u{2029}' => true,
        c => c.is_control() || is_bidi(c),
    }
}

/// Embeddings, overrides, isolates and marks that reorder what follows them.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

fn skip_escape(chars: &mut Peekable<Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | '_' | '^' | 'X') => skip_string(chars),
        // Charset selections and the like take one more character (ESC ( B).
        Some('(' | ')' | '*' | '+' | '-' | '.' | '/' | '#' | '%' | ' ') => {
            chars.next();
        }
        // Two-character sequences (ESC c, ESC 7, ...).
        _ => {}
    }
}

fn skip_csi(chars: &mut Peekable<Chars<'_>>) {
    // Parameter and intermediate bytes, then one final byte in @..~. Anything else ends the
    // sequence without being eaten, so a broken sequence cannot swallow the text after it.
    while let Some(&c) = chars.peek() {
        if ('\u{20}'..='\u{3f}').contains(&c) {
            chars.next();
        } else {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                chars.next();
            }
            break;
        }
    }
}

fn skip_string(chars: &mut Peekable<Chars<'_>>) {
    // Up to BEL, ST (ESC \) or the 8-bit ST.
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            clean("Hello - Lisa, été 日本 👩‍💻"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(clean("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(clean("a\u{1b}]52;c;aGk=\u{1b}\\b"), "ab");
        assert_eq!(
            clean("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b"),
            "alinkb"
        );
        assert_eq!(clean("x\u{9b}2Jy"), "xy");
        assert_eq!(clean("\u{1b}(Bok"), "ok");
        assert_eq!(clean("\u{1b}Pq#0;2;0;0;0\u{1b}\\ok"), "ok");
    }

    #[test]
    fn a_broken_sequence_does_not_swallow_text() {
        assert_eq!(clean("\u{1b}[12été"), "été");
    }

    #[test]
    fn controls_and_bidi_overrides_are_removed() {
        assert_eq!(clean("a\u{7}b\u{8}c\u{0}d\u{7f}e\u{202e}f"), "abcdef");
        assert_eq!(clean("one\ntwo\rthree\tfour"), "one two three    four");
    }

    #[test]
    fn every_kind_of_line_break_is_kept_as_lf_when_asked() {
        assert_eq!(clean_text("one\ntwo", true), "one\ntwo");
        assert_eq!(clean_text("a\r\nb\rc\u{2028}d", true), "a\nb\nc\nd");
        assert_eq!(clean("a\r\nb"), "a b");
    }
}
