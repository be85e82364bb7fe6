//! Amazon Connect payloads (botocore service models `connect` and `connectparticipant`, the
//! `StartChatContact` reference, amazon-connect-chatjs), as the connector writes and reads
//! them (the emulator has its own): requests only serialize, answers only deserialize.
//! `PascalCase` as on the wire.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Event content types.
pub mod content_type {
    /// A participant joined.
    pub const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
    /// A participant left.
    pub const LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
    /// The chat ended.
    pub const ENDED: &str = "application/vnd.amazonaws.connect.event.chat.ended";
    /// A transfer succeeded.
    pub const TRANSFER_SUCCEEDED: &str =
        "application/vnd.amazonaws.connect.event.transfer.succeeded";
    /// A transfer failed.
    pub const TRANSFER_FAILED: &str = "application/vnd.amazonaws.connect.event.transfer.failed";
    /// Typing.
    pub const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
    /// Plain text.
    pub const TEXT: &str = "text/plain";
}

/// The `Type` of an item carrying the files a participant sent.
pub const ATTACHMENT: &str = "ATTACHMENT";

/// `PUT /contact/chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartChatContact {
    /// The instance.
    pub instance_id: String,
    /// The inbound flow.
    pub contact_flow_id: String,
    /// The customer.
    pub participant_details: ParticipantDetails,
    /// Flow attributes (routing keys).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// The first customer message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_message: Option<ChatMessage>,
    /// Idempotency key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Content types the client renders.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supported_messaging_content_types: Vec<String>,
}

/// `ParticipantDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParticipantDetails {
    /// Shown to the agent.
    pub display_name: String,
}

/// A message body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChatMessage {
    /// `text/plain`, ...
    pub content_type: String,
    /// The text.
    pub content: String,
}

/// The answer of `StartChatContact`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartChatContactResponse {
    /// The contact.
    pub contact_id: String,
    /// The customer participant.
    pub participant_id: String,
    /// For `CreateParticipantConnection` (within 5 minutes).
    pub participant_token: String,
}

/// `POST /participant/connection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateParticipantConnection {
    /// `WEBSOCKET`, `CONNECTION_CREDENTIALS`.
    #[serde(rename = "Type")]
    pub kind: Vec<String>,
    /// Acknowledge the connection in the same call.
    pub connect_participant: bool,
}

/// Its answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParticipantConnection {
    /// The WebSocket.
    pub websocket: Websocket,
    /// The token for the other participant calls.
    pub connection_credentials: ConnectionCredentials,
}

/// `Websocket`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Websocket {
    /// `wss://...` (valid for 100 s).
    pub url: String,
    /// ISO-8601.
    pub connection_expiry: String,
}

/// `ConnectionCredentials`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionCredentials {
    /// For `X-Amz-Bearer`.
    pub connection_token: String,
    /// ISO-8601.
    pub expiry: String,
}

/// `POST /participant/message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessage {
    /// `text/plain`.
    pub content_type: String,
    /// The text.
    pub content: String,
    /// Idempotency key.
    pub client_token: String,
}

/// `POST /participant/event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendEvent {
    /// The event's content type.
    pub content_type: String,
    /// Event content (receipts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Idempotency key.
    pub client_token: String,
}

/// `POST /participant/disconnect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Disconnect {
    /// Idempotency key.
    pub client_token: String,
}

/// The answer of `SendMessage` / `SendEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sent {
    /// The item's id.
    pub id: String,
    /// When.
    pub absolute_time: String,
}

/// `POST /participant/transcript`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTranscript {
    /// At most 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    /// Paging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// `FORWARD` or `BACKWARD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_direction: Option<String>,
    /// `ASCENDING` or `DESCENDING`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
    /// Where to start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_position: Option<StartPosition>,
}

/// `StartPosition`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartPosition {
    /// An item id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Items back from the newest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub most_recent: Option<u32>,
}

/// Its answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transcript {
    /// The contact the chat started as.
    pub initial_contact_id: Option<String>,
    /// Items.
    #[serde(default)]
    pub transcript: Vec<Item>,
    /// More pages.
    pub next_token: Option<String>,
}

