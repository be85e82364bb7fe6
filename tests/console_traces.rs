//! With a real connector (the 8x8 connector against its loopback emulator), the inspector shows
//! the connector's calls to the system next to the protocol frames, secrets redacted.

mod console_support;

use console_support::Harness;
use crossterm::event::KeyCode;
use handoff::broker::BrokerConfig;
use handoff::console::Focus;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::systems::SystemsConfig;
use handoff::theme::Theme;
use std::time::Duration;

#[tokio::test]
async fn the_inspector_shows_the_8x8_calls() {
    let systems = SystemsConfig::from_toml(
        "test.toml",
        "[8x8]\napi_key_env = \"HANDOFF_TEST_8X8_CONSOLE_UNSET\"\n",
    )
    .unwrap();
    let engine = start_on_system(
        handoff::systems::eight_by_eight::NAME,
        &systems,
        AgentScript::greeting(Duration::from_millis(50)),
        BrokerConfig::default(),
    )
    .await
    .unwrap();
    let url = engine.url();
    let mut h = Harness::connect(engine.broker, &url, Theme::default(), 160, 48).await;

    h.say("I'd like to speak to a live agent").await;
    h.see("provide more details").await;
    h.say("I'm running into a strange issue with a SQL database that I'm using.")
        .await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.until("connected", |s| s.contains("(live agent)")).await;

    // Open the inspector, focus it, filter on the traces.
    h.key(KeyCode::F(2)).await;
    while h.console.app.focus != Focus::Inspector {
        h.key(KeyCode::Tab).await;
    }
    h.type_text("/trace/8x8").await;
    h.key(KeyCode::Enter).await;
    h.see("← agent trace/8x8 ").await;
    let posts = h
        .console
        .app
        .inspector
        .frames
        .iter()
        .filter(|f| f.summary.starts_with("trace/8x8 POST") && f.pretty.contains("SQL database"))
        .count();
    assert!(
        posts > 0,
        "the create-conversation call with the user's request is traced"
    );
    assert!(
        !h.console
            .app
            .inspector
            .frames
            .iter()
            .any(|f| f.pretty.contains("emulated-api-key")),
        "a secret reached the inspector"
    );
    h.stop().await;
}
