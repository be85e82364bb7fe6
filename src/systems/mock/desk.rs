//! The mock desk's state and the task that owns it: agents, the queue, offers and live chats.

use super::{Command, DeskConfig, fill_template};
use crate::connectors::{
    ChatCommand, ChatEvent, ChatLink, DeskAction, DeskError, DeskEvent, HISTORY_LIMIT_BYTES,
    HandoffRequest, Started,
};
use crate::protocol::{
    AgentInfo, ConversationEvent, ConversationId, DeskAgent, EndReason, HandoffStyle, Presence,
    now_millis,
};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use tokio::sync::mpsc;

struct AgentState {
    presence: Presence,
    chats: u32,
}

struct Request {
    rejected_by: Vec<String>,
    ringing: Option<String>,
    /// None for requests that reached the desk without a live chat (api, channel).
    chat: Option<mpsc::Sender<ChatEvent>>,
}

struct Chat {
    agents: Vec<String>,
    events: mpsc::Sender<ChatEvent>,
}

pub(super) struct State {
    config: DeskConfig,
    agents: HashMap<String, AgentState>,
    order: Vec<String>,
    /// Waiting requests with the time they were queued (the queue order).
    requests: BTreeMap<ConversationId, (u64, Request)>,
    chats: HashMap<ConversationId, Chat>,
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
        Self {
            agents: config
                .agents
                .iter()
                .map(|(name, presence)| {
                    (
                        name.clone(),
                        AgentState {
                            presence: *presence,
                            chats: 0,
                        },
                    )
                })
                .collect(),
            order: config.agents.iter().map(|(n, _)| n.clone()).collect(),
            config,
            requests: BTreeMap::new(),
            chats: HashMap::new(),
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
                    let _ = reply.send(self.agent_list());
                }
                Command::Autopilot(conv, agent) => {
                    if self.requests.contains_key(&conv) {
                        let _ = self.agent_action(&agent, DeskAction::Accept(conv)).await;
                    }
                }
                Command::QueueTimeout(conv) => {
                    if let Some((_, request)) = self.requests.remove(&conv) {
                        self.desk_event(
                            &conv,
                            ConversationEvent::Withdrawn {
                                reason: EndReason::Timeout,
                            },
                        )
                        .await;
                        if let Some(chat) = request.chat {
                            let _ = chat
                                .send(ChatEvent::Ended {
                                    reason: EndReason::Timeout,
                                })
                                .await;
                        }
                    }
                }
            }
        }
    }

    async fn start(&mut self, request: HandoffRequest) -> Started {
        match self.config.style {
            // The chat page (url), the bot redirected to (api) and the channel's agent (channel)
            // carry the conversation on; the mock desk plays them with a chat the broker
            // relays, which starts when an agent picks the request up.
            HandoffStyle::Url => {
                let url = fill_template(&self.config.url_template, &request);
                Started::Redirect {
                    url,
                    via: None,
                    chat: Some(self.open_chat(request, false).await),
                }
            }
            HandoffStyle::Api => {
                let url = fill_template(&self.config.redirect_url_template, &request);
                let chat = self.open_chat(request, false).await;
                Started::Redirect {
                    url,
                    via: Some(self.config.redirect_bot.clone()),
                    chat: Some(chat),
                }
            }
            HandoffStyle::Channel => Started::Posted {
                channel: self.config.channel.clone(),
                chat: Some(self.open_chat(request, false).await),
            },
            HandoffStyle::Brokered => Started::Chat(self.open_chat(request, true).await),
        }
    }

    /// Queues the request with a live chat that starts when an agent accepts; `queued` says
    /// so to the user (brokered: the user waits in the system's queue).
    async fn open_chat(&mut self, request: HandoffRequest, queued: bool) -> ChatLink {
        let conv = request.conversation.clone();
        let (cmd_tx, mut cmd_rx) = mpsc::channel::<ChatCommand>(64);
        let (event_tx, event_rx) = mpsc::channel::<ChatEvent>(256);
        let delayed = delay_line(event_tx, self.config.latency);
        // Forward the user's side of the chat into the actor.
        let desk = self.commands.clone();
        let forward_conv = conv.clone();
        tokio::spawn(async move {
            let Some(desk) = desk.upgrade() else { return };
            while let Some(cmd) = cmd_rx.recv().await {
                if desk
                    .send(Command::FromUser(forward_conv.clone(), cmd))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
        if queued {
            let _ = delayed
                .send(ChatEvent::Queued {
                    position: Some(self.requests.len() as u32 + 1),
                    eta_secs: None,
                })
                .await;
        }
        self.enqueue(request, Some(delayed)).await;
        if let Some(timeout) = self.config.queue_timeout {
            self.later(timeout, Command::QueueTimeout(conv));
        }
        ChatLink {
            commands: cmd_tx,
            events: event_rx,
        }
    }

    async fn enqueue(&mut self, request: HandoffRequest, chat: Option<mpsc::Sender<ChatEvent>>) {
        let conv = request.conversation.clone();
        let queued_at = now_millis();
        self.desk_event(
            &conv,
            ConversationEvent::Request {
                title: request.title.clone(),
                user: request.user.clone(),
                topic: request.topic.clone(),
                context: request.context.clone(),
                history: request.history_text(HISTORY_LIMIT_BYTES),
                queued_at,
                style: self.config.style,
            },
        )
        .await;
        self.requests.insert(
            conv,
            (
                queued_at,
                Request {
                    rejected_by: Vec::new(),
                    ringing: None,
                    chat,
                },
            ),
        );
        self.offer_waiting().await;
    }

    /// Rings an available agent for every waiting request that is not ringing anyone yet.
    async fn offer_waiting(&mut self) {
        let mut waiting: Vec<(u64, ConversationId)> = self
            .requests
            .iter()
            .map(|(c, (at, _))| (*at, c.clone()))
            .collect();
        waiting.sort();
        for (_, conv) in waiting {
            let Some((_, request)) = self.requests.get(&conv) else {
                continue;
            };
            if self.config.style != HandoffStyle::Brokered {
                continue; // api and channel requests wait for an agent to pick them up
            }
            let candidate = self
                .order
                .iter()
                .filter(|name| {
                    self.agents
                        .get(*name)
                        .is_some_and(|a| a.presence == Presence::Available)
                })
                .filter(|name| !request.rejected_by.contains(name))
                .min_by_key(|name| self.agents.get(*name).map_or(u32::MAX, |a| a.chats))
                .cloned();
            let current = request.ringing.clone();
            match candidate {
                Some(agent) if current.as_ref() != Some(&agent) => {
                    if let Some((_, request)) = self.requests.get_mut(&conv) {
                        request.ringing = Some(agent.clone());
                        if let Some(chat) = &request.chat {
                            let _ = chat
                                .send(ChatEvent::Ringing {
                                    agent: agent.clone(),
                                })
                                .await;
                        }
                    }
                    self.desk_event(
                        &conv,
                        ConversationEvent::Offered {
                            agent: agent.clone(),
                        },
                    )
                    .await;
                    if let Some(autopilot) = &self.config.autopilot {
                        self.later(
                            autopilot.accept_after,
                            Command::Autopilot(conv.clone(), agent),
                        );
                    }
                }
                Some(_) => {}
                None => {
                    let everyone_refused = !request.rejected_by.is_empty()
                        && self
                            .order
                            .iter()
                            .filter(|n| {
                                self.agents
                                    .get(*n)
                                    .is_some_and(|a| a.presence == Presence::Available)
                            })
                            .all(|n| request.rejected_by.contains(n));
                    if everyone_refused {
                        self.no_agent(&conv).await;
                    }
                }
            }
        }
    }

    async fn no_agent(&mut self, conv: &ConversationId) {
        let Some((_, request)) = self.requests.remove(conv) else {
            return;
        };
        let reason = EndReason::NoAgent {
            reason: request
                .rejected_by
                .last()
                .map(|_| "every available agent declined".to_owned()),
        };
        self.desk_event(
            conv,
            ConversationEvent::Withdrawn {
                reason: reason.clone(),
            },
        )
        .await;
        if let Some(chat) = request.chat {
            let _ = chat.send(ChatEvent::Ended { reason }).await;
        }
    }

    /// The user left the queue or the chat, or the broker took the request back (`reason`).
    async fn user_left(&mut self, conv: ConversationId, reason: EndReason) {
        if self.requests.remove(&conv).is_some() {
            self.desk_event(
                &conv,
                ConversationEvent::Withdrawn {
                    reason: reason.clone(),
                },
            )
            .await;
        }
        if let Some(chat) = self.chats.remove(&conv) {
            for agent in &chat.agents {
                if let Some(a) = self.agents.get_mut(agent) {
                    a.chats = a.chats.saturating_sub(1);
                }
            }
            self.desk_event(&conv, ConversationEvent::ChatEnded { reason })
                .await;
            self.publish_agents().await;
        }
    }

    async fn on_user_command(&mut self, conv: ConversationId, cmd: ChatCommand) {
        match cmd {
            ChatCommand::End => self.user_left(conv, EndReason::User).await,
            ChatCommand::Withdraw { reason } => self.user_left(conv, reason).await,
            ChatCommand::Text { text, .. } => {
                let (Some(autopilot), Some(chat)) = (&self.config.autopilot, self.chats.get(&conv))
                else {
                    return;
                };
                let lower = text.to_lowercase();
                let reply = autopilot
                    .replies
                    .iter()
                    .find(|(k, _)| lower.contains(k.as_str()))
                    .map_or(autopilot.default_reply.clone(), |(_, r)| r.clone());
                if let Some(agent) = chat.agents.first() {
                    let _ = chat
                        .events
                        .send(ChatEvent::AgentMessage {
                            agent: agent_info(agent, false),
                            text: reply,
                        })
                        .await;
                }
            }
            ChatCommand::File { file, .. } => {
                // The autopilot acknowledges what it got, as an agent would.
                let (Some(_), Some(chat)) = (&self.config.autopilot, self.chats.get(&conv)) else {
                    return;
                };
                if let Some(agent) = chat.agents.first() {
                    let _ = chat
                        .events
                        .send(ChatEvent::AgentMessage {
                            agent: agent_info(agent, false),
                            text: format!(
                                "Thanks, I have {} ({}).",
                                file.name,
                                crate::protocol::human_size(file.size())
                            ),
                        })
                        .await;
                }
            }
            ChatCommand::Typing(_) => {}
        }
    }

    async fn agent_action(&mut self, agent: &str, action: DeskAction) -> Result<(), DeskError> {
        if !self.agents.contains_key(agent) {
            return Err(DeskError::UnknownAgent(agent.to_owned()));
        }
        match action {
            DeskAction::Accept(conv) => self.accept(agent, conv).await,
            DeskAction::Reject(conv, reason) => {
                let Some((_, request)) = self.requests.get_mut(&conv) else {
                    return Err(self.missing(&conv, "reject"));
                };
                if request.rejected_by.iter().any(|a| a == agent) {
                    return Err(DeskError::InvalidState(format!(
                        "{agent} already declined this request"
                    )));
                }
                request.rejected_by.push(agent.to_owned());
                if request.ringing.as_deref() == Some(agent) {
                    request.ringing = None;
                }
                self.desk_event(
                    &conv,
                    ConversationEvent::Rejected {
                        agent: agent.to_owned(),
                        reason,
                    },
                )
                .await;
                self.offer_waiting().await;
                Ok(())
            }
            DeskAction::Reply(conv, text) => {
                let chat = self.chat_of(agent, &conv)?;
                let _ = chat
                    .events
                    .send(ChatEvent::AgentMessage {
                        agent: agent_info(agent, false),
                        text,
                    })
                    .await;
                Ok(())
            }
            DeskAction::File(conv, file) => {
                let chat = self.chat_of(agent, &conv)?;
                let _ = chat
                    .events
                    .send(ChatEvent::AgentFile {
                        agent: agent_info(agent, false),
                        file: file.describe(),
                    })
                    .await;
                Ok(())
            }
            DeskAction::Typing(conv, on) => {
                let chat = self.chat_of(agent, &conv)?;
                let _ = chat
                    .events
                    .send(ChatEvent::Typing {
                        agent: agent.to_owned(),
                        on,
                    })
                    .await;
                Ok(())
            }
            DeskAction::End(conv) => {
                self.chat_of(agent, &conv)?;
                if let Some(chat) = self.chats.remove(&conv) {
                    for a in &chat.agents {
                        if let Some(a) = self.agents.get_mut(a) {
                            a.chats = a.chats.saturating_sub(1);
                        }
                    }
                    let reason = EndReason::Agent {
                        agent: agent.to_owned(),
                    };
                    let _ = chat
                        .events
                        .send(ChatEvent::Ended {
                            reason: reason.clone(),
                        })
                        .await;
                    self.desk_event(&conv, ConversationEvent::ChatEnded { reason })
                        .await;
                    self.publish_agents().await;
                }
                Ok(())
            }
            DeskAction::Transfer(conv, to) => self.transfer(agent, &conv, &to).await,
            DeskAction::SetPresence(presence) => {
                if let Some(a) = self.agents.get_mut(agent) {
                    a.presence = presence;
                }
                self.publish_agents().await;
                self.offer_waiting().await;
                Ok(())
            }
        }
    }

    /// `from` hands their chat to `to`: the user is told, `from` leaves, `to` joins.
    async fn transfer(
        &mut self,
        from: &str,
        conv: &ConversationId,
        to: &str,
    ) -> Result<(), DeskError> {
        let in_chat = self.chat_of(from, conv)?.agents.clone();
        let Some(presence) = self.agents.get(to).map(|a| a.presence) else {
            return Err(DeskError::UnknownAgent(to.to_owned()));
        };
        if in_chat.iter().any(|a| a == to) {
            return Err(DeskError::InvalidState(format!(
                "{to} is already in this chat"
            )));
        }
        if presence != Presence::Available {
            return Err(crate::connectors::transfer_needs_available(to, presence));
        }
        let Some(chat) = self.chats.get_mut(conv) else {
            return Err(DeskError::UnknownConversation(conv.clone()));
        };
        chat.agents.retain(|a| a != from);
        chat.agents.push(to.to_owned());
        let (events, now_in) = (chat.events.clone(), chat.agents.clone());
        if let Some(a) = self.agents.get_mut(from) {
            a.chats = a.chats.saturating_sub(1);
        }
        if let Some(a) = self.agents.get_mut(to) {
            a.chats += 1;
        }
        for event in [
            ChatEvent::Transferred {
                to: Some(to.to_owned()),
            },
            ChatEvent::AgentLeft {
                agent: from.to_owned(),
            },
            ChatEvent::AgentJoined {
                agent: agent_info(to, false),
            },
        ] {
            let _ = events.send(event).await;
        }
        self.desk_event(
            conv,
            ConversationEvent::Assigned {
                agent: to.to_owned(),
                agents: now_in,
            },
        )
        .await;
        self.publish_agents().await;
        Ok(())
    }

    async fn accept(&mut self, agent: &str, conv: ConversationId) -> Result<(), DeskError> {
        // Barge-in: accepting a live chat joins it.
        if let Some(chat) = self.chats.get_mut(&conv) {
            if chat.agents.iter().any(|a| a == agent) {
                return Err(DeskError::InvalidState(format!(
                    "{agent} is already in this chat"
                )));
            }
            chat.agents.push(agent.to_owned());
            let (events, now_in) = (chat.events.clone(), chat.agents.clone());
            if let Some(a) = self.agents.get_mut(agent) {
                a.chats += 1;
            }
            let _ = events
                .send(ChatEvent::AgentJoined {
                    agent: agent_info(agent, false),
                })
                .await;
            self.desk_event(
                &conv,
                ConversationEvent::Assigned {
                    agent: agent.to_owned(),
                    agents: now_in,
                },
            )
            .await;
            self.publish_agents().await;
            return Ok(());
        }
        let Some((_, request)) = self.requests.remove(&conv) else {
            return Err(self.missing(&conv, "accept"));
        };
        self.desk_event(
            &conv,
            ConversationEvent::Assigned {
                agent: agent.to_owned(),
                agents: vec![agent.to_owned()],
            },
        )
        .await;
        if let Some(events) = request.chat {
            if let Some(a) = self.agents.get_mut(agent) {
                a.chats += 1;
            }
            let _ = events
                .send(ChatEvent::AgentJoined {
                    agent: agent_info(agent, false),
                })
                .await;
            if let Some(greeting) = self.config.greeting.clone().filter(|g| !g.is_empty()) {
                let _ = events
                    .send(ChatEvent::AgentMessage {
                        agent: agent_info(agent, true),
                        text: greeting,
                    })
                    .await;
            }
            self.chats.insert(
                conv,
                Chat {
                    agents: vec![agent.to_owned()],
                    events,
                },
            );
            self.publish_agents().await;
        }
        self.offer_waiting().await;
        Ok(())
    }

    fn chat_of(&self, agent: &str, conv: &ConversationId) -> Result<&Chat, DeskError> {
        let chat = self.chats.get(conv).ok_or_else(|| {
            if self.requests.contains_key(conv) {
                DeskError::InvalidState(format!(
                    "conversation {conv} is still waiting; accept it first"
                ))
            } else {
                DeskError::UnknownConversation(conv.clone())
            }
        })?;
        if chat.agents.iter().any(|a| a == agent) {
            Ok(chat)
        } else {
            Err(DeskError::InvalidState(format!(
                "{agent} is not in the chat of conversation {conv}"
            )))
        }
    }

    fn missing(&self, conv: &ConversationId, what: &str) -> DeskError {
        if self.chats.contains_key(conv) {
            DeskError::InvalidState(format!(
                "cannot {what}: conversation {conv} was already taken"
            ))
        } else {
            DeskError::UnknownConversation(conv.clone())
        }
    }

    fn agent_list(&self) -> Vec<DeskAgent> {
        self.order
            .iter()
            .filter_map(|name| {
                self.agents.get(name).map(|a| DeskAgent {
                    name: name.clone(),
                    presence: a.presence,
                    active_chats: a.chats,
                })
            })
            .collect()
    }

    async fn publish_agents(&self) {
        let _ = self.events.send(DeskEvent::Agents(self.agent_list())).await;
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

    fn later(&self, after: Duration, cmd: Command) {
        let tx = self.commands.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            if let Some(tx) = tx.upgrade() {
                let _ = tx.send(cmd).await;
            }
        });
    }
}

pub(super) fn agent_info(name: &str, on_behalf: bool) -> AgentInfo {
    AgentInfo {
        name: name.to_owned(),
        avatar: None,
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
