//! The driver against a fake system: what every connector gets from it.

use super::*;
use crate::protocol::AgentInfo;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// A safety net only: every wait below is on a condition.
const PATIENCE: Duration = Duration::from_secs(10);

/// What the fake system sends us.
enum Raw {
    Say(&'static str),
    Open,
    AgentEnds,
    Lost,
}

struct FakeChat {
    inbox: mpsc::Receiver<Raw>,
    /// Results of the next reconnects, in order.
    reconnects: VecDeque<Result<Mapped, ConnectorError>>,
    closed: Arc<Mutex<bool>>,
}

fn agent_says(text: &str) -> ChatEvent {
    ChatEvent::AgentMessage {
        agent: AgentInfo {
            name: "Lisa".into(),
            avatar: None,
            on_behalf: false,
        },
        text: text.into(),
    }
}

#[async_trait]
impl SystemChat for FakeChat {
    type Raw = Raw;

    async fn open(&mut self) -> Mapped {
        Mapped::go(vec![ChatEvent::Queued {
            position: None,
            eta_secs: None,
        }])
    }

    async fn next(&mut self) -> Option<Raw> {
        self.inbox.recv().await
    }

    async fn inbound(&mut self, raw: Raw) -> Mapped {
        match raw {
            Raw::Say(text) => Mapped::go(vec![agent_says(text)]),
            Raw::Open => Mapped::then(Vec::new(), Step::Open),
            Raw::AgentEnds => Mapped::ended(EndReason::Agent {
                agent: "Lisa".into(),
            }),
            Raw::Lost => Mapped::then(Vec::new(), Step::Reconnect),
        }
    }

    async fn reconnect(&mut self) -> Result<Mapped, ConnectorError> {
        self.reconnects.pop_front().unwrap_or_else(|| Err(down()))
    }

    async fn close(&mut self) {
        *self.closed.lock().unwrap() = true;
    }
}

fn down() -> ConnectorError {
    ConnectorError::Transport {
        system: "Fake".into(),
        call: "connect".into(),
        detail: "connection failed".into(),
    }
}

/// What the fake sender does with one attempt at a message, by key (texts) or in general.
enum Act {
    Hang(oneshot::Receiver<()>),
    Retry,
    Fail,
}

#[derive(Clone, Default)]
struct FakeSender {
    /// Every attempt, in order.
    attempts: Arc<Mutex<Vec<Outgoing>>>,
    /// What the next attempts at a key do; an attempt with nothing scripted succeeds.
    script: Arc<Mutex<HashMap<String, VecDeque<Act>>>>,
    tried: Option<mpsc::UnboundedSender<Outgoing>>,
}

fn key_of(message: &Outgoing) -> String {
    match message {
        Outgoing::Text { key, .. } | Outgoing::File { key, .. } => key.clone(),
        other => format!("{other:?}"),
    }
}

#[async_trait]
impl ChatSender for FakeSender {
    async fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        self.attempts.lock().unwrap().push(message.clone());
        if let Some(tried) = &self.tried {
            let _ = tried.send(message.clone());
        }
        let act = self
            .script
            .lock()
            .unwrap()
            .get_mut(&key_of(message))
            .and_then(VecDeque::pop_front);
        let refused = ConnectorError::Status {
            system: "Fake".into(),
            call: "POST /messages".into(),
            status: 503,
            detail: "busy".into(),
        };
        match act {
            None => Ok(()),
            Some(Act::Hang(release)) => {
                let _ = release.await;
                Ok(())
            }
            Some(Act::Retry) => Err(SendError::Retry(refused)),
            Some(Act::Fail) => Err(SendError::Final(refused)),
        }
    }
}

struct Rig {
    link: ChatLink,
    system: mpsc::Sender<Raw>,
    sender: FakeSender,
    tried: mpsc::UnboundedReceiver<Outgoing>,
    closed: Arc<Mutex<bool>>,
}

fn quick_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        ..RetryPolicy::default()
    }
}

