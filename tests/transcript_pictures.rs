//! `handoff transcript ID --format mermaid | diagram`: seed 000 from a real store, as a mermaid
//! sequence diagram and as text, through the real binary.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use handoff::broker::{self, BrokerConfig};
use handoff::store::Store;
use std::process::Command;

#[tokio::test]
async fn seed_000_as_a_mermaid_sequence_and_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let config = BrokerConfig {
        store: Some(path.clone()),
        ..BrokerConfig::default()
    };
    let broker = broker::start(config).await.unwrap();
    common::seeds::seed_000(&common::url(&broker)).await;
    broker.shutdown().await;
    let id = Store::open(&path).unwrap().conversations().unwrap()[0]
        .id
        .clone();
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(["transcript", "--store"])
            .arg(&path)
            .args([id.as_str(), "--format", format])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    insta::assert_snapshot!("seed_000_mermaid", run("mermaid"));
    // Not a terminal: the diagram is 100 columns wide.
    insta::assert_snapshot!("seed_000_diagram", run("diagram"));
}
