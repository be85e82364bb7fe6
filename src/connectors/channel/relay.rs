//! The chat behind a channel post: it tells the user when an agent picks the request up, and
//! carries what the user says next into the post's thread.
//!
//! ```text
//!  start ──post──▶ channel          agent clicks Accept ──▶ accept hook ──▶ Relay::accept
//!    │                                                                       │
//!    └─ ChatLink ◀── AgentJoined + "<agent> picked up your request" ◀────────┘
//!         │ user's text ──▶ follow-up post in the thread;  End ──▶ note, Ended(User)
//! ```

use super::accept::AcceptHook;
use super::{ChannelApi, Common, Post, PostKind, Posting, Service};
use crate::connectors::http::Api;
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use crate::connectors::{
    Availability, ChatCommand, ChatEvent, ChatLink, Connector, ConnectorError, HandoffRequest,
    Started,
};
use crate::protocol::{AgentInfo, EndReason, HandoffStyle};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

/// How many posted requests may wait for an agent at once. At the bound a request is still
/// posted, but without a relayed chat: the user is told where it went, not who took it.
pub const MAX_OPEN_POSTS: usize = 1000;

/// The user's commands queued for one chat; the broker waits when it is full.
const COMMANDS: usize = 32;

/// The events queued for the broker of one chat (an acceptance is two).
const EVENTS: usize = 16;

/// The chats of the posts that are open, by conversation.
#[derive(Debug)]
pub struct Relay {
    service: String,
    bound: usize,
    open: Mutex<HashMap<String, mpsc::Sender<ChatEvent>>>,
}

/// What an acceptance came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// The user was told.
    Told,
    /// No open post has that conversation (it ended, or was never posted here).
    Unknown,
}

impl Relay {
    /// The relay of `service` (named in what the user is told), bounded by [`MAX_OPEN_POSTS`].
    pub fn new(service: &str) -> Self {
        Self::with_bound(service, MAX_OPEN_POSTS)
    }

