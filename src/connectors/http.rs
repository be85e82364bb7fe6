//! The connectors' outbound HTTP: one shared client, retries, and errors that name the call.
//!
//! Every connector sends through an [`Api`]: it owns no socket of its own but a clone of the
//! process-wide `reqwest::Client` (connection pool, explicit timeouts), the system's name for
//! errors, the retry policy and the secrets to scrub out of error text.
//!
//! Policy ([`RetryPolicy`]):
//! - transport failures (connect errors, timeouts) and 5xx answers are retried with
//!   exponential backoff and full jitter, up to `max_attempts` in all, within one deadline;
//! - 429 waits for `Retry-After` (seconds or an HTTP date) when the server gives one, capped by
//!   `max_retry_after`, else backs off like a 5xx;
//! - 401 and 403 become [`ConnectorError::Unauthorized`] ("check the credentials") at once;
//! - any other status becomes [`ConnectorError::Status`] with the body's text, shortened and
//!   redacted.
//! - a 2xx whose body says it is JSON and is not becomes [`ConnectorError::Payload`] at once
//!   (not retried: the system may have done the work), whether or not the connector reads it,
//!   so every system words an unreadable answer the same.
//!
//! A retried request is sent byte for byte again, so the idempotency key it carries (Amazon
//! Connect's `ClientToken`, `ServiceNow`'s `requestId`, Glia's message id) makes the retry safe.
//! A live chat's messages are retried as a whole, key unchanged, by the chat runtime
//! ([`super::runtime`]) when a connector asks for it; this policy's backoff paces those too.
//! No `reqwest` type leaves this module.

use super::ConnectorError;
use super::redact::{Secret, redact, shorten};
use super::trace::{TraceSlot, redact_body, redact_url};
use crate::protocol::{CallKind, CallTrace, now_millis};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long the shared client waits for a TCP/TLS connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest error text kept from a response body.
const DETAIL_CHARS: usize = 300;

fn shared_client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .pool_idle_timeout(Duration::from_secs(60))
                .user_agent(concat!("handoff/", env!("CARGO_PKG_VERSION")))
                .build()
                // Building only fails when the TLS backend cannot load; a client without the
                // custom settings still works, and every request sets its own timeout.
                .unwrap_or_else(|_| reqwest::Client::new())
        })
        .clone()
}

pub use super::retry::{RetryPolicy, parse_retry_after};

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// The slowest upload rate a request's timeout allows for (128 KiB/s): a call's timeout grows
/// by a second for each this many bytes of body.
pub const UPLOAD_BYTES_PER_SEC: u64 = 128 * 1024;

/// One API call: what to send and what to call it in errors.
#[derive(Debug, Clone)]
pub struct Call {
    name: String,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    /// Shared, so each retry resends it without a copy.
    body: Option<bytes::Bytes>,
}

