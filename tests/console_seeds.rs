//! The console loop, headless on `TestBackend` with scripted input, driven through the three
//! seed conversations against the real broker over WebSocket. Key screens are insta snapshots
//! (volatile times masked); button and theme styles are asserted cell by cell.

mod common;
mod console_support;

use console_support::{Harness, buffer_text, find, normalize};
use crossterm::event::KeyCode;
use handoff::broker::BrokerConfig;
use handoff::console::Focus;
use handoff::protocol::{HandoffState, HandoffStyle};
use handoff::theme::{self, Theme};
use ratatui::style::{Color, Modifier};

const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

/// What the user types in a seed conversation (`tests/fixtures/seeds/NNN_*.txt`), in order, up to
/// the press of Start agent chat.
fn typed_turns(seed: &str) -> Vec<String> {
    let conversation = common::seed(seed);
    conversation["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| handoff::text::to_plain(m["parts"][0]["richText"].as_str().unwrap_or_default()))
        .take_while(|t| !t.contains("\"Start agent chat\" button"))
        .collect()
}

fn snapshot(h: &Harness, name: &str) {
    for (w, ht) in [(80, 24), (160, 48)] {
        let text = normalize(&buffer_text(&h.render_at(w, ht)));
        insta::assert_snapshot!(format!("{name}_{w}x{ht}"), text);
    }
}

/// A seed conversation typed up to the summary with its three buttons (the first turn asks
/// for an agent, the second gives the details, a third answers the routing question).
async fn offered(seed: &str, style: HandoffStyle, theme: Theme) -> Harness {
    let turns = typed_turns(seed);
    assert!(turns.len() >= 2, "seed {seed}: {turns:?}");
    let mut h = Harness::start(BrokerConfig::for_style(style), theme, 160, 48).await;
    h.say(&turns[0]).await;
    h.see("provide more details").await;
    h.say(&turns[1]).await;
    if let Some(answer) = turns.get(2) {
        h.see("which database you're using?").await;
        h.say(answer).await;
    }
    h
}

async fn summary_shown(h: &mut Harness) {
    h.see("✓ Determining appropriate live agent queue").await;
    h.see("Other help options").await;
}

#[tokio::test]
async fn seed_000_by_keyboard_user_and_agent() {
    let mut h = offered("000", HandoffStyle::Brokered, Theme::default()).await;
    summary_shown(&mut h).await;
    h.see("offered: SQL Database").await;
    snapshot(&h, "seed000_offered");

    // The filled and outlined button styles of the default theme, cell by cell.
    let t = Theme::default();
    let buf = h.buffer().clone();
    let (x, y) = find(&buf, "Start agent chat").expect("filled button");
    assert_eq!(buf[(x, y)].bg, Color::Rgb(0x5e, 0x81, 0xac));
    assert_eq!(buf[(x, y)].fg, Color::Rgb(0xec, 0xef, 0xf4));
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    assert_eq!(
        buf[(x - 1, y)].bg,
        t.button_filled.bg.unwrap(),
        "the frame is filled too"
    );
    let (x, y) = find(&buf, "[Edit / Add details]").expect("outlined button");
    assert_eq!(buf[(x + 1, y)].fg, Color::Rgb(0x5e, 0x81, 0xac));
    assert_eq!(
        buf[(x + 1, y)].bg,
        Color::Rgb(0x1b, 0x1e, 0x28),
        "outlined buttons are not filled"
    );

    // Tab into the buttons; the first one is focused; Enter presses it.
    h.key(KeyCode::Tab).await;
    assert_eq!(h.console.app.focus, Focus::Buttons);
    h.see("▸Start agent chat").await;
    let (x, y) = h.find("▸Start agent chat").unwrap();
    assert!(
        h.buffer()[(x + 1, y)]
            .modifier
            .contains(Modifier::UNDERLINED),
        "focus is underlined"
    );
    h.key(KeyCode::Enter).await;
    h.see("Pressed \"Start agent chat\"").await;
    h.see("Accept (a)").await;
    h.until("ringing", |s| s.contains("ringing Lisa")).await;
    // The pressed button shows as pressed, in the pressed style.
    let (x, y) = h.find("✓ Start agent chat").expect("pressed button");
    assert_eq!(h.buffer()[(x + 2, y)].fg, Color::Rgb(0x7a, 0x83, 0x94));
    assert!(h.buffer()[(x + 2, y)].modifier.contains(Modifier::ITALIC));

    // Tab to the inbox, accept.
    h.key(KeyCode::Tab).await;
    assert_eq!(h.console.app.focus, Focus::Inbox);
    h.key(KeyCode::Char('a')).await;
    h.see("Your live agent chat has started!").await;
    h.until("greeting on both sides", |s| {
        s.matches(GREETING).count() == 2
    })
    .await;
    h.see("Lisa said: (automated)").await;
    h.see("History with the assistant").await;
    h.see("You ⇄ Lisa (live agent)").await;
    assert!(
        matches!(&h.console.app.chat.state, HandoffState::Connected { agent, .. } if agent == "Lisa")
    );
    // The accept's ack (a notice in the status bar) may come after the events.
    h.see("Request accepted").await;
    snapshot(&h, "seed000_connected");

    // Accepting put the agent in the reply box. The user answers, the agent replies. The old
    // buttons expired, so Tab skips them.
    assert_eq!(h.console.app.focus, Focus::Reply);
    h.key(KeyCode::BackTab).await;
    h.key(KeyCode::BackTab).await;
    assert_eq!(h.console.app.focus, Focus::Chat);
    h.say("It says: connection reset by peer").await;
    h.until("the user's message on both sides", |s| {
        s.matches("connection reset by peer").count() == 2
    })
    .await;
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Tab).await;
    assert_eq!(h.console.app.focus, Focus::Reply);
    h.say("Thanks, checking the server now").await;
    h.until("the reply on both sides", |s| {
        s.matches("Thanks, checking the server now").count() == 2
    })
    .await;

    // "Stop chat" ends it.
    h.key(KeyCode::BackTab).await;
    h.key(KeyCode::BackTab).await;
    assert_eq!(h.console.app.focus, Focus::Chat);
    h.say("Stop chat").await;
    h.until("ended", |s| s.contains("ended by user")).await;
    h.stop().await;
}

