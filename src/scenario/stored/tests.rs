use super::*;
use crate::protocol::{Audience, Button, ButtonAction, ButtonStyle, HandoffState, Part};
use crate::scenario::Step;

fn message(id: &str, role: Role, agent: Option<&str>, text: &str) -> ConversationEvent {
    ConversationEvent::Message {
        message: crate::scenario::record::tests::message(id, role, agent, text),
    }
}

/// A message offering `labels`, the first in `first`, the others active.
fn offer(id: &str, text: &str, labels: &[&str], first: ButtonState) -> ConversationEvent {
    let ConversationEvent::Message { mut message } = message(id, Role::Assistant, None, text)
    else {
        unreachable!("message() makes a message");
    };
    message.parts.push(Part::Buttons {
        buttons: labels
            .iter()
            .enumerate()
            .map(|(i, l)| Button {
                button_text: (*l).into(),
                style: ButtonStyle::Filled,
                action: ButtonAction::Choice((*l).into()),
                state: if i == 0 { first } else { ButtonState::Active },
            })
            .collect(),
    });
    ConversationEvent::Message { message }
}

fn log(events: Vec<(Audience, ConversationEvent)>) -> Vec<StoredEvent> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, (audience, event))| StoredEvent {
            seq: i as u64,
            at: 0,
            audience,
            event,
        })
        .collect()
}

fn steps(text: &str) -> Vec<(String, Action)> {
    let scenario = crate::scenario::parse(text, "stdout").unwrap();
    scenario
        .steps
        .into_iter()
        .map(|Step { actor, action, .. }| (actor, action))
        .collect()
}

fn see(text: &str) -> Action {
    Action::See {
        equals: Some(text.into()),
        contains: None,
        matches: None,
    }
}

const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

/// Seed 000 as the store keeps it: the user asks, is offered buttons, presses one; Lisa is
/// rung, takes the request and greets.
fn seed_000() -> Vec<StoredEvent> {
    use Audience::{Agent, Both, User};
    let labels = ["Start agent chat", "Other help options"];
    log(vec![
        (
            User,
            message("u1", Role::User, None, "I'd like to speak to a live agent"),
        ),
        (User, message("a1", Role::Assistant, None, "Which issue?")),
        (User, message("u2", Role::User, None, "SQL trouble")),
        (
            User,
            offer("a2", "Please choose", &labels, ButtonState::Active),
        ),
        (
            User,
            offer("a2", "Please choose", &labels, ButtonState::Pressed),
        ),
        (
            User,
            message(
                "u3",
                Role::User,
                None,
                "<p><em>Pressed \"Start agent chat\"</em></p>",
            ),
        ),
        (
            Agent,
            ConversationEvent::Offered {
                agent: "Lisa".into(),
            },
        ),
        (
            User,
            ConversationEvent::State {
                state: HandoffState::Ringing {
                    agent: "Lisa".into(),
                    since: 0,
                    deadline: 0,
                },
            },
        ),
        (
            Agent,
            ConversationEvent::Assigned {
                agent: "Lisa".into(),
                agents: vec!["Lisa".into()],
            },
        ),
        (
            User,
            ConversationEvent::State {
                state: HandoffState::Connected {
                    agent: "Lisa".into(),
                    since: 0,
                    with: vec![],
                },
            },
        ),
        (Both, message("l1", Role::Agent, Some("Lisa"), GREETING)),
        (Both, message("u4", Role::User, None, "It says deadlock")),
        (Both, message("l2", Role::Agent, Some("Lisa"), "Restart it")),
        (
            Both,
            ConversationEvent::ChatEnded {
                reason: EndReason::Agent {
                    agent: "Lisa".into(),
                },
            },
        ),
    ])
}

#[test]
fn seed_000_reads_as_the_user_saw_it_with_the_agent_acting_from_the_desk_events() {
    let text = scenario_text("c-1", &seed_000()).unwrap();
    let got = steps(&text);
    let names: Vec<(&str, &str)> = got.iter().map(|(a, s)| (a.as_str(), s.name())).collect();
    assert_eq!(
        names,
        [
            ("user", "say"),
            ("user", "see"),
            ("user", "say"),
            ("user", "see"),
            ("user", "buttons"),
            ("user", "press"),
            ("user", "state"),
            ("Lisa", "request"),
            ("Lisa", "accept"),
            ("user", "state"),
            ("user", "see"),
            ("user", "say"),
            ("Lisa", "reply"),
            ("user", "see"),
            ("Lisa", "end"),
        ]
    );
    assert_eq!(got[1].1, see("Which issue?"));
    assert_eq!(
        got[4].1,
        Action::Buttons {
            labels: vec!["Start agent chat".into(), "Other help options".into()],
            enabled: Some(vec!["Start agent chat".into(), "Other help options".into()]),
        }
    );
    assert!(matches!(&got[5].1, Action::Press { label: Some(l), .. } if l == "Start agent chat"));
    assert_eq!(got[10].1, see(GREETING));
    assert_eq!(got[13].1, see("Restart it"));
}

