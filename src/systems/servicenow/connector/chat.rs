//! One live `ServiceNow` chat: user commands out as Bot Integration requests, response
//! envelopes in as [`ChatEvent`]s.
//!
//! | `ServiceNow` item | `ChatEvent` |
//! |---|---|
//! | `ActionMsg/StartSpinner` (`waitTime`) | `Queued` with the estimate |
//! | `ActionMsg/SwitchToLiveAgent` (+ `agentInfo`, [`super::inferred`]) | `AgentJoined`; another after a transfer notice is a transfer: `Transferred`, `AgentLeft`, `AgentJoined`; another without one is a second agent joining the others (a barge-in): `AgentJoined` |
//! | `OutputText` with `agentInfo` | `AgentMessage` (`on_behalf` unless `sentFromAgent`); `AgentJoined` first if the agent was not named yet |
//! | `OutputText` without `agentInfo`, `ActionMsg/System` | `SystemMessage` |
//! | `OutputLink` with `agentInfo`, or while an agent is in the chat ([`super::inferred::agent_file`]) | `AgentFile` (type from the item or guessed from the name, size unknown); `AgentJoined` first if the agent was not named yet |
//! | `OutputLink` with no agent, or one without a usable link | `SystemMessage` (the link; or `ServiceNow` and what was wrong) |
//! | `ActionMsg/Start…TypingIndicator…` / `End…` | `Typing` |
//! | `ActionMsg/SwitchToVirtualAgent` | `AgentLeft` |
//! | `ActionMsg/System` refusing an attachment ([`super::inferred`]) | `SystemMessage` naming `ServiceNow` |
//! | envelope `completed` or `takeControl` | `Ended`: by the agent, or timeout / no agent if none joined |

use super::hooks::Hooks;
use super::inferred;
use super::link;
use super::wire::{self, BotAttachment, BotMessage, BotRequest, Envelope, Item};
use super::{SYSTEM, Settings, request_id};
use crate::connectors::files::FileShelf;
use crate::connectors::http::Api;
use crate::connectors::runtime::{self, ChatSender, Mapped, Outgoing, SendError, Step, SystemChat};
use crate::connectors::{ChatEvent, ConnectorError, FileUpload};
use crate::protocol::{AgentInfo, EndReason, now_millis};
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The inbound half of one chat: response envelopes mapped to [`ChatEvent`]s.
pub struct Chat {
    session: String,
    hooks: Arc<Hooks>,
    inbox: mpsc::Receiver<Envelope>,
    agent: Option<String>,
    /// The other agents in the chat, after a barge-in; at most [`crate::desk::MAX_AGENTS`].
    others: Vec<String>,
    /// A transfer was announced: the next agent to join replaces the agent.
    transferring: bool,
    awaiting_name: bool,
    last_agent: Option<String>,
    timed_out: bool,
}

impl Chat {
    pub(super) fn new(session: String, hooks: Arc<Hooks>, inbox: mpsc::Receiver<Envelope>) -> Self {
        Self {
            session,
            hooks,
            inbox,
            agent: None,
            others: Vec::new(),
            transferring: false,
            awaiting_name: false,
            last_agent: None,
            timed_out: false,
        }
    }

    fn malformed(detail: impl std::fmt::Display) -> ConnectorError {
        ConnectorError::Payload {
            system: SYSTEM.into(),
            call: "response endpoint".into(),
            detail: detail.to_string(),
        }
    }

    fn envelope(&mut self, envelope: Envelope) -> Mapped {
        let mut events = Vec::new();
        for raw in envelope.body {
            if raw.get("uiType").and_then(Value::as_str) == Some(inferred::OUTPUT_LINK) {
                events.extend(self.link(raw));
                continue;
            }
            match serde_json::from_value::<Item>(raw) {
                Ok(item) => events.extend(self.item(&item)),
                Err(e) => events.push(runtime::report(&self.session, &Self::malformed(e))),
            }
        }
        if !(envelope.completed || envelope.take_control) {
            return Mapped::go(events);
        }
        let reason = match &self.last_agent {
            Some(agent) => EndReason::Agent {
                agent: agent.clone(),
            },
            None if self.timed_out => EndReason::Timeout,
            None => EndReason::NoAgent { reason: None },
        };
        events.push(ChatEvent::Ended { reason });
        Mapped::then(events, Step::Done)
    }

