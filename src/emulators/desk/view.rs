//! What the desk records about conversations for the `/__emu` endpoints and tests: their
//! state, what the user sent, files both ways and webhook deliveries.

use crate::protocol::UserInfo;
use serde::Serialize;
use std::collections::BTreeMap;

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
