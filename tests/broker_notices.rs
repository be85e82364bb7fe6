//! Issue 15 over a real WebSocket: custom emoji stripped and blank messages refused (rule 4),
//! the agent's avatar switched off (rule 4), notifications for the user only (rule 5), several
//! agents and private notes (rule 9).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::connected_chat;
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{
    Audience, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage, ClientMsg,
    ConversationEvent, ConversationId, ErrorCode, Part, Role, ServerMsg,
};
use handoff::text::to_plain;

/// The message of a `message` event, with its audience.
fn message(m: &ServerMsg) -> Option<(Audience, &ChatMessage)> {
    match m {
        ServerMsg::Event {
            audience,
            event: ConversationEvent::Message { message },
            ..
        } => Some((*audience, message)),
        _ => None,
    }
}

/// The plain text of a message's rich-text parts.
fn text(m: &ChatMessage) -> String {
    m.parts
        .iter()
        .filter_map(|p| match p {
            Part::RichText { rich_text } => Some(to_plain(rich_text)),
            _ => None,
        })
        .collect()
}

/// Waits for a message whose text is `want`; returns it with its audience.
async fn saw(client: &mut Client, want: &str) -> (Audience, ChatMessage) {
    let m = client
        .wait_for(want, |m| {
            message(m).is_some_and(|(_, msg)| text(msg) == want)
        })
        .await;
    message(&m).map(|(a, msg)| (a, msg.clone())).unwrap()
}

fn saw_text(client: &Client, needle: &str) -> bool {
    client
        .seen
        .iter()
        .filter_map(message)
        .any(|(_, m)| text(m).contains(needle))
}

async fn reply(agent: &mut Client, conv: &ConversationId, text: &str) {
    let (conversation, text) = (conv.clone(), text.to_owned());
    agent
        .request(|id| ClientMsg::Reply {
            id,
            conversation,
            text,
        })
        .await;
}

