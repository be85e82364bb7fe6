//! Bad input gets an error frame naming the problem and the request id; the connection and the
//! conversation survive. Only a frame over the size limit closes the connection (1009), and the
//! conversation survives that too.

mod common;

use common::Client;
use futures_util::SinkExt;
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{
    ButtonAction, ClientMsg, ClientRole, ConversationEvent, ErrorCode, ServerMsg,
};
use std::collections::BTreeMap;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

fn error_of(msg: &ServerMsg) -> (Option<&str>, ErrorCode, &str) {
    match msg {
        ServerMsg::Error { id, code, message } => (
            id.as_ref().map(handoff::protocol::RequestId::as_str),
            *code,
            message.as_str(),
        ),
        other => panic!("expected an error frame, got {other:#?}"),
    }
}

async fn next_error(c: &mut Client) -> ServerMsg {
    c.wait_for("error", |m| matches!(m, ServerMsg::Error { .. }))
        .await
}

async fn still_alive(c: &mut Client) {
    c.request(|id| ClientMsg::Ping { id }).await;
}

#[tokio::test]
async fn malformed_json_gets_an_error_and_the_connection_survives() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, _) = Client::join_user(&common::url(&broker)).await;
    user.send_raw(r#"{"type":"say","id":"r1","#).await;
    let err = next_error(&mut user).await;
    let (id, code, message) = error_of(&err);
    assert_eq!((id, code), (None, ErrorCode::BadJson));
    assert!(message.starts_with("malformed JSON"), "{message}");
    still_alive(&mut user).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn an_unknown_type_is_named_with_the_request_id() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, _) = Client::join_user(&common::url(&broker)).await;
    user.send_raw(r#"{"type":"teleport","id":"r9"}"#).await;
    let err = next_error(&mut user).await;
    let (id, code, message) = error_of(&err);
    assert_eq!((id, code), (Some("r9"), ErrorCode::UnknownType));
    assert!(message.contains("\"teleport\""), "{message}");
    still_alive(&mut user).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn a_wrong_protocol_version_is_refused_then_a_good_hello_works() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let mut c = Client::connect(&common::url(&broker)).await;
    c.send_raw(r#"{"type":"hello","protocol":99,"role":"user"}"#)
        .await;
    let err = next_error(&mut c).await;
    let (_, code, message) = error_of(&err);
    assert_eq!(code, ErrorCode::UnsupportedVersion);
    assert_eq!(
        message,
        "protocol version 99 is not supported; this broker speaks versions 1 to 2"
    );
    let welcome = c.hello(ClientRole::User, None, None, BTreeMap::new()).await;
    assert!(matches!(welcome, ServerMsg::Welcome { .. }), "{welcome:#?}");
    broker.shutdown().await;
}

#[tokio::test]
async fn a_request_before_hello_is_refused() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let mut c = Client::connect(&common::url(&broker)).await;
    c.send_raw(r#"{"type":"ping","id":"early"}"#).await;
    let err = next_error(&mut c).await;
    assert_eq!(error_of(&err).0, Some("early"));
    assert_eq!(error_of(&err).1, ErrorCode::NotReady);
    broker.shutdown().await;
}

#[tokio::test]
async fn a_binary_frame_gets_an_error_and_the_connection_survives() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, _) = Client::join_user(&common::url(&broker)).await;
    user.ws
        .send(Message::binary(vec![1u8, 2, 3]))
        .await
        .unwrap();
    let err = next_error(&mut user).await;
    assert_eq!(error_of(&err).1, ErrorCode::BinaryFrame);
    still_alive(&mut user).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn pressing_start_agent_chat_twice_is_refused_and_the_conversation_goes_on() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    common::seeds::say(&mut user, &conv, "text: I need a human, my VPN is down").await;
    common::seeds::state_reached(&mut user, "offered").await;
    common::seeds::press_start(&mut user, &conv).await;
    let message = user
        .seen
        .iter()
        .find_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } if message
                .buttons()
                .any(|b| b.action == ButtonAction::StartAgentChat) =>
            {
                Some(message.id.clone())
            }
            _ => None,
        })
        .unwrap();
    let conversation = conv.clone();
    let err = user
        .request_error(|id| ClientMsg::Press {
            id,
            conversation,
            message,
            action: ButtonAction::StartAgentChat,
        })
        .await;
    let (id, code, text) = error_of(&err);
    assert!(id.is_some());
    assert_eq!(code, ErrorCode::InvalidState);
    assert!(
        // The offer's other buttons stay live while queued; this one says why it is refused.
        text.contains("\"Start agent chat\" was already pressed"),
        "{text}"
    );
    common::seeds::state_reached(&mut user, "ringing").await;
    broker.shutdown().await;
}

