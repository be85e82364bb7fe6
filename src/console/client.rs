//! One WebSocket connection to the broker as a task, pure IO: it connects, sends the latest
//! `hello` the app published, forwards every frame to the app as [`Msg`]s, sends what the app
//! asks, and when the connection drops it reconnects with backoff.
//!
//! It keeps no state of its own across reconnects: the hello (conversation, agent acted as,
//! `since` per conversation, token, resume secret) is computed by [`super::session::hello`]
//! from the app's state and published through a watch channel, and the app drops replayed
//! events. So the task can never disagree with the screen. Where it dials follows the app the
//! same way ([`super::session::dial`]): nowhere while the console's own broker restarts, then
//! wherever that broker came back (another port when its old one was taken).

use super::msg::{Direction, Link, Msg, Side};
use crate::connectors::redact::REDACTED;
use crate::protocol::{ClientMsg, ServerMsg, now_millis};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// Requests waiting to be sent on one connection; the UI never waits on this queue.
const OUTBOX: usize = 64;
/// Reconnect requests waiting; more are refused (the user pressed the key repeatedly).
const RECONNECTS: usize = 2;

/// The cloneable front of a connection task.
#[derive(Debug, Clone)]
pub struct ClientHandle {
    tx: mpsc::Sender<ClientMsg>,
    reconnect: mpsc::Sender<Reconnect>,
    hello: std::sync::Arc<watch::Sender<ClientMsg>>,
    dial: std::sync::Arc<watch::Sender<Option<String>>>,
}

impl ClientHandle {
    /// Queues a request without waiting. Fails when the queue is full or the task is gone.
    pub fn send(&self, msg: ClientMsg) -> Result<(), String> {
        self.tx.try_send(msg).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => "too many requests waiting to be sent".to_owned(),
            mpsc::error::TrySendError::Closed(_) => "the connection task has stopped".to_owned(),
        })
    }

    /// Sets what the next connection says first.
    pub fn set_hello(&self, hello: ClientMsg) {
        self.hello.send_if_modified(|h| {
            let changed = *h != hello;
            *h = hello;
            changed
        });
    }

    /// Sets where the connection dials: the broker's URL, or `None` to dial nowhere for now (a
    /// connection that is open stays open). A connection to another URL, open or being made,
    /// is left for the new one at once, and a wait between attempts is cut short.
    pub fn set_dial(&self, url: Option<String>) {
        self.dial.send_if_modified(|d| {
            let changed = *d != url;
            *d = url;
            changed
        });
    }

    /// Drops the connection and reconnects with the latest hello (a new conversation).
    pub fn reconnect(&self) -> Result<(), String> {
        self.ask(Reconnect::NewConversation)
    }

    /// Drops the socket without a close frame, as a network would (a fault injected by hand);
    /// the task reconnects with the latest hello, whose `since` resumes where it was.
    pub fn drop_socket(&self) -> Result<(), String> {
        self.ask(Reconnect::Dropped)
    }

    fn ask(&self, why: Reconnect) -> Result<(), String> {
        self.reconnect.try_send(why).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => "a reconnect is already on its way".to_owned(),
            mpsc::error::TrySendError::Closed(_) => "the connection task has stopped".to_owned(),
        })
    }
}

/// Why the app asks a connection to start over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reconnect {
    /// A new conversation: the socket is closed properly.
    NewConversation,
    /// A fault: the socket is dropped without a close frame.
    Dropped,
}

/// The task's side of the channels.
struct Channels {
    side: Side,
    outbox: mpsc::Receiver<ClientMsg>,
    reconnects: mpsc::Receiver<Reconnect>,
    hello: watch::Receiver<ClientMsg>,
    app: mpsc::Sender<Msg>,
}

