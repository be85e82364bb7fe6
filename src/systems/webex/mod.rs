//! Webex: the request posted by a bot as a Markdown message in a room; the user's later
//! messages are replies to it; a bot of the room calls the acceptance hook when an agent
//! takes it.
//!
//! Built against Webex when a bot token is configured, else against its emulator started
//! embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built, missing, webhook_listener};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use std::sync::Arc;

super::registry::system!("webex", aliases: [], config: config::WebexFile, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::WebexFile = config.read()?;
    let [token, _, accept_secret] = section.secrets(config)?;
    let listener = webhook_listener(config, token.is_none()).await?;
    let (target, emulator) = match token {
        Some(token) => {
            let why = "required with a bot token";
            let room_id = section
                .channel
                .clone()
                .ok_or_else(|| missing(config, "webex.channel", why))?;
            let base = section.api_base_url.clone();
            let base = base.unwrap_or_else(|| inferred::API_BASE.into());
            (
                connector::Target {
                    base,
                    token,
                    room_id,
                },
                None,
            )
        }
        None => {
            let emulator = emulator::SERVICE
                .embed(options, &listener, connector::ROUTE)
                .await?;
            let target = connector::Target {
                base: format!("{}/v1", emulator.base_url()),
                token: Secret::new("emulated-bot-token"),
                room_id: section
                    .channel
                    .clone()
                    .unwrap_or_else(|| "emulated-room".into()),
            };
            (target, Some(emulator))
        }
    };
    let name = section.channel_name.unwrap_or_else(|| "IT Help".into());
    let common = super::channel::common(config, name, accept_secret, emulator.is_some());
    let connector = connector::connector(target, common, &listener);
    Ok(Built::new(Arc::new(connector), emulator, Some(listener)))
}
