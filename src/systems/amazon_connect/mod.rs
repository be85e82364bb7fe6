//! Amazon Connect chat: `StartChatContact`, then the participant service over a WebSocket,
//! requests signed with `SigV4`.
//!
//! Built against the real service when its credentials are configured, else against its
//! emulator started embedded on a loopback port. `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;
pub mod sigv4;

use super::SystemsConfig;
use super::registry::{BuildError, Built, loopback, missing};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use std::sync::Arc;

super::registry::system!("amazon-connect", aliases: ["amazon_connect", "connect"], config: config::AmazonConnectFile, capabilities: super::Capabilities::BROKERED);

/// Issue 15, rule 9: the API carries a second agent in a live chat: a second agent joins as another
/// `participant.joined` (`ParticipantRole=AGENT`), leaves as `participant.left`.
pub const SECOND_AGENT: bool = true;

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::AmazonConnectFile = config.read()?;
    let [key_id, secret, session_token] = config.env_secrets([
        (
            "amazon_connect.access_key_id_env",
            &section.access_key_id_env,
            "AWS_ACCESS_KEY_ID",
        ),
        (
            "amazon_connect.secret_access_key_env",
            &section.secret_access_key_env,
            "AWS_SECRET_ACCESS_KEY",
        ),
        (
            "amazon_connect.session_token_env",
            &section.session_token_env,
            "AWS_SESSION_TOKEN",
        ),
    ])?;
    let region = section.region.clone().unwrap_or_else(|| "us-east-1".into());
    let (emulator, credentials, control, participant, instance, flow, queues) =
        match (key_id, secret) {
            (Some(key_id), Some(secret)) => {
                let required = |value: &Option<String>, key: &str| {
                    value
                        .clone()
                        .ok_or_else(|| missing(config, key, "required with AWS credentials"))
                };
                let credentials = connector::sigv4::Credentials {
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
                let emulator = emulator::spawn(loopback(), options).await?;
                let base = emulator.base_url();
                let credentials = connector::sigv4::Credentials {
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
    let settings = connector::Settings {
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
    Ok(Built::new(
        Arc::new(connector::AmazonConnect::new(settings)),
        emulator,
        None,
    ))
}
