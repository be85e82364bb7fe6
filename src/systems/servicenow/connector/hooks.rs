//! The `ServiceNow` response endpoint: checks the configured auth header, reads the envelope,
//! routes it by `clientSessionId`. Answers 401 for a missing or wrong credential, 400 for a
//! body that is not an envelope, 503 when the chat's inbox is full (so the sender retries),
//! 200 otherwise (also for a conversation that is over).

use super::wire::Envelope;
use super::{CallbackAuth, SYSTEM};
use crate::connectors::redact::same_secret;
use crate::connectors::webhook::{WebhookHandler, WebhookReply, WebhookRequest};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::mpsc;

/// Envelopes waiting per chat task.
pub const INBOX: usize = 64;

/// The response endpoint's handler.
pub struct Hooks {
    auth: CallbackAuth,
    chats: Mutex<HashMap<String, mpsc::Sender<Envelope>>>,
}

impl Hooks {
    pub(super) fn new(auth: CallbackAuth) -> Self {
        Self {
            auth,
            chats: Mutex::default(),
        }
    }

    fn chats(&self) -> MutexGuard<'_, HashMap<String, mpsc::Sender<Envelope>>> {
        self.chats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens the inbox of client session `session`.
    pub fn attach(&self, session: &str) -> mpsc::Receiver<Envelope> {
        let (tx, rx) = mpsc::channel(INBOX);
        self.chats().insert(session.to_owned(), tx);
        rx
    }

    /// Closes it.
    pub fn detach(&self, session: &str) {
        self.chats().remove(session);
    }
}

#[async_trait]
impl WebhookHandler for Hooks {
    async fn handle(&self, request: WebhookRequest) -> WebhookReply {
        let given = request.header(&self.auth.header).unwrap_or_default();
        if !same_secret(given, &self.auth.value) {
            tracing::warn!(system = SYSTEM, header = %self.auth.header, "response endpoint: credential rejected");
            return WebhookReply::error(401, "missing or wrong credentials");
        }
        let envelope: Envelope = match serde_json::from_slice(&request.body) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(system = SYSTEM, error = %e, "response endpoint: not an envelope");
                return WebhookReply::error(400, format!("not a Bot Integration response: {e}"));
            }
        };
        let session = envelope.client_session_id.clone();
        let mut chats = self.chats();
        let Some(tx) = chats.get(&session) else {
            tracing::info!(
                system = SYSTEM,
                session,
                "response for a conversation that is over"
            );
            return WebhookReply::ok();
        };
        match tx.try_send(envelope) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                return WebhookReply::error(503, "busy, retry later");
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                chats.remove(&session);
            }
        }
        WebhookReply::ok()
    }
}
