//! The 8x8 Chat Gateway emulator.
//!
//! Serves, under `/chat-gateway/v1` and with `x-api-key` checked on every call:
//! `POST /webhooks` (`{name, uri, version}`, verified at once with a signed
//! `WEB_HOOK_VERIFY`, 200 `WebHookV2Result`), `POST /conversations` (202
//! `{conversationId, createdAt}` with an ISO 8601 time), `GET /conversations/{id}` (200, the
//! conversation resource), `POST /conversations/{id}/attachments` (200, multipart: see
//! [`attachments`]), `POST /conversations/{id}/messages` (202; text and/or attachment ids,
//! unknown ids refused with 400), `POST /conversations/{id}/typing` (204),
//! `PATCH /conversations/{id}/participants/user` (204), `GET /conversations/{id}/participants`
//! (a HAL list without names, as documented) and the made-up
//! `GET /queues/{id}/availability`. Requests are read with this module's own types
//! ([`wire`]); an invalid `authorType` gets the documented 400. The signing key is served
//! without auth at `/vcc/{region}/chat/v2/jwk/{kid}/public`.
//!
//! Desk signals become webhook events sent (POST) to every registered webhook, each signed like 8x8
//! signs them (detached RS256 JWS over the CRC32 checksum JSON) with a key made at start;
//! non-2xx answers are retried with a new transmission time and `x-8x8-retry` + 1. An agent
//! joining is told twice, as 8x8 documents it: `AGENT_JOINED` with the agent's name (chat
//! workflow) and `MEMBERS_CHANGED` (events reference, no name).
//! An agent's file is a `MESSAGE` whose `attachments` link to `/__emu/files/{id}`.
//! Made-up payloads come from `connectors::eight_by_eight::inferred`.

use crate::connectors::http::{Api, Call, Method};
use crate::emulators::desk::{EndedBy, RequestInfo, Signal, SimAgent, SimDesk};
use crate::emulators::fault::Faults;
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::{UserInfo, now_millis};
use crate::systems::eight_by_eight::connector::{API_PATH, CONVERSATION_PROPERTY};
use crate::systems::eight_by_eight::inferred::{self, QueueAvailability};
use crate::systems::eight_by_eight::signature::{self, Signed, Signer};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

mod attachments;
mod conversations;
mod delivery;
pub mod wire;
use delivery::{event, post_signed, relay, spawn_delivery};

/// The emulated tenant and customer id in webhook headers.
pub const TENANT: &str = "emu-tenant";
/// The key id of the emulator's signing key.
pub const KID: &str = "emu-key-1";
/// The queue used when a conversation names none.
pub const DEFAULT_QUEUE: &str = "queue-general";

struct ConvMeta {
    channel_id: String,
    /// The `user` object as the client sent it.
    user: Value,
    queue: String,
    user_id: String,
    agents: Vec<SimAgent>,
    /// Agents who left (`removed: true` in the participants list).
    left: Vec<String>,
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

    /// The absolute URL of `path` under the Chat Gateway (HAL `self` links).
    fn href(&self, path: &str) -> String {
        format!("{}{API_PATH}{path}", self.base_url())
    }
}

/// Starts the 8x8 emulator on `listen` (loopback only).
pub async fn spawn(
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, EmulatorError> {
    let signer = Signer::generate(KID).map_err(|e| EmulatorError::Crypto(e.to_string()))?;
    let parts = crate::emulators::DeskParts::new(&options, super::SECOND_AGENT);
    let emu = Arc::new(Emu {
        desk: parts.desk.clone(),
        faults: parts.faults.clone(),
        options,
        signer,
        webhooks: Mutex::default(),
        conversations: Mutex::default(),
        api: crate::emulators::outbound_api("8x8 emulator webhook"),
        addr: Mutex::default(),
    });
    let app = Router::new()
        .nest(API_PATH, routes())
        .route("/vcc/{region}/chat/v2/jwk/{kid}/public", get(jwk))
        .with_state(emu.clone());
    let relayer = emu.clone();
    let running = parts
        .serve("8x8", listen, app, move |conversation, signal| {
            relay(relayer.clone(), conversation, signal)
        })
        .await?;
    *emu.addr
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(running.addr());
    Ok(running)
}

fn routes() -> Router<Arc<Emu>> {
    use conversations::{create, get_one, participants, remove_user, send_message, typing};
    Router::new()
        .route("/webhooks", post(create_webhook))
        .route("/conversations", post(create))
        .route("/conversations/{id}", get(get_one))
        .route(
            "/conversations/{id}/attachments",
            post(attachments::upload).layer(DefaultBodyLimit::max(attachments::BODY_LIMIT)),
        )
        .route("/conversations/{id}/messages", post(send_message))
        .route("/conversations/{id}/typing", post(typing))
        .route("/conversations/{id}/participants/user", patch(remove_user))
        .route("/conversations/{id}/participants", get(participants))
        .route("/queues/{id}/availability", get(availability))
}

fn reference() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `body` with `status` and `content_type`.
fn typed(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static(content_type),
    );
    response
}

