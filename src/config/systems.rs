//! The contact-center sections of `handoff.toml`.
//!
//! Each system has a section with its base URL(s) and ids, and the *names* of the environment
//! variables (or files) that hold its secrets: secrets never come from the file itself or from
//! argv, and they are never logged ([`Secret`] prints `[redacted]`). A system whose secrets
//! are not set runs against its embedded emulator.
//!
//! The sections are read out of the whole file by [`SystemsConfig::from_toml`], so the file
//! may also hold the broker's and console's sections; inside its own sections every key is
//! checked (`deny_unknown_fields`) and errors name the file and the key.

use crate::connectors::http::RetryPolicy;
use crate::connectors::redact::Secret;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// What reading the systems configuration failed with; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a section has an unknown or mistyped key.
    #[error("{file}: [{section}]: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The section (`-` for the whole file).
        section: String,
        /// The parser's message, which names the key.
        message: String,
    },
    /// A key has a value that cannot be used.
    #[error("{file}: {key}: {detail}")]
    Invalid {
        /// The file.
        file: String,
        /// `section.key`.
        key: String,
        /// Why.
        detail: String,
    },
    /// A secret's file could not be read.
    #[error("{file}: {key}: cannot read the secret file: {source}")]
    SecretFile {
        /// The config file.
        file: String,
        /// `section.key`.
        key: String,
        /// Why.
        source: std::io::Error,
    },
    /// `--system` named no known system.
    #[error("unknown system {0:?}; expected servicenow, amazon-connect, 8x8, glia or mock")]
    UnknownSystem(String),
}

/// The systems `--system` can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemName {
    /// `ServiceNow` Virtual Agent Bot Integration API.
    ServiceNow,
    /// Amazon Connect chat.
    AmazonConnect,
    /// 8x8 Chat Gateway.
    EightByEight,
    /// Glia.
    Glia,
    /// The broker's built-in mock desk.
    Mock,
}

impl SystemName {
    /// The name `--system` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceNow => "servicenow",
            Self::AmazonConnect => "amazon-connect",
            Self::EightByEight => "8x8",
            Self::Glia => "glia",
            Self::Mock => "mock",
        }
    }
}

impl FromStr for SystemName {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "servicenow" | "service-now" => Ok(Self::ServiceNow),
            "amazon-connect" | "amazon_connect" | "connect" => Ok(Self::AmazonConnect),
            "8x8" | "eight-by-eight" => Ok(Self::EightByEight),
            "glia" => Ok(Self::Glia),
            "mock" => Ok(Self::Mock),
            _ => Err(ConfigError::UnknownSystem(s.to_owned())),
        }
    }
}

impl std::fmt::Display for SystemName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[http]`: the shared client's timeouts and retries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpFile {
    /// Whole-request timeout of one attempt, seconds (default 20).
    pub timeout_secs: Option<u64>,
    /// Attempts per call, the first included (default 4).
    pub max_attempts: Option<u32>,
    /// First backoff, milliseconds (default 200).
    pub base_delay_ms: Option<u64>,
    /// Longest backoff, milliseconds (default 5000).
    pub max_delay_ms: Option<u64>,
    /// Longest `Retry-After` honoured, seconds (default 30).
    pub max_retry_after_secs: Option<u64>,
}

/// `[webhook]`: the broker's listener for webhook-style systems.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFile {
    /// Loopback address to listen on (default `127.0.0.1:0`).
    pub listen: Option<String>,
    /// The public URL that reaches the listener (a tunnel or reverse proxy), without `/hooks`.
    pub public_base_url: Option<String>,
}

/// `[8x8]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EightByEightFile {
    /// Default `https://api.8x8.com`.
    pub api_base_url: Option<String>,
    /// The region of the webhook signing keys (default `us`).
    pub region: Option<String>,
    /// Sent as `X-8x8-Tenant`.
    pub tenant_id: Option<String>,
    /// The Chat Gateway channel (required for a real tenant).
    pub channel_id: Option<String>,
    /// Default queue.
    pub queue_id: Option<String>,
    /// Env var holding the API key (default `HANDOFF_8X8_API_KEY`).
    pub api_key_env: Option<String>,
    /// File holding the API key.
    pub api_key_file: Option<PathBuf>,
    /// Check webhook signatures (default true).
    pub verify_signatures: Option<bool>,
    /// Create the webhook on start (default false for a real tenant).
    pub register_webhook: Option<bool>,
}

