//! Protocol 2: the `ack` of a user's `say` is its echo, in its message event's place; protocol
//! 1 keeps the event and the ack after every effect.

use super::tests::{decoded, hub, join};
use super::*;
use crate::protocol::{ChatMessage, Said};

/// A user speaking `protocol`, and an observer, on one new conversation.
struct Watched {
    hub: Hub,
    user: SessionId,
    user_out: mpsc::Receiver<Frame>,
    observer_out: mpsc::Receiver<Frame>,
    conversation: ConversationId,
}

async fn watched(protocol: u32) -> Watched {
    let mut hub = hub().await;
    let (out, user_out) = mpsc::channel(64);
    let joined = hub
        .join(
            Join {
                protocol,
                ..join(ClientRole::User)
            },
            out,
            CancellationToken::new(),
        )
        .expect("the user joins");
    let conversation = hub.sessions[&joined.session]
        .conversation
        .clone()
        .expect("a user's conversation");
    let (out, observer_out) = mpsc::channel(64);
    hub.join(join(ClientRole::Observer), out, CancellationToken::new())
        .expect("the observer joins");
    let mut w = Watched {
        hub,
        user: joined.session,
        user_out,
        observer_out,
        conversation,
    };
    w.received();
    w.observed();
    w
}

impl Watched {
    fn say(&mut self, id: &str, text: &str) {
        let say = ClientMsg::Say {
            id: id.into(),
            conversation: self.conversation.clone(),
            text: text.into(),
        };
        self.hub.request(self.user, say);
        self.hub.hand_over();
    }

    fn received(&mut self) -> Vec<ServerMsg> {
        drain(&mut self.user_out)
    }

    fn observed(&mut self) -> Vec<ServerMsg> {
        drain(&mut self.observer_out)
    }
}

fn drain(out: &mut mpsc::Receiver<Frame>) -> Vec<ServerMsg> {
    std::iter::from_fn(|| out.try_recv().ok())
        .map(|f| decoded(&f))
        .collect()
}

fn user_message(msg: &ServerMsg) -> Option<&ChatMessage> {
    match msg {
        ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } if message.role == crate::protocol::Role::User => Some(message),
        _ => None,
    }
}

fn seq_of(msg: &ServerMsg) -> Option<u64> {
    match msg {
        ServerMsg::Event { seq, .. } => Some(*seq),
        ServerMsg::Ack {
            said: Some(said), ..
        } => Some(said.seq),
        _ => None,
    }
}

#[tokio::test]
async fn under_protocol_2_a_say_is_answered_by_one_ack_in_its_events_place() {
    let mut w = watched(2).await;
    w.say("s1", "I'd like to speak to a live agent");
    let got = w.received();
    let ServerMsg::Ack {
        id,
        said: Some(said),
    } = &got[0]
    else {
        panic!("the first frame is the ack that is the echo: {got:#?}");
    };
    assert_eq!(id.as_str(), "s1");
    assert!(
        got.iter().all(|m| user_message(m).is_none()),
        "no event of the user's own message: {got:#?}"
    );
    let acks = got
        .iter()
        .filter(|m| matches!(m, ServerMsg::Ack { .. }))
        .count();
    assert_eq!(acks, 1, "one answer: {got:#?}");
    // The assistant's answer follows, numbered after the message.
    let seqs: Vec<u64> = got.iter().filter_map(seq_of).collect();
    assert!(seqs.len() > 1, "the assistant answered: {got:#?}");
    assert!(seqs.windows(2).all(|p| p[0] < p[1]), "in order: {seqs:?}");
    assert_eq!(seqs[0], said.seq);
}

#[tokio::test]
async fn under_protocol_1_a_say_gets_its_message_event_and_then_the_ack() {
    let mut w = watched(1).await;
    w.say("s1", "I'd like to speak to a live agent");
    let got = w.received();
    assert!(user_message(&got[0]).is_some(), "the echo first: {got:#?}");
    assert_eq!(
        got.last(),
        Some(&ServerMsg::ack("s1".into())),
        "the ack after every effect: {got:#?}"
    );
}

#[tokio::test]
async fn a_blank_say_is_refused_alike_under_both_versions() {
    for protocol in [1, 2] {
        let mut w = watched(protocol).await;
        w.say("s1", "  ");
        let got = w.received();
        assert!(
            matches!(got.as_slice(), [ServerMsg::Error { id: Some(id), .. }] if id.as_str() == "s1"),
            "protocol {protocol}: {got:#?}"
        );
    }
}

/// What the sender rebuilds from its ack is the event everyone else receives.
fn rebuilt_equals_observed(text: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut w = watched(2).await;
        w.say("s1", text);
        let got = w.received();
        let observed = w.observed();
        let Some(ServerMsg::Ack {
            id,
            said: Some(said),
        }) = got.first()
        else {
            // Text the broker refuses (blank) is refused the same way under both versions.
            assert!(
                matches!(got.first(), Some(ServerMsg::Error { .. })),
                "{got:#?}"
            );
            return;
        };
        let event = observed
            .iter()
            .find(|m| user_message(m).is_some())
            .expect("the observer saw the message");
        assert_eq!(&Said::event(said, id, text), event);
    });
}

#[test]
fn the_sender_rebuilds_exactly_the_event_of_tricky_texts() {
    for text in [
        "é starts it",
        "<b>not bold</b> & \"quoted\" 'single'",
        "two\nlines\n\nand a paragraph",
        "\u{2028}\u{0}\t emoji 👩‍💻 and RTL שלום",
        " spaces around ",
    ] {
        rebuilt_equals_observed(text);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    #[test]
    fn the_sender_rebuilds_exactly_the_event_of_any_text(text in "\\PC{0,60}|[\\s\\S]{0,60}") {
        rebuilt_equals_observed(&text);
    }
}
