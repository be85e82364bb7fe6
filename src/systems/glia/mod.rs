//! Glia: a visitor, a queue ticket and an engagement, messages through the REST API and
//! webhooks back.
//!
//! Built against the real service when its credentials are configured, else against its
//! emulator started embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built, loopback, missing, webhook_listener};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use std::sync::Arc;

super::registry::system!("glia", aliases: [], config: config::GliaFile, capabilities: super::Capabilities::BROKERED);

/// Issue 15, rule 9: not yet. Glia's public events carry a second operator only as
/// `engagement.transfer` (one operator replaces another), and its chat messages name no sender,
/// so two operators at once could not be told apart; the emulator refuses a barge-in.
pub const SECOND_AGENT: bool = false;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::GliaFile = config.read()?;
    let [key_id, key_secret, app_token] = config.env_secrets([
        (
            "glia.api_key_id_env",
            &section.api_key_id_env,
            "HANDOFF_GLIA_KEY_ID",
        ),
        (
            "glia.api_key_secret_env",
            &section.api_key_secret_env,
            "HANDOFF_GLIA_KEY_SECRET",
        ),
        (
            "glia.application_token_env",
            &section.application_token_env,
            "HANDOFF_GLIA_APP_TOKEN",
        ),
    ])?;
    let emulated = key_id.is_none() || key_secret.is_none();
    let listener = webhook_listener(config, emulated).await?;
    let (emulator, api_base, key_id, key_secret, site_id, queue_id) =
        match (key_id, key_secret) {
            (Some(id), Some(secret)) => (
                None,
                section
                    .api_base_url
                    .clone()
                    .unwrap_or_else(|| "https://api.glia.com".into()),
                id.expose().to_owned(),
                secret,
                section.site_id.clone().ok_or_else(|| {
                    missing(config, "glia.site_id", "required with a site API key")
                })?,
                section.queue_id.clone().ok_or_else(|| {
                    missing(config, "glia.queue_id", "required with a site API key")
                })?,
            ),
            _ => {
                let emulator = emulator::spawn(loopback(), options).await?;
                let base = emulator.base_url();
                (
                    Some(emulator),
                    base,
                    "emulated-key-id".to_owned(),
                    Secret::new("emulated-key-secret"),
                    section
                        .site_id
                        .clone()
                        .unwrap_or_else(|| "site-emulated".into()),
                    section
                        .queue_id
                        .clone()
                        .unwrap_or_else(|| "queue-emulated".into()),
                )
            }
        };
    let application_token = match app_token {
        Some(token) => token,
        None if emulated => Secret::new("emulated-application-token"),
        None => {
            let why = "required with a site API key: it creates visitors";
            return Err(missing(config, "glia.application_token_env", why).into());
        }
    };
    let settings = connector::Settings {
        api_base,
        site_id,
        queue_id,
        api_key_id: key_id,
        api_key_secret: key_secret,
        application_token,
        retry: config.retry_policy(),
    };
    let connector = connector::Glia::new(settings, &listener);
    Ok(Built::new(Arc::new(connector), emulator, Some(listener)))
}
