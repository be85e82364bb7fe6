//! `handoff --system url` in the console: the chat says "Taking you to <url>", Ctrl+L offers
//! that address to open or copy, and the (emulated) page takes the visit.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose

mod console_support;

use console_support::Harness;
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::HandoffState;
use handoff::systems::SystemsConfig;
use handoff::theme::Theme;

#[tokio::test]
async fn the_redirect_is_offered_as_a_link_and_the_visit_reaches_the_inbox() {
    let systems = SystemsConfig::defaults();
    let engine = start_on_system(
        handoff::systems::url::NAME,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap();
    let url = engine.url();
    let emulator = engine.emulator_url().unwrap();
    let mut h = Harness::connect(engine.broker, &url, Theme::default(), 160, 48).await;
    h.say("I'd like to speak to a live agent").await;
    h.see("provide more details").await;
    h.say("I'm running into a strange issue with a SQL database that I'm using.")
        .await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.see("Taking you to").await;
    h.until("redirected", |s| s.contains("redirected to")).await;
    let HandoffState::Redirected { url: page } = h.console.app.chat.state.clone() else {
        panic!("not redirected: {:?}", h.console.app.chat.state);
    };
    assert!(page.starts_with(&emulator), "{page}");

    // Ctrl+L lists the page's address, to open (Enter) or copy (c).
    h.ctrl('l').await;
    let links = h.console.app.links.clone().expect("the links overlay");
    assert_eq!(links.items[0].url, page);
    h.see("┌ Links").await;
    h.key(crossterm::event::KeyCode::Esc).await;
    assert!(h.console.app.links.is_none());

    // The browser opens the page, which queues the visitor for this conversation.
    assert_eq!(reqwest::get(&page).await.unwrap().status(), 200);
    let system = engine.system.unwrap();
    let queued = system.emulator.as_ref().unwrap().sim().conversations();
    assert_eq!(queued.len(), 1);
    assert!(page.ends_with(&format!(
        "handoff_conversation={}",
        queued[0].external_ref.clone().unwrap()
    )));
    h.stop().await;
}
