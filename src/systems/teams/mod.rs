//! Microsoft Teams: the request posted as an Adaptive Card to an incoming webhook or a
//! Workflows URL; the card's Accept answers the workflow, which calls the acceptance hook.
//!
//! Built against Teams when a webhook URL is configured, else against its emulator started
//! embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built};
use crate::emulators::EmulatorOptions;

super::registry::system!("teams", aliases: ["msteams"], config: config::TeamsFile, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    super::channel::build_url::<config::Teams>(&SYSTEM_URL, config, options).await
}

const SYSTEM_URL: super::channel::UrlSystem = super::channel::UrlSystem {
    channel: &connector::CHANNEL,
    emulator: &emulator::SERVICE,
    emulated_path: "/workflows/emulated/triggers/manual/paths/invoke?api-version=1&sig=emulated-sig",
};
