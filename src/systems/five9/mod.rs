//! Five9's web chat console (`--system five9`): the user is sent to the console with the
//! tenant, the profiles, `autostart` and the conversation as hidden `fields`. Without a tenant
//! in `[five9]`, the embedded emulator's console is used. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::redirect::{Page, build as build_page};
use super::registry::{BuildError, Built, loopback};
use crate::emulators::EmulatorOptions;

super::registry::system!("five9", aliases: [], config: config::Five9File, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::Five9File = config.read()?;
    let configured = match &section.tenant {
        Some(_) => {
            let base = section
                .console_url
                .as_deref()
                .unwrap_or(connector::wire::CONSOLE_URL);
            let template = connector::template(&section, base)
                .map_err(|e| config.invalid("five9", e.to_string()))?;
            Some(template)
        }
        None => None,
    };
    let page = Page::new("Five9", section.available, configured);
    let emulated = |base: &str| connector::emulated(&section, base);
    build_page(page, emulated, emulator::spawn(loopback(), options)).await
}
