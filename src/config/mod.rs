//! Reading `handoff.toml`: errors that name the file and the key, the sections every system
//! shares (`[http]`, `[webhook]`), typed sections, and secrets from env vars or files.
//!
//! Each system's own section is defined in its folder (`src/systems/<name>/config.rs`) and
//! the whole set is put together by [`crate::systems::SystemsConfig`]. Secrets never come from
//! the file itself or from argv.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

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

/// Reads section `name` of `table` as `T` (its default when absent), naming `file` and the
/// section in errors; `T` should deny unknown fields, so a typo is named too.
pub fn section<T: DeserializeOwned + Default>(
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

/// A secret from `file` when given, else from the env var `env` (or `default_env`); `None` when
/// not set or blank. `config_file` and `key` name the setting in errors.
pub fn read_secret(
    config_file: &str,
    key: &str,
    env: Option<&str>,
    default_env: &str,
    file: Option<&Path>,
) -> Result<Option<String>, ConfigError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::SecretFile {
            file: config_file.to_owned(),
            key: key.to_owned(),
            source,
        })?;
        let text = text.trim();
        return Ok((!text.is_empty()).then(|| text.to_owned()));
    }
    let name = env.unwrap_or(default_env);
    Ok(std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty()))
}
