//! The one chat runtime every brokered system runs on.
//!
//! A connector's live chat is two parts: a [`SystemChat`], the mapping of what the system sends
//! (webhook events, socket frames) to [`ChatEvent`]s, and a [`ChatSender`], the mapping of the
//! user's [`Outgoing`] messages to the system's calls. [`spawn`] runs them under one driver:
//!
//! ```text
//!  broker ──ChatCommand──▶ driver ──Job──▶ outbox task ──▶ ChatSender::send ──▶ system
//!     ▲                      │  ▲              │ (FIFO, retries, one call at a time)
//!     └────ChatEvent─────────┘  └───Report─────┘
//!                            ▲
//!  system ──webhook/frame──▶ SystemChat::next ──▶ SystemChat::inbound
//! ```
//!
//! The driver owns what every system needs alike:
//! - outbound in the user's order, one call at a time, in a task of its own ([`outbox`]), so a
//!   slow or hung call never holds up the system's inbound events;
//! - retries of a message the sender marks [`SendError::Retry`], with the [`RetryPolicy`]'s
//!   backoff, the message (and so its idempotency key) unchanged on every attempt; the HTTP
//!   retries and the call deadline stay in [`crate::connectors::http`];
//! - bounds: [`OUTBOX_MESSAGES`] messages and [`OUTBOX_FILE_BYTES`] of files waiting; beyond
//!   them the driver takes no more commands until there is room (the broker's own queue backs
//!   up), except while messages are held for the chat to open: then the user is told the
//!   message was not delivered; typing signals are dropped at the bound;
//! - a gate for systems that take messages only once an agent is there (Glia): messages wait
//!   until the mapping says [`Step::Open`], then [`Outgoing::Opening`] goes first;
//! - reconnecting a streaming system ([`SystemChat::reconnect`]) with backoff;
//! - failures as a `SystemMessage` naming the system and the call; leaving after what the user
//!   sent before; `Ended` once, then the task ends.

mod outbox;
#[cfg(test)]
mod tests;

use super::http::RetryPolicy;
use super::{ChatCommand, ChatEvent, ChatLink, ConnectorError, FileUpload};
use crate::protocol::{AgentInfo, EndReason};
use async_trait::async_trait;
use futures_util::future::BoxFuture;
use outbox::{Outbox, Report};
use tokio::sync::mpsc;

pub use outbox::{OUTBOX_FILE_BYTES, OUTBOX_MESSAGES};

/// Commands from the broker waiting for the driver.
pub const COMMAND_QUEUE: usize = 32;
/// Events waiting for the broker; the driver (inbound and reports alike) waits when it is full.
pub const EVENT_QUEUE: usize = 64;

/// What the driver asks a [`ChatSender`] to send, in the user's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// The chat opened ([`Step::Open`]): what the system needs first (Glia: the title and the
    /// context); goes before every message that waited.
    Opening,
    /// The user's message.
    Text {
        /// Its idempotency key (the broker's client message id), the same on every attempt.
        key: String,
        /// The text.
        text: String,
    },
    /// The user's file.
    File {
        /// Its idempotency key, the same on every attempt.
        key: String,
        /// The file.
        file: FileUpload,
    },
    /// The user started or stopped typing.
    Typing(bool),
    /// The user leaves (or the broker withdraws the request): the last call of the chat.
    Leave,
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Told to the user at once.
    Final(ConnectorError),
    /// Worth sending again unchanged after a backoff (e.g. a token replaced by a reconnect).
    Retry(ConnectorError),
}

impl From<ConnectorError> for SendError {
    fn from(error: ConnectorError) -> Self {
        Self::Final(error)
    }
}

/// The outbound half of a chat: runs in the outbox task, one call at a time.
#[async_trait]
pub trait ChatSender: Send + 'static {
    /// Makes the system's calls for `message`.
    async fn send(&mut self, message: &Outgoing) -> Result<(), SendError>;

    /// What the user reads when `message` did not go: the error, and the file's name.
    fn failure(&self, message: &Outgoing, error: &ConnectorError) -> String {
        match message {
            Outgoing::File { file, .. } => format!("{error} ({:?} was not sent)", file.name),
            _ => error.to_string(),
        }
    }
}

/// What the driver does after a mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Step {
    /// Go on.
    #[default]
    Go,
    /// Go on, and let waiting messages go (after [`Outgoing::Opening`]).
    Open,
    /// The chat is over (the events end with `Ended`).
    Done,
    /// The stream is lost: call [`SystemChat::reconnect`].
    Reconnect,
}

/// Events for the broker and what to do next.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mapped {
    /// In order.
    pub events: Vec<ChatEvent>,
    /// Then this.
    pub step: Step,
}

impl Mapped {
    /// `events`, then go on.
    pub fn go(events: Vec<ChatEvent>) -> Self {
        Self {
            events,
            step: Step::Go,
        }
    }

