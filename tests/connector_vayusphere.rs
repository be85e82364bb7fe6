//! The Vayusphere connector against its emulator, over real loopback HTTP: the INVENTED
//! contract's calls, its auth, rate-limit and size-limit answers, its fixtures from both sides,
//! and hostile Unicode through every body the emulator parses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;
mod fixture_support;

use connector_support::WAIT;
use fixture_support::{Recorder, assert_shape, fixture};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::{
    Availability, Connector, ConnectorError, DeskEvent, HandoffRequest, HistoryLine, Speaker,
    Started,
};
use handoff::emulators::desk::AgentScript;
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::protocol::{ConversationEvent, Presence, UserInfo};
use handoff::systems::vayusphere::connector::{Settings, Vayusphere};
use handoff::systems::vayusphere::emulator::{self, MAX_SESSIONS};
use handoff::systems::vayusphere::inferred::{MAX_REQUEST_BYTES, MAX_UTTERANCE_BYTES};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const KEY: &str = "vs-key-test";
const SESSION_REQUEST: &str =
    include_str!("../src/systems/vayusphere/fixtures/session.request.json");
const SESSION_RESPONSE: &str =
    include_str!("../src/systems/vayusphere/fixtures/session.response.json");
const AVAILABILITY: &str =
    include_str!("../src/systems/vayusphere/fixtures/availability.response.json");
const ERROR: &str = include_str!("../src/systems/vayusphere/fixtures/error.response.json");

async fn emulator() -> RunningEmulator {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some(KEY.into()),
        ..EmulatorOptions::default()
    };
    emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap()
}

fn connector(base: &str, key: &str) -> Vayusphere {
    Vayusphere::new(Settings {
        api_base: base.into(),
        api_key: Secret::new(key),
        queue: "general".into(),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
        },
    })
}

/// Seed 001's request, as the broker builds it.
fn request(conversation: &str) -> HandoffRequest {
    let context = [
        ("domain", "IT"),
        ("expertise", "Azure SQL Database"),
        ("language", "en"),
        ("queue", "databases"),
    ];
    HandoffRequest {
        conversation: conversation.into(),
        title: "I'm running into a strange issue with a SQL database that I'm using.".into(),
        topic: "Azure SQL Database".into(),
        user: UserInfo::default(),
        context: context
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        history: vec![HistoryLine {
            at: 1,
            speaker: Speaker::User,
            text: "I'd like to speak to a live agent".into(),
        }],
    }
}

/// The redirect a started handoff gives; it must name the bot and relay no chat.
fn redirect(started: Started) -> String {
    match started {
        Started::Redirect {
            url,
            via: Some(bot),
            chat: None,
        } if bot == "Vayusphere Bot" => url,
        other => panic!("not a redirect to the bot: {other:?}"),
    }
}

/// The next request the emulator's desk queued: (title, topic, context).
async fn queued(
    events: &mut tokio::sync::broadcast::Receiver<DeskEvent>,
) -> (String, String, BTreeMap<String, String>) {
    tokio::time::timeout(WAIT, async {
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
            } = events.recv().await.unwrap()
            {
                return (title, topic, context);
            }
        }
    })
    .await
    .expect("a request on the desk")
}

/// Posts `body` to `POST /v1/sessions` as it is; the status, headers and JSON answer.
async fn post_session(
    emulator: &RunningEmulator,
    key: Option<&str>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut call = reqwest::Client::new()
        .post(format!("{}/v1/sessions", emulator.base_url()))
        .header("content-type", content_type)
        .body(body);
    if let Some(key) = key {
        call = call.bearer_auth(key);
    }
    let answer = call.send().await.unwrap();
    let (status, headers) = (answer.status().as_u16(), answer.headers().clone());
    (status, headers, answer.json().await.unwrap_or(Value::Null))
}

