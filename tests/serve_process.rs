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
    #[allow(dead_code)] Option<BufReader<std::process::ChildStdout>>,
);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The token the served brokers of these tests are given (`HANDOFF_TOKEN`).
const TOKEN: &str = "serve-process-test-token-0123456789";

/// A served broker's URL with the token, for its agents.
fn trusted(url: &str) -> String {
    format!("{url}/?token={TOKEN}")
}

fn serve(style: &str) -> (Served, String, tempfile::TempDir) {
    run_first_line(&["serve", "--listen", "127.0.0.1:0", "--style", style])
}

/// Starts `handoff ARGS --log-file <tmp>` with [`TOKEN`] and reads the URL it prints first.
fn run_first_line(args: &[&str]) -> (Served, String, tempfile::TempDir) {
    run_with_token(args, Some(TOKEN))
}

/// The same, with `token` in `HANDOFF_TOKEN`, or none: the broker makes its own.
fn run_with_token(args: &[&str], token: Option<&str>) -> (Served, String, tempfile::TempDir) {
    let logs = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_handoff"));
    match token {
        Some(token) => command.env("HANDOFF_TOKEN", token),
        None => command.env_remove("HANDOFF_TOKEN"),
    };
    let mut child = command
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
    let first = first.trim();
    assert!(
        first.contains("://127.0.0.1:"),
        "first line must be the URL, got {first:?}"
    );
    // `serve` adds its token to the line on a pipe; the tests add the token where they need it.
    let url = match first.split_once("/?token=") {
        Some((url, token)) if args.first() == Some(&"serve") && !token.is_empty() => url,
        _ if args.first() != Some(&"serve") => first,
        _ => panic!("serve's first line on a pipe carries its token, got {first:?}"),
    };
    (Served(child, Some(stdout)), url.to_owned(), logs)
}

