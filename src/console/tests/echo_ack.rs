//! Protocol 2: the broker answers the console's `say` with an `ack` that is its echo; the
//! console takes it in as the message event it stands for, exactly once, in its place.

use super::*;
use crate::protocol::{Audience, Said};

/// The `said` of the user's message `m-2` at `seq` of conversation `c-1`.
fn said(seq: u64) -> Said {
    Said {
        conversation: "c-1".into(),
        seq,
        at: 1_000,
        audience: Audience::User,
        message: crate::protocol::MessageId("m-2".into()),
        message_at: 1_000,
    }
}

/// Sends `text` from the composer; the id of its `say`.
fn sent(app: &mut App, text: &str) -> RequestId {
    typed(app, text);
    let cmds = update(app, key(KeyCode::Enter));
    match cmds.as_slice() {
        [
            Command::Send {
                msg: ClientMsg::Say { id, .. },
                ..
            },
        ] => id.clone(),
        other => panic!("expected one say, got {other:?}"),
    }
}

#[test]
fn the_ack_that_is_the_echo_becomes_the_message_in_its_place() {
    let mut app = App::new(Theme::default(), "ws://x");
    welcome(&mut app);
    let id = sent(&mut app, "élan, <b>not bold</b> & 😀");
    from_broker(
        &mut app,
        Side::User,
        ServerMsg::Ack {
            id: id.clone(),
            said: Some(said(2)),
        },
    );
    let messages = app.chat.transcript.messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert_eq!(messages[0].request.as_ref(), Some(&id));
    assert_eq!(
        messages[0].parts,
        [Part::text(crate::text::paragraph(
            "élan, <b>not bold</b> & 😀"
        ))]
    );
    assert!(app.chat.echoes.is_empty(), "the local echo is replaced");
    assert!(app.pending.is_empty(), "the request is answered");
    assert_eq!(app.chat.resume.since.get(&"c-1".into()), Some(&2));
    let (text, _) = screen(&app, 120, 30);
    assert_eq!(
        text.matches("élan, <b>not bold</b> & 😀").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("sending…"), "{text}");
}

#[test]
fn an_echo_ack_already_seen_after_a_reconnect_is_not_taken_twice() {
    let mut app = App::new(Theme::default(), "ws://x");
    welcome(&mut app);
    let id = sent(&mut app, "once");
    let ack = ServerMsg::Ack {
        id,
        said: Some(said(2)),
    };
    from_broker(&mut app, Side::User, ack.clone());
    from_broker(&mut app, Side::User, ack);
    assert_eq!(app.chat.transcript.len(), 1);
}

#[test]
fn an_echo_ack_for_a_say_this_console_did_not_send_changes_nothing() {
    let mut app = App::new(Theme::default(), "ws://x");
    welcome(&mut app);
    from_broker(
        &mut app,
        Side::User,
        ServerMsg::Ack {
            id: "someone-else".into(),
            said: Some(said(2)),
        },
    );
    assert!(app.chat.transcript.is_empty());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn any_text_echoed_by_ack_is_shown_once_as_sent(text in "\\PC{1,40}") {
        let mut app = App::new(Theme::default(), "ws://x");
        welcome(&mut app);
        let id: RequestId = "u-9".into();
        crate::console::update::echo(&mut app, id.clone(), text.clone());
        from_broker(&mut app, Side::User, ServerMsg::Ack { id, said: Some(said(2)) });
        let messages = app.chat.transcript.messages();
        proptest::prop_assert_eq!(messages.len(), 1);
        proptest::prop_assert_eq!(&messages[0].parts, &vec![Part::text(crate::text::paragraph(&text))]);
        proptest::prop_assert!(app.chat.echoes.is_empty());
        let _ = screen(&app, 80, 24);
    }
}