    /// `events`, then `step`.
    pub fn then(events: Vec<ChatEvent>, step: Step) -> Self {
        Self { events, step }
    }

    /// The chat ended for `reason`.
    pub fn ended(reason: EndReason) -> Self {
        Self::then(vec![ChatEvent::Ended { reason }], Step::Done)
    }

    /// `error` told to the user (and logged under `chat`); the chat goes on.
    pub fn report(chat: &str, error: &ConnectorError) -> Self {
        Self::go(vec![report(chat, error)])
    }
}

/// An agent as most systems name one: by name, without avatar, in person.
pub fn agent(name: &str) -> AgentInfo {
    AgentInfo {
        name: name.to_owned(),
        avatar: None,
        on_behalf: false,
    }
}

/// Waiting in the system's queue, position and wait unknown.
pub fn queued() -> ChatEvent {
    ChatEvent::Queued {
        position: None,
        eta_secs: None,
    }
}

/// `error` as the `SystemMessage` the user sees, logged under `chat`.
pub fn report(chat: &str, error: &ConnectorError) -> ChatEvent {
    tracing::warn!(chat, error = %error, "chat error");
    ChatEvent::SystemMessage {
        text: error.to_string(),
    }
}

/// The inbound half of a chat: the system's events mapped to ours.
#[async_trait]
pub trait SystemChat: Send + 'static {
    /// One webhook event or socket frame, as the connector receives it.
    type Raw: Send + 'static;

    /// The first events, before anything arrives (e.g. `Queued`, a transcript read).
    async fn open(&mut self) -> Mapped {
        Mapped::default()
    }

    /// The next raw event; `None` when the system's inbox is closed (the chat ends). Must be
    /// cancel safe: the driver drops it whenever a command comes first.
    async fn next(&mut self) -> Option<Self::Raw>;

    /// Maps one raw event.
    async fn inbound(&mut self, raw: Self::Raw) -> Mapped;

    /// Restores a lost stream (after [`Step::Reconnect`]); the driver retries an error with
    /// backoff, [`Options::reconnect_attempts`] times in all. A system without a stream ends.
    async fn reconnect(&mut self) -> Result<Mapped, ConnectorError> {
        Ok(Mapped::then(Vec::new(), Step::Done))
    }

    /// Cleans up when the chat is over (detach the webhook route, close the socket).
    async fn close(&mut self) {}
}

/// How the driver runs one chat.
#[derive(Debug, Clone)]
pub struct Options {
    /// The system's name, for messages to the user.
    pub system: &'static str,
    /// The chat's id in logs.
    pub chat: String,
    /// Backoff for message retries and reconnects.
    pub policy: RetryPolicy,
    /// Reconnect attempts in all before the chat ends with an error.
    pub reconnect_attempts: u32,
    /// Whether messages go at once; `false` holds them until [`Step::Open`].
    pub open: bool,
}

/// Starts the driver for `chat` and `sender`; the link is the broker's end.
pub fn spawn<C: SystemChat, S: ChatSender>(chat: C, sender: S, options: Options) -> ChatLink {
    let (commands_tx, commands) = mpsc::channel(COMMAND_QUEUE);
    let (events, events_rx) = mpsc::channel(EVENT_QUEUE);
    tokio::spawn(drive(chat, sender, options, commands, events));
    ChatLink {
        commands: commands_tx,
        events: events_rx,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Go,
    Reconnect,
    Stop,
}

struct Driver {
    options: Options,
    events: mpsc::Sender<ChatEvent>,
    outbox: Outbox,
    leaving: bool,
    /// A message taken from the broker that waits for room in the outbox.
    pending: Option<Outgoing>,
}

/// Going on while the broker still listens.
fn flow_of(delivered: bool) -> Flow {
    if delivered { Flow::Go } else { Flow::Stop }
}

async fn drive<C: SystemChat, S: ChatSender>(
    mut chat: C,
    sender: S,
    options: Options,
    mut commands: mpsc::Receiver<ChatCommand>,
    events: mpsc::Sender<ChatEvent>,
) {
    let (reports_tx, mut reports) = mpsc::channel(outbox::REPORT_QUEUE);
    let outbox = Outbox::spawn(sender, options.clone(), reports_tx);
    let mut driver = Driver {
        options,
        events,
        outbox,
        leaving: false,
        pending: None,
    };
    let mut flow = driver.apply(chat.open().await).await;
    loop {
        if flow == Flow::Reconnect {
            flow = driver.reconnect(&mut chat).await;
        }
        if flow == Flow::Stop {
            break;
        }
        let room: BoxFuture<'static, Option<outbox::Room>> = match &driver.pending {
            Some(message) => driver.outbox.room(message),
            None => Box::pin(std::future::pending()),
        };
        flow = tokio::select! {
            command = commands.recv(), if !driver.leaving && driver.pending.is_none() => {
                driver.command(command).await
            }
            room = room => driver.admit(room),
            outcome = reports.recv() => driver.outcome(outcome).await,
            raw = chat.next() => match raw {
                Some(raw) => {
                    let mapped = chat.inbound(raw).await;
                    driver.apply(mapped).await
                }
                None => Flow::Stop,
            },
        };
    }
    chat.close().await;
    tracing::info!(chat = %driver.options.chat, "chat task finished");
}

