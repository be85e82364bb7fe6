//! Transcripts (brokering rule 7): off by default; when on, kept in the store for a time to
//! live and with personal data masked in everything written, so a replay after a restart and
//! `handoff transcript` show `[card]` and `[email]`, while the live chat itself is not masked.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use common::Client;
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{ClientRole, ConversationEvent, ServerMsg};
use handoff::store::Store;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

const SAID: &str = "my card is 4111 1111 1111 1111, mail jo.doe@example.org";
const MASKED: &str = "my card is [card], mail [email]";

fn with_store(store: &Path) -> BrokerConfig {
    BrokerConfig {
        store: Some(store.to_owned()),
        ..BrokerConfig::default()
    }
}

/// The texts of the messages in `seen`.
fn texts(seen: &[ServerMsg]) -> String {
    seen.iter()
        .filter_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } => Some(format!("{:?}", message.parts)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ttl_of(welcome: &ServerMsg) -> Option<u64> {
    match welcome {
        ServerMsg::Welcome { broker, .. } => broker.transcript_ttl_ms,
        other => panic!("not a welcome: {other:?}"),
    }
}

#[tokio::test]
async fn the_live_chat_is_not_masked_but_the_replay_after_a_restart_and_the_export_are() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let broker = broker::start(with_store(&path)).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    common::seeds::say(&mut user, &conv, &format!("text: {SAID}")).await;
    user.wait_from(0, "my message", |m| {
        texts(std::slice::from_ref(m)).contains(SAID)
    })
    .await;
    let secret = user.resume_secret();
    drop(user);
    broker.shutdown().await;

    let broker = broker::start(with_store(&path)).await.unwrap();
    let mut user = Client::connect(&broker.url()).await;
    user.resume = secret;
    let welcome = user
        .hello(
            ClientRole::User,
            Some(conv.clone()),
            None,
            BTreeMap::from([(conv.clone(), 0)]),
        )
        .await;
    assert_eq!(ttl_of(&welcome), Some(86_400_000), "kept a day by default");
    let replayed = user
        .wait_from(0, "the replayed message", |m| {
            texts(std::slice::from_ref(m)).contains(MASKED)
        })
        .await;
    assert!(!texts(&user.seen).contains("4111"), "{replayed:?}");
    broker.shutdown().await;

    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["transcript", "--store"])
        .arg(&path)
        .arg(conv.as_str())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("Alex Kim: {MASKED}")), "{text}");
    assert!(!text.contains("jo.doe"), "{text}");
}

#[tokio::test]
async fn without_a_store_no_transcript_is_kept_and_the_welcome_says_so() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let mut user = Client::connect(&broker.url()).await;
    let welcome = user
        .hello(ClientRole::User, None, None, BTreeMap::new())
        .await;
    assert_eq!(ttl_of(&welcome), None);
    broker.shutdown().await;
}

#[tokio::test]
async fn a_restart_after_the_ttl_finds_the_transcript_purged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.sqlite");
    let broker = broker::start(with_store(&path)).await.unwrap();
    let (mut user, conv) = Client::join_user(&common::url(&broker)).await;
    common::seeds::say(&mut user, &conv, &format!("text: {SAID}")).await;
    drop(user);
    broker.shutdown().await;
    assert_eq!(
        Store::open(&path).unwrap().conversations().unwrap().len(),
        1
    );

    // The broker comes back on a clock two hours on, with a one-hour TTL: no sleeping.
    let later = handoff::protocol::now_millis() + 2 * 3_600_000;
    let config = BrokerConfig {
        transcript_ttl: Duration::from_secs(3600),
        clock: Arc::new(handoff::clock::ManualClock::new(
            jiff::Timestamp::from_millisecond(i64::try_from(later).unwrap()).unwrap(),
        )),
        ..with_store(&path)
    };
    let broker = broker::start(config).await.unwrap();
    assert!(
        Store::open(&path)
            .unwrap()
            .conversations()
            .unwrap()
            .is_empty()
    );
    broker.shutdown().await;
}

#[test]
fn transcript_options_are_checked_by_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("handoff.toml");
    // Everything the binary might write (its log) stays in the test's folder.
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_handoff"))
            .env("HOME", dir.path())
            .env("XDG_STATE_HOME", dir.path())
            .env("XDG_CACHE_HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path())
            .arg("serve")
            .args(args)
            .output()
            .unwrap()
    };
    let bad = run(&["--transcript-ttl", "1w"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("90s, 30m, 12h or 1d"),
        "{bad:?}"
    );

    std::fs::write(&config, "[transcripts]\nenabled = true\nttl = \"soon\"\n").unwrap();
    let bad = run(&[
        "--config",
        config.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("transcripts.ttl") && stderr.contains("soon"),
        "{stderr}"
    );
}
