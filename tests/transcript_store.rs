//! The transcript store: a real SQLite file that keeps every conversation. What it holds reads
//! back as the conversation the user saw (the seed conversation itself, in Purple Chat form),
//! and a broker restarted on it brings conversations back with nothing lost or repeated, and
//! notifications held during a chat pressable again (issue 15, rule 5).

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use common::Client;
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{
    Button, ButtonAction, ButtonState, ButtonStyle, ClientMsg, ConversationEvent, ConversationId,
    EndReason, HandoffState, ServerMsg,
};
use handoff::store::{Store, export};
use std::path::Path;
use std::process::Command;

fn message_ids(seen: &[ServerMsg]) -> Vec<u64> {
    seen.iter()
        .filter_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } => message.id.as_str().strip_prefix("m-")?.parse().ok(),
            _ => None,
        })
        .collect()
}

fn max_message_id(seen: &[ServerMsg]) -> u64 {
    message_ids(seen).into_iter().max().unwrap()
}

fn config(store: &Path) -> BrokerConfig {
    BrokerConfig {
        store: Some(store.to_owned()),
        ..BrokerConfig::default()
    }
}

#[tokio::test]
async fn seed_000_reads_back_from_the_store_as_the_seed_itself() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let broker = broker::start(config(&path)).await.unwrap();
    common::seeds::seed_000(&common::url(&broker)).await;
    broker.shutdown().await;

    let store = Store::open(&path).unwrap();
    let stored = store.conversations().unwrap();
    assert_eq!(stored.len(), 1);
    let exported = export::purple(&stored[0]);
    assert_eq!(
        common::seeds::seed_turns(&exported),
        common::seeds::seed_turns(&common::seed("000"))
    );
    assert!(export::purple_link(&stored[0]).starts_with("https://developer.moveworks.com/creator-studio/developer-tools/purple-chat/?conversation=%7B%22messages%22"));
}

/// The sequence numbers of the events in `seen`, in order.
fn event_seqs(seen: &[ServerMsg]) -> Vec<u64> {
    seen.iter()
        .filter_map(|m| match m {
            ServerMsg::Event { seq, .. } => Some(*seq),
            _ => None,
        })
        .collect()
}

/// A user in a live chat Lisa accepted, once her greeting arrived: (user, Lisa, conversation).
async fn live_chat_with_lisa(broker: &broker::RunningBroker) -> (Client, Client, ConversationId) {
    let (mut user, conv) = Client::join_user(&common::url(broker)).await;
    let mut lisa = Client::join_agent(&common::url(broker), "Lisa").await;
    common::seeds::say(
        &mut user,
        &conv,
        "text: agent please, my VPN drops every hour",
    )
    .await;
    common::seeds::state_reached(&mut user, "offered").await;
    common::seeds::press_start(&mut user, &conv).await;
    common::seeds::state_reached(&mut user, "ringing").await;
    let c = conv.clone();
    lisa.request(|id| ClientMsg::Accept {
        id,
        conversation: c,
    })
    .await;
    user.wait_for("greeting", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.agent.is_some())).await;
    (user, lisa, conv)
}

/// The user of `conv` back on a restarted broker with their resume secret, having seen up to
/// event `last`.
async fn resume(
    broker: &broker::RunningBroker,
    secret: Option<String>,
    conv: &ConversationId,
    last: u64,
) -> Client {
    let (user, welcome) = Client::resume_user(&broker.url(), conv, secret, last).await;
    assert!(matches!(welcome, ServerMsg::Welcome { .. }), "{welcome:#?}");
    user
}

/// The state of the first button of a message with `text`, when `m` is one.
fn button_of(m: &ServerMsg, text: &str) -> Option<ButtonState> {
    match m {
        ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } if format!("{:?}", message.parts).contains(text) => {
            message.buttons().next().map(|b| b.state)
        }
        _ => None,
    }
}

#[tokio::test]
async fn a_notification_held_during_the_chat_is_pressable_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let broker = broker::start(config(&path)).await.unwrap();
    let (mut user, lisa, conv) = live_chat_with_lisa(&broker).await;
    let mut qa = Client::join_observer(&common::url(&broker)).await;
    let policy = ButtonAction::Open("https://intranet.example.com/policy".into());
    let c = Some(conv.clone());
    let button = Button {
        button_text: "Read the policy".into(),
        style: ButtonStyle::Outlined,
        action: policy.clone(),
        state: ButtonState::Active,
    };
    qa.request(|id| ClientMsg::Notify {
        id,
        conversation: c,
        text: "Password expiry on Friday".into(),
        buttons: vec![button],
    })
    .await;
    let held = user
        .wait_for("the held notice", |m| {
            button_of(m, "Password expiry") == Some(ButtonState::Disabled)
        })
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = held
    else {
        unreachable!()
    };
    let last = event_seqs(&user.seen).into_iter().max().unwrap();
    let secret = user.resume_secret();
    drop((user, lisa, qa));
    broker.shutdown().await;

    let broker = broker::start(config(&path)).await.unwrap();
    let mut user = resume(&broker, secret, &conv, last).await;
    user.wait_for("the notice pressable again", |m| {
        button_of(m, "Password expiry") == Some(ButtonState::Active)
    })
    .await;
    let c = conv.clone();
    user.request(|id| ClientMsg::Press {
        id,
        conversation: c,
        message: message.id.clone(),
        action: policy.clone(),
    })
    .await;
    broker.shutdown().await;
}

