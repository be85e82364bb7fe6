//! The Amazon Connect emulator: control plane, Participant Service and the participant
//! WebSocket on one loopback port.
//!
//! - `PUT /contact/chat` (`StartChatContact`) and `POST /metrics/current/{InstanceId}`
//!   (`GetCurrentMetricData`): `SigV4` required; with test credentials (`AKID:SECRET`) the
//!   signature is checked, otherwise any well-formed one is accepted. `ClientToken` makes
//!   `StartChatContact` idempotent.
//! - `POST /participant/{connection,message,event,disconnect,transcript}`: `X-Amz-Bearer`
//!   (the participant token for `connection`, the connection token for the rest);
//!   `ClientToken` makes messages and events idempotent.
//! - `POST /participant/{start,complete}-attachment-upload` and the presigned `PUT` between
//!   them ([`attachments`]): quota and type checked, the file recorded on the desk and echoed
//!   on the socket as an `ATTACHMENT` item; `ClientToken` makes both calls idempotent.
//! - Agents' files ([`downloads`]): pushed as the agent's `ATTACHMENT` item;
//!   `POST /participant/attachment` (`GetAttachment`) links one to `/__emu/files/{id}`.
//! - `GET /connect?token=...`: the WebSocket, usable within 100 s of issue; answers
//!   `aws/subscribe`, `aws/heartbeat`, `aws/ping`, and pushes `aws/chat` frames whose content
//!   is a JSON string of the item.
//! - `POST /__emu/amazon-connect/drop` `{"conversation"}`: closes the chat's sockets (tests of
//!   reconnect and transcript catch-up); `POST /__emu/amazon-connect/heartbeats`
//!   `{"echo": false}` stops echoing heartbeats; `GET /__emu/amazon-connect/subscriptions`
//!   counts the sockets each chat subscribed.

use crate::connectors::redact::Secret;
use crate::emulators::desk::{EndedBy, RequestInfo, Signal, SimAgent, SimDesk};
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::UserInfo;
use crate::systems::amazon_connect::inferred::{self, CONVERSATION_ATTRIBUTE};
use crate::systems::amazon_connect::sigv4::{self, Credentials};
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;
use wire::{Checked, Item, event};

mod attachments;
mod downloads;
mod participant;
pub mod wire;

/// The `ContentType` of a plain message.
const TEXT: &str = "text/plain";

/// How long a WebSocket URL may be used after issue.
pub const WS_URL_VALIDITY: Duration = Duration::from_secs(100);

enum WsOut {
    Frame(String),
    Close,
}

struct Contact {
    participant_id: String,
    transcript: Vec<Item>,
    sockets: Vec<mpsc::Sender<WsOut>>,
    ended: bool,
    subscriptions: u32,
}

#[derive(Default)]
struct Books {
    contacts: HashMap<String, Contact>,
    by_participant_token: HashMap<String, String>,
    by_connection_token: HashMap<String, String>,
    ws_urls: HashMap<String, (String, Instant)>,
    client_tokens: HashMap<String, Value>,
    uploads: HashMap<String, attachments::Upload>,
    /// Agents' files: attachment id -> the contact it was sent in.
    agent_files: HashMap<String, String>,
    silent_heartbeats: bool,
}

struct Emu {
    desk: Arc<SimDesk>,
    options: EmulatorOptions,
    books: Mutex<Books>,
    addr: Mutex<Option<SocketAddr>>,
    /// Signs the upload URLs handed out.
    bucket_key: Vec<u8>,
}

impl Emu {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the emulator listens, for the URLs it hands out; a 500 before it is bound.
    fn listening(&self) -> Result<SocketAddr, Box<Response>> {
        self.addr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .ok_or_else(|| {
                Box::new(aws_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerException",
                    "not ready",
                ))
            })
    }
}

