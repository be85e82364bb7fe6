//! One live Amazon Connect chat over the participant WebSocket.
//!
//! | Connect item | `ChatEvent` |
//! |---|---|
//! | `MESSAGE` from `AGENT` | `AgentMessage` |
//! | `MESSAGE` from `SYSTEM` / `CUSTOM_BOT` | `SystemMessage` |
//! | `participant.joined` (`AGENT`) | `AgentJoined` (name = `DisplayName`) |
//! | `participant.left` (`AGENT`) | `AgentLeft` |
//! | `typing` (`AGENT`) | `Typing` on (Connect has no "stopped") |
//! | `transfer.succeeded` / `.failed` | `Transferred` / `SystemMessage` |
//! | `chat.ended` | `Ended`: by the last agent, or timeout when none joined |
//! | `ATTACHMENT` (not `CUSTOMER`) | `AgentFile` per file, linked by `GetAttachment` ([`download`]) |
//!
//! Our own (`CUSTOMER`) items are skipped, the `ATTACHMENT` echo of a file we sent included.
//! Every item id is remembered, so the transcript fetched after a reconnect only adds what the
//! socket missed.

use super::attachment;
use super::download;
use super::wire::{
    self, ConnectionCredentials, CreateParticipantConnection, Disconnect, GetTranscript, Item,
    ParticipantConnection, SendEvent, SendMessage, StartChatContactResponse, StartPosition,
    Transcript,
};
use super::{MAX_MESSAGE_CHARS, SYSTEM, Settings};
use crate::connectors::http::Api;
use crate::connectors::runtime::{
    self, ChatSender, Mapped, Outgoing, SendError, Step, SystemChat, agent,
};
use crate::connectors::{ChatEvent, ConnectorError};
use crate::protocol::{CallKind, CallTrace, EndReason, now_millis};
use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// How long the socket may take to confirm the subscription.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(10);
/// Transcript pages read per catch-up at most.
const TRANSCRIPT_PAGES: usize = 20;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn ws_error(call: &str, detail: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Transport {
        system: SYSTEM.into(),
        call: call.into(),
        detail: detail.to_string(),
    }
}

/// A subscribed participant socket and the connection token that came with it.
pub struct Socket {
    ws: Ws,
    /// The socket's URL with its token redacted, for traces.
    url: String,
    connection_token: String,
    /// Frames that came before the subscription answer.
    early: Vec<String>,
}

impl Socket {
    /// `CreateParticipantConnection`, connect, subscribe to `aws/chat`.
    pub async fn open(
        settings: &Settings,
        api: &Api,
        participant_token: &str,
    ) -> Result<Self, ConnectorError> {
        let body = CreateParticipantConnection {
            kind: vec!["WEBSOCKET".into(), "CONNECTION_CREDENTIALS".into()],
            connect_participant: true,
        };
        let call = settings.participant(
            "/participant/connection",
            "CreateParticipantConnection",
            participant_token,
            &body,
        );
        let connection: ParticipantConnection = api.send(call).await?.json()?;
        let ParticipantConnection {
            websocket,
            connection_credentials:
                ConnectionCredentials {
                    connection_token, ..
                },
        } = connection;
        let (mut ws, _) = tokio_tungstenite::connect_async(websocket.url.as_str())
            .await
            .map_err(|e| ws_error("WebSocket connect", e))?;
        let url = crate::connectors::trace::redact_url(websocket.url.as_str(), &[]);
        let subscribe = json!({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}});
        trace_frame(
            api,
            CallKind::WsOut,
            "aws/subscribe",
            &url,
            &subscribe.to_string(),
        );
        ws.send(Message::text(subscribe.to_string()))
            .await
            .map_err(|e| ws_error("aws/subscribe", e))?;
        let mut early = Vec::new();
        let answer = tokio::time::timeout(SUBSCRIBE_TIMEOUT, async {
            while let Some(frame) = ws.next().await {
                let Ok(Message::Text(text)) = frame else {
                    continue;
                };
                trace_frame(
                    api,
                    CallKind::WsIn,
                    "participant socket",
                    &url,
                    text.as_str(),
                );
                let value: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                if value.get("topic").and_then(Value::as_str) == Some("aws/subscribe") {
                    return Some(value);
                }
                early.push(text.as_str().to_owned());
            }
            None
        })
        .await
        .map_err(|_| ws_error("aws/subscribe", "no answer"))?
        .ok_or_else(|| ws_error("aws/subscribe", "socket closed"))?;
        if answer.pointer("/content/status").and_then(Value::as_str) != Some("success") {
            return Err(ConnectorError::Payload {
                system: SYSTEM.into(),
                call: "aws/subscribe".into(),
                detail: format!("subscription refused: {answer}"),
            });
        }
        Ok(Self {
            ws,
            url,
            connection_token,
            early,
        })
    }
}

