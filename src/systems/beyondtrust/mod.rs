//! BeyondTrust Remote Support: the user is sent to the site with a session key from the
//! command API (`api` mode) or a `start_session` link (`url` mode).
//!
//! Built against the real site when its API account is configured (or, in `url` mode, its
//! site URL alone), else against its emulator started embedded on a loopback port.
//! `PROTOCOL.md` lists the sources.

pub mod config;
pub mod connector;
pub mod emulator;
pub mod inferred;

use super::SystemsConfig;
use super::registry::{BuildError, Built, loopback, missing};
use crate::connectors::redact::Secret;
use crate::emulators::EmulatorOptions;
use config::Mode;
use connector::{Account, Settings};
use std::sync::Arc;

super::registry::system!("beyondtrust", aliases: ["beyond-trust", "bomgar"], config: config::BeyondTrustFile, capabilities: super::Capabilities::NONE);

/// Issue 15, rule 9: the system's API carries no second agent in a chat (no invite, no
/// barge-in), so its emulator refuses them.
pub const SECOND_AGENT: bool = false;

/// The key secrets are reported under, and the default variable holding the client secret.
const SECRET_KEY: &str = "beyondtrust.client_secret_file";
const SECRET_ENV: &str = "HANDOFF_BEYONDTRUST_CLIENT_SECRET";

async fn build(config: &SystemsConfig, options: EmulatorOptions) -> Result<Built, BuildError> {
    let section: config::BeyondTrustFile = config.read()?;
    let queue = section.queue.clone();
    if section.mode == Mode::Url && connector::params::start_target(&queue).is_none() {
        let why = "a team queue has no start_session link; use mode = \"api\"";
        return Err(missing(config, "beyondtrust.queue", why).into());
    }
    let (env, file) = (&section.client_secret_env, &section.client_secret_file);
    let secret = config.secret(SECRET_KEY, env.as_deref(), SECRET_ENV, file.as_deref())?;
    let link_only = section.mode == Mode::Url && section.site_url.is_some();
    let (emulator, site_url, account) = match secret {
        Some(client_secret) => {
            let client_id = section.client_id.clone().ok_or_else(|| {
                missing(
                    config,
                    "beyondtrust.client_id",
                    "required with a client secret",
                )
            })?;
            let site = section.site_url.clone().ok_or_else(|| {
                missing(
                    config,
                    "beyondtrust.site_url",
                    "required with a client secret",
                )
            })?;
            let account = Account {
                client_id,
                client_secret,
            };
            (None, site, Some(account))
        }
        None if link_only => (None, section.site_url.clone().unwrap_or_default(), None),
        None if section.mode == Mode::Api && section.site_url.is_some() => {
            let why = "api mode needs the API account's secret (client_secret_env or _file)";
            return Err(missing(config, "beyondtrust.site_url", why).into());
        }
        None => {
            let emulator = emulator::spawn(loopback(), options).await?;
            let site = emulator.base_url();
            let account = Account {
                client_id: "emulated-client".into(),
                client_secret: Secret::new("emulated-secret"),
            };
            (Some(emulator), site, Some(account))
        }
    };
    let settings = Settings {
        site_url,
        account,
        mode: section.mode,
        queue,
        custom_fields: section.custom_fields.clone(),
        ttl_secs: section.ttl_secs,
        retry: config.retry_policy(),
    };
    let connector = connector::BeyondTrust::new(settings);
    Ok(Built::new(Arc::new(connector), emulator, None))
}
