//! What the emulated instance accepts and answers, read from the Virtual Agent Bot Integration
//! API reference (`bot-api.md`) and the Table API. The emulator's own types: the connector's
//! never parse a request here, so a connector bug cannot hide behind a shared type.
//!
//! Strict where the docs are: `requestId` and `userId` required, `message.text` and
//! `message.typed` required in a message, `action` one of the documented values,
//! `END_CONVERSATION` with an empty text, every attachment member present. Members the
//! emulator does not act on (`clientVariables`, `botToBot`, `intent`, ...) are accepted and
//! ignored. [NOT PUBLIC] the exact failure texts; the shape is the platform's usual
//! `{"status": "failure", "error": {"message", "detail"}}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The Bot Integration endpoint.
pub const INTEGRATION_PATH: &str = "/api/sn_va_as_service/bot/integration";

/// The AWA presence/capacity view, through the Table API.
pub const CAPACITY_PATH: &str = "/api/now/table/awa_agent_presence_capacity";

/// [DOC] The attachment types the instance takes (`message.attachment[].contentType`).
pub const ATTACHMENT_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "image/png",
    "image/jpeg",
    "text/plain",
    "video/mpeg",
];

/// [DOC] The `action` values of the request.
pub const ACTIONS: &[&str] = &[
    "AGENT",
    "START_CONVERSATION",
    "CREATE_CONVERSATION",
    "START_CREATED_CONVERSATION",
    "END_CONVERSATION",
    "FAULT_CONVERSATION",
    "SEND_HISTORY",
    "SET_USER_TIMEZONE",
    "SWITCH",
    "TYPING",
    "VIEWING",
    "UPDATE_MESSAGES",
];

/// A request to the Bot Integration endpoint, as the instance reads it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotRequest {
    /// Required, unique per request.
    pub request_id: String,
    /// One of [`ACTIONS`]; absent (or null) for a plain message.
    pub action: Option<String>,
    /// The client's conversation, echoed back.
    pub client_session_id: Option<String>,
    /// Required.
    pub user_id: String,
    /// For account linking.
    pub email_id: Option<String>,
    /// The message.
    pub message: Option<Message>,
    /// Routing keys and system parameters (`liveagent_topic`, ...).
    pub context_variables: Option<Map<String, Value>>,
    /// The bot transcript, read on the first request.
    pub history: Option<Vec<HistoryLine>>,
}

/// `message`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The text: any length, empty for `END_CONVERSATION`.
    pub text: String,
    /// Required: typed by a person.
    pub typed: bool,
    /// Files passed by URL.
    #[serde(default)]
    pub attachment: Vec<Attachment>,
}

/// One `message.attachment[]` item; every member is required.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The client's id for it.
    pub client_attachment_id: String,
    /// One of [`ATTACHMENT_TYPES`] (checked when fetched).
    pub content_type: String,
    /// The file name.
    pub file_name: String,
    /// Where the instance fetches it.
    pub url: String,
    /// Sent with the fetch.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// One `history[]` line.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryLine {
    /// Who said it.
    pub display_name: String,
    /// Said by the bot.
    pub is_bot_message: bool,
    /// The text.
    pub value: String,
}

impl BotRequest {
    /// The documented constraints the parse alone does not hold; `Err` names the field.
    pub fn check(&self) -> Result<(), String> {
        if self.request_id.trim().is_empty() {
            return Err("requestId is required".into());
        }
        if self.user_id.trim().is_empty() {
            return Err("userId is required".into());
        }
        if let Some(action) = &self.action
            && !ACTIONS.contains(&action.as_str())
        {
            return Err(format!(
                "action {action:?} is not one of {}",
                ACTIONS.join(", ")
            ));
        }
        let text = self.message.as_ref().map_or("", |m| m.text.as_str());
        if self.action.as_deref() == Some("END_CONVERSATION") && !text.is_empty() {
            return Err("message.text must be empty for END_CONVERSATION".into());
        }
        Ok(())
    }

