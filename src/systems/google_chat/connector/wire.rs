//! Google Chat's wire types for a space webhook, from its reference (`PROTOCOL.md`).

use serde::Serialize;

/// A message posted to the webhook.
#[derive(Debug, Serialize)]
pub struct WebhookMessage {
    /// The text (Google Chat's own markup: `*bold*`).
    pub text: String,
    /// The thread, by our key.
    pub thread: Thread,
}

/// A thread named by the poster's key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// The key: the conversation.
    pub thread_key: String,
}
