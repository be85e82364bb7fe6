//! `ServiceNow` Virtual Agent Bot Integration API: messages to the bot API, agents' replies to
//! the broker's response endpoint.
//!
//! Built against the real service when its credentials are configured, else against its
//! emulator started embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built, loopback, missing, webhook_listener};
use crate::connectors::ConnectorError;
use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::redact::Secret;
use crate::emulators::{EmulatorOptions, RunningEmulator};
use std::sync::Arc;

super::registry::system!("servicenow", aliases: ["service-now"], config: config::ServiceNowFile, capabilities: super::Capabilities::BROKERED);

/// Issue 15, rule 9: a second agent joins by another `SwitchToLiveAgent` with no transfer
/// notice before it [inferred: `inferred::is_transfer`]; messages name their agent.
pub const SECOND_AGENT: bool = true;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::ServiceNowFile = config.read()?;
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
    let [callback_secret] = config.env_secrets([(
        "servicenow.callback_token_env",
        &section.callback_token_env,
        "HANDOFF_SERVICENOW_CALLBACK_TOKEN",
    )])?;
    let header = section
        .callback_header
        .clone()
        .unwrap_or_else(|| "Authorization".into());
    let real_auth = match (bearer, password) {
        (Some(token), _) => Some(connector::Auth::Bearer(token)),
        (None, Some(password)) => {
            let username = section.username.clone().ok_or_else(|| {
                missing(config, "servicenow.username", "required with a password")
            })?;
            Some(connector::Auth::Basic { username, password })
        }
        (None, None) => None,
    };
    let listener = webhook_listener(config, real_auth.is_none()).await?;
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
            let emulator = emulator::spawn(loopback(), options).await?;
            let url = emulator.base_url();
            let auth = connector::Auth::Basic {
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
    let settings = connector::Settings {
        instance_url,
        auth,
        message_token,
        app_inbound_id: section.app_inbound_id.clone(),
        callback_auth: connector::CallbackAuth {
            header: header.clone(),
            value: value.clone(),
        },
        chat_channel_id: section
            .chat_channel_id
            .clone()
            .unwrap_or_else(|| connector::inferred::CHAT_CHANNEL.into()),
        available_state_id: section
            .available_state_id
            .clone()
            .unwrap_or_else(|| connector::inferred::AVAILABLE_STATE.into()),
        retry: config.retry_policy(),
    };
    let connector = connector::ServiceNow::new(settings, &listener);
    if let Some(emulator) = &emulator {
        configure_emulator(emulator, connector.webhook_url(), &header, &value).await?;
    }
    Ok(Built::new(Arc::new(connector), emulator, Some(listener)))
}

/// Points the `ServiceNow` emulator's outbound connection at `url` with the credential header.
pub async fn configure_emulator(
    emulator: &RunningEmulator,
    url: &str,
    header: &str,
    value: &Secret,
) -> Result<(), ConnectorError> {
    let api = Api::new(
        "ServiceNow emulator",
        RetryPolicy::default(),
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
