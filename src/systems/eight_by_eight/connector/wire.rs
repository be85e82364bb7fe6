//! 8x8 Chat Gateway payloads, as documented (8x8 developer docs, Chat Gateway reference and
//! webhooks-events-reference), as the connector writes and reads them (the emulator has its
//! own): requests only serialize, answers and events only deserialize. Fields the docs do
//! not give live in the system's `inferred` module.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The only event version (`EventVersion`).
pub const EVENT_VERSION: &str = "Chat Gateway v1.0";

/// Every call's `Accept`: the API answers `application/hal+json` (errors are
/// `application/problem+json`).
pub const ACCEPT: &str = "application/hal+json";

/// `POST /webhooks` (`WebHookV2CreateRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateWebhook {
    /// A name for the webhook (at most 256 characters).
    pub name: String,
    /// Where 8x8 POSTs events.
    pub uri: String,
    /// [`EVENT_VERSION`].
    pub version: String,
}

/// The 200 answer of `POST /webhooks` (`WebHookV2Result`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookCreated {
    /// The webhook's id, referenced by channels.
    pub id: String,
    /// Its URI.
    pub uri: Option<String>,
}

/// `POST /conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateConversation {
    /// The channel the conversation belongs to (required).
    pub channel_id: String,
    /// The end user (required).
    pub user: User,
    /// Where the conversation is routed; the channel's default queue when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// The bot conversation so far (at most 200 messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

/// The end user of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Display name.
    pub name: String,
    /// The client's id for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Routing language (en, de, fr, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Extra key/values shown to the agent (at most 30).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_properties: Vec<KeyValue>,
}

/// The languages Chat Gateway routes by.
pub const LANGUAGES: &[&str] = &[
    "en", "ru", "de", "ja", "es", "fr", "pt", "it", "pl", "hr", "nl", "ar", "da", "ko", "no", "sv",
    "vi", "cy", "th", "zh-CN", "zh-TW",
];

/// The most additional properties a user may carry.
pub const MAX_ADDITIONAL_PROPERTIES: usize = 30;

/// The most history messages a conversation may start with.
pub const MAX_HISTORY: usize = 200;

/// One additional property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// A routing target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// `queue` or `script` on requests; `agent`, `queue` or `script` in events.
    #[serde(rename = "type")]
    pub kind: String,
    /// The queue's, script's or agent's id.
    pub id: String,
}

/// Conversation history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    /// Oldest first.
    pub messages: Vec<HistoryMessage>,
}

/// One history message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryMessage {
    /// `user` or `bot`.
    pub author_type: String,
    /// The text.
    pub text: String,
}

/// The 202 answer of `POST /conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The new conversation.
    pub conversation_id: String,
    /// When it was created (ISO 8601).
    pub created_at: Option<String>,
}

/// `POST /conversations/{id}/messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessage {
    /// `user` or `bot`.
    pub author_type: String,
    /// The text.
    pub text: String,
    /// Files uploaded to the conversation before (`addconversationattachments`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
}

/// A file a message carries, by the id its upload answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRef {
    /// The attachment's id.
    pub id: String,
}

/// Where a conversation's files are uploaded (`addconversationattachments`):
/// `POST /conversations/{id}/attachments`, `multipart/form-data` with the parts
/// [`ATTACHMENT_PART`] and [`AUTHOR_TYPE_PART`].
pub fn attachments_path(conversation: &str) -> String {
    format!("/conversations/{conversation}/attachments")
}

/// The form part carrying the file (with its file name and type).
pub const ATTACHMENT_PART: &str = "attachment";

/// The form part saying who uploads: `user` (the default) or `bot`.
pub const AUTHOR_TYPE_PART: &str = "authorType";

/// The 200 answer of an upload (`application/hal+json`). The reference requires `id`,
/// `filename`, `size`, `type` and `createdAt` but describes `sizeInBytes`; only `id` is relied
/// on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentResult {
    /// The id a message references.
    pub id: String,
    /// The file name.
    pub filename: Option<String>,
    /// The size in bytes.
    pub size_in_bytes: Option<u64>,
    /// The MIME type.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// When it was stored.
    pub created_at: Option<String>,
}

/// `POST /conversations/{id}/typing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    /// `user` or `bot`.
    pub author_type: String,
}

/// `PATCH /conversations/{id}/participants/user`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoveUser {
    /// `true` ends the user's part (and the interaction).
    pub removed: bool,
}

/// An `application/problem+json` error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// Summary.
    pub message: String,
    /// Details.
    pub errors: Vec<ProblemError>,
    /// For 8x8 support.
    pub reference_id: Option<String>,
}

/// One error of a [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemError {
    /// Machine-readable code.
    pub code: String,
    /// Text.
    pub message: String,
}

/// A webhook event: the common envelope; `data` is read per `eventType`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// `CONVERSATION_UPDATE`, `QUEUED`, `MEMBERS_CHANGED`, `TRANSFER`, `MESSAGE`, `ACTIVITY`,
    /// `WEB_HOOK_VERIFY` (or the legacy `AGENT_JOINED`, ...).
    pub event_type: String,
    /// The conversation (absent on `WEB_HOOK_VERIFY`).
    pub conversation_id: Option<String>,
    /// Epoch milliseconds.
    pub timestamp: Option<u64>,
    /// Event data.
    pub data: Option<Value>,
    /// `WEB_HOOK_VERIFY` only: "Chat Gateway v1.0".
    pub notification_version: Option<String>,
    /// Legacy `AGENT_JOINED`: the agent's id.
    pub agent_id: Option<String>,
    /// Legacy `AGENT_JOINED`: the agent's name.
    pub agent_name: Option<String>,
}

/// `MEMBERS_CHANGED` data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembersChanged {
    /// `user` or `agent`.
    pub member_type: String,
    /// `joined` or `left`.
    pub change: String,
    /// The member's id (no name).
    pub id: String,
}

/// `MESSAGE` data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageData {
    /// True for the echo of a message the client sent.
    #[serde(default)]
    pub is_echo: bool,
    /// Who sent it.
    pub sender: Sender,
    /// The text (may be empty when the message carries files).
    #[serde(default)]
    pub text: String,
    /// The files the message carries.
    #[serde(default)]
    pub attachments: Vec<MessageAttachment>,
}

/// A file in a `MESSAGE` event. Every field may be missing: the connector reports what it
/// cannot use rather than losing the message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageAttachment {
    /// The attachment's id.
    #[serde(default)]
    pub id: String,
    /// What it is ([`super::inferred`]: a MIME type).
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Where to download it, without the API key.
    #[serde(default)]
    pub pre_signed_url: String,
    /// The file name.
    #[serde(default)]
    pub file_name: String,
}

/// A message's sender.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Sender {
    /// Id.
    pub id: String,
    /// `agent` or `user`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `ACTIVITY` data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ActivityData {
    /// `typing`, `adaptiveCard/action`, `quickReply/action`, `read-receipts`.
    pub name: String,
    /// For `typing`: who is typing now (empty: nobody).
    pub value: Option<ActivityValue>,
}

/// The value of a `typing` activity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ActivityValue {
    /// Typing now.
    #[serde(default)]
    pub users: Vec<Sender>,
}

/// `QUEUED` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedData {
    /// The queue.
    pub queue_id: Option<String>,
    /// Its name.
    pub queue_name: Option<String>,
}
