//! The mock desk: an in-process simulated contact center, used with zero configuration.
//!
//! Named agents with presence, one queue, AWA-style offering (a waiting request rings one
//! available agent at a time; any agent may still pick it up), accept / reject with a reason,
//! barge-in (accepting a chat that is already live joins it), an automated greeting sent on
//! behalf of the accepting agent, optional autopilot and latency. It acts as each handoff style:
//! `brokered` opens live chats, `url` returns a URL built from a template, `api` enqueues then
//! redirects to another bot, `channel` records a post that agents see. In the last three the
//! request waits at the desk until an agent picks it up (nobody is rung); the page, bot or agent
//! then talks to the user in a chat the broker relays, so every style ends in a live chat.
//!
//! It is an actor: [`MockDesk`] is a cloneable handle; the state lives in one task
//! (`desk.rs`).

/// `--system mock`.
pub const NAME: crate::systems::SystemName = crate::systems::SystemName::new("mock");

/// The registry's entry: the broker runs the mock desk itself, and it has no config section
/// and no emulator of its own.
pub const SYSTEM: crate::systems::System = crate::systems::System {
    name: NAME,
    aliases: &[],
    section: None,
    check: |_| Ok(()),
    build: None,
    emulate: None,
    // The desk runs in the broker: everything the desk model does.
    capabilities: crate::systems::Capabilities::of(&crate::systems::Capability::ALL),
};

/// The mock desk allows a barge-in ([`crate::desk::Policy::MOCK`]): several agents per chat.
pub const SECOND_AGENT: bool = true;

mod desk;

use crate::connectors::url_template::UrlTemplate;
use crate::connectors::{
    AgentDesk, Availability, ChatCommand, Connector, ConnectorError, DeskAction, DeskError,
    DeskEvent, HandoffRequest, Started,
};
use crate::protocol::{ConversationId, DeskAgent, HandoffStyle, Presence};
use async_trait::async_trait;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How the mock desk behaves.
#[derive(Debug, Clone)]
pub struct DeskConfig {
    /// The system's name in status lines.
    pub system: String,
    /// Which handoff style it acts as.
    pub style: HandoffStyle,
    /// The agents, in order of preference for offers.
    pub agents: Vec<(String, Presence)>,
    /// Sent on behalf of the accepting agent; none when empty.
    pub greeting: Option<String>,
    /// Accept, greet and answer by script without a person.
    pub autopilot: Option<Autopilot>,
    /// Delay before each event reaches the broker.
    pub latency: Duration,
    /// The desk's own queue timeout, shorter than the broker's fallback when set.
    pub queue_timeout: Option<Duration>,
    /// `url` style: the chat page, a [`UrlTemplate`] (`{queue_id}`, `{utterance}`, ...;
    /// values are URL-encoded once).
    pub url_template: String,
    /// `api` style: the bot the user is redirected to.
    pub redirect_bot: String,
    /// `api` style: the link the user follows, with the same placeholders.
    pub redirect_url_template: String,
    /// `channel` style: where requests are posted.
    pub channel: String,
    /// The desk's clock: when requests were queued, and how long its own timers (the queue
    /// timeout, the autopilot's accept) really wait. The broker gives it its own (demo time,
    /// `--time-scale`).
    pub clock: crate::clock::SharedClock,
}

/// Scripted agent behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autopilot {
    /// How long a request rings before the agent accepts.
    pub accept_after: Duration,
    /// Replies: the first whose keyword occurs in the user's message (lower case) is sent.
    pub replies: Vec<(String, String)>,
    /// The reply when no keyword matches.
    pub default_reply: String,
}

impl Default for Autopilot {
    fn default() -> Self {
        Self {
            accept_after: Duration::from_secs(2),
            replies: vec![
                (
                    "error".into(),
                    "Thanks. Could you paste the exact error text?".into(),
                ),
                (
                    "thank".into(),
                    "You're welcome! Anything else I can help with?".into(),
                ),
                (
                    "password".into(),
                    "I can reset that for you. One moment please.".into(),
                ),
            ],
            default_reply: "Thanks, I'm looking into it now.".into(),
        }
    }
}

impl DeskConfig {
    /// The defaults of a style: the system names and behaviours of the seed conversations.
    pub fn for_style(style: HandoffStyle) -> Self {
        let system = match style {
            HandoffStyle::Brokered => "8x8 (mock)",
            HandoffStyle::Url => "BeyondTrust (mock)",
            HandoffStyle::Api => "Vayusphere (mock)",
            HandoffStyle::Channel => "Slack (mock)",
        };
        Self {
            system: system.into(),
            style,
            agents: vec![
                ("Lisa".into(), Presence::Available),
                ("Sam".into(), Presence::Away),
            ],
            greeting: Some(
                "Hello - can you share more details about the error message you're seeing?".into(),
            ),
            autopilot: None,
            latency: Duration::ZERO,
            queue_timeout: None,
            url_template: "https://livechat.acme.com/start-chat?queue_id={queue_id}".into(),
            redirect_bot: "Vayusphere Bot".into(),
            redirect_url_template: "https://chat.vayusphere.example/session/{conversation}".into(),
            channel: "#it-help".into(),
            clock: std::sync::Arc::new(crate::clock::SystemClock),
        }
    }
}

