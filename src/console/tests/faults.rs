//! Faults by hand from the command palette: each entry runs, asks its question, or is shown
//! unavailable with the reason (and says it again when chosen); never silently nothing.

use super::*;
use crate::console::faults::{Controls, MOCK_MAKES_NO_CALLS};
use crate::scenario::Action;
use crate::scenario::faults::FaultTarget;

const EMULATOR: &str = "http://127.0.0.1:9";

/// The seed 000 conversation offered, both connections up, on a system with an emulator.
fn emulated() -> App {
    let mut app = offered();
    for side in [Side::User, Side::Agent] {
        let link = Link::Connected;
        update(&mut app, Msg::Link { side, link });
    }
    app.controls = Controls::Emulator(EMULATOR.into());
    app
}

fn run_entry(app: &mut App, filter: &str) -> Vec<Command> {
    update(app, ctrl('p'));
    typed(app, filter);
    update(app, key(KeyCode::Enter))
}

fn notice(app: &App) -> String {
    app.shown_notice()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

/// Replaces the suggested answer of the open question with `answer`.
fn answer(app: &mut App, answer: &str) -> Vec<Command> {
    for _ in 0..32 {
        update(app, key(KeyCode::Backspace));
    }
    typed(app, answer);
    update(app, key(KeyCode::Enter))
}

fn asked(app: &App) -> Option<crate::console::palette::ask::Question> {
    app.palette.as_ref()?.ask.as_ref().map(|a| a.question)
}

#[test]
fn the_palette_lists_every_fault_naming_the_agent_the_inbox_acts_as() {
    let mut app = emulated();
    update(&mut app, ctrl('p'));
    typed(&mut app, "fault");
    let (text, _) = screen(&app, 120, 40);
    for label in [
        "Fault: drop the user's socket",
        "Fault: drop Lisa's socket",
        "Fault: fail the system's next N calls…",
        "Fault: delay the system by N ms…",
        "Fault: expire the queue now",
    ] {
        assert!(text.contains(label), "{label} missing:\n{text}");
    }
    assert!(!text.contains("unavailable"), "{text}");
}

#[test]
fn dropping_the_user_socket_asks_the_connection_to_drop_and_says_it_resumes() {
    let mut app = emulated();
    let commands = run_entry(&mut app, "drop user");
    assert_eq!(commands, [Command::DropSocket(Side::User)]);
    assert!(
        notice(&app).contains("reconnects with since"),
        "{}",
        notice(&app)
    );
    let commands = run_entry(&mut app, "drop lisa");
    assert_eq!(commands, [Command::DropSocket(Side::Agent)]);
}

#[test]
fn a_socket_that_is_not_up_is_shown_unavailable_and_is_not_dropped() {
    let mut app = emulated();
    let link = Link::Reconnecting {
        attempt: 1,
        error: "gone".into(),
    };
    update(
        &mut app,
        Msg::Link {
            side: Side::Agent,
            link,
        },
    );
    update(&mut app, ctrl('p'));
    typed(&mut app, "drop lisa");
    let (text, _) = screen(&app, 120, 40);
    assert!(text.contains("(unavailable)"), "{text}");
    assert!(text.contains("the agent connection is not up"), "{text}");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(notice(&app).contains("Nothing dropped"), "{}", notice(&app));
}

#[test]
fn without_fault_controls_the_system_faults_say_why_they_are_unavailable() {
    let mut app = emulated();
    let why = "on an external broker (--broker)";
    app.controls = Controls::Unavailable(why.into());
    for filter in ["fail the system", "delay the system", "expire the queue"] {
        update(&mut app, ctrl('p'));
        typed(&mut app, filter);
        let (text, _) = screen(&app, 120, 40);
        assert!(
            text.contains("(unavailable)") && text.contains(why),
            "{text}"
        );
        assert!(update(&mut app, key(KeyCode::Enter)).is_empty(), "{filter}");
        assert!(app.palette.is_none(), "no question is asked");
        assert!(notice(&app).contains(why), "{}", notice(&app));
    }
}

#[tokio::test]
async fn on_the_mock_desk_the_queue_expires_and_the_call_faults_say_why_they_are_unavailable() {
    let mut app = emulated();
    let (events, _rx) = tokio::sync::mpsc::channel(16);
    let desk =
        crate::systems::mock::MockDesk::spawn(crate::systems::mock::DeskConfig::default(), events);
    let target = FaultTarget::MockDesk(desk);
    app.controls = Controls::MockDesk(target.clone());
    let why = "the mock desk makes no calls to fail or slow";
    assert!(MOCK_MAKES_NO_CALLS.starts_with(why));
    for filter in ["fail the system", "delay the system"] {
        update(&mut app, ctrl('p'));
        typed(&mut app, filter);
        let (text, _) = screen(&app, 120, 40);
        assert!(
            text.contains("(unavailable)") && text.contains(why),
            "{text}"
        );
        assert!(update(&mut app, key(KeyCode::Enter)).is_empty(), "{filter}");
        assert!(notice(&app).contains(why), "{}", notice(&app));
    }
    update(&mut app, ctrl('p'));
    typed(&mut app, "expire the queue");
    let (text, _) = screen(&app, 120, 40);
    assert!(!text.contains("(unavailable)"), "{text}");
    let commands = update(&mut app, key(KeyCode::Enter));
    let [
        Command::Fault {
            target: sent,
            action: Action::ExpireQueue,
            conversation,
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}");
    };
    assert_eq!(*sent, target, "the embedded broker's own mock desk");
    assert_eq!(conversation, "c-1");
}

#[test]
fn fail_asks_how_many_calls_and_how_then_sends_the_fault_to_the_emulator() {
    let mut app = emulated();
    assert!(run_entry(&mut app, "fail").is_empty());
    assert_eq!(
        asked(&app),
        Some(crate::console::palette::ask::Question::FailCalls)
    );
    let (text, _) = screen(&app, 120, 40);
    assert!(text.contains("Fail the system's next N calls"), "{text}");
    assert!(text.contains("> 1 5xx"), "the suggestion is typed:\n{text}");
    assert!(text.contains("timeout, malformed, lost"), "{text}");
    let commands = answer(&mut app, "3 429");
    let [Command::Fault { target, action, .. }] = commands.as_slice() else {
        panic!("{commands:?}");
    };
    assert_eq!(*target, FaultTarget::Emulator(EMULATOR.into()));
    assert!(
        matches!(
            action,
            Action::Fail {
                count: 3,
                status: 429,
                retry_after: Some(1),
                ..
            }
        ),
        "{action:?}"
    );
    assert!(app.palette.is_none());
    assert!(notice(&app).contains("Injecting"), "{}", notice(&app));
}

#[test]
fn enter_alone_takes_the_suggested_answer() {
    let mut app = emulated();
    run_entry(&mut app, "fail");
    let commands = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(
            commands.as_slice(),
            [Command::Fault {
                action: Action::Fail {
                    count: 1,
                    status: 500,
                    ..
                },
                ..
            }]
        ),
        "{commands:?}"
    );
}