/// Starts the Amazon Connect emulator on `listen` (loopback only).
pub async fn spawn(
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, EmulatorError> {
    let parts = crate::emulators::DeskParts::new(&options, super::SECOND_AGENT);
    let emu = Arc::new(Emu {
        desk: parts.desk.clone(),
        options,
        books: Mutex::default(),
        addr: Mutex::default(),
        bucket_key: uuid::Uuid::new_v4().as_bytes().to_vec(),
    });
    let app = Router::new()
        .route("/contact/chat", put(start_chat))
        .route("/metrics/current/{instance}", post(metrics))
        .route("/participant/connection", post(participant::connection))
        .route("/participant/message", post(participant::message))
        .route("/participant/event", post(participant::event))
        .route("/participant/disconnect", post(participant::disconnect))
        .route("/participant/transcript", post(participant::transcript))
        .route(
            "/participant/start-attachment-upload",
            post(attachments::start_upload),
        )
        .route(
            "/participant/complete-attachment-upload",
            post(attachments::complete_upload),
        )
        .route(
            &format!("{}/{{id}}", attachments::S3_PATH),
            put(attachments::put_object)
                .layer(DefaultBodyLimit::max(attachments::BUCKET_BODY_LIMIT)),
        )
        .route("/participant/attachment", post(downloads::get_attachment))
        .route("/connect", get(participant::websocket))
        .route(
            "/__emu/amazon-connect/drop",
            post(participant::drop_sockets),
        )
        .route(
            "/__emu/amazon-connect/heartbeats",
            post(participant::heartbeats),
        )
        .route(
            "/__emu/amazon-connect/subscriptions",
            get(participant::subscriptions),
        )
        .with_state(emu.clone());
    let relayer = emu.clone();
    let running = parts
        .serve("amazon-connect", listen, app, move |contact, signal| {
            relay(&relayer, &contact, signal);
            std::future::ready(())
        })
        .await?;
    *emu.addr
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(running.addr());
    Ok(running)
}

fn aws_error(status: StatusCode, kind: &str, message: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "Message": message, "message": message })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(kind) {
        response.headers_mut().insert("x-amzn-errortype", v);
    }
    response
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks `SigV4` the way the service does, as far as an emulator can.
fn authorize_sigv4(
    emu: &Emu,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Box<Response>> {
    let Some(value) = header(headers, "authorization") else {
        return Err(Box::new(aws_error(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )));
    };
    let Some(parsed) = sigv4::parse_authorization(value) else {
        return Err(Box::new(aws_error(
            StatusCode::FORBIDDEN,
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        )));
    };
    let Some(date) = header(headers, "x-amz-date") else {
        return Err(Box::new(aws_error(
            StatusCode::FORBIDDEN,
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )));
    };
    let Some((akid, secret)) = emu
        .options
        .credentials
        .as_deref()
        .and_then(|c| c.split_once(':'))
    else {
        return Ok(());
    };
    if parsed.access_key_id != akid {
        return Err(Box::new(aws_error(
            StatusCode::FORBIDDEN,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )));
    }
    let mut scope = parsed.scope.split('/');
    let (_, region, service) = (
        scope.next(),
        scope.next().unwrap_or_default(),
        scope.next().unwrap_or_default(),
    );
    let signed: Vec<(String, String)> = parsed
        .signed_headers
        .iter()
        .filter(|n| !matches!(n.as_str(), "host" | "x-amz-date" | "x-amz-security-token"))
        .filter_map(|n| header(headers, n).map(|v| (n.clone(), v.to_owned())))
        .collect();
    let host = header(headers, "host").unwrap_or_default();
    let Ok(url) = url::Url::parse(&format!("http://{host}{uri}")) else {
        return Err(Box::new(aws_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "bad URL",
        )));
    };
    let credentials = Credentials {
        access_key_id: akid.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: header(headers, "x-amz-security-token").map(Secret::new),
    };
    let expected = sigv4::sign_at(
        &sigv4::Request {
            method,
            url: &url,
            headers: &signed,
            body,
        },
        &credentials,
        region,
        service,
        date,
    );
    let matches = expected
        .iter()
        .find(|(n, _)| n == "Authorization")
        .is_some_and(|(_, v)| v.ends_with(&format!("Signature={}", parsed.signature)));
    if matches {
        Ok(())
    } else {
        Err(Box::new(aws_error(
            StatusCode::FORBIDDEN,
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.",
        )))
    }
}

fn denied() -> Response {
    aws_error(
        StatusCode::FORBIDDEN,
        "AccessDeniedException",
        "You do not have sufficient access to perform this action.",
    )
}

fn bad_request(detail: &str) -> Response {
    aws_error(StatusCode::BAD_REQUEST, "InvalidRequestException", detail)
}

