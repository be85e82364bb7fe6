//! One clock for every timer of the broker: the queue timeout, the business-hours check and the
//! transcripts' time to live all ask a [`Clock`] what time it is and how long to really wait.
//!
//! - [`SystemClock`]: the wall clock.
//! - [`ScaledClock`]: demo time (`--time-scale N`): N demo seconds pass per real second, from
//!   the moment it starts, so QA can watch a two-minute queue timeout happen in seconds.
//! - [`ManualClock`]: time that moves only when a test says so.

use crate::protocol::Millis;
use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The largest `--time-scale`: an hour of demo time per real second.
pub const MAX_TIME_SCALE: u32 = 3600;

/// What time it is, and how demo time maps to real time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;

    /// How long to really wait for `demo` of this clock's time to pass.
    fn real_wait(&self, demo: Duration) -> Duration;

    /// The current time in [`Millis`] (0 before the Unix epoch).
    fn now_millis(&self) -> Millis {
        Millis::try_from(self.now().as_millisecond()).unwrap_or(0)
    }

    /// How long to really wait until this clock reads `at` (zero when it is past).
    fn real_wait_until(&self, at: Millis) -> Duration {
        self.real_wait(Duration::from_millis(at.saturating_sub(self.now_millis())))
    }
}

/// A shared clock, as the broker hands it around.
pub type SharedClock = Arc<dyn Clock>;

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn real_wait(&self, demo: Duration) -> Duration {
        demo
    }
}

/// Demo time: starts at the wall clock's time and runs `scale` times faster.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    scale: u32,
    started: Instant,
    origin: Timestamp,
}

impl ScaledClock {
    /// A clock that runs `scale` times faster than the wall clock from now on; `scale` is
    /// clamped to 1..=[`MAX_TIME_SCALE`].
    pub fn new(scale: u32) -> Self {
        Self {
            scale: scale.clamp(1, MAX_TIME_SCALE),
            started: Instant::now(),
            origin: Timestamp::now(),
        }
    }

    /// Demo seconds per real second.
    pub fn scale(&self) -> u32 {
        self.scale
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Timestamp {
        let demo = self.started.elapsed().saturating_mul(self.scale);
        let demo = SignedDuration::try_from(demo).unwrap_or(SignedDuration::MAX);
        self.origin.saturating_add(demo).unwrap_or(Timestamp::MAX)
    }

    fn real_wait(&self, demo: Duration) -> Duration {
        demo / self.scale
    }
}

/// A clock for tests: it reads what it was set to, and moves only by [`ManualClock::advance`].
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock stopped at `now`.
    pub fn new(now: Timestamp) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Moves the clock on by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        *now = now.saturating_add(by).unwrap_or(Timestamp::MAX);
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A test's timers fire as soon as they are armed: the test moves the clock itself.
    fn real_wait(&self, _demo: Duration) -> Duration {
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_waits_what_it_is_asked() {
        assert_eq!(
            SystemClock.real_wait(Duration::from_secs(120)),
            Duration::from_secs(120)
        );
        assert!(SystemClock.now_millis() > 1_700_000_000_000);
    }

    #[test]
    fn a_scaled_clock_waits_a_fraction_and_runs_ahead_of_the_wall_clock() {
        let clock = ScaledClock::new(60);
        assert_eq!(
            clock.real_wait(Duration::from_secs(120)),
            Duration::from_secs(2)
        );
        std::thread::sleep(Duration::from_millis(50));
        // 50 ms real is 3 s demo: the clock is at least 2 s ahead of the wall clock.
        assert!(clock.now() >= Timestamp::now() + SignedDuration::from_secs(2));
    }

    #[test]
    fn a_scale_out_of_range_is_clamped() {
        assert_eq!(ScaledClock::new(0).scale(), 1);
        assert_eq!(ScaledClock::new(u32::MAX).scale(), MAX_TIME_SCALE);
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now_millis(), 1_800_000_090_000);
        assert_eq!(
            clock.real_wait_until(clock.now_millis() + 5000),
            Duration::ZERO
        );
        clock.set(Timestamp::MAX);
        clock.advance(Duration::from_secs(1));
        assert_eq!(clock.now(), Timestamp::MAX);
    }

    #[test]
    fn waiting_until_a_past_time_is_no_wait() {
        let clock = ScaledClock::new(10);
        assert_eq!(clock.real_wait_until(0), Duration::ZERO);
    }
}
