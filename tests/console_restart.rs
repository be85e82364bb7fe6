//! "Restart the broker" from the palette, headless: the console's own broker (an engine on a
//! store) restarts in the middle of a live chat; both connections reconnect with `since`, the
//! chat goes on with the same agent, and what was shown before is still there, once.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod console_support;

use clap::Parser as _;
use console_support::Harness;
use crossterm::event::KeyCode;
use handoff::console::Focus;
use handoff::protocol::ButtonState;
use handoff::theme::Theme;
use std::sync::Arc;

/// The console's own broker on the mock desk, keeping conversations in `store`.
async fn engine(store: &std::path::Path) -> handoff::engine::Engine {
    let store = format!("--store={}", store.display());
    let cli = handoff::cli::Cli::try_parse_from(["handoff", "--greeting=", store.as_str()])
        .expect("options");
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    handoff::engine::start(&cli.console.engine, loopback, 16)
        .await
        .expect("the broker starts")
}

/// Ctrl+P, the entry's name, Enter.
async fn palette(h: &mut Harness, entry: &str) {
    h.ctrl('p').await;
    h.type_text(entry).await;
    h.key(KeyCode::Enter).await;
}

/// The user asks for an agent, Lisa accepts from the inbox and asks a first question, seen
/// in both panes; the inbox's reply box keeps the focus.
async fn live_chat_with_lisa(h: &mut Harness) {
    h.say("I'd like to speak to a live agent").await;
    h.see("more details").await;
    h.say("My VPN keeps disconnecting every few minutes").await;
    h.see("Start agent chat").await;
    h.alt('1').await;
    h.see("ringing Lisa").await;
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Tab).await;
    h.until_state("the inbox", |h| h.console.app.focus == Focus::Inbox)
        .await;
    h.key(KeyCode::Char('a')).await;
    h.until_state("the reply box", |h| h.console.app.focus == Focus::Reply)
        .await;
    h.say("Which VPN client do you use?").await;
    h.until("the reply in both panes", |s| {
        s.matches("Which VPN client do you use?").count() == 2
    })
    .await;
}

#[tokio::test]
async fn a_restart_from_the_palette_keeps_the_live_chat_and_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir.path().join("transcripts.sqlite")).await;
    let (url, token) = (engine.url(), engine.broker.token().clone());
    let slot = Arc::new(tokio::sync::Mutex::new(Some(engine)));
    let mut h = Harness::dial(token, &url, Theme::default(), 160, 48).await;
    h.console.engine = Some(Arc::clone(&slot));

    live_chat_with_lisa(&mut h).await;
    h.key(KeyCode::Esc).await;

    palette(&mut h, "restart the broker").await;
    h.see("The broker restarted on its store").await;
    h.until("both connections back", |s| s.contains("● user ● agent"))
        .await;

    h.key(KeyCode::Enter).await;
    h.until_state("the reply box", |h| h.console.app.focus == Focus::Reply)
        .await;
    h.say("Still here after the restart").await;
    h.until("the new reply in both panes", |s| {
        s.matches("Still here after the restart").count() == 2
    })
    .await;
    let screen = h.text();
    assert_eq!(
        screen.matches("Which VPN client do you use?").count(),
        2,
        "shown once in each pane, not replayed twice:\n{screen}"
    );
    assert!(!screen.contains("live agent chat was lost"), "{screen}");
    h.stop().await;
    let engine = slot.lock().await.take().expect("the restarted broker");
    engine.shutdown().await;
}

/// Every button of the user's transcript: its message, label and state.
fn button_states(h: &Harness) -> Vec<(String, String, ButtonState)> {
    h.console
        .app
        .chat
        .transcript
        .messages()
        .iter()
        .flat_map(|m| {
            m.buttons()
                .map(|b| (m.id.to_string(), b.button_text.clone(), b.state))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The palette's "Send the user a notification" with `text`, then Shift+Tab back to the
/// user's composer.
async fn notify(h: &mut Harness, text: &str) {
    palette(h, "send the user a notification").await;
    h.say(text).await;
    h.see(text).await;
    while h.console.app.focus != Focus::Chat {
        h.key(KeyCode::BackTab).await;
    }
}

#[tokio::test]
async fn buttons_that_wait_during_a_live_chat_still_wait_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir.path().join("transcripts.sqlite")).await;
    let (url, token) = (engine.url(), engine.broker.token().clone());
    let slot = Arc::new(tokio::sync::Mutex::new(Some(engine)));
    let mut h = Harness::dial(token, &url, Theme::default(), 160, 48).await;
    h.console.engine = Some(Arc::clone(&slot));

    h.say("I'd like to speak to a live agent").await;
    h.see("more details").await;
    notify(&mut h, "Before the chat").await;
    h.say("My VPN keeps disconnecting every few minutes").await;
    h.see("Start agent chat").await;
    h.alt('1').await;
    h.see("ringing Lisa").await;
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Tab).await;
    h.until_state("the inbox", |h| h.console.app.focus == Focus::Inbox)
        .await;
    h.key(KeyCode::Char('a')).await;
    h.see("live with Lisa").await;
    notify(&mut h, "During the chat").await;
    h.until_state("both notifications' buttons waiting", |h| {
        button_states(h)
            .iter()
            .filter(|(_, label, state)| label == "Got it" && *state == ButtonState::Disabled)
            .count()
            == 2
    })
    .await;
    let before = button_states(&h);
    assert!(
        before.iter().all(|(_, _, s)| *s != ButtonState::Active),
        "{before:?}"
    );

    palette(&mut h, "restart the broker").await;
    h.see("The broker restarted on its store").await;
    h.until("both connections back", |s| s.contains("● user ● agent"))
        .await;
    h.say("Still here").await;
    h.until("the message in both panes", |s| {
        s.matches("Still here").count() == 2
    })
    .await;
    assert_eq!(button_states(&h), before);
    h.key(KeyCode::Tab).await;
    assert_ne!(h.console.app.focus, Focus::Buttons, "no button to focus");
    h.stop().await;
    let engine = slot.lock().await.take().expect("the restarted broker");
    engine.shutdown().await;
}

