//! Helpers shared by the connector tests: waiting on a chat's events and on the emulator.

#![allow(dead_code, clippy::expect_used)] // helpers fail loudly; not every test file uses all

use handoff::connectors::{ChatEvent, ChatLink};
use handoff::protocol::AgentInfo;
use std::time::Duration;

/// How long any single wait may take before the test fails (a safety net, not a timing).
pub const WAIT: Duration = Duration::from_secs(10);

/// The chat's next event.
pub async fn next(link: &mut ChatLink) -> ChatEvent {
    tokio::time::timeout(WAIT, link.events.recv())
        .await
        .expect("an event in time")
        .expect("link open")
}

/// Polls `probe` until it yields a value.
pub async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(v) = probe() {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("condition in time")
}

/// An agent as the connectors report one (no avatar, not on behalf).
pub fn agent(name: &str) -> AgentInfo {
    AgentInfo {
        name: name.into(),
        avatar: None,
        on_behalf: false,
    }
}
