//! One WebSocket connection to the broker as a task: it says hello, forwards decoded frames to
//! the app as [`Msg`]s, sends what the app asks, and when the connection drops it reconnects
//! with backoff, saying the last `seq` it saw per conversation in `hello.since` so the broker
//! replays what was missed, in order and without duplicates.
//!
//! It proves itself with the broker's token (`hello.token`; the agent side also asks for the
//! supervisor capability, since the inbox plays every desk agent) and resumes the user's
//! conversation with the resume secret the first `welcome` gave.

use super::msg::{Direction, Link, Msg, Side};
use crate::connectors::redact::{REDACTED, Secret};
use crate::protocol::{
    ClientMsg, ClientRole, ConversationId, ErrorCode, PROTOCOL_VERSION, ServerMsg, UserInfo,
    now_millis,
};
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// Requests waiting to be sent on one connection; the UI never waits on this queue.
const OUTBOX: usize = 64;
/// New-conversation requests waiting; more are refused (the user pressed the key repeatedly).
const RESTARTS: usize = 2;

/// The cloneable front of a connection task.
#[derive(Debug, Clone)]
pub struct ClientHandle {
    tx: mpsc::Sender<ClientMsg>,
    restart: mpsc::Sender<Option<UserInfo>>,
}

impl ClientHandle {
    /// Queues a request without waiting. Fails when the queue is full or the task is gone.
    pub fn send(&self, msg: ClientMsg) -> Result<(), String> {
        self.tx.try_send(msg).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => "too many requests waiting to be sent".to_owned(),
            mpsc::error::TrySendError::Closed(_) => "the connection task has stopped".to_owned(),
        })
    }

    /// User side: leaves the conversation and reconnects into a new one, as `user` (the
    /// broker's default user when `None`).
    pub fn new_conversation(&self, user: Option<UserInfo>) -> Result<(), String> {
        self.restart.try_send(user).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                "a new conversation is already on its way".to_owned()
            }
            mpsc::error::TrySendError::Closed(_) => "the connection task has stopped".to_owned(),
        })
    }
}

/// What the task remembers across reconnects.
struct Session {
    side: Side,
    url: String,
    /// The user's conversation (user role).
    conversation: Option<ConversationId>,
    /// The desk agent acted as (agent role).
    agent: Option<String>,
    /// Who the user is (user role); the broker's default user when `None`.
    user: Option<UserInfo>,
    /// The last `seq` seen per conversation.
    since: BTreeMap<ConversationId, u64>,
    /// The broker's token.
    token: Option<Secret>,
    /// The user conversation's resume secret, from `welcome`.
    resume: Option<String>,
}

/// Starts a connection task for `side` (acting as `agent` on the agent side), proving itself
/// with `token` when the broker needs it.
pub fn spawn(
    url: String,
    side: Side,
    agent: Option<String>,
    token: Option<Secret>,
    app: mpsc::Sender<Msg>,
    cancel: CancellationToken,
) -> ClientHandle {
    let (tx, rx) = mpsc::channel(OUTBOX);
    let (restart, restarts) = mpsc::channel(RESTARTS);
    let session = Session {
        side,
        url,
        conversation: None,
        agent,
        user: None,
        since: BTreeMap::new(),
        token,
        resume: None,
    };
    tokio::spawn(run(
        session,
        Queues {
            outbox: rx,
            restarts,
        },
        app,
        cancel,
    ));
    ClientHandle { tx, restart }
}

/// What the app asks of a connection task.
struct Queues {
    outbox: mpsc::Receiver<ClientMsg>,
    restarts: mpsc::Receiver<Option<UserInfo>>,
}

