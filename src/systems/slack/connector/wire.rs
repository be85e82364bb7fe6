//! Slack's wire types, from its Web API reference (`PROTOCOL.md`): what we send to
//! `chat.postMessage` or an incoming webhook, its answer, and the `block_actions` payload the
//! Accept button brings back.

use serde::{Deserialize, Serialize};

/// `chat.postMessage`'s body (an incoming webhook takes the same without `channel`).
#[derive(Debug, Serialize)]
pub struct PostMessage<'a> {
    /// The channel id; absent for an incoming webhook, whose URL names the channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<&'a str>,
    /// The notification text (also the fallback).
    pub text: String,
    /// The layout.
    pub blocks: Vec<Block>,
    /// The parent message of a reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<&'a str>,
}

/// A layout block.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Text.
    Section {
        /// `mrkdwn` text.
        text: Text,
    },
    /// Buttons.
    Actions {
        /// The buttons.
        elements: Vec<Button>,
    },
}

/// A text object.
#[derive(Debug, Serialize)]
pub struct Text {
    /// `mrkdwn` or `plain_text`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The text.
    pub text: String,
}

/// A button element.
#[derive(Debug, Serialize)]
pub struct Button {
    /// Always `button`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its label (`plain_text`).
    pub text: Text,
    /// What the payload names the action by.
    pub action_id: &'static str,
    /// Brought back in the payload: the conversation.
    pub value: String,
    /// `primary`.
    pub style: &'static str,
}

/// `chat.postMessage`'s answer: HTTP 200 either way.
#[derive(Debug, Deserialize)]
pub struct PostReply {
    /// Whether it worked.
    pub ok: bool,
    /// The error's name when not.
    pub error: Option<String>,
    /// The message's timestamp, its id in the channel.
    pub ts: Option<String>,
}

/// An interactivity payload (the form field `payload`).
#[derive(Debug, Deserialize)]
pub struct Interaction {
    /// `block_actions` for a button.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who clicked.
    pub user: Option<User>,
    /// What was clicked.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// The user who clicked.
#[derive(Debug, Deserialize)]
pub struct User {
    /// Their id.
    pub id: String,
    /// Their name, when given.
    pub name: Option<String>,
    /// Their user name, when given.
    pub username: Option<String>,
}

/// A clicked element.
#[derive(Debug, Deserialize)]
pub struct Action {
    /// The element's `action_id`.
    pub action_id: String,
    /// Its `value`.
    pub value: Option<String>,
}
