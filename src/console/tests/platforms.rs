//! The user pane on several chat platforms (issue 15, rule 8): the palette switches platform,
//! the pane reconnects as it into that platform's own conversation, and switching back shows
//! the first conversation whole; Slack refuses the paperclip with the reason.

use super::*;
use crate::console::session::hello;
use crate::protocol::Platform;

/// An event of `conversation` on the user connection.
fn user_event_of(app: &mut App, conversation: &str, seq: u64, event: ConversationEvent) {
    let msg = ServerMsg::Event {
        conversation: conversation.into(),
        seq,
        at: 1_000,
        audience: Audience::User,
        event,
    };
    from_broker(app, Side::User, msg);
}

fn says(text: &str) -> ConversationEvent {
    message(text, Role::User, vec![Part::text(format!("<p>{text}</p>"))])
}

/// The user connection welcomed into `conversation`, whose first event is the user saying
/// `text`.
fn joined(app: &mut App, conversation: &str, secret: Option<&str>, text: &str) {
    let welcome = welcomed("s-1", ClientRole::User, Some(conversation), None, secret);
    from_broker(app, Side::User, welcome);
    user_event_of(app, conversation, 1, says(text));
}

/// Switches platform through the palette; returns the commands it gave.
fn switch(app: &mut App) -> Vec<Command> {
    update(app, ctrl('p'));
    typed(app, "switch platform");
    update(app, key(KeyCode::Enter))
}

/// What the user connection says when it reconnects: (platform, conversation, resume).
fn rejoins(app: &App) -> (Option<Platform>, Option<String>, Option<String>) {
    let ClientMsg::Hello {
        platform,
        conversation,
        resume,
        ..
    } = hello(app, Side::User)
    else {
        panic!("not a hello")
    };
    (platform, conversation.map(|c| c.0), resume)
}

#[test]
fn switching_platform_keeps_each_conversation_and_switching_back_shows_it_whole() {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    joined(
        &mut app,
        "c-web",
        Some("secret-web"),
        "my printer is on fire",
    );
    assert_eq!(rejoins(&app).0, None, "Web hellos are protocol-1 hellos");

    assert_eq!(switch(&mut app), [Command::NewConversation]);
    assert_eq!(app.chat.platform, Platform::Teams);
    assert_eq!(rejoins(&app), (Some(Platform::Teams), None, None));
    // A late event of the Web conversation does not land in the Teams pane.
    user_event_of(&mut app, "c-web", 2, says("late web news"));
    joined(
        &mut app,
        "c-teams",
        Some("secret-teams"),
        "what is the wifi password",
    );
    let (text, _) = screen(&app, 120, 40);
    assert!(text.contains("Teams: You ⇄ Assistant"), "{text}");
    assert!(
        text.contains("wifi password") && !text.contains("printer"),
        "{text}"
    );
    assert!(!text.contains("late web news"), "{text}");

    switch(&mut app);
    assert_eq!(app.chat.platform, Platform::Slack);
    switch(&mut app);
    assert_eq!(app.chat.platform, Platform::Web);
    assert_eq!(
        rejoins(&app),
        (None, Some("c-web".into()), Some("secret-web".into())),
        "back on Web, the pane resumes the Web conversation"
    );
    joined(&mut app, "c-web", None, "my printer is on fire");
    let (text, _) = screen(&app, 120, 40);
    assert!(
        text.contains("printer is on fire") && !text.contains("wifi"),
        "{text}"
    );
    assert!(
        !text.contains("Web:"),
        "Web, the default, is not named: {text}"
    );
    let kept = BTreeMap::from([(
        Platform::Teams,
        ("c-teams".into(), Some("secret-teams".to_owned())),
    )]);
    assert_eq!(app.chat.elsewhere, kept, "one entry per platform left");
}

#[test]
fn on_slack_the_paperclip_is_refused_with_the_reason() {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    app.chat.platform = Platform::Slack;
    welcome(&mut app);
    let connected = HandoffState::Connected {
        agent: "Lisa".into(),
        since: 1,
        with: Vec::new(),
    };
    event(
        &mut app,
        Side::User,
        1,
        ConversationEvent::State { state: connected },
    );
    assert!(update(&mut app, ctrl('o')).is_empty());
    assert_eq!(
        app.chat.mode,
        crate::console::panes::chat::ComposeMode::Message
    );
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("Slack chats take no attachments"), "{text}");
}
