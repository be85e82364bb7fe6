//! 8x8 Contact Center **Chat Gateway** connector.
//!
//! - Start: `POST {api}/chat-gateway/v1/conversations` (202 `{conversationId}`) with the user,
//!   the routing context as `additionalProperties` (plus `language` and the queue as
//!   `assignment`) and the assistant history (the utterance last).
//! - User side: `POST .../messages`, `POST .../typing`, files ([`attachment`]: a multipart
//!   `POST .../attachments`, then a message referencing the upload's id), and to leave
//!   `PATCH .../participants/user {"removed": true}`. All with `x-api-key` (and
//!   `X-8x8-Tenant` when configured).
//! - Events arrive as webhooks on the broker's listener (route `/hooks/8x8`); each is checked
//!   against its `x-8x8-signature` (see [`signature`]), deduplicated by `x-8x8-event-id` and
//!   routed to its conversation's chat task ([`hooks`]), which maps it onto [`ChatEvent`]s
//!   ([`chat`]).
//! - Agents' files: the `attachments` of an agent's `MESSAGE` become `AgentFile`s linked by
//!   their `preSignedUrl` ([`download`]).
//! - Agent names: only `AGENT_JOINED` carries one ([`names`]); availability is not part of
//!   Chat Gateway ([`inferred`], unknown on 404).
//! - Every call asks for `application/hal+json`, the type the API answers.
//!
//! Chat Gateway has no idempotency key. `POST /conversations` is retried only after a 429 (not
//! processed): a retry after a 5xx or a lost answer could open a second conversation in the
//! agents' queue. Messages and uploads are
//! retried (a 5xx before processing is the common case; a message processed twice shows twice),
//! as documented in `src/connectors/README.md`.

mod attachment;
pub mod chat;
mod download;
pub mod hooks;
pub use super::inferred;
pub mod names;
pub use super::signature;
pub mod wire;

use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use crate::connectors::{
    Availability, Connector, ConnectorError, HandoffRequest, Speaker, Started, runtime,
};
use async_trait::async_trait;
use std::sync::Arc;
use wire::{Assignment, CreateConversation, Created, History, HistoryMessage, KeyValue, User};

/// The system's name in errors and status lines.
pub const SYSTEM: &str = "8x8";

/// The Chat Gateway API's path under the API base URL.
pub const API_PATH: &str = "/chat-gateway/v1";

/// The additional property carrying the broker's conversation id.
pub const CONVERSATION_PROPERTY: &str = "handoff_conversation";

/// The webhook route's name on the broker's listener.
pub const ROUTE: &str = "8x8";

/// How the connector reaches one 8x8 tenant.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `https://api.8x8.com` (or the emulator's base URL).
    pub api_base: String,
    /// The region in the JWK path, e.g. `us`.
    pub region: String,
    /// Sent as `X-8x8-Tenant` (needed when a customer has several tenants).
    pub tenant_id: Option<String>,
    /// The Chat Gateway channel.
    pub channel_id: String,
    /// The queue to assign to when the routing context names none.
    pub queue_id: Option<String>,
    /// The API key.
    pub api_key: Secret,
    /// Check `x-8x8-signature` on every webhook (turn off only for debugging).
    pub verify_signatures: bool,
    /// Retries.
    pub retry: RetryPolicy,
}

impl Settings {
    fn api_url(&self, path: &str) -> String {
        format!("{}{API_PATH}{path}", self.api_base.trim_end_matches('/'))
    }

    fn jwk_url(&self, kid: &str) -> String {
        format!(
            "{}/vcc/{}/chat/v2/jwk/{kid}/public",
            self.api_base.trim_end_matches('/'),
            self.region
        )
    }

    /// A call to the Chat Gateway API with its auth headers.
    fn call(&self, method: Method, path: &str, name: &str) -> Call {
        let mut call = Call::new(name, method, self.api_url(path))
            .header("x-api-key", self.api_key.expose())
            .header("Accept", wire::ACCEPT);
        if let Some(tenant) = &self.tenant_id {
            call = call.header("X-8x8-Tenant", tenant.as_str());
        }
        call
    }
}

/// The 8x8 Chat Gateway connector.
pub struct EightByEight {
    settings: Arc<Settings>,
    api: Api,
    /// The same API for calls no key makes idempotent ([`Api::unkeyed`]).
    once: Api,
    hooks: Arc<hooks::Hooks>,
    webhook_url: String,
}

crate::debug::debug_fields!(EightByEight {
    settings,
    webhook_url
});

impl EightByEight {
    /// A connector for `settings` whose webhooks arrive on `listener`.
    pub fn new(settings: Settings, listener: &WebhookListener) -> Self {
        let api = Api::new(SYSTEM, settings.retry, vec![settings.api_key.clone()]);
        let once = api.unkeyed();
        let settings = Arc::new(settings);
        let hooks = Arc::new(hooks::Hooks::new(settings.clone(), api.clone()));
        let webhook_url = listener.route(ROUTE, hooks.clone());
        Self {
            settings,
            api,
            once,
            hooks,
            webhook_url,
        }
    }

