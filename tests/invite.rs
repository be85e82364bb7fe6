//! Issue 15, rule 9, invite: an agent in a live chat asks another agent in, over WebSocket. The
//! invitee sees `invited`, accepts and joins as a second agent (the user hears each agent by
//! name) or declines (the inviter sees `invite_declined` with the reason). The same on the mock
//! desk and on emulated systems whose API carries a second agent, through their connectors;
//! Glia, whose API has one agent per chat, refuses the invitation and says why.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, say, state_reached};
use handoff::broker::{self, BrokerConfig};
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::{ClientMsg, ConversationEvent, ConversationId, HandoffState, ServerMsg};
use handoff::systems::{SystemName, SystemsConfig};

/// The user asks for an agent; `lisa` accepts and the user is connected to her.
async fn lisas_chat(user: &mut Client, lisa: &mut Client, conv: &ConversationId) {
    say(user, conv, "text: I'd like to speak to a live agent").await;
    state_reached(user, "collecting details").await;
    say(user, conv, "text: My laptop will not boot after an update.").await;
    state_reached(user, "offered").await;
    press_start(user, conv).await;
    lisa.wait_for("the request", |m| {
        matches!(
            m,
            ServerMsg::Event {
                event: ConversationEvent::Request { .. },
                ..
            }
        )
    })
    .await;
    let c = conv.clone();
    lisa.request(|id| ClientMsg::Accept {
        id,
        conversation: c,
    })
    .await;
    state_reached(user, "connected").await;
}

async fn invite(lisa: &mut Client, conv: &ConversationId, agent: &str) {
    let (c, agent) = (conv.clone(), agent.to_owned());
    lisa.request(|id| ClientMsg::Invite {
        id,
        conversation: c,
        agent,
    })
    .await;
}

fn invited(m: &ServerMsg, agent: &str) -> bool {
    matches!(m, ServerMsg::Event { event: ConversationEvent::Invited { agent: a, by }, .. }
        if a == agent && by == "Lisa")
}

/// A message event to the user from `agent` whose text contains `text`.
fn from_agent(m: &ServerMsg, agent: &str, text: &str) -> bool {
    matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
        if message.agent.as_ref().is_some_and(|a| a.name == agent)
            && format!("{:?}", message.parts).contains(text))
}

/// Lisa invites `guest`, who sees the invitation and accepts: the user is connected to both,
/// both reply and the user hears each by name; the user never saw the invitation itself.
async fn invited_agent_joins(url: &str, guest: &str) {
    let (mut user, conv) = Client::join_user(url).await;
    let mut lisa = Client::join_agent(url, "Lisa").await;
    let mut other = Client::join_agent(url, guest).await;
    Box::pin(lisas_chat(&mut user, &mut lisa, &conv)).await;

    let mark = lisa.mark();
    invite(&mut lisa, &conv, guest).await;
    other
        .wait_for("the invitation", |m| invited(m, guest))
        .await;
    lisa.wait_from(mark, "her invitation", |m| invited(m, guest))
        .await;
    let c = conv.clone();
    other
        .request(|id| ClientMsg::Accept {
            id,
            conversation: c,
        })
        .await;
    user.wait_for("both agents", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::State { state: HandoffState::Connected { agent, with, .. } }, .. } if agent == guest && with == &["Lisa"])).await;
    lisa.wait_for("both assigned", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Assigned { agents, .. }, .. } if agents == &["Lisa", guest])).await;

    for (agent, client, text) in [
        (guest, &mut other, "here too, Lisa asked me in."),
        ("Lisa", &mut lisa, "Lisa again."),
    ] {
        let c = conv.clone();
        client
            .request(|id| ClientMsg::Reply {
                id,
                conversation: c,
                text: text.into(),
            })
            .await;
        user.wait_for(&format!("{agent}'s reply"), |m| from_agent(m, agent, text))
            .await;
    }
    let told = user.seen.iter().any(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: ConversationEvent::Invited { .. },
                ..
            }
        )
    });
    assert!(!told, "the user saw the invitation: {:#?}", user.seen);
}

