//! Every transition of the handoff lifecycle, without IO.

use super::*;
use crate::connectors::ChatEvent;
use crate::protocol::{AgentInfo, EndReason, Part, Role};
use crate::text::to_plain;

const NOW: Millis = 1_000_000;

fn settings(style: HandoffStyle, follow_ups: bool) -> HandoffSettings {
    HandoffSettings {
        assistant: Arc::new(AssistantConfig {
            follow_ups,
            ..AssistantConfig::default()
        }),
        style,
        queue_timeout_ms: 120_000,
    }
}

fn conversation() -> Conversation {
    Conversation::new(
        "c-1".into(),
        UserInfo::default(),
        settings(HandoffStyle::Brokered, false),
    )
}

fn run(c: &mut Conversation, input: Input) -> Vec<Effect> {
    c.handle(input, NOW).expect("input allowed")
}

fn text(c: &mut Conversation, t: &str) -> Vec<Effect> {
    run(c, Input::UserText(t.into()))
}

/// The plain texts of every message emitted, parts joined by " | ".
fn said(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Emit(_, ConversationEvent::Message { message }) => Some(
                message
                    .parts
                    .iter()
                    .map(|p| match p {
                        Part::RichText { rich_text } => to_plain(rich_text),
                        Part::ReasoningSteps { reasoning_steps } => reasoning_steps
                            .iter()
                            .map(|s| format!("[{:?}] {}", s.status, to_plain(&s.rich_text)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        Part::Buttons { buttons } => buttons
                            .iter()
                            .map(|b| format!("<{} {:?} {:?}>", b.button_text, b.style, b.state))
                            .collect::<Vec<_>>()
                            .join(" "),
                        Part::Attachment { attachment } => format!("[file {}]", attachment.name),
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
            ),
            _ => None,
        })
        .collect()
}

fn states(effects: &[Effect]) -> Vec<&'static str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Emit(_, ConversationEvent::State { state }) => Some(state.name()),
            _ => None,
        })
        .collect()
}

fn offer_id(c: &Conversation) -> MessageId {
    c.offer.as_ref().expect("an offer").id.clone()
}

fn press(c: &mut Conversation, action: ButtonAction) -> Result<Vec<Effect>, Refusal> {
    let message = match &action {
        ButtonAction::Open(_) => c.help.as_ref().expect("help").id.clone(),
        _ => offer_id(c),
    };
    c.handle(Input::Press { message, action }, NOW)
}

/// A conversation with the buttons on offer for "SQL database" details.
fn offered() -> Conversation {
    let mut c = conversation();
    text(&mut c, "I'd like to speak to a live agent");
    text(
        &mut c,
        "I'm running into a strange issue with a SQL database that I'm using.",
    );
    run(&mut c, Input::Availability(Availability::Available(1)));
    c
}

fn waiting() -> Conversation {
    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    run(&mut c, Input::Started(Ok(StartOutcome::Chat)));
    c
}

fn lisa(on_behalf: bool) -> AgentInfo {
    AgentInfo {
        name: "Lisa".into(),
        avatar: None,
        on_behalf,
    }
}

fn connected() -> Conversation {
    let mut c = waiting();
    run(
        &mut c,
        Input::Chat(ChatEvent::AgentJoined { agent: lisa(false) }),
    );
    c
}

#[test]
fn opening_emits_the_user_and_the_assistant_state() {
    let c = conversation();
    assert_eq!(states(&c.opening()), vec!["assistant"]);
}

#[test]
fn the_desk_hears_of_a_conversation_only_once_it_reaches_the_desk() {
    let audiences = |fx: &[Effect]| -> Vec<Audience> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Emit(a, ConversationEvent::State { .. }) => Some(*a),
                _ => None,
            })
            .collect()
    };
    let mut c = offered();
    let fx = press(&mut c, ButtonAction::StartAgentChat).unwrap();
    assert_eq!(
        audiences(&fx),
        vec![Audience::User],
        "connecting is the user's business"
    );
    let fx = run(&mut c, Input::Started(Ok(StartOutcome::Chat)));
    assert_eq!(
        audiences(&fx),
        vec![Audience::Both],
        "queued is the desk's too"
    );
    assert!(
        c.opening()
            .iter()
            .all(|e| matches!(e, Effect::Emit(Audience::User, _)))
    );
}

