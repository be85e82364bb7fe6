//! The Vayusphere connector (API handoff): enqueue a session, get the redirect.
//!
//! - Availability: `GET /v1/availability` → `{agents_available}`; none free is
//!   [`Availability::Unavailable`].
//! - Start: `POST /v1/sessions` with the queue, topic, utterance, user, language, routing
//!   context and history, and `Idempotency-Key: <conversation id>`, so the HTTP client's
//!   retries (5xx, lost answers, 429 after `Retry-After`) never start a second session. The
//!   answer's `redirect_url` is where the user goes, its `bot_name` who they meet there:
//!   [`Started::Redirect`] with no relayed chat, since the conversation goes on at Vayusphere.
//! - Errors: the contract's `{"error": {"code", "message"}}` becomes the error's detail.
//!
//! The contract is INVENTED (no public API exists): [`wire`] and [`inferred`] hold all of it.

pub use super::inferred;
pub mod wire;

use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::redact::Secret;
use crate::connectors::{
    Availability, Connector, ConnectorError, HISTORY_LIMIT_BYTES, HandoffRequest, Started,
};
use crate::protocol::HandoffStyle;
use async_trait::async_trait;

/// The system's name in errors and status lines.
pub const SYSTEM: &str = "Vayusphere";

/// The longest bot name shown to the user, in bytes (a longer one is cut).
const MAX_BOT_NAME_BYTES: usize = 100;

/// How the connector reaches one Vayusphere tenant.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The tenant's API base URL (or the emulator's).
    pub api_base: String,
    /// The API key, sent as a bearer token.
    pub api_key: Secret,
    /// The queue used when the routing names none.
    pub queue: String,
    /// Retries.
    pub retry: RetryPolicy,
}

/// The Vayusphere connector.
#[derive(Debug)]
pub struct Vayusphere {
    settings: Settings,
    api: Api,
}

impl Vayusphere {
    /// A connector for `settings`.
    pub fn new(settings: Settings) -> Self {
        let api = Api::new(SYSTEM, settings.retry, vec![settings.api_key.clone()]);
        Self { settings, api }
    }

    fn call(&self, method: Method, path: &str) -> Call {
        let base = self.settings.api_base.trim_end_matches('/');
        Call::new(
            format!("{} {path}", method.as_str()),
            method,
            format!("{base}{path}"),
        )
        .header("Accept", "application/json")
        .header(
            "Authorization",
            format!("Bearer {}", self.settings.api_key.expose()),
        )
    }

    /// The body of `POST /v1/sessions` for `request`.
    pub fn session_request(&self, request: &HandoffRequest) -> wire::SessionRequest {
        let context = &request.context;
        wire::SessionRequest {
            queue: context
                .get("queue")
                .filter(|q| !q.trim().is_empty())
                .unwrap_or(&self.settings.queue)
                .clone(),
            topic: request.topic.clone(),
            utterance: inferred::cut_at_char(&request.title, inferred::MAX_UTTERANCE_BYTES)
                .to_owned(),
            user: wire::User {
                id: request.user.id.clone(),
                name: request.user.name.clone(),
                email: request.user.email.clone(),
            },
            language: context.get("language").cloned(),
            context: context.clone(),
            history: request.history_text(HISTORY_LIMIT_BYTES),
        }
    }
}

/// The bot the answer names, trimmed and cut to [`MAX_BOT_NAME_BYTES`]; the default when none.
fn bot_name(named: Option<&str>) -> String {
    match named.map(str::trim) {
        Some(name) if !name.is_empty() => {
            inferred::cut_at_char(name, MAX_BOT_NAME_BYTES).to_owned()
        }
        _ => inferred::DEFAULT_BOT_NAME.to_owned(),
    }
}

/// `error` with the contract's error body, when it has one, as its detail.
fn explained(error: ConnectorError) -> ConnectorError {
    match error {
        ConnectorError::Status {
            system,
            call,
            status,
            detail,
        } => {
            // A 429's detail starts with "rate limited...: " before the body.
            let body = detail.find('{').map_or("", |at| &detail[at..]);
            let detail = match serde_json::from_str::<wire::ErrorAnswer>(body) {
                Ok(answer) => {
                    let prefix = &detail[..detail.len() - body.len()];
                    format!("{prefix}{} ({})", answer.error.message, answer.error.code)
                }
                Err(_) => detail,
            };
            ConnectorError::Status {
                system,
                call,
                status,
                detail,
            }
        }
        other => other,
    }
}

#[async_trait]
impl Connector for Vayusphere {
    fn api(&self) -> Option<&Api> {
        Some(&self.api)
    }

    fn style(&self) -> HandoffStyle {
        HandoffStyle::Api
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        let call = self.call(Method::Get, inferred::AVAILABILITY_PATH);
        let answer: wire::AvailabilityAnswer =
            self.api.send(call).await.map_err(explained)?.json()?;
        Ok(match answer.agents_available {
            0 => Availability::Unavailable,
            n => Availability::Available(n),
        })
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        let call = self
            .call(Method::Post, inferred::SESSIONS_PATH)
            .header(inferred::IDEMPOTENCY_HEADER, request.conversation.as_str())
            .json(&self.session_request(&request));
        let name = call.name().to_owned();
        let created: wire::SessionCreated = self.api.send(call).await.map_err(explained)?.json()?;
        let url = url::Url::parse(&created.redirect_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| {
                let detail = format!(
                    "redirect_url {:?} is not an http(s) URL",
                    created.redirect_url
                );
                self.api.payload_error(&name, detail)
            })?;
        Ok(Started::Redirect {
            url: url.into(),
            via: Some(bot_name(created.bot_name.as_deref())),
            chat: None,
        })
    }
}
