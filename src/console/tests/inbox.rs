//! The agent inbox: requests, accept / reject / reply, switching agents, desk text from outside.

use super::*;

#[test]
fn the_inbox_accepts_rejects_and_replies() {
    let mut app = offered();
    event(&mut app, Side::Agent, 7, request());
    event(
        &mut app,
        Side::Agent,
        8,
        ConversationEvent::Offered {
            agent: "Lisa".into(),
        },
    );
    app.focus = Focus::Inbox;
    let cmds = update(&mut app, key(KeyCode::Char('a')));
    assert!(matches!(
        cmds.as_slice(),
        [Command::Send {
            side: Side::Agent,
            msg: ClientMsg::Accept { .. }
        }]
    ));
    // r asks for a reason, Enter sends it.
    update(&mut app, key(KeyCode::Char('r')));
    assert_eq!(app.focus, Focus::Reply);
    typed(&mut app, "busy");
    let cmds = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { msg: ClientMsg::Reject { reason, .. }, .. }] if reason == "busy")
    );
    event(
        &mut app,
        Side::Agent,
        9,
        ConversationEvent::Assigned {
            agent: "Lisa".into(),
        },
    );
    event(
        &mut app,
        Side::Agent,
        10,
        message(
            "m6",
            Role::Agent,
            vec![Part::text(
                "<p>Hello - can you share more details about the error message you're seeing?</p>",
            )],
        ),
    );
    app.focus = Focus::Reply;
    typed(&mut app, "On it");
    let cmds = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { msg: ClientMsg::Reply { text, .. }, .. }] if text == "On it")
    );
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("Live chat"), "{text}");
    assert!(text.contains("History with the assistant"), "{text}");
    assert!(text.contains("Lisa said: (automated)"), "{text}");
}

#[test]
fn switching_agents_sends_act_as_and_follows_the_ack() {
    let mut app = offered();
    app.focus = Focus::Inbox;
    let cmds = update(&mut app, key(KeyCode::Char('s')));
    let [
        Command::Send {
            msg: ClientMsg::ActAs { id, agent },
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(agent, "Sam");
    update(
        &mut app,
        Msg::Server {
            side: Side::Agent,
            msg: ServerMsg::Ack { id: id.clone() },
        },
    );
    assert_eq!(app.inbox.agent.as_deref(), Some("Sam"));
}

#[test]
fn only_the_switch_hint_switches_agents_by_mouse() {
    let mut app = offered();
    let (text, _) = screen(&app, 160, 48);
    let row = text
        .lines()
        .position(|l| l.contains("Acting as Lisa"))
        .unwrap() as u16;
    let line = text.lines().nth(row as usize).unwrap();
    let click = |column| {
        Msg::Input(Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }))
    };
    let acting = line.chars().position(|c| c == 'A').unwrap() as u16;
    assert!(update(&mut app, click(acting)).is_empty());
    let hint = line.chars().position(|c| c == '(').unwrap() as u16;
    let cmds = update(&mut app, click(hint + 1));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { msg: ClientMsg::ActAs { agent, .. }, .. }] if agent == "Sam"),
        "{cmds:?}"
    );
}

#[test]
fn desk_text_from_outside_is_sanitised() {
    let mut app = offered();
    let ConversationEvent::Request {
        user,
        context,
        history,
        queued_at,
        style,
        ..
    } = request()
    else {
        unreachable!("request() builds a request")
    };
    let user = UserInfo {
        name: "Mallory\u{1b}]0;owned\u{7}".into(),
        ..user
    };
    let evil = ConversationEvent::Request {
        title: "help\u{1b}[2J me\u{202e}".into(),
        user,
        topic: "SQL\u{9b}31m Database".into(),
        context,
        history,
        queued_at,
        style,
    };
    event(&mut app, Side::Agent, 7, evil);
    let (text, buf) = screen(&app, 160, 48);
    assert!(text.contains("“help me”"), "{text}");
    assert!(text.contains("Mallory (u-1001)"), "{text}");
    assert!(text.contains("Topic: SQL Database"), "{text}");
    assert!(
        !buf.content()
            .iter()
            .any(|c| c.symbol().chars().any(char::is_control))
    );
}
