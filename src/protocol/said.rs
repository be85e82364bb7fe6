//! Protocol 2's answer to a `say`: the `ack` is the echo. Under protocol 1 the sender of a
//! `say` gets its own message back as a `message` event and then an `ack`, two frames whose
//! first carries the whole text it just sent. Under protocol 2 it gets one `ack` whose [`Said`]
//! says where the message went in the conversation's log; the client already has the text and
//! rebuilds the event with [`Said::event`], exactly the event a protocol 1 client receives.

use super::{
    Audience, ChatMessage, ConversationEvent, ConversationId, MessageId, Millis, Part, RequestId,
    Role, ServerMsg,
};
use serde::{Deserialize, Serialize};

/// Where a `say`'s message went: the envelope of its `message` event and the message's id and
/// time. Its text is the `say`'s, as one rich-text part (`text::paragraph`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    /// The conversation.
    pub conversation: ConversationId,
    /// The `seq` of the message event.
    pub seq: u64,
    /// The event's time.
    pub at: Millis,
    /// Who the event is for (`user`, or `both` during a live chat).
    pub audience: Audience,
    /// The message's id (later events with this id replace it: a translation, say).
    pub message: MessageId,
    /// The message's own time.
    pub message_at: Millis,
}

impl Said {
    /// The `message` event a protocol 1 client receives for the `say` `request` of `text`.
    pub fn event(&self, request: &RequestId, text: &str) -> ServerMsg {
        ServerMsg::Event {
            conversation: self.conversation.clone(),
            seq: self.seq,
            at: self.at,
            audience: self.audience,
            event: ConversationEvent::Message {
                message: ChatMessage {
                    id: self.message.clone(),
                    role: Role::User,
                    agent: None,
                    parts: vec![Part::text(crate::text::paragraph(text))],
                    at: self.message_at,
                    request: Some(request.clone()),
                    translation: None,
                },
            },
        }
    }

    /// Whether `message` is a user's message exactly as its `say` wrote it (one rich-text
    /// part, nothing added), which a [`Said`] can stand for.
    pub fn echoes(message: &ChatMessage) -> bool {
        message.role == Role::User
            && message.request.is_some()
            && message.agent.is_none()
            && message.translation.is_none()
            && matches!(message.parts.as_slice(), [Part::RichText { .. }])
    }

    /// The `said` of the `message` event `seq` of `conversation`, when it is a user's message
    /// exactly as its `say` wrote it (one rich-text part, nothing added).
    pub fn of(
        conversation: &ConversationId,
        seq: u64,
        at: Millis,
        audience: Audience,
        message: &ChatMessage,
    ) -> Option<Self> {
        Self::echoes(message).then(|| Self {
            conversation: conversation.clone(),
            seq,
            at,
            audience,
            message: message.id.clone(),
            message_at: message.at,
        })
    }
}
