//! A system that outlives the broker. An in-process restart (`handoff run`'s `restart` step,
//! the console's "Restart the broker") stops one broker and starts another on the same store;
//! the system it hands users to — the mock desk, or a connector and its emulator — stays, and
//! its live chats carry on into the new broker.
//!
//! Every live chat the connector opens runs through a pump here rather than straight into the
//! hub. [`Lasting::park`] (before the old broker stops) makes the pumps hold what the system
//! says next; the new broker's hub takes each chat back ([`Connector::resume`]) as it restores
//! the conversation from the store, and the pump delivers what it held, in order. The mock
//! desk, which otherwise lives inside the broker, lives here too, its desk events going to
//! whichever hub is current.
//!
//! A process that dies (`kill -9`) keeps nothing of this: its live chats end on restart, as
//! `handoff::restore` tells the user.

use super::SystemLink;
use super::hub::HubMsg;
use crate::connectors::{
    Availability, ChatCommand, ChatEvent, ChatLink, Connector, ConnectorError, DeskEvent,
    HandoffRequest, Started, http, trace,
};
use crate::protocol::{ConversationId, HandoffStyle};
use crate::systems::mock::{DeskConfig, MockDesk};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

/// The events of one live chat on their way to a hub: each chat's queue toward its hub holds
/// at most this many (the hub's relay reads them one by one).
const CHAT_QUEUE: usize = 64;

/// Where a pump (or the mock desk's forwarder) delivers.
#[derive(Debug)]
enum Target<T> {
    /// To this hub.
    Live(mpsc::Sender<T>),
    /// Hold events: a restart is under way. The old hub's sender is kept so that its relay
    /// does not see the chat close (which it would report as the system ending it).
    Parked(Option<mpsc::Sender<T>>),
}

impl<T> Target<T> {
    fn parked(&self) -> Self {
        match self {
            Self::Live(tx) => Self::Parked(Some(tx.clone())),
            Self::Parked(tx) => Self::Parked(tx.clone()),
        }
    }
}

/// Delivers `event` to the live target, waiting out a restart; `None` once nobody can take it.
async fn deliver<T>(mut event: T, to: &mut watch::Receiver<Target<T>>) -> Option<()> {
    loop {
        let live = match &*to.borrow_and_update() {
            Target::Live(tx) => Some(tx.clone()),
            Target::Parked(_) => None,
        };
        if let Some(tx) = live {
            match tx.send(event).await {
                Ok(()) => return Some(()),
                // That hub stopped: keep the event for the next.
                Err(mpsc::error::SendError(back)) => event = back,
            }
        }
        to.changed().await.ok()?;
    }
}

/// A live chat held across restarts.
struct Held {
    /// Tells the chat apart from a later one of the same conversation.
    id: u64,
    /// The system's side of the chat's commands, for the hub that resumes it.
    commands: mpsc::Sender<ChatCommand>,
    /// Where its events go.
    target: watch::Sender<Target<ChatEvent>>,
}

/// The live chats, by conversation: at most one per conversation with a live chat on the
/// system, which the hub's conversations bound; a chat leaves when the system ends it.
type Chats = Arc<Mutex<HashMap<ConversationId, Held>>>;

fn lock(chats: &Chats) -> std::sync::MutexGuard<'_, HashMap<ConversationId, Held>> {
    chats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The connector a lasting system gives brokers: the system's own, its live chats pumped.
struct Pumped {
    inner: Arc<dyn Connector>,
    chats: Chats,
    next: AtomicU64,
}

impl Pumped {
    /// Takes the system's side of a live chat and gives the hub its own.
    fn hold(&self, conversation: ConversationId, link: ChatLink) -> ChatLink {
        let (tx, rx) = mpsc::channel(CHAT_QUEUE);
        let (target, mut to) = watch::channel(Target::Live(tx));
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let commands = link.commands.clone();
        lock(&self.chats).insert(
            conversation.clone(),
            Held {
                id,
                commands: link.commands,
                target,
            },
        );
        let (chats, mut events) = (Arc::clone(&self.chats), link.events);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if deliver(event, &mut to).await.is_none() {
                    break;
                }
            }
            // The chat is over: the hub's side closes once its entry (and sender) goes.
            let mut chats = lock(&chats);
            if chats.get(&conversation).is_some_and(|h| h.id == id) {
                chats.remove(&conversation);
            }
        });
        ChatLink {
            commands,
            events: rx,
        }
    }

    fn hold_some(&self, conversation: &ConversationId, link: Option<ChatLink>) -> Option<ChatLink> {
        link.map(|link| self.hold(conversation.clone(), link))
    }
}

