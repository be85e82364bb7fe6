//! What the four channel emulators (Slack, Teams, Google Chat, Webex) share: the record of
//! what they received (`GET /__emu/channel/received`), the requests queued on the [`SimDesk`]
//! so the console's inbox sees them (each post's reference line names its conversation: the
//! first is the request, later ones are the user's messages), and the acceptance
//! sent back when an agent takes a request on the desk, signed as the service (Slack) or the
//! acceptance hook's automation would sign it.
//!
//! Where acceptances go is set at spawn (embedded) or with `POST /__emu/channel/hook`
//! `{"url", "secret"}` (an emulator run alone).

use super::desk::{RequestInfo, Signal, SimDesk};
use super::fault::Faults;
use super::{EmulatorError, EmulatorOptions, RunningEmulator, webhook};
use crate::connectors::channel::accept::{sign, unix_now};
use crate::connectors::channel::reference_in;
use crate::connectors::http::{Api, Call, Method};
use crate::connectors::webhook::WebhookListener;
use crate::protocol::UserInfo;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_util::sync::CancellationToken;

/// How many received bodies are kept for `/__emu/channel/received` (oldest dropped first).
pub const RECORDED: usize = 256;

/// Where acceptances are sent, and the secret they are signed with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AcceptTarget {
    /// The connector's webhook route.
    pub url: String,
    /// The signing secret.
    pub secret: String,
}

/// How a service sends an acceptance: its headers, and its body for (conversation, agent).
#[derive(Debug, Clone, Copy)]
pub struct AcceptStyle {
    /// The signature header.
    pub signature: &'static str,
    /// The timestamp header.
    pub timestamp: &'static str,
    /// The content type of the body.
    pub content_type: &'static str,
    /// The body.
    pub body: fn(conversation: &str, agent: &str) -> Vec<u8>,
}

/// The acceptance hook's style (Teams, Webex, Google Chat): JSON `{conversation, agent}`,
/// signed under `X-Handoff-Signature`.
pub const HOOK_STYLE: AcceptStyle = AcceptStyle {
    signature: "x-handoff-signature",
    timestamp: "x-handoff-request-timestamp",
    content_type: "application/json",
    body: hook_body,
};

fn hook_body(conversation: &str, agent: &str) -> Vec<u8> {
    serde_json::json!({ "conversation": conversation, "agent": agent })
        .to_string()
        .into_bytes()
}

/// The secret an embedded emulator signs acceptances with.
pub const EMULATED_SECRET: &str = "emulated-signing-secret";

/// Where an embedded emulator sends acceptances: `listener`'s route `route`, signed with
/// [`EMULATED_SECRET`].
fn embedded_target(listener: &WebhookListener, route: &str) -> AcceptTarget {
    AcceptTarget {
        url: listener.url_of(route),
        secret: EMULATED_SECRET.into(),
    }
}

/// One received body, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    /// The request's path (secrets in it are the test's own).
    pub path: String,
    /// The body, as parsed JSON.
    pub body: Value,
}

#[derive(Default)]
struct Books {
    received: VecDeque<Received>,
    target: Option<AcceptTarget>,
}

/// The shared state of one channel emulator.
pub struct ChannelEmu {
    /// The desk requests are queued on.
    pub desk: Arc<SimDesk>,
    /// How the emulator behaves.
    pub options: EmulatorOptions,
    books: Mutex<Books>,
    style: AcceptStyle,
    api: Api,
}

/// The path an agent's reply on the desk is recorded under in `GET /__emu/channel/received`.
pub const THREAD_REPLY: &str = "(thread reply)";

impl ChannelEmu {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a body the service accepted or refused.
    pub fn record(&self, path: &str, body: Value) {
        let mut books = self.books();
        if books.received.len() >= RECORDED {
            books.received.pop_front();
        }
        books.received.push_back(Received {
            path: path.to_owned(),
            body,
        });
    }

    /// Whether `headers` carry `Bearer <token>` accepted by the options' credentials (any
    /// well-formed token when none are set).
    pub fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .trim();
        !token.is_empty()
            && self
                .options
                .credentials
                .as_deref()
                .is_none_or(|c| c == token)
    }

    /// Whether `secret` (from a URL) is accepted by the options' credentials.
    pub fn secret_ok(&self, secret: &str) -> bool {
        !secret.is_empty()
            && self
                .options
                .credentials
                .as_deref()
                .is_none_or(|c| c == secret)
    }

    /// A post with `text`: the conversation its reference line names, queued on the desk when
    /// new (the request), else the user's message there (a follow-up). `None` without a
    /// reference (a post from someone else).
    pub async fn post(&self, text: &str) -> Option<String> {
        let conversation = reference_in(text)?.to_owned();
        if self.desk.resolve(&conversation).is_ok() {
            let said = text.rsplit_once('\n').map_or(text, |(said, _)| said);
            if let Err(e) = self.desk.user_message(&conversation, said) {
                tracing::debug!(conversation, error = %e, "follow-up not on the desk");
            }
            return Some(conversation);
        }
        let info = RequestInfo {
            title: field(text, "Request").unwrap_or(text).to_owned(),
            user: UserInfo {
                id: String::new(),
                name: field(text, "User").unwrap_or_default().to_owned(),
                email: None,
            },
            topic: field(text, "Topic").unwrap_or_default().to_owned(),
            ..RequestInfo::default()
        };
        let eta = self.options.eta_secs;
        self.desk
            .open(&conversation, Some(conversation.clone()), eta, info)
            .await;
        Some(conversation)
    }

    /// Sends the acceptance of `conversation` by `agent` to the target, signed, retried as a
    /// webhook is.
    async fn accepted(&self, conversation: &str, agent: &str) {
        let Some(target) = self.books().target.clone() else {
            tracing::info!(
                conversation,
                "no acceptance target set: the acceptance stays on the desk"
            );
            return;
        };
        let body = (self.style.body)(conversation, agent);
        let attempt = |_retry| async {
            let stamp = unix_now();
            let call = Call::new("acceptance", Method::Post, target.url.as_str())
                .header("content-type", self.style.content_type)
                .header(self.style.timestamp, stamp.to_string())
                .header(self.style.signature, sign(&target.secret, stamp, &body))
                .raw_body(body.clone());
            webhook::status_of(&self.api.send(call).await)
        };
        let (attempts, delay) = (
            self.options.webhook_attempts,
            self.options.webhook_retry_delay,
        );
        webhook::deliver(&self.desk, "acceptance", attempts, delay, attempt).await;
    }
}

