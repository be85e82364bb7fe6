//! `handoff serve` as a separate process: it prints its ws:// URL first, and the seed flows run
//! against it exactly as against the embedded broker.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The child and its stdout, kept open so the server never writes into a closed pipe.
struct Served(
    Child,
    #[allow(dead_code)] BufReader<std::process::ChildStdout>,
);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(style: &str) -> (Served, String, tempfile::TempDir) {
    run_first_line(&["serve", "--listen", "127.0.0.1:0", "--style", style])
}

/// Starts `handoff ARGS --log-file <tmp>` and reads the URL it prints first.
fn run_first_line(args: &[&str]) -> (Served, String, tempfile::TempDir) {
    let logs = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .arg("--log-file")
        .arg(logs.path().join("handoff.log"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start handoff");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim().to_owned();
    assert!(
        url.contains("://127.0.0.1:"),
        "first line must be the URL, got {first:?}"
    );
    (Served(child, stdout), url, logs)
}

#[tokio::test]
async fn seed_000_through_a_separate_serve_process() {
    let (_served, url, logs) = serve("brokered");
    common::seeds::seed_000(&url).await;
    let log = std::fs::read_to_string(logs.path().join("handoff.log")).unwrap();
    assert!(
        log.contains("broker listening"),
        "logs go to the file: {log}"
    );
}

#[tokio::test]
async fn seed_001_through_a_separate_serve_process() {
    let (_served, url, _logs) = serve("api");
    common::seeds::seed_001(&url).await;
}

#[tokio::test]
async fn seed_002_through_a_separate_serve_process() {
    let (_served, url, _logs) = serve("url");
    common::seeds::seed_002(&url).await;
}

#[tokio::test]
async fn serve_with_a_real_connector_runs_against_its_embedded_emulator() {
    use common::Client;
    use common::seeds::{press_start, say, state_reached};
    use handoff::protocol::{ClientMsg, ConversationEvent, ServerMsg};
    let (_served, url, _logs) =
        run_first_line(&["serve", "--listen", "127.0.0.1:0", "--system", "8x8"]);
    let (mut user, conv) = Client::join_user(&url).await;
    let welcome = user.seen[0].clone();
    assert!(
        matches!(&welcome, ServerMsg::Welcome { broker, .. } if broker.system.contains("8x8")),
        "{welcome:?}"
    );
    let mut lisa = Client::join_agent(&url, "Lisa").await;
    say(
        &mut user,
        &conv,
        "text: I need an agent: my SQL database is down",
    )
    .await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
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
    state_reached(&mut user, "connected").await;
}

#[tokio::test]
async fn emulate_runs_a_system_emulator_that_checks_credentials() {
    let (_served, url, _logs) = run_first_line(&["emulate", "8x8", "--listen", "127.0.0.1:0"]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let refused = reqwest::Client::new()
        .post(format!("{url}/chat-gateway/v1/conversations"))
        .json(&serde_json::json!({"channelId": "c"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status().as_u16(),
        401,
        "no x-api-key: refused as 8x8 does"
    );
}
