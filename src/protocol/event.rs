//! What happens in a conversation: the events of its log.

use super::{ChatMessage, EndReason, HandoffState, HandoffStyle, Millis, Platform, UserInfo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Something that happened in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConversationEvent {
    /// The conversation was opened.
    Opened {
        /// The end user.
        user: UserInfo,
        /// The platform the conversation belongs to (brokers before it was added leave it out:
        /// read that as `web`).
        #[serde(default)]
        platform: Platform,
        /// The site of a `web` conversation's first hello, when it named one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<String>,
        /// The system the broker hands users over to, as it names itself (`ServiceNow`,
        /// `8x8 (mock)`); brokers before it was added leave it out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        system: Option<String>,
    },
    /// A message was added, or replaced: a message with an id seen before replaces it whole
    /// (reasoning steps finish, buttons get pressed or expire).
    Message {
        /// The message.
        message: ChatMessage,
    },
    /// The handoff state changed.
    State {
        /// The new state.
        state: HandoffState,
    },
    /// Someone started or stopped typing.
    Typing {
        /// Who: "user" or an agent's name.
        who: String,
        /// Typing now or stopped.
        on: bool,
    },
    /// Desk: a request for a live agent is waiting.
    Request {
        /// The user's main utterance, the request's title.
        title: String,
        /// The user.
        user: UserInfo,
        /// The topic the assistant derived.
        topic: String,
        /// Routing context: domain, language, region, queue and custom keys.
        context: BTreeMap<String, String>,
        /// Plain-text history of the user with the assistant (at most 10 KB), shown on accept.
        history: String,
        /// When the request entered the queue.
        queued_at: Millis,
        /// How the request reached the desk.
        style: HandoffStyle,
    },
    /// Desk: the request was offered to one agent (who is being rung).
    Offered {
        /// The agent.
        agent: String,
    },
    /// Desk: an agent turned the request down.
    Rejected {
        /// The agent.
        agent: String,
        /// Their reason.
        reason: String,
    },
    /// Desk: the request left the queue without an agent (user left, timeout, no agent).
    Withdrawn {
        /// Why.
        reason: EndReason,
    },
    /// Desk: an agent took the request, joined the live chat (a barge-in) or had it
    /// transferred to them; the chat is live.
    Assigned {
        /// The agent.
        agent: String,
        /// Everyone in the chat now, `agent` included: after a transfer the agent who handed it
        /// over is gone, after a barge-in there are two. Brokers before it was added leave it
        /// out; read that as just `agent`.
        #[serde(default)]
        agents: Vec<String>,
    },
    /// The live chat ended.
    ChatEnded {
        /// Why.
        reason: EndReason,
    },
    /// Desk: an agent in the live chat invited another agent, who may accept (and join as a
    /// second agent) or decline. Agents only; an addition to version 1.
    Invited {
        /// The agent invited.
        agent: String,
        /// The agent who invited them.
        by: String,
    },
    /// Desk: the invited agent declined. Agents only; an addition to version 1.
    InviteDeclined {
        /// The agent who declined.
        agent: String,
        /// The agent who had invited them.
        by: String,
        /// Their reason, as they put it (may be empty).
        reason: String,
    },
}

impl ConversationEvent {
    /// The `kind` tag, for logs and filters.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Opened { .. } => "opened",
            Self::Message { .. } => "message",
            Self::State { .. } => "state",
            Self::Typing { .. } => "typing",
            Self::Request { .. } => "request",
            Self::Offered { .. } => "offered",
            Self::Rejected { .. } => "rejected",
            Self::Withdrawn { .. } => "withdrawn",
            Self::Assigned { .. } => "assigned",
            Self::ChatEnded { .. } => "chat_ended",
            Self::Invited { .. } => "invited",
            Self::InviteDeclined { .. } => "invite_declined",
        }
    }
}
