//! The Glia emulator (visitor-integrator flow).
//!
//! Serves, with `Accept: application/vnd.salemove.v1+json` required (406 otherwise):
//! `POST /operator_authentication/tokens` (site API key → site token), `POST /visitors` (site
//! token), `POST /queue_tickets` (visitor token; registers up to 10 webhooks),
//! `PUT /engagements/{id}/chat_messages/{uuid}` (idempotent by id; an `attachment` must name
//! files uploaded to the engagement, 400 otherwise, and they reach the desk once per message),
//! `POST /engagements/{id}/files` (multipart, part `file`; 413 over `inferred::MAX_FILE_BYTES`,
//! 415 for a type not in `inferred::FILE_TYPES`; a re-upload only stores an unused copy),
//! `GET /engagements/{id}/files/{file}`, `GET /engagements/{id}`,
//! `DELETE /engagements/{id}`, `DELETE /queue_tickets/{id}` and `GET /operators`.
//! Desk signals become webhook events sent (POST) with the registered headers verbatim, retried on
//! non-2xx. An operator's file is an `engagement.chat.message` whose `attachment` links to
//! `GET /__emu/files/{id}`. `POST /__emu/glia/event` `{conversation, event}` sends a hand-made
//! event (tests). Made-up parts come from `connectors::glia::inferred`.

use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::emulators::desk::{EndedBy, ReceivedFile, RequestInfo, Signal, SimDesk};
use crate::emulators::fault::Faults;
use crate::emulators::webhook;
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::protocol::{Presence, now_millis};
use crate::systems::glia::connector::inferred::{
    self, EngagementDetails, Operator, Operators, UploadedFile, Visitor,
};
use crate::systems::glia::connector::wire::{
    self, ChatMessageBody, QueueTicketRequest, TokenRequest, Webhook,
};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A file uploaded to an engagement.
struct StoredFile {
    engagement: String,
    name: String,
    content_type: String,
    bytes: axum::body::Bytes,
}

struct Ticket {
    visitor: String,
    webhooks: Vec<Webhook>,
    engagement: Option<String>,
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
}

/// Starts the Glia emulator on `listen` (loopback only).
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
        faults: faults.clone(),
        options,
        books: Mutex::default(),
        api: Api::new("Glia emulator webhook", policy, Vec::new()),
        base_url: std::sync::OnceLock::new(),
    });
    let app = Router::new()
        .route("/operator_authentication/tokens", post(token))
        .route("/visitors", post(visitor))
        .route("/queue_tickets", post(queue_ticket))
        .route("/queue_tickets/{id}", delete(cancel_ticket))
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
        .route("/__emu/glia/event", post(raw_event))
        .with_state(emu.clone());
    let cancel = CancellationToken::new();
    tokio::spawn(deliver(emu.clone(), signals, cancel.clone()));
    let running = crate::emulators::serve("glia", listen, app, desk, faults, cancel).await?;
    let _ = emu.base_url.set(running.base_url());
    Ok(running)
}

/// `POST /__emu/glia/event`: a test tool.
#[derive(serde::Deserialize)]
struct RawEvent {
    /// The queue ticket (the desk's conversation id).
    conversation: String,
    /// The event body, sent as is.
    event: Value,
}

/// Sends a hand-made event to the ticket's webhooks subscribed to its `event_type`, as a
/// real delivery (registered headers, retries), before answering: for events the desk cannot
/// make, such as an operator's file Glia would describe wrongly.
async fn raw_event(State(emu): State<Arc<Emu>>, Json(raw): Json<RawEvent>) -> Response {
    let kind = raw
        .event
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !emu.books().tickets.contains_key(&raw.conversation) {
        return error(StatusCode::NOT_FOUND, "no such queue ticket");
    }
    post_event(&emu, &raw.conversation, &kind, &raw.event.to_string()).await;
    StatusCode::NO_CONTENT.into_response()
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "Unauthorized"})),
    )
        .into_response()
}

fn bad(detail: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": detail}))).into_response()
}

