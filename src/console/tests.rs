//! `update` and rendering driven by hand-made broker frames (no IO).

use super::*;
use crate::protocol::{
    AgentInfo, Audience, BrokerInfo, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage,
    ClientMsg, ClientRole, ConversationEvent, DeskAgent, HandoffState, HandoffStyle, Part,
    Presence, RequestId, Role, ServerMsg, StepStatus, UserInfo,
};
use crate::theme::Theme;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;

fn broker() -> BrokerInfo {
    BrokerInfo {
        version: "0.1.0".into(),
        system: "8x8 (mock)".into(),
        style: HandoffStyle::Brokered,
        queue_timeout_ms: 120_000,
        max_message_bytes: 65_536,
    }
}

fn welcome(app: &mut App) {
    let user = ServerMsg::Welcome {
        protocol: 1,
        session: "s-1".into(),
        role: ClientRole::User,
        conversation: Some("c-1".into()),
        agent: None,
        broker: broker(),
    };
    let agent = ServerMsg::Welcome {
        protocol: 1,
        session: "s-2".into(),
        role: ClientRole::Agent,
        conversation: None,
        agent: Some("Lisa".into()),
        broker: broker(),
    };
    update(
        app,
        Msg::Server {
            side: Side::User,
            msg: user,
        },
    );
    update(
        app,
        Msg::Server {
            side: Side::Agent,
            msg: agent,
        },
    );
    let desk = ServerMsg::Desk {
        agents: vec![
            DeskAgent {
                name: "Lisa".into(),
                presence: Presence::Available,
                active_chats: 0,
            },
            DeskAgent {
                name: "Sam".into(),
                presence: Presence::Away,
                active_chats: 0,
            },
        ],
    };
    update(
        app,
        Msg::Server {
            side: Side::Agent,
            msg: desk,
        },
    );
}

fn event(app: &mut App, side: Side, seq: u64, event: ConversationEvent) {
    let audience = if side == Side::User {
        Audience::User
    } else {
        Audience::Agent
    };
    let msg = ServerMsg::Event {
        conversation: "c-1".into(),
        seq,
        at: 1_000,
        audience,
        event,
    };
    update(app, Msg::Server { side, msg });
}

fn message(id: &str, role: Role, parts: Vec<Part>) -> ConversationEvent {
    let agent = (role == Role::Agent).then(|| AgentInfo {
        name: "Lisa".into(),
        avatar: None,
        on_behalf: true,
    });
    ConversationEvent::Message {
        message: ChatMessage {
            id: id.into(),
            role,
            agent,
            parts,
            at: 0,
        },
    }
}

fn buttons(state: ButtonState) -> Part {
    let b = |t: &str, style, action| Button {
        button_text: t.into(),
        style,
        action,
        state,
    };
    Part::Buttons {
        buttons: vec![
            b(
                "Start agent chat",
                ButtonStyle::Filled,
                ButtonAction::StartAgentChat,
            ),
            b(
                "Edit / Add details",
                ButtonStyle::Outlined,
                ButtonAction::EditDetails,
            ),
            b(
                "Other help options",
                ButtonStyle::Outlined,
                ButtonAction::OtherHelp,
            ),
        ],
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, key(KeyCode::Char(c)));
    }
}

/// The seed 000 conversation up to the summary with its buttons.
fn offered() -> App {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    app.size = ratatui::layout::Rect::new(0, 0, 160, 48);
    welcome(&mut app);
    event(
        &mut app,
        Side::User,
        2,
        message(
            "m1",
            Role::User,
            vec![Part::text("<p>I'd like to speak to a live agent</p>")],
        ),
    );
    event(
        &mut app,
        Side::User,
        3,
        message(
            "m2",
            Role::Assistant,
            vec![Part::text(
                "<p>Could you please provide more details about the issue you're experiencing so I can connect you with a live agent effectively?</p>",
            )],
        ),
    );
    event(
        &mut app,
        Side::User,
        4,
        message(
            "m3",
            Role::User,
            vec![Part::text(
                "<p>I'm running into a strange issue with a SQL database that I'm using.</p>",
            )],
        ),
    );
    event(
        &mut app,
        Side::User,
        5,
        message(
            "m4",
            Role::Assistant,
            vec![
                Part::step(
                    "<p>Determining appropriate live agent queue</p>",
                    StepStatus::Success,
                ),
                Part::text(
                    "<p>I understand you're having an issue with your <strong>SQL Database </strong>and would like to speak with a live agent. Please review the provided available option to proceed.&nbsp;</p>",
                ),
                buttons(ButtonState::Active),
            ],
        ),
    );
    app
}

