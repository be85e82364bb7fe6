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
