//! The Slack emulator: `POST /api/chat.postMessage` (Bearer bot token) and incoming webhooks
//! `POST /services/{team}/{bot}/{secret}`, with Slack's answers: HTTP 200
//! `{"ok": false, "error": name}` from the Web API (`not_authed`, `invalid_auth`,
//! `channel_not_found`, `no_text`, `msg_too_long`, `invalid_blocks`, `invalid_json`), plain
//! text from a webhook (`ok`, or 400 `invalid_payload` / `no_text`, 403 `invalid_token`).
//! A request is queued on the desk; an agent's accept there comes back as a signed
//! `block_actions` payload, as a click on the Accept button would.

pub mod wire;

use super::inferred;
use crate::emulators::channel::{AcceptStyle, ChannelEmu};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

crate::emulators::channel::channel_emulator!("slack", STYLE, routes);

fn routes() -> Router<Arc<ChannelEmu>> {
    Router::new()
        .route("/api/chat.postMessage", post(post_message))
        .route("/services/{team}/{bot}/{secret}", post(incoming_webhook))
}

const STYLE: AcceptStyle = AcceptStyle {
    signature: "x-slack-signature",
    timestamp: "x-slack-request-timestamp",
    content_type: "application/x-www-form-urlencoded",
    body: block_actions,
};

/// The form body `payload=<block_actions JSON>` of a click on Accept by `agent`.
fn block_actions(conversation: &str, agent: &str) -> Vec<u8> {
    let payload = wire::BlockActions {
        kind: "block_actions",
        user: wire::PayloadUser {
            id: format!("U{}", agent.len()),
            username: agent,
            name: agent,
        },
        actions: vec![wire::PayloadAction {
            kind: "button",
            action_id: inferred::ACCEPT_ACTION,
            value: conversation,
        }],
    };
    let json = serde_json::to_string(&payload).unwrap_or_default();
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &json)
        .finish()
        .into_bytes()
}

fn web_error(name: &str) -> Response {
    Json(json!({"ok": false, "error": name})).into_response()
}

/// Checks a message against Slack's limits: the error's name when it breaks one.
fn check(message: &wire::Message) -> Result<String, &'static str> {
    let text = message.text.clone().unwrap_or_default();
    if text.chars().count() > inferred::TEXT_MAX_CHARS {
        return Err("msg_too_long");
    }
    if message.blocks.len() > inferred::MAX_BLOCKS {
        return Err("invalid_blocks");
    }
    let mut shown = text;
    for block in &message.blocks {
        match block {
            wire::Block::Section { text } => {
                if text.text.chars().count() > inferred::SECTION_MAX_CHARS
                    || !matches!(text.kind.as_str(), "mrkdwn" | "plain_text")
                {
                    return Err("invalid_blocks");
                }
                shown.clone_from(&text.text);
            }
            wire::Block::Actions { elements } => {
                let too_long = elements.iter().any(|e| {
                    e.kind != "button"
                        || e.value
                            .as_ref()
                            .is_some_and(|v| v.chars().count() > inferred::BUTTON_VALUE_MAX_CHARS)
                });
                if too_long {
                    return Err("invalid_blocks");
                }
            }
        }
    }
    if shown.is_empty() {
        return Err("no_text");
    }
    Ok(shown)
}

/// Message timestamps: unique, increasing.
fn next_ts() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}.{n:06}", crate::connectors::channel::accept::unix_now())
}

async fn post_message(
    State(emu): State<Arc<ChannelEmu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let raw: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    emu.record("/api/chat.postMessage", raw);
    if headers.get("authorization").is_none() {
        return web_error("not_authed");
    }
    if !emu.bearer_ok(&headers) {
        return web_error("invalid_auth");
    }
    let Ok(message) = serde_json::from_slice::<wire::Message>(&body) else {
        return web_error("invalid_json");
    };
    let Some(channel) = message.channel.clone().filter(|c| !c.is_empty()) else {
        return web_error("channel_not_found");
    };
    let text = match check(&message) {
        Ok(text) => text,
        Err(name) => return web_error(name),
    };
    emu.post(&text).await;
    let ts = next_ts();
    Json(json!({"ok": true, "channel": channel, "ts": ts,
        "message": {"type": "message", "text": text, "ts": ts, "thread_ts": message.thread_ts}}))
    .into_response()
}

async fn incoming_webhook(
    State(emu): State<Arc<ChannelEmu>>,
    Path((_team, _bot, secret)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let raw: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    emu.record("/services/…", raw);
    if !emu.secret_ok(&secret) {
        return (StatusCode::FORBIDDEN, "invalid_token").into_response();
    }
    let Ok(message) = serde_json::from_slice::<wire::Message>(&body) else {
        return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
    };
    match check(&message) {
        Ok(text) => {
            emu.post(&text).await;
            (StatusCode::OK, "ok").into_response()
        }
        Err("no_text") => (StatusCode::BAD_REQUEST, "no_text").into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "invalid_blocks").into_response(),
    }
}