#[test]
fn a_bare_request_for_an_agent_asks_for_details() {
    let mut c = conversation();
    let fx = text(&mut c, "I'd like to speak to a live agent");
    assert_eq!(
        said(&fx)[1],
        "Could you please provide more details about the issue you're experiencing so I can connect you with a live agent effectively?"
    );
    assert_eq!(states(&fx), vec!["collecting details"]);
}

#[test]
fn details_start_routing_with_a_pending_step_and_an_availability_check() {
    let mut c = conversation();
    text(&mut c, "agent please");
    let fx = text(&mut c, "my SQL database is down");
    assert_eq!(
        said(&fx)[1],
        "[Pending] Determining appropriate live agent queue"
    );
    assert!(fx.contains(&Effect::CheckAvailability));
}

#[test]
fn availability_finishes_the_step_with_the_summary_and_three_buttons() {
    let mut c = conversation();
    text(&mut c, "agent please");
    text(&mut c, "my SQL database is down");
    let fx = run(&mut c, Input::Availability(Availability::Available(2)));
    assert_eq!(
        said(&fx),
        vec![
            "[Success] Determining appropriate live agent queue | I understand you're having an issue with your SQL Database and would like to speak with a live agent. Please review the provided available option to proceed. | <Start agent chat Filled Active> <Edit / Add details Outlined Active> <Other help options Outlined Active>"
        ]
    );
    assert_eq!(states(&fx), vec!["offered"]);
    assert_eq!(
        c.state(),
        &HandoffState::Offered {
            topic: "SQL Database".into(),
            available: true
        }
    );
}

#[test]
fn a_request_with_details_skips_the_question() {
    let mut c = conversation();
    let fx = text(&mut c, "I need a human to fix my VPN");
    assert!(fx.contains(&Effect::CheckAvailability));
    assert!(states(&fx).is_empty());
}

#[test]
fn a_topic_without_a_request_offers_agent_chat_beside_self_service() {
    let mut c = conversation();
    text(&mut c, "my printer has a paper jam");
    let fx = run(&mut c, Input::Availability(Availability::Unknown));
    assert!(
        said(&fx)[0].contains("It sounds like you need help with Printer"),
        "{:?}",
        said(&fx)
    );
    assert_eq!(states(&fx), vec!["offered"]);
}

#[test]
fn small_talk_gets_a_hint_and_stays_with_the_assistant() {
    let mut c = conversation();
    let fx = text(&mut c, "hello there");
    assert!(said(&fx)[1].contains("ask for a live agent"));
    assert!(states(&fx).is_empty());
    assert_eq!(c.state(), &HandoffState::Assistant);
}

#[test]
fn with_follow_ups_the_assistant_asks_which_database_then_finds_experts() {
    let mut c = Conversation::new(
        "c-1".into(),
        UserInfo::default(),
        settings(HandoffStyle::Api, true),
    );
    text(&mut c, "I'd like to speak to a live agent");
    let fx = text(
        &mut c,
        "I'm running into a strange issue with a SQL database that I'm using.",
    );
    assert_eq!(
        said(&fx)[1],
        "[Success] Determining appropriate live agent queue | I understand you're having an issue with your SQL Database and would like to speak with a live agent. To help me route you to the right expert, can you tell me which database you're using?"
    );
    assert_eq!(states(&fx), vec!["follow-up"]);
    let fx = text(&mut c, "It's an Azure SQL Database.");
    assert_eq!(
        said(&fx)[1],
        "[Pending] Finding Azure SQL Database experts..."
    );
    let fx = run(&mut c, Input::Availability(Availability::Available(1)));
    assert!(said(&fx)[0].contains("Okay, I'm connecting you with an Azure SQL Database expert. Please review the options below to proceed."));
}

