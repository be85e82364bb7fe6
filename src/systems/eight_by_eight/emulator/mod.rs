//! The 8x8 Chat Gateway emulator.
//!
//! Serves, under `/chat-gateway/v1` and with `x-api-key` checked on every call:
//! `POST /webhooks` (verified at once with a signed `WEB_HOOK_VERIFY`), `POST /conversations`
//! (202), `POST /conversations/{id}/attachments` (200, multipart: see [`attachments`]),
//! `POST /conversations/{id}/messages` (202; text and/or attachment ids, unknown ids refused
//! with 400), `POST /conversations/{id}/typing` (204),
//! `PATCH /conversations/{id}/participants/user` (204), and the inferred
//! `GET /conversations/{id}/participants` and `GET /queues/{id}/availability`. The signing key
//! is served without auth at `/vcc/{region}/chat/v2/jwk/{kid}/public`.
//!
//! Desk signals become webhook events sent (POST) to every registered webhook, each signed like 8x8
//! signs them (detached RS256 JWS over the CRC32 checksum JSON) with a key made at start;
//! non-2xx answers are retried with a new transmission time and `x-8x8-retry` + 1.
//! An agent's file is a `MESSAGE` whose `attachments` link to `/__emu/files/{id}`.
//! Inferred payloads come from `connectors::eight_by_eight::inferred`.

use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::emulators::desk::{EndedBy, RequestInfo, Signal, SimAgent, SimDesk};
use crate::emulators::fault::Faults;
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::{UserInfo, now_millis};
use crate::systems::eight_by_eight::connector::inferred::{
    self, Participant, Participants, QueueAvailability,
};
use crate::systems::eight_by_eight::connector::signature::{self, Signed, Signer};
use crate::systems::eight_by_eight::connector::wire::{
    CreateConversation, Problem, ProblemError, RemoveUser, SendMessage, WebhookEvent,
};
use crate::systems::eight_by_eight::connector::{API_PATH, CONVERSATION_PROPERTY};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

mod attachments;
mod delivery;
use delivery::{deliver, event, post_signed, spawn_delivery};

/// The emulated tenant and customer id in webhook headers.
pub const TENANT: &str = "emu-tenant";
/// The key id of the emulator's signing key.
pub const KID: &str = "emu-key-1";
/// The queue used when a conversation names none.
pub const DEFAULT_QUEUE: &str = "queue-general";

struct ConvMeta {
    queue: String,
    user_id: String,
    agents: Vec<SimAgent>,
    /// Files uploaded to the conversation, by attachment id.
    attachments: HashMap<String, crate::emulators::desk::ReceivedFile>,
}

struct Emu {
    desk: Arc<SimDesk>,
    faults: Arc<Faults>,
    options: EmulatorOptions,
    signer: Signer,
    webhooks: Mutex<Vec<String>>,
    conversations: Mutex<HashMap<String, ConvMeta>>,
    api: Api,
    /// Where the emulator listens, once it does (agents' files link to it).
    addr: Mutex<Option<SocketAddr>>,
}

impl Emu {
    fn meta<R>(&self, id: &str, f: impl FnOnce(&mut ConvMeta) -> R) -> Option<R> {
        self.conversations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_mut(id)
            .map(f)
    }

    /// `http://127.0.0.1:PORT` (empty before the server is up).
    fn base_url(&self) -> String {
        self.addr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .map(|addr| format!("http://{addr}"))
            .unwrap_or_default()
    }
}

