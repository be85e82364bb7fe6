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

super::registry::system!("teams", aliases: ["msteams"], config: config::TeamsFile);

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::TeamsFile = config.read()?;
    let [url, accept_secret] = config.env_secrets([
        (
            "teams.webhook_url_env",
            &section.webhook_url_env,
            "HANDOFF_TEAMS_WEBHOOK_URL",
        ),
        (
            "teams.accept_secret_env",
            &section.accept_secret_env,
            "HANDOFF_TEAMS_ACCEPT_SECRET",
        ),
    ])?;
    let name = section.channel_name.unwrap_or_else(|| "IT Help".into());
    super::channel::build_url(&SYSTEM_URL, config, options, (url, accept_secret), name).await
}

const SYSTEM_URL: super::channel::UrlSystem = super::channel::UrlSystem {
    channel: &connector::CHANNEL,
    emulator: &emulator::SERVICE,
    emulated_path: "/workflows/emulated/triggers/manual/paths/invoke?api-version=1&sig=emulated-sig",
};
