//! The inbox with several requests and live chats at once: two other users (plain WebSocket
//! clients) ask for an agent; the console, as Lisa, accepts both, switches between the chats
//! and replies to each; each user gets only their own reply. And a barge-in: Sam joins Lisa's
//! chat, both talk to the user, either may end it.

mod common;
mod console_support;

use common::Client;
use console_support::Harness;
use crossterm::event::KeyCode;
use handoff::broker::BrokerConfig;
use handoff::console::Focus;
use handoff::protocol::{
    ButtonAction, ClientMsg, ConversationEvent, ConversationId, Role, ServerMsg,
};
use handoff::theme::Theme;

/// A user who asked for an agent with `details` and pressed Start agent chat.
async fn waiting_user(url: &str, details: &str) -> (Client, ConversationId) {
    let (mut user, conversation) = Client::join_user(url).await;
    for text in ["I'd like to speak to a live agent", details] {
        let conversation = conversation.clone();
        let text = text.to_owned();
        user.request(|id| ClientMsg::Say {
            id,
            conversation,
            text,
        })
        .await;
    }
    let offer = user
        .wait_for("the offer", |m| {
            matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
                if message.buttons().any(|b| b.action == ButtonAction::StartAgentChat))
        })
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = offer
    else {
        unreachable!("matched above")
    };
    let c = conversation.clone();
    user.request(|id| ClientMsg::Press {
        id,
        conversation: c,
        message: message.id,
        action: ButtonAction::StartAgentChat,
    })
    .await;
    (user, conversation)
}

async fn agent_says(user: &mut Client, text: &str) {
    user.wait_for(text, |m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
            if message.role == Role::Agent
                && handoff::console::plain_text(message) == text)
    })
    .await;
}

#[tokio::test]
async fn two_live_chats_at_once_switchable_by_keyboard() {
    let mut h = Harness::start(BrokerConfig::default(), Theme::default(), 160, 48).await;
    let url = h.console.app.url.clone();
    let (mut vpn, _) = waiting_user(&url, "My VPN keeps disconnecting every few minutes").await;
    h.see("My VPN keeps disconnecting").await;

    // Tab from the composer (no buttons in this console's own chat) to the inbox; accept.
    h.key(KeyCode::Tab).await;
    assert_eq!(h.console.app.focus, Focus::Inbox);
    h.key(KeyCode::Char('a')).await;
    h.see("◆ live").await;
    // Once accepted, the reply box has the focus; Esc goes back to the list.
    h.until_state("the reply box", |h| h.console.app.focus == Focus::Reply)
        .await;
    h.key(KeyCode::Esc).await;

    let (mut printer, _) = waiting_user(&url, "The printer on floor 3 jams on every page").await;
    h.see("The printer on floor 3").await;
    h.key(KeyCode::Down).await;
    h.see("[ Accept (a) ]").await;
    h.key(KeyCode::Char('a')).await;
    h.until("two live chats", |s| s.matches("◆ live").count() == 2)
        .await;

    // Reply to the printer chat (selected, the reply box focused once the accept is
    // confirmed), then switch up to the VPN chat and reply there.
    h.until_state("the reply box", |h| h.console.app.focus == Focus::Reply)
        .await;
    h.say("Which printer model is it?").await;
    agent_says(&mut printer, "Which printer model is it?").await;
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Up).await;
    h.see("My VPN keeps disconnecting every few minutes”").await;
    h.key(KeyCode::Enter).await;
    h.say("Which VPN client do you use?").await;
    agent_says(&mut vpn, "Which VPN client do you use?").await;

    // Each user saw only their own reply.
    let got = |c: &Client, text: &str| {
        c.seen.iter().any(|m| {
            matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
                if handoff::console::plain_text(message) == text)
        })
    };
    assert!(!got(&vpn, "Which printer model is it?"));
    assert!(!got(&printer, "Which VPN client do you use?"));
    h.stop().await;
}

#[tokio::test]
async fn a_barge_in_puts_two_agents_in_the_chat_and_either_may_end_it() {
    let mut h = Harness::start(BrokerConfig::default(), Theme::default(), 160, 48).await;
    let url = h.console.app.url.clone();
    let (mut user, _) = waiting_user(&url, "Outlook crashes when I open the calendar").await;
    h.see("Outlook crashes").await;
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Char('a')).await;
    h.see("◆ live").await;
    h.until_state("the reply box", |h| h.console.app.focus == Focus::Reply)
        .await;
    h.key(KeyCode::Esc).await;

    // Sam barges in: `a` on Lisa's live chat, acting as Sam.
    h.key(KeyCode::Char('s')).await;
    h.see("Acting as Sam").await;
    h.see("Taken by Lisa").await;
    h.key(KeyCode::Char('a')).await;
    h.see("Live chat with Lisa").await;
    h.see("[ End chat (e) ] [ Transfer (t) ]").await;
    h.until_state("the reply box", |h| h.console.app.focus == Focus::Reply)
        .await;
    h.say("Sam here, I know this one.").await;
    agent_says(&mut user, "Sam here, I know this one.").await;

    // Lisa is still in it: she sees Sam beside her and may end the chat for both.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('s')).await;
    h.see("Acting as Lisa").await;
    h.see("Live chat with Sam").await;
    h.key(KeyCode::Char('e')).await;
    h.see("Ended by Lisa").await;
    user.wait_for("the end", |m| {
        matches!(
            m,
            ServerMsg::Event {
                event: ConversationEvent::State {
                    state: handoff::protocol::HandoffState::Ended { .. }
                },
                ..
            }
        )
    })
    .await;
    h.stop().await;
}
