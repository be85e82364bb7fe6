//! "Restart the broker" (the palette): the console's own broker stops and starts again on its
//! store, in a task (the UI never waits). Both connections see the old one close and reconnect
//! as after any drop, saying in `hello.since` what they saw, so nothing is shown twice or lost;
//! a live chat goes on (the system outlives the broker: `broker::lasting`).

use super::app::App;
use super::msg::{Command, Msg};
use crate::engine::Engine;
use std::sync::Arc;

/// The console's own broker, which a restart replaces; `None` inside while it restarts and
/// after a restart that failed.
pub type EngineSlot = Arc<tokio::sync::Mutex<Option<Engine>>>;

/// The palette's entry: says so, and asks the driver to restart the broker.
pub(crate) fn ask(app: &mut App) -> Vec<Command> {
    app.notify(false, "Restarting the broker…");
    vec![Command::RestartBroker]
}

/// Restarts the broker in `slot`, which the console reaches at `url`; says how it went.
pub(crate) async fn restart(slot: Option<EngineSlot>, url: String) -> Msg {
    let (error, text) = match slot {
        None => (
            true,
            "The console's broker is not its own (--url): it cannot restart it".to_owned(),
        ),
        Some(slot) => {
            let mut held = slot.lock().await;
            match held.take() {
                None => (true, "There is no broker to restart".to_owned()),
                Some(engine) => match engine.restart().await {
                    Ok(engine) => {
                        let said = restarted(&engine, &url);
                        *held = Some(engine);
                        said
                    }
                    Err(e) => (true, format!("The broker did not restart: {e:#}")),
                },
            }
        }
    };
    Msg::Notice { error, text }
}

/// What the console says of a broker that restarted.
fn restarted(engine: &Engine, url: &str) -> (bool, String) {
    let now = engine.url();
    if now != url {
        return (
            true,
            format!("The broker restarted on {now}, but the console dials {url}: start it again"),
        );
    }
    if engine.store().is_some() {
        (
            false,
            "The broker restarted on its store: the chat goes on where it was".to_owned(),
        )
    } else {
        (
            false,
            "The broker restarted without a store (--store keeps conversations): a new one starts"
                .to_owned(),
        )
    }
}
