//! The system's faults, through its emulator's control endpoints (`POST /__emu/fault`,
//! `POST /__emu/queue/timeout`), or on the mock desk, which runs in the broker's process: its
//! queue can be expired now (`expire_queue`, as its queue timer would, so the user and the agents
//! hear what an emulator's queue timeout tells them), but it makes no calls to fail or slow, so a
//! scenario with `fail` or `delay` steps is skipped there, with the reason.

use super::Action;
use crate::emulators::fault::{Fault, FaultMode};
use std::time::Duration;

/// The longest a control call may take.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a system's faults go.
#[derive(Debug, Clone)]
pub enum FaultTarget {
    /// The base URL of the system's emulator (loopback).
    Emulator(String),
    /// The mock desk of a broker in this process.
    MockDesk(crate::systems::mock::MockDesk),
}

/// Where the faults of `engine`'s system go: its emulator, else its mock desk.
pub fn target_of(engine: &crate::engine::Engine) -> Option<FaultTarget> {
    engine
        .emulator_url()
        .map(FaultTarget::Emulator)
        .or_else(|| engine.mock_desk().map(FaultTarget::MockDesk))
}

impl PartialEq for FaultTarget {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Emulator(a), Self::Emulator(b)) => a == b,
            (Self::MockDesk(a), Self::MockDesk(b)) => a.same_desk(b),
            _ => false,
        }
    }
}

impl Eq for FaultTarget {}

/// Injects the fault of `action` into `target`; `conversation` is the broker's conversation id.
pub async fn inject_into(
    target: &FaultTarget,
    action: &Action,
    conversation: &str,
) -> Result<(), String> {
    match (target, action) {
        (FaultTarget::Emulator(base), _) => inject(base, action, conversation).await,
        (FaultTarget::MockDesk(desk), Action::ExpireQueue) => desk
            .expire_queue(conversation.into())
            .await
            .map_err(|e| format!("the mock desk refused: {e}")),
        (FaultTarget::MockDesk(_), other) => Err(format!(
            "the mock desk makes no calls to fail or slow (do = {:?})",
            other.name()
        )),
    }
}

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
