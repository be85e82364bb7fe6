//! The `[servicenow]` section of `handoff.toml`: URLs, ids, and the names of the environment
//! variables (or files) that hold the secrets.

use crate::systems::Section;
use serde::Deserialize;
use std::path::PathBuf;

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

impl Section for ServiceNowFile {
    const NAME: &'static str = "servicenow";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("instance_url", &self.instance_url)]
    }
}
