//! The Vayusphere emulator: the [INVENTED] contract of `PROTOCOL.md` on loopback.
//!
//! Serves, reading every body with its own strict types ([`wire`]):
//! - `GET /v1/availability` (API key) → `{agents_available}`, the desk's available agents;
//! - `POST /v1/sessions` (API key, `application/json`, at most
//!   `inferred::MAX_REQUEST_BYTES`) → 201 `{session_id, redirect_url, bot_name}`: the session
//!   is queued on the [`SimDesk`] with its utterance, topic, user, history and routing context
//!   (plus `queue` and `language`), so the agent inbox sees the request. A repeated
//!   `Idempotency-Key` answers 200 with the same session and queues nothing;
//! - `GET /chat/{session_id}` (no key: the user's browser) → the session's page: the bot, the
//!   topic, and whether an agent has the chat.
//!
//! Errors are `{"error": {"code", "message"}}`: 400 naming the field, 401, 404, 413, 415; 429
//! with `Retry-After` and 5xx come from the fault controls (`POST /__emu/fault`).

pub mod wire;

use super::inferred::{self, ErrorCode};
use crate::connectors::redact::{Secret, same_secret};
use crate::emulators::desk::{ConvState, RequestInfo, SimDesk};
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::UserInfo;
use crate::text::escape;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tokio_util::sync::CancellationToken;

/// How many sessions the emulator remembers for idempotency keys and pages. At the bound the
/// oldest is forgotten: its page is a 404 and its key starts a new session.
pub const MAX_SESSIONS: usize = 256;

/// The bot every emulated session redirects to.
pub const BOT_NAME: &str = inferred::DEFAULT_BOT_NAME;

struct Session {
    key: Option<String>,
    topic: String,
    created: wire::Created,
}

#[derive(Default)]
struct Sessions {
    by_id: HashMap<String, Session>,
    by_key: HashMap<String, String>,
    /// Session ids, oldest first.
    order: VecDeque<String>,
}

impl Sessions {
    fn remember(&mut self, session: Session) {
        if self.order.len() >= MAX_SESSIONS
            && let Some(oldest) = self.order.pop_front()
            && let Some(gone) = self.by_id.remove(&oldest)
            && let Some(key) = gone.key
        {
            self.by_key.remove(&key);
        }
        let id = session.created.session_id.clone();
        if let Some(key) = &session.key {
            self.by_key.insert(key.clone(), id.clone());
        }
        self.order.push_back(id.clone());
        self.by_id.insert(id, session);
    }

    fn replay(&self, key: &str) -> Option<wire::Created> {
        let id = self.by_key.get(key)?;
        self.by_id.get(id).map(|s| s.created.clone())
    }
}

struct Emu {
    desk: Arc<SimDesk>,
    options: EmulatorOptions,
    sessions: Mutex<Sessions>,
    /// Where this emulator listens (known once bound): redirect URLs point here.
    base_url: OnceLock<String>,
}

/// Starts the Vayusphere emulator on `listen` (loopback only).
pub async fn spawn(
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, EmulatorError> {
    let (desk, signals) =
        SimDesk::from_options(&options, crate::desk::Policy::emulated(super::SECOND_AGENT));
    let cancel = CancellationToken::new();
    // The session goes on at Vayusphere, not through the connector: what the desk does is
    // shown on the session's page, so its signals are only drained here.
    crate::emulators::relay_signals(signals, cancel.clone(), |conversation, signal| async move {
        tracing::debug!(conversation, ?signal, "vayusphere session");
    });
    let emu = Arc::new(Emu {
        desk: desk.clone(),
        options,
        sessions: Mutex::default(),
        base_url: OnceLock::new(),
    });
    let app = Router::new()
        .route(inferred::AVAILABILITY_PATH, get(availability))
        .route(
            inferred::SESSIONS_PATH,
            post(create).layer(DefaultBodyLimit::max(inferred::MAX_REQUEST_BYTES)),
        )
        .route("/chat/{session}", get(page))
        .with_state(emu.clone());
    let faults = Arc::default();
    let running = crate::emulators::serve("vayusphere", listen, app, desk, faults, cancel).await?;
    let _ = emu.base_url.set(running.base_url());
    Ok(running)
}

impl Emu {
    /// The remembered sessions (plain data: a panic elsewhere cannot leave them inconsistent).
    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An error as the contract answers it.
fn error(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    (status, Json(body)).into_response()
}

/// The API key check: the configured credential, else any well-formed bearer token.
fn authorized(emu: &Emu, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let ok = match &emu.options.credentials {
        Some(key) => same_secret(presented, &Secret::new(key.clone())),
        None => !presented.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        let message = "missing or unknown API key";
        Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            message,
        )))
    }
}