/// A Participant Service request, parsed and checked, or the service's `ValidationException`.
fn parse<T: serde::de::DeserializeOwned + Checked>(body: &[u8]) -> Result<T, Box<Response>> {
    parse_as(body, "ValidationException")
}

/// A request parsed and checked, or a 400 of `kind` naming the member at fault.
fn parse_as<T: serde::de::DeserializeOwned + Checked>(
    body: &[u8],
    kind: &str,
) -> Result<T, Box<Response>> {
    let request: T = serde_json::from_slice(body).map_err(|e| {
        Box::new(aws_error(
            StatusCode::BAD_REQUEST,
            kind,
            &format!("the request body: {e}"),
        ))
    })?;
    request
        .check()
        .map_err(|m| Box::new(aws_error(StatusCode::BAD_REQUEST, kind, &m)))?;
    Ok(request)
}

fn new_item(
    kind: &str,
    content_type: &str,
    content: Option<&str>,
    role: &str,
    who: Option<&SimAgent>,
    contact: &str,
) -> Item {
    Item {
        absolute_time: sigv4::iso8601(SystemTime::now()),
        content: content.map(str::to_owned),
        content_type: Some(content_type.to_owned()),
        id: uuid::Uuid::new_v4().to_string(),
        kind: kind.to_owned(),
        participant_id: who.map(|a| a.id.clone()),
        display_name: who.map(|a| a.name.clone()),
        participant_role: role.to_owned(),
        initial_contact_id: contact.to_owned(),
        contact_id: contact.to_owned(),
        attachments: Vec::new(),
    }
}

/// Appends `item` to the transcript and pushes it to every socket of the contact.
fn push(emu: &Emu, contact: &str, item: Item) {
    let frame =
        json!({"topic": "aws/chat", "content": serde_json::to_string(&item).unwrap_or_default()})
            .to_string();
    let mut books = emu.books();
    if let Some(c) = books.contacts.get_mut(contact) {
        c.transcript.push(item);
        c.sockets
            .retain(|s| s.try_send(WsOut::Frame(frame.clone())).is_ok());
    }
}