/// A chat item (WebSocket `aws/chat` content, transcript entry).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    /// ISO-8601 with milliseconds.
    pub absolute_time: Option<String>,
    /// The text or event content.
    pub content: Option<String>,
    /// The content type.
    pub content_type: Option<String>,
    /// Unique id.
    pub id: String,
    /// `MESSAGE`, `EVENT`, ...
    #[serde(rename = "Type")]
    pub kind: String,
    /// Who.
    pub participant_id: Option<String>,
    /// Their name.
    pub display_name: Option<String>,
    /// `AGENT`, `CUSTOMER`, `SYSTEM`, `CUSTOM_BOT`, `SUPERVISOR`.
    pub participant_role: Option<String>,
    /// The first contact of the chat.
    pub initial_contact_id: Option<String>,
    /// This contact.
    pub contact_id: Option<String>,
    /// `ATTACHMENT` items: the files.
    #[serde(default)]
    pub attachments: Vec<AttachmentItem>,
}

/// A file in an `ATTACHMENT` item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachmentItem {
    /// For `GetAttachment`.
    pub attachment_id: String,
    /// The file name.
    #[serde(default)]
    pub attachment_name: String,
    /// The MIME type (when absent, the connector guesses it from the name).
    #[serde(default)]
    pub content_type: String,
    /// `APPROVED`, `REJECTED` or `IN_PROGRESS`.
    #[serde(default)]
    pub status: String,
}

/// `POST /participant/attachment` (`GetAttachment`): a download link for a file in the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetAttachment {
    /// The attachment (1-256 characters).
    pub attachment_id: String,
    /// How long the link should stay valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_expiry_in_seconds: Option<u32>,
}

/// Its answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachmentLink {
    /// The presigned download URL.
    pub url: String,
    /// ISO-8601.
    pub url_expiry: Option<String>,
    /// The file's size.
    pub attachment_size_in_bytes: Option<u64>,
}

/// `POST /participant/start-attachment-upload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartAttachmentUpload {
    /// The file's MIME type.
    pub content_type: String,
    /// The file's size, checked against the attachment quota.
    pub attachment_size_in_bytes: u64,
    /// The file name.
    pub attachment_name: String,
    /// Idempotency key.
    pub client_token: String,
}

/// Its answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachmentUploadStarted {
    /// The attachment, for `CompleteAttachmentUpload`.
    pub attachment_id: String,
    /// Where to put the bytes.
    pub upload_metadata: UploadMetadata,
}

/// `UploadMetadata`: a presigned S3 URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UploadMetadata {
    /// The URL to `PUT` the bytes to.
    pub url: String,
    /// ISO-8601.
    pub url_expiry: Option<String>,
    /// Headers the `PUT` must carry exactly (they are part of the signature).
    #[serde(default)]
    pub headers_to_include: BTreeMap<String, String>,
}

/// `POST /participant/complete-attachment-upload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteAttachmentUpload {
    /// Exactly one attachment.
    pub attachment_ids: Vec<String>,
    /// Idempotency key.
    pub client_token: String,
}

/// `POST /metrics/current/{InstanceId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCurrentMetricData {
    /// Metrics wanted.
    pub current_metrics: Vec<Metric>,
    /// Queues and channels.
    pub filters: Filters,
    /// `QUEUE`.
    pub groupings: Vec<String>,
}

/// A metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    /// `AGENTS_AVAILABLE`, ...
    pub name: String,
    /// `COUNT`.
    pub unit: String,
}

/// Filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Filters {
    /// Queue ids (1-100).
    pub queues: Vec<String>,
    /// `CHAT`.
    pub channels: Vec<String>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricData {
    /// One result per grouping.
    pub metric_results: Vec<MetricResult>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricResult {
    /// Values.
    pub collections: Vec<Collection>,
}

/// One value.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Collection {
    /// Which.
    pub metric: Metric,
    /// The value.
    pub value: Option<f64>,
}
