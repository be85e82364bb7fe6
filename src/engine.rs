//! From command-line options to a running broker: the mock desk, or a real system's connector
//! (against its embedded emulator when no credentials are configured).

use crate::broker::lasting::Lasting;
use crate::broker::routing::RoutingRules;
use crate::broker::{self, BrokerConfig, RunningBroker};
use crate::cli::EngineArgs;
use crate::emulators::EmulatorOptions;
use crate::emulators::desk::AgentScript;
use crate::protocol::HandoffStyle;
use crate::systems::Built;
use crate::systems::mock::{Autopilot, DeskConfig};
use crate::systems::{SystemName, SystemsConfig};
use anyhow::Context as _;
use std::net::SocketAddr;
use std::time::Duration;

/// The broker configuration the options describe, for the mock desk.
pub fn broker_config(args: &EngineArgs) -> anyhow::Result<BrokerConfig> {
    let mut config = BrokerConfig::for_style(args.style.into());
    if let Some(path) = &args.routing {
        config.assistant.routing = RoutingRules::load(path)?;
    }
    if let Some(ms) = args.autopilot {
        config.desk.autopilot = Some(Autopilot {
            accept_after: Duration::from_millis(ms),
            ..Autopilot::default()
        });
    }
    if let Some(agents) = &args.agents {
        config.desk.agents.clone_from(&agents.0);
    }
    if let Some(greeting) = &args.greeting {
        config.desk.greeting = Some(greeting.clone()).filter(|g| !g.is_empty());
    }
    config.desk.latency = Duration::from_millis(args.latency.unwrap_or(0));
    config.queue_timeout = Duration::from_secs(args.queue_timeout);
    if args.time_scale > 1 {
        config.clock = std::sync::Arc::new(crate::clock::ScaledClock::new(args.time_scale));
    }
    config.max_message_bytes = args.max_message_bytes;
    config.max_attachment_bytes = args
        .max_attachment_bytes
        .unwrap_or(crate::protocol::DEFAULT_MAX_ATTACHMENT_BYTES);
    if let Some(store) = &args.store {
        check_folder(store, "--store")?;
    }
    config.store.clone_from(&args.store);
    config.evict_after = Duration::from_secs(args.evict_after);
    config.allowed_origins.clone_from(&args.allow_origin);
    config.token = given_token(args)?;
    config.token_for_every_role = args.token_for_every_role;
    Ok(config)
}

/// The token the operator gave: `HANDOFF_TOKEN`, else `--token-file`.
pub fn given_token(args: &EngineArgs) -> anyhow::Result<Option<crate::connectors::redact::Secret>> {
    let env = std::env::var(crate::broker::trust::TOKEN_ENV).ok();
    Ok(crate::broker::trust::given_token(
        env,
        args.token_file.as_deref(),
    )?)
}

/// A running broker and the system it hands users over to.
pub struct Engine {
    /// The broker.
    pub broker: RunningBroker,
    /// The real system's connector, emulator and webhook listener, kept alive with the broker.
    pub system: Option<Built>,
    /// The embedded `LibreTranslate` emulator, when translation runs on it.
    pub translator: Option<crate::translate::emulator::RunningTranslator>,
    /// What the broker was started with, to start it again ([`Engine::restart`]).
    config: BrokerConfig,
    /// Run once at the next restart, between the old broker stopping and the new one starting.
    stopped: Option<StoppedHook>,
}

/// What [`Engine::on_stopped`] runs, given the address the stopped broker listened on.
type StoppedHook = Box<dyn FnOnce(SocketAddr) + Send>;

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("broker", &self.broker)
            .field("store", &self.config.store)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Where clients connect.
    pub fn url(&self) -> String {
        self.broker.url()
    }

    /// The embedded emulator's base URL, when one runs.
    pub fn emulator_url(&self) -> Option<String> {
        self.system
            .as_ref()
            .and_then(|b| b.emulator.as_ref())
            .map(crate::emulators::RunningEmulator::base_url)
    }

    /// The mock desk, when the broker runs on it (its "expire the queue now" control).
    pub fn mock_desk(&self) -> Option<crate::systems::mock::MockDesk> {
        let lasting = self.config.lasting.as_ref()?;
        lasting.mock_desk().cloned()
    }

    /// The transcript store the broker keeps conversations in, if any.
    pub fn store(&self) -> Option<&std::path::Path> {
        self.config.store.as_deref()
    }

    /// Runs `hook` once, at the next [`Engine::restart`], with the address the old broker
    /// listened on, after it stopped and before the new one starts (a test takes the port
    /// there, as another program could).
    pub fn on_stopped(&mut self, hook: impl FnOnce(SocketAddr) + Send + 'static) {
        self.stopped = Some(Box::new(hook));
    }

    /// Stops the broker and starts another on the same store, with the same token, on the same
    /// port (another when that one cannot be had again: see [`Engine::url`]). The system, its
    /// emulator and its live chats carry over: a connected chat goes on in the new broker,
    /// and clients reconnect with `since` (and the user's resume secret) to miss nothing.
    /// Without a store the new broker knows no conversation.
    pub async fn restart(mut self) -> anyhow::Result<Self> {
        if let Some(lasting) = &self.config.lasting {
            lasting.park();
        }
        let mut config = self.config.clone();
        config.listen = self.broker.addr();
        config.token = Some(self.broker.token().clone());
        self.broker.shutdown().await;
        if let Some(hook) = self.stopped.take() {
            hook(config.listen);
        }
        self.broker = match broker::start(config.clone()).await {
            Ok(broker) => broker,
            Err(broker::BrokerError::Bind { addr, source }) => {
                tracing::warn!(%addr, error = %source, "the old port is taken: a new one");
                config.listen.set_port(0);
                broker::start(config.clone()).await?
            }
            Err(e) => return Err(e.into()),
        };
        tracing::info!(url = self.broker.url(), "broker restarted");
        self.config = config;
        Ok(self)
    }

    /// Stops the broker, then the system's emulator and listener.
    pub async fn shutdown(self) {
        self.broker.shutdown().await;
        drop(self.system);
    }
}

