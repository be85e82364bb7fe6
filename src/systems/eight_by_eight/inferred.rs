//! **8x8 payloads the public documentation does not give.** Everything here is inferred
//! ([INFER]) or made up for the emulator ([NOT PUBLIC]); the connector and the emulator both
//! use these definitions, so correcting one against a real tenant corrects both.
//!
//! | what | status | where used |
//! |---|---|---|
//! | an agent's invitation of another agent is the agent desktop's own; the Chat Gateway's webhooks carry only the invitee's joining (`MEMBERS_CHANGED` joined, named by `AGENT_JOINED`), as for a barge-in | [INFER] | emulator's desk invites (`/__emu/agent/invite`), connector maps the join |
//! | agent name: only `AGENT_JOINED {agentId, agentName}` (chat workflow) carries it; the participants list has none ([DOC] by absence) | [DOC] example, its pairing with `MEMBERS_CHANGED` [INFER] | emulator sends both, connector announces the agent once ([`super::names`]) |
//! | queue timeout: `CONVERSATION_UPDATE` with `state: "closed"` and a `reason` | [NOT PUBLIC] | emulator sends, connector maps to `Ended(Timeout / NoAgent)` |
//! | availability: `GET /queues/{queueId}/availability` | [NOT PUBLIC] (8x8 points to its Real Time Statistics API) | connector; a 404 reads as "unknown" |
//! | `POST /webhooks` sends `version` (the reference marks `notificationVersion` required but describes the field `version`) | [INFER] | connector sends `version`, emulator takes either absent or `Chat Gateway v1.0` |
//! | no idempotency key on `POST /conversations` (none documented): a retry after a lost answer would open a second conversation | [DOC] by absence | connector does not retry it |
//! | `MESSAGE` with `isEcho: true` echoing the user's own message | [INFER] | emulator sends, connector ignores |
//! | a file message's `text` is the file name (the reference marks `text` required; an attachment-only message may be refused) | [INFER] | connector sends, emulator records it as a user message |
//! | the echo of a file message lists `attachments[{id, type, fileName}]` | [INFER] | emulator sends, connector ignores |
//! | an agent's file: a `MESSAGE` with `text: ""` and `attachments[{id, type, preSignedUrl, fileName}]`; `type` holds the MIME type | field names [DOC]; what `type` holds and the empty text [INFER] | emulator sends; connector reads `type` when it is a MIME type, else guesses from the name |
//! | the agent's file's size is not told (no such field) | [DOC] by absence | connector leaves it unknown |
//! | the `preSignedUrl` form: the emulator's own `/__emu/files/{id}` | [NOT PUBLIC]: made up | emulator |
//! | attachment size limit and refused file types, and the 400/413 problem codes for them | [NOT PUBLIC]: made up | emulator |
//! | no idempotency key on uploads or messages (none documented): a retried upload may leave an unused copy, a retried message may show the file twice | [INFER] | connector retries anyway |

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// [NOT PUBLIC] The `state` of a `CONVERSATION_UPDATE` that closes a conversation nobody took.
pub const CLOSED_STATE: &str = "closed";

/// [NOT PUBLIC] The `CONVERSATION_UPDATE` data the emulator sends when the queue gives up.
pub fn queue_timeout_data(queue_id: &str) -> Value {
    json!({
        "state": CLOSED_STATE,
        "reason": "QUEUE_TIMEOUT",
        "assignment": { "type": "queue", "id": queue_id },
    })
}

/// How a closing `CONVERSATION_UPDATE` ended the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The queue timed out.
    Timeout,
    /// No agent (any other reason).
    NoAgent,
}

/// [NOT PUBLIC] Whether `CONVERSATION_UPDATE` data closes the conversation, and how.
pub fn closed(data: &Value) -> Option<Closed> {
    if data.get("state").and_then(Value::as_str) != Some(CLOSED_STATE) {
        return None;
    }
    match data.get("reason").and_then(Value::as_str) {
        Some("QUEUE_TIMEOUT") => Some(Closed::Timeout),
        _ => Some(Closed::NoAgent),
    }
}

/// [NOT PUBLIC] The availability path for a queue.
pub fn availability_path(queue_id: &str) -> String {
    format!("/queues/{queue_id}/availability")
}

/// [NOT PUBLIC] The availability answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueAvailability {
    /// The queue.
    pub queue_id: String,
    /// Agents who can take a chat now.
    pub agents_available: u32,
}

/// [INFER] The text of the message that carries a file: its name. Valid whether or not 8x8
/// takes a message without text, and it tells the agent what arrived.
pub fn file_message_text(name: &str) -> String {
    name.to_owned()
}

/// [NOT PUBLIC] The largest file the emulator takes.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// [NOT PUBLIC] File extensions the emulator refuses (programs and scripts).
pub const REFUSED_EXTENSIONS: &[&str] = &[
    "exe", "bat", "cmd", "com", "msi", "scr", "dll", "js", "vbs", "ps1", "sh", "jar",
];

/// [NOT PUBLIC] The problem code of a file over [`MAX_ATTACHMENT_BYTES`] (HTTP 413).
pub const TOO_LARGE_CODE: &str = "ATTACHMENT_TOO_LARGE";

/// [NOT PUBLIC] The problem code of a refused file type (HTTP 400).
pub const REFUSED_TYPE_CODE: &str = "ATTACHMENT_TYPE_NOT_ALLOWED";

/// [NOT PUBLIC] The problem code of a message naming an attachment the conversation does not
/// have (HTTP 400).
pub const UNKNOWN_ATTACHMENT_CODE: &str = "INVALID_ATTACHMENT";
