//! One live 8x8 chat: user commands out as API calls, webhook events in as [`ChatEvent`]s.
//!
//! Mapping (webhooks-events-reference):
//!
//! | 8x8 event | `ChatEvent` |
//! |---|---|
//! | `QUEUED` | `Queued` |
//! | `AGENT_JOINED{agentId, agentName}` (chat workflow: the only place with the name) | `AgentJoined` |
//! | `MEMBERS_CHANGED{agent, joined}` | `AgentJoined` unless `AGENT_JOINED` told it ([`super::names`]) |
//! | `MESSAGE{sender.type: agent}` (not an echo) | `AgentMessage` (when it has text or no file), then `AgentFile` per attachment ([`download`]) |
//! | `ACTIVITY{typing, users}` | `Typing` on for listed agents, off when the list empties |
//! | `TRANSFER` | `Transferred`; the next agent `left` does not end the chat |
//! | `MEMBERS_CHANGED{agent, left}` | `AgentLeft`, then `Ended(agent)` unless transferring |
//! | `CONVERSATION_UPDATE{state: closed}` ([`super::inferred`]) | `Ended(timeout / no agent)` |
//!
//! A failed API call or an event that cannot be read becomes a `SystemMessage` naming the
//! system, the call and the status; the chat goes on. [`Chat`] maps what comes in,
//! [`Outbound`] what goes out; [`crate::connectors::runtime`] runs them.

use super::attachment;
use super::download;
use super::hooks::Hooks;
use super::inferred::{self, Closed};
use super::names::Names;
use super::wire::{
    ActivityData, MembersChanged, MessageData, RemoveUser, SendMessage, Typing, WebhookEvent,
};
use super::{SYSTEM, Settings};
use crate::connectors::http::{Api, Method};
use crate::connectors::runtime::{
    self, ChatSender, Mapped, Outgoing, SendError, Step, SystemChat, agent,
};
use crate::connectors::{ChatEvent, ConnectorError};
use crate::protocol::EndReason;
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The inbound half of one chat: webhook events mapped to [`ChatEvent`]s.
pub struct Chat {
    id: String,
    hooks: Arc<Hooks>,
    inbox: mpsc::Receiver<WebhookEvent>,
    names: Names,
    transferring: bool,
    typing: Vec<String>,
}

impl Chat {
    pub(super) fn new(id: String, hooks: Arc<Hooks>, inbox: mpsc::Receiver<WebhookEvent>) -> Self {
        Self {
            id,
            hooks,
            inbox,
            names: Names::default(),
            transferring: false,
            typing: Vec::new(),
        }
    }

    fn malformed(event: &str, detail: impl std::fmt::Display) -> ConnectorError {
        ConnectorError::Payload {
            system: SYSTEM.into(),
            call: format!("webhook {event}"),
            detail: detail.to_string(),
        }
    }

    fn data<T: serde::de::DeserializeOwned>(event: &WebhookEvent) -> Result<T, ConnectorError> {
        let data = event
            .data
            .clone()
            .ok_or_else(|| Self::malformed(&event.event_type, "no data"))?;
        serde_json::from_value(data).map_err(|e| Self::malformed(&event.event_type, e))
    }

    fn translate(&mut self, event: &WebhookEvent) -> Result<Mapped, ConnectorError> {
        Ok(match event.event_type.as_str() {
            "QUEUED" => Mapped::go(vec![runtime::queued()]),
            "MEMBERS_CHANGED" => self.members(&Self::data(event)?)?,
            "TRANSFER" => {
                self.transferring = true;
                Mapped::go(vec![ChatEvent::Transferred { to: None }])
            }
            "MESSAGE" => {
                let m: MessageData = Self::data(event)?;
                if m.is_echo || m.sender.kind != "agent" {
                    return Ok(Mapped::default());
                }
                let who = agent(&self.names.name(&m.sender.id));
                let mut out = Vec::new();
                // A message carrying only files has an empty text: no empty bubble for it.
                if !m.text.is_empty() || m.attachments.is_empty() {
                    out.push(ChatEvent::AgentMessage {
                        agent: who.clone(),
                        text: m.text,
                    });
                }
                out.extend(download::agent_files(&who, m.attachments));
                Mapped::go(out)
            }
            "ACTIVITY" => self.activity(Self::data(event)?),
            "CONVERSATION_UPDATE" => {
                let data = event
                    .data
                    .as_ref()
                    .ok_or_else(|| Self::malformed("CONVERSATION_UPDATE", "no data"))?;
                match inferred::closed(data) {
                    Some(Closed::Timeout) => Mapped::ended(EndReason::Timeout),
                    Some(Closed::NoAgent) => Mapped::ended(EndReason::NoAgent { reason: None }),
                    None => Mapped::default(),
                }
            }
            "AGENT_JOINED" => {
                let id = event.agent_id.clone().unwrap_or_default();
                let name = event.agent_name.clone().unwrap_or_else(|| id.clone());
                self.names.learn(&id, &name);
                if !self.names.join(&id) {
                    return Ok(Mapped::default());
                }
                Mapped::go(vec![ChatEvent::AgentJoined {
                    agent: agent(&name),
                }])
            }
            other => {
                tracing::debug!(system = SYSTEM, event = other, "event ignored");
                Mapped::default()
            }
        })
    }