#[tokio::test]
async fn a_broker_back_on_another_port_is_followed_there_and_the_chat_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = engine(&dir.path().join("transcripts.sqlite")).await;
    // Another program takes the old port while the broker is down.
    let old_port = Arc::new(std::sync::Mutex::new(None));
    let hook = Arc::clone(&old_port);
    engine.on_stopped(move |addr| {
        let listener = std::net::TcpListener::bind(addr).expect("the old port, free");
        *hook.lock().unwrap() = Some(listener);
    });
    let (url, token) = (engine.url(), engine.broker.token().clone());
    let slot = Arc::new(tokio::sync::Mutex::new(Some(engine)));
    let mut h = Harness::dial(token, &url, Theme::default(), 170, 48).await;
    h.console.engine = Some(Arc::clone(&slot));

    live_chat_with_lisa(&mut h).await;
    let before = h.console.app.chat.transcript.messages().to_vec();

    palette(&mut h, "restart the broker").await;
    h.until_state("the console following its broker", |h| {
        h.console.app.url != url
    })
    .await;
    let notice = h.console.app.shown_notice().unwrap().text.clone();
    assert!(
        notice.ends_with("(its old port was taken), on its store: the chat goes on where it was"),
        "{notice}"
    );
    assert!(old_port.lock().unwrap().is_some(), "the old port was taken");
    let now = slot.lock().await.as_ref().expect("the broker").url();
    assert_ne!(now, url);
    assert_eq!(h.console.app.url, now);
    let screen = h.text();
    let status = screen.lines().last().unwrap();
    assert!(
        status.contains(&now),
        "the status bar says where:\n{status}"
    );
    h.until("both connections back", |s| s.contains("● user ● agent"))
        .await;

    h.say("Still here after the move").await;
    h.until("the new reply in both panes", |s| {
        s.matches("Still here after the move").count() == 2
    })
    .await;
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::BackTab).await;
    h.until_state("the user's composer", |h| {
        h.console.app.focus == Focus::Chat
    })
    .await;
    h.say("And the user answers").await;
    h.until("the user's answer in both panes", |s| {
        s.matches("And the user answers").count() == 2
    })
    .await;
    let after = h.console.app.chat.transcript.messages();
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "nothing shown before is lost, changed or repeated"
    );
    let screen = h.text();
    assert_eq!(
        screen.matches("Which VPN client do you use?").count(),
        2,
        "{screen}"
    );
    assert!(!screen.contains("start it again"), "{screen}");
    h.stop().await;
    let engine = slot.lock().await.take().expect("the restarted broker");
    engine.shutdown().await;
}

#[tokio::test]
async fn a_restart_without_a_store_opens_a_new_conversation_instead_of_retrying_forever() {
    let cli = handoff::cli::Cli::try_parse_from(["handoff", "--greeting="]).expect("options");
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let engine = handoff::engine::start(&cli.console.engine, loopback, 16)
        .await
        .expect("the broker starts");
    let (url, token) = (engine.url(), engine.broker.token().clone());
    let slot = Arc::new(tokio::sync::Mutex::new(Some(engine)));
    let mut h = Harness::dial(token, &url, Theme::default(), 170, 48).await;
    h.console.engine = Some(Arc::clone(&slot));
    h.say("I'd like to speak to a live agent").await;
    h.see("more details").await;
    let before = h.console.app.chat.conversation.clone();

    palette(&mut h, "restart the broker").await;
    h.until_state("a new conversation", |h| {
        h.console.app.chat.conversation != before
            && h.console.app.user_link == handoff::console::Link::Connected
    })
    .await;
    h.see("a new conversation starts below").await;
    h.see("lost the conversation above").await;
    assert!(
        h.text().contains("more details"),
        "the old conversation stays shown:\n{}",
        h.text()
    );
    h.say("I'd like to speak to a live agent").await;
    h.until("the new conversation's answer below the old one", |s| {
        s.matches("more details").count() == 2
    })
    .await;
    h.stop().await;
    let engine = slot.lock().await.take().expect("the restarted broker");
    engine.shutdown().await;
}
