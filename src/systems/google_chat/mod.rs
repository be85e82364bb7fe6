//! Google Chat: the request posted to a space's incoming webhook in a thread keyed by the
//! conversation; a Chat app of the space calls the acceptance hook when an agent takes it.
//!
//! Built against Google Chat when a webhook URL is configured, else against its emulator
//! started embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built};
use crate::emulators::EmulatorOptions;

super::registry::system!("google-chat", aliases: ["gchat"], config: config::GoogleChatFile, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    super::channel::build_url::<config::GoogleChat>(&SYSTEM_URL, config, options).await
}

const SYSTEM_URL: super::channel::UrlSystem = super::channel::UrlSystem {
    channel: &connector::CHANNEL,
    emulator: &emulator::SERVICE,
    emulated_path: "/v1/spaces/AAAAemulated/messages?key=emulated-key&token=emulated-token",
};
