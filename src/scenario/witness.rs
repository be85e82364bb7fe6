//! The runner's witness: on a broker the runner started, an observer that also asks for the
//! connector's calls, so a failed scenario's report can draw what happened
//! ([`crate::pictures`]): the conversation as the actors saw it, each call to the system as a
//! note over the system, in the order the broker sent them. On a running broker (`--connect`)
//! there is no witness; the actors' own logs, merged by `seq`, draw it without the calls.

use super::USER;
use super::actor::{Actor, Dial};
use crate::pictures::{Seen, Sequence};
use crate::protocol::{ConversationId, ServerMsg};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// The witness, when `watch` (a broker of the run's own) and it could join.
pub(super) async fn join(dial: &Dial, watch: bool, timeout: Duration) -> Option<Actor> {
    if !watch {
        return None;
    }
    match Actor::witness(dial, Instant::now() + timeout).await {
        Ok(witness) => Some(witness),
        Err(e) => {
            tracing::warn!(error = %e, "no witness: a failure's picture will lack the calls");
            None
        }
    }
}

/// Reads what reached the witness so far, so its socket never backs up; a witness whose log
/// is full ([`super::actor::MAX_LOG`]) keeps what it has.
pub(super) async fn follow(witness: Option<&mut Actor>) {
    if let Some(w) = witness {
        let _ = w.catch_up().await;
    }
}

/// The picture of `conversation`: the witness's log when there is one, else the events of the
/// actors' `logs`, each once, in `seq` order.
pub(super) fn picture<'a>(
    witness: Option<&'a Actor>,
    logs: impl IntoIterator<Item = &'a [ServerMsg]>,
    conversation: &ConversationId,
) -> Sequence {
    if let Some(w) = witness {
        return Sequence::of_log(USER, w.log.iter().filter_map(|m| seen(m, conversation)));
    }
    let mut by_seq = BTreeMap::new();
    for msg in logs.into_iter().flatten() {
        if let ServerMsg::Event { seq, .. } = msg
            && let Some(event) = seen(msg, conversation)
        {
            by_seq.entry(*seq).or_insert(event);
        }
    }
    Sequence::of_log(USER, by_seq.into_values())
}

/// What `msg` adds to the picture of `conversation`.
fn seen<'a>(msg: &'a ServerMsg, conversation: &ConversationId) -> Option<Seen<'a>> {
    match msg {
        ServerMsg::Event {
            conversation: c,
            audience,
            event,
            ..
        } if c == conversation => Some(Seen::Event(*audience, event)),
        ServerMsg::Trace { call } => Some(Seen::Call(call)),
        _ => None,
    }
}