impl Call {
    /// A call named `name` (e.g. "POST /conversations") to `url`.
    pub fn new(name: impl Into<String>, method: Method, url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body (and `Content-Type: application/json` unless set).
    #[must_use]
    pub fn json(mut self, body: &impl Serialize) -> Self {
        // Serializing our own wire structs cannot fail (string keys, no custom serializers).
        self.body = Some(serde_json::to_vec(body).unwrap_or_default().into());
        if !self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            self.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        self
    }

    /// Sets a raw body (the caller sets `Content-Type`); for bodies that must go out byte for
    /// byte as signed.
    #[must_use]
    pub fn raw_body(mut self, body: impl Into<bytes::Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The raw body bytes, for signers.
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_deref().unwrap_or_default()
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The headers set so far.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The call's name for errors.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A successful (2xx) answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: u16,
    headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    system: Arc<str>,
    call: String,
}

impl Reply {
    /// A response header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A body that says it is JSON (`application/json`, `+json`) must be JSON, or the answer
    /// is a [`ConnectorError::Payload`] for every connector alike, read or not.
    fn readable(&self) -> Result<(), ConnectorError> {
        let json = self.header("content-type").is_some_and(|t| {
            let essence = t
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        });
        if !json || self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.json::<serde::de::IgnoredAny>().map(drop)
    }

    /// The body as `T`, or a [`ConnectorError::Payload`] naming the call.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ConnectorError> {
        serde_json::from_slice(&self.body).map_err(|e| ConnectorError::Payload {
            system: self.system.to_string(),
            call: self.call.clone(),
            detail: format!(
                "{e} in {}",
                shorten(&String::from_utf8_lossy(&self.body), 120)
            ),
        })
    }
}

/// A system's handle on the shared HTTP client.
#[derive(Debug, Clone)]
pub struct Api {
    system: Arc<str>,
    client: reqwest::Client,
    policy: RetryPolicy,
    secrets: Vec<Secret>,
    trace: TraceSlot,
    /// Retry only answers saying the request was not processed (429), see [`Api::unkeyed`].
    refusals_only: bool,
}

impl Api {
    /// A handle for `system` with `policy`; `secrets` are scrubbed out of every error.
    pub fn new(system: impl Into<String>, policy: RetryPolicy, secrets: Vec<Secret>) -> Self {
        Self {
            system: Arc::from(system.into()),
            client: shared_client(),
            policy,
            secrets,
            trace: TraceSlot::default(),
            refusals_only: false,
        }
    }

    /// This handle for calls no idempotency key protects: a 429 (not processed) is still
    /// retried, a 5xx or a lost answer is not, since it may hide a success and a repeat would
    /// do the thing twice. Traces go where this handle's go.
    #[must_use]
    pub fn unkeyed(&self) -> Self {
        Self {
            refusals_only: true,
            ..self.clone()
        }
    }

    /// Where this system's calls are traced (shared by every clone of this handle).
    pub fn trace_slot(&self) -> &TraceSlot {
        &self.trace
    }

    /// The system's name.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The retry policy.
    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// A [`ConnectorError::Payload`] for `call`.
    pub fn payload_error(&self, call: &str, detail: impl Into<String>) -> ConnectorError {
        ConnectorError::Payload {
            system: self.system.to_string(),
            call: call.to_owned(),
            detail: detail.into(),
        }
    }

    fn scrub(&self, text: &str) -> String {
        let secrets: Vec<&Secret> = self.secrets.iter().collect();
        redact(text, &secrets)
    }

