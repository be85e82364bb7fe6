//! The whole screen: status bar, help, quitting, small terminals, inspector, themes, resizes.

use super::*;

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
        crate::console::panes::status::state_text(&app),
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
fn help_that_does_not_fit_scrolls_to_its_end_and_back() {
    let mut app = offered();
    app.size = ratatui::layout::Rect::new(0, 0, 80, 18);
    update(&mut app, key(KeyCode::F(1)));
    let (text, _) = screen(&app, 80, 18);
    assert!(text.contains("↑↓ scroll"), "{text}");
    assert!(
        !text.contains("closes this help"),
        "the end does not fit at first:\n{text}"
    );
    update(&mut app, key(KeyCode::End));
    let (text, _) = screen(&app, 80, 18);
    assert!(
        text.contains("closes this help"),
        "End shows the last line:\n{text}"
    );
    // Scrolling past the end goes nowhere; Home goes back to the top.
    let end = app.help_scroll;
    update(&mut app, key(KeyCode::Down));
    assert_eq!(app.help_scroll, end);
    update(&mut app, key(KeyCode::Home));
    assert_eq!(app.help_scroll, 0);
    // Reopening starts at the top.
    update(&mut app, key(KeyCode::End));
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::F(1)));
    assert_eq!(app.help_scroll, 0);
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
        update(&mut app, received(Side::User, i as u64, *t));
    }
    update(&mut app, key(KeyCode::F(2)));
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
    let cmds = click_on(&mut app, 80, 24, "[Edit / Add details]");
    assert_eq!(pressed(&cmds), Some(ButtonAction::EditDetails), "{cmds:?}");
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
fn connector_traces_are_summarised_in_the_inspector() {
    let mut app = offered();
    let text = r#"{"type":"trace","call":{"at":1,"system":"8x8","name":"create conversation","kind":"http","method":"POST","url":"https://x.test/c","status":201}}"#;
    assert_eq!(
        summary_of(&mut app, text),
        "trace/8x8 POST create conversation 201"
    );
}

