//! Helpers shared by the connector tests: waiting on a chat's events and on the emulator.

#![allow(dead_code, clippy::expect_used)] // helpers fail loudly; not every test file uses all

pub mod contract;

use handoff::connectors::{ChatCommand, ChatEvent, ChatLink, FileUpload};
use handoff::emulators::desk::{ReceivedFile, SimDesk};
use handoff::protocol::AgentInfo;
use std::time::Duration;

/// How long any single wait may take before the test fails (a safety net, not a timing).
pub const WAIT: Duration = Duration::from_secs(10);

/// The chat's next event.
pub async fn next(link: &mut ChatLink) -> ChatEvent {
    tokio::time::timeout(WAIT, link.events.recv())
        .await
        .expect("an event in time")
        .expect("link open")
}

/// Polls `probe` until it yields a value.
pub async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(v) = probe() {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("condition in time")
}

/// An agent as the connectors report one (no avatar, not on behalf).
pub fn agent(name: &str) -> AgentInfo {
    AgentInfo {
        name: name.into(),
        avatar: None,
        on_behalf: false,
    }
}

/// A file of `len` bytes that are not all alike.
pub fn file(name: &str, content_type: &str, len: usize) -> FileUpload {
    FileUpload {
        name: name.into(),
        content_type: content_type.into(),
        bytes: (0..len).map(|i| (i * 31 % 251) as u8).collect(),
    }
}

/// What the desk should hold for `file`.
pub fn received(file: &FileUpload) -> ReceivedFile {
    ReceivedFile {
        name: file.name.clone(),
        content_type: file.content_type.clone(),
        size: file.bytes.len() as u64,
        crc32: crc32fast::hash(&file.bytes),
    }
}

/// The user sends `file` as message `id`.
pub async fn send_file(link: &ChatLink, file: &FileUpload, id: &str) {
    link.commands
        .send(ChatCommand::File {
            file: file.clone(),
            client_message_id: id.into(),
        })
        .await
        .expect("link open");
}

/// Sends a text and waits until the desk has it: every command before it has been handled.
pub async fn text_arrives(sim: &SimDesk, link: &ChatLink, id: &str, text: &str) {
    link.commands
        .send(ChatCommand::Text {
            text: text.into(),
            client_message_id: format!("after-{text}"),
        })
        .await
        .expect("link open");
    wait_for(|| {
        sim.conversation(id)
            .filter(|c| c.user_messages.iter().any(|m| m == text))
            .map(|_| ())
    })
    .await;
}

/// The agent speaks and it is the chat's next event: nothing (no error, no echo) came before.
pub async fn agent_still_heard(sim: &SimDesk, link: &mut ChatLink, id: &str) {
    sim.say(id, None, "Got it, thanks")
        .await
        .expect("Lisa is in the chat");
    assert_eq!(
        next(link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Got it, thanks".into()
        }
    );
}

/// The user types and writes `text` (as `m1`); Lisa types and stops: each side sees the
/// other.
pub async fn typing_and_a_message_both_ways(
    link: &mut ChatLink,
    sim: &SimDesk,
    id: &str,
    text: &str,
) {
    link.commands.send(ChatCommand::Typing(true)).await.unwrap();
    wait_for(|| sim.conversation(id).filter(|c| c.user_typing).map(|_| ())).await;
    link.commands
        .send(ChatCommand::Text {
            text: text.into(),
            client_message_id: "m1".into(),
        })
        .await
        .unwrap();
    wait_for(|| {
        sim.conversation(id)
            .filter(|c| !c.user_messages.is_empty())
            .map(|_| ())
    })
    .await;

    sim.agent_typing(id, true).await.unwrap();
    assert_eq!(
        next(link).await,
        ChatEvent::Typing {
            agent: "Lisa".into(),
            on: true
        }
    );
    sim.agent_typing(id, false).await.unwrap();
    assert_eq!(
        next(link).await,
        ChatEvent::Typing {
            agent: "Lisa".into(),
            on: false
        }
    );
}
