//! Cleaning text that comes from outside (agents, users, connectors, the broker) before it
//! reaches a `Span`: terminal escape sequences, control characters and bidirectional overrides
//! are removed, tabs become spaces. Newlines are kept only when asked for.

use std::borrow::Cow;

/// Removes escape sequences and control characters; keeps `\n` when `keep_newlines`.
pub fn clean_text(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| needs_work(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // The 8-bit CSI and OSC introducers start sequences too.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' => skip_osc(&mut chars),
            '\t' => out.push_str("    "),
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\r' => out.push(' '),
            c if is_control(c) || is_bidi(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`clean_text`] on one line: newlines become spaces.
pub fn clean(s: &str) -> Cow<'_, str> {
    clean_text(s, false)
}

fn needs_work(c: char, keep_newlines: bool) -> bool {
    (c == '\n' && !keep_newlines) || (c != '\n' && is_control(c)) || is_bidi(c)
}

fn is_control(c: char) -> bool {
    c.is_control()
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | '_' | '^' | 'X') => skip_osc(chars),
        // Two-character sequences (ESC c, ESC 7, ...) and charset selections (ESC ( B).
        Some('(' | ')' | '*' | '+' | '#' | '%') => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameter and intermediate bytes, then one final byte in @..~.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

fn skip_osc(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
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
        assert!(matches!(clean("Hello - Lisa"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(clean("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(
            clean("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b"),
            "alinkb"
        );
        assert_eq!(clean("x\u{9b}2Jy"), "xy");
        assert_eq!(clean("\u{1b}(Bok"), "ok");
    }

    #[test]
    fn controls_and_bidi_overrides_are_removed() {
        assert_eq!(clean("a\u{7}b\u{8}c\u{0}d\u{7f}e\u{202e}f"), "abcdef");
        assert_eq!(clean("one\ntwo\rthree\tfour"), "one two three    four");
        assert_eq!(clean_text("one\ntwo", true), "one\ntwo");
    }
}
