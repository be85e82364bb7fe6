//! What the emulated Glia reads, typed from developer.glia.com (site visitors, queue tickets,
//! webhooks, chat messages) apart from the connector's types, so that a connector bug cannot
//! hide behind a shared type. Required fields are required; unknown fields are taken, as the
//! reference says nothing of refusing them.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Every request's `Accept`.
pub const ACCEPT: &str = "application/vnd.salemove.v1+json";

/// The `Authorization` scheme of a site application token (`POST /visitors`).
pub const APPLICATION_TOKEN: &str = "ApplicationToken ";

/// The media a visitor integrator may start with.
pub const INTEGRATOR_MEDIA: &[&str] = &["text", "phone"];

/// The most webhooks one registration may carry.
pub const MAX_WEBHOOKS: usize = 10;

/// `POST /operator_authentication/tokens`.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenRequest {
    /// Site API key id.
    pub api_key_id: String,
    /// Site API key secret.
    pub api_key_secret: String,
}

/// `POST /queue_tickets`: `site_id` and `media` are required; `queue_id` and `team_ids`
/// cannot be used together.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct QueueTicket {
    /// The site the visitor enqueues on.
    pub site_id: String,
    /// `text`, `phone`, `audio` or `video` (a visitor integrator: `text` or `phone`).
    pub media: String,
    /// Options for the media.
    pub media_options: Option<Value>,
    /// The queue (a UUID).
    pub queue_id: Option<String>,
    /// Teams to restrict the request to.
    pub team_ids: Option<Vec<String>>,
    /// How the engagement started, e.g. `visitor_integrator`.
    pub source: Option<String>,
    /// Where events go (at most [`MAX_WEBHOOKS`]).
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
}

/// What makes two tickets "the same request criteria": site, media, queue, teams.
pub type Criteria = (String, String, Option<String>, Option<Vec<String>>);

impl QueueTicket {
    /// What makes two tickets "the same request criteria" (a repeat answers 200, anything
    /// else while one is active answers 409).
    pub fn criteria(&self) -> Criteria {
        (
            self.site_id.clone(),
            self.media.clone(),
            self.queue_id.clone(),
            self.team_ids.clone(),
        )
    }
}

/// An HTTP webhook registration: `url`, `method` and `events` (at least one) are required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Webhook {
    /// Where, with its protocol.
    pub url: String,
    /// e.g. `POST`.
    pub method: String,
    /// Sent back verbatim on every call.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The events to send.
    pub events: Vec<String>,
}

/// `PUT /engagements/{id}/chat_messages/{uuid}`: `content` may be empty only when the message
/// carries a files attachment.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatMessage {
    /// The text.
    pub content: Option<String>,
    /// `chat` by default.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// An attachment; read as [`FilesAttachment`] when its `type` is `files`.
    pub attachment: Option<Value>,
    /// Free-form metadata.
    pub metadata: Option<Value>,
}

/// [NOT PUBLIC] A files attachment, as this project's contract has it: uploaded files by id.
#[derive(Debug, Clone, Deserialize)]
pub struct FilesAttachment {
    /// `files`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The files.
    pub files: Vec<FileRef>,
}

/// One file of a [`FilesAttachment`].
#[derive(Debug, Clone, Deserialize)]
pub struct FileRef {
    /// The upload's id.
    pub id: String,
}
