//! `POST /api/sn_va_as_service/bot/integration`: the request parsed with the emulator's own
//! [`wire::BotRequest`], checked as the docs say, answered `success` or `failure`, and the work
//! done on the desk (a plain message's attachments fetched first).

use super::{Emu, Session, authorize, delivery, failure, wire};
use crate::connectors::http::{Call, Method};
use crate::emulators::desk::{ReceivedFile, RequestInfo};
use crate::systems::servicenow::inferred;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use wire::BotRequest;

/// What the agent inbox shows of an `AGENT` request: the utterance, the context variables and
/// the history (as the agent would see the transcript).
fn request_info(request: &BotRequest, text: &str) -> RequestInfo {
    let context: std::collections::BTreeMap<String, String> = request
        .context_variables
        .iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("liveagent_") && k.as_str() != "live_agent_only")
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect();
    let topic = request
        .context_variables
        .as_ref()
        .and_then(|c| c.get("liveagent_topic"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let history = request.history.iter().flatten();
    let name = history
        .clone()
        .find(|h| !h.is_bot_message)
        .map_or_else(|| request.user_id.clone(), |h| h.display_name.clone());
    RequestInfo {
        title: text.to_owned(),
        user: crate::protocol::UserInfo {
            id: request.user_id.clone(),
            name,
            email: request.email_id.clone(),
        },
        topic,
        context,
        history: history
            .map(|h| format!("{}: {}", h.display_name, h.value))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

pub(super) async fn integration(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let request: BotRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            let detail = format!("the request body: {e}");
            return failure(StatusCode::BAD_REQUEST, "Invalid request body", &detail);
        }
    };
    if let Err(detail) = request.check() {
        return failure(StatusCode::BAD_REQUEST, "Invalid request", &detail);
    }
    if emu.books().seen_requests.contains(&request.request_id) {
        return Json(wire::Ack::SUCCESS).into_response();
    }
    let Some(client_session) = request.client_session_id.clone() else {
        return failure(
            StatusCode::BAD_REQUEST,
            "Missing required field",
            "clientSessionId is required",
        );
    };
    let text = request.text().to_owned();
    let existing = emu.books().by_client.get(&client_session).cloned();
    let outcome = match (request.action.as_deref(), existing) {
        (Some("AGENT"), _) => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            {
                let mut books = emu.books();
                books.by_client.insert(client_session.clone(), id.clone());
                books.sessions.insert(
                    id.clone(),
                    Session {
                        client_session: client_session.clone(),
                        user_id: request.user_id.clone(),
                    },
                );
            }
            let desk = emu.desk.clone();
            let eta = emu.options.eta_secs;
            let info = request_info(&request, &text);
            tokio::spawn(async move { desk.open(&id, Some(client_session), eta, info).await });
            Ok(())
        }
        (_, None) => Err(failure(
            StatusCode::BAD_REQUEST,
            "No conversation",
            "no live-agent conversation for this clientSessionId",
        )),
        (None, Some(id)) => user_message(&emu, &id, &request).await,
        (Some(action @ ("TYPING" | "VIEWING")), Some(id)) => {
            emu.desk.user_typing(&id, action == "TYPING").map_err(|e| {
                failure(
                    StatusCode::BAD_REQUEST,
                    "Conversation closed",
                    &e.to_string(),
                )
            })
        }
        (Some("END_CONVERSATION"), Some(id)) => {
            let _ = emu.desk.user_left(&id);
            let emu2 = emu.clone();
            tokio::spawn(async move {
                let ended = json!({"uiType": "OutputText", "value": "The conversation has ended.", "group": "DefaultText"});
                delivery::post_envelope(&emu2, &id, vec![ended], false, true, "END_CONVERSATION")
                    .await;
            });
            Ok(())
        }
        (Some(_), Some(_)) => Ok(()),
    };
    match outcome {
        Ok(()) => {
            emu.books().seen_requests.insert(request.request_id);
            Json(wire::Ack::SUCCESS).into_response()
        }
        Err(r) => r,
    }
}

fn closed(e: &crate::connectors::DeskError) -> Response {
    failure(
        StatusCode::BAD_REQUEST,
        "Conversation closed",
        &e.to_string(),
    )
}

/// A plain message: its text, then each attachment fetched from its URL. The fetch happens
/// before the answer, so once a message is acknowledged its files are on the desk or refused.
async fn user_message(emu: &Emu, id: &str, request: &BotRequest) -> Result<(), Response> {
    let (text, attachments) = request
        .message
        .as_ref()
        .map(|m| (m.text.as_str(), m.attachment.as_slice()))
        .unwrap_or_default();
    if attachments.is_empty() || !text.is_empty() {
        emu.desk.user_message(id, text).map_err(|e| closed(&e))?;
    }
    for attachment in attachments {
        match fetch_attachment(emu, attachment).await {
            Ok(file) => emu.desk.user_file(id, file).map_err(|e| closed(&e))?,
            Err(reason) => {
                tracing::info!(file = %attachment.file_name, reason, "ServiceNow emulator: attachment refused");
                let item = inferred::attachment_refused(&attachment.file_name, &reason);
                delivery::post_envelope(emu, id, vec![item], true, false, "AttachmentRefused")
                    .await;
            }
        }
    }
    Ok(())
}

/// `type/subtype` without parameters, lower case.
fn base_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Fetches one attachment as the instance would, or says why it is refused.
async fn fetch_attachment(
    emu: &Emu,
    attachment: &wire::Attachment,
) -> Result<ReceivedFile, String> {
    let declared = base_type(&attachment.content_type);
    if !wire::ATTACHMENT_TYPES.contains(&declared.as_str()) {
        return Err(format!("the file type {declared} is not allowed"));
    }
    let mut call = Call::new("GET attachment url", Method::Get, attachment.url.as_str());
    for (name, value) in &attachment.headers {
        call = call.header(name.as_str(), value.as_str());
    }
    let reply = emu.fetcher.send(call).await.map_err(|e| match e {
        crate::connectors::ConnectorError::Status { status, .. }
        | crate::connectors::ConnectorError::Unauthorized { status, .. } => {
            format!("fetching it failed with HTTP {status}")
        }
        crate::connectors::ConnectorError::Transport { detail, .. } => {
            format!("fetching it failed: {detail}")
        }
        other => format!("fetching it failed: {other}"),
    })?;
    let served = base_type(reply.header("content-type").unwrap_or_default());
    if served != declared {
        return Err(format!("the URL served {served}, not {declared}"));
    }
    Ok(ReceivedFile::of(
        &attachment.file_name,
        &attachment.content_type,
        &reply.body,
    ))
}