#[async_trait]
impl Connector for Pumped {
    fn api(&self) -> Option<&http::Api> {
        self.inner.api()
    }

    fn system(&self) -> &str {
        self.inner.system()
    }

    fn style(&self) -> HandoffStyle {
        self.inner.style()
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        self.inner.availability().await
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        let conversation = request.conversation.clone();
        Ok(match self.inner.start(request).await? {
            Started::Chat(link) => Started::Chat(self.hold(conversation, link)),
            Started::Redirect { url, via, chat } => Started::Redirect {
                url,
                via,
                chat: self.hold_some(&conversation, chat),
            },
            Started::Posted { channel, chat } => Started::Posted {
                channel,
                chat: self.hold_some(&conversation, chat),
            },
        })
    }

    fn trace_to(&self, sender: trace::TraceSender) {
        self.inner.trace_to(sender);
    }

    fn resume(&self, conversation: &ConversationId) -> Option<ChatLink> {
        let chats = lock(&self.chats);
        let held = chats.get(conversation)?;
        let (tx, rx) = mpsc::channel(CHAT_QUEUE);
        // The old hub's sender goes with the old target: its relay ends quietly.
        held.target.send_replace(Target::Live(tx));
        Some(ChatLink {
            commands: held.commands.clone(),
            events: rx,
        })
    }
}

/// A system, with its live chats, that outlives the brokers started on it.
pub struct Lasting {
    connector: Arc<Pumped>,
    desk: Option<Arc<dyn crate::connectors::AgentDesk>>,
    /// Where the mock desk's own events go (`None` for another system, whose desk view the
    /// hub derives from the chats).
    desk_events: Option<watch::Sender<Target<HubMsg>>>,
    /// The mock desk, when it is the system (its queue can be expired now).
    mock: Option<MockDesk>,
}

impl std::fmt::Debug for Lasting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lasting")
            .field("system", &self.connector.system())
            .field("chats", &lock(&self.connector.chats).len())
            .finish_non_exhaustive()
    }
}

impl Lasting {
    fn new(link: SystemLink, desk_events: Option<watch::Sender<Target<HubMsg>>>) -> Self {
        let (inner, desk) = link;
        Self {
            connector: Arc::new(Pumped {
                inner,
                chats: Arc::default(),
                next: AtomicU64::new(0),
            }),
            desk,
            desk_events,
            mock: None,
        }
    }

    /// A real system's connector and its simulated desk, when it has one.
    pub fn system(link: SystemLink) -> Self {
        Self::new(link, None)
    }

    /// The mock desk, started here (its agents and chats outlive the broker).
    pub fn mock(config: DeskConfig) -> Self {
        let (desk_tx, mut desk_rx) = mpsc::channel::<DeskEvent>(1024);
        let mock = MockDesk::spawn(config, desk_tx);
        let (target, mut to) = watch::channel(Target::Parked(None));
        tokio::spawn(async move {
            while let Some(event) = desk_rx.recv().await {
                if deliver(HubMsg::Desk(event), &mut to).await.is_none() {
                    break;
                }
            }
        });
        let link: SystemLink = (Arc::new(mock.clone()), Some(Arc::new(mock.clone())));
        Self {
            mock: Some(mock),
            ..Self::new(link, Some(target))
        }
    }

    /// The mock desk, when it is the system.
    pub fn mock_desk(&self) -> Option<&MockDesk> {
        self.mock.as_ref()
    }

    /// Whether the desk reports its own view of conversations (the mock desk does).
    pub fn reports_desk_view(&self) -> bool {
        self.desk_events.is_some()
    }

    /// The system for a broker starting now, whose hub listens on `hub`.
    pub(super) fn attach(&self, hub: &mpsc::Sender<HubMsg>) -> SystemLink {
        if let Some(events) = &self.desk_events {
            events.send_replace(Target::Live(hub.clone()));
        }
        let connector: Arc<dyn Connector> = self.connector.clone();
        (connector, self.desk.clone())
    }

    /// Holds everything the system says from now on, for the next broker: call it before
    /// stopping the current one.
    pub fn park(&self) {
        if let Some(events) = &self.desk_events {
            events.send_modify(|t| *t = t.parked());
        }
        for held in lock(&self.connector.chats).values() {
            held.target.send_modify(|t| *t = t.parked());
        }
    }

    /// How many live chats it holds (one per conversation at most).
    pub fn live_chats(&self) -> usize {
        lock(&self.connector.chats).len()
    }
}

#[cfg(test)]
mod tests;
