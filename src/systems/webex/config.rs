//! The `[webex]` section of `handoff.toml`: the room, and the names of the environment
//! variables that hold the bot token and the acceptance hook's secret.

use crate::systems::Section;
use serde::Deserialize;

/// `[webex]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebexFile {
    /// The REST API, default `https://webexapis.com/v1`.
    pub api_base_url: Option<String>,
    /// The room (space) id the bot posts in; required with a bot token.
    pub room_id: Option<String>,
    /// The room as the user is told (default `IT Help`).
    pub room_name: Option<String>,
    /// Env var holding the bot's access token (default `HANDOFF_WEBEX_BOT_TOKEN`).
    pub bot_token_env: Option<String>,
    /// Env var holding the acceptance hook's secret (default `HANDOFF_WEBEX_ACCEPT_SECRET`).
    pub accept_secret_env: Option<String>,
}

impl Section for WebexFile {
    const NAME: &'static str = "webex";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("api_base_url", &self.api_base_url)]
    }
}
