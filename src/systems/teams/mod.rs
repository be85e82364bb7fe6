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
use super::registry::{BuildError, Built, webhook_listener};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use std::sync::Arc;

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
    let listener = webhook_listener(config).await?;
    let (url, emulator) = match url {
        Some(url) => (url, None),
        None => {
            let emulator = emulator::SERVICE
                .embed(options, &listener, connector::ROUTE)
                .await?;
            let url = format!(
                "{}/workflows/emulated/triggers/manual/paths/invoke?api-version=1&sig=emulated-sig",
                emulator.base_url()
            );
            (Secret::new(url), Some(emulator))
        }
    };
    let name = section.channel_name.unwrap_or_else(|| "IT Help".into());
    let common = super::channel::common(config, name, accept_secret, emulator.is_some());
    let connector = connector::connector(url, common, &listener);
    Ok(Built::new(Arc::new(connector), emulator, Some(listener)))
}
