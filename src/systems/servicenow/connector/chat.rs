//! One live `ServiceNow` chat: user commands out as Bot Integration requests, response
//! envelopes in as [`ChatEvent`]s.
//!
//! | `ServiceNow` item | `ChatEvent` |
//! |---|---|
//! | `ActionMsg/StartSpinner` (`waitTime`) | `Queued` with the estimate |
//! | `ActionMsg/SwitchToLiveAgent` (+ `agentInfo`, [`super::inferred`]) | `AgentJoined`; a second one is a transfer: `Transferred`, `AgentLeft`, `AgentJoined` |
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
use crate::connectors::{ChatCommand, ChatEvent, ConnectorError, FileUpload};
use crate::protocol::{AgentInfo, EndReason, now_millis};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Commands waiting for the chat task.
pub const COMMAND_QUEUE: usize = 32;
/// Events waiting for the broker.
pub const EVENT_QUEUE: usize = 64;

/// The state of one chat.
pub struct Chat {
    session: String,
    user_id: String,
    email: Option<String>,
    settings: Arc<Settings>,
    api: Api,
    hooks: Arc<Hooks>,
    files: Arc<FileShelf>,
    events: mpsc::Sender<ChatEvent>,
    agent: Option<String>,
    awaiting_name: bool,
    last_agent: Option<String>,
    timed_out: bool,
}

impl Chat {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        session: String,
        user_id: String,
        email: Option<String>,
        settings: Arc<Settings>,
        api: Api,
        hooks: Arc<Hooks>,
        files: Arc<FileShelf>,
        events: mpsc::Sender<ChatEvent>,
    ) -> Self {
        Self {
            session,
            user_id,
            email,
            settings,
            api,
            hooks,
            files,
            events,
            agent: None,
            awaiting_name: false,
            last_agent: None,
            timed_out: false,
        }
    }

    /// Runs until the chat ends, the broker drops the link, or the commands close.
    pub async fn run(
        mut self,
        mut commands: mpsc::Receiver<ChatCommand>,
        mut inbox: mpsc::Receiver<Envelope>,
    ) {
        loop {
            let done = tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.command(command).await,
                    None => true,
                },
                envelope = inbox.recv() => match envelope {
                    Some(envelope) => self.envelope(envelope).await,
                    None => true,
                },
            };
            if done {
                break;
            }
        }
        self.hooks.detach(&self.session);
    }

    async fn emit(&self, event: ChatEvent) -> bool {
        self.events.send(event).await.is_ok()
    }

    async fn report(&self, error: &ConnectorError) -> bool {
        tracing::warn!(system = SYSTEM, session = %self.session, error = %error, "chat error");
        self.emit(ChatEvent::SystemMessage {
            text: error.to_string(),
        })
        .await
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

    async fn command(&mut self, command: ChatCommand) -> bool {
        let result = match command {
            ChatCommand::Text {
                text,
                client_message_id,
            } => {
                let request = self.message_request(&text, &client_message_id);
                self.settings
                    .send_bot(&self.api, &request, "POST bot/integration (message)")
                    .await
            }
            ChatCommand::File {
                file,
                client_message_id,
            } => self.send_file(&file, &client_message_id).await,
            ChatCommand::Typing(on) => {
                let action = if on { "TYPING" } else { "VIEWING" };
                let request = self.request(Some(action), "", None);
                self.settings
                    .send_bot(
                        &self.api,
                        &request,
                        &format!("POST bot/integration ({action})"),
                    )
                    .await
            }
            ChatCommand::End | ChatCommand::Withdraw { .. } => {
                let request = self.request(Some("END_CONVERSATION"), "", None);
                if let Err(e) = self
                    .settings
                    .send_bot(
                        &self.api,
                        &request,
                        "POST bot/integration (END_CONVERSATION)",
                    )
                    .await
                {
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

    fn malformed(detail: impl std::fmt::Display) -> ConnectorError {
        ConnectorError::Payload {
            system: SYSTEM.into(),
            call: "response endpoint".into(),
            detail: detail.to_string(),
        }
    }

    async fn envelope(&mut self, envelope: Envelope) -> bool {
        for raw in envelope.body {
            let events = if raw.get("uiType").and_then(Value::as_str) == Some(inferred::OUTPUT_LINK)
            {
                self.link(raw)
            } else {
                match serde_json::from_value::<Item>(raw) {
                    Ok(item) => self.item(&item),
                    Err(e) => {
                        if !self.report(&Self::malformed(e)).await {
                            return true;
                        }
                        continue;
                    }
                }
            };
            for event in events {
                if !self.emit(event).await {
                    return true;
                }
            }
        }
        if envelope.completed || envelope.take_control {
            let reason = match &self.last_agent {
                Some(agent) => EndReason::Agent {
                    agent: agent.clone(),
                },
                None if self.timed_out => EndReason::Timeout,
                None => EndReason::NoAgent { reason: None },
            };
            self.emit(ChatEvent::Ended { reason }).await;
            return true;
        }
        false
    }

    fn joined(&mut self, info: &wire::AgentInfo) -> Vec<ChatEvent> {
        let mut out = Vec::new();
        if let Some(previous) = self.agent.take()
            && previous != info.agent_name
        {
            out.push(ChatEvent::Transferred {
                to: Some(info.agent_name.clone()),
            });
            out.push(ChatEvent::AgentLeft { agent: previous });
        }
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
        if self.awaiting_name || self.agent.as_deref() != Some(info.agent_name.as_str()) {
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

fn agent_info(info: &wire::AgentInfo, on_behalf: bool) -> AgentInfo {
    AgentInfo {
        name: info.agent_name.clone(),
        avatar: info.agent_avatar.clone(),
        on_behalf,
    }
}
