//! Connection-level bounds over real sockets: a client must say `hello` in time and in a few
//! KiB; a frame that is not UTF-8 or breaks the WebSocket protocol closes with its own code;
//! a client that stops reading is closed within the write timeout (holding users' requests back
//! at most that long), and resumes by seq.

// Tests fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use common::Client;
use futures_util::{SinkExt, StreamExt};
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{ClientMsg, ClientRole, ServerMsg};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test]
async fn a_client_that_never_says_hello_is_closed_and_frees_its_slot() {
    let broker = broker::start(BrokerConfig {
        max_connections: 3,
        hello_timeout: Duration::from_millis(300),
        ..BrokerConfig::default()
    })
    .await
    .unwrap();
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(Client::connect(&broker.url()).await);
    }
    // Every slot is taken by a client that says nothing; a real one still gets in once the
    // deadline closes them.
    let url = broker.url();
    let real = tokio::spawn(async move { Client::join_user(&url).await });
    for c in &mut silent {
        let close = c.closed().await;
        assert_eq!(close.code, CloseCode::Policy);
        assert_eq!(close.reason.as_str(), "no hello within 300 ms");
    }
    let (_real, conv) = tokio::time::timeout(common::WAIT, real)
        .await
        .expect("served once the silent ones are gone")
        .unwrap();
    assert!(conv.as_str().starts_with("c-"));
    broker.shutdown().await;
}

#[tokio::test]
async fn more_than_4_kib_before_hello_closes_with_1009() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    // Under the message limit, so only the pre-hello budget can refuse it.
    let mut c = Client::connect(&broker.url()).await;
    c.send_raw(&format!(
        r#"{{"type":"ping","id":"{}"}}"#,
        "x".repeat(8 * 1024)
    ))
    .await;
    let close = c.closed().await;
    assert_eq!(close.code, CloseCode::Size);
    assert_eq!(close.reason.as_str(), "more than 4096 bytes before hello");

    // A 2 MiB frame is refused after 4 KiB of it, while the sender is still sending.
    let close = close_after_sending(Client::connect(&broker.url()).await, 2 << 20).await;
    assert_eq!(close.code, CloseCode::Size);

    // A hello within the budget lifts it: big requests are then held to the message limit.
    let (mut user, conv) = Client::join_user(&broker.url()).await;
    common::seeds::say(
        &mut user,
        &conv,
        &format!("text: {}", "z".repeat(32 * 1024)),
    )
    .await;
    broker.shutdown().await;
}

/// A WebSocket handshake by hand, for frames no client library would send.
async fn raw_socket(addr: std::net::SocketAddr) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.unwrap());
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

