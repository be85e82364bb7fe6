//! Vayusphere: API handoff. The connector starts a session with the user's request and the
//! user is redirected to the Vayusphere bot, where the conversation goes on.
//!
//! Vayusphere publishes no API: the contract both sides speak is INVENTED (`PROTOCOL.md`,
//! `inferred.rs`) and isolated in `connector/wire.rs` and `emulator/wire.rs`, so a real one
//! replaces those files only. Built against the tenant when an API key is configured, else
//! against its emulator started embedded on a loopback port.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built, loopback, missing};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use std::sync::Arc;

super::registry::system!("vayusphere", aliases: ["vayu"], config: config::VayusphereFile, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::VayusphereFile = config.read()?;
    if section.queue.trim().is_empty() {
        return Err(missing(config, "vayusphere.queue", "must not be blank").into());
    }
    let (emulator, api_base, api_key) = match section.api_key(config)? {
        Some(key) => {
            let base = section.api_base_url.clone().ok_or_else(|| {
                let why = "required with an API key: Vayusphere has no public endpoint";
                missing(config, "vayusphere.api_base_url", why)
            })?;
            (None, base, key)
        }
        None => {
            let emulator = emulator::spawn(loopback(), options).await?;
            let base = emulator.base_url();
            (Some(emulator), base, Secret::new("emulated-api-key"))
        }
    };
    let settings = connector::Settings {
        api_base,
        api_key,
        queue: section.queue,
        retry: config.retry_policy(),
    };
    let connector = connector::Vayusphere::new(settings);
    Ok(Built::new(Arc::new(connector), emulator, None))
}
