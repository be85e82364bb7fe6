//! The `/__emu` control endpoints every emulator serves, so a person, a test or the console's
//! agent inbox can act as the agents, and [`RemoteDesk`], the [`AgentDesk`] that drives them
//! over HTTP (for an emulator started with `handoff emulate`).
//!
//! | call | body | does |
//! |---|---|---|
//! | `GET /__emu/conversations` | | every conversation (id, external ref, state, agent, user messages) |
//! | `GET /__emu/agents` | | agents and presence |
//! | `POST /__emu/agents` | `{"agent","presence"}` | sets presence (adds the agent when new) |
//! | `POST /__emu/agent/join` | `{"conversation","agent"}` | the agent accepts |
//! | `POST /__emu/agent/say` | `{"conversation","text","agent"?}` | the agent says something |
//! | `POST /__emu/agent/typing` | `{"conversation","on","agent"?}` | typing indicator |
//! | `POST /__emu/agent/transfer` | `{"conversation","to","agent"?}` | transfer to another agent |
//! | `POST /__emu/agent/invite` | `{"conversation","agent","to"}` | the agent invites `to` into the chat |
//! | `POST /__emu/agent/reject` | `{"conversation","agent","text"?}` | the agent turns the request down, or declines an invitation |
//! | `POST /__emu/agent/leave` | `{"conversation","agent"?}` | the agent ends the chat |
//! | `POST /__emu/queue/timeout` | `{"conversation"}` | the queue gives up (no agent) |
//! | `POST /__emu/malformed` | `{"conversation"}` | the next event sent is malformed |
//! | `POST /__emu/fault` | see [`super::fault`] | inject a failure |
//! | `GET /__emu/deliveries` | | webhook delivery attempts and their statuses |
//!
//! `conversation` is the system's id or the client's own id for it (the broker's conversation
//! id), whichever is handier. An `agent`, where taken, must be the chat's agent (the inbox
//! sends it; a script or a person with curl may leave it out). Errors are `{"error": "..."}` with 404 or 409.

use super::desk::SimDesk;
use super::fault::{Fault, Faults};
use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::{AgentDesk, DeskAction, DeskError};
use crate::protocol::{DeskAgent, Presence};
use async_trait::async_trait;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Clone)]
struct Ctl {
    desk: Arc<SimDesk>,
    faults: Arc<Faults>,
}

/// The control routes over `desk` and `faults`.
pub fn router(desk: Arc<SimDesk>, faults: Arc<Faults>) -> Router {
    Router::new()
        .route("/__emu/conversations", get(conversations))
        .route("/__emu/agents", get(agents).post(set_presence))
        .route("/__emu/agent/join", post(join))
        .route("/__emu/agent/say", post(say))
        .route("/__emu/agent/typing", post(typing))
        .route("/__emu/agent/file", post(agent_file))
        .route("/__emu/files/{id}", get(download))
        .route("/__emu/agent/transfer", post(transfer))
        .route("/__emu/agent/invite", post(invite))
        .route("/__emu/agent/reject", post(reject))
        .route("/__emu/agent/leave", post(leave))
        .route("/__emu/queue/timeout", post(timeout))
        .route("/__emu/malformed", post(malformed))
        .route("/__emu/fault", post(fault))
        .route("/__emu/deliveries", get(deliveries))
        .with_state(Ctl { desk, faults })
}

fn answer(result: Result<(), DeskError>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            let status = match e {
                DeskError::UnknownAgent(_) | DeskError::UnknownConversation(_) => {
                    StatusCode::NOT_FOUND
                }
                DeskError::InvalidState(_) | DeskError::Closed => StatusCode::CONFLICT,
            };
            (status, Json(json!({ "error": e.to_string() }))).into_response()
        }
    }
}

#[derive(Deserialize)]
struct ConvBody {
    conversation: String,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    on: Option<bool>,
    #[serde(default)]
    to: Option<String>,
}

