//! The accept loop: a connection limit taken before `accept`, the handshake's checks (origin,
//! host, token: see [`super::trust`]), one task per connection, and a graceful shutdown that
//! closes every session with "going away".

use super::hub::HubMsg;
use super::metered::{Meter, Metered, PRE_HELLO_BYTES};
use super::session::{SessionConfig, SessionTask};
use super::trust::{Gate, HandshakeAuth, refusal};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long the HTTP upgrade may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Each connection's read buffer: a chat message or a few fit, and it grows only for a larger
/// frame (tungstenite's default, 128 KiB zero-filled per connection, was most of an idle
/// connection's memory).
pub const READ_BUFFER: usize = 4 * 1024;

/// Written frames are gathered up to this many bytes before a write to the socket; the session
/// flushes once per burst in any case.
pub const WRITE_BUFFER: usize = 16 * 1024;

pub(super) struct Server {
    pub listener: TcpListener,
    pub hub: mpsc::Sender<HubMsg>,
    /// The hub's queue of users' requests (see [`SessionTask::intake`]).
    pub intake: mpsc::Sender<HubMsg>,
    pub shutdown: CancellationToken,
    pub tracker: TaskTracker,
    pub max_connections: usize,
    pub max_attachment_bytes: usize,
    pub gate: Arc<Gate>,
    pub sessions: Arc<SessionConfig>,
}

impl Server {
    pub(super) async fn run(self) {
        let limit = Arc::new(Semaphore::new(self.max_connections));
        // The socket lets `attach` frames through; the session holds every other frame to the
        // message limit, and the meter holds a client to a few KiB until its `hello`.
        let frame_limit = self
            .sessions
            .max_message_bytes
            .max(crate::protocol::attach_frame_limit(
                self.max_attachment_bytes,
            ));
        let ws_config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(WRITE_BUFFER)
            .max_message_size(Some(frame_limit))
            .max_frame_size(Some(frame_limit));
        loop {
            let permit = tokio::select! {
                () = self.shutdown.cancelled() => break,
                permit = Arc::clone(&limit).acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let (stream, peer) = tokio::select! {
                () = self.shutdown.cancelled() => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Running out of file descriptors and the like: back off, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let (hub, intake) = (self.hub.clone(), self.intake.clone());
            let shutdown = self.shutdown.clone();
            let (gate, config) = (Arc::clone(&self.gate), Arc::clone(&self.sessions));
            self.tracker.spawn(async move {
                let _permit = permit;
                let peer = peer.to_string();
                let _ = stream.set_nodelay(true);
                let meter = Meter::under(PRE_HELLO_BYTES, &shutdown);
                let Some((ws, auth)) = handshake(stream, &gate, ws_config, &meter, &peer).await
                else {
                    return;
                };
                meter.arm();
                tracing::debug!(%peer, token = auth.token, "connected");
                SessionTask {
                    ws,
                    hub,
                    intake,
                    shutdown,
                    config,
                    auth,
                    meter,
                    peer,
                }
                .run()
                .await;
            });
        }
    }
}

/// The HTTP upgrade, refused with 403 (and the reason logged) when the gate says no.
async fn handshake(
    stream: TcpStream,
    gate: &Gate,
    ws_config: WebSocketConfig,
    meter: &Meter,
    peer: &str,
) -> Option<(
    tokio_tungstenite::WebSocketStream<Metered<TcpStream>>,
    HandshakeAuth,
)> {
    let mut auth = HandshakeAuth::default();
    // The callback's type is tungstenite's: its error is the whole HTTP response.
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        match gate.check(request) {
            Ok(proved) => {
                auth = proved;
                Ok(response)
            }
            Err(reason) => {
                tracing::warn!(%peer, %reason, "handshake refused");
                Err(refusal(&reason))
            }
        }
    };
    let stream = Metered::new(stream, meter.clone());
    let accepted = tokio::time::timeout(
        HANDSHAKE_TIMEOUT,
        tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(ws_config)),
    )
    .await;
    match accepted {
        Ok(Ok(ws)) => Some((ws, auth)),
        Ok(Err(e)) => {
            tracing::debug!(%peer, error = %e, "handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "handshake timed out");
            None
        }
    }
}
