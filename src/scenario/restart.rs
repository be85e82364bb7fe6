//! The `restart` fault: the scenario's broker stops and another starts on its store (same
//! port, token and system, live chats kept: [`Engine::restart`]); every actor reconnects with
//! `since` and the user's resume secret. A scenario with the step runs on a store of its own,
//! a file in the temporary folder removed when the scenario ends.

use super::actor::Actor;
use super::runner::Miss;
use crate::engine::Engine;
use crate::protocol::{ConversationEvent, ServerMsg};
use std::path::{Path, PathBuf};
use tokio::time::Instant;

/// A store file for one scenario's broker, removed (with SQLite's side files) when dropped.
pub(super) struct TempStore(PathBuf);

impl TempStore {
    /// A fresh path in the temporary folder; nothing is created until the broker opens it.
    pub(super) fn new() -> Result<Self, String> {
        let bytes = crate::random::random_bytes::<8>().map_err(|e| e.to_string())?;
        let name = u64::from_le_bytes(bytes);
        let file = std::env::temp_dir().join(format!("handoff-run-{name:016x}.sqlite"));
        Ok(Self(file))
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = self.0.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Restarts `engine` and reconnects `actors` to it, the user first (its hello names its
/// conversation and resume secret).
pub(super) async fn restart(
    engine: &mut Option<Engine>,
    mut actors: Vec<&mut Actor>,
    deadline: Instant,
) -> Result<(), Miss> {
    let running = engine.take().ok_or_else(|| {
        Miss::new(
            "a broker of the scenario's own to restart",
            "a running broker (--connect)",
        )
    })?;
    let restarted = running
        .restart()
        .await
        .map_err(|e| Miss::new("the broker to restart", format!("{e:#}")))?;
    let url = restarted.url();
    *engine = Some(restarted);
    actors.sort_by_key(|a| a.role != crate::protocol::ClientRole::User);
    for actor in actors {
        actor.redial(&url);
        actor
            .drop_and_rejoin(deadline)
            .await
            .map_err(|e| Miss::new("to reconnect after the restart", e))?;
        if actor.role == crate::protocol::ClientRole::User {
            kept_whole(actor, deadline).await?;
        }
    }
    Ok(())
}

/// The user's conversation as the restarted broker holds it has every event the user saw,
/// in the same order: asked for whole, its events up to the last seen are the user's own.
async fn kept_whole(user: &Actor, deadline: Instant) -> Result<(), Miss> {
    let whole = user
        .replay_whole(deadline)
        .await
        .map_err(|e| Miss::new("the conversation replayed whole after the restart", e))?;
    same_events(&user.log, &whole)
}

/// `kept` has every event of `seen`, in the same order (and may have more after them).
fn same_events(seen: &[ServerMsg], kept: &[ServerMsg]) -> Result<(), Miss> {
    let (seen, kept) = (outline(seen), outline(kept));
    match seen.iter().zip(&kept).find(|(s, k)| s != k) {
        None if kept.len() >= seen.len() => Ok(()),
        None => Err(Miss::new(
            format!("the {} events seen before the restart", seen.len()),
            format!("{} of them kept", kept.len()),
        )),
        Some((s, k)) => Err(Miss::new(
            format!("event {s} as before the restart"),
            format!("event {k}"),
        )),
    }
}

/// Each event of a log, by its `seq`, kind and message: what a restart must keep, in order
/// (the text may differ: the store masks personal data).
fn outline(log: &[ServerMsg]) -> Vec<String> {
    log.iter()
        .filter_map(|msg| match msg {
            ServerMsg::Event { seq, event, .. } => Some(match event {
                ConversationEvent::Message { message } => {
                    format!("{seq} ({} {})", event.kind(), message.id)
                }
                _ => format!("{seq} ({})", event.kind()),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Audience, HandoffState};

    fn state(seq: u64, state: HandoffState) -> ServerMsg {
        ServerMsg::Event {
            conversation: "c-1".into(),
            seq,
            at: 0,
            audience: Audience::User,
            event: ConversationEvent::State { state },
        }
    }

    #[test]
    fn a_replay_with_every_event_seen_in_order_passes_and_may_have_more() {
        let seen = [
            state(1, HandoffState::Assistant),
            state(2, HandoffState::Connecting),
        ];
        let mut kept = seen.to_vec();
        kept.push(state(3, HandoffState::Assistant));
        assert_eq!(same_events(&seen, &kept), Ok(()));
    }

    #[test]
    fn a_replay_missing_or_reordering_an_event_fails_naming_it() {
        let seen = [
            state(1, HandoffState::Assistant),
            state(2, HandoffState::Connecting),
        ];
        let lost = same_events(&seen, &seen[..1]).expect_err("one lost");
        assert_eq!(lost.seen, "1 of them kept");
        let swapped = [seen[1].clone(), seen[0].clone()];
        let moved = same_events(&seen, &swapped).expect_err("reordered");
        assert_eq!(moved.expected, "event 1 (state) as before the restart");
        assert_eq!(moved.seen, "event 2 (state)");
    }

    #[test]
    fn the_temporary_store_goes_with_its_side_files() {
        let store = TempStore::new().expect("a path");
        let wal = format!("{}-wal", store.path().display());
        std::fs::write(store.path(), b"db").expect("written");
        std::fs::write(&wal, b"wal").expect("written");
        let path = store.path().to_owned();
        drop(store);
        assert!(!path.exists());
        assert!(!Path::new(&wal).exists());
    }
}
