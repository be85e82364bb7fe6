//! An ordered store of chat messages where a message with a known id replaces the old one in
//! place (reasoning steps finishing, buttons getting pressed), as the protocol says. What the
//! console asks of it on every event (a message by id, the latest message with buttons) is kept
//! as state updated on intake, so taking in a message costs the same at 100 messages as at
//! 100,000.

use crate::protocol::{ChatMessage, MessageId};
use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};

/// Messages in the order they first arrived, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    messages: Vec<ChatMessage>,
    index: IdIndex,
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
        let (at, done) = match self.index.get(&message.id, &self.messages) {
            Some(i) => (i, Upsert::Replaced),
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
                self.index.insert(&message.id, at);
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
        let i = self.index.get(id, &self.messages)?;
        self.messages.get(i)
    }

    /// The latest message that has buttons, with its position.
    pub fn latest_with_buttons(&self) -> Option<(usize, &ChatMessage)> {
        let &i = self.with_buttons.last()?;
        self.messages.get(i).map(|m| (i, m))
    }
}

/// Positions of messages by a hash of their id, in one open-addressing table of 8-byte slots
/// (32 bits of the id's hash and the position), linear probing. Taking in a message is a lookup
/// that misses and the insert of the new id, which probe the same few neighbouring slots: one
/// place in the table, mostly one cache line, in a table half the size of a hash map's (which
/// keeps its control bytes and its buckets apart: two places, both cold in a long transcript).
/// The id itself is checked on the message when the hash bits match, so ids
/// whose hashes collide are still told apart. Bounds: one slot per message, in a table a power of
/// two long and at most three quarters full; positions up to `u32::MAX - 1` (a transcript of
/// more messages, hundreds of gigabytes, would have its later ones unindexed).
#[derive(Debug, Clone, Default)]
struct IdIndex<S = RandomState> {
    hasher: S,
    /// The low 32 bits of an id's hash and its message's position plus one; `(_, 0)` is empty.
    slots: Vec<(u32, u32)>,
    /// Slots taken.
    len: usize,
}

impl<S: BuildHasher> IdIndex<S> {
    /// The 32 bits of `id`'s hash the table keeps; the low ones pick its first slot.
    fn tag(&self, id: &MessageId) -> u32 {
        self.hasher.hash_one(id) as u32
    }

    /// The position of the message `id` in `messages`.
    fn get(&self, id: &MessageId, messages: &[ChatMessage]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let (tag, mask) = (self.tag(id), self.slots.len() - 1);
        let mut i = tag as usize & mask;
        loop {
            match self.slots[i] {
                (_, 0) => return None,
                (t, p) if t == tag && messages.get(p as usize - 1).is_some_and(|m| m.id == *id) => {
                    return Some(p as usize - 1);
                }
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Records a new message `id` (one [`IdIndex::get`] does not find) at position `at`.
    fn insert(&mut self, id: &MessageId, at: usize) {
        let Ok(position) = u32::try_from(at + 1) else {
            return;
        };
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let tag = self.tag(id);
        self.place(tag, position);
        self.len += 1;
    }

    /// Puts a slot's contents at the first empty slot from its tag's.
    fn place(&mut self, tag: u32, position: u32) {
        let mask = self.slots.len() - 1;
        let mut i = tag as usize & mask;
        while self.slots[i].1 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (tag, position);
    }

    /// Doubles the table (16 slots at first) and places every taken slot again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); size]);
        for (tag, position) in old.into_iter().filter(|s| s.1 != 0) {
            self.place(tag, position);
        }
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

    /// Every id hashes alike, so every id after the first is a collision.
    #[derive(Debug, Default, Clone)]
    struct Colliding;

    /// The hash of every input: 0.
    struct Zero;

    impl std::hash::Hasher for Zero {
        fn finish(&self) -> u64 {
            0
        }

        fn write(&mut self, _: &[u8]) {}
    }

    impl BuildHasher for Colliding {
        type Hasher = Zero;
        fn build_hasher(&self) -> Zero {
            Zero
        }
    }

    #[test]
    fn ids_whose_hashes_collide_are_still_told_apart() {
        let messages: Vec<ChatMessage> = (0..50).map(|i| msg(&format!("m{i}"), "text")).collect();
        let mut index = IdIndex::<Colliding>::default();
        for (i, m) in messages.iter().enumerate() {
            assert_eq!(index.get(&m.id, &messages[..i]), None, "{} is new", m.id);
            index.insert(&m.id, i);
        }
        for (i, m) in messages.iter().enumerate() {
            assert_eq!(index.get(&m.id, &messages), Some(i), "{}", m.id);
        }
        assert_eq!(index.get(&"m50".into(), &messages), None);
        assert_eq!(index.len, messages.len());
        assert!(
            index.len * 4 <= index.slots.len() * 3,
            "at most three quarters full"
        );
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
