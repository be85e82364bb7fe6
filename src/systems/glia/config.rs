//! The `[glia]` section of `handoff.toml`: URLs, ids, and the names of the environment
//! variables (or files) that hold the secrets.

use crate::systems::Section;
use serde::Deserialize;

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

impl Section for GliaFile {
    const NAME: &'static str = "glia";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("api_base_url", &self.api_base_url)]
    }
}