/// Starts the 8x8 emulator on `listen` (loopback only).
pub async fn spawn(
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, EmulatorError> {
    let signer = Signer::generate(KID).map_err(|e| EmulatorError::Crypto(e.to_string()))?;
    let (desk, signals) = SimDesk::new(&options.agents, options.script.clone());
    let faults = Arc::new(Faults::default());
    let policy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let emu = Arc::new(Emu {
        desk: desk.clone(),
        faults: faults.clone(),
        options,
        signer,
        webhooks: Mutex::default(),
        conversations: Mutex::default(),
        api: Api::new("8x8 emulator webhook", policy, Vec::new()),
        addr: Mutex::default(),
    });
    let api = Router::new()
        .route("/webhooks", post(create_webhook))
        .route("/conversations", post(create_conversation))
        .route(
            "/conversations/{id}/attachments",
            post(attachments::upload).layer(DefaultBodyLimit::max(attachments::BODY_LIMIT)),
        )
        .route("/conversations/{id}/messages", post(send_message))
        .route("/conversations/{id}/typing", post(typing))
        .route("/conversations/{id}/participants/user", patch(remove_user))
        .route("/conversations/{id}/participants", get(participants))
        .route("/queues/{id}/availability", get(availability));
    let app = Router::new()
        .nest(API_PATH, api)
        .route("/vcc/{region}/chat/v2/jwk/{kid}/public", get(jwk))
        .with_state(emu.clone());
    let cancel = CancellationToken::new();
    tokio::spawn(deliver(emu.clone(), signals, cancel.clone()));
    let running = crate::emulators::serve("8x8", listen, app, desk, faults, cancel).await?;
    *emu.addr
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(running.addr());
    Ok(running)
}

/// What the agent inbox shows of a new conversation: the `intent` property (or the last user
/// message) as title, the other properties as context, the history as text.
fn request_info(request: &CreateConversation) -> RequestInfo {
    let property = |key: &str| {
        request
            .user
            .additional_properties
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.clone())
    };
    let messages = request
        .history
        .as_ref()
        .map(|h| h.messages.as_slice())
        .unwrap_or_default();
    let title = property("intent")
        .or_else(|| {
            messages
                .iter()
                .rev()
                .find(|m| m.author_type == "user")
                .map(|m| m.text.clone())
        })
        .unwrap_or_default();
    let mut context: std::collections::BTreeMap<String, String> = request
        .user
        .additional_properties
        .iter()
        .filter(|p| !matches!(p.key.as_str(), "intent" | "topic" | CONVERSATION_PROPERTY))
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect();
    if let Some(language) = &request.user.language {
        context.insert("language".into(), language.clone());
    }
    RequestInfo {
        title,
        user: UserInfo {
            id: request.user.user_id.clone().unwrap_or_default(),
            name: request.user.name.clone(),
            email: request.user.email.clone(),
        },
        topic: property("topic").unwrap_or_default(),
        context,
        history: messages
            .iter()
            .map(|m| format!("{}: {}", m.author_type, m.text))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn problem(status: StatusCode, code: &str, message: &str) -> Response {
    let body = Problem {
        message: status.canonical_reason().unwrap_or("Error").into(),
        errors: vec![ProblemError {
            code: code.into(),
            message: message.into(),
        }],
        reference_id: Some(uuid::Uuid::new_v4().to_string()),
    };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn authorize(emu: &Emu, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    let well_formed = !key.is_empty() && key.chars().all(|c| c.is_ascii_graphic());
    let accepted = emu
        .options
        .credentials
        .as_deref()
        .is_none_or(|expected| expected == key);
    if well_formed && accepted {
        return Ok(());
    }
    let body = inferred::unauthorized(&uuid::Uuid::new_v4().to_string());
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    Err(Box::new(response))
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            &e.to_string(),
        ))
    })
}

fn unknown(id: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("conversation {id} not found"),
    )
}

async fn create_webhook(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let hook: inferred::CreateWebhook = match parse(&body) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    let verify =
        json!({"notificationVersion": "Chat Gateway v1.0", "eventType": "WEB_HOOK_VERIFY"});
    let status = post_signed(&emu, &hook.url, "WEB_HOOK_VERIFY", &verify.to_string(), 0).await;
    if !(200..300).contains(&status) {
        return problem(
            StatusCode::BAD_REQUEST,
            "WEBHOOK_VERIFICATION_FAILED",
            &format!("the webhook answered {status} to WEB_HOOK_VERIFY"),
        );
    }
    {
        let mut hooks = emu
            .webhooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !hooks.contains(&hook.url) {
            hooks.push(hook.url.clone());
        }
    }
    let created = inferred::WebhookCreated {
        id: format!("wh-{}", uuid::Uuid::new_v4().simple()),
        url: hook.url,
    };
    (StatusCode::CREATED, Json(created)).into_response()
}

