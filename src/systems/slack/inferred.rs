//! Slack facts both sides share, each marked [DOC] (Slack's documentation, see `PROTOCOL.md`)
//! or [INFER] (not stated there; correct it here, once).

/// [DOC] A section block's text holds at most 3,000 characters.
pub const SECTION_MAX_CHARS: usize = 3000;

/// [DOC] A message holds at most 50 blocks.
pub const MAX_BLOCKS: usize = 50;

/// [DOC] `text` over 40,000 characters is refused (`msg_too_long`).
pub const TEXT_MAX_CHARS: usize = 40_000;

/// [DOC] A button's `value` holds at most 2,000 characters.
pub const BUTTON_VALUE_MAX_CHARS: usize = 2000;

/// [INFER] The `action_id` of the Accept button, this project's own name.
pub const ACCEPT_ACTION: &str = "handoff_accept";

/// [DOC] The Web API's base URL.
pub const API_BASE: &str = "https://slack.com/api";

/// [DOC] Error names that mean the token is wrong, missing or revoked.
pub const AUTH_ERRORS: &[&str] = &[
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
];
