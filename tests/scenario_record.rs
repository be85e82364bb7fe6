//! Record, replay, fork and autoplay in the console, headless on `TestBackend` against a real
//! broker: a session done by hand is recorded and the file passes `handoff run` (the real
//! binary); seed 000 replays green step by step and by autoplay; a replay forked before the
//! accept, finished by hand and saved, is a second scenario that passes too.
// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;
mod common;
mod console_support;

use console_support::Harness;
use crossterm::event::KeyCode;
use handoff::broker::BrokerConfig;
use handoff::console::Focus;
use handoff::console::replay::{self, Mark};
use handoff::scenario::{Action, Scenario};
use handoff::theme::Theme;
use std::path::Path;

const SEED_000: &str = "tests/scenarios/seed_000_brokered.toml";
const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

async fn console() -> Harness {
    Harness::start(BrokerConfig::default(), Theme::default(), 160, 48).await
}

/// `handoff run FILE` through the real binary: its exit code and what it printed.
fn run_file(file: &Path) -> cli_support::Exit {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = cli_support::handoff(home.path());
    cmd.arg("run").arg(file);
    cli_support::run_to_exit(&mut cmd, "handoff run")
}

fn assert_passes(file: &Path) {
    let exit = run_file(file);
    let text = std::fs::read_to_string(file).unwrap_or_default();
    assert_eq!(exit.code, Some(0), "{exit:#?}\nthe file:\n{text}");
    assert!(exit.stdout.contains("1 passed, 0 failed"), "{exit:#?}");
}

/// Tab until `focus`, a bounded number of times.
async fn focus(h: &mut Harness, focus: Focus) {
    for _ in 0..6 {
        if h.console.app.focus == focus {
            return;
        }
        h.key(KeyCode::Tab).await;
    }
    assert_eq!(h.console.app.focus, focus);
}

/// The user asks for an agent as in seed 000 and presses Start agent chat; Lisa (the inbox)
/// accepts by hand and answers.
async fn seed_000_by_hand(h: &mut Harness) {
    h.say("I'd like to speak to a live agent").await;
    h.see("provide more details").await;
    h.say("I'm running into a strange issue with a SQL database that I'm using.")
        .await;
    h.see("Start agent chat").await;
    h.alt('1').await;
    accept_and_answer(h).await;
}

async fn accept_and_answer(h: &mut Harness) {
    h.see("[ Accept (a) ]").await;
    focus(h, Focus::Inbox).await;
    h.key(KeyCode::Char('a')).await;
    h.until_state("the reply box", |h| h.console.app.focus == Focus::Reply)
        .await;
    h.see(GREETING).await;
    h.say("It says “connection refused” 🔌").await;
    h.until("the reply in the chat", |s| {
        s.matches("connection refused").count() >= 2
    })
    .await;
    focus(h, Focus::Chat).await;
    h.say("Merci, ça marche").await;
    h.until("the user's thanks in the inbox", |s| {
        s.matches("ça marche").count() >= 2
    })
    .await;
}

fn marks(h: &Harness) -> Vec<Option<Mark>> {
    h.console
        .app
        .scenario
        .replay
        .as_ref()
        .expect("a replay")
        .marks
        .clone()
}

async fn replay_to_the_end(h: &mut Harness) {
    h.until_state("every step played", |h| {
        marks(h).iter().all(Option::is_some)
            || marks(h).iter().any(|m| matches!(m, Some(Mark::Fail(..))))
    })
    .await;
    let replay = h.console.app.scenario.replay.as_ref().unwrap();
    assert!(
        replay.all_passed(),
        "marks: {:#?}\nscreen:\n{}",
        replay.marks,
        h.text()
    );
}

