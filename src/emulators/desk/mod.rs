//! The simulated contact center behind every emulator: the desk model ([`crate::desk`]) with
//! what the emulators record about conversations, and the agent scripts.
//!
//! The desk knows nothing of any wire format. What happens on it (an agent joins, says
//! something, transfers, leaves; a queue times out) becomes a [`Signal`] on one ordered
//! channel; each emulator turns signals into its system's events (8x8 webhooks, `ServiceNow`
//! response-endpoint posts, Amazon Connect WebSocket items, Glia webhooks). Who may do what is
//! the model's decision under [`Policy::emulated`] (no ringing; a barge-in only on systems
//! whose API carries a second agent). Agents are driven by an [`AgentScript`] per conversation, by the `/__emu` control
//! endpoints, or through [`crate::connectors::AgentDesk`] by the console's agent inbox.

use crate::clock::{SharedClock, SystemClock};
use crate::connectors::{DeskError, DeskEvent};
use crate::desk::{Command, Desk, Effect, Policy, Stage};
use crate::protocol::{ConversationEvent, ConversationId, DeskAgent, HandoffStyle, Presence};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use tokio::sync::{broadcast, mpsc, watch};

mod chats;
mod script;
mod signal;
mod view;
pub use script::{AgentScript, Step};
pub use signal::{EndedBy, Signal, SimAgent};
pub use view::{AgentFile, ConvState, ConvView, Delivery, ReceivedFile, RequestInfo};

/// How many signals may wait for the emulator's delivery task.
const SIGNAL_QUEUE: usize = 256;

/// How many desk events a slow subscriber may fall behind before it lags.
const DESK_EVENTS: usize = 256;

/// How many webhook delivery attempts the desk remembers.
pub const DELIVERY_LOG: usize = 1000;

/// How many agent files the desk keeps for download (oldest dropped first).
const AGENT_FILES: usize = 64;

struct Conv {
    view: ConvView,
    user_count: watch::Sender<usize>,
}

struct DeskState {
    /// Who is where and who may do what.
    model: Desk,
    /// Files agents sent, oldest first, with their bytes.
    agent_files: VecDeque<(AgentFile, bytes::Bytes)>,
    conversations: HashMap<String, Conv>,
    /// Conversation ids in arrival order.
    order: Vec<String>,
}

/// The simulated contact center.
pub struct SimDesk {
    state: Mutex<DeskState>,
    deliveries: Mutex<Vec<Delivery>>,
    signals: mpsc::Sender<(String, Signal)>,
    events: broadcast::Sender<DeskEvent>,
    script: AgentScript,
    /// When requests were queued; how long scripted waits really take.
    clock: SharedClock,
    me: Weak<SimDesk>,
}

crate::debug::debug_fields!(SimDesk { script });

fn invalid(text: impl Into<String>) -> DeskError {
    DeskError::InvalidState(text.into())
}

impl SimDesk {
    /// A desk with `agents` (all available) running `script` in every new conversation, and
    /// the receiver of its signals; one agent per chat ([`Policy::EMULATED`]).
    pub fn new(
        agents: &[String],
        script: AgentScript,
    ) -> (Arc<Self>, mpsc::Receiver<(String, Signal)>) {
        Self::with(agents, script, Policy::EMULATED, Arc::new(SystemClock))
    }

    /// A desk of `options`' agents, script and clock under `policy` (whether a second agent
    /// may join a live chat).
    pub fn from_options(
        options: &super::EmulatorOptions,
        policy: Policy,
    ) -> (Arc<Self>, mpsc::Receiver<(String, Signal)>) {
        let clock = Arc::clone(&options.clock);
        Self::with(&options.agents, options.script.clone(), policy, clock)
    }

