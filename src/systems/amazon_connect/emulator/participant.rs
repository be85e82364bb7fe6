//! The emulated Participant Service (`/participant/*`, bearer tokens, `ClientToken`
//! idempotency) and the participant WebSocket.

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;
use axum::extract::{FromRequest, Request};

pub(super) fn bearer_contact(
    emu: &Emu,
    headers: &HeaderMap,
    participant: bool,
) -> Result<String, Box<Response>> {
    let token = header(headers, "x-amz-bearer").unwrap_or_default();
    let books = emu.books();
    let map = if participant {
        &books.by_participant_token
    } else {
        &books.by_connection_token
    };
    map.get(token).cloned().ok_or_else(|| Box::new(denied()))
}

/// A Participant Service call made with a connection token (`X-Amz-Bearer`): the contact the
/// token opens and the request body, parsed and checked. A token the emulator did not hand out
/// is refused (403), a body that breaks the API's rules answered 400 naming the member.
pub(super) struct Connected<T> {
    /// The contact the connection token belongs to.
    pub contact: String,
    /// The request, checked.
    pub request: T,
}

impl<T> FromRequest<Arc<Emu>> for Connected<T>
where
    T: serde::de::DeserializeOwned + Checked + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, emu: &Arc<Emu>) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let body = axum::body::Bytes::from_request(req, emu)
            .await
            .map_err(IntoResponse::into_response)?;
        let contact = bearer_contact(emu, &headers, false).map_err(|r| *r)?;
        let request = parse(&body).map_err(|r| *r)?;
        Ok(Self { contact, request })
    }
}

pub(super) async fn connection(
    State(emu): State<Arc<Emu>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let contact = match bearer_contact(&emu, &headers, true) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    if let Err(r) = parse::<wire::ConnectionRequest>(&body) {
        return *r;
    }
    let addr = match emu.listening() {
        Ok(addr) => addr,
        Err(r) => return *r,
    };
    let ws_token = uuid::Uuid::new_v4().simple().to_string();
    let connection_token = format!("ct-{}", uuid::Uuid::new_v4().simple());
    {
        let mut books = emu.books();
        books
            .ws_urls
            .insert(ws_token.clone(), (contact.clone(), Instant::now()));
        books
            .by_connection_token
            .insert(connection_token.clone(), contact);
    }
    let now = SystemTime::now();
    Json(wire::Connection {
        websocket: wire::Websocket {
            url: format!("ws://{addr}/connect?token={ws_token}"),
            connection_expiry: sigv4::iso8601(now + WS_URL_VALIDITY),
        },
        connection_credentials: wire::ConnectionCredentials {
            connection_token,
            expiry: sigv4::iso8601(now + Duration::from_secs(24 * 3600)),
        },
    })
    .into_response()
}

/// Runs `f` once per `ClientToken`; a repeat returns the first answer.
pub(super) fn once(
    emu: &Emu,
    key: String,
    f: impl FnOnce() -> Result<Value, Box<Response>>,
) -> Response {
    if let Some(previous) = emu.books().client_tokens.get(&key) {
        return Json(previous.clone()).into_response();
    }
    match f() {
        Ok(value) => {
            emu.books().client_tokens.insert(key, value.clone());
            Json(value).into_response()
        }
        Err(r) => *r,
    }
}

pub(super) fn customer(emu: &Emu, contact: &str) -> SimAgent {
    let id = emu
        .books()
        .contacts
        .get(contact)
        .map(|c| c.participant_id.clone())
        .unwrap_or_default();
    SimAgent {
        name: "Customer".into(),
        id,
    }
}

pub(super) async fn message(
    State(emu): State<Arc<Emu>>,
    Connected { contact, request }: Connected<wire::SendMessageRequest>,
) -> Response {
    let key = format!(
        "message:{contact}:{}",
        token(request.client_token.as_deref())
    );
    once(&emu, key, || {
        emu.desk
            .user_message(&contact, &request.content)
            .map_err(|e| {
                Box::new(aws_error(
                    StatusCode::CONFLICT,
                    "ConflictException",
                    &e.to_string(),
                ))
            })?;
        Ok(from_customer(
            &emu,
            &contact,
            "MESSAGE",
            &request.content_type,
            Some(&request.content),
        ))
    })
}

/// Records an item the customer sent and answers with its id and time, as `SendMessage` and
/// `SendEvent` do.
fn from_customer(
    emu: &Emu,
    contact: &str,
    kind: &str,
    content_type: &str,
    content: Option<&str>,
) -> Value {
    let item = new_item(
        kind,
        content_type,
        content,
        "CUSTOMER",
        Some(&customer(emu, contact)),
        contact,
    );
    let answer = wire::Sent {
        id: item.id.clone(),
        absolute_time: item.absolute_time.clone(),
    };
    push(emu, contact, item);
    serde_json::to_value(answer).unwrap_or_default()
}

