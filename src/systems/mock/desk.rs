//! The task that owns the mock desk: the desk model ([`crate::desk`]) with what a model cannot
//! do itself, namely the chats' channels, latency, the autopilot and timers.

use super::{Command, DeskConfig, fill_template};
use crate::connectors::{
    ChatCommand, ChatEvent, ChatLink, DeskAction, DeskError, DeskEvent, HISTORY_LIMIT_BYTES,
    HandoffRequest, Started,
};
use crate::desk::{self, Desk, Effect, Policy, Stage, UserNote};
use crate::protocol::{
    AgentInfo, ConversationEvent, ConversationId, DeskAgent, EndReason, HandoffStyle,
};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

pub(super) struct State {
    config: DeskConfig,
    model: Desk,
    /// The user side of every conversation the model holds (waiting or live); dropped as
    /// soon as the model lets the conversation go, so bounded by the model's bounds.
    links: HashMap<ConversationId, mpsc::Sender<ChatEvent>>,
    events: mpsc::Sender<DeskEvent>,
    /// Weak, so the actor ends when the last handle is dropped.
    commands: mpsc::WeakSender<Command>,
}

impl State {
    pub(super) fn new(
        config: DeskConfig,
        events: mpsc::Sender<DeskEvent>,
        commands: mpsc::WeakSender<Command>,
    ) -> Self {
        // Only a brokered desk rings agents: api and channel requests wait for an agent to
        // pick them up. Barge-in is always allowed here.
        let policy = Policy {
            barge_in: true,
            ring: config.style == HandoffStyle::Brokered,
        };
        Self {
            model: Desk::new(policy, config.agents.iter().cloned()),
            config,
            links: HashMap::new(),
            events,
            commands,
        }
    }