#[tokio::test]
async fn a_session_recorded_by_hand_passes_handoff_run_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("by-hand.toml");
    let mut h = console().await;
    replay::start_recording(&mut h.console.app, file.clone(), false);
    h.console.draw().unwrap();
    h.see("● REC 0").await;
    seed_000_by_hand(&mut h).await;
    h.key(KeyCode::F(5)).await;
    h.see("Saved").await;
    assert!(h.console.app.scenario.recording.is_none());
    h.stop().await;

    let recorded = handoff::scenario::load(&file).expect("a valid scenario");
    let did: Vec<(String, &str)> = recorded
        .steps
        .iter()
        .filter(|s| !matches!(s.action, Action::See { .. } | Action::State { .. }))
        .map(|s| (s.actor.clone(), s.action.name()))
        .collect();
    let expected = [
        ("user", "say"),
        ("user", "say"),
        ("user", "buttons"),
        ("user", "press"),
        ("Lisa", "request"),
        ("Lisa", "accept"),
        ("Lisa", "reply"),
        ("user", "say"),
    ];
    let expected: Vec<(String, &str)> = expected
        .iter()
        .map(|(a, d)| ((*a).to_owned(), *d))
        .collect();
    assert_eq!(did, expected);
    assert!(
        recorded.steps.iter().any(|s| s.actor == "Lisa"
            && matches!(&s.action,
            Action::See { equals: Some(t), .. } if t == "Merci, ça marche")),
        "Lisa saw the thanks"
    );
    assert_passes(&file);
}

#[tokio::test]
async fn a_file_that_cannot_be_written_is_said_and_the_recording_saved_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-such-folder").join("rec.toml");
    let mut h = console().await;
    replay::start_recording(&mut h.console.app, file.clone(), false);
    h.say("hello").await;
    h.key(KeyCode::F(5)).await;
    h.see("Cannot write").await;
    let notice = h.console.app.notices.back().expect("a notice").clone();
    assert!(
        notice.error && notice.text.contains("instead"),
        "{notice:?}"
    );
    let spare = notice
        .text
        .split("saved to ")
        .nth(1)
        .and_then(|t| t.strip_suffix(" instead"));
    let spare = Path::new(spare.expect("the other name"));
    let kept = handoff::scenario::load(spare).expect("the recording, kept");
    assert!(matches!(&kept.steps[0].action, Action::Say { text, .. } if text == "hello"));
    std::fs::remove_file(spare).unwrap();
    h.stop().await;
}

fn seed_000() -> Scenario {
    handoff::scenario::load(Path::new(SEED_000)).expect("seed 000")
}

#[tokio::test]
async fn seed_000_replays_green_in_the_console_with_the_conversation_in_the_panes() {
    let mut h = console().await;
    replay::load(&mut h.console.app, seed_000(), None);
    h.console.draw().unwrap();
    h.see("Replay: seed 000").await;
    h.key(KeyCode::F(6)).await;
    h.until_state("the first step", |h| marks(h)[0] == Some(Mark::Pass))
        .await;
    assert_eq!(marks(&h)[1], None, "one step at a time");
    h.key(KeyCode::F(7)).await;
    replay_to_the_end(&mut h).await;
    h.see(GREETING).await;
    h.see("✓  12").await;
    h.stop().await;
}

#[tokio::test]
async fn a_failed_expectation_shows_expected_and_seen_in_place() {
    let mut wrong = seed_000();
    wrong.steps.truncate(2);
    wrong.steps[1].action = Action::See {
        equals: Some("Something else entirely".into()),
        contains: None,
        matches: None,
    };
    wrong.options.timeout_ms = Some(300);
    let mut h = console().await;
    replay::load(&mut h.console.app, wrong, None);
    h.key(KeyCode::F(7)).await;
    h.until_state("the failure", |h| {
        matches!(marks(h)[1], Some(Mark::Fail(..)))
    })
    .await;
    h.see("expected a message equal to \"Something else entirely\"")
        .await;
    h.see("seen     \"Could you please provide more details")
        .await;
    h.stop().await;
}

