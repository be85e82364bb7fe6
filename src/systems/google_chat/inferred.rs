//! Google Chat facts both sides share, each marked [DOC] (Google's documentation, see
//! `PROTOCOL.md`) or [INFER] (not stated there; correct it here, once).

/// [DOC] A message holds at most 32,000 bytes.
pub const MAX_MESSAGE_BYTES: usize = 32_000;

/// [DOC] A thread key holds at most 4,000 characters.
pub const MAX_THREAD_KEY_CHARS: usize = 4000;

/// [DOC] Reply in the keyed thread, or start it: without this option the key is ignored.
pub const REPLY_OPTION: &str = "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD";

/// [DOC] The reply options `messageReplyOption` takes.
pub const REPLY_OPTIONS: &[&str] = &[
    "MESSAGE_REPLY_OPTION_UNSPECIFIED",
    REPLY_OPTION,
    "REPLY_MESSAGE_OR_FAIL",
];