impl Default for DeskConfig {
    fn default() -> Self {
        Self::for_style(HandoffStyle::Brokered)
    }
}

/// Fills a URL template ([`UrlTemplate::parse`]) from a request, each value URL-encoded once.
/// A template the engine refuses is the desk's refusal to start, naming the template's fault.
pub fn fill_template(template: &str, request: &HandoffRequest) -> Result<String, DeskError> {
    UrlTemplate::parse(template)
        .map(|t| t.fill(request))
        .map_err(|e| DeskError::InvalidState(format!("the desk's URL template: {e}")))
}

/// A cloneable handle of the mock desk.
#[derive(Debug, Clone)]
pub struct MockDesk {
    commands: mpsc::Sender<Command>,
    system: String,
    style: HandoffStyle,
}

enum Command {
    Start(
        Box<HandoffRequest>,
        oneshot::Sender<Result<Started, DeskError>>,
    ),
    FromUser(ConversationId, ChatCommand),
    Agent(String, DeskAction, oneshot::Sender<Result<(), DeskError>>),
    Agents(oneshot::Sender<Vec<DeskAgent>>),
    Autopilot(ConversationId, String),
    QueueTimeout(ConversationId),
    ExpireQueue(ConversationId, oneshot::Sender<Result<(), DeskError>>),
}

impl MockDesk {
    /// Starts the desk; it reports the agents' view of conversations on `events`.
    pub fn spawn(config: DeskConfig, events: mpsc::Sender<DeskEvent>) -> Self {
        let (tx, rx) = mpsc::channel(256);
        let desk = Self {
            commands: tx.clone(),
            system: config.system.clone(),
            style: config.style,
        };
        let state = desk::State::new(config, events, tx.downgrade());
        tokio::spawn(state.run(rx));
        desk
    }

    /// The queue gives up on the waiting request of `conversation` now, as its queue timer
    /// would (and as an emulator's `POST /__emu/queue/timeout` does): the user and the agents
    /// hear the same. A conversation that is not waiting is refused, as the desk model says.
    pub async fn expire_queue(&self, conversation: ConversationId) -> Result<(), DeskError> {
        self.ask(|tx| Command::ExpireQueue(conversation, tx))
            .await
            .unwrap_or(Err(DeskError::Closed))
    }

    /// Whether `other` is a handle of the same desk.
    pub fn same_desk(&self, other: &Self) -> bool {
        self.commands.same_channel(&other.commands)
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(make(tx)).await.ok()?;
        rx.await.ok()
    }
}

#[async_trait]
impl Connector for MockDesk {
    fn system(&self) -> &str {
        &self.system
    }

    fn style(&self) -> HandoffStyle {
        self.style
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        if self.style == HandoffStyle::Url {
            return Ok(Availability::Unknown);
        }
        let agents = self
            .ask(Command::Agents)
            .await
            .ok_or_else(|| self.closed("availability"))?;
        let available = agents
            .iter()
            .filter(|a| a.presence == Presence::Available)
            .count() as u32;
        Ok(if available > 0 {
            Availability::Available(available)
        } else {
            Availability::Unavailable
        })
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        self.ask(|tx| Command::Start(Box::new(request), tx))
            .await
            .ok_or_else(|| self.closed("start"))?
            .map_err(|refused| ConnectorError::Status {
                system: self.system.clone(),
                call: "start".into(),
                // As a contact center answers when it cannot queue the request.
                status: 503,
                detail: refused.to_string(),
            })
    }
}

impl MockDesk {
    fn closed(&self, call: &str) -> ConnectorError {
        ConnectorError::Transport {
            system: self.system.clone(),
            call: call.into(),
            detail: "the mock desk has shut down".into(),
        }
    }
}

#[async_trait]
impl AgentDesk for MockDesk {
    async fn agents(&self) -> Vec<DeskAgent> {
        self.ask(Command::Agents).await.unwrap_or_default()
    }

    async fn act(&self, agent: &str, action: DeskAction) -> Result<(), DeskError> {
        self.ask(|tx| Command::Agent(agent.to_owned(), action, tx))
            .await
            .unwrap_or(Err(DeskError::Closed))
    }
}

#[cfg(test)]
mod tests;
