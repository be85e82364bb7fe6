//! Protocol-faithful loopback emulators of the contact-center systems.
//!
//! Each emulator is an HTTP (and, for Amazon Connect, WebSocket) server on 127.0.0.1 that
//! serves the system's paths with its payloads, auth checks and status codes, backed by a
//! [`desk::SimDesk`] of simulated agents. The real connector is pointed at it unchanged.
//! Every emulator also serves the `/__emu` control endpoints ([`control`]) and honours injected
//! failures ([`fault`]). Payloads the public documentation does not give are kept in each
//! emulator's `inferred.rs`, so they can be corrected against a real tenant in one place.
//!
//! Start one with its `spawn(listen, options)`; the returned [`RunningEmulator`] tells its
//! base URL and stops the server when dropped.

pub mod channel;
pub mod control;
pub mod desk;

pub mod fault;
pub mod landing;
pub mod webhook;

use crate::connectors::AgentDesk;
use crate::connectors::http::{Api, RetryPolicy};
use axum::Router;
use desk::{AgentScript, Signal, SimDesk};
use fault::Faults;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What starting an emulator failed with.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// Emulators only listen on loopback, on an address that can be bound.
    #[error("emulator: {0}")]
    Listen(#[from] crate::loopback::ListenError),
    /// The emulator's signing key could not be made.
    #[error("emulator: {0}")]
    Crypto(String),
}

/// How an emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// The desk's agents, all available at start.
    pub agents: Vec<String>,
    /// What simulated agents do in each new conversation.
    pub script: AgentScript,
    /// The only credential accepted (the 8x8 API key, `ServiceNow` `user:password`, the Glia
    /// `key_id:secret`, the AWS access key id); any well-formed one when `None`.
    pub credentials: Option<String>,
    /// The queue's wait estimate reported to clients, in seconds.
    pub eta_secs: u64,
    /// The pause before a failed webhook delivery is retried.
    pub webhook_retry_delay: Duration,
    /// Webhook deliveries per event, the first included.
    pub webhook_attempts: u32,
    /// The desk's clock: when requests were queued, and how long the agents' scripted waits
    /// really take (the broker's demo time, `--time-scale`).
    pub clock: crate::clock::SharedClock,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            agents: vec!["Lisa".into(), "Marco".into()],
            script: AgentScript::greeting(Duration::from_millis(1500)),
            credentials: None,
            eta_secs: 30,
            webhook_retry_delay: Duration::from_millis(200),
            webhook_attempts: 3,
            clock: Arc::new(crate::clock::SystemClock),
        }
    }
}

/// A running emulator. Dropping it stops the server.
pub struct RunningEmulator {
    system: &'static str,
    addr: SocketAddr,
    desk: Arc<SimDesk>,
    faults: Arc<Faults>,
    cancel: CancellationToken,
}

crate::debug::debug_fields!(RunningEmulator { system, addr });

impl RunningEmulator {
    /// The system emulated, e.g. "8x8".
    pub fn system(&self) -> &'static str {
        self.system
    }

    /// `http://127.0.0.1:PORT`, where the connector's base URL should point.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The simulated desk, in process.
    pub fn sim(&self) -> Arc<SimDesk> {
        self.desk.clone()
    }

    /// The simulated desk as the broker's [`AgentDesk`] (for the console's agent inbox).
    pub fn desk(&self) -> Arc<dyn AgentDesk> {
        self.desk.clone()
    }

    /// The desk's events for the console's agent inbox (requests, assignments, ends,
    /// presence), keyed by the broker's conversation id.
    pub fn desk_events(&self) -> tokio::sync::broadcast::Receiver<crate::connectors::DeskEvent> {
        self.desk.subscribe()
    }

    /// The injected failures.
    pub fn faults(&self) -> Arc<Faults> {
        self.faults.clone()
    }

    /// Stops the server (also done on drop).
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }

    /// Resolves when the emulator has been told to stop.
    pub async fn stopped(&self) {
        self.cancel.cancelled().await;
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// What every emulator is backed by: the simulated desk (the options' agents and script), the
/// signals it sends, and the faults its routes obey.
pub(crate) struct DeskParts {
    /// The simulated desk.
    pub desk: Arc<SimDesk>,
    /// What the desk does, for the emulator to put on its wire.
    pub signals: mpsc::Receiver<(String, Signal)>,
    /// Injected failures.
    pub faults: Arc<Faults>,
}

impl DeskParts {
    /// A desk of `options`' agents playing its script, with no faults; a second agent may join
    /// a live chat when the system's API carries one (its folder's `SECOND_AGENT`).
    pub(crate) fn new(options: &EmulatorOptions, second_agent: bool) -> Self {
        let policy = crate::desk::Policy::emulated(second_agent);
        let (desk, signals) = SimDesk::from_options(options, policy);
        Self {
            desk,
            signals,
            faults: Arc::new(Faults::default()),
        }
    }

    /// Serves `app` on `listen` ([`serve`]) and hands each desk signal to `relay`
    /// ([`relay_signals`]) until the emulator stops.
    pub(crate) async fn serve<F, Fut>(
        self,
        system: &'static str,
        listen: SocketAddr,
        app: Router,
        relay: F,
    ) -> Result<RunningEmulator, EmulatorError>
    where
        F: FnMut(String, Signal) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let cancel = CancellationToken::new();
        relay_signals(self.signals, cancel.clone(), relay);
        serve(system, listen, app, self.desk, self.faults, cancel).await
    }
}

/// Binds `listen` (loopback only) and serves `app` plus the control routes until cancelled.
pub(crate) async fn serve(
    system: &'static str,
    listen: SocketAddr,
    app: Router,
    desk: Arc<SimDesk>,
    faults: Arc<Faults>,
    cancel: CancellationToken,
) -> Result<RunningEmulator, EmulatorError> {
    let (listener, addr) = crate::loopback::bind(listen).await?;
    let app = app
        .layer(axum::middleware::from_fn_with_state(
            faults.clone(),
            fault::inject,
        ))
        .merge(control::router(desk.clone(), faults.clone()));
    crate::loopback::serve_until(system, listener, app, cancel.clone());
    tracing::info!(system, %addr, "emulator up");
    Ok(RunningEmulator {
        system,
        addr,
        desk,
        faults,
        cancel,
    })
}

/// Spawns the task that hands each desk signal, in the desk's order, to `relay` (the emulator's
/// mapping onto its wire) until the desk closes or `cancel` fires. A signal is relayed to the end
/// before the next is taken, so the vendor's events keep the desk's order.
pub(crate) fn relay_signals<F, Fut>(
    mut signals: mpsc::Receiver<(String, Signal)>,
    cancel: CancellationToken,
    mut relay: F,
) where
    F: FnMut(String, Signal) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            let next = tokio::select! {
                () = cancel.cancelled() => return,
                next = signals.recv() => next,
            };
            let Some((conversation, signal)) = next else {
                return;
            };
            relay(conversation, signal).await;
        }
    });
}

/// The HTTP client an emulator calls its receivers with (webhooks, outbound endpoints, file
/// fetches): one attempt per call, since the vendors' own retries are [`webhook::deliver`]'s.
pub(crate) fn outbound_api(name: &str) -> Api {
    let policy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    Api::new(name, policy, Vec::new())
}
