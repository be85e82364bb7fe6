//! The Webex emulator's own reading of `POST /messages`.

use serde::Deserialize;

/// A message to create.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessage {
    /// The room.
    pub room_id: Option<String>,
    /// A person, by id.
    pub to_person_id: Option<String>,
    /// A person, by email.
    pub to_person_email: Option<String>,
    /// Plain text.
    pub text: Option<String>,
    /// Markdown.
    pub markdown: Option<String>,
    /// The message replied to.
    pub parent_id: Option<String>,
}
