//! A FIFO lane: calls toward a system for one conversation and one direction run one after
//! another, in the order the hub queued them, in a task of their own, so the hub never waits
//! and a slow call delays only the calls behind it in the same lane (never another
//! conversation's, never an inbound webhook).

use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc;

/// How many calls a lane holds at most, the one running not counted. A system that falls this
/// far behind on one conversation is treated as unreachable by the caller (see [`Lane::push`]).
pub(super) const LANE_DEPTH: usize = 64;

/// One conversation's (or the desk's) queue of calls; dropping it lets the queued calls finish
/// and then ends its task.
pub(super) struct Lane {
    tx: mpsc::Sender<BoxFuture<'static, ()>>,
    /// Calls queued and not yet finished (the running one included).
    unfinished: Arc<AtomicUsize>,
}

/// The lane is full: the call was not queued.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct LaneFull;

impl Lane {
    /// Starts an empty lane on the current runtime.
    pub(super) fn new() -> Self {
        Self::with_depth(LANE_DEPTH)
    }

    fn with_depth(depth: usize) -> Self {
        let (tx, mut rx) = mpsc::channel::<BoxFuture<'static, ()>>(depth);
        let unfinished = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&unfinished);
        tokio::spawn(async move {
            while let Some(call) = rx.recv().await {
                call.await;
                count.fetch_sub(1, Ordering::AcqRel);
            }
        });
        Self { tx, unfinished }
    }

    /// Queues `call` behind the lane's others; refused when [`LANE_DEPTH`] calls wait already.
    pub(super) fn push(&self, call: BoxFuture<'static, ()>) -> Result<(), LaneFull> {
        self.unfinished.fetch_add(1, Ordering::AcqRel);
        self.tx.try_send(call).map_err(|_| {
            self.unfinished.fetch_sub(1, Ordering::AcqRel);
            LaneFull
        })
    }

    /// Whether every call queued so far has finished: what the caller does now comes after
    /// them, as if it were queued (and without a turn of the lane's task).
    pub(super) fn is_idle(&self) -> bool {
        self.unfinished.load(Ordering::Acquire) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::oneshot;

    #[tokio::test]
    async fn calls_finish_in_the_order_queued_even_when_earlier_ones_are_slower() {
        let lane = Lane::new();
        let (tx, mut rx) = mpsc::unbounded_channel();
        for i in 0..20u64 {
            let tx = tx.clone();
            let slow = Duration::from_millis((20 - i) % 7);
            lane.push(Box::pin(async move {
                tokio::time::sleep(slow).await;
                let _ = tx.send(i);
            }))
            .expect("room in the lane");
        }
        drop(tx);
        let mut order = Vec::new();
        while let Some(i) = rx.recv().await {
            order.push(i);
        }
        assert_eq!(order, (0..20).collect::<Vec<_>>());
    }

    /// Yields until `lane` is idle, at most a bounded number of turns; whether it became so.
    async fn settles(lane: &Lane) -> bool {
        for _ in 0..1000 {
            if lane.is_idle() {
                return true;
            }
            tokio::task::yield_now().await;
        }
        false
    }

    #[tokio::test]
    async fn a_lane_is_idle_only_once_every_queued_call_has_finished() {
        let lane = Lane::with_depth(1);
        assert!(lane.is_idle(), "a new lane");
        let (release, held) = oneshot::channel::<()>();
        let (started_tx, started) = oneshot::channel::<()>();
        lane.push(Box::pin(async move {
            let _ = started_tx.send(());
            let _ = held.await;
        }))
        .expect("room");
        started.await.expect("the first call runs");
        lane.push(Box::pin(async {})).expect("one waits");
        assert_eq!(lane.push(Box::pin(async {})), Err(LaneFull));
        assert!(!lane.is_idle(), "a call runs and one waits");
        let _ = release.send(());
        // A refused call counted as queued would keep the lane busy for ever.
        assert!(settles(&lane).await, "both queued calls finished");
    }

    #[tokio::test]
    async fn a_full_lane_refuses_the_next_call_and_other_lanes_go_on() {
        let stuck = Lane::with_depth(2);
        let (release, held) = oneshot::channel::<()>();
        let (started_tx, started) = oneshot::channel::<()>();
        stuck
            .push(Box::pin(async move {
                let _ = started_tx.send(());
                let _ = held.await;
            }))
            .expect("first call runs");
        started.await.expect("the lane runs its first call");
        for _ in 0..2 {
            stuck.push(Box::pin(async {})).expect("two wait");
        }
        assert_eq!(stuck.push(Box::pin(async {})), Err(LaneFull));

        let other = Lane::new();
        let (done_tx, done) = oneshot::channel();
        other
            .push(Box::pin(async move {
                let _ = done_tx.send(());
            }))
            .expect("room");
        done.await
            .expect("another lane is not held up by a stuck one");
        let _ = release.send(());
    }
}