fn screen(app: &App, w: u16, h: u16) -> (String, ratatui::buffer::Buffer) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| crate::ui::render(app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let text = (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, buf)
}

#[test]
fn enter_sends_say_with_a_local_echo() {
    let mut app = App::new(Theme::default(), "ws://x");
    welcome(&mut app);
    typed(&mut app, "I'd like to speak to a live agent");
    let cmds = update(&mut app, key(KeyCode::Enter));
    let [
        Command::Send {
            side: Side::User,
            msg:
                ClientMsg::Say {
                    id,
                    conversation,
                    text,
                },
        },
    ] = cmds.as_slice()
    else {
        panic!("expected one say, got {cmds:?}");
    };
    assert_eq!(conversation.as_str(), "c-1");
    assert_eq!(text, "I'd like to speak to a live agent");
    assert_eq!(app.chat.echoes.len(), 1);
    assert!(app.chat.composer.is_empty());
    assert!(screen(&app, 120, 30).0.contains("sending…"));
    // The broker's echo replaces the local one.
    event(
        &mut app,
        Side::User,
        2,
        message(
            "m1",
            Role::User,
            vec![Part::text("<p>I'd like to speak to a live agent</p>")],
        ),
    );
    assert!(app.chat.echoes.is_empty());
    update(
        &mut app,
        Msg::Server {
            side: Side::User,
            msg: ServerMsg::Ack { id: id.clone() },
        },
    );
    // Up recalls it.
    update(&mut app, key(KeyCode::Up));
    assert_eq!(
        app.chat.composer.lines(),
        ["I'd like to speak to a live agent"]
    );
}

#[test]
fn tab_enters_the_buttons_and_enter_presses_start_agent_chat() {
    let mut app = offered();
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Buttons);
    update(&mut app, key(KeyCode::Right));
    update(&mut app, key(KeyCode::Left));
    let cmds = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(
        cmds.as_slice(),
        [Command::Send { side: Side::User, msg: ClientMsg::Press { message, action: ButtonAction::StartAgentChat, .. } }]
            if message.as_str() == "m4"
    ));
}

#[test]
fn alt_digit_presses_the_nth_button_and_pressed_buttons_refuse() {
    let mut app = offered();
    let alt2 = Msg::Input(Event::Key(KeyEvent::new(
        KeyCode::Char('2'),
        KeyModifiers::ALT,
    )));
    let cmds = update(&mut app, alt2.clone());
    assert!(matches!(
        cmds.as_slice(),
        [Command::Send {
            msg: ClientMsg::Press {
                action: ButtonAction::EditDetails,
                ..
            },
            ..
        }]
    ));
    event(
        &mut app,
        Side::User,
        6,
        message("m4", Role::Assistant, vec![buttons(ButtonState::Expired)]),
    );
    assert!(update(&mut app, alt2).is_empty());
    assert!(
        app.notices
            .back()
            .is_some_and(|n| n.error && n.text.contains("has expired"))
    );
}

#[test]
fn clicking_a_button_presses_it() {
    let mut app = offered();
    let (text, _) = screen(&app, 160, 48);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Other help options"))
        .unwrap();
    let col = line.chars().position(|c| c == 'O').unwrap() as u16 + 1;
    let click = Msg::Input(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row: row as u16,
        modifiers: KeyModifiers::NONE,
    }));
    let cmds = update(&mut app, click);
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Send {
                msg: ClientMsg::Press {
                    action: ButtonAction::OtherHelp,
                    ..
                },
                ..
            }]
        ),
        "{cmds:?}"
    );
}