/// The close code and reason of the server's next frame, which must be a close frame.
async fn close_frame(tcp: &mut TcpStream) -> (u16, String) {
    let read = async {
        let opcode = tcp.read_u8().await.unwrap() & 0x0f;
        let len = usize::from(tcp.read_u8().await.unwrap() & 0x7f);
        let mut payload = vec![0; len];
        tcp.read_exact(&mut payload).await.unwrap();
        assert_eq!(opcode, 8, "a close frame");
        let code = u16::from_be_bytes([payload[0], payload[1]]);
        (code, String::from_utf8_lossy(&payload[2..]).into_owned())
    };
    tokio::time::timeout(common::WAIT, read)
        .await
        .expect("a close frame in time")
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_closes_with_1007() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let mut tcp = raw_socket(broker.addr()).await;
    // FIN + text, masked, 2 bytes (mask of zeros keeps the payload as is): 0xFF 0xFE.
    tcp.write_all(&[0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe])
        .await
        .unwrap();
    let (code, reason) = close_frame(&mut tcp).await;
    assert_eq!(
        (code, reason.as_str()),
        (1007, "text frame is not valid UTF-8")
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn an_unmasked_client_frame_closes_with_1002() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let mut tcp = raw_socket(broker.addr()).await;
    tcp.write_all(&[0x81, 0x02, b'{', b'}']).await.unwrap();
    let (code, reason) = close_frame(&mut tcp).await;
    assert_eq!(code, 1002);
    assert!(reason.starts_with("protocol violation"), "{reason}");
    broker.shutdown().await;
}

/// The highest seq of `conv` among `seen`.
fn last_seq(seen: &[ServerMsg]) -> u64 {
    seen.iter()
        .filter_map(|m| match m {
            ServerMsg::Event { seq, .. } => Some(*seq),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_while_others_go_on_and_it_resumes_by_seq() {
    let broker = broker::start(BrokerConfig {
        session_queue: 32,
        write_timeout: Duration::from_secs(2),
        ..BrokerConfig::default()
    })
    .await
    .unwrap();
    let url = common::url(&broker);
    let (mut user, lisa, conv) = common::seeds::connected_chat(&url).await;
    // Lisa keeps reading in the background; the observer stops reading after its welcome.
    let mut lisa_ws = lisa.ws;
    let lisa_reads = tokio::spawn(async move { while let Some(Ok(_)) = lisa_ws.next().await {} });
    let mut slow = Client::connect(&url).await;
    slow.hello(ClientRole::Observer, None, None, BTreeMap::new())
        .await;
    let before = last_seq(&slow.seen);

    // Far more than the socket buffers and the queue hold: 400 messages of 48 KiB.
    let text = "w".repeat(48 * 1024);
    for _ in 0..400 {
        let (c, t) = (conv.clone(), text.clone());
        user.request(|id| ClientMsg::Say {
            id,
            conversation: c,
            text: t,
        })
        .await;
        user.seen.clear(); // the test keeps only what it checks
    }
    user.request(|id| ClientMsg::Ping { id }).await;

    // The slow observer's connection has ended: it reads what was buffered, then the end.
    let ended = tokio::time::timeout(common::WAIT * 3, async {
        let mut last = before;
        loop {
            match slow.ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    if let Ok(ServerMsg::Event { seq, .. }) = serde_json::from_str(t.as_str()) {
                        assert!(seq > last, "in order, no repeats");
                        last = seq;
                    }
                }
                Some(Ok(Message::Close(frame))) => break (last, frame),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break (last, None),
            }
        }
    })
    .await
    .expect("the slow client was closed");
    let (seen_up_to, frame) = ended;
    if let Some(frame) = frame {
        assert_eq!(frame.code, CloseCode::Policy);
        assert!(frame.reason.starts_with("client too slow"), "{frame:?}");
    }

    // It resumes from what it saw and gets the rest, with no gap.
    let mut again = Client::connect(&url).await;
    let since = BTreeMap::from([(conv.clone(), seen_up_to)]);
    again.hello(ClientRole::Observer, None, None, since).await;
    let c = conv.clone();
    user.request(|id| ClientMsg::Say {
        id,
        conversation: c,
        text: "one more".into(),
    })
    .await;
    again
        .wait_for("the newest message", |m| {
            format!("{m:?}").contains("one more")
        })
        .await;
    let replayed: Vec<u64> = again
        .seen
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Event {
                seq, conversation, ..
            } if *conversation == conv => Some(*seq),
            _ => None,
        })
        .collect();
    assert_eq!(replayed.first(), Some(&(seen_up_to + 1)), "{replayed:?}");
    assert!(
        replayed.windows(2).all(|w| w[1] == w[0] + 1),
        "no gap: {replayed:?}"
    );
    lisa_reads.abort();
    broker.shutdown().await;
}

/// Sends a frame of `len` bytes on `c`'s socket and returns the close frame that ends it.
async fn close_after_sending(
    c: Client,
    len: usize,
) -> tokio_tungstenite::tungstenite::protocol::CloseFrame {
    let (mut tx, mut rx) = c.ws.split();
    let sender = tokio::spawn(async move {
        let _ = tx.send(Message::text("y".repeat(len))).await;
        tx
    });
    let close = tokio::time::timeout(common::WAIT, async {
        loop {
            match rx.next().await {
                Some(Ok(Message::Close(frame))) => break frame,
                Some(Ok(_)) => {}
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .expect("closed in time")
    .expect("a close frame with a code");
    sender.abort();
    close
}

#[tokio::test]
async fn an_observer_is_held_to_the_message_limit_at_the_frame_header() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    // Observers send no files: a 2 MiB message is refused at its header, not buffered.
    let observer = Client::join_observer(&common::url(&broker)).await;
    let close = close_after_sending(observer, 2 << 20).await;
    assert_eq!(close.code, CloseCode::Size);
    assert!(
        close
            .reason
            .contains("over this role's limit of 65536 bytes"),
        "{}",
        close.reason
    );
    // A user may send a frame that size (an `attach`): it is read whole, and only then
    // refused for not being an `attach`.
    let (user, _conv) = Client::join_user(&broker.url()).await;
    let close = close_after_sending(user, 2 << 20).await;
    assert_eq!(close.code, CloseCode::Size);
    assert!(
        close.reason.contains("files go in `attach`"),
        "{}",
        close.reason
    );
    assert!(!close.reason.contains("role"), "{}", close.reason);
}
