//! The accept loop: a connection limit taken before `accept`, one task per connection, and a
//! graceful shutdown that closes every session with "going away".

use super::hub::HubMsg;
use super::session::SessionTask;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub(super) struct Server {
    pub listener: TcpListener,
    pub hub: mpsc::Sender<HubMsg>,
    pub shutdown: CancellationToken,
    pub tracker: TaskTracker,
    pub max_connections: usize,
    pub max_message_bytes: usize,
    pub max_attachment_bytes: usize,
}

impl Server {
    pub(super) async fn run(self) {
        let limit = Arc::new(Semaphore::new(self.max_connections));
        // The socket lets `attach` frames through; the session holds every other frame to the
        // message limit.
        let frame_limit = self
            .max_message_bytes
            .max(crate::protocol::attach_frame_limit(
                self.max_attachment_bytes,
            ));
        let ws_config = WebSocketConfig::default()
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
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let (hub, shutdown, max) = (
                self.hub.clone(),
                self.shutdown.clone(),
                self.max_message_bytes,
            );
            self.tracker.spawn(async move {
                let _permit = permit;
                let _ = stream.set_nodelay(true);
                let handshake = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    tokio_tungstenite::accept_async_with_config(stream, Some(ws_config)),
                )
                .await;
                match handshake {
                    Ok(Ok(ws)) => {
                        let peer = peer.to_string();
                        tracing::debug!(%peer, "connected");
                        SessionTask {
                            ws,
                            hub,
                            shutdown,
                            max_message_bytes: max,
                            peer,
                        }
                        .run()
                        .await;
                    }
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "handshake failed"),
                    Err(_) => tracing::debug!(%peer, "handshake timed out"),
                }
            });
        }
    }
}