#[test]
fn translated_messages_are_marked_in_the_inspector_with_their_languages() {
    let mut app = offered();
    let message = |translation: &str| {
        format!(
            r#"{{"type":"event","conversation":"c-1","seq":9,"at":1,"audience":"both","event":{{"kind":"message","message":{{"id":"m-9","role":"user","at":1,"parts":[{{"richText":"<p>Hello</p>"}}],"translation":{translation}}}}}}}"#
        )
    };
    let done = message(r#"{"original":"Hola","from":"es","to":"en"}"#);
    assert_eq!(summary_of(&mut app, &done), "event/message ⇄ es→en");
    let failed = message(r#"{"original":"Hola","to":"en","error":"LibreTranslate: HTTP 403"}"#);
    assert_eq!(
        summary_of(&mut app, &failed),
        "event/message ⚠ untranslated"
    );
    let frame = app.inspector.frames.back().unwrap();
    assert!(
        frame.pretty.contains("\"original\": \"Hola\""),
        "the original is in the frame"
    );
}

#[test]
fn a_notice_arms_a_tick_for_its_expiry_even_when_nothing_moves() {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    assert_eq!(app.tick_interval(), None, "an idle console sleeps");
    app.notify(false, "Request accepted");
    assert_eq!(
        app.tick_interval(),
        Some(std::time::Duration::from_millis(NOTICE_SHOWN_MS))
    );
    app.dirty = false;
    let expiry = app.now + NOTICE_SHOWN_MS;
    update(&mut app, Msg::Tick(expiry));
    assert!(app.dirty, "the expiry redraws the status bar");
    assert_eq!(app.tick_interval(), None);
}

#[test]
fn a_long_notice_leaves_the_key_hints_and_f1_help_visible() {
    let mut app = offered();
    app.notify(true, "x".repeat(500));
    for width in [80, 120, 160] {
        let (text, _) = screen(&app, width, 30);
        let status = text.lines().last().unwrap_or_default().to_owned();
        assert!(status.contains("Enter send"), "{width}: {status}");
        assert!(status.contains("F1 help"), "{width}: {status}");
        if width >= 120 {
            assert!(status.contains("xxx…"), "{width}: {status}");
        }
    }
}

#[test]
fn the_title_of_a_barge_in_chat_names_every_agent() {
    let mut app = offered();
    let state = HandoffState::Connected {
        agent: "Sam".into(),
        since: 1,
        with: vec!["Lisa".into()],
    };
    event(&mut app, Side::User, 20, ConversationEvent::State { state });
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("You ⇄ Lisa and Sam (live agents)"), "{text}");
    assert!(text.contains("live with Lisa and Sam"), "{text}");
}

#[test]
fn scrolling_a_filtered_inspector_stops_at_the_oldest_match() {
    let mut app = offered();
    for n in 0..40u64 {
        let text = if n % 4 == 0 {
            format!(r#"{{"type":"ack","id":"u-{n}"}}"#)
        } else {
            format!(r#"{{"type":"event","seq":{n},"event":{{"kind":"state"}}}}"#)
        };
        let frame = received(Side::User, n, text);
        update(&mut app, frame);
    }
    app.inspector.open = true;
    app.focus = Focus::Inspector;
    typed(&mut app, "/ack");
    update(&mut app, key(KeyCode::Enter));
    // Home, then Up past the top and PageUp: still on the oldest ack, never an empty view.
    update(&mut app, key(KeyCode::Home));
    for _ in 0..5 {
        update(&mut app, key(KeyCode::Up));
    }
    update(&mut app, key(KeyCode::PageUp));
    assert_eq!(app.inspector.back, 9, "ten acks: the oldest is nine back");
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains(r#""id": "u-0""#), "{text}");
    assert!(!text.contains("No frames match"), "{text}");
    // One Down shows newer frames at once (no dead keys past the top).
    update(&mut app, key(KeyCode::Down));
    assert_eq!(app.inspector.back, 8);
    // A new match while scrolled back keeps the view where it is.
    let frame = received(Side::User, 99, r#"{"type":"ack","id":"u-99"}"#);
    update(&mut app, frame);
    assert_eq!(app.inspector.back, 9);
    // Clearing the filter goes back to the latest frame.
    update(&mut app, key(KeyCode::Char('c')));
    assert_eq!(app.inspector.back, 0);
}

#[test]
fn a_trace_whose_name_says_its_method_shows_the_method_once() {
    let mut app = offered();
    let text = r#"{"type":"trace","call":{"at":1,"system":"Glia","name":"PUT /engagements/{id}/chat_messages/{uuid}","kind":"http","method":"PUT","url":"http://127.0.0.1:1/e","status":200}}"#;
    assert_eq!(
        summary_of(&mut app, text),
        "trace/Glia PUT /engagements/{id}/chat_messages/{uuid} 200"
    );
}

#[test]
fn traces_show_once_and_also_without_an_agent_connection() {
    let mut app = offered();
    let text = r#"{"type":"trace","call":{"at":1,"system":"Glia","name":"POST /queue_tickets","kind":"http","method":"POST","url":"http://127.0.0.1:1/q","status":201}}"#;
    let frame = |side| received(side, 1, text);
    update(&mut app, frame(Side::Agent));
    update(&mut app, frame(Side::User));
    assert_eq!(
        app.inspector.frames.len(),
        1,
        "one copy while both are connected"
    );
    // A real system refuses the agent connection (no desk): the user one brings the calls.
    app.agent_link = Link::Reconnecting {
        attempt: 1,
        error: "Glia has no simulated desk here".into(),
    };
    update(&mut app, frame(Side::User));
    assert_eq!(app.inspector.frames.len(), 2);
}

#[test]
fn on_80_columns_a_notice_shares_the_status_bar_with_the_first_hint() {
    let mut app = offered();
    app.notify(false, "New request in the inbox");
    let (text, _) = screen(&app, 80, 24);
    let status = text.lines().last().unwrap_or_default().to_owned();
    assert!(status.contains("New request"), "{status}");
    assert!(status.contains("Enter send"), "{status}");
    assert!(status.contains("F1 help"), "{status}");
}
