//! The Slack emulator's own reading of what it is sent, strict where Slack is: only the block
//! types the emulator knows, text objects typed.

use serde::{Deserialize, Serialize};

/// `chat.postMessage`'s body, or an incoming webhook's (without `channel`).
#[derive(Debug, Deserialize)]
pub struct Message {
    /// The channel id (Web API only).
    pub channel: Option<String>,
    /// The text.
    pub text: Option<String>,
    /// The layout.
    #[serde(default)]
    pub blocks: Vec<Block>,
    /// The parent message of a reply.
    pub thread_ts: Option<String>,
}

/// A block the emulator knows.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Text.
    Section {
        /// Its text.
        text: TextObject,
    },
    /// Buttons.
    Actions {
        /// The buttons.
        elements: Vec<Element>,
    },
}

/// A text object.
#[derive(Debug, Deserialize)]
pub struct TextObject {
    /// `mrkdwn` or `plain_text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text.
    pub text: String,
}

/// An interactive element.
#[derive(Debug, Deserialize)]
pub struct Element {
    /// `button`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its `action_id`.
    pub action_id: Option<String>,
    /// Its `value`.
    pub value: Option<String>,
}

/// The `block_actions` payload the emulator sends when an agent accepts.
#[derive(Debug, Serialize)]
pub struct BlockActions<'a> {
    /// `block_actions`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Who clicked.
    pub user: PayloadUser<'a>,
    /// What was clicked.
    pub actions: Vec<PayloadAction<'a>>,
}

/// The user in a payload.
#[derive(Debug, Serialize)]
pub struct PayloadUser<'a> {
    /// The id.
    pub id: String,
    /// The user name.
    pub username: &'a str,
    /// The name.
    pub name: &'a str,
}

/// A clicked button in a payload.
#[derive(Debug, Serialize)]
pub struct PayloadAction<'a> {
    /// `button`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The button's `action_id`.
    pub action_id: &'static str,
    /// The button's `value`.
    pub value: &'a str,
}
