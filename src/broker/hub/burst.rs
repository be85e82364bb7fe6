//! The hub's loop, in bursts: it takes the messages that are waiting one after another and
//! hands the frames they made to the sessions' queues when the burst ends (nothing else is
//! waiting, [`BURST`] turns have passed, or the outbox reached [`OUTBOX_FRAMES`]).
//!
//! A session's task then wakes once per burst and writes what it got with one flush: a user's
//! echo and the `ack` of its `say` go out together, and the agent's socket, which sees every
//! conversation, takes a burst of users' messages in one write instead of one wake-up and one
//! syscall each. Frames reach each session in the order they were made, as before; only when
//! they enter its queue changes, and never later than the end of the burst. While a desk-side
//! session is backed up every turn hands over at once, so the overload policy (`fanout`)
//! sees each queue as it fills.

use super::{Frame, Hub, HubMsg, SessionId, durable, evict, fanout};
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Turns of the loop (messages, commits, sweeps) at most between two hand-overs: a steady
/// stream of requests still reaches the sessions every few microseconds.
pub(super) const BURST: usize = 32;

/// Frames the outbox holds at most: the one that reaches it hands them all over at once (a
/// broadcast to many sessions, a store's commit of many events). Bounds the outbox.
pub(super) const OUTBOX_FRAMES: usize = 512;

/// Frames made in the current burst, in order, with the session each goes to.
pub(super) struct Outbox {
    frames: Vec<(SessionId, Frame)>,
    /// Turns of the loop since the last hand-over.
    turns: usize,
    /// Where events are serialised (see [`fanout::CHUNK`]).
    pub(super) chunk: bytes::BytesMut,
}

impl Default for Outbox {
    fn default() -> Self {
        Self {
            frames: Vec::new(),
            turns: 0,
            chunk: bytes::BytesMut::with_capacity(fanout::CHUNK),
        }
    }
}

impl Outbox {
    /// Frames waiting for the end of the burst.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.frames.len()
    }
}

impl Hub {
    /// Queues a frame for a session at the end of the burst (at once when the outbox is full).
    pub(super) fn send_frame(&mut self, session: SessionId, frame: Frame) {
        if !self.sessions.contains_key(&session) {
            return;
        }
        self.outbox.frames.push((session, frame));
        if self.outbox.frames.len() >= OUTBOX_FRAMES {
            self.hand_over();
        }
    }

    /// Ends the burst: every frame made goes to its session's queue, in order.
    pub(super) fn hand_over(&mut self) {
        // The vector is kept (at most OUTBOX_FRAMES long) so a burst does not allocate.
        let mut frames = std::mem::take(&mut self.outbox.frames);
        for (session, frame) in frames.drain(..) {
            self.deliver(session, frame);
        }
        self.outbox.frames = frames;
        self.outbox.turns = 0;
    }

    /// Whether the burst ends before the next turn: frames wait and nothing else is ready, the
    /// burst is long enough, or a desk-side session is backed up.
    fn burst_over(&mut self, waiting: bool) -> bool {
        self.outbox.turns += 1;
        !self.outbox.frames.is_empty()
            && (!waiting || self.outbox.turns >= BURST || !self.backed_up.is_empty())
    }

    /// Serves `rx` and, while no desk-side session is backed up, `intake` (users' requests).
    pub(in crate::broker) async fn run(
        mut self,
        mut rx: mpsc::Receiver<HubMsg>,
        mut intake: mpsc::Receiver<HubMsg>,
        shutdown: CancellationToken,
    ) {
        if let Some(desk) = &self.desk {
            self.desk_agents = desk.agents().await;
        }
        let mut sweep = tokio::time::interval(evict::sweep_period(self.settings.evict_after));
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut intake_open = true;
        // One wait for the whole run, not a new one (a lock and a registration) per message.
        let stopping = shutdown.cancelled();
        tokio::pin!(stopping);
        loop {
            if self.burst_over(!rx.is_empty() || (intake_open && !intake.is_empty())) {
                self.hand_over();
            }
            let holding = self.holding_requests();
            let msg = tokio::select! {
                biased;
                () = &mut stopping => break,
                commit = durable::next_commit(&mut self.store) => {
                    self.committed(commit, &shutdown);
                    continue;
                }
                msg = rx.recv() => match msg { Some(m) => m, None => break },
                msg = intake.recv(), if intake_open && !holding => match msg {
                    Some(m) => m,
                    None => {
                        intake_open = false;
                        continue;
                    }
                },
                () = tokio::time::sleep(fanout::RECHECK), if holding => continue,
                _ = sweep.tick() => {
                    self.sweep(Instant::now());
                    continue;
                }
            };
            self.handle(msg);
        }
        self.hand_over();
        if let Some(store) = self.store.take() {
            // Flush what is queued before the broker reports it has stopped.
            let _ = tokio::task::spawn_blocking(move || store.close()).await;
        }
        tracing::debug!("hub stopped");
    }
}