/// `[servicenow]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceNowFile {
    /// `https://<instance>.service-now.com`.
    pub instance_url: Option<String>,
    /// Basic-auth user (not a secret).
    pub username: Option<String>,
    /// Env var holding the password (default `HANDOFF_SERVICENOW_PASSWORD`).
    pub password_env: Option<String>,
    /// File holding the password.
    pub password_file: Option<PathBuf>,
    /// Env var holding an OAuth bearer token (instead of Basic).
    pub bearer_token_env: Option<String>,
    /// Env var holding the provider's message-auth `token` header value.
    pub message_token_env: Option<String>,
    /// The provider application (`appInboundId`).
    pub app_inbound_id: Option<String>,
    /// Env var holding the secret `ServiceNow` sends to our response endpoint
    /// (default `HANDOFF_SERVICENOW_CALLBACK_TOKEN`).
    pub callback_token_env: Option<String>,
    /// The header carrying that secret (default `Authorization`, as `Bearer <secret>`).
    pub callback_header: Option<String>,
    /// The Chat service channel's `sys_id` for availability.
    pub chat_channel_id: Option<String>,
    /// The "Available" presence state's `sys_id`.
    pub available_state_id: Option<String>,
}

/// `[amazon_connect]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmazonConnectFile {
    /// e.g. `us-east-1`.
    pub region: Option<String>,
    /// Default `https://connect.<region>.amazonaws.com`.
    pub control_base_url: Option<String>,
    /// Default `https://participant.connect.<region>.amazonaws.com`.
    pub participant_base_url: Option<String>,
    /// The Connect instance.
    pub instance_id: Option<String>,
    /// The inbound chat flow.
    pub contact_flow_id: Option<String>,
    /// Queues counted for availability.
    pub queue_ids: Option<Vec<String>>,
    /// Env var holding the access key id (default `AWS_ACCESS_KEY_ID`).
    pub access_key_id_env: Option<String>,
    /// Env var holding the secret key (default `AWS_SECRET_ACCESS_KEY`).
    pub secret_access_key_env: Option<String>,
    /// Env var holding a session token (default `AWS_SESSION_TOKEN`).
    pub session_token_env: Option<String>,
}

/// `[glia]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GliaFile {
    /// Default `https://api.glia.com`.
    pub api_base_url: Option<String>,
    /// The site.
    pub site_id: Option<String>,
    /// The queue.
    pub queue_id: Option<String>,
    /// Env var holding the site API key id (default `HANDOFF_GLIA_KEY_ID`).
    pub api_key_id_env: Option<String>,
    /// Env var holding the site API key secret (default `HANDOFF_GLIA_KEY_SECRET`).
    pub api_key_secret_env: Option<String>,
    /// Env var holding the site application token that creates visitors (default
    /// `HANDOFF_GLIA_APP_TOKEN`).
    pub application_token_env: Option<String>,
}

/// The contact-center configuration, read and checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemsConfig {
    /// The file it came from (`<defaults>` when none).
    pub file: String,
    /// `[http]`.
    pub http: HttpFile,
    /// `[webhook]`.
    pub webhook: WebhookFile,
    /// `[8x8]`.
    pub eight_by_eight: EightByEightFile,
    /// `[servicenow]`.
    pub servicenow: ServiceNowFile,
    /// `[amazon_connect]`.
    pub amazon_connect: AmazonConnectFile,
    /// `[glia]`.
    pub glia: GliaFile,
}

