//! Who may connect, and as whom.
//!
//! - The WebSocket handshake is refused (HTTP 403) when it carries an `Origin` that is not on
//!   the allow-list (a web page the user has open), or a `Host` that is neither a loopback name
//!   nor the listen address (a DNS-rebinding page).
//! - A [`Secret`] token of 256 random bits per broker run (or one given by the operator) proves
//!   the client is trusted: it may come in the handshake (`Authorization: Bearer`, or
//!   `?token=` for browsers, which cannot set headers) or in `hello.token`. It is compared in
//!   constant time and never printed.
//! - A user conversation is resumed only with its resume secret: an HMAC of the conversation id
//!   under a key of the broker's (kept in the store, so secrets survive a restart).

use crate::connectors::redact::Secret;
use crate::protocol::ConversationId;
use crate::random::{RandomError, random_bytes};
use aws_lc_rs::{constant_time, hmac};
use std::net::{IpAddr, SocketAddr};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};

/// The environment variable that gives the broker's token (its value, not a path).
pub const TOKEN_ENV: &str = "HANDOFF_TOKEN";

/// Why the OS random generator or a token source failed.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The operating system's random generator refused.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// The token file could not be read.
    #[error("cannot read the token file {path}: {source}")]
    TokenFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The token is too short to be a secret.
    #[error("the token from {from} is {len} characters; use at least 16 (e.g. 64 hex digits)")]
    ShortToken {
        /// Where it came from.
        from: String,
        /// Its length.
        len: usize,
    },
}

/// A fresh token: 256 bits from the OS RNG, in hex.
pub fn generate_token() -> Result<Secret, TrustError> {
    Ok(Secret::new(hex::encode(random_bytes::<32>()?)))
}

/// The token the operator gave: `HANDOFF_TOKEN` (the `env` value passed in), else the first
/// line of `file`. `None` when neither is given.
pub fn given_token(
    env: Option<String>,
    file: Option<&std::path::Path>,
) -> Result<Option<Secret>, TrustError> {
    let (value, from) = match (env.filter(|v| !v.trim().is_empty()), file) {
        (Some(v), _) => (v, TOKEN_ENV.to_owned()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|source| TrustError::TokenFile {
                path: path.to_owned(),
                source,
            })?;
            (
                text.lines().next().unwrap_or_default().to_owned(),
                path.display().to_string(),
            )
        }
        (None, None) => return Ok(None),
    };
    let value = value.trim().to_owned();
    if value.chars().count() < 16 {
        return Err(TrustError::ShortToken {
            from,
            len: value.chars().count(),
        });
    }
    Ok(Some(Secret::new(value)))
}

/// Whether `given` is the token, in time that does not depend on where they differ.
pub fn token_matches(token: &Secret, given: &str) -> bool {
    constant_time::verify_slices_are_equal(token.expose().as_bytes(), given.as_bytes()).is_ok()
}

/// What the handshake may carry, and what it proved.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Origins (`scheme://host[:port]`) whose pages may connect; none by default.
    pub allowed_origins: Vec<String>,
    /// The address the broker listens on; its `host:port` is a valid `Host`.
    pub listen: SocketAddr,
    /// The broker's token.
    pub token: Secret,
}

/// Whether the handshake carried the token (`Authorization: Bearer` or `?token=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandshakeAuth {
    /// The token was given and matched.
    pub token: bool,
}

impl Gate {
    /// Checks a handshake request: `Err` is the reason to refuse it with 403 (safe to log: it
    /// never contains the token).
    pub fn check(&self, request: &Request) -> Result<HandshakeAuth, String> {
        let headers = request.headers();
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("<not text>");
            if !self
                .allowed_origins
                .iter()
                .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin))
            {
                return Err(format!(
                    "origin {origin:?} is not allowed (allow it with --allow-origin)"
                ));
            }
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !self.host_allowed(host) {
            return Err(format!(
                "host {host:?} is neither loopback nor the listen address {}",
                self.listen
            ));
        }
        let bearer = headers
            .get(header::AUTHORIZATION)
            .map(|v| bearer_token(v).ok_or("the Authorization header is not `Bearer TOKEN`"))
            .transpose()?;
        let query = request.uri().query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.into_owned())
        });
        match bearer.or(query) {
            None => Ok(HandshakeAuth::default()),
            Some(given) if token_matches(&self.token, &given) => Ok(HandshakeAuth { token: true }),
            Some(_) => Err("wrong token in the handshake".to_owned()),
        }
    }

    /// A loopback name or address (any port), or the listen address itself; when listening on
    /// every interface, any IP address (a rebinding page can only name a host by DNS name).
    fn host_allowed(&self, host: &str) -> bool {
        let name = strip_port(host);
        if name.eq_ignore_ascii_case("localhost")
            || name.to_ascii_lowercase().ends_with(".localhost")
        {
            return true;
        }
        let ip = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>();
        match ip {
            Ok(ip) if ip.is_loopback() => true,
            Ok(_) if self.listen.ip().is_unspecified() => true,
            Ok(ip) => ip == self.listen.ip() && host_port(host) == Some(self.listen.port()),
            Err(_) => false,
        }
    }
}

/// The 403 answer to a refused handshake.
pub fn refusal(reason: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(format!("refused: {reason}\n")));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

fn bearer_token(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let (scheme, token) = text.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// `host` without its `:port` (IPv6 literals keep their brackets).
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..=h.len()]);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

fn host_port(host: &str) -> Option<u16> {
    let name = strip_port(host);
    host.get(name.len()..)?.strip_prefix(':')?.parse().ok()
}

/// The key that makes and checks resume secrets.
pub struct ResumeKey(hmac::Key);

impl ResumeKey {
    /// A key from 32 secret bytes (random, or kept in the store).
    pub fn new(bytes: &[u8; 32]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// The resume secret of `conversation`: 128 bits of its HMAC, in hex.
    pub fn secret(&self, conversation: &ConversationId) -> String {
        let tag = hmac::sign(&self.0, conversation.as_str().as_bytes());
        hex::encode(&tag.as_ref()[..16])
    }

    /// Whether `given` is `conversation`'s resume secret (constant time).
    pub fn verify(&self, conversation: &ConversationId, given: &str) -> bool {
        let expected = self.secret(conversation);
        constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok()
    }
}

impl std::fmt::Debug for ResumeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResumeKey([redacted])")
    }
}

#[cfg(test)]
mod tests;
