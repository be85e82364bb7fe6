//! The Google Chat emulator's own reading of a webhook message.

use serde::Deserialize;

/// A posted message.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The text.
    pub text: Option<String>,
    /// The thread.
    pub thread: Option<Thread>,
}

/// A thread, by name or key.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// The poster's key.
    pub thread_key: Option<String>,
    /// The thread's resource name.
    pub name: Option<String>,
}
