//! The wire protocol between clients (the console, tests, any WebSocket client) and the broker.
//!
//! JSON text frames, one message per frame, tagged by `type`. A client opens with
//! [`ClientMsg::Hello`]; the broker answers [`ServerMsg::Welcome`] (or an `error` frame when the
//! version or role is wrong, after which the client may say hello again).
//!
//! Every event about a conversation travels in a [`ServerMsg::Event`] with a per-conversation
//! sequence number `seq` (1, 2, 3, ... with no gaps in the conversation's log). A client that
//! reconnects says the last `seq` it saw per conversation in `hello.since` and receives what it
//! missed, in order, with no duplicates. A client only sees the events of its audience (see
//! [`Audience`]), so the numbers it sees may skip; they never go back.
//!
//! Requests carry a client-chosen `id` that the broker echoes in the [`ServerMsg::Ack`] or the
//! [`ServerMsg::Error`] that answers them.
//!
//! Message parts ([`Part`]) keep the shape of Purple Chat parts (`richText`, `reasoningSteps`,
//! `buttons` with `buttonText` and `style`), so a transcript can be compared with, or pasted
//! into, a Purple Chat conversation. Everything else is `snake_case`.
//!
//! `docs/protocol.md` has a JSON example of every message.

mod decode;
mod event;
mod hello;
mod ids;
mod message;
mod platform;
mod said;
mod state;
mod style;
mod trace;
mod user;

pub use decode::{DecodeError, decode_client};
pub use event::ConversationEvent;
pub use hello::Hello;
pub use ids::{ConversationId, MessageId, RequestId};
pub use message::{
    AgentInfo, Attachment, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage, Part,
    ReasoningStep, Role, StepStatus, Translation, human_size,
};
pub use platform::{Capability, MAX_SITE_CHARS, Platform, check_site};
pub use said::{Echoes, Said};
pub use state::{EndReason, HandoffState};
pub use style::HandoffStyle;
pub use trace::{CallKind, CallTrace};
pub use user::UserInfo;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The newest protocol version this build speaks, and what its own clients say. Version 2
/// answers a `say` with one `ack` that is its echo ([`Said`]); everything else is version 1.
pub const PROTOCOL_VERSION: u32 = 2;

/// The oldest protocol version the broker still speaks: a `hello` with a version outside
/// `OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION` gets an `unsupported_version` error.
pub const OLDEST_PROTOCOL_VERSION: u32 = 1;

/// The largest text frame the broker accepts by default; larger ones close the connection with
/// code 1009 (the conversation survives for a reconnect).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The largest file the broker accepts in an `attach` by default (before base64).
pub const DEFAULT_MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The largest `attach` frame for files of up to `max_attachment_bytes`: the base64 of the file
/// plus room for the other fields. Only `attach` frames may be this large; any other frame over
/// the message limit still closes the connection with 1009.
pub fn attach_frame_limit(max_attachment_bytes: usize) -> usize {
    max_attachment_bytes.div_ceil(3) * 4 + 4096
}

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

/// The current time in [`Millis`].
pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// Who a client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientRole {
    /// A simulated end user talking to the assistant, then to an agent. Sees one conversation.
    User,
    /// A person working the agent desk of the simulated system. Sees the desk side of every
    /// conversation that reaches the desk.
    Agent,
    /// Sees every event of every conversation (inspectors, tests).
    Observer,
}

/// Which clients an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The user of the conversation (and observers).
    User,
    /// The agent desk (and observers).
    Agent,
    /// Both sides (and observers).
    Both,
}

impl Audience {
    /// Whether a client of `role` receives events for this audience.
    pub fn reaches(self, role: ClientRole) -> bool {
        matches!(
            (self, role),
            (_, ClientRole::Observer)
                | (Audience::Both, _)
                | (Audience::User, ClientRole::User)
                | (Audience::Agent, ClientRole::Agent)
        )
    }
}

/// Presence of an agent on the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Takes new chats.
    Available,
    /// Logged in, takes no new chats.
    Away,
    /// Not logged in.
    Offline,
}

impl std::fmt::Display for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Available => "available",
            Self::Away => "away",
            Self::Offline => "offline",
        })
    }
}

/// An agent of the desk as agents' clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskAgent {
    /// The agent's name, also their id on the mock desk.
    pub name: String,
    /// Current presence.
    pub presence: Presence,
    /// Chats the agent is in now.
    pub active_chats: u32,
}

/// What the broker runs, told in `welcome`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerInfo {
    /// The broker's version (the crate version).
    pub version: String,
    /// The contact-center system, e.g. "8x8 (mock)" or "`ServiceNow`".
    pub system: String,
    /// The handoff style in use.
    pub style: HandoffStyle,
    /// The broker's fallback queue timeout, in milliseconds.
    pub queue_timeout_ms: u64,
    /// The largest text frame the broker accepts, in bytes (`attach` frames excepted).
    pub max_message_bytes: usize,
    /// The largest file an `attach` may carry, in bytes (before base64); 0 when the broker
    /// takes no files.
    #[serde(default)]
    pub max_attachment_bytes: usize,
    /// Transcripts: how long the broker keeps a conversation (PII masked) after its last
    /// event, in milliseconds; absent when it keeps none (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_ttl_ms: Option<u64>,
}