#[test]
fn a_wrong_answer_is_said_under_the_question_which_stays() {
    let mut app = emulated();
    run_entry(&mut app, "fail");
    assert!(answer(&mut app, "2 teapot").is_empty());
    assert!(asked(&app).is_some(), "the question stays");
    let (text, _) = screen(&app, 120, 40);
    assert!(text.contains("\"teapot\" is neither"), "{text}");
    update(&mut app, key(KeyCode::Esc));
    assert!(app.palette.is_none());
    assert_eq!(notice(&app), "No fault injected");
}

#[test]
fn delay_asks_how_late_and_the_queue_expires_for_the_users_conversation() {
    let mut app = emulated();
    run_entry(&mut app, "delay");
    let commands = answer(&mut app, "250 2");
    assert!(
        matches!(
            commands.as_slice(),
            [Command::Fault {
                action: Action::Delay { ms: 250, count: 2 },
                ..
            }]
        ),
        "{commands:?}"
    );
    let commands = run_entry(&mut app, "expire");
    let [
        Command::Fault {
            action,
            conversation,
            ..
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}");
    };
    assert_eq!(*action, Action::ExpireQueue);
    assert_eq!(conversation, "c-1");
}

#[test]
fn arbitrary_text_typed_at_a_question_is_kept_bounded_and_clean() {
    let mut app = emulated();
    run_entry(&mut app, "delay");
    let mut rng = fastrand::Rng::with_seed(16);
    let pieces = ["é", "日本", "\u{202e}", "\u{1b}[31m", "👩‍💻", " ", "9"];
    let text = pieced(&mut rng, &pieces, 600);
    typed(&mut app, &text);
    let kept = &app.palette.as_ref().unwrap().ask.as_ref().unwrap().answer;
    assert!(kept.chars().count() <= crate::console::palette::ask::ANSWER_CHARS);
    assert!(!kept.contains('\u{1b}'));
    let (screen_text, _) = screen(&app, 120, 40);
    assert!(!screen_text.contains('\u{1b}') && !screen_text.contains('\u{202e}'));
    update(&mut app, key(KeyCode::Enter));
}

#[test]
fn a_fault_injected_while_recording_is_a_step_of_the_scenario() {
    let mut app = emulated();
    update(&mut app, key(KeyCode::F(5)));
    run_entry(&mut app, "drop user");
    run_entry(&mut app, "fail");
    update(&mut app, key(KeyCode::Enter));
    let rec = app.scenario.recording.as_ref().expect("recording");
    let steps = rec.recorder.scenario().steps;
    let actions: Vec<&str> = steps.iter().map(|s| s.action.name()).collect();
    assert!(actions.ends_with(&["drop", "fail"]), "{actions:?}");
}
