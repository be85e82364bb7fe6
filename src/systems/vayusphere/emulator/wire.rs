//! What the emulated Vayusphere reads and answers, typed apart from the connector's types so
//! that a connector bug cannot hide behind a shared type. Strict: required fields are
//! required and unknown fields are refused (400), as the [INVENTED] contract says.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /v1/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// Not blank.
    pub queue: String,
    /// The topic.
    pub topic: String,
    /// Not blank.
    pub utterance: String,
    /// The user.
    pub user: User,
    /// The user's language.
    pub language: Option<String>,
    /// Routing context.
    #[serde(default)]
    pub context: BTreeMap<String, String>,
    /// Plain-text history.
    #[serde(default)]
    pub history: String,
}

/// The user of a session.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Not blank.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
}

impl SessionRequest {
    /// The first required field that is blank, for a 400 naming it.
    pub fn blank_field(&self) -> Option<&'static str> {
        [
            ("queue", &self.queue),
            ("utterance", &self.utterance),
            ("user.id", &self.user.id),
        ]
        .into_iter()
        .find(|(_, value)| value.trim().is_empty())
        .map(|(field, _)| field)
    }
}

/// 201 to `POST /v1/sessions` (200 with the same body for a repeated idempotency key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    /// The session.
    pub session_id: String,
    /// The user's page.
    pub redirect_url: String,
    /// Who the user meets there.
    pub bot_name: String,
}

/// 200 to `GET /v1/availability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Availability {
    /// Agents available on the desk.
    pub agents_available: u32,
}