    fn joined(&mut self, info: &wire::AgentInfo) -> Vec<ChatEvent> {
        let mut out = Vec::new();
        self.others.retain(|a| *a != info.agent_name);
        if let Some(previous) = self.agent.take()
            && previous != info.agent_name
        {
            if self.transferring {
                out.push(ChatEvent::Transferred {
                    to: Some(info.agent_name.clone()),
                });
                out.push(ChatEvent::AgentLeft { agent: previous });
            } else if self.others.len() < crate::desk::MAX_AGENTS {
                // A second agent joins beside the first: both stay in the chat.
                self.others.push(previous);
            }
        }
        self.transferring = false;
        self.agent = Some(info.agent_name.clone());
        self.awaiting_name = false;
        self.last_agent = Some(info.agent_name.clone());
        out.push(ChatEvent::AgentJoined {
            agent: agent_info(info, false),
        });
        out
    }

    /// `AgentJoined` (and a transfer) first when `info` names an agent not yet known here.
    fn named(&mut self, info: &wire::AgentInfo) -> Vec<ChatEvent> {
        let known = self.agent.as_deref() == Some(info.agent_name.as_str())
            || self.others.contains(&info.agent_name);
        if self.awaiting_name || !known {
            return self.joined(info);
        }
        Vec::new()
    }

    /// An `OutputLink`: a live agent's file ([`inferred::agent_file`]); a link no agent sent
    /// is shown as a system line; one that cannot be read says why.
    fn link(&mut self, raw: Value) -> Vec<ChatEvent> {
        let linked = match link::read(raw) {
            Ok(linked) => linked,
            Err(why) => {
                tracing::warn!(system = SYSTEM, session = %self.session, why, "agent file unreadable");
                return vec![ChatEvent::SystemMessage {
                    text: format!("{SYSTEM}: an agent's file could not be read: {why}"),
                }];
            }
        };
        let file = linked.file;
        let mut out = Vec::new();
        // Without `agentInfo` (names and avatars off), the agent in the chat sent it.
        let agent = match (&linked.agent, &self.agent) {
            (Some(info), _) => {
                out = self.named(info);
                agent_info(info, !info.sent_from_agent)
            }
            (None, Some(name)) => AgentInfo {
                name: name.clone(),
                avatar: None,
                on_behalf: false,
            },
            (None, None) => {
                let url = file.url.unwrap_or_default();
                return vec![ChatEvent::SystemMessage {
                    text: format!("{}: {url}", file.name),
                }];
            }
        };
        out.push(ChatEvent::AgentFile { agent, file });
        out
    }

    fn item(&mut self, item: &Item) -> Vec<ChatEvent> {
        let text = item
            .value
            .clone()
            .or_else(|| item.label.clone())
            .or_else(|| item.message.clone());
        match (item.ui_type.as_str(), item.action_type.as_deref()) {
            ("ActionMsg", Some("StartSpinner")) => vec![ChatEvent::Queued {
                position: None,
                eta_secs: item.wait_time.as_deref().and_then(wire::wait_secs),
            }],
            ("ActionMsg", Some("SwitchToLiveAgent")) => match &item.agent_info {
                Some(info) => self.joined(info),
                None => {
                    self.awaiting_name = true;
                    Vec::new()
                }
            },
            ("ActionMsg", Some("SwitchToVirtualAgent")) => match self.agent.take() {
                Some(agent) => {
                    self.agent = None;
                    vec![ChatEvent::AgentLeft { agent }]
                }
                None => Vec::new(),
            },
            ("ActionMsg", Some(kind))
                if kind.starts_with("StartTypingIndicator")
                    || kind.starts_with("EndTypingIndicator") =>
            {
                let agent = self.agent.clone().unwrap_or_else(|| "agent".into());
                vec![ChatEvent::Typing {
                    agent,
                    on: kind.starts_with("Start"),
                }]
            }
            ("ActionMsg", Some("System")) => {
                let mut text = text.unwrap_or_default();
                if inferred::is_timeout(&text) {
                    self.timed_out = true;
                }
                self.transferring |= inferred::is_transfer(&text);
                if inferred::is_attachment_refusal(&text) {
                    // The user must know which side refused the file.
                    text = format!("{SYSTEM}: {text}");
                }
                vec![ChatEvent::SystemMessage { text }]
            }
            ("ActionMsg", _) => Vec::new(),
            ("OutputText" | "DefaultText", _) => {
                let text = text.unwrap_or_default();
                match &item.agent_info {
                    Some(info) => {
                        let mut out = self.named(info);
                        out.push(ChatEvent::AgentMessage {
                            agent: agent_info(info, !info.sent_from_agent),
                            text,
                        });
                        out
                    }
                    None => vec![ChatEvent::SystemMessage { text }],
                }
            }
            (other, _) => {
                tracing::debug!(system = SYSTEM, ui_type = other, "item ignored");
                Vec::new()
            }
        }
    }
}

