//! **Glia contracts the public sources do not give.** Used by the connector and the emulator;
//! correct here against a real site.
//!
//! | what | status |
//! |---|---|
//! | `POST /visitors` answer `{id, access_token}` | [CODE] older samples read `visitor.access_token` |
//! | `POST /queue_tickets` answer `{id, state}` | [INFER] |
//! | operator name: `GET /engagements/{id}` → `{id, operators: [{id, name}]}` | [INFER] |
//! | `engagement.request.failure` payload `{event_type, queue_ticket: {id}, reason}` | [NOT PUBLIC]: made up |
//! | `engagement.transfer` payload `{event_type, engagement}` (the new operator is looked up) | [NOT PUBLIC] |
//! | visitor ends: `DELETE /engagements/{id}` (live) or `DELETE /queue_tickets/{id}` (queued) | [NOT PUBLIC]: plausible, unverified |
//! | availability: `GET /operators?include_offline=false&site_ids[]=..` → `{operators: [{id, name, available}]}` | [CODE] legacy samples; field names [INFER] |
//! | typing indicators | [NOT PUBLIC]: not sent, not received |
//! | the utterance goes as the first chat message, context as its `metadata` | [INFER] |
//! | 401 body `{"error": "Unauthorized"}`, 406 for a wrong `Accept` | [INFER] |

use serde::{Deserialize, Serialize};

/// [CODE] `POST /visitors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visitor {
    /// The visitor.
    pub id: String,
    /// The visitor's bearer token.
    pub access_token: String,
}

/// [INFER] `POST /queue_tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueTicket {
    /// The ticket.
    pub id: String,
    /// `queued`.
    #[serde(default)]
    pub state: Option<String>,
}

/// [INFER] `GET /engagements/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementDetails {
    /// The engagement.
    pub id: String,
    /// The operators in it now.
    #[serde(default)]
    pub operators: Vec<Operator>,
}

/// [INFER] An operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Takes engagements now (availability list only).
    #[serde(default)]
    pub available: Option<bool>,
}

/// [CODE]/[INFER] `GET /operators`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Operators {
    /// The operators.
    #[serde(default)]
    pub operators: Vec<Operator>,
}

/// [NOT PUBLIC] Why a request failed, from `engagement.request.failure`.
pub fn failure_is_timeout(event: &super::wire::Event) -> bool {
    event.rest.get("reason").and_then(serde_json::Value::as_str) == Some("timeout")
}

/// The header the connector registers to find the chat of an event.
pub const CHAT_HEADER: &str = "x-handoff-chat";
