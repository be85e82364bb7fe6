//! The Glia webhook route and one live chat.
//!
//! | Glia event | `ChatEvent` |
//! |---|---|
//! | (ticket created) | `Queued` |
//! | `engagement.start` (+ the engagement's operator link for the name, [`super::names`]) | `AgentJoined` |
//! | `engagement.chat.message` with `target: visitor` | `AgentMessage` (`target: operator` is our echo) when it has `content` or no `attachment` |
//! | its `attachment` ([`super::inferred::Attachment`]) | one `AgentFile` per file; a file that cannot be read: `SystemMessage` naming Glia and why |
//! | `engagement.transfer` (+ lookup) | `Transferred`, `AgentLeft`, `AgentJoined` |
//! | `engagement.end` | `AgentLeft`, `Ended(agent)` |
//! | `engagement.request.failure` | `Ended(timeout / no agent)` |
//!
//! A file is uploaded to the engagement (`POST /engagements/{id}/files`, [`super::inferred`]),
//! then referenced by a chat message's `attachment`. Messages and files the user sends before
//! the engagement starts wait, in order, and go when it starts.

use super::agent_files;
use super::inferred::{self, Attachment, UploadedFile};
use super::names;
use super::wire::{ChatMessageBody, Event};
use super::{SYSTEM, Settings};
use crate::connectors::http::{Api, Method};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::{WebhookHandler, WebhookReply, WebhookRequest};
use crate::connectors::{ChatCommand, ChatEvent, ConnectorError, FileUpload, HandoffRequest};
use crate::protocol::{AgentInfo, EndReason};
use async_trait::async_trait;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

/// Commands waiting for the chat task.
pub const COMMAND_QUEUE: usize = 32;
/// Events waiting for the broker.
pub const EVENT_QUEUE: usize = 64;
/// Webhook events waiting per chat.
const INBOX: usize = 64;
/// Messages the user may send before an operator joins.
const EARLY_MESSAGES: usize = 20;
/// Bytes of files that may wait with them (a bound on memory, not on any one file).
const EARLY_FILE_BYTES: usize = 32 * 1024 * 1024;

/// The Glia webhook route: finds the chat by its header, checks its secret.
#[derive(Default)]
pub struct Hooks {
    chats: Mutex<HashMap<String, (Secret, mpsc::Sender<Event>)>>,
}

impl Hooks {
    fn chats(&self) -> MutexGuard<'_, HashMap<String, (Secret, mpsc::Sender<Event>)>> {
        self.chats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens the inbox of chat `key`, whose events must carry `secret` as `Authorization`.
    pub fn attach(&self, key: &str, secret: Secret) -> mpsc::Receiver<Event> {
        let (tx, rx) = mpsc::channel(INBOX);
        self.chats().insert(key.to_owned(), (secret, tx));
        rx
    }

    /// Closes it.
    pub fn detach(&self, key: &str) {
        self.chats().remove(key);
    }
}

#[async_trait]
impl WebhookHandler for Hooks {
    async fn handle(&self, request: WebhookRequest) -> WebhookReply {
        let key = request
            .header(inferred::CHAT_HEADER)
            .unwrap_or_default()
            .to_owned();
        let given = request.header("authorization").unwrap_or_default();
        let mut chats = self.chats();
        let Some((secret, tx)) = chats.get(&key) else {
            tracing::warn!(system = SYSTEM, "webhook for no known chat");
            return WebhookReply::error(401, "unknown chat");
        };
        if !crate::connectors::redact::same_secret(given, secret) {
            tracing::warn!(system = SYSTEM, chat = %key, "webhook rejected: wrong credentials");
            return WebhookReply::error(401, "wrong credentials");
        }
        let event: Event = match serde_json::from_slice(&request.body) {
            Ok(e) => e,
            Err(e) => {
                // Tell the chat, so the user sees it; then refuse the body.
                let _ = tx.try_send(Event {
                    event_type: "handoff.malformed".into(),
                    engagement: None,
                    message: None,
                    rest: std::iter::once(("detail".to_owned(), Value::String(e.to_string())))
                        .collect(),
                });
                return WebhookReply::error(400, format!("not a Glia event: {e}"));
            }
        };
        match tx.try_send(event) {
            Ok(()) => WebhookReply::ok(),
            Err(mpsc::error::TrySendError::Full(_)) => {
                WebhookReply::error(503, "busy, retry later")
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                chats.remove(&key);
                WebhookReply::ok()
            }
        }
    }
}

