//! With a real connector on its emulator, an agent client works the emulator's desk through the
//! broker exactly as it works the mock desk: it sees the request, accepts, replies, transfers
//! the chat to a second agent (who alone may then act in it), and that agent ends it.
//! Where the system's API carries a second agent (its folder's `SECOND_AGENT`, issue 15 rule
//! 9), another agent joins the live chat (a barge-in): the user hears each agent by name and
//! never the agents' private notes; elsewhere the system refuses the barge-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_on_offer, press_start, request_title, say, state_reached};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::{
    ButtonAction, ClientMsg, ConversationEvent, ConversationId, EndReason, HandoffState, Role,
    ServerMsg,
};
use handoff::systems::{SystemName, SystemsConfig};

/// The user asks for an agent with details and presses "Start agent chat".
async fn ask_for_an_agent(user: &mut Client, conv: &ConversationId) {
    say(user, conv, "text: I'd like to speak to a live agent").await;
    state_reached(user, "collecting details").await;
    say(
        user,
        conv,
        "text: I'm running into a strange issue with a SQL database that I'm using.",
    )
    .await;
    state_reached(user, "offered").await;
    press_start(user, conv).await;
}

/// The user asks for an agent; Lisa sees the request with its title and accepts it.
async fn request_and_accept(user: &mut Client, lisa: &mut Client, conv: &ConversationId) {
    ask_for_an_agent(user, conv).await;

    let title = request_title(lisa).await;
    assert_eq!(
        title,
        "I'm running into a strange issue with a SQL database that I'm using."
    );
    let c = conv.clone();
    lisa.request(|id| ClientMsg::Accept {
        id,
        conversation: c,
    })
    .await;
    let state = state_reached(user, "connected").await;
    assert!(
        matches!(&state, HandoffState::Connected { agent, .. } if agent == "Lisa"),
        "{state:?}"
    );
    lisa.wait_for("assigned", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Assigned { agent, .. }, .. } if agent == "Lisa")).await;
}

/// Marco may not act in Lisa's chat; Lisa hands it to him, then she may not act in it.
async fn transfer_to_marco(
    user: &mut Client,
    lisa: &mut Client,
    marco: &mut Client,
    conv: &ConversationId,
    system: &str,
) {
    // Marco may not act in Lisa's chat; Lisa hands it to him.
    let c = conv.clone();
    let refused = marco
        .request_error(|id| ClientMsg::End {
            id,
            conversation: c,
        })
        .await;
    // The refusal names the system and no id of the vendor's (the console shows it as is).
    let said = format!("{refused:?}");
    assert!(
        said.contains("Marco is not in the chat") && said.contains("Lisa is in it"),
        "{said}"
    );
    assert!(said.contains(&format!("{system}: ")), "{said}");
    let c = conv.clone();
    lisa.request(|id| ClientMsg::Transfer {
        id,
        conversation: c,
        to: "Marco".into(),
    })
    .await;
    user.wait_for("the transfer notice", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if format!("{:?}", message.parts).contains("Transferring you to"))).await;
    user.wait_for("Marco connected", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::State { state: HandoffState::Connected { agent, .. } }, .. } if agent == "Marco")).await;
    lisa.wait_for("assigned to Marco", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Assigned { agent, agents }, .. } if agent == "Marco" && agents == &["Marco"])).await;

    let c = conv.clone();
    let refused = lisa
        .request_error(|id| ClientMsg::Reply {
            id,
            conversation: c,
            text: "still me".into(),
        })
        .await;
    assert!(
        format!("{refused:?}").contains("Marco is in it"),
        "{refused:?}"
    );
    let c = conv.clone();
    marco
        .request(|id| ClientMsg::Reply {
            id,
            conversation: c,
            text: "Marco here.".into(),
        })
        .await;
    user.wait_for("Marco's reply", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.agent.as_ref().is_some_and(|a| a.name == "Marco") && format!("{:?}", message.parts).contains("Marco here."))).await;
}

