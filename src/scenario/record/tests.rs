use super::*;
use crate::protocol::{AgentInfo, ButtonAction, Part, Role};
use proptest::prelude::*;

/// A message of `role` (by `agent`) with one text part; shared with the stored-log tests.
pub(in crate::scenario) fn message(
    id: &str,
    role: Role,
    agent: Option<&str>,
    text: &str,
) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        role,
        agent: agent.map(|name| AgentInfo {
            name: name.into(),
            avatar: None,
            on_behalf: false,
        }),
        parts: vec![Part::text(text)],
        at: 0,
        request: None,
        translation: None,
    }
}

fn say(text: &str) -> Action {
    Action::Say {
        text: text.into(),
        fails: None,
    }
}

fn written(rec: &Recorder) -> Vec<(String, &'static str)> {
    rec.scenario()
        .steps
        .iter()
        .map(|s| (s.actor.clone(), s.action.name()))
        .collect()
}

#[test]
fn messages_shown_are_written_before_the_next_action_with_their_latest_text() {
    let mut rec = Recorder::new("t", Options::default());
    rec.acted(USER, say("hi"));
    rec.shown(
        USER,
        &message("m1", Role::Assistant, None, "Thinking"),
        true,
    );
    rec.shown(
        USER,
        &message("m1", Role::Assistant, None, "Thinking done"),
        true,
    );
    rec.acted(USER, say("thanks"));
    let steps = rec.scenario().steps;
    assert_eq!(steps.len(), 3);
    assert_eq!(
        steps[1].action,
        Action::See {
            equals: Some("Thinking done".into()),
            contains: None,
            matches: None
        }
    );
    assert_eq!(steps[2].action, say("thanks"));
}

#[test]
fn a_later_version_of_a_message_shown_before_is_no_new_expectation() {
    let mut rec = Recorder::new("t", Options::default());
    rec.shown(
        USER,
        &message("m1", Role::Assistant, None, "Thinking"),
        true,
    );
    rec.acted(USER, say("go on"));
    rec.shown(
        USER,
        &message("m1", Role::Assistant, None, "Thinking done"),
        false,
    );
    rec.shown(
        USER,
        &message("m0", Role::Assistant, None, "from before the recording"),
        false,
    );
    let names: Vec<_> = written(&rec).into_iter().map(|(_, d)| d).collect();
    assert_eq!(names, ["see", "say"]);
}

#[test]
fn an_actors_own_messages_and_messages_without_text_are_not_expectations() {
    let mut rec = Recorder::new("t", Options::default());
    rec.shown(USER, &message("u1", Role::User, None, "mine"), true);
    rec.shown(
        "Lisa",
        &message("a1", Role::Agent, Some("Lisa"), "mine too"),
        true,
    );
    rec.shown(
        "Lisa",
        &message("a2", Role::Agent, Some("Sam"), "Sam's"),
        true,
    );
    rec.shown(USER, &message("b1", Role::Assistant, None, ""), true);
    assert_eq!(written(&rec), [("Lisa".to_owned(), "see")]);
}

#[test]
fn an_agents_first_accept_waits_for_the_request_and_later_ones_do_not() {
    let mut rec = Recorder::new("t", Options::default());
    rec.acted(
        "Lisa",
        Action::Reject {
            reason: "busy".into(),
            fails: None,
        },
    );
    rec.acted("Sam", Action::Accept { fails: None });
    rec.acted("Lisa", Action::Accept { fails: None });
    let names: Vec<_> = written(&rec)
        .into_iter()
        .map(|(a, d)| format!("{a} {d}"))
        .collect();
    assert_eq!(
        names,
        [
            "Lisa request",
            "Lisa reject",
            "Sam request",
            "Sam accept",
            "Lisa accept"
        ]
    );
}

#[test]
fn a_state_is_a_step_once_with_its_agent() {
    let mut rec = Recorder::new("t", Options::default());
    let connected = HandoffState::Connected {
        agent: "Lisa".into(),
        since: 1,
        with: Vec::new(),
    };
    rec.state(&connected);
    rec.state(&connected);
    let steps = rec.scenario().steps;
    assert_eq!(steps.len(), 1);
    assert_eq!(
        steps[0].action,
        Action::State {
            is: "connected".into(),
            fields: BTreeMap::from([("agent".into(), "Lisa".into())]),
        }
    );
}

