//! The `[glia]` section of `handoff.toml`: URLs, ids, and the names of the environment
//! variables (or files) that hold the secrets.

use crate::config::ConfigError;
use crate::systems::SystemsConfig;
use serde::Deserialize;

/// The section's name in the file.
pub const SECTION: &str = "glia";

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

/// Reads the section, refusing unknown keys and values that cannot be used.
pub fn read(config: &SystemsConfig) -> Result<GliaFile, ConfigError> {
    let file: GliaFile = config.section(SECTION)?;
    config.check_urls(SECTION, &[("api_base_url", &file.api_base_url)])?;
    Ok(file)
}

/// [`read`], for the registry's check of the whole file.
pub fn check(config: &SystemsConfig) -> Result<(), ConfigError> {
    read(config).map(drop)
}