fn section<T: DeserializeOwned + Default>(
    file: &str,
    table: &toml::Table,
    name: &str,
) -> Result<T, ConfigError> {
    match table.get(name) {
        None => Ok(T::default()),
        Some(value) => value
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Parse {
                file: file.to_owned(),
                section: name.to_owned(),
                message: e.message().to_owned(),
            }),
    }
}

impl SystemsConfig {
    /// No file: every system on its emulator.
    pub fn defaults() -> Self {
        Self {
            file: "<defaults>".into(),
            ..Self::default()
        }
    }

    /// `handoff.toml` in the user's config directory (e.g. `~/.config/handoff/handoff.toml`).
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("handoff").join("handoff.toml"))
    }

    /// Reads `path` when given (it must exist), else the default file when it exists, else the
    /// defaults (every system on its emulator).
    pub fn load_or_defaults(path: Option<&Path>) -> Result<Self, ConfigError> {
        match path {
            Some(path) => Self::load(path),
            None => match Self::default_path().filter(|p| p.is_file()) {
                Some(path) => Self::load(&path),
                None => Ok(Self::defaults()),
            },
        }
    }

    /// Reads the systems sections of the TOML file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Self::from_toml(&file, &text)
    }

    /// Reads the systems sections of `text`, naming `file` in errors. Other sections are left
    /// to their owners.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::Parse {
                file: file.to_owned(),
                section: "-".into(),
                message: e.to_string(),
            })?;
        let config = Self {
            file: file.to_owned(),
            http: section(file, &table, "http")?,
            webhook: section(file, &table, "webhook")?,
            eight_by_eight: section(file, &table, "8x8")?,
            servicenow: section(file, &table, "servicenow")?,
            amazon_connect: section(file, &table, "amazon_connect")?,
            glia: section(file, &table, "glia")?,
        };
        config.check()?;
        Ok(config)
    }

    fn invalid(&self, key: &str, detail: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.clone(),
            key: key.to_owned(),
            detail: detail.into(),
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        let urls = [
            ("webhook.public_base_url", &self.webhook.public_base_url),
            ("8x8.api_base_url", &self.eight_by_eight.api_base_url),
            ("servicenow.instance_url", &self.servicenow.instance_url),
            (
                "amazon_connect.control_base_url",
                &self.amazon_connect.control_base_url,
            ),
            (
                "amazon_connect.participant_base_url",
                &self.amazon_connect.participant_base_url,
            ),
            ("glia.api_base_url", &self.glia.api_base_url),
        ];
        for (key, value) in urls {
            if let Some(value) = value {
                let url = url::Url::parse(value)
                    .map_err(|e| self.invalid(key, format!("{value:?} is not a URL: {e}")))?;
                if url.scheme() != "https" && url.scheme() != "http" {
                    return Err(self.invalid(key, format!("{value:?} must be http(s)")));
                }
            }
        }
        self.webhook_listen()?;
        if self.http.max_attempts == Some(0) {
            return Err(self.invalid("http.max_attempts", "must be at least 1"));
        }
        Ok(())
    }

    /// `[webhook] listen`, checked to be a loopback address.
    pub fn webhook_listen(&self) -> Result<SocketAddr, ConfigError> {
        let Some(text) = &self.webhook.listen else {
            return Ok(SocketAddr::from(([127, 0, 0, 1], 0)));
        };
        let addr: SocketAddr = text.parse().map_err(|e| {
            self.invalid("webhook.listen", format!("{text:?} is not host:port: {e}"))
        })?;
        if !addr.ip().is_loopback() {
            return Err(self.invalid(
                "webhook.listen",
                "must be a loopback address; expose it with a tunnel and set public_base_url",
            ));
        }
        Ok(addr)
    }

    /// The retry policy from `[http]`.
    pub fn retry_policy(&self) -> RetryPolicy {
        let d = RetryPolicy::default();
        RetryPolicy {
            max_attempts: self.http.max_attempts.unwrap_or(d.max_attempts),
            base_delay: self
                .http
                .base_delay_ms
                .map_or(d.base_delay, Duration::from_millis),
            max_delay: self
                .http
                .max_delay_ms
                .map_or(d.max_delay, Duration::from_millis),
            max_retry_after: self
                .http
                .max_retry_after_secs
                .map_or(d.max_retry_after, Duration::from_secs),
            request_timeout: self
                .http
                .timeout_secs
                .map_or(d.request_timeout, Duration::from_secs),
        }
    }

    /// A secret from `file` when given, else from the env var `env` (or `default_env`); `None`
    /// when not set. `key` names the file key in errors.
    pub fn secret(
        &self,
        key: &str,
        env: Option<&str>,
        default_env: &str,
        file: Option<&Path>,
    ) -> Result<Option<Secret>, ConfigError> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::SecretFile {
                file: self.file.clone(),
                key: key.to_owned(),
                source,
            })?;
            let text = text.trim();
            return Ok((!text.is_empty()).then(|| Secret::new(text)));
        }
        let name = env.unwrap_or(default_env);
        Ok(std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| Secret::new(v.trim())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = SystemsConfig::from_toml("h.toml", "").unwrap();
        assert_eq!(c.eight_by_eight, EightByEightFile::default());
        assert_eq!(c.retry_policy(), RetryPolicy::default());
        assert_eq!(c.webhook_listen().unwrap().to_string(), "127.0.0.1:0");
    }

    #[test]
    fn other_sections_are_left_alone() {
        let c = SystemsConfig::from_toml(
            "h.toml",
            "[console]\ntheme = \"dark\"\n[8x8]\nchannel_id = \"c1\"\n",
        )
        .unwrap();
        assert_eq!(c.eight_by_eight.channel_id.as_deref(), Some("c1"));
    }

    #[test]
    fn unknown_keys_name_file_section_and_key() {
        let e = SystemsConfig::from_toml("h.toml", "[8x8]\napi_key = \"oops\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("h.toml: [8x8]: unknown field `api_key`"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = SystemsConfig::from_toml("h.toml", "[glia]\napi_base_url = \"not a url\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("h.toml: glia.api_base_url: "), "{e}");
        let e = SystemsConfig::from_toml("h.toml", "[webhook]\nlisten = \"0.0.0.0:8080\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("h.toml: webhook.listen: must be a loopback"),
            "{e}"
        );
        let e = SystemsConfig::from_toml("h.toml", "[http]\nmax_attempts = 0\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "h.toml: http.max_attempts: must be at least 1");
    }

    #[test]
    fn the_example_file_is_valid() {
        let text = include_str!("handoff.example.toml");
        let c = SystemsConfig::from_toml("handoff.example.toml", text).unwrap();
        assert_eq!(
            c.eight_by_eight.channel_id.as_deref(),
            Some("chat-gateway-channel-id")
        );
        assert_eq!(c.amazon_connect.queue_ids.as_ref().map(Vec::len), Some(1));
        assert_eq!(c.webhook_listen().unwrap().port(), 8787);
        assert_eq!(c.retry_policy().max_attempts, 4);
    }

    #[test]
    fn system_names_parse() {
        assert_eq!(
            "8x8".parse::<SystemName>().unwrap(),
            SystemName::EightByEight
        );
        assert_eq!(
            "amazon-connect".parse::<SystemName>().unwrap(),
            SystemName::AmazonConnect
        );
        assert!("nope".parse::<SystemName>().is_err());
    }

    #[test]
    fn secrets_come_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "k-123\n").unwrap();
        let c = SystemsConfig::defaults();
        let s = c
            .secret(
                "8x8.api_key_file",
                None,
                "HANDOFF_TEST_UNSET_VAR",
                Some(&path),
            )
            .unwrap()
            .unwrap();
        assert_eq!(s.expose(), "k-123");
        assert!(
            c.secret(
                "x",
                Some("HANDOFF_TEST_UNSET_VAR"),
                "HANDOFF_TEST_UNSET_VAR",
                None
            )
            .unwrap()
            .is_none()
        );
    }
}
