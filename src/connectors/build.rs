//! The single entry point from `--system` and `handoff.toml` to a running connector.
//!
//! [`build`] reads the system's section; when its credentials are set (env vars or files) it
//! builds the real connector against the configured URLs; when they are not, it starts the
//! system's emulator embedded on an ephemeral loopback port and points the same connector
//! code at it, so `handoff --system 8x8` works on a machine with no network. Webhook-style
//! systems get the broker's webhook listener, which [`Built`] owns (drop it to stop).

use super::amazon_connect::{self, AmazonConnect};
use super::eight_by_eight::{self, EightByEight};
use super::glia::{self, Glia};
use super::http::{Api, Call, Method};
use super::redact::Secret;
use super::servicenow::{self, ServiceNow};
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
    #[error("{0}: not a connector of this module (the mock desk is built by the broker)")]
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
        SystemName::ServiceNow => build_servicenow(config, options).await,
        SystemName::AmazonConnect => build_amazon_connect(config, options).await,
        SystemName::Glia => build_glia(config, options).await,
        SystemName::Mock => Err(BuildError::Unsupported(SystemName::Mock)),
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
        SystemName::ServiceNow => Ok(emulators::servicenow::spawn(listen, options).await?),
        SystemName::AmazonConnect => Ok(emulators::amazon_connect::spawn(listen, options).await?),
        SystemName::Glia => Ok(emulators::glia::spawn(listen, options).await?),
        SystemName::Mock => Err(BuildError::Unsupported(SystemName::Mock)),
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn build_8x8(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section = &config.eight_by_eight;
    let key = config.secret(
        "8x8.api_key_file",
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

fn missing(config: &SystemsConfig, key: &str, detail: &str) -> ConfigError {
    ConfigError::Invalid {
        file: config.file.clone(),
        key: key.to_owned(),
        detail: detail.to_owned(),
    }
}

async fn build_servicenow(
    config: &SystemsConfig,
    options: EmulatorOptions,
) -> Result<Built, BuildError> {
    let section = &config.servicenow;
    let password = config.secret(
        "servicenow.password_file",
        section.password_env.as_deref(),
        "HANDOFF_SERVICENOW_PASSWORD",
        section.password_file.as_deref(),
    )?;
    let bearer = match section.bearer_token_env.as_deref() {
        Some(env) => config.secret("servicenow.bearer_token_env", Some(env), env, None)?,
        None => None,
    };
    let message_token = match section.message_token_env.as_deref() {
        Some(env) => config.secret("servicenow.message_token_env", Some(env), env, None)?,
        None => None,
    };
    let callback_secret = config.secret(
        "servicenow.callback_token_env",
        section.callback_token_env.as_deref(),
        "HANDOFF_SERVICENOW_CALLBACK_TOKEN",
        None,
    )?;
    let header = section
        .callback_header
        .clone()
        .unwrap_or_else(|| "Authorization".into());
    let listener = WebhookListener::bind(
        config.webhook_listen()?,
        config.webhook.public_base_url.as_deref(),
    )
    .await?;
    let real_auth = match (bearer, password) {
        (Some(token), _) => Some(servicenow::Auth::Bearer(token)),
        (None, Some(password)) => {
            let username = section.username.clone().ok_or_else(|| {
                missing(config, "servicenow.username", "required with a password")
            })?;
            Some(servicenow::Auth::Basic { username, password })
        }
        (None, None) => None,
    };
    let (emulator, auth, instance_url, callback_secret) = match real_auth {
        Some(auth) => {
            let url = section.instance_url.clone().ok_or_else(|| {
                missing(
                    config,
                    "servicenow.instance_url",
                    "required with credentials",
                )
            })?;
            let secret = callback_secret.ok_or_else(|| {
                missing(
                    config,
                    "servicenow.callback_token_env",
                    "the response endpoint needs a secret (set the variable)",
                )
            })?;
            (None, auth, url, secret)
        }
        None => {
            let emulator = emulators::servicenow::spawn(loopback(), options).await?;
            let url = emulator.base_url();
            let auth = servicenow::Auth::Basic {
                username: "handoff".into(),
                password: Secret::new("emulated-password"),
            };
            let secret = Secret::new(uuid::Uuid::new_v4().simple().to_string());
            (Some(emulator), auth, url, secret)
        }
    };
    let value = if header.eq_ignore_ascii_case("authorization") {
        Secret::new(format!("Bearer {}", callback_secret.expose()))
    } else {
        callback_secret
    };
    let settings = servicenow::Settings {
        instance_url,
        auth,
        message_token,
        app_inbound_id: section.app_inbound_id.clone(),
        callback_auth: servicenow::CallbackAuth {
            header: header.clone(),
            value: value.clone(),
        },
        chat_channel_id: section
            .chat_channel_id
            .clone()
            .unwrap_or_else(|| servicenow::inferred::CHAT_CHANNEL.into()),
        available_state_id: section
            .available_state_id
            .clone()
            .unwrap_or_else(|| servicenow::inferred::AVAILABLE_STATE.into()),
        retry: config.retry_policy(),
    };
    let connector = ServiceNow::new(settings, &listener);
    if let Some(emulator) = &emulator {
        configure_servicenow_emulator(emulator, connector.webhook_url(), &header, &value).await?;
    }
    let desk = emulator.as_ref().map(RunningEmulator::desk);
    Ok(Built {
        connector: Arc::new(connector),
        emulator,
        webhooks: Some(listener),
        desk,
    })
}

/// Points the `ServiceNow` emulator's outbound connection at `url` with the credential header.
pub async fn configure_servicenow_emulator(
    emulator: &RunningEmulator,
    url: &str,
    header: &str,
    value: &Secret,
) -> Result<(), ConnectorError> {
    let api = Api::new(
        "ServiceNow emulator",
        super::http::RetryPolicy::default(),
        vec![value.clone()],
    );
    let body = serde_json::json!({ "url": url, "headers": { header: value.expose() } });
    let call = Call::new(
        "POST /__emu/servicenow/outbound",
        Method::Post,
        format!("{}/__emu/servicenow/outbound", emulator.base_url()),
    )
    .json(&body);
    api.send(call).await.map(drop)
}

async fn build_amazon_connect(
    config: &SystemsConfig,
    options: EmulatorOptions,
) -> Result<Built, BuildError> {
    let section = &config.amazon_connect;
    let key_id = config.secret(
        "amazon_connect.access_key_id_env",
        section.access_key_id_env.as_deref(),
        "AWS_ACCESS_KEY_ID",
        None,
    )?;
    let secret = config.secret(
        "amazon_connect.secret_access_key_env",
        section.secret_access_key_env.as_deref(),
        "AWS_SECRET_ACCESS_KEY",
        None,
    )?;
    let session_token = config.secret(
        "amazon_connect.session_token_env",
        section.session_token_env.as_deref(),
        "AWS_SESSION_TOKEN",
        None,
    )?;
    let region = section.region.clone().unwrap_or_else(|| "us-east-1".into());
    let (emulator, credentials, control, participant, instance, flow, queues) =
        match (key_id, secret) {
            (Some(key_id), Some(secret)) => {
                let required = |value: &Option<String>, key: &str| {
                    value
                        .clone()
                        .ok_or_else(|| missing(config, key, "required with AWS credentials"))
                };
                let credentials = amazon_connect::sigv4::Credentials {
                    access_key_id: key_id.expose().to_owned(),
                    secret_access_key: secret,
                    session_token,
                };
                (
                    None,
                    credentials,
                    section
                        .control_base_url
                        .clone()
                        .unwrap_or_else(|| format!("https://connect.{region}.amazonaws.com")),
                    section.participant_base_url.clone().unwrap_or_else(|| {
                        format!("https://participant.connect.{region}.amazonaws.com")
                    }),
                    required(&section.instance_id, "amazon_connect.instance_id")?,
                    required(&section.contact_flow_id, "amazon_connect.contact_flow_id")?,
                    section.queue_ids.clone().unwrap_or_default(),
                )
            }
            _ => {
                let emulator = emulators::amazon_connect::spawn(loopback(), options).await?;
                let base = emulator.base_url();
                let credentials = amazon_connect::sigv4::Credentials {
                    access_key_id: "AKIDEMULATED".into(),
                    secret_access_key: Secret::new("emulated-secret-access-key"),
                    session_token: None,
                };
                let queues = section
                    .queue_ids
                    .clone()
                    .unwrap_or_else(|| vec!["queue-emulated".into()]);
                (
                    Some(emulator),
                    credentials,
                    base.clone(),
                    base,
                    "instance-emulated".into(),
                    "flow-emulated".into(),
                    queues,
                )
            }
        };
    let settings = amazon_connect::Settings {
        region,
        control_base: control,
        participant_base: participant,
        instance_id: instance,
        contact_flow_id: flow,
        queue_ids: queues,
        credentials,
        retry: config.retry_policy(),
        heartbeat: std::time::Duration::from_secs(10),
        reconnect_attempts: 5,
    };
    let desk = emulator.as_ref().map(RunningEmulator::desk);
    Ok(Built {
        connector: Arc::new(AmazonConnect::new(settings)),
        emulator,
        webhooks: None,
        desk,
    })
}

async fn build_glia(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section = &config.glia;
    let key_id = config.secret(
        "glia.api_key_id_env",
        section.api_key_id_env.as_deref(),
        "HANDOFF_GLIA_KEY_ID",
        None,
    )?;
    let key_secret = config.secret(
        "glia.api_key_secret_env",
        section.api_key_secret_env.as_deref(),
        "HANDOFF_GLIA_KEY_SECRET",
        None,
    )?;
    let app_token = config.secret(
        "glia.application_token_env",
        section.application_token_env.as_deref(),
        "HANDOFF_GLIA_APP_TOKEN",
        None,
    )?;
    let listener = WebhookListener::bind(
        config.webhook_listen()?,
        config.webhook.public_base_url.as_deref(),
    )
    .await?;
    let emulated = key_id.is_none() || key_secret.is_none();
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
                let emulator = emulators::glia::spawn(loopback(), options).await?;
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
    let settings = glia::Settings {
        api_base,
        site_id,
        queue_id,
        api_key_id: key_id,
        api_key_secret: key_secret,
        application_token,
        retry: config.retry_policy(),
    };
    let connector = Glia::new(settings, &listener);
    let desk = emulator.as_ref().map(RunningEmulator::desk);
    Ok(Built {
        connector: Arc::new(connector),
        emulator,
        webhooks: Some(listener),
        desk,
    })
}
