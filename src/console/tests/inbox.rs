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
    // As an older broker sends it, without `agents`: Lisa alone is in the chat.
    event(
        &mut app,
        Side::Agent,
        9,
        ConversationEvent::Assigned {
            agent: "Lisa".into(),
            agents: Vec::new(),
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
    ack(&mut app, Side::Agent, id);
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
    let acting = line.chars().position(|c| c == 'A').unwrap() as u16;
    assert!(update(&mut app, click(acting, row)).is_empty());
    let hint = line.chars().position(|c| c == '(').unwrap() as u16;
    let cmds = update(&mut app, click(hint + 1, row));
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

/// The request of `offered()` on the desk, taken by `agent` when given.
fn on_the_desk(app: &mut App, agent: Option<&str>) {
    event(app, Side::Agent, 7, request());
    if let Some(agent) = agent {
        event(
            app,
            Side::Agent,
            8,
            ConversationEvent::Assigned {
                agent: agent.into(),
                agents: vec![agent.into()],
            },
        );
    }
    app.focus = Focus::Inbox;
}

fn last_notice(app: &App) -> &str {
    app.notices.back().map_or("", |n| n.text.as_str())
}

#[test]
fn accepting_moves_the_focus_to_the_reply_box_once_the_broker_confirms() {
    let mut app = offered();
    on_the_desk(&mut app, None);
    let cmds = update(&mut app, key(KeyCode::Char('a')));
    let [
        Command::Send {
            msg: ClientMsg::Accept { id, .. },
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    // Not before: the accept may still fail (another agent was faster).
    assert_eq!(app.focus, Focus::Inbox);
    ack(&mut app, Side::Agent, id);
    assert_eq!(app.focus, Focus::Reply);
    assert_eq!(last_notice(&app), "Request accepted");
}

#[test]
fn list_keys_send_only_what_the_selected_chat_offers() {
    // Someone else's live chat: typing "Hi Alex, I" in the list ends nothing.
    let mut app = offered();
    on_the_desk(&mut app, Some("Marco"));
    for c in ['e', 't', 'r'] {
        assert!(update(&mut app, key(KeyCode::Char(c))).is_empty(), "{c}");
    }
    assert_eq!(
        last_notice(&app),
        "Only Marco, who has this chat, can reject it"
    );
    // An ended chat: nothing to do at all, and nothing reaches the broker.
    event(
        &mut app,
        Side::Agent,
        9,
        ConversationEvent::ChatEnded {
            reason: EndReason::User,
        },
    );
    for c in ['a', 'r', 'e', 't'] {
        assert!(update(&mut app, key(KeyCode::Char(c))).is_empty(), "{c}");
    }
    assert!(
        last_notice(&app).starts_with("Nothing to transfer: this chat ended"),
        "{}",
        last_notice(&app)
    );
    // A waiting request cannot be ended before it is accepted.
    let mut app = offered();
    on_the_desk(&mut app, None);
    assert!(update(&mut app, key(KeyCode::Char('e'))).is_empty());
    assert_eq!(
        last_notice(&app),
        "Nothing to end yet: accept the request first"
    );
}

#[test]
fn t_asks_whom_to_transfer_to_suggesting_an_available_agent() {
    let mut app = offered();
    on_the_desk(&mut app, Some("Lisa"));
    app.inbox.desk = vec![
        desk_agent("Lisa", Presence::Available, 1),
        desk_agent("Sam", Presence::Away, 0),
        desk_agent("Marco", Presence::Available, 0),
    ];
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("[ End chat (e) ] [ Transfer (t) ]"), "{text}");

    // A reply being written waits while the reply box asks.
    app.focus = Focus::Reply;
    typed(&mut app, "One moment");
    app.focus = Focus::Inbox;
    assert!(update(&mut app, key(KeyCode::Char('t'))).is_empty());
    assert_eq!(app.focus, Focus::Reply);
    assert_eq!(app.inbox.composer.lines(), ["Marco"]);
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("Transfer to (Esc cancels)"), "{text}");

    // Esc gives up: the reply comes back and nothing was sent.
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert_eq!(app.inbox.composer.lines(), ["One moment"]);
    assert_eq!(app.inbox.mode, ReplyMode::Reply);

    // Asked again, Sam instead of the suggestion; Enter hands the chat over.
    app.focus = Focus::Inbox;
    update(&mut app, key(KeyCode::Char('t')));
    for _ in 0.."Marco".len() {
        update(&mut app, key(KeyCode::Backspace));
    }
    typed(&mut app, "Sam");
    let cmds = update(&mut app, key(KeyCode::Enter));
    let [
        Command::Send {
            side: Side::Agent,
            msg:
                ClientMsg::Transfer {
                    id,
                    conversation,
                    to,
                },
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!((conversation.as_str(), to.as_str()), ("c-1", "Sam"));
    assert_eq!(app.inbox.composer.lines(), ["One moment"]);
    let failed_id = id.clone();
    // The desk refuses (Sam is away): the status bar says so, naming the transfer.
    let refusal = ServerMsg::Error {
        id: Some(failed_id),
        code: ErrorCode::InvalidState,
        message: "Sam is away: chats are transferred to available agents".into(),
    };
    from_broker(&mut app, Side::Agent, refusal);
    assert!(
        last_notice(&app).starts_with("Transferring to Sam failed: Sam is away"),
        "{}",
        last_notice(&app)
    );

    // To Marco it goes through: the chat is no longer Lisa's, so the focus leaves the reply.
    app.focus = Focus::Inbox;
    update(&mut app, key(KeyCode::Char('t')));
    let cmds = update(&mut app, key(KeyCode::Enter));
    let [
        Command::Send {
            msg: ClientMsg::Transfer { id, to, .. },
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(to, "Marco");
    ack(&mut app, Side::Agent, id);
    assert_eq!(app.focus, Focus::Inbox);
    assert_eq!(last_notice(&app), "Transferred to Marco");
}

#[test]
fn r_asks_why_keeping_the_reply_being_written_aside() {
    let mut app = offered();
    on_the_desk(&mut app, None);
    app.focus = Focus::Reply;
    typed(&mut app, "half a reply");
    app.focus = Focus::Inbox;
    update(&mut app, key(KeyCode::Char('r')));
    assert_eq!(app.focus, Focus::Reply);
    assert!(app.inbox.composer.is_empty());
    let (text, _) = screen(&app, 160, 48);
    assert!(
        text.contains("Reason for rejecting (Esc cancels)"),
        "{text}"
    );
    // Esc gives up: nothing is sent and the reply is back.
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert_eq!(app.inbox.composer.lines(), ["half a reply"]);
    // Enter alone rejects without a reason; the reply is back again.
    app.focus = Focus::Inbox;
    update(&mut app, key(KeyCode::Char('r')));
    let cmds = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { msg: ClientMsg::Reject { reason, .. }, .. }] if reason == "no reason given"),
        "{cmds:?}"
    );
    assert_eq!(app.inbox.composer.lines(), ["half a reply"]);
    assert_eq!(app.focus, Focus::Inbox);
}

#[test]
fn with_nobody_available_t_suggests_no_one_but_takes_a_name() {
    let mut app = offered();
    on_the_desk(&mut app, Some("Lisa"));
    app.inbox.desk = vec![
        desk_agent("Lisa", Presence::Available, 1),
        desk_agent("Sam", Presence::Away, 0),
    ];
    update(&mut app, key(KeyCode::Char('t')));
    assert!(app.inbox.composer.is_empty());
    let (text, _) = screen(&app, 160, 48);
    assert!(
        text.contains("Nobody else is available: Sam (away)"),
        "{text}"
    );
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    typed(&mut app, "Sam");
    let cmds = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { msg: ClientMsg::Transfer { to, .. }, .. }] if to == "Sam"),
        "{cmds:?}"
    );
}

#[test]
fn a_reply_to_a_chat_that_went_on_in_the_system_is_kept_and_not_sent() {
    let mut app = offered();
    on_the_desk(&mut app, Some("Lisa"));
    let system = "Vayusphere".to_owned();
    let reason = EndReason::HandedOver { system };
    event(
        &mut app,
        Side::Agent,
        9,
        ConversationEvent::ChatEnded { reason },
    );
    app.focus = Focus::Reply;
    for c in "hi".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.inbox.composer.lines(), ["hi"]);
    assert_eq!(
        last_notice(&app),
        "Not sent: this chat ended (handed over to Vayusphere)"
    );
}
