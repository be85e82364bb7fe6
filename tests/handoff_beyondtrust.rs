//! `handoff serve --system beyondtrust` over the protocol: a user client asks for an agent on a
//! broker running the real BeyondTrust connector against its embedded emulator; the user is
//! taken to the session key's URL and an agent client sees the request in its inbox.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, request_title, say, state_reached};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::{ConversationEvent, ConversationId, HandoffState, ServerMsg};
use handoff::systems::SystemsConfig;
use handoff::systems::beyondtrust::NAME;

const UTTERANCE: &str = "My printer in room 4 says it is offline";

/// The user asks for an agent, gives the details and presses start: where they are sent.
async fn ask_and_start(user: &mut Client, conv: &ConversationId) -> String {
    say(user, conv, "text: I'd like to speak to a live agent").await;
    state_reached(user, "collecting details").await;
    say(user, conv, &format!("text: {UTTERANCE}")).await;
    state_reached(user, "offered").await;
    press_start(user, conv).await;
    match state_reached(user, "redirected").await {
        HandoffState::Redirected { url } => url,
        other => panic!("{other:?}"),
    }
}

async fn handed_over(section: &str) -> (String, String) {
    let systems = SystemsConfig::from_toml("test.toml", section).unwrap();
    let engine = start_on_system(
        NAME,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap();
    let base = engine
        .system
        .as_ref()
        .unwrap()
        .emulator
        .as_ref()
        .unwrap()
        .base_url();
    let url = common::url(&engine.broker);
    let (mut user, conv) = Client::join_user(&url).await;
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    let to = ask_and_start(&mut user, &conv).await;
    assert!(to.starts_with(&base), "{to} is on the emulated site {base}");
    user.wait_from(0, "the link", |m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
            if format!("{:?}", message.parts).contains("Taking you to"))
    })
    .await;
    let title = request_title(&mut lisa).await;
    (to, title)
}

#[tokio::test]
async fn api_mode_takes_the_user_to_the_session_key_and_queues_the_request() {
    let (to, title) = handed_over("[beyondtrust]\n").await;
    assert!(to.contains("/api/start_session?short_key="), "{to}");
    assert_eq!(title, UTTERANCE);
}

#[tokio::test]
async fn url_mode_takes_the_user_to_the_start_session_page() {
    let systems = "[beyondtrust]\nmode = \"url\"\nqueue = \"issue:printers\"\n";
    let engine_url = {
        let systems = SystemsConfig::from_toml("test.toml", systems).unwrap();
        let engine = start_on_system(
            NAME,
            &systems,
            AgentScript::manual(),
            BrokerConfig::default(),
        )
        .await
        .unwrap();
        let url = common::url(&engine.broker);
        let (mut user, conv) = Client::join_user(&url).await;
        say(
            &mut user,
            &conv,
            &format!("text: I need an agent, {UTTERANCE}"),
        )
        .await;
        state_reached(&mut user, "offered").await;
        press_start(&mut user, &conv).await;
        let HandoffState::Redirected { url: to } = state_reached(&mut user, "redirected").await
        else {
            unreachable!()
        };
        // The user's browser opens the page, which queues the request on the desk.
        assert_eq!(reqwest::get(&to).await.unwrap().status(), 200);
        let sim = engine
            .system
            .as_ref()
            .unwrap()
            .emulator
            .as_ref()
            .unwrap()
            .sim();
        assert_eq!(sim.conversations().len(), 1);
        assert_eq!(
            sim.conversations()[0].external_ref.as_deref(),
            Some(conv.as_str())
        );
        to
    };
    assert!(
        engine_url.contains("issue_menu=1&codeName=printers&customer.name="),
        "{engine_url}"
    );
}

/// Lisa takes the waiting session on BeyondTrust's desk: the conversation went on there, so
/// her inbox hears that she has it and that it is over here, and the user stays redirected.
#[tokio::test]
async fn taking_the_session_hands_it_over_for_good() {
    use handoff::protocol::{ClientMsg, EndReason};
    let systems = SystemsConfig::from_toml("test.toml", "[beyondtrust]\n").unwrap();
    let config = BrokerConfig::default();
    let engine = start_on_system(NAME, &systems, AgentScript::manual(), config)
        .await
        .unwrap();
    let url = common::url(&engine.broker);
    let (mut user, conv) = Client::join_user(&url).await;
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    ask_and_start(&mut user, &conv).await;
    let is_request = |m: &ServerMsg| {
        matches!(
            m,
            ServerMsg::Event {
                event: ConversationEvent::Request { .. },
                ..
            }
        )
    };
    lisa.wait_for("the request", is_request).await;

    let c = conv.clone();
    lisa.request(|id| ClientMsg::Accept {
        id,
        conversation: c,
    })
    .await;
    // The desk view's events may come before the ack: look from the start.
    lisa.wait_from(0, "Lisa has it", |m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::Assigned { agent, .. }, .. }
            if agent == "Lisa")
    })
    .await;
    let ended = lisa
        .wait_from(0, "handed over", |m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: ConversationEvent::ChatEnded { .. },
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(&ended, ServerMsg::Event { event: ConversationEvent::ChatEnded {
            reason: EndReason::HandedOver { system } }, .. } if system.contains("BeyondTrust")),
        "{ended:?}"
    );
    // Taking it again is refused by the desk: it is no longer waiting.
    let c = conv.clone();
    lisa.request_error(|id| ClientMsg::Accept {
        id,
        conversation: c,
    })
    .await;
    let states = user.seen.iter().filter(|m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::State { state }, .. }
            if state.name() == "ended")
    });
    assert_eq!(states.count(), 0, "the user stays redirected");
    engine.shutdown().await;
}
