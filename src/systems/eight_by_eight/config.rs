//! The `[8x8]` section of `handoff.toml`: URLs, ids, and the names of the environment
//! variables (or files) that hold the secrets.

use crate::config::ConfigError;
use crate::systems::SystemsConfig;
use serde::Deserialize;
use std::path::PathBuf;

/// The section's name in the file.
pub const SECTION: &str = "8x8";

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

/// Reads the section, refusing unknown keys and values that cannot be used.
pub fn read(config: &SystemsConfig) -> Result<EightByEightFile, ConfigError> {
    let file: EightByEightFile = config.section(SECTION)?;
    config.check_urls(SECTION, &[("api_base_url", &file.api_base_url)])?;
    Ok(file)
}

/// [`read`], for the registry's check of the whole file.
pub fn check(config: &SystemsConfig) -> Result<(), ConfigError> {
    read(config).map(drop)
}