async fn conversations(State(ctl): State<Ctl>) -> Response {
    Json(ctl.desk.conversations()).into_response()
}

async fn agents(State(ctl): State<Ctl>) -> Response {
    Json(ctl.desk.agent_list()).into_response()
}

#[derive(Deserialize)]
struct PresenceBody {
    agent: String,
    presence: Presence,
}

async fn set_presence(State(ctl): State<Ctl>, Json(body): Json<PresenceBody>) -> Response {
    answer(ctl.desk.try_set_presence(&body.agent, body.presence))
}

async fn join(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let Some(agent) = b.agent else {
        return answer(Err(DeskError::InvalidState("join needs an agent".into())));
    };
    let desk = &ctl.desk;
    answer(async { desk.join(&desk.resolve(&b.conversation)?, &agent).await }.await)
}

async fn say(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let text = b.text.unwrap_or_default();
    let desk = &ctl.desk;
    answer(
        async {
            desk.say(&desk.resolve(&b.conversation)?, b.agent.as_deref(), &text)
                .await
        }
        .await,
    )
}

#[derive(Deserialize)]
struct FileBody {
    conversation: String,
    #[serde(default)]
    agent: Option<String>,
    name: String,
    content_type: String,
    /// The contents, base64.
    data: String,
}

async fn agent_file(State(ctl): State<Ctl>, Json(b): Json<FileBody>) -> Response {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&b.data) else {
        return answer(Err(DeskError::InvalidState("`data` is not base64".into())));
    };
    let file = crate::connectors::FileUpload {
        name: b.name,
        content_type: b.content_type,
        bytes: bytes.into(),
    };
    let desk = &ctl.desk;
    answer(
        async {
            desk.send_file(&desk.resolve(&b.conversation)?, b.agent.as_deref(), file)
                .await
        }
        .await,
    )
}

