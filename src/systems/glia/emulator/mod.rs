//! The Glia emulator (visitor-integrator flow).
//!
//! Serves, with `Accept: application/vnd.salemove.v1+json` required (406 otherwise), reading
//! every request with its own types ([`wire`]):
//! `POST /operator_authentication/tokens` (site API key → site token), `POST /visitors`
//! (`Authorization: ApplicationToken ...`, 200 `{id, access_token}`), `POST /queue_tickets`
//! (visitor token; `queue_id`; 201 new, 200 for the same criteria while one is active, 409 for
//! other criteria; registers up to 10 webhooks), `PUT /engagements/{id}/chat_messages/{uuid}`
//! (idempotent by id; empty content only with a files attachment; an `attachment` must name
//! files uploaded to the engagement, 400 otherwise, and they reach the desk once per message),
//! `POST /engagements/{id}/files` (multipart, part `file`; 413 over `inferred::MAX_FILE_BYTES`,
//! 415 for a type not in `inferred::FILE_TYPES`; a re-upload only stores an unused copy),
//! `GET /engagements/{id}/files/{file}`, `GET /engagements/{id}` (operators as links),
//! `GET /operators/{id}` (the operator, with the name), `DELETE /engagements/{id}`,
//! `DELETE /queue_tickets/{id}` and `GET /operators`.
//! Desk signals become webhook events ([`delivery`]). Made-up parts come from
//! `connectors::glia::inferred`.

use crate::connectors::http::{Api, Call, Method};
use crate::emulators::desk::{EndedBy, ReceivedFile, RequestInfo, Signal, SimDesk};
use crate::emulators::fault::Faults;
use crate::emulators::webhook;
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::{Presence, now_millis};
use crate::systems::glia::inferred;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

mod delivery;
mod engagements;
mod tickets;
pub mod wire;

/// A file uploaded to an engagement.
struct StoredFile {
    engagement: String,
    name: String,
    content_type: String,
    bytes: axum::body::Bytes,
}

struct Ticket {
    visitor: String,
    webhooks: Vec<wire::Webhook>,
    engagement: Option<String>,
    /// What the ticket asked for: a repeat is 200, a different ask while active is 409.
    criteria: wire::Criteria,
}

#[derive(Default)]
struct Books {
    site_tokens: HashSet<String>,
    visitor_tokens: HashMap<String, String>,
    tickets: HashMap<String, Ticket>,
    engagements: HashMap<String, String>,
    messages: HashSet<String>,
    files: HashMap<String, StoredFile>,
}

struct Emu {
    desk: Arc<SimDesk>,
    faults: Arc<Faults>,
    options: EmulatorOptions,
    books: Mutex<Books>,
    api: Api,
    /// Where this emulator listens (known once bound): operators' file links point here.
    base_url: std::sync::OnceLock<String>,
}

impl Emu {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The absolute URL of `path` on this emulator (resource links).
    fn href(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.get().map_or("", String::as_str))
    }
}

/// Starts the Glia emulator on `listen` (loopback only).
pub async fn spawn(
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, EmulatorError> {
    let parts = crate::emulators::DeskParts::new(&options, super::SECOND_AGENT);
    let emu = Arc::new(Emu {
        desk: parts.desk.clone(),
        faults: parts.faults.clone(),
        options,
        books: Mutex::default(),
        api: crate::emulators::outbound_api("Glia emulator webhook"),
        base_url: std::sync::OnceLock::new(),
    });
    let app = routes().with_state(emu.clone());
    let relayer = emu.clone();
    let running = parts
        .serve("glia", listen, app, move |conversation, signal| {
            delivery::relay(relayer.clone(), conversation, signal)
        })
        .await?;
    let _ = emu.base_url.set(running.base_url());
    Ok(running)
}

fn routes() -> Router<Arc<Emu>> {
    use engagements::{
        chat_message, end_engagement, engagement, file, operator, operators, upload,
    };
    Router::new()
        .route("/operator_authentication/tokens", post(token))
        .route("/visitors", post(visitor))
        .route("/queue_tickets", post(tickets::create))
        .route("/queue_tickets/{id}", delete(tickets::cancel))
        .route("/engagements/{id}", get(engagement).delete(end_engagement))
        .route(
            "/engagements/{id}/chat_messages/{message}",
            put(chat_message),
        )
        .route(
            "/engagements/{id}/files",
            // Room for the form around the largest file.
            post(upload).layer(DefaultBodyLimit::max(
                usize::try_from(inferred::MAX_FILE_BYTES).unwrap_or(usize::MAX) + 64 * 1024,
            )),
        )
        .route("/engagements/{id}/files/{file}", get(file))
        .route("/operators", get(operators))
        .route("/operators/{id}", get(operator))
        .route("/__emu/glia/event", post(delivery::raw_event))
}

/// A client error as Glia answers it: `{error, debug_message}`.
fn error(status: StatusCode, detail: &str) -> Response {
    (
        status,
        Json(json!({"error": detail, "debug_message": detail})),
    )
        .into_response()
}

fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "Unauthorized")
}

