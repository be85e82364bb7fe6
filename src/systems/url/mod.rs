//! A chat page reached by a link (`--system url`): `InContact`, Compucom, Intrasee, a company's
//! own page. The user-definable template of `[url]` is filled from the conversation and the
//! user is sent there; without a template, the embedded emulator's page is used.
//! `PROTOCOL.md` says what is known of such pages.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::redirect::{Page, build as build_page};
use super::registry::{BuildError, Built, loopback};
use crate::emulators::EmulatorOptions;

super::registry::system!("url", aliases: ["url-template", "web-page"], config: config::UrlFile, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::UrlFile = config.read()?;
    let configured = section
        .template()
        .map_err(|(key, why)| config.invalid(&format!("url.{key}"), why))?;
    let system = section.name.as_deref().unwrap_or("Live chat page");
    let page = Page::new(system, section.available, configured);
    build_page(
        page,
        connector::emulated,
        emulator::spawn(loopback(), options),
    )
    .await
}