    /// The message's text, empty when there is none.
    pub fn text(&self) -> &str {
        self.message.as_ref().map_or("", |m| m.text.as_str())
    }
}

/// The synchronous answer of the endpoint (async mode).
#[derive(Debug, Serialize)]
pub struct Ack {
    /// `success` or `failure`.
    pub status: &'static str,
    /// On failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

/// The platform's error object.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// Summary.
    pub message: String,
    /// Detail.
    pub detail: String,
}

impl Ack {
    /// `{"status": "success"}`.
    pub const SUCCESS: Self = Self {
        status: "success",
        error: None,
    };

    /// A failure with its summary and detail.
    pub fn failure(message: &str, detail: &str) -> Self {
        Self {
            status: "failure",
            error: Some(Failure {
                message: message.into(),
                detail: detail.into(),
            }),
        }
    }
}

/// What the instance POSTs to the response endpoint [DOC].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// A new id per post.
    pub request_id: String,
    /// The client's conversation.
    pub client_session_id: String,
    /// The instance's session.
    pub now_session_id: String,
    /// The user.
    pub user_id: String,
    /// The interaction record.
    pub interaction_id: String,
    /// The items, in order (built by `inferred` and [`Item`]).
    pub body: Vec<Value>,
    /// From a live agent.
    pub agent_chat: bool,
    /// The conversation is over.
    pub completed: bool,
    /// The instance gives control back.
    pub take_control: bool,
}

/// An `OutputText` item from a live agent [DOC].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentText {
    /// `OutputText`.
    pub ui_type: &'static str,
    /// `DefaultText`.
    pub group: &'static str,
    /// The text.
    pub value: String,
    /// The message's id.
    pub message_id: String,
    /// Who sent it.
    pub agent_info: AgentInfo,
}

/// `agentInfo` [DOC], sent when "Agent names and avatars" is on.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentInfo {
    /// Display name.
    pub agent_name: String,
    /// The agent's `live_profile` `sys_id`.
    pub agent_id: String,
    /// Typed by the agent.
    pub sent_from_agent: bool,
}

impl AgentInfo {
    /// As JSON, for the items `inferred` builds.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A Table API answer: `{"result": [rows]}`, values as strings.
#[derive(Debug, Serialize)]
pub struct TableResult {
    /// The rows.
    pub result: Vec<Map<String, Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(body: &str) -> Result<(), String> {
        serde_json::from_str::<BotRequest>(body)
            .map_err(|e| e.to_string())?
            .check()
    }

    #[test]
    fn required_fields_are_required() {
        assert!(
            checked(r#"{"userId":"u"}"#)
                .unwrap_err()
                .contains("requestId")
        );
        assert!(
            checked(r#"{"requestId":"r","userId":" "}"#)
                .unwrap_err()
                .contains("userId")
        );
        let untyped = r#"{"requestId":"r","userId":"u","message":{"text":"hi"}}"#;
        assert!(checked(untyped).unwrap_err().contains("typed"));
        let no_url = r#"{"requestId":"r","userId":"u","message":{"text":"","typed":true,
            "attachment":[{"clientAttachmentId":"a","contentType":"text/plain","fileName":"a.txt"}]}}"#;
        assert!(checked(no_url).unwrap_err().contains("url"));
    }

    #[test]
    fn actions_are_the_documented_ones() {
        let agent = r#"{"requestId":"r","userId":"u","action":"AGENT"}"#;
        assert_eq!(checked(agent), Ok(()));
        let bogus = r#"{"requestId":"r","userId":"u","action":"agent"}"#;
        assert!(checked(bogus).unwrap_err().contains("not one of"));
        let end = r#"{"requestId":"r","userId":"u","action":"END_CONVERSATION","message":{"text":"bye","typed":true}}"#;
        assert!(checked(end).unwrap_err().contains("must be empty"));
    }
}
