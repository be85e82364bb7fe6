//! The links overlay: what "Other help options" offers, URLs in messages, open and copy.

use super::*;
use crate::console::links;

/// The assistant's "Other help options" answer: a web page and a phone number.
fn other_help(app: &mut App) {
    let b = |t: &str, url: &str| Button {
        button_text: t.into(),
        style: ButtonStyle::Outlined,
        action: ButtonAction::Open(url.into()),
        state: ButtonState::Active,
    };
    let parts = vec![
        Part::text("<p>Here are other ways to get help:</p>"),
        Part::Buttons {
            buttons: vec![
                b("Search the knowledge base", "https://kb.example.com/sql"),
                b("Call the service desk", "tel:+1-800-555-0100"),
            ],
        },
    ];
    event(app, Side::User, 30, message("m-30", Role::Assistant, parts));
}

#[test]
fn pressing_a_link_button_shows_what_it_offers_and_records_the_press() {
    let mut app = offered();
    other_help(&mut app);
    let commands = update(&mut app, chord(KeyCode::Char('2'), KeyModifiers::ALT));
    assert!(matches!(
        commands.as_slice(),
        [Command::Send {
            msg: ClientMsg::Press { .. },
            ..
        }]
    ));
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("Call the service desk"), "{text}");
    assert!(text.contains("☎ +1-800-555-0100"), "{text}");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Command::Open("tel:+1-800-555-0100".into())]
    );
    assert!(
        app.links.is_none(),
        "the overlay closes once the link is opened"
    );
}

#[test]
fn ctrl_l_lists_the_latest_links_to_open_or_copy() {
    let mut app = offered();
    other_help(&mut app);
    update(&mut app, ctrl('l'));
    let shown = app.links.as_ref().map(|l| l.items.len());
    assert_eq!(shown, Some(2));
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("https://kb.example.com/sql"), "{text}");
    assert!(
        text.contains("Enter, o open · c, y copy (OSC 52)"),
        "{text}"
    );
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Char('1')));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('c'))),
        vec![Command::Copy("https://kb.example.com/sql".into())]
    );
    // Esc closes without doing anything; keys go back to the panes.
    update(&mut app, ctrl('l'));
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert!(app.links.is_none());
}

#[test]
fn urls_in_an_agents_text_and_files_are_listed_too() {
    let mut app = offered();
    app.focus = Focus::Inbox;
    event(&mut app, Side::Agent, 7, request());
    let text =
        r#"<p>See <a href="https://x.example/a?b=1&amp;c=2">this</a>, or https://y.example/z.</p>"#;
    event(
        &mut app,
        Side::Agent,
        8,
        message("m-8", Role::Agent, vec![Part::text(text)]),
    );
    update(&mut app, ctrl('l'));
    let urls: Vec<String> = app
        .links
        .as_ref()
        .map(|l| l.items.iter().map(|i| i.url.clone()).collect())
        .unwrap_or_default();
    assert_eq!(urls, ["https://x.example/a?b=1&c=2", "https://y.example/z"]);
}

#[test]
fn no_links_says_so() {
    let mut app = offered();
    app.chat.transcript = crate::console::Transcript::default();
    update(&mut app, ctrl('l'));
    assert!(app.links.is_none());
    let notice = app
        .notices
        .back()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert_eq!(notice, "No links in this chat's messages");
}

#[test]
fn any_text_gives_only_openable_links_and_never_panics() {
    const PIECES: &[&str] = &[
        "https://",
        "http://",
        "tel:",
        "mailto:",
        "file://",
        "a",
        "é",
        "e\u{301}",
        "日本",
        "👩‍💻",
        "\u{202e}",
        "<",
        ">",
        "\"",
        " ",
        ".",
        "&amp;",
        "\r",
        "\n",
        "-",
        "?",
        "=",
    ];
    let mut rng = fastrand::Rng::with_seed(3);
    for _ in 0..3_000 {
        let text = pieced(&mut rng, PIECES, 30);
        let m = ChatMessage {
            id: "m-1".into(),
            role: Role::Agent,
            agent: None,
            parts: vec![Part::RichText {
                rich_text: text.clone(),
            }],
            at: 0,
            request: None,
            translation: None,
        };
        let items = links::of_message(&m);
        assert!(items.len() <= links::LINKS_SHOWN, "{text:?}");
        assert!(items.iter().all(|i| links::openable(&i.url)), "{text:?}");
    }
}