impl Driver {
    async fn emit(&self, event: ChatEvent) -> bool {
        self.events.send(event).await.is_ok()
    }

    async fn apply(&mut self, mapped: Mapped) -> Flow {
        for event in mapped.events {
            // Once the user has left, the system's own closing (its agent leaving, its end)
            // answers that leave: the chat ends as the user's, once, as it did before.
            if self.leaving
                && matches!(event, ChatEvent::Ended { .. } | ChatEvent::AgentLeft { .. })
            {
                continue;
            }
            if !self.emit(event).await {
                return Flow::Stop;
            }
        }
        if self.leaving && mapped.step == Step::Done {
            self.emit(ChatEvent::Ended {
                reason: EndReason::User,
            })
            .await;
            return Flow::Stop;
        }
        match mapped.step {
            Step::Go => Flow::Go,
            Step::Open => {
                self.outbox.open();
                Flow::Go
            }
            Step::Done => Flow::Stop,
            Step::Reconnect => Flow::Reconnect,
        }
    }

    async fn command(&mut self, command: Option<ChatCommand>) -> Flow {
        let outgoing = match command {
            None => return Flow::Stop,
            Some(ChatCommand::End | ChatCommand::Withdraw { .. }) => {
                self.leaving = true;
                self.outbox.leave();
                return Flow::Go;
            }
            Some(ChatCommand::Text {
                text,
                client_message_id,
            }) => Outgoing::Text {
                key: client_message_id,
                text,
            },
            Some(ChatCommand::File {
                file,
                client_message_id,
            }) => Outgoing::File {
                key: client_message_id,
                file,
            },
            Some(ChatCommand::Typing(on)) => Outgoing::Typing(on),
        };
        if let Some(room) = self.outbox.try_room(&outgoing) {
            self.outbox.push(outgoing, room);
            return Flow::Go;
        }
        if let Outgoing::Typing(_) = outgoing {
            tracing::debug!(chat = %self.options.chat, "outbox full: typing signal dropped");
            return Flow::Go;
        }
        if self.outbox.is_open() {
            // Calls are going out: wait for room, and take no command meanwhile.
            self.pending = Some(outgoing);
            return Flow::Go;
        }
        // Held until the chat opens: never drop a message silently, tell the user.
        let what = match outgoing {
            Outgoing::File { .. } => "file was",
            _ => "message was",
        };
        let text = format!(
            "Your {what} not delivered: the chat has not started yet and too much is already \
             waiting for {} ({OUTBOX_MESSAGES} messages or {} MiB of files at most).",
            self.options.system,
            OUTBOX_FILE_BYTES >> 20
        );
        flow_of(self.emit(ChatEvent::SystemMessage { text }).await)
    }

    /// Queues the message that waited for room.
    fn admit(&mut self, room: Option<outbox::Room>) -> Flow {
        match (self.pending.take(), room) {
            (Some(message), Some(room)) => {
                self.outbox.push(message, room);
                Flow::Go
            }
            _ => Flow::Stop,
        }
    }

    async fn outcome(&mut self, outcome: Option<Report>) -> Flow {
        match outcome {
            Some(Report::Failed(text)) => {
                let delivered = self.emit(ChatEvent::SystemMessage { text }).await;
                flow_of(delivered)
            }
            Some(Report::Left(error)) => {
                if let Some(error) = error {
                    self.emit(report(&self.options.chat, &error)).await;
                }
                self.emit(ChatEvent::Ended {
                    reason: EndReason::User,
                })
                .await;
                Flow::Stop
            }
            None => Flow::Stop,
        }
    }

    async fn reconnect<C: SystemChat>(&mut self, chat: &mut C) -> Flow {
        let attempts = self.options.reconnect_attempts.max(1);
        let mut last_error = None;
        for attempt in 1..=attempts {
            match chat.reconnect().await {
                Ok(mapped) => {
                    tracing::info!(chat = %self.options.chat, attempt, "stream restored");
                    return self.apply(mapped).await;
                }
                Err(e) => {
                    tracing::warn!(chat = %self.options.chat, attempt, error = %e, "reconnect failed");
                    last_error = Some(e);
                    if attempt < attempts {
                        tokio::time::sleep(self.options.policy.backoff(attempt)).await;
                    }
                }
            }
        }
        if let Some(e) = last_error {
            self.emit(report(&self.options.chat, &e)).await;
            self.emit(ChatEvent::Ended {
                reason: EndReason::Error {
                    message: e.to_string(),
                },
            })
            .await;
        }
        Flow::Stop
    }
}