    fn with(
        agents: &[String],
        script: AgentScript,
        policy: Policy,
        clock: SharedClock,
    ) -> (Arc<Self>, mpsc::Receiver<(String, Signal)>) {
        let (tx, rx) = mpsc::channel(SIGNAL_QUEUE);
        let model = Desk::new(
            policy,
            agents.iter().map(|a| (a.clone(), Presence::Available)),
        );
        let desk = Arc::new_cyclic(|me| Self {
            state: Mutex::new(DeskState {
                model,
                agent_files: VecDeque::new(),
                conversations: HashMap::new(),
                order: Vec::new(),
            }),
            deliveries: Mutex::new(Vec::new()),
            signals: tx,
            events: broadcast::channel(DESK_EVENTS).0,
            script,
            clock,
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
    /// subscriber that lags gets `RecvError::Lagged` and should re-read
    /// [`crate::connectors::AgentDesk::agents`].
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

    /// Runs `command` on the model for the conversation `id`, brings its recorded state in
    /// line, tells the inbox (feed events, presence) and returns the signals for the emulator,
    /// in the model's order.
    fn decide(&self, id: &str, command: Command) -> Result<Vec<(String, Signal)>, DeskError> {
        let effects = {
            let mut state = self.lock();
            let effects = state.model.handle(command)?;
            let key = ConversationId::from(id);
            let (conv_state, agent) = match state.model.stage(&key) {
                Some(Stage::Waiting) => (ConvState::Queued, None),
                Some(Stage::Live(agents) | Stage::Invited(agents)) => {
                    (ConvState::Live, agents.last().cloned())
                }
                Some(Stage::Over) | None => (ConvState::Ended, None),
            };
            if let Some(conv) = state.conversations.get_mut(id) {
                conv.view.state = conv_state;
                conv.view.agent = agent;
            }
            effects
        };
        let mut signals = Vec::new();
        for effect in effects {
            match effect {
                Effect::Feed(conversation, event) => self.tell(conversation.as_str(), event),
                Effect::AgentsChanged => self.tell_agents(),
                Effect::User(conversation, note) => signals.extend(
                    signal::signals_of(note)
                        .into_iter()
                        .map(|s| (conversation.0.clone(), s)),
                ),
            }
        }
        Ok(signals)
    }

    /// [`Self::decide`], then the signals go to the emulator.
    async fn apply(&self, id: &str, command: Command) -> Result<(), DeskError> {
        for (conversation, signal) in self.decide(id, command)? {
            self.emit(&conversation, signal).await;
        }
        Ok(())
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

    /// A client opened conversation `id`: it is queued and the script starts. A desk whose
    /// queue is full ([`crate::desk::MAX_WAITING`]) ends the conversation at once (a timeout).
    pub async fn open(
        &self,
        id: &str,
        external_ref: Option<String>,
        eta_secs: u64,
        request: RequestInfo,
    ) {
        let label = external_ref.clone().unwrap_or_else(|| id.to_owned());
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
        let queued_at = self.clock.now_millis();
        self.tell(
            id,
            ConversationEvent::Request {
                title: request.title,
                user: request.user,
                topic: request.topic,
                context: request.context,
                history: request.history,
                queued_at,
                style: HandoffStyle::Brokered,
            },
        );
        self.emit(id, Signal::Queued { eta_secs }).await;
        let opened = Command::Open {
            conversation: id.into(),
            label: label.into(),
            at: queued_at,
        };
        if let Err(e) = self.apply(id, opened).await {
            tracing::warn!(conversation = id, error = %e, "the desk refused the request");
            self.refused(id).await;
            return;
        }
        if !self.script.steps.is_empty()
            && let Some(desk) = self.me.upgrade()
        {
            let id = id.to_owned();
            tokio::spawn(async move { desk.run_script(&id).await });
        }
    }

    /// A request the model would not queue ends as a queue timeout would.
    async fn refused(&self, id: &str) {
        if let Some(conv) = self.lock().conversations.get_mut(id) {
            conv.view.state = ConvState::Ended;
        }
        let reason = crate::protocol::EndReason::Timeout;
        self.tell(id, ConversationEvent::Withdrawn { reason });
        self.emit(
            id,
            Signal::Ended {
                by: EndedBy::Timeout,
            },
        )
        .await;
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

    /// Runs `f` on the recorded conversation `id` unless it has ended.
    fn record(&self, id: &str, f: impl FnOnce(&mut Conv)) -> Result<(), DeskError> {
        let mut state = self.lock();
        let conv = state
            .conversations
            .get_mut(id)
            .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
        if conv.view.state == ConvState::Ended {
            return Err(invalid("the conversation has ended"));
        }
        f(conv);
        Ok(())
    }

    /// The user said something.
    pub fn user_message(&self, id: &str, text: &str) -> Result<(), DeskError> {
        self.record(id, |conv| {
            conv.view.user_messages.push(text.to_owned());
            conv.user_count.send_replace(conv.view.user_messages.len());
        })
    }

    /// The user sent a file (after the system stored it).
    pub fn user_file(&self, id: &str, file: ReceivedFile) -> Result<(), DeskError> {
        self.record(id, |conv| conv.view.files.push(file))
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

    /// The user left; no signal (each system reports it differently, if at all, and the model
    /// tells the user side nothing of its own leaving). Leaving again changes nothing.
    pub fn user_left(&self, id: &str) -> Result<(), DeskError> {
        match self.state_of(id) {
            None => Err(DeskError::UnknownConversation(id.into())),
            Some(ConvState::Ended) => Ok(()),
            Some(_) => {
                let left = Command::Leave {
                    conversation: id.into(),
                    reason: crate::protocol::EndReason::User,
                };
                self.decide(id, left).map(drop)
            }
        }
    }

    /// `agent` accepts the queued conversation `id`.
    pub async fn join(&self, id: &str, agent: &str) -> Result<(), DeskError> {
        let accept = Command::Accept {
            agent: agent.to_owned(),
            conversation: id.into(),
        };
        self.apply(id, accept).await
    }

    /// The agent in `id`: `who`, who must be in the chat, or when not given, the one who has
    /// it.
    fn live_agent(&self, id: &str, who: Option<&str>) -> Result<String, DeskError> {
        let state = self.lock();
        let conv = state
            .conversations
            .get(id)
            .ok_or_else(|| DeskError::UnknownConversation(id.into()))?;
        if conv.view.state == ConvState::Ended {
            return Err(invalid("the conversation has ended"));
        }
        let key = ConversationId::from(id);
        if let Some(who) = who {
            state.model.may_talk(who, &key)?;
            return Ok(who.to_owned());
        }
        state
            .model
            .agents_in(&key)
            .and_then(|agents| agents.last().cloned())
            .ok_or_else(|| invalid("no agent has joined the conversation yet"))
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

    /// Fails unless `id` is a live chat and `who` (when given) is in it: what an agent may do
    /// only in their own chat.
    pub fn check_agent(&self, id: &str, who: Option<&str>) -> Result<(), DeskError> {
        self.live_agent(id, who).map(drop)
    }

    /// Has the emulator send one malformed event in `id`.
    pub async fn malformed(&self, id: &str) -> Result<(), DeskError> {
        if self.state_of(id).is_none() {
            return Err(DeskError::UnknownConversation(id.into()));
        }
        self.emit(id, Signal::Malformed).await;
        Ok(())
    }

    /// Sets an agent's presence (adding the agent when new, up to
    /// [`crate::desk::MAX_AGENTS`]).
    pub fn try_set_presence(&self, agent: &str, presence: Presence) -> Result<(), DeskError> {
        self.lock().model.handle(Command::SetPresence {
            agent: agent.to_owned(),
            presence,
        })?;
        // Nothing rings on this desk, so the agents' list is all there is to tell.
        self.tell_agents();
        Ok(())
    }

    /// Sets an agent's presence (adding the agent when new); a refusal is logged.
    pub fn set_presence(&self, agent: &str, presence: Presence) {
        if let Err(e) = self.try_set_presence(agent, presence) {
            tracing::warn!(agent, error = %e, "presence not set");
        }
    }

    /// The agents now.
    pub fn agent_list(&self) -> Vec<DeskAgent> {
        self.lock().model.agents().to_vec()
    }

    /// Whether `agent` works at this desk.
    pub fn knows(&self, agent: &str) -> bool {
        self.lock().model.knows(agent)
    }

    /// How many agents are available.
    pub fn available(&self) -> u32 {
        self.lock().model.available()
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
