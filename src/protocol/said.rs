//! Protocol 2's answer to a `say`: the `ack` is the echo. Under protocol 1 the sender of a
//! `say` gets its own message back as a `message` event and then an `ack`, two frames whose
//! first carries the whole text it just sent. Under protocol 2 it gets one `ack` whose [`Said`]
//! says where the message went in the conversation's log; the client already has the text and
//! rebuilds the event with [`Said::event`], exactly the event a protocol 1 client receives.

use super::{
    Audience, ChatMessage, ClientMsg, ConversationEvent, ConversationId, MessageId, Millis, Part,
    RequestId, Role, ServerMsg,
};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

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

/// A protocol 2 client's side of the echo: the texts of its `say`s not yet answered, so that
/// the `ack` that is a `say`'s echo is taken in as the message event it stands for. Holds at
/// most [`Echoes::MAX`] texts: past that the oldest is forgotten, and its ack is then taken in
/// as a plain ack (the message comes back as an event on the next replay, `hello.since` not
/// having counted it).
#[derive(Debug, Default)]
pub struct Echoes {
    unanswered: VecDeque<(RequestId, String)>,
}

impl Echoes {
    /// The most `say`s waiting for their answer that are remembered.
    pub const MAX: usize = 256;

    /// Remembers the text of `msg` when it is a `say`.
    pub fn sent(&mut self, msg: &ClientMsg) {
        if let ClientMsg::Say { id, text, .. } = msg {
            if self.unanswered.len() == Self::MAX {
                self.unanswered.pop_front();
            }
            self.unanswered.push_back((id.clone(), text.clone()));
        }
    }

    /// What the client takes in for `msg`: the message event an echo `ack` stands for, then
    /// the ack itself; any other message alone.
    pub fn received(&mut self, msg: ServerMsg) -> (ServerMsg, Option<ServerMsg>) {
        let (id, said) = match &msg {
            ServerMsg::Ack { id, said } => (id, said.as_ref()),
            ServerMsg::Error { id: Some(id), .. } => (id, None),
            _ => return (msg, None),
        };
        let Some(i) = self.unanswered.iter().position(|(sent, _)| sent == id) else {
            return (msg, None);
        };
        let text = self.unanswered.remove(i).map(|(_, text)| text);
        match (said, text) {
            (Some(said), Some(text)) => (said.event(id, &text), Some(msg)),
            _ => (msg, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(id: &str, text: &str) -> ClientMsg {
        ClientMsg::Say {
            id: id.into(),
            conversation: "c-1".into(),
            text: text.into(),
        }
    }

    fn echo_ack(id: &str, seq: u64) -> ServerMsg {
        ServerMsg::Ack {
            id: id.into(),
            said: Some(Said {
                conversation: "c-1".into(),
                seq,
                at: 5,
                audience: Audience::User,
                message: MessageId(format!("m-{seq}")),
                message_at: 5,
            }),
        }
    }

    #[test]
    fn an_echo_ack_is_taken_in_as_its_event_then_itself_once() {
        let mut echoes = Echoes::default();
        echoes.sent(&say("r1", "é\r\nsecond 👩‍💻"));
        let (first, then) = echoes.received(echo_ack("r1", 3));
        let ServerMsg::Event {
            seq,
            event: ConversationEvent::Message { message },
            ..
        } = first
        else {
            panic!("the event first: {first:?}");
        };
        assert_eq!(seq, 3);
        assert_eq!(
            message.parts,
            [Part::text(crate::text::paragraph("é\r\nsecond 👩‍💻"))]
        );
        assert_eq!(then, Some(echo_ack("r1", 3)));
        // The text is spent: the same ack again is only an ack.
        assert_eq!(
            echoes.received(echo_ack("r1", 3)),
            (echo_ack("r1", 3), None)
        );
    }

    #[test]
    fn an_error_forgets_the_text_and_other_messages_pass_through() {
        let mut echoes = Echoes::default();
        echoes.sent(&say("r1", "hi"));
        let refused = ServerMsg::Error {
            id: Some("r1".into()),
            code: super::super::ErrorCode::BadField,
            message: "no".into(),
        };
        assert_eq!(echoes.received(refused.clone()), (refused, None));
        assert!(echoes.unanswered.is_empty());
        assert_eq!(
            echoes.received(ServerMsg::ack("r2".into())),
            (ServerMsg::ack("r2".into()), None)
        );
    }

    #[test]
    fn past_the_bound_the_oldest_text_is_forgotten_and_its_ack_stays_an_ack() {
        let mut echoes = Echoes::default();
        for i in 0..=Echoes::MAX {
            echoes.sent(&say(&format!("r{i}"), "x"));
        }
        assert_eq!(echoes.unanswered.len(), Echoes::MAX);
        assert_eq!(
            echoes.received(echo_ack("r0", 1)),
            (echo_ack("r0", 1), None)
        );
        assert!(matches!(
            echoes.received(echo_ack("r1", 2)).0,
            ServerMsg::Event { seq: 2, .. }
        ));
    }
}
