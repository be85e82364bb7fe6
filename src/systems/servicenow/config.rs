//! The `[servicenow]` section of `handoff.toml`: URLs, ids, and the names of the environment
//! variables (or files) that hold the secrets.

use crate::config::ConfigError;
use crate::systems::SystemsConfig;
use serde::Deserialize;
use std::path::PathBuf;

/// The section's name in the file.
pub const SECTION: &str = "servicenow";

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

/// Reads the section, refusing unknown keys and values that cannot be used.
pub fn read(config: &SystemsConfig) -> Result<ServiceNowFile, ConfigError> {
    let file: ServiceNowFile = config.section(SECTION)?;
    config.check_urls(SECTION, &[("instance_url", &file.instance_url)])?;
    Ok(file)
}

/// [`read`], for the registry's check of the whole file.
pub fn check(config: &SystemsConfig) -> Result<(), ConfigError> {
    read(config).map(drop)
}