    pub(super) async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        self.publish_agents().await;
        while let Some(cmd) = rx.recv().await {
            match cmd {
                Command::Start(request, reply) => {
                    let started = self.start(*request).await;
                    let _ = reply.send(started);
                }
                Command::FromUser(conv, cmd) => self.on_user_command(conv, cmd).await,
                Command::Agent(agent, action, reply) => {
                    let result = self.agent_action(&agent, action).await;
                    let _ = reply.send(result);
                }
                Command::Agents(reply) => {
                    let _ = reply.send(self.model.agents().to_vec());
                }
                Command::Autopilot(conv, agent) => {
                    if self.model.stage(&conv) == Some(Stage::Waiting) {
                        let _ = self.agent_action(&agent, DeskAction::Accept(conv)).await;
                    }
                }
                Command::ExpireQueue(conv, reply) => {
                    let expired = self
                        .apply(desk::Command::Timeout { conversation: conv })
                        .await;
                    let _ = reply.send(expired);
                }
                Command::QueueTimeout(conv) => {
                    if self.model.stage(&conv) == Some(Stage::Waiting) {
                        let _ = self
                            .apply(desk::Command::Timeout { conversation: conv })
                            .await;
                    }
                }
            }
        }
    }

    /// Places the request in the style the desk acts as; every style opens a chat.
    async fn start(&mut self, request: HandoffRequest) -> Result<Started, DeskError> {
        Ok(match self.config.style {
            // The chat page (url), the bot redirected to (api) and the channel's agent (channel)
            // carry the conversation on; the mock desk plays them with a chat the broker
            // relays, which starts when an agent picks the request up.
            HandoffStyle::Url => {
                let url = fill_template(&self.config.url_template, &request)?;
                Started::Redirect {
                    url,
                    via: None,
                    chat: Some(self.open_chat(request).await?),
                }
            }
            HandoffStyle::Api => {
                let url = fill_template(&self.config.redirect_url_template, &request)?;
                let chat = self.open_chat(request).await?;
                Started::Redirect {
                    url,
                    via: Some(self.config.redirect_bot.clone()),
                    chat: Some(chat),
                }
            }
            HandoffStyle::Channel => Started::Posted {
                channel: self.config.channel.clone(),
                chat: Some(self.open_chat(request).await?),
            },
            HandoffStyle::Brokered => Started::Chat(self.open_chat(request).await?),
        })
    }

    /// Queues the request with a live chat that starts when an agent accepts.
    async fn open_chat(&mut self, request: HandoffRequest) -> Result<ChatLink, DeskError> {
        let conv = request.conversation.clone();
        let queued_at = self.config.clock.now_millis();
        let effects = self.model.handle(desk::Command::Open {
            conversation: conv.clone(),
            label: conv.clone(),
            at: queued_at,
        })?;
        let (cmd_tx, cmd_rx) = mpsc::channel::<ChatCommand>(64);
        let (event_tx, event_rx) = mpsc::channel::<ChatEvent>(256);
        self.forward_user_side(conv.clone(), cmd_rx);
        self.links
            .insert(conv.clone(), delay_line(event_tx, self.config.latency));
        // Agents hear of the request before anyone is rung for it.
        self.desk_event(&conv, request_event(&request, queued_at, self.config.style))
            .await;
        self.pass_on(effects).await;
        if let Some(timeout) = self.config.queue_timeout {
            self.later(timeout, Command::QueueTimeout(conv));
        }
        Ok(ChatLink {
            commands: cmd_tx,
            events: event_rx,
        })
    }

    /// Forwards the user's side of a chat into the actor: only what the desk acts on, so a
    /// relayed message costs the actor no turn when no autopilot answers it.
    fn forward_user_side(&self, conv: ConversationId, mut rx: mpsc::Receiver<ChatCommand>) {
        let desk = self.commands.clone();
        let autopilot = self.config.autopilot.is_some();
        tokio::spawn(async move {
            let Some(desk) = desk.upgrade() else { return };
            while let Some(cmd) = rx.recv().await {
                if !acted_on(&cmd, autopilot) {
                    continue;
                }
                if desk
                    .send(Command::FromUser(conv.clone(), cmd))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
    }

    async fn on_user_command(&mut self, conv: ConversationId, cmd: ChatCommand) {
        let reason = match cmd {
            ChatCommand::End => EndReason::User,
            ChatCommand::Withdraw { reason } => reason,
            ChatCommand::Text { text, .. } => return self.autopilot_reply(&conv, &text).await,
            ChatCommand::File { file, .. } => {
                // The autopilot acknowledges what it got, as an agent would.
                let text = format!(
                    "Thanks, I have {} ({}).",
                    file.name,
                    crate::protocol::human_size(file.size())
                );
                return self.autopilot_say(&conv, text).await;
            }
            ChatCommand::Typing(_) => return,
        };
        let left = desk::Command::Leave {
            conversation: conv,
            reason,
        };
        let _ = self.apply(left).await;
    }

    /// The autopilot answers the user's `text` by keyword.
    async fn autopilot_reply(&self, conv: &ConversationId, text: &str) {
        let Some(autopilot) = &self.config.autopilot else {
            return;
        };
        let lower = text.to_lowercase();
        let reply = autopilot
            .replies
            .iter()
            .find(|(k, _)| lower.contains(k.as_str()))
            .map_or(autopilot.default_reply.clone(), |(_, r)| r.clone());
        self.autopilot_say(conv, reply).await;
    }

    /// The first agent of a live chat says `text`, when the autopilot runs.
    async fn autopilot_say(&self, conv: &ConversationId, text: String) {
        if self.config.autopilot.is_none() {
            return;
        }
        if let Some(agent) = self.model.agents_in(conv).and_then(<[String]>::first) {
            let said = ChatEvent::AgentMessage {
                agent: agent_info(agent, false),
                text,
            };
            self.tell_user(conv, said).await;
        }
    }

    async fn agent_action(&mut self, agent: &str, action: DeskAction) -> Result<(), DeskError> {
        if !self.model.knows(agent) {
            return Err(DeskError::UnknownAgent(agent.to_owned()));
        }
        let agent = agent.to_owned();
        let command = match action {
            DeskAction::Accept(conversation) => desk::Command::Accept {
                agent,
                conversation,
            },
            DeskAction::Reject(conversation, reason) => desk::Command::Reject {
                agent,
                conversation,
                reason,
            },
            DeskAction::End(conversation) => desk::Command::End {
                agent,
                conversation,
            },
            DeskAction::Transfer(conversation, to) => desk::Command::Transfer {
                from: agent,
                conversation,
                to,
            },
            DeskAction::SetPresence(presence) => desk::Command::SetPresence { agent, presence },
            DeskAction::Reply(conv, text) => {
                self.model.may_talk(&agent, &conv)?;
                let said = ChatEvent::AgentMessage {
                    agent: agent_info(&agent, false),
                    text,
                };
                self.tell_user(&conv, said).await;
                return Ok(());
            }
            DeskAction::File(conv, file) => {
                self.model.may_talk(&agent, &conv)?;
                let sent = ChatEvent::AgentFile {
                    agent: agent_info(&agent, false),
                    file: file.describe(),
                };
                self.tell_user(&conv, sent).await;
                return Ok(());
            }
            DeskAction::Typing(conv, on) => {
                self.model.may_talk(&agent, &conv)?;
                self.tell_user(&conv, ChatEvent::Typing { agent, on }).await;
                return Ok(());
            }
            DeskAction::Invite(conversation, to) => desk::Command::Invite {
                by: agent,
                conversation,
                to,
            },
        };
        self.apply(command).await
    }

    /// Runs `command` on the model and passes on what it caused.
    async fn apply(&mut self, command: desk::Command) -> Result<(), DeskError> {
        let effects = self.model.handle(command)?;
        self.pass_on(effects).await;
        Ok(())
    }

    /// Passes on what the model did, in its order; then lets go of the chats it no longer
    /// holds.
    async fn pass_on(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Feed(conv, event) => self.desk_event(&conv, event).await,
                Effect::AgentsChanged => self.publish_agents().await,
                Effect::User(conv, note) => self.tell_note(&conv, note).await,
            }
        }
        let model = &self.model;
        self.links.retain(|conv, _| model.stage(conv).is_some());
    }

    /// What the user side hears of a note, as chat events.
    async fn tell_note(&self, conv: &ConversationId, note: UserNote) {
        match note {
            UserNote::Queued { position } => {
                // Brokered: the user waits in the system's queue; the other styles carry on
                // elsewhere until an agent picks the request up.
                if self.config.style == HandoffStyle::Brokered {
                    let queued = ChatEvent::Queued {
                        position: Some(position),
                        eta_secs: None,
                    };
                    self.tell_user(conv, queued).await;
                }
            }
            UserNote::Ringing { agent } => {
                if let Some(autopilot) = &self.config.autopilot {
                    let accept = Command::Autopilot(conv.clone(), agent.clone());
                    self.later(autopilot.accept_after, accept);
                }
                self.tell_user(conv, ChatEvent::Ringing { agent }).await;
            }
            UserNote::Joined { agent, first } => {
                let joined = ChatEvent::AgentJoined {
                    agent: agent_info(&agent, false),
                };
                self.tell_user(conv, joined).await;
                let greeting = self.config.greeting.clone().filter(|g| !g.is_empty());
                if let Some(text) = greeting.filter(|_| first) {
                    let greeting = ChatEvent::AgentMessage {
                        agent: agent_info(&agent, true),
                        text,
                    };
                    self.tell_user(conv, greeting).await;
                }
            }
            UserNote::Transferred { from, to } => {
                for event in [
                    ChatEvent::Transferred {
                        to: Some(to.clone()),
                    },
                    ChatEvent::AgentLeft { agent: from },
                    ChatEvent::AgentJoined {
                        agent: agent_info(&to, false),
                    },
                ] {
                    self.tell_user(conv, event).await;
                }
            }
            UserNote::Ended { reason } => self.tell_user(conv, ChatEvent::Ended { reason }).await,
        }
    }

    async fn tell_user(&self, conv: &ConversationId, event: ChatEvent) {
        if let Some(link) = self.links.get(conv) {
            // A user side that is gone has nothing left to hear.
            let _ = link.send(event).await;
        }
    }

    async fn publish_agents(&self) {
        let agents: Vec<DeskAgent> = self.model.agents().to_vec();
        let _ = self.events.send(DeskEvent::Agents(agents)).await;
    }

    async fn desk_event(&self, conv: &ConversationId, event: ConversationEvent) {
        let _ = self
            .events
            .send(DeskEvent::Conversation {
                conversation: conv.clone(),
                event,
            })
            .await;
    }

    /// Sends `cmd` to the desk after `after` of the desk's clock (demo time).
    fn later(&self, after: Duration, cmd: Command) {
        let tx = self.commands.clone();
        let wait = self.config.clock.real_wait(after);
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            if let Some(tx) = tx.upgrade() {
                let _ = tx.send(cmd).await;
            }
        });
    }
}