#[tokio::test]
async fn the_first_line_on_a_pipe_is_all_a_tool_needs_to_join_as_an_agent() {
    use common::Client;
    let logs = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .env_remove("HANDOFF_TOKEN")
        .args(["serve", "--listen", "127.0.0.1:0", "--log-file"])
        .arg(logs.path().join("handoff.log"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start handoff");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let _served = Served(child, Some(stdout));
    let _lisa = Client::join_agent(first.trim(), "Lisa").await;
}

#[test]
fn the_first_line_written_to_a_file_leaves_the_token_out() {
    let logs = tempfile::tempdir().unwrap();
    let out = logs.path().join("stdout.txt");
    let child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .env_remove("HANDOFF_TOKEN")
        .args(["serve", "--listen", "127.0.0.1:0", "--log-file"])
        .arg(logs.path().join("handoff.log"))
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start handoff");
    let _served = Served(child, None);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let line = loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if let Some(line) = text.lines().next().filter(|_| text.contains('\n')) {
            break line.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve printed nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(line.starts_with("ws://127.0.0.1:"), "{line:?}");
    assert!(
        !line.contains("token"),
        "a file may be readable by others: {line:?}"
    );
}

#[tokio::test]
async fn seed_000_through_a_separate_serve_process() {
    let (_served, url, logs) = serve("brokered");
    common::seeds::seed_000(&trusted(&url)).await;
    let log = std::fs::read_to_string(logs.path().join("handoff.log")).unwrap();
    assert!(
        log.contains("broker listening"),
        "logs go to the file: {log}"
    );
}

#[tokio::test]
async fn seed_001_through_a_separate_serve_process() {
    let (_served, url, _logs) = serve("api");
    common::seeds::seed_001(&trusted(&url)).await;
}

#[tokio::test]
async fn seed_002_through_a_separate_serve_process() {
    let (_served, url, _logs) = serve("url");
    common::seeds::seed_002(&trusted(&url)).await;
}

#[tokio::test]
async fn serve_with_a_real_connector_runs_against_its_embedded_emulator() {
    use common::Client;
    use common::seeds::{press_start, say, state_reached, take_request};
    use handoff::protocol::ServerMsg;
    let (_served, url, _logs) =
        run_first_line(&["serve", "--listen", "127.0.0.1:0", "--system", "8x8"]);
    let (mut user, conv) = Client::join_user(&url).await;
    let welcome = user.seen[0].clone();
    assert!(
        matches!(&welcome, ServerMsg::Welcome { broker, .. } if broker.system.contains("8x8")),
        "{welcome:?}"
    );
    let mut lisa = Client::join_agent(&trusted(&url), "Lisa").await;
    say(
        &mut user,
        &conv,
        "text: I need an agent: my SQL database is down",
    )
    .await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    take_request(&mut user, &mut lisa, &conv).await;
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

#[tokio::test]
async fn serve_writes_a_fresh_token_to_an_owner_only_file_and_refuses_strangers() {
    use common::Client;
    use std::os::unix::fs::PermissionsExt as _;
    let (mut served, url, logs) = run_with_token(&["serve", "--listen", "127.0.0.1:0"], None);
    let stderr = BufReader::new(served.0.stderr.take().unwrap());
    let path = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("token: in ")
                .and_then(|rest| rest.split(" (owner-only)").next().map(str::to_owned))
        })
        .expect("stderr names the token file");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{path}");
    let token = std::fs::read_to_string(&path).unwrap();
    assert_eq!(token.len(), 64, "256 bits in hex");

    let mut stranger = Client::connect(&url).await;
    stranger
        .send_raw(r#"{"type":"hello","protocol":1,"role":"observer"}"#)
        .await;
    let close = stranger.closed().await;
    assert_eq!(u16::from(close.code), 1008);
    let _lisa = Client::join_agent(&format!("{url}/?token={token}"), "Lisa").await;
    let mut page = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        url.as_str(),
    )
    .unwrap();
    page.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(page).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("a foreign origin got through: {other:?}"),
    }
    let log = std::fs::read_to_string(logs.path().join("handoff.log")).unwrap();
    assert!(
        log.contains("handshake refused"),
        "the refusal is logged: {log}"
    );
    assert!(!log.contains(&token), "the token is never logged");
}

#[test]
fn serve_on_a_non_loopback_address_needs_a_token_given() {
    let output = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .env_remove("HANDOFF_TOKEN")
        .args(["serve", "--listen", "0.0.0.0:0", "--log-file"])
        .arg(tempfile::tempdir().unwrap().path().join("handoff.log"))
        .output()
        .expect("run handoff");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no URL: it never listened");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("needs a token you choose: set HANDOFF_TOKEN or --token-file"),
        "{stderr}"
    );
}

/// A hung system: once the user is offered an agent, every call to the system takes 30 s.
/// With `[http] timeout_secs = 2` (one deadline per call, retries included) the user is told
/// the system could not be reached while the system would still be "working".
#[tokio::test]
async fn a_hung_system_is_reported_to_the_user_before_it_would_answer() {
    use common::Client;
    use common::seeds::{press_start, say, state_reached};
    use handoff::protocol::{ConversationEvent, Part, ServerMsg};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("handoff.toml");
    std::fs::write(&config, "[http]\ntimeout_secs = 2\nmax_attempts = 3\n").unwrap();
    let config = config.display().to_string();
    let (mut served, url, _logs) = run_first_line(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--system",
        "glia",
        "--config",
        &config,
    ]);
    let stderr = BufReader::new(served.0.stderr.take().unwrap());
    let emulator = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("emulator: ")
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_owned)
        })
        .expect("serve names its emulator on stderr");
    let (mut user, conv) = Client::join_user(&url).await;
    say(
        &mut user,
        &conv,
        "text: I need an agent: my SQL database is down",
    )
    .await;
    state_reached(&mut user, "offered").await;
    let fault = serde_json::json!({"mode": {"delay": {"ms": 30_000}}, "count": 1000});
    let set = reqwest::Client::new()
        .post(format!("{emulator}/__emu/fault"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert!(set.status().is_success(), "{set:?}");
    press_start(&mut user, &conv).await;
    // `wait_for` gives up after `common::WAIT` (20 s), before the system's 30 s are over.
    let told = user
        .wait_for("the user told the system is unreachable", |m| {
            matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
                if message.parts.iter().any(|p| matches!(p, Part::RichText { rich_text }
                    if rich_text.contains("couldn't reach the live agent system"))))
        })
        .await;
    // It is the deadline that ended the call, not an answer of the system's.
    assert!(
        format!("{told:?}").contains("no answer within the call&#39;s 2s deadline"),
        "{told:?}"
    );
}

