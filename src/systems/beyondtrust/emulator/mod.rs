//! The BeyondTrust Remote Support emulator: the OAuth token, the command API and the
//! `start_session` page, on loopback.
//!
//! - `POST /oauth2/token`: Basic `client_id:secret` (the configured credential, or any
//!   non-empty pair) and `grant_type=client_credentials`; a 401 `{"error": "invalid_client"}`
//!   or 400 `{"error": "unsupported_grant_type"}` otherwise. Tokens live [`TOKEN_SECS`].
//! - `GET|POST /api/command`: a form-urlencoded POST or a query (multipart is refused with an
//!   `<error>`); a Bearer token it issued (401 `<error>` otherwise); actions
//!   `get_logged_in_reps` (the desk's available agents), `generate_session_key`
//!   ([`sessions`]), `check_health`, `get_api_info`; any other action is an `<error>`.
//! - `GET /api/start_session`: the customer's page ([`sessions`]).
//! - `POST /__emu/beyondtrust/revoke` forgets every token (the next command gets a 401);
//!   `GET /__emu/beyondtrust/stats` counts the tokens issued.
//!
//! Sessions queue on the [`SimDesk`], so the console's agent inbox sees them. Made-up parts
//! are marked in `systems::beyondtrust::inferred`.

mod sessions;
pub mod wire;

use crate::emulators::desk::SimDesk;
use crate::emulators::fault::Faults;
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::Presence;
use crate::systems::beyondtrust::inferred::NAMESPACE;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::json;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How long an issued token is valid, as the docs' example says.
pub const TOKEN_SECS: u64 = 3600;

/// How many live tokens the emulator remembers; at the bound the oldest is forgotten (its
/// holder gets a 401 and fetches another).
pub const MAX_TOKENS: usize = 256;

#[derive(Default)]
struct Books {
    /// Issued tokens and when they expire, oldest first.
    tokens: VecDeque<(String, Instant)>,
    /// Every token issued since start.
    issued: u64,
    sessions: sessions::Sessions,
}

struct Emu {
    desk: Arc<SimDesk>,
    options: EmulatorOptions,
    books: Mutex<Books>,
    base_url: std::sync::OnceLock<String>,
}

impl Emu {
    fn new(desk: Arc<SimDesk>, options: EmulatorOptions) -> Arc<Self> {
        Arc::new(Self {
            desk,
            options,
            books: Mutex::default(),
            base_url: std::sync::OnceLock::new(),
        })
    }

    /// The books; a panic while they were held cannot leave the plain data inconsistent.
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Starts the BeyondTrust emulator on `listen` (loopback only).
pub async fn spawn(
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, EmulatorError> {
    let (desk, signals) =
        SimDesk::from_options(&options, crate::desk::Policy::emulated(super::SECOND_AGENT));
    let emu = Emu::new(desk.clone(), options);
    let app = Router::new()
        .route("/oauth2/token", post(token))
        .route("/api/command", get(command).post(command))
        .route("/api/start_session", get(sessions::start_page))
        .route("/__emu/beyondtrust/revoke", post(revoke))
        .route("/__emu/beyondtrust/stats", get(stats))
        .with_state(emu.clone());
    let cancel = CancellationToken::new();
    // The customer's session leaves the broker: what agents do reaches nobody on the wire.
    crate::emulators::relay_signals(signals, cancel.clone(), |_, _| async {});
    let faults = Arc::new(Faults::default());
    let running = crate::emulators::serve("beyondtrust", listen, app, desk, faults, cancel).await?;
    let _ = emu.base_url.set(running.base_url());
    Ok(running)
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, axum::Json(json!({ "error": error }))).into_response()
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Whether `authorization` is Basic for the accepted client.
fn client_ok(emu: &Emu, authorization: &str) -> bool {
    let Some(encoded) = authorization.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(pair) = String::from_utf8(decoded) else {
        return false;
    };
    match pair.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
            emu.options.credentials.as_deref().is_none_or(|c| c == pair)
        }
        _ => false,
    }
}

async fn token(State(emu): State<Arc<Emu>>, headers: HeaderMap, body: Bytes) -> Response {
    if !client_ok(&emu, header_str(&headers, header::AUTHORIZATION)) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let form = wire::Params::parse(&body);
    if form.get("grant_type") != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let mut books = emu.books();
    if books.tokens.len() >= MAX_TOKENS {
        books.tokens.pop_front();
    }
    let expires = Instant::now() + Duration::from_secs(TOKEN_SECS);
    books.tokens.push_back((token.clone(), expires));
    books.issued += 1;
    axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECS,
    }))
    .into_response()
}

fn bearer_ok(emu: &Emu, headers: &HeaderMap) -> bool {
    let presented = header_str(headers, header::AUTHORIZATION)
        .strip_prefix("Bearer ")
        .unwrap_or_default()
        .trim();
    let now = Instant::now();
    emu.books()
        .tokens
        .iter()
        .any(|(t, until)| t == presented && *until > now)
}

async fn command(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let content_type = header_str(&headers, header::CONTENT_TYPE).to_ascii_lowercase();
    if content_type.starts_with("multipart/") {
        let text = "Multipart POST requests are not supported.";
        return xml(StatusCode::BAD_REQUEST, wire::error(text));
    }
    if !body.is_empty() && !content_type.starts_with("application/x-www-form-urlencoded") {
        let text = "POST parameters must be application/x-www-form-urlencoded.";
        return xml(StatusCode::BAD_REQUEST, wire::error(text));
    }
    if !bearer_ok(&emu, &headers) {
        return xml(
            StatusCode::UNAUTHORIZED,
            wire::error("Invalid or expired token."),
        );
    }
    let mut params = wire::Params::parse(query.unwrap_or_default().as_bytes());
    params.extend(wire::Params::parse(&body));
    let answer = match params.get("action").unwrap_or_default() {
        "get_logged_in_reps" => Ok(reps(&emu)),
        "generate_session_key" => sessions::generate(&emu, &params).await,
        "check_health" => Ok(wire::health()),
        "get_api_info" => Ok(wire::api_info()),
        other => Err(format!("Invalid action [{other}].")),
    };
    xml(StatusCode::OK, answer.unwrap_or_else(|e| wire::error(&e)))
}

/// The desk's agents who take sessions now, numbered from 1 in the desk's order.
fn rep_list(emu: &Emu) -> Vec<wire::Rep> {
    emu.desk
        .agent_list()
        .into_iter()
        .zip(1..)
        .filter(|(a, _)| a.presence == Presence::Available)
        .map(|(a, id)| wire::Rep {
            id,
            display_name: a.name.clone(),
            public_display_name: a.name,
            kind: "normal",
        })
        .collect()
}

fn reps(emu: &Emu) -> String {
    let body = wire::LoggedInReps {
        xmlns: NAMESPACE,
        rep: rep_list(emu),
    };
    wire::document("logged_in_reps", &body)
}

async fn revoke(State(emu): State<Arc<Emu>>) -> StatusCode {
    emu.books().tokens.clear();
    StatusCode::NO_CONTENT
}

async fn stats(State(emu): State<Arc<Emu>>) -> Response {
    let books = emu.books();
    axum::Json(json!({
        "tokens_issued": books.issued,
        "sessions": books.sessions.len(),
    }))
    .into_response()
}
