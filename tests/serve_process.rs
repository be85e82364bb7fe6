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
    let logs = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--style",
            style,
            "--log-file",
        ])
        .arg(logs.path().join("handoff.log"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start handoff serve");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim().to_owned();
    assert!(
        url.starts_with("ws://127.0.0.1:"),
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
