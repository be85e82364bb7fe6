//! The acceptance coming back from a channel: a signed call to the webhook listener.
//!
//! Slack signs its interactivity payloads with the app's signing secret (scheme `v0`):
//! `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + X-Slack-Request-Timestamp + ":" +
//! body))`, refused when the timestamp is over [`MAX_SKEW_SECS`] old. The acceptance hook of
//! the other channels (this project's contract, for the Teams workflow that waits for the
//! card's answer, a Webex or Google Chat bot) is signed the same way under
//! `X-Handoff-Signature` / `X-Handoff-Request-Timestamp`, with the body
//! `{"conversation": "...", "agent": "..."}`.

use super::relay::{Accepted, Relay};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::{WebhookHandler, WebhookReply, WebhookRequest};
use async_trait::async_trait;
use aws_lc_rs::hmac;
use std::sync::Arc;

/// How old a signed timestamp may be, either way, in seconds (Slack's own advice: 5 minutes).
pub const MAX_SKEW_SECS: u64 = 300;

/// The signature and timestamp headers of a signing scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// The signature header, e.g. `x-slack-signature`.
    pub signature: &'static str,
    /// The timestamp header, e.g. `x-slack-request-timestamp`.
    pub timestamp: &'static str,
}

impl Scheme {
    /// Slack's request signing.
    pub const SLACK: Self = Self {
        signature: "x-slack-signature",
        timestamp: "x-slack-request-timestamp",
    };

    /// The acceptance hook of the other channels.
    pub const HANDOFF: Self = Self {
        signature: "x-handoff-signature",
        timestamp: "x-handoff-request-timestamp",
    };
}

/// `v0=` and the hex HMAC of `v0:{timestamp}:{body}` under `secret`.
pub fn sign(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut context = hmac::Context::with_key(&key);
    context.update(format!("v0:{timestamp}:").as_bytes());
    context.update(body);
    format!("v0={}", hex::encode(context.sign().as_ref()))
}

/// Seconds since the epoch.
pub fn unix_now() -> u64 {
    crate::protocol::now_millis() / 1000
}

/// Checks `request`'s signature under `scheme` and `secret` at `now`; the error says what is
/// wrong (never the secret).
pub fn verify(
    request: &WebhookRequest,
    scheme: Scheme,
    secret: &str,
    now: u64,
) -> Result<(), String> {
    let stamp = request
        .header(scheme.timestamp)
        .ok_or_else(|| format!("no {} header", scheme.timestamp))?;
    let stamp: u64 = stamp
        .trim()
        .parse()
        .map_err(|_| format!("{} is not a number of seconds", scheme.timestamp))?;
    if stamp.abs_diff(now) > MAX_SKEW_SECS {
        return Err(format!("{} is too old or in the future", scheme.timestamp));
    }
    let given = request
        .header(scheme.signature)
        .ok_or_else(|| format!("no {} header", scheme.signature))?;
    let given = given
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(|| format!("{} is not v0=<hex>", scheme.signature))?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = format!("v0:{stamp}:").into_bytes();
    signed.extend_from_slice(&request.body);
    hmac::verify(&key, &signed, &given).map_err(|_| format!("{} does not match", scheme.signature))
}

/// Who accepted which conversation, as a channel's payload says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// The broker's conversation.
    pub conversation: String,
    /// The agent, as the channel names them.
    pub agent: String,
}

/// Reads a signed payload: `Ok(None)` for a call that accepts nothing (another button).
pub type ParseFn = fn(&[u8]) -> Result<Option<Acceptance>, String>;

/// The webhook route acceptances come to: checks the signature, reads the payload, tells the
/// relay.
pub struct AcceptHook {
    relay: Arc<Relay>,
    scheme: Scheme,
    secret: Secret,
    parse: ParseFn,
}

impl AcceptHook {
    /// A route signed under `scheme` with `secret`, its payloads read by `parse`.
    pub fn new(relay: Arc<Relay>, scheme: Scheme, secret: Secret, parse: ParseFn) -> Self {
        Self {
            relay,
            scheme,
            secret,
            parse,
        }
    }
}

#[async_trait]
impl WebhookHandler for AcceptHook {
    async fn handle(&self, request: WebhookRequest) -> WebhookReply {
        if let Err(why) = verify(&request, self.scheme, self.secret.expose(), unix_now()) {
            tracing::warn!(why = %why, "channel acceptance refused");
            return WebhookReply::error(401, why);
        }
        match (self.parse)(&request.body) {
            Err(why) => WebhookReply::error(400, why),
            Ok(None) => WebhookReply::ok(),
            Ok(Some(accepted)) => {
                match self
                    .relay
                    .accept(&accepted.conversation, &accepted.agent)
                    .await
                {
                    Accepted::Told => WebhookReply::ok(),
                    // Answered 200 all the same: the agent's click is not an error to the
                    // service, the request is just over.
                    Accepted::Unknown => WebhookReply {
                        status: 200,
                        body: "that request is no longer open".into(),
                    },
                }
            }
        }
    }
}

/// The acceptance hook's body: `{"conversation", "agent"}`.
#[derive(Debug, serde::Deserialize)]
struct HookBody {
    conversation: String,
    agent: String,
}

/// Reads the acceptance hook's JSON body.
pub fn parse_hook(body: &[u8]) -> Result<Option<Acceptance>, String> {
    let hook: HookBody =
        serde_json::from_slice(body).map_err(|e| format!("acceptance body: {e}"))?;
    Ok(Some(Acceptance {
        conversation: hook.conversation,
        agent: hook.agent,
    }))
}