fn request() -> ConversationEvent {
    ConversationEvent::Request {
        title: "I'm running into a strange issue with a SQL database that I'm using.".into(),
        user: UserInfo::default(),
        topic: "SQL Database".into(),
        context: BTreeMap::from([("domain".into(), "IT".into()), ("language".into(), "en".into())]),
        history: "Alex Kim: I'd like to speak to a live agent\nAssistant: Could you please provide more details?".into(),
        queued_at: 1_000,
        style: HandoffStyle::Brokered,
    }
}

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
fn errors_are_shown_and_drop_the_echo() {
    let mut app = offered();
    typed(&mut app, "hello");
    update(&mut app, key(KeyCode::Enter));
    let id = RequestId::from("u-1");
    let err = ServerMsg::Error {
        id: Some(id),
        code: crate::protocol::ErrorCode::InvalidState,
        message: "no".into(),
    };
    update(
        &mut app,
        Msg::Server {
            side: Side::User,
            msg: err,
        },
    );
    assert!(app.chat.echoes.is_empty());
    assert_eq!(
        app.notices.back().map(|n| n.text.as_str()),
        Some("Sending failed: no (invalid_state)")
    );
}

#[test]
fn scrolled_back_views_stay_put_and_count_new_messages() {
    let mut app = offered();
    app.size = ratatui::layout::Rect::new(0, 0, 80, 24);
    update(&mut app, key(KeyCode::PageUp));
    let back = app.chat.scroll.back;
    assert!(back > 0);
    event(
        &mut app,
        Side::User,
        9,
        message("m9", Role::Assistant, vec![Part::text("<p>new</p>")]),
    );
    assert_eq!(app.chat.scroll.unseen, 1);
    assert!(app.chat.scroll.back > back);
    assert!(screen(&app, 80, 24).0.contains("1 new"));
    update(&mut app, key(KeyCode::PageDown));
    update(&mut app, key(KeyCode::PageDown));
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.chat.scroll, Scroll::default());
}

#[test]
fn state_shows_the_wait_in_the_status_bar() {
    let mut app = offered();
    let since = 1_000_000;
    event(
        &mut app,
        Side::User,
        10,
        ConversationEvent::State {
            state: HandoffState::Queued {
                since,
                deadline: since + 120_000,
                position: None,
                eta_secs: None,
            },
        },
    );
    update(&mut app, Msg::Tick(since + 42_000));
    assert_eq!(
        crate::ui::status::state_text(&app),
        "queued 0:42 / fallback 2:00"
    );
    assert!(app.animating());
}

#[test]
fn q_quits_outside_composers_and_types_inside() {
    let mut app = offered();
    update(&mut app, key(KeyCode::Char('q')));
    assert!(!app.quit);
    assert_eq!(app.chat.composer.lines(), ["q"]);
    app.focus = Focus::Inbox;
    assert_eq!(
        update(&mut app, key(KeyCode::Char('q'))),
        vec![Command::Quit]
    );
}

#[test]
fn help_lists_the_focused_pane_and_closes_with_esc() {
    let mut app = offered();
    app.focus = Focus::Inbox;
    update(&mut app, key(KeyCode::Char('?')));
    assert!(app.help);
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("accept the request"), "{text}");
    assert!(text.contains("Everywhere"));
    update(&mut app, key(KeyCode::Esc));
    assert!(!app.help);
}

#[test]
fn agent_text_is_sanitised_on_screen() {
    let mut app = offered();
    event(
        &mut app,
        Side::User,
        11,
        message(
            "m10",
            Role::Agent,
            vec![Part::text("<p>hi\u{1b}[2J\u{1b}]0;pwned\u{7} there</p>")],
        ),
    );
    let (text, buf) = screen(&app, 160, 48);
    assert!(text.contains("hi there"), "{text}");
    assert!(!buf.content().iter().any(|c| c.symbol().contains('\u{1b}')));
}

#[test]
fn too_small_terminals_get_a_message() {
    let app = offered();
    let (text, _) = screen(&app, 30, 10);
    assert!(text.contains("needs at least"), "{text}");
}