/// Starts the broker the options describe, listening on `listen`.
pub async fn start(
    args: &EngineArgs,
    listen: SocketAddr,
    max_connections: usize,
) -> anyhow::Result<Engine> {
    let mut config = broker_config(args)?;
    config.listen = listen;
    config.max_connections = max_connections;
    // Read even for the mock desk, which uses none of it: a file named but missing or broken
    // is the user's mistake to hear about, not to run past.
    let systems = SystemsConfig::layered(args.config.as_deref(), args.config_over.as_deref())?;
    config.assistant.start_button = match &args.hours {
        Some(mode) => mode.clone(),
        None => broker::hours::from_config(&systems)?.unwrap_or_default(),
    };
    transcripts(args, &systems, &mut config)?;
    let brokering: BrokeringFile = systems.section("brokering")?;
    config.assistant.agent_avatar = !args.no_avatar && brokering.agent_avatar.unwrap_or(true);
    if let Some(bytes) = attachment_limit(args, &systems)? {
        config.max_attachment_bytes = bytes;
    }
    let translator = translation(args, &systems, &mut config).await?;
    let mut engine = match args.system {
        crate::systems::mock::NAME => {
            let desk = DeskConfig {
                clock: std::sync::Arc::clone(&config.clock),
                ..config.desk.clone()
            };
            config.lasting = Some(std::sync::Arc::new(Lasting::mock(desk)));
            Engine {
                broker: broker::start(config.clone()).await?,
                system: None,
                translator: None,
                config,
                stopped: None,
            }
        }
        system => {
            anyhow::ensure!(
                HandoffStyle::from(args.style) == HandoffStyle::Brokered,
                "--style is for the mock desk; {system} hands users over in its own style"
            );
            let mock_only = mock_only_options(args);
            anyhow::ensure!(
                mock_only.is_empty(),
                "{} {} for the mock desk; {system}'s agents are its own (or its emulator's)",
                mock_only.join(", "),
                if mock_only.len() == 1 { "is" } else { "are" }
            );
            let script = match args.autopilot {
                Some(ms) => AgentScript::greeting(Duration::from_millis(ms)),
                None => AgentScript::manual(),
            };
            let options = EmulatorOptions {
                script,
                agents: args.emulator_agents.clone().unwrap_or_default(),
                ..EmulatorOptions::default()
            };
            start_on_emulated_desk(system, &systems, options, config).await?
        }
    };
    engine.translator = translator;
    Ok(engine)
}

/// Turns on translation as `[translation]` or `--translate` say (the flag alone: the section's
/// settings when it has them, else the offline table); returns the emulator it runs on.
async fn translation(
    args: &EngineArgs,
    systems: &SystemsConfig,
    config: &mut BrokerConfig,
) -> anyhow::Result<Option<crate::translate::emulator::RunningTranslator>> {
    use crate::translate::config::{SECTION, TranslationFile, TranslationSettings};
    let file: TranslationFile = systems.section(SECTION)?;
    let mut settings = file.resolve(&systems.file)?;
    if let Some(flag) = &args.translate {
        let fixed = Some(flag.clone()).filter(|l| l != "auto");
        let mut on = settings.unwrap_or_else(|| TranslationSettings::offline(None));
        on.language = fixed.or(on.language);
        settings = Some(on);
    }
    let Some(settings) = settings else {
        return Ok(None);
    };
    let (service, emulator) = crate::translate::config::start(&settings, systems.retry_policy())
        .await
        .context("cannot start the LibreTranslate emulator")?;
    tracing::info!(
        translator = service.translator(),
        "live chats are translated"
    );
    config.translation = Some(service);
    Ok(emulator)
}

/// The mock desk's own options that `args` sets, which a real system would silently ignore
/// (also what `handoff run` skips a scenario for on another system).
pub(crate) fn mock_only_options(args: &EngineArgs) -> Vec<&'static str> {
    [
        (
            "--style",
            HandoffStyle::from(args.style) != HandoffStyle::Brokered,
        ),
        ("--agents", args.agents.is_some()),
        ("--greeting", args.greeting.is_some()),
        ("--latency", args.latency.is_some()),
    ]
    .into_iter()
    .filter_map(|(option, set)| set.then_some(option))
    .collect()
}