/// `handoff serve --system NAME` for every system that hands users over by a link, an API call
/// or a channel post: each runs against its embedded emulator and takes a user through to the
/// handoff over the protocol, naming the system in its welcome.
#[tokio::test]
async fn serve_hands_over_on_every_url_api_and_channel_system() {
    use common::Client;
    use common::seeds::{press_start, say, state_reached};
    use handoff::protocol::ServerMsg;
    let systems = [
        ("beyondtrust", "redirected"),
        ("vayusphere", "redirected"),
        ("url", "redirected"),
        ("five9", "redirected"),
        ("servicenow-web", "redirected"),
        ("slack", "posted"),
        ("teams", "posted"),
        ("webex", "posted"),
        ("google-chat", "posted"),
    ];
    for (system, handed) in systems {
        let (served, url, _logs) =
            run_first_line(&["serve", "--listen", "127.0.0.1:0", "--system", system]);
        let (mut user, conv) = Client::join_user(&url).await;
        assert!(
            matches!(&user.seen[0], ServerMsg::Welcome { .. }),
            "{system}: {:?}",
            user.seen[0]
        );
        say(
            &mut user,
            &conv,
            "text: I need an agent, the printer on floor 3 is offline",
        )
        .await;
        state_reached(&mut user, "offered").await;
        press_start(&mut user, &conv).await;
        state_reached(&mut user, handed).await;
        drop(served);
    }
}

/// The assistant texts `user` has seen, as plain text.
fn assistant_texts(user: &common::Client) -> String {
    use handoff::protocol::{ConversationEvent, Part, ServerMsg};
    let mut all = String::new();
    for m in &user.seen {
        if let ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } = m
        {
            for part in &message.parts {
                if let Part::RichText { rich_text } = part {
                    all.push_str(&handoff::text::to_plain(rich_text));
                }
            }
        }
    }
    all
}

#[tokio::test]
async fn time_scale_runs_the_queue_timeout_in_demo_time() {
    use common::Client;
    use common::seeds::{press_start, say, state_reached};
    // Two minutes of demo time at 240 demo seconds per real second: half a real second. Nobody
    // is available, so only the broker's fallback timeout can end the wait.
    let (_served, url, _logs) = run_first_line(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--time-scale",
        "240",
        "--agents",
        "Lisa:away",
        "--hours",
        "always",
    ]);
    let (mut user, conv) = Client::join_user(&url).await;
    say(
        &mut user,
        &conv,
        "text: agent please, my SQL database is down",
    )
    .await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    state_reached(&mut user, "queued").await;
    // Within `common::WAIT` real seconds, far below the two real minutes of the wall clock.
    state_reached(&mut user, "ended").await;
    assert!(
        assistant_texts(&user).contains("no agent could take your chat within 2:00"),
        "{}",
        assistant_texts(&user)
    );
}

#[tokio::test]
async fn hours_hide_start_agent_chat_through_the_real_binary() {
    use common::Client;
    use common::seeds::{say, state_reached};
    // Open every hour of every day except yesterday, today and tomorrow (UTC): closed now.
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let days = [today.yesterday(), Ok(today), today.tomorrow()].map(|d| d.unwrap().to_string());
    let hours = format!("Mon-Sun 00:00-24:00 UTC except {}", days.join(","));
    let (_served, url, _logs) =
        run_first_line(&["serve", "--listen", "127.0.0.1:0", "--hours", &hours]);
    let (mut user, conv) = Client::join_user(&url).await;
    say(
        &mut user,
        &conv,
        "text: agent please, my SQL database is down",
    )
    .await;
    let state = state_reached(&mut user, "offered").await;
    assert!(
        matches!(
            state,
            handoff::protocol::HandoffState::Offered {
                available: false,
                ..
            }
        ),
        "{state:?}"
    );
    assert!(
        assistant_texts(&user).contains("is a holiday. Live agents are available every day"),
        "{}",
        assistant_texts(&user)
    );
}
