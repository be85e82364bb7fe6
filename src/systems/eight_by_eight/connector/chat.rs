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
//! system, the call and the status; the chat goes on.

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
use crate::connectors::{ChatCommand, ChatEvent, ConnectorError};
use crate::protocol::{AgentInfo, EndReason};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Commands waiting for the chat task.
pub const COMMAND_QUEUE: usize = 32;
/// Events waiting for the broker.
pub const EVENT_QUEUE: usize = 64;

/// The state of one chat.
pub struct Chat {
    id: String,
    settings: Arc<Settings>,
    api: Api,
    hooks: Arc<Hooks>,
    events: mpsc::Sender<ChatEvent>,
    names: Names,
    transferring: bool,
    typing: Vec<String>,
}

impl Chat {
    pub(super) fn new(
        id: String,
        settings: Arc<Settings>,
        api: Api,
        hooks: Arc<Hooks>,
        events: mpsc::Sender<ChatEvent>,
    ) -> Self {
        Self {
            id,
            settings,
            api,
            hooks,
            events,
            names: Names::default(),
            transferring: false,
            typing: Vec::new(),
        }
    }

    /// Runs until the chat ends, the broker drops the link, or the commands close.
    pub async fn run(
        mut self,
        mut commands: mpsc::Receiver<ChatCommand>,
        mut inbox: mpsc::Receiver<WebhookEvent>,
    ) {
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
        self.hooks.detach(&self.id);
        tracing::info!(system = SYSTEM, id = %self.id, "chat task finished");
    }

    /// Sends `event` to the broker; false when the broker is gone.
    async fn emit(&self, event: ChatEvent) -> bool {
        self.events.send(event).await.is_ok()
    }

    async fn report(&self, error: &ConnectorError) -> bool {
        tracing::warn!(system = SYSTEM, id = %self.id, error = %error, "chat error");
        self.emit(ChatEvent::SystemMessage {
            text: error.to_string(),
        })
        .await
    }

    /// Reports a file that did not reach the agent, naming it.
    async fn report_file(&self, name: &str, error: &ConnectorError) -> bool {
        tracing::warn!(system = SYSTEM, id = %self.id, error = %error, "file not sent");
        self.emit(ChatEvent::SystemMessage {
            text: format!("{error} ({name:?} was not sent)"),
        })
        .await
    }