    /// An agent joined or left; leaving ends the chat unless a transfer is under way.
    fn members(&mut self, m: &MembersChanged) -> Result<Mapped, ConnectorError> {
        if m.member_type != "agent" {
            return Ok(Mapped::default());
        }
        let name = self.names.name(&m.id);
        match m.change.as_str() {
            "joined" if !self.names.join(&m.id) => return Ok(Mapped::default()),
            "joined" | "left" => {}
            other => {
                let detail = format!("unknown change {other:?}");
                return Err(Self::malformed("MEMBERS_CHANGED", detail));
            }
        }
        if m.change == "joined" {
            let joined = ChatEvent::AgentJoined {
                agent: agent(&name),
            };
            return Ok(Mapped::go(vec![joined]));
        }
        self.names.leave(&m.id);
        let left = ChatEvent::AgentLeft {
            agent: name.clone(),
        };
        if self.transferring {
            self.transferring = false;
            return Ok(Mapped::go(vec![left]));
        }
        let ended = ChatEvent::Ended {
            reason: EndReason::Agent { agent: name },
        };
        Ok(Mapped::then(vec![left, ended], Step::Done))
    }

    /// Typing on for agents newly in the list, off for those gone from it.
    fn activity(&mut self, a: ActivityData) -> Mapped {
        if a.name != "typing" {
            return Mapped::default();
        }
        let now: Vec<String> = a
            .value
            .unwrap_or_default()
            .users
            .into_iter()
            .filter(|u| u.kind == "agent")
            .map(|u| u.id)
            .collect();
        let mut out = Vec::new();
        for id in self.typing.clone() {
            if !now.contains(&id) {
                out.push(ChatEvent::Typing {
                    agent: self.names.name(&id),
                    on: false,
                });
            }
        }
        for id in &now {
            if !self.typing.contains(id) {
                out.push(ChatEvent::Typing {
                    agent: self.names.name(id),
                    on: true,
                });
            }
        }
        self.typing = now;
        Mapped::go(out)
    }
}

#[async_trait]
impl SystemChat for Chat {
    type Raw = WebhookEvent;

    async fn next(&mut self) -> Option<WebhookEvent> {
        self.inbox.recv().await
    }

    async fn inbound(&mut self, event: WebhookEvent) -> Mapped {
        match self.translate(&event) {
            Ok(mapped) => mapped,
            Err(e) => Mapped::report(&self.id, &e),
        }
    }

    async fn close(&mut self) {
        self.hooks.detach(&self.id);
    }
}

/// The outbound half of one chat: the user's messages as API calls.
pub struct Outbound {
    id: String,
    settings: Arc<Settings>,
    api: Api,
}

impl Outbound {
    pub(super) fn new(id: String, settings: Arc<Settings>, api: Api) -> Self {
        Self { id, settings, api }
    }

    async fn post(
        &self,
        path: &str,
        name: &str,
        body: &impl serde::Serialize,
    ) -> Result<(), SendError> {
        let call = self.settings.call(Method::Post, path, name).json(body);
        Ok(self.api.send(call).await.map(drop)?)
    }
}

#[async_trait]
impl ChatSender for Outbound {
    async fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        let path = format!("/conversations/{}", self.id);
        match message {
            Outgoing::Text { key, text } => {
                tracing::debug!(system = SYSTEM, id = %self.id, client_message_id = key, "sending");
                let body = SendMessage {
                    author_type: "user".into(),
                    text: text.clone(),
                    attachments: Vec::new(),
                };
                let name = "POST /conversations/{id}/messages";
                self.post(&format!("{path}/messages"), name, &body).await
            }
            Outgoing::File { key, file } => {
                tracing::debug!(system = SYSTEM, id = %self.id, client_message_id = key, size = file.size(), "sending a file");
                let attachment =
                    attachment::send(&self.settings, &self.api, &self.id, file).await?;
                tracing::info!(system = SYSTEM, id = %self.id, attachment, "file sent");
                Ok(())
            }
            Outgoing::Typing(true) => {
                let body = Typing {
                    author_type: "user".into(),
                };
                let name = "POST /conversations/{id}/typing";
                self.post(&format!("{path}/typing"), name, &body).await
            }
            Outgoing::Typing(false) | Outgoing::Opening => Ok(()),
            Outgoing::Leave => {
                let call = self
                    .settings
                    .call(
                        Method::Patch,
                        &format!("{path}/participants/user"),
                        "PATCH /conversations/{id}/participants/user",
                    )
                    .json(&RemoveUser { removed: true });
                Ok(self.api.send(call).await.map(drop)?)
            }
        }
    }
}
