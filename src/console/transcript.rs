//! An ordered store of chat messages where a message with a known id replaces the old one in
//! place (reasoning steps finishing, buttons getting pressed), as the protocol says. What the
//! console asks of it on every event (a message by id, the latest message with buttons) is kept
//! as state updated on intake, so taking in a message costs the same at 100 messages as at
//! 100,000.

use crate::protocol::{ChatMessage, MessageId};
use std::collections::{BTreeSet, HashMap};

/// Messages in the order they first arrived, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    messages: Vec<ChatMessage>,
    index: HashMap<MessageId, usize>,
    /// Positions of the messages that have buttons. Bounded by the number of messages (one
    /// entry at most per message); its last entry is the latest message with buttons.
    with_buttons: BTreeSet<usize>,
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
        let (at, done) = match self.index.get(&message.id) {
            Some(&i) => (i, Upsert::Replaced),
            None => (self.messages.len(), Upsert::Added),
        };
        // A replacement may add buttons or take them away (a pressed offer is re-sent).
        if message.buttons().next().is_some() {
            self.with_buttons.insert(at);
        } else {
            self.with_buttons.remove(&at);
        }
        match self.messages.get_mut(at) {
            Some(old) => *old = message,
            None => {
                self.index.insert(message.id.clone(), at);
                self.messages.push(message);
            }
        }
        done
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
        let &i = self.with_buttons.last()?;
        self.messages.get(i).map(|m| (i, m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Button, ButtonAction, ButtonState, ButtonStyle, Part, Role};
    use proptest::prelude::*;

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

    /// A message `id` with text and, when `choices` is not empty, buttons of those choices.
    fn with_buttons(id: &str, text: &str, choices: &[String]) -> ChatMessage {
        let mut m = msg(id, text);
        if !choices.is_empty() {
            let buttons = choices
                .iter()
                .map(|c| Button {
                    button_text: c.clone(),
                    style: ButtonStyle::Outlined,
                    action: ButtonAction::Choice(c.clone()),
                    state: ButtonState::Active,
                })
                .collect();
            m.parts.push(Part::Buttons { buttons });
        }
        m
    }

    #[test]
    fn a_replacement_without_buttons_hands_the_latest_back_to_an_older_message() {
        let mut t = Transcript::default();
        t.upsert(with_buttons("m1", "pick", &["a".into()]));
        t.upsert(with_buttons("m2", "pick again", &["b".into()]));
        t.upsert(msg("m3", "no buttons"));
        assert_eq!(t.latest_with_buttons().map(|(i, _)| i), Some(1));
        t.upsert(msg("m2", "buttons gone"));
        assert_eq!(t.latest_with_buttons().map(|(i, _)| i), Some(0));
        t.upsert(msg("m1", "buttons gone too"));
        assert_eq!(t.latest_with_buttons().map(|(i, _)| i), None);
    }

    proptest! {
        /// After any sequence of messages, new or replacing (ids from a small set, so many
        /// replace), with or without buttons, in arbitrary Unicode: the kept index answers as a
        /// scan of the whole transcript does.
        #[test]
        fn the_index_equals_a_full_scan(
            events in proptest::collection::vec(
                (0u8..12, any::<String>(), proptest::collection::vec(any::<String>(), 0..3)),
                0..60,
            )
        ) {
            let mut t = Transcript::default();
            for (id, text, choices) in &events {
                t.upsert(with_buttons(&format!("m{id}"), text, choices));
                let scanned = t
                    .messages()
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(_, m)| m.buttons().next().is_some())
                    .map(|(i, m)| (i, m.id.clone()));
                let kept = t.latest_with_buttons().map(|(i, m)| (i, m.id.clone()));
                prop_assert_eq!(kept, scanned);
                for (i, m) in t.messages().iter().enumerate() {
                    prop_assert_eq!(t.get(&m.id).map(|g| &g.id), Some(&m.id), "message {}", i);
                }
            }
        }
    }
}
