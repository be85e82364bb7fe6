//! Glia against Glia's own documented examples (the fixtures in `src/systems/glia/fixtures/`),
//! from both sides: the emulator takes each documented request and answers as documented, and
//! the connector sends requests shaped like the documented ones (same keys and value types;
//! ids, tokens and texts differ).

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
use handoff::systems::glia::connector::{Glia, Settings};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const DIR: &str = "src/systems/glia/fixtures";
const ACCEPT: &str = "application/vnd.salemove.v1+json";

/// The site visitor reference's 200 answer to `POST /visitors` (token shortened).
const VISITOR: &str = include_str!("../src/systems/glia/fixtures/visitor.response.json");
/// `POST /queue_tickets`, from the queue tickets reference's parameter table and the webhooks
/// reference's registration fields (neither page has a worked example).
const TICKET: &str = include_str!("../src/systems/glia/fixtures/queue_ticket.request.json");
/// The chat messages reference's `PUT` example (its single-choice attachment left out).
const MESSAGE: &str = include_str!("../src/systems/glia/fixtures/chat_message.request.json");

async fn emulator() -> RunningEmulator {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some("key-id-test:key-secret-test".into()),
        webhook_retry_delay: Duration::from_millis(20),
        ..EmulatorOptions::default()
    };
    handoff::systems::glia::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap()
}

/// A request as the reference's curl examples send it; the status and the JSON answer.
async fn call(method: Method, url: &str, auth: &str, body: Option<&Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("authorization", auth)
        .header("accept", ACCEPT);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The documented visitor creation; the visitor's answer.
async fn visitor(base: &str) -> Value {
    let auth = "ApplicationToken app-token-test";
    let (status, body) = call(Method::POST, &format!("{base}/visitors"), auth, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_documented_visitor_creation_gets_the_documented_answer() {
    let emulator = emulator().await;
    let body = visitor(&emulator.base_url()).await;
    assert_shape("POST /visitors", &fixture(DIR, VISITOR), &body, &[]);
}

#[tokio::test]
async fn the_documented_ticket_and_chat_message_are_accepted() {
    let emulator = emulator().await;
    let base = emulator.base_url();
    let hooks = Recorder::spawn(None).await;
    let token = visitor(&base).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let mut ticket = fixture(DIR, TICKET);
    ticket["webhooks"][0]["url"] = format!("{}/hooks/glia", hooks.base_url()).into();
    let url = format!("{base}/queue_tickets");
    let (status, created) = call(Method::POST, &url, &bearer, Some(&ticket)).await;
    assert_eq!(status, 201, "{created}");
    let (status, again) = call(Method::POST, &url, &bearer, Some(&ticket)).await;
    assert_eq!((status, &again["id"]), (200, &created["id"]), "{again}");

    let sim = emulator.sim();
    let id = wait_for(|| sim.conversations().last().map(|c| c.id.clone())).await;
    sim.join(&id, "Lisa").await.unwrap();
    let start = hooks.event("event_type", "engagement.start").await;
    let engagement = start["engagement"]["id"].as_str().unwrap();
    let message = uuid::Uuid::new_v4();
    let url = format!("{base}/engagements/{engagement}/chat_messages/{message}");
    let (status, body) = call(Method::PUT, &url, &bearer, Some(&fixture(DIR, MESSAGE))).await;
    assert_eq!(status, 200, "{body}");
    wait_for(|| {
        sim.conversation(&id)
            .filter(|c| c.user_messages.iter().any(|m| m == "Message content"))
            .map(|_| ())
    })
    .await;
}

fn request() -> HandoffRequest {
    let mut context = BTreeMap::new();
    context.insert("domain".to_owned(), "IT".to_owned());
    HandoffRequest {
        conversation: "c-000000000004".into(),
        title: "I need a new laptop charger".into(),
        topic: "Laptops".into(),
        user: UserInfo::default(),
        context,
        history: vec![HistoryLine {
            at: 1,
            speaker: Speaker::User,
            text: "agent".into(),
        }],
    }
}

/// The connector, talking to the emulator through a recorder.
async fn connector(proxy: &Recorder) -> (Glia, WebhookListener) {
    let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let settings = Settings {
        api_base: proxy.base_url().to_owned(),
        site_id: "site-1".into(),
        queue_id: "queue-1".into(),
        api_key_id: "key-id-test".into(),
        api_key_secret: Secret::new("key-secret-test"),
        application_token: Secret::new("app-token-test"),
        retry: RetryPolicy::default(),
    };
    (Glia::new(settings, &listener), listener)
}

#[tokio::test]
async fn the_connector_sends_requests_shaped_like_the_documented_examples() {
    let emulator = emulator().await;
    let proxy = Recorder::spawn(Some(emulator.base_url())).await;
    let (connector, _listener) = connector(&proxy).await;
    let Started::Chat(link) = connector.start(request()).await.unwrap() else {
        panic!("Glia starts a chat");
    };
    let sim = emulator.sim();
    let id = wait_for(|| sim.conversations().last().map(|c| c.id.clone())).await;
    sim.join(&id, "Lisa").await.unwrap();
    let text = ChatCommand::Text {
        text: "Error 18456".into(),
        client_message_id: "m1".into(),
    };
    link.commands.send(text).await.unwrap();

    let visitor = proxy.call(Method::POST, "/visitors").await;
    assert_eq!(visitor.body, Value::Null, "POST /visitors has no body");
    let ticket = proxy.call(Method::POST, "/queue_tickets").await;
    // Our second webhook header routes the call to its chat.
    let optional = ["webhooks[].headers.x-handoff-chat"];
    assert_shape(
        "POST /queue_tickets",
        &fixture(DIR, TICKET),
        &ticket.body,
        &optional,
    );
    let said = proxy
        .wait("the user's message", |r| {
            r.method == Method::PUT && r.body["content"] == "Error 18456"
        })
        .await;
    assert_shape(
        "PUT …/chat_messages/{id}",
        &fixture(DIR, MESSAGE),
        &said.body,
        &[],
    );
    // The utterance goes first, with the routing context as its metadata.
    let first = proxy.call(Method::PUT, "").await;
    assert_shape(
        "the utterance",
        &fixture(DIR, MESSAGE),
        &first.body,
        &["metadata"],
    );
    for call in proxy.requests() {
        assert_eq!(call.accept.as_deref(), Some(ACCEPT), "{call:?}");
    }
}

#[test]
fn a_ticket_with_queue_ids_is_not_the_documented_shape() {
    let mut sent = fixture(DIR, TICKET);
    let queue = sent["queue_id"].take();
    sent.as_object_mut().unwrap().remove("queue_id");
    sent["queue_ids"] = json!([queue]);
    let diff = shape_diff(&fixture(DIR, TICKET), &sent, &[]);
    assert_eq!(diff, ["queue_id: missing", "queue_ids: not in the example"]);
}