/// The broker on `system`'s emulator (configured by `env`), its agents driven by hand.
async fn start(system: SystemName, env: &str) -> handoff::engine::Engine {
    let systems =
        SystemsConfig::from_toml("test.toml", &format!("[{}]\n{env}\n", section(system))).unwrap();
    start_on_system(
        system,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap()
}

async fn drive(system: SystemName, env: &str) {
    let engine = start(system, env).await;
    let (mut user, conv) = Client::join_user(&common::url(&engine.broker)).await;
    let mut lisa = Client::join_agent(&common::url(&engine.broker), "Lisa").await;
    request_and_accept(&mut user, &mut lisa, &conv).await;

    let c = conv.clone();
    lisa.request(|id| ClientMsg::Reply {
        id,
        conversation: c,
        text: "Which error code do you see?".into(),
    })
    .await;
    user.wait_for("Lisa's reply", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Agent && format!("{:?}", message.parts).contains("Which error code"))).await;

    let mut marco = Client::join_agent(&common::url(&engine.broker), "Marco").await;
    transfer_to_marco(
        &mut user,
        &mut lisa,
        &mut marco,
        &conv,
        engine.broker.system(),
    )
    .await;

    let c = conv.clone();
    marco
        .request(|id| ClientMsg::End {
            id,
            conversation: c,
        })
        .await;
    let state = state_reached(&mut user, "ended").await;
    assert!(
        matches!(
            &state,
            HandoffState::Ended {
                reason: EndReason::Agent { agent }
            } if agent == "Marco"
        ),
        "{state:?}"
    );
    lisa.wait_for("chat ended", |m| {
        matches!(
            m,
            ServerMsg::Event {
                event: ConversationEvent::ChatEnded { .. },
                ..
            }
        )
    })
    .await;
    engine.shutdown().await;
}

fn section(system: SystemName) -> &'static str {
    system.system().and_then(|s| s.section).unwrap_or("mock")
}

#[tokio::test]
async fn an_agent_works_the_8x8_emulator_desk_through_the_broker() {
    Box::pin(drive(
        handoff::systems::eight_by_eight::NAME,
        "api_key_env = \"HANDOFF_TEST_DESK_8X8_UNSET\"",
    ))
    .await;
}

#[tokio::test]
async fn an_agent_works_the_amazon_connect_emulator_desk_through_the_broker() {
    Box::pin(drive(handoff::systems::amazon_connect::NAME, "")).await;
}

#[tokio::test]
async fn an_agent_works_the_servicenow_emulator_desk_through_the_broker() {
    Box::pin(drive(handoff::systems::servicenow::NAME, "")).await;
}

#[tokio::test]
async fn an_agent_works_the_glia_emulator_desk_through_the_broker() {
    Box::pin(drive(handoff::systems::glia::NAME, "")).await;
}

/// A message event to the user from `agent` whose text contains `text`.
fn from_agent(m: &ServerMsg, agent: &str, text: &str) -> bool {
    matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
        if message.agent.as_ref().is_some_and(|a| a.name == agent)
            && format!("{:?}", message.parts).contains(text))
}

/// Lisa has the user's live chat on `system`; Marco is at the desk too.
struct LisasChat {
    engine: handoff::engine::Engine,
    user: Client,
    lisa: Client,
    marco: Client,
    conv: ConversationId,
}

async fn lisas_chat(system: SystemName, env: &str) -> LisasChat {
    let engine = start(system, env).await;
    let url = common::url(&engine.broker);
    let (mut user, conv) = Client::join_user(&url).await;
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    request_and_accept(&mut user, &mut lisa, &conv).await;
    let marco = Client::join_agent(&url, "Marco").await;
    LisasChat {
        engine,
        user,
        lisa,
        marco,
        conv,
    }
}

/// Marco joins Lisa's live chat on `system`; both talk to the user, who hears each by name,
/// and Lisa's private note to Marco never reaches the user.
async fn second_agent_joins(system: SystemName, env: &str) {
    let LisasChat {
        engine,
        mut user,
        mut lisa,
        mut marco,
        conv,
    } = lisas_chat(system, env).await;
    let c = conv.clone();
    marco
        .request(|id| ClientMsg::Accept {
            id,
            conversation: c,
        })
        .await;
    user.wait_for("Marco with Lisa", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::State { state: HandoffState::Connected { agent, with, .. } }, .. } if agent == "Marco" && with == &["Lisa"])).await;
    lisa.wait_for("both assigned", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Assigned { agents, .. }, .. } if agents == &["Lisa", "Marco"])).await;

    let c = conv.clone();
    lisa.request(|id| ClientMsg::Note {
        id,
        conversation: c,
        text: "Marco, the user is on Windows 11".into(),
    })
    .await;
    marco.wait_for("Lisa's note", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if format!("{:?}", message.parts).contains("Windows 11"))).await;
    for (agent, client, text) in [
        ("Marco", &mut marco, "Marco here, too."),
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
    let leaked = user
        .seen
        .iter()
        .any(|m| format!("{m:?}").contains("Windows 11"));
    assert!(!leaked, "the note reached the user: {:#?}", user.seen);
    engine.shutdown().await;
}