    /// Handles a broker command; true when the chat is over.
    async fn command(&mut self, command: ChatCommand) -> bool {
        let path = format!("/conversations/{}", self.id);
        let result = match command {
            ChatCommand::Text {
                text,
                client_message_id,
            } => {
                tracing::debug!(system = SYSTEM, id = %self.id, client_message_id, "sending");
                let body = SendMessage {
                    author_type: "user".into(),
                    text,
                    attachments: Vec::new(),
                };
                let call = self
                    .settings
                    .call(
                        Method::Post,
                        &format!("{path}/messages"),
                        "POST /conversations/{id}/messages",
                    )
                    .json(&body);
                self.api.send(call).await.map(drop)
            }
            ChatCommand::File {
                file,
                client_message_id,
            } => {
                tracing::debug!(system = SYSTEM, id = %self.id, client_message_id, size = file.size(), "sending a file");
                return match attachment::send(&self.settings, &self.api, &self.id, &file).await {
                    Ok(attachment) => {
                        tracing::info!(system = SYSTEM, id = %self.id, attachment, "file sent");
                        false
                    }
                    Err(e) => !self.report_file(&file.name, &e).await,
                };
            }
            ChatCommand::Typing(false) => Ok(()),
            ChatCommand::Typing(true) => {
                let body = Typing {
                    author_type: "user".into(),
                };
                let call = self
                    .settings
                    .call(
                        Method::Post,
                        &format!("{path}/typing"),
                        "POST /conversations/{id}/typing",
                    )
                    .json(&body);
                self.api.send(call).await.map(drop)
            }
            ChatCommand::End | ChatCommand::Withdraw { .. } => {
                let call = self
                    .settings
                    .call(
                        Method::Patch,
                        &format!("{path}/participants/user"),
                        "PATCH /conversations/{id}/participants/user",
                    )
                    .json(&RemoveUser { removed: true });
                if let Err(e) = self.api.send(call).await {
                    self.report(&e).await;
                }
                self.emit(ChatEvent::Ended {
                    reason: EndReason::User,
                })
                .await;
                return true;
            }
        };
        match result {
            Ok(()) => false,
            Err(e) => !self.report(&e).await,
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

    /// Handles a webhook event; true when the chat is over (or the broker is gone).
    async fn event(&mut self, event: WebhookEvent) -> bool {
        match self.translate(&event) {
            Ok((events, done)) => {
                for e in events {
                    if !self.emit(e).await {
                        return true;
                    }
                }
                done
            }
            Err(e) => !self.report(&e).await,
        }
    }

    fn translate(
        &mut self,
        event: &WebhookEvent,
    ) -> Result<(Vec<ChatEvent>, bool), ConnectorError> {
        let none = Ok((Vec::new(), false));
        match event.event_type.as_str() {
            "QUEUED" => Ok((
                vec![ChatEvent::Queued {
                    position: None,
                    eta_secs: None,
                }],
                false,
            )),
            "MEMBERS_CHANGED" => {
                let m: MembersChanged = Self::data(event)?;
                if m.member_type != "agent" {
                    return none;
                }
                match m.change.as_str() {
                    "joined" => {
                        if !self.names.join(&m.id) {
                            return none;
                        }
                        let name = self.names.name(&m.id);
                        Ok((
                            vec![ChatEvent::AgentJoined {
                                agent: agent(&name),
                            }],
                            false,
                        ))
                    }
                    "left" => {
                        let name = self.names.name(&m.id);
                        self.names.leave(&m.id);
                        let mut out = vec![ChatEvent::AgentLeft {
                            agent: name.clone(),
                        }];
                        if self.transferring {
                            self.transferring = false;
                            return Ok((out, false));
                        }
                        out.push(ChatEvent::Ended {
                            reason: EndReason::Agent { agent: name },
                        });
                        Ok((out, true))
                    }
                    other => Err(Self::malformed(
                        "MEMBERS_CHANGED",
                        format!("unknown change {other:?}"),
                    )),
                }
            }
            "TRANSFER" => {
                self.transferring = true;
                Ok((vec![ChatEvent::Transferred { to: None }], false))
            }
            "MESSAGE" => {
                let m: MessageData = Self::data(event)?;
                if m.is_echo || m.sender.kind != "agent" {
                    return none;
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
                Ok((out, false))
            }
            "ACTIVITY" => {
                let a: ActivityData = Self::data(event)?;
                if a.name != "typing" {
                    return none;
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
                Ok((out, false))
            }
            "CONVERSATION_UPDATE" => {
                let data = event
                    .data
                    .clone()
                    .ok_or_else(|| Self::malformed("CONVERSATION_UPDATE", "no data"))?;
                match inferred::closed(&data) {
                    Some(Closed::Timeout) => Ok((
                        vec![ChatEvent::Ended {
                            reason: EndReason::Timeout,
                        }],
                        true,
                    )),
                    Some(Closed::NoAgent) => Ok((
                        vec![ChatEvent::Ended {
                            reason: EndReason::NoAgent { reason: None },
                        }],
                        true,
                    )),
                    None => none,
                }
            }
            "AGENT_JOINED" => {
                let id = event.agent_id.clone().unwrap_or_default();
                let name = event.agent_name.clone().unwrap_or_else(|| id.clone());
                self.names.learn(&id, &name);
                if !self.names.join(&id) {
                    return none;
                }
                Ok((
                    vec![ChatEvent::AgentJoined {
                        agent: agent(&name),
                    }],
                    false,
                ))
            }
            other => {
                tracing::debug!(system = SYSTEM, event = other, "event ignored");
                none
            }
        }
    }
}

fn agent(name: &str) -> AgentInfo {
    AgentInfo {
        name: name.to_owned(),
        avatar: None,
        on_behalf: false,
    }
}
