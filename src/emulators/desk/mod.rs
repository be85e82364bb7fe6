//! The simulated contact center behind every emulator: agents, presence, conversations and
//! the agent scripts.
//!
//! The desk knows nothing of any wire format. What happens on it (an agent joins, says
//! something, transfers, leaves; a queue times out) becomes a [`Signal`] on one ordered
//! channel; each emulator turns signals into its system's events (8x8 webhooks, `ServiceNow`
//! response-endpoint posts, Amazon Connect WebSocket items, Glia webhooks). Agents are driven
//! by an [`AgentScript`] per conversation, by the `/__emu` control endpoints, or through
//! [`AgentDesk`] by the console's agent inbox.

use crate::connectors::{DeskError, DeskEvent};
use crate::protocol::{
    ConversationEvent, ConversationId, DeskAgent, EndReason, HandoffStyle, Presence, UserInfo,
    now_millis,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use tokio::sync::{broadcast, mpsc, watch};

mod script;
pub use script::{AgentScript, Step};

/// How many signals may wait for the emulator's delivery task.
const SIGNAL_QUEUE: usize = 256;

/// How many desk events a slow subscriber may fall behind before it lags.
const DESK_EVENTS: usize = 256;

/// How many webhook delivery attempts the desk remembers.
pub const DELIVERY_LOG: usize = 1000;

/// What a system told the desk about a new request, as far as its API carries it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestInfo {
    /// The user's main utterance.
    pub title: String,
    /// The user.
    pub user: UserInfo,
    /// The topic.
    pub topic: String,
    /// Routing context.
    pub context: BTreeMap<String, String>,
    /// The assistant transcript, plain text.
    pub history: String,
}

/// What happened on the desk, for the emulator to put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The request entered the queue.
    Queued {
        /// The queue's wait estimate.
        eta_secs: u64,
    },
    /// An agent joined.
    Joined {
        /// The agent.
        agent: SimAgent,
    },
    /// An agent said something.
    Message {
        /// The agent.
        agent: SimAgent,
        /// The text.
        text: String,
        /// The message's id on the system.
        id: String,
    },
    /// An agent sent the user a file; its bytes are on the desk ([`SimDesk::agent_file_bytes`],
    /// served at `GET /__emu/files/{id}`).
    File {
        /// The agent.
        agent: SimAgent,
        /// The file.
        file: AgentFile,
        /// The message's id on the system.
        id: String,
    },
    /// An agent started or stopped typing.
    Typing {
        /// The agent.
        agent: SimAgent,
        /// Typing or not.
        on: bool,
    },
    /// A transfer started; `Left` (transferring) and `Joined` follow.
    Transfer {
        /// The agent handing over.
        from: SimAgent,
        /// The agent taking over.
        to: SimAgent,
    },
    /// An agent left.
    Left {
        /// The agent.
        agent: SimAgent,
        /// Part of a transfer: the chat goes on.
        transferring: bool,
    },
    /// The chat is over.
    Ended {
        /// Why.
        by: EndedBy,
    },
    /// The emulator should send one malformed event (tests of the connector's robustness).
    Malformed,
}

/// Why a simulated chat ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndedBy {
    /// The agent ended it.
    Agent(SimAgent),
    /// The user left.
    User,
    /// The queue timed out with no agent.
    Timeout,
}

/// An agent as the emulators put it on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimAgent {
    /// Display name.
    pub name: String,
    /// The system's id for the agent.
    pub id: String,
}

impl SimAgent {
    /// The agent called `name`, with an id derived from it.
    pub fn named(name: &str) -> Self {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        Self {
            name: name.to_owned(),
            id: format!("agent-{slug}"),
        }
    }
}

/// Where a simulated conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConvState {
    /// Waiting for an agent.
    Queued,
    /// With an agent.
    Live,
    /// Over.
    Ended,
}

/// A conversation as the desk sees it (also what `GET /__emu/conversations` lists).
#[derive(Debug, Clone, Serialize)]
pub struct ConvView {
    /// The system's conversation id.
    pub id: String,
    /// The client's id for it (the broker's conversation id), when the system was told.
    pub external_ref: Option<String>,
    /// Where it is.
    pub state: ConvState,
    /// The agent now in the chat.
    pub agent: Option<String>,
    /// Every user message received, in order (tests check there are no duplicates).
    pub user_messages: Vec<String>,
    /// Every file the user sent, in order.
    pub files: Vec<ReceivedFile>,
    /// Whether the user is typing, as last reported.
    pub user_typing: bool,
}

