//! The handoff state as clients see it.

use super::Millis;
use serde::{Deserialize, Serialize};

/// Where a conversation is in the handoff lifecycle (see `broker::handoff` for the diagram).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HandoffState {
    /// Talking to the assistant.
    Assistant,
    /// The assistant asked for details of the issue.
    CollectingDetails,
    /// The assistant asked a routing follow-up question.
    FollowUp {
        /// The question.
        question: String,
    },
    /// The summary and the buttons are shown.
    Offered {
        /// The topic the request is routed by.
        topic: String,
        /// Whether an agent is available (Start agent chat is disabled when not).
        available: bool,
    },
    /// Waiting for a request to be placed with the system.
    Connecting,
    /// In the system's queue.
    Queued {
        /// When the user entered the queue.
        since: Millis,
        /// When the broker's fallback timeout ends the wait.
        deadline: Millis,
        /// Position in the queue, when the system says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u32>,
        /// The system's wait estimate in seconds, when it gives one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        eta_secs: Option<u64>,
    },
    /// The request is being offered to an agent.
    Ringing {
        /// The agent being rung.
        agent: String,
        /// When the user entered the queue.
        since: Millis,
        /// When the broker's fallback timeout ends the wait.
        deadline: Millis,
    },
    /// Live with an agent.
    Connected {
        /// The agent (the latest one, after a transfer or a barge-in).
        agent: String,
        /// When the chat started.
        since: Millis,
        /// The other agents in the chat (after a barge-in), in the order they came; left out
        /// when `agent` is alone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        with: Vec<String>,
    },
    /// The user was sent to a URL or another bot (URL and API styles).
    Redirected {
        /// Where to.
        url: String,
    },
    /// The request was posted to a channel (channel style).
    Posted {
        /// The channel.
        channel: String,
    },
    /// The live chat or the attempt ended; the assistant takes over again.
    Ended {
        /// Why.
        reason: EndReason,
    },
}

impl HandoffState {
    /// A short name for status lines and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Assistant => "assistant",
            Self::CollectingDetails => "collecting details",
            Self::FollowUp { .. } => "follow-up",
            Self::Offered { .. } => "offered",
            Self::Connecting => "connecting",
            Self::Queued { .. } => "queued",
            Self::Ringing { .. } => "ringing",
            Self::Connected { .. } => "connected",
            Self::Redirected { .. } => "redirected",
            Self::Posted { .. } => "posted",
            Self::Ended { .. } => "ended",
        }
    }
}

/// Why a live chat, or an attempt at one, ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum EndReason {
    /// The user typed "Stop chat" or sent `end`.
    User,
    /// The agent ended the chat.
    Agent {
        /// Who.
        agent: String,
    },
    /// Nobody took the request in time (the system's or the broker's timeout).
    Timeout,
    /// Every agent turned the request down, or none is available.
    NoAgent {
        /// The last reason given, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The system failed.
    Error {
        /// What failed.
        message: String,
    },
    /// Desk only: an agent picked up a request whose conversation had left the broker for the
    /// system (a link, an API handoff, a channel post with no chat relayed back); it goes on
    /// there.
    HandedOver {
        /// The system, e.g. "BeyondTrust".
        system: String,
    },
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::User => f.write_str("by user"),
            Self::Agent { agent } => write!(f, "by {agent}"),
            Self::Timeout => f.write_str("timed out"),
            Self::NoAgent { reason: None } => f.write_str("no agent"),
            Self::NoAgent { reason: Some(r) } => write!(f, "no agent ({r})"),
            Self::Error { message } => write!(f, "error: {message}"),
            Self::HandedOver { system } => write!(f, "handed over to {system}"),
        }
    }
}
