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
use super::wire::AttachmentItem;
use super::wire::{
    self, ConnectionCredentials, CreateParticipantConnection, Disconnect, GetTranscript, Item,
    ParticipantConnection, SendEvent, SendMessage, StartChatContactResponse, StartPosition,
    Transcript,
};
use super::{MAX_MESSAGE_CHARS, SYSTEM, Settings};
use crate::connectors::http::Api;
use crate::connectors::{ChatCommand, ChatEvent, ConnectorError};
use crate::protocol::{AgentInfo, CallKind, CallTrace, EndReason, now_millis};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// Commands waiting for the chat task.
pub const COMMAND_QUEUE: usize = 32;
/// Events waiting for the broker.
pub const EVENT_QUEUE: usize = 64;
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

/// The state of one chat.
pub struct Chat {
    settings: Arc<Settings>,
    api: Api,
    contact: StartChatContactResponse,
    socket: Socket,
    events: mpsc::Sender<ChatEvent>,
    seen: HashSet<String>,
    last_id: Option<String>,
    agent: Option<String>,
    last_agent: Option<String>,
}

enum Step {
    Go,
    Done,
    Reconnect,
}

impl Chat {
    pub(super) fn new(
        settings: Arc<Settings>,
        api: Api,
        contact: StartChatContactResponse,
        socket: Socket,
        events: mpsc::Sender<ChatEvent>,
    ) -> Self {
        Self {
            settings,
            api,
            contact,
            socket,
            events,
            seen: HashSet::new(),
            last_id: None,
            agent: None,
            last_agent: None,
        }
    }

