//! The 8x8 webhook route: signature check, deduplication, and routing to chat tasks.
//!
//! Answers: 200 when taken (or a duplicate, or for a conversation that is over); 401 for a
//! missing or bad signature; 400 for a body that is not an event; 503 when the key cannot be
//! fetched or the chat's inbox is full, so 8x8 retries later. Events for a conversation whose
//! `POST /conversations` has not returned yet (8x8 may be faster than its own 202) are held
//! until the chat task attaches.

use super::signature::{self, Jwk, Signed};
use super::wire::WebhookEvent;
use super::{SYSTEM, Settings};
use crate::connectors::http::{Api, Call, Method};
use crate::connectors::webhook::{WebhookHandler, WebhookReply, WebhookRequest};
use async_trait::async_trait;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Events waiting per chat task.
pub const INBOX: usize = 64;
/// Event ids remembered for deduplication.
const SEEN: usize = 4096;
/// Conversations whose early events are held.
const PENDING_CONVERSATIONS: usize = 256;
/// How long early events wait for their conversation.
const PENDING_TTL: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Routes {
    chats: HashMap<String, mpsc::Sender<WebhookEvent>>,
    /// Events of conversations not (yet) ours, with when the first came.
    pending: HashMap<String, (Instant, Vec<WebhookEvent>)>,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
}

/// The 8x8 route's handler.
pub struct Hooks {
    settings: Arc<Settings>,
    api: Api,
    keys: Mutex<HashMap<String, Jwk>>,
    routes: Mutex<Routes>,
}

impl Hooks {
    pub(super) fn new(settings: Arc<Settings>, api: Api) -> Self {
        Self {
            settings,
            api,
            keys: Mutex::default(),
            routes: Mutex::default(),
        }
    }

    fn routes(&self) -> MutexGuard<'_, Routes> {
        self.routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens the inbox of `conversation`, with any events that came before it.
    pub fn attach(&self, conversation: &str) -> mpsc::Receiver<WebhookEvent> {
        let (tx, rx) = mpsc::channel(INBOX);
        let mut routes = self.routes();
        for event in routes
            .pending
            .remove(conversation)
            .map(|(_, e)| e)
            .unwrap_or_default()
        {
            // The channel is new and the backlog is bounded by INBOX below.
            let _ = tx.try_send(event);
        }
        routes.chats.insert(conversation.to_owned(), tx);
        rx
    }

    /// Closes the inbox of `conversation`.
    pub fn detach(&self, conversation: &str) {
        self.routes().chats.remove(conversation);
    }

    async fn key(&self, kid: &str) -> Result<Jwk, WebhookReply> {
        if let Some(key) = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(kid)
        {
            return Ok(key.clone());
        }
        let call = Call::new(
            "GET /jwk/{kid}/public",
            Method::Get,
            self.settings.jwk_url(kid),
        );
        let key: Jwk = match self.api.send(call).await.and_then(|r| r.json()) {
            Ok(key) => key,
            Err(e) => {
                tracing::warn!(system = SYSTEM, kid, error = %e, "cannot fetch the webhook key");
                return Err(WebhookReply::error(503, "signing key unavailable"));
            }
        };
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(kid.to_owned(), key.clone());
        Ok(key)
    }

    async fn check_signature(&self, request: &WebhookRequest) -> Result<(), WebhookReply> {
        let header = |name: &'static str| request.header(name).ok_or(name);
        let number = |name: &'static str| {
            header(name).and_then(|v| v.trim().parse::<u64>().map_err(|_| name))
        };
        let parsed = (|| {
            Ok::<_, &'static str>((
                header("x-8x8-signature")?,
                Signed {
                    cid: header("x-8x8-customer-id")?,
                    eid: header("x-8x8-event-id")?,
                    retry: number("x-8x8-retry")?,
                    tid: header("x-8x8-tenant-id")?,
                    tt: number("x-8x8-transmission-time")?,
                },
            ))
        })();
        let (sig, signed) = parsed.map_err(|name| {
            tracing::warn!(
                system = SYSTEM,
                header = name,
                "webhook rejected: header missing"
            );
            WebhookReply::error(401, format!("missing or invalid {name}"))
        })?;
        let reject = |e: signature::SignatureError| {
            tracing::warn!(system = SYSTEM, eid = signed.eid, error = %e, "webhook rejected: bad signature");
            WebhookReply::error(401, format!("bad signature: {e}"))
        };
        let header = signature::header_of(sig).map_err(reject)?;
        let key = self.key(&header.kid).await?;
        let payload = signature::payload(&request.body, &signed);
        signature::verify(sig, &payload, &key).map_err(reject)
    }

    fn route(&self, eid: Option<&str>, event: WebhookEvent) -> WebhookReply {
        let Some(conversation) = event.conversation_id.clone() else {
            tracing::warn!(system = SYSTEM, event = %event.event_type, "webhook without conversationId");
            return WebhookReply::error(400, "conversationId missing");
        };
        let mut routes = self.routes();
        if let Some(eid) = eid
            && routes.seen.contains(eid)
        {
            return WebhookReply::ok();
        }
        match routes.chats.get(&conversation) {
            Some(tx) => match tx.try_send(event) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    return WebhookReply::error(503, "busy, retry later");
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    routes.chats.remove(&conversation);
                }
            },
            None => {
                // Held briefly: 8x8 may post before its own 202 reaches us. Events of a
                // conversation that never becomes ours (another client on the channel) expire.
                routes
                    .pending
                    .retain(|_, (at, _)| at.elapsed() < PENDING_TTL);
                if routes.pending.len() >= PENDING_CONVERSATIONS
                    && !routes.pending.contains_key(&conversation)
                    && let Some(oldest) = routes
                        .pending
                        .iter()
                        .min_by_key(|(_, (at, _))| *at)
                        .map(|(k, _)| k.clone())
                {
                    routes.pending.remove(&oldest);
                }
                let (_, held) = routes
                    .pending
                    .entry(conversation)
                    .or_insert_with(|| (Instant::now(), Vec::new()));
                if held.len() >= INBOX {
                    return WebhookReply::error(503, "busy, retry later");
                }
                held.push(event);
            }
        }
        if let Some(eid) = eid {
            routes.seen.insert(eid.to_owned());
            routes.seen_order.push_back(eid.to_owned());
            if routes.seen_order.len() > SEEN
                && let Some(old) = routes.seen_order.pop_front()
            {
                routes.seen.remove(&old);
            }
        }
        WebhookReply::ok()
    }
}

#[async_trait]
impl WebhookHandler for Hooks {
    async fn handle(&self, request: WebhookRequest) -> WebhookReply {
        if self.settings.verify_signatures
            && let Err(reply) = self.check_signature(&request).await
        {
            return reply;
        }
        let event: WebhookEvent = match serde_json::from_slice(&request.body) {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(system = SYSTEM, error = %e, "webhook body is not an event");
                return WebhookReply::error(400, format!("not a Chat Gateway event: {e}"));
            }
        };
        if event.event_type == "WEB_HOOK_VERIFY" {
            tracing::info!(system = SYSTEM, "webhook verified");
            return WebhookReply::ok();
        }
        self.route(request.header("x-8x8-event-id"), event)
    }
}