fn accept(headers: &HeaderMap) -> Result<(), Box<Response>> {
    let ok = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(wire::ACCEPT));
    if ok {
        Ok(())
    } else {
        Err(Box::new(
            (
                StatusCode::NOT_ACCEPTABLE,
                Json(json!({"error": format!("Accept must be {}", wire::ACCEPT)})),
            )
                .into_response(),
        ))
    }
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
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
    let Ok(request) = serde_json::from_slice::<TokenRequest>(&body) else {
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

async fn visitor(State(emu): State<Arc<Emu>>, headers: HeaderMap) -> Response {
    if let Err(r) = site(&emu, &headers) {
        return *r;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let access_token = format!("visitor-{}", uuid::Uuid::new_v4().simple());
    emu.books()
        .visitor_tokens
        .insert(access_token.clone(), id.clone());
    (StatusCode::CREATED, Json(Visitor { id, access_token })).into_response()
}

async fn queue_ticket(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let visitor = match visitor_of(&emu, &headers) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let request: QueueTicketRequest = match parse(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if request.queue_ids.is_empty() || request.site_id.is_empty() || request.media != "text" {
        return bad("queue_ids, site_id and media \"text\" are required");
    }
    if request.webhooks.len() > 10 {
        return bad("at most 10 webhooks");
    }
    let id = uuid::Uuid::new_v4().to_string();
    let external = request
        .webhooks
        .iter()
        .find_map(|w| w.headers.get(inferred::CHAT_HEADER).cloned());
    let visitor_id = visitor.clone();
    emu.books().tickets.insert(
        id.clone(),
        Ticket {
            visitor,
            webhooks: request.webhooks,
            engagement: None,
        },
    );
    // Glia's ticket carries no utterance (it comes as the first chat message) and no user
    // details beyond the visitor.
    let info = RequestInfo {
        title: "Visitor chat".into(),
        user: crate::protocol::UserInfo {
            id: visitor_id,
            name: "Visitor".into(),
            email: None,
        },
        ..RequestInfo::default()
    };
    let desk = emu.desk.clone();
    let eta = emu.options.eta_secs;
    let opened = id.clone();
    tokio::spawn(async move { desk.open(&opened, external, eta, info).await });
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "state": "queued" })),
    )
        .into_response()
}

fn ticket_of_engagement(emu: &Emu, engagement: &str) -> Option<String> {
    emu.books().engagements.get(engagement).cloned()
}

fn no_engagement() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "engagement not found"})),
    )
        .into_response()
}

fn error(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({"error": detail}))).into_response()
}

/// The file part of an upload form: name, type and contents.
async fn file_part(
    form: Result<Multipart, MultipartRejection>,
) -> Result<(String, String, axum::body::Bytes), Response> {
    let mut form = form.map_err(|e| bad(&e.body_text()))?;
    loop {
        let field = form
            .next_field()
            .await
            .map_err(|e| error(e.status(), &e.body_text()))?;
        let Some(field) = field else {
            return Err(bad(&format!(
                "a multipart part named \"{}\" is required",
                inferred::UPLOAD_FIELD
            )));
        };
        if field.name() != Some(inferred::UPLOAD_FIELD) {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| error(e.status(), &e.body_text()))?;
        if name.is_empty() {
            return Err(bad("the file part needs a filename"));
        }
        return Ok((name, content_type, bytes));
    }
}

async fn upload(
    State(emu): State<Arc<Emu>>,
    Path(engagement): Path<String>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Err(r) = visitor_of(&emu, &headers) {
        return *r;
    }
    if ticket_of_engagement(&emu, &engagement).is_none() {
        return no_engagement();
    }
    let (name, content_type, bytes) = match file_part(form).await {
        Ok(part) => part,
        Err(r) => return r,
    };
    let size = bytes.len() as u64;
    if size > inferred::MAX_FILE_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "file too large: {size} bytes, the limit is {}",
                inferred::MAX_FILE_BYTES
            ),
        );
    }
    if !inferred::takes_file_type(&content_type) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("file type {content_type} is not allowed"),
        );
    }
    let id = uuid::Uuid::new_v4().to_string();
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let answer = UploadedFile {
        id: id.clone(),
        url: format!("http://{host}/engagements/{engagement}/files/{id}"),
        name: name.clone(),
        content_type: content_type.clone(),
        size,
    };
    emu.books().files.insert(
        id,
        StoredFile {
            engagement,
            name,
            content_type,
            bytes,
        },
    );
    (StatusCode::CREATED, Json(answer)).into_response()
}

