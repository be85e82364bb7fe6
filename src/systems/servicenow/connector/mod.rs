//! `ServiceNow` Virtual Agent **Bot Integration API** connector (async mode) with agent
//! availability from AWA.
//!
//! - Start: `POST {instance}/api/sn_va_as_service/bot/integration` with `action: "AGENT"`, the
//!   utterance as `message.text`, the routing context as `contextVariables` (plus
//!   `live_agent_only`, `liveagent_topic` and `liveagent_requester_session_language`), the
//!   assistant transcript as `history`, and our conversation id as `clientSessionId`.
//! - User side: plain messages (no `action`), `TYPING` / `VIEWING`, `END_CONVERSATION`. Every
//!   request has a fresh `requestId` except a retry, which resends the same one.
//! - Files: by URL only. The file goes on the listener's [`FileShelf`] and the message (empty
//!   `text`) carries `attachment: [{clientAttachmentId, contentType, fileName, url,
//!   headers: {Authorization}}]`; the instance fetches the URL with that header. A refusal
//!   comes back as a `System` message ([`inferred::attachment_refused`]). An agent's file
//!   comes as an `OutputLink` item ([`inferred::agent_file`], [`link`]) and becomes
//!   `ChatEvent::AgentFile` with the link.
//! - Auth into `ServiceNow`: Basic or OAuth bearer, plus the provider's `token` header when
//!   message auth is on.
//! - `ServiceNow` POSTs envelopes to our response endpoint (route `/hooks/servicenow` of the
//!   broker's listener), authenticated with the secret configured on the outbound connection;
//!   [`hooks`] checks it and routes by `clientSessionId` to the chat task ([`chat`]).
//! - Availability: Table API on `awa_agent_presence_capacity` ([`inferred`] for the columns).

pub mod chat;
pub mod hooks;
pub use super::inferred;
pub mod link;
pub mod wire;

use crate::connectors::files::FileShelf;
use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use crate::connectors::{
    Availability, Connector, ConnectorError, HandoffRequest, Speaker, Started, runtime,
};
use crate::protocol::now_millis;
use async_trait::async_trait;
use base64::Engine;
use serde_json::{Map, Value};
use std::sync::Arc;
use wire::{BotAck, BotMessage, BotRequest, HistoryItem, TableResult};

/// The system's name in errors and status lines.
pub const SYSTEM: &str = "ServiceNow";

/// The webhook route's name on the broker's listener.
pub const ROUTE: &str = "servicenow";

/// How the connector signs in to the instance.
#[derive(Debug, Clone)]
pub enum Auth {
    /// Basic auth.
    Basic {
        /// User.
        username: String,
        /// Password.
        password: Secret,
    },
    /// An OAuth access token.
    Bearer(Secret),
}

impl Auth {
    fn header(&self) -> String {
        match self {
            Self::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }
            Self::Bearer(token) => format!("Bearer {}", token.expose()),
        }
    }

    fn secrets(&self) -> Vec<Secret> {
        match self {
            Self::Basic { password, .. } => vec![password.clone()],
            Self::Bearer(token) => vec![token.clone()],
        }
    }
}

/// How `ServiceNow` authenticates its calls to our response endpoint.
#[derive(Debug, Clone)]
pub struct CallbackAuth {
    /// The header, e.g. `Authorization`.
    pub header: String,
    /// The header's exact value, e.g. `Bearer <secret>`.
    pub value: Secret,
}

/// How the connector reaches one instance.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `https://<instance>.service-now.com` (or the emulator's base URL).
    pub instance_url: String,
    /// Sign-in.
    pub auth: Auth,
    /// The provider's message-auth `token` header, when on.
    pub message_token: Option<Secret>,
    /// `appInboundId`, when several provider applications exist.
    pub app_inbound_id: Option<String>,
    /// What our response endpoint requires of `ServiceNow`.
    pub callback_auth: CallbackAuth,
    /// The Chat service channel `sys_id` (availability).
    pub chat_channel_id: String,
    /// The Available presence state `sys_id` (availability).
    pub available_state_id: String,
    /// Retries.
    pub retry: RetryPolicy,
}

impl Settings {
    fn call(&self, method: Method, path: &str, name: &str) -> Call {
        let mut call = Call::new(
            name,
            method,
            format!("{}{path}", self.instance_url.trim_end_matches('/')),
        )
        .header("Authorization", self.auth.header())
        .header("Accept", "application/json");
        if let Some(token) = &self.message_token {
            call = call.header("token", token.expose());
        }
        call
    }

    /// A request to the Bot Integration API.
    async fn send_bot(
        &self,
        api: &Api,
        request: &BotRequest,
        name: &str,
    ) -> Result<(), ConnectorError> {
        let call = self
            .call(Method::Post, wire::INTEGRATION_PATH, name)
            .json(request);
        let ack: BotAck = api.send(call).await?.json()?;
        if ack.status == "success" {
            return Ok(());
        }
        let detail = ack.error.map_or_else(
            || "status failure".to_owned(),
            |e| {
                format!(
                    "{}{}",
                    e.message,
                    e.detail.map(|d| format!(": {d}")).unwrap_or_default()
                )
            },
        );
        Err(ConnectorError::Status {
            system: SYSTEM.into(),
            call: name.into(),
            status: 200,
            detail,
        })
    }
}

