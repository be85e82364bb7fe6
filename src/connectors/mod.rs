//! The interface between the broker and the contact-center systems.
//!
//! A [`Connector`] is one system (the mock desk, `ServiceNow`, Amazon Connect, 8x8, Glia, a URL
//! template, a channel). The broker asks it whether agents are available and starts a handoff
//! with a [`HandoffRequest`]; what comes back depends on the system's handoff style:
//! a live chat ([`ChatLink`], message brokering), a URL to send the user to (URL and API
//! styles) or a post in a channel. A live chat is two channels: [`ChatCommand`]s from the
//! broker to the system and normalized [`ChatEvent`]s from the system to the broker.
//!
//! Connectors return domain types and [`ConnectorError`]s that name the system, the call and
//! the status; they know nothing of the terminal or of the wire protocol's framing.
//!
//! An [`AgentDesk`] is the agent side of a *simulated* system (the mock desk, an emulator): the
//! broker forwards what agents' clients do to it, and it reports the desk's view of each
//! conversation back as [`DeskEvent`]s.

pub mod agent_file;
pub mod channel;
pub mod files;
pub mod http;
pub mod multipart;
pub mod redact;
pub mod redirect;
pub mod retry;
pub mod runtime;
pub mod trace;
pub mod url_template;
pub mod webhook;

use crate::protocol::{
    AgentInfo, ConversationEvent, ConversationId, DeskAgent, EndReason, HandoffStyle, Millis,
    Presence, UserInfo,
};
use async_trait::async_trait;
use std::collections::BTreeMap;
use tokio::sync::mpsc;

/// The size of the plain-text history extract an agent receives, per the brokering spec.
pub const HISTORY_LIMIT_BYTES: usize = 10 * 1024;

/// Everything a system needs to place a user with an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffRequest {
    /// The broker's conversation; systems echo it as their client session id.
    pub conversation: ConversationId,
    /// The user's main utterance: the request's title on the agent's side.
    pub title: String,
    /// The topic the assistant derived, e.g. "SQL Database".
    pub topic: String,
    /// The end user.
    pub user: UserInfo,
    /// Routing context: `domain`, `language`, `region`, `queue`, `queue_id` and custom keys.
    pub context: BTreeMap<String, String>,
    /// The user's recent conversation with the assistant, oldest first.
    pub history: Vec<HistoryLine>,
}

impl HandoffRequest {
    /// The history as plain text, newest lines kept when it is over `limit` bytes.
    pub fn history_text(&self, limit: usize) -> String {
        let mut lines: Vec<String> = Vec::new();
        let mut used = 0;
        for line in self.history.iter().rev() {
            let text = format!("{}: {}", line.speaker.label(&self.user.name), line.text);
            if used + text.len() + 1 > limit {
                break;
            }
            used += text.len() + 1;
            lines.push(text);
        }
        lines.reverse();
        lines.join("\n")
    }
}

/// One line of the user's history with the assistant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    /// When it was said.
    pub at: Millis,
    /// Who said it.
    pub speaker: Speaker,
    /// What was said, as plain text.
    pub text: String,
}

/// Who said a history line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The end user.
    User,
    /// The assistant.
    Assistant,
}

impl Speaker {
    fn label(self, user_name: &str) -> &str {
        match self {
            Self::User => user_name,
            Self::Assistant => "Assistant",
        }
    }
}

/// Whether agents can take a chat now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// This many agents can take a chat.
    Available(u32),
    /// Nobody can.
    Unavailable,
    /// The system cannot tell; the broker offers the button anyway.
    Unknown,
}

impl Availability {
    /// Whether the Start agent chat button should be offered.
    pub fn allows_handoff(self) -> bool {
        !matches!(self, Self::Unavailable)
    }
}

/// What starting a handoff produced.
#[derive(Debug)]
pub enum Started {
    /// Message brokering: a live chat relayed by the broker.
    Chat(ChatLink),
    /// URL or API style: send the user there.
    Redirect {
        /// The URL.
        url: String,
        /// The bot or page the user lands on, e.g. "Vayusphere Bot", when it has a name.
        via: Option<String>,
        /// Where the system carries the conversation on once an agent picks the request up,
        /// relayed by the broker (the mock desk plays the page or bot this way); `None` when
        /// the conversation leaves the broker for good.
        chat: Option<ChatLink>,
    },
    /// Channel style: the request was posted.
    Posted {
        /// The channel, e.g. "#it-help".
        channel: String,
        /// The chat the agent who picks the post up talks in, relayed by the broker; `None`
        /// when the agent reaches the user elsewhere.
        chat: Option<ChatLink>,
    },
}

