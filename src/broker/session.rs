//! One client connection: the hello handshake (with the token check), frame checking, and the
//! loop that moves frames between the socket and the hub.
//!
//! Close codes: 1008 for policy (no or wrong token, a role or resume refused, no `hello` in
//! time, a client too slow to keep up), 1009 for a frame over the size limit (or more than
//! [`super::metered::PRE_HELLO_BYTES`] before `hello`), 1007 for a text frame that is not UTF-8, 1002 for
//! other WebSocket protocol violations, 1001 on shutdown. Everything else is an `error` frame
//! and the connection stays open.

use super::hub::{Frame, HubMsg, Join, SessionId, encode};
use super::metered::{Meter, Metered};
use super::trust::{HandshakeAuth, token_matches};
use crate::connectors::redact::Secret;
use crate::protocol::{ClientMsg, ClientRole, ErrorCode, ServerMsg, decode_client};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

/// How many messages may wait for a client: past three quarters of it the hub holds users'
/// requests back (see [`super::hub`]); a full queue drops the client with notice.
pub const SESSION_QUEUE: usize = 4096;

/// Frames written per flush at most: a burst goes out in few syscalls, and a long one still lets
/// the session read between its flushes.
pub const WRITE_BATCH: usize = 64;

/// Why a connection ends: a close frame to send, or `None` when the socket is already gone.
type End = Option<(CloseCode, String)>;

/// A connection that has said hello: its session and its queue of requests toward the hub.
struct Live {
    id: SessionId,
    requests: mpsc::Sender<HubMsg>,
    /// A request the hub's queue had no room for: the socket is not read until the hub takes
    /// it, which slows the sender down (at most one is held).
    held: Option<HubMsg>,
}

impl Live {
    /// Room for the held request in the hub's queue; never, when nothing is held.
    async fn room(session: Option<&Live>) -> Result<mpsc::OwnedPermit<HubMsg>, ()> {
        match session {
            Some(live) if live.held.is_some() => {
                live.requests.clone().reserve_owned().await.map_err(|_| ())
            }
            _ => std::future::pending().await,
        }
    }

    /// Passes a request on, or holds it while the hub's queue is full.
    fn forward(&mut self, msg: HubMsg) -> Result<(), End> {
        match self.requests.try_send(msg) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(msg)) => {
                self.held = Some(msg);
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(None),
        }
    }
}

/// Whether the session may read another request: nothing is held, and its own queue is at most
/// three quarters full (a client is not read faster than it takes its answers).
fn may_read(session: Option<&Live>, out_tx: &mpsc::Sender<Frame>) -> bool {
    session.is_none_or(|live| live.held.is_none()) && out_tx.capacity() >= out_tx.max_capacity() / 4
}

/// What every session of a broker shares.
pub(super) struct SessionConfig {
    /// The largest text frame, `attach` excepted.
    pub max_message_bytes: usize,
    /// The largest `attach` frame; only users and agents send files, observers are held to
    /// `max_message_bytes`.
    pub max_attach_frame: usize,
    /// The bound of each session's outbound queue (messages).
    pub queue: usize,
    /// A client that has not said `hello` by then is closed (1008).
    pub hello_timeout: Duration,
    /// A frame that cannot be written for this long means the client stopped reading (1008).
    pub write_timeout: Duration,
    /// The broker's token.
    pub token: Secret,
    /// Every role needs the token (the console's own broker), not only agents and observers.
    pub token_for_every_role: bool,
}

pub(super) struct SessionTask {
    pub ws: WebSocketStream<Metered<TcpStream>>,
    pub hub: mpsc::Sender<HubMsg>,
    /// Where a user's requests and leave go: the hub holds this queue back while a desk-side
    /// client is backed up, which slows the senders instead of dropping the reader.
    pub intake: mpsc::Sender<HubMsg>,
    pub shutdown: CancellationToken,
    pub config: Arc<SessionConfig>,
    /// What the handshake proved.
    pub auth: HandshakeAuth,
    /// The socket's pre-`hello` byte budget.
    pub meter: Meter,
    pub peer: String,
}

/// Whether a text frame this long is over the limit: only `attach` frames may pass the message
/// limit (the socket itself stops them at the attachment frame limit).
fn oversized(len: usize, max_message_bytes: usize, decoded: Option<&ClientMsg>) -> bool {
    len > max_message_bytes && !matches!(decoded, Some(ClientMsg::Attach { .. }))
}

