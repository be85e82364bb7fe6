//! One owner of the console's state: what a reconnect says comes from `App` alone, and
//! replays are dropped by `update`, not by the connection task.

use super::chat::welcome_user_into;
use super::*;
use crate::console::session::hello;
use crate::protocol::{ButtonState, ConversationId, Part};

fn hello_agent(app: &App) -> Option<String> {
    let ClientMsg::Hello { agent, .. } = hello(app, Side::Agent) else {
        unreachable!("hello() always makes a hello")
    };
    agent
}

fn press_s(app: &mut App) -> RequestId {
    app.focus = Focus::Inbox;
    let cmds = update(app, key(KeyCode::Char('s')));
    let [
        Command::Send {
            msg: ClientMsg::ActAs { id, .. },
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    id.clone()
}

#[test]
fn a_replayed_event_is_applied_once_and_the_hello_resumes_after_it() {
    let mut app = offered();
    let count = app.chat.transcript.messages().len();
    let late = || message("m9", Role::Assistant, vec![Part::text("<p>late</p>")]);
    event(&mut app, Side::User, 9, late());
    event(&mut app, Side::User, 9, late());
    event(
        &mut app,
        Side::User,
        8,
        message("m8", Role::Assistant, vec![]),
    );
    assert_eq!(app.chat.transcript.messages().len(), count + 1);
    let ClientMsg::Hello {
        since,
        conversation,
        ..
    } = hello(&app, Side::User)
    else {
        unreachable!()
    };
    assert_eq!(since.get(&ConversationId::from("c-1")), Some(&9));
    assert_eq!(conversation, Some("c-1".into()));
}

#[test]
fn acting_as_another_agent_changes_the_reconnect_hello_only_when_the_broker_agrees() {
    let mut app = offered();
    assert_eq!(hello_agent(&app).as_deref(), Some("Lisa"));
    // Refused: the screen and the next hello both stay with Lisa.
    let id = press_s(&mut app);
    assert_eq!(
        hello_agent(&app).as_deref(),
        Some("Lisa"),
        "not before the ack"
    );
    let refusal = ServerMsg::Error {
        id: Some(id),
        code: ErrorCode::Forbidden,
        message: "acting as \"Sam\" needs the supervisor capability".into(),
    };
    from_broker(&mut app, Side::Agent, refusal);
    assert_eq!(app.inbox.agent.as_deref(), Some("Lisa"));
    assert_eq!(hello_agent(&app).as_deref(), Some("Lisa"));
    // Agreed: the screen says Sam, and so does a reconnect.
    let id = press_s(&mut app);
    ack(&mut app, Side::Agent, &id);
    assert!(screen(&app, 160, 48).0.contains("Acting as Sam"));
    assert_eq!(hello_agent(&app).as_deref(), Some("Sam"));
    // The next `s` goes on from Sam, the agent now acted as.
    let cmds = update(&mut app, key(KeyCode::Char('s')));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { msg: ClientMsg::ActAs { agent, .. }, .. }] if agent == "Lisa"),
        "{cmds:?}"
    );
}

#[test]
fn the_user_side_resumes_with_its_secret_and_the_agent_side_asks_to_supervise() {
    let mut app = offered();
    app.token = Some(crate::connectors::redact::Secret::new("t0k3n-t0k3n-t0k3n"));
    let welcome = welcomed(
        "s-1",
        ClientRole::User,
        Some("c-1"),
        None,
        Some("5ec7e75ec7e7"),
    );
    from_broker(&mut app, Side::User, welcome);
    let ClientMsg::Hello {
        resume,
        token,
        supervisor,
        ..
    } = hello(&app, Side::User)
    else {
        unreachable!()
    };
    assert_eq!(resume.as_deref(), Some("5ec7e75ec7e7"));
    assert_eq!(token.as_deref(), Some("t0k3n-t0k3n-t0k3n"));
    assert!(!supervisor, "only the inbox side asks to act as others");
    let ClientMsg::Hello { supervisor, .. } = hello(&app, Side::Agent) else {
        unreachable!()
    };
    assert!(supervisor, "the inbox plays every desk agent");
}

#[test]
fn a_conversation_the_broker_no_longer_knows_is_not_asked_for_again() {
    let mut app = offered();
    let lost = ServerMsg::Error {
        id: None,
        code: ErrorCode::NotFound,
        message: "no conversation c-1".into(),
    };
    from_broker(&mut app, Side::User, lost);
    let ClientMsg::Hello {
        conversation,
        since,
        ..
    } = hello(&app, Side::User)
    else {
        unreachable!()
    };
    assert_eq!(conversation, None);
    assert!(since.is_empty());
    welcome_user_into(&mut app, "c-2");
    let ClientMsg::Hello { conversation, .. } = hello(&app, Side::User) else {
        unreachable!()
    };
    assert_eq!(conversation, Some("c-2".into()));
}

#[test]
fn a_resume_secret_a_restarted_broker_refuses_opens_a_new_conversation() {
    let mut app = offered();
    let welcome = ServerMsg::Welcome {
        protocol: 1,
        session: "s-3".into(),
        role: ClientRole::User,
        conversation: Some("c-1".into()),
        agent: None,
        resume: Some("5ec7e75ec7e7".into()),
        broker: broker(),
    };
    from_broker(&mut app, Side::User, welcome);
    // Restarted without a store, the broker has a new resume key: the secret no longer holds.
    let refused = ServerMsg::Error {
        id: None,
        code: ErrorCode::Forbidden,
        message: "resuming a conversation needs its resume secret (hello.resume)".into(),
    };
    from_broker(&mut app, Side::User, refused);
    let ClientMsg::Hello {
        conversation,
        since,
        resume,
        ..
    } = hello(&app, Side::User)
    else {
        unreachable!()
    };
    assert_eq!((conversation, resume), (None, None));
    assert!(since.is_empty());
    let shown = app.chat.transcript.messages().to_vec();
    assert!(!shown.is_empty());
    welcome_user_into(&mut app, "c-2");
    let notice = app.shown_notice().expect("a notice");
    assert!(
        notice.text.contains("a new conversation starts below"),
        "{}",
        notice.text
    );
    // What the user was shown stays, its buttons expired, above the line.
    let now = app.chat.transcript.messages();
    assert_eq!(now.len(), shown.len() + 1);
    for (kept, was) in now.iter().zip(&shown) {
        assert_eq!(kept.role, was.role);
        assert_eq!(kept.parts.len(), was.parts.len());
        assert!(kept.buttons().all(|b| b.state == ButtonState::Expired));
        assert_ne!(kept.id, was.id, "the new conversation's ids start again");
    }
    let line = now.last().unwrap();
    assert!(
        matches!(&line.parts[..], [Part::RichText { rich_text }] if rich_text == crate::console::lost::LINE)
    );
}

#[test]
fn a_forbidden_hello_without_a_resume_secret_keeps_the_conversation() {
    let mut app = offered();
    let refused = ServerMsg::Error {
        id: None,
        code: ErrorCode::Forbidden,
        message: "wrong token".into(),
    };
    from_broker(&mut app, Side::User, refused);
    let ClientMsg::Hello { conversation, .. } = hello(&app, Side::User) else {
        unreachable!()
    };
    assert_eq!(conversation, Some("c-1".into()));
}
