//! `ServiceNow` Virtual Agent Bot Integration API payloads (`bot-api.md`, va-api-features),
//! as the connector writes and reads them (the emulator has its own): requests only
//! serialize, answers only deserialize. What the docs do not show is in the system's
//! `inferred` module.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The Bot Integration endpoint.
pub const INTEGRATION_PATH: &str = "/api/sn_va_as_service/bot/integration";

/// The attachment types `ServiceNow` takes (`message.attachment[].contentType`) [DOC].
pub const ATTACHMENT_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "image/png",
    "image/jpeg",
    "text/plain",
    "video/mpeg",
];

/// The AWA presence/capacity view read for availability.
pub const CAPACITY_PATH: &str = "/api/now/table/awa_agent_presence_capacity";

/// A request to the Bot Integration API (every action uses the same endpoint).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BotRequest {
    /// Unique per request.
    pub request_id: String,
    /// `AGENT`, `END_CONVERSATION`, `TYPING`, `VIEWING`, ...; absent for a plain message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Our conversation id, echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_session_id: Option<String>,
    /// The user.
    pub user_id: String,
    /// For account linking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_id: Option<String>,
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<BotMessage>,
    /// Routing keys read by AWA queue conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_variables: Option<Map<String, Value>>,
    /// The bot transcript; read on the first request only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryItem>>,
    /// Epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// IANA time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The provider application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_inbound_id: Option<String>,
}

/// The `message` of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BotMessage {
    /// The text (empty for `END_CONVERSATION`).
    pub text: String,
    /// Typed by a person.
    pub typed: bool,
    /// Our id for the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
    /// Files, passed by URL: `ServiceNow` fetches each one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<BotAttachment>,
}

/// One `message.attachment[]` item [DOC].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BotAttachment {
    /// Our id for the attachment.
    pub client_attachment_id: String,
    /// The MIME type (one of [`ATTACHMENT_TYPES`]).
    pub content_type: String,
    /// The file name.
    pub file_name: String,
    /// Where `ServiceNow` fetches the file (reachable by the instance, in its trusted domains).
    pub url: String,
    /// Headers `ServiceNow` sends with the fetch (`Authorization`).
    pub headers: BTreeMap<String, String>,
}

/// One line of `history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    /// Who said it.
    pub display_name: String,
    /// Said by the bot.
    pub is_bot_message: bool,
    /// 13-digit epoch milliseconds, as a string.
    pub timestamp: String,
    /// `text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text.
    pub value: String,
}

/// The synchronous answer: `{"status": "success"}` or a failure with an error.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BotAck {
    /// `success` or `failure`.
    pub status: String,
    /// On failure.
    pub error: Option<SnError>,
}

/// `ServiceNow`'s error object.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SnError {
    /// Summary.
    pub message: String,
    /// Detail.
    pub detail: Option<String>,
}

/// What `ServiceNow` POSTs to our response endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The request this answers (or a new id for agent-initiated posts).
    pub request_id: Option<String>,
    /// Our conversation id.
    pub client_session_id: String,
    /// `ServiceNow`'s session.
    pub now_session_id: Option<String>,
    /// The user.
    pub user_id: Option<String>,
    /// The interaction record.
    pub interaction_id: Option<String>,
    /// The items, in order.
    #[serde(default)]
    pub body: Vec<Value>,
    /// Messages come from a live agent.
    #[serde(default)]
    pub agent_chat: bool,
    /// The VA or live-agent conversation is over.
    #[serde(default)]
    pub completed: bool,
    /// `ServiceNow` gives control back and closes the conversation.
    #[serde(default)]
    pub take_control: bool,
}

/// One `body[]` item as far as the connector reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// `OutputText`, `ActionMsg`, ...
    pub ui_type: String,
    /// For `ActionMsg`.
    pub action_type: Option<String>,
    /// Text of `OutputText`.
    pub value: Option<String>,
    /// Text of `OutputText` in some examples.
    pub label: Option<String>,
    /// Text of `System` and spinner items.
    pub message: Option<String>,
    /// `StartSpinner`: e.g. "13 Seconds".
    pub wait_time: Option<String>,
    /// `StartSpinner`: `wait_time` or `none`.
    pub spinner_type: Option<String>,
    /// The message's id.
    pub message_id: Option<String>,
    /// Who sent it, when a live agent did.
    pub agent_info: Option<AgentInfo>,
}

/// `agentInfo` (sent when "Agent names and avatars" is on in Agent Chat settings).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentInfo {
    /// Display name.
    pub agent_name: String,
    /// Avatar URL.
    pub agent_avatar: Option<String>,
    /// The agent's `live_profile` `sys_id`.
    pub agent_id: Option<String>,
    /// Typed by the agent (false: sent on the agent's behalf).
    #[serde(default)]
    pub sent_from_agent: bool,
}

/// A Table API answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TableResult {
    /// The rows; values are strings.
    pub result: Vec<Map<String, Value>>,
}

/// The wait estimate in seconds out of "13 Seconds" / "2 Minutes".
pub fn wait_secs(text: &str) -> Option<u64> {
    let mut parts = text.split_whitespace();
    let n: u64 = parts.next()?.parse().ok()?;
    match parts.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("second" | "seconds" | "sec" | "secs") => Some(n),
        Some("minute" | "minutes" | "min" | "mins") => Some(n * 60),
        Some("hour" | "hours") => Some(n * 3600),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_request_keeps_its_authorization_out_of_traces() {
        let request = BotRequest {
            request_id: "r-1".into(),
            action: None,
            client_session_id: Some("c-1".into()),
            user_id: "u-1".into(),
            email_id: None,
            message: Some(BotMessage {
                text: String::new(),
                typed: true,
                client_message_id: Some("m-1".into()),
                attachment: vec![BotAttachment {
                    client_attachment_id: "m-1-1".into(),
                    content_type: "application/pdf".into(),
                    file_name: "a.pdf".into(),
                    url: "https://hooks.example.com/files/t".into(),
                    headers: std::iter::once((
                        "Authorization".to_owned(),
                        "Bearer fake-file-secret".to_owned(),
                    ))
                    .collect(),
                }],
            }),
            context_variables: None,
            history: None,
            timestamp: None,
            timezone: None,
            app_inbound_id: None,
        };
        let body = serde_json::to_vec(&request).unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains(r#""attachment":[{"clientAttachmentId":"m-1-1","contentType":"application/pdf","fileName":"a.pdf","url":"https://hooks.example.com/files/t","headers":{"Authorization":"Bearer fake-file-secret"}}]"#),
            "{text}"
        );
        let traced = crate::connectors::trace::redact_body(&body, &[]).unwrap();
        assert!(!traced.contains("fake-file-secret"), "{traced}");
        assert!(
            traced.contains(r#""Authorization":"[redacted]""#),
            "{traced}"
        );
    }

    #[test]
    fn wait_times_read() {
        assert_eq!(wait_secs("13 Seconds"), Some(13));
        assert_eq!(wait_secs("2 Minutes"), Some(120));
        assert_eq!(wait_secs("soon"), None);
    }
}
