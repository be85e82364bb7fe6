//! The `[teams]` section of `handoff.toml`: the names of the environment variables that hold
//! the webhook URL (an incoming webhook or a Workflows URL; the URL is the secret) and the
//! acceptance hook's secret.

use crate::systems::Section;
use serde::Deserialize;

/// `[teams]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamsFile {
    /// The channel as the user is told, e.g. `IT Help` (default `IT Help`).
    pub channel_name: Option<String>,
    /// Env var holding the webhook URL (default `HANDOFF_TEAMS_WEBHOOK_URL`).
    pub webhook_url_env: Option<String>,
    /// Env var holding the acceptance hook's secret (default `HANDOFF_TEAMS_ACCEPT_SECRET`);
    /// without it no acceptance comes back.
    pub accept_secret_env: Option<String>,
}

impl Section for TeamsFile {
    const NAME: &'static str = "teams";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        Vec::new()
    }
}