#[test]
fn with_no_agent_available_start_agent_chat_is_hidden_and_cannot_be_pressed() {
    let mut c = conversation();
    text(&mut c, "agent, my laptop battery died");
    let fx = run(&mut c, Input::Availability(Availability::Unavailable));
    assert!(said(&fx)[0].contains("No live agents are available right now"));
    assert!(
        said(&fx)[0].ends_with(
            "| <Edit / Add details Outlined Active> <Other help options Outlined Active>"
        )
    );
    assert!(
        press(&mut c, ButtonAction::StartAgentChat)
            .unwrap_err()
            .0
            .contains("has no button with action StartAgentChat")
    );
}

#[test]
fn start_agent_chat_marks_the_press_and_starts_the_handoff_with_the_request() {
    let mut c = offered();
    let fx = press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let texts = said(&fx);
    assert!(texts[0].contains("<Start agent chat Filled Pressed>"));
    assert_eq!(texts[1], "Pressed \"Start agent chat\"");
    // A brokered user waits in the chat: the other options stay open (rule 3).
    assert!(texts[0].contains("<Edit / Add details Outlined Active>"));
    assert!(
        texts
            .iter()
            .any(|t| t == "[Pending] Connecting you with a Live Agent")
    );
    assert_eq!(states(&fx), vec!["connecting"]);
    let request = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartHandoff(r) => Some(r),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        request.title,
        "I'm running into a strange issue with a SQL database that I'm using."
    );
    assert_eq!(request.topic, "SQL Database");
    assert_eq!(request.context["domain"], "IT");
    assert_eq!(request.context["queue"], "databases");
    assert_eq!(
        request.context["queue_id"],
        "71f1cbd2-83ae-4e54-a03a-2ee8d31a7dee"
    );
    assert_eq!(request.context["language"], "en");
    assert_eq!(request.history.len(), 4, "{:?}", request.history);
}

#[test]
fn pressing_start_agent_chat_twice_is_refused() {
    let mut c = offered();
    let id = offer_id(&c);
    run(
        &mut c,
        Input::Press {
            message: id.clone(),
            action: ButtonAction::StartAgentChat,
        },
    );
    let refusal = c
        .handle(
            Input::Press {
                message: id,
                action: ButtonAction::StartAgentChat,
            },
            NOW,
        )
        .unwrap_err();
    assert!(
        refusal
            .0
            .contains("\"Start agent chat\" was already pressed"),
        "{}",
        refusal.0
    );
}

#[test]
fn edit_details_collects_more_and_gives_a_new_summary() {
    let mut c = offered();
    let fx = press(&mut c, ButtonAction::EditDetails).unwrap();
    assert_eq!(states(&fx), vec!["collecting details"]);
    assert!(
        said(&fx)
            .iter()
            .any(|t| t.contains("<Start agent chat Filled Expired>"))
    );
    let fx = text(&mut c, "Actually it's my VPN client that fails");
    assert!(fx.contains(&Effect::CheckAvailability));
    let fx = run(&mut c, Input::Availability(Availability::Available(1)));
    assert!(
        said(&fx)[0].contains("your VPN and would like"),
        "{:?}",
        said(&fx)
    );
}

#[test]
fn other_help_options_offers_self_service_links() {
    let mut c = offered();
    let fx = press(&mut c, ButtonAction::OtherHelp).unwrap();
    let texts = said(&fx);
    assert!(texts.last().unwrap().starts_with("Here are other ways to get help: | <Search the knowledge base Outlined Active> <File a ticket Outlined Active> <Open the live-chat portal Outlined Active>"));
    // The offer stays: the user can still start an agent chat.
    assert!(press(&mut c, ButtonAction::StartAgentChat).is_ok());
}

