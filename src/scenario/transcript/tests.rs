use super::*;
use proptest::prelude::*;

fn seed(n: &str) -> Vec<Turn> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(n))
        .unwrap();
    wanted(&dir, Some(&file), &[]).unwrap()
}

fn lines(turns: &[&str]) -> Vec<Turn> {
    let owned: Vec<String> = turns.iter().map(|t| (*t).to_owned()).collect();
    of_lines(&owned).unwrap()
}

#[test]
fn a_seed_reads_as_turns_of_user_assistant_and_agent_with_the_press_as_the_broker_shows_it() {
    let turns = seed("000_");
    let who: Vec<&str> = turns.iter().map(|t| t.who.as_str()).collect();
    assert_eq!(
        who,
        [
            "user",
            "assistant",
            "user",
            "assistant",
            "user",
            "assistant",
            "Lisa"
        ]
    );
    assert_eq!(
        turns[3].text,
        "Determining appropriate live agent queue I understand you're having an issue with your \
         SQL Database and would like to speak with a live agent. Please review the provided \
         available option to proceed."
    );
    assert_eq!(turns[4].text, "Pressed \"Start agent chat\"");
    assert_eq!(
        turns[5].text,
        "Connecting you with a Live Agent Your live agent chat has started!"
    );
    assert_eq!(
        turns[6].text,
        "Hello - can you share more details about the error message you're seeing?"
    );
}

#[test]
fn the_first_differing_turn_is_named_with_both_sides() {
    let want = seed("000_");
    let seen = lines(&[
        "user: I'd like to speak to a live agent",
        "assistant: Could you please provide more details about the issue you're experiencing \
         so I can connect you with a live agent effectively?",
    ]);
    let error = compare(&want, &seen, true).unwrap_err();
    assert!(
        error.starts_with(
            "turn 2: expected assistant: \"Could you please provide more details \
             about the issue you're experience so"
        ),
        "{error}"
    );
    assert!(error.contains("seen assistant: \"Could you"), "{error}");
    let error = compare(&want[..2], &want[..1], true).unwrap_err();
    assert!(error.ends_with("seen no turn"), "{error}");
}

#[test]
fn system_turns_are_left_out_against_purple_chat_and_against_turns_that_write_none() {
    let want = lines(&["user: hi", "Lisa: hello"]);
    let seen = lines(&["user: hi", "system: Lisa joined the chat", "Lisa: hello"]);
    assert_eq!(compare(&want, &seen, true), Ok(()));
    assert_eq!(compare(&want, &seen, false), Ok(()));
}

#[test]
fn turns_that_write_a_system_turn_compare_every_system_turn() {
    let want = lines(&["user: hi", "system: Lisa joined the chat", "Lisa: hello"]);
    let seen = lines(&["user: hi", "system: Lisa joined", "Lisa: hello"]);
    assert!(compare(&want, &seen, false).is_err());
    assert!(compare(&want, &seen[..1], false).is_err());
    assert_eq!(compare(&want, &want, false), Ok(()));
}

#[test]
fn a_line_without_a_speaker_is_refused_with_its_turn() {
    let error = of_lines(&["user: hi".into(), "hello".into()]).unwrap_err();
    assert_eq!(error, "turn 2: \"hello\" is not \"who: text\"");
}

proptest! {
    /// Any text, in any script, compares equal to itself and never breaks the reading.
    #[test]
    fn any_text_reads_and_equals_itself(who in "[a-zA-Z]{1,8}", text in any::<String>()) {
        let turns = of_lines(&[format!("{who}: {text}")]).unwrap();
        prop_assert_eq!(compare(&turns, &turns.clone(), false), Ok(()));
        prop_assert!(turns.len() <= 1);
    }
}
