//! Eviction: a conversation that no user watches, that has no chat going with a system and that
//! has been quiet for the grace period (`--evict-after`) leaves memory; with a store it stays
//! on disk. A client that asks for it afterwards is told it was evicted, not that it never was.

use super::Hub;
use crate::protocol::{ConversationId, ErrorCode, HandoffState};
use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

/// How many evicted ids the hub remembers, to answer a resume clearly (about 50 bytes each);
/// beyond this the oldest are forgotten and a resume of them reads as an unknown conversation.
pub(super) const REMEMBERED_EVICTIONS: usize = 10_000;

/// The ids of recently evicted conversations, oldest first, at most [`REMEMBERED_EVICTIONS`].
#[derive(Default)]
pub(super) struct Evicted {
    order: VecDeque<ConversationId>,
    ids: HashSet<ConversationId>,
}

impl Evicted {
    fn remember(&mut self, id: ConversationId) {
        if self.order.len() == REMEMBERED_EVICTIONS
            && let Some(oldest) = self.order.pop_front()
        {
            self.ids.remove(&oldest);
        }
        self.ids.insert(id.clone());
        self.order.push_back(id);
    }

    pub(super) fn contains(&self, id: &ConversationId) -> bool {
        self.ids.contains(id)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.order.len()
    }
}

/// How often the hub looks for conversations to evict, for a grace period of `grace`.
pub(super) fn sweep_period(grace: Duration) -> Duration {
    (grace / 4).clamp(Duration::from_millis(100), Duration::from_secs(30))
}

impl Hub {
    /// Evicts every conversation that is idle, unwatched and without a live chat since
    /// `grace` before `now`.
    pub(super) fn sweep(&mut self, now: Instant) {
        let grace = self.settings.evict_after;
        let idle: Vec<ConversationId> = self
            .conversations
            .iter()
            .filter(|(id, e)| {
                !self.index.watched(id)
                    && e.chat.is_none()
                    && !in_handoff(e.machine.state())
                    && now.saturating_duration_since(e.last_activity) >= grace
                    && e.visible == e.log.last().map_or(0, |l| l.seq)
            })
            .map(|(id, _)| id.clone())
            .collect();
        if idle.is_empty() {
            return;
        }
        for id in &idle {
            self.conversations.remove(id);
            self.user_chats.forget(id);
            tracing::debug!(conversation = %id, "conversation evicted from memory");
        }
        let gone: HashSet<&ConversationId> = idle.iter().collect();
        self.opened.retain(|id| !gone.contains(id));
        tracing::info!(
            evicted = idle.len(),
            in_memory = self.conversations.len(),
            "idle conversations evicted"
        );
        for id in idle {
            self.evicted.remember(id);
        }
    }

    /// The refusal for a conversation the hub does not hold.
    pub(super) fn unknown_conversation(&self, conv: &ConversationId) -> (ErrorCode, String) {
        if self.evicted.contains(conv) {
            let kept = if self.store.is_some() {
                "its transcript is kept in the store (`handoff transcript`)"
            } else {
                "without a store its transcript is gone"
            };
            return (
                ErrorCode::NotFound,
                format!(
                    "conversation {conv} was evicted from memory after {} s without activity; {kept}; omit `conversation` to open a new one",
                    self.settings.evict_after.as_secs()
                ),
            );
        }
        (
            ErrorCode::NotFound,
            format!("unknown conversation {conv}; omit `conversation` to open a new one"),
        )
    }
}

/// A handoff is under way with the system: the conversation stays until it ends.
fn in_handoff(state: &HandoffState) -> bool {
    matches!(
        state,
        HandoffState::Connecting
            | HandoffState::Queued { .. }
            | HandoffState::Ringing { .. }
            | HandoffState::Connected { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_evicted_ids_remembered_stop_at_their_bound_forgetting_the_oldest() {
        let mut evicted = Evicted::default();
        for i in 0..=REMEMBERED_EVICTIONS {
            evicted.remember(ConversationId::from(format!("c-{i}").as_str()));
        }
        assert_eq!(evicted.len(), REMEMBERED_EVICTIONS);
        assert!(!evicted.contains(&"c-0".into()), "the oldest is forgotten");
        assert!(evicted.contains(&"c-1".into()));
        let last = format!("c-{REMEMBERED_EVICTIONS}");
        assert!(evicted.contains(&last.as_str().into()));
    }

    #[test]
    fn the_sweep_runs_often_enough_for_short_and_long_grace_periods() {
        assert_eq!(sweep_period(Duration::ZERO), Duration::from_millis(100));
        assert_eq!(sweep_period(Duration::from_secs(4)), Duration::from_secs(1));
        assert_eq!(
            sweep_period(Duration::from_secs(3600)),
            Duration::from_secs(30)
        );
    }
}
