//! Autoplay's own keys (`--autoplay`, `handoff demo`): faster, slower, pause and resume. While
//! an autoplay plays (not forked, steps left) they go before the focused pane, since the
//! replay is the one typing into the composer; this table dispatches them and is both the
//! help's "Autoplay" section and the replay panel's hint.

use super::play::Replay;
use crate::console::app::App;
use crate::console::keymap::{Row, ch, dispatch, row};
use crate::console::msg::Command;
use crate::protocol::Millis;
use crossterm::event::KeyEvent;

/// The fastest autoplay, in times a human pace (each `+` doubles the speed up to it).
pub const MAX_SPEED: u32 = 64;

/// What an autoplay key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoplayKey {
    /// Twice as fast.
    Faster,
    /// Half as fast, down to a human pace.
    Slower,
    /// Pause, or resume where it was.
    Pause,
}

/// The bindings while an autoplay plays.
pub const AUTOPLAY: &[Row<AutoplayKey>] = &[
    row(
        "+ / -",
        "faster / slower",
        &[
            (ch('+'), AutoplayKey::Faster),
            (ch('-'), AutoplayKey::Slower),
        ],
    ),
    row("Space", "pause / resume", &[(ch(' '), AutoplayKey::Pause)]),
];

/// The autoplay whose keys are live: loaded with `--autoplay`, not forked, steps left.
pub fn live(app: &App) -> Option<&Replay> {
    app.scenario
        .replay
        .as_ref()
        .filter(|r| r.autoplay.is_some() && !r.forked && r.at < r.scenario.steps.len())
}

/// A key of the table while an autoplay is live: `None` leaves it to the panes.
pub(crate) fn key(app: &mut App, key: &KeyEvent) -> Option<Vec<Command>> {
    live(app)?;
    let action = dispatch(AUTOPLAY, key)?;
    let now = app.now;
    let replay = app.scenario.replay.as_mut()?;
    let speed = replay.autoplay.unwrap_or(1);
    match action {
        AutoplayKey::Faster => replay.set_speed(now, speed.saturating_mul(2).min(MAX_SPEED)),
        AutoplayKey::Slower => replay.set_speed(now, (speed / 2).max(1)),
        AutoplayKey::Pause => replay.toggle_pause(now),
    }
    app.dirty = true;
    // Resuming plays on at once (what was due while paused is not).
    Some(super::play::advance(app))
}

impl Replay {
    /// Plays at `speed`, the current step going on from as far as it got.
    pub(super) fn set_speed(&mut self, now: Millis, speed: u32) {
        let old = Millis::from(self.autoplay.unwrap_or(1));
        let new = Millis::from(speed.max(1));
        let reference = self.paused_at.unwrap_or(now);
        if let Some(started) = self.started.as_mut() {
            let elapsed = reference.saturating_sub(*started);
            *started = reference.saturating_sub(elapsed.saturating_mul(old) / new);
        }
        self.autoplay = Some(speed.max(1));
    }

    /// Pauses a playing autoplay, or resumes a paused (or stopped) one; the time paused does
    /// not count towards the step's pace or its timeout.
    pub(super) fn toggle_pause(&mut self, now: Millis) {
        if self.running() {
            self.target = None;
            self.paused_at = Some(now);
            return;
        }
        if let (Some(paused), Some(started)) = (self.paused_at.take(), self.started.as_mut()) {
            *started = started.saturating_add(now.saturating_sub(paused));
        }
        self.run_to(self.scenario.steps.len());
    }

    /// Whether the autoplay waits for Space.
    pub fn paused(&self) -> bool {
        self.paused_at.is_some()
    }
}
