//! With a real connector on its emulator, an agent client works the emulator's desk through the
//! broker exactly as it works the mock desk: it sees the request, accepts, replies, transfers
//! the chat to a second agent (who alone may then act in it), and that agent ends it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, request_title, say, state_reached};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::{
    ClientMsg, ConversationEvent, ConversationId, EndReason, HandoffState, Role, ServerMsg,
};
use handoff::systems::{SystemName, SystemsConfig};

/// The user asks for an agent; Lisa sees the request with its title and accepts it.
async fn request_and_accept(user: &mut Client, lisa: &mut Client, conv: &ConversationId) {
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

async fn drive(system: SystemName, env: &str) {
    let systems =
        SystemsConfig::from_toml("test.toml", &format!("[{}]\n{env}\n", section(system))).unwrap();
    let engine = start_on_system(
        system,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap();

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
