//! Word-wrapping marked runs to a width in terminal columns.

use super::width::{grapheme_width, width};
use unicode_segmentation::UnicodeSegmentation as _;

/// Wraps runs of text, each with a tag `T` (a style, marks), to lines of at most `columns`
/// columns: breaks at spaces, drops spaces at the ends of lines, and breaks a word longer than a
/// line between grapheme clusters. Always at least one line.
pub fn wrap<T: Copy + PartialEq>(runs: &[(String, T)], columns: usize) -> Vec<Vec<(String, T)>> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    let mut line: Vec<(String, T)> = Vec::new();
    let mut used = 0usize;
    for (text, tag) in runs {
        for word in split_words(text) {
            let w = width(word);
            if is_space(word) {
                if used > 0 && used + w <= columns {
                    push(&mut line, word, *tag);
                    used += w;
                }
                continue;
            }
            if used + w > columns && used > 0 {
                end_line(&mut lines, &mut line, &mut used);
            }
            if w <= columns {
                push(&mut line, word, *tag);
                used += w;
                continue;
            }
            // A word longer than the line: break it between grapheme clusters.
            for g in word.graphemes(true) {
                let gw = grapheme_width(g);
                if used + gw > columns && used > 0 {
                    end_line(&mut lines, &mut line, &mut used);
                }
                push(&mut line, g, *tag);
                used += gw;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        end_line(&mut lines, &mut line, &mut used);
    }
    lines
}

fn end_line<T>(lines: &mut Vec<Vec<(String, T)>>, line: &mut Vec<(String, T)>, used: &mut usize) {
    trim_trailing_space(line);
    lines.push(std::mem::take(line));
    *used = 0;
}

fn push<T: Copy + PartialEq>(line: &mut Vec<(String, T)>, text: &str, tag: T) {
    if text.is_empty() {
        return;
    }
    match line.last_mut() {
        Some((last, last_tag)) if *last_tag == tag => last.push_str(text),
        _ => line.push((text.to_owned(), tag)),
    }
}

fn trim_trailing_space<T>(line: &mut Vec<(String, T)>) {
    while let Some((last, _)) = line.last_mut() {
        let kept = last.trim_end_matches(is_space_char).len();
        if kept == 0 {
            line.pop();
        } else {
            last.truncate(kept);
            break;
        }
    }
}

fn is_space_char(c: char) -> bool {
    c == ' ' || c == '\u{a0}'
}

fn is_space(word: &str) -> bool {
    word.chars().all(is_space_char)
}

/// Splits into words and runs of spaces, keeping both, between grapheme clusters: a space that
/// a combining mark or a variation selector follows belongs to the word it starts.
fn split_words(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let mut graphemes = rest.grapheme_indices(true);
        let (_, first) = graphemes.next()?;
        let spaces = is_space(first);
        let end = graphemes
            .find(|&(_, g)| is_space(g) != spaces)
            .map_or(rest.len(), |(i, _)| i);
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(runs: &[(String, ())], columns: usize) -> Vec<String> {
        wrap(runs, columns)
            .into_iter()
            .map(|l| l.into_iter().map(|(t, ())| t).collect())
            .collect()
    }

    fn one(text: &str) -> Vec<(String, ())> {
        vec![(text.to_owned(), ())]
    }

    #[test]
    fn breaks_at_words_and_inside_long_words() {
        assert_eq!(
            texts(&one("hello brave new world"), 10),
            ["hello", "brave new", "world"]
        );
        assert_eq!(texts(&one("abcdefghij"), 4), ["abcd", "efgh", "ij"]);
        assert_eq!(texts(&[], 4), [""]);
    }

    #[test]
    fn wide_and_joined_clusters_are_never_split() {
        assert_eq!(
            texts(&one("日本語テキスト"), 5),
            ["日本", "語テ", "キス", "ト"]
        );
        assert_eq!(texts(&one("👩‍💻👩‍💻👩‍💻"), 4), ["👩‍💻👩‍💻", "👩‍💻"]);
        assert_eq!(
            texts(&one("e\u{301}e\u{301}e\u{301}"), 2),
            ["e\u{301}e\u{301}", "e\u{301}"]
        );
    }

    #[test]
    fn a_space_that_a_mark_follows_is_part_of_a_word() {
        for (text, columns) in [
            (" \u{fe0f} x", 2),
            ("a \u{301}b c", 2),
            ("} \u{fe0f}  }", 2),
        ] {
            for line in texts(&one(text), columns) {
                assert!(width(&line) <= columns, "{text:?}: {line:?}");
            }
        }
    }

    #[test]
    fn no_line_is_wider_than_asked_unless_one_cluster_is() {
        for line in texts(&one("ab 日本 x"), 1) {
            assert!(width(&line) <= 2, "{line:?}");
        }
    }
}