#[async_trait]
impl SystemChat for Chat {
    type Raw = Envelope;

    async fn next(&mut self) -> Option<Envelope> {
        self.inbox.recv().await
    }

    async fn inbound(&mut self, envelope: Envelope) -> Mapped {
        self.envelope(envelope)
    }

    async fn close(&mut self) {
        self.hooks.detach(&self.session);
    }
}

/// The outbound half of one chat: the user's messages as Bot Integration requests.
pub struct Outbound {
    session: String,
    user_id: String,
    email: Option<String>,
    settings: Arc<Settings>,
    api: Api,
    files: Arc<FileShelf>,
}

impl Outbound {
    pub(super) fn new(
        session: String,
        user: &crate::protocol::UserInfo,
        settings: Arc<Settings>,
        api: Api,
        files: Arc<FileShelf>,
    ) -> Self {
        Self {
            session,
            user_id: user.id.clone(),
            email: user.email.clone(),
            settings,
            api,
            files,
        }
    }

    fn request(
        &self,
        action: Option<&str>,
        text: &str,
        client_message_id: Option<String>,
    ) -> BotRequest {
        BotRequest {
            request_id: request_id(),
            action: action.map(str::to_owned),
            client_session_id: Some(self.session.clone()),
            user_id: self.user_id.clone(),
            email_id: self.email.clone(),
            message: Some(BotMessage {
                text: text.to_owned(),
                typed: true,
                client_message_id,
                attachment: Vec::new(),
            }),
            context_variables: None,
            history: None,
            timestamp: Some(now_millis()),
            timezone: None,
            app_inbound_id: self.settings.app_inbound_id.clone(),
        }
    }

    /// A plain message whose request id derives from the message id, so a retry is
    /// recognisable.
    fn message_request(&self, text: &str, client_message_id: &str) -> BotRequest {
        let mut request = self.request(None, text, Some(client_message_id.to_owned()));
        request.request_id = format!("{}-{client_message_id}", self.session);
        request
    }

    /// Puts `file` on the broker's shelf and sends its URL and secret; the instance fetches
    /// it from there.
    async fn send_file(
        &self,
        file: &FileUpload,
        client_message_id: &str,
    ) -> Result<(), ConnectorError> {
        let published = self
            .files
            .publish(file)
            .map_err(|e| ConnectorError::Config {
                system: SYSTEM.into(),
                detail: format!("cannot offer \"{}\" for fetching: {e}", file.name),
            })?;
        let mut request = self.message_request("", client_message_id);
        if let Some(message) = request.message.as_mut() {
            message.attachment = vec![BotAttachment {
                client_attachment_id: format!("{client_message_id}-1"),
                content_type: file.content_type.clone(),
                file_name: file.name.clone(),
                url: published.url,
                headers: std::iter::once((
                    "Authorization".to_owned(),
                    published.authorization.expose().to_owned(),
                ))
                .collect(),
            }];
        }
        self.settings
            .send_bot(&self.api, &request, "POST bot/integration (attachment)")
            .await
    }

    /// Sends an action (`TYPING`, `END_CONVERSATION`, ...) without text.
    async fn action(&self, action: &str) -> Result<(), ConnectorError> {
        let request = self.request(Some(action), "", None);
        let name = format!("POST bot/integration ({action})");
        self.settings.send_bot(&self.api, &request, &name).await
    }
}

#[async_trait]
impl ChatSender for Outbound {
    async fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        let sent = match message {
            Outgoing::Text { key, text } => {
                let request = self.message_request(text, key);
                self.settings
                    .send_bot(&self.api, &request, "POST bot/integration (message)")
                    .await
            }
            Outgoing::File { key, file } => self.send_file(file, key).await,
            Outgoing::Typing(true) => self.action("TYPING").await,
            Outgoing::Typing(false) => self.action("VIEWING").await,
            Outgoing::Leave => self.action("END_CONVERSATION").await,
            Outgoing::Opening => Ok(()),
        };
        Ok(sent?)
    }

    /// The error alone, as this connector always said it (the file is named by the call).
    fn failure(&self, _message: &Outgoing, error: &ConnectorError) -> String {
        error.to_string()
    }
}

fn agent_info(info: &wire::AgentInfo, on_behalf: bool) -> AgentInfo {
    AgentInfo {
        name: info.agent_name.clone(),
        avatar: info.agent_avatar.clone(),
        on_behalf,
    }
}