/// A live chat with a system: commands go in, events come out. Dropping `commands` ends nothing
/// by itself; send [`ChatCommand::End`] to leave.
#[derive(Debug)]
pub struct ChatLink {
    /// To the system.
    pub commands: mpsc::Sender<ChatCommand>,
    /// From the system, in the order the system sent them.
    pub events: mpsc::Receiver<ChatEvent>,
}

/// What the broker asks of a live chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatCommand {
    /// The user said something.
    Text {
        /// The text.
        text: String,
        /// A unique id for the message, used as the system's idempotency key.
        client_message_id: String,
    },
    /// The user sent a file.
    File {
        /// The file.
        file: FileUpload,
        /// A unique id for the message carrying it, used as the idempotency key.
        client_message_id: String,
    },
    /// The user started or stopped typing.
    Typing(bool),
    /// The user left ("Stop chat").
    End,
    /// The broker takes the request back for a reason of its own (its fallback queue timeout):
    /// leave as for [`ChatCommand::End`], but the desk is told the real reason.
    Withdraw {
        /// Why, e.g. [`EndReason::Timeout`](crate::protocol::EndReason::Timeout).
        reason: crate::protocol::EndReason,
    },
}

/// A file the user sends to the agent. Its bytes are shared, not copied, on the way to the
/// system.
#[derive(Clone, PartialEq, Eq)]
pub struct FileUpload {
    /// The file name, without any directory.
    pub name: String,
    /// The MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The contents.
    pub bytes: bytes::Bytes,
}

impl FileUpload {
    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// What both sides of the chat see of the file.
    pub fn describe(&self) -> crate::protocol::Attachment {
        crate::protocol::Attachment {
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size: Some(self.size()),
            url: None,
        }
    }
}

impl std::fmt::Debug for FileUpload {
    // The contents stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("size", &self.bytes.len())
            .finish()
    }
}

/// What a system reports about a live chat, normalized across systems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEvent {
    /// Waiting in the system's queue.
    Queued {
        /// Position, when the system says.
        position: Option<u32>,
        /// Wait estimate in seconds, when the system gives one.
        eta_secs: Option<u64>,
    },
    /// The request is being offered to an agent.
    Ringing {
        /// The agent.
        agent: String,
    },
    /// An agent joined (accepted, or joined after a transfer or a barge-in).
    AgentJoined {
        /// Who.
        agent: AgentInfo,
    },
    /// A message from an agent, or sent on an agent's behalf (`agent.on_behalf`).
    AgentMessage {
        /// Who.
        agent: AgentInfo,
        /// The text.
        text: String,
    },
    /// A file from an agent: its name, type, size and a link to it, as far as the system tells.
    AgentFile {
        /// Who.
        agent: AgentInfo,
        /// The file.
        file: crate::protocol::Attachment,
    },
    /// A message from the system itself, shown without attribution.
    SystemMessage {
        /// The text.
        text: String,
    },
    /// An agent started or stopped typing.
    Typing {
        /// Who.
        agent: String,
        /// Typing now or stopped.
        on: bool,
    },
    /// The chat is being transferred.
    Transferred {
        /// To whom, when the system says.
        to: Option<String>,
    },
    /// An agent left; the chat goes on if others remain or a transfer is under way.
    AgentLeft {
        /// Who.
        agent: String,
    },
    /// The chat is over.
    Ended {
        /// Why.
        reason: EndReason,
    },
}

/// A contact-center system the broker can hand users over to.
#[async_trait]
pub trait Connector: Send + Sync {
    /// The handle of a system reached over HTTP: it names the system and takes traces.
    /// `None` (the default) for a system that makes no calls of its own, such as the mock desk,
    /// which then names itself in [`Connector::system`].
    fn api(&self) -> Option<&http::Api> {
        None
    }

    /// The system's name for status lines, e.g. "8x8 (mock)": by default its API handle's.
    fn system(&self) -> &str {
        self.api().map_or("(unnamed system)", http::Api::system)
    }

    /// How this system takes users over: by default brokering messages both ways.
    fn style(&self) -> HandoffStyle {
        HandoffStyle::Brokered
    }

    /// Whether agents can take a chat now.
    async fn availability(&self) -> Result<Availability, ConnectorError>;

    /// Places the user with the system.
    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError>;

