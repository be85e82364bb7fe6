//! A user sends a file to the agent of a live chat with `attach`: the broker checks it, both
//! sides see what it was, and the system gets the bytes. Only `attach` frames may be larger than
//! the message limit, and only up to the attachment limit.

mod common;

use base64::Engine;
use common::Client;
use common::seeds::connected_chat;
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{
    Attachment, ClientMsg, ConversationEvent, ConversationId, ErrorCode, Part, Role, ServerMsg,
};
use handoff::systems::mock::Autopilot;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

fn attach(
    conversation: &ConversationId,
    name: &str,
    bytes: &[u8],
) -> impl FnOnce(handoff::protocol::RequestId) -> ClientMsg {
    let (conversation, name) = (conversation.clone(), name.to_owned());
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    move |id| ClientMsg::Attach {
        id,
        conversation,
        name,
        content_type: "application/pdf".into(),
        data,
    }
}

fn file_message(m: &ServerMsg) -> Option<&Attachment> {
    match m {
        ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } if message.role == Role::User => message.parts.iter().find_map(|p| match p {
            Part::Attachment { attachment } => Some(attachment),
            _ => None,
        }),
        _ => None,
    }
}

fn error_code(reply: &ServerMsg) -> (ErrorCode, &str) {
    match reply {
        ServerMsg::Error { code, message, .. } => (*code, message.as_str()),
        other => panic!("expected an error, got {other:#?}"),
    }
}

/// A broker whose mock agents answer on their own, but only after Lisa accepted by hand.
fn with_autopilot() -> BrokerConfig {
    let mut config = BrokerConfig::default();
    config.desk.autopilot = Some(Autopilot {
        accept_after: Duration::from_secs(600),
        ..Autopilot::default()
    });
    config
}

#[tokio::test]
async fn a_file_in_a_live_chat_reaches_the_agent_and_both_sides_see_it() {
    let broker = broker::start(with_autopilot()).await.unwrap();
    let (mut user, mut lisa, conv) = connected_chat(&common::url(&broker)).await;
    let pdf = b"%PDF-1.7 the crash report".repeat(10);
    let (from_user, from_lisa) = (user.mark(), lisa.mark());
    user.request(attach(&conv, "reports/crash report.pdf", &pdf))
        .await;

    let expected = Attachment {
        name: "crash report.pdf".into(),
        content_type: "application/pdf".into(),
        size: Some(pdf.len() as u64),
        url: None,
    };
    let seen = user
        .wait_from(from_user, "the file message", |m| file_message(m).is_some())
        .await;
    assert_eq!(file_message(&seen), Some(&expected));
    let seen = lisa
        .wait_from(from_lisa, "the file on the desk", |m| {
            file_message(m).is_some()
        })
        .await;
    assert_eq!(file_message(&seen), Some(&expected));
    // The mock desk's agent got the bytes and says so.
    user.wait_from(from_user, "the agent's acknowledgement", |m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
            if message.role == Role::Agent
            && matches!(&message.parts[0], Part::RichText { rich_text } if rich_text.contains("Thanks, I have crash report.pdf (250 B).")))
    })
    .await;
    broker.shutdown().await;
}