/// The value after `label:` on a line of a rendered post, markup trimmed.
fn field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let line = line.trim_start_matches(['*', '_']);
        let rest = line.strip_prefix(label)?.strip_prefix(':')?;
        Some(rest.trim_start_matches(['*', '_']).trim())
    })
}

/// What starting a channel emulator gives.
pub type Spawned = Result<RunningEmulator, EmulatorError>;

/// One channel emulator: the service's name, how it sends acceptances, its own routes.
#[derive(Debug, Clone, Copy)]
pub struct ChannelService {
    /// The system emulated, e.g. "slack".
    pub name: &'static str,
    /// How acceptances are sent.
    pub style: AcceptStyle,
    /// The service's own routes.
    pub routes: fn() -> Router<Arc<ChannelEmu>>,
}

/// Declares a channel emulator in its system's `emulator` module: `SERVICE` and the
/// registry's `spawn(listen, options)`.
/// `channel_emulator!("webex", HOOK_STYLE, routes);`
macro_rules! channel_emulator {
    ($name:literal, $style:expr, $routes:expr) => {
        #[doc = concat!("The ", $name, " emulator.")]
        pub const SERVICE: $crate::emulators::channel::ChannelService =
            $crate::emulators::channel::ChannelService {
                name: $name,
                style: $style,
                routes: $routes,
            };

        /// Starts the emulator on `listen` (loopback only); acceptances go where
        /// `POST /__emu/channel/hook` says.
        pub async fn spawn(
            listen: std::net::SocketAddr,
            options: $crate::emulators::EmulatorOptions,
        ) -> $crate::emulators::channel::Spawned {
            SERVICE.spawn(listen, options, None).await
        }
    };
}
pub(crate) use channel_emulator;

impl ChannelService {
    /// Starts the emulator on `listen` (loopback only), acceptances sent to `target` when
    /// given (else once set with `POST /__emu/channel/hook`).
    pub async fn spawn(
        &self,
        listen: SocketAddr,
        options: EmulatorOptions,
        target: Option<AcceptTarget>,
    ) -> Spawned {
        let (desk, signals) = SimDesk::from_options(&options, crate::desk::Policy::EMULATED);
        let emu = Arc::new(ChannelEmu {
            desk: desk.clone(),
            options,
            books: Mutex::new(Books {
                target,
                ..Books::default()
            }),
            style: self.style,
            api: super::outbound_api(&format!("{} emulator acceptance", self.name)),
        });
        let cancel = CancellationToken::new();
        let relayer = emu.clone();
        super::relay_signals(signals, cancel.clone(), move |conversation, signal| {
            let emu = relayer.clone();
            async move {
                match signal {
                    Signal::Joined { agent } => emu.accepted(&conversation, &agent.name).await,
                    // An agent's reply goes into the request's thread, where the service keeps
                    // it; the connector does not read threads back, so it is recorded here.
                    Signal::Message { agent, text, .. } => emu.record(
                        THREAD_REPLY,
                        serde_json::json!({
                            "conversation": conversation,
                            "agent": agent.name,
                            "text": text,
                        }),
                    ),
                    _ => {}
                }
            }
        });
        let app = (self.routes)()
            .route("/__emu/channel/received", get(received))
            .route("/__emu/channel/hook", post(set_target))
            .with_state(emu);
        let faults = Arc::new(Faults::default());
        super::serve(self.name, listen, app, desk, faults, cancel).await
    }

    /// Starts the emulator embedded on a loopback port, acceptances sent to `listener`'s
    /// route `route` signed with [`EMULATED_SECRET`].
    pub async fn embed(
        &self,
        options: EmulatorOptions,
        listener: &WebhookListener,
        route: &str,
    ) -> Spawned {
        let target = embedded_target(listener, route);
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        self.spawn(loopback, options, Some(target)).await
    }
}

async fn received(State(emu): State<Arc<ChannelEmu>>) -> Response {
    let received: Vec<Received> = emu.books().received.iter().cloned().collect();
    Json(received).into_response()
}

async fn set_target(
    State(emu): State<Arc<ChannelEmu>>,
    Json(target): Json<AcceptTarget>,
) -> Response {
    emu.books().target = Some(target);
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_from_any_markup() {
        let text =
            "**Live agent request**\n*User:* Alex\n**Request:** it is **slow**\nRef: handoff:c";
        assert_eq!(field(text, "User"), Some("Alex"));
        assert_eq!(field(text, "Request"), Some("it is **slow**"));
        assert_eq!(field(text, "Topic"), None);
    }
}
