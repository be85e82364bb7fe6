//! The ServiceNow emulator takes the documented Bot Integration requests (the system's
//! `fixtures/`) and refuses anything else with the platform's failure shape:
//! `{"status": "failure", "error": {"message", "detail"}}` and a 400. Arbitrary bodies never
//! bring it down.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

use handoff::emulators::desk::AgentScript;
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use proptest::prelude::*;
use serde_json::Value;
use std::time::Duration;

const SESSION: &str = "fa2f8b3c-EXAMPLE-session";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/src/systems/servicenow/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap()
}

async fn emulator() -> RunningEmulator {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        ..EmulatorOptions::default()
    };
    handoff::systems::servicenow::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap()
}

async fn integrate(emulator: &RunningEmulator, body: &str) -> (u16, Value) {
    let reply = reqwest::Client::new()
        .post(format!(
            "{}/api/sn_va_as_service/bot/integration",
            emulator.base_url()
        ))
        .basic_auth("va.bot", Some("example"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    (status, reply.json().await.unwrap_or(Value::Null))
}

fn success() -> Value {
    serde_json::from_str(&fixture("bot_ack.success.json")).unwrap()
}

#[tokio::test]
async fn every_documented_request_is_accepted_in_a_live_agent_chat() {
    let emulator = emulator().await;
    assert_eq!(
        integrate(&emulator, &fixture("bot_request.agent.json")).await,
        (200, success())
    );
    // The desk opens the chat after the answer: wait for it before talking in it.
    tokio::time::timeout(Duration::from_secs(10), async {
        while emulator.sim().resolve(SESSION).is_err() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    for name in [
        "bot_request.message.json",
        "bot_request.typing.json",
        "bot_request.end_conversation.json",
    ] {
        assert_eq!(
            integrate(&emulator, &fixture(name)).await,
            (200, success()),
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_undocumented_request_is_a_failure_naming_the_field() {
    let emulator = emulator().await;
    let cases = [
        (r#"{"userId":"u","action":"AGENT"}"#, "requestId"),
        (r#"{"requestId":"r","action":"AGENT"}"#, "userId"),
        (
            r#"{"requestId":"r","userId":"u","action":"HANDOFF"}"#,
            "action",
        ),
        (
            r#"{"requestId":"r","userId":"u","message":{"text":"hi"}}"#,
            "typed",
        ),
        (
            r#"{"requestId":"r","userId":"u","action":"END_CONVERSATION","message":{"text":"bye","typed":true}}"#,
            "message.text",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = integrate(&emulator, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["status"], "failure", "{body}");
        let detail = answer["error"]["detail"].as_str().unwrap();
        assert!(detail.contains(field), "{body}: {detail}");
    }
}

/// Bodies the endpoint cannot take: arbitrary Unicode text that is not a JSON object, a
/// request whose required ids are arbitrary Unicode of the wrong type, or an unknown action.
fn foreign_bodies() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_filter("not an object", |s| {
            serde_json::from_str::<serde_json::Map<String, Value>>(s).is_err()
        }),
        any::<String>()
            .prop_map(|s| serde_json::json!({"requestId": [s], "userId": s}).to_string()),
        any::<String>()
            .prop_filter("not an action", |s| s.as_str() != "AGENT"
                && !s.ends_with("CONVERSATION"))
            .prop_map(
                |s| serde_json::json!({"requestId": "r", "userId": "u", "action": s}).to_string()
            ),
        any::<String>().prop_map(|s| {
            serde_json::json!({"requestId": "r", "userId": "u", "message": {"text": s}}).to_string()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn foreign_bodies_are_refused_with_the_platforms_failure_shape(body in foreign_bodies()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let emulator = emulator().await;
            let (status, answer) = integrate(&emulator, &body).await;
            assert_eq!(status, 400, "{body:?}: {answer}");
            assert_eq!(answer["status"], "failure", "{body:?}");
            assert!(answer["error"]["message"].is_string(), "{answer}");
            assert!(answer["error"]["detail"].is_string(), "{answer}");
            emulator.shutdown();
        });
    }
}
