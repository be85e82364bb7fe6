//! Seed 000 end to end with `--system 8x8`: the broker drives the real 8x8 connector, which
//! talks to the embedded 8x8 emulator over loopback HTTP and receives its signed webhooks;
//! Lisa (the emulator's scripted agent) joins and greets.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, say, state_reached, user_texts};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::{ConversationEvent, HandoffState, Part, Role, ServerMsg};
use handoff::systems::SystemsConfig;
use std::time::Duration;

const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

#[tokio::test]
async fn seed_000_runs_through_the_8x8_emulator() {
    let systems = SystemsConfig::from_toml(
        "test.toml",
        "[8x8]\napi_key_env = \"HANDOFF_TEST_8X8_SEED_UNSET\"\n",
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

    let seed = common::seed("000");
    let texts = user_texts(&seed);
    let (mut user, conv) = Client::join_user(&common::url(&engine.broker)).await;
    say(&mut user, &conv, &texts[0]).await;
    state_reached(&mut user, "collecting details").await;
    say(&mut user, &conv, &texts[1]).await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;

    let state = state_reached(&mut user, "connected").await;
    assert!(
        matches!(&state, HandoffState::Connected { agent, .. } if agent == "Lisa"),
        "{state:?}"
    );
    let greeting = user
        .wait_for("Lisa's greeting", |m| {
            matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
                if message.role == Role::Agent)
        })
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = greeting
    else {
        unreachable!()
    };
    assert_eq!(message.agent.unwrap().name, "Lisa");
    let text: Vec<String> = message
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::RichText { rich_text } => Some(handoff::text::to_plain(rich_text)),
            _ => None,
        })
        .collect();
    assert_eq!(text.join("").trim(), GREETING);

    // 8x8 saw the request with the utterance, the routing context and the broker's id.
    let emulator = engine.system.as_ref().unwrap().emulator.as_ref().unwrap();
    let conversations = emulator.sim().conversations();
    assert_eq!(conversations.len(), 1);
    assert_eq!(
        conversations[0].external_ref.as_deref(),
        Some(conv.as_str())
    );
    engine.shutdown().await;
}
