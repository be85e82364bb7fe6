//! From `handoff.toml` to a connector: a real-instance configuration pointed at a standalone
//! emulator (what `handoff emulate 8x8` plus a config file does), and the errors that name
//! the file and the key.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

use handoff::config::ConfigError;
use handoff::connectors::{ChatEvent, HandoffRequest, Started};
use handoff::emulators::EmulatorOptions;
use handoff::emulators::desk::AgentScript;
use handoff::protocol::UserInfo;
use handoff::systems::BuildError;
use handoff::systems::SystemsConfig;
use std::collections::BTreeMap;
use std::time::Duration;

fn request() -> HandoffRequest {
    HandoffRequest {
        conversation: "c-000000000009".into(),
        title: "Printer on floor 3 is jammed".into(),
        topic: "Printers".into(),
        user: UserInfo::default(),
        context: BTreeMap::new(),
        history: Vec::new(),
    }
}

#[tokio::test]
async fn a_real_8x8_configuration_works_against_a_standalone_emulator() {
    let options = EmulatorOptions {
        script: AgentScript::greeting(Duration::from_millis(20)),
        credentials: Some("k-from-a-file".into()),
        ..EmulatorOptions::default()
    };
    let emulator = handoff::systems::emulate(
        handoff::systems::eight_by_eight::NAME,
        "127.0.0.1:0".parse().unwrap(),
        options,
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("8x8-key");
    std::fs::write(&key, "k-from-a-file\n").unwrap();
    let text = format!(
        "[8x8]\napi_base_url = \"{}\"\nchannel_id = \"ch-9\"\nqueue_id = \"q-9\"\napi_key_file = {:?}\nregister_webhook = true\n",
        emulator.base_url(),
        key.display().to_string()
    );
    let config = SystemsConfig::from_toml("handoff.toml", &text).unwrap();
    let built = handoff::systems::build(handoff::systems::eight_by_eight::NAME, &config)
        .await
        .unwrap();
    assert!(
        built.emulator.is_none(),
        "credentials configured: no embedded emulator"
    );
    let Started::Chat(mut link) = built.connector.start(request()).await.unwrap() else {
        panic!("a chat")
    };
    let mut agent = None;
    while agent.is_none() {
        match tokio::time::timeout(Duration::from_secs(10), link.events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            ChatEvent::AgentJoined { agent: a } => agent = Some(a.name),
            ChatEvent::Queued { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(agent.as_deref(), Some("Lisa"));
}

#[tokio::test]
async fn a_missing_required_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("8x8-key");
    std::fs::write(&key, "k\n").unwrap();
    let text = format!("[8x8]\napi_key_file = {:?}\n", key.display().to_string());
    let config = SystemsConfig::from_toml("handoff.toml", &text).unwrap();
    let error = handoff::systems::build(handoff::systems::eight_by_eight::NAME, &config)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "handoff.toml: 8x8.channel_id: required when an API key is configured"
    );
    assert!(matches!(
        error,
        BuildError::Config(ConfigError::Invalid { .. })
    ));
}

#[tokio::test]
async fn an_unreadable_secret_file_is_named() {
    let config = SystemsConfig::from_toml(
        "handoff.toml",
        "[8x8]\napi_key_file = \"/nonexistent/handoff/key\"\n",
    )
    .unwrap();
    let error = handoff::systems::build(handoff::systems::eight_by_eight::NAME, &config)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("handoff.toml: 8x8.api_key_file: cannot read the secret file"),
        "{error}"
    );
}

#[test]
fn a_missing_config_file_is_named() {
    let error =
        SystemsConfig::load_or_defaults(Some(std::path::Path::new("/nonexistent/handoff.toml")))
            .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/handoff.toml: cannot read"),
        "{error}"
    );
}
