//! The contract every brokered system's connector keeps against its emulator, written once:
//! each `tests/connector_<system>.rs` runs these with its own rig, so the systems cannot drift
//! apart on the behaviour the broker relies on. What a system words its own way (its system
//! messages) is skipped here and asserted in the system's own full-chat test.

use super::{agent, next, wait_for};
use handoff::connectors::{Availability, ChatCommand, ChatEvent, ChatLink, Connector, Started};
use handoff::connectors::{HandoffRequest, HistoryLine, Speaker};
use handoff::emulators::RunningEmulator;
use handoff::emulators::desk::ConvState;
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::protocol::{EndReason, Presence, UserInfo};
use std::collections::BTreeMap;

/// A system's connector wired to its emulator, and where its calls can be made to fail.
pub struct Contract<'a, C: Connector> {
    pub emulator: &'a RunningEmulator,
    pub connector: &'a C,
    /// A path fragment of the call that starts a chat.
    pub start_path: &'static str,
    /// A path fragment of the call that carries the user's message.
    pub message_path: &'static str,
    /// How the chat reports an event it cannot read: the start of that system message.
    pub malformed_report: &'static str,
    /// The body of the system's 429, where it has one.
    pub throttle_body: Option<&'static str>,
}

/// A request routed to IT, as the broker sends one.
pub fn request() -> HandoffRequest {
    let context = BTreeMap::from([
        ("domain".to_owned(), "IT".to_owned()),
        ("language".to_owned(), "en".to_owned()),
    ]);
    HandoffRequest {
        conversation: "c-000000000042".into(),
        title: "My VPN keeps disconnecting".into(),
        topic: "VPN".into(),
        user: UserInfo::default(),
        context,
        history: vec![HistoryLine {
            at: 1_700_000_000_000,
            speaker: Speaker::User,
            text: "agent".into(),
        }],
    }
}

/// The chat's next event that is not one of the system's own messages.
pub async fn next_not_system(link: &mut ChatLink) -> ChatEvent {
    said_then(link).await.1
}

/// The system's own messages up to the chat's next other event, and that event.
pub async fn said_then(link: &mut ChatLink) -> (Vec<String>, ChatEvent) {
    let mut said = Vec::new();
    loop {
        match next(link).await {
            ChatEvent::SystemMessage { text } => said.push(text),
            other => return (said, other),
        }
    }
}

/// Sends the user's `text` as message `id`.
pub async fn say(link: &ChatLink, text: &str, id: &str) {
    link.commands
        .send(ChatCommand::Text {
            text: text.into(),
            client_message_id: id.into(),
        })
        .await
        .expect("link open");
}

