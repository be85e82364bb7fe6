//! What a system is to the rest of `handoff`: a name, a config section, a way to build its
//! connector (against the real service when credentials are set, else against its embedded
//! emulator) and a way to run its emulator alone.

use super::SystemsConfig;
use crate::config::ConfigError;
use crate::connectors::webhook::{WebhookError, WebhookListener};
use crate::connectors::{AgentDesk, Connector, ConnectorError};
use crate::emulators::{EmulatorError, EmulatorOptions, RunningEmulator};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future, so that [`System`] can hold each system's async functions.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Builds a system's connector from the configuration.
pub type BuildFn =
    for<'a> fn(&'a SystemsConfig, EmulatorOptions) -> BoxFuture<'a, Result<Built, BuildError>>;

/// Starts a system's emulator alone on an address.
pub type EmulateFn =
    fn(SocketAddr, EmulatorOptions) -> BoxFuture<'static, Result<RunningEmulator, EmulatorError>>;

/// One contact-center system, as the registry lists it.
pub struct System {
    /// The name `--system` takes, e.g. `8x8`.
    pub name: SystemName,
    /// Other spellings `--system` accepts.
    pub aliases: &'static [&'static str],
    /// The system's section of the configuration file, when it has one.
    pub section: Option<&'static str>,
    /// Checks that section.
    pub check: fn(&SystemsConfig) -> Result<(), ConfigError>,
    /// Builds the connector; `None` for the mock desk, which the broker runs itself.
    pub build: Option<BuildFn>,
    /// Runs the emulator alone (`handoff emulate`); `None` when the system has none.
    pub emulate: Option<EmulateFn>,
    /// What it supports beyond text (barge-in, transfer, files, ...). Barge-in (issue 15, rule
    /// 9: a second agent in a live chat) and invite follow the folder's `SECOND_AGENT`
    /// constant, which its emulator's desk policy reads too.
    pub capabilities: super::Capabilities,
}

/// Declares a system folder's registry entry: `NAME`, `SYSTEM`, and the boxing of its
/// `build(config, options)` and `emulator::spawn(listen, options)` and `SECOND_AGENT`, which
/// the folder defines.
/// `system!("glia", aliases: [], config: config::GliaFile, capabilities: Capabilities::BROKERED);`
macro_rules! system {
    ($name:literal, aliases: $aliases:expr, config: $config:ty, capabilities: $caps:expr) => {
        #[doc = concat!("`--system ", $name, "`.")]
        pub const NAME: $crate::systems::SystemName = $crate::systems::SystemName::new($name);

        /// The registry's entry.
        pub const SYSTEM: $crate::systems::System = $crate::systems::System {
            name: NAME,
            aliases: &$aliases,
            section: Some(<$config as $crate::systems::Section>::NAME),
            check: |config| config.read::<$config>().map(drop),
            build: Some(|config, options| Box::pin(build(config, options))),
            emulate: Some(|listen, options| Box::pin(emulator::spawn(listen, options))),
            capabilities: $caps
                .with($crate::systems::Capability::BargeIn, SECOND_AGENT)
                .with($crate::systems::Capability::Invite, SECOND_AGENT),
        };
    };
}
pub(super) use system;

/// A system's name, checked against the registry: what `--system` parses into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SystemName(&'static str);

impl SystemName {
    /// The name of a system in the registry; only the systems' own folders make these.
    pub(super) const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// The name `--system` takes.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The registry's entry.
    pub fn system(self) -> Option<&'static System> {
        super::SYSTEMS.iter().copied().find(|s| s.name == self)
    }

    /// Every name `--system` takes, for messages.
    pub fn all() -> String {
        let names: Vec<&str> = super::SYSTEMS.iter().map(|s| s.name.as_str()).collect();
        names.join(", ")
    }
}

/// `--system` named no system in the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown system {given:?}; expected one of {expected}")]
pub struct UnknownSystem {
    /// What was given.
    pub given: String,
    /// The names the registry knows.
    pub expected: String,
}

