//! Facts about Five9's chat console that its public documentation does not give, shared by
//! the connector and the emulator. Correct them here, once.

/// The hidden field the utterance travels in. `fields` itself is seen in public embed URLs;
/// the name `Question` is a Five9 convention not verified against a tenant. [INFER]
pub const QUESTION_FIELD: &str = "Question";

/// The most bytes of the utterance put in the address: no limit is documented, and browsers
/// and proxies refuse long addresses (8 KB is a common ceiling), so the utterance is kept well
/// under it. [INFER]
pub const MAX_FIELD_BYTES: usize = 1024;
