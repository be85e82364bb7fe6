//! One client connection: the hello handshake, frame checking, and the loop that moves frames
//! between the socket and the hub. Close codes are used only for protocol violations (1009 for
//! a frame over the size limit, 1008 for a client too slow to keep up); everything else is an
//! `error` frame and the connection stays open.

use super::hub::{HubMsg, Join, SessionId};
use crate::protocol::{ClientMsg, ErrorCode, ServerMsg, decode_client};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

/// How many messages may wait for a slow client before it is dropped with notice.
pub const SESSION_QUEUE: usize = 4096;

pub(super) struct SessionTask {
    pub ws: WebSocketStream<TcpStream>,
    pub hub: mpsc::Sender<HubMsg>,
    pub shutdown: CancellationToken,
    pub max_message_bytes: usize,
    pub peer: String,
}

/// Whether a text frame this long is over the limit: only `attach` frames may pass the message
/// limit (the socket itself stops them at the attachment frame limit).
fn oversized(len: usize, max_message_bytes: usize, decoded: Option<&ClientMsg>) -> bool {
    len > max_message_bytes && !matches!(decoded, Some(ClientMsg::Attach { .. }))
}

impl SessionTask {
    pub(super) async fn run(mut self) {
        let (out_tx, mut out_rx) = mpsc::channel::<ServerMsg>(SESSION_QUEUE);
        let kicked = CancellationToken::new();
        let mut session: Option<SessionId> = None;
        loop {
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => {
                    self.close(CloseCode::Away, "the broker is shutting down").await;
                    break;
                }
                () = kicked.cancelled() => {
                    self.close(CloseCode::Policy, "client too slow: reconnect with hello.since to resume").await;
                    break;
                }
                Some(msg) = out_rx.recv() => {
                    if self.write(&msg).await.is_err() {
                        break;
                    }
                }
                frame = self.ws.next() => {
                    let Some(frame) = frame else { break };
                    match frame {
                        Ok(Message::Text(text)) => {
                            if !self.on_text(text.as_str(), &mut session, &out_tx, &kicked).await {
                                break;
                            }
                        }
                        Ok(Message::Binary(_)) => {
                            let e = error(None, ErrorCode::BinaryFrame, "binary frames are not supported; send JSON text frames".into());
                            if self.write(&e).await.is_err() {
                                break;
                            }
                        }
                        Ok(Message::Close(_)) => break,
                        Ok(_) => {} // ping/pong are answered by tungstenite
                        Err(WsError::Capacity(e)) => {
                            tracing::info!(peer = %self.peer, error = %e, "frame over the size limit");
                            self.close_too_big().await;
                            break;
                        }
                        Err(e) => {
                            tracing::debug!(peer = %self.peer, error = %e, "connection error");
                            break;
                        }
                    }
                }
            }
        }
        if let Some(id) = session {
            let _ = self.hub.send(HubMsg::Leave(id)).await;
        }
    }

    /// Handles one text frame; false when the connection must end.
    async fn on_text(
        &mut self,
        text: &str,
        session: &mut Option<SessionId>,
        out_tx: &mpsc::Sender<ServerMsg>,
        kicked: &CancellationToken,
    ) -> bool {
        let decoded = decode_client(text);
        if oversized(text.len(), self.max_message_bytes, decoded.as_ref().ok()) {
            tracing::info!(peer = %self.peer, len = text.len(), "frame over the size limit");
            self.close_too_big().await;
            return false;
        }
        let msg = match decoded {
            Ok(msg) => msg,
            Err(e) => {
                tracing::debug!(peer = %self.peer, error = %e.message, "bad frame");
                return self.write(&error(e.id, e.code, e.message)).await.is_ok();
            }
        };
        match (msg, *session) {
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
                },
                None,
            ) => {
                tracing::info!(peer = %self.peer, ?role, client = client.as_deref().unwrap_or("-"), "hello");
                let (reply_tx, reply_rx) = oneshot::channel();
                let join = Join {
                    protocol,
                    role,
                    conversation,
                    user,
                    agent,
                    since,
                    traces,
                };
                let sent = self
                    .hub
                    .send(HubMsg::Join {
                        join,
                        out: out_tx.clone(),
                        kicked: kicked.clone(),
                        reply: reply_tx,
                    })
                    .await;
                let Ok(()) = sent else { return false };
                match reply_rx.await {
                    Ok(Ok(joined)) => {
                        *session = Some(joined.session);
                        for msg in &joined.replay {
                            if self.write(msg).await.is_err() {
                                return false;
                            }
                        }
                        true
                    }
                    Ok(Err((code, message))) => {
                        self.write(&error(None, code, message)).await.is_ok()
                    }
                    Err(_) => false,
                }
            }
            (ClientMsg::Hello { .. }, Some(_)) => self
                .write(&error(
                    None,
                    ErrorCode::NotReady,
                    "already said hello on this connection".into(),
                ))
                .await
                .is_ok(),
            (msg, None) => {
                let id = msg.request_id().cloned();
                self.write(&error(
                    id,
                    ErrorCode::NotReady,
                    "say hello first: the first message must be `hello`".into(),
                ))
                .await
                .is_ok()
            }
            (msg, Some(id)) => self.hub.send(HubMsg::Request(id, msg)).await.is_ok(),
        }
    }

    async fn write(&mut self, msg: &ServerMsg) -> Result<(), WsError> {
        let text = serde_json::to_string(msg).map_err(|e| WsError::Io(std::io::Error::other(e)))?;
        self.ws.send(Message::text(text)).await
    }

    async fn close_too_big(&mut self) {
        let reason = format!(
            "message too big: the limit is {} bytes (files go in `attach`)",
            self.max_message_bytes
        );
        self.close(CloseCode::Size, &reason).await;
    }

    async fn close(&mut self, code: CloseCode, reason: &str) {
        let frame = CloseFrame {
            code,
            reason: reason.to_owned().into(),
        };
        let _ = self.ws.send(Message::Close(Some(frame))).await;
        // Let the peer answer the close so it sees the frame before the socket goes.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
            while let Some(Ok(_)) = self.ws.next().await {}
        })
        .await;
    }
}

fn error(id: Option<crate::protocol::RequestId>, code: ErrorCode, message: String) -> ServerMsg {
    ServerMsg::Error { id, code, message }
}
