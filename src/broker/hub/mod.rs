//! The hub: one task that owns every conversation, its log and the sessions that watch it.
//!
//! Sessions send it [`HubMsg`]s; it feeds the conversations' state machines, appends what they
//! emit to the logs with sequence numbers, fans events out to the sessions whose role and
//! conversation they reach, and runs the connector and desk calls in tasks of their own so it
//! never waits on IO. With a store, events are fanned out only once stored (`durable`). Calls
//! toward a system run in FIFO lanes, one per conversation and direction (`lane`), so replies and
//! messages keep their order. Idle conversations leave memory after a grace period (`evict`).
//! Each event is serialised once (a chat message's without serde's string escaping:
//! `message_json`) and goes only to the sessions it reaches (`fanout`, `index`);
//! a backed-up agent slows users' requests down rather than being dropped (the overload policy
//! is in `fanout`). Frames enter the sessions' queues at the end of each burst of messages the
//! hub takes, so a session wakes and flushes once per burst (`burst`).

mod burst;
mod clients;
mod desk_view;
mod durable;
mod evict;
mod fanout;
mod index;
mod lane;
mod message_json;
mod notices;
mod outbound;
mod restore;
mod scoped;
mod translation;

pub use fanout::{Frame, encode};

use super::handoff::{Conversation, Effect, HandoffSettings, Input, StartOutcome};
use crate::connectors::{
    AgentDesk, Availability, ChatCommand, ChatEvent, Connector, ConnectorError, DeskError,
    DeskEvent, Started,
};
use crate::protocol::{
    Audience, BrokerInfo, ClientMsg, ClientRole, ConversationEvent, ConversationId, DeskAgent,
    ErrorCode, Millis, RequestId, Said, ServerMsg, UserInfo,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// A session's id within the hub.
pub type SessionId = u64;

/// The hub's maps: keyed by ids the broker makes and looked up several times per message, so
/// with a fast hasher (foldhash, seeded per process) instead of `SipHash`.
type Map<K, V> = foldhash::HashMap<K, V>;

/// What a session's `hello` asked for.
#[derive(Debug)]
pub struct Join {
    /// The protocol version.
    pub protocol: u32,
    /// The role.
    pub role: ClientRole,
    /// `user`: the conversation to rejoin.
    pub conversation: Option<ConversationId>,
    /// `user`: who.
    pub user: Option<UserInfo>,
    /// `agent`: who.
    pub agent: Option<String>,
    /// Last `seq` seen per conversation.
    pub since: BTreeMap<ConversationId, u64>,
    /// Whether it wants the connector's call traces.
    pub traces: bool,
    /// `user` with `conversation`: the conversation's resume secret.
    pub resume: Option<String>,
    /// The session holds the supervisor capability (the session checked the token).
    pub supervisor: bool,
    /// `user`: the platform and site the hello named (rule 8; both absent: protocol 1).
    pub platform: Option<crate::protocol::Platform>,
    /// `user` on `web`: the site that embeds the chat.
    pub site: Option<String>,
    /// The session proved the broker's token, so it vouches for the user it names.
    pub vouched: bool,
}

/// A successful join: the welcome and replay to write first, then the live queue.
#[derive(Debug)]
pub struct Joined {
    /// The session's id, for `Leave` and requests.
    pub session: SessionId,
    /// `welcome`, the desk's agents when relevant, then every missed event in order.
    pub replay: Vec<ServerMsg>,
}

/// Messages to the hub.
pub enum HubMsg {
    /// A session said hello.
    Join {
        /// What it asked for.
        join: Join,
        /// Where its live messages go, serialised.
        out: mpsc::Sender<Frame>,
        /// Cancelled if the session falls behind.
        kicked: CancellationToken,
        /// The answer.
        reply: oneshot::Sender<Result<Joined, (ErrorCode, String)>>,
    },
    /// A session went away.
    Leave(SessionId),
    /// A session's request (anything but `hello`).
    Request(SessionId, ClientMsg),
    Availability(ConversationId, Result<Availability, ConnectorError>),
    /// The system answered the handoff; with the request as translated (rule 6), if it was.
    Started(
        ConversationId,
        Result<Started, ConnectorError>,
        Option<Box<crate::connectors::HandoffRequest>>,
    ),
    Chat(ConversationId, u64, ChatEvent),
    ChatClosed(ConversationId, u64),
    Timeout(ConversationId, u64),
    Desk(DeskEvent),
    /// A call of the connector to its system.
    Trace(crate::protocol::CallTrace),
    DeskDone(SessionId, RequestId, Result<(), DeskError>),
    /// An agent picked up, on the system's desk, a request whose conversation had left the
    /// broker (see [`EndReason::HandedOver`](crate::protocol::EndReason::HandedOver)).
    HandedOver(ConversationId, String),
    /// A message of a live chat translated (or not, with the reason): it replaces the original.
    Translated(ConversationId, crate::protocol::ChatMessage),
}

struct Logged {
    seq: u64,
    at: Millis,
    audience: Audience,
    event: ConversationEvent,
    /// The protocol 2 session whose `say` made this message: it gets the `ack` that is its
    /// echo in the event's place (`fan_out`), not the event.
    echo_to: Option<SessionId>,
}

struct Entry {
    machine: Conversation,
    log: Vec<Logged>,
    /// The highest `seq` clients may see (with a store: the highest stored).
    visible: u64,
    /// The user's side of the live chat: the connector's queue, fed through a FIFO lane.
    chat: Option<(mpsc::Sender<ChatCommand>, lane::Lane)>,
    chat_generation: u64,
    /// The agents' calls to the desk about this conversation, in order.
    desk_lane: Option<lane::Lane>,
    desk_view: desk_view::DeskView,
    /// The last event, for eviction.
    last_activity: Instant,
}

impl Entry {
    fn new(machine: Conversation, log: Vec<Logged>) -> Self {
        Self {
            machine,
            visible: log.last().map_or(0, |l| l.seq),
            log,
            chat: None,
            chat_generation: 0,
            desk_lane: None,
            desk_view: desk_view::DeskView::default(),
            last_activity: Instant::now(),
        }
    }
}

struct Session {
    role: ClientRole,
    conversation: Option<ConversationId>,
    agent: Option<String>,
    out: mpsc::Sender<Frame>,
    kicked: CancellationToken,
    traces: bool,
    /// May `act_as` any desk agent.
    supervisor: bool,
    /// The protocol version it speaks.
    protocol: u32,
}

/// The hub's fixed settings.
pub struct HubSettings {
    /// The lifecycle settings of new conversations.
    pub handoff: HandoffSettings,
    /// Told in `welcome`.
    pub info: BrokerInfo,
    /// Derive the desk's view from the connector's events (the desk does not report one).
    pub derive_desk_view: bool,
    /// How long an ended or abandoned conversation stays in memory.
    pub evict_after: Duration,
    /// Makes and checks the resume secrets of user conversations.
    pub resume: crate::broker::trust::ResumeKey,
    /// What time it is for conversations and their timers.
    pub clock: crate::clock::SharedClock,
    /// Dynamic translation of live chats, when on (`[translation]`, `--translate`).
    pub translation: Option<crate::translate::flow::Translation>,
}

pub(super) struct Hub {
    settings: HubSettings,
    connector: Arc<dyn Connector>,
    desk: Option<Arc<dyn AgentDesk>>,
    conversations: Map<ConversationId, Entry>,
    /// Conversation ids in the order they were opened, for replays.
    opened: Vec<ConversationId>,
    sessions: Map<SessionId, Session>,
    /// The sessions by conversation and role, kept with `sessions`.
    index: index::SessionIndex,
    /// Desk-side sessions whose queue is backed up: users' requests wait while any is
    /// (at most one entry per session).
    backed_up: Vec<SessionId>,
    desk_agents: Vec<DeskAgent>,
    next_session: SessionId,
    tx: mpsc::Sender<HubMsg>,
    store: Option<durable::Durability>,
    evicted: evict::Evicted,
    /// Desk calls that name no conversation the hub holds (presence), in order.
    desk_lane: Option<lane::Lane>,
    /// Each user's conversation per platform (rule 8), kept with `conversations`.
    user_chats: crate::broker::platform::UserChats,
    /// Frames made in this burst, not yet in the sessions' queues.
    outbox: burst::Outbox,
    /// The protocol 2 session whose `say` is being taken: its message is echoed by its ack.
    /// `append` takes it with the message, which tells `request` the ack went out.
    saying: Option<SessionId>,
}

impl Hub {
    pub(super) fn new(
        settings: HubSettings,
        connector: Arc<dyn Connector>,
        desk: Option<Arc<dyn AgentDesk>>,
        tx: mpsc::Sender<HubMsg>,
    ) -> Self {
        Self {
            settings,
            connector,
            desk,
            conversations: Map::default(),
            opened: Vec::new(),
            sessions: Map::default(),
            index: index::SessionIndex::default(),
            backed_up: Vec::new(),
            desk_agents: Vec::new(),
            next_session: 1,
            tx,
            store: None,
            evicted: evict::Evicted::default(),
            desk_lane: None,
            user_chats: crate::broker::platform::UserChats::default(),
            outbox: burst::Outbox::default(),
            saying: None,
        }
    }

    fn refresh_desk_agents(&self) {
        let (Some(desk), tx) = (self.desk.clone(), self.tx.clone()) else {
            return;
        };
        tokio::spawn(async move {
            let agents = desk.agents().await;
            let _ = tx.send(HubMsg::Desk(DeskEvent::Agents(agents))).await;
        });
    }

    fn handle(&mut self, msg: HubMsg) {
        match msg {
            HubMsg::Join {
                join,
                out,
                kicked,
                reply,
            } => {
                let _ = reply.send(self.join(join, out, kicked));
            }
            HubMsg::Leave(session) => self.drop_session(session),
            HubMsg::Request(session, request) => self.request(session, request),
            HubMsg::Availability(conv, result) => {
                let availability = result.unwrap_or_else(|e| {
                    tracing::warn!(conversation = %conv, error = %e, "availability check failed");
                    Availability::Unknown
                });
                self.feed(&conv, Input::Availability(availability));
            }
            HubMsg::Started(conv, result, translated) => {
                if let Some(request) = translated {
                    self.desk_view_translated(&conv, *request);
                }
                self.started(&conv, result);
            }
            HubMsg::Chat(conv, generation, event) => {
                if self
                    .conversations
                    .get(&conv)
                    .is_some_and(|e| e.chat_generation == generation)
                {
                    self.desk_view_chat(&conv, &event);
                    self.feed(&conv, Input::Chat(event));
                }
            }
            HubMsg::ChatClosed(conv, generation) => self.chat_closed(&conv, generation),
            HubMsg::Timeout(conv, generation) => self.feed(&conv, Input::Timeout { generation }),
            HubMsg::Trace(call) => self.broadcast(|s| s.traces, &ServerMsg::Trace { call }),
            HubMsg::Desk(DeskEvent::Agents(agents)) => {
                self.desk_agents.clone_from(&agents);
                let msg = ServerMsg::Desk { agents };
                self.broadcast(|s| s.role != ClientRole::User, &msg);
            }
            HubMsg::Desk(DeskEvent::Conversation {
                conversation,
                event,
            }) => {
                if self.conversations.contains_key(&conversation) {
                    self.append(&conversation, Audience::Agent, event);
                }
            }
            HubMsg::DeskDone(session, id, result) => self.desk_done(session, id, result),
            HubMsg::HandedOver(conv, agent) => self.desk_view_handed_over(&conv, agent),
            HubMsg::Translated(conv, message) => self.translated(&conv, message),
        }
    }

    /// The system dropped the chat without saying it ended.
    fn chat_closed(&mut self, conv: &ConversationId, generation: u64) {
        let live = self
            .conversations
            .get(conv)
            .is_some_and(|e| e.chat_generation == generation && e.chat.is_some());
        if live {
            let reason = crate::protocol::EndReason::Error {
                message: format!("{} closed the chat", self.connector.system()),
            };
            self.feed(conv, Input::Chat(ChatEvent::Ended { reason }));
        }
    }

    /// The desk's answer to an agent's request.
    fn desk_done(&mut self, session: SessionId, id: RequestId, result: Result<(), DeskError>) {
        match result {
            Ok(()) => {
                self.send_durable(session, ServerMsg::ack(id));
                if self.settings.derive_desk_view {
                    // The desk does not report presence changes: ask it.
                    self.refresh_desk_agents();
                }
            }
            Err(e) => {
                let code = match e {
                    DeskError::UnknownAgent(_) | DeskError::UnknownConversation(_) => {
                        ErrorCode::NotFound
                    }
                    DeskError::InvalidState(_) => ErrorCode::InvalidState,
                    DeskError::Closed => ErrorCode::Unavailable,
                };
                // Say which system refused: its messages name its own ids and terms.
                let message = format!("{}: {e}", self.settings.info.system);
                self.send(session, &error(Some(id), code, message));
            }
        }
    }

    fn feed(&mut self, conv: &ConversationId, input: Input) {
        let Some(entry) = self.conversations.get_mut(conv) else {
            return;
        };
        match entry
            .machine
            .handle(input, self.settings.clock.now_millis())
        {
            Ok(effects) => self.apply(conv, effects),
            Err(refusal) => tracing::debug!(conversation = %conv, %refusal, "input ignored"),
        }
    }

    fn started(&mut self, conv: &ConversationId, result: Result<Started, ConnectorError>) {
        self.desk_view_placed(conv, result.is_ok());
        let outcome = match result {
            Ok(Started::Chat(link)) => {
                if !self.relay_chat(conv, link) {
                    return;
                }
                Ok(StartOutcome::Chat)
            }
            Ok(Started::Redirect { url, via, chat }) => {
                let chat = chat.is_some_and(|link| self.relay_chat(conv, link));
                Ok(StartOutcome::Redirect { url, via, chat })
            }
            Ok(Started::Posted { channel, chat }) => {
                let chat = chat.is_some_and(|link| self.relay_chat(conv, link));
                Ok(StartOutcome::Posted { channel, chat })
            }
            Err(e) => {
                tracing::warn!(conversation = %conv, error = %e, "handoff failed to start");
                Err(e.to_string())
            }
        };
        self.feed(conv, Input::Started(outcome));
    }

    /// Relays a live chat's events into the conversation; false when the conversation is gone.
    fn relay_chat(&mut self, conv: &ConversationId, link: crate::connectors::ChatLink) -> bool {
        let Some(entry) = self.conversations.get_mut(conv) else {
            return false;
        };
        entry.chat_generation += 1;
        entry.chat = Some((link.commands, lane::Lane::new()));
        let generation = entry.chat_generation;
        let tx = self.tx.clone();
        let conv_id = conv.clone();
        let mut events = link.events;
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if tx
                    .send(HubMsg::Chat(conv_id.clone(), generation, event))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            let _ = tx.send(HubMsg::ChatClosed(conv_id, generation)).await;
        });
        true
    }

    fn apply(&mut self, conv: &ConversationId, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Emit(audience, event) => {
                    self.to_user(conv, audience, &event);
                    self.append(conv, audience, event);
                }
                Effect::CheckAvailability => {
                    let (connector, tx, conv) =
                        (Arc::clone(&self.connector), self.tx.clone(), conv.clone());
                    tokio::spawn(async move {
                        let result = connector.availability().await;
                        let _ = tx.send(HubMsg::Availability(conv, result)).await;
                    });
                }
                Effect::StartHandoff(mut request) => {
                    self.desk_view_placing(conv, &request);
                    let (connector, tx, conv) =
                        (Arc::clone(&self.connector), self.tx.clone(), conv.clone());
                    let translation = self.settings.translation.clone();
                    tracing::info!(conversation = %conv, system = connector.system(), "starting handoff");
                    tokio::spawn(async move {
                        let mut translated = None;
                        if let Some(service) = translation {
                            translation::request_to_agent(&service, &mut request).await;
                            translated = Some(request.clone());
                        }
                        let result = connector.start(*request).await;
                        let _ = tx.send(HubMsg::Started(conv, result, translated)).await;
                    });
                }
                Effect::Chat(command) => {
                    match &command {
                        ChatCommand::End => {
                            self.desk_view_left(conv, crate::protocol::EndReason::User);
                        }
                        ChatCommand::Withdraw { reason } => {
                            self.desk_view_left(conv, reason.clone());
                        }
                        _ => {}
                    }
                    self.chat_command(conv, command);
                }
                Effect::CloseChat => {
                    if let Some(entry) = self.conversations.get_mut(conv) {
                        entry.chat = None;
                        entry.chat_generation += 1;
                    }
                }
                Effect::ScheduleTimeout { at, generation } => {
                    let (tx, conv) = (self.tx.clone(), conv.clone());
                    let wait = self.settings.clock.real_wait_until(at);
                    tokio::spawn(async move {
                        tokio::time::sleep(wait).await;
                        let _ = tx.send(HubMsg::Timeout(conv, generation)).await;
                    });
                }
            }
        }
    }

    fn append(&mut self, conv: &ConversationId, audience: Audience, event: ConversationEvent) {
        let Some(entry) = self.conversations.get_mut(conv) else {
            return;
        };
        let seq = entry.log.last().map_or(1, |l| l.seq + 1);
        tracing::debug!(conversation = %conv, seq, kind = event.kind(), "event");
        // Only the first user message of a `say` is its own.
        let echo_to = self.saying.take_if(
            |_| matches!(&event, ConversationEvent::Message { message } if Said::echoes(message)),
        );
        entry.log.push(Logged {
            seq,
            at: self.settings.clock.now_millis(),
            audience,
            event,
            echo_to,
        });
        entry.last_activity = Instant::now();
        self.publish(conv, seq);
    }
}

fn event_msg(conv: &ConversationId, l: &Logged) -> ServerMsg {
    ServerMsg::Event {
        conversation: conv.clone(),
        seq: l.seq,
        at: l.at,
        audience: l.audience,
        event: l.event.clone(),
    }
}

fn error(id: Option<RequestId>, code: ErrorCode, message: String) -> ServerMsg {
    ServerMsg::Error { id, code, message }
}

#[cfg(test)]
mod said_tests;
#[cfg(test)]
mod tests;
