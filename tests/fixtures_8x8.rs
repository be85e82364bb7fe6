//! The 8x8 emulator against 8x8's own documented examples (the fixtures in
//! `src/systems/eight_by_eight/fixtures/`): it takes what the documentation shows and refuses
//! what 8x8 refuses, with 8x8's answers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

use handoff::emulators::EmulatorOptions;
use serde_json::Value;

/// The chat workflow guide's `POST /conversations` example (shortened history).
const CREATE: &str =
    include_str!("../src/systems/eight_by_eight/fixtures/create_conversation.json");

async fn post(base: &str, body: &Value) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/chat-gateway/v1/conversations"))
        .header("x-api-key", "test-key")
        .header("accept", "application/hal+json")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, kind, response.json().await.unwrap())
}

#[tokio::test]
async fn the_documented_create_conversation_is_accepted_with_an_iso_8601_time() {
    let emulator = handoff::systems::eight_by_eight::emulator::spawn(
        "127.0.0.1:0".parse().unwrap(),
        EmulatorOptions::default(),
    )
    .await
    .unwrap();
    let fixture: Value = serde_json::from_str(CREATE).unwrap();
    let (status, kind, body) = post(&emulator.base_url(), &fixture).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(kind, "application/hal+json");
    assert!(body["conversationId"].is_string(), "{body}");
    let created = body["createdAt"].as_str().unwrap();
    created.parse::<jiff::Timestamp>().unwrap();
}

#[tokio::test]
async fn an_invalid_author_type_gets_the_documented_bad_request() {
    let emulator = handoff::systems::eight_by_eight::emulator::spawn(
        "127.0.0.1:0".parse().unwrap(),
        EmulatorOptions::default(),
    )
    .await
    .unwrap();
    let mut fixture: Value = serde_json::from_str(CREATE).unwrap();
    fixture["history"]["messages"][0]["authorType"] = "ghfgh".into();
    let (status, kind, body) = post(&emulator.base_url(), &fixture).await;
    assert_eq!(status, 400);
    assert_eq!(kind, "application/problem+json");
    assert_eq!(
        body["message"],
        "Invalid authorType=ghfgh, has to be one of user, bot"
    );
    assert_eq!(body["errors"]["code"], "invalid_json_object");
}