    /// The URL 8x8 must POST events to (configure it on the channel's webhook).
    pub fn webhook_url(&self) -> &str {
        &self.webhook_url
    }

    /// Creates the webhook on the tenant (`POST /webhooks`). 8x8 verifies it at once with a
    /// `WEB_HOOK_VERIFY` event. Real tenants are usually set up once by an administrator.
    pub async fn register_webhook(&self) -> Result<String, ConnectorError> {
        let body = wire::CreateWebhook {
            name: "handoff".into(),
            uri: self.webhook_url.clone(),
            version: wire::EVENT_VERSION.into(),
        };
        let call = self
            .settings
            .call(Method::Post, "/webhooks", "POST /webhooks")
            .json(&body);
        let created: wire::WebhookCreated = self.api.send(call).await?.json()?;
        Ok(created.id)
    }

    fn create_body(&self, request: &HandoffRequest) -> CreateConversation {
        let mut properties = vec![
            KeyValue {
                key: CONVERSATION_PROPERTY.into(),
                value: request.conversation.to_string(),
            },
            KeyValue {
                key: "intent".into(),
                value: request.title.clone(),
            },
            KeyValue {
                key: "topic".into(),
                value: request.topic.clone(),
            },
        ];
        properties.extend(
            request
                .context
                .iter()
                // Sent elsewhere: `language` as the user's, `queue_id` as the assignment, and
                // `topic` (the broker's routing copy) as the property above.
                .filter(|(k, _)| !matches!(k.as_str(), "language" | "queue_id" | "topic"))
                .map(|(k, v)| KeyValue {
                    key: k.clone(),
                    value: v.clone(),
                }),
        );
        properties.truncate(wire::MAX_ADDITIONAL_PROPERTIES);
        let language = request
            .context
            .get("language")
            .filter(|l| wire::LANGUAGES.contains(&l.as_str()))
            .cloned();
        let queue = request
            .context
            .get("queue_id")
            .cloned()
            .or_else(|| self.settings.queue_id.clone());
        let mut messages: Vec<HistoryMessage> = request
            .history
            .iter()
            .map(|line| HistoryMessage {
                author_type: match line.speaker {
                    Speaker::User => "user".into(),
                    Speaker::Assistant => "bot".into(),
                },
                text: line.text.clone(),
            })
            .collect();
        // The utterance once: the history usually holds it already (often followed by the
        // assistant's answer), so it is added only when no user line says it.
        let said = messages
            .iter()
            .any(|m| m.author_type == "user" && m.text == request.title);
        if !said {
            messages.push(HistoryMessage {
                author_type: "user".into(),
                text: request.title.clone(),
            });
        }
        let skip = messages.len().saturating_sub(wire::MAX_HISTORY);
        messages.drain(..skip);
        CreateConversation {
            channel_id: self.settings.channel_id.clone(),
            user: User {
                name: request.user.name.clone(),
                user_id: Some(request.user.id.clone()),
                email: request.user.email.clone(),
                language,
                additional_properties: properties,
            },
            assignment: queue.map(|id| Assignment {
                kind: "queue".into(),
                id,
            }),
            history: Some(History { messages }),
        }
    }
}

#[async_trait]
impl Connector for EightByEight {
    fn api(&self) -> Option<&Api> {
        Some(&self.api)
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        let Some(queue) = &self.settings.queue_id else {
            return Ok(Availability::Unknown);
        };
        let path = inferred::availability_path(queue);
        let call = self
            .settings
            .call(Method::Get, &path, "GET /queues/{id}/availability");
        match self.api.send(call).await {
            Ok(reply) => {
                let a: inferred::QueueAvailability = reply.json()?;
                Ok(if a.agents_available > 0 {
                    Availability::Available(a.agents_available)
                } else {
                    Availability::Unavailable
                })
            }
            Err(ConnectorError::Status { status: 404, .. }) => Ok(Availability::Unknown),
            Err(e) => Err(e),
        }
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        let body = self.create_body(&request);
        let call = self
            .settings
            .call(Method::Post, "/conversations", "POST /conversations")
            .json(&body);
        let created: Created = self.once.send(call).await?.json()?;
        if created.conversation_id.is_empty() {
            return Err(self
                .api
                .payload_error("POST /conversations", "empty conversationId"));
        }
        let id = created.conversation_id;
        let inbox = self.hooks.attach(&id);
        let (settings, api) = (self.settings.clone(), self.api.clone());
        let chat = chat::Chat::new(id.clone(), self.hooks.clone(), inbox);
        let outbound = chat::Outbound::new(id.clone(), settings, api);
        tracing::info!(system = SYSTEM, conversation = %request.conversation, id = %id, "chat started");
        let options = runtime::Options {
            system: SYSTEM,
            chat: id,
            policy: self.api.policy(),
            reconnect_attempts: 0,
            open: true,
        };
        Ok(Started::Chat(runtime::spawn(chat, outbound, options)))
    }
}
