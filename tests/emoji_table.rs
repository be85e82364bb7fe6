//! What happens to emoji in an agent's message on its way to the user: each row is
//! `input | what the user receives`. Standard emoji pass, standard platform tokens become their
//! emoji, custom ones are stripped, and ordinary text that only looks like a token stays.

use handoff::text::emoji::{for_user, is_blank};
use proptest::prelude::*;

const TABLE: &[(&str, &str)] = &[
    // Standard Unicode emoji pass untouched, ZWJ sequences and skin tones included.
    ("Thanks 😀", "Thanks 😀"),
    ("👩‍💻 on it 👍🏽", "👩‍💻 on it 👍🏽"),
    ("🇺🇸 ❤️", "🇺🇸 ❤️"),
    // Slack: standard shortcodes become emoji, custom ones go.
    ("Done :white_check_mark:", "Done ✅"),
    (":+1: sure", "👍 sure"),
    (":thumbsup::skin-tone-3:", "👍🏼"),
    ("great :partyparrot: job", "great job"),
    (":blob-dance: hello", "hello"),
    ("bye :custom_wave:", "bye"),
    // Slack look-alikes that are text.
    ("at 10:30:45 today", "at 10:30:45 today"),
    ("use std::io::stdin", "use std::io::stdin"),
    ("key:value:pair", "key:value:pair"),
    ("ratio 1:2:3", "ratio 1:2:3"),
    (":Capital:", ":Capital:"),
    // Discord-style custom emoji are always custom.
    ("hi <:blobwave:123456789012345678>", "hi"),
    ("<a:spin:42> ok", "ok"),
    ("a <b> tag and <:x:1>", "a <b> tag and <:x:1>"),
    // Teams: standard emoticon ids become emoji, custom ones go.
    ("(like) noted", "👍 noted"),
    ("sorry (sad)", "sorry 🙁"),
    ("ship it (partyparrot)", "ship it"),
    ("(contoso-logo) welcome", "welcome"),
    // Teams look-alikes that are text: capitals, spaces, digits only, attached to a word.
    ("(SQL) database", "(SQL) database"),
    ("(see above)", "(see above)"),
    ("item(s) and f(x)", "item(s) and f(x)"),
    ("step (2) of 3", "step (2) of 3"),
    ("Restart (Optional)", "Restart (Optional)"),
    // The price of the Teams rule: a lone lowercase word in parentheses reads as custom.
    ("Restart (optional)", "Restart"),
    // Nothing but custom emoji leaves nothing: the broker then sends nothing.
    (":partyparrot:", ""),
    ("<:a1:9> (custom)", ""),
];

#[test]
fn every_row_of_the_table_holds() {
    let wrong: Vec<String> = TABLE
        .iter()
        .filter(|(input, want)| for_user(input) != *want)
        .map(|(input, want)| format!("{input:?} gave {:?}, want {want:?}", for_user(input)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn blank_is_whitespace_and_invisible_characters_only() {
    for blank in ["", " ", "\t\n ", "\u{200b}", " \u{feff}\u{3000}"] {
        assert!(is_blank(blank), "{blank:?} is blank");
    }
    for text in ["a", " . ", "😀", "\u{200d}x"] {
        assert!(!is_blank(text), "{text:?} is not blank");
    }
}

/// Text built from the pieces tokens are made of, so the odd corners get hit often.
fn tokenish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(":"),
        Just("("),
        Just(")"),
        Just("<"),
        Just(">"),
        Just("<a:"),
        Just("a"),
        Just("Z"),
        Just("_"),
        Just("-"),
        Just(" "),
        Just("1"),
        Just("smile"),
        Just("like"),
        Just("skin-tone-2"),
        Just("é"),
        Just("👍"),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

fn check(s: &str) -> Result<(), TestCaseError> {
    let once = for_user(s);
    prop_assert!(
        once.chars().count() <= s.chars().count(),
        "{s:?} grew to {once:?}"
    );
    prop_assert_eq!(for_user(&once), once.clone(), "cleaning {:?} twice", s);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_unicode_never_grows_and_settles_at_once(s in any::<String>()) {
        check(&s)?;
    }

    #[test]
    fn token_like_text_never_grows_and_settles_at_once(s in tokenish()) {
        check(&s)?;
    }
}