/// A message or file the user sent, under its chat-message id; kept while the engagement has
/// not started.
enum Outgoing {
    Text(String, String),
    File(String, FileUpload),
}

impl Outgoing {
    fn file_bytes(&self) -> usize {
        match self {
            Self::Text(..) => 0,
            Self::File(_, file) => file.bytes.len(),
        }
    }
}

/// The chat-message id of the user's message `client_message_id` in chat `key`: the id itself
/// when it is a UUID, else a UUID derived from both, so the same message always has the same
/// id and Glia's idempotent `PUT` never stores it twice.
fn message_uuid(key: &str, client_message_id: &str) -> String {
    if let Ok(id) = uuid::Uuid::parse_str(client_message_id) {
        return id.to_string();
    }
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{key}\n{client_message_id}").as_bytes(),
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The state of one chat.
pub struct Chat {
    key: String,
    ticket: String,
    visitor_token: Secret,
    title: String,
    context: Value,
    settings: Arc<Settings>,
    api: Api,
    hooks: Arc<Hooks>,
    events: mpsc::Sender<ChatEvent>,
    engagement: Option<String>,
    operator: Option<String>,
    early: Vec<Outgoing>,
    seen: HashSet<String>,
}

impl Chat {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        key: String,
        ticket: String,
        visitor_token: Secret,
        request: &HandoffRequest,
        settings: Arc<Settings>,
        api: Api,
        hooks: Arc<Hooks>,
        events: mpsc::Sender<ChatEvent>,
    ) -> Self {
        let context = json!({ "topic": request.topic, "context": request.context, "history": request.history_text(crate::connectors::HISTORY_LIMIT_BYTES) });
        Self {
            key,
            ticket,
            visitor_token,
            title: request.title.clone(),
            context,
            settings,
            api,
            hooks,
            events,
            engagement: None,
            operator: None,
            early: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Runs until the chat ends or the broker drops the link.
    pub async fn run(
        mut self,
        mut commands: mpsc::Receiver<ChatCommand>,
        mut inbox: mpsc::Receiver<Event>,
    ) {
        if self
            .emit(ChatEvent::Queued {
                position: None,
                eta_secs: None,
            })
            .await
        {
            loop {
                let done = tokio::select! {
                    command = commands.recv() => match command {
                        Some(command) => self.command(command).await,
                        None => true,
                    },
                    event = inbox.recv() => match event {
                        Some(event) => self.event(event).await,
                        None => true,
                    },
                };
                if done {
                    break;
                }
            }
        }
        self.hooks.detach(&self.key);
    }

    async fn emit(&self, event: ChatEvent) -> bool {
        self.events.send(event).await.is_ok()
    }

    async fn report(&self, error: &ConnectorError) -> bool {
        tracing::warn!(system = SYSTEM, chat = %self.key, error = %error, "chat error");
        self.emit(ChatEvent::SystemMessage {
            text: error.to_string(),
        })
        .await
    }

    async fn put_message(
        &self,
        engagement: &str,
        id: &str,
        text: &str,
        metadata: Option<Value>,
    ) -> Result<(), ConnectorError> {
        let body = ChatMessageBody {
            content: text.to_owned(),
            kind: "chat".into(),
            metadata,
            attachment: None,
        };
        self.put(engagement, id, &body).await
    }

    async fn put(
        &self,
        engagement: &str,
        id: &str,
        body: &ChatMessageBody,
    ) -> Result<(), ConnectorError> {
        let path = format!("/engagements/{engagement}/chat_messages/{id}");
        let call = self
            .settings
            .call(
                Method::Put,
                &path,
                "PUT /engagements/{id}/chat_messages/{uuid}",
                self.visitor_token.expose(),
            )
            .json(body);
        self.api.send(call).await.map(drop)
    }

    /// Uploads `file` to the engagement, then sends the message referencing it.
    async fn send_file(
        &self,
        engagement: &str,
        id: &str,
        file: &FileUpload,
    ) -> Result<(), ConnectorError> {
        let (content_type, form) =
            crate::connectors::multipart::form(super::inferred::UPLOAD_FIELD, file, &[]);
        let call = self
            .settings
            .call(
                Method::Post,
                &inferred::upload_path(engagement),
                "POST /engagements/{id}/files",
                self.visitor_token.expose(),
            )
            .header("Content-Type", content_type)
            .raw_body(form);
        let uploaded: UploadedFile = self.api.send(call).await?.json()?;
        let body = ChatMessageBody {
            content: String::new(),
            kind: "chat".into(),
            metadata: None,
            attachment: Some(Attachment::files(vec![uploaded])),
        };
        self.put(engagement, id, &body).await
    }

    /// Sends what the user sent, or keeps it for when the engagement starts.
    async fn send_or_keep(&mut self, outgoing: Outgoing) -> bool {
        let Some(engagement) = self.engagement.clone() else {
            let waiting: usize = self.early.iter().map(Outgoing::file_bytes).sum();
            if self.early.len() < EARLY_MESSAGES
                && waiting + outgoing.file_bytes() <= EARLY_FILE_BYTES
            {
                self.early.push(outgoing);
                return false;
            }
            // Never drop a message silently: tell the user it did not go.
            let what = match outgoing {
                Outgoing::Text(..) => "message was",
                Outgoing::File(..) => "file was",
            };
            let text = format!(
                "Your {what} not delivered: the {SYSTEM} chat has not started yet \
                 and too much is already waiting ({EARLY_MESSAGES} messages or 32 MiB of \
                 files at most)."
            );
            return !self.emit(ChatEvent::SystemMessage { text }).await;
        };
        match self.send(&engagement, &outgoing).await {
            Ok(()) => false,
            Err(e) => !self.report(&e).await,
        }
    }

    async fn send(&self, engagement: &str, outgoing: &Outgoing) -> Result<(), ConnectorError> {
        match outgoing {
            Outgoing::Text(id, text) => self.put_message(engagement, id, text, None).await,
            Outgoing::File(id, file) => self.send_file(engagement, id, file).await,
        }
    }

    async fn command(&mut self, command: ChatCommand) -> bool {
        match command {
            ChatCommand::Text {
                text,
                client_message_id,
            } => {
                let id = message_uuid(&self.key, &client_message_id);
                self.send_or_keep(Outgoing::Text(id, text)).await
            }
            ChatCommand::File {
                file,
                client_message_id,
            } => {
                let id = message_uuid(&self.key, &client_message_id);
                self.send_or_keep(Outgoing::File(id, file)).await
            }
            // Glia's visitor typing API is not public.
            ChatCommand::Typing(_) => false,
            ChatCommand::End | ChatCommand::Withdraw { .. } => {
                let (path, name) = match &self.engagement {
                    Some(e) => (format!("/engagements/{e}"), "DELETE /engagements/{id}"),
                    None => (
                        format!("/queue_tickets/{}", self.ticket),
                        "DELETE /queue_tickets/{id}",
                    ),
                };
                let call =
                    self.settings
                        .call(Method::Delete, &path, name, self.visitor_token.expose());
                if let Err(e) = self.api.send(call).await {
                    self.report(&e).await;
                }
                self.emit(ChatEvent::Ended {
                    reason: EndReason::User,
                })
                .await;
                true
            }
        }
    }

    fn malformed(detail: impl std::fmt::Display, event: &str) -> ConnectorError {
        ConnectorError::Payload {
            system: SYSTEM.into(),
            call: format!("webhook {event}"),
            detail: detail.to_string(),
        }
    }

    async fn event(&mut self, event: Event) -> bool {
        let agent = |name: &str| AgentInfo {
            name: name.to_owned(),
            avatar: None,
            on_behalf: false,
        };
        let out: Vec<ChatEvent> = match event.event_type.as_str() {
            "handoff.malformed" => {
                let detail = event
                    .rest
                    .get("detail")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                return !self.report(&Self::malformed(detail, "event")).await;
            }
            "engagement.start" => {
                let Some(engagement) = event.engagement else {
                    return !self
                        .report(&Self::malformed("no engagement", "engagement.start"))
                        .await;
                };
                let token = self.visitor_token.expose();
                let name =
                    names::operator_name_or_log(&self.settings, &self.api, token, &engagement.id)
                        .await
                        .unwrap_or_else(|| "Operator".into());
                self.engagement = Some(engagement.id.clone());
                self.operator = Some(name.clone());
                let first = uuid::Uuid::new_v4().to_string();
                let title = self.title.clone();
                if let Err(e) = self
                    .put_message(&engagement.id, &first, &title, Some(self.context.clone()))
                    .await
                {
                    self.report(&e).await;
                }
                for outgoing in std::mem::take(&mut self.early) {
                    if let Err(e) = self.send(&engagement.id, &outgoing).await {
                        self.report(&e).await;
                    }
                }
                vec![ChatEvent::AgentJoined {
                    agent: agent(&name),
                }]
            }
            "engagement.chat.message" => {
                let Some(message) = event.message else {
                    return !self
                        .report(&Self::malformed("no message", "engagement.chat.message"))
                        .await;
                };
                if message.target != "visitor"
                    || message
                        .id
                        .as_ref()
                        .is_some_and(|id| !self.seen.insert(id.clone()))
                {
                    return false;
                }
                let name = self.operator.clone().unwrap_or_else(|| "Operator".into());
                let attachment = message.attachment.filter(|a| !a.is_null());
                let mut out = Vec::new();
                if !message.content.is_empty() || attachment.is_none() {
                    out.push(ChatEvent::AgentMessage {
                        agent: agent(&name),
                        text: message.content,
                    });
                }
                for file in attachment.iter().flat_map(agent_files::read) {
                    out.push(match file {
                        Ok(file) => ChatEvent::AgentFile {
                            agent: agent(&name),
                            file,
                        },
                        Err(why) => {
                            tracing::warn!(system = SYSTEM, chat = %self.key, why, "agent file unreadable");
                            ChatEvent::SystemMessage {
                                text: format!("{SYSTEM}: an agent's file could not be read: {why}"),
                            }
                        }
                    });
                }
                out
            }
            "engagement.transfer" => {
                let mut out = vec![ChatEvent::Transferred { to: None }];
                if let Some(engagement) = self.engagement.clone()
                    && let Some(name) = names::operator_name_or_log(
                        &self.settings,
                        &self.api,
                        self.visitor_token.expose(),
                        &engagement,
                    )
                    .await
                {
                    if let Some(previous) = self.operator.replace(name.clone()) {
                        out.push(ChatEvent::AgentLeft { agent: previous });
                    }
                    out.push(ChatEvent::AgentJoined {
                        agent: agent(&name),
                    });
                }
                out
            }
            "engagement.end" => {
                let name = self.operator.clone().unwrap_or_else(|| "Operator".into());
                for e in [
                    ChatEvent::AgentLeft {
                        agent: name.clone(),
                    },
                    ChatEvent::Ended {
                        reason: EndReason::Agent { agent: name },
                    },
                ] {
                    self.emit(e).await;
                }
                return true;
            }
            "engagement.request.failure" => {
                let reason = if inferred::failure_is_timeout(&event) {
                    EndReason::Timeout
                } else {
                    EndReason::NoAgent { reason: None }
                };
                self.emit(ChatEvent::Ended { reason }).await;
                return true;
            }
            other => {
                tracing::debug!(system = SYSTEM, event = other, "event ignored");
                return false;
            }
        };
        for e in out {
            if !self.emit(e).await {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::message_uuid;

    #[test]
    fn message_ids_are_stable_uuids_per_chat() {
        let id = message_uuid("c-1", "m1");
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        assert_eq!(id, message_uuid("c-1", "m1"));
        assert_ne!(id, message_uuid("c-2", "m1"));
        assert_ne!(id, message_uuid("c-1", "m2"));
        let given = "7d444840-9dc0-11d1-b245-5ffdce74fad2";
        assert_eq!(message_uuid("c-1", given), given);
    }
}
