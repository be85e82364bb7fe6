//! What the emulated Amazon Connect accepts and answers, read from the API references
//! (Connect `StartChatContact`, `GetCurrentMetricData`; Participant Service
//! `CreateParticipantConnection`, `SendMessage`, `SendEvent`, `GetTranscript`,
//! `DisconnectParticipant`, `StartAttachmentUpload`, `CompleteAttachmentUpload`,
//! `GetAttachment`) and the participant WebSocket. The emulator's own types: the connector's
//! never parse a request here, so a connector bug cannot hide behind a shared type.
//!
//! Strict where AWS is: required members required, lengths, ranges and enums checked by
//! [`Checked::check`], whose message becomes the service's `ValidationException` (Participant
//! Service) or `InvalidParameterException` (Connect). Members the emulator does not act on
//! (`PersistentChat`, `SegmentAttributes`, ...) are accepted and ignored, as by the service.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Event `ContentType`s of transcript items (chatjs `constants.js`, `GetTranscript` docs).
pub mod event {
    /// A participant joined.
    pub const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
    /// A participant left.
    pub const LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
    /// The chat ended.
    pub const ENDED: &str = "application/vnd.amazonaws.connect.event.chat.ended";
    /// A transfer went through.
    pub const TRANSFER_SUCCEEDED: &str =
        "application/vnd.amazonaws.connect.event.transfer.succeeded";
    /// Someone is typing.
    pub const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
}

/// [DOC] The `ContentType`s `SendMessage` takes.
pub const MESSAGE_TYPES: &[&str] = &[
    "text/plain",
    "text/markdown",
    "application/json",
    "application/vnd.amazonaws.connect.message.interactive.response",
];

/// [DOC] The `ContentType`s `SendEvent` takes (`connection.acknowledged` is deprecated but
/// still listed).
pub const EVENT_TYPES: &[&str] = &[
    event::TYPING,
    "application/vnd.amazonaws.connect.event.connection.acknowledged",
    "application/vnd.amazonaws.connect.event.message.delivered",
    "application/vnd.amazonaws.connect.event.message.read",
];

/// A request the service validates before acting on it.
pub trait Checked {
    /// `Err` carries the service's message naming the member at fault.
    fn check(&self) -> Result<(), String>;
}

/// AWS's constraint message for a string member of `min..=max` characters.
fn length(member: &str, value: &str, min: usize, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if (min..=max).contains(&n) {
        return Ok(());
    }
    Err(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
         Member must have length between {min} and {max}"
    ))
}

/// As [`length`], for an optional member.
fn length_opt(member: &str, value: Option<&str>, min: usize, max: usize) -> Result<(), String> {
    value.map_or(Ok(()), |v| length(member, v, min, max))
}

/// AWS's constraint message for a number member in `min..=max`.
fn range(member: &str, value: u64, min: u64, max: u64) -> Result<(), String> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    Err(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
         Member must have value between {min} and {max}"
    ))
}

/// AWS's constraint message for an enum member.
fn one_of(member: &str, value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
         constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

/// `PUT /contact/chat` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartChatContactRequest {
    /// 1-100.
    pub instance_id: String,
    /// 1-500.
    pub contact_flow_id: String,
    /// The customer.
    pub participant_details: ParticipantDetails,
    /// Flow attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// The first message.
    pub initial_message: Option<ChatMessage>,
    /// Idempotency, up to 500.
    pub client_token: Option<String>,
    /// 60-10080.
    pub chat_duration_in_minutes: Option<u64>,
    /// Must hold `text/plain` when present.
    pub supported_messaging_content_types: Option<Vec<String>>,
}

/// `ParticipantDetails`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParticipantDetails {
    /// 1-256.
    pub display_name: String,
}

/// `InitialMessage`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChatMessage {
    /// 1-100.
    pub content_type: String,
    /// 1-16384.
    pub content: String,
}

impl Checked for StartChatContactRequest {
    fn check(&self) -> Result<(), String> {
        length("instanceId", &self.instance_id, 1, 100)?;
        length("contactFlowId", &self.contact_flow_id, 1, 500)?;
        let name = &self.participant_details.display_name;
        length("participantDetails.displayName", name, 1, 256)?;
        if let Some(m) = &self.initial_message {
            length("initialMessage.contentType", &m.content_type, 1, 100)?;
            length("initialMessage.content", &m.content, 1, 16_384)?;
        }
        length_opt("clientToken", self.client_token.as_deref(), 0, 500)?;
        if let Some(minutes) = self.chat_duration_in_minutes {
            range("chatDurationInMinutes", minutes, 60, 10_080)?;
        }
        let types = self.supported_messaging_content_types.as_deref();
        if types.is_some_and(|t| !t.iter().any(|t| t == "text/plain")) {
            return Err("SupportedMessagingContentTypes must include text/plain".into());
        }
        Ok(())
    }
}