/// A system whose API carries one agent per chat refuses Marco's barge-in, naming who has it.
async fn second_agent_refused(system: SystemName, env: &str) {
    // The user and Lisa stay connected while Marco tries.
    let LisasChat {
        engine,
        user: _user,
        lisa: _lisa,
        mut marco,
        conv,
    } = lisas_chat(system, env).await;
    let c = conv.clone();
    let refused = marco
        .request_error(|id| ClientMsg::Accept {
            id,
            conversation: c,
        })
        .await;
    let said = format!("{refused:?}");
    assert!(said.contains("Lisa took it"), "{said}");
    engine.shutdown().await;
}

#[test]
fn the_systems_that_carry_a_second_agent_are_the_ones_tested_here() {
    let carrying: Vec<&str> = handoff::systems::SYSTEMS
        .iter()
        .filter(|s| s.capabilities.has(handoff::systems::Capability::BargeIn))
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(carrying, ["servicenow", "amazon-connect", "8x8", "mock"]);
}

#[tokio::test]
async fn a_second_agent_joins_an_amazon_connect_chat_and_notes_stay_between_agents() {
    Box::pin(second_agent_joins(
        handoff::systems::amazon_connect::NAME,
        "",
    ))
    .await;
}

#[tokio::test]
async fn a_second_agent_joins_an_8x8_chat_and_notes_stay_between_agents() {
    Box::pin(second_agent_joins(
        handoff::systems::eight_by_eight::NAME,
        "api_key_env = \"HANDOFF_TEST_DESK_8X8_UNSET\"",
    ))
    .await;
}

#[tokio::test]
async fn a_second_agent_joins_a_servicenow_chat_and_notes_stay_between_agents() {
    Box::pin(second_agent_joins(handoff::systems::servicenow::NAME, "")).await;
}

#[tokio::test]
async fn glia_refuses_a_second_agent() {
    Box::pin(second_agent_refused(handoff::systems::glia::NAME, "")).await;
}

/// Details the user adds while queued reach the system's API: its emulator received them as a
/// message on the waiting chat (issue 15, rule 3).
async fn details_reach_the_system(system: SystemName, env: &str) {
    let engine = start(system, env).await;
    let (mut user, conv) = Client::join_user(&common::url(&engine.broker)).await;
    ask_for_an_agent(&mut user, &conv).await;
    state_reached(&mut user, "queued").await;
    press_on_offer(&mut user, &conv, ButtonAction::EditDetails).await;
    say(
        &mut user,
        &conv,
        "text: It's error 18456 on the prod server.",
    )
    .await;
    let sim = engine
        .system
        .as_ref()
        .and_then(|built| built.emulator.as_ref())
        .unwrap()
        .sim();
    let received = || {
        sim.conversations().iter().any(|c| {
            c.user_messages
                .iter()
                .any(|m| m.ends_with("It's error 18456 on the prod server."))
        })
    };
    let deadline = tokio::time::Instant::now() + common::WAIT;
    while !received() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} never received the details: {:#?}",
            engine.broker.system(),
            sim.conversations()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    engine.shutdown().await;
}

#[tokio::test]
async fn details_added_while_queued_reach_each_systems_api() {
    Box::pin(details_reach_the_system(
        handoff::systems::amazon_connect::NAME,
        "",
    ))
    .await;
    Box::pin(details_reach_the_system(
        handoff::systems::eight_by_eight::NAME,
        "api_key_env = \"HANDOFF_TEST_DESK_8X8_UNSET\"",
    ))
    .await;
    Box::pin(details_reach_the_system(
        handoff::systems::servicenow::NAME,
        "",
    ))
    .await;
}