/// A new request id.
fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The `ServiceNow` connector.
pub struct ServiceNow {
    settings: Arc<Settings>,
    api: Api,
    hooks: Arc<hooks::Hooks>,
    webhook_url: String,
    files: Arc<FileShelf>,
}

crate::debug::debug_fields!(ServiceNow {
    settings,
    webhook_url
});

impl ServiceNow {
    /// A connector for `settings` whose responses arrive on `listener`, which also serves the
    /// user's files for the instance to fetch.
    pub fn new(settings: Settings, listener: &WebhookListener) -> Self {
        let mut secrets = settings.auth.secrets();
        secrets.extend(settings.message_token.clone());
        let api = Api::new(SYSTEM, settings.retry, secrets);
        let settings = Arc::new(settings);
        let hooks = Arc::new(hooks::Hooks::new(settings.callback_auth.clone()));
        let webhook_url = listener.route(ROUTE, hooks.clone());
        Self {
            settings,
            api,
            hooks,
            webhook_url,
            files: listener.files(),
        }
    }

    /// The response endpoint to configure on the instance's outbound connection.
    pub fn webhook_url(&self) -> &str {
        &self.webhook_url
    }

    fn agent_request(request: &HandoffRequest, settings: &Settings) -> BotRequest {
        let mut context: Map<String, Value> = request
            .context
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        context.insert("live_agent_only".into(), "true".into());
        context.insert("liveagent_topic".into(), request.topic.clone().into());
        if let Some(language) = request.context.get("language") {
            context.insert(
                "liveagent_requester_session_language".into(),
                language.clone().into(),
            );
        }
        let history = request
            .history
            .iter()
            .map(|line| HistoryItem {
                display_name: match line.speaker {
                    Speaker::User => request.user.name.clone(),
                    Speaker::Assistant => "Assistant".into(),
                },
                is_bot_message: line.speaker == Speaker::Assistant,
                timestamp: format!("{:013}", line.at),
                kind: "text".into(),
                value: line.text.clone(),
            })
            .collect();
        BotRequest {
            request_id: request_id(),
            action: Some("AGENT".into()),
            client_session_id: Some(request.conversation.to_string()),
            user_id: request.user.id.clone(),
            email_id: request.user.email.clone(),
            message: Some(BotMessage {
                text: request.title.clone(),
                typed: true,
                client_message_id: Some(format!("{}-title", request.conversation)),
                attachment: Vec::new(),
            }),
            context_variables: Some(context),
            history: Some(history),
            timestamp: Some(now_millis()),
            timezone: Some("UTC".into()),
            app_inbound_id: settings.app_inbound_id.clone(),
        }
    }
}

#[async_trait]
impl Connector for ServiceNow {
    fn api(&self) -> Option<&Api> {
        Some(&self.api)
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        let query = inferred::capacity_query(
            &self.settings.chat_channel_id,
            &self.settings.available_state_id,
        );
        let url_query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("sysparm_query", &query)
            .append_pair("sysparm_fields", inferred::CAPACITY_FIELDS)
            .append_pair("sysparm_exclude_reference_link", "true")
            .append_pair("sysparm_limit", "200")
            .finish();
        let path = format!("{}?{url_query}", wire::CAPACITY_PATH);
        let call = self.settings.call(
            Method::Get,
            &path,
            "GET /api/now/table/awa_agent_presence_capacity",
        );
        let table: TableResult = self.api.send(call).await?.json()?;
        let mut free = 0u32;
        for row in &table.result {
            match inferred::has_capacity(row) {
                Some(true) => free += 1,
                Some(false) => {}
                None => {
                    return Err(self.api.payload_error(
                        "GET /api/now/table/awa_agent_presence_capacity",
                        "a row lacks ac_workload or ac_applied_max_capacity",
                    ));
                }
            }
        }
        Ok(if free > 0 {
            Availability::Available(free)
        } else {
            Availability::Unavailable
        })
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        let session = request.conversation.to_string();
        let inbox = self.hooks.attach(&session);
        let body = Self::agent_request(&request, &self.settings);
        if let Err(e) = self
            .settings
            .send_bot(&self.api, &body, "POST bot/integration (AGENT)")
            .await
        {
            self.hooks.detach(&session);
            return Err(e);
        }
        let chat = chat::Chat::new(session.clone(), self.hooks.clone(), inbox);
        let outbound = chat::Outbound::new(
            session.clone(),
            &request.user,
            self.settings.clone(),
            self.api.clone(),
            self.files.clone(),
        );
        let options = runtime::Options {
            system: SYSTEM,
            chat: session,
            policy: self.api.policy(),
            reconnect_attempts: 0,
            open: true,
        };
        Ok(Started::Chat(runtime::spawn(chat, outbound, options)))
    }
}