#[tokio::test]
async fn a_replay_forked_before_the_accept_and_finished_by_hand_is_a_second_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("seed.toml");
    std::fs::copy(SEED_000, &original).unwrap();
    let scenario = handoff::scenario::load(&original).unwrap();
    let accept = scenario
        .steps
        .iter()
        .position(|s| matches!(s.action, Action::Accept { .. }))
        .unwrap();
    let mut h = console().await;
    replay::load(&mut h.console.app, scenario, None);
    // The mark goes to the step before the accept; F8 plays up to it.
    let last = h.console.app.scenario.replay.as_ref().unwrap().mark;
    for _ in 0..(last + 1 - accept) {
        h.send(crossterm::event::Event::Key(
            crossterm::event::KeyEvent::new(KeyCode::Up, crossterm::event::KeyModifiers::ALT),
        ))
        .await;
    }
    h.key(KeyCode::F(8)).await;
    h.until_state("the steps before the accept", |h| {
        h.console.app.scenario.replay.as_ref().unwrap().at == accept
    })
    .await;
    h.key(KeyCode::F(9)).await;
    h.see("Forked after step").await;
    accept_and_answer(&mut h).await;
    // F5 asks the fork's name, suggesting `<name>-fork.toml` beside the scenario.
    h.key(KeyCode::F(5)).await;
    h.see("Save the fork as").await;
    h.see("seed-fork.toml").await;
    h.key(KeyCode::Enter).await;
    h.see("Saved").await;
    h.stop().await;

    let fork = dir.path().join("seed-fork.toml");
    let forked = handoff::scenario::load(&fork).expect("the fork, saved beside the original");
    let actions = |s: &Scenario| -> Vec<(String, Action)> {
        s.steps[..accept]
            .iter()
            .map(|s| (s.actor.clone(), s.action.clone()))
            .collect()
    };
    let original_steps = handoff::scenario::load(&original).unwrap();
    assert_eq!(
        actions(&forked),
        actions(&original_steps),
        "the steps before the fork"
    );
    assert!(forked.steps.iter().any(
        |s| matches!(&s.action, Action::Reply { text, .. } if text.contains("connection refused"))
    ));
    assert_passes(&fork);
    assert_passes(&original);
}

#[tokio::test]
async fn autoplay_plays_seed_000_to_the_end_typing_in_the_composer() {
    let mut h = console().await;
    replay::load(&mut h.console.app, seed_000(), Some(4));
    h.until_state("the first message being typed", |h| {
        let typed = h.console.app.chat.composer.lines().join("\n");
        !typed.is_empty() && typed.len() < "I'd like to speak to a live agent".len()
    })
    .await;
    replay_to_the_end(&mut h).await;
    h.see(GREETING).await;
    h.stop().await;
}

#[tokio::test]
async fn a_fork_is_never_saved_over_a_file_the_name_is_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("seed.toml");
    std::fs::copy(SEED_000, &original).unwrap();
    let mut h = console().await;
    replay::load(
        &mut h.console.app,
        handoff::scenario::load(&original).unwrap(),
        None,
    );
    h.key(KeyCode::F(6)).await;
    h.until_state("the first step played", |h| {
        h.console.app.scenario.replay.as_ref().unwrap().at == 1
    })
    .await;
    h.key(KeyCode::F(9)).await;
    h.see("Forked after step").await;
    // Esc gives the name up: nothing is written and the fork is still recorded.
    h.key(KeyCode::F(5)).await;
    h.see("Save the fork as").await;
    h.key(KeyCode::Esc).await;
    h.see("the fork is still recorded").await;
    assert!(h.console.app.scenario.recording.is_some());
    // A name that is taken is refused, and the question stays for another.
    h.key(KeyCode::F(5)).await;
    h.see("Save the fork as").await;
    for _ in 0..400 {
        h.key(KeyCode::Backspace).await;
    }
    let taken = original.display().to_string();
    for c in taken.chars() {
        h.key(KeyCode::Char(c)).await;
    }
    h.key(KeyCode::Enter).await;
    h.until_state("the name refused", |h| {
        let asking = h.console.app.palette.as_ref().and_then(|p| p.ask.as_ref());
        asking
            .and_then(|a| a.problem.as_deref())
            .is_some_and(|p| p.ends_with("exists: choose another name"))
    })
    .await;
    let before = std::fs::read_to_string(&original).unwrap();
    for _ in 0..".toml".len() {
        h.key(KeyCode::Backspace).await;
    }
    for c in "-mine".chars() {
        h.key(KeyCode::Char(c)).await;
    }
    h.key(KeyCode::Enter).await;
    h.see("Saved").await;
    h.stop().await;
    assert_eq!(std::fs::read_to_string(&original).unwrap(), before);
    let mine = dir.path().join("seed-mine.toml");
    let saved = handoff::scenario::load(&mine).expect("saved under the name given, .toml added");
    assert_eq!(
        saved.steps[0].action,
        Action::Say {
            text: "I'd like to speak to a live agent".into(),
            fails: None
        }
    );
}
