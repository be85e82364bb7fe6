//! The Webex emulator: `POST /v1/messages` with a Bearer token, Webex's answers: 200 with the
//! message, 401 without a valid token, 400 without a destination or a text, or with a text
//! over 7,439 bytes; errors as `{message, errors: [{description}], trackingId}`. A request is
//! queued on the desk; an agent's accept there is sent to the acceptance hook.

pub mod wire;

use super::inferred;
use crate::emulators::channel::{ChannelEmu, HOOK_STYLE};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;

crate::emulators::channel::channel_emulator!("webex", HOOK_STYLE, routes);

fn routes() -> Router<Arc<ChannelEmu>> {
    Router::new().route("/v1/messages", post(create_message))
}

fn error(status: StatusCode, message: &str) -> Response {
    let tracking = format!("ROUTER_{}", uuid::Uuid::new_v4().simple());
    let body =
        json!({"message": message, "errors": [{"description": message}], "trackingId": tracking});
    (status, Json(body)).into_response()
}

/// A Webex-looking id: base64 of `ciscospark://us/<KIND>/<uuid>`.
fn id(kind: &str) -> String {
    let raw = format!("ciscospark://us/{kind}/{}", uuid::Uuid::new_v4());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

async fn create_message(
    State(emu): State<Arc<ChannelEmu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    emu.record(
        "/v1/messages",
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    );
    if !emu.bearer_ok(&headers) {
        let why =
            "The request requires a valid access token set in the Authorization request header.";
        return error(StatusCode::UNAUTHORIZED, why);
    }
    let message: wire::CreateMessage = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Invalid request body: {e}"),
            );
        }
    };
    let to = [
        &message.room_id,
        &message.to_person_id,
        &message.to_person_email,
    ];
    if to.iter().all(|t| t.as_deref().is_none_or(str::is_empty)) {
        return error(
            StatusCode::BAD_REQUEST,
            "roomId, toPersonId or toPersonEmail is required",
        );
    }
    let Some(text) = message.markdown.as_ref().or(message.text.as_ref()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "text, markdown, files or attachments is required",
        );
    };
    let too_long = |t: &Option<String>| {
        t.as_ref()
            .is_some_and(|t| t.len() > inferred::MAX_MARKDOWN_BYTES)
    };
    if too_long(&message.markdown) || too_long(&message.text) {
        return error(
            StatusCode::BAD_REQUEST,
            "Message length exceeds the maximum of 7439 bytes",
        );
    }
    emu.post(text).await;
    Json(json!({
        "id": id("MESSAGE"), "roomId": message.room_id, "roomType": "group",
        "parentId": message.parent_id, "markdown": text, "personId": id("PEOPLE"),
        "personEmail": "handoff-bot@webex.bot", "created": crate::protocol::now_millis(),
    }))
    .into_response()
}