async fn run(
    mut session: Session,
    mut queues: Queues,
    app: mpsc::Sender<Msg>,
    cancel: CancellationToken,
) {
    let mut attempt = 0u32;
    loop {
        let error = tokio::select! {
            () = cancel.cancelled() => return,
            result = connection(&mut session, &mut queues, &app, &cancel, &mut attempt) => match result {
                Ok(()) => return,
                Err(e) => e,
            },
        };
        attempt += 1;
        tracing::warn!(side = session.side.label(), attempt, %error, "broker connection lost");
        let link = Link::Reconnecting {
            attempt,
            error: error.clone(),
        };
        if app
            .send(Msg::Link {
                side: session.side,
                link,
            })
            .await
            .is_err()
        {
            return;
        }
        // 200 ms doubling to 5 s, with jitter so the two connections do not retry in step.
        let base = 200u64.saturating_mul(1 << attempt.min(5)).min(5_000);
        let wait = Duration::from_millis(base + fastrand::u64(0..=base / 4));
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

fn hello(session: &Session) -> ClientMsg {
    let role = match session.side {
        Side::User => ClientRole::User,
        Side::Agent => ClientRole::Agent,
    };
    ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        role,
        client: Some(format!("handoff-console/{}", env!("CARGO_PKG_VERSION"))),
        conversation: session.conversation.clone(),
        user: session.user.clone(),
        agent: session.agent.clone(),
        since: session.since.clone(),
        // The connector's calls to its system, for the inspector: asked on both connections,
        // since a real system has no desk for the agent one; the app keeps one copy.
        traces: true,
        token: session.token.as_ref().map(|t| t.expose().to_owned()),
        resume: session.resume.clone(),
        // The inbox acts as every desk agent (`s`), which needs the capability.
        supervisor: session.side == Side::Agent && session.token.is_some(),
    }
}

/// Runs one connection until it drops (`Err` with why) or the app is gone (`Ok`).
async fn connection(
    session: &mut Session,
    queues: &mut Queues,
    app: &mpsc::Sender<Msg>,
    cancel: &CancellationToken,
    attempt: &mut u32,
) -> Result<(), String> {
    let side = session.side;
    let (mut ws, _) = tokio_tungstenite::connect_async(session.url.as_str())
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", session.url))?;
    let send = |msg: &ClientMsg| serde_json::to_string(msg).map_err(|e| e.to_string());
    let hello = hello(session);
    let text = send(&hello)?;
    frame(
        app,
        side,
        Direction::Out,
        &inspected(&hello).unwrap_or_default(),
    )
    .await?;
    ws.send(Message::text(text))
        .await
        .map_err(|e| e.to_string())?;
    loop {
        tokio::select! {
            () = cancel.cancelled() => {
                // Best effort: the broker treats a dropped socket the same way.
                _ = ws.close(None).await;
                return Ok(());
            }
            Some(user) = queues.restarts.recv() => {
                // Leave this conversation: the next hello opens a new one.
                session.conversation = None;
                session.since.clear();
                session.user = user;
                _ = ws.close(None).await;
                return Err("starting a new conversation".to_owned());
            }
            out = queues.outbox.recv() => {
                let Some(msg) = out else { return Ok(()) };
                if let ClientMsg::ActAs { agent, .. } = &msg {
                    session.agent = Some(agent.clone());
                }
                let text = send(&msg)?;
                match inspected(&msg) {
                    Some(short) => frame(app, side, Direction::Out, &short).await?,
                    None => frame(app, side, Direction::Out, &text).await?,
                }
                ws.send(Message::text(text)).await.map_err(|e| format!("send failed: {e}"))?;
            }
            incoming = ws.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Close(reason))) => {
                        return Err(reason.map_or_else(
                            || "closed by the broker".to_owned(),
                            |r| format!("closed by the broker ({}): {}", r.code, r.reason),
                        ));
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(e.to_string()),
                    None => return Err("connection closed".to_owned()),
                };
                frame(app, side, Direction::In, &text).await?;
                let msg: ServerMsg = match serde_json::from_str(&text) {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::warn!(side = side.label(), %e, "undecodable frame from the broker");
                        continue;
                    }
                };
                if !remember(session, &msg) {
                    continue;
                }
                forget_unknown_conversation(session, &msg);
                if matches!(msg, ServerMsg::Welcome { .. }) {
                    *attempt = 0;
                    deliver(app, Msg::Link { side, link: Link::Connected }).await?;
                }
                deliver(app, Msg::Server { side, msg }).await?;
            }
        }
    }
}

/// Updates what a reconnect needs; false for an event already seen (a duplicate).
fn remember(session: &mut Session, msg: &ServerMsg) -> bool {
    match msg {
        ServerMsg::Welcome {
            conversation,
            agent,
            resume,
            ..
        } => {
            if conversation.is_some() {
                session.conversation.clone_from(conversation);
            }
            if resume.is_some() {
                session.resume.clone_from(resume);
            }
            if agent.is_some() {
                session.agent.clone_from(agent);
            }
            true
        }
        ServerMsg::Event {
            conversation, seq, ..
        } => {
            let last = session.since.entry(conversation.clone()).or_insert(0);
            if *seq <= *last {
                return false;
            }
            *last = *seq;
            true
        }
        _ => true,
    }
}

/// A broker that no longer knows the user's conversation (restarted without a store) refuses
/// the hello with `not_found`: the next hello opens a new conversation instead of retrying
/// the lost one forever.
fn forget_unknown_conversation(session: &mut Session, msg: &ServerMsg) {
    if let ServerMsg::Error {
        id: None,
        code: ErrorCode::NotFound,
        ..
    } = msg
        && session.side == Side::User
        && session.conversation.is_some()
    {
        session.conversation = None;
        session.since.clear();
    }
}

