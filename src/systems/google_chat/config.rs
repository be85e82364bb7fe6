//! The `[google_chat]` section of `handoff.toml`: the names of the environment variables that
//! hold the space's webhook URL (with its `key` and `token`) and the acceptance hook's secret.

use crate::systems::Section;
use serde::Deserialize;

/// `[google_chat]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoogleChatFile {
    /// The space as the user is told (default `IT Help`).
    pub space_name: Option<String>,
    /// Env var holding the webhook URL (default `HANDOFF_GOOGLE_CHAT_WEBHOOK_URL`).
    pub webhook_url_env: Option<String>,
    /// Env var holding the acceptance hook's secret (default
    /// `HANDOFF_GOOGLE_CHAT_ACCEPT_SECRET`).
    pub accept_secret_env: Option<String>,
}

impl Section for GoogleChatFile {
    const NAME: &'static str = "google_chat";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        Vec::new()
    }
}