async fn file(
    State(emu): State<Arc<Emu>>,
    Path((engagement, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = visitor_of(&emu, &headers) {
        return *r;
    }
    let books = emu.books();
    match books.files.get(&id).filter(|f| f.engagement == engagement) {
        Some(f) => (
            [(axum::http::header::CONTENT_TYPE, f.content_type.clone())],
            f.bytes.clone(),
        )
            .into_response(),
        None => error(StatusCode::NOT_FOUND, "file not found"),
    }
}

/// The files a message's attachment names, as the desk records them; an error naming the
/// first one not uploaded to `engagement`.
fn attached_files(
    emu: &Emu,
    engagement: &str,
    request: &ChatMessageBody,
) -> Result<Vec<ReceivedFile>, Box<Response>> {
    let Some(attachment) = &request.attachment else {
        return Ok(Vec::new());
    };
    if attachment.kind != "files" {
        return Err(Box::new(bad("attachment type must be \"files\"")));
    }
    let books = emu.books();
    attachment
        .files
        .iter()
        .map(|named| {
            books
                .files
                .get(&named.id)
                .filter(|f| f.engagement == engagement)
                .map(|f| ReceivedFile::of(&f.name, &f.content_type, &f.bytes))
                .ok_or_else(|| {
                    Box::new(bad(&format!(
                        "attachment references unknown file {}",
                        named.id
                    )))
                })
        })
        .collect()
}

async fn chat_message(
    State(emu): State<Arc<Emu>>,
    Path((engagement, message)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = visitor_of(&emu, &headers) {
        return *r;
    }
    if uuid::Uuid::parse_str(&message).is_err() {
        return bad("the message id must be a UUID");
    }
    let request: ChatMessageBody = match parse(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let Some(ticket) = ticket_of_engagement(&emu, &engagement) else {
        return no_engagement();
    };
    let files = match attached_files(&emu, &engagement, &request) {
        Ok(files) => files,
        Err(r) => return *r,
    };
    let answer = json!({"id": message, "content": request.content, "engagement_id": engagement,
                        "type": "chat", "attachment": request.attachment});
    if !emu.books().messages.insert(message.clone()) {
        return Json(answer).into_response();
    }
    let conflict = |e: crate::connectors::DeskError| {
        (StatusCode::CONFLICT, Json(json!({"error": e.to_string()}))).into_response()
    };
    // A file message may have no text.
    if (files.is_empty() || !request.content.is_empty())
        && let Err(e) = emu.desk.user_message(&ticket, &request.content)
    {
        return conflict(e);
    }
    for file in files {
        if let Err(e) = emu.desk.user_file(&ticket, file) {
            return conflict(e);
        }
    }
    Json(answer).into_response()
}

async fn engagement(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = visitor_of(&emu, &headers) {
        return *r;
    }
    let Some(ticket) = ticket_of_engagement(&emu, &id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "engagement not found"})),
        )
            .into_response();
    };
    let operators = emu
        .desk
        .conversation(&ticket)
        .and_then(|c| c.agent)
        .map(|name| {
            vec![Operator {
                id: crate::emulators::desk::SimAgent::named(&name).id,
                name,
                available: None,
            }]
        })
        .unwrap_or_default();
    Json(EngagementDetails { id, operators }).into_response()
}

async fn end_engagement(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = visitor_of(&emu, &headers) {
        return *r;
    }
    match ticket_of_engagement(&emu, &id) {
        Some(ticket) => {
            let _ = emu.desk.user_left(&ticket);
            StatusCode::NO_CONTENT.into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "engagement not found"})),
        )
            .into_response(),
    }
}

async fn cancel_ticket(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = visitor_of(&emu, &headers) {
        return *r;
    }
    match emu.desk.user_left(&id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "queue ticket not found"})),
        )
            .into_response(),
    }
}

async fn operators(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = site(&emu, &headers) {
        return *r;
    }
    let include_offline = q.get("include_offline").is_some_and(|v| v == "true");
    let operators = emu
        .desk
        .agent_list()
        .into_iter()
        .filter(|a| include_offline || a.presence != Presence::Offline)
        .map(|a| Operator {
            id: crate::emulators::desk::SimAgent::named(&a.name).id,
            name: a.name,
            available: Some(a.presence == Presence::Available),
        })
        .collect();
    Json(Operators { operators }).into_response()
}

