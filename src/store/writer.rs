//! The store's writer: a thread of its own that owns the SQLite connection, so the hub hands
//! events over without ever waiting on the disk.

use super::{Store, StoreError};
use crate::protocol::{Audience, ConversationEvent, ConversationId, Millis, UserInfo};
use tokio::sync::mpsc;

/// How many queued operations go into one transaction at most.
const BATCH: usize = 512;

/// One write.
#[derive(Debug)]
pub(crate) enum Op {
    Open {
        id: ConversationId,
        user_json: String,
        at: Millis,
    },
    Event {
        conversation: ConversationId,
        seq: u64,
        at: Millis,
        audience: String,
        event_json: String,
    },
}

/// The hub's front of the writer thread. Dropping every clone flushes what is queued and ends
/// the thread; [`StoreWriter::close`] waits for that.
pub struct StoreWriter {
    tx: mpsc::UnboundedSender<Op>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StoreWriter {
    /// Starts the writer thread on an open store.
    pub fn spawn(mut store: Store) -> Self {
        // Unbounded on purpose: the only producer is the hub (our own code, one event per
        // state change), and a bounded queue would make it wait on the disk or drop events.
        let (tx, mut rx) = mpsc::unbounded_channel::<Op>();
        let thread = std::thread::Builder::new()
            .name("handoff-store".into())
            .spawn(move || {
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
                        report(&e, batch.len());
                    }
                    batch.clear();
                }
            })
            .ok();
        Self { tx, thread }
    }

    /// Records a new conversation.
    pub fn open(&self, id: &ConversationId, user: &UserInfo, at: Millis) {
        let user_json = serde_json::to_string(user).unwrap_or_default();
        let _ = self.tx.send(Op::Open {
            id: id.clone(),
            user_json,
            at,
        });
    }

    /// Records one event of a conversation's log.
    pub fn event(
        &self,
        conversation: &ConversationId,
        seq: u64,
        at: Millis,
        audience: Audience,
        event: &ConversationEvent,
    ) {
        let audience = serde_json::to_value(audience)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let Ok(event_json) = serde_json::to_string(event) else {
            return;
        };
        let _ = self.tx.send(Op::Event {
            conversation: conversation.clone(),
            seq,
            at,
            audience,
            event_json,
        });
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

fn report(e: &StoreError, lost: usize) {
    tracing::error!(error = %e, events = lost, "could not write to the transcript store");
}