#[test]
fn inspector_records_and_filters_frames() {
    let mut app = offered();
    for (i, t) in [
        r#"{"type":"ack","id":"u-1"}"#,
        r#"{"type":"event","seq":4,"event":{"kind":"state"}}"#,
    ]
    .iter()
    .enumerate()
    {
        update(
            &mut app,
            Msg::Frame {
                side: Side::User,
                direction: Direction::In,
                at: i as u64,
                text: (*t).to_owned(),
            },
        );
    }
    update(
        &mut app,
        Msg::Input(Event::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE))),
    );
    assert_eq!(app.inspector.frames[1].summary, "event/state");
    assert_eq!(app.inspector.frames[1].seq, Some(4));
    app.focus = Focus::Inspector;
    typed(&mut app, "/ack");
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("ack"), "{text}");
    assert!(!text.contains("event/state"), "{text}");
}

#[test]
fn print_screens_for_review() {
    let mut app = offered();
    app.focus = Focus::Buttons;
    event(&mut app, Side::Agent, 7, request());
    println!("{}", screen(&app, 160, 48).0);
    println!("{}", screen(&app, 80, 24).0);
}

#[test]
fn a_theme_error_is_shown_in_full_until_the_chat_starts() {
    let mut app = App::new(Theme::default(), "ws://x");
    welcome(&mut app);
    app.theme_error = Some("theme file t.toml: key `palette.accent` has invalid colour \"#zz\". Using the default theme.".into());
    let (text, _) = screen(&app, 80, 24);
    assert!(
        text.contains("theme file t.toml: key `palette.accent` has invalid colour"),
        "{text}"
    );
    assert!(text.contains("default theme."), "{text}");
}

#[test]
fn after_a_resize_clicks_hit_the_new_layout() {
    let mut app = offered();
    update(&mut app, Msg::Input(Event::Resize(80, 24)));
    assert_eq!(app.size, ratatui::layout::Rect::new(0, 0, 80, 24));
    let (text, _) = screen(&app, 80, 24);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("[Edit / Add details]"))
        .unwrap();
    let col = line.chars().position(|c| c == 'E').unwrap() as u16;
    let click = Msg::Input(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row: row as u16,
        modifiers: KeyModifiers::NONE,
    }));
    let cmds = update(&mut app, click);
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Send {
                msg: ClientMsg::Press {
                    action: ButtonAction::EditDetails,
                    ..
                },
                ..
            }]
        ),
        "{cmds:?}"
    );
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
fn notices_leave_the_status_bar_after_a_while() {
    let mut app = offered();
    app.notify(false, "Request accepted");
    assert!(screen(&app, 160, 48).0.contains("Request accepted"));
    let later = app.now + NOTICE_SHOWN_MS;
    update(&mut app, Msg::Tick(later));
    assert!(!screen(&app, 160, 48).0.contains("Request accepted"));
}

#[test]
fn question_mark_on_an_empty_composer_opens_help_and_is_typed_otherwise() {
    let mut app = offered();
    update(&mut app, key(KeyCode::Char('?')));
    assert!(app.help);
    update(&mut app, key(KeyCode::Esc));
    typed(&mut app, "why?");
    assert!(!app.help);
    assert_eq!(app.chat.composer.lines(), ["why?"]);
}

#[test]
fn tab_skips_buttons_that_can_no_longer_be_pressed() {
    let mut app = offered();
    event(
        &mut app,
        Side::User,
        6,
        message("m4", Role::Assistant, vec![buttons(ButtonState::Expired)]),
    );
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Inbox);
}

#[test]
fn focus_leaves_buttons_that_expire() {
    let mut app = offered();
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Buttons);
    event(
        &mut app,
        Side::User,
        6,
        message("m4", Role::Assistant, vec![buttons(ButtonState::Expired)]),
    );
    assert_eq!(app.focus, Focus::Chat);
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

#[test]
fn connector_traces_are_summarised_in_the_inspector() {
    let mut app = offered();
    let text = r#"{"type":"trace","call":{"at":1,"system":"8x8","name":"create conversation","kind":"http","method":"POST","url":"https://x.test/c","status":201}}"#;
    update(
        &mut app,
        Msg::Frame {
            side: Side::Agent,
            direction: Direction::In,
            at: 1,
            text: text.to_owned(),
        },
    );
    assert_eq!(
        app.inspector.frames.back().map(|f| f.summary.as_str()),
        Some("trace/8x8 POST create conversation 201")
    );
}