#[tokio::test]
async fn an_agent_accepting_a_request_that_is_gone_is_refused() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    let mut lisa = Client::join_agent(&common::url(&broker), "Lisa").await;
    let mut sam = Client::join_agent(&common::url(&broker), "Sam").await;
    common::seeds::say(
        &mut user,
        &conv,
        "text: agent please, the printer is jammed",
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
    // Sam is too late: the request was taken. Accepting a live chat would barge in, so end it
    // first and then try.
    let c = conv.clone();
    lisa.request(|id| ClientMsg::End {
        id,
        conversation: c,
    })
    .await;
    let c = conv.clone();
    let err = sam
        .request_error(|id| ClientMsg::Accept {
            id,
            conversation: c,
        })
        .await;
    let (_, code, text) = error_of(&err);
    assert_eq!(code, ErrorCode::NotFound);
    assert!(text.contains(conv.as_str()), "{text}");
    let err = sam
        .request_error(|id| ClientMsg::Accept {
            id,
            conversation: "c-nope".into(),
        })
        .await;
    assert_eq!(error_of(&err).1, ErrorCode::NotFound);
    broker.shutdown().await;
}

#[tokio::test]
async fn users_cannot_act_as_agents_nor_on_other_conversations() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut alice, _) = Client::join_user(&common::url(&broker)).await;
    let (_bob, bobs) = Client::join_user(&common::url(&broker)).await;
    let c = bobs.clone();
    let err = alice
        .request_error(|id| ClientMsg::Accept {
            id,
            conversation: c,
        })
        .await;
    assert_eq!(error_of(&err).1, ErrorCode::Forbidden);
    let c = bobs.clone();
    let err = alice
        .request_error(|id| ClientMsg::Say {
            id,
            conversation: c,
            text: "hi".into(),
        })
        .await;
    assert_eq!(error_of(&err).1, ErrorCode::Forbidden);
    broker.shutdown().await;
}

#[tokio::test]
async fn a_frame_over_the_limit_closes_with_1009_and_the_conversation_survives() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    common::seeds::say(&mut user, &conv, "text: I'd like to speak to a live agent").await;
    let last_seq = user
        .seen
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Event { seq, .. } => Some(*seq),
            _ => None,
        })
        .max()
        .unwrap();

    let huge = format!(
        r#"{{"type":"say","id":"big","conversation":"{conv}","text":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    user.send_raw(&huge).await;
    let close = user.closed().await;
    assert_eq!(close.code, CloseCode::Size);
    assert_eq!(
        close.reason.as_str(),
        "message too big: the limit is 65536 bytes (files go in `attach`)"
    );

    // Reconnect: the conversation is intact and nothing is replayed twice.
    let mut again = Client::connect(&broker.url()).await;
    again.resume = user.resume_secret();
    let since = BTreeMap::from([(conv.clone(), last_seq)]);
    let welcome = again
        .hello(ClientRole::User, Some(conv.clone()), None, since)
        .await;
    assert!(matches!(welcome, ServerMsg::Welcome { conversation: Some(c), .. } if c == conv));
    common::seeds::say(&mut again, &conv, "text: It's about my SQL database").await;
    common::seeds::state_reached(&mut again, "offered").await;
    assert!(
        again
            .seen
            .iter()
            .all(|m| !matches!(m, ServerMsg::Event { seq, .. } if *seq <= last_seq))
    );
    broker.shutdown().await;
}
