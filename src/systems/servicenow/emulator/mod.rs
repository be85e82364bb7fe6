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
//! Payload shapes the docs do not give come from `connectors::servicenow::inferred`.

use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::emulators::desk::{Delivery, EndedBy, ReceivedFile, RequestInfo, Signal, SimDesk};
use crate::emulators::fault::Faults;
use crate::emulators::webhook;
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::Presence;
use crate::systems::servicenow::connector::inferred::{self, AVAILABLE_STATE, CHAT_CHANNEL};
use crate::systems::servicenow::connector::wire::{
    self, AgentInfo, BotAttachment, BotRequest, Item,
};
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
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Where and how the emulator posts responses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Outbound {
    /// The response endpoint.
    pub url: String,
    /// Headers sent with every post (the credential).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

struct Session {
    client_session: String,
    user_id: String,
}

#[derive(Default)]
struct Books {
    outbound: Option<Outbound>,
    /// Conversation id (interaction) -> session.
    sessions: HashMap<String, Session>,
    /// Client session id -> conversation id.
    by_client: HashMap<String, String>,
    seen_requests: HashSet<String>,
}

struct Emu {
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
    fn books(&self) -> MutexGuard<'_, Books> {
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
    let (desk, signals) = SimDesk::new(&options.agents, options.script.clone());
    let faults = Arc::new(Faults::default());
    let policy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let emu = Arc::new(Emu {
        desk: desk.clone(),
        options,
        books: Mutex::default(),
        api: Api::new("ServiceNow emulator outbound", policy, Vec::new()),
        fetcher: Api::new("ServiceNow emulator attachment fetch", policy, Vec::new()),
        base_url: std::sync::OnceLock::new(),
    });
    let app = Router::new()
        .route(wire::INTEGRATION_PATH, post(integration))
        .route(wire::CAPACITY_PATH, get(capacity))
        .route("/__emu/servicenow/outbound", post(set_outbound))
        .with_state(emu.clone());
    let cancel = CancellationToken::new();
    tokio::spawn(deliver(emu.clone(), signals, cancel.clone()));
    let running = crate::emulators::serve("servicenow", listen, app, desk, faults, cancel).await?;
    let _ = emu.base_url.set(running.base_url());
    Ok(running)
}

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

fn failure(status: StatusCode, message: &str, detail: &str) -> Response {
    (
        status,
        Json(json!({"status": "failure", "error": {"message": message, "detail": detail}})),
    )
        .into_response()
}

fn authorize(emu: &Emu, headers: &HeaderMap) -> Result<(), Box<Response>> {
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

async fn integration(
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
            return failure(
                StatusCode::BAD_REQUEST,
                "Invalid request body",
                &e.to_string(),
            );
        }
    };
    if request.request_id.trim().is_empty() || request.user_id.trim().is_empty() {
        return failure(
            StatusCode::BAD_REQUEST,
            "Missing required field",
            "requestId and userId are required",
        );
    }
    if emu.books().seen_requests.contains(&request.request_id) {
        return Json(json!({"status": "success"})).into_response();
    }
    let Some(client_session) = request.client_session_id.clone() else {
        return failure(
            StatusCode::BAD_REQUEST,
            "Missing required field",
            "clientSessionId is required",
        );
    };
    let text = request
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
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
            if !text.is_empty() {
                return failure(
                    StatusCode::BAD_REQUEST,
                    "Invalid request",
                    "message.text must be empty for END_CONVERSATION",
                );
            }
            let _ = emu.desk.user_left(&id);
            let emu2 = emu.clone();
            tokio::spawn(async move {
                let ended = json!({"uiType": "OutputText", "value": "The conversation has ended.", "group": "DefaultText"});
                post_envelope(&emu2, &id, vec![ended], false, true, "END_CONVERSATION").await;
            });
            Ok(())
        }
        (Some(_), Some(_)) => Ok(()),
    };
    match outcome {
        Ok(()) => {
            emu.books().seen_requests.insert(request.request_id);
            Json(json!({"status": "success"})).into_response()
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
                post_envelope(
                    emu,
                    id,
                    vec![to_value(&item)],
                    true,
                    false,
                    "AttachmentRefused",
                )
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
async fn fetch_attachment(emu: &Emu, attachment: &BotAttachment) -> Result<ReceivedFile, String> {
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

fn agent_info(agent: &crate::emulators::desk::SimAgent, sent_from_agent: bool) -> AgentInfo {
    AgentInfo {
        agent_name: agent.name.clone(),
        agent_avatar: None,
        agent_id: Some(agent.id.clone()),
        sent_from_agent,
    }
}

fn to_value(item: &Item) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// The envelope items (and whether it completes) one desk signal becomes; agents' files link
/// to `base_url`.
fn items_for(signal: Signal, base_url: &str) -> Option<(Vec<Value>, bool, bool)> {
    let system = |text: &str| to_value(&inferred::system(text));
    Some(match signal {
        Signal::Queued { eta_secs } => (
            vec![
                json!({"uiType": "ActionMsg", "actionType": "StartSpinner", "spinnerType": "wait_time",
                       "message": "Routing you to a live agent...", "waitTime": format!("{eta_secs} Seconds")}),
                json!({"uiType": "ActionMsg", "actionType": "SubscribeToSupportQueue", "supportQueue": "chat-queue"}),
            ],
            false,
            false,
        ),
        Signal::Joined { agent } => (
            vec![
                to_value(&inferred::switch_to_live_agent(agent_info(&agent, false))),
                system(inferred::AGENT_ENTERED),
            ],
            true,
            false,
        ),
        Signal::Message { agent, text, id } => {
            let item = Item {
                value: Some(text),
                message_id: Some(id),
                agent_info: Some(agent_info(&agent, true)),
                ..inferred::action("")
            };
            let item = Item {
                ui_type: "OutputText".into(),
                action_type: None,
                ..item
            };
            (vec![to_value(&item)], true, false)
        }
        Signal::Typing { on, .. } => {
            let kind = if on {
                "StartTypingIndicator"
            } else {
                "EndTypingIndicator"
            };
            (vec![to_value(&inferred::action(kind))], true, false)
        }
        Signal::Transfer { .. } => (vec![system(inferred::TRANSFERRING)], true, false),
        Signal::Left {
            transferring: true, ..
        }
        | Signal::Ended { by: EndedBy::User } => return None,
        Signal::File { agent, file, id } => {
            let url = file.url(base_url);
            let item = inferred::agent_file(
                agent_info(&agent, true),
                &file.name,
                &file.content_type,
                &url,
                &id,
            );
            (
                vec![serde_json::to_value(item).unwrap_or(Value::Null)],
                true,
                false,
            )
        }
        Signal::Left {
            transferring: false,
            ..
        } => (
            vec![
                system(inferred::CHAT_CLOSED),
                to_value(&inferred::action("SwitchToVirtualAgent")),
            ],
            false,
            false,
        ),
        Signal::Ended {
            by: EndedBy::Agent(_),
        } => (Vec::new(), false, true),
        Signal::Ended {
            by: EndedBy::Timeout,
        } => (vec![system(inferred::TIMED_OUT)], false, true),
        Signal::Malformed => (vec![json!({"uiType": 42})], true, false),
    })
}

async fn deliver(
    emu: Arc<Emu>,
    mut signals: mpsc::Receiver<(String, Signal)>,
    cancel: CancellationToken,
) {
    loop {
        let next = tokio::select! {
            () = cancel.cancelled() => return,
            next = signals.recv() => next,
        };
        let Some((conversation, signal)) = next else {
            return;
        };
        let label = format!("{signal:?}")
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_owned();
        let base_url = emu.base_url.get().cloned().unwrap_or_default();
        if let Some((items, agent_chat, completed)) = items_for(signal, &base_url) {
            post_envelope(&emu, &conversation, items, agent_chat, completed, &label).await;
        }
    }
}

async fn post_envelope(
    emu: &Emu,
    conversation: &str,
    body: Vec<Value>,
    agent_chat: bool,
    completed: bool,
    label: &str,
) {
    let (outbound, client_session, user_id) = {
        let books = emu.books();
        let Some(session) = books.sessions.get(conversation) else {
            return;
        };
        (
            books.outbound.clone(),
            session.client_session.clone(),
            session.user_id.clone(),
        )
    };
    let Some(outbound) = outbound else {
        tracing::warn!("ServiceNow emulator: no response endpoint configured; response dropped");
        emu.desk.record_delivery(Delivery {
            event: label.to_owned(),
            status: 0,
            retry: 0,
        });
        return;
    };
    let envelope = json!({
        "requestId": uuid::Uuid::new_v4().to_string(),
        "clientSessionId": client_session,
        "nowSessionId": conversation,
        "userId": user_id,
        "interactionId": conversation,
        "body": body,
        "agentChat": agent_chat,
        "completed": completed,
        "takeControl": false,
    });
    let attempt = |_retry| async {
        let mut call = Call::new(
            format!("response {label}"),
            Method::Post,
            outbound.url.as_str(),
        )
        .json(&envelope);
        for (name, value) in &outbound.headers {
            call = call.header(name.as_str(), value.as_str());
        }
        webhook::status_of(&emu.api.send(call).await)
    };
    let (attempts, delay) = (
        emu.options.webhook_attempts,
        emu.options.webhook_retry_delay,
    );
    webhook::deliver(&emu.desk, label, attempts, delay, attempt).await;
}