    /// The live chat of `conversation` the system kept across an in-process broker restart
    /// (see `broker::lasting`), for the new broker to relay; `None` (the default) when there is
    /// none: the chat ended with the old broker.
    fn resume(&self, _conversation: &ConversationId) -> Option<ChatLink> {
        None
    }

    /// Sends a trace of every call to the system to `sender` from now on (for inspectors).
    /// Connectors that make no calls of their own (no [`Connector::api`]) ignore it.
    fn trace_to(&self, sender: trace::TraceSender) {
        if let Some(api) = self.api() {
            api.trace_slot().connect(sender);
        }
    }
}

/// What a connector call failed with. Every variant names the system and the call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// The system refused the credentials.
    #[error("{system}: {call} was refused (HTTP {status}): check the credentials")]
    Unauthorized {
        /// The system.
        system: String,
        /// The API call.
        call: String,
        /// The HTTP status.
        status: u16,
    },
    /// The system answered with an error status.
    #[error("{system}: {call} failed with HTTP {status}: {detail}")]
    Status {
        /// The system.
        system: String,
        /// The API call.
        call: String,
        /// The HTTP status.
        status: u16,
        /// The system's error text, shortened.
        detail: String,
    },
    /// The system could not be reached, or timed out.
    #[error("{system}: {call} could not reach the system: {detail}")]
    Transport {
        /// The system.
        system: String,
        /// The API call.
        call: String,
        /// What happened.
        detail: String,
    },
    /// The system answered something we cannot read.
    #[error("{system}: {call} returned an unexpected payload: {detail}")]
    Payload {
        /// The system.
        system: String,
        /// The API call.
        call: String,
        /// What was wrong.
        detail: String,
    },
    /// The connector is not configured to make this call.
    #[error("{system}: {detail}")]
    Config {
        /// The system.
        system: String,
        /// What is missing.
        detail: String,
    },
}

/// What an agent's client asks of a simulated desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskAction {
    /// Take a waiting request.
    Accept(ConversationId),
    /// Turn a waiting request down, or decline an invitation to a live chat.
    Reject(ConversationId, String),
    /// Say something in a chat the agent is in.
    Reply(ConversationId, String),
    /// Send the user of a chat the agent is in a file.
    File(ConversationId, FileUpload),
    /// Start or stop typing in a chat.
    Typing(ConversationId, bool),
    /// End a chat the agent is in.
    End(ConversationId),
    /// Hand a chat the agent is in to another agent (by name).
    Transfer(ConversationId, String),
    /// Ask another agent (by name) into a chat the agent is in; they accept or reject.
    Invite(ConversationId, String),
    /// Change the agent's presence.
    SetPresence(Presence),
}

// The desk's refusals live with the desk model; connectors name them as before.
pub use crate::desk::{DeskError, transfer_needs_available};

/// What a simulated desk reports to the broker.
#[derive(Debug, Clone, PartialEq)]
pub enum DeskEvent {
    /// The desk's view of a conversation changed (request, offered, assigned, ...).
    Conversation {
        /// The conversation.
        conversation: ConversationId,
        /// What happened, as agents see it.
        event: ConversationEvent,
    },
    /// The agents or their presence changed.
    Agents(Vec<DeskAgent>),
}

/// The agent side of a simulated system.
#[async_trait]
pub trait AgentDesk: Send + Sync {
    /// The desk's agents, as they are now.
    async fn agents(&self) -> Vec<DeskAgent>;

    /// Does what an agent asked.
    async fn act(&self, agent: &str, action: DeskAction) -> Result<(), DeskError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with_history(lines: usize) -> HandoffRequest {
        HandoffRequest {
            conversation: "c-1".into(),
            title: "help".into(),
            topic: "General".into(),
            user: UserInfo::default(),
            context: BTreeMap::new(),
            history: (0..lines)
                .map(|i| HistoryLine {
                    at: i as u64,
                    speaker: if i % 2 == 0 {
                        Speaker::User
                    } else {
                        Speaker::Assistant
                    },
                    text: format!("line {i}"),
                })
                .collect(),
        }
    }

    #[test]
    fn history_text_names_the_speakers() {
        let r = request_with_history(2);
        assert_eq!(
            r.history_text(HISTORY_LIMIT_BYTES),
            "Alex Kim: line 0\nAssistant: line 1"
        );
    }

    #[test]
    fn history_text_keeps_the_newest_lines_within_the_limit() {
        let r = request_with_history(5000);
        let text = r.history_text(HISTORY_LIMIT_BYTES);
        assert!(text.len() <= HISTORY_LIMIT_BYTES);
        assert!(text.ends_with("Assistant: line 4999"));
    }
}
