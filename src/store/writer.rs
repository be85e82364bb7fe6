//! The store's writer: a thread of its own that owns the SQLite connection and commits what the
//! hub hands it in groups (one transaction, one sync, per group), then says how far it got, so
//! the hub shows clients only events that are already on disk, without ever waiting on the disk.

use super::Store;
use crate::protocol::{Audience, ConversationEvent, ConversationId, Millis, UserInfo};
use tokio::sync::mpsc;

/// How many queued operations go into one transaction at most.
const BATCH: usize = 512;

/// One write.
#[derive(Debug)]
pub(crate) enum Op {
    Open {
        id: ConversationId,
        user: UserInfo,
        at: Millis,
    },
    Event {
        conversation: ConversationId,
        seq: u64,
        at: Millis,
        audience: Audience,
        event: ConversationEvent,
    },
}

/// Numbers the writes in the order they were handed over, from 1: a write's ticket is durable
/// once a [`Commit::Durable`] with that number or a higher one arrives.
pub type Ticket = u64;

/// What the writer thread reports after each group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commit {
    /// Every write up to this ticket is committed.
    Durable(Ticket),
    /// A group could not be committed; nothing after the last `Durable` is on disk, and the
    /// thread has stopped.
    Failed(String),
}

/// The hub's front of the writer thread. Dropping it flushes what is queued and ends the thread;
/// [`StoreWriter::close`] waits for that.
pub struct StoreWriter {
    tx: mpsc::UnboundedSender<Op>,
    issued: Ticket,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StoreWriter {
    /// Starts the writer thread on an open store; the receiver reports each committed group.
    ///
    /// Both queues are unbounded on purpose: the only producer is the hub (our own code, one
    /// write per state change), a bounded queue would make it wait on the disk or drop events,
    /// and what is queued is bounded by what the hub holds in memory anyway (it keeps every
    /// event of a live conversation). Reports are one per group, drained first by the hub.
    pub fn spawn(store: Store) -> (Self, mpsc::UnboundedReceiver<Commit>) {
        let (tx, rx) = mpsc::unbounded_channel::<Op>();
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        let done = done_tx.clone();
        let thread = std::thread::Builder::new()
            .name("handoff-store".into())
            .spawn(move || write_groups(store, rx, &done))
            .map_err(|e| {
                // No thread, no durability: the hub stops rather than show events.
                let _ = done_tx.send(Commit::Failed(format!(
                    "cannot start the store's writer thread: {e}"
                )));
            })
            .ok();
        let writer = Self {
            tx,
            issued: 0,
            thread,
        };
        (writer, done_rx)
    }

    fn push(&mut self, op: Op) -> Ticket {
        self.issued += 1;
        let _ = self.tx.send(op);
        self.issued
    }

    /// Records a new conversation.
    pub fn open(&mut self, id: &ConversationId, user: &UserInfo, at: Millis) -> Ticket {
        self.push(Op::Open {
            id: id.clone(),
            user: user.clone(),
            at,
        })
    }

    /// Records one event of a conversation's log.
    pub fn event(
        &mut self,
        conversation: &ConversationId,
        seq: u64,
        at: Millis,
        audience: Audience,
        event: ConversationEvent,
    ) -> Ticket {
        self.push(Op::Event {
            conversation: conversation.clone(),
            seq,
            at,
            audience,
            event,
        })
    }

    /// Flushes what is queued and waits for the thread to end.
    pub fn close(mut self) {
        let thread = self.thread.take();
        drop(self);
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// The thread: wait for one write, take what else is queued (group commit), commit, report.
fn write_groups(
    mut store: Store,
    mut rx: mpsc::UnboundedReceiver<Op>,
    done: &mpsc::UnboundedSender<Commit>,
) {
    let mut committed: Ticket = 0;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(op) = rx.blocking_recv() {
        batch.push(op);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        if let Err(e) = store.write(&batch) {
            tracing::error!(error = %e, writes = batch.len(), "could not write to the transcript store");
            let _ = done.send(Commit::Failed(e.to_string()));
            return;
        }
        committed += batch.len() as u64;
        batch.clear();
        let _ = done.send(Commit::Durable(committed));
    }
}