/// The event body one desk signal becomes, and whether it is retried on failure.
fn event_for(emu: &Emu, ticket: &str, signal: Signal) -> Option<(String, String)> {
    let engagement_of = |create: bool| {
        let mut books = emu.books();
        let t = books.tickets.get_mut(ticket)?;
        if t.engagement.is_none() && create {
            let id = uuid::Uuid::new_v4().to_string();
            t.engagement = Some(id.clone());
            let visitor = t.visitor.clone();
            books.engagements.insert(id.clone(), ticket.to_owned());
            return Some((id, visitor, true));
        }
        t.engagement.clone().map(|e| (e, t.visitor.clone(), false))
    };
    let body = match signal {
        Signal::Joined { .. } => {
            let (id, visitor, new) = engagement_of(true)?;
            if !new {
                return None;
            }
            json!({"event_type": "engagement.start", "engagement": {"id": id, "visitor_id": visitor, "source": "visitor_integrator"}})
        }
        Signal::Message { text, id, .. } => {
            let (engagement, ..) = engagement_of(false)?;
            json!({"event_type": "engagement.chat.message", "message": {
                "id": id, "content": text, "engagement_id": engagement, "target": "visitor",
                "timestamp": now_millis(), "type": "chat"}})
        }
        Signal::File { file, id, .. } => {
            let (engagement, ..) = engagement_of(false)?;
            let base_url = emu.base_url.get().map_or("", String::as_str);
            let attachment = inferred::Attachment::files(vec![UploadedFile {
                url: file.url(base_url),
                id: file.id,
                name: file.name,
                content_type: file.content_type,
                size: file.size,
            }]);
            json!({"event_type": "engagement.chat.message", "message": {
                "id": id, "content": "", "attachment": attachment, "engagement_id": engagement,
                "target": "visitor", "timestamp": now_millis(), "type": "chat"}})
        }
        Signal::Transfer { .. } => {
            let (id, visitor, _) = engagement_of(false)?;
            json!({"event_type": "engagement.transfer", "engagement": {"id": id, "visitor_id": visitor}})
        }
        Signal::Ended {
            by: EndedBy::Agent(_),
        } => {
            let (id, visitor, _) = engagement_of(false)?;
            json!({"event_type": "engagement.end", "engagement": {"id": id, "visitor_id": visitor}})
        }
        Signal::Ended {
            by: EndedBy::Timeout,
        } => {
            json!({"event_type": "engagement.request.failure", "queue_ticket": {"id": ticket}, "reason": "timeout"})
        }
        Signal::Malformed => return Some(("malformed".into(), "{\"event_type\": ".into())),
        Signal::Queued { .. }
        | Signal::Typing { .. }
        | Signal::Left { .. }
        | Signal::Ended { by: EndedBy::User } => return None,
    };
    let kind = body
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some((kind, body.to_string()))
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
        let Some((ticket, signal)) = next else { return };
        let Some((kind, body)) = event_for(&emu, &ticket, signal) else {
            continue;
        };
        post_event(&emu, &ticket, &kind, &body).await;
    }
}

/// Sends event `body` (of `kind`) to the ticket's webhooks that subscribed to it, each retried
/// on non-2xx.
async fn post_event(emu: &Emu, ticket: &str, kind: &str, body: &str) {
    let hooks: Vec<Webhook> = emu
        .books()
        .tickets
        .get(ticket)
        .map(|t| t.webhooks.clone())
        .unwrap_or_default();
    for hook in hooks
        .iter()
        .filter(|h| kind == "malformed" || h.events.iter().any(|e| e == kind))
    {
        let attempts = if kind == "malformed" {
            1
        } else {
            emu.options.webhook_attempts
        };
        let attempt = |_retry| async {
            let mut call = Call::new(format!("webhook {kind}"), Method::Post, hook.url.as_str())
                .header("content-type", "application/json")
                .raw_body(body.as_bytes().to_vec());
            let forge = emu.faults.take_bad_signature();
            for (name, value) in &hook.headers {
                let value = if forge && name.eq_ignore_ascii_case("authorization") {
                    "Bearer forged"
                } else {
                    value
                };
                call = call.header(name.as_str(), value);
            }
            webhook::status_of(&emu.api.send(call).await)
        };
        let delay = emu.options.webhook_retry_delay;
        webhook::deliver(&emu.desk, kind, attempts, delay, attempt).await;
    }
}
