//! The `[amazon_connect]` section of `handoff.toml`: URLs, ids, and the names of the environment
//! variables (or files) that hold the secrets.

use crate::config::ConfigError;
use crate::systems::SystemsConfig;
use serde::Deserialize;

/// The section's name in the file.
pub const SECTION: &str = "amazon_connect";

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

/// Reads the section, refusing unknown keys and values that cannot be used.
pub fn read(config: &SystemsConfig) -> Result<AmazonConnectFile, ConfigError> {
    let file: AmazonConnectFile = config.section(SECTION)?;
    config.check_urls(
        SECTION,
        &[
            ("control_base_url", &file.control_base_url),
            ("participant_base_url", &file.participant_base_url),
        ],
    )?;
    Ok(file)
}

/// [`read`], for the registry's check of the whole file.
pub fn check(config: &SystemsConfig) -> Result<(), ConfigError> {
    read(config).map(drop)
}
