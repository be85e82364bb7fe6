//! The baseline server: a tokio-tungstenite relay with no protocol, built the way `handoff
//! serve` is built (multi-thread runtime, one task per connection, `TCP_NODELAY`, tungstenite's
//! default `WebSocketConfig`, a queue of [`QUEUE`] frames per receiving connection, one
//! `send` — one flush — per frame), so that the difference to the broker is the broker's work.
//!
//! A connection's first text frame joins a room: `user ROOM` or `agent ROOM`, answered `ok`;
//! `agent *` is a desk socket that gets every room without an agent of its own. Every later text
//! frame of a room's user goes verbatim to the room's agent; agents' frames are dropped.

use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// Frames queued for one agent connection: the broker's own per-session queue, so the two
/// compare at the same bound; a user whose agent's queue is full waits (back-pressure).
pub const QUEUE: usize = crate::broker::SESSION_QUEUE;

type Outbox = mpsc::Sender<Message>;

/// Who gets a room's frames: its own agent, else the desk.
#[derive(Default)]
struct Rooms {
    agents: HashMap<String, Outbox>,
    desk: Option<Outbox>,
}

impl Rooms {
    fn agent_of(&self, room: &str) -> Option<Outbox> {
        self.agents.get(room).or(self.desk.as_ref()).cloned()
    }
}

type Shared = Arc<Mutex<Rooms>>;

/// Listens on `listen` (loopback), prints `ws://ADDR` as stdout's first line, serves forever.
pub async fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    anyhow::ensure!(
        listen.ip().is_loopback(),
        "the bare relay listens on loopback only, not {listen}"
    );
    let listener = TcpListener::bind(listen).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "ws://{}", listener.local_addr()?)?;
    stdout.flush()?;
    drop(stdout);
    let rooms = Shared::default();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, Arc::clone(&rooms)));
            }
            // Out of descriptors and the like: wait and go on, as the broker does.
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

async fn connection(stream: TcpStream, rooms: Shared) {
    _ = stream.set_nodelay(true);
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default();
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let join = loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => break text,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return,
            Some(Ok(_)) => {}
        }
    };
    let Some((role, room)) = join.as_str().split_once(' ') else {
        _ = ws
            .send(Message::text(
                "error: join with `user ROOM` or `agent ROOM`",
            ))
            .await;
        return;
    };
    match role {
        "agent" => agent(ws, &rooms, room.to_owned()).await,
        "user" => user(ws, &rooms, room).await,
        _ => {
            _ = ws
                .send(Message::text("error: the role is `user` or `agent`"))
                .await;
        }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

/// An agent: registered for its room (or the desk), then fed from its queue, one flush per frame.
async fn agent(mut ws: Socket, rooms: &Shared, room: String) {
    let (tx, mut rx) = mpsc::channel(QUEUE);
    {
        let mut r = rooms.lock().unwrap_or_else(PoisonError::into_inner);
        if room == "*" {
            r.desk = Some(tx);
        } else {
            r.agents.insert(room, tx);
        }
    }
    if ws.send(Message::text("ok")).await.is_err() {
        return;
    }
    let (mut sink, mut source) = ws.split();
    // Agents' own frames are read (so closes are seen) and dropped.
    tokio::spawn(async move { while let Some(Ok(_)) = source.next().await {} });
    while let Some(frame) = rx.recv().await {
        if sink.send(frame).await.is_err() {
            break;
        }
    }
}

/// A user: every text frame goes to the room's agent, waiting while its queue is full.
async fn user(mut ws: Socket, rooms: &Shared, room: &str) {
    if ws.send(Message::text("ok")).await.is_err() {
        return;
    }
    while let Some(Ok(frame)) = ws.next().await {
        if !frame.is_text() {
            continue;
        }
        let to = rooms
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .agent_of(room);
        if let Some(to) = to {
            _ = to.send(frame).await;
        }
    }
}