#[test]
fn held_back_messages_are_bounded_and_the_oldest_written_at_the_bound() {
    let mut rec = Recorder::new("t", Options::default());
    for n in 0..=MAX_SHOWN {
        rec.shown(
            USER,
            &message(&format!("m{n}"), Role::Assistant, None, &format!("{n}")),
            true,
        );
    }
    assert_eq!(rec.shown.len(), MAX_SHOWN);
    assert_eq!(rec.steps.len(), 1, "the oldest was written out");
    assert_eq!(rec.len(), MAX_SHOWN + 1, "nothing lost");
}

#[test]
fn steps_past_the_formats_bound_are_dropped_and_said() {
    let mut rec = Recorder::new("t", Options::default());
    for _ in 0..MAX_STEPS {
        rec.acted(USER, say("x"));
    }
    assert!(!rec.is_full());
    rec.acted(USER, say("one too many"));
    assert!(rec.is_full());
    assert_eq!(rec.scenario().steps.len(), MAX_STEPS);
}

#[test]
fn console_requests_become_steps_and_a_press_is_by_its_label() {
    let c = || crate::protocol::ConversationId::from("c-1");
    let press = ClientMsg::Press {
        id: "u-1".into(),
        conversation: c(),
        message: "m1".into(),
        action: ButtonAction::StartAgentChat,
    };
    assert_eq!(
        action_of(&press, Some("Start agent chat")),
        Some(Action::Press {
            label: Some("Start agent chat".into()),
            action: None,
            fails: None
        })
    );
    let by_action = action_of(&press, None);
    assert!(
        matches!(by_action, Some(Action::Press { action: Some(a), .. }) if a == "start_agent_chat")
    );
    let transfer = ClientMsg::Transfer {
        id: "a-1".into(),
        conversation: c(),
        to: "Sam".into(),
    };
    assert_eq!(
        action_of(&transfer, None),
        Some(Action::Transfer {
            to: "Sam".into(),
            fails: None
        })
    );
    let ping = ClientMsg::Ping { id: "a-2".into() };
    assert_eq!(action_of(&ping, None), None);
}

#[test]
fn a_recording_is_a_valid_file_and_a_fork_keeps_the_steps_before_it() {
    let mut rec = Recorder::new(
        "by hand",
        Options {
            agents: Some("Lisa:available,Sam:away".into()),
            ..Options::default()
        },
    );
    rec.acted(USER, say("I need an agent"));
    rec.acted("Lisa", Action::Accept { fails: None });
    rec.shown(
        USER,
        &message("g", Role::Agent, Some("Lisa"), "Hello"),
        true,
    );
    let text = rec.to_toml().expect("written");
    let read = crate::scenario::parse(&text, "rec.toml").expect("a valid file");
    assert_eq!(read.steps.len(), 4);
    assert_eq!(read.options, rec.scenario().options);
    let fork = Recorder::fork(&read, 3);
    assert_eq!(fork.scenario().steps.len(), 3);
    assert_eq!(fork.scenario().name, "by hand (fork)");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_unicode_round_trips_through_the_file(said in "\\PC*", seen in "\\PC{1,40}") {
        let mut rec = Recorder::new(said.clone(), Options::default());
        rec.acted(USER, say(&said));
        let shown = message("m", Role::Assistant, None, &crate::text::escape(&seen));
        rec.shown(USER, &shown, true);
        let text = rec.to_toml().expect("written");
        let read = crate::scenario::parse(&text, "rec.toml").expect("parsed");
        let steps: Vec<Action> = read.steps.into_iter().map(|s| s.action).collect();
        prop_assert_eq!(&steps, &rec.scenario().steps.into_iter().map(|s| s.action).collect::<Vec<_>>());
        if let Some(Action::See { equals: Some(want), .. }) = steps.get(1) {
            prop_assert!(crate::scenario::TextMatch::Equals(want.clone()).accepts(&plain(&shown)));
        }
    }
}
