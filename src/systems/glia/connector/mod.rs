//! Glia connector (visitor-integrator flow).
//!
//! - Visitor: `POST /visitors` with the site's application token
//!   (`Authorization: ApplicationToken ...`, no body) → 200 `{id, access_token}`.
//! - Site token: `POST /operator_authentication/tokens` with the site API key (cached, renewed
//!   after 50 minutes), for the operators list.
//! - Enqueue: `POST /queue_tickets` with the visitor token, registering our webhook route with
//!   two headers Glia sends back verbatim: a per-chat secret (`Authorization: Bearer ...`) and
//!   the chat's key (`x-handoff-chat`).
//! - Messages: `PUT /engagements/{id}/chat_messages/{uuid}`: the id is ours, so a retry is
//!   idempotent. The utterance goes first, with the routing context as `metadata`.
//! - Files: uploaded to the engagement (multipart), then sent as a chat message whose
//!   `attachment` references the upload; its id derives from the message id, so a retry never
//!   duplicates it. Sent before the engagement, files wait with the early messages, in order.
//!   An operator's files come the same way, in the `attachment` of `engagement.chat.message`
//!   ([`agent_files`]), and become `ChatEvent::AgentFile`s with their links.
//! - Events: `engagement.start` (the operator's name fetched through the engagement's operator
//!   link, [`names`]), `engagement.chat.message`,
//!   `engagement.transfer`, `engagement.end`, `engagement.request.failure` ([`chat`]).
//! - Availability: the operators list. What is not public is in [`inferred`].

pub mod agent_files;
pub mod chat;
pub use super::inferred;
pub mod names;
pub mod wire;

use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use crate::connectors::{
    Availability, Connector, ConnectorError, HandoffRequest, Started, runtime,
};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The system's name in errors and status lines.
pub const SYSTEM: &str = "Glia";

/// The webhook route's name on the broker's listener.
pub const ROUTE: &str = "glia";

/// How long a site token is used before it is renewed.
const TOKEN_LIFETIME: Duration = Duration::from_secs(50 * 60);

/// How the connector reaches one Glia site.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `https://api.glia.com` (or the emulator).
    pub api_base: String,
    /// The site.
    pub site_id: String,
    /// The queue.
    pub queue_id: String,
    /// Site API key id.
    pub api_key_id: String,
    /// Site API key secret.
    pub api_key_secret: Secret,
    /// The site's application token, which creates visitors.
    pub application_token: Secret,
    /// Retries.
    pub retry: RetryPolicy,
}

impl Settings {
    fn call(&self, method: Method, path: &str, name: &str, bearer: &str) -> Call {
        Call::new(
            name,
            method,
            format!("{}{path}", self.api_base.trim_end_matches('/')),
        )
        .header("Accept", wire::ACCEPT)
        .header("Authorization", format!("Bearer {bearer}"))
    }
}

/// The Glia connector.
pub struct Glia {
    settings: Arc<Settings>,
    api: Api,
    hooks: Arc<chat::Hooks>,
    webhook_url: String,
    site_token: Mutex<Option<(Secret, Instant)>>,
}

crate::debug::debug_fields!(Glia { settings });

impl Glia {
    /// A connector for `settings` whose webhooks arrive on `listener`.
    pub fn new(settings: Settings, listener: &WebhookListener) -> Self {
        let api = Api::new(
            SYSTEM,
            settings.retry,
            // The key id is half of the credential: scrubbed like the secret.
            vec![
                settings.api_key_secret.clone(),
                Secret::new(settings.api_key_id.clone()),
                settings.application_token.clone(),
            ],
        );
        let hooks = Arc::new(chat::Hooks::default());
        let webhook_url = listener.route(ROUTE, hooks.clone());
        Self {
            settings: Arc::new(settings),
            api,
            hooks,
            webhook_url,
            site_token: Mutex::default(),
        }
    }