/// What the participant socket gives the chat.
pub enum Frame {
    /// A text frame.
    Text(String),
    /// Time for a heartbeat.
    Beat,
    /// The socket closed or failed.
    Lost,
}

/// The inbound half of one chat: socket items (and transcript pages) mapped to [`ChatEvent`]s.
pub struct Chat {
    settings: Arc<Settings>,
    api: Api,
    contact: StartChatContactResponse,
    socket: Socket,
    /// The socket's connection token, renewed by a reconnect; read by [`Outbound`].
    token: watch::Sender<String>,
    heartbeat: tokio::time::Interval,
    awaiting_echo: bool,
    seen: HashSet<String>,
    last_id: Option<String>,
    last_agent: Option<String>,
}

impl Chat {
    pub(super) fn new(
        settings: Arc<Settings>,
        api: Api,
        contact: StartChatContactResponse,
        socket: Socket,
    ) -> Self {
        let mut heartbeat = tokio::time::interval(settings.heartbeat);
        // After a long stall one ping goes out and the echo gets a full period; a burst of
        // missed ticks would call the socket dead before it could answer.
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        heartbeat.reset();
        let token = watch::Sender::new(socket.connection_token.clone());
        Self {
            settings,
            api,
            contact,
            socket,
            token,
            heartbeat,
            awaiting_echo: false,
            seen: HashSet::new(),
            last_id: None,
            last_agent: None,
        }
    }

    /// The outbound half that goes with this chat.
    pub(super) fn outbound(&self) -> Outbound {
        Outbound {
            settings: self.settings.clone(),
            api: self.api.clone(),
            participant_id: self.contact.participant_id.clone(),
            token: self.token.subscribe(),
        }
    }

    fn label(&self) -> &str {
        &self.contact.contact_id
    }

    /// Reads the transcript after the last item seen: its events, and whether the chat ended.
    async fn catch_up(&mut self) -> Result<Mapped, ConnectorError> {
        let mut events = Vec::new();
        let mut next_token = None;
        for _ in 0..TRANSCRIPT_PAGES {
            let body = GetTranscript {
                max_results: Some(100),
                next_token: next_token.clone(),
                scan_direction: Some("FORWARD".into()),
                sort_order: Some("ASCENDING".into()),
                start_position: self.last_id.clone().map(|id| StartPosition {
                    id: Some(id),
                    most_recent: None,
                }),
            };
            let call = self.settings.participant(
                "/participant/transcript",
                "GetTranscript",
                &self.socket.connection_token,
                &body,
            );
            let page: Transcript = self.api.send(call).await?.json()?;
            for item in page.transcript {
                let mapped = self.item(item).await;
                events.extend(mapped.events);
                if mapped.step == Step::Done {
                    return Ok(Mapped::then(events, Step::Done));
                }
            }
            next_token = page.next_token;
            if next_token.is_none() {
                break;
            }
        }
        Ok(Mapped::go(events))
    }

    /// The transcript read after a (re)connect; an error is told and the chat goes on.
    async fn caught_up(&mut self) -> Mapped {
        match self.catch_up().await {
            Ok(mapped) => mapped,
            Err(e) => Mapped::report(&self.contact.contact_id, &e),
        }
    }