/// What agents see of a new request.
fn request_event(
    request: &HandoffRequest,
    queued_at: u64,
    style: HandoffStyle,
) -> ConversationEvent {
    ConversationEvent::Request {
        title: request.title.clone(),
        user: request.user.clone(),
        topic: request.topic.clone(),
        context: request.context.clone(),
        history: request.history_text(HISTORY_LIMIT_BYTES),
        queued_at,
        style,
    }
}

/// The agent as the mock desk's profiles show one: the name and a picture (a reserved
/// example domain: nothing is fetched; the console draws initials).
pub(super) fn agent_info(name: &str, on_behalf: bool) -> AgentInfo {
    let file: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    AgentInfo {
        name: name.to_owned(),
        avatar: Some(format!("https://desk.example.com/avatars/{file}.png")),
        on_behalf,
    }
}

/// Passes events on in order, each after `latency`.
fn delay_line(out: mpsc::Sender<ChatEvent>, latency: Duration) -> mpsc::Sender<ChatEvent> {
    if latency.is_zero() {
        return out;
    }
    let (tx, mut rx) = mpsc::channel::<ChatEvent>(256);
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            tokio::time::sleep(latency).await;
            if out.send(event).await.is_err() {
                break;
            }
        }
    });
    tx
}

/// Whether the desk does anything with a user's `cmd`: leaving always; a message or a file
/// only when the autopilot answers it; typing never.
fn acted_on(cmd: &ChatCommand, autopilot: bool) -> bool {
    match cmd {
        ChatCommand::End | ChatCommand::Withdraw { .. } => true,
        ChatCommand::Text { .. } | ChatCommand::File { .. } => autopilot,
        ChatCommand::Typing(_) => false,
    }
}

#[cfg(test)]
mod forwarding_tests {
    use super::*;

    #[test]
    fn the_desk_hears_of_messages_only_when_its_autopilot_answers_them_and_always_of_a_leave() {
        let text = ChatCommand::Text {
            text: "é".into(),
            client_message_id: "c-1-1".into(),
        };
        assert!(acted_on(&text, true));
        assert!(!acted_on(&text, false));
        for autopilot in [true, false] {
            assert!(acted_on(&ChatCommand::End, autopilot));
            assert!(!acted_on(&ChatCommand::Typing(true), autopilot));
        }
    }
}
