//! The brokering rules of the handoff lifecycle, end to end over a real WebSocket: when "Start
//! agent chat" is shown (system, business hours, always), the options again as buttons after a
//! timeout or a reject (and the desk told a timeout is a timeout), and the full assistant while
//! queued, with edited details reaching the request the agent sees. Time comes from a manual
//! clock, so nothing here waits on the wall clock.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, say, state_reached};
use handoff::broker::{BrokerConfig, RunningBroker};
use handoff::clock::ManualClock;
use handoff::protocol::{
    ButtonAction, ButtonState, ChatMessage, ClientMsg, ConversationEvent, ConversationId,
    EndReason, HandoffState, ServerMsg,
};
use std::sync::Arc;

/// Saturday 5 December 2026, noon in Los Angeles.
const SATURDAY_NOON_PT: &str = "2026-12-05T20:00:00Z";
/// Thursday 3 December 2026, 10:00 in Los Angeles.
const THURSDAY_MORNING_PT: &str = "2026-12-03T18:00:00Z";
const PACIFIC: &str = "Mon-Fri 08:00-17:00 America/Los_Angeles";

/// A broker on the mock desk (Lisa available, Sam away), its clock stopped at `at`, with the
/// start button following `mode`.
async fn broker(mode: &str, at: &str) -> RunningBroker {
    let mut config = BrokerConfig::default();
    config.assistant.start_button = mode.parse().unwrap();
    config.clock = Arc::new(ManualClock::new(at.parse().unwrap()));
    handoff::broker::start(config).await.unwrap()
}

/// A user who asked for an agent about a SQL database, and got the offer.
async fn offered(url: &str) -> (Client, ConversationId) {
    let (mut user, conv) = Client::join_user(url).await;
    say(
        &mut user,
        &conv,
        "text: I'd like an agent: my SQL database rejects every query",
    )
    .await;
    state_reached(&mut user, "offered").await;
    (user, conv)
}

/// The latest version of the newest offer (a message with "Edit / Add details") the user has
/// seen.
fn latest_offer(user: &Client) -> ChatMessage {
    let messages: Vec<&ChatMessage> = user
        .seen
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } => Some(message),
            _ => None,
        })
        .collect();
    // The offer that appeared first most recently; later versions replace it by id.
    let mut offers = std::collections::HashSet::new();
    let mut id = None;
    for m in &messages {
        let is_offer = m.buttons().any(|b| b.action == ButtonAction::EditDetails);
        if is_offer && offers.insert(&m.id) {
            id = Some(&m.id);
        }
    }
    let id = id.expect("an offer");
    (*messages.iter().rev().find(|m| &m.id == id).unwrap()).clone()
}

/// The labels of the active buttons of the latest offer.
fn active_buttons(user: &Client) -> Vec<String> {
    latest_offer(user)
        .buttons()
        .filter(|b| b.state == ButtonState::Active)
        .map(|b| b.button_text.clone())
        .collect()
}

async fn press(user: &mut Client, conv: &ConversationId, action: ButtonAction) {
    let message = latest_offer(user).id;
    let conversation = conv.clone();
    user.request(|id| ClientMsg::Press {
        id,
        conversation,
        message,
        action,
    })
    .await;
}

/// Waits until `client` has seen a message whose plain text contains `text`.
async fn sees(client: &mut Client, text: &str) {
    client
        .wait_from(0, text, |m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } => message.parts.iter().any(|p| {
                matches!(p, handoff::protocol::Part::RichText { rich_text }
                    if handoff::text::to_plain(rich_text).contains(text))
            }),
            _ => false,
        })
        .await;
}

// Rule 1: button modes.

