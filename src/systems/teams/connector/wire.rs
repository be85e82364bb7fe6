//! Teams' wire shape, from Microsoft's documentation (`PROTOCOL.md`): a `message` with one
//! Adaptive Card attachment.

use super::super::inferred;
use serde_json::{Value, json};

/// The message carrying a card of `text`; with `accept`, an `Action.Submit` "Accept" whose
/// `data` names the conversation.
pub fn message(text: &str, accept: Option<&str>) -> Value {
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": inferred::CARD_VERSION,
        "body": [{"type": "TextBlock", "text": text, "wrap": true}],
    });
    if let Some(conversation) = accept {
        card["actions"] = json!([{
            "type": "Action.Submit",
            "title": "Accept",
            "data": { inferred::ACCEPT_KEY: conversation },
        }]);
    }
    json!({
        "type": "message",
        "attachments": [{"contentType": inferred::CARD_TYPE, "contentUrl": null, "content": card}],
    })
}
