//! Issue 15 in the console: the inbox's private note (n) and how agents see one, and the
//! palette's notification for the user (QA).

use super::*;
use crate::console::panes::inbox::NOTE_MARK;

/// Lisa in the live chat of `offered()`'s conversation.
fn live() -> App {
    let mut app = offered();
    event(&mut app, Side::Agent, 7, request());
    let assigned = ConversationEvent::Assigned {
        agent: "Lisa".into(),
        agents: vec!["Lisa".into()],
    };
    event(&mut app, Side::Agent, 8, assigned);
    app
}

#[test]
fn n_asks_for_a_private_note_and_enter_sends_it_as_a_note() {
    let mut app = live();
    app.focus = Focus::Inbox;
    update(&mut app, key(KeyCode::Char('n')));
    assert_eq!(app.focus, Focus::Reply);
    typed(&mut app, "user is on Windows 11");
    let cmds = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { side: Side::Agent, msg: ClientMsg::Note { text, .. } }] if text == "user is on Windows 11"),
        "{cmds:?}"
    );
}

#[test]
fn a_note_is_refused_on_a_request_nobody_has_accepted() {
    let mut app = offered();
    event(&mut app, Side::Agent, 7, request());
    app.focus = Focus::Inbox;
    let cmds = update(&mut app, key(KeyCode::Char('n')));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(app.focus, Focus::Inbox);
}

#[test]
fn agents_see_a_note_marked_as_one_and_a_reply_unmarked() {
    let mut app = live();
    let note = message("m9", Role::Agent, vec![Part::text("<p>psst</p>")]);
    let msg = ServerMsg::Event {
        conversation: "c-1".into(),
        seq: 9,
        at: 1_000,
        audience: Audience::Agent,
        event: note,
    };
    from_broker(&mut app, Side::Agent, msg);
    event(
        &mut app,
        Side::Agent,
        10,
        message("m10", Role::Agent, vec![Part::text("<p>public</p>")]),
    );
    let chat = &app.inbox.chats[0];
    let first = |i: usize| chat.transcript.messages()[i].parts[0].clone();
    assert_eq!(first(0), Part::text(NOTE_MARK));
    assert_eq!(first(1), Part::text("<p>public</p>"));
    app.focus = Focus::Inbox;
    let (text, _) = screen(&app, 160, 48);
    assert!(
        text.contains("note (agents only, never the user)"),
        "{text}"
    );
}

#[test]
fn the_palette_sends_the_user_a_notification_with_a_button() {
    let mut app = offered();
    update(&mut app, ctrl('p'));
    typed(&mut app, "notification");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Reply);
    typed(&mut app, "Password expiry on Friday");
    let cmds = update(&mut app, key(KeyCode::Enter));
    let [
        Command::Send {
            side: Side::Agent,
            msg:
                ClientMsg::Notify {
                    conversation,
                    text,
                    buttons,
                    ..
                },
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}");
    };
    assert_eq!(conversation.as_ref().map(|c| c.0.as_str()), Some("c-1"));
    assert_eq!(text, "Password expiry on Friday");
    assert_eq!(buttons.len(), 1);
}
