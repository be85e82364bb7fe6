//! The `[slack]` section of `handoff.toml`: where to post, and the names of the environment
//! variables that hold the bot token, the incoming webhook URL and the signing secret.

use crate::systems::Section;
use serde::Deserialize;

/// `[slack]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackFile {
    /// The Web API, default `https://slack.com/api`.
    pub api_base_url: Option<String>,
    /// The channel id (`C0123ABCD`) `chat.postMessage` posts to; required with a bot token.
    pub channel: Option<String>,
    /// The channel as the user is told, e.g. `#it-help` (default: the channel id).
    pub channel_name: Option<String>,
    /// Env var holding the bot token `xoxb-...` (default `HANDOFF_SLACK_BOT_TOKEN`).
    pub bot_token_env: Option<String>,
    /// Env var holding an incoming webhook URL, used when no bot token is set (default
    /// `HANDOFF_SLACK_WEBHOOK_URL`).
    pub webhook_url_env: Option<String>,
    /// Env var holding the app's signing secret, which checks the Accept button's calls
    /// (default `HANDOFF_SLACK_SIGNING_SECRET`); without it no acceptance comes back.
    pub signing_secret_env: Option<String>,
}

impl Section for SlackFile {
    const NAME: &'static str = "slack";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("api_base_url", &self.api_base_url)]
    }
}