async fn rig_with(
    open: bool,
    script: Vec<(&str, Act)>,
    reconnects: Vec<Result<Mapped, ConnectorError>>,
) -> Rig {
    let (system, inbox) = mpsc::channel(8);
    let (tried_tx, tried) = mpsc::unbounded_channel();
    let sender = FakeSender {
        tried: Some(tried_tx),
        ..FakeSender::default()
    };
    for (key, act) in script {
        sender
            .script
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_default()
            .push_back(act);
    }
    let closed = Arc::new(Mutex::new(false));
    let chat = FakeChat {
        inbox,
        reconnects: reconnects.into(),
        closed: closed.clone(),
    };
    let options = Options {
        system: "Fake",
        chat: "c-1".into(),
        policy: quick_policy(),
        reconnect_attempts: 3,
        open,
    };
    let mut link = spawn(chat, sender.clone(), options);
    let queued = next_event(&mut link).await;
    assert!(matches!(queued, ChatEvent::Queued { .. }), "{queued:?}");
    Rig {
        link,
        system,
        sender,
        tried,
        closed,
    }
}

async fn rig(script: Vec<(&str, Act)>) -> Rig {
    rig_with(true, script, Vec::new()).await
}

async fn next_event(link: &mut ChatLink) -> ChatEvent {
    tokio::time::timeout(PATIENCE, link.events.recv())
        .await
        .expect("an event in time")
        .expect("the chat is still running")
}

async fn say(rig: &Rig, key: &str) {
    rig.link
        .commands
        .send(ChatCommand::Text {
            text: format!("text of {key}"),
            client_message_id: key.into(),
        })
        .await
        .unwrap();
}

impl Rig {
    /// Waits until the sender has been tried with `key`.
    async fn tried(&mut self, key: &str) {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.tried.recv())
                .await
                .expect("an attempt in time")
                .expect("the sender is alive");
            if key_of(&message) == key {
                return;
            }
        }
    }

    fn attempt_keys(&self) -> Vec<String> {
        self.sender
            .attempts
            .lock()
            .unwrap()
            .iter()
            .map(key_of)
            .collect()
    }

    /// Ends as the user and waits for `Ended(User)`, returning what came before it.
    async fn end(&mut self) -> Vec<ChatEvent> {
        self.link.commands.send(ChatCommand::End).await.unwrap();
        let mut before = Vec::new();
        loop {
            match next_event(&mut self.link).await {
                ChatEvent::Ended {
                    reason: EndReason::User,
                } => return before,
                other => before.push(other),
            }
        }
    }
}

#[tokio::test]
async fn messages_go_in_the_users_order_even_when_one_is_retried() {
    let mut rig = rig(vec![("m2", Act::Retry), ("m2", Act::Retry)]).await;
    for key in ["m1", "m2", "m3"] {
        say(&rig, key).await;
    }
    rig.tried("m3").await;
    assert_eq!(rig.attempt_keys(), ["m1", "m2", "m2", "m2", "m3"]);
    assert_eq!(rig.end().await, Vec::new(), "nothing failed");
}

#[tokio::test]
async fn a_retry_sends_the_same_message_with_the_same_idempotency_key() {
    let mut rig = rig(vec![("m1", Act::Retry)]).await;
    say(&rig, "m1").await;
    rig.tried("m1").await;
    rig.tried("m1").await;
    let attempts = rig.sender.attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0], attempts[1]);
}

#[tokio::test]
async fn retries_give_up_after_the_policys_attempts_and_the_user_is_told() {
    let mut rig = rig((0..5).map(|_| ("m1", Act::Retry)).collect()).await;
    say(&rig, "m1").await;
    let told = next_event(&mut rig.link).await;
    assert_eq!(
        told,
        ChatEvent::SystemMessage {
            text: "Fake: POST /messages failed with HTTP 503: busy".into()
        }
    );
    assert_eq!(
        rig.attempt_keys(),
        ["m1", "m1", "m1"],
        "max_attempts in all"
    );
}

#[tokio::test]
async fn the_systems_events_reach_the_broker_while_a_call_hangs() {
    // The old loops awaited each call before reading the next webhook: this waited forever.
    let (release, hold) = oneshot::channel();
    let mut rig = rig(vec![("m1", Act::Hang(hold))]).await;
    say(&rig, "m1").await;
    rig.tried("m1").await;
    rig.system.send(Raw::Say("still here")).await.unwrap();
    assert_eq!(next_event(&mut rig.link).await, agent_says("still here"));
    say(&rig, "m2").await;
    release.send(()).unwrap();
    rig.tried("m2").await;
    assert_eq!(rig.attempt_keys(), ["m1", "m2"]);
}