/// A file a user sent, as the system stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedFile {
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub content_type: String,
    /// The size in bytes.
    pub size: u64,
    /// CRC32 (IEEE) of the contents, so tests can tell the bytes arrived intact.
    pub crc32: u32,
}

impl ReceivedFile {
    /// The record of `bytes` received as `name`.
    pub fn of(name: &str, content_type: &str, bytes: &[u8]) -> Self {
        Self {
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            size: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
        }
    }
}

/// A file an agent sent, as the emulators describe it on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentFile {
    /// The desk's id for it (the download path's last segment).
    pub id: String,
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub content_type: String,
    /// The size in bytes.
    pub size: u64,
}

impl AgentFile {
    /// Where the emulator at `base_url` serves it.
    pub fn url(&self, base_url: &str) -> String {
        format!("{}/__emu/files/{}", base_url.trim_end_matches('/'), self.id)
    }
}

/// How many agent files the desk keeps for download (oldest dropped first).
const AGENT_FILES: usize = 64;

struct Conv {
    view: ConvView,
    user_count: watch::Sender<usize>,
}

#[derive(Default)]
struct DeskState {
    /// Files agents sent, oldest first, with their bytes.
    agent_files: std::collections::VecDeque<(AgentFile, bytes::Bytes)>,
    agents: Vec<DeskAgent>,
    conversations: HashMap<String, Conv>,
    /// Newest first would be odd for tests; kept in arrival order.
    order: Vec<String>,
}

/// A webhook delivery attempt, recorded for tests and the inspector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The event's type on the system.
    pub event: String,
    /// The receiver's status (0 when it could not be reached).
    pub status: u16,
    /// The attempt (0 = first).
    pub retry: u32,
}

/// The simulated contact center.
pub struct SimDesk {
    state: Mutex<DeskState>,
    deliveries: Mutex<Vec<Delivery>>,
    signals: mpsc::Sender<(String, Signal)>,
    events: broadcast::Sender<DeskEvent>,
    script: AgentScript,
    me: Weak<SimDesk>,
}

impl std::fmt::Debug for SimDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimDesk")
            .field("script", &self.script)
            .finish_non_exhaustive()
    }
}

fn invalid(text: impl Into<String>) -> DeskError {
    DeskError::InvalidState(text.into())
}

impl SimDesk {
    /// A desk with `agents` (all available) running `script` in every new conversation, and
    /// the receiver of its signals.
    pub fn new(
        agents: &[String],
        script: AgentScript,
    ) -> (Arc<Self>, mpsc::Receiver<(String, Signal)>) {
        let (tx, rx) = mpsc::channel(SIGNAL_QUEUE);
        let agents = agents
            .iter()
            .map(|name| DeskAgent {
                name: name.clone(),
                presence: Presence::Available,
                active_chats: 0,
            })
            .collect();
        let desk = Arc::new_cyclic(|me| Self {
            state: Mutex::new(DeskState {
                agents,
                ..DeskState::default()
            }),
            deliveries: Mutex::new(Vec::new()),
            signals: tx,
            events: broadcast::channel(DESK_EVENTS).0,
            script,
            me: me.clone(),
        });
        (desk, rx)
    }

