//! A connector's call to its system as one line for a note over the system:
//! `POST /api/now/va/bot/integration 200 · {"action":"START_CONVERSATION"…`. The URL keeps its
//! path and query; credentials are redacted again here (as the inspector's traces are), so a
//! picture pasted into a bug report carries no token even from a trace recorded without it.

use crate::connectors::trace::{redact_body, redact_url};
use crate::protocol::{CallKind, CallTrace};

/// The most calls one picture notes; the rest are counted in one last note.
pub const MAX_CALL_NOTES: usize = 200;

/// The most characters of a body a note shows, `…` after.
pub const BODY_EXCERPT: usize = 60;

/// The most characters of a path and query a note shows, `…` after.
pub const PATH_EXCERPT: usize = 80;

/// The note of one call: the method, the path and query, the status (or why it failed), and
/// the start of what was sent (or, for a frame or callback received, what came).
pub fn call_note(call: &CallTrace) -> String {
    let path = excerpt(&redact_url(&path_of(&call.url), &[]), PATH_EXCERPT);
    let method = call.method.as_deref().unwrap_or("");
    let head = match call.kind {
        CallKind::Http => {
            let outcome = match (call.status, &call.error) {
                (Some(status), _) => status.to_string(),
                (None, Some(error)) => format!("failed: {error}"),
                (None, None) => "no answer".into(),
            };
            format!("{method} {path} {outcome}")
        }
        CallKind::WsOut => format!("WS send {} {path}", call.name),
        CallKind::WsIn => format!("WS receive {} {path}", call.name),
        CallKind::Webhook => format!("webhook {method} {path}"),
    };
    let body = match call.kind {
        CallKind::WsIn | CallKind::Webhook => call.response.as_ref().or(call.request.as_ref()),
        CallKind::Http | CallKind::WsOut => call.request.as_ref(),
    };
    let line = match body.and_then(|b| redact_body(b.as_bytes(), &[])) {
        Some(body) => format!("{head} · {}", excerpt(&body, BODY_EXCERPT)),
        None => head,
    };
    crate::text::clean_text(&line, false)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The path and query of `url` (its scheme, host and credentials are the system's, not the
/// call's); the text itself when it is no URL.
fn path_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.has_host() => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// At most `max` characters of `text`, `…` when cut.
fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
