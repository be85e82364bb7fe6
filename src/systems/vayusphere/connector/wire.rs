//! What the connector sends to and reads from Vayusphere: the [INVENTED] contract of
//! `PROTOCOL.md`, kept here alone so that a real contract replaces this file (and
//! `inferred.rs`), not the connector.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /v1/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRequest {
    /// The queue the session waits in.
    pub queue: String,
    /// The topic the assistant derived, e.g. "Azure SQL Database".
    pub topic: String,
    /// The user's main utterance (at most `inferred::MAX_UTTERANCE_BYTES`).
    pub utterance: String,
    /// The end user.
    pub user: User,
    /// The user's language, when the routing knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Routing context: `domain`, `expertise`, `region` and custom keys.
    pub context: BTreeMap<String, String>,
    /// The user's conversation with the assistant, plain text, newest lines kept.
    pub history: String,
}

/// The user of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// A stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// 201 (or 200 for a repeated idempotency key) to `POST /v1/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionCreated {
    /// Vayusphere's id of the session.
    pub session_id: String,
    /// Where the user continues.
    pub redirect_url: String,
    /// The bot the user meets there, e.g. "Vayusphere Bot".
    pub bot_name: Option<String>,
}

/// 200 to `GET /v1/availability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct AvailabilityAnswer {
    /// Agents free to take a session now.
    pub agents_available: u32,
}

/// Every error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorAnswer {
    /// The error.
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    /// A code from `inferred::code`.
    pub code: String,
    /// For people.
    pub message: String,
}
