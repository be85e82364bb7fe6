//! **Amazon Connect behaviour the public documentation leaves open.** Used by the connector
//! and the emulator alike; correct here against a real instance.
//!
//! | what | status |
//! |---|---|
//! | queue and greeting texts arrive as `MESSAGE` with `ParticipantRole: SYSTEM` | [INFER] (flow "Send message" blocks) |
//! | a queue timeout is SYSTEM messages then `chat.ended` with no agent ever joined | [INFER] |
//! | `GetCurrentMetricData` response field names | [INFER] from general AWS knowledge |
//! | error bodies `{"Message": ...}` with the type in `x-amzn-ErrorType` | [INFER] |
//! | the texts the emulator's "flow" sends | [NOT PUBLIC]: made up |
//! | `GetTranscript` `StartPosition.Id` is exclusive | [INFER]; the connector deduplicates by item id either way |
//! | a WebSocket URL serves one connection (the emulator refuses a second use with 403) | [INFER]; the connector always asks for a fresh URL |

/// [NOT PUBLIC] What the emulator's flow says when the contact is queued.
pub const QUEUED_TEXT: &str = "Thank you for contacting us. You are now in the queue.";
/// [NOT PUBLIC] What the emulator's flow says when nobody takes the chat.
pub const NO_AGENT_TEXT: &str = "Sorry, no agent is available right now. Please try again later.";
/// [INFER] The attribute carrying the broker's conversation id.
pub const CONVERSATION_ATTRIBUTE: &str = "handoff_conversation";
/// [INFER] The attribute carrying the assistant transcript (agents see attributes in the CCP).
pub const HISTORY_ATTRIBUTE: &str = "handoff_history";