/// An agent's file, as the link in the system's event leads to it.
async fn download(
    State(ctl): State<Ctl>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let Some((file, bytes)) = ctl.desk.agent_file_bytes(&id) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let name: String = file
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (axum::http::header::CONTENT_TYPE, file.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn typing(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let desk = &ctl.desk;
    let on = b.on.unwrap_or(true);
    answer(
        async {
            let id = desk.resolve(&b.conversation)?;
            desk.check_agent(&id, b.agent.as_deref())?;
            desk.agent_typing(&id, on).await
        }
        .await,
    )
}

async fn transfer(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let Some(to) = b.to else {
        return answer(Err(DeskError::InvalidState("transfer needs `to`".into())));
    };
    let desk = &ctl.desk;
    answer(
        async {
            let id = desk.resolve(&b.conversation)?;
            desk.check_agent(&id, b.agent.as_deref())?;
            desk.transfer(&id, &to).await
        }
        .await,
    )
}

async fn invite(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let (Some(agent), Some(to)) = (b.agent, b.to) else {
        return answer(Err(DeskError::InvalidState(
            "invite needs `agent` and `to`".into(),
        )));
    };
    let desk = &ctl.desk;
    answer(
        async {
            desk.invite(&desk.resolve(&b.conversation)?, &agent, &to)
                .await
        }
        .await,
    )
}

async fn reject(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let Some(agent) = b.agent else {
        return answer(Err(DeskError::InvalidState("reject needs an agent".into())));
    };
    let reason = b.text.unwrap_or_default();
    let desk = &ctl.desk;
    answer(
        async {
            desk.reject(&desk.resolve(&b.conversation)?, &agent, reason)
                .await
        }
        .await,
    )
}

async fn leave(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let desk = &ctl.desk;
    answer(
        async {
            let id = desk.resolve(&b.conversation)?;
            desk.check_agent(&id, b.agent.as_deref())?;
            desk.leave(&id).await
        }
        .await,
    )
}

async fn timeout(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let desk = &ctl.desk;
    answer(async { desk.timeout(&desk.resolve(&b.conversation)?).await }.await)
}

async fn malformed(State(ctl): State<Ctl>, Json(b): Json<ConvBody>) -> Response {
    let desk = &ctl.desk;
    answer(async { desk.malformed(&desk.resolve(&b.conversation)?).await }.await)
}

async fn fault(State(ctl): State<Ctl>, Json(fault): Json<Fault>) -> Response {
    ctl.faults.push(fault);
    StatusCode::NO_CONTENT.into_response()
}

async fn deliveries(State(ctl): State<Ctl>) -> Response {
    Json(ctl.desk.deliveries()).into_response()
}

/// An [`AgentDesk`] that drives an emulator's `/__emu` endpoints over HTTP.
#[derive(Debug, Clone)]
pub struct RemoteDesk {
    base: String,
    api: Api,
}

impl RemoteDesk {
    /// The desk of the emulator at `base_url`.
    pub fn new(base_url: &str) -> Self {
        let policy = RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        };
        Self {
            base: base_url.trim_end_matches('/').to_owned(),
            api: Api::new("emulator desk", policy, Vec::new()),
        }
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<(), DeskError> {
        let call = Call::new(
            format!("POST {path}"),
            Method::Post,
            format!("{}{path}", self.base),
        )
        .json(&body);
        match self.api.send(call).await {
            Ok(_) => Ok(()),
            Err(crate::connectors::ConnectorError::Status {
                status: 404,
                detail,
                ..
            }) => Err(DeskError::InvalidState(detail)),
            Err(crate::connectors::ConnectorError::Status { detail, .. }) => {
                Err(DeskError::InvalidState(detail))
            }
            Err(_) => Err(DeskError::Closed),
        }
    }
}

#[async_trait]
impl AgentDesk for RemoteDesk {
    async fn agents(&self) -> Vec<DeskAgent> {
        let call = Call::new(
            "GET /__emu/agents",
            Method::Get,
            format!("{}/__emu/agents", self.base),
        );
        match self.api.send(call).await {
            Ok(reply) => reply.json().unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %e, "emulator desk unreachable");
                Vec::new()
            }
        }
    }

    async fn act(&self, agent: &str, action: DeskAction) -> Result<(), DeskError> {
        match action {
            DeskAction::Accept(c) => {
                self.post(
                    "/__emu/agent/join",
                    json!({"conversation": c, "agent": agent}),
                )
                .await
            }
            DeskAction::Reject(c, reason) => {
                self.post(
                    "/__emu/agent/reject",
                    json!({"conversation": c, "agent": agent, "text": reason}),
                )
                .await
            }
            DeskAction::Invite(c, to) => {
                self.post(
                    "/__emu/agent/invite",
                    json!({"conversation": c, "agent": agent, "to": to}),
                )
                .await
            }
            DeskAction::Reply(c, text) => {
                self.post(
                    "/__emu/agent/say",
                    json!({"conversation": c, "agent": agent, "text": text}),
                )
                .await
            }
            DeskAction::File(c, file) => {
                use base64::Engine;
                let data = base64::engine::general_purpose::STANDARD.encode(&file.bytes);
                self.post(
                    "/__emu/agent/file",
                    json!({"conversation": c, "agent": agent, "name": file.name,
                           "content_type": file.content_type, "data": data}),
                )
                .await
            }
            DeskAction::Typing(c, on) => {
                self.post(
                    "/__emu/agent/typing",
                    json!({"conversation": c, "agent": agent, "on": on}),
                )
                .await
            }
            DeskAction::End(c) => {
                self.post(
                    "/__emu/agent/leave",
                    json!({"conversation": c, "agent": agent}),
                )
                .await
            }
            DeskAction::Transfer(c, to) => {
                self.post(
                    "/__emu/agent/transfer",
                    json!({"conversation": c, "agent": agent, "to": to}),
                )
                .await
            }
            DeskAction::SetPresence(p) => {
                self.post("/__emu/agents", json!({"agent": agent, "presence": p}))
                    .await
            }
        }
    }
}
