//! Where a seen message differs from the expected one, shown the way `git diff --word-diff`
//! does (`…speak with [-an-]{+a live+} agent…`), so a long message's one wrong word is found
//! at a glance in a failure report.

/// Characters of agreement shown on each side of the difference.
const CONTEXT: usize = 24;

/// The quoted text of a report line (`a message equal to "…"`): between its first and last `"`.
fn quoted(line: &str) -> Option<&str> {
    let start = line.find('"')?;
    let end = line.rfind('"')?;
    (end > start).then(|| &line[start + 1..end])
}

/// The difference between what a step `expected` and what was `seen` (report lines, each
/// with its text quoted), when both quote a text, they differ, and they agree on something
/// around the difference; `None` otherwise (nothing in common: the two lines say it all).
pub fn difference(expected: &str, seen: &str) -> Option<String> {
    let want: Vec<char> = quoted(expected)?.chars().collect();
    let got: Vec<char> = quoted(seen)?.chars().collect();
    if want == got {
        return None;
    }
    let prefix = want.iter().zip(&got).take_while(|(a, b)| a == b).count();
    let room = want.len().min(got.len()) - prefix;
    let suffix = want
        .iter()
        .rev()
        .zip(got.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    if prefix + suffix == 0 {
        return None;
    }
    // Whole words: an agreement that ends (or starts) inside a word gives that word back.
    let word = |v: &[char], i: usize| v.get(i).is_some_and(|c| !c.is_whitespace());
    let prefix =
        if prefix > 0 && word(&want, prefix - 1) && (word(&want, prefix) || word(&got, prefix)) {
            want[..prefix]
                .iter()
                .rposition(|c| c.is_whitespace())
                .map_or(0, |i| i + 1)
        } else {
            prefix
        };
    let (ws, gs) = (want.len() - suffix, got.len() - suffix);
    let inside = suffix > 0
        && word(&want, ws)
        && ((ws > 0 && word(&want, ws - 1)) || (gs > 0 && word(&got, gs - 1)));
    let suffix = if inside {
        want[ws..]
            .iter()
            .position(|c| c.is_whitespace())
            .map_or(0, |i| suffix - i)
    } else {
        suffix
    };
    if prefix + suffix == 0 {
        return None;
    }
    let text = |chars: &[char]| chars.iter().collect::<String>();
    let before = &want[prefix.saturating_sub(CONTEXT)..prefix];
    let after = &want[want.len() - suffix..want.len() - suffix + suffix.min(CONTEXT)];
    let mut out = String::new();
    if prefix > CONTEXT {
        out.push('…');
    }
    out.push_str(&text(before));
    let removed = &want[prefix..want.len() - suffix];
    let added = &got[prefix..got.len() - suffix];
    if !removed.is_empty() {
        out.push_str("[-");
        out.push_str(&text(removed));
        out.push_str("-]");
    }
    if !added.is_empty() {
        out.push_str("{+");
        out.push_str(&text(added));
        out.push_str("+}");
    }
    out.push_str(&text(after));
    if suffix > CONTEXT {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_changed_word_in_a_long_message_is_marked_with_context() {
        let expected = r#"a message equal to "I understand you'd like to speak with an agent. Please review the option""#;
        let seen =
            r#""I understand you'd like to speak with a live agent. Please review the option""#;
        assert_eq!(
            difference(expected, seen).unwrap(),
            "…ou'd like to speak with [-an-]{+a live+} agent. Please review th…"
        );
    }

    #[test]
    fn a_missing_or_extra_tail_is_shown_as_removed_or_added() {
        let d = difference(r#"equal to "Hello there""#, r#""Hello""#).unwrap();
        assert_eq!(d, "Hello[- there-]");
        let d = difference(r#"equal to "Hello""#, r#""Hello there""#).unwrap();
        assert_eq!(d, "Hello{+ there+}");
    }

    #[test]
    fn nothing_in_common_or_nothing_quoted_or_no_difference_gives_none() {
        assert_eq!(difference(r#"equal to "abc""#, r#""xyz""#), None);
        assert_eq!(difference("state connected", "state queued"), None);
        assert_eq!(difference(r#"equal to "same""#, r#""same""#), None);
        assert_eq!(difference(r#"equal to "x""#, "no new message"), None);
    }

    proptest! {
        /// Any Unicode on either side: no panic (it cuts on characters), a difference is always
        /// marked, and equal texts have none.
        #[test]
        fn any_text_is_diffed_on_character_boundaries(a in "\\PC{0,40}", b in "\\PC{0,40}") {
            let expected = format!("a message equal to \"{a}\"");
            let seen = format!("\"{b}\"");
            if let Some(d) = difference(&expected, &seen) {
                let marked = d.contains("[-") || d.contains("{+");
                prop_assert!(marked, "{:?} vs {:?}: {:?}", a, b, d);
            }
            prop_assert_eq!(difference(&expected, &format!("\"{a}\"")), None);
        }
    }
}
