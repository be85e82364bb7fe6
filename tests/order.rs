//! Order, per conversation and direction, on every path: a user's burst of messages reaches the
//! system (the mock desk's agent, each emulator's desk) in the order sent, and an agent's burst
//! of replies reaches the user in the order sent, with random delays injected into the
//! emulators' HTTP answers (`{"delay":{"ms":N}}` faults) and bursts longer than the connectors'
//! command queues.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, say, state_reached, take_request};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::engine::start_on_system;
use handoff::protocol::{ClientMsg, ConversationEvent, ConversationId, Part, Role, ServerMsg};
use handoff::systems::{SystemName, SystemsConfig};

/// Messages per burst: more than a connector's command queue (32) holds.
const BURST: usize = 40;

/// The `order-…` marker of a message from `role`, if it carries one.
fn marker(msg: &ServerMsg, role: Role) -> Option<String> {
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = msg
    else {
        return None;
    };
    if message.role != role {
        return None;
    }
    message.parts.iter().find_map(|p| match p {
        Part::RichText { rich_text } => rich_text.find("order-").map(|at| {
            rich_text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        }),
        _ => None,
    })
}

fn expected(side: &str) -> Vec<String> {
    (0..BURST).map(|i| format!("order-{side}-{i:02}")).collect()
}

/// Reads until `client` has seen every marker of `role`; returns them in the order seen.
async fn markers(client: &mut Client, role: Role) -> Vec<String> {
    let count = |c: &Client| c.seen.iter().filter_map(|m| marker(m, role)).count();
    while count(client) < BURST {
        client.recv().await;
    }
    client.seen.iter().filter_map(|m| marker(m, role)).collect()
}

/// A user connected to Lisa, through the broker at `url`.
async fn connected(url: &str) -> (Client, Client, ConversationId) {
    let (mut user, conv) = Client::join_user(url).await;
    let mut lisa = Client::join_agent(url, "Lisa").await;
    say(&mut user, &conv, "text: I'd like to speak to a live agent").await;
    state_reached(&mut user, "collecting details").await;
    say(&mut user, &conv, "text: My SQL database keeps crashing.").await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    take_request(&mut user, &mut lisa, &conv).await;
    (user, lisa, conv)
}

/// Sends both bursts without waiting between messages, then waits for every ack.
async fn bursts(user: &mut Client, lisa: &mut Client, conv: &ConversationId) {
    let mut ids = Vec::new();
    for (i, text) in expected("u").into_iter().enumerate() {
        let id = format!("u{i}");
        let conversation = conv.clone();
        user.send(&ClientMsg::Say {
            id: id.clone().into(),
            conversation,
            text,
        })
        .await;
        ids.push(id);
    }
    for (i, text) in expected("a").into_iter().enumerate() {
        let conversation = conv.clone();
        lisa.send(&ClientMsg::Reply {
            id: format!("a{i}").into(),
            conversation,
            text,
        })
        .await;
    }
    for (client, prefix) in [(user, "u"), (lisa, "a")] {
        for i in 0..BURST {
            let id = format!("{prefix}{i}");
            let reply = client
                .wait_from(0, "an ack", |m| matches!(m, ServerMsg::Ack { id: a, .. } | ServerMsg::Error { id: Some(a), .. } if a.as_str() == id))
                .await;
            assert!(matches!(reply, ServerMsg::Ack { .. }), "{reply:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mock_desk_keeps_both_directions_in_order() {
    let mut config = BrokerConfig::default();
    config.desk.greeting = None;
    let broker = handoff::broker::start(config).await.unwrap();
    let (mut user, mut lisa, conv) = connected(&common::url(&broker)).await;
    bursts(&mut user, &mut lisa, &conv).await;
    assert_eq!(markers(&mut user, Role::Agent).await, expected("a"));
    assert_eq!(markers(&mut lisa, Role::User).await, expected("u"));
    broker.shutdown().await;
}

async fn through_emulator(system: SystemName, section: &str, seed: u64) {
    let systems = SystemsConfig::from_toml("test.toml", &format!("[{section}]\n")).unwrap();
    let engine = start_on_system(
        system,
        &systems,
        AgentScript::manual(),
        BrokerConfig::default(),
    )
    .await
    .unwrap();
    let (mut user, mut lisa, conv) = connected(&common::url(&engine.broker)).await;
    let emulator = engine
        .system
        .as_ref()
        .and_then(|s| s.emulator.as_ref())
        .unwrap();
    // Random delays on the next requests to the system, whatever their path.
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..BURST {
        emulator.faults().push(Fault {
            path: String::new(),
            status: 200,
            count: 1,
            retry_after: None,
            mode: FaultMode::Delay { ms: rng.u64(0..15) },
            body: None,
        });
    }
    bursts(&mut user, &mut lisa, &conv).await;
    assert_eq!(
        markers(&mut user, Role::Agent).await,
        expected("a"),
        "{system}, seed {seed}"
    );
    assert_eq!(
        markers(&mut lisa, Role::User).await,
        expected("u"),
        "{system}, seed {seed}"
    );
    // What the system itself received, in order.
    let sim = emulator.sim();
    let deadline = tokio::time::Instant::now() + common::WAIT;
    loop {
        let received: Vec<String> = sim
            .conversations()
            .into_iter()
            .flat_map(|c| c.user_messages)
            .filter(|m| m.contains("order-u-"))
            .collect();
        if received.len() >= BURST || tokio::time::Instant::now() > deadline {
            let received: Vec<String> = received
                .iter()
                .map(|m| m[m.find("order-").unwrap()..][..10].to_owned())
                .collect();
            assert_eq!(received, expected("u"), "{system} received, seed {seed}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_emulated_system_keeps_both_directions_in_order_under_injected_delays() {
    let seed = fastrand::u64(..);
    for (system, section) in [
        (handoff::systems::eight_by_eight::NAME, "8x8"),
        (handoff::systems::servicenow::NAME, "servicenow"),
        (handoff::systems::amazon_connect::NAME, "amazon_connect"),
        (handoff::systems::glia::NAME, "glia"),
    ] {
        Box::pin(through_emulator(system, section, seed)).await;
    }
}
