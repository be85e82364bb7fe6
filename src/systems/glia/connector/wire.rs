//! Glia REST payloads (developer.glia.com: engagement requests, chat messages, webhooks; and
//! public visitor-integrator samples), as the connector writes and reads them (the emulator
//! has its own): requests only serialize, answers and events only deserialize. Shapes the
//! sources do not give are in the system's `inferred` module.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Every request's `Accept`.
pub const ACCEPT: &str = "application/vnd.salemove.v1+json";

/// The events the connector subscribes to.
pub const EVENTS: &[&str] = &[
    "engagement.start",
    "engagement.end",
    "engagement.request.failure",
    "engagement.chat.message",
    "engagement.transfer",
];

/// `POST /operator_authentication/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRequest {
    /// Site API key id.
    pub api_key_id: String,
    /// Site API key secret.
    pub api_key_secret: String,
}

/// Its answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Token {
    /// The site bearer token.
    pub token: String,
}

/// The `Authorization` scheme of the site application token that creates visitors.
pub const APPLICATION_TOKEN: &str = "ApplicationToken";

/// The 200 answer of `POST /visitors` (site visitor reference).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Visitor {
    /// The visitor.
    pub id: String,
    /// The visitor's bearer token (renewed every 24 hours).
    pub access_token: String,
}

/// An engagement resource, as far as the connector reads it: its operators are links.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EngagementResource {
    /// The engagement.
    pub id: String,
    /// The operators in it, as links to fetch.
    #[serde(default)]
    pub operators: Vec<Link>,
}

/// A link to a resource.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Link {
    /// The resource's absolute URL.
    pub href: String,
}

/// An operator resource, as far as the connector reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OperatorResource {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// `POST /queue_tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueTicketRequest {
    /// `text`.
    pub media: String,
    /// The queue (the reference's `queue_id`, one string; not an array).
    pub queue_id: String,
    /// The site.
    pub site_id: String,
    /// `visitor_integrator`.
    pub source: String,
    /// Where events go (at most 10).
    pub webhooks: Vec<Webhook>,
}

/// A webhook registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    /// Where.
    pub url: String,
    /// `POST`.
    pub method: String,
    /// Sent back verbatim with every event.
    pub headers: BTreeMap<String, String>,
    /// Which events.
    pub events: Vec<String>,
}

/// `PUT /engagements/{id}/chat_messages/{uuid}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessageBody {
    /// The text.
    pub content: String,
    /// `chat`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Free-form data shown to the operator's integrations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Files sent with the message (its shape is in [`super::inferred::Attachment`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<super::inferred::Attachment>,
}

/// A webhook event, as far as the connector reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Event {
    /// `engagement.start`, ...
    pub event_type: String,
    /// For engagement events.
    pub engagement: Option<Engagement>,
    /// For `engagement.chat.message`.
    pub message: Option<Message>,
    /// Anything else.
    #[serde(flatten)]
    pub rest: BTreeMap<String, Value>,
}

/// The engagement of an event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Engagement {
    /// Its id.
    pub id: String,
    /// The visitor.
    pub visitor_id: Option<String>,
    /// `visitor_integrator`, ...
    pub source: Option<String>,
}

/// A chat message of an event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Message {
    /// Its id.
    pub id: Option<String>,
    /// The text (empty or absent for a message that only carries files).
    #[serde(default)]
    pub content: String,
    /// Files sent with it, as the connector sends them ([`super::inferred::Attachment`]); kept
    /// raw so that one unreadable file does not make the whole event unreadable.
    pub attachment: Option<Value>,
    /// The engagement.
    pub engagement_id: String,
    /// `visitor` (to the visitor: from an operator) or `operator` (our own echo).
    pub target: String,
    /// When.
    pub timestamp: Option<Value>,
    /// `chat`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}