/// Lisa invites `guest`, who declines with a reason: Lisa is told who and why, the chat stays
/// hers alone, and `guest` may not talk in it.
async fn invited_agent_declines(url: &str, guest: &str) {
    let (mut user, conv) = Client::join_user(url).await;
    let mut lisa = Client::join_agent(url, "Lisa").await;
    let mut other = Client::join_agent(url, guest).await;
    Box::pin(lisas_chat(&mut user, &mut lisa, &conv)).await;

    invite(&mut lisa, &conv, guest).await;
    other
        .wait_for("the invitation", |m| invited(m, guest))
        .await;
    let c = conv.clone();
    other
        .request(|id| ClientMsg::Reject {
            id,
            conversation: c,
            reason: "on another call".into(),
        })
        .await;
    lisa.wait_for("the decline", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::InviteDeclined { agent, by, reason }, .. } if agent == guest && by == "Lisa" && reason == "on another call")).await;
    let c = conv.clone();
    let refused = other
        .request_error(|id| ClientMsg::Reply {
            id,
            conversation: c,
            text: "sneaking in".into(),
        })
        .await;
    assert!(
        format!("{refused:?}").contains("Lisa is in it"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn on_the_mock_desk_an_invited_agent_accepts_and_both_reach_the_user_by_name() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    Box::pin(invited_agent_joins(&common::url(&broker), "Sam")).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn on_the_mock_desk_a_declined_invitation_tells_the_inviter_why() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    Box::pin(invited_agent_declines(&common::url(&broker), "Sam")).await;
    broker.shutdown().await;
}

/// `client` invites `agent` and is refused: the error, as text.
async fn refused_invite(client: &mut Client, conv: &ConversationId, agent: &str) -> String {
    let (c, agent) = (conv.clone(), agent.to_owned());
    let refused = client
        .request_error(|id| ClientMsg::Invite {
            id,
            conversation: c,
            agent,
        })
        .await;
    format!("{refused:?}")
}

#[tokio::test]
async fn only_an_agent_of_the_chat_may_invite_and_only_someone_at_the_desk() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = common::url(&broker);
    let (mut user, conv) = Client::join_user(&url).await;
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    let mut sam = Client::join_agent(&url, "Sam").await;
    Box::pin(lisas_chat(&mut user, &mut lisa, &conv)).await;
    let said = refused_invite(&mut sam, &conv, "Lisa").await;
    assert!(said.contains("Sam is not in the chat"), "{said}");
    let said = refused_invite(&mut lisa, &conv, "Nobody").await;
    assert!(said.contains("no agent named \\\"Nobody\\\""), "{said}");
    let said = refused_invite(&mut lisa, &conv, "Lisa").await;
    assert!(said.contains("Lisa is already in this chat"), "{said}");
    broker.shutdown().await;
}

/// The broker on `system`'s emulator, its agents driven by hand.
async fn start(system: SystemName) -> handoff::engine::Engine {
    let section = system.system().and_then(|s| s.section).unwrap_or("mock");
    let systems = SystemsConfig::from_toml("test.toml", &format!("[{section}]\n")).unwrap();
    start_on_system(
        system,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn on_servicenow_an_invited_agent_joins_through_the_connector() {
    let engine = start(handoff::systems::servicenow::NAME).await;
    Box::pin(invited_agent_joins(&common::url(&engine.broker), "Marco")).await;
    engine.shutdown().await;
}

#[tokio::test]
async fn on_amazon_connect_an_invited_agent_joins_through_the_connector() {
    let engine = start(handoff::systems::amazon_connect::NAME).await;
    Box::pin(invited_agent_joins(&common::url(&engine.broker), "Marco")).await;
    engine.shutdown().await;
}

#[tokio::test]
async fn on_servicenow_a_declined_invitation_tells_the_inviter_why() {
    let engine = start(handoff::systems::servicenow::NAME).await;
    Box::pin(invited_agent_declines(
        &common::url(&engine.broker),
        "Marco",
    ))
    .await;
    engine.shutdown().await;
}

#[tokio::test]
async fn glia_refuses_an_invitation_because_a_chat_has_one_operator() {
    let engine = start(handoff::systems::glia::NAME).await;
    let url = common::url(&engine.broker);
    let (mut user, conv) = Client::join_user(&url).await;
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    Box::pin(lisas_chat(&mut user, &mut lisa, &conv)).await;
    let said = refused_invite(&mut lisa, &conv, "Marco").await;
    assert!(said.contains("Glia: cannot invite anyone"), "{said}");
    assert!(said.contains("one agent at a time"), "{said}");
    engine.shutdown().await;
}

#[test]
fn invite_is_declared_by_exactly_the_systems_that_carry_a_second_agent() {
    use handoff::systems::{Capability, SYSTEMS};
    for system in SYSTEMS {
        assert_eq!(
            system.capabilities.has(Capability::Invite),
            system.capabilities.has(Capability::BargeIn),
            "{}",
            system.name.as_str()
        );
    }
}
