//! The state clients see is the conversation's only state: whatever happens, the last `state`
//! event sent is where the conversation is, and the broker's private extras never show.

use super::*;
use proptest::prelude::*;

/// One step of a scripted user, system and chat, drawn at random.
#[derive(Debug, Clone)]
enum Step {
    Text(String),
    Press(ButtonAction),
    End,
    Typing(bool),
    Availability(Availability),
    Started(Result<StartOutcome, String>),
    Chat(ChatEvent),
    Timeout,
}

fn agent(name: &str) -> AgentInfo {
    AgentInfo {
        name: name.into(),
        avatar: None,
        on_behalf: false,
    }
}

fn step() -> impl Strategy<Value = Step> {
    let said = prop_oneof![
        Just("I'd like to speak to a live agent".to_owned()),
        Just("I'm running into a strange issue with a SQL database.".to_owned()),
        Just("Azure SQL Database".to_owned()),
        Just("stop chat".to_owned()),
        any::<String>(),
    ];
    let names = prop_oneof![Just("Lisa"), Just("Sam")];
    prop_oneof![
        said.prop_map(Step::Text),
        prop_oneof![
            Just(ButtonAction::StartAgentChat),
            Just(ButtonAction::EditDetails),
            Just(ButtonAction::OtherHelp),
        ]
        .prop_map(Step::Press),
        Just(Step::End),
        any::<bool>().prop_map(Step::Typing),
        prop_oneof![
            Just(Availability::Available(1)),
            Just(Availability::Unavailable)
        ]
        .prop_map(Step::Availability),
        prop_oneof![
            Just(Ok(StartOutcome::Chat)),
            Just(Ok(StartOutcome::Posted {
                channel: "#help".into(),
                chat: true,
            })),
            Just(Err("HTTP 503".to_owned())),
        ]
        .prop_map(Step::Started),
        names
            .clone()
            .prop_map(|n| Step::Chat(ChatEvent::AgentJoined { agent: agent(n) })),
        names.prop_map(|n| Step::Chat(ChatEvent::AgentLeft { agent: n.into() })),
        Just(Step::Chat(ChatEvent::Ringing {
            agent: "Lisa".into()
        })),
        Just(Step::Chat(ChatEvent::Queued {
            position: Some(2),
            eta_secs: None,
        })),
        Just(Step::Chat(ChatEvent::Ended {
            reason: EndReason::Timeout,
        })),
        Just(Step::Timeout),
    ]
}

/// Feeds `step`; refusals are part of the game.
fn feed(c: &mut Conversation, step: Step) -> Vec<Effect> {
    let input = match step {
        Step::Text(text) => Input::UserText(text),
        Step::Press(action) => {
            let holder = match action {
                ButtonAction::OtherHelp | ButtonAction::Open(_) => c.help.as_ref(),
                _ => c.offer.as_ref(),
            };
            let Some(message) = holder.or(c.offer.as_ref()).map(|m| m.id.clone()) else {
                return Vec::new();
            };
            Input::Press { message, action }
        }
        Step::End => Input::UserEnd,
        Step::Typing(on) => Input::UserTyping(on),
        Step::Availability(a) => Input::Availability(a),
        Step::Started(result) => Input::Started(result),
        Step::Chat(event) => Input::Chat(event),
        Step::Timeout => Input::Timeout {
            generation: c.timeout_generation,
        },
    };
    c.handle(input, NOW).unwrap_or_default()
}

proptest! {
    #[test]
    fn clients_always_see_the_state_the_conversation_is_in(
        steps in proptest::collection::vec(step(), 1..40)
    ) {
        let mut c = Conversation::new(
            "c-1".into(),
            UserInfo::default(),
            settings(HandoffStyle::Brokered, true),
        );
        let mut seen = HandoffState::Assistant;
        for step in steps {
            for effect in feed(&mut c, step) {
                if let Effect::Emit(_, ConversationEvent::State { state }) = effect {
                    prop_assert_ne!(&state, &seen, "a state event that changes nothing");
                    seen = state;
                }
            }
            prop_assert_eq!(&seen, c.state());
            if !matches!(c.state(), HandoffState::Connected { .. }) {
                prop_assert!(!c.private.vacated, "vacated outside a live chat");
            }
        }
    }
}

#[test]
fn when_the_only_agent_leaves_the_next_to_join_is_alone_in_the_chat() {
    let mut c = connected();
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentLeft {
            agent: "Lisa".into(),
        }),
    );
    assert_eq!(said(&fx), vec!["Lisa left the chat"]);
    assert!(states(&fx).is_empty(), "the state keeps the last agent");
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentJoined {
            agent: agent("Sam"),
        }),
    );
    assert_eq!(said(&fx), vec!["Sam joined the chat"]);
    assert!(
        matches!(c.state(), HandoffState::Connected { agent, with, .. } if agent == "Sam" && with.is_empty()),
        "{:?}",
        c.state()
    );
}

#[test]
fn while_availability_is_checked_the_state_stays_and_text_waits_for_it() {
    let mut c = conversation();
    text(&mut c, "I'd like to speak to a live agent");
    let fx = text(
        &mut c,
        "I'm running into a strange issue with a SQL database.",
    );
    assert!(fx.contains(&Effect::CheckAvailability));
    assert!(states(&fx).is_empty());
    assert_eq!(c.state(), &HandoffState::CollectingDetails);
    let fx = text(&mut c, "hello?");
    assert!(said(&fx)[1].contains("still finding the right queue"));
    run(&mut c, Input::Availability(Availability::Available(1)));
    assert!(matches!(
        c.state(),
        HandoffState::Offered {
            available: true,
            ..
        }
    ));
}

#[test]
fn edited_details_add_to_the_offered_request() {
    let mut c = offered();
    press(&mut c, ButtonAction::EditDetails).unwrap();
    assert_eq!(c.state(), &HandoffState::CollectingDetails);
    let fx = text(&mut c, "It happens every morning since Monday.");
    assert!(fx.contains(&Effect::CheckAvailability));
    run(&mut c, Input::Availability(Availability::Available(1)));
    let fx = press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let request = fx.iter().find_map(|e| match e {
        Effect::StartHandoff(request) => Some(request),
        _ => None,
    });
    assert_eq!(
        request.map(|r| r.title.as_str()),
        Some(
            "I'm running into a strange issue with a SQL database that I'm using. \
             It happens every morning since Monday."
        )
    );
}