#[test]
fn while_queued_the_user_keeps_talking_to_the_assistant() {
    let mut c = waiting();
    let fx = text(&mut c, "can I get a human?");
    assert!(said(&fx)[1].contains("already in the queue for a live agent (waiting 0:00)"));
    let fx = text(&mut c, "what's the wifi password for guests?");
    assert!(said(&fx)[1].contains("still in the queue"));
    assert!(matches!(c.state(), HandoffState::Queued { .. }));
    let fx = text(&mut c, "stop chat");
    assert!(
        said(&fx)
            .iter()
            .any(|t| t.contains("cancelled your request"))
    );
    assert_eq!(
        c.state(),
        &HandoffState::Ended {
            reason: EndReason::User
        }
    );
}

#[test]
fn a_second_agent_joining_and_leaving_is_told_to_the_user() {
    let mut c = connected();
    let sam = AgentInfo {
        name: "Sam".into(),
        avatar: None,
        on_behalf: false,
    };
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::Transferred {
            to: Some("Sam".into()),
        }),
    );
    assert_eq!(said(&fx), vec!["Transferring you to Sam..."]);
    let fx = run(&mut c, Input::Chat(ChatEvent::AgentJoined { agent: sam }));
    assert_eq!(said(&fx), vec!["Sam joined the chat"]);
    // Both are in the chat, the one who came last named first.
    assert!(
        matches!(c.state(), HandoffState::Connected { agent, with, .. } if agent == "Sam" && with == &["Lisa".to_owned()])
    );
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentLeft {
            agent: "Sam".into(),
        }),
    );
    assert_eq!(said(&fx), vec!["Sam left the chat"]);
    assert!(
        matches!(c.state(), HandoffState::Connected { agent, with, .. } if agent == "Lisa" && with.is_empty())
    );
}

#[test]
fn typing_is_relayed_only_during_a_live_chat() {
    let mut c = offered();
    assert!(run(&mut c, Input::UserTyping(true)).is_empty());
    let mut c = connected();
    let fx = run(&mut c, Input::UserTyping(true));
    assert!(fx.contains(&Effect::Chat(ChatCommand::Typing(true))));
}

#[test]
fn a_chat_opened_after_the_user_left_is_closed_again() {
    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    // The user is gone (as after a restart) by the time the system answers.
    c.enter(
        HandoffState::Ended {
            reason: EndReason::User,
        },
        Private::default(),
        &mut Vec::new(),
    );
    let fx = run(&mut c, Input::Started(Ok(StartOutcome::Chat)));
    assert_eq!(fx, vec![Effect::Chat(ChatCommand::End), Effect::CloseChat]);
}

fn report() -> FileUpload {
    FileUpload {
        name: "report.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: bytes::Bytes::from_static(b"%PDF-1.7"),
    }
}

#[test]
fn while_connected_a_file_goes_to_the_agent_and_both_sides_see_it() {
    let mut c = connected();
    let fx = run(&mut c, Input::UserFile(report()));
    let [
        Effect::Emit(Audience::Both, ConversationEvent::Message { message }),
        Effect::Chat(ChatCommand::File {
            file,
            client_message_id,
        }),
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(message.role, Role::User);
    assert_eq!(
        message.parts,
        vec![Part::Attachment {
            attachment: crate::protocol::Attachment {
                name: "report.pdf".into(),
                content_type: "application/pdf".into(),
                size: Some(8),
                url: None,
            }
        }]
    );
    assert_eq!(file, &report());
    // Derived from the message, like a text's: the system's idempotency key.
    let number = message.id.as_str().trim_start_matches("m-");
    assert_eq!(client_message_id, &format!("c-1-{number}"));
}

#[test]
fn a_file_before_an_agent_is_there_is_refused_and_changes_nothing() {
    for mut c in [conversation(), offered(), waiting()] {
        let before = c.state().clone();
        let refusal = c
            .handle(Input::UserFile(report()), 1_000)
            .expect_err("no agent to read it");
        assert!(
            refusal
                .0
                .starts_with("report.pdf was not sent: files go to a live agent"),
            "{refusal}"
        );
        assert_eq!(c.state(), &before);
    }
}

mod handed;
mod live;
mod notices;
mod rules;
mod state;
