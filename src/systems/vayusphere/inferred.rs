//! **The Vayusphere contract is INVENTED.** Vayusphere publishes no API; Moveworks only says
//! its API handoff "is exclusively supported for Vayusphere, where a chat session can be
//! initiated and the user can be redirected". Every path, header, limit and body here and in
//! `connector/wire.rs` / `emulator/wire.rs` is ours, marked [INVENTED]; replace them here, once,
//! when a real contract is known. `PROTOCOL.md` documents the whole contract.
//!
//! | what | status |
//! |---|---|
//! | an API handoff starts a session and answers where to redirect the user | [DOC] Moveworks |
//! | `GET /v1/availability` → `{agents_available}` | [INVENTED] |
//! | `POST /v1/sessions` → 201 `{session_id, redirect_url, bot_name}` | [INVENTED] |
//! | `Authorization: Bearer <api key>` on every API call, 401 otherwise | [INVENTED] |
//! | `Idempotency-Key` on `POST /v1/sessions`: a repeat answers 200 with the same session | [INVENTED] |
//! | error body `{"error": {"code", "message"}}`; 429 with `Retry-After` | [INVENTED] |
//! | request bodies at most [`MAX_REQUEST_BYTES`], 413 `request_too_large` beyond | [INVENTED] |
//! | the user's page: `GET /chat/{session_id}`, no API key (the user's browser opens it) | [INVENTED] |

/// [INVENTED] Agents free to take a session.
pub const AVAILABILITY_PATH: &str = "/v1/availability";

/// [INVENTED] Starts a session.
pub const SESSIONS_PATH: &str = "/v1/sessions";

/// [INVENTED] The header that makes `POST /v1/sessions` safe to repeat.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// [INVENTED] The largest request body Vayusphere takes.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// [INVENTED] The longest utterance the connector sends, in bytes: it is cut at a character
/// boundary beyond, so that utterance, history and context stay within [`MAX_REQUEST_BYTES`].
pub const MAX_UTTERANCE_BYTES: usize = 8 * 1024;

/// [INVENTED] The bot a session redirects to when the answer names none.
pub const DEFAULT_BOT_NAME: &str = "Vayusphere Bot";

/// [INVENTED] The queue a session goes to when neither the routing nor the config names one.
pub const DEFAULT_QUEUE: &str = "general";

/// [INVENTED] The error codes, one per status the contract uses, as they go on the wire
/// (`invalid_request`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not a session request; the message names the field.
    InvalidRequest,
    /// 401: no API key, or not the tenant's.
    Unauthorized,
    /// 404: no such session (or forgotten, see the emulator's bound).
    NotFound,
    /// 413: the body is over [`MAX_REQUEST_BYTES`].
    RequestTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 429: too many requests; `Retry-After` says when to come back.
    RateLimited,
}

/// [INVENTED] Where the user's page for `session` is, under the service's base URL.
pub fn chat_path(session: &str) -> String {
    format!("/chat/{session}")
}

/// The first `max` bytes of `text` at most, cut at a character boundary.
pub fn cut_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_keeps_whole_characters() {
        assert_eq!(cut_at_char("abc", 8), "abc");
        assert_eq!(cut_at_char("ééé", 3), "é");
        assert_eq!(cut_at_char("😀x", 3), "");
        assert_eq!(cut_at_char("", 0), "");
    }
}