    /// Runs until the chat ends, the broker drops the link, or the socket cannot be restored.
    pub async fn run(mut self, mut commands: mpsc::Receiver<ChatCommand>) {
        if !self
            .emit(ChatEvent::Queued {
                position: None,
                eta_secs: None,
            })
            .await
        {
            return;
        }
        // Items sent before the socket subscribed (the flow's first messages) are only in the
        // transcript.
        match self.catch_up().await {
            Ok(true) => return,
            Ok(false) => {}
            Err(e) => {
                if !self.report(&e).await {
                    return;
                }
            }
        }
        for frame in std::mem::take(&mut self.socket.early) {
            if matches!(self.frame(&frame).await, Step::Done) {
                return;
            }
        }
        let mut heartbeat = tokio::time::interval(self.settings.heartbeat);
        // After a long command (a file upload) one ping goes out and the echo gets a full
        // period; a burst of missed ticks would call the socket dead before it could answer.
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        heartbeat.tick().await;
        let mut awaiting_echo = false;
        loop {
            let step = tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.command(command).await,
                    None => Step::Done,
                },
                frame = self.socket.ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        trace_frame(&self.api, CallKind::WsIn, "participant socket", &self.socket.url, text.as_str());
                        if text.as_str().contains("\"aws/heartbeat\"") {
                            awaiting_echo = false;
                        }
                        self.frame(text.as_str()).await
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => Step::Reconnect,
                    Some(Ok(_)) => Step::Go,
                },
                _ = heartbeat.tick() => {
                    if awaiting_echo {
                        tracing::warn!(system = SYSTEM, "heartbeat not echoed; reconnecting");
                        Step::Reconnect
                    } else {
                        awaiting_echo = true;
                        let beat = json!({"topic": "aws/heartbeat"}).to_string();
                        trace_frame(&self.api, CallKind::WsOut, "aws/heartbeat", &self.socket.url, &beat);
                        let ping = Message::text(beat);
                        if self.socket.ws.send(ping).await.is_ok() { Step::Go } else { Step::Reconnect }
                    }
                }
            };
            match step {
                Step::Go => {}
                Step::Done => break,
                Step::Reconnect => {
                    awaiting_echo = false;
                    if !self.reconnect().await {
                        break;
                    }
                    heartbeat.reset();
                }
            }
        }
        let _ = self.socket.ws.close(None).await;
    }

    async fn emit(&self, event: ChatEvent) -> bool {
        self.events.send(event).await.is_ok()
    }

    async fn report(&self, error: &ConnectorError) -> bool {
        tracing::warn!(system = SYSTEM, contact = %self.contact.contact_id, error = %error, "chat error");
        self.emit(ChatEvent::SystemMessage {
            text: error.to_string(),
        })
        .await
    }

    /// Reports a file that did not reach the agent, naming it.
    async fn report_file(&self, name: &str, error: &ConnectorError) -> bool {
        tracing::warn!(system = SYSTEM, contact = %self.contact.contact_id, error = %error, "file not sent");
        self.emit(ChatEvent::SystemMessage {
            text: format!("{error} ({name:?} was not sent)"),
        })
        .await
    }

    /// A fresh connection (new URL, new token), then the transcript since the last item seen.
    async fn reconnect(&mut self) -> bool {
        let attempts = self.settings.reconnect_attempts.max(1);
        let mut last_error = None;
        for attempt in 1..=attempts {
            match Socket::open(&self.settings, &self.api, &self.contact.participant_token).await {
                Ok(socket) => {
                    self.socket = socket;
                    tracing::info!(system = SYSTEM, attempt, "socket restored");
                    return match self.catch_up().await {
                        Ok(done) => !done,
                        Err(e) => self.report(&e).await,
                    };
                }
                Err(e) => {
                    tracing::warn!(system = SYSTEM, attempt, error = %e, "reconnect failed");
                    last_error = Some(e);
                    tokio::time::sleep(self.settings.retry.backoff(attempt)).await;
                }
            }
        }
        if let Some(e) = last_error {
            self.report(&e).await;
            self.emit(ChatEvent::Ended {
                reason: EndReason::Error {
                    message: e.to_string(),
                },
            })
            .await;
        }
        false
    }

    /// Reads the transcript after the last item seen; true when the chat ended meanwhile.
    async fn catch_up(&mut self) -> Result<bool, ConnectorError> {
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
                if matches!(self.item(item).await, Step::Done) {
                    return Ok(true);
                }
            }
            next_token = page.next_token;
            if next_token.is_none() {
                break;
            }
        }
        Ok(false)
    }

    async fn command(&mut self, command: ChatCommand) -> Step {
        let token = self.socket.connection_token.clone();
        let result = match command {
            ChatCommand::Text {
                text,
                client_message_id,
            } => {
                let body = SendMessage {
                    content_type: wire::content_type::TEXT.into(),
                    content: text.chars().take(MAX_MESSAGE_CHARS).collect(),
                    client_token: client_message_id,
                };
                let call =
                    self.settings
                        .participant("/participant/message", "SendMessage", &token, &body);
                self.api.send(call).await.map(drop)
            }
            ChatCommand::File {
                file,
                client_message_id,
            } => {
                let sent =
                    attachment::send(&self.settings, &self.api, &token, &file, &client_message_id)
                        .await;
                return match sent {
                    Ok(id) => {
                        tracing::info!(system = SYSTEM, attachment = %id, size = file.size(), "file sent");
                        Step::Go
                    }
                    Err(e) if self.report_file(&file.name, &e).await => Step::Go,
                    Err(_) => Step::Done,
                };
            }
            ChatCommand::Typing(false) => Ok(()),
            ChatCommand::Typing(true) => {
                let body = SendEvent {
                    content_type: wire::content_type::TYPING.into(),
                    content: None,
                    client_token: uuid::Uuid::new_v4().to_string(),
                };
                let call =
                    self.settings
                        .participant("/participant/event", "SendEvent", &token, &body);
                self.api.send(call).await.map(drop)
            }
            ChatCommand::End | ChatCommand::Withdraw { .. } => {
                let body = Disconnect {
                    client_token: format!("{}-disconnect", self.contact.participant_id),
                };
                let call = self.settings.participant(
                    "/participant/disconnect",
                    "DisconnectParticipant",
                    &token,
                    &body,
                );
                if let Err(e) = self.api.send(call).await {
                    self.report(&e).await;
                }
                self.emit(ChatEvent::Ended {
                    reason: EndReason::User,
                })
                .await;
                return Step::Done;
            }
        };
        match result {
            Ok(()) => Step::Go,
            Err(e) if self.report(&e).await => Step::Go,
            Err(_) => Step::Done,
        }
    }

    async fn frame(&mut self, text: &str) -> Step {
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return self.malformed(format!("frame is not JSON: {e}")).await,
        };
        if value.get("topic").and_then(Value::as_str) != Some("aws/chat") {
            return Step::Go;
        }
        let Some(content) = value.get("content").and_then(Value::as_str) else {
            return self.malformed("aws/chat content is not a string").await;
        };
        match serde_json::from_str::<Item>(content) {
            Ok(item) => self.item(item).await,
            Err(e) => self.malformed(format!("aws/chat item: {e}")).await,
        }
    }

    async fn malformed(&self, detail: impl Into<String>) -> Step {
        let error = ConnectorError::Payload {
            system: SYSTEM.into(),
            call: "WebSocket aws/chat".into(),
            detail: detail.into(),
        };
        if self.report(&error).await {
            Step::Go
        } else {
            Step::Done
        }
    }

    /// An agent's files: each linked (one `GetAttachment` each) and passed on.
    async fn agent_files(&self, name: String, files: Vec<AttachmentItem>) -> Step {
        let agent = AgentInfo {
            name,
            avatar: None,
            on_behalf: false,
        };
        let token = &self.socket.connection_token;
        for event in download::agent_files(&self.settings, &self.api, token, &agent, files).await {
            if !self.emit(event).await {
                return Step::Done;
            }
        }
        Step::Go
    }

    async fn item(&mut self, item: Item) -> Step {
        if !self.seen.insert(item.id.clone()) {
            return Step::Go;
        }
        self.last_id = Some(item.id.clone());
        let role = item.participant_role.as_deref().unwrap_or_default();
        let name = item.display_name.clone().unwrap_or_else(|| "Agent".into());
        if item.kind == wire::ATTACHMENT && role != "CUSTOMER" {
            return self.agent_files(name, item.attachments).await;
        }
        let content_type = item.content_type.as_deref().unwrap_or_default();
        let kind = match (item.kind.as_str(), content_type) {
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
        };
        let event = match (kind, role) {
            ("MESSAGE", "AGENT") => ChatEvent::AgentMessage {
                agent: AgentInfo {
                    name,
                    avatar: None,
                    on_behalf: false,
                },
                text: item.content.unwrap_or_default(),
            },
            ("MESSAGE", "SYSTEM" | "CUSTOM_BOT") => ChatEvent::SystemMessage {
                text: item.content.unwrap_or_default(),
            },
            ("JOINED", "AGENT") => {
                self.agent = Some(name.clone());
                self.last_agent = Some(name.clone());
                ChatEvent::AgentJoined {
                    agent: AgentInfo {
                        name,
                        avatar: None,
                        on_behalf: false,
                    },
                }
            }
            ("LEFT", "AGENT") => {
                self.agent = None;
                ChatEvent::AgentLeft { agent: name }
            }
            ("TYPING", "AGENT") => ChatEvent::Typing {
                agent: name,
                on: true,
            },
            ("TRANSFERRED", _) => ChatEvent::Transferred { to: None },
            ("TRANSFER_FAILED", _) => ChatEvent::SystemMessage {
                text: "The transfer to another agent failed.".into(),
            },
            ("ENDED", _) => {
                let reason = match &self.last_agent {
                    Some(agent) => EndReason::Agent {
                        agent: agent.clone(),
                    },
                    None => EndReason::Timeout,
                };
                self.emit(ChatEvent::Ended { reason }).await;
                return Step::Done;
            }
            _ => return Step::Go,
        };
        if self.emit(event).await {
            Step::Go
        } else {
            Step::Done
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