fn error_code(answer: &Value) -> &str {
    answer["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_session_redirects_to_the_bot_and_queues_the_request_with_its_routing() {
    let emulator = emulator().await;
    let mut events = emulator.desk_events();
    let vayusphere = connector(&emulator.base_url(), KEY);
    let url = redirect(vayusphere.start(request("c-1")).await.unwrap());

    let sessions = emulator.sim().conversations();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].external_ref.as_deref(), Some("c-1"));
    assert_eq!(
        url,
        format!("{}/chat/{}", emulator.base_url(), sessions[0].id)
    );
    let (title, topic, context) = queued(&mut events).await;
    assert_eq!(title, request("c-1").title);
    assert_eq!(topic, "Azure SQL Database");
    assert_eq!(context["expertise"], "Azure SQL Database");
    assert_eq!(context["queue"], "databases");
    assert_eq!(context["language"], "en");
    assert_eq!(vayusphere.style(), handoff::protocol::HandoffStyle::Api);
}

#[tokio::test]
async fn availability_is_the_desks_available_agents() {
    let emulator = emulator().await;
    let vayusphere = connector(&emulator.base_url(), KEY);
    assert_eq!(
        vayusphere.availability().await.unwrap(),
        Availability::Available(2)
    );
    for agent in ["Lisa", "Marco"] {
        emulator.sim().set_presence(agent, Presence::Away);
    }
    assert_eq!(
        vayusphere.availability().await.unwrap(),
        Availability::Unavailable
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_and_queues_nothing() {
    let emulator = emulator().await;
    let vayusphere = connector(&emulator.base_url(), "not-the-key");
    for error in [
        vayusphere.availability().await.unwrap_err(),
        vayusphere.start(request("c-1")).await.unwrap_err(),
    ] {
        assert!(
            matches!(&error, ConnectorError::Unauthorized { status: 401, .. }),
            "{error:?}"
        );
        assert!(!error.to_string().contains("not-the-key"), "{error}");
    }
    assert!(emulator.sim().conversations().is_empty());
    let (status, _, answer) =
        post_session(&emulator, None, "application/json", SESSION_REQUEST).await;
    assert_eq!((status, error_code(&answer)), (401, "unauthorized"));
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_once_and_reported_when_too_long() {
    let emulator = emulator().await;
    let vayusphere = connector(&emulator.base_url(), KEY);
    let limited = |retry_after| Fault {
        path: "/v1/sessions".into(),
        status: 429,
        count: 1,
        retry_after: Some(retry_after),
        mode: FaultMode::default(),
        body: Some(ERROR.into()),
    };
    // Within the policy's longest wait: retried after Retry-After, one session.
    emulator.faults().push(limited(1));
    redirect(vayusphere.start(request("c-1")).await.unwrap());
    assert_eq!(emulator.sim().conversations().len(), 1);

    // Beyond it: the user hears what Vayusphere said, and nothing is queued.
    emulator.faults().push(limited(60));
    let error = vayusphere.start(request("c-2")).await.unwrap_err();
    assert!(
        matches!(&error, ConnectorError::Status { status: 429, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("retry after 60s"), "{text}");
    assert!(
        text.contains("too many requests, retry later (rate_limited)"),
        "{text}"
    );
    assert_eq!(emulator.sim().conversations().len(), 1);
}

#[tokio::test]
async fn a_lost_answer_is_retried_with_the_same_key_and_starts_one_session() {
    let emulator = emulator().await;
    let vayusphere = connector(&emulator.base_url(), KEY);
    emulator.faults().push(Fault {
        path: "/v1/sessions".into(),
        status: 502,
        count: 1,
        retry_after: None,
        mode: FaultMode::AfterProcessing,
        body: None,
    });
    let first = redirect(vayusphere.start(request("c-1")).await.unwrap());
    let again = redirect(vayusphere.start(request("c-1")).await.unwrap());
    assert_eq!(first, again);
    assert_eq!(emulator.sim().conversations().len(), 1);
}

#[tokio::test]
async fn bodies_over_the_size_limit_are_refused_and_the_connector_stays_within_it() {
    let emulator = emulator().await;
    let mut body =
        json!({"queue": "q", "topic": "t", "utterance": "u", "user": {"id": "1", "name": "n"}});
    body["history"] = json!("h".repeat(MAX_REQUEST_BYTES));
    let (status, _, answer) =
        post_session(&emulator, Some(KEY), "application/json", body.to_string()).await;
    assert_eq!((status, error_code(&answer)), (413, "request_too_large"));
    assert!(emulator.sim().conversations().is_empty());

    // A 100 KB utterance of multi-byte characters goes, cut at a character boundary.
    let mut events = emulator.desk_events();
    let mut long = request("c-1");
    long.title = "é€😀".repeat(100_000 / 9);
    redirect(
        connector(&emulator.base_url(), KEY)
            .start(long.clone())
            .await
            .unwrap(),
    );
    let (title, _, _) = queued(&mut events).await;
    assert!(title.len() <= MAX_UTTERANCE_BYTES && title.len() > MAX_UTTERANCE_BYTES - 4);
    assert!(long.title.starts_with(&title));
}

#[tokio::test]
async fn malformed_bodies_are_refused_naming_what_is_wrong() {
    let emulator = emulator().await;
    let (status, _, answer) =
        post_session(&emulator, Some(KEY), "text/plain", SESSION_REQUEST).await;
    assert_eq!(
        (status, error_code(&answer)),
        (415, "unsupported_media_type")
    );
    let mut cases = Vec::new();
    let mut extra = fixture("session", SESSION_REQUEST);
    extra["priority"] = json!("high");
    cases.push((extra, "priority"));
    let mut blank = fixture("session", SESSION_REQUEST);
    blank["utterance"] = json!(" ");
    cases.push((blank, "utterance: must not be blank"));
    let mut missing = fixture("session", SESSION_REQUEST);
    missing["user"].as_object_mut().unwrap().remove("id");
    cases.push((missing, "id"));
    for (body, names) in cases {
        let (status, _, answer) =
            post_session(&emulator, Some(KEY), "application/json", body.to_string()).await;
        assert_eq!(
            (status, error_code(&answer)),
            (400, "invalid_request"),
            "{body}"
        );
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(names), "{message}");
    }
    assert!(emulator.sim().conversations().is_empty());
}

#[tokio::test]
async fn the_emulator_remembers_its_latest_sessions_up_to_its_bound() {
    let emulator = emulator().await;
    let mut urls = Vec::new();
    for n in 0..=MAX_SESSIONS {
        let answer = reqwest::Client::new()
            .post(format!("{}/v1/sessions", emulator.base_url()))
            .bearer_auth(KEY)
            .header("idempotency-key", format!("k-{n}"))
            .json(&fixture("session", SESSION_REQUEST))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201);
        let created: Value = answer.json().await.unwrap();
        urls.push(created["redirect_url"].as_str().unwrap().to_owned());
    }
    // The newest key still answers its session; the oldest was forgotten.
    let newest = request(&format!("k-{MAX_SESSIONS}"));
    let vayusphere = connector(&emulator.base_url(), KEY);
    assert_eq!(
        redirect(vayusphere.start(newest).await.unwrap()),
        urls[MAX_SESSIONS]
    );
    assert_eq!(reqwest::get(&urls[0]).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(&urls[1]).await.unwrap().status(), 200);
    let oldest = redirect(vayusphere.start(request("k-0")).await.unwrap());
    assert_ne!(oldest, urls[0]);
}

#[tokio::test]
async fn the_fixtures_are_what_both_sides_speak() {
    let emulator = emulator().await;
    let (status, _, answer) =
        post_session(&emulator, Some(KEY), "application/json", SESSION_REQUEST).await;
    assert_eq!(status, 201);
    assert_shape(
        "session.response",
        &fixture("session.response", SESSION_RESPONSE),
        &answer,
        &[],
    );
    let (_, _, refused) = post_session(&emulator, Some("wrong"), "application/json", "{}").await;
    assert_shape(
        "error.response",
        &fixture("error.response", ERROR),
        &refused,
        &[],
    );

    let recorder = Recorder::spawn(Some(emulator.base_url())).await;
    let vayusphere = connector(recorder.base_url(), KEY);
    let mut full = request("c-1");
    full.history.push(HistoryLine {
        at: 2,
        speaker: Speaker::Assistant,
        text: "Could you please provide more details?".into(),
    });
    redirect(vayusphere.start(full).await.unwrap());
    assert_eq!(
        vayusphere.availability().await.unwrap(),
        Availability::Available(2)
    );
    let sent = recorder.call(reqwest::Method::POST, "/v1/sessions").await;
    assert_shape(
        "session.request",
        &fixture("session.request", SESSION_REQUEST),
        &sent.body,
        &[],
    );
    let availability: Value = reqwest::Client::new()
        .get(format!("{}/v1/availability", emulator.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_shape(
        "availability.response",
        &fixture("availability", AVAILABILITY),
        &availability,
        &[],
    );
}

#[tokio::test]
async fn a_redirect_that_is_not_a_web_address_is_a_payload_error() {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/v1/sessions",
        post(|| async { (axum::http::StatusCode::CREATED, axum::Json(json!({"session_id": "s", "redirect_url": "javascript:alert(1)", "bot_name": "B"}))) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let error = connector(&base, KEY)
        .start(request("c-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ConnectorError::Payload { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("javascript:alert(1)"), "{error}");
}

/// Arbitrary Unicode, at least one character that is not white space.
fn text() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("not blank", |s| !s.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Whatever the user, the routing and the history say reaches the desk exactly, and the
    /// session's page shows the topic escaped.
    #[test]
    fn hostile_unicode_reaches_the_desk_unchanged(
        title in text(), topic in any::<String>(), name in any::<String>(),
        key in any::<String>(), value in any::<String>(), said in any::<String>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let emulator = emulator().await;
            let mut events = emulator.desk_events();
            let mut hostile = request("c-1");
            hostile.title.clone_from(&title);
            hostile.topic.clone_from(&topic);
            hostile.user.name.clone_from(&name);
            hostile.context.insert(key.clone(), value.clone());
            hostile.history[0].text.clone_from(&said);
            let url = redirect(connector(&emulator.base_url(), KEY).start(hostile).await.unwrap());
            let (got_title, got_topic, context) = queued(&mut events).await;
            assert_eq!(got_title, title.chars().scan(0, |n, c| { *n += c.len_utf8(); (*n <= MAX_UTTERANCE_BYTES).then_some(c) }).collect::<String>());
            assert_eq!(got_topic, topic);
            if key != "queue" && key != "language" {
                assert_eq!(context.get(&key), Some(&value));
            }
            let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
            assert!(page.contains(&handoff::text::escape(&topic)), "{page}");
            emulator.shutdown();
        });
    }

    /// Any string in any field of a session request is taken (201) or refused naming the
    /// blank field (400); never a failure of the emulator.
    #[test]
    fn hostile_unicode_in_every_field_is_taken_or_refused_cleanly(
        fields in proptest::collection::vec(any::<String>(), 8),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let emulator = emulator().await;
            let body = json!({
                "queue": fields[0], "topic": fields[1], "utterance": fields[2],
                "user": {"id": fields[3], "name": fields[4], "email": fields[5]},
                "language": fields[6], "context": {fields[7].clone(): fields[0]}, "history": fields[1],
            });
            let (status, _, answer) = post_session(&emulator, Some(KEY), "application/json", body.to_string()).await;
            let blank = [&fields[0], &fields[2], &fields[3]].iter().any(|f| f.trim().is_empty());
            if blank {
                assert_eq!((status, error_code(&answer)), (400, "invalid_request"), "{answer}");
            } else {
                assert_eq!(status, 201, "{answer}");
            }
            emulator.shutdown();
        });
    }
}
