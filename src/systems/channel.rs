//! What the channel systems' builds share (Slack, Teams, Google Chat, Webex).

use super::SystemsConfig;
use super::registry::{BuildError, Built, webhook_listener};
use crate::connectors::channel::{Common, UrlChannel};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use crate::emulators::channel::{ChannelService, EMULATED_SECRET};
use std::sync::Arc;

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

/// Builds a [`UrlSystem`]: posting to `url` when configured, else to the embedded emulator.
pub(super) async fn build_url(
    system: &UrlSystem,
    config: &SystemsConfig,
    options: EmulatorOptions,
    (url, accept_secret): (Option<Secret>, Option<Secret>),
    channel_name: String,
) -> Result<Built, BuildError> {
    let listener = webhook_listener(config).await?;
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
