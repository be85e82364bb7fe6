//! The Google Chat emulator: `POST /v1/spaces/{space}/messages?key=...&token=...` (a space's
//! incoming webhook), with Google's answers: 200 with the Message resource, 400
//! `INVALID_ARGUMENT` without a key, a text, or over 32,000 bytes, or with an unknown
//! `messageReplyOption`, 401 `UNAUTHENTICATED` for a wrong token; errors as
//! `{"error": {code, message, status}}`. A keyed thread is kept only with a reply option. A
//! request is queued on the desk; an agent's accept there is sent to the acceptance hook.

pub mod wire;

use super::inferred;
use crate::emulators::channel::{ChannelEmu, HOOK_STYLE};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

crate::emulators::channel::channel_emulator!("google-chat", HOOK_STYLE, routes);

fn routes() -> Router<Arc<ChannelEmu>> {
    Router::new().route("/v1/spaces/{space}/messages", post(create_message))
}

fn error(status: StatusCode, state: &str, message: &str) -> Response {
    let body = json!({"error": {"code": status.as_u16(), "message": message, "status": state}});
    (status, Json(body)).into_response()
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
}

async fn create_message(
    State(emu): State<Arc<ChannelEmu>>,
    Path(space): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    emu.record(
        "/v1/spaces/messages",
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    );
    let param = |name: &str| query.get(name).map(String::as_str);
    if param("key").is_none_or(str::is_empty) {
        return invalid("API key not valid. Please pass a valid API key.");
    }
    if !emu.secret_ok(param("token").unwrap_or_default()) {
        let why = "Request had invalid authentication credentials.";
        return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", why);
    }
    let option = param("messageReplyOption");
    if option.is_some_and(|o| !inferred::REPLY_OPTIONS.contains(&o)) {
        return invalid("Invalid value at 'message_reply_option'");
    }
    if body.len() > inferred::MAX_MESSAGE_BYTES {
        return invalid("Message exceeds the maximum size of 32000 bytes");
    }
    let message: wire::Message = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(e) => return invalid(&format!("Invalid JSON payload received. {e}")),
    };
    let Some(text) = message.text.filter(|t| !t.is_empty()) else {
        return invalid("Message cannot be empty. Discarded.");
    };
    let key = message.thread.and_then(|t| t.thread_key);
    if key
        .as_ref()
        .is_some_and(|k| k.chars().count() > inferred::MAX_THREAD_KEY_CHARS)
    {
        return invalid("thread_key is too long");
    }
    // Without a reply option the key is ignored: every post starts a thread.
    let thread = match (&key, option) {
        (Some(key), Some(o)) if o != inferred::REPLY_OPTIONS[0] => {
            format!("{:08x}", crc32fast::hash(key.as_bytes()))
        }
        _ => uuid::Uuid::new_v4().simple().to_string(),
    };
    emu.post(&text).await;
    let id = uuid::Uuid::new_v4().simple();
    // A webhook's answer is not the full message: what the request held, plus the names of
    // the message and its thread (spaces.messages.create reference).
    Json(json!({
        "name": format!("spaces/{space}/messages/{id}"),
        "text": text,
        "thread": {"name": format!("spaces/{space}/threads/{thread}"), "threadKey": key},
    }))
    .into_response()
}