/// `StartChatContact`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChatStarted {
    /// The contact.
    pub contact_id: String,
    /// The customer's participant id.
    pub participant_id: String,
    /// For `CreateParticipantConnection`.
    pub participant_token: String,
}

/// `POST /metrics/current/{InstanceId}` [DOC request; the answer's names INFER].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricsRequest {
    /// The metrics asked for.
    pub current_metrics: Vec<MetricName>,
    /// The queues and channels.
    pub filters: MetricFilters,
}

/// One `CurrentMetrics[]` entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricName {
    /// `AGENTS_AVAILABLE`, ...
    pub name: String,
    /// `COUNT`, ...
    pub unit: String,
}

/// `Filters`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricFilters {
    /// 1-100 queue ids.
    pub queues: Vec<String>,
}

impl Checked for MetricsRequest {
    fn check(&self) -> Result<(), String> {
        if self.filters.queues.is_empty() || self.filters.queues.len() > 100 {
            return Err("Filters.Queues must hold 1-100 queues".into());
        }
        Ok(())
    }
}

/// `POST /participant/connection` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionRequest {
    /// `WEBSOCKET` and/or `CONNECTION_CREDENTIALS`.
    #[serde(rename = "Type")]
    pub kind: Vec<String>,
    /// Acknowledges the connection.
    pub connect_participant: Option<bool>,
}

impl Checked for ConnectionRequest {
    fn check(&self) -> Result<(), String> {
        if self.kind.is_empty() {
            return Err("Type must hold at least 1 item".into());
        }
        let allowed = ["WEBSOCKET", "CONNECTION_CREDENTIALS"];
        self.kind
            .iter()
            .try_for_each(|t| one_of("type", t, &allowed))
    }
}

/// `CreateParticipantConnection`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Connection {
    /// The socket.
    pub websocket: Websocket,
    /// The connection token.
    pub connection_credentials: ConnectionCredentials,
}

/// `Websocket`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Websocket {
    /// Use within 100 s.
    pub url: String,
    /// ISO 8601.
    pub connection_expiry: String,
}

/// `ConnectionCredentials`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionCredentials {
    /// For every other participant call.
    pub connection_token: String,
    /// ISO 8601.
    pub expiry: String,
}

/// `POST /participant/message` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageRequest {
    /// One of [`MESSAGE_TYPES`].
    pub content_type: String,
    /// 1-16384.
    pub content: String,
    /// Idempotency, 0-500; the SDK fills it in when absent.
    pub client_token: Option<String>,
}

impl Checked for SendMessageRequest {
    fn check(&self) -> Result<(), String> {
        one_of("contentType", &self.content_type, MESSAGE_TYPES)?;
        length("content", &self.content, 1, 16_384)?;
        length_opt("clientToken", self.client_token.as_deref(), 0, 500)
    }
}

/// `POST /participant/event` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendEventRequest {
    /// One of [`EVENT_TYPES`].
    pub content_type: String,
    /// 1-1024: a receipt's `{"messageId": ...}`.
    pub content: Option<String>,
    /// Idempotency, 0-500.
    pub client_token: Option<String>,
}

impl Checked for SendEventRequest {
    fn check(&self) -> Result<(), String> {
        one_of("contentType", &self.content_type, EVENT_TYPES)?;
        length_opt("content", self.content.as_deref(), 1, 1024)?;
        length_opt("clientToken", self.client_token.as_deref(), 0, 500)
    }
}

/// `POST /participant/disconnect` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisconnectRequest {
    /// Idempotency, 0-500.
    pub client_token: Option<String>,
}

impl Checked for DisconnectRequest {
    fn check(&self) -> Result<(), String> {
        length_opt("clientToken", self.client_token.as_deref(), 0, 500)
    }
}

/// `SendMessage`'s and `SendEvent`'s answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sent {
    /// The item's id.
    pub id: String,
    /// ISO 8601.
    pub absolute_time: String,
}

/// `POST /participant/transcript` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranscriptRequest {
    /// 1-256: another contact of the chat.
    pub contact_id: Option<String>,
    /// 0-100, default 10.
    pub max_results: Option<u64>,
    /// 1-1000.
    pub next_token: Option<String>,
    /// `FORWARD` or `BACKWARD`.
    pub scan_direction: Option<String>,
    /// `ASCENDING` or `DESCENDING`.
    pub sort_order: Option<String>,
    /// Where to start.
    pub start_position: Option<StartPosition>,
}

/// `StartPosition`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartPosition {
    /// An item id, 1-256.
    pub id: Option<String>,
    /// ISO 8601, 1-100.
    pub absolute_time: Option<String>,
    /// 0-100.
    pub most_recent: Option<u64>,
}