#[tokio::test]
async fn a_failed_file_is_named_and_the_next_message_goes() {
    let mut rig = rig(vec![("f1", Act::Fail)]).await;
    let file = FileUpload {
        name: "report.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: bytes::Bytes::from_static(b"%PDF"),
    };
    rig.link
        .commands
        .send(ChatCommand::File {
            file,
            client_message_id: "f1".into(),
        })
        .await
        .unwrap();
    say(&rig, "m2").await;
    let told = next_event(&mut rig.link).await;
    assert_eq!(
        told,
        ChatEvent::SystemMessage {
            text: "Fake: POST /messages failed with HTTP 503: busy (\"report.pdf\" was not sent)"
                .into()
        }
    );
    rig.tried("m2").await;
}

#[tokio::test]
async fn a_full_outbox_takes_the_next_message_once_there_is_room_and_loses_nothing() {
    let (release, hold) = oneshot::channel();
    let mut rig = rig(vec![("m00", Act::Hang(hold))]).await;
    // One in flight, the rest waiting: the bound. Two more wait with the broker meanwhile.
    let keys: Vec<String> = (0..OUTBOX_MESSAGES + 2)
        .map(|i| format!("m{i:02}"))
        .collect();
    for key in &keys {
        say(&rig, key).await;
    }
    rig.tried("m00").await;
    // The inbound side is not held up by the wait.
    rig.system.send(Raw::Say("hello")).await.unwrap();
    assert_eq!(next_event(&mut rig.link).await, agent_says("hello"));
    release.send(()).unwrap();
    rig.tried(keys.last().unwrap()).await;
    assert_eq!(rig.attempt_keys(), keys, "all of them, in order");
    assert_eq!(rig.end().await, Vec::new(), "nothing was refused");
}

#[tokio::test]
async fn a_full_held_outbox_refuses_the_next_message_and_tells_the_user() {
    let mut rig = rig_with(false, Vec::new(), Vec::new()).await;
    let keys: Vec<String> = (0..OUTBOX_MESSAGES).map(|i| format!("m{i:02}")).collect();
    for key in &keys {
        say(&rig, key).await;
    }
    // A typing signal at the bound is dropped without a word; a message is refused aloud.
    rig.link
        .commands
        .send(ChatCommand::Typing(true))
        .await
        .unwrap();
    say(&rig, "one too many").await;
    let ChatEvent::SystemMessage { text } = next_event(&mut rig.link).await else {
        panic!("the user is told");
    };
    assert_eq!(
        text,
        "Your message was not delivered: the chat has not started yet and too much is \
         already waiting for Fake (32 messages or 32 MiB of files at most)."
    );
    rig.system.send(Raw::Open).await.unwrap();
    rig.tried(keys.last().unwrap()).await;
    let mut sent = vec!["Opening".to_owned()];
    sent.extend(keys);
    assert_eq!(rig.attempt_keys(), sent);
}

#[tokio::test]
async fn a_file_over_the_byte_budget_goes_alone_and_the_next_waits_for_it() {
    let (release, hold) = oneshot::channel();
    let mut rig = rig(vec![("big", Act::Hang(hold))]).await;
    let send = |key: &str, size: usize| ChatCommand::File {
        file: FileUpload {
            name: "x.bin".into(),
            content_type: "application/octet-stream".into(),
            bytes: bytes::Bytes::from(vec![0u8; size]),
        },
        client_message_id: key.into(),
    };
    rig.link
        .commands
        .send(send("big", OUTBOX_FILE_BYTES + 1))
        .await
        .unwrap();
    rig.tried("big").await;
    rig.link.commands.send(send("small", 10)).await.unwrap();
    say(&rig, "m1").await;
    release.send(()).unwrap();
    rig.tried("m1").await;
    assert_eq!(rig.attempt_keys(), ["big", "small", "m1"]);
    assert_eq!(rig.end().await, Vec::new(), "nothing was refused");
}

#[tokio::test]
async fn leaving_waits_for_what_the_user_sent_before_and_ends_once() {
    let (release, hold) = oneshot::channel();
    let mut rig = rig(vec![("m1", Act::Hang(hold))]).await;
    say(&rig, "m1").await;
    say(&rig, "m2").await;
    rig.tried("m1").await;
    rig.link.commands.send(ChatCommand::End).await.unwrap();
    release.send(()).unwrap();
    assert_eq!(
        next_event(&mut rig.link).await,
        ChatEvent::Ended {
            reason: EndReason::User
        }
    );
    assert_eq!(rig.attempt_keys(), ["m1", "m2", "Leave"]);
    assert!(
        rig.link.events.recv().await.is_none(),
        "nothing after Ended"
    );
    assert!(*rig.closed.lock().unwrap(), "the chat cleaned up");
}

