//! Foreign text never crashes anything and is drawn as ratatui draws it: property tests over
//! arbitrary Unicode (combining marks, ZWJ emoji, skin tones, right-to-left, wide CJK, controls,
//! lone CR, CRLF mixes, long lines) through rich text, sanitising, widths, wrapping, frame
//! decoding, transcripts and the whole console. `handoff bench --fuzz` runs the same targets on
//! a million inputs.

use handoff::fuzz::{self, ConsolePath, Hostile, PIECES};
use handoff::text;
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Arbitrary Unicode, half of it from the pieces that break terminal programs.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        prop::sample::select(PIECES).prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..48).prop_map(|pieces| pieces.concat())
}

fn without_spaces(s: &str) -> String {
    s.chars().filter(|&c| c != ' ' && c != '\u{a0}').collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn widths_are_the_columns_ratatui_draws(s in hostile()) {
        let clean = text::clean(&s);
        let mut buffer = Buffer::empty(Rect::new(0, 0, 4096, 1));
        let (x, _) = buffer.set_stringn(0, 0, &*clean, usize::MAX, Style::new());
        prop_assert_eq!(usize::from(x), text::width(&clean));
    }

    #[test]
    fn wrapping_loses_nothing_and_fits_the_width(s in hostile(), columns in 1usize..120) {
        let clean = text::clean(&s).into_owned();
        let lines = text::wrap(&[(clean.clone(), ())], columns);
        let widest = {
            use unicode_segmentation::UnicodeSegmentation as _;
            clean.graphemes(true).map(text::grapheme_width).max().unwrap_or(0)
        };
        let mut joined = String::new();
        for line in &lines {
            let line: String = line.iter().map(|(t, ())| t.as_str()).collect();
            prop_assert!(text::width(&line) <= columns.max(widest), "{line:?} over {columns}");
            joined.push_str(&line);
        }
        prop_assert_eq!(without_spaces(&joined), without_spaces(&clean));
    }

    #[test]
    fn plain_text_survives_the_rich_text_round_trip(s in hostile()) {
        // Escape sequences are cut at line breaks by one side and not the other: leave them out.
        let s: String = s.chars().filter(|&c| c != '\u{1b}' && !('\u{80}'..='\u{9f}').contains(&c)).collect();
        let expected: Vec<String> = text::clean_text(&s, true)
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        prop_assert_eq!(text::to_plain(&text::paragraph(&s)), expected.join("\n"));
    }

    #[test]
    fn sanitised_text_has_no_controls_and_keeps_the_rest(s in hostile()) {
        let clean = text::clean_text(&s, true);
        prop_assert!(!clean.chars().any(|c| c != '\n' && c.is_control()));
        if !s.contains(|c: char| c.is_control() || ('\u{2028}'..='\u{2029}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}')) {
            prop_assert_eq!(&*clean, s.as_str());
        }
    }

    #[test]
    fn every_path_takes_arbitrary_text(s in hostile(), columns in 1usize..200) {
        prop_assert_eq!(fuzz::one(&s, columns, None), Ok(()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_console_takes_arbitrary_text_in_every_pane(
        s in hostile(), width in 1u16..200, height in 1u16..60,
    ) {
        let mut console = ConsolePath::new().map_err(TestCaseError::fail)?;
        prop_assert_eq!(fuzz::one(&s, 80, Some((&mut console, width, height))), Ok(()));
    }
}

#[test]
fn thousands_of_hostile_strings_pass_every_path_and_the_console() {
    let mut hostile = Hostile::new(20_261_203);
    hostile.long_every = 200;
    let mut console = ConsolePath::new().expect("a console");
    for index in 0..3_000 {
        let t = hostile.next_text();
        let (columns, w, h) = (
            hostile.usize(1..200),
            hostile.usize(1..220),
            hostile.usize(1..60),
        );
        if index % 50 == 0 {
            console = ConsolePath::new().expect("a console");
        }
        let console = (index % 4 == 0).then_some((&mut console, w as u16, h as u16));
        assert_eq!(
            fuzz::one(&t, columns, console),
            Ok(()),
            "input {index}: {t:?}"
        );
    }
}

#[test]
fn long_lines_of_every_kind_are_wrapped_and_drawn() {
    for unit in [
        "a",
        "é",
        "日本",
        "👩‍💻",
        "e\u{301}",
        "\r\n",
        "<b>",
        "&amp;",
        "\u{1b}[31m",
    ] {
        let line = unit.repeat(100_000 / unit.len());
        let mut console = ConsolePath::new().expect("a console");
        assert_eq!(
            fuzz::one(&line, 80, Some((&mut console, 120, 40))),
            Ok(()),
            "{unit:?}"
        );
    }
}

#[test]
fn inputs_the_fuzzer_found_stay_fixed() {
    // bench --fuzz, seed 1, input 451967: a space then U+FE0F was split off as a space run, and
    // the selector then widened the next line past the width.
    let found = "&amp;辫\u{200b}🧑🏿\u{200d}🤝\u{200d}🧑🏻&lt;&#  \u{fe0f}  }</i>;\u{1e}\0\u{1b}]52;c;aGk=\u{1b}\\\\\\>Ωmega<em>שלוםjﲇa</p>日本&#xD800;&hellipStop chat";
    for columns in 1..8 {
        assert_eq!(
            fuzz::text_paths(found, columns),
            Ok(()),
            "{columns} columns"
        );
    }
}