    /// The site bearer token, fetched or reused.
    async fn site_token(&self) -> Result<Secret, ConnectorError> {
        if let Some((token, at)) = self
            .site_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            && at.elapsed() < TOKEN_LIFETIME
        {
            return Ok(token);
        }
        let body = wire::TokenRequest {
            api_key_id: self.settings.api_key_id.clone(),
            api_key_secret: self.settings.api_key_secret.expose().to_owned(),
        };
        let call = Call::new(
            "POST /operator_authentication/tokens",
            Method::Post,
            format!(
                "{}/operator_authentication/tokens",
                self.settings.api_base.trim_end_matches('/')
            ),
        )
        .header("Accept", wire::ACCEPT)
        .json(&body);
        let token: wire::Token = self.api.send(call).await?.json()?;
        let token = Secret::new(token.token);
        *self
            .site_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((token.clone(), Instant::now()));
        Ok(token)
    }
}

#[async_trait]
impl Connector for Glia {
    fn api(&self) -> Option<&Api> {
        Some(&self.api)
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        match self.availability_once().await {
            Err(ConnectorError::Unauthorized { .. }) if self.forget_site_token() => {
                self.availability_once().await
            }
            other => other,
        }
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        self.start_once(request).await
    }
}

impl Glia {
    /// Forgets the cached site token; true when there was one. Glia may refuse a cached token
    /// before its hour is up (a revoked key, a rotated secret): the caller then tries once more
    /// with a fresh token, and a refusal of the fresh one reaches the user.
    fn forget_site_token(&self) -> bool {
        self.site_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .is_some()
    }

    async fn availability_once(&self) -> Result<Availability, ConnectorError> {
        let token = self.site_token().await?;
        let path = format!(
            "/operators?include_offline=false&site_ids[]={}",
            self.settings.site_id
        );
        let call = self
            .settings
            .call(Method::Get, &path, "GET /operators", token.expose());
        let list: inferred::Operators = self.api.send(call).await?.json()?;
        let available = list
            .operators
            .iter()
            .filter(|o| o.available == Some(true))
            .count() as u32;
        Ok(if available > 0 {
            Availability::Available(available)
        } else {
            Availability::Unavailable
        })
    }

    async fn start_once(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        let call = Call::new(
            "POST /visitors",
            Method::Post,
            format!("{}/visitors", self.settings.api_base.trim_end_matches('/')),
        )
        .header("Accept", wire::ACCEPT)
        .header(
            "Authorization",
            format!(
                "{} {}",
                wire::APPLICATION_TOKEN,
                self.settings.application_token.expose()
            ),
        );
        let visitor: wire::Visitor = self.api.send(call).await?.json()?;
        let visitor_token = Secret::new(visitor.access_token);
        let key = request.conversation.to_string();
        let secret = Secret::new(format!("Bearer {}", uuid::Uuid::new_v4().simple()));
        let inbox = self.hooks.attach(&key, secret.clone());
        let mut headers = std::collections::BTreeMap::new();
        headers.insert("Authorization".to_owned(), secret.expose().to_owned());
        headers.insert(inferred::CHAT_HEADER.to_owned(), key.clone());
        let ticket_body = wire::QueueTicketRequest {
            media: "text".into(),
            queue_id: request
                .context
                .get("queue_id")
                .cloned()
                .unwrap_or_else(|| self.settings.queue_id.clone()),
            site_id: self.settings.site_id.clone(),
            source: "visitor_integrator".into(),
            webhooks: vec![wire::Webhook {
                url: self.webhook_url.clone(),
                method: "POST".into(),
                headers,
                events: wire::EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            }],
        };
        let call = self
            .settings
            .call(
                Method::Post,
                "/queue_tickets",
                "POST /queue_tickets",
                visitor_token.expose(),
            )
            .json(&ticket_body);
        let ticket: inferred::QueueTicket = match self.api.send(call).await.and_then(|r| r.json()) {
            Ok(t) => t,
            Err(e) => {
                self.hooks.detach(&key);
                return Err(e);
            }
        };
        let chat = chat::Chat::new(
            key.clone(),
            visitor_token,
            self.settings.clone(),
            self.api.clone(),
            self.hooks.clone(),
            inbox,
        );
        let outbound = chat.outbound(ticket.id, &request);
        let options = runtime::Options {
            system: SYSTEM,
            chat: key,
            policy: self.api.policy(),
            reconnect_attempts: 0,
            // Messages wait for the engagement.
            open: false,
        };
        Ok(Started::Chat(runtime::spawn(chat, outbound, options)))
    }
}
