//! Bringing the conversations of a store back when the broker starts on it. A live chat the
//! system kept across an in-process restart ([`crate::broker::lasting`]) is taken back and
//! carries on; any other is ended, as `handoff::restore` tells the user.

use super::{Entry, Hub, Logged, durable};
use crate::connectors::{ChatCommand, ChatLink};
use crate::protocol::{Audience, ConversationEvent, ConversationId};
use crate::store::{Commit, StoreWriter, StoredConversation};
use tokio::sync::mpsc;

impl Hub {
    /// Writes every conversation to `store` from now on, after bringing back the ones it holds.
    pub(in crate::broker) fn restore(
        &mut self,
        conversations: Vec<StoredConversation>,
        store: StoreWriter,
        commits: mpsc::UnboundedReceiver<Commit>,
    ) {
        let mut restarted = Vec::new();
        for stored in conversations {
            let id = stored.id.clone();
            let effects = self.restore_one(stored);
            restarted.push((id, effects));
        }
        self.store = Some(durable::Durability::new(store, commits));
        // The restart's own events are stored like any other.
        for (id, effects) in restarted {
            self.apply(&id, effects);
        }
        tracing::info!(
            conversations = self.conversations.len(),
            "transcript store loaded"
        );
    }

    /// One stored conversation back in memory, with its live chat when the system kept it;
    /// returns what the restart changed, to apply once the store takes writes.
    fn restore_one(&mut self, stored: StoredConversation) -> Vec<super::Effect> {
        let log: Vec<(Audience, ConversationEvent)> = stored
            .events
            .iter()
            .map(|e| (e.audience, e.event.clone()))
            .collect();
        let user_id = stored.user.id.clone();
        let chat = self.connector.resume(&stored.id);
        let (machine, effects) = super::Conversation::restore(
            stored.id.clone(),
            stored.user,
            self.settings.handoff.clone(),
            &log,
            self.settings.clock.now_millis(),
            chat.is_some(),
        );
        let platform = machine.scope().platform;
        let live = machine.is_connected();
        self.user_chats
            .insert(&user_id, platform, stored.id.clone());
        let log = stored
            .events
            .into_iter()
            .map(|e| Logged {
                seq: e.seq,
                at: e.at,
                audience: e.audience,
                event: e.event,
                echo_to: None,
            })
            .collect();
        self.conversations
            .insert(stored.id.clone(), Entry::new(machine, log));
        self.opened.push(stored.id.clone());
        match chat {
            Some(link) if live => {
                self.relay_chat(&stored.id, link);
                self.desk_view_resumed(&stored.id);
            }
            Some(link) => leave(&stored.id, &link),
            None => {}
        }
        effects
    }
}

/// A chat the system kept for a conversation that is not live any more: the system is told
/// the user left.
fn leave(conversation: &ConversationId, link: &ChatLink) {
    if link.commands.try_send(ChatCommand::End).is_err() {
        tracing::debug!(%conversation, "a kept chat could not be left");
    }
}
