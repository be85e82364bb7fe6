//! Issue 15, rule 10: KB article and ticket numbers an agent types on ServiceNow reach the user
//! as plain strings, over a real WebSocket and the ServiceNow connector on its emulator. The
//! agent's workspace may unfurl them; nothing of that crosses the API, and the broker adds no
//! link of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, say, state_reached, take_request};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::{ChatMessage, ClientMsg, ConversationEvent, Part, Role, ServerMsg};
use handoff::systems::SystemsConfig;

const NUMBERS: &str = "See KB0012345, then INC0010001 (and RITM0010002, CHG0030001)";

fn agent_message(m: &ServerMsg) -> Option<&ChatMessage> {
    match m {
        ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } if message.role == Role::Agent => Some(message),
        _ => None,
    }
}

#[tokio::test]
async fn kb_and_ticket_numbers_reach_the_user_as_plain_text() {
    let systems = SystemsConfig::from_toml("test.toml", "[servicenow]\n").unwrap();
    let system = handoff::systems::servicenow::NAME;
    let engine = start_on_system(
        system,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap();
    let url = common::url(&engine.broker);
    let (mut user, conv) = Client::join_user(&url).await;
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    say(
        &mut user,
        &conv,
        "text: I need an agent, outlook keeps crashing",
    )
    .await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    take_request(&mut user, &mut lisa, &conv).await;
    for text in [NUMBERS, "last"] {
        let (conversation, text) = (conv.clone(), text.to_owned());
        lisa.request(|id| ClientMsg::Reply {
            id,
            conversation,
            text,
        })
        .await;
    }
    user.wait_for("the last reply", |m| {
        agent_message(m).is_some_and(|msg| format!("{:?}", msg.parts).contains("last"))
    })
    .await;
    let from_lisa: Vec<&ChatMessage> = user.seen.iter().filter_map(agent_message).collect();
    let numbers = from_lisa
        .iter()
        .find(|m| format!("{:?}", m.parts).contains("KB0012345"))
        .expect("the numbers arrived");
    assert_eq!(numbers.parts, vec![Part::text(format!("<p>{NUMBERS}</p>"))]);
    // Nothing else arrived for them: no card, no link, no file.
    assert!(
        from_lisa.iter().all(|m| m
            .parts
            .iter()
            .all(|p| matches!(p, Part::RichText { rich_text } if !rich_text.contains("<a")))),
        "{from_lisa:#?}"
    );
    engine.shutdown().await;
}