fn too_slow() -> (CloseCode, String) {
    (
        CloseCode::Policy,
        "client too slow: reconnect with hello.since to resume".into(),
    )
}

impl SessionTask {
    /// Why the session's token was cancelled: the broker is shutting down, the meter tripped,
    /// or the hub dropped the session for falling behind (in that order, as they are nested).
    fn stop_reason(&self) -> (CloseCode, String) {
        if self.shutdown.is_cancelled() {
            (CloseCode::Away, "the broker is shutting down".into())
        } else if self.meter.is_tripped() {
            self.tripped_close()
        } else {
            too_slow()
        }
    }

    /// Why the meter stopped reading: too much before `hello`, or a message over the role's
    /// limit, refused at its header.
    fn tripped_close(&self) -> (CloseCode, String) {
        let reason = match self.meter.over() {
            None => format!("more than {} bytes before hello", self.meter.budget()),
            Some(length) => format!(
                "a message of {length} bytes is over this role's limit of {} bytes (files go in `attach`, from users and agents)",
                self.meter.message_limit()
            ),
        };
        tracing::info!(peer = %self.peer, %reason, "message refused at its header");
        (CloseCode::Size, reason)
    }

    pub(super) async fn run(mut self) {
        let (out_tx, mut out_rx) = mpsc::channel::<Frame>(self.config.queue);
        // The hub's kick, under the meter's trip, under the broker's shutdown (the server made
        // the meter so): one token that any of the three cancels, waited on once for the whole
        // connection. Each wait takes a lock on every turn of the loop, and a wait made anew
        // each turn a registration as well.
        let kicked = self.meter.tripped().child_token();
        let stopped = kicked.clone().cancelled_owned();
        let hello_by = tokio::time::sleep(self.config.hello_timeout);
        tokio::pin!(stopped, hello_by);
        let mut session: Option<Live> = None;
        // The frames of one write, taken off the queue together (one release of the queue's
        // permits, not one per frame) into a vector kept for the connection.
        let mut burst: Vec<Frame> = Vec::new();
        let end: End = loop {
            tokio::select! {
                biased;
                () = &mut stopped => break Some(self.stop_reason()),
                () = &mut hello_by, if session.is_none() => {
                    tracing::info!(peer = %self.peer, "no hello in time");
                    break Some((CloseCode::Policy, format!("no hello within {} ms", self.config.hello_timeout.as_millis())));
                }
                taken = out_rx.recv_many(&mut burst, WRITE_BATCH) => {
                    // None taken: the queue closed, which only the end of the session does.
                    if taken == 0 {
                        break None;
                    }
                    if let Err(end) = self.write_frames(burst.drain(..), &kicked).await {
                        break end;
                    }
                }
                permit = Live::room(session.as_ref()) => {
                    let (Ok(permit), Some(live)) = (permit, session.as_mut()) else { break None };
                    if let Some(msg) = live.held.take() {
                        permit.send(msg);
                    }
                }
                frame = self.ws.next(), if may_read(session.as_ref(), &out_tx) => {
                    let Some(frame) = frame else { break None };
                    if let Err(end) = self.on_frame(frame, &mut session, &out_tx, &kicked).await {
                        break end;
                    }
                }
            }
        };
        if let Some((code, reason)) = end {
            self.close(code, &reason).await;
        }
        if let Some(live) = session {
            // After the session's requests, on the same queue, so none is lost.
            if let Some(msg) = live.held {
                let _ = live.requests.send(msg).await;
            }
            let _ = live.requests.send(HubMsg::Leave(live.id)).await;
        }
    }

    /// The hub queue a session of `role` sends its requests on.
    fn requests_to(&self, role: ClientRole) -> &mpsc::Sender<HubMsg> {
        match role {
            ClientRole::User => &self.intake,
            ClientRole::Agent | ClientRole::Observer => &self.hub,
        }
    }