    async fn frame(&mut self, text: &str) -> Mapped {
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return self.malformed(format!("frame is not JSON: {e}")),
        };
        if value.get("topic").and_then(Value::as_str) != Some("aws/chat") {
            return Mapped::default();
        }
        let Some(content) = value.get("content").and_then(Value::as_str) else {
            return self.malformed("aws/chat content is not a string");
        };
        match serde_json::from_str::<Item>(content) {
            Ok(item) => self.item(item).await,
            Err(e) => self.malformed(format!("aws/chat item: {e}")),
        }
    }

    fn malformed(&self, detail: impl Into<String>) -> Mapped {
        let error = ConnectorError::Payload {
            system: SYSTEM.into(),
            call: "WebSocket aws/chat".into(),
            detail: detail.into(),
        };
        Mapped::report(self.label(), &error)
    }

    /// Sends a heartbeat, or calls the socket lost when the last one had no echo.
    async fn beat(&mut self) -> Mapped {
        if self.awaiting_echo {
            tracing::warn!(system = SYSTEM, "heartbeat not echoed; reconnecting");
            return Mapped::then(Vec::new(), Step::Reconnect);
        }
        self.awaiting_echo = true;
        let beat = json!({"topic": "aws/heartbeat"}).to_string();
        trace_frame(
            &self.api,
            CallKind::WsOut,
            "aws/heartbeat",
            &self.socket.url,
            &beat,
        );
        match self.socket.ws.send(Message::text(beat)).await {
            Ok(()) => Mapped::default(),
            Err(_) => Mapped::then(Vec::new(), Step::Reconnect),
        }
    }

    fn item_kind(item: &Item) -> &'static str {
        let content_type = item.content_type.as_deref().unwrap_or_default();
        match (item.kind.as_str(), content_type) {
            ("MESSAGE", _) => "MESSAGE",
            ("PARTICIPANT_JOINED", _) | (_, wire::content_type::JOINED) => "JOINED",
            ("PARTICIPANT_LEFT", _) | (_, wire::content_type::LEFT) => "LEFT",
            ("TYPING", _) | (_, wire::content_type::TYPING) => "TYPING",
            ("CHAT_ENDED", _) | (_, wire::content_type::ENDED) => "ENDED",
            ("TRANSFER_SUCCEEDED", _) | (_, wire::content_type::TRANSFER_SUCCEEDED) => {
                "TRANSFERRED"
            }
            ("TRANSFER_FAILED", _) | (_, wire::content_type::TRANSFER_FAILED) => "TRANSFER_FAILED",
            _ => "",
        }
    }

    async fn item(&mut self, item: Item) -> Mapped {
        if !self.seen.insert(item.id.clone()) {
            return Mapped::default();
        }
        self.last_id = Some(item.id.clone());
        let role = item.participant_role.as_deref().unwrap_or_default();
        let name = item.display_name.clone().unwrap_or_else(|| "Agent".into());
        if item.kind == wire::ATTACHMENT && role != "CUSTOMER" {
            // An agent's files: each linked (one `GetAttachment` each) and passed on.
            let token = &self.socket.connection_token;
            let (settings, api) = (&self.settings, &self.api);
            return Mapped::go(
                download::agent_files(settings, api, token, &agent(&name), item.attachments).await,
            );
        }
        let event = match (Self::item_kind(&item), role) {
            ("MESSAGE", "AGENT") => ChatEvent::AgentMessage {
                agent: agent(&name),
                text: item.content.unwrap_or_default(),
            },
            ("MESSAGE", "SYSTEM" | "CUSTOM_BOT") => ChatEvent::SystemMessage {
                text: item.content.unwrap_or_default(),
            },
            ("JOINED", "AGENT") => {
                self.last_agent = Some(name.clone());
                ChatEvent::AgentJoined {
                    agent: agent(&name),
                }
            }
            ("LEFT", "AGENT") => ChatEvent::AgentLeft { agent: name },
            ("TYPING", "AGENT") => ChatEvent::Typing {
                agent: name,
                on: true,
            },
            ("TRANSFERRED", _) => ChatEvent::Transferred { to: None },
            ("TRANSFER_FAILED", _) => ChatEvent::SystemMessage {
                text: "The transfer to another agent failed.".into(),
            },
            ("ENDED", _) => {
                return Mapped::ended(match &self.last_agent {
                    Some(agent) => EndReason::Agent {
                        agent: agent.clone(),
                    },
                    None => EndReason::Timeout,
                });
            }
            _ => return Mapped::default(),
        };
        Mapped::go(vec![event])
    }
}

#[async_trait]
impl SystemChat for Chat {
    type Raw = Frame;

    async fn open(&mut self) -> Mapped {
        let mut events = vec![runtime::queued()];
        // Items sent before the socket subscribed (the flow's first messages) are only in the
        // transcript.
        let read = self.caught_up().await;
        events.extend(read.events);
        if read.step == Step::Done {
            return Mapped::then(events, Step::Done);
        }
        for frame in std::mem::take(&mut self.socket.early) {
            let mapped = self.frame(&frame).await;
            events.extend(mapped.events);
            if mapped.step == Step::Done {
                return Mapped::then(events, Step::Done);
            }
        }
        Mapped::go(events)
    }