#[tokio::test]
async fn seed_000_by_mouse() {
    let mut h = offered("000", HandoffStyle::Brokered, Theme::default()).await;
    summary_shown(&mut h).await;
    h.click("Start agent chat").await;
    h.see("Accept (a)").await;
    h.click("[ Accept (a) ]").await;
    h.until("greeting on both sides", |s| {
        s.matches(GREETING).count() == 2
    })
    .await;
    h.click("[ End chat (e) ]").await;
    h.until("ended by the agent", |s| s.contains("ended by Lisa"))
        .await;
    h.stop().await;
}

#[tokio::test]
async fn seed_001_api_style_redirects_to_the_bot() {
    let mut h = offered("001", HandoffStyle::Api, Theme::default()).await;
    h.see("It's an Azure SQL Database.").await;
    h.see("Finding Azure SQL Database experts...").await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.see("Redirecting to Vayusphere Bot.....").await;
    // The request reaches the desk on the other connection; the API style rings nobody.
    h.see("via api").await;
    h.see("redirected to").await;
    snapshot(&h, "seed001_redirected");
    h.stop().await;
}

#[tokio::test]
async fn seed_002_url_style_takes_the_user_to_the_chat_page() {
    let mut h = offered("002", HandoffStyle::Url, Theme::default()).await;
    summary_shown(&mut h).await;
    h.alt('1').await;
    h.see("Taking you to").await;
    h.until("redirected", |s| s.contains("redirected to")).await;
    let HandoffState::Redirected { url } = &h.console.app.chat.state else {
        panic!("not redirected: {:?}", h.console.app.chat.state);
    };
    assert_eq!(
        url,
        "https://livechat.acme.com/start-chat?queue_id=71f1cbd2-83ae-4e54-a03a-2ee8d31a7dee"
    );
    snapshot(&h, "seed002_redirected");
    h.stop().await;
}

#[tokio::test]
async fn the_light_theme_styles_buttons_and_panes() {
    let (light, err) = theme::load(Some("light"), None, true);
    assert!(err.is_none());
    let mut h = offered("000", HandoffStyle::Brokered, light).await;
    summary_shown(&mut h).await;
    let buf = h.buffer().clone();
    let (x, y) = find(&buf, "Start agent chat").unwrap();
    assert_eq!(buf[(x, y)].bg, Color::Rgb(0x09, 0x69, 0xda));
    assert_eq!(buf[(x, y)].fg, Color::Rgb(0xff, 0xff, 0xff));
    let (x, y) = find(&buf, "[Other help options]").unwrap();
    assert_eq!(buf[(x + 1, y)].fg, Color::Rgb(0x09, 0x69, 0xda));
    assert_eq!(buf[(x + 1, y)].bg, Color::Rgb(0xfa, 0xfa, 0xfa));
    // Ordinary text and the assistant's attribution.
    let (x, y) = find(&buf, "Could you please").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Rgb(0x24, 0x29, 0x2f));
    let (x, y) = find(&buf, "Assistant  ").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Rgb(0x05, 0x50, 0xae));
    h.stop().await;
}

#[tokio::test]
async fn help_overlay_at_both_sizes() {
    let mut h = Harness::start(BrokerConfig::default(), Theme::default(), 160, 48).await;
    h.key(KeyCode::F(1)).await;
    h.see("Everywhere").await;
    snapshot(&h, "help_chat");
    h.key(KeyCode::Esc).await;
    h.until("help closed", |s| !s.contains("Everywhere")).await;
    h.stop().await;
}
