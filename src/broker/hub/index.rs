//! Which sessions an event reaches, found without scanning every session: user sessions by
//! their conversation, and the desk side (agents and observers), who may see any conversation.
//!
//! Bounds: one entry per session at most (a user session is in one conversation's list, a
//! desk-side session in `desk`), so the index holds no more than the hub's sessions, which the
//! broker's connection limit bounds. An emptied conversation list is removed.

use super::{Map, SessionId};
use crate::protocol::{Audience, ClientRole, ConversationId};

/// The hub's sessions by the events they may receive.
#[derive(Debug, Default)]
pub(super) struct SessionIndex {
    /// User sessions by the conversation they joined (a resumed conversation may have several).
    users: Map<ConversationId, Vec<SessionId>>,
    /// Agent and observer sessions, with their role.
    desk: Vec<(SessionId, ClientRole)>,
}

/// Where a session sits in the index.
#[derive(Debug, Clone, Copy)]
pub(super) enum Seat<'a> {
    /// A user session, in its conversation.
    User(&'a ConversationId),
    /// An agent or observer session.
    Desk(ClientRole),
    /// A user session without a conversation (none is made so): it reaches nothing.
    Nowhere,
}

impl<'a> Seat<'a> {
    /// The seat of a session of `role`; a user session names its conversation.
    pub(super) fn of(role: ClientRole, conversation: Option<&'a ConversationId>) -> Self {
        match (role, conversation) {
            (ClientRole::User, Some(conv)) => Self::User(conv),
            (ClientRole::User, None) => Self::Nowhere,
            (role, _) => Self::Desk(role),
        }
    }
}

impl SessionIndex {
    /// Adds a session.
    pub(super) fn add(&mut self, id: SessionId, seat: Seat<'_>) {
        match seat {
            Seat::User(conv) => self.users.entry(conv.clone()).or_default().push(id),
            Seat::Desk(role) => self.desk.push((id, role)),
            Seat::Nowhere => {}
        }
    }

    /// Removes a session added at the same seat.
    pub(super) fn remove(&mut self, id: SessionId, seat: Seat<'_>) {
        match seat {
            Seat::User(conv) => {
                if let Some(list) = self.users.get_mut(conv) {
                    list.retain(|s| *s != id);
                    if list.is_empty() {
                        self.users.remove(conv);
                    }
                }
            }
            Seat::Desk(_) => self.desk.retain(|(s, _)| *s != id),
            Seat::Nowhere => {}
        }
    }

    /// The sessions an event of `conv` for `audience` reaches: its users' and the desk side's
    /// whose role the audience reaches.
    pub(super) fn recipients(&self, conv: &ConversationId, audience: Audience) -> Vec<SessionId> {
        let users = if audience.reaches(ClientRole::User) {
            self.users.get(conv).map_or(&[][..], Vec::as_slice)
        } else {
            &[]
        };
        let desk = self
            .desk
            .iter()
            .filter(|(_, role)| audience.reaches(*role))
            .map(|(id, _)| *id);
        users.iter().copied().chain(desk).collect()
    }

    /// Whether any user session is in `conv`.
    pub(super) fn watched(&self, conv: &ConversationId) -> bool {
        self.users.contains_key(conv)
    }

    /// How many entries the index holds (one per indexed session).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.users.values().map(Vec::len).sum::<usize>() + self.desk.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    /// What a full scan of every session finds: the rule the index must agree with.
    fn scan(
        sessions: &HashMap<SessionId, (ClientRole, Option<ConversationId>)>,
        conv: &ConversationId,
        audience: Audience,
    ) -> BTreeSet<SessionId> {
        sessions
            .iter()
            .filter(|(_, (role, own))| {
                audience.reaches(*role) && (*role != ClientRole::User || own.as_ref() == Some(conv))
            })
            .map(|(id, _)| *id)
            .collect()
    }

    #[test]
    fn random_joins_leaves_and_events_reach_exactly_whom_a_full_scan_would() {
        let convs: Vec<ConversationId> = (0..5).map(|i| format!("c-{i}").into()).collect();
        let roles = [ClientRole::User, ClientRole::Agent, ClientRole::Observer];
        let audiences = [Audience::User, Audience::Agent, Audience::Both];
        for seed in 0..200 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let mut index = SessionIndex::default();
            let mut sessions = HashMap::new();
            for next in 0..rng.u64(1..150) {
                match rng.u8(0..3) {
                    0 => {
                        let role = roles[rng.usize(..roles.len())];
                        let conv = (role == ClientRole::User)
                            .then(|| convs[rng.usize(..convs.len())].clone());
                        index.add(next, Seat::of(role, conv.as_ref()));
                        sessions.insert(next, (role, conv));
                    }
                    1 if !sessions.is_empty() => {
                        let ids: Vec<SessionId> = sessions.keys().copied().collect();
                        let id = ids[rng.usize(..ids.len())];
                        let (role, conv) = sessions.remove(&id).expect("picked from the map");
                        index.remove(id, Seat::of(role, conv.as_ref()));
                    }
                    _ => {
                        let conv = &convs[rng.usize(..convs.len())];
                        let audience = audiences[rng.usize(..audiences.len())];
                        let got: Vec<SessionId> = index.recipients(conv, audience);
                        let unique: BTreeSet<SessionId> = got.iter().copied().collect();
                        assert_eq!(unique.len(), got.len(), "seed {seed}: each once");
                        assert_eq!(unique, scan(&sessions, conv, audience), "seed {seed}");
                    }
                }
                assert_eq!(index.len(), sessions.len(), "seed {seed}: one entry each");
            }
            for (id, (role, conv)) in sessions.drain() {
                index.remove(id, Seat::of(role, conv.as_ref()));
            }
            assert!(
                index.users.is_empty() && index.desk.is_empty(),
                "seed {seed}"
            );
        }
    }
}
