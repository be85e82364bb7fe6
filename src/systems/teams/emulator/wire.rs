//! The Teams emulator's own reading of a posted message: a `message` whose attachments are
//! Adaptive Cards.

use serde::Deserialize;

/// The posted message.
#[derive(Debug, Deserialize)]
pub struct Message {
    /// `message`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The cards.
    pub attachments: Vec<Attachment>,
}

/// One attachment.
#[derive(Debug, Deserialize)]
pub struct Attachment {
    /// The card's content type.
    #[serde(rename = "contentType")]
    pub content_type: String,
    /// The card.
    pub content: Card,
}

/// An Adaptive Card.
#[derive(Debug, Deserialize)]
pub struct Card {
    /// `AdaptiveCard`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The version.
    pub version: String,
    /// The elements.
    pub body: Vec<Element>,
}

/// A card element; only `TextBlock` texts are read.
#[derive(Debug, Deserialize)]
pub struct Element {
    /// The element type.
    #[serde(rename = "type")]
    pub kind: String,
    /// A `TextBlock`'s text.
    pub text: Option<String>,
}
