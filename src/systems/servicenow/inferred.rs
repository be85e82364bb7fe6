//! **`ServiceNow` payloads the public documentation does not give.** The docs name the
//! `System`, `SwitchToLiveAgent` and `SwitchToVirtualAgent` action messages but show no JSON;
//! the view `awa_agent_presence_capacity` is only known from customer scripts. Both the
//! connector and the emulator use these definitions, so correcting them against a real
//! instance corrects both. Items are built as JSON values, so neither side's types leak into
//! the other (the connector reads them with its own types, the emulator posts them).
//!
//! | what | status |
//! |---|---|
//! | an agent's invitation of another agent into a live chat is the desk's own (Agent Workspace); the bot integration hears nothing of it until the invitee joins, as a second `SwitchToLiveAgent` with no transfer notice (as a barge-in) | [INFER] |
//! | `{"uiType":"ActionMsg","actionType":"System","message":"<text>"}` | [INFER] (see `PROTOCOL.md`) |
//! | `SwitchToLiveAgent` carrying `agentInfo` of the accepting agent | [INFER]; without it the connector names the agent at their first message |
//! | a second `SwitchToLiveAgent` while an agent is in the chat = transfer | [INFER] |
//! | the transfer notice text | [NOT PUBLIC] |
//! | `completed: true` sent when the agent closes | [INFER] (an open point of `PROTOCOL.md`) |
//! | capacity columns `ap_agent`, `ap_current_presence_state`, `ac_channel`, `ac_workload`, `ac_applied_max_capacity`, `aca_available` | [CODE] customer scripts |
//! | out-of-box Chat channel and Available state `sys_id`s | [CODE], check per instance |
//! | availability = rows with `ac_workload < ac_applied_max_capacity` | [INFER] |
//! | the 401 body `{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}` | [INFER] the platform's usual REST answer |
//! | a repeated `requestId` is answered `success` without being processed again | [INFER] (the docs only say it is unique per request) |
//! | an attachment it cannot fetch, or of a type it does not take, is answered on the response endpoint with a `System` message naming the file and why ([`attachment_refused`]) | [NOT PUBLIC]: made up |
//! | a message with attachments may have an empty `text` | [INFER] |
//! | a live agent's file reaches the client as an `OutputLink` item (the type is [DOC], its JSON is not) with `agentInfo`, the file name as `header` and `label`, the download link in `value.action`, and a made-up `contentType`, in an `agentChat` envelope ([`agent_file`]) | [NOT PUBLIC]: made up |

use serde_json::{Value, json};

/// [CODE] The out-of-box Chat service channel `sys_id`.
pub const CHAT_CHANNEL: &str = "27f675e3739713004a905ee515f6a7c3";

/// [CODE] The out-of-box "Available" presence state `sys_id`.
pub const AVAILABLE_STATE: &str = "0b10223c57a313005baaaa65ef94f970";

/// [CODE] The columns read for availability.
pub const CAPACITY_FIELDS: &str = "ap_agent,ac_workload,ac_applied_max_capacity,aca_available";

/// [INFER] The availability query.
pub fn capacity_query(channel: &str, available_state: &str) -> String {
    format!("aca_available=true^ac_channel={channel}^ap_current_presence_state={available_state}")
}

/// [INFER] Whether a capacity row can take a chat (`ac_workload < ac_applied_max_capacity`).
pub fn has_capacity(row: &serde_json::Map<String, Value>) -> Option<bool> {
    let number = |key: &str| -> Option<u64> {
        match row.get(key)? {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    };
    Some(number("ac_workload")? < number("ac_applied_max_capacity")?)
}

/// [INFER] A `System` action message.
pub fn system(text: &str) -> Value {
    json!({"uiType": "ActionMsg", "actionType": "System", "message": text})
}

/// [INFER] `SwitchToLiveAgent`, with the accepting agent's `agentInfo`.
pub fn switch_to_live_agent(agent_info: &Value) -> Value {
    json!({"uiType": "ActionMsg", "actionType": "SwitchToLiveAgent", "agentInfo": agent_info})
}

/// An `ActionMsg` of `kind` with no fields.
pub fn action(kind: &str) -> Value {
    json!({"uiType": "ActionMsg", "actionType": kind})
}

/// [DOC text] What `System` says when an agent joins.
pub const AGENT_ENTERED: &str = "A live agent has entered the chat";
/// [DOC text] What `System` says when the chat closes.
pub const CHAT_CLOSED: &str = "Either the live agent or the user closed the chat";
/// [DOC text] What `System` says when the queue times out.
pub const TIMED_OUT: &str = "The conversation with a live agent has timed out";
/// [NOT PUBLIC] What `System` says on a transfer.
pub const TRANSFERRING: &str = "You are being transferred to another agent";

/// [NOT PUBLIC] How a `System` message refusing an attachment begins.
pub const ATTACHMENT_REFUSED: &str = "The attachment could not be added";

/// [NOT PUBLIC] What `ServiceNow` posts back when it cannot take an attachment: a `System`
/// message naming the file and why (a failed fetch with its status, a type not allowed).
pub fn attachment_refused(file_name: &str, reason: &str) -> Value {
    system(&format!("{ATTACHMENT_REFUSED}: \"{file_name}\": {reason}"))
}

/// Whether a `System` text refuses an attachment.
pub fn is_attachment_refusal(text: &str) -> bool {
    text.starts_with(ATTACHMENT_REFUSED)
}

/// [INFER] Whether a `System` message announces a transfer ([`TRANSFERRING`]). A
/// `SwitchToLiveAgent` naming a new agent after it replaces the agent; without it, the new
/// agent joins the others (a second agent, a barge-in: `SwitchToLiveAgent` again, itself
/// [INFER]).
pub fn is_transfer(text: &str) -> bool {
    text.to_ascii_lowercase()
        .contains("transferred to another agent")
}

/// Whether a `System` text tells of a queue timeout.
pub fn is_timeout(text: &str) -> bool {
    text.to_ascii_lowercase().contains("timed out")
}

/// [INFER] The 401 body.
pub fn unauthorized() -> Value {
    json!({
        "error": { "message": "User Not Authenticated", "detail": "Required to provide Auth information" },
        "status": "failure",
    })
}

/// [DOC name] The `uiType` of a link item, which carries an agent's file ([`agent_file`]).
pub const OUTPUT_LINK: &str = "OutputLink";

/// [NOT PUBLIC] The item carrying the file `name`, sent by the agent of `agent_info`, of `content_type`, downloadable at
/// `url`.
pub fn agent_file(
    agent_info: &Value,
    name: &str,
    content_type: &str,
    url: &str,
    message_id: &str,
) -> Value {
    json!({
        "uiType": OUTPUT_LINK,
        "group": "DefaultOutputLink",
        "header": name,
        "label": name,
        "type": "action",
        "value": {"action": url},
        "contentType": content_type,
        "messageId": message_id,
        "agentInfo": agent_info,
    })
}
