//! Transcripts are kept for a time to live (a day by default, `[transcripts] ttl`): a
//! conversation whose last event is older than that is deleted, at start and then
//! periodically. Time comes from the broker's [`SharedClock`], so tests (a manual clock) and
//! the demo time scale (`--time-scale`) choose it.

use super::{Store, StoreError, int};
use crate::clock::SharedClock;
use crate::protocol::Millis;
use rusqlite::params;
use std::path::PathBuf;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The default time to live: a day, as the brokering spec keeps transcripts.
pub const DEFAULT_TTL: Duration = Duration::from_secs(86_400);

/// The longest time to live accepted: a year.
pub const MAX_TTL: Duration = Duration::from_secs(366 * 86_400);

/// How often to purge for a time to live: a tenth of it, between a second and ten minutes,
/// so an expiry is seen within 10% of the TTL at demo scale and costs nothing at full scale.
pub fn purge_period(ttl: Duration) -> Duration {
    (ttl / 10).clamp(Duration::from_secs(1), Duration::from_secs(600))
}

/// Parses a time to live: a whole number and a unit, `90s`, `30m`, `12h`, `1d` (a second to a
/// year).
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit_secs = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{text:?}: a number and a unit: 90s, 30m, 12h or 1d"
            ));
        }
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: a whole number before the unit, e.g. 1d"))?;
    let ttl = Duration::from_secs(n.saturating_mul(unit_secs));
    if ttl.is_zero() || ttl > MAX_TTL {
        return Err(format!("{text:?}: from 1s to 366d"));
    }
    Ok(ttl)
}

/// `ttl` as the shortest of `1d`, `12h`, `30m`, `90s` that says it exactly.
pub fn format_ttl(ttl: Duration) -> String {
    let secs = ttl.as_secs();
    match secs {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

impl Store {
    /// Deletes every conversation whose last event (or opening, without events) is more than
    /// `ttl` before `now`, with its events; how many conversations went. The hub may still hold
    /// one in memory: its later events are not kept (see [`Store::write`]).
    pub fn purge(&mut self, now: Millis, ttl: Duration) -> Result<usize, StoreError> {
        let cutoff = int(now.saturating_sub(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX)));
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path, source };
        let tx = match self.conn.transaction() {
            Ok(tx) => tx,
            Err(e) => return Err(err(e)),
        };
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS expired (id TEXT PRIMARY KEY); DELETE FROM expired;",
        )
        .and_then(|()| {
            tx.execute(
                "INSERT INTO expired SELECT c.id FROM conversations c
                 WHERE MAX(c.opened_at, COALESCE((SELECT MAX(e.at) FROM events e
                       WHERE e.conversation = c.id), 0)) < ?1",
                params![cutoff],
            )
        })
        .and_then(|gone| {
            tx.execute_batch(
                "DELETE FROM events WHERE conversation IN (SELECT id FROM expired);
                 DELETE FROM conversations WHERE id IN (SELECT id FROM expired);
                 DELETE FROM expired;",
            )?;
            Ok(gone)
        })
        .and_then(|gone| tx.commit().map(|()| gone))
        .map_err(err)
    }
}

/// The shortest real pause between purges, whatever the time scale: a purge is a transaction.
const MIN_PURGE_PAUSE: Duration = Duration::from_millis(250);

/// Purges the store at `path` every [`purge_period`] of the TTL on `clock` (so as often in
/// real time as the demo time scale asks, and at least [`MIN_PURGE_PAUSE`] apart) until
/// `stop`, on a connection of its own (WAL lets it write beside the hub's writer). A failed
/// purge is logged and tried again next time: expired transcripts must not stop the broker.
pub async fn purge_periodically(
    path: PathBuf,
    ttl: Duration,
    clock: SharedClock,
    stop: CancellationToken,
) {
    let every = clock.real_wait(purge_period(ttl)).max(MIN_PURGE_PAUSE);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let (path, now) = (path.clone(), clock.now_millis());
        let purged = tokio::task::spawn_blocking(move || Store::open(&path)?.purge(now, ttl)).await;
        match purged {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(purged = n, "expired transcripts deleted"),
            Ok(Err(e)) => tracing::warn!(error = %e, "could not purge expired transcripts"),
            Err(e) => tracing::warn!(error = %e, "the transcript purge stopped"),
        }
    }
}
