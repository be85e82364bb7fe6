//! Webex's wire types, from its Messages API reference (`PROTOCOL.md`).

use serde::{Deserialize, Serialize};

/// `POST /messages`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessage<'a> {
    /// The room.
    pub room_id: &'a str,
    /// The message, Markdown.
    pub markdown: String,
    /// The message replied to (a thread).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<&'a str>,
}

/// The created message; only its id is used.
#[derive(Debug, Deserialize)]
pub struct Message {
    /// The message id.
    pub id: String,
}