impl Checked for TranscriptRequest {
    fn check(&self) -> Result<(), String> {
        length_opt("contactId", self.contact_id.as_deref(), 1, 256)?;
        range("maxResults", self.max_results.unwrap_or(10), 0, 100)?;
        length_opt("nextToken", self.next_token.as_deref(), 1, 1000)?;
        if let Some(d) = &self.scan_direction {
            one_of("scanDirection", d, &["FORWARD", "BACKWARD"])?;
        }
        if let Some(o) = &self.sort_order {
            one_of("sortOrder", o, &["ASCENDING", "DESCENDING"])?;
        }
        let Some(p) = &self.start_position else {
            return Ok(());
        };
        length_opt("startPosition.id", p.id.as_deref(), 1, 256)?;
        length_opt(
            "startPosition.absoluteTime",
            p.absolute_time.as_deref(),
            1,
            100,
        )?;
        range(
            "startPosition.mostRecent",
            p.most_recent.unwrap_or(0),
            0,
            100,
        )
    }
}

/// `GetTranscript`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transcript {
    /// The chat's first contact.
    pub initial_contact_id: String,
    /// One page of items.
    pub transcript: Vec<Item>,
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A transcript item, as `GetTranscript` and the socket's `aws/chat` frames carry it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    /// ISO 8601 with milliseconds.
    pub absolute_time: String,
    /// The text, for messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Absent on `ATTACHMENT` items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The item's id.
    pub id: String,
    /// `MESSAGE`, `EVENT`, `ATTACHMENT`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Who, when a participant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<String>,
    /// Their name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `AGENT`, `CUSTOMER`, `SYSTEM`.
    pub participant_role: String,
    /// The chat's first contact.
    pub initial_contact_id: String,
    /// This contact.
    pub contact_id: String,
    /// The files of an `ATTACHMENT` item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentItem>,
}

/// `Type` of an item carrying files.
pub const ATTACHMENT: &str = "ATTACHMENT";

/// One `Attachments[]` entry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachmentItem {
    /// The id for `GetAttachment`.
    pub attachment_id: String,
    /// The file name.
    pub attachment_name: String,
    /// Its MIME type.
    pub content_type: String,
    /// `APPROVED`, ...
    pub status: String,
}

/// `POST /participant/start-attachment-upload` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartUploadRequest {
    /// 1-255, a type Connect takes.
    pub content_type: String,
    /// At least 1.
    pub attachment_size_in_bytes: u64,
    /// 1-256.
    pub attachment_name: String,
    /// Required here, 1-500.
    pub client_token: String,
}

impl Checked for StartUploadRequest {
    fn check(&self) -> Result<(), String> {
        length("contentType", &self.content_type, 1, 255)?;
        range(
            "attachmentSizeInBytes",
            self.attachment_size_in_bytes,
            1,
            u64::MAX,
        )?;
        length("attachmentName", &self.attachment_name, 1, 256)?;
        length("clientToken", &self.client_token, 1, 500)
    }
}

/// `StartAttachmentUpload`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UploadStarted {
    /// The new attachment.
    pub attachment_id: String,
    /// Where to `PUT` it.
    pub upload_metadata: UploadMetadata,
}

/// `UploadMetadata`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UploadMetadata {
    /// The presigned URL.
    pub url: String,
    /// ISO 8601.
    pub url_expiry: String,
    /// Headers the `PUT` must send.
    pub headers_to_include: BTreeMap<String, String>,
}

/// `POST /participant/complete-attachment-upload` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteUploadRequest {
    /// Exactly 1 id, 1-256.
    pub attachment_ids: Vec<String>,
    /// Required here, 1-500.
    pub client_token: String,
}

impl Checked for CompleteUploadRequest {
    fn check(&self) -> Result<(), String> {
        let [id] = self.attachment_ids.as_slice() else {
            return Err("AttachmentIds must hold exactly 1 item".into());
        };
        length("attachmentIds.member", id, 1, 256)?;
        length("clientToken", &self.client_token, 1, 500)
    }
}

/// `POST /participant/attachment` [DOC].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetAttachmentRequest {
    /// 1-256.
    pub attachment_id: String,
    /// 5-300 (see `inferred`).
    pub url_expiry_in_seconds: Option<u64>,
}

impl Checked for GetAttachmentRequest {
    fn check(&self) -> Result<(), String> {
        length("attachmentId", &self.attachment_id, 1, 256)
    }
}

/// `GetAttachment`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachmentLink {
    /// Where the bytes are.
    pub url: String,
    /// ISO 8601.
    pub url_expiry: String,
    /// The size.
    pub attachment_size_in_bytes: u64,
}

/// A frame the client sends on the participant socket (`aws/subscribe`, `aws/heartbeat`,
/// `aws/ping`) [CODE chatjs].
#[derive(Debug, Deserialize)]
pub struct ClientFrame {
    /// The topic.
    pub topic: String,
    /// `{"topics": ["aws/chat"]}` for a subscribe.
    pub content: Option<SubscribeContent>,
}

/// The content of `aws/subscribe`.
#[derive(Debug, Deserialize)]
pub struct SubscribeContent {
    /// The topics asked for.
    #[serde(default)]
    pub topics: Vec<String>,
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
