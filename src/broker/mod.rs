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
pub mod bench;
pub mod handoff;
mod hub;
pub mod routing;
mod server;
mod session;

use crate::connectors::mock::{DeskConfig, MockDesk};
use crate::connectors::{AgentDesk, Connector};
use crate::protocol::{
    BrokerInfo, DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_MESSAGE_BYTES, HandoffStyle,
};
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
    /// A SQLite transcript store: conversations are written to it and brought back from it.
    pub store: Option<std::path::PathBuf>,
    /// How long an ended or abandoned conversation stays in memory (it stays in the store).
    pub evict_after: Duration,
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
            assistant: AssistantConfig {
                follow_ups: style == HandoffStyle::Api,
                ..AssistantConfig::default()
            },
            queue_timeout: DEFAULT_QUEUE_TIMEOUT,
            max_connections: 256,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            store: None,
            evict_after: DEFAULT_EVICT_AFTER,
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
            .finish_non_exhaustive()
    }
}

/// Why the broker could not start.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The transcript store could not be opened or read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
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
}

impl RunningBroker {
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
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| BrokerError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| BrokerError::Bind {
        addr: config.listen,
        source,
    })?;
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let (hub_tx, hub_rx) = mpsc::channel(1024);

    // The mock desk reports its own view of each conversation; other desks' views are derived.
    let derive_desk_view = config.connector.is_some();
    let (connector, desk): (Arc<dyn Connector>, Option<Arc<dyn AgentDesk>>) = match config.connector
    {
        Some((connector, desk)) => (connector, desk),
        None => {
            let (desk_tx, mut desk_rx) = mpsc::channel(1024);
            let mock = MockDesk::spawn(config.desk.clone(), desk_tx);
            let (forward, stop) = (hub_tx.clone(), shutdown.clone());
            tracker.spawn(async move {
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
    };
    // The connector's calls, for clients that asked for traces.
    let (trace_tx, mut trace_rx) = tokio::sync::broadcast::channel(256);
    connector.trace_to(trace_tx);
    let (forward, stop) = (hub_tx.clone(), shutdown.clone());
    tracker.spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
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
    let system = connector.system().to_owned();
    let style = connector.style();
    let settings = HubSettings {
        handoff: HandoffSettings {
            assistant: Arc::new(config.assistant),
            style,
            queue_timeout_ms: config.queue_timeout.as_millis() as u64,
        },
        info: BrokerInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            system: system.clone(),
            style,
            queue_timeout_ms: config.queue_timeout.as_millis() as u64,
            max_message_bytes: config.max_message_bytes,
            max_attachment_bytes: config.max_attachment_bytes,
        },
        derive_desk_view,
        evict_after: config.evict_after,
    };
    let mut hub = Hub::new(settings, connector, desk, hub_tx.clone());
    if let Some(path) = &config.store {
        let store = crate::store::Store::open(path)?;
        let conversations = store.conversations()?;
        let (writer, commits) = crate::store::StoreWriter::spawn(store);
        hub.restore(conversations, writer, commits);
    }
    tracker.spawn(hub.run(hub_rx, shutdown.clone()));
    let server = server::Server {
        listener,
        hub: hub_tx,
        shutdown: shutdown.clone(),
        tracker: tracker.clone(),
        max_connections: config.max_connections,
        max_message_bytes: config.max_message_bytes,
        max_attachment_bytes: config.max_attachment_bytes,
    };
    tracker.spawn(server.run());
    tracing::info!(%addr, system, %style, "broker listening");
    Ok(RunningBroker {
        addr,
        shutdown,
        tracker,
        system,
        style,
    })
}
