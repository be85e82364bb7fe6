//! A conversation the broker lost (it restarted without a store): what the user was shown
//! stays in the pane, its buttons expired, above a line that says so, and the new
//! conversation goes on below. Nothing the user was shown is forgotten.

use super::app::App;
use crate::protocol::{ButtonState, ChatMessage, MessageId, Part, Role};

/// What the line between the two conversations says.
pub const LINE: &str =
    "The broker restarted without a store and lost the conversation above: a new one starts here.";

/// The user pane's messages, to keep: each under an id of its own (`lost-AT/ID`, so the new
/// conversation's ids, which start again, cannot replace them), every button expired, then
/// the line. Nothing when the pane was empty.
pub(super) fn kept(app: &App) -> Vec<ChatMessage> {
    let tag = format!("lost-{}", app.now);
    let mut kept: Vec<ChatMessage> = app
        .chat
        .transcript
        .messages()
        .iter()
        .map(|m| {
            let mut m = m.clone();
            m.id = MessageId::from(format!("{tag}/{}", m.id));
            for part in &mut m.parts {
                if let Part::Buttons { buttons } = part {
                    for button in buttons {
                        button.state = ButtonState::Expired;
                    }
                }
            }
            m
        })
        .collect();
    if !kept.is_empty() {
        kept.push(ChatMessage {
            id: MessageId::from(format!("{tag}/line")),
            role: Role::System,
            agent: None,
            parts: vec![Part::RichText {
                rich_text: LINE.to_owned(),
            }],
            at: app.now,
            request: None,
            translation: None,
        });
    }
    kept
}
