//! Teams facts both sides share, each marked [DOC] (Microsoft's documentation, see
//! `PROTOCOL.md`) or [INFER] (not stated there; correct it here, once).

/// [DOC] A message posted through a webhook or a workflow holds at most 28 KB.
pub const MAX_MESSAGE_BYTES: usize = 28 * 1024;

/// [DOC] The attachment content type of an Adaptive Card.
pub const CARD_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// [INFER] The Adaptive Card version sent: one every Teams client renders.
pub const CARD_VERSION: &str = "1.4";

/// [INFER] The key of the Accept action's `data`, this project's own name; its value is the
/// conversation, which the workflow that waits for the card's answer passes on.
pub const ACCEPT_KEY: &str = "handoff_accept";
