//! A user's message names the `say` request that sent it, so the sending client replaces its
//! local echo exactly (not by comparing texts).

mod common;

use common::Client;
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{ClientMsg, ConversationEvent, RequestId, Role, ServerMsg};

#[tokio::test]
async fn a_users_message_carries_the_request_that_sent_it() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    user.send(&ClientMsg::Say {
        id: "echo-7".into(),
        conversation: conv.clone(),
        text: "hello there".into(),
    })
    .await;
    let msg = user
        .wait_for("the user's message", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::User))
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = msg
    else {
        unreachable!()
    };
    assert_eq!(message.request, Some(RequestId::from("echo-7")));
    // The assistant's answer is not stamped.
    let answer = user
        .wait_for("the answer", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Assistant))
        .await;
    assert!(
        matches!(answer, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.request.is_none())
    );
    broker.shutdown().await;
}

/// Protocol 2 answers the sender with the ack that is its echo; another connection of the same
/// user (a second tab, here speaking protocol 1) receives the message's whole event, at the
/// place the ack named.
#[tokio::test]
async fn the_sender_gets_its_echo_in_the_ack_and_another_tab_the_event() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = common::url(&broker);
    let (mut first, conv) = Client::join_user(&url).await;
    let secret = first.resume_secret().expect("a resume secret");
    let mut second = Client::connect(&url).await;
    let hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "user",
        "conversation": conv, "resume": secret});
    second.send_raw(&hello.to_string()).await;
    let welcome = second
        .wait_for("welcome", |m| matches!(m, ServerMsg::Welcome { .. }))
        .await;
    assert!(matches!(welcome, ServerMsg::Welcome { protocol: 1, .. }));

    first
        .request(|id| ClientMsg::Say {
            id,
            conversation: conv.clone(),
            text: "é from tab one".into(),
        })
        .await;
    let said = first
        .seen
        .iter()
        .find_map(|m| match m {
            ServerMsg::Ack {
                said: Some(said), ..
            } => Some(said.clone()),
            _ => None,
        })
        .expect("the ack carried the echo");
    let event = second
        .wait_for("the message", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::User))
        .await;
    let ServerMsg::Event {
        seq,
        event: ConversationEvent::Message { message },
        ..
    } = &event
    else {
        unreachable!()
    };
    assert_eq!(*seq, said.seq);
    assert_eq!(message.id, said.message);
    // What the first tab rebuilt from its ack is that event, byte for byte.
    let rebuilt = first
        .seen
        .iter()
        .find(|m| matches!(m, ServerMsg::Event { seq: s, .. } if *s == said.seq))
        .expect("the first tab took the echo in as the event");
    assert_eq!(rebuilt, &event);
    broker.shutdown().await;
}
