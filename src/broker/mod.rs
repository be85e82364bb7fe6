//! The broker engine: a WebSocket server on loopback that runs conversations between simulated
//! users, the scripted assistant and a contact-center system (the mock desk or a real
//! connector). It knows nothing about the terminal.
//!
//! ```no_run
//! # async fn demo() -> Result<(), handoff::broker::BrokerError> {
//! let broker = handoff::broker::start(handoff::broker::BrokerConfig::default()).await?;
//! println!("{}", broker.url()); // ws://127.0.0.1:PORT
//! broker.shutdown().await;
//! # Ok(()) }
//! ```

pub mod assistant;
mod attachment;
mod frames_in;
pub mod handoff;
pub mod hours;
mod hub;
pub mod lasting;
mod metered;
pub mod platform;
pub mod routing;
mod server;
mod session;
pub use session::SESSION_QUEUE;
pub mod trust;

use crate::connectors::redact::Secret;
use crate::connectors::{AgentDesk, Connector};
use crate::protocol::{
    BrokerInfo, DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_MESSAGE_BYTES, HandoffStyle,
};
use crate::systems::mock::{DeskConfig, MockDesk};
use assistant::AssistantConfig;
use handoff::HandoffSettings;
use hub::{Hub, HubSettings};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The broker's fallback queue timeout (the brokering spec's 2 minutes).
pub const DEFAULT_QUEUE_TIMEOUT: Duration = Duration::from_secs(120);

/// How long an idle conversation nobody watches stays in memory by default.
pub const DEFAULT_EVICT_AFTER: Duration = Duration::from_secs(300);

/// A real system: its connector, and its simulated desk when it has one (emulators).
pub type SystemLink = (Arc<dyn Connector>, Option<Arc<dyn AgentDesk>>);

/// How the broker runs.
#[derive(Clone)]
pub struct BrokerConfig {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The mock desk's behaviour, used when no connector is given.
    pub desk: DeskConfig,
    /// A real system instead of the mock desk, with its simulated desk when it has one.
    pub connector: Option<SystemLink>,
    /// A system that outlives this broker (either of the two above), whose live chats a
    /// broker started next on the same store takes back; it replaces `desk` and `connector`.
    pub lasting: Option<Arc<lasting::Lasting>>,
    /// The assistant's rules.
    pub assistant: AssistantConfig,
    /// The broker's own queue timeout.
    pub queue_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
    /// The largest text frame accepted; larger ones close the connection with 1009.
    pub max_message_bytes: usize,
    /// The largest file a user may send in `attach` (0 takes none).
    pub max_attachment_bytes: usize,
    /// A SQLite transcript store: conversations are written to it (masked) and brought back
    /// from it. Transcripts are off (`None`) by default.
    pub store: Option<std::path::PathBuf>,
    /// How long the store keeps a conversation after its last event (purged at start and
    /// periodically).
    pub transcript_ttl: Duration,
    /// How long an ended or abandoned conversation stays in memory (it stays in the store).
    pub evict_after: Duration,
    /// The token clients prove themselves with; a fresh random one per run when `None`.
    /// Required when listening on a non-loopback address.
    pub token: Option<Secret>,
    /// Every role needs the token, users too (the console's own broker: only it talks to it).
    pub token_for_every_role: bool,
    /// Web origins (`scheme://host[:port]`) whose pages may connect; any other `Origin` is
    /// refused with 403.
    pub allowed_origins: Vec<String>,
    /// A connection that has not said `hello` by then is closed (1008).
    pub hello_timeout: Duration,
    /// A client that takes no frame for this long (it stopped reading) is closed (1008).
    pub write_timeout: Duration,
    /// Messages that may wait for one client; a client that lets more pile up is closed.
    pub session_queue: usize,
    /// The clock of every timer and timestamp (`--time-scale` runs it faster for demos).
    pub clock: crate::clock::SharedClock,
    /// Dynamic translation of live chats; off when `None`.
    pub translation: Option<crate::translate::flow::Translation>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        Self::for_style(HandoffStyle::Brokered)
    }
}

impl BrokerConfig {
    /// The defaults with the mock desk acting as `style`; the API style asks routing
    /// follow-ups, as expert routing does (seed 001).
    pub fn for_style(style: HandoffStyle) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            desk: DeskConfig::for_style(style),
            connector: None,
            lasting: None,
            assistant: AssistantConfig {
                follow_ups: style == HandoffStyle::Api,
                ..AssistantConfig::default()
            },
            queue_timeout: DEFAULT_QUEUE_TIMEOUT,
            max_connections: 256,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            store: None,
            transcript_ttl: crate::store::DEFAULT_TTL,
            evict_after: DEFAULT_EVICT_AFTER,
            token: None,
            token_for_every_role: false,
            allowed_origins: Vec::new(),
            hello_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            session_queue: session::SESSION_QUEUE,
            clock: Arc::new(crate::clock::SystemClock),
            translation: None,
        }
    }
}