/// Starts a broker on `system`'s connector: against the real service when `systems` has its
/// credentials, else against its emulator started embedded, whose agents follow `script`.
pub async fn start_on_system(
    system: SystemName,
    systems: &SystemsConfig,
    script: AgentScript,
    config: BrokerConfig,
) -> anyhow::Result<Engine> {
    let options = EmulatorOptions {
        script,
        ..EmulatorOptions::default()
    };
    start_on_emulated_desk(system, systems, options, config).await
}

/// [`start_on_system`] with the emulator's `options` (its desk's agents when not empty; its
/// clock is always the broker's).
pub async fn start_on_emulated_desk(
    system: SystemName,
    systems: &SystemsConfig,
    mut options: EmulatorOptions,
    mut config: BrokerConfig,
) -> anyhow::Result<Engine> {
    if options.agents.is_empty() {
        options.agents = EmulatorOptions::default().agents;
    }
    // The emulator's desk keeps the broker's (demo) time.
    options.clock = std::sync::Arc::clone(&config.clock);
    let built = crate::systems::build_with(system, systems, options)
        .await
        .with_context(|| format!("cannot start the {system} connector"))?;
    // An API handoff routes to experts: the assistant asks the routing follow-up first.
    config.assistant.follow_ups |= built.connector.style() == HandoffStyle::Api;
    let link = (built.connector.clone(), built.desk.clone());
    config.lasting = Some(std::sync::Arc::new(Lasting::system(link)));
    let broker = broker::start(config.clone()).await?;
    Ok(Engine {
        broker,
        system: Some(built),
        translator: None,
        config,
        stopped: None,
    })
}

/// `[transcripts]` of `handoff.toml`: transcripts are off unless `enabled` (or `--transcripts`,
/// or `--store`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscriptsFile {
    /// Keep transcripts.
    #[serde(default)]
    enabled: bool,
    /// How long after its last event: `90s`, `30m`, `12h`, `1d` (the default).
    ttl: Option<String>,
    /// The SQLite file; `transcripts.sqlite` in the platform's data directory by default.
    store: Option<std::path::PathBuf>,
}

/// The `[brokering]` section of `handoff.toml`: how agents are shown to the user.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BrokeringFile {
    /// Whether the user sees the agent's avatar (on by default; `--no-avatar` turns it off).
    agent_avatar: Option<bool>,
}

/// Where transcripts are kept, if anywhere, and for how long: the options first, then
/// `[transcripts]`, then the defaults (off; a day).
fn transcripts(
    args: &EngineArgs,
    systems: &SystemsConfig,
    config: &mut BrokerConfig,
) -> anyhow::Result<()> {
    let file: TranscriptsFile = systems.section("transcripts")?;
    config.transcript_ttl = match (args.transcript_ttl, &file.ttl) {
        (Some(ttl), _) => ttl,
        (None, Some(text)) => {
            crate::store::ttl::parse_ttl(text).map_err(|e| systems.invalid("transcripts.ttl", e))?
        }
        (None, None) => crate::store::DEFAULT_TTL,
    };
    if !(args.transcripts || file.enabled || args.store.is_some()) {
        return Ok(());
    }
    let path = args
        .store
        .clone()
        .or(file.store)
        .or_else(default_transcript_store)
        .context(
            "transcripts are on but there is no data directory to keep them in: give --store FILE",
        )?;
    check_folder(&path, "the transcript store")?;
    config.store = Some(path);
    Ok(())
}

/// `[attachments]` of the config file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentsFile {
    /// The largest file, in bytes (as `--max-attachment-bytes`).
    max_bytes: Option<usize>,
}

/// `[attachments] max_bytes`, when `--max-attachment-bytes` does not override it; within the
/// option's bounds.
fn attachment_limit(args: &EngineArgs, systems: &SystemsConfig) -> anyhow::Result<Option<usize>> {
    let file: AttachmentsFile = systems.section("attachments")?;
    let most = crate::cli::MAX_ATTACHMENT_BYTES;
    match (args.max_attachment_bytes, file.max_bytes) {
        (None, Some(bytes)) if bytes > most => {
            let why = format!("{bytes} is over the most, {most} (256 MiB)");
            Err(systems.invalid("attachments.max_bytes", why).into())
        }
        (None, Some(bytes)) => Ok(Some(bytes)),
        _ => Ok(None),
    }
}

/// Where transcripts are kept when no file is named: `handoff/transcripts.sqlite` in the
/// platform's data directory.
pub fn default_transcript_store() -> Option<std::path::PathBuf> {
    dirs::data_dir().map(|d| d.join("handoff").join("transcripts.sqlite"))
}

/// Refuses `file` when what should be its folder exists and is not one, with a message that
/// names both (creating the folder would fail with a bare "File exists").
pub fn check_folder(file: &std::path::Path, option: &str) -> anyhow::Result<()> {
    match file.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if dir.exists() && !dir.is_dir() => anyhow::bail!(
            "{option} {}: {} is not a folder",
            file.display(),
            dir.display()
        ),
        _ => Ok(()),
    }
}
