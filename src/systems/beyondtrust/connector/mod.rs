//! BeyondTrust Remote Support connector: the user is sent to the site, not brokered.
//!
//! - `api` mode: an OAuth client-credentials token (`POST /oauth2/token`, Basic auth, cached
//!   until shortly before it expires and fetched again once when the site answers 401), then
//!   `generate_session_key` on the configured queue with the conversation as `external_key`
//!   and the custom fields; the key's URL is where the user goes.
//! - `url` mode: a `start_session` link ([`params`]), no call.
//! - Availability: `get_logged_in_reps` (any rep logged in), or unknown without an API account.
//!
//! Answers are XML ([`wire`]); an `<error>` answer becomes an error naming the action and the
//! site's text. What the docs leave open is in [`inferred`].

pub mod params;
pub mod wire;
pub use super::inferred;

use super::config::{CodeName, Mode, Queue};
use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::redact::Secret;
use crate::connectors::{Availability, Connector, ConnectorError, HandoffRequest, Started};
use crate::protocol::HandoffStyle;
use async_trait::async_trait;
use base64::Engine;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The system's name in errors and status lines.
pub const SYSTEM: &str = "BeyondTrust";

/// A token is fetched again this long before the site says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// The API account: the OAuth client id and secret.
#[derive(Debug, Clone)]
pub struct Account {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
}

/// How the connector reaches one site.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `https://support.example.com` (or the emulator).
    pub site_url: String,
    /// The API account; `None` in `url` mode without one (availability is then unknown).
    pub account: Option<Account>,
    /// `api` or `url`.
    pub mode: Mode,
    /// Where sessions queue.
    pub queue: Queue,
    /// The custom fields sent.
    pub custom_fields: Vec<CodeName>,
    /// The session key's lifetime.
    pub ttl_secs: Option<u64>,
    /// Retries.
    pub retry: RetryPolicy,
}

/// A bearer token and when to stop using it.
#[derive(Debug, Clone)]
struct CachedToken {
    token: Secret,
    renew_at: Instant,
}

/// The BeyondTrust connector.
#[derive(Debug)]
pub struct BeyondTrust {
    settings: Settings,
    api: Api,
    token: Mutex<Option<CachedToken>>,
}