impl std::fmt::Debug for BrokerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerConfig")
            .field("listen", &self.listen)
            .field("desk", &self.desk)
            .field(
                "connector",
                &self.connector.as_ref().map(|(c, _)| c.system().to_owned()),
            )
            .field("queue_timeout", &self.queue_timeout)
            .field("token", &self.token)
            .field("allowed_origins", &self.allowed_origins)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// Why the broker could not start.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The transcript store could not be opened or read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// No random token could be made.
    #[error(transparent)]
    Trust(#[from] trust::TrustError),
    /// A non-loopback listen address without a token given by the operator.
    #[error(
        "listening on {0} (not loopback) needs a token you choose: set HANDOFF_TOKEN or --token-file"
    )]
    TokenRequired(SocketAddr),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A broker that is running; dropping it leaves it running until the runtime ends.
#[derive(Debug)]
pub struct RunningBroker {
    addr: SocketAddr,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    system: String,
    style: HandoffStyle,
    token: Secret,
    clock: crate::clock::SharedClock,
}

impl RunningBroker {
    /// The token clients prove themselves with (`hello.token`, `Authorization: Bearer`).
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// The WebSocket URL clients connect to.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The system the broker hands users over to.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// Its handoff style.
    pub fn style(&self) -> HandoffStyle {
        self.style
    }

    /// The clock of its timers and timestamps.
    pub fn clock(&self) -> crate::clock::SharedClock {
        Arc::clone(&self.clock)
    }

    /// Closes every session ("going away") and waits for the tasks to finish.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        self.tracker.close();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.tracker.wait()).await;
    }

    /// A token that stops the broker when cancelled (for Ctrl+C handlers).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}

/// Binds the listener and starts the broker's tasks on the current runtime.
pub async fn start(config: BrokerConfig) -> Result<RunningBroker, BrokerError> {
    if !config.listen.ip().is_loopback() && config.token.is_none() {
        return Err(BrokerError::TokenRequired(config.listen));
    }
    let token = match config.token.clone() {
        Some(token) => token,
        None => trust::generate_token()?,
    };
    let bind_error = |source| BrokerError::Bind {
        addr: config.listen,
        source,
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let (hub_tx, hub_rx) = mpsc::channel(1024);
    // Users' requests: the hub holds this queue back while a desk-side client is backed up.
    // 256 requests at most wait in it (their answers fit in a session's queue twice over).
    let (intake_tx, intake_rx) = mpsc::channel(256);
    let tasks = Tasks {
        tracker: &tracker,
        hub: &hub_tx,
        shutdown: &shutdown,
    };
    // The mock desk reports its own view of each conversation; other desks' views are derived.
    let derive_desk_view = match &config.lasting {
        Some(lasting) => !lasting.reports_desk_view(),
        None => config.connector.is_some(),
    };
    let (connector, desk) = match (&config.lasting, config.connector.clone()) {
        (Some(lasting), _) => lasting.attach(&hub_tx),
        (None, Some(link)) => link,
        (None, None) => tasks.mock_desk(DeskConfig {
            clock: Arc::clone(&config.clock),
            ..config.desk.clone()
        }),
    };
    tasks.forward_traces(connector.as_ref());
    let system = connector.system().to_owned();
    let style = connector.style();
    // Resume secrets outlive the run when the store keeps their key.
    // Expired transcripts go before anything is read back from the store.
    let store = match &config.store {
        Some(path) => {
            let mut store = crate::store::Store::open(path)?;
            let purged = store.purge(config.clock.now_millis(), config.transcript_ttl)?;
            tracing::info!(purged, ttl = ?config.transcript_ttl, "transcripts kept, PII masked");
            // The TTL is demo time too: the purge follows the broker's clock.
            tracker.spawn(crate::store::ttl::purge_periodically(
                path.clone(),
                config.transcript_ttl,
                Arc::clone(&config.clock),
                shutdown.clone(),
            ));
            Some(store)
        }
        None => None,
    };
    let resume_key = match &store {
        Some(store) => store.resume_key()?,
        None => crate::random::random_bytes::<32>().map_err(trust::TrustError::from)?,
    };
    let settings = hub_settings(&config, &system, style, derive_desk_view, &resume_key);
    let mut hub = Hub::new(settings, connector, desk, hub_tx.clone());
    if let Some(store) = store {
        let conversations = store.conversations()?;
        let (writer, commits) = crate::store::StoreWriter::spawn(store);
        hub.restore(conversations, writer, commits);
    }
    tracker.spawn(hub.run(hub_rx, intake_rx, shutdown.clone()));
    let server = server::Server {
        listener,
        hub: hub_tx,
        intake: intake_tx,
        shutdown: shutdown.clone(),
        tracker: tracker.clone(),
        max_connections: config.max_connections,
        max_attachment_bytes: config.max_attachment_bytes,
        gate: Arc::new(trust::Gate {
            allowed_origins: config.allowed_origins.clone(),
            listen: addr,
            token: token.clone(),
        }),
        sessions: Arc::new(session_config(&config, &token)),
    };
    tracker.spawn(server.run());
    tracing::info!(%addr, system, %style, "broker listening");
    Ok(RunningBroker {
        addr,
        shutdown,
        tracker,
        system,
        style,
        token,
        clock: Arc::clone(&config.clock),
    })
}

/// What the broker's background tasks share: where they are tracked, the hub they feed, and
/// the token that stops them.
struct Tasks<'a> {
    tracker: &'a TaskTracker,
    hub: &'a mpsc::Sender<hub::HubMsg>,
    shutdown: &'a CancellationToken,
}