#[tokio::test]
async fn a_failed_leave_is_told_and_the_chat_still_ends() {
    let mut rig = rig(vec![("Leave", Act::Fail)]).await;
    let before = rig.end().await;
    assert_eq!(
        before,
        vec![ChatEvent::SystemMessage {
            text: "Fake: POST /messages failed with HTTP 503: busy".into()
        }]
    );
}

#[tokio::test]
async fn the_agent_ending_the_chat_stops_the_driver() {
    let mut rig = rig(Vec::new()).await;
    rig.system.send(Raw::AgentEnds).await.unwrap();
    assert!(matches!(
        next_event(&mut rig.link).await,
        ChatEvent::Ended {
            reason: EndReason::Agent { .. }
        }
    ));
    assert!(rig.link.events.recv().await.is_none());
    assert!(*rig.closed.lock().unwrap());
}

#[tokio::test]
async fn the_systems_close_after_the_users_leave_ends_the_chat_as_the_users() {
    // The system answers the leave by closing the chat itself before the leave call returns.
    let (release, hold) = oneshot::channel();
    let mut rig = rig(vec![("Leave", Act::Hang(hold))]).await;
    rig.link.commands.send(ChatCommand::End).await.unwrap();
    rig.tried("Leave").await;
    rig.system.send(Raw::AgentEnds).await.unwrap();
    assert_eq!(
        next_event(&mut rig.link).await,
        ChatEvent::Ended {
            reason: EndReason::User
        }
    );
    let _ = release.send(());
    assert!(rig.link.events.recv().await.is_none(), "Ended once");
}

#[tokio::test]
async fn a_held_outbox_sends_the_opening_first_then_what_waited_in_order() {
    let mut rig = rig_with(false, Vec::new(), Vec::new()).await;
    say(&rig, "m1").await;
    say(&rig, "m2").await;
    rig.system.send(Raw::Say("joined")).await.unwrap();
    assert_eq!(next_event(&mut rig.link).await, agent_says("joined"));
    assert_eq!(rig.attempt_keys(), Vec::<String>::new(), "held until open");
    rig.system.send(Raw::Open).await.unwrap();
    rig.tried("m2").await;
    assert_eq!(rig.attempt_keys(), ["Opening", "m1", "m2"]);
}

#[tokio::test]
async fn leaving_before_the_chat_opens_drops_what_was_held() {
    let mut rig = rig_with(false, Vec::new(), Vec::new()).await;
    say(&rig, "m1").await;
    assert_eq!(rig.end().await, Vec::new());
    assert_eq!(rig.attempt_keys(), ["Leave"]);
}

#[tokio::test]
async fn a_lost_stream_is_restored_with_backoff_and_the_chat_goes_on() {
    let restored = Mapped::go(vec![agent_says("missed while away")]);
    let mut rig = rig_with(true, Vec::new(), vec![Err(down()), Ok(restored)]).await;
    rig.system.send(Raw::Lost).await.unwrap();
    assert_eq!(
        next_event(&mut rig.link).await,
        agent_says("missed while away")
    );
    rig.system.send(Raw::Say("back")).await.unwrap();
    assert_eq!(next_event(&mut rig.link).await, agent_says("back"));
}

#[tokio::test]
async fn a_stream_that_cannot_be_restored_ends_the_chat_with_the_error() {
    let mut rig = rig_with(true, Vec::new(), Vec::new()).await;
    rig.system.send(Raw::Lost).await.unwrap();
    let told = next_event(&mut rig.link).await;
    assert!(
        matches!(&told, ChatEvent::SystemMessage { text } if text.contains("connection failed")),
        "{told:?}"
    );
    assert!(matches!(
        next_event(&mut rig.link).await,
        ChatEvent::Ended {
            reason: EndReason::Error { .. }
        }
    ));
    assert!(rig.link.events.recv().await.is_none());
}

#[tokio::test]
async fn the_broker_dropping_the_link_ends_the_chat_task() {
    let rig = rig(Vec::new()).await;
    let Rig { link, closed, .. } = rig;
    drop(link);
    tokio::time::timeout(PATIENCE, async {
        while !*closed.lock().unwrap() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the chat task ends");
}
