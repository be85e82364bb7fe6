//! Webex facts both sides share, each marked [DOC] (Webex's documentation, see `PROTOCOL.md`)
//! or [INFER] (not stated there; correct it here, once).

/// [DOC] A message's `text` or `markdown` holds at most 7,439 bytes.
pub const MAX_MARKDOWN_BYTES: usize = 7439;

/// [DOC] The REST API's base URL.
pub const API_BASE: &str = "https://webexapis.com/v1";