    fn lock(&self) -> MutexGuard<'_, DeskState> {
        // A panic while holding the lock cannot leave the plain data inconsistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn emit(&self, conversation: &str, signal: Signal) {
        if self
            .signals
            .send((conversation.to_owned(), signal))
            .await
            .is_err()
        {
            tracing::debug!(conversation, "emulator delivery task is gone");
        }
    }

    /// The desk's view for an agent inbox: requests, assignments, ends and the agents'
    /// presence, keyed by the client's conversation id when the system was told it. A
    /// subscriber that lags gets `RecvError::Lagged` and should re-read [`AgentDesk::agents`].
    pub fn subscribe(&self) -> broadcast::Receiver<DeskEvent> {
        self.events.subscribe()
    }

    fn tell(&self, id: &str, event: ConversationEvent) {
        let conversation = self
            .lock()
            .conversations
            .get(id)
            .and_then(|c| c.view.external_ref.clone())
            .unwrap_or_else(|| id.to_owned());
        // No subscriber is fine: nobody is watching the inbox.
        let _ = self.events.send(DeskEvent::Conversation {
            conversation: ConversationId(conversation),
            event,
        });
    }

    fn tell_agents(&self) {
        let _ = self.events.send(DeskEvent::Agents(self.agent_list()));
    }

    /// The system's id of a conversation named by its id or its external ref.
    pub fn resolve(&self, id_or_ref: &str) -> Result<String, DeskError> {
        let state = self.lock();
        if state.conversations.contains_key(id_or_ref) {
            return Ok(id_or_ref.to_owned());
        }
        state
            .order
            .iter()
            .rev()
            .find(|id| {
                state
                    .conversations
                    .get(*id)
                    .and_then(|c| c.view.external_ref.as_deref())
                    == Some(id_or_ref)
            })
            .cloned()
            .ok_or_else(|| DeskError::UnknownConversation(id_or_ref.into()))
    }

    /// A client opened conversation `id`: it is queued and the script starts.
    pub async fn open(
        &self,
        id: &str,
        external_ref: Option<String>,
        eta_secs: u64,
        request: RequestInfo,
    ) {
        let (tx, _) = watch::channel(0);
        {
            let mut state = self.lock();
            state.order.push(id.to_owned());
            state.conversations.insert(
                id.to_owned(),
                Conv {
                    view: ConvView {
                        id: id.to_owned(),
                        external_ref,
                        state: ConvState::Queued,
                        agent: None,
                        user_messages: Vec::new(),
                        files: Vec::new(),
                        user_typing: false,
                    },
                    user_count: tx,
                },
            );
        }
        self.tell(
            id,
            ConversationEvent::Request {
                title: request.title,
                user: request.user,
                topic: request.topic,
                context: request.context,
                history: request.history,
                queued_at: now_millis(),
                style: HandoffStyle::Brokered,
            },
        );
        self.emit(id, Signal::Queued { eta_secs }).await;
        if !self.script.steps.is_empty()
            && let Some(desk) = self.me.upgrade()
        {
            let id = id.to_owned();
            tokio::spawn(async move { desk.run_script(&id).await });
        }
    }

    fn state_of(&self, id: &str) -> Option<ConvState> {
        self.lock().conversations.get(id).map(|c| c.view.state)
    }

    /// Snapshot of every conversation, oldest first.
    pub fn conversations(&self) -> Vec<ConvView> {
        let state = self.lock();
        state
            .order
            .iter()
            .filter_map(|id| state.conversations.get(id))
            .map(|c| c.view.clone())
            .collect()
    }

    /// One conversation.
    pub fn conversation(&self, id: &str) -> Option<ConvView> {
        self.lock().conversations.get(id).map(|c| c.view.clone())
    }

    /// The user said something.
    pub fn user_message(&self, id: &str, text: &str) -> Result<(), DeskError> {
        let mut state = self.lock();
        let conv = state
            .conversations
            .get_mut(id)
            .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
        if conv.view.state == ConvState::Ended {
            return Err(invalid("the conversation has ended"));
        }
        conv.view.user_messages.push(text.to_owned());
        let n = conv.view.user_messages.len();
        conv.user_count.send_replace(n);
        Ok(())
    }

    /// The user sent a file (after the system stored it).
    pub fn user_file(&self, id: &str, file: ReceivedFile) -> Result<(), DeskError> {
        let mut state = self.lock();
        let conv = state
            .conversations
            .get_mut(id)
            .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
        if conv.view.state == ConvState::Ended {
            return Err(invalid("the conversation has ended"));
        }
        conv.view.files.push(file);
        Ok(())
    }

    /// The user started or stopped typing.
    pub fn user_typing(&self, id: &str, on: bool) -> Result<(), DeskError> {
        let mut state = self.lock();
        let conv = state
            .conversations
            .get_mut(id)
            .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
        conv.view.user_typing = on;
        Ok(())
    }

    /// The user left; no signal (each system reports it differently, if at all).
    pub fn user_left(&self, id: &str) -> Result<(), DeskError> {
        let mut state = self.lock();
        let agent = {
            let conv = state
                .conversations
                .get_mut(id)
                .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
            conv.view.state = ConvState::Ended;
            conv.view.agent.take()
        };
        let was_live = agent.is_some();
        if let Some(agent) = agent {
            adjust_chats(&mut state, &agent, false);
        }
        drop(state);
        let reason = EndReason::User;
        self.tell(
            id,
            if was_live {
                ConversationEvent::ChatEnded { reason }
            } else {
                ConversationEvent::Withdrawn { reason }
            },
        );
        self.tell_agents();
        Ok(())
    }

    /// `agent` accepts the queued conversation `id`.
    pub async fn join(&self, id: &str, agent: &str) -> Result<(), DeskError> {
        {
            let mut state = self.lock();
            if !state.agents.iter().any(|a| a.name == agent) {
                return Err(DeskError::UnknownAgent(agent.into()));
            }
            let conv = state
                .conversations
                .get_mut(id)
                .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
            if conv.view.state != ConvState::Queued {
                return Err(invalid("the conversation is not waiting for an agent"));
            }
            conv.view.state = ConvState::Live;
            conv.view.agent = Some(agent.to_owned());
            adjust_chats(&mut state, agent, true);
        }
        self.tell(
            id,
            ConversationEvent::Assigned {
                agent: agent.to_owned(),
                agents: vec![agent.to_owned()],
            },
        );
        self.tell_agents();
        self.emit(
            id,
            Signal::Joined {
                agent: SimAgent::named(agent),
            },
        )
        .await;
        Ok(())
    }

    fn live_agent(&self, id: &str, who: Option<&str>) -> Result<String, DeskError> {
        let state = self.lock();
        let conv = state
            .conversations
            .get(id)
            .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
        match (&conv.view.state, &conv.view.agent) {
            (ConvState::Live, Some(agent)) if who.is_none_or(|w| w == agent) => Ok(agent.clone()),
            (ConvState::Live, Some(agent)) => Err(invalid(format!(
                "{agent} is in the conversation, not {}",
                who.unwrap_or("")
            ))),
            _ => Err(invalid(
                "no agent has joined the conversation yet".to_owned(),
            )),
        }
    }

    /// The agent in `id` (or `who`, who must be that agent) says `text`.
    pub async fn say(&self, id: &str, who: Option<&str>, text: &str) -> Result<(), DeskError> {
        let agent = self.live_agent(id, who)?;
        let msg_id = format!("m-{}", uuid::Uuid::new_v4().simple());
        self.emit(
            id,
            Signal::Message {
                agent: SimAgent::named(&agent),
                text: text.to_owned(),
                id: msg_id,
            },
        )
        .await;
        Ok(())
    }

    /// An agent (`who`, or the one in the chat) sends the user of `id` a file.
    pub async fn send_file(
        &self,
        id: &str,
        who: Option<&str>,
        file: crate::connectors::FileUpload,
    ) -> Result<(), DeskError> {
        let agent = self.live_agent(id, who)?;
        let stored = AgentFile {
            id: format!("f-{}", uuid::Uuid::new_v4().simple()),
            size: file.size(),
            name: file.name,
            content_type: file.content_type,
        };
        {
            let mut state = self.lock();
            state.agent_files.push_back((stored.clone(), file.bytes));
            while state.agent_files.len() > AGENT_FILES {
                state.agent_files.pop_front();
            }
        }
        let msg_id = format!("m-{}", uuid::Uuid::new_v4().simple());
        self.emit(
            id,
            Signal::File {
                agent: SimAgent::named(&agent),
                file: stored,
                id: msg_id,
            },
        )
        .await;
        Ok(())
    }

    /// A file an agent sent, with its bytes, by its id.
    pub fn agent_file_bytes(&self, file_id: &str) -> Option<(AgentFile, bytes::Bytes)> {
        self.lock()
            .agent_files
            .iter()
            .find(|(f, _)| f.id == file_id)
            .cloned()
    }

    /// The agent in `id` starts or stops typing.
    pub async fn agent_typing(&self, id: &str, on: bool) -> Result<(), DeskError> {
        let agent = self.live_agent(id, None)?;
        self.emit(
            id,
            Signal::Typing {
                agent: SimAgent::named(&agent),
                on,
            },
        )
        .await;
        Ok(())
    }

    /// Fails unless `id` is a live chat and `who` (when given) is its agent: what an agent may
    /// do only in their own chat.
    pub fn check_agent(&self, id: &str, who: Option<&str>) -> Result<(), DeskError> {
        self.live_agent(id, who).map(drop)
    }

    /// The agent in `id` hands the chat to `to`.
    pub async fn transfer(&self, id: &str, to: &str) -> Result<(), DeskError> {
        let from = self.live_agent(id, None)?;
        if from == to {
            return Err(invalid(format!("{to} is already in the conversation")));
        }
        {
            let mut state = self.lock();
            let Some(presence) = state
                .agents
                .iter()
                .find(|a| a.name == to)
                .map(|a| a.presence)
            else {
                return Err(DeskError::UnknownAgent(to.into()));
            };
            if presence != Presence::Available {
                return Err(crate::connectors::transfer_needs_available(to, presence));
            }
            if let Some(conv) = state.conversations.get_mut(id) {
                conv.view.agent = Some(to.to_owned());
            }
            adjust_chats(&mut state, &from, false);
            adjust_chats(&mut state, to, true);
        }
        self.tell(
            id,
            ConversationEvent::Assigned {
                agent: to.to_owned(),
                agents: vec![to.to_owned()],
            },
        );
        self.tell_agents();
        let (from, to) = (SimAgent::named(&from), SimAgent::named(to));
        self.emit(
            id,
            Signal::Transfer {
                from: from.clone(),
                to: to.clone(),
            },
        )
        .await;
        self.emit(
            id,
            Signal::Left {
                agent: from,
                transferring: true,
            },
        )
        .await;
        self.emit(id, Signal::Joined { agent: to }).await;
        Ok(())
    }

    /// The agent in `id` ends the chat.
    pub async fn leave(&self, id: &str) -> Result<(), DeskError> {
        let agent = self.live_agent(id, None)?;
        {
            let mut state = self.lock();
            if let Some(conv) = state.conversations.get_mut(id) {
                conv.view.state = ConvState::Ended;
                conv.view.agent = None;
            }
            adjust_chats(&mut state, &agent, false);
        }
        self.tell(
            id,
            ConversationEvent::ChatEnded {
                reason: EndReason::Agent {
                    agent: agent.clone(),
                },
            },
        );
        self.tell_agents();
        let agent = SimAgent::named(&agent);
        self.emit(
            id,
            Signal::Left {
                agent: agent.clone(),
                transferring: false,
            },
        )
        .await;
        self.emit(
            id,
            Signal::Ended {
                by: EndedBy::Agent(agent),
            },
        )
        .await;
        Ok(())
    }

    /// The queue gives up on `id`.
    pub async fn timeout(&self, id: &str) -> Result<(), DeskError> {
        {
            let mut state = self.lock();
            let conv = state
                .conversations
                .get_mut(id)
                .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
            if conv.view.state != ConvState::Queued {
                return Err(invalid("the conversation is not waiting".to_owned()));
            }
            conv.view.state = ConvState::Ended;
        }
        self.tell(
            id,
            ConversationEvent::Withdrawn {
                reason: EndReason::Timeout,
            },
        );
        self.emit(
            id,
            Signal::Ended {
                by: EndedBy::Timeout,
            },
        )
        .await;
        Ok(())
    }

    /// Has the emulator send one malformed event in `id`.
    pub async fn malformed(&self, id: &str) -> Result<(), DeskError> {
        if self.state_of(id).is_none() {
            return Err(DeskError::UnknownConversation(id.into()));
        }
        self.emit(id, Signal::Malformed).await;
        Ok(())
    }

    /// Sets an agent's presence (adding the agent when new).
    pub fn set_presence(&self, agent: &str, presence: Presence) {
        let mut state = self.lock();
        if let Some(a) = state.agents.iter_mut().find(|a| a.name == agent) {
            a.presence = presence;
        } else {
            state.agents.push(DeskAgent {
                name: agent.to_owned(),
                presence,
                active_chats: 0,
            });
        }
        drop(state);
        self.tell_agents();
    }

    /// The agents now.
    pub fn agent_list(&self) -> Vec<DeskAgent> {
        self.lock().agents.clone()
    }

    /// How many agents are available.
    pub fn available(&self) -> u32 {
        self.lock()
            .agents
            .iter()
            .filter(|a| a.presence == Presence::Available)
            .count() as u32
    }

    /// Records a webhook delivery attempt.
    pub fn record_delivery(&self, delivery: Delivery) {
        self.deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(delivery);
    }

    /// Every webhook delivery attempt so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

fn adjust_chats(state: &mut DeskState, agent: &str, up: bool) {
    if let Some(a) = state.agents.iter_mut().find(|a| a.name == agent) {
        a.active_chats = if up {
            a.active_chats + 1
        } else {
            a.active_chats.saturating_sub(1)
        };
    }
}
