//! The user chat: composer, local echo, buttons by keyboard and mouse, scrolling, sanitising.

use super::*;

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
    first_user_message(&mut app, 2);
    assert!(app.chat.echoes.is_empty());
    ack(&mut app, Side::User, id);
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
    let alt2 = chord(KeyCode::Char('2'), KeyModifiers::ALT);
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
    let cmds = click_on(&mut app, 160, 48, "Other help options");
    assert_eq!(pressed(&cmds), Some(ButtonAction::OtherHelp), "{cmds:?}");
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
    from_broker(&mut app, Side::User, err);
    assert!(app.chat.echoes.is_empty());
    assert_eq!(
        app.notices.back().map(|n| n.text.as_str()),
        Some("Sending failed: no (invalid_state)")
    );
}

/// A chat of `n` assistant messages `note-0` .. `note-{n-1}` (sequence numbers from 2).
fn chat_of(n: u64) -> App {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    welcome(&mut app);
    for i in 0..n {
        add_note(&mut app, i);
    }
    app
}

fn add_note(app: &mut App, i: u64) {
    let text = format!("<p>note-{i}</p>");
    let m = message(&format!("n{i}"), Role::Assistant, vec![Part::text(text)]);
    event(app, Side::User, i + 2, m);
}

/// Settles the scroll as the driver does before drawing, and the notes on screen.
fn drawn_notes(app: &mut App, w: u16, h: u16) -> (Vec<u64>, String) {
    app.size = ratatui::layout::Rect::new(0, 0, w, h);
    crate::console::view::settle_scrolls(app);
    let text = screen(app, w, h).0;
    let notes = text
        .split("note-")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    (notes, text)
}

#[test]
fn a_scrolled_back_view_stays_put_while_messages_arrive_and_counts_them() {
    let mut app = chat_of(40);
    let (bottom, _) = drawn_notes(&mut app, 80, 24);
    assert_eq!(bottom.last(), Some(&39), "follows the bottom");
    update(&mut app, key(KeyCode::PageUp));
    let (before, _) = drawn_notes(&mut app, 80, 24);
    assert!(before.last() < Some(&39), "scrolled back: {before:?}");
    let anchor = app.chat.scroll.anchor;
    for i in 40..45 {
        add_note(&mut app, i);
    }
    let (after, text) = drawn_notes(&mut app, 80, 24);
    assert_eq!(after, before, "the view stays where it was");
    assert_eq!(app.chat.scroll.anchor, anchor);
    assert_eq!(app.chat.scroll.unseen, 5);
    assert!(text.contains("↓ 5 new"), "{text}");
    // PageDown all the way follows again and forgets what was unseen.
    for _ in 0..30 {
        update(&mut app, key(KeyCode::PageDown));
        drawn_notes(&mut app, 80, 24);
    }
    assert_eq!(app.chat.scroll, Scroll::default());
}

#[test]
fn resizing_keeps_the_anchor_and_its_message_in_view() {
    let mut app = chat_of(40);
    update(&mut app, key(KeyCode::PageUp));
    update(&mut app, key(KeyCode::PageUp));
    let (before, _) = drawn_notes(&mut app, 80, 24);
    let anchor = app.chat.scroll.anchor.map(|a| a.message);
    let (narrow, _) = drawn_notes(&mut app, 60, 30);
    assert_eq!(app.chat.scroll.anchor.map(|a| a.message), anchor);
    assert_eq!(narrow.last(), before.last(), "{narrow:?} vs {before:?}");
    let (wide, _) = drawn_notes(&mut app, 160, 24);
    assert_eq!(wide.last(), before.last(), "{wide:?} vs {before:?}");
}

