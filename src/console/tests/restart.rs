//! "Restart the broker": the connections wait while it restarts, then dial wherever it came
//! back, with the resume they had; the status bar says where.

use super::*;
use crate::console::session::{dial, hello};

fn restart_from_the_palette(app: &mut App) -> Vec<Command> {
    update(app, ctrl('p'));
    typed(app, "restart the broker");
    update(app, key(KeyCode::Enter))
}

#[test]
fn the_restart_entry_holds_the_connections_and_asks_the_driver_to_restart_the_broker() {
    let mut app = offered();
    assert_eq!(dial(&app).as_deref(), Some("ws://127.0.0.1:1"));
    assert_eq!(restart_from_the_palette(&mut app), [Command::RestartBroker]);
    let notice = app.shown_notice().map(|n| n.text.clone());
    assert_eq!(notice.as_deref(), Some("Restarting the broker…"));
    assert_eq!(dial(&app), None, "nobody dials the old port meanwhile");
    // The outcome comes back from the task, applied by `update` like anything else.
    let said = "The broker restarted on its store: the chat goes on where it was";
    update(
        &mut app,
        Msg::BrokerRestarted {
            url: Some("ws://127.0.0.1:1".into()),
            error: false,
            text: said.into(),
        },
    );
    assert_eq!(app.shown_notice().map(|n| n.text.as_str()), Some(said));
    assert_eq!(dial(&app).as_deref(), Some("ws://127.0.0.1:1"));
}

#[test]
fn a_second_restart_while_one_runs_is_refused() {
    let mut app = offered();
    restart_from_the_palette(&mut app);
    assert!(restart_from_the_palette(&mut app).is_empty());
    let notice = app.shown_notice().expect("a notice");
    assert!(notice.error);
    assert_eq!(notice.text, "The broker is already restarting");
}

#[test]
fn a_broker_back_on_another_port_is_dialled_there_with_the_same_resume() {
    let mut app = offered();
    let before = (hello(&app, Side::User), hello(&app, Side::Agent));
    restart_from_the_palette(&mut app);
    let moved = "ws://127.0.0.1:2";
    let said = format!(
        "The broker restarted at {moved} (its old port was taken), on its store: the chat goes on where it was"
    );
    update(
        &mut app,
        Msg::BrokerRestarted {
            url: Some(moved.into()),
            error: false,
            text: said.clone(),
        },
    );
    assert_eq!(dial(&app).as_deref(), Some(moved));
    assert_eq!(app.url, moved);
    let after = (hello(&app, Side::User), hello(&app, Side::Agent));
    assert_eq!(
        after, before,
        "the same conversation, token, secret and since"
    );
    let (text, _) = screen(&app, 160, 48);
    let status = text.lines().last().unwrap_or_default();
    assert!(status.contains(moved), "{status}");
    assert!(!status.contains("start it again"), "{status}");
}

#[test]
fn a_restart_that_fails_lets_the_connections_dial_the_old_address_again() {
    let mut app = offered();
    restart_from_the_palette(&mut app);
    update(
        &mut app,
        Msg::BrokerRestarted {
            url: None,
            error: true,
            text: "The broker did not restart: boom".into(),
        },
    );
    assert_eq!(dial(&app).as_deref(), Some("ws://127.0.0.1:1"));
    assert!(app.shown_notice().is_some_and(|n| n.error));
}
