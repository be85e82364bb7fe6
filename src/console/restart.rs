//! "Restart the broker" (the palette): the console's own broker stops and starts again on its
//! store, in a task (the UI never waits). Both connections see the old one close and reconnect
//! as after any drop, saying in `hello.since` what they saw, so nothing is shown twice or lost;
//! a live chat goes on (the system outlives the broker: `broker::lasting`).
//!
//! While it restarts the connections dial nowhere ([`super::session::dial`]): the old port is
//! free for a moment, and another program may take it. When the broker comes back on another
//! port, the console follows it there.

use super::app::App;
use super::msg::{Command, Msg};
use crate::engine::Engine;
use std::sync::Arc;

/// The console's own broker, which a restart replaces; `None` inside while it restarts and
/// after a restart that failed.
pub type EngineSlot = Arc<tokio::sync::Mutex<Option<Engine>>>;

/// The palette's entry: says so, holds the connections, and asks the driver to restart the
/// broker (once: a second ask while it restarts is refused).
pub(crate) fn ask(app: &mut App) -> Vec<Command> {
    if app.restarting_broker.is_some() {
        app.notify(true, "The broker is already restarting");
        return Vec::new();
    }
    app.restarting_broker = Some(app.now);
    app.notify(false, "Restarting the broker…");
    vec![Command::RestartBroker]
}

/// The restart is over: the connections dial the broker again, at `url` when it moved.
pub(crate) fn restarted(app: &mut App, url: Option<String>, error: bool, text: String) {
    app.restarting_broker = None;
    if let Some(url) = url {
        app.url = url;
    }
    app.notify(error, text);
}

/// Restarts the broker in `slot`, which the console reaches at `url`; says how it went.
pub(crate) async fn restart(slot: Option<EngineSlot>, url: String) -> Msg {
    let failed = |text: String| Msg::BrokerRestarted {
        url: None,
        error: true,
        text,
    };
    let Some(slot) = slot else {
        return failed(
            "The console's broker is not its own (--url): it cannot restart it".to_owned(),
        );
    };
    let mut held = slot.lock().await;
    let Some(engine) = held.take() else {
        return failed("There is no broker to restart".to_owned());
    };
    match engine.restart().await {
        Ok(engine) => {
            let said = said(&engine, &url);
            *held = Some(engine);
            said
        }
        Err(e) => failed(format!("The broker did not restart: {e:#}")),
    }
}

/// What the console says of a broker that restarted, which it reached at `url` before. The
/// new address comes first when it moved: the status bar cuts a long notice short.
fn said(engine: &Engine, url: &str) -> Msg {
    let now = engine.url();
    let text = match (now != url, engine.store().is_some()) {
        (false, true) => {
            "The broker restarted on its store: the chat goes on where it was".to_owned()
        }
        (false, false) => {
            "The broker restarted without a store (--store keeps conversations): a new one starts"
                .to_owned()
        }
        (true, true) => format!(
            "The broker restarted at {now} (its old port was taken), on its store: the chat goes on where it was"
        ),
        (true, false) => format!(
            "The broker restarted at {now} (its old port was taken), without a store (--store keeps conversations): a new one starts"
        ),
    };
    Msg::BrokerRestarted {
        url: Some(now),
        error: false,
        text,
    }
}
