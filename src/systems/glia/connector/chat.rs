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
//! the engagement starts wait in the runtime's outbox, in order, and go when it starts, after
//! the request's title and context ([`Outgoing::Opening`]).

use super::agent_files;
use super::inferred::{self, Attachment, UploadedFile};
use super::names;
use super::wire::{ChatMessageBody, Event, Message as WireMessage};
use super::{SYSTEM, Settings};
use crate::connectors::http::{Api, Method};
use crate::connectors::redact::Secret;
use crate::connectors::runtime::{
    self, ChatSender, Mapped, Outgoing, SendError, Step, SystemChat, agent,
};
use crate::connectors::webhook::{WebhookHandler, WebhookReply, WebhookRequest};
use crate::connectors::{ChatEvent, ConnectorError, FileUpload, HandoffRequest};
use crate::protocol::EndReason;
use async_trait::async_trait;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, watch};

/// Webhook events waiting per chat.
const INBOX: usize = 64;

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

/// The inbound half of one chat: webhook events mapped to [`ChatEvent`]s.
pub struct Chat {
    key: String,
    visitor_token: Secret,
    settings: Arc<Settings>,
    api: Api,
    hooks: Arc<Hooks>,
    inbox: mpsc::Receiver<Event>,
    /// The engagement, once it started; read by [`Outbound`].
    engagement: watch::Sender<Option<String>>,
    operator: Option<String>,
    seen: HashSet<String>,
}

impl Chat {
    pub(super) fn new(
        key: String,
        visitor_token: Secret,
        settings: Arc<Settings>,
        api: Api,
        hooks: Arc<Hooks>,
        inbox: mpsc::Receiver<Event>,
    ) -> Self {
        Self {
            key,
            visitor_token,
            settings,
            api,
            hooks,
            inbox,
            engagement: watch::Sender::new(None),
            operator: None,
            seen: HashSet::new(),
        }
    }

    async fn operator_name(&self, engagement: &str) -> Option<String> {
        let token = self.visitor_token.expose();
        names::operator_name_or_log(&self.settings, &self.api, token, engagement).await
    }

    fn malformed(detail: impl std::fmt::Display, event: &str) -> ConnectorError {
        ConnectorError::Payload {
            system: SYSTEM.into(),
            call: format!("webhook {event}"),
            detail: detail.to_string(),
        }
    }

    async fn event(&mut self, event: Event) -> Mapped {
        match event.event_type.as_str() {
            "handoff.malformed" => {
                let detail = event
                    .rest
                    .get("detail")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                Mapped::report(&self.key, &Self::malformed(detail, "event"))
            }
            "engagement.start" => {
                let Some(engagement) = event.engagement else {
                    return Mapped::report(
                        &self.key,
                        &Self::malformed("no engagement", "engagement.start"),
                    );
                };
                let name = self
                    .operator_name(&engagement.id)
                    .await
                    .unwrap_or_else(|| "Operator".into());
                self.engagement.send_replace(Some(engagement.id));
                self.operator = Some(name.clone());
                // The title and context go first, then what the user sent meanwhile.
                Mapped::then(
                    vec![ChatEvent::AgentJoined {
                        agent: agent(&name),
                    }],
                    Step::Open,
                )
            }
            "engagement.chat.message" => {
                let Some(message) = event.message else {
                    return Mapped::report(
                        &self.key,
                        &Self::malformed("no message", "engagement.chat.message"),
                    );
                };
                self.message(message)
            }
            "engagement.transfer" => {
                let mut out = vec![ChatEvent::Transferred { to: None }];
                let engagement = self.engagement.borrow().clone();
                if let Some(engagement) = engagement
                    && let Some(name) = self.operator_name(&engagement).await
                {
                    if let Some(previous) = self.operator.replace(name.clone()) {
                        out.push(ChatEvent::AgentLeft { agent: previous });
                    }
                    out.push(ChatEvent::AgentJoined {
                        agent: agent(&name),
                    });
                }
                Mapped::go(out)
            }
            "engagement.end" => {
                let name = self.operator.clone().unwrap_or_else(|| "Operator".into());
                let left = ChatEvent::AgentLeft {
                    agent: name.clone(),
                };
                let ended = ChatEvent::Ended {
                    reason: EndReason::Agent { agent: name },
                };
                Mapped::then(vec![left, ended], Step::Done)
            }
            "engagement.request.failure" => {
                Mapped::ended(if inferred::failure_is_timeout(&event) {
                    EndReason::Timeout
                } else {
                    EndReason::NoAgent { reason: None }
                })
            }
            other => {
                tracing::debug!(system = SYSTEM, event = other, "event ignored");
                Mapped::default()
            }
        }
    }