async fn create_conversation(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let request: CreateConversation = match parse(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if request.channel_id.trim().is_empty() {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "channelId is required",
        );
    }
    if request.user.additional_properties.len() > 30 {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "at most 30 additionalProperties",
        );
    }
    if request
        .history
        .as_ref()
        .is_some_and(|h| h.messages.len() > 200)
    {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "at most 200 history messages",
        );
    }
    let id = format!("conv-{}", uuid::Uuid::new_v4().simple());
    let info = request_info(&request);
    let external = request
        .user
        .additional_properties
        .iter()
        .find(|p| p.key == CONVERSATION_PROPERTY)
        .map(|p| p.value.clone());
    let queue = request
        .assignment
        .map_or_else(|| DEFAULT_QUEUE.to_owned(), |a| a.id);
    emu.conversations
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(
            id.clone(),
            ConvMeta {
                queue,
                user_id: request.user.user_id.unwrap_or_else(|| "user".into()),
                agents: Vec::new(),
                attachments: HashMap::new(),
            },
        );
    let created_at = now_millis();
    let desk = emu.desk.clone();
    let eta = emu.options.eta_secs;
    let opened = id.clone();
    // 8x8 answers 202 and queues asynchronously; events may overtake the answer.
    tokio::spawn(async move { desk.open(&opened, external, eta, info).await });
    let mut response = (
        StatusCode::ACCEPTED,
        Json(json!({ "conversationId": id, "createdAt": created_at })),
    )
        .into_response();
    response.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/hal+json"),
    );
    response
}

async fn send_message(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let message: SendMessage = match parse(&body) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    let has_text = !message.text.trim().is_empty();
    if !has_text && message.attachments.is_empty() {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "text or attachments required",
        );
    }
    let Some(user_id) = emu.meta(&id, |m| m.user_id.clone()) else {
        return unknown(&id);
    };
    let files = match attachments::referenced(&emu, &id, &message.attachments) {
        Ok(files) => files,
        Err(r) => return *r,
    };
    let closed = |e: crate::connectors::DeskError| {
        problem(StatusCode::CONFLICT, "CONVERSATION_CLOSED", &e.to_string())
    };
    if has_text && let Err(e) = emu.desk.user_message(&id, &message.text) {
        return closed(e);
    }
    let mut echoed = Vec::new();
    for (attachment, file) in files {
        echoed.push(json!({"id": attachment, "type": file.content_type, "fileName": file.name}));
        if let Err(e) = emu.desk.user_file(&id, file) {
            return closed(e);
        }
    }
    // [INFER] 8x8 echoes the user's own message with isEcho: true (and its files).
    let echo = event(
        &id,
        "MESSAGE",
        Some(json!({
            "isEcho": true, "sender": {"id": user_id, "type": "user"}, "text": message.text,
            "attachments": echoed,
        })),
    );
    spawn_delivery(emu.clone(), echo);
    StatusCode::ACCEPTED.into_response()
}

async fn typing(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let typing: crate::systems::eight_by_eight::connector::wire::Typing = match parse(&body) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    if typing.author_type != "user" && typing.author_type != "bot" {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "authorType must be user or bot",
        );
    }
    match emu.desk.user_typing(&id, true) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => unknown(&id),
    }
}

async fn remove_user(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let remove: RemoveUser = match parse(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if !remove.removed {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "only removed: true is supported",
        );
    }
    match emu.desk.user_left(&id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => unknown(&id),
    }
}

async fn participants(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let Some((user_id, agents)) = emu.meta(&id, |m| (m.user_id.clone(), m.agents.clone())) else {
        return unknown(&id);
    };
    let mut list = vec![Participant {
        id: user_id,
        kind: "user".into(),
        display_name: None,
    }];
    list.extend(agents.into_iter().map(|a| Participant {
        id: a.id,
        kind: "agent".into(),
        display_name: Some(a.name),
    }));
    Json(Participants { participants: list }).into_response()
}

async fn availability(
    State(emu): State<Arc<Emu>>,
    Path(queue): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    Json(QueueAvailability {
        queue_id: queue,
        agents_available: emu.desk.available(),
    })
    .into_response()
}

async fn jwk(
    State(emu): State<Arc<Emu>>,
    Path((_region, kid)): Path<(String, String)>,
) -> Response {
    if kid != emu.signer.kid() {
        return problem(StatusCode::NOT_FOUND, "NOT_FOUND", "no such key");
    }
    Json(emu.signer.jwk()).into_response()
}
