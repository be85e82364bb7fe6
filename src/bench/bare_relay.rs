//! The baseline server: a tokio-tungstenite relay with no protocol, built the way `handoff
//! serve` is built (multi-thread runtime, one task per connection, `TCP_NODELAY`, tungstenite's
//! default `WebSocketConfig`, a queue of [`QUEUE`] frames per receiving connection, one
//! `send` — one flush — per frame), so that the difference to the broker is the broker's work.
//!
//! A connection's first text frame joins a room: `user ROOM` or `agent ROOM`, answered `ok`;
//! `agent *` is a desk socket that gets every room without an agent of its own. Every later text
//! frame of a room's user goes verbatim to the room's agent; agents' frames are dropped.
//!
//! `user ROOM answers=1` or `answers=2` also answers each of the user's frames as the broker
//! answers a `say` of that protocol (the frame back and an `ack`; one `ack` of the size of
//! protocol 2's), in the user's own task, one flush per frame: the broker's frames without its
//! work, the baseline that splits the gap to the bare relay in two.

use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Frames queued for one agent connection: the broker's own per-session queue, so the two
/// compare at the same bound; a user whose agent's queue is full waits (back-pressure).
pub const QUEUE: usize = crate::broker::SESSION_QUEUE;

type Outbox = mpsc::Sender<Message>;

/// Who gets a room's frames: its own agent, else the desk.
#[derive(Default)]
struct Rooms {
    agents: HashMap<String, Outbox>,
    desk: Option<Outbox>,
}

impl Rooms {
    fn agent_of(&self, room: &str) -> Option<Outbox> {
        self.agents.get(room).or(self.desk.as_ref()).cloned()
    }
}

type Shared = Arc<Mutex<Rooms>>;

/// Listens on `listen` (loopback), prints `ws://ADDR` as stdout's first line, serves forever.
pub async fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    anyhow::ensure!(
        listen.ip().is_loopback(),
        "the bare relay listens on loopback only, not {listen}"
    );
    let listener = TcpListener::bind(listen).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "ws://{}", listener.local_addr()?)?;
    stdout.flush()?;
    drop(stdout);
    let rooms = Shared::default();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, Arc::clone(&rooms)));
            }
            // Out of descriptors and the like: wait and go on, as the broker does.
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

async fn connection(stream: TcpStream, rooms: Shared) {
    _ = stream.set_nodelay(true);
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default();
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let join = loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => break text,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return,
            Some(Ok(_)) => {}
        }
    };
    let Some((role, room)) = join.as_str().split_once(' ') else {
        _ = ws
            .send(Message::text(
                "error: join with `user ROOM` or `agent ROOM`",
            ))
            .await;
        return;
    };
    match (role, room.split_once(' ')) {
        ("agent", None) => agent(ws, &rooms, room.to_owned()).await,
        ("user", None) => user(ws, &rooms, room, Answers::None).await,
        ("user", Some((room, answers))) => match Answers::parse(answers) {
            Some(answers) => user(ws, &rooms, room, answers).await,
            None => {
                _ = ws
                    .send(Message::text(
                        "error: answer with `answers=1` or `answers=2`",
                    ))
                    .await;
            }
        },
        _ => {
            _ = ws
                .send(Message::text(
                    "error: join with `user ROOM [answers=1|2]` or `agent ROOM`",
                ))
                .await;
        }
    }
}

/// What a user gets back for each of its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// Nothing: a plain relay.
    None,
    /// Protocol 1's two frames: the frame itself (the echo), then an `ack`.
    Protocol1,
    /// Protocol 2's one frame: an `ack` the size of the broker's (about 200 bytes).
    Protocol2,
}

/// Protocol 1's `ack`.
const ACK: &str = r#"{"type":"ack","id":"1"}"#;

/// An `ack` as long as protocol 2's for a bench message (the same fields, made-up values).
const SAID_ACK: &str = concat!(
    r#"{"type":"ack","id":"12345","said":{"conversation":"c-0123456789abcdef0123456789abcdef","#,
    r#""seq":123456,"at":1764850000000,"audience":"both","message":"m-123456","#,
    r#""message_at":1764850000000}}"#
);

