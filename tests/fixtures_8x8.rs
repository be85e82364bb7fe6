//! 8x8 Chat Gateway against 8x8's own documented examples (the fixtures in
//! `src/systems/eight_by_eight/fixtures/`), from both sides: the emulator takes each documented
//! request and sends events shaped like the documented ones, and the connector sends requests
//! shaped like the documented ones (same keys and value types; ids, times and texts differ).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;
mod fixture_support;

use connector_support::wait_for;
use fixture_support::{Recorder, assert_shape, fixture, shape_diff};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::webhook::WebhookListener;
use handoff::connectors::{ChatCommand, Connector, HandoffRequest, HistoryLine, Speaker, Started};
use handoff::emulators::desk::AgentScript;
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::protocol::UserInfo;
use handoff::systems::eight_by_eight::connector::{EightByEight, Settings};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const DIR: &str = "src/systems/eight_by_eight/fixtures";
const API: &str = "chat-gateway/v1";

/// The chat workflow guide's `POST /conversations` example (shortened history).
const CREATE: &str =
    include_str!("../src/systems/eight_by_eight/fixtures/create_conversation.json");
/// `WebHookV2CreateRequest`, filled from the reference's schema (it has no worked example).
const WEBHOOK: &str =
    include_str!("../src/systems/eight_by_eight/fixtures/create_webhook.request.json");
/// The workflow guide's "a message can be sent back in" example.
const MESSAGE: &str =
    include_str!("../src/systems/eight_by_eight/fixtures/send_message.request.json");
/// The typing request, from the reference's schema (no worked example).
const TYPING: &str = include_str!("../src/systems/eight_by_eight/fixtures/typing.request.json");

/// The webhook events reference and the workflow guide, one example per event type.
const EVENTS: [(&str, &str); 6] = [
    (
        "WEB_HOOK_VERIFY",
        include_str!("../src/systems/eight_by_eight/fixtures/event.web_hook_verify.json"),
    ),
    (
        "QUEUED",
        include_str!("../src/systems/eight_by_eight/fixtures/event.queued.json"),
    ),
    (
        "MEMBERS_CHANGED",
        include_str!("../src/systems/eight_by_eight/fixtures/event.members_changed.json"),
    ),
    (
        "AGENT_JOINED",
        include_str!("../src/systems/eight_by_eight/fixtures/event.agent_joined.json"),
    ),
    (
        "ACTIVITY",
        include_str!("../src/systems/eight_by_eight/fixtures/event.typing.json"),
    ),
    (
        "MESSAGE",
        include_str!("../src/systems/eight_by_eight/fixtures/event.message.json"),
    ),
];

async fn emulator() -> RunningEmulator {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        webhook_retry_delay: Duration::from_millis(20),
        ..EmulatorOptions::default()
    };
    handoff::systems::eight_by_eight::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap()
}

