//! The `ServiceNow` connector against the documented Bot Integration examples (the fixtures in
//! `src/systems/servicenow/fixtures/`): through a loopback recorder in front of the emulator,
//! its requests have the documented keys and value types (ids, times and texts differ). The
//! emulator side is `tests/emulator_servicenow_docs.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;
mod fixture_support;

use connector_support::wait_for;
use fixture_support::{Recorder, assert_shape, fixture};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::webhook::WebhookListener;
use handoff::connectors::{ChatCommand, Connector, HandoffRequest, HistoryLine, Speaker, Started};
use handoff::emulators::EmulatorOptions;
use handoff::emulators::desk::AgentScript;
use handoff::protocol::UserInfo;
use handoff::systems::servicenow::connector::inferred::{AVAILABLE_STATE, CHAT_CHANNEL};
use handoff::systems::servicenow::connector::{Auth, CallbackAuth, ServiceNow, Settings};
use std::collections::BTreeMap;

const DIR: &str = "src/systems/servicenow/fixtures";
const CALLBACK: &str = "Bearer callback-test-secret";
/// The documented transfer to Live Agent.
const AGENT: &str = include_str!("../src/systems/servicenow/fixtures/bot_request.agent.json");
/// The documented plain message.
const MESSAGE: &str = include_str!("../src/systems/servicenow/fixtures/bot_request.message.json");

fn request() -> HandoffRequest {
    let mut context = BTreeMap::new();
    context.insert("domain".to_owned(), "IT".to_owned());
    HandoffRequest {
        conversation: "c-000000000002".into(),
        title: "My VPN keeps disconnecting".into(),
        topic: "VPN".into(),
        user: UserInfo::default(),
        context,
        history: vec![HistoryLine {
            at: 1_700_000_000_000,
            speaker: Speaker::User,
            text: "agent".into(),
        }],
    }
}

#[tokio::test]
async fn the_connector_sends_requests_shaped_like_the_documented_examples() {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        ..EmulatorOptions::default()
    };
    let emulator =
        handoff::systems::servicenow::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
    let proxy = Recorder::spawn(Some(emulator.base_url())).await;
    let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let settings = Settings {
        instance_url: proxy.base_url().to_owned(),
        auth: Auth::Basic {
            username: "handoff".into(),
            password: Secret::new("test-password-not-secret"),
        },
        message_token: None,
        app_inbound_id: Some("VA Bot to Bot".into()),
        callback_auth: CallbackAuth {
            header: "Authorization".into(),
            value: Secret::new(CALLBACK),
        },
        chat_channel_id: CHAT_CHANNEL.into(),
        available_state_id: AVAILABLE_STATE.into(),
        retry: RetryPolicy::default(),
    };
    let connector = ServiceNow::new(settings, &listener);
    let hooks = format!("http://{}/hooks/servicenow", listener.local_addr());
    handoff::systems::servicenow::configure_emulator(
        &emulator,
        &hooks,
        "Authorization",
        &Secret::new(CALLBACK),
    )
    .await
    .unwrap();
    let Started::Chat(link) = connector.start(request()).await.unwrap() else {
        panic!("ServiceNow starts a chat");
    };
    let sim = emulator.sim();
    let id = wait_for(|| sim.conversations().last().map(|c| c.id.clone())).await;
    sim.join(&id, "Lisa").await.unwrap();
    let text = ChatCommand::Text {
        text: "Error 18456".into(),
        client_message_id: "m1".into(),
    };
    link.commands.send(text).await.unwrap();

    let agent = proxy
        .wait("the transfer", |r| r.body["action"] == "AGENT")
        .await;
    // Routing keys are ours (only `liveagent_topic` is the example's); `appInboundId` is a
    // documented member the example leaves out.
    let optional = [
        "contextVariables.b2b_category",
        "contextVariables.domain",
        "contextVariables.live_agent_only",
        "appInboundId",
    ];
    assert_shape("the transfer", &fixture(DIR, AGENT), &agent.body, &optional);
    let said = proxy
        .wait("the user's message", |r| {
            r.body["message"]["text"] == "Error 18456"
        })
        .await;
    // Later messages carry no time zone (the transfer does).
    let optional = ["timezone", "appInboundId"];
    assert_shape("a message", &fixture(DIR, MESSAGE), &said.body, &optional);
}
