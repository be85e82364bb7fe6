//! Seed 002 end to end with `--system url`: the broker drives the URL-template connector with
//! the seed's template, and the chat ends in `Taking you to https://livechat.acme.com/...`.
//! Without a template, the same turns send the user to the embedded emulator's page, which
//! queues the visitor on its desk under the broker's conversation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, say, state_reached, user_texts};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::{Engine, start_on_system};
use handoff::protocol::{ConversationEvent, HandoffState, ServerMsg};
use handoff::systems::SystemsConfig;

/// The template seed 002's page is reached by.
const SEED_TEMPLATE: &str = "https://livechat.acme.com/start-chat?queue_id={queue_id}";

async fn engine(toml: &str) -> Engine {
    let systems = SystemsConfig::from_toml("test.toml", toml).unwrap();
    start_on_system(
        handoff::systems::url::NAME,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn seed_002_reproduces_turn_by_turn_through_the_url_system() {
    let engine = engine(&format!("[url]\ntemplate = \"{SEED_TEMPLATE}\"\n")).await;
    assert!(engine.system.as_ref().unwrap().emulator.is_none());
    // The shared helper checks every turn against the seed, down to the redirect's address.
    common::seeds::seed_002(&common::url(&engine.broker)).await;
    engine.shutdown().await;
}

#[tokio::test]
async fn without_a_template_the_user_lands_on_the_emulated_page_which_queues_the_visit() {
    let engine = engine("").await;
    let url = common::url(&engine.broker);
    let seed = common::seed("002");
    let texts = user_texts(&seed);
    let (mut user, conv) = Client::join_user(&url).await;
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    say(&mut user, &conv, &texts[0]).await;
    state_reached(&mut user, "collecting details").await;
    say(&mut user, &conv, &texts[1]).await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    let HandoffState::Redirected { url: page } = state_reached(&mut user, "redirected").await
    else {
        unreachable!()
    };
    let emulator = engine.emulator_url().unwrap();
    assert!(
        page.starts_with(&format!("{emulator}/start-chat?queue_id=71f1cbd2-")),
        "{page}"
    );

    // The inbox has the request from the broker, titled with the user's utterance.
    let request = lisa
        .wait_for("the request", |m| {
            matches!(m, ServerMsg::Event { event: ConversationEvent::Request { .. }, conversation, .. }
                if *conversation == conv)
        })
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Request { title, .. },
        ..
    } = request
    else {
        unreachable!()
    };
    assert_eq!(
        title,
        "I'm running into a strange issue with a SQL database that I'm using."
    );

    // The user's browser opens the page, which queues the visitor on the emulator's desk under
    // the same conversation, with what the page received.
    assert_eq!(reqwest::get(&page).await.unwrap().status(), 200);
    let sim = engine
        .system
        .as_ref()
        .unwrap()
        .emulator
        .as_ref()
        .unwrap()
        .sim();
    let queued = sim.conversations();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].external_ref.as_deref(), Some(conv.as_str()));
    engine.shutdown().await;
}