    /// An operator's message: its text and its files (our own echo and repeats skipped).
    fn message(&mut self, message: WireMessage) -> Mapped {
        if message.target != "visitor"
            || message
                .id
                .as_ref()
                .is_some_and(|id| !self.seen.insert(id.clone()))
        {
            return Mapped::default();
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
        Mapped::go(out)
    }

    /// The outbound half that goes with this chat.
    pub(super) fn outbound(&self, ticket: String, request: &HandoffRequest) -> Outbound {
        let context = json!({ "topic": request.topic, "context": request.context, "history": request.history_text(crate::connectors::HISTORY_LIMIT_BYTES) });
        Outbound {
            key: self.key.clone(),
            ticket,
            visitor_token: self.visitor_token.clone(),
            title: request.title.clone(),
            context,
            settings: self.settings.clone(),
            api: self.api.clone(),
            engagement: self.engagement.subscribe(),
        }
    }
}

#[async_trait]
impl SystemChat for Chat {
    type Raw = Event;

    async fn open(&mut self) -> Mapped {
        Mapped::go(vec![runtime::queued()])
    }

    async fn next(&mut self) -> Option<Event> {
        self.inbox.recv().await
    }

    async fn inbound(&mut self, event: Event) -> Mapped {
        self.event(event).await
    }

    async fn close(&mut self) {
        self.hooks.detach(&self.key);
    }
}

/// The outbound half of one chat: the user's messages as chat messages of the engagement,
/// held by the runtime until it starts.
pub struct Outbound {
    key: String,
    ticket: String,
    visitor_token: Secret,
    title: String,
    context: Value,
    settings: Arc<Settings>,
    api: Api,
    engagement: watch::Receiver<Option<String>>,
}

impl Outbound {
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

    /// Ends the engagement, or withdraws the ticket when none started.
    async fn leave(&self, engagement: Option<&str>) -> Result<(), ConnectorError> {
        let (path, name) = match engagement {
            Some(e) => (format!("/engagements/{e}"), "DELETE /engagements/{id}"),
            None => (
                format!("/queue_tickets/{}", self.ticket),
                "DELETE /queue_tickets/{id}",
            ),
        };
        let call = self
            .settings
            .call(Method::Delete, &path, name, self.visitor_token.expose());
        self.api.send(call).await.map(drop)
    }
}

#[async_trait]
impl ChatSender for Outbound {
    async fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        let engagement = self.engagement.borrow().clone();
        if let Outgoing::Leave = message {
            return Ok(self.leave(engagement.as_deref()).await?);
        }
        // Glia's visitor typing API is not public.
        if let Outgoing::Typing(_) = message {
            return Ok(());
        }
        // The runtime holds messages until the engagement starts.
        let Some(engagement) = engagement else {
            return Err(SendError::Final(ConnectorError::Config {
                system: SYSTEM.into(),
                detail: "a message went before the engagement started".into(),
            }));
        };
        let sent = match message {
            Outgoing::Opening => {
                let first = uuid::Uuid::new_v4().to_string();
                let context = Some(self.context.clone());
                self.put_message(&engagement, &first, &self.title, context)
                    .await
            }
            Outgoing::Text { key, text } => {
                let id = message_uuid(&self.key, key);
                self.put_message(&engagement, &id, text, None).await
            }
            Outgoing::File { key, file } => {
                let id = message_uuid(&self.key, key);
                self.send_file(&engagement, &id, file).await
            }
            Outgoing::Typing(_) | Outgoing::Leave => Ok(()),
        };
        Ok(sent?)
    }

    /// The error alone, as this connector always said it (the file is named by the call).
    fn failure(&self, _message: &Outgoing, error: &ConnectorError) -> String {
        error.to_string()
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