async fn start_chat(
    State(emu): State<Arc<Emu>>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize_sigv4(&emu, "PUT", &uri, &headers, &body) {
        return *r;
    }
    let request: wire::StartChatContactRequest = match parse_as(&body, "InvalidParameterException")
    {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if let Some(token) = &request.client_token
        && let Some(previous) = emu.books().client_tokens.get(&format!("start:{token}"))
    {
        return Json(previous.clone()).into_response();
    }
    let contact = uuid::Uuid::new_v4().to_string();
    let response = wire::ChatStarted {
        contact_id: contact.clone(),
        participant_id: uuid::Uuid::new_v4().to_string(),
        participant_token: format!("pt-{}", uuid::Uuid::new_v4().simple()),
    };
    {
        let mut books = emu.books();
        books.contacts.insert(
            contact.clone(),
            Contact {
                participant_id: response.participant_id.clone(),
                transcript: Vec::new(),
                sockets: Vec::new(),
                ended: false,
                subscriptions: 0,
            },
        );
        books
            .by_participant_token
            .insert(response.participant_token.clone(), contact.clone());
        if let Some(token) = &request.client_token {
            books.client_tokens.insert(
                format!("start:{token}"),
                serde_json::to_value(&response).unwrap_or_default(),
            );
        }
    }
    let external = request.attributes.get(CONVERSATION_ATTRIBUTE).cloned();
    let info = RequestInfo {
        title: request
            .initial_message
            .as_ref()
            .map(|m| m.content.clone())
            .unwrap_or_default(),
        user: UserInfo {
            id: response.participant_id.clone(),
            name: request.participant_details.display_name.clone(),
            email: None,
        },
        topic: request.attributes.get("topic").cloned().unwrap_or_default(),
        context: request
            .attributes
            .iter()
            .filter(|(k, _)| !k.starts_with("handoff_") && k.as_str() != "topic")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        history: request
            .attributes
            .get(inferred::HISTORY_ATTRIBUTE)
            .cloned()
            .unwrap_or_default(),
    };
    let initial = request.initial_message.map(|m| m.content);
    if let Some(text) = &initial {
        let customer = SimAgent {
            name: request.participant_details.display_name.clone(),
            id: response.participant_id.clone(),
        };
        push(
            &emu,
            &contact,
            new_item(
                "MESSAGE",
                TEXT,
                Some(text),
                "CUSTOMER",
                Some(&customer),
                &contact,
            ),
        );
    }
    let desk = emu.desk.clone();
    let eta = emu.options.eta_secs;
    tokio::spawn(async move {
        desk.open(&contact, external, eta, info).await;
        if let Some(text) = initial {
            let _ = desk.user_message(&contact, &text);
        }
    });
    Json(response).into_response()
}

async fn metrics(
    State(emu): State<Arc<Emu>>,
    Path(_instance): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize_sigv4(&emu, "POST", &uri, &headers, &body) {
        return *r;
    }
    let request: wire::MetricsRequest = match parse_as(&body, "InvalidParameterException") {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let Some(queue) = request.filters.queues.first() else {
        return bad_request("Filters.Queues must not be empty");
    };
    let available = emu.desk.available();
    let online = emu
        .desk
        .agent_list()
        .iter()
        .filter(|a| a.presence != crate::protocol::Presence::Offline)
        .count();
    let collections: Vec<Value> = request
        .current_metrics
        .iter()
        .map(|m| {
            let value = match m.name.as_str() {
                "AGENTS_AVAILABLE" => f64::from(available),
                "AGENTS_ONLINE" => online as f64,
                _ => 0.0,
            };
            json!({"Metric": {"Name": m.name, "Unit": m.unit}, "Value": value})
        })
        .collect();
    Json(json!({
        "MetricResults": [{"Dimensions": {"Queue": {"Id": queue, "Arn": format!("arn:aws:connect:emulated:queue/{queue}")}, "Channel": "CHAT"}, "Collections": collections}],
        "DataSnapshotTime": sigv4::iso8601(SystemTime::now()),
    }))
    .into_response()
}

/// Puts one desk signal on the wire: the transcript items it makes, pushed to the contact's
/// participant sockets.
fn relay(emu: &Emu, contact: &str, signal: Signal) {
    let items: Vec<Item> = match signal {
        Signal::Queued { .. } => vec![new_item(
            "MESSAGE",
            TEXT,
            Some(inferred::QUEUED_TEXT),
            "SYSTEM",
            None,
            contact,
        )],
        Signal::Joined { agent } => vec![new_item(
            "EVENT",
            event::JOINED,
            None,
            "AGENT",
            Some(&agent),
            contact,
        )],
        Signal::Message { agent, text, .. } => vec![new_item(
            "MESSAGE",
            TEXT,
            Some(&text),
            "AGENT",
            Some(&agent),
            contact,
        )],
        Signal::Typing { agent, on: true } => vec![new_item(
            "EVENT",
            event::TYPING,
            None,
            "AGENT",
            Some(&agent),
            contact,
        )],
        Signal::File { agent, file, id } => {
            vec![downloads::agent_item(emu, contact, &agent, file, id)]
        }
        Signal::Typing { on: false, .. } | Signal::Ended { by: EndedBy::User } => Vec::new(),
        Signal::Transfer { .. } => vec![new_item(
            "EVENT",
            event::TRANSFER_SUCCEEDED,
            None,
            "SYSTEM",
            None,
            contact,
        )],
        Signal::Left { agent, .. } => vec![new_item(
            "EVENT",
            event::LEFT,
            None,
            "AGENT",
            Some(&agent),
            contact,
        )],
        Signal::Ended {
            by: EndedBy::Agent(_),
        } => vec![new_item(
            "EVENT",
            event::ENDED,
            None,
            "SYSTEM",
            None,
            contact,
        )],
        Signal::Ended {
            by: EndedBy::Timeout,
        } => vec![
            new_item(
                "MESSAGE",
                TEXT,
                Some(inferred::NO_AGENT_TEXT),
                "SYSTEM",
                None,
                contact,
            ),
            new_item("EVENT", event::ENDED, None, "SYSTEM", None, contact),
        ],
        Signal::Malformed => {
            let mut books = emu.books();
            if let Some(c) = books.contacts.get_mut(contact) {
                let frame = json!({"topic": "aws/chat", "content": "{\"Id\": 42"}).to_string();
                c.sockets
                    .retain(|s| s.try_send(WsOut::Frame(frame.clone())).is_ok());
            }
            Vec::new()
        }
    };
    for item in items {
        push(emu, contact, item);
    }
}
