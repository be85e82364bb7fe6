//! Overload over real sockets: a burst from a user reaches a slow agent whole and in order, and
//! the user is slowed down to the agent's pace, the agent never closed; the user's acks and
//! echoes keep their order too.

// Tests fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use futures_util::{SinkExt, StreamExt};
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{ChatMessage, ClientMsg, ConversationEvent, Part, ServerMsg};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Messages in the burst; at 32 KiB each they are far more than the socket buffers and the
/// agent's queue of [`QUEUE`] hold.
const BURST: usize = 1500;

/// Every session's queue.
const QUEUE: usize = 1024;

/// Requests the user keeps in flight, as a chat client with a send window does.
const WINDOW: usize = 8;

/// The number a burst message carries at the start of its text.
fn number(message: &ChatMessage) -> Option<usize> {
    let html = message.parts.iter().find_map(|p| match p {
        Part::RichText { rich_text } => Some(rich_text),
        _ => None,
    })?;
    html.strip_prefix("<p>#")?.split(' ').next()?.parse().ok()
}

#[tokio::test]
async fn a_slow_agent_under_a_burst_gets_every_message_in_order_and_is_not_closed() {
    let broker = broker::start(BrokerConfig {
        session_queue: QUEUE,
        ..BrokerConfig::default()
    })
    .await
    .unwrap();
    let url = common::url(&broker);
    let (user, lisa, conv) = common::seeds::connected_chat(&url).await;

    // The user reads everything it is sent, at once, in the background: acks and echoes. Each
    // ack lets one more request go.
    let window = std::sync::Arc::new(tokio::sync::Semaphore::new(WINDOW));
    let (mut user_tx, mut user_rx) = user.ws.split();
    let acked = std::sync::Arc::clone(&window);
    let user_reads = tokio::spawn(async move {
        let (mut acks, mut echoes) = (Vec::new(), Vec::new());
        while acks.len() < BURST || echoes.len() < BURST {
            let frame = tokio::time::timeout(common::WAIT * 6, user_rx.next()).await;
            let Ok(Some(Ok(Message::Text(text)))) = frame else {
                panic!("the user's connection ended or stalled: {frame:?}");
            };
            match serde_json::from_str(text.as_str()).unwrap() {
                ServerMsg::Ack { id, said } => {
                    acked.add_permits(1);
                    // Protocol 2: the ack of a `say` is its echo.
                    if said.is_some() {
                        echoes.extend(
                            id.as_str()
                                .strip_prefix('b')
                                .and_then(|n| n.parse::<usize>().ok()),
                        );
                    }
                    acks.push(id.0);
                }
                ServerMsg::Event {
                    event: ConversationEvent::Message { message },
                    ..
                } => echoes.extend(number(&message)),
                _ => {}
            }
        }
        (acks, echoes)
    });

    let filler = "x".repeat(32 * 1024);
    let c = conv.clone();
    let user_sends = tokio::spawn(async move {
        for i in 0..BURST {
            window.acquire().await.unwrap().forget();
            let say = ClientMsg::Say {
                id: format!("b{i}").into(),
                conversation: c.clone(),
                text: format!("#{i} {filler}"),
            };
            let frame = serde_json::to_string(&say).unwrap();
            user_tx.send(Message::text(frame)).await.unwrap();
        }
        user_tx
    });

    // Lisa reads, but slowly: a pause after every frame.
    let mut lisa_ws = lisa.ws;
    let mut got = Vec::new();
    while got.len() < BURST {
        let frame = tokio::time::timeout(common::WAIT, lisa_ws.next()).await;
        match frame {
            Ok(Some(Ok(Message::Text(text)))) => {
                if let Ok(ServerMsg::Event {
                    event: ConversationEvent::Message { message },
                    ..
                }) = serde_json::from_str(text.as_str())
                {
                    got.extend(number(&message));
                }
            }
            Ok(Some(Ok(Message::Close(close)))) => panic!("the agent was closed: {close:?}"),
            other => panic!(
                "the agent's connection ended or stalled after {}: {other:?}",
                got.len()
            ),
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(
        got,
        (0..BURST).collect::<Vec<_>>(),
        "every message, in order"
    );

    let (acks, echoes) = user_reads.await.unwrap();
    let sent: Vec<String> = (0..BURST).map(|i| format!("b{i}")).collect();
    assert_eq!(acks, sent, "acks in the order of the requests");
    assert_eq!(echoes, (0..BURST).collect::<Vec<_>>(), "echoes in order");
    drop(user_sends.await.unwrap());
    broker.shutdown().await;
}