impl<C: Connector> Contract<'_, C> {
    /// Starts a chat and waits until the system has queued it: the link and the desk's id.
    pub async fn queued(&self) -> (ChatLink, String) {
        let Started::Chat(mut link) = self.connector.start(request()).await.expect("started")
        else {
            panic!("a brokered system starts a chat");
        };
        let sim = self.emulator.sim();
        let id = wait_for(|| sim.conversations().last().map(|c| c.id.clone())).await;
        assert!(
            matches!(next_not_system(&mut link).await, ChatEvent::Queued { .. }),
            "the chat is queued first"
        );
        (link, id)
    }

    /// A queued chat that Lisa has joined.
    pub async fn live(&self) -> (ChatLink, String) {
        let (mut link, id) = self.queued().await;
        self.emulator.sim().join(&id, "Lisa").await.expect("joined");
        assert_eq!(
            next_not_system(&mut link).await,
            ChatEvent::AgentJoined {
                agent: agent("Lisa")
            }
        );
        (link, id)
    }

    /// Lisa speaks and, system messages aside, it is the chat's next event.
    async fn lisa_is_heard(&self, link: &mut ChatLink, id: &str, text: &str) {
        self.emulator.sim().say(id, None, text).await.expect("said");
        assert_eq!(
            next_not_system(link).await,
            ChatEvent::AgentMessage {
                agent: agent("Lisa"),
                text: text.into()
            }
        );
    }

    /// The user ends a live chat: the chat ends as the user's doing, on both sides.
    pub async fn the_user_ends_the_chat(&self) {
        let (mut link, id) = self.live().await;
        link.commands.send(ChatCommand::End).await.expect("open");
        assert_eq!(
            next_not_system(&mut link).await,
            ChatEvent::Ended {
                reason: EndReason::User
            }
        );
        let state = self.emulator.sim().conversation(&id).map(|c| c.state);
        assert_eq!(state, Some(ConvState::Ended));
    }

    /// The system's queue timer fires: the chat ends as a timeout, not as the user leaving.
    /// Returns what the system said before the end, for the caller to check its wording.
    pub async fn a_queue_timeout_ends_the_wait(&self) -> Vec<String> {
        let (mut link, id) = self.queued().await;
        self.emulator.sim().timeout(&id).await.expect("timed out");
        let (said, then) = said_then(&mut link).await;
        let ended = ChatEvent::Ended {
            reason: EndReason::Timeout,
        };
        assert_eq!(then, ended);
        said
    }

    /// Availability follows the agents' presence: two available, then none.
    pub async fn availability_follows_agent_presence(&self) {
        let available = self.connector.availability().await.expect("read");
        assert_eq!(available, Availability::Available(2));
        let sim = self.emulator.sim();
        sim.set_presence("Lisa", Presence::Offline);
        sim.set_presence("Marco", Presence::Away);
        let available = self.connector.availability().await.expect("read");
        assert_eq!(available, Availability::Unavailable);
    }

    /// A 429 with `Retry-After` on the start is waited out: one chat, queued.
    pub async fn a_429_on_the_start_waits_for_retry_after(&self) {
        self.emulator.faults().push(Fault {
            path: self.start_path.into(),
            status: 429,
            count: 1,
            retry_after: Some(1),
            mode: FaultMode::Reject,
            body: self.throttle_body.map(str::to_owned),
        });
        let (_link, _id) = self.queued().await;
        assert_eq!(self.emulator.sim().conversations().len(), 1);
    }

    /// A message the system took but answered with a 500 is retried with its idempotency key:
    /// the agent gets each message once, in order, and the chat goes on with no error.
    pub async fn a_500_after_processing_is_retried_without_a_duplicate(&self) {
        let (mut link, id) = self.live().await;
        self.emulator.faults().push(Fault {
            path: self.message_path.into(),
            status: 500,
            count: 1,
            retry_after: None,
            mode: FaultMode::AfterProcessing,
            body: None,
        });
        say(&link, "first", "m1").await;
        say(&link, "second", "m2").await;
        let sim = self.emulator.sim();
        let got = wait_for(|| {
            sim.conversation(&id)
                .map(|c| c.user_messages)
                .filter(|m| m.iter().any(|t| t == "second"))
        })
        .await;
        let ours: Vec<&str> = got
            .iter()
            .map(String::as_str)
            .filter(|t| matches!(*t, "first" | "second"))
            .collect();
        assert_eq!(ours, ["first", "second"], "each once, in order: {got:?}");
        self.lisa_is_heard(&mut link, &id, "got both").await;
    }

    /// An event the connector cannot read is reported in the chat, and the next one arrives.
    pub async fn a_malformed_event_is_reported_and_nothing_after_it_is_lost(&self) {
        let (mut link, id) = self.live().await;
        let sim = self.emulator.sim();
        sim.malformed(&id).await.expect("sent");
        sim.say(&id, None, "still here").await.expect("said");
        let mut reported = false;
        loop {
            match next(&mut link).await {
                ChatEvent::SystemMessage { text } => {
                    reported |= text.starts_with(self.malformed_report);
                }
                other => {
                    let heard = ChatEvent::AgentMessage {
                        agent: agent("Lisa"),
                        text: "still here".into(),
                    };
                    assert_eq!(other, heard);
                    break;
                }
            }
        }
        assert!(
            reported,
            "a system message starting {:?}",
            self.malformed_report
        );
    }
}
