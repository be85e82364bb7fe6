//! What the emulated Chat Gateway reads and answers, typed from 8x8's reference (the `OpenAPI`
//! file `contact-center-chat-gateway-v1.oas.yml` and the webhooks events reference) apart from
//! the connector's types, so that a connector bug cannot hide behind a shared type.
//!
//! Strict where 8x8 is: required fields are required, `authorType` is checked against its
//! enum and refused with the documented `BadRequestProblem`. Unknown fields are taken, as 8x8
//! takes them (the user object carries "any metadata").

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The only `EventVersion` (`version` of a webhook).
pub const EVENT_VERSION: &str = "Chat Gateway v1.0";

/// The author types a message or history line may carry (`ExternalAuthorType`; the documented
/// 400 names `agent` as well, which a client cannot send).
pub const MESSAGE_AUTHORS: &[&str] = &["user", "bot"];

/// The author types of a typing indicator (`TypingRequest.authorType`, a closed enum).
pub const TYPING_AUTHORS: &[&str] = &["bot", "user"];

/// `POST /webhooks` (`WebHookV2CreateRequest`): `name` and `uri` are required.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateWebhook {
    /// At most 256 characters.
    pub name: String,
    /// Where 8x8 POSTs events.
    pub uri: String,
    /// `Chat Gateway v1.0` when given.
    pub version: Option<String>,
}

/// The 200 answer of `POST /webhooks` (`WebHookV2Result`).
#[derive(Debug, Clone, Serialize)]
pub struct WebhookResult {
    /// The webhook's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its URI.
    pub uri: String,
    /// `Chat Gateway v1.0`.
    pub version: String,
}

/// `POST /conversations` (`CreateTransactionRequest`): `channelId` and `user` are required.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateConversation {
    /// The channel.
    pub channel_id: String,
    /// The user, kept as sent: it is echoed by `GET /conversations/{id}`.
    pub user: Value,
    /// Where to route.
    pub assignment: Option<Assignment>,
    /// The bot conversation so far.
    pub history: Option<History>,
}

/// The fields of `user` the emulator reads (`ConversationUserData`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Display name.
    pub name: Option<String>,
    /// The client's id for the user.
    pub user_id: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Routing language.
    pub language: Option<String>,
    /// Key/values shown to the agent.
    #[serde(default)]
    pub additional_properties: Vec<KeyValue>,
}

/// One additional property (`AdditionalPropertiesPayload`; neither field is required).
#[derive(Debug, Clone, Deserialize)]
pub struct KeyValue {
    /// Key.
    #[serde(default)]
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: String,
}

/// A routing target (`AssignmentField`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assignment {
    /// `queue` (the default) or `script`.
    #[serde(rename = "type", default = "queue")]
    pub kind: String,
    /// The queue's or script's id.
    #[serde(default)]
    pub id: Option<String>,
}

fn queue() -> String {
    "queue".into()
}

/// `history`: `messages` is required.
#[derive(Debug, Clone, Deserialize)]
pub struct History {
    /// Oldest first, at most 200.
    pub messages: Vec<Message>,
}

/// A history line or `POST /conversations/{id}/messages` (`SendConversationMessagePayload`):
/// `authorType` is required.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// `user` or `bot`.
    pub author_type: String,
    /// The text.
    pub text: Option<String>,
    /// Uploaded files, by id.
    #[serde(default)]
    pub attachments: Vec<IdRef>,
}

/// A file a message references.
#[derive(Debug, Clone, Deserialize)]
pub struct IdRef {
    /// The upload's id.
    pub id: String,
}

/// `POST /conversations/{id}/typing` (`TypingRequest`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    /// `bot` or `user`.
    pub author_type: String,
}

/// `PATCH /conversations/{id}/participants/user` (`PatchUserParticipantRequest`).
#[derive(Debug, Clone, Deserialize)]
pub struct PatchUser {
    /// `true` ends the user's part.
    pub removed: Option<bool>,
}

/// The 202 answer of `POST /conversations` (`ConversationIdentifierField`).
pub fn created(conversation: &str, created_at: &str) -> Value {
    json!({ "conversationId": conversation, "createdAt": created_at })
}

/// A HAL `_links` object pointing at `href`.
pub fn links(href: &str) -> Value {
    json!({ "self": { "href": href } })
}

/// A HAL page of `total` items, all on the first page.
pub fn page(total: usize) -> Value {
    json!({ "size": total.max(1), "number": 0, "totalElements": total, "totalPages": 1 })
}

/// One entry of `GET /conversations/{id}/participants` (`ConversationParticipant`): no name.
pub fn participant(id: &str, kind: &str, removed: bool) -> Value {
    json!({ "id": id, "type": kind, "removed": removed })
}

/// A `GenericExceptionPayload`: `{message, errors: [{code, message}], referenceId}`.
pub fn problem(message: &str, code: &str, detail: &str, reference: &str) -> Value {
    json!({
        "message": message,
        "errors": [{ "code": code, "message": detail }],
        "referenceId": reference,
    })
}

/// The documented `BadRequestProblem` for an invalid `authorType` (its `errors` is an object).
pub fn bad_author_type(value: &str, allowed: &[&str], reference: &str) -> Value {
    let message = format!(
        "Invalid authorType={value}, has to be one of {}",
        allowed.join(", ")
    );
    json!({
        "message": message,
        "errors": { "code": "invalid_json_object", "message": message },
        "referenceId": reference,
    })
}

/// The documented `UnauthorizedProblem` for a missing or unknown API key.
pub fn unauthorized(reference: &str) -> Value {
    json!({
        "message": "Access Denied",
        "errors": [{ "message": "Access Denied", "code": "access_denied" }],
        "referenceId": reference,
    })
}

/// The documented `ResourceNotFoundProblem` (its `errors` are strings).
pub fn not_found(kind: &str, id: &str) -> Value {
    let message = format!("Resource of type {kind} with id {id} was not found.");
    json!({ "message": message, "errors": [message] })
}

/// A webhook event as 8x8 sends it: the common envelope, `data` per `eventType`, and the
/// `AGENT_JOINED` fields the chat workflow shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The event's type.
    pub event_type: String,
    /// `SYSTEM` on `AGENT_JOINED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// The conversation.
    pub conversation_id: String,
    /// Epoch milliseconds.
    pub timestamp: u64,
    /// `AGENT_JOINED`: the agent's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// `AGENT_JOINED`: the agent's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    /// Event data (absent on `TRANSFER`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// The form part of an upload carrying the file (`AttachmentUpload`).
pub const ATTACHMENT_PART: &str = "attachment";

/// The form part of an upload saying who uploads.
pub const AUTHOR_TYPE_PART: &str = "authorType";
