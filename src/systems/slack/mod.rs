//! Slack: the request posted in a channel with an Accept button (`chat.postMessage` with a bot
//! token, or an incoming webhook); the button's signed payload tells the user who took it.
//!
//! Built against Slack when a bot token or webhook URL is configured, else against its
//! emulator started embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built, missing, webhook_listener};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use std::sync::Arc;

super::registry::system!("slack", aliases: [], config: config::SlackFile, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::SlackFile = config.read()?;
    let [token, webhook_url, signing_secret] = section.secrets(config)?;
    let listener = webhook_listener(config, token.is_none() && webhook_url.is_none()).await?;
    let channel = section.channel.clone();
    let (target, emulator) = match (token, webhook_url) {
        (Some(token), _) => {
            let channel = channel
                .clone()
                .ok_or_else(|| missing(config, "slack.channel", "required with a bot token"))?;
            let base = section
                .api_base_url
                .clone()
                .unwrap_or_else(|| inferred::API_BASE.into());
            (
                connector::Target::Api {
                    base,
                    token,
                    channel,
                },
                None,
            )
        }
        (None, Some(url)) => (connector::Target::Webhook { url }, None),
        (None, None) => {
            let emulator = emulator::SERVICE
                .embed(options, &listener, connector::ROUTE)
                .await?;
            let target = connector::Target::Api {
                base: format!("{}/api", emulator.base_url()),
                token: Secret::new("xoxb-emulated"),
                channel: channel.clone().unwrap_or_else(|| "C0EMULATED".into()),
            };
            (target, Some(emulator))
        }
    };
    let name = section.channel_name.or(channel);
    let name = name.unwrap_or_else(|| "#it-help".into());
    let common = super::channel::common(config, name, signing_secret, emulator.is_some());
    let connector = connector::connector(target, common, &listener);
    Ok(Built::new(Arc::new(connector), emulator, Some(listener)))
}
