//! The Webex emulator's own reading of `POST /messages`.

use serde::Deserialize;

/// A message to create: one destination, and a text, Markdown, files or cards.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessage {
    /// The room.
    pub room_id: Option<String>,
    /// A person, by id.
    pub to_person_id: Option<String>,
    /// Public URLs of files to share (one, in practice).
    pub files: Option<Vec<String>>,
    /// A person, by email.
    pub to_person_email: Option<String>,
    /// Plain text.
    pub text: Option<String>,
    /// Cards (`application/vnd.microsoft.card.adaptive`), kept as sent.
    pub attachments: Option<Vec<serde_json::Value>>,
    /// Markdown.
    pub markdown: Option<String>,
    /// The message replied to.
    pub parent_id: Option<String>,
}
