//! The `[amazon_connect]` section of `handoff.toml`: URLs, ids, and the names of the environment
//! variables (or files) that hold the secrets.

use crate::systems::Section;
use serde::Deserialize;

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

impl Section for AmazonConnectFile {
    const NAME: &'static str = "amazon_connect";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![
            ("control_base_url", &self.control_base_url),
            ("participant_base_url", &self.participant_base_url),
        ]
    }
}
