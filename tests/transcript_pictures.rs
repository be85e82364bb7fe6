//! `handoff transcript ID --format mermaid | diagram | scenario`: seed 000 from a real store, as
//! a mermaid sequence diagram, as text, and as a scenario that `handoff run` passes, through
//! the real binary.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod cli_support;
mod common;

use handoff::broker::{self, BrokerConfig};
use handoff::store::Store;
use std::path::PathBuf;
use std::process::Command;

/// Seed 000 played against a broker with a store: the store's folder, the conversation's id,
/// and a function that prints the conversation in a format through the real binary.
async fn seed_000_store() -> (tempfile::TempDir, String, impl Fn(&str) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("transcripts.sqlite");
    let config = BrokerConfig {
        store: Some(path.clone()),
        ..BrokerConfig::default()
    };
    let broker = broker::start(config).await.unwrap();
    common::seeds::seed_000(&common::url(&broker)).await;
    broker.shutdown().await;
    let id = Store::open(&path).unwrap().conversations().unwrap()[0]
        .id
        .as_str()
        .to_owned();
    let shown = id.clone();
    let run = move |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(["transcript", "--store"])
            .arg(&path)
            .args([shown.as_str(), "--format", format])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    (dir, id, run)
}

#[tokio::test]
async fn seed_000_as_a_mermaid_sequence_and_as_text() {
    let (_dir, _id, run) = seed_000_store().await;
    insta::assert_snapshot!("seed_000_mermaid", run("mermaid"));
    // Not a terminal: the diagram is 100 columns wide.
    insta::assert_snapshot!("seed_000_diagram", run("diagram"));
}

#[tokio::test]
async fn seed_000_as_a_scenario_named_after_it_that_handoff_run_passes() {
    let (dir, id, run) = seed_000_store().await;
    let text = run("scenario");
    let scenario = handoff::scenario::parse(&text, "stdout").unwrap();
    assert_eq!(scenario.name, id);
    let file = dir.path().join("seed_000.toml");
    std::fs::write(&file, &text).unwrap();
    let mut cmd = cli_support::handoff(dir.path());
    cmd.arg("run").arg(&file);
    let exit = cli_support::run_to_exit(&mut cmd, "handoff run");
    assert_eq!(exit.code, Some(0), "{exit:#?}\nthe file:\n{text}");
    assert!(exit.stdout.contains("1 passed, 0 failed"), "{exit:#?}");
}