#[tokio::test]
async fn a_file_before_an_agent_joins_is_refused_and_the_chat_goes_on() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    let reply = user
        .request_error(attach(&conv, "report.pdf", b"%PDF"))
        .await;
    let (code, message) = error_code(&reply);
    assert_eq!(code, ErrorCode::InvalidState);
    assert!(
        message.starts_with("report.pdf was not sent: files go to a live agent"),
        "{message}"
    );
    assert!(!user.seen.iter().any(|m| file_message(m).is_some()));
    user.request(|id| ClientMsg::Ping { id }).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn a_bad_file_is_an_error_naming_the_field() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, _, conv) = connected_chat(&common::url(&broker)).await;
    let c = conv.clone();
    let reply = user
        .request_error(|id| ClientMsg::Attach {
            id,
            conversation: c,
            name: "notes.txt".into(),
            content_type: "text/plain".into(),
            data: "not base64!".into(),
        })
        .await;
    let (code, message) = error_code(&reply);
    assert_eq!(code, ErrorCode::BadField);
    assert!(
        message.starts_with("invalid `attach` message: `data` is not base64"),
        "{message}"
    );
    let c = conv.clone();
    let reply = user
        .request_error(|id| ClientMsg::Attach {
            id,
            conversation: c,
            name: "notes.txt".into(),
            content_type: "plain text".into(),
            data: "aGk=".into(),
        })
        .await;
    assert!(
        error_code(&reply)
            .1
            .contains("`content_type` \"plain text\" is not a MIME type")
    );
    // Nothing reached the chat, and the chat goes on.
    user.request(attach(&conv, "ok.pdf", b"%PDF")).await;
    assert_eq!(
        user.seen
            .iter()
            .filter(|m| file_message(m).is_some())
            .count(),
        1
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn only_attach_frames_may_pass_the_message_limit_and_only_up_to_the_file_limit() {
    let config = BrokerConfig {
        max_message_bytes: 16 * 1024,
        max_attachment_bytes: 64 * 1024,
        ..BrokerConfig::default()
    };
    let broker = broker::start(config).await.unwrap();
    let (mut user, _, conv) = connected_chat(&common::url(&broker)).await;

    // A 48 KiB file is a 64 KiB frame: over the message limit, within the file limit.
    user.request(attach(&conv, "big.pdf", &vec![7; 48 * 1024]))
        .await;
    // A file just over the limit whose frame still fits: refused, connection kept.
    let reply = user
        .request_error(attach(&conv, "bigger.pdf", &vec![7; 64 * 1024 + 1]))
        .await;
    assert_eq!(
        error_code(&reply).1,
        "invalid `attach` message: `data`: the file is 64.0 KB; the limit is 64.0 KB"
    );
    // Any other frame over the message limit closes with 1009.
    user.send_raw(&format!(
        r#"{{"type":"say","id":"big","conversation":"{conv}","text":"{}"}}"#,
        "x".repeat(20 * 1024)
    ))
    .await;
    assert_eq!(user.closed().await.code, CloseCode::Size);

    // So does an attach frame over the file limit's frame size.
    let (mut user, _, conv) = connected_chat(&common::url(&broker)).await;
    let huge = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 128 * 1024]);
    user.send_raw(&format!(
        r#"{{"type":"attach","id":"huge","conversation":"{conv}","name":"huge.pdf","content_type":"application/pdf","data":"{huge}"}}"#
    ))
    .await;
    assert_eq!(user.closed().await.code, CloseCode::Size);
    broker.shutdown().await;
}

#[tokio::test]
async fn a_broker_that_takes_no_files_says_so() {
    let config = BrokerConfig {
        max_attachment_bytes: 0,
        ..BrokerConfig::default()
    };
    let broker = broker::start(config).await.unwrap();
    let (mut user, _, conv) = connected_chat(&common::url(&broker)).await;
    let reply = user
        .request_error(attach(&conv, "report.pdf", b"%PDF"))
        .await;
    assert_eq!(
        error_code(&reply),
        (
            ErrorCode::Unavailable,
            "this broker takes no files (max_attachment_bytes is 0)"
        )
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn an_agent_sends_the_user_a_file_and_both_sides_see_it_from_the_agent() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, mut lisa, conv) = connected_chat(&common::url(&broker)).await;
    let from_user = user.mark();
    lisa.request(attach(&conv, "reset-guide.pdf", b"%PDF-1.7 steps"))
        .await;
    let seen = user
        .wait_from(from_user, "the agent's file", |m| {
            matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
                if message.role == Role::Agent
                && matches!(&message.parts[0], Part::Attachment { .. }))
        })
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = seen
    else {
        unreachable!("matched above")
    };
    assert_eq!(
        message.agent.as_ref().map(|a| a.name.as_str()),
        Some("Lisa")
    );
    assert_eq!(
        message.parts,
        vec![Part::Attachment {
            attachment: Attachment {
                name: "reset-guide.pdf".into(),
                content_type: "application/pdf".into(),
                size: Some(14),
                url: None,
            }
        }]
    );
    // An agent's bad file is named like a user's.
    let reply = lisa
        .request_error(|id| ClientMsg::Attach {
            id,
            conversation: conv.clone(),
            name: String::new(),
            content_type: "application/pdf".into(),
            data: "aGk=".into(),
        })
        .await;
    assert_eq!(error_code(&reply).0, ErrorCode::BadField);
    broker.shutdown().await;
}