impl std::str::FromStr for SystemName {
    type Err = UnknownSystem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.to_ascii_lowercase();
        super::SYSTEMS
            .iter()
            .find(|system| system.name.as_str() == wanted || system.aliases.contains(&&*wanted))
            .map(|system| system.name)
            .ok_or_else(|| UnknownSystem {
                given: s.to_owned(),
                expected: Self::all(),
            })
    }
}

impl std::fmt::Display for SystemName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// What building a system failed with.
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
    /// The system has no connector of its own to build (the mock desk runs in the broker) or
    /// no emulator to run.
    #[error("{0}: {1}")]
    Unsupported(SystemName, &'static str),
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

impl Built {
    /// A connector with its embedded emulator (when one runs) and webhook listener.
    pub fn new(
        connector: Arc<dyn Connector>,
        emulator: Option<RunningEmulator>,
        webhooks: Option<WebhookListener>,
    ) -> Self {
        let desk = emulator.as_ref().map(RunningEmulator::desk);
        Self {
            connector,
            emulator,
            webhooks,
            desk,
        }
    }
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
    match system.system().and_then(|s| s.build) {
        Some(build) => build(config, options).await,
        None => Err(BuildError::Unsupported(
            system,
            "not a connector of its own (the mock desk is built by the broker)",
        )),
    }
}

/// Starts the emulator of `system` on `listen`, for `handoff emulate`.
pub async fn emulate(
    system: SystemName,
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Result<RunningEmulator, BuildError> {
    match system.system().and_then(|s| s.emulate) {
        Some(emulate) => Ok(emulate(listen, options).await?),
        None => Err(BuildError::Unsupported(system, "has no emulator")),
    }
}

/// An ephemeral port on 127.0.0.1, where embedded emulators listen.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The webhook listener `[webhook]` describes, for a system reached at the real service.
/// A system on its embedded emulator (`emulated`) gets a listener of its own on an ephemeral
/// loopback port, under its loopback URL: the emulator posts on this machine, so the
/// configured port and public URL (which belong to the real service's callbacks) are not
/// its; and two brokers on one config file (`handoff run` plays scenarios in parallel) do not
/// collide on one port.
pub async fn webhook_listener(
    config: &SystemsConfig,
    emulated: bool,
) -> Result<WebhookListener, BuildError> {
    let (listen, public) = if emulated {
        (loopback(), None)
    } else {
        (
            config.webhook_listen()?,
            config.webhook.public_base_url.as_deref(),
        )
    };
    Ok(WebhookListener::bind(listen, public).await?)
}

/// The error for `key`, required because of `why`.
pub fn missing(config: &SystemsConfig, key: &str, why: &str) -> ConfigError {
    config.invalid(key, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config naming a fixed webhook port (taken by `busy`) and a public URL.
    fn fixed_port_config(busy: &std::net::TcpListener) -> SystemsConfig {
        let text = format!(
            "[webhook]\nlisten = \"{}\"\npublic_base_url = \"https://hooks.example.com\"\n",
            busy.local_addr().unwrap()
        );
        SystemsConfig::from_toml("h.toml", &text).unwrap()
    }

    #[tokio::test]
    async fn an_emulated_system_listens_on_its_own_loopback_port_whatever_the_file_says() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = fixed_port_config(&busy);
        let first = webhook_listener(&config, true).await.unwrap();
        let second = webhook_listener(&config, true).await.unwrap();
        assert_ne!(first.local_addr(), busy.local_addr().unwrap());
        assert_ne!(first.local_addr(), second.local_addr());
        assert!(first.local_addr().ip().is_loopback());
        let loopback_url = format!("http://{}/hooks/glia", first.local_addr());
        assert_eq!(first.url_of("glia"), loopback_url);
    }

    #[tokio::test]
    async fn the_real_service_gets_the_configured_port_and_public_url() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = fixed_port_config(&busy);
        let taken = webhook_listener(&config, false).await;
        assert!(taken.is_err(), "the configured port is the one bound");
        drop(busy);
        if let Ok(listener) = webhook_listener(&config, false).await {
            let public = "https://hooks.example.com/hooks/glia";
            assert_eq!(listener.url_of("glia"), public);
        }
    }
}