#[tokio::test]
async fn a_restart_brings_conversations_back_and_ends_the_live_chat_it_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let broker = broker::start(config(&path)).await.unwrap();
    let (user, lisa, conv) = live_chat_with_lisa(&broker).await;
    let last = event_seqs(&user.seen).into_iter().max().unwrap();
    let last_message = max_message_id(&user.seen);
    let secret = user.resume_secret();
    drop((user, lisa));
    broker.shutdown().await;

    let broker = broker::start(config(&path)).await.unwrap();
    let mut user = resume(&broker, secret, &conv, last).await;
    let ended = user
        .wait_for("the restart notice", |m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: ConversationEvent::State {
                        state: HandoffState::Ended { .. }
                    },
                    ..
                }
            )
        })
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::State { state },
        ..
    } = ended
    else {
        unreachable!()
    };
    assert_eq!(
        state,
        HandoffState::Ended {
            reason: EndReason::Error {
                message: "the broker restarted".into()
            }
        }
    );
    let seqs = event_seqs(&user.seen);
    assert!(
        seqs.iter().all(|s| *s > last),
        "nothing seen before is replayed: {seqs:?}"
    );
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "nothing is skipped: {seqs:?}"
    );
    assert!(
        user.seen
            .iter()
            .any(|m| format!("{m:?}").contains("The broker restarted"))
    );

    // The conversation goes on: a new request starts over, with fresh message ids.
    common::seeds::say(&mut user, &conv, "text: I'd like to speak to a live agent").await;
    common::seeds::state_reached(&mut user, "collecting details").await;
    let mark = user.last_action;
    let new_ids = message_ids(&user.seen[mark..]);
    assert!(!new_ids.is_empty());
    assert!(
        new_ids.iter().all(|id| *id > last_message),
        "{new_ids:?} after m-{last_message}"
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn handoff_transcript_lists_and_prints_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let broker = broker::start(config(&path)).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    common::seeds::say(&mut user, &conv, "text: I'd like to speak to a live agent").await;
    common::seeds::state_reached(&mut user, "collecting details").await;
    broker.shutdown().await;

    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_handoff"))
            .arg("transcript")
            .arg("--store")
            .arg(&path)
            .args(args)
            .output()
            .unwrap()
    };
    let list = run(&[]);
    assert!(list.status.success());
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(
        list.starts_with(conv.as_str())
            && list.contains("Alex Kim")
            && list.contains("collecting details"),
        "{list}"
    );

    let text = String::from_utf8(run(&[conv.as_str()]).stdout).unwrap();
    assert!(
        text.contains("Alex Kim: I'd like to speak to a live agent"),
        "{text}"
    );
    assert!(
        text.contains("Assistant: Could you please provide more details"),
        "{text}"
    );

    let purple: serde_json::Value =
        serde_json::from_slice(&run(&[conv.as_str(), "--format", "purple"]).stdout).unwrap();
    assert_eq!(purple["messages"][0]["role"], "user");

    let missing = run(&["c-nope"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains(&format!("no conversation c-nope in {}", path.display()))
    );
}

#[tokio::test]
async fn a_sent_file_is_kept_in_the_store_and_read_back_by_name_type_and_size() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let broker = broker::start(config(&path)).await.unwrap();
    let (mut user, _lisa, conv) = common::seeds::connected_chat(&common::url(&broker)).await;
    user.request(|id| ClientMsg::Attach {
        id,
        conversation: conv.clone(),
        name: "crash.png".into(),
        content_type: "image/png".into(),
        data: base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\n"),
    })
    .await;
    broker.shutdown().await;

    let stored = Store::open(&path).unwrap().conversations().unwrap();
    let text = export::text(&stored[0]);
    assert!(
        text.contains("Alex Kim: [file] crash.png (image/png, 8 B)"),
        "{text}"
    );
    let purple = export::purple(&stored[0]).to_string();
    assert!(purple.contains("📎 crash.png (image/png, 8 B)"), "{purple}");
}
