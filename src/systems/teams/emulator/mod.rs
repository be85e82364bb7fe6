//! The Teams emulator: a Workflows URL
//! `POST /workflows/{flow}/triggers/manual/paths/invoke?sig=...` (202, empty) and a legacy
//! incoming webhook `POST /webhookb2/{group}/IncomingWebhook/{id}/{secret}` (200, `1`). A body
//! over 28 KB is refused with 413, a wrong `sig` with 401, a wrong webhook secret with 404, a
//! message that is not an Adaptive Card with 400. A request is queued on the desk; an agent's
//! accept there is sent to the acceptance hook, as the waiting workflow would.

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

crate::emulators::channel::channel_emulator!("teams", HOOK_STYLE, routes);

fn routes() -> Router<Arc<ChannelEmu>> {
    Router::new()
        .route(
            "/workflows/{flow}/triggers/manual/paths/invoke",
            post(workflow),
        )
        .route(
            "/webhookb2/{group}/IncomingWebhook/{id}/{secret}",
            post(incoming_webhook),
        )
}

fn flow_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// Reads and checks a posted message: the cards' text, or the refusal.
async fn take(emu: &ChannelEmu, path: &str, body: &[u8]) -> Result<(), Response> {
    emu.record(path, serde_json::from_slice(body).unwrap_or(Value::Null));
    if body.len() > inferred::MAX_MESSAGE_BYTES {
        let why = "Request Entity too large";
        return Err(flow_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "MessageTooLarge",
            why,
        ));
    }
    let bad = |why: &str| flow_error(StatusCode::BAD_REQUEST, "BadRequest", why);
    let message: wire::Message =
        serde_json::from_slice(body).map_err(|e| bad(&format!("invalid message: {e}")))?;
    let cards = message.attachments.iter().all(|a| {
        a.content_type == inferred::CARD_TYPE
            && a.content.kind == "AdaptiveCard"
            && !a.content.version.is_empty()
    });
    if message.kind != "message" || message.attachments.is_empty() || !cards {
        return Err(bad("the message must carry Adaptive Card attachments"));
    }
    let text: Vec<&str> = message
        .attachments
        .iter()
        .flat_map(|a| &a.content.body)
        .filter(|e| e.kind == "TextBlock")
        .filter_map(|e| e.text.as_deref())
        .collect();
    emu.post(&text.join("\n")).await;
    Ok(())
}

async fn workflow(
    State(emu): State<Arc<ChannelEmu>>,
    Query(query): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let sig = query.get("sig").map_or("", String::as_str);
    if !emu.secret_ok(sig) {
        let why = "The request must be authenticated with a valid signature (sig).";
        return flow_error(
            StatusCode::UNAUTHORIZED,
            "DirectApiAuthorizationRequired",
            why,
        );
    }
    match take(&emu, "/workflows", &body).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(refused) => refused,
    }
}

async fn incoming_webhook(
    State(emu): State<Arc<ChannelEmu>>,
    Path((_group, _id, secret)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    if !emu.secret_ok(&secret) {
        return (StatusCode::NOT_FOUND, "Webhook not found").into_response();
    }
    match take(&emu, "/webhookb2", &body).await {
        Ok(()) => (StatusCode::OK, "1").into_response(),
        Err(refused) => refused,
    }
}
