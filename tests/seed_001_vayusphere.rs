//! Seed 001 end to end with `--system vayusphere`: the broker drives the Vayusphere connector,
//! which starts a session on the embedded Vayusphere emulator over loopback HTTP; the user
//! answers the routing follow-up, presses "Start agent chat" and is redirected to the
//! Vayusphere Bot's page for the session. The mock-desk flavour stays in
//! `seed_conversations.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use handoff::broker::BrokerConfig;
use handoff::connectors::DeskEvent;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::ConversationEvent;
use handoff::systems::SystemsConfig;
use std::time::Duration;

#[tokio::test]
async fn seed_001_runs_through_the_vayusphere_emulator() {
    let systems = SystemsConfig::from_toml(
        "test.toml",
        "[vayusphere]\napi_key_env = \"HANDOFF_TEST_VAYUSPHERE_SEED_UNSET\"\n",
    )
    .unwrap();
    let engine = start_on_system(
        handoff::systems::vayusphere::NAME,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap();
    let emulator = engine.system.as_ref().unwrap().emulator.as_ref().unwrap();
    let mut desk_events = emulator.desk_events();

    let redirect = common::seeds::seed_001_turns(&common::url(&engine.broker)).await;

    // Vayusphere queued the session with the topic and the expertise the follow-up found.
    let received = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let DeskEvent::Conversation {
                event:
                    ConversationEvent::Request {
                        title,
                        topic,
                        context,
                        ..
                    },
                ..
            } = desk_events.recv().await.unwrap()
            {
                return (title, topic, context);
            }
        }
    })
    .await
    .expect("the emulator's desk has the request");
    let (title, topic, context) = received;
    assert_eq!(
        title,
        "I'm running into a strange issue with a SQL database that I'm using."
    );
    assert_eq!(topic, "Azure SQL Database");
    assert_eq!(
        context.get("expertise").map(String::as_str),
        Some("Azure SQL Database")
    );
    assert_eq!(context.get("queue").map(String::as_str), Some("databases"));

    // The user was sent to the session's page on the emulator, which shows the bot.
    let sessions = emulator.sim().conversations();
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        redirect,
        format!("{}/chat/{}", emulator.base_url(), sessions[0].id)
    );
    let page = reqwest::get(&redirect).await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("<h1>Vayusphere Bot</h1>"), "{page}");
    assert!(page.contains("Azure SQL Database"), "{page}");
    assert!(page.contains("Waiting for an agent."), "{page}");
    engine.shutdown().await;
}
