//! Ended and abandoned conversations leave the broker's memory after the grace period
//! (`--evict-after`); they stay in the store, and a client resuming one is told it was evicted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::{Client, WAIT};
use handoff::broker::BrokerConfig;
use handoff::protocol::{ErrorCode, ServerMsg};
use std::time::Duration;

#[tokio::test]
async fn an_abandoned_conversation_is_evicted_kept_in_the_store_and_a_resume_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let config = BrokerConfig {
        store: Some(store.clone()),
        evict_after: Duration::from_millis(200),
        ..BrokerConfig::default()
    };
    let broker = handoff::broker::start(config).await.unwrap();
    let (user, conv) = Client::join_user(&broker.url()).await;
    let secret = user.resume_secret();
    drop(user); // the user closes the window without ending anything
    let deadline = tokio::time::Instant::now() + WAIT;
    let refusal = loop {
        assert!(tokio::time::Instant::now() < deadline, "never evicted");
        let (client, answer) = Client::resume_user(&broker.url(), &conv, secret.clone(), 0).await;
        drop(client);
        if let ServerMsg::Error { code, message, .. } = answer {
            break (code, message);
        }
        // Still in memory (and just watched again): give the sweep time to come round.
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(refusal.0, ErrorCode::NotFound);
    assert!(
        refusal.1.contains("evicted") && refusal.1.contains("kept in the store"),
        "{}",
        refusal.1
    );
    let kept = handoff::store::Store::open(&store)
        .unwrap()
        .conversation(&conv)
        .unwrap()
        .expect("still in the store");
    assert!(!kept.events.is_empty());
    broker.shutdown().await;
}