    async fn next(&mut self) -> Option<Frame> {
        loop {
            tokio::select! {
                frame = self.socket.ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => return Some(Frame::Text(text.as_str().to_owned())),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return Some(Frame::Lost),
                    Some(Ok(_)) => {}
                },
                _ = self.heartbeat.tick() => return Some(Frame::Beat),
            }
        }
    }

    async fn inbound(&mut self, frame: Frame) -> Mapped {
        match frame {
            Frame::Text(text) => {
                trace_frame(
                    &self.api,
                    CallKind::WsIn,
                    "participant socket",
                    &self.socket.url,
                    &text,
                );
                if text.contains("\"aws/heartbeat\"") {
                    self.awaiting_echo = false;
                }
                self.frame(&text).await
            }
            Frame::Beat => self.beat().await,
            Frame::Lost => Mapped::then(Vec::new(), Step::Reconnect),
        }
    }

    /// A fresh connection (new URL, new token), then the transcript since the last item seen.
    async fn reconnect(&mut self) -> Result<Mapped, ConnectorError> {
        self.awaiting_echo = false;
        let token = &self.contact.participant_token;
        self.socket = Socket::open(&self.settings, &self.api, token).await?;
        self.token
            .send_replace(self.socket.connection_token.clone());
        self.heartbeat.reset();
        Ok(self.caught_up().await)
    }

    async fn close(&mut self) {
        let _ = self.socket.ws.close(None).await;
    }
}

/// The outbound half of one chat: the user's messages as participant API calls.
pub struct Outbound {
    settings: Arc<Settings>,
    api: Api,
    participant_id: String,
    token: watch::Receiver<String>,
}

impl Outbound {
    async fn call(&self, token: &str, message: &Outgoing) -> Result<(), ConnectorError> {
        let (path, name, body) = match message {
            Outgoing::Text { key, text } => {
                let body = SendMessage {
                    content_type: wire::content_type::TEXT.into(),
                    content: text.chars().take(MAX_MESSAGE_CHARS).collect(),
                    client_token: key.clone(),
                };
                ("/participant/message", "SendMessage", json!(body))
            }
            Outgoing::File { key, file } => {
                let id = attachment::send(&self.settings, &self.api, token, file, key).await?;
                tracing::info!(system = SYSTEM, attachment = %id, size = file.size(), "file sent");
                return Ok(());
            }
            Outgoing::Typing(true) => {
                let body = SendEvent {
                    content_type: wire::content_type::TYPING.into(),
                    content: None,
                    client_token: uuid::Uuid::new_v4().to_string(),
                };
                ("/participant/event", "SendEvent", json!(body))
            }
            Outgoing::Leave => {
                let body = Disconnect {
                    client_token: format!("{}-disconnect", self.participant_id),
                };
                (
                    "/participant/disconnect",
                    "DisconnectParticipant",
                    json!(body),
                )
            }
            Outgoing::Typing(false) | Outgoing::Opening => return Ok(()),
        };
        let call = self.settings.participant(path, name, token, &body);
        self.api.send(call).await.map(drop)
    }
}

#[async_trait]
impl ChatSender for Outbound {
    async fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        let token = self.token.borrow().clone();
        match self.call(&token, message).await {
            Ok(()) => Ok(()),
            // A reconnect may have replaced the connection token under this call: the same
            // message (the same `ClientToken`) goes again with the new one.
            Err(e @ ConnectorError::Unauthorized { .. }) => Err(SendError::Retry(e)),
            Err(e) => Err(SendError::Final(e)),
        }
    }
}

/// Traces one frame of the participant socket (nothing in it is a credential; the URL's token
/// is redacted).
fn trace_frame(api: &Api, kind: CallKind, name: &str, url: &str, text: &str) {
    api.trace_slot().record(|| CallTrace {
        at: now_millis(),
        system: SYSTEM.into(),
        name: name.into(),
        kind,
        method: None,
        url: url.into(),
        status: None,
        duration_ms: None,
        request: (kind == CallKind::WsOut)
            .then(|| crate::connectors::trace::redact_body(text.as_bytes(), &[]))
            .flatten(),
        response: (kind == CallKind::WsIn)
            .then(|| crate::connectors::trace::redact_body(text.as_bytes(), &[]))
            .flatten(),
        error: None,
    });
}
