//! The agent's "do not translate" keyword: everything after it reaches the user verbatim.
//! The brokering spec applies it from agent to user only.

/// The default keyword.
pub const DEFAULT_KEYWORD: &str = "DNT";

/// An agent's message cut at its first do-not-translate keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// What comes before the keyword, to translate (trailing whitespace removed).
    pub translate: &'a str,
    /// What follows the keyword, verbatim (the whitespace after the keyword removed); `None`
    /// when there is no keyword.
    pub verbatim: Option<&'a str>,
}

/// Cuts `text` at the first whole-word, case-sensitive `keyword` (a word: bounded by the
/// text's ends or whitespace). An empty keyword never matches.
pub fn split<'a>(text: &'a str, keyword: &str) -> Split<'a> {
    let whole = Split {
        translate: text,
        verbatim: None,
    };
    if keyword.is_empty() {
        return whole;
    }
    for (at, _) in text.match_indices(keyword) {
        let end = at + keyword.len();
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        let after_ok = text[end..].chars().next().is_none_or(char::is_whitespace);
        if before_ok && after_ok {
            return Split {
                translate: text[..at].trim_end(),
                verbatim: Some(text[end..].trim_start()),
            };
        }
    }
    whole
}

/// Puts a translated front and a verbatim tail back together, one space between them.
pub fn join(translated: &str, verbatim: Option<&str>) -> String {
    match verbatim {
        Some(tail) if translated.is_empty() => tail.to_owned(),
        Some("") | None => translated.to_owned(),
        Some(tail) => format!("{translated} {tail}"),
    }
}
