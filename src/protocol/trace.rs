//! The connector's calls to its system, as `trace` messages show them.

use super::Millis;
use serde::{Deserialize, Serialize};

/// One call of a connector to its system, secrets redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTrace {
    /// When it started.
    pub at: Millis,
    /// The system, e.g. "8x8".
    pub system: String,
    /// The API call, e.g. "create conversation".
    pub name: String,
    /// HTTP, or a WebSocket frame out or in.
    pub kind: CallKind,
    /// The HTTP method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The URL.
    pub url: String,
    /// The HTTP status, when an answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How long it took, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// What was sent (shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// What came back (shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Why it failed without an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The kind of a [`CallTrace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// An HTTP request and its answer.
    Http,
    /// A WebSocket frame sent to the system.
    WsOut,
    /// A WebSocket frame received from the system.
    WsIn,
    /// A callback (webhook) the system sent to the broker.
    Webhook,
}