#[test]
fn paging_past_the_top_comes_back_at_once_and_ctrl_end_follows_again() {
    let mut app = chat_of(40);
    for _ in 0..50 {
        update(&mut app, key(KeyCode::PageUp));
    }
    let (top, _) = drawn_notes(&mut app, 80, 24);
    assert_eq!(top.first(), Some(&0), "{top:?}");
    update(&mut app, key(KeyCode::PageDown));
    let (down, _) = drawn_notes(&mut app, 80, 24);
    assert!(down.first() > Some(&0), "one page down at once: {down:?}");
    update(&mut app, chord(KeyCode::Home, KeyModifiers::CONTROL));
    assert_eq!(drawn_notes(&mut app, 80, 24).0.first(), Some(&0));
    add_note(&mut app, 40);
    update(&mut app, chord(KeyCode::End, KeyModifiers::CONTROL));
    assert_eq!(app.chat.scroll, Scroll::default());
    let (end, _) = drawn_notes(&mut app, 80, 24);
    assert_eq!(end.last(), Some(&40));
    add_note(&mut app, 41);
    assert_eq!(drawn_notes(&mut app, 80, 24).0.last(), Some(&41), "follows");
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
fn the_echo_named_by_the_brokers_message_is_the_one_replaced() {
    let mut app = App::new(Theme::default(), "ws://x");
    welcome(&mut app);
    // Two messages with the same text: the broker names the second.
    for _ in 0..2 {
        typed(&mut app, "same words");
        update(&mut app, key(KeyCode::Enter));
    }
    let ids: Vec<_> = app.chat.echoes.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids.len(), 2);
    let ConversationEvent::Message { mut message } =
        message("m1", Role::User, vec![Part::text("<p>same words</p>")])
    else {
        unreachable!()
    };
    message.request = Some(ids[1].clone());
    event(
        &mut app,
        Side::User,
        2,
        ConversationEvent::Message { message },
    );
    assert_eq!(
        app.chat
            .echoes
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>(),
        vec![ids[0].clone()]
    );
}

#[test]
fn a_paste_keeps_its_lines_whether_they_end_in_cr_lf_or_crlf() {
    let mut app = offered();
    update(
        &mut app,
        Msg::Input(Event::Paste("one\rtwo\r\nthree\nfour".into())),
    );
    assert_eq!(app.chat.composer.lines(), ["one", "two", "three", "four"]);
}

#[test]
fn any_pasted_text_keeps_one_composer_line_per_pasted_line() {
    // Arbitrary Unicode with every kind of line end, from a fixed seed so a failure repeats.
    const PIECES: &[&str] = &[
        "a",
        "é",
        "e\u{301}",
        "日本",
        "👩‍💻",
        "👍🏽",
        "\u{202e}",
        "\u{7}",
        "\t",
        "\r",
        "\n",
        "\r\n",
        "\u{1b}[31m",
        "ﷺ",
        " ",
    ];
    let mut rng = fastrand::Rng::with_seed(11);
    for _ in 0..2_000 {
        let text = pieced(&mut rng, PIECES, 40);
        let mut app = offered();
        update(&mut app, Msg::Input(Event::Paste(text.clone())));
        let ends = text.replace("\r\n", "\n").matches(['\r', '\n']).count();
        assert_eq!(app.chat.composer.lines().len(), ends + 1, "{text:?}");
        assert!(
            app.chat.composer.lines().iter().all(|l| !l.contains('\r')),
            "{text:?}"
        );
    }
}

#[test]
fn the_typing_indicator_goes_when_the_chat_ends() {
    let mut app = offered();
    let live = HandoffState::Connected {
        agent: "Lisa".into(),
        since: 1,
        with: vec![],
    };
    event(
        &mut app,
        Side::User,
        20,
        ConversationEvent::State { state: live },
    );
    event(
        &mut app,
        Side::User,
        21,
        ConversationEvent::Typing {
            who: "Lisa".into(),
            on: true,
        },
    );
    assert_eq!(app.chat.typing.as_deref(), Some("Lisa"));
    let ended = HandoffState::Ended {
        reason: EndReason::User,
    };
    event(
        &mut app,
        Side::User,
        22,
        ConversationEvent::State { state: ended },
    );
    assert_eq!(app.chat.typing, None);

    // The inbox forgets the user's typing when the chat ends.
    event(&mut app, Side::Agent, 7, request());
    event(
        &mut app,
        Side::Agent,
        8,
        ConversationEvent::Typing {
            who: "user".into(),
            on: true,
        },
    );
    assert!(app.inbox.chats[0].user_typing);
    event(
        &mut app,
        Side::Agent,
        9,
        ConversationEvent::ChatEnded {
            reason: EndReason::User,
        },
    );
    assert!(!app.inbox.chats[0].user_typing);
}

