//! Slack against its own documented examples (the fixtures in `src/systems/slack/fixtures/`),
//! from both sides: the emulator takes the documented `chat.postMessage` request and answers
//! with the documented keys and types, and the connector reads the documented answers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod fixture_support;

use fixture_support::{assert_shape, fixture};
use handoff::emulators::EmulatorOptions;
use handoff::emulators::desk::AgentScript;
use handoff::systems::slack::connector::wire::PostReply;
use serde_json::Value;

const REQUEST: &str = include_str!("../src/systems/slack/fixtures/chat_postMessage.request.json");
const RESPONSE: &str = include_str!("../src/systems/slack/fixtures/chat_postMessage.response.json");
const ERROR: &str = include_str!("../src/systems/slack/fixtures/chat_postMessage.error.json");
const TOKEN: &str = "xoxb-fixture-token";

/// Posts `body` to the emulator's `chat.postMessage` with `token`: the JSON answer.
async fn post_message(body: &Value, token: &str) -> Value {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some(TOKEN.into()),
        ..EmulatorOptions::default()
    };
    let emulator =
        handoff::systems::slack::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{}/api/chat.postMessage", emulator.base_url()))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    // The Web API answers HTTP 200 whether the call worked or not.
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

#[tokio::test]
async fn the_emulator_takes_the_documented_request_and_answers_as_documented() {
    let answer = post_message(&fixture("request", REQUEST), TOKEN).await;
    assert_eq!(answer["ok"], true, "{answer:#}");
    assert_eq!(answer["channel"], "C123ABC456");
    // The documented answer is a bot's message with an attachment; ours has neither.
    let absent = [
        "message.username",
        "message.bot_id",
        "message.attachments",
        "message.subtype",
        "message.thread_ts",
    ];
    assert_shape(
        "chat.postMessage",
        &fixture("response", RESPONSE),
        &answer,
        &absent,
    );
}

#[tokio::test]
async fn the_emulator_refuses_a_wrong_token_with_the_documented_error_shape() {
    let answer = post_message(&fixture("request", REQUEST), "xoxb-wrong").await;
    assert_eq!(answer["ok"], false);
    assert_shape("error", &fixture("error", ERROR), &answer, &[]);
}

#[test]
fn the_connector_reads_the_documented_answers() {
    let ok: PostReply = serde_json::from_str(RESPONSE).unwrap();
    assert!(ok.ok);
    assert_eq!(ok.ts.as_deref(), Some("1503435956.000247"));
    let refused: PostReply = serde_json::from_str(ERROR).unwrap();
    assert!(!refused.ok);
    assert_eq!(refused.error.as_deref(), Some("too_many_attachments"));
}