impl Answers {
    /// `answers=1` or `answers=2`, the join's third word.
    fn parse(word: &str) -> Option<Self> {
        match word {
            "answers=1" => Some(Self::Protocol1),
            "answers=2" => Some(Self::Protocol2),
            _ => None,
        }
    }

    /// The join line of a user of `room` answered as `protocol` is (a plain relay for others).
    pub fn join(room: &str, protocol: Option<u32>) -> String {
        match protocol {
            Some(p @ (1 | 2)) => format!("user {room} answers={p}"),
            _ => format!("user {room}"),
        }
    }

    /// The frames that answer `frame`, in order.
    fn to(self, frame: &Message) -> impl Iterator<Item = Message> {
        let (first, second) = match self {
            Self::None => (None, None),
            Self::Protocol1 => (
                Some(frame.clone()),
                Some(Message::Text(Utf8Bytes::from_static(ACK))),
            ),
            Self::Protocol2 => (Some(Message::Text(Utf8Bytes::from_static(SAID_ACK))), None),
        };
        first.into_iter().chain(second)
    }
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

/// An agent: registered for its room (or the desk), then fed from its queue, one flush per frame.
async fn agent(mut ws: Socket, rooms: &Shared, room: String) {
    let (tx, mut rx) = mpsc::channel(QUEUE);
    {
        let mut r = rooms.lock().unwrap_or_else(PoisonError::into_inner);
        if room == "*" {
            r.desk = Some(tx);
        } else {
            r.agents.insert(room, tx);
        }
    }
    if ws.send(Message::text("ok")).await.is_err() {
        return;
    }
    let (mut sink, mut source) = ws.split();
    // Agents' own frames are read (so closes are seen) and dropped.
    tokio::spawn(async move { while let Some(Ok(_)) = source.next().await {} });
    while let Some(frame) = rx.recv().await {
        if sink.send(frame).await.is_err() {
            break;
        }
    }
}

/// A user: every text frame is answered as `answers` says, then goes to the room's agent,
/// waiting while its queue is full.
async fn user(mut ws: Socket, rooms: &Shared, room: &str, answers: Answers) {
    if ws.send(Message::text("ok")).await.is_err() {
        return;
    }
    while let Some(Ok(frame)) = ws.next().await {
        if !frame.is_text() {
            continue;
        }
        for answer in answers.to(&frame) {
            if ws.send(answer).await.is_err() {
                return;
            }
        }
        let to = rooms
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .agent_of(room);
        if let Some(to) = to {
            _ = to.send(frame).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_user_is_answered_as_the_protocol_it_names_answers_a_say() {
        let frame = Message::text(r#"{"type":"say","text":"é"}"#);
        let answers = |a: Answers| a.to(&frame).collect::<Vec<_>>();
        assert!(answers(Answers::None).is_empty());
        assert_eq!(
            answers(Answers::Protocol1),
            [frame.clone(), Message::text(ACK)]
        );
        assert_eq!(answers(Answers::Protocol2), [Message::text(SAID_ACK)]);
        // As long as the broker's: its `said` names a conversation, seq, time and message id.
        assert!((170..=230).contains(&SAID_ACK.len()), "{}", SAID_ACK.len());
        let ack: serde_json::Value = serde_json::from_str(SAID_ACK).unwrap();
        assert_eq!(ack["said"]["message"], "m-123456");
    }

    #[test]
    fn the_join_line_names_the_answers_of_protocols_1_and_2_only() {
        assert_eq!(Answers::join("r1", None), "user r1");
        assert_eq!(Answers::join("r1", Some(2)), "user r1 answers=2");
        assert_eq!(Answers::join("r1", Some(1)), "user r1 answers=1");
        assert_eq!(Answers::join("r1", Some(3)), "user r1");
        assert_eq!(Answers::parse("answers=2"), Some(Answers::Protocol2));
        assert_eq!(Answers::parse("answers=3"), None);
    }

    proptest! {
        #[test]
        fn any_third_word_is_refused_or_names_a_protocol(word in any::<String>()) {
            let parsed = Answers::parse(&word);
            prop_assert_eq!(parsed.is_some(), word == "answers=1" || word == "answers=2");
        }
    }
}