async fn post(base: &str, path: &str, body: &Value) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/{API}{path}"))
        .header("x-api-key", "test-key")
        .header("accept", "application/hal+json")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    (
        status,
        kind,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_documented_create_conversation_is_accepted_with_an_iso_8601_time() {
    let emulator = emulator().await;
    let (status, kind, body) = post(
        &emulator.base_url(),
        "/conversations",
        &fixture(DIR, CREATE),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(kind, "application/hal+json");
    assert!(body["conversationId"].is_string(), "{body}");
    let created = body["createdAt"].as_str().unwrap();
    created.parse::<jiff::Timestamp>().unwrap();
}

#[tokio::test]
async fn an_invalid_author_type_gets_the_documented_bad_request() {
    let emulator = emulator().await;
    let mut body = fixture(DIR, CREATE);
    body["history"]["messages"][0]["authorType"] = "ghfgh".into();
    let (status, kind, body) = post(&emulator.base_url(), "/conversations", &body).await;
    assert_eq!(status, 400);
    assert_eq!(kind, "application/problem+json");
    assert_eq!(
        body["message"],
        "Invalid authorType=ghfgh, has to be one of user, bot"
    );
    assert_eq!(body["errors"]["code"], "invalid_json_object");
}

/// Registers `hooks` as the tenant's webhook with the documented body and creates the
/// documented conversation; its id.
async fn registered_conversation(emulator: &RunningEmulator, hooks: &Recorder) -> String {
    let base = emulator.base_url();
    let mut webhook = fixture(DIR, WEBHOOK);
    webhook["uri"] = format!("{}/hooks/8x8", hooks.base_url()).into();
    let (status, kind, created) = post(&base, "/webhooks", &webhook).await;
    assert_eq!(
        (status, kind.as_str()),
        (200, "application/hal+json"),
        "{created}"
    );
    let answer = json!({"id": "12", "name": "handoff", "uri": "https://x", "version": "v"});
    assert_shape("the webhook created", &answer, &created, &["_links"]);
    let (status, _, conversation) = post(&base, "/conversations", &fixture(DIR, CREATE)).await;
    assert_eq!(status, 202, "{conversation}");
    conversation["conversationId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_documented_message_and_typing_requests_are_accepted() {
    let emulator = emulator().await;
    let hooks = Recorder::spawn(None).await;
    let id = registered_conversation(&emulator, &hooks).await;
    let base = emulator.base_url();
    let (status, _, body) = post(
        &base,
        &format!("/conversations/{id}/messages"),
        &fixture(DIR, MESSAGE),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let (status, _, body) = post(
        &base,
        &format!("/conversations/{id}/typing"),
        &fixture(DIR, TYPING),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let sim = emulator.sim();
    wait_for(|| {
        sim.conversation(&id)
            .filter(|c| {
                c.user_messages
                    .iter()
                    .any(|m| m == "Hello, I'm sending a message")
            })
            .map(|_| ())
    })
    .await;
}

#[tokio::test]
async fn the_emulator_sends_every_event_shaped_like_the_documented_example() {
    let emulator = emulator().await;
    let hooks = Recorder::spawn(None).await;
    let id = registered_conversation(&emulator, &hooks).await;
    let sim = emulator.sim();
    sim.join(&id, "Lisa").await.unwrap();
    sim.agent_typing(&id, true).await.unwrap();
    sim.say(&id, None, "Hello - can you share more details?")
        .await
        .unwrap();
    for (kind, text) in EVENTS {
        let event = hooks.event("eventType", kind).await;
        // A text message carries no attachments or cards; the example shows both.
        let optional = ["data.attachments", "data.cards"];
        assert_shape(kind, &fixture(kind, text), &event, &optional);
    }
}

fn request() -> HandoffRequest {
    let mut context = BTreeMap::new();
    context.insert("language".to_owned(), "en".to_owned());
    HandoffRequest {
        conversation: "c-000000000001".into(),
        title: "I can't connect to the SQL database".into(),
        topic: "SQL Database".into(),
        user: UserInfo::default(),
        context,
        history: vec![HistoryLine {
            at: 1,
            speaker: Speaker::User,
            text: "agent please".into(),
        }],
    }
}

/// The connector, talking to the emulator through a recorder.
async fn connector(proxy: &Recorder) -> (EightByEight, WebhookListener) {
    let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let settings = Settings {
        api_base: proxy.base_url().to_owned(),
        region: "us".into(),
        tenant_id: Some("emu-tenant".into()),
        channel_id: "ch-1".into(),
        queue_id: Some("queue-it".into()),
        api_key: Secret::new("test-key-not-secret"),
        verify_signatures: true,
        retry: RetryPolicy::default(),
    };
    (EightByEight::new(settings, &listener), listener)
}

#[tokio::test]
async fn the_connector_sends_requests_shaped_like_the_documented_examples() {
    let emulator = emulator().await;
    let proxy = Recorder::spawn(Some(emulator.base_url())).await;
    let (connector, _listener) = connector(&proxy).await;
    connector.register_webhook().await.unwrap();
    let Started::Chat(link) = connector.start(request()).await.unwrap() else {
        panic!("8x8 starts a chat");
    };
    link.commands.send(ChatCommand::Typing(true)).await.unwrap();
    let text = ChatCommand::Text {
        text: "Error 18456".into(),
        client_message_id: "m1".into(),
    };
    link.commands.send(text).await.unwrap();

    let hook = proxy.call(Method::POST, "/webhooks").await;
    assert_shape("POST /webhooks", &fixture(DIR, WEBHOOK), &hook.body, &[]);
    let create = proxy.call(Method::POST, "/conversations").await;
    // The example shows a phone; we have none, and we send our user id.
    let optional = ["user.phone", "user.userId"];
    assert_shape(
        "POST /conversations",
        &fixture(DIR, CREATE),
        &create.body,
        &optional,
    );
    let typing = proxy.call(Method::POST, "/typing").await;
    assert_shape("POST …/typing", &fixture(DIR, TYPING), &typing.body, &[]);
    let message = proxy.call(Method::POST, "/messages").await;
    assert_shape(
        "POST …/messages",
        &fixture(DIR, MESSAGE),
        &message.body,
        &[],
    );
    // Every Chat Gateway call asks for HAL+JSON (the signing key's read is another API).
    let gateway = proxy
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/chat-gateway/"));
    for call in gateway {
        assert_eq!(
            call.accept.as_deref(),
            Some("application/hal+json"),
            "{call:?}"
        );
    }
}

#[test]
fn a_registration_with_url_instead_of_uri_is_not_the_documented_shape() {
    let sent = json!({"name": "handoff", "url": "https://example.com/hooks", "version": "Chat Gateway v1.0"});
    let diff = shape_diff(&fixture(DIR, WEBHOOK), &sent, &[]);
    assert_eq!(diff, ["uri: missing", "url: not in the example"]);
}

#[tokio::test]
async fn the_recorder_keeps_at_most_its_bound_and_counts_the_rest() {
    let hooks = Recorder::spawn(None).await;
    let client = reqwest::Client::new();
    for n in 0..=fixture_support::MAX_RECORDED {
        let sent = client
            .post(format!("{}/hooks/{n}", hooks.base_url()))
            .json(&json!({"n": n}))
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200, "request {n} is still answered");
    }
    let kept = hooks.requests();
    assert_eq!(kept.len(), fixture_support::MAX_RECORDED);
    assert_eq!(kept[0].body["n"], 0);
    assert_eq!(hooks.dropped(), 1);
}