impl Tasks<'_> {
    /// Starts the mock desk, its events forwarded to the hub; it is both connector and desk.
    fn mock_desk(&self, config: DeskConfig) -> SystemLink {
        let (desk_tx, mut desk_rx) = mpsc::channel(1024);
        let mock = MockDesk::spawn(config, desk_tx);
        let (forward, stop) = (self.hub.clone(), self.shutdown.clone());
        self.tracker.spawn(async move {
            loop {
                let event = tokio::select! {
                    () = stop.cancelled() => break,
                    event = desk_rx.recv() => match event { Some(e) => e, None => break },
                };
                if forward.send(hub::HubMsg::Desk(event)).await.is_err() {
                    break;
                }
            }
        });
        (Arc::new(mock.clone()), Some(Arc::new(mock)))
    }

    /// Forwards the connector's calls to the hub, for clients that asked for traces. The
    /// broadcast keeps 256; a hub that falls further behind loses the oldest, with a warning.
    fn forward_traces(&self, connector: &dyn Connector) {
        use tokio::sync::broadcast::error::RecvError;
        let (trace_tx, mut trace_rx) = tokio::sync::broadcast::channel(256);
        connector.trace_to(trace_tx);
        let (forward, stop) = (self.hub.clone(), self.shutdown.clone());
        self.tracker.spawn(async move {
            loop {
                let call = tokio::select! {
                    () = stop.cancelled() => break,
                    call = trace_rx.recv() => match call {
                        Ok(call) => call,
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(missed, "call traces dropped: the hub fell behind");
                            continue;
                        }
                        Err(RecvError::Closed) => break,
                    },
                };
                if forward.send(hub::HubMsg::Trace(call)).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// The hub's settings from the broker's.
fn hub_settings(
    config: &BrokerConfig,
    system: &str,
    style: HandoffStyle,
    derive_desk_view: bool,
    resume_key: &[u8; 32],
) -> HubSettings {
    let queue_timeout_ms = u64::try_from(config.queue_timeout.as_millis()).unwrap_or(u64::MAX);
    HubSettings {
        handoff: HandoffSettings {
            assistant: Arc::new(config.assistant.clone()),
            style,
            queue_timeout_ms,
        },
        info: BrokerInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            system: system.to_owned(),
            style,
            queue_timeout_ms,
            max_message_bytes: config.max_message_bytes,
            max_attachment_bytes: config.max_attachment_bytes,
            transcript_ttl_ms: config
                .store
                .as_ref()
                .map(|_| u64::try_from(config.transcript_ttl.as_millis()).unwrap_or(u64::MAX)),
        },
        derive_desk_view,
        evict_after: config.evict_after,
        resume: trust::ResumeKey::new(resume_key),
        clock: Arc::clone(&config.clock),
        translation: config.translation.clone(),
    }
}

/// Every session's limits and credentials.
fn session_config(config: &BrokerConfig, token: &Secret) -> session::SessionConfig {
    // An `attach` frame carries the file in base64, so it may be larger than a message.
    let max_attach_frame = if config.max_attachment_bytes > 0 {
        let limit = crate::protocol::attach_frame_limit(config.max_attachment_bytes);
        config.max_message_bytes.max(limit)
    } else {
        config.max_message_bytes
    };
    session::SessionConfig {
        max_message_bytes: config.max_message_bytes,
        max_attach_frame,
        queue: config.session_queue.max(1),
        hello_timeout: config.hello_timeout,
        write_timeout: config.write_timeout,
        token: token.clone(),
        token_for_every_role: config.token_for_every_role,
    }
}
