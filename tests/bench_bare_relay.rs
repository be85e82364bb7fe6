//! `handoff bench --bare-relay`, the bench's baselines, through the real binary: a plain relay
//! forwards a user's frames verbatim to the desk socket; a user that joins with `answers=P` is
//! also answered as the broker answers a `say` of protocol P; a bad join is refused by name.

// Tests fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

use futures_util::SinkExt as _;
use handoff::bench::peers::{Socket, connect, next_text};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// The relay as a child process, killed when dropped.
struct Relay(Child, String);

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> Relay {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["bench", "--bare-relay"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the relay starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("ws://127.0.0.1:"), "{line:?}");
    Relay(child, line.trim().to_owned())
}

async fn joined(url: &str, line: &str) -> Socket {
    let mut ws = connect(url, None).await.unwrap();
    ws.send(Message::text(line)).await.unwrap();
    assert_eq!(next_text(&mut ws).await.unwrap(), "ok", "{line}");
    ws
}

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("in time")
}

#[tokio::test]
async fn each_user_is_answered_as_its_join_says_and_the_desk_gets_every_frame_verbatim() {
    let relay = start();
    let mut desk = joined(&relay.1, "agent *").await;
    let mut plain = joined(&relay.1, "user r0").await;
    let mut one = joined(&relay.1, "user r1 answers=1").await;
    let mut two = joined(&relay.1, "user r2 answers=2").await;
    for (ws, text) in [
        (&mut plain, "é plain"),
        (&mut one, "é one"),
        (&mut two, "é two"),
    ] {
        ws.send(Message::text(text)).await.unwrap();
        assert_eq!(within(next_text(&mut desk)).await.unwrap(), text);
    }
    // Protocol 1: the frame back, then an ack; protocol 2: one ack that says where it went.
    assert_eq!(within(next_text(&mut one)).await.unwrap(), "é one");
    assert_eq!(
        within(next_text(&mut one)).await.unwrap(),
        r#"{"type":"ack","id":"1"}"#
    );
    let said = within(next_text(&mut two)).await.unwrap();
    assert!(
        said.starts_with(r#"{"type":"ack","id":"12345","said":{"#),
        "{said}"
    );
    // The plain user is answered nothing: after one more frame, only the desk has one.
    plain.send(Message::text("again")).await.unwrap();
    assert_eq!(within(next_text(&mut desk)).await.unwrap(), "again");
    let nothing = tokio::time::timeout(Duration::from_millis(200), next_text(&mut plain)).await;
    assert!(nothing.is_err(), "a plain user was answered: {nothing:?}");
}

#[tokio::test]
async fn a_join_with_an_unknown_answer_is_refused_by_name() {
    let relay = start();
    for line in ["user r0 answers=3", "user r0 é", "user r0 answers=2 x"] {
        let mut ws = connect(&relay.1, None).await.unwrap();
        ws.send(Message::text(line)).await.unwrap();
        let answer = within(next_text(&mut ws)).await.unwrap();
        assert!(answer.starts_with("error: "), "{line}: {answer}");
    }
}