/// A request from a client to the broker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// Opens the session. Must be the first message; may be repeated after an error.
    Hello {
        /// The protocol version the client speaks, from [`OLDEST_PROTOCOL_VERSION`] to
        /// [`PROTOCOL_VERSION`].
        protocol: u32,
        /// Who the client is.
        role: ClientRole,
        /// A free-form client name for logs, e.g. "handoff-console/0.1".
        #[serde(default)]
        client: Option<String>,
        /// `user` role: the conversation to rejoin; a new one is opened when absent.
        #[serde(default)]
        conversation: Option<ConversationId>,
        /// `user` role: who the user is (defaults to a demo user).
        #[serde(default)]
        user: Option<UserInfo>,
        /// `agent` role: the desk agent to act as (defaults to the desk's first agent).
        #[serde(default)]
        agent: Option<String>,
        /// The last `seq` seen per conversation; events after it are replayed. A conversation
        /// not listed is replayed from its start.
        #[serde(default)]
        since: BTreeMap<ConversationId, u64>,
        /// Also send the connector's calls to the contact-center system (`trace` messages), for
        /// inspectors. Secrets are redacted.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        traces: bool,
        /// The broker's token, unless the handshake carried it: required for `agent`,
        /// `observer` and `supervisor` (and for every role on the console's own broker).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// `user` role with `conversation`: the resume secret `welcome` gave when it opened.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<String>,
        /// `agent` role with the token: may `act_as` any desk agent.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        supervisor: bool,
        /// `user` role: the chat platform (bot) the user talks through; absent is `web`. A
        /// hello naming a platform or a site continues the user's conversation on that
        /// platform (one per user and platform) instead of opening a new one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        platform: Option<Platform>,
        /// `user` role on `web`: the site that embeds the chat, e.g. "intranet.example". Sites
        /// are one bot: the chat continues from one to another.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<String>,
    },
    /// The user types a message (to the assistant, or to the agent while connected).
    Say {
        /// Request id, echoed in the ack or error.
        id: RequestId,
        /// The user's conversation.
        conversation: ConversationId,
        /// The text, plain.
        text: String,
    },
    /// The user sends a file to the agent of their live chat. The frame may be larger than
    /// the message limit, up to [`attach_frame_limit`] of `welcome.broker.max_attachment_bytes`.
    Attach {
        /// Request id, echoed in the ack or error.
        id: RequestId,
        /// The user's conversation.
        conversation: ConversationId,
        /// The file name (a directory part is dropped).
        name: String,
        /// The MIME type, e.g. `image/png`.
        content_type: String,
        /// The file's bytes, base64 (standard alphabet, padded).
        data: String,
    },
    /// The user presses a button of a message.
    Press {
        /// Request id.
        id: RequestId,
        /// The user's conversation.
        conversation: ConversationId,
        /// The message holding the button.
        message: MessageId,
        /// The button's action, as given in [`Button::action`].
        action: ButtonAction,
    },
    /// The user or an agent starts or stops typing.
    Typing {
        /// Request id.
        id: RequestId,
        /// The conversation.
        conversation: ConversationId,
        /// Typing now or stopped.
        on: bool,
    },
    /// Agent: take a waiting request.
    Accept {
        /// Request id.
        id: RequestId,
        /// The conversation whose request is taken.
        conversation: ConversationId,
    },
    /// Agent: turn a waiting request down, with a reason.
    Reject {
        /// Request id.
        id: RequestId,
        /// The conversation whose request is turned down.
        conversation: ConversationId,
        /// Why, shown in logs and to other agents.
        reason: String,
    },
    /// Agent: send a message to the user of a chat the agent is in.
    Reply {
        /// Request id.
        id: RequestId,
        /// The chat.
        conversation: ConversationId,
        /// The text, plain.
        text: String,
    },
    /// End a live chat: an agent ends a chat they are in; a user ends their own (the same as
    /// typing "Stop chat").
    End {
        /// Request id.
        id: RequestId,
        /// The chat.
        conversation: ConversationId,
    },
    /// Agent: hand a live chat the agent is in to another desk agent; the user stays in the
    /// chat and is told who takes over.
    Transfer {
        /// Request id.
        id: RequestId,
        /// The chat.
        conversation: ConversationId,
        /// The desk agent who takes it over.
        to: String,
    },
    /// Agent: ask another desk agent into a live chat the agent is in (where the system allows a
    /// second agent). The invitee sees an `invited` event and answers with `accept` (they join
    /// as a second agent) or `reject` (the inviter sees `invite_declined`).
    Invite {
        /// Request id.
        id: RequestId,
        /// The chat.
        conversation: ConversationId,
        /// The desk agent invited.
        agent: String,
    },
    /// Agent: change the desk agent this client acts as.
    ActAs {
        /// Request id.
        id: RequestId,
        /// The desk agent's name.
        agent: String,
    },
    /// Agent: change the presence of the agent this client acts as.
    SetPresence {
        /// Request id.
        id: RequestId,
        /// The new presence.
        presence: Presence,
    },
    /// Liveness check; answered by an ack.
    Ping {
        /// Request id.
        id: RequestId,
    },
    /// Agent: a private note to the other agents of a chat the agent is in. Agents see it as a
    /// `message` event of audience `agent`; it never reaches the user nor the system.
    Note {
        /// Request id.
        id: RequestId,
        /// The chat.
        conversation: ConversationId,
        /// The text, plain.
        text: String,
    },
    /// Observer, or supervisor agent: a notification or broadcast for users. It reaches the
    /// user only (never the agent); during a live chat its buttons are shown disabled, and
    /// they are enabled again when the chat ends.
    Notify {
        /// Request id.
        id: RequestId,
        /// The conversation; absent: every conversation the broker holds (a broadcast).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation: Option<ConversationId>,
        /// The text, plain.
        text: String,
        /// Buttons, `open:<url>` or `choice:<text>` (their state is the broker's to set).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<Button>,
    },
}