#[tokio::test]
async fn outside_business_hours_start_agent_chat_is_hidden_and_the_assistant_says_why() {
    let broker = broker(PACIFIC, SATURDAY_NOON_PT).await;
    let (mut user, _conv) = offered(&common::url(&broker)).await;
    sees(
        &mut user,
        "Live agents are available Monday\u{2013}Friday, 8:00\u{2013}17:00 America/Los_Angeles.",
    )
    .await;
    assert_eq!(
        active_buttons(&user),
        ["Edit / Add details", "Other help options"]
    );
    assert!(
        !latest_offer(&user)
            .buttons()
            .any(|b| b.action == ButtonAction::StartAgentChat),
        "hidden, not disabled"
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn inside_business_hours_and_in_always_mode_the_button_is_offered() {
    for (mode, at) in [
        (PACIFIC, THURSDAY_MORNING_PT),
        ("always", SATURDAY_NOON_PT),
        ("system", SATURDAY_NOON_PT),
    ] {
        let broker = broker(mode, at).await;
        let (user, _conv) = offered(&common::url(&broker)).await;
        assert_eq!(
            active_buttons(&user),
            [
                "Start agent chat",
                "Edit / Add details",
                "Other help options"
            ],
            "{mode}"
        );
        broker.shutdown().await;
    }
}

// Rule 2: after a timeout or a reject.

#[tokio::test]
async fn a_queue_timeout_is_a_timeout_for_the_desk_and_gives_the_user_the_buttons_again() {
    // The manual clock's timers fire at once: the request times out as soon as it is queued.
    let broker = broker("system", THURSDAY_MORNING_PT).await;
    let url = common::url(&broker);
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    let (mut user, conv) = offered(&url).await;
    press_start(&mut user, &conv).await;
    sees(&mut user, "no agent could take your chat within 2:00").await;
    state_reached(&mut user, "offered").await;
    assert_eq!(
        active_buttons(&user),
        [
            "Start agent chat",
            "Edit / Add details",
            "Other help options"
        ]
    );
    let withdrawn = lisa
        .wait_for("the request withdrawn", |m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: ConversationEvent::Withdrawn { .. },
                    ..
                }
            )
        })
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Withdrawn { reason },
        ..
    } = withdrawn
    else {
        unreachable!()
    };
    assert_eq!(reason, EndReason::Timeout, "not withdrawn by the user");
    broker.shutdown().await;
}

#[tokio::test]
async fn a_reject_tells_the_user_the_agents_reason_and_offers_the_buttons_again() {
    let mut config = BrokerConfig::default();
    // The wall clock: the two-minute fallback timeout stays out of the way.
    config.assistant.start_button = "always".parse().unwrap();
    let broker = handoff::broker::start(config).await.unwrap();
    let url = common::url(&broker);
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    let (mut user, conv) = offered(&url).await;
    press_start(&mut user, &conv).await;
    state_reached(&mut user, "ringing").await;
    let conversation = conv.clone();
    lisa.request(|id| ClientMsg::Reject {
        id,
        conversation,
        reason: "on a call with a VIP".into(),
    })
    .await;
    sees(
        &mut user,
        "every available agent declined; Lisa said \"on a call with a VIP\"",
    )
    .await;
    state_reached(&mut user, "offered").await;
    assert_eq!(
        active_buttons(&user),
        [
            "Start agent chat",
            "Edit / Add details",
            "Other help options"
        ]
    );
    broker.shutdown().await;
}

// Rule 3: queued, not blocked.

#[tokio::test]
async fn while_queued_questions_are_answered_and_edited_details_reach_the_agents_request() {
    let mut config = BrokerConfig::default();
    // Nobody is available, so the request waits; the button shows by rule, not availability.
    config.desk.agents = vec![("Lisa".into(), handoff::protocol::Presence::Away)];
    config.assistant.start_button = "always".parse().unwrap();
    let broker = handoff::broker::start(config).await.unwrap();
    let url = common::url(&broker);
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    let (mut user, conv) = offered(&url).await;
    press_start(&mut user, &conv).await;
    state_reached(&mut user, "queued").await;
    assert_eq!(
        active_buttons(&user),
        ["Edit / Add details", "Other help options"]
    );

    say(&mut user, &conv, "text: how do I reset my email password?").await;
    sees(&mut user, "For Password / Account, the knowledge base").await;
    sees(&mut user, "still in the queue").await;

    press(&mut user, &conv, ButtonAction::EditDetails).await;
    sees(&mut user, "You keep your place in the queue").await;
    say(
        &mut user,
        &conv,
        "text: It's error 18456 on the prod server.",
    )
    .await;
    sees(&mut user, "added that to your request").await;
    let edited = "I'd like an agent: my SQL database rejects every query \
                  It's error 18456 on the prod server.";
    lisa.wait_for("the updated request", |m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::Request { title, .. }, .. }
            if title == edited)
    })
    .await;

    press(&mut user, &conv, ButtonAction::OtherHelp).await;
    sees(&mut user, "Here are other ways to get help").await;
    let HandoffState::Queued { .. } = state_of(&user) else {
        panic!("still queued: {:?}", state_of(&user))
    };
    broker.shutdown().await;
}

/// The latest state the user was told.
fn state_of(user: &Client) -> HandoffState {
    user.seen
        .iter()
        .rev()
        .find_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::State { state },
                ..
            } => Some(state.clone()),
            _ => None,
        })
        .expect("a state")
}