/// Starts a connection task for `side` on the broker at `url` (once there is one: see
/// [`ClientHandle::set_dial`]); it first says `hello`, and later whatever
/// [`ClientHandle::set_hello`] set.
pub fn spawn(
    url: Option<String>,
    side: Side,
    hello: ClientMsg,
    app: mpsc::Sender<Msg>,
    cancel: CancellationToken,
) -> ClientHandle {
    let (tx, outbox) = mpsc::channel(OUTBOX);
    let (reconnect, reconnects) = mpsc::channel(RECONNECTS);
    let (hello, hello_rx) = watch::channel(hello);
    let (dial, dial_rx) = watch::channel(url);
    let link = Channels {
        side,
        outbox,
        reconnects,
        hello: hello_rx,
        app,
    };
    tokio::spawn(run(link, dial_rx, cancel));
    ClientHandle {
        tx,
        reconnect,
        hello: std::sync::Arc::new(hello),
        dial: std::sync::Arc::new(dial),
    }
}

async fn run(
    mut link: Channels,
    mut dial: watch::Receiver<Option<String>>,
    cancel: CancellationToken,
) {
    let mut attempt = 0u32;
    loop {
        let url = tokio::select! {
            () = cancel.cancelled() => return,
            url = target(&mut dial) => url,
        };
        let mut moved = false;
        let error = tokio::select! {
            () = cancel.cancelled() => return,
            to = moved_from(&mut dial, &url) => {
                moved = true;
                format!("the broker is now at {to}")
            }
            result = connection(&mut link, &url, &cancel, &mut attempt) => match result {
                Ok(()) => return,
                Err(e) => e,
            },
        };
        attempt += 1;
        tracing::warn!(side = link.side.label(), attempt, %error, "broker connection lost");
        let state = Link::Reconnecting {
            attempt,
            error: error.clone(),
        };
        if deliver(
            &link.app,
            Msg::Link {
                side: link.side,
                link: state,
            },
        )
        .await
        .is_err()
        {
            return;
        }
        if moved {
            continue;
        }
        // 200 ms doubling to 5 s, with jitter so the two connections do not retry in step.
        let base = 200u64.saturating_mul(1 << attempt.min(5)).min(5_000);
        let wait = Duration::from_millis(base + fastrand::u64(0..=base / 4));
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
            // Held or moved meanwhile (a restart): where to dial is known again, or not yet.
            () = changed(&mut dial) => {}
        }
    }
}

/// Where to dial, waiting while it is nowhere; never ends once the handle is gone (the
/// console is quitting: cancellation ends the task).
async fn target(dial: &mut watch::Receiver<Option<String>>) -> String {
    loop {
        if let Some(url) = dial.borrow_and_update().clone() {
            return url;
        }
        changed(dial).await;
    }
}

/// The URL the dial is set to when it is set to another than `url` (not when it is held: a
/// connection that is open stays open).
async fn moved_from(dial: &mut watch::Receiver<Option<String>>, url: &str) -> String {
    loop {
        changed(dial).await;
        if let Some(to) = dial.borrow_and_update().as_deref().filter(|u| *u != url) {
            return to.to_owned();
        }
    }
}