#[test]
fn the_scenario_is_named_after_the_conversation_and_keeps_the_mock_desks_defaults() {
    let scenario =
        crate::scenario::parse(&scenario_text("c-42", &seed_000()).unwrap(), "t").unwrap();
    assert_eq!(scenario.name, "c-42");
    assert_eq!(scenario.options, Options::default());
}

#[test]
fn a_greeting_other_than_the_mock_desks_becomes_the_greeting_option() {
    let mut events = seed_000();
    events[10].event = message("l1", Role::Agent, Some("Lisa"), "Hi, Lisa here");
    let scenario = crate::scenario::parse(&scenario_text("c", &events).unwrap(), "t").unwrap();
    assert_eq!(scenario.options.greeting.as_deref(), Some("Hi, Lisa here"));
}

#[test]
fn a_rejection_and_a_transfer_are_the_agents_actions() {
    let events = log(vec![
        (Audience::User, message("u1", Role::User, None, "help")),
        (
            Audience::Agent,
            ConversationEvent::Rejected {
                agent: "Sam".into(),
                reason: "busy".into(),
            },
        ),
        (
            Audience::Agent,
            ConversationEvent::Assigned {
                agent: "Lisa".into(),
                agents: vec![],
            },
        ),
        (
            Audience::Agent,
            ConversationEvent::Assigned {
                agent: "Kim".into(),
                agents: vec!["Kim".into()],
            },
        ),
    ]);
    let got = steps(&scenario_text("c", &events).unwrap());
    let actions: Vec<&Action> = got.iter().map(|(_, a)| a).collect();
    assert!(matches!(actions[2], Action::Reject { reason: r, .. } if r == "busy"));
    assert!(matches!(actions[4], Action::Accept { .. }));
    assert_eq!(got[4].0, "Lisa");
    assert!(matches!(actions[5], Action::Transfer { to, .. } if to == "Kim"));
    assert_eq!(got[5].0, "Lisa");
}

#[test]
fn a_barge_in_is_the_second_agents_accept_and_a_note_stays_a_note() {
    let mut events = seed_000();
    let (lisa_and_sam, sam) = (vec!["Lisa".into(), "Sam".into()], "Sam".to_owned());
    let barge_in = ConversationEvent::Assigned {
        agent: sam,
        agents: lisa_and_sam,
    };
    let note = message("l3", Role::Agent, Some("Lisa"), "Sam, it is Windows 11");
    events.splice(
        12..12,
        log(vec![(Audience::Agent, barge_in), (Audience::Agent, note)]),
    );
    let got = steps(&scenario_text("c", &events).unwrap());
    let sams: Vec<&str> = got
        .iter()
        .filter(|(a, _)| a == "Sam")
        .map(|(_, s)| s.name())
        .collect();
    assert!(sams.contains(&"accept"), "{got:?}");
    assert!(
        got.iter().any(|(a, s)| a == "Lisa"
            && *s
                == Action::Note {
                    text: "Sam, it is Windows 11".into(),
                    fails: None
                }),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|(_, s)| *s == see("Sam, it is Windows 11")),
        "the user saw a note: {got:?}"
    );
}

#[test]
fn a_conversation_on_another_system_replays_there_without_the_mock_desks_greeting() {
    let mut events = seed_000();
    events.insert(
        0,
        log(vec![(
            Audience::User,
            ConversationEvent::Opened {
                user: crate::protocol::UserInfo::default(),
                platform: crate::protocol::Platform::default(),
                site: None,
                system: Some("Amazon Connect".into()),
            },
        )])
        .remove(0),
    );
    let text = scenario_text("c", &events).unwrap();
    let scenario = crate::scenario::parse(&text, "t").unwrap();
    assert_eq!(scenario.options.system.as_deref(), Some("amazon-connect"));
    assert_eq!(scenario.options.greeting, None);
    let got = steps(&text);
    assert!(
        got.iter().any(|(a, s)| a == "Lisa"
            && *s
                == Action::Reply {
                    text: GREETING.into(),
                    fails: None
                }),
        "the agent's first message is the agent's: {got:?}"
    );
}

#[test]
fn the_mock_desk_is_no_system_option() {
    assert_eq!(registry_name("8x8 (mock)"), None);
    assert_eq!(registry_name("ServiceNow").as_deref(), Some("servicenow"));
    assert_eq!(registry_name("8x8").as_deref(), Some("8x8"));
}