    /// Sends `call`, retrying per the policy; `Ok` only for a 2xx answer. The call's timeout
    /// ([`Api::timeout_for`]) is one deadline for every attempt and wait together, so a hung
    /// system fails the call (and the user is told) within it, retries included.
    pub async fn send(&self, call: Call) -> Result<Reply, ConnectorError> {
        let attempts = self.policy.max_attempts.max(1);
        let deadline = tokio::time::Instant::now() + self.timeout_for(&call);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= attempts;
            let (at, started) = (now_millis(), std::time::Instant::now());
            let budget = deadline.saturating_duration_since(tokio::time::Instant::now());
            let outcome = self.attempt(&call, budget).await;
            self.record(&call, at, started.elapsed(), &outcome);
            let wait = match outcome {
                Ok(reply) => return Ok(reply),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retryable { error, retry_after }) => {
                    let refused = matches!(error, ConnectorError::Status { status: 429, .. });
                    if last || (self.refusals_only && !refused) {
                        return Err(error);
                    }
                    let wait = match retry_after {
                        Some(after) if after > self.policy.max_retry_after => return Err(error),
                        Some(after) => after,
                        None => self.policy.backoff(attempt),
                    };
                    if tokio::time::Instant::now() + wait >= deadline {
                        return Err(error);
                    }
                    wait
                }
            };
            tracing::debug!(
                system = %self.system, call = %call.name, attempt, wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, call: &Call, budget: Duration) -> Result<Reply, Failure> {
        let method = match call.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, &call.url).timeout(budget);
        for (name, value) in &call.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &call.body {
            builder = builder.body(body.clone());
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => return Err(self.transport_failure(call, &e)),
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(n, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (n.as_str().to_owned(), v.to_owned()))
            })
            .collect();
        let body = match response.bytes().await {
            Ok(body) => body.to_vec(),
            Err(e) => return Err(self.transport_failure(call, &e)),
        };
        if (200..300).contains(&status) {
            let reply = Reply {
                status,
                headers,
                body,
                system: self.system.clone(),
                call: call.name.clone(),
            };
            // Handled, perhaps: not retried, whether or not the connector reads the body.
            return reply.readable().map(|()| reply).map_err(Failure::Final);
        }
        let retry_after = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| parse_retry_after(v));
        let detail = self.scrub(&shorten(&String::from_utf8_lossy(&body), DETAIL_CHARS));
        let system = self.system.to_string();
        let name = call.name.clone();
        tracing::warn!(system = %system, call = %name, status, detail = %detail, "upstream error");
        match status {
            401 | 403 => Err(Failure::Final(ConnectorError::Unauthorized {
                system,
                call: name,
                status,
            })),
            429 => {
                let detail = match retry_after {
                    Some(after) => {
                        format!("rate limited, retry after {}s: {detail}", after.as_secs())
                    }
                    None => format!("rate limited: {detail}"),
                };
                Err(Failure::Retryable {
                    error: ConnectorError::Status {
                        system,
                        call: name,
                        status,
                        detail,
                    },
                    retry_after,
                })
            }
            500..=599 => Err(Failure::Retryable {
                error: ConnectorError::Status {
                    system,
                    call: name,
                    status,
                    detail,
                },
                retry_after: None,
            }),
            _ => Err(Failure::Final(ConnectorError::Status {
                system,
                call: name,
                status,
                detail,
            })),
        }
    }

    /// Traces one attempt for the inspector, redacted.
    fn record(&self, call: &Call, at: u64, took: Duration, outcome: &Result<Reply, Failure>) {
        self.trace.record(|| {
            let secrets: Vec<&Secret> = self.secrets.iter().collect();
            let (status, response, error) = match outcome {
                Ok(reply) => (Some(reply.status), redact_body(&reply.body, &secrets), None),
                Err(Failure::Final(e) | Failure::Retryable { error: e, .. }) => match e {
                    ConnectorError::Status { status, detail, .. } => {
                        (Some(*status), Some(detail.clone()), None)
                    }
                    ConnectorError::Unauthorized { status, .. } => (Some(*status), None, None),
                    other => (None, None, Some(other.to_string())),
                },
            };
            CallTrace {
                at,
                system: self.system.to_string(),
                name: call.name.clone(),
                kind: CallKind::Http,
                method: Some(call.method.as_str().to_owned()),
                url: redact_url(&call.url, &secrets),
                status,
                duration_ms: Some(took.as_millis() as u64),
                request: call.body.as_deref().and_then(|b| redact_body(b, &secrets)),
                response,
                error,
            }
        });
    }

    /// The call's deadline: the policy's timeout, plus one second per [`UPLOAD_BYTES_PER_SEC`] of body: an upload
    /// of megabytes over a slow link is not a hung request.
    fn timeout_for(&self, call: &Call) -> Duration {
        let body = call.body.as_ref().map_or(0, bytes::Bytes::len) as u64;
        self.policy.request_timeout + Duration::from_secs(body / UPLOAD_BYTES_PER_SEC)
    }

    fn transport_failure(&self, call: &Call, e: &reqwest::Error) -> Failure {
        let detail = if e.is_timeout() {
            format!(
                "no answer within the call's {}s deadline (retries included)",
                self.timeout_for(call).as_secs_f32()
            )
        } else if e.is_connect() {
            "connection failed".to_owned()
        } else {
            self.scrub(&error_chain(e))
        };
        Failure::Retryable {
            error: ConnectorError::Transport {
                system: self.system.to_string(),
                call: call.name.clone(),
                detail,
            },
            retry_after: None,
        }
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

enum Failure {
    Final(ConnectorError),
    Retryable {
        error: ConnectorError,
        retry_after: Option<Duration>,
    },
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