#[tokio::test]
async fn an_agents_custom_emoji_never_reach_the_user_and_blank_messages_are_refused() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = common::url(&broker);
    let (mut user, mut lisa, conv) = connected_chat(&url).await;
    reply(
        &mut lisa,
        &conv,
        "Fixed it :partyparrot: :tada: <:blob:42> 👍",
    )
    .await;
    let (_, m) = saw(&mut user, "Fixed it 🎉 👍").await;
    assert_eq!(m.agent.map(|a| a.name), Some("Lisa".to_owned()));
    let c = conv.clone();
    let refused = lisa
        .request_error(|id| ClientMsg::Reply {
            id,
            conversation: c,
            text: " \n\t ".into(),
        })
        .await;
    assert!(
        matches!(
            refused,
            ServerMsg::Error {
                code: ErrorCode::BadField,
                ..
            }
        ),
        "{refused:?}"
    );
    let c = conv.clone();
    let refused = user
        .request_error(|id| ClientMsg::Say {
            id,
            conversation: c,
            text: "\u{3000} ".into(),
        })
        .await;
    assert!(
        matches!(
            refused,
            ServerMsg::Error {
                code: ErrorCode::BadField,
                ..
            }
        ),
        "{refused:?}"
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn two_agents_talk_to_the_user_by_name_and_their_notes_stay_between_them() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = common::url(&broker);
    let (mut user, mut lisa, conv) = connected_chat(&url).await;
    let mut sam = Client::join_agent(&url, "Sam").await;
    let c = conv.clone();
    sam.request(|id| ClientMsg::Accept {
        id,
        conversation: c,
    })
    .await;
    let c = conv.clone();
    lisa.request(|id| ClientMsg::Note {
        id,
        conversation: c,
        text: "Sam, the user is on Windows 11".into(),
    })
    .await;
    let (audience, note) = saw(&mut sam, "Sam, the user is on Windows 11").await;
    assert_eq!(audience, Audience::Agent);
    assert_eq!(
        (note.role, note.agent.map(|a| a.name)),
        (Role::Agent, Some("Lisa".into()))
    );
    reply(&mut sam, &conv, "Hi, Sam here").await;
    reply(&mut lisa, &conv, "Lisa again").await;
    let (_, from_sam) = saw(&mut user, "Hi, Sam here").await;
    let (_, from_lisa) = saw(&mut user, "Lisa again").await;
    assert_eq!(from_sam.agent.map(|a| a.name), Some("Sam".into()));
    assert_eq!(from_lisa.agent.map(|a| a.name), Some("Lisa".into()));
    assert!(
        !saw_text(&user, "Windows 11"),
        "the note reached the user: {:#?}",
        user.seen
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn with_the_avatar_off_the_user_sees_the_agents_name_without_a_picture() {
    for shown in [true, false] {
        let mut config = BrokerConfig::default();
        config.assistant.agent_avatar = shown;
        let broker = broker::start(config).await.unwrap();
        let url = common::url(&broker);
        let (mut user, mut lisa, conv) = connected_chat(&url).await;
        reply(&mut lisa, &conv, "Lisa here").await;
        let (_, m) = saw(&mut user, "Lisa here").await;
        let agent = m.agent.unwrap();
        assert_eq!(agent.name, "Lisa");
        assert_eq!(agent.avatar.is_some(), shown, "{agent:?}");
        broker.shutdown().await;
    }
}

fn policy_button() -> Button {
    Button {
        button_text: "Read the policy".into(),
        style: ButtonStyle::Outlined,
        action: ButtonAction::Open("https://intranet.example.com/policy".into()),
        state: ButtonState::Active,
    }
}

fn button_state(m: &ChatMessage) -> Option<ButtonState> {
    m.buttons().next().map(|b| b.state)
}

#[tokio::test]
async fn a_notification_reaches_the_user_only_and_its_buttons_wait_for_the_chat_to_end() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = common::url(&broker);
    let (mut user, mut lisa, conv) = connected_chat(&url).await;
    let mut qa = Client::join_observer(&url).await;
    let c = Some(conv.clone());
    qa.request(|id| ClientMsg::Notify {
        id,
        conversation: c,
        text: "Password expiry on Friday".into(),
        buttons: vec![policy_button()],
    })
    .await;
    let (audience, notice) = saw(&mut user, "Password expiry on Friday").await;
    assert_eq!(audience, Audience::User);
    assert_eq!(button_state(&notice), Some(ButtonState::Disabled));
    let press = |id| ClientMsg::Press {
        id,
        conversation: conv.clone(),
        message: notice.id.clone(),
        action: policy_button().action,
    };
    user.request_error(press).await;
    // A plain agent may not send one.
    let refused = lisa
        .request_error(|id| ClientMsg::Notify {
            id,
            conversation: None,
            text: "not mine to send".into(),
            buttons: vec![],
        })
        .await;
    assert!(
        matches!(
            refused,
            ServerMsg::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{refused:?}"
    );
    let c = conv.clone();
    lisa.request(|id| ClientMsg::End {
        id,
        conversation: c,
    })
    .await;
    let enabled = user
        .wait_for("the notification enabled", |m| {
            message(m).is_some_and(|(_, msg)| {
                msg.id == notice.id && button_state(msg) == Some(ButtonState::Active)
            })
        })
        .await;
    assert!(message(&enabled).is_some());
    user.request(press).await;
    assert!(
        !saw_text(&lisa, "Password expiry"),
        "the agent saw it: {:#?}",
        lisa.seen
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn a_broadcast_reaches_every_user() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = common::url(&broker);
    let (mut alex, _) = Client::join_user(&url).await;
    let (mut kim, _) = Client::join_user(&url).await;
    let mut qa = Client::join_observer(&url).await;
    qa.request(|id| ClientMsg::Notify {
        id,
        conversation: None,
        text: "Maintenance tonight at 22:00".into(),
        buttons: vec![],
    })
    .await;
    for user in [&mut alex, &mut kim] {
        let (audience, _) = saw(user, "Maintenance tonight at 22:00").await;
        assert_eq!(audience, Audience::User);
    }
    broker.shutdown().await;
}
