//! Ctrl+O in a live chat asks for a file's path; Enter reads the file off the UI thread and
//! sends it: both panes show it, the agent's side gets the bytes, and what was being typed comes
//! back. A file that cannot go says why and nothing is sent.

mod console_support;

use console_support::Harness;
use crossterm::event::KeyCode;
use handoff::broker::BrokerConfig;
use handoff::console::Focus;
use handoff::systems::mock::Autopilot;
use handoff::theme::Theme;
use std::time::Duration;

/// The console in a live chat with Lisa, who answers files on autopilot.
async fn live_chat() -> Harness {
    let mut config = BrokerConfig::default();
    config.desk.autopilot = Some(Autopilot {
        accept_after: Duration::from_millis(10),
        ..Autopilot::default()
    });
    config.max_attachment_bytes = 1024;
    let mut h = Harness::start(config, Theme::default(), 160, 48).await;
    h.say("I'd like to speak to a live agent").await;
    h.see("provide more details").await;
    h.say("Outlook keeps crashing when I open the calendar")
        .await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.until("the live chat", |s| s.contains("(live agent)"))
        .await;
    h
}

#[tokio::test]
async fn ctrl_o_sends_a_file_to_the_agent_and_keeps_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash log.txt");
    std::fs::write(&path, "0x80004005 at startup\n").unwrap();
    let mut h = live_chat().await;

    h.type_text("half-written").await;
    h.ctrl('o').await;
    h.see("Attach a file (Esc cancels)").await;
    // Dropped on a terminal, a path arrives quoted.
    h.type_text(&format!("'{}'", path.display())).await;
    h.key(KeyCode::Enter).await;

    h.until("the file in the chat and the inbox", |s| {
        // (The paperclip is two cells wide.)
        s.matches("crash log.txt  text/plain · 22 B").count() >= 2
    })
    .await;
    h.see("Thanks, I have crash log.txt (22 B).").await;
    // The message being written is back in the composer.
    assert_eq!(h.console.app.chat.composer.lines(), ["half-written"]);
    h.see("─ Message").await;
    h.stop().await;
}

#[tokio::test]
async fn a_file_that_cannot_go_says_why_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pdf");
    std::fs::write(&big, vec![b'x'; 2048]).unwrap();
    let mut h = live_chat().await;

    h.ctrl('o').await;
    h.type_text(&dir.path().join("missing.png").display().to_string())
        .await;
    h.key(KeyCode::Enter).await;
    h.see("missing.png was not sent: no such file (").await;

    h.ctrl('o').await;
    h.type_text(&big.display().to_string()).await;
    h.key(KeyCode::Enter).await;
    h.see("big.pdf was not sent: it is 2.0 KB; the broker takes files up to 1.0 KB")
        .await;
    assert!(!h.text().contains("📎"));

    // Esc gives up on a path without sending anything.
    h.ctrl('o').await;
    h.type_text("never.pdf").await;
    h.key(KeyCode::Esc).await;
    h.see("─ Message").await;
    assert!(!h.text().contains("never.pdf"));
    h.stop().await;
}

#[tokio::test]
async fn before_an_agent_joins_ctrl_o_explains_that_files_go_to_an_agent() {
    let mut h = Harness::start(BrokerConfig::default(), Theme::default(), 120, 32).await;
    h.see("Connected to the assistant.").await;
    h.ctrl('o').await;
    h.see("Files go to a live agent").await;
    h.see("─ Message").await;
    h.stop().await;
}

#[tokio::test]
async fn the_agent_sends_the_user_a_file_from_the_reply_box() {
    let dir = tempfile::tempdir().unwrap();
    let guide = dir.path().join("reset-guide.pdf");
    std::fs::write(&guide, "%PDF-1.7 steps").unwrap();
    let mut h = live_chat().await;
    while h.console.app.focus != Focus::Inbox {
        h.key(KeyCode::Tab).await;
    }
    h.key(KeyCode::Enter).await;
    assert_eq!(h.console.app.focus, Focus::Reply);
    h.type_text("one moment").await;
    h.ctrl('o').await;
    h.see("Attach a file for the user (Esc cancels)").await;
    h.type_text(&guide.display().to_string()).await;
    h.key(KeyCode::Enter).await;
    h.until("the agent's file in both panes", |s| {
        s.matches("reset-guide.pdf  application/pdf · 14 B").count() >= 2
    })
    .await;
    assert_eq!(h.console.app.inbox.composer.lines(), ["one moment"]);
    h.see("─ Reply").await;
    h.stop().await;
}
