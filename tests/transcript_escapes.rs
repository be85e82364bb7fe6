//! `handoff transcript` prints what users and agents wrote without letting it drive the
//! terminal: escape sequences (OSC 0 titles, OSC 52 clipboard writes, CSI) and C0/C1 controls
//! are removed unless `--raw` is asked for. The store it reads is the broker's own file,
//! owner-only.

// Tests fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use common::Client;
use handoff::broker::{self, BrokerConfig};
use std::process::Command;

/// A message that would retitle the window, write the clipboard, clear the screen and turn
/// text red (7-bit and 8-bit introducers), around words that must survive.
const HOSTILE: &str = "before\u{1b}]0;pwned\u{7} title\u{1b}]52;c;ZXZpbA==\u{7} clip\u{1b}[2J clear\u{9b}31m red\u{7} after";

fn terminal_safe(out: &str) -> bool {
    !out.chars()
        .any(|c| c == '\u{1b}' || c == '\u{7}' || ('\u{80}'..='\u{9f}').contains(&c))
}

#[tokio::test]
async fn transcripts_are_printed_without_terminal_escapes_unless_raw() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("private/transcripts.sqlite");
    let broker = broker::start(BrokerConfig {
        store: Some(path.clone()),
        ..BrokerConfig::default()
    })
    .await
    .unwrap();
    let (mut user, conv) = Client::join_user(&broker.url()).await;
    common::seeds::say(&mut user, &conv, &format!("text: {HOSTILE}")).await;
    broker.shutdown().await;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600, "the store is owner-only");
        assert_eq!(
            mode(path.parent().unwrap()),
            0o700,
            "in a folder it made owner-only"
        );
    }

    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .arg("transcript")
            .arg("--store")
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for format in ["text", "purple", "link"] {
        let out = run(&[conv.as_str(), "--format", format]);
        assert!(terminal_safe(&out), "{format}: {out:?}");
    }
    let text = run(&[conv.as_str()]);
    assert!(text.contains("before title clip clear red after"), "{text}");
    let purple: serde_json::Value =
        serde_json::from_str(&run(&[conv.as_str(), "--format", "purple"])).unwrap();
    assert!(purple.to_string().contains("before title clip"), "{purple}");

    let raw = run(&[conv.as_str(), "--raw"]);
    assert!(
        raw.contains("\u{1b}]52;c;ZXZpbA=="),
        "--raw keeps what was stored: {raw:?}"
    );
}