impl BeyondTrust {
    /// A connector for `settings`.
    pub fn new(settings: Settings) -> Self {
        let secrets = settings
            .account
            .iter()
            .map(|a| a.client_secret.clone())
            .collect();
        Self {
            api: Api::new(SYSTEM, settings.retry, secrets),
            settings,
            token: Mutex::default(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.site_url.trim_end_matches('/'))
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, Option<CachedToken>> {
        self.token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The bearer token: the cached one while it is fresh, else a new one.
    async fn token(&self, account: &Account) -> Result<Secret, ConnectorError> {
        if let Some(cached) = self.cached().clone()
            && Instant::now() < cached.renew_at
        {
            return Ok(cached.token);
        }
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            account.client_id,
            account.client_secret.expose()
        ));
        let call = Call::new(
            "POST /oauth2/token",
            Method::Post,
            self.url("/oauth2/token"),
        )
        .header("Authorization", format!("Basic {basic}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .raw_body("grant_type=client_credentials");
        let token: wire::Token = self.api.send(call).await?.json()?;
        if !token.token_type.eq_ignore_ascii_case("bearer") {
            let detail = format!("token_type {:?} is not Bearer", token.token_type);
            return Err(self.api.payload_error("POST /oauth2/token", detail));
        }
        let lifetime = Duration::from_secs(token.expires_in).saturating_sub(TOKEN_MARGIN);
        let token = Secret::new(token.access_token);
        *self.cached() = Some(CachedToken {
            token: token.clone(),
            renew_at: Instant::now() + lifetime,
        });
        Ok(token)
    }

    /// Runs `action` with the form `body` and reads its `root` answer. A 401 on a cached
    /// token fetches a new one and tries once more; `unkeyed` for actions that must not be
    /// repeated after a lost answer.
    async fn command<T: serde::de::DeserializeOwned>(
        &self,
        action: &str,
        body: String,
        root: &str,
        unkeyed: bool,
    ) -> Result<T, ConnectorError> {
        let Some(account) = &self.settings.account else {
            let detail = format!("{action} needs an API account: set beyondtrust.client_id");
            return Err(ConnectorError::Config {
                system: SYSTEM.into(),
                detail,
            });
        };
        let api = if unkeyed {
            self.api.unkeyed()
        } else {
            self.api.clone()
        };
        let name = format!("command {action}");
        let call = |token: &Secret| {
            Call::new(name.clone(), Method::Post, self.url("/api/command"))
                .header("Authorization", format!("Bearer {}", token.expose()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                // [DOC] close the connection after each call.
                .header("Connection", "close")
                .raw_body(body.clone())
        };
        let first = api.send(call(&self.token(account).await?)).await;
        let reply = match first {
            Err(ConnectorError::Unauthorized { status: 401, .. })
                if self.cached().take().is_some() =>
            {
                api.send(call(&self.token(account).await?)).await
            }
            other => other,
        }
        .map_err(|e| site_error(e, action))?;
        let text = String::from_utf8_lossy(&reply.body);
        match wire::read::<T>(&text, root) {
            Ok(wire::Answer::Ok(doc)) => Ok(doc),
            Ok(wire::Answer::Error(message)) => Err(ConnectorError::Status {
                system: SYSTEM.into(),
                call: name,
                status: reply.status,
                detail: format!("the site refused {action}: {message}"),
            }),
            Err(detail) => Err(self.api.payload_error(&name, detail)),
        }
    }

    async fn session_key(&self, request: &HandoffRequest) -> Result<Started, ConnectorError> {
        let s = &self.settings;
        let body = params::session_key(request, &s.queue, &s.custom_fields, s.ttl_secs);
        let key: wire::SessionKey = self
            .command("generate_session_key", body, "session_key", true)
            .await?;
        let url = url::Url::parse(key.key_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| {
                let detail = format!("key_url {:?} is not an http(s) URL", key.key_url);
                self.api
                    .payload_error("command generate_session_key", detail)
            })?;
        Ok(Started::Redirect {
            url: url.to_string(),
            via: None,
            chat: None,
        })
    }

    fn start_link(&self, request: &HandoffRequest) -> Result<Started, ConnectorError> {
        let s = &self.settings;
        let target = params::start_target(&s.queue).ok_or_else(|| ConnectorError::Config {
            system: SYSTEM.into(),
            detail: format!(
                "queue {} has no start_session link; use mode = \"api\"",
                s.queue.as_str()
            ),
        })?;
        let url = params::start_session_url(&s.site_url, &target, request, &s.custom_fields);
        Ok(Started::Redirect {
            url,
            via: None,
            chat: None,
        })
    }
}

/// A command's error answer with its `<error>` text, when the body was one, as the message.
fn site_error(error: ConnectorError, action: &str) -> ConnectorError {
    match error {
        ConnectorError::Status {
            system,
            call,
            status,
            detail,
        } => {
            let detail = match wire::read::<wire::LoggedInReps>(&detail, "") {
                Ok(wire::Answer::Error(message)) => {
                    format!("the site refused {action}: {message}")
                }
                _ => detail,
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
impl Connector for BeyondTrust {
    fn api(&self) -> Option<&Api> {
        Some(&self.api)
    }

    fn style(&self) -> HandoffStyle {
        match self.settings.mode {
            Mode::Api => HandoffStyle::Api,
            Mode::Url => HandoffStyle::Url,
        }
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        if self.settings.account.is_none() {
            return Ok(Availability::Unknown);
        }
        let body = "action=get_logged_in_reps".to_owned();
        let reps: wire::LoggedInReps = self
            .command("get_logged_in_reps", body, "logged_in_reps", false)
            .await?;
        Ok(match u32::try_from(reps.rep.len()).unwrap_or(u32::MAX) {
            0 => Availability::Unavailable,
            n => Availability::Available(n),
        })
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        match self.settings.mode {
            Mode::Api => self.session_key(&request).await,
            Mode::Url => self.start_link(&request),
        }
    }
}
