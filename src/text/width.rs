//! Display widths, one grapheme cluster at a time, as ratatui's buffer lays text out: a ZWJ
//! emoji sequence or a flag is one cluster two columns wide, a combining mark adds nothing, and
//! a cluster that holds a control character is not drawn at all.

use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr as _;

/// The columns a string takes on a terminal.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// The columns one grapheme cluster takes (0 for clusters the terminal does not draw).
pub fn grapheme_width(g: &str) -> usize {
    if g.contains(char::is_control) {
        return 0;
    }
    if g.len() == 1 {
        return 1;
    }
    // Halfwidth katakana sound marks take a column of their own, as ratatui counts them.
    let marks = g
        .chars()
        .filter(|c| matches!(c, '\u{ff9e}' | '\u{ff9f}'))
        .count();
    g.width() + marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_the_hard_cases() {
        assert_eq!(width("été"), 3);
        assert_eq!(width("e\u{301}"), 1, "a combining accent adds nothing");
        assert_eq!(width("日本"), 4);
        assert_eq!(width("👩‍💻"), 2, "a ZWJ sequence is one emoji");
        assert_eq!(width("👍🏽"), 2, "a skin tone joins its emoji");
        assert_eq!(width("🇫🇷"), 2);
        assert_eq!(width("a\u{7}b"), 2, "controls are not drawn");
        assert_eq!(width(""), 0);
    }
}
