//! `ServiceNow`'s Virtual Agent web client (`--system servicenow-web`): the user is sent to the
//! client with `sysparm_live_agent_only=true` and the utterance as the search text. Without an
//! instance in `[servicenow-web]`, the embedded emulator's client is used. `PROTOCOL.md` lists
//! the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::redirect::{Page, build as build_page};
use super::registry::{BuildError, Built, loopback};
use crate::emulators::EmulatorOptions;

super::registry::system!(
    "servicenow-web",
    aliases: ["servicenow-va", "sn-web"],
    config: config::ServiceNowWebFile, capabilities: super::Capabilities::NONE
);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::ServiceNowWebFile = config.read()?;
    let configured = match &section.instance_url {
        Some(instance) => Some(
            connector::template(&section, instance)
                .map_err(|e| config.invalid("servicenow-web.instance_url", e.to_string()))?,
        ),
        None => None,
    };
    let page = Page::new("ServiceNow Virtual Agent", section.available, configured);
    let emulated = |base: &str| connector::template(&section, base);
    build_page(page, emulated, emulator::spawn(loopback(), options)).await
}