    async fn on_frame(
        &mut self,
        frame: Result<Message, WsError>,
        session: &mut Option<Live>,
        out_tx: &mpsc::Sender<Frame>,
        kicked: &CancellationToken,
    ) -> Result<(), End> {
        match frame {
            Ok(Message::Text(text)) => self.on_text(text.as_str(), session, out_tx, kicked).await,
            Ok(Message::Binary(_)) => {
                let e = error(
                    None,
                    ErrorCode::BinaryFrame,
                    "binary frames are not supported; send JSON text frames".into(),
                );
                self.write(&e, kicked).await
            }
            Ok(Message::Close(_)) => Err(None),
            Ok(_) => Ok(()), // ping/pong are answered by tungstenite
            Err(WsError::Capacity(e)) => {
                tracing::info!(peer = %self.peer, error = %e, "frame over the size limit");
                Err(Some(self.too_big()))
            }
            Err(WsError::Utf8(_)) => {
                tracing::info!(peer = %self.peer, "text frame is not UTF-8");
                Err(Some((
                    CloseCode::Invalid,
                    "text frame is not valid UTF-8".into(),
                )))
            }
            Err(WsError::Protocol(e)) => {
                tracing::info!(peer = %self.peer, error = %e, "WebSocket protocol violation");
                Err(Some((
                    CloseCode::Protocol,
                    format!("protocol violation: {e}"),
                )))
            }
            Err(e) => {
                tracing::debug!(peer = %self.peer, error = %e, "connection error");
                Err(None)
            }
        }
    }

    /// Whether this `hello` may go on to the hub, and whether it proved the token: `Err` is
    /// the policy refusal (close 1008).
    fn admit(
        &self,
        role: ClientRole,
        token: Option<&str>,
        supervisor: bool,
    ) -> Result<bool, String> {
        let proved = match token {
            Some(t) if token_matches(&self.config.token, t) => true,
            Some(_) => return Err("wrong token".into()),
            None => self.auth.token,
        };
        let needed = if supervisor {
            Some("a supervisor")
        } else if self.config.token_for_every_role {
            Some("every role on this broker")
        } else {
            match role {
                ClientRole::User => None,
                ClientRole::Agent => Some("the agent role"),
                ClientRole::Observer => Some("the observer role"),
            }
        };
        match needed {
            Some(who) if !proved => Err(format!(
                "{who} needs the broker's token (hello.token or Authorization: Bearer)"
            )),
            _ => Ok(proved),
        }
    }

    /// Handles one text frame; `Err` when the connection must end.
    async fn on_text(
        &mut self,
        text: &str,
        session: &mut Option<Live>,
        out_tx: &mpsc::Sender<Frame>,
        kicked: &CancellationToken,
    ) -> Result<(), End> {
        let decoded = decode_client(text);
        if oversized(
            text.len(),
            self.config.max_message_bytes,
            decoded.as_ref().ok(),
        ) {
            tracing::info!(peer = %self.peer, len = text.len(), "frame over the size limit");
            return Err(Some(self.too_big()));
        }
        let msg = match decoded {
            Ok(msg) => msg,
            Err(e) => {
                tracing::debug!(peer = %self.peer, error = %e.message, "bad frame");
                return self.write(&error(e.id, e.code, e.message), kicked).await;
            }
        };
        match (msg, session.as_ref().map(|live| live.id)) {
            (
                ClientMsg::Hello {
                    protocol,
                    role,
                    conversation,
                    user,
                    agent,
                    since,
                    client,
                    traces,
                    token,
                    resume,
                    supervisor,
                    platform,
                    site,
                },
                None,
            ) => {
                tracing::info!(peer = %self.peer, ?role, supervisor, client = client.as_deref().unwrap_or("-"), "hello");
                let vouched = match self.admit(role, token.as_deref(), supervisor) {
                    Ok(proved) => proved,
                    Err(reason) => return Err(self.refuse(reason, kicked).await),
                };
                let join = Join {
                    protocol,
                    role,
                    conversation,
                    user,
                    agent,
                    since,
                    traces,
                    resume,
                    supervisor,
                    platform,
                    site,
                    vouched,
                };
                self.join(join, session, out_tx, kicked).await
            }
            (ClientMsg::Hello { .. }, Some(_)) => {
                let e = error(
                    None,
                    ErrorCode::NotReady,
                    "already said hello on this connection".into(),
                );
                self.write(&e, kicked).await
            }
            (msg, None) => {
                let id = msg.request_id().cloned();
                let e = error(
                    id,
                    ErrorCode::NotReady,
                    "say hello first: the first message must be `hello`".into(),
                );
                self.write(&e, kicked).await
            }
            (msg, Some(id)) => match session {
                Some(live) => live.forward(HubMsg::Request(id, msg)),
                None => Ok(()),
            },
        }
    }

