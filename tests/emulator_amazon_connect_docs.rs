//! The Amazon Connect emulator takes the documented requests (the system's `fixtures/`) and
//! refuses anything else with the service's error shape: a 400, `x-amzn-ErrorType` naming
//! the exception, and a `Message`. Arbitrary bodies never bring it down.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

use handoff::connectors::http::{Api, Call, Method, RetryPolicy};
use handoff::connectors::redact::Secret;
use handoff::emulators::desk::AgentScript;
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::systems::amazon_connect::sigv4::{Credentials, sign_call};
use proptest::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/src/systems/amazon_connect/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

async fn emulator() -> RunningEmulator {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        ..EmulatorOptions::default()
    };
    handoff::systems::amazon_connect::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap()
}

/// Starts a chat with the documented request; answers the connection token.
async fn connected(emulator: &RunningEmulator) -> String {
    let base = emulator.base_url();
    let api = Api::new("docs", RetryPolicy::default(), Vec::new());
    let credentials = Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: Secret::new("example"),
        session_token: None,
    };
    let start = Call::new("start", Method::Put, format!("{base}/contact/chat"))
        .json(&fixture("start_chat_contact.request.json"));
    let start = sign_call(start, &credentials, "us-east-1", "connect");
    let started: Value = api.send(start).await.unwrap().json().unwrap();
    assert_same_members(&started, &fixture("start_chat_contact.response.json"));
    let (status, connection) = post(
        emulator,
        "/participant/connection",
        started["ParticipantToken"].as_str().unwrap(),
        &fixture("create_participant_connection.request.json").to_string(),
    )
    .await;
    assert_eq!(status, 200, "{connection}");
    assert_same_members(
        &connection,
        &fixture("create_participant_connection.response.json"),
    );
    connection["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn post(emulator: &RunningEmulator, path: &str, token: &str, body: &str) -> (u16, Value) {
    let reply = reqwest::Client::new()
        .post(format!("{}{path}", emulator.base_url()))
        .header("X-Amz-Bearer", token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    let kind = reply
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_owned());
    let mut value: Value = reply.json().await.unwrap_or(Value::Null);
    if let Some(kind) = kind {
        value["__type"] = Value::String(kind);
    }
    (status, value)
}

/// Same member names, recursively (the first array element stands for all).
fn assert_same_members(ours: &Value, documented: &Value) {
    match (ours, documented) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(a), keys(b), "{ours} vs {documented}");
            for (k, v) in a {
                assert_same_members(v, &b[k]);
            }
        }
        (Value::Array(a), Value::Array(b)) if !a.is_empty() && !b.is_empty() => {
            assert_same_members(&a[0], &b[0]);
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_documented_participant_request_is_accepted() {
    let emulator = emulator().await;
    let token = connected(&emulator).await;
    for (path, name) in [
        ("/participant/message", "send_message.request.json"),
        ("/participant/event", "send_event.request.json"),
        (
            "/participant/start-attachment-upload",
            "start_attachment_upload.request.json",
        ),
    ] {
        let (status, answer) = post(&emulator, path, &token, &fixture(name).to_string()).await;
        assert_eq!(status, 200, "{name}: {answer}");
    }
    let (status, sent) = post(
        &emulator,
        "/participant/message",
        &token,
        &fixture("send_message.request.json").to_string(),
    )
    .await;
    assert_eq!(status, 200);
    assert_same_members(&sent, &fixture("send_message.response.json"));
    let (status, transcript) = post(
        &emulator,
        "/participant/transcript",
        &token,
        &fixture("get_transcript.request.json").to_string(),
    )
    .await;
    assert_eq!(status, 200, "{transcript}");
    let item = transcript["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["Content"] == "Hello, is anyone there?")
        .unwrap();
    let documented = &fixture("get_transcript.response.json")["Transcript"][0];
    for member in documented.as_object().unwrap().keys() {
        assert!(item.get(member).is_some(), "{member} missing from {item}");
    }
    // The documented ids name no attachment of this chat: refused as unknown, not as malformed.
    for (path, name) in [
        (
            "/participant/complete-attachment-upload",
            "complete_attachment_upload.request.json",
        ),
        ("/participant/attachment", "get_attachment.request.json"),
    ] {
        let (status, answer) = post(&emulator, path, &token, &fixture(name).to_string()).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert!(
            answer["Message"].as_str().unwrap().contains("not"),
            "{name}: {answer}"
        );
        assert!(
            !answer["Message"]
                .as_str()
                .unwrap()
                .contains("validation error"),
            "{answer}"
        );
    }
    let (status, answer) = post(
        &emulator,
        "/participant/disconnect",
        &token,
        &fixture("disconnect_participant.request.json").to_string(),
    )
    .await;
    assert_eq!((status, answer["__type"].clone()), (200, Value::Null));
}

#[tokio::test]
async fn an_undocumented_value_is_a_validation_exception_naming_the_member() {
    let emulator = emulator().await;
    let token = connected(&emulator).await;
    let cases = [
        (
            "/participant/message",
            r#"{"ContentType":"text/html","Content":"hi"}"#,
            "contentType",
        ),
        (
            "/participant/message",
            r#"{"ContentType":"text/plain","Content":""}"#,
            "content",
        ),
        (
            "/participant/event",
            r#"{"ContentType":"application/vnd.amazonaws.connect.event.chat.ended"}"#,
            "contentType",
        ),
        (
            "/participant/transcript",
            r#"{"MaxResults":1000}"#,
            "maxResults",
        ),
        (
            "/participant/transcript",
            r#"{"SortOrder":"RANDOM"}"#,
            "sortOrder",
        ),
        (
            "/participant/start-attachment-upload",
            r#"{"ContentType":"application/pdf","AttachmentSizeInBytes":1,"AttachmentName":"a.pdf"}"#,
            "ClientToken",
        ),
        (
            "/participant/attachment",
            r#"{"AttachmentId":""}"#,
            "attachmentId",
        ),
    ];
    for (path, body, member) in cases {
        let (status, answer) = post(&emulator, path, &token, body).await;
        assert_eq!(status, 400, "{path} {body}: {answer}");
        assert_eq!(answer["__type"], "ValidationException", "{path} {body}");
        let message = answer["Message"].as_str().unwrap();
        assert!(message.contains(member), "{path} {body}: {message}");
    }
}

fn participant_paths() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "/participant/message",
        "/participant/event",
        "/participant/transcript",
        "/participant/disconnect",
        "/participant/start-attachment-upload",
        "/participant/complete-attachment-upload",
        "/participant/attachment",
    ])
}

/// Bodies no participant call takes: arbitrary Unicode text that is not a JSON object, or
/// arbitrary Unicode as a JSON string or array where an object belongs.
fn foreign_bodies() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_filter("not an object", |s| {
            serde_json::from_str::<serde_json::Map<String, Value>>(s).is_err()
        }),
        any::<String>().prop_map(|s| Value::String(s).to_string()),
        any::<String>().prop_map(|s| serde_json::json!([s, {"ContentType": s}]).to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn foreign_bodies_are_refused_with_the_services_error_shape(
        path in participant_paths(),
        body in foreign_bodies(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let emulator = emulator().await;
            let token = connected(&emulator).await;
            let (status, answer) = post(&emulator, path, &token, &body).await;
            assert_eq!(status, 400, "{path} {body:?}: {answer}");
            assert_eq!(answer["__type"], "ValidationException", "{path} {body:?}");
            assert!(answer["Message"].is_string(), "{answer}");
            emulator.shutdown();
        });
    }
}
