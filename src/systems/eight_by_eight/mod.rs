//! 8x8 Chat Gateway: message brokering through the Chat Gateway API (conversations,
//! messages, typing) with signed webhooks back.
//!
//! Built against the real service when its credentials are configured, else against its
//! emulator started embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;
pub mod signature;

use super::SystemsConfig;
use super::registry::{BuildError, Built, loopback, missing, webhook_listener};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use std::sync::Arc;

super::registry::system!("8x8", aliases: ["eight-by-eight"], config: config::EightByEightFile, capabilities: super::Capabilities::BROKERED);

/// Issue 15, rule 9: the API carries a second agent in a live chat: a second agent joins as another
/// `MEMBERS_CHANGED {change: joined}`, named by the `AGENT_JOINED` before it.
pub const SECOND_AGENT: bool = true;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::EightByEightFile = config.read()?;
    let key = config.secret(
        "8x8.api_key_file",
        section.api_key_env.as_deref(),
        "HANDOFF_8X8_API_KEY",
        section.api_key_file.as_deref(),
    )?;
    let listener = webhook_listener(config, key.is_none()).await?;
    let (emulator, api_key, api_base, channel_id, register, queue_id) = match key {
        Some(key) => {
            let channel = section.channel_id.clone().ok_or_else(|| {
                missing(
                    config,
                    "8x8.channel_id",
                    "required when an API key is configured",
                )
            })?;
            let base = section
                .api_base_url
                .clone()
                .unwrap_or_else(|| "https://api.8x8.com".into());
            let register = section.register_webhook.unwrap_or(false);
            (None, key, base, channel, register, section.queue_id.clone())
        }
        None => {
            let emulator = emulator::spawn(loopback(), options).await?;
            let base = emulator.base_url();
            let channel = section
                .channel_id
                .clone()
                .unwrap_or_else(|| "emu-channel".into());
            let queue = section
                .queue_id
                .clone()
                .unwrap_or_else(|| emulator::DEFAULT_QUEUE.into());
            (
                Some(emulator),
                Secret::new("emulated-api-key"),
                base,
                channel,
                true,
                Some(queue),
            )
        }
    };
    let settings = connector::Settings {
        api_base,
        region: section.region.clone().unwrap_or_else(|| "us".into()),
        tenant_id: section.tenant_id.clone(),
        channel_id,
        queue_id,
        api_key,
        verify_signatures: section.verify_signatures.unwrap_or(true),
        retry: config.retry_policy(),
    };
    let connector = connector::EightByEight::new(settings, &listener);
    if register {
        connector.register_webhook().await?;
    }
    Ok(Built::new(Arc::new(connector), emulator, Some(listener)))
}