    /// Asks the hub to join; writes the welcome and the replay.
    async fn join(
        &mut self,
        join: Join,
        session: &mut Option<Live>,
        out_tx: &mpsc::Sender<Frame>,
        kicked: &CancellationToken,
    ) -> Result<(), End> {
        let role = join.role;
        let (reply_tx, reply_rx) = oneshot::channel();
        let sent = self
            .hub
            .send(HubMsg::Join {
                join,
                out: out_tx.clone(),
                kicked: kicked.clone(),
                reply: reply_tx,
            })
            .await;
        sent.map_err(|_| None)?;
        match reply_rx.await {
            Ok(Ok(joined)) => {
                *session = Some(Live {
                    id: joined.session,
                    requests: self.requests_to(role).clone(),
                    held: None,
                });
                let limit = match role {
                    ClientRole::Observer => self.config.max_message_bytes,
                    ClientRole::User | ClientRole::Agent => self.config.max_attach_frame,
                };
                self.meter.open(limit);
                self.write_frames(joined.replay.iter().map(encode), kicked)
                    .await
            }
            Ok(Err((ErrorCode::Forbidden, reason))) => Err(self.refuse(reason, kicked).await),
            Ok(Err((code, message))) => self.write(&error(None, code, message), kicked).await,
            Err(_) => Err(None),
        }
    }

    /// A policy refusal: an `error` frame saying why, then close 1008 with the same reason.
    async fn refuse(&mut self, reason: String, kicked: &CancellationToken) -> End {
        tracing::warn!(peer = %self.peer, %reason, "hello refused");
        let e = error(None, ErrorCode::Forbidden, reason.clone());
        match self.write(&e, kicked).await {
            Ok(()) => Some((CloseCode::Policy, reason)),
            Err(end) => end,
        }
    }

    /// Writes one message of the session's own (an error, a refusal).
    async fn write(&mut self, msg: &ServerMsg, kicked: &CancellationToken) -> Result<(), End> {
        self.write_frames(std::iter::once(encode(msg)), kicked)
            .await
    }

    /// Feeds `frames` in order and flushes once; a client that does not take them within the
    /// write timeout (or that the hub dropped for falling behind) is too slow. A shutdown or a
    /// tripped meter (the same token) ends the write with their own reason.
    async fn write_frames(
        &mut self,
        frames: impl Iterator<Item = Frame>,
        kicked: &CancellationToken,
    ) -> Result<(), End> {
        let limit = self.config.write_timeout;
        let ws = &mut self.ws;
        let burst = async move {
            for frame in frames {
                ws.feed(Message::Text(frame)).await?;
            }
            ws.flush().await
        };
        // The burst first: when the socket takes it at once (the rule), the timer and the kick
        // are never registered, which a random start would do for every other burst.
        let timed_out = tokio::select! {
            biased;
            sent = burst => return sent.map_err(|_| None),
            () = kicked.cancelled() => false,
            () = tokio::time::sleep(limit) => true,
        };
        if timed_out {
            tracing::warn!(peer = %self.peer, "client stopped reading; closing it");
            return Err(Some(too_slow()));
        }
        Err(Some(self.stop_reason()))
    }

    fn too_big(&self) -> (CloseCode, String) {
        (
            CloseCode::Size,
            format!(
                "message too big: the limit is {} bytes (files go in `attach`)",
                self.config.max_message_bytes
            ),
        )
    }

    /// Sends the close frame and lets the peer answer it, within a second: a client that does
    /// not read gets its socket dropped instead.
    async fn close(&mut self, code: CloseCode, reason: &str) {
        let frame = CloseFrame {
            code,
            reason: close_reason(reason).into(),
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            let _ = self.ws.send(Message::Close(Some(frame))).await;
            while let Some(Ok(_)) = self.ws.next().await {}
        })
        .await;
    }
}

/// A close reason fits in 123 bytes; a longer one is cut at a character boundary.
fn close_reason(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

fn error(id: Option<crate::protocol::RequestId>, code: ErrorCode, message: String) -> ServerMsg {
    ServerMsg::Error { id, code, message }
}

#[cfg(test)]
mod tests {
    use super::close_reason;

    #[test]
    fn close_reasons_are_cut_to_123_bytes_on_a_character_boundary() {
        assert_eq!(close_reason("short"), "short");
        let long = "é".repeat(100);
        let cut = close_reason(&long);
        assert!(cut.len() <= 123 && long.starts_with(&cut), "{}", cut.len());
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..500 {
            let text: String = (0..rng.usize(0..200)).map(|_| rng.char(..)).collect();
            let cut = close_reason(&text);
            assert!(cut.len() <= 123 && text.starts_with(&cut));
        }
    }
}