async fn availability(State(emu): State<Arc<Emu>>, headers: HeaderMap) -> Response {
    if let Err(refused) = authorized(&emu, &headers) {
        return *refused;
    }
    let answer = wire::Availability {
        agents_available: emu.desk.available(),
    };
    Json(answer).into_response()
}

/// Reads a session request: the key first, then the media type, the size and the fields.
fn read(
    emu: &Emu,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<wire::SessionRequest, Box<Response>> {
    authorized(emu, headers)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        let message = "Content-Type must be application/json";
        let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return Err(Box::new(error(
            status,
            ErrorCode::UnsupportedMediaType,
            message,
        )));
    }
    let body = body.map_err(|rejection| {
        let message = format!(
            "the body is over {} bytes: {rejection}",
            inferred::MAX_REQUEST_BYTES
        );
        Box::new(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            error(rejection.status(), ErrorCode::RequestTooLarge, &message)
        } else {
            error(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                &rejection.to_string(),
            )
        })
    })?;
    let request: wire::SessionRequest = serde_json::from_slice(&body).map_err(|e| {
        Box::new(error(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            &e.to_string(),
        ))
    })?;
    if let Some(field) = request.blank_field() {
        let message = format!("{field}: must not be blank");
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            &message,
        )));
    }
    Ok(request)
}

async fn create(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request = match read(&emu, &headers, body) {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    let key = headers
        .get(inferred::IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(created) = key.as_deref().and_then(|k| emu.sessions().replay(k)) {
        return (StatusCode::OK, Json(created)).into_response();
    }
    let id = format!("vs-{}", uuid::Uuid::new_v4().simple());
    let base = emu.base_url.get().map_or("", String::as_str);
    let created = wire::Created {
        session_id: id.clone(),
        redirect_url: format!("{base}{}", inferred::chat_path(&id)),
        bot_name: BOT_NAME.to_owned(),
    };
    emu.sessions().remember(Session {
        key: key.clone(),
        topic: request.topic.clone(),
        created: created.clone(),
    });
    emu.desk
        .open(&id, key, emu.options.eta_secs, request_info(request))
        .await;
    (StatusCode::CREATED, Json(created)).into_response()
}

/// What the desk's agents see of a session: the routing context with its queue and language.
fn request_info(request: wire::SessionRequest) -> RequestInfo {
    let mut context = request.context;
    context.insert("queue".into(), request.queue);
    if let Some(language) = request.language {
        context.insert("language".into(), language);
    }
    RequestInfo {
        title: request.utterance,
        user: UserInfo {
            id: request.user.id,
            name: request.user.name,
            email: request.user.email,
        },
        topic: request.topic,
        context,
        history: request.history,
    }
}

/// The user's page for a session.
async fn page(State(emu): State<Arc<Emu>>, Path(session): Path<String>) -> Response {
    let Some(topic) = emu.sessions().by_id.get(&session).map(|s| s.topic.clone()) else {
        return error(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such session",
        );
    };
    let status = match emu.desk.conversation(&session) {
        Some(view) if view.state == ConvState::Live => match view.agent {
            Some(agent) => format!("You are chatting with {}.", escape(&agent)),
            None => "You are chatting with an agent.".to_owned(),
        },
        Some(view) if view.state == ConvState::Queued => "Waiting for an agent.".to_owned(),
        _ => "This chat has ended.".to_owned(),
    };
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{bot}</title></head>\n\
         <body><h1>{bot}</h1>\n<p>Session {id}: {topic}</p>\n<p>{status}</p></body></html>\n",
        bot = escape(BOT_NAME),
        id = escape(&session),
        topic = escape(&topic),
    ))
    .into_response()
}
