//! The `ServiceNow` emulator: the Virtual Agent Bot Integration API (async mode), the response
//! endpoint calls back to the client, and the Table API view `awa_agent_presence_capacity`.
//!
//! - `POST /api/sn_va_as_service/bot/integration`: Basic or Bearer auth; answers
//!   `{"status":"success"}` and does the work asynchronously; `AGENT` queues a live-agent
//!   request, a plain message reaches the agent, `TYPING`/`VIEWING` set the user's typing,
//!   a message's `attachment`s are fetched over HTTP from their `url` with their `headers`
//!   (the type must be one of `wire::ATTACHMENT_TYPES`, declared and served) and recorded on the
//!   desk, or refused with the inferred `System` message on the response endpoint,
//!   `END_CONVERSATION` (empty text) closes the chat and is answered on the response endpoint
//!   with `completed: true`.
//! - `GET /api/now/table/awa_agent_presence_capacity`: one row per desk agent, filtered by the
//!   equality terms of `sysparm_query`, narrowed to `sysparm_fields`, with `X-Total-Count`.
//! - `POST /__emu/servicenow/outbound` `{"url", "headers"}`: the response endpoint and its
//!   credentials (on a real instance: the outbound connection record).
//!
//! Desk signals become envelopes sent (POST) to the response endpoint, in order, retried on non-2xx.
//! An agent's file becomes the inferred `OutputLink` item linking to `GET /__emu/files/{id}`.
//! Payload shapes the docs do not give come from `super::inferred`; what the emulator reads
//! and writes is its own [`wire`]: [`integration`] takes requests, [`delivery`] posts desk
//! signals, this module holds the state, auth and the Table API.

use crate::connectors::http::Api;
use crate::emulators::desk::SimDesk;
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::Presence;
use crate::systems::servicenow::inferred::{self, AVAILABLE_STATE, CHAT_CHANNEL};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

mod delivery;
mod integration;
pub mod wire;

/// Where and how the emulator posts responses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Outbound {
    /// The response endpoint.
    pub url: String,
    /// Headers sent with every post (the credential).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

pub(super) struct Session {
    client_session: String,
    user_id: String,
}

#[derive(Default)]
pub(super) struct Books {
    outbound: Option<Outbound>,
    /// Conversation id (interaction) -> session.
    sessions: HashMap<String, Session>,
    /// Client session id -> conversation id.
    by_client: HashMap<String, String>,
    seen_requests: HashSet<String>,
}

pub(super) struct Emu {
    desk: Arc<SimDesk>,
    options: EmulatorOptions,
    books: Mutex<Books>,
    api: Api,
    /// Fetches the user's attachments, once each (the instance does not retry a fetch).
    fetcher: Api,
    /// Where this emulator listens (known once bound): agents' file links point here.
    base_url: std::sync::OnceLock<String>,
}

impl Emu {
    pub(super) fn books(&self) -> MutexGuard<'_, Books> {
        self.books
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Starts the `ServiceNow` emulator on `listen` (loopback only).
pub async fn spawn(
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, EmulatorError> {
    let parts = crate::emulators::DeskParts::new(&options, super::SECOND_AGENT);
    let emu = Arc::new(Emu {
        desk: parts.desk.clone(),
        options,
        books: Mutex::default(),
        api: crate::emulators::outbound_api("ServiceNow emulator outbound"),
        fetcher: crate::emulators::outbound_api("ServiceNow emulator attachment fetch"),
        base_url: std::sync::OnceLock::new(),
    });
    let app = Router::new()
        .route(wire::INTEGRATION_PATH, post(integration::integration))
        .route(wire::CAPACITY_PATH, get(capacity))
        .route("/__emu/servicenow/outbound", post(set_outbound))
        .with_state(emu.clone());
    let relayer = emu.clone();
    let running = parts
        .serve("servicenow", listen, app, move |conversation, signal| {
            delivery::relay(relayer.clone(), conversation, signal)
        })
        .await?;
    let _ = emu.base_url.set(running.base_url());
    Ok(running)
}

pub(super) fn failure(status: StatusCode, message: &str, detail: &str) -> Response {
    (status, Json(wire::Ack::failure(message, detail))).into_response()
}

pub(super) fn authorize(emu: &Emu, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let presented = if let Some(b64) = value.strip_prefix("Basic ") {
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .filter(|pair| {
                pair.split_once(':')
                    .is_some_and(|(user, _)| !user.is_empty())
            })
    } else {
        value
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let ok = presented.is_some_and(|p| {
        emu.options
            .credentials
            .as_deref()
            .is_none_or(|expected| expected == p)
    });
    if ok {
        return Ok(());
    }
    Err(Box::new(
        (StatusCode::UNAUTHORIZED, Json(inferred::unauthorized())).into_response(),
    ))
}

async fn set_outbound(State(emu): State<Arc<Emu>>, Json(outbound): Json<Outbound>) -> Response {
    emu.books().outbound = Some(outbound);
    StatusCode::NO_CONTENT.into_response()
}

async fn capacity(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = authorize(&emu, &headers) {
        return *r;
    }
    let terms: Vec<(String, String)> = q
        .get("sysparm_query")
        .map(|query| {
            query
                .split('^')
                .filter_map(|t| t.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let fields: Option<Vec<&str>> = q
        .get("sysparm_fields")
        .map(|f| f.split(',').map(str::trim).collect());
    let rows: Vec<Map<String, Value>> = emu
        .desk
        .agent_list()
        .into_iter()
        .map(|a| {
            let available = a.presence == Presence::Available;
            let row = json!({
                "sys_id": format!("cap-{}", a.name.to_ascii_lowercase()),
                "ap_agent": format!("user-{}", a.name.to_ascii_lowercase()),
                "ap_current_presence_state": if available { AVAILABLE_STATE } else { "away-presence-state" },
                "ac_channel": CHAT_CHANNEL,
                "aca_available": if available { "true" } else { "false" },
                "ac_workload": a.active_chats.to_string(),
                "ac_applied_max_capacity": "3",
            });
            match row {
                Value::Object(map) => map,
                _ => Map::new(),
            }
        })
        .filter(|row| terms.iter().all(|(k, v)| row.get(k).and_then(Value::as_str) == Some(v.as_str())))
        .map(|row| match &fields {
            Some(fields) => row.into_iter().filter(|(k, _)| fields.contains(&k.as_str())).collect(),
            None => row,
        })
        .collect();
    let count = rows.len();
    let mut response = Json(wire::TableResult { result: rows }).into_response();
    if let Ok(v) = HeaderValue::from_str(&count.to_string()) {
        response.headers_mut().insert("x-total-count", v);
    }
    response
}