/// A HAL resource (`application/hal+json`), as every Chat Gateway answer is.
fn hal(status: StatusCode, body: &Value) -> Response {
    typed(status, "application/hal+json", body)
}

fn problem(status: StatusCode, code: &str, message: &str) -> Response {
    let summary = status.canonical_reason().unwrap_or("Error");
    let body = wire::problem(summary, code, message, &reference());
    typed(status, "application/problem+json", &body)
}

/// The documented 400 for an `authorType` outside `allowed`.
fn check_author(value: &str, allowed: &[&str]) -> Result<(), Box<Response>> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let body = wire::bad_author_type(value, allowed, &reference());
    Err(Box::new(typed(
        StatusCode::BAD_REQUEST,
        "application/problem+json",
        &body,
    )))
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
    let body = wire::unauthorized(&reference());
    Err(Box::new(typed(
        StatusCode::UNAUTHORIZED,
        "application/problem+json",
        &body,
    )))
}

/// A call from a caller with a valid `x-api-key` (401 otherwise, before anything is read).
pub(super) struct Key;

impl FromRequestParts<Arc<Emu>> for Key {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, emu: &Arc<Emu>) -> Result<Self, Response> {
        authorize(emu, &parts.headers).map_err(|r| *r)?;
        Ok(Self)
    }
}

/// The body of a call from a caller with a valid key, as `T`: every write's preamble (the key
/// is checked first, as 8x8 answers 401 before it reads the body; a body that is not a `T` is
/// a 400 naming serde's line and column).
pub(super) struct Authorized<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequest<Arc<Emu>> for Authorized<T> {
    type Rejection = Response;

    async fn from_request(req: Request, emu: &Arc<Emu>) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        Key::from_request_parts(&mut parts, emu).await?;
        let body = axum::body::Bytes::from_request(Request::from_parts(parts, body), emu)
            .await
            .map_err(IntoResponse::into_response)?;
        parse(&body).map(Self).map_err(|r| *r)
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            "invalid_json_object",
            &e.to_string(),
        ))
    })
}

fn unknown(id: &str) -> Response {
    typed(
        StatusCode::NOT_FOUND,
        "application/problem+json",
        &wire::not_found("Conversation", id),
    )
}

async fn create_webhook(
    State(emu): State<Arc<Emu>>,
    Authorized(hook): Authorized<wire::CreateWebhook>,
) -> Response {
    let version = hook.version.unwrap_or_else(|| wire::EVENT_VERSION.into());
    if version != wire::EVENT_VERSION || hook.name.chars().count() > 256 {
        let detail = format!(
            "version must be {:?}, name at most 256",
            wire::EVENT_VERSION
        );
        return problem(StatusCode::BAD_REQUEST, "invalid_parameter", &detail);
    }
    let verify =
        json!({"notificationVersion": wire::EVENT_VERSION, "eventType": "WEB_HOOK_VERIFY"});
    let status = post_signed(&emu, &hook.uri, "WEB_HOOK_VERIFY", &verify.to_string(), 0).await;
    if !(200..300).contains(&status) {
        return problem(
            StatusCode::BAD_REQUEST,
            "webhook_verification_failed",
            &format!("the webhook answered {status} to WEB_HOOK_VERIFY"),
        );
    }
    {
        let mut hooks = emu
            .webhooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !hooks.contains(&hook.uri) {
            hooks.push(hook.uri.clone());
        }
    }
    let created = wire::WebhookResult {
        id: format!("wh-{}", uuid::Uuid::new_v4().simple()),
        name: hook.name,
        uri: hook.uri,
        version,
    };
    hal(StatusCode::OK, &json!(created))
}

async fn availability(State(emu): State<Arc<Emu>>, Path(queue): Path<String>, _: Key) -> Response {
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
        return problem(StatusCode::NOT_FOUND, "resource_not_found", "no such key");
    }
    Json(emu.signer.jwk()).into_response()
}
