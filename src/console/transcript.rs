//! An ordered store of chat messages where a message with a known id replaces the old one in
//! place (reasoning steps finishing, buttons getting pressed), as the protocol says.

use crate::protocol::{ChatMessage, MessageId};
use std::collections::HashMap;

/// Messages in the order they first arrived, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    messages: Vec<ChatMessage>,
    index: HashMap<MessageId, usize>,
}

/// What [`Transcript::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// A new message was appended.
    Added,
    /// A message with the same id was replaced.
    Replaced,
}

impl Transcript {
    /// Adds a message, or replaces the message with its id.
    pub fn upsert(&mut self, message: ChatMessage) -> Upsert {
        if let Some(&i) = self.index.get(&message.id) {
            self.messages[i] = message;
            Upsert::Replaced
        } else {
            self.index.insert(message.id.clone(), self.messages.len());
            self.messages.push(message);
            Upsert::Added
        }
    }

    /// The messages, oldest first.
    pub fn messages(&self) -> &[ChatMessage] {
        &self.messages
    }

    /// The number of messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether there are no messages.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The message with this id.
    pub fn get(&self, id: &MessageId) -> Option<&ChatMessage> {
        self.index.get(id).map(|&i| &self.messages[i])
    }

    /// The latest message that has buttons, with its position.
    pub fn latest_with_buttons(&self) -> Option<(usize, &ChatMessage)> {
        self.messages
            .iter()
            .enumerate()
            .rev()
            .find(|(_, m)| m.buttons().next().is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Part, Role};

    fn msg(id: &str, text: &str) -> ChatMessage {
        ChatMessage {
            id: id.into(),
            role: Role::Assistant,
            agent: None,
            parts: vec![Part::text(text)],
            at: 0,
            request: None,
            translation: None,
        }
    }

    #[test]
    fn same_id_replaces_in_place() {
        let mut t = Transcript::default();
        assert_eq!(t.upsert(msg("m1", "a")), Upsert::Added);
        assert_eq!(t.upsert(msg("m2", "b")), Upsert::Added);
        assert_eq!(t.upsert(msg("m1", "c")), Upsert::Replaced);
        assert_eq!(t.len(), 2);
        assert_eq!(t.messages()[0].parts, vec![Part::text("c")]);
        assert_eq!(
            t.get(&"m2".into()).map(|m| m.parts.clone()),
            Some(vec![Part::text("b")])
        );
    }
}