impl ClientMsg {
    /// The request id, for every message but `hello`.
    pub fn request_id(&self) -> Option<&RequestId> {
        match self {
            Self::Hello { .. } => None,
            Self::Say { id, .. }
            | Self::Attach { id, .. }
            | Self::Press { id, .. }
            | Self::Typing { id, .. }
            | Self::Accept { id, .. }
            | Self::Reject { id, .. }
            | Self::Reply { id, .. }
            | Self::End { id, .. }
            | Self::Transfer { id, .. }
            | Self::Invite { id, .. }
            | Self::ActAs { id, .. }
            | Self::SetPresence { id, .. }
            | Self::Ping { id }
            | Self::Note { id, .. }
            | Self::Notify { id, .. } => Some(id),
        }
    }

    /// The `type` tag of each message, for error messages and the protocol doc.
    pub const TYPES: &'static [&'static str] = &[
        "hello",
        "say",
        "attach",
        "press",
        "typing",
        "accept",
        "reject",
        "reply",
        "end",
        "transfer",
        "invite",
        "act_as",
        "set_presence",
        "ping",
        "note",
        "notify",
    ];
}

/// A message from the broker to a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// The answer to a good `hello`. Replayed events follow it.
    Welcome {
        /// The protocol version spoken.
        protocol: u32,
        /// An id of this session, for logs.
        session: String,
        /// The role granted.
        role: ClientRole,
        /// `user` role: the user's conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation: Option<ConversationId>,
        /// `agent` role: the desk agent this client acts as.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        /// `user` role: the secret that resumes this conversation (`hello.resume`); keep it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<String>,
        /// What the broker runs.
        broker: BrokerInfo,
    },
    /// One event of a conversation's log.
    Event {
        /// The conversation.
        conversation: ConversationId,
        /// Position in the conversation's log, from 1.
        seq: u64,
        /// When it happened.
        at: Millis,
        /// Who it is for.
        audience: Audience,
        /// What happened.
        event: ConversationEvent,
    },
    /// The agents of the desk and their presence; sent to agents and observers on welcome and
    /// whenever it changes.
    Desk {
        /// Every desk agent.
        agents: Vec<DeskAgent>,
    },
    /// A call the connector made to the contact-center system (HTTP, or a WebSocket frame),
    /// for clients that asked with `hello.traces`.
    Trace {
        /// The call.
        call: CallTrace,
    },
    /// A request succeeded.
    Ack {
        /// The request's id.
        id: RequestId,
        /// Protocol 2, the answer to a `say` that made a message: the message's place, sent
        /// instead of its `message` event, at that event's place among the events.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        said: Option<Said>,
    },
    /// A request failed, or a frame could not be understood.
    Error {
        /// The request's id, when the frame had one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<RequestId>,
        /// A stable, machine-readable code.
        code: ErrorCode,
        /// What went wrong, for people.
        message: String,
    },
}

impl ServerMsg {
    /// The `ack` of request `id`, with no echo.
    pub fn ack(id: RequestId) -> Self {
        Self::Ack { id, said: None }
    }
}

/// Stable error codes of [`ServerMsg::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON, or not a JSON object.
    BadJson,
    /// The `type` is missing or unknown.
    UnknownType,
    /// A field is missing or has the wrong type.
    BadField,
    /// `hello` named a protocol version this broker does not speak.
    UnsupportedVersion,
    /// A request came before `hello`, or `hello` came twice.
    NotReady,
    /// A binary frame; only text frames are accepted.
    BinaryFrame,
    /// The role may not make this request.
    Forbidden,
    /// The conversation, message, agent or request does not exist.
    NotFound,
    /// Not allowed in the conversation's current state.
    InvalidState,
    /// The connected system failed.
    Upstream,
    /// The broker is shutting down or over its limits.
    Unavailable,
}

#[cfg(test)]
mod tests;
