//! Durable before visible: with a store, an event (and the ack of the request that made it)
//! waits in the hub until the store's writer reports its group committed; only then is it fanned
//! out. Without a store, events go out at once.

use super::{Hub, SessionId};
use crate::protocol::{ConversationId, ServerMsg, UserInfo, now_millis};
use crate::store::{Commit, StoreWriter, Ticket};
use std::collections::VecDeque;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What waits for a commit.
pub(super) enum Deferred {
    /// An event of a conversation's log, by `seq`.
    Event(ConversationId, u64),
    /// A message to one session (an ack) that must not overtake the events before it.
    Send(SessionId, Box<ServerMsg>),
}

/// The store's writer and what waits on it.
pub(super) struct Durability {
    writer: StoreWriter,
    commits: mpsc::UnboundedReceiver<Commit>,
    /// Every write up to this ticket is on disk.
    durable: Ticket,
    /// The last ticket issued.
    issued: Ticket,
    /// Waiting for their ticket, in the order they were made. Bounded by the writes in flight:
    /// one entry per event or ack not yet committed (a group commit takes milliseconds).
    pending: VecDeque<(Ticket, Deferred)>,
}

impl Durability {
    pub(super) fn new(writer: StoreWriter, commits: mpsc::UnboundedReceiver<Commit>) -> Self {
        Self {
            writer,
            commits,
            durable: 0,
            issued: 0,
            pending: VecDeque::new(),
        }
    }

    /// Flushes what is queued and waits for the writer thread to end.
    pub(super) fn close(self) {
        self.writer.close();
    }
}

/// The next report of the store's writer; never, without a store (or once it has stopped).
pub(super) async fn next_commit(store: &mut Option<Durability>) -> Commit {
    match store {
        Some(d) => match d.commits.recv().await {
            Some(commit) => commit,
            None => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

impl Hub {
    /// Records a new conversation in the store, if there is one.
    pub(super) fn store_open(&mut self, id: &ConversationId, user: &UserInfo) {
        if let Some(d) = &mut self.store {
            d.issued = d.writer.open(id, user, now_millis());
        }
    }

    /// Makes the event `seq` of `conv` visible now, or once the store has it.
    pub(super) fn publish(&mut self, conv: &ConversationId, seq: u64) {
        let Some(d) = &mut self.store else {
            self.fan_out(conv, seq);
            return;
        };
        let Some(logged) = self
            .conversations
            .get(conv)
            .and_then(|e| e.log.last())
            .filter(|l| l.seq == seq)
        else {
            return;
        };
        d.issued = d
            .writer
            .event(conv, seq, logged.at, logged.audience, logged.event.clone());
        d.pending
            .push_back((d.issued, Deferred::Event(conv.clone(), seq)));
    }

    /// Sends `msg` to `session` after every event made before it is visible.
    pub(super) fn send_durable(&mut self, session: SessionId, msg: ServerMsg) {
        match &mut self.store {
            Some(d) if d.issued > d.durable => {
                d.pending
                    .push_back((d.issued, Deferred::Send(session, Box::new(msg))));
            }
            _ => self.send(session, &msg),
        }
    }

    /// The writer's report: fan out what is now on disk; a failed store stops the broker rather
    /// than show clients events a restart would not have.
    pub(super) fn committed(&mut self, commit: Commit, shutdown: &CancellationToken) {
        let ready: Vec<Deferred> = match (&mut self.store, commit) {
            (Some(d), Commit::Durable(ticket)) => {
                d.durable = d.durable.max(ticket);
                let n = d.pending.partition_point(|(t, _)| *t <= ticket);
                d.pending.drain(..n).map(|(_, what)| what).collect()
            }
            (_, Commit::Failed(error)) => {
                tracing::error!(%error, "the transcript store failed; stopping the broker so no client sees an event that is not stored");
                shutdown.cancel();
                return;
            }
            (None, Commit::Durable(_)) => return,
        };
        for what in ready {
            match what {
                Deferred::Event(conv, seq) => self.fan_out(&conv, seq),
                Deferred::Send(session, msg) => self.send(session, &msg),
            }
        }
    }
}
