//! A user who loses the connection in the middle of a live chat reconnects with the last
//! sequence number seen and gets exactly what was missed, in order, with no duplicates.

mod common;

use common::Client;
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{ClientMsg, ClientRole, ConversationEvent, Role, ServerMsg};
use std::collections::BTreeMap;

fn seqs(seen: &[ServerMsg]) -> Vec<u64> {
    seen.iter()
        .filter_map(|m| match m {
            ServerMsg::Event { seq, .. } => Some(*seq),
            _ => None,
        })
        .collect()
}

fn agent_texts(seen: &[ServerMsg]) -> Vec<String> {
    seen.iter()
        .filter_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } if message.role == Role::Agent => {
                Some(handoff::text::to_plain(match &message.parts[0] {
                    handoff::protocol::Part::RichText { rich_text } => rich_text,
                    _ => "",
                }))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_reconnect_mid_chat_loses_and_duplicates_nothing() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (user, mut lisa, conv) = common::seeds::connected_chat(&common::url(&broker)).await;
    let before = seqs(&user.seen);
    let last = *before.last().unwrap();
    let greeting_count = agent_texts(&user.seen).len();
    let secret = user.resume_secret();
    drop(user); // the connection drops

    for text in ["Are you still there?", "I can see the crash log now."] {
        let c = conv.clone();
        lisa.request(|id| ClientMsg::Reply {
            id,
            conversation: c,
            text: text.into(),
        })
        .await;
    }

    let mut user = Client::connect(&broker.url()).await;
    user.resume = secret;
    user.hello(
        ClientRole::User,
        Some(conv.clone()),
        None,
        BTreeMap::from([(conv.clone(), last)]),
    )
    .await;
    user.wait_for("second reply", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Agent && format!("{:?}", message.parts).contains("crash log"))).await;
    let after = seqs(&user.seen);
    assert!(
        after.iter().all(|s| *s > last),
        "replayed an event already seen: {after:?} after {last}"
    );
    assert!(
        after.windows(2).all(|w| w[0] < w[1]),
        "out of order: {after:?}"
    );
    assert_eq!(
        agent_texts(&user.seen),
        vec!["Are you still there?", "I can see the crash log now."]
    );
    assert_eq!(greeting_count, 1);

    // The chat goes on after the reconnect.
    let c = conv.clone();
    user.request(|id| ClientMsg::Say {
        id,
        conversation: c,
        text: "Thanks!".into(),
    })
    .await;
    lisa.wait_for("user message", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::User && format!("{:?}", message.parts).contains("Thanks!"))).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn an_observer_sees_every_event_of_every_conversation() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let (user, _lisa, conv) = common::seeds::connected_chat(&common::url(&broker)).await;
    let mut observer = Client::connect(&common::url(&broker)).await;
    observer
        .hello(ClientRole::Observer, None, None, BTreeMap::new())
        .await;
    observer.wait_for("the greeting", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Agent)).await;
    let logged = seqs(&observer.seen);
    assert_eq!(
        logged,
        (1..=*logged.last().unwrap()).collect::<Vec<_>>(),
        "observers see the whole log"
    );
    assert!(observer.seen.iter().any(|m| matches!(m, ServerMsg::Event { event: ConversationEvent::Request { .. }, conversation, .. } if *conversation == conv)));
    drop(user);
    broker.shutdown().await;
}