/// The idempotency key of a request: its `ClientToken`, or a fresh one as the SDK fills in.
fn token(client_token: Option<&str>) -> String {
    client_token.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

pub(super) async fn event(
    State(emu): State<Arc<Emu>>,
    Connected { contact, request }: Connected<wire::SendEventRequest>,
) -> Response {
    let key = format!("event:{contact}:{}", token(request.client_token.as_deref()));
    once(&emu, key, || {
        if request.content_type == event::TYPING {
            let _ = emu.desk.user_typing(&contact, true);
        }
        Ok(from_customer(
            &emu,
            &contact,
            "EVENT",
            &request.content_type,
            request.content.as_deref(),
        ))
    })
}

pub(super) async fn disconnect(
    State(emu): State<Arc<Emu>>,
    Connected {
        contact,
        request: _,
    }: Connected<wire::DisconnectRequest>,
) -> Response {
    let _ = emu.desk.user_left(&contact);
    let who = customer(&emu, &contact);
    push(
        &emu,
        &contact,
        new_item("EVENT", event::LEFT, None, "CUSTOMER", Some(&who), &contact),
    );
    push(
        &emu,
        &contact,
        new_item("EVENT", event::ENDED, None, "SYSTEM", None, &contact),
    );
    if let Some(c) = emu.books().contacts.get_mut(&contact) {
        c.ended = true;
    }
    Json(json!({})).into_response()
}

pub(super) async fn transcript(
    State(emu): State<Arc<Emu>>,
    Connected { contact, request }: Connected<wire::TranscriptRequest>,
) -> Response {
    let max = usize::try_from(request.max_results.unwrap_or(10)).unwrap_or(100);
    let items = emu
        .books()
        .contacts
        .get(&contact)
        .map(|c| c.transcript.clone())
        .unwrap_or_default();
    let from = match request.start_position.as_ref().and_then(|p| p.id.as_ref()) {
        Some(id) => items.iter().position(|i| &i.id == id).map_or(0, |p| p + 1),
        None => 0,
    };
    let offset: usize = request
        .next_token
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(from);
    let page: Vec<Item> = items.iter().skip(offset).take(max).cloned().collect();
    let next = (offset + page.len() < items.len()).then(|| (offset + page.len()).to_string());
    Json(wire::Transcript {
        initial_contact_id: contact,
        transcript: page,
        next_token: next,
    })
    .into_response()
}

pub(super) async fn websocket(
    State(emu): State<Arc<Emu>>,
    Query(q): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let token = q.get("token").cloned().unwrap_or_default();
    let contact = {
        let mut books = emu.books();
        match books.ws_urls.remove(&token) {
            Some((contact, issued)) if issued.elapsed() <= WS_URL_VALIDITY => contact,
            _ => {
                return (StatusCode::FORBIDDEN, "expired or unknown connection URL")
                    .into_response();
            }
        }
    };
    upgrade.on_upgrade(move |socket| serve_socket(emu, contact, socket))
}

pub(super) async fn serve_socket(emu: Arc<Emu>, contact: String, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::channel::<WsOut>(256);
    let mut tx = Some(tx);
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(WsOut::Frame(text)) => {
                    if socket.send(WsMessage::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Some(WsOut::Close) | None => {
                    let _ = socket.send(WsMessage::Close(None)).await;
                    return;
                }
            },
            frame = socket.recv() => {
                let Some(Ok(WsMessage::Text(text))) = frame else {
                    match frame {
                        Some(Ok(_)) => continue,
                        _ => return,
                    }
                };
                let reply = match serde_json::from_str::<wire::ClientFrame>(text.as_str()) {
                    Ok(frame) if frame.topic == "aws/heartbeat" && emu.books().silent_heartbeats => continue,
                    Ok(frame) => answer(&emu, &contact, &mut tx, &frame),
                    Err(e) => json!({"topic": "aws/error", "content": format!("the frame: {e}")}),
                };
                if socket.send(WsMessage::Text(reply.to_string().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The answer to one client frame; a subscribe to `aws/chat` registers the socket, once.
fn answer(
    emu: &Emu,
    contact: &str,
    tx: &mut Option<mpsc::Sender<WsOut>>,
    frame: &wire::ClientFrame,
) -> Value {
    match frame.topic.as_str() {
        "aws/subscribe" => {
            let topics = frame.content.as_ref().map(|c| c.topics.as_slice());
            if !topics.unwrap_or_default().iter().any(|t| t == "aws/chat") {
                return json!({"topic": "aws/subscribe", "content": {"status": "failure", "topics": []}});
            }
            if let Some(sender) = tx.take()
                && let Some(c) = emu.books().contacts.get_mut(contact)
            {
                c.sockets.push(sender);
                c.subscriptions += 1;
            }
            json!({"topic": "aws/subscribe", "content": {"status": "success", "topics": ["aws/chat"]}})
        }
        "aws/heartbeat" => json!({"topic": "aws/heartbeat"}),
        "aws/ping" => json!({"topic": "aws/ping", "statusCode": 200, "statusContent": "OK"}),
        _ => json!({"topic": "aws/error", "content": "unknown topic"}),
    }
}

pub(super) async fn drop_sockets(State(emu): State<Arc<Emu>>, Json(body): Json<Value>) -> Response {
    let id = body
        .get("conversation")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Ok(contact) = emu.desk.resolve(id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "unknown conversation"})),
        )
            .into_response();
    };
    let sockets = emu
        .books()
        .contacts
        .get_mut(&contact)
        .map(|c| std::mem::take(&mut c.sockets))
        .unwrap_or_default();
    for s in sockets {
        let _ = s.try_send(WsOut::Close);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /__emu/amazon-connect/heartbeats` `{"echo": false}`: stop (or resume) echoing
/// heartbeats, as a dead connection would.
pub(super) async fn heartbeats(State(emu): State<Arc<Emu>>, Json(body): Json<Value>) -> Response {
    let echo = body.get("echo").and_then(Value::as_bool).unwrap_or(true);
    emu.books().silent_heartbeats = !echo;
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /__emu/amazon-connect/subscriptions`: sockets subscribed so far, per conversation.
pub(super) async fn subscriptions(State(emu): State<Arc<Emu>>) -> Response {
    let counts: HashMap<String, u32> = emu
        .books()
        .contacts
        .iter()
        .map(|(id, c)| {
            (
                emu.desk
                    .conversation(id)
                    .and_then(|v| v.external_ref)
                    .unwrap_or_else(|| id.clone()),
                c.subscriptions,
            )
        })
        .collect();
    Json(counts).into_response()
}