fn bad(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, detail)
}

fn accept(headers: &HeaderMap) -> Result<(), Box<Response>> {
    let ok = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(wire::ACCEPT));
    if ok {
        Ok(())
    } else {
        let detail = format!("Accept must be {}", wire::ACCEPT);
        Err(Box::new(error(StatusCode::NOT_ACCEPTABLE, &detail)))
    }
}

fn authorization(headers: &HeaderMap) -> &str {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> String {
    authorization(headers)
        .strip_prefix("Bearer ")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn site(emu: &Emu, headers: &HeaderMap) -> Result<(), Box<Response>> {
    accept(headers)?;
    if emu.books().site_tokens.contains(&bearer(headers)) {
        Ok(())
    } else {
        Err(Box::new(unauthorized()))
    }
}

fn visitor_of(emu: &Emu, headers: &HeaderMap) -> Result<String, Box<Response>> {
    accept(headers)?;
    emu.books()
        .visitor_tokens
        .get(&bearer(headers))
        .cloned()
        .ok_or_else(|| Box::new(unauthorized()))
}

/// A call made with a visitor's access token (and Glia's `Accept`): the visitor.
pub(super) struct VisitorOf(pub String);

impl FromRequestParts<Arc<Emu>> for VisitorOf {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, emu: &Arc<Emu>) -> Result<Self, Response> {
        visitor_of(emu, &parts.headers).map(Self).map_err(|r| *r)
    }
}

/// A call made with a site bearer token (and Glia's `Accept`).
pub(super) struct Site;

impl FromRequestParts<Arc<Emu>> for Site {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, emu: &Arc<Emu>) -> Result<Self, Response> {
        site(emu, &parts.headers).map_err(|r| *r)?;
        Ok(Self)
    }
}

/// Reads a request body; one that is not the type is a 400 naming serde's line and column.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| Box::new(bad(&e.to_string())))
}

async fn token(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = accept(&headers) {
        return *r;
    }
    let Ok(request) = serde_json::from_slice::<wire::TokenRequest>(&body) else {
        return unauthorized();
    };
    let presented = format!("{}:{}", request.api_key_id, request.api_key_secret);
    let ok = !request.api_key_id.is_empty()
        && !request.api_key_secret.is_empty()
        && emu
            .options
            .credentials
            .as_deref()
            .is_none_or(|c| c == presented);
    if !ok {
        return unauthorized();
    }
    let token = format!("site-{}", uuid::Uuid::new_v4().simple());
    emu.books().site_tokens.insert(token.clone());
    (StatusCode::CREATED, Json(json!({ "token": token }))).into_response()
}

/// `POST /visitors`: authenticated by the site's application token, as the reference's
/// example does it; answers 200 with the visitor and its bearer token.
async fn visitor(State(emu): State<Arc<Emu>>, headers: HeaderMap) -> Response {
    if let Err(r) = accept(&headers) {
        return *r;
    }
    let token = authorization(&headers)
        .strip_prefix(wire::APPLICATION_TOKEN)
        .unwrap_or_default()
        .trim();
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()) {
        return unauthorized();
    }
    let id = uuid::Uuid::new_v4().to_string();
    let access_token = format!("visitor-{}", uuid::Uuid::new_v4().simple());
    emu.books()
        .visitor_tokens
        .insert(access_token.clone(), id.clone());
    Json(json!({ "id": id, "access_token": access_token })).into_response()
}

fn ticket_of_engagement(emu: &Emu, engagement: &str) -> Option<String> {
    emu.books().engagements.get(engagement).cloned()
}

fn no_engagement() -> Response {
    error(StatusCode::NOT_FOUND, "engagement not found")
}
