//! What the channel systems share (Slack, Teams, Google Chat, Webex): one section shape, each
//! system taking its own keys of it, and the builds.

use super::SystemsConfig;
use super::registry::{BuildError, Built, webhook_listener};
use crate::config::ConfigError;
use crate::connectors::channel::{Common, UrlChannel};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use crate::emulators::channel::{ChannelService, EMULATED_SECRET};
use serde::Deserialize;
use std::marker::PhantomData;
use std::sync::Arc;

/// A channel system's section of `handoff.toml`; each system takes only some keys
/// ([`ChannelSection::UNUSED`] are refused), its config module says which and what they mean.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelFile<N> {
    /// The service's API base URL.
    pub api_base_url: Option<String>,
    /// The channel (or room) id posted to.
    pub channel: Option<String>,
    /// The channel as the user is told.
    pub channel_name: Option<String>,
    /// Env var holding the bot token.
    pub bot_token_env: Option<String>,
    /// Env var holding the webhook URL (the URL is the secret).
    pub webhook_url_env: Option<String>,
    /// Env var holding the secret acceptances are signed with.
    pub accept_secret_env: Option<String>,
    #[serde(skip)]
    system: PhantomData<N>,
}

impl<N: ChannelSection> ChannelFile<N> {
    /// The bot token, the webhook URL and the acceptance secret, from the environment
    /// variables the section names (default `HANDOFF_<SECTION>_BOT_TOKEN`, `_WEBHOOK_URL`,
    /// `_ACCEPT_SECRET`, e.g. `HANDOFF_GOOGLE_CHAT_WEBHOOK_URL`).
    pub fn secrets(&self, config: &SystemsConfig) -> Result<[Option<Secret>; 3], ConfigError> {
        let name = N::NAME;
        let upper = name.to_ascii_uppercase();
        let keys = ["bot_token_env", "webhook_url_env", "accept_secret_env"]
            .map(|k| format!("{name}.{k}"));
        let envs =
            ["BOT_TOKEN", "WEBHOOK_URL", "ACCEPT_SECRET"].map(|e| format!("HANDOFF_{upper}_{e}"));
        config.env_secrets([
            (&keys[0], &self.bot_token_env, &envs[0]),
            (&keys[1], &self.webhook_url_env, &envs[1]),
            (&keys[2], &self.accept_secret_env, &envs[2]),
        ])
    }
}

/// Which channel system a [`ChannelFile`] is for.
pub trait ChannelSection {
    /// The section's name.
    const NAME: &'static str;
    /// The keys the system does not take.
    const UNUSED: &'static [&'static str];
}

impl<N: ChannelSection + Default> super::Section for ChannelFile<N> {
    const NAME: &'static str = N::NAME;

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("api_base_url", &self.api_base_url)]
    }

    fn unused(&self) -> Vec<&'static str> {
        let keys = [
            ("api_base_url", &self.api_base_url),
            ("channel", &self.channel),
            ("bot_token_env", &self.bot_token_env),
            ("webhook_url_env", &self.webhook_url_env),
        ];
        keys.into_iter()
            .filter(|(key, value)| value.is_some() && N::UNUSED.contains(key))
            .map(|(key, _)| key)
            .collect()
    }
}

/// Declares a channel system's section: `channel_section!(SlackFile, Slack, "slack", [])`
/// makes `SlackFile`, the `[slack]` section, taking every key but the listed ones.
macro_rules! channel_section {
    ($file:ident, $marker:ident, $name:literal, $unused:expr) => {
        #[doc = concat!("`[", $name, "]`.")]
        pub type $file = $crate::systems::channel::ChannelFile<$marker>;

        #[doc = concat!("The `[", $name, "]` section's name and keys.")]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $marker;

        impl $crate::systems::channel::ChannelSection for $marker {
            const NAME: &'static str = $name;
            const UNUSED: &'static [&'static str] = &$unused;
        }
    };
}
pub(super) use channel_section;

/// The common settings of a channel connector: with the embedded emulator, acceptances are
/// signed with its secret; else with the configured one, if any.
pub(super) fn common(
    config: &SystemsConfig,
    channel_name: String,
    accept_secret: Option<Secret>,
    emulated: bool,
) -> Common {
    Common {
        channel_name,
        accept_secret: if emulated {
            Some(Secret::new(EMULATED_SECRET))
        } else {
            accept_secret
        },
        retry: config.retry_policy(),
    }
}

/// A channel system posting to one secret URL: how it posts, its emulator, and the path of
/// the URL the embedded emulator is posted to.
pub(super) struct UrlSystem {
    pub channel: &'static UrlChannel,
    pub emulator: &'static ChannelService,
    pub emulated_path: &'static str,
}

/// Builds a [`UrlSystem`] from its section `N`: posting to the configured URL, else to the
/// embedded emulator.
pub(super) async fn build_url<N: ChannelSection + Default>(
    system: &UrlSystem,
    config: &SystemsConfig,
    options: EmulatorOptions,
) -> Result<Built, BuildError> {
    let section: ChannelFile<N> = config.read()?;
    let [_, url, accept_secret] = section.secrets(config)?;
    let channel_name = section.channel_name.unwrap_or_else(|| "IT Help".into());
    let listener = webhook_listener(config, url.is_none()).await?;
    let (url, emulator) = match url {
        Some(url) => (url, None),
        None => {
            let route = system.channel.route;
            let emulator = system.emulator.embed(options, &listener, route).await?;
            let url = format!("{}{}", emulator.base_url(), system.emulated_path);
            (Secret::new(url), Some(emulator))
        }
    };
    let common = common(config, channel_name, accept_secret, emulator.is_some());
    let connector = system.channel.connect(url, common, &listener);
    Ok(Built::new(Arc::new(connector), emulator, Some(listener)))
}

#[cfg(test)]
mod tests {
    use crate::systems::SystemsConfig;

    #[test]
    fn a_key_another_channel_takes_is_refused_by_name() {
        let e = SystemsConfig::from_toml("h.toml", "[teams]\nbot_token_env = \"X\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "h.toml: teams.bot_token_env: not a key of this section");
        let ok = SystemsConfig::from_toml("h.toml", "[webex]\nbot_token_env = \"X\"\n");
        assert!(ok.is_ok());
    }
}