/// What the inspector shows of a frame when not the frame itself: a `hello` without its
/// secrets, an `attach` with its base64 replaced by its size (megabytes of it would help nobody
/// and fill the inspector).
fn inspected(msg: &ClientMsg) -> Option<String> {
    if let ClientMsg::Hello { token, resume, .. } = msg {
        let mut shown = msg.clone();
        if let ClientMsg::Hello {
            token: t,
            resume: r,
            ..
        } = &mut shown
        {
            *t = token.as_ref().map(|_| REDACTED.to_owned());
            *r = resume.as_ref().map(|_| REDACTED.to_owned());
        }
        return serde_json::to_string(&shown).ok();
    }
    let ClientMsg::Attach {
        id,
        conversation,
        name,
        content_type,
        data,
    } = msg
    else {
        return None;
    };
    let short = ClientMsg::Attach {
        id: id.clone(),
        conversation: conversation.clone(),
        name: name.clone(),
        content_type: content_type.clone(),
        data: format!(
            "<{} of base64>",
            crate::protocol::human_size(data.len() as u64)
        ),
    };
    serde_json::to_string(&short).ok()
}

async fn deliver(app: &mpsc::Sender<Msg>, msg: Msg) -> Result<(), String> {
    // The app is gone only when the console quits; end the task quietly then.
    app.send(msg).await.map_err(|_| String::new())
}

async fn frame(
    app: &mpsc::Sender<Msg>,
    side: Side,
    direction: Direction,
    text: &str,
) -> Result<(), String> {
    deliver(
        app,
        Msg::Frame {
            side,
            direction,
            at: now_millis(),
            text: text.to_owned(),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Audience, ConversationEvent, HandoffState};

    #[test]
    fn replayed_events_are_dropped_and_since_advances() {
        let mut s = Session {
            side: Side::User,
            url: String::new(),
            conversation: None,
            agent: None,
            user: None,
            since: BTreeMap::new(),
            token: Some(Secret::new("t0k3n-t0k3n-t0k3n")),
            resume: None,
        };
        let event = |seq| ServerMsg::Event {
            conversation: "c-1".into(),
            seq,
            at: 0,
            audience: Audience::User,
            event: ConversationEvent::State {
                state: HandoffState::Assistant,
            },
        };
        assert!(remember(&mut s, &event(1)));
        assert!(remember(&mut s, &event(3)));
        assert!(!remember(&mut s, &event(3)));
        assert!(!remember(&mut s, &event(2)));
        let ClientMsg::Hello { since, .. } = hello(&s) else {
            panic!("not a hello")
        };
        assert_eq!(since.get(&ConversationId::from("c-1")), Some(&3));
    }

    #[test]
    fn the_user_side_resumes_with_its_secret_and_the_inspector_never_shows_secrets() {
        let mut s = Session {
            side: Side::User,
            url: String::new(),
            conversation: None,
            agent: None,
            since: BTreeMap::new(),
            token: Some(Secret::new("t0k3n-t0k3n-t0k3n")),
            resume: None,
            user: None,
        };
        let welcome: ServerMsg = serde_json::from_value(serde_json::json!({
            "type": "welcome", "protocol": 1, "session": "s-1", "role": "user",
            "conversation": "c-1", "resume": "5ec7e75ec7e7",
            "broker": {"version": "t", "system": "mock", "style": "brokered",
                       "queue_timeout_ms": 1, "max_message_bytes": 1}
        }))
        .expect("welcome");
        assert!(remember(&mut s, &welcome));
        let hello = hello(&s);
        let ClientMsg::Hello {
            conversation,
            resume,
            token,
            supervisor,
            ..
        } = &hello
        else {
            panic!("not a hello")
        };
        assert_eq!(
            conversation.as_ref().map(ConversationId::as_str),
            Some("c-1")
        );
        assert_eq!(resume.as_deref(), Some("5ec7e75ec7e7"));
        assert_eq!(token.as_deref(), Some("t0k3n-t0k3n-t0k3n"));
        assert!(!supervisor, "only the inbox side asks to act as others");
        let shown = inspected(&hello).expect("a hello is shown without secrets");
        assert!(
            !shown.contains("t0k3n") && !shown.contains("5ec7e7"),
            "{shown}"
        );
        assert!(shown.contains(r#""token":"[redacted]""#), "{shown}");
        s.side = Side::Agent;
        let ClientMsg::Hello { supervisor, .. } = super::hello(&s) else {
            panic!("not a hello")
        };
        assert!(supervisor, "the inbox plays every desk agent");
    }

    #[test]
    fn the_inspector_shows_an_attach_without_its_base64() {
        let attach = ClientMsg::Attach {
            id: "u-7".into(),
            conversation: "c-1".into(),
            name: "crash.png".into(),
            content_type: "image/png".into(),
            data: "A".repeat(4096),
        };
        let shown = inspected(&attach).expect("an attach is shortened");
        assert!(shown.contains(r#""data":"<4.0 KB of base64>""#), "{shown}");
        assert!(shown.contains(r#""name":"crash.png""#), "{shown}");
        assert_eq!(inspected(&ClientMsg::Ping { id: "u-8".into() }), None);
    }
}
