//! The system's faults, through its emulator's control endpoints (`POST /__emu/fault`,
//! `POST /__emu/queue/timeout`). The mock desk has no emulator: a scenario with these steps is
//! skipped there, with the reason.

use super::Action;
use crate::emulators::fault::{Fault, FaultMode};
use std::time::Duration;

/// The longest a control call may take.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);

/// The emulator's fault, as `POST /__emu/fault` takes it, for a `fail` or `delay` step.
fn fault_of(action: &Action) -> Option<Fault> {
    match action {
        Action::Fail {
            count,
            status,
            retry_after,
            mode,
            path,
        } => Some(Fault {
            path: path.clone(),
            status: *status,
            count: *count,
            retry_after: *retry_after,
            mode: match mode.as_str() {
                "after_processing" => FaultMode::AfterProcessing,
                "malformed" => FaultMode::Malformed,
                "timeout" => FaultMode::Timeout,
                _ => FaultMode::Reject,
            },
            body: None,
        }),
        Action::Delay { ms, count } => Some(Fault {
            path: String::new(),
            status: 200,
            count: *count,
            retry_after: None,
            mode: FaultMode::Delay { ms: *ms },
            body: None,
        }),
        _ => None,
    }
}

/// Injects the fault of `action` into the emulator at `base` (its base URL); `conversation` is
/// the broker's conversation id, which the emulator's controls accept.
pub async fn inject(base: &str, action: &Action, conversation: &str) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(CONTROL_TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    let call = match fault_of(action) {
        Some(fault) => client.post(format!("{base}/__emu/fault")).json(&fault),
        None => client
            .post(format!("{base}/__emu/queue/timeout"))
            .json(&serde_json::json!({ "conversation": conversation })),
    };
    let answer = call
        .send()
        .await
        .map_err(|e| format!("the emulator's control endpoint failed: {e}"))?;
    let status = answer.status();
    if status.is_success() {
        return Ok(());
    }
    let body = answer.text().await.unwrap_or_default();
    Err(format!("the emulator refused the fault ({status}): {body}"))
}
