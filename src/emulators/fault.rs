//! Injected failures: the next N requests to a path fail the way a real service does.
//!
//! Set through `POST /__emu/fault` (or [`Faults::push`]):
//! `{"path":"/messages","status":500,"count":1,"mode":"reject"}`. Modes:
//! - `reject`: answer `status` without handling the request (a 5xx before the work, a 429);
//! - `after_processing`: handle it, then answer `status` (the response was lost: a client that
//!   retries without an idempotency key duplicates the work);
//! - `malformed`: handle it, then answer 2xx with a body the client cannot read;
//! - `bad_signature`: the next webhook the emulator sends is signed with a wrong key (the
//!   `path` is ignored);
//! - `timeout`: hold the request without handling it, longer than any client waits
//!   ([`TIMEOUT_HOLD`]), then answer `status` (a hung system: the client gives up first);
//! - `{"delay":{"ms":N}}`: wait N milliseconds, then handle the request normally (a slow
//!   system; `status` is ignored).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// How an injected failure behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultMode {
    /// Fail without handling the request.
    #[default]
    Reject,
    /// Handle the request, then fail.
    AfterProcessing,
    /// Handle the request, then answer an unreadable 2xx body.
    Malformed,
    /// Sign the next webhook with a wrong key.
    BadSignature,
    /// Hold the request unhandled for [`TIMEOUT_HOLD`], then fail: the client times out.
    Timeout,
    /// Wait, then handle the request normally.
    Delay {
        /// How long, in milliseconds.
        ms: u64,
    },
}

/// How long a `timeout` fault holds a request: past the connectors' longest timeout (their
/// default is 20 seconds; `[http] timeout_secs` sets it). A client that gives up closes the
/// connection, which ends the hold early.
pub const TIMEOUT_HOLD: std::time::Duration = std::time::Duration::from_secs(300);

/// One injected failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Requests whose path contains this fail (empty: any path).
    #[serde(default)]
    pub path: String,
    /// The status to answer.
    #[serde(default = "default_status")]
    pub status: u16,
    /// How many requests fail.
    #[serde(default = "default_count")]
    pub count: u32,
    /// `Retry-After` seconds to send with the status.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// How.
    #[serde(default)]
    pub mode: FaultMode,
    /// The error body; a generic JSON message when absent.
    #[serde(default)]
    pub body: Option<String>,
}

fn default_status() -> u16 {
    500
}

fn default_count() -> u32 {
    1
}

/// The pending failures of one emulator.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    /// Adds a failure.
    pub fn push(&self, fault: Fault) {
        self.lock().push(fault);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes one use of the first failure matching `path` (never `bad_signature` ones).
    pub fn take(&self, path: &str) -> Option<Fault> {
        self.take_where(|f| f.mode != FaultMode::BadSignature && path.contains(f.path.as_str()))
    }

    /// Takes one use of a pending `bad_signature` failure.
    pub fn take_bad_signature(&self) -> bool {
        self.take_where(|f| f.mode == FaultMode::BadSignature)
            .is_some()
    }

    fn take_where(&self, matches: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let mut faults = self.lock();
        let index = faults.iter().position(matches)?;
        let fault = faults[index].clone();
        if faults[index].count <= 1 {
            faults.remove(index);
        } else {
            faults[index].count -= 1;
        }
        Some(fault)
    }
}

fn failure(fault: &Fault) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = fault.body.clone().unwrap_or_else(|| {
        format!(
            r#"{{"message":"{}"}}"#,
            status.canonical_reason().unwrap_or("Injected failure")
        )
    });
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    if let Some(secs) = fault.retry_after
        && let Ok(value) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

/// Axum middleware applying [`Faults`] to every request outside `/__emu`.
pub async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/__emu") {
        return next.run(request).await;
    }
    let Some(fault) = faults.take(&path) else {
        return next.run(request).await;
    };
    tracing::info!(path, status = fault.status, mode = ?fault.mode, "injecting a fault");
    match fault.mode {
        FaultMode::Reject | FaultMode::BadSignature => failure(&fault),
        FaultMode::Delay { ms } => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            next.run(request).await
        }
        FaultMode::Timeout => {
            tokio::time::sleep(TIMEOUT_HOLD).await;
            failure(&fault)
        }
        FaultMode::AfterProcessing => {
            let _handled = next.run(request).await;
            failure(&fault)
        }
        FaultMode::Malformed => {
            let handled = next.run(request).await;
            let status = handled.status();
            let mut response = (status, r#"{"unexpected":"#).into_response();
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            response
        }
    }
}