#[test]
fn a_message_over_the_size_limit_is_not_sent_and_stays_in_the_composer() {
    let mut app = offered();
    if let Some(broker) = app.broker.as_mut() {
        broker.max_message_bytes = 120;
    }
    let long = "é".repeat(100);
    typed(&mut app, &long);
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.chat.composer.lines(), [long.as_str()]);
    assert!(app.chat.echoes.is_empty(), "nothing is sending…");
    let notice = app
        .notices
        .back()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("over the broker's limit of 120 B"),
        "{notice}"
    );
    // Shortened, it goes.
    app.chat.composer = ratatui_textarea::TextArea::default();
    typed(&mut app, "é");
    assert_eq!(update(&mut app, key(KeyCode::Enter)).len(), 1);
}

#[test]
fn a_1009_close_brings_the_unsent_message_back_and_says_why() {
    let mut app = offered();
    typed(&mut app, "a very long message");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.chat.echoes.len(), 1);
    update(
        &mut app,
        Msg::Link {
            side: Side::User,
            link: Link::Reconnecting {
                attempt: 1,
                error: "closed by the broker (1009): message too big".into(),
            },
        },
    );
    assert!(app.chat.echoes.is_empty());
    assert_eq!(app.chat.composer.lines(), ["a very long message"]);
    let notice = app
        .notices
        .back()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(notice.contains("size limit (1009)"), "{notice}");
}

pub(super) fn welcome_user_into(app: &mut App, conversation: &str) {
    let msg = welcomed("s-9", ClientRole::User, Some(conversation), None, None);
    from_broker(app, Side::User, msg);
}

#[test]
fn ctrl_n_starts_a_new_conversation_as_another_user() {
    let mut app = offered();
    event(&mut app, Side::Agent, 7, request());
    typed(&mut app, "half a thought");
    let ctrl_n = ctrl('n');
    assert!(update(&mut app, ctrl_n).is_empty());
    assert!(matches!(app.chat.mode, ComposeMode::UserName { .. }));
    typed(&mut app, "María López");
    let commands = update(&mut app, key(KeyCode::Enter));
    assert_eq!(commands, [Command::NewConversation]);
    // The reconnect's hello, computed from the state, opens a new conversation as María.
    let ClientMsg::Hello {
        user: Some(user),
        conversation: None,
        since,
        ..
    } = crate::console::session::hello(&app, Side::User)
    else {
        panic!("not a fresh hello as a named user");
    };
    assert_eq!(user.name, "María López");
    assert_eq!(user.id, "u-maría-lópez");
    assert!(
        since.is_empty(),
        "nothing of the old conversation is resumed"
    );
    // What was being written comes back.
    assert_eq!(app.chat.composer.lines(), ["half a thought"]);

    welcome_user_into(&mut app, "c-2");
    assert_eq!(app.chat.conversation, Some("c-2".into()));
    assert!(app.chat.transcript.messages().is_empty());
    assert_eq!(app.chat.state, HandoffState::Assistant);
    assert!(
        app.inbox.chats[0].ended.is_none(),
        "the old conversation lives on at the broker"
    );
}

#[test]
fn esc_gives_up_the_new_conversation() {
    let mut app = offered();
    let ctrl_n = ctrl('n');
    update(&mut app, ctrl_n);
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert_eq!(app.chat.mode, ComposeMode::Message);
    assert!(!app.chat.restarting);
}

#[test]
fn after_a_broker_restart_the_inbox_forgets_no_dead_chat() {
    let mut app = offered();
    event(&mut app, Side::Agent, 7, request());
    assert!(app.inbox.chats[0].ended.is_none());
    // The broker lost c-1: the user side was welcomed into a conversation nobody asked for.
    welcome_user_into(&mut app, "c-2");
    assert!(matches!(
        &app.inbox.chats[0].ended,
        Some(EndReason::Error { message }) if message.contains("restarted")
    ));
    // The lost conversation stays shown, closed by a line; the new one starts below it.
    let last = app
        .chat
        .transcript
        .messages()
        .last()
        .expect("the old conversation");
    assert_eq!(last.role, crate::protocol::Role::System);
    assert!(
        app.chat
            .transcript
            .latest_with_buttons()
            .is_none_or(|(_, m)| m
                .buttons()
                .all(|b| b.state == crate::protocol::ButtonState::Expired))
    );
    let notice = app
        .notices
        .back()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(notice.contains("broker restarted"), "{notice}");
}