    /// [`Relay::new`] with another bound.
    pub fn with_bound(service: &str, bound: usize) -> Self {
        Self {
            service: service.to_owned(),
            bound,
            open: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, mpsc::Sender<ChatEvent>>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many posts wait or are accepted with their chat open.
    pub fn open_count(&self) -> usize {
        self.lock().len()
    }

    /// Opens the chat of `conversation`; `None` at the bound.
    pub(super) fn open(
        &self,
        conversation: &str,
    ) -> Option<(mpsc::Receiver<ChatEvent>, mpsc::Sender<ChatEvent>)> {
        let mut open = self.lock();
        open.retain(|_, events| !events.is_closed());
        if open.len() >= self.bound && !open.contains_key(conversation) {
            return None;
        }
        let (tx, rx) = mpsc::channel(EVENTS);
        open.insert(conversation.to_owned(), tx.clone());
        Some((rx, tx))
    }

    fn close(&self, conversation: &str) {
        self.lock().remove(conversation);
    }

    /// `agent` picked up the post of `conversation`: the user hears it.
    pub async fn accept(&self, conversation: &str, agent: &str) -> Accepted {
        let Some(events) = self.lock().get(conversation).cloned() else {
            return Accepted::Unknown;
        };
        let who = AgentInfo {
            name: agent.to_owned(),
            avatar: None,
            on_behalf: false,
        };
        let text = format!(
            "{agent} picked up your request and will reach out to you in {}.",
            self.service
        );
        let told = events
            .send(ChatEvent::AgentJoined { agent: who })
            .await
            .is_ok()
            && events.send(ChatEvent::SystemMessage { text }).await.is_ok();
        if told {
            Accepted::Told
        } else {
            self.close(conversation);
            Accepted::Unknown
        }
    }
}

/// A channel system's [`Connector`]: posts the request and relays the acceptance.
pub struct ChannelConnector {
    api: Arc<dyn ChannelApi>,
    http: Api,
    channel: String,
    relay: Arc<Relay>,
}

impl ChannelConnector {
    /// The relay acceptances go to.
    pub fn relay(&self) -> Arc<Relay> {
        self.relay.clone()
    }
}

/// The connector of `service` posting through `api` (`secrets` scrubbed from its errors),
/// its acceptances taken on `listener`'s route `route` when `common` has their secret.
pub fn connect(
    service: &Service,
    api: Arc<dyn ChannelApi>,
    secrets: Vec<Secret>,
    common: Common,
    (listener, route): (&WebhookListener, &str),
) -> ChannelConnector {
    // A post is not idempotent: only refusals (429) are retried.
    let http = Api::new(service.name, common.retry, secrets).unkeyed();
    let relay = match common.accept_secret {
        None => Arc::new(Relay::with_bound(service.name, 0)),
        Some(secret) => {
            let relay = Arc::new(Relay::new(service.name));
            let hook = AcceptHook::new(relay.clone(), service.scheme, secret, service.parse);
            listener.route(route, Arc::new(hook));
            relay
        }
    };
    ChannelConnector {
        api,
        http,
        channel: format!("{} {}", service.name, common.channel_name),
        relay,
    }
}

#[async_trait]
impl Connector for ChannelConnector {
    fn api(&self) -> Option<&Api> {
        Some(&self.http)
    }

    fn style(&self) -> HandoffStyle {
        HandoffStyle::Channel
    }

    /// A channel cannot tell who is watching it.
    async fn availability(&self) -> Result<Availability, ConnectorError> {
        Ok(Availability::Unknown)
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        let post = Post::request(&request);
        // Open first: an agent may accept before the post call returns.
        let opened = self.relay.open(&post.conversation);
        let thread = match self
            .api
            .post(Posting {
                http: &self.http,
                post: &post,
                thread: None,
            })
            .await
        {
            Ok(thread) => thread,
            Err(e) => {
                self.relay.close(&post.conversation);
                return Err(e);
            }
        };
        let chat = opened.map(|(events_rx, events_tx)| {
            let (commands, commands_rx) = mpsc::channel(COMMANDS);
            let user = request.user.name.clone();
            let side = UserSide {
                api: self.api.clone(),
                http: self.http.clone(),
                relay: self.relay.clone(),
                conversation: post.conversation.clone(),
                user,
                thread,
                events: events_tx,
            };
            tokio::spawn(side.run(commands_rx));
            ChatLink {
                commands,
                events: events_rx,
            }
        });
        Ok(Started::Posted {
            channel: self.channel.clone(),
            chat,
        })
    }
}

/// The user's side of one posted request's chat.
struct UserSide {
    api: Arc<dyn ChannelApi>,
    http: Api,
    relay: Arc<Relay>,
    conversation: String,
    user: String,
    thread: Option<String>,
    events: mpsc::Sender<ChatEvent>,
}

impl UserSide {
    async fn run(self, mut commands: mpsc::Receiver<ChatCommand>) {
        while let Some(command) = commands.recv().await {
            let (text, reason) = match command {
                ChatCommand::Text { text, .. } => (text, None),
                ChatCommand::File { file, .. } => (
                    format!("(sent a file: {}; ask them for it)", file.name),
                    None,
                ),
                ChatCommand::Typing(_) => continue,
                ChatCommand::End => ("(left the chat)".to_owned(), Some(EndReason::User)),
                ChatCommand::Withdraw { reason } => {
                    ("(the request was withdrawn)".to_owned(), Some(reason))
                }
            };
            self.follow_up(text).await;
            if let Some(reason) = reason {
                let _ = self.events.send(ChatEvent::Ended { reason }).await;
                break;
            }
        }
        self.relay.close(&self.conversation);
    }

    /// Posts in the request's thread; a failure is told to the user, the chat goes on.
    async fn follow_up(&self, text: String) {
        let post = Post {
            conversation: self.conversation.clone(),
            kind: PostKind::FollowUp {
                user: self.user.clone(),
                text,
            },
        };
        let to = Posting {
            http: &self.http,
            post: &post,
            thread: self.thread.as_deref(),
        };
        if let Err(e) = self.api.post(to).await {
            let text = format!("Your message did not reach the channel: {e}");
            let _ = self.events.send(ChatEvent::SystemMessage { text }).await;
        }
    }
}