/// Ends when the dial changes; never once the handle is gone.
async fn changed(dial: &mut watch::Receiver<Option<String>>) {
    if dial.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Runs one connection until it drops (`Err` with why) or the app is gone (`Ok`).
async fn connection(
    link: &mut Channels,
    url: &str,
    cancel: &CancellationToken,
    attempt: &mut u32,
) -> Result<(), String> {
    let (side, app) = (link.side, link.app.clone());
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("cannot connect to {url}: {e}"))?;
    let hello = link.hello.borrow().clone();
    send(&mut ws, &app, side, &hello).await?;
    loop {
        tokio::select! {
            () = cancel.cancelled() => {
                // Best effort: the broker treats a dropped socket the same way.
                _ = ws.close(None).await;
                return Ok(());
            }
            Some(why) = link.reconnects.recv() => {
                if why == Reconnect::Dropped {
                    // No close frame: the broker sees the connection vanish.
                    drop(ws);
                    return Err("socket dropped on purpose (a fault)".to_owned());
                }
                _ = ws.close(None).await;
                return Err("starting a new conversation".to_owned());
            }
            out = link.outbox.recv() => {
                let Some(msg) = out else { return Ok(()) };
                send(&mut ws, &app, side, &msg).await?;
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
                received(&app, side, &text, attempt).await?;
            }
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sends one request, showing it in the inspector first (without secrets or base64).
async fn send(
    ws: &mut Socket,
    app: &mpsc::Sender<Msg>,
    side: Side,
    msg: &ClientMsg,
) -> Result<(), String> {
    let text = serde_json::to_string(msg).map_err(|e| e.to_string())?;
    let shown = inspected(msg);
    frame(app, side, Direction::Out, shown.as_deref().unwrap_or(&text)).await?;
    ws.send(Message::text(text))
        .await
        .map_err(|e| format!("send failed: {e}"))
}

/// Hands one received frame to the app: raw for the inspector, then decoded.
async fn received(
    app: &mpsc::Sender<Msg>,
    side: Side,
    text: &str,
    attempt: &mut u32,
) -> Result<(), String> {
    frame(app, side, Direction::In, text).await?;
    let msg: ServerMsg = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(side = side.label(), %e, "undecodable frame from the broker");
            return Ok(());
        }
    };
    if matches!(msg, ServerMsg::Welcome { .. }) {
        *attempt = 0;
        deliver(
            app,
            Msg::Link {
                side,
                link: Link::Connected,
            },
        )
        .await?;
    }
    deliver(app, Msg::Server { side, msg }).await
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

    #[test]
    fn the_inspector_shows_a_hello_without_its_secrets() {
        let hello = ClientMsg::Hello {
            protocol: crate::protocol::PROTOCOL_VERSION,
            role: crate::protocol::ClientRole::User,
            client: None,
            conversation: Some("c-1".into()),
            user: None,
            agent: None,
            since: std::collections::BTreeMap::new(),
            traces: true,
            token: Some("t0k3n-t0k3n-t0k3n".into()),
            resume: Some("5ec7e75ec7e7".into()),
            supervisor: false,
            platform: None,
            site: None,
        };
        let shown = inspected(&hello).expect("a hello is shown without secrets");
        assert!(
            !shown.contains("t0k3n") && !shown.contains("5ec7e7"),
            "{shown}"
        );
        assert!(shown.contains(r#""token":"[redacted]""#), "{shown}");
    }

    /// A hello for the tests: the user's, with a token.
    fn user_hello() -> ClientMsg {
        ClientMsg::Hello {
            protocol: crate::protocol::PROTOCOL_VERSION,
            role: crate::protocol::ClientRole::User,
            client: None,
            conversation: Some("c-1".into()),
            user: None,
            agent: None,
            since: std::collections::BTreeMap::from([("c-1".into(), 7)]),
            traces: false,
            token: Some("t0k3n".into()),
            resume: Some("5ec7e7".into()),
            supervisor: false,
            platform: None,
            site: None,
        }
    }

    #[tokio::test]
    async fn a_dial_that_hangs_on_a_taken_port_is_left_for_the_new_address() {
        // The old port, taken by a program that accepts and never answers.
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let old = format!("ws://{}", taken.local_addr().unwrap());
        let moved = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let new = format!("ws://{}", moved.local_addr().unwrap());
        let (app, _rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let handle = spawn(Some(old), Side::User, user_hello(), app, cancel.clone());
        let wait = Duration::from_secs(10);
        let (_held, _) = tokio::time::timeout(wait, taken.accept())
            .await
            .unwrap()
            .unwrap();
        handle.set_dial(Some(new));
        let (stream, _) = tokio::time::timeout(wait, moved.accept())
            .await
            .unwrap()
            .unwrap();
        let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        let Some(Ok(Message::Text(first))) = tokio::time::timeout(wait, ws.next()).await.unwrap()
        else {
            panic!("no hello at the new address");
        };
        let hello: ClientMsg = serde_json::from_str(&first).unwrap();
        assert_eq!(hello, user_hello(), "the same token, secret and since");
        cancel.cancel();
    }

    #[tokio::test]
    async fn a_held_dial_waits_and_goes_where_it_is_then_set() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let (app, _rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let handle = spawn(None, Side::User, user_hello(), app, cancel.clone());
        let early = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
        assert!(early.is_err(), "nothing dialled while held");
        handle.set_dial(Some(url));
        let wait = Duration::from_secs(10);
        tokio::time::timeout(wait, listener.accept())
            .await
            .unwrap()
            .unwrap();
        cancel.cancel();
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
