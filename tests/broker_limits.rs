//! The connection limit, and a graceful shutdown that tells every client it is going away.

mod common;

use common::Client;
use futures_util::StreamExt;
use handoff::broker::{self, BrokerConfig};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test]
async fn connections_over_the_limit_wait_until_one_closes() {
    let broker = broker::start(BrokerConfig {
        max_connections: 2,
        ..BrokerConfig::default()
    })
    .await
    .unwrap();
    let (first, _) = Client::join_user(&common::url(&broker)).await;
    let (_second, _) = Client::join_user(&common::url(&broker)).await;
    let url = common::url(&broker);
    let third = tokio::spawn(async move { Client::join_user(&url).await });
    // The third is not served while two are open. Waiting a little is the only way to see that
    // something does not happen; a slow machine can only make this pass, never fail.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !third.is_finished(),
        "the third connection was served over the limit"
    );
    // ...and is served as soon as one closes.
    drop(first);
    let (_third, conv) = tokio::time::timeout(common::WAIT, third)
        .await
        .expect("served after a close")
        .unwrap();
    assert!(conv.as_str().starts_with("c-"));
    broker.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_every_session_with_going_away() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (mut user, _) = Client::join_user(&common::url(&broker)).await;
    let shutdown = tokio::spawn(broker.shutdown());
    let close = loop {
        match tokio::time::timeout(common::WAIT, user.ws.next())
            .await
            .expect("a close frame")
        {
            Some(Ok(Message::Close(frame))) => break frame.expect("a close code"),
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.code, CloseCode::Away);
    assert_eq!(close.reason.as_str(), "the broker is shutting down");
    tokio::time::timeout(common::WAIT, shutdown)
        .await
        .expect("shutdown finishes")
        .unwrap();
}
