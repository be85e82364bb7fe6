//! The single entry point from `--system` and `handoff.toml` to a running connector.
//!
//! [`build`] reads the system's section; when its credentials are set (env vars or files) it
//! builds the real connector against the configured URLs; when they are not, it starts the
//! system's emulator embedded on an ephemeral loopback port and points the same connector
//! code at it, so `handoff --system 8x8` works on a machine with no network. Webhook-style
//! systems get the broker's webhook listener, which [`Built`] owns (drop it to stop).

use super::eight_by_eight::{self, EightByEight};
use super::redact::Secret;
use super::webhook::{WebhookError, WebhookListener};
use super::{AgentDesk, Connector, ConnectorError};
use crate::config::{ConfigError, SystemName, SystemsConfig};
use crate::emulators::{self, EmulatorError, EmulatorOptions, RunningEmulator};
use std::net::SocketAddr;
use std::sync::Arc;

/// What [`build`] failed with.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The configuration is incomplete or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The embedded emulator did not start.
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    /// The webhook listener did not start.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// Setting the system up (e.g. registering the webhook) failed.
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// This build has no connector for the system.
    #[error("{0}: no connector in this build")]
    Unsupported(SystemName),
}

/// A connector and what it needs kept alive.
pub struct Built {
    /// The connector the broker drives.
    pub connector: Arc<dyn Connector>,
    /// The embedded emulator, when no credentials were configured.
    pub emulator: Option<RunningEmulator>,
    /// The webhook listener, for webhook-style systems.
    pub webhooks: Option<WebhookListener>,
    /// The emulator's desk, for the console's agent inbox.
    pub desk: Option<Arc<dyn AgentDesk>>,
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Built")
            .field("system", &self.connector.system())
            .field("emulator", &self.emulator)
            .field("webhooks", &self.webhooks)
            .finish_non_exhaustive()
    }
}

/// Builds the connector of `system` from `config`, with an embedded emulator when the system's
/// credentials are not configured.
pub async fn build(system: SystemName, config: &SystemsConfig) -> Result<Built, BuildError> {
    build_with(system, config, EmulatorOptions::default()).await
}

/// [`build`] with the embedded emulator's options (agents, script) chosen by the caller.
pub async fn build_with(
    system: SystemName,
    config: &SystemsConfig,
    options: EmulatorOptions,
) -> Result<Built, BuildError> {
    match system {
        SystemName::EightByEight => build_8x8(config, options).await,
        other => Err(BuildError::Unsupported(other)),
    }
}

/// Starts the emulator of `system` on `listen`, for `handoff emulate`.
pub async fn emulate(
    system: SystemName,
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, BuildError> {
    match system {
        SystemName::EightByEight => Ok(emulators::eight_by_eight::spawn(listen, options).await?),
        other => Err(BuildError::Unsupported(other)),
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn build_8x8(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section = &config.eight_by_eight;
    let key = config.secret(
        "8x8.api_key_env",
        section.api_key_env.as_deref(),
        "HANDOFF_8X8_API_KEY",
        section.api_key_file.as_deref(),
    )?;
    let listener = WebhookListener::bind(
        config.webhook_listen()?,
        config.webhook.public_base_url.as_deref(),
    )
    .await?;
    let (emulator, api_key, api_base, channel_id, register, queue_id) = match key {
        Some(key) => {
            let channel = section
                .channel_id
                .clone()
                .ok_or_else(|| ConfigError::Invalid {
                    file: config.file.clone(),
                    key: "8x8.channel_id".into(),
                    detail: "required when an API key is configured".into(),
                })?;
            let base = section
                .api_base_url
                .clone()
                .unwrap_or_else(|| "https://api.8x8.com".into());
            let register = section.register_webhook.unwrap_or(false);
            (None, key, base, channel, register, section.queue_id.clone())
        }
        None => {
            let emulator = emulators::eight_by_eight::spawn(loopback(), options).await?;
            let base = emulator.base_url();
            let channel = section
                .channel_id
                .clone()
                .unwrap_or_else(|| "emu-channel".into());
            let queue = section
                .queue_id
                .clone()
                .unwrap_or_else(|| emulators::eight_by_eight::DEFAULT_QUEUE.into());
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
    let settings = eight_by_eight::Settings {
        api_base,
        region: section.region.clone().unwrap_or_else(|| "us".into()),
        tenant_id: section.tenant_id.clone(),
        channel_id,
        queue_id,
        api_key,
        verify_signatures: section.verify_signatures.unwrap_or(true),
        retry: config.retry_policy(),
    };
    let connector = EightByEight::new(settings, &listener);
    if register {
        connector.register_webhook().await?;
    }
    let desk = emulator.as_ref().map(RunningEmulator::desk);
    Ok(Built {
        connector: Arc::new(connector),
        emulator,
        webhooks: Some(listener),
        desk,
    })
}
