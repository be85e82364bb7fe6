//! `handoff import` and `handoff connect` through the real binary: an imported seed runs
//! green under `handoff run`; a script drives a handoff through `connect`, a JSON frame a line.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{WAIT, handoff, run_to_exit, start_server};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

#[test]
fn an_imported_seed_runs_green() {
    let home = tempfile::tempdir().unwrap();
    let seed = repo("tests/fixtures/seeds/001_69677ef063214ac6.txt");
    let exit = run_to_exit(
        handoff(home.path()).args(["import", &seed, "--style", "api"]),
        "import",
    );
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert!(
        exit.stdout.contains("label = \"Start agent chat\""),
        "{}",
        exit.stdout
    );
    let file = home.path().join("seed_001.toml");
    std::fs::write(&file, &exit.stdout).unwrap();
    let run = run_to_exit(
        handoff(home.path()).args(["run", file.to_str().unwrap()]),
        "run the import",
    );
    assert_eq!(run.code, Some(0), "{}\n{run:#?}", exit.stdout);
    assert!(run.stdout.contains("1 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn a_link_that_is_not_a_conversation_is_refused_saying_why() {
    let home = tempfile::tempdir().unwrap();
    let exit = run_to_exit(
        handoff(home.path()).args(["import", "https://example.test/?x=1"]),
        "import",
    );
    assert_eq!(exit.code, Some(1), "{exit:#?}");
    assert!(
        exit.stderr
            .contains("the link has no `conversation` parameter"),
        "{exit:#?}"
    );
}

/// Lines of the child's stdout, as they come.
fn lines(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The first line that `pred` accepts, as JSON.
fn until(
    rx: &mpsc::Receiver<String>,
    what: &str,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    loop {
        let line = rx
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no {what} in time"));
        let json: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not one JSON frame ({e}): {line}"));
        if pred(&json) {
            return json;
        }
    }
}

#[test]
fn a_script_drives_a_handoff_one_json_frame_per_line() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("serve.log");
    let mut serve = handoff(home.path());
    serve.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--log-file",
        log.to_str().unwrap(),
    ]);
    let server = start_server(&mut serve, "ws://127.0.0.1:", "handoff serve");
    let mut child = handoff(home.path())
        .args(["connect", "--role", "user", "--url", &server.url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines(child.stdout.take().unwrap());
    let welcome = until(&rx, "welcome", |j| j["type"] == "welcome");
    let conversation = welcome["conversation"].as_str().unwrap().to_owned();
    let mut stdin = child.stdin.take().unwrap();
    let say = serde_json::json!({"type": "say", "id": "1", "conversation": conversation, "text": "I'd like to speak to a live agent"});
    writeln!(stdin, "{say}").unwrap();
    // Protocol 2: the ack is the echo, in the place of the message's event, before the
    // assistant answers.
    let ack = until(&rx, "the ack", |j| j["type"] == "ack" && j["id"] == "1");
    assert!(ack["said"]["seq"].as_u64().is_some(), "{ack}");
    until(&rx, "the assistant's question", |j| {
        j["event"]["message"]["role"] == "assistant" && j.to_string().contains("more details")
    });
    drop(stdin);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < WAIT, "connect did not end with its stdin");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
