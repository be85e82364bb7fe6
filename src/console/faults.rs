//! Faults injected by hand from the command palette, as QA would at any moment: the user's or
//! the agent's socket dropped (the connection task reconnects with `since`, and the broker
//! replays what was missed), the system failing or slowed on its next calls, its queue expired
//! now. The system's faults go to its emulator's control endpoints (`POST /__emu/fault`,
//! `POST /__emu/queue/timeout`) through the scenario runner's own client
//! ([`crate::scenario::faults`]), in a task; the answer comes back as a notice. On the mock
//! desk the queue is expired by the desk itself; it makes no calls to fail or slow. While
//! recording, a fault is a step of the scenario, as `handoff run` plays it.

use super::app::App;
use super::msg::{Command, Link, Msg, Side};
use crate::scenario::faults::FaultTarget;
use crate::scenario::{Action, USER};
use std::time::Duration;

/// The most calls one fault may fail or slow (the emulator counts them down).
pub const MAX_CALLS: u32 = 100;
/// The longest delay, in milliseconds.
pub const MAX_DELAY_MS: u64 = 120_000;
/// What "429" sends as `Retry-After`, in seconds.
pub const RETRY_AFTER_SECS: u64 = 1;
/// The status of a lost response (the work done, the answer a gateway error).
const LOST_STATUS: u16 = 502;

/// What the fail prompt suggests: Enter alone fails the next call with a 500.
pub const FAIL_SUGGESTION: &str = "1 5xx";
/// What the delay prompt suggests.
pub const DELAY_SUGGESTION: &str = "2000";

/// Where the running system's faults go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Controls {
    /// The base URL of the system's emulator (loopback).
    Emulator(String),
    /// The embedded broker's mock desk: its queue can be expired now; it makes no calls to
    /// fail or slow ([`MOCK_MAKES_NO_CALLS`]).
    MockDesk(FaultTarget),
    /// There is none; why, for people.
    Unavailable(String),
}

/// Why the system's calls cannot be failed or slowed on the mock desk.
pub const MOCK_MAKES_NO_CALLS: &str = "the mock desk makes no calls to fail or slow: start with \
     --system NAME (one with an emulator, e.g. servicenow)";

impl Default for Controls {
    fn default() -> Self {
        Self::Unavailable("the console was not told where the system's emulator is".into())
    }
}

/// How the system fails its next calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailKind {
    /// A server error with this status (500-599), before any work.
    ServerError(u16),
    /// 429 with `Retry-After` [`RETRY_AFTER_SECS`].
    TooMany,
    /// No answer within the connector's request timeout.
    Timeout,
    /// The work is done, the body cannot be read.
    Malformed,
    /// The work is done, the answer is lost (a 502).
    Lost,
}

/// The kinds the fail prompt takes, as its placeholder lists them.
pub const FAIL_KINDS: &str = "5xx (or 500-599), 429, timeout, malformed, lost";

/// Reads the fail prompt's answer, `N KIND` in either order (`2 429`, `timeout 3`); N is 1
/// when left out.
pub fn parse_fail(text: &str) -> Result<(u32, FailKind), String> {
    let mut count = None;
    let mut kind = None;
    for word in text.split_whitespace() {
        let lower = word.to_lowercase();
        let found = match lower.as_str() {
            "5xx" | "500" => FailKind::ServerError(500),
            "429" => FailKind::TooMany,
            "timeout" => FailKind::Timeout,
            "malformed" => FailKind::Malformed,
            "lost" => FailKind::Lost,
            _ => match lower.parse::<u32>() {
                Ok(status @ 501..=599) => {
                    FailKind::ServerError(u16::try_from(status).unwrap_or(500))
                }
                Ok(n) if count.is_none() => {
                    count = Some(n);
                    continue;
                }
                _ => return Err(format!("{word:?} is neither a number of calls nor a kind")),
            },
        };
        if kind.replace(found).is_some() {
            return Err("one kind at a time".into());
        }
    }
    let kind = kind.ok_or_else(|| format!("say how: {FAIL_KINDS}"))?;
    Ok((calls(count.unwrap_or(1))?, kind))
}

/// Reads the delay prompt's answer, `MS [CALLS]` (1 call when left out).
pub fn parse_delay(text: &str) -> Result<(u64, u32), String> {
    let mut words = text.split_whitespace();
    let ms = words
        .next()
        .and_then(|w| w.trim_end_matches("ms").parse::<u64>().ok())
        .filter(|ms| (1..=MAX_DELAY_MS).contains(ms))
        .ok_or_else(|| format!("a delay in milliseconds, 1 to {MAX_DELAY_MS}"))?;
    let count = match words.next() {
        Some(w) => calls(
            w.parse()
                .map_err(|_| format!("{w:?} is not a number of calls"))?,
        )?,
        None => 1,
    };
    match words.next() {
        Some(extra) => Err(format!("{extra:?} is one word too many: MS [CALLS]")),
        None => Ok((ms, count)),
    }
}

fn calls(n: u32) -> Result<u32, String> {
    if (1..=MAX_CALLS).contains(&n) {
        Ok(n)
    } else {
        Err(format!("1 to {MAX_CALLS} calls"))
    }
}

/// The connector's default request timeout, plus a second: a delay the connector gives up on.
fn timeout_ms() -> u64 {
    let timeout = crate::connectors::retry::RetryPolicy::default().request_timeout;
    u64::try_from((timeout + Duration::from_secs(1)).as_millis()).unwrap_or(u64::MAX)
}

/// The scenario step of a failure, as `handoff run` would play it.
pub fn fail_action(count: u32, kind: FailKind) -> Action {
    let fail = |status, retry_after, mode: &str| Action::Fail {
        count,
        status,
        retry_after,
        mode: mode.into(),
        path: String::new(),
    };
    match kind {
        FailKind::ServerError(status) => fail(status, None, "reject"),
        FailKind::TooMany => fail(429, Some(RETRY_AFTER_SECS), "reject"),
        FailKind::Timeout => Action::Delay {
            ms: timeout_ms(),
            count,
        },
        FailKind::Malformed => fail(200, None, "malformed"),
        FailKind::Lost => fail(LOST_STATUS, None, "after_processing"),
    }
}

/// What a system fault does, for the notice.
pub fn describe(action: &Action) -> String {
    let calls = |n: u32| match n {
        1 => "its next call".to_owned(),
        n => format!("its next {n} calls"),
    };
    match action {
        Action::Fail {
            count,
            status,
            retry_after,
            mode,
            ..
        } => match (mode.as_str(), retry_after) {
            ("malformed", _) => format!("answers {} with an unreadable body", calls(*count)),
            ("after_processing", _) => format!("loses the answers of {} ({status})", calls(*count)),
            (_, Some(secs)) => format!(
                "fails {} with {status}, Retry-After {secs} s",
                calls(*count)
            ),
            _ => format!("fails {} with {status}", calls(*count)),
        },
        Action::Delay { ms, count } => format!("answers {} {ms} ms late", calls(*count)),
        Action::ExpireQueue => "gives up queueing the request".into(),
        other => other.name().to_owned(),
    }
}

/// Why the system's faults cannot be injected, if they cannot.
pub fn system_unavailable(app: &App) -> Option<String> {
    match &app.controls {
        Controls::Emulator(_) => None,
        Controls::MockDesk(_) => Some(MOCK_MAKES_NO_CALLS.to_owned()),
        Controls::Unavailable(why) => Some(why.clone()),
    }
}

/// Why the queue cannot be expired now, if it cannot (an emulator and the mock desk both can).
pub fn expire_unavailable(app: &App) -> Option<String> {
    let none = match &app.controls {
        Controls::Unavailable(why) => Some(why.clone()),
        Controls::Emulator(_) | Controls::MockDesk(_) => None,
    };
    none.or_else(|| {
        app.chat
            .conversation
            .is_none()
            .then(|| "no conversation yet: ask for an agent first".to_owned())
    })
}

/// Why a side's socket cannot be dropped now, if it cannot: it is not up.
pub fn drop_unavailable(app: &App, side: Side) -> Option<String> {
    let link = match side {
        Side::User => &app.user_link,
        Side::Agent => &app.agent_link,
    };
    (*link != Link::Connected).then(|| format!("the {} connection is not up", side.label()))
}

/// The system fault of `action`, sent to the emulator off the UI thread.
pub(crate) fn system(app: &mut App, action: Action) -> Vec<Command> {
    let why = match action {
        Action::ExpireQueue => expire_unavailable(app),
        _ => system_unavailable(app),
    };
    if let Some(why) = why {
        app.notify(true, format!("No fault injected: {why}"));
        return Vec::new();
    }
    let target = match app.controls.clone() {
        Controls::Emulator(base) => FaultTarget::Emulator(base),
        Controls::MockDesk(target) => target,
        Controls::Unavailable(_) => return Vec::new(),
    };
    let conversation = app
        .chat
        .conversation
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    record(app, USER, &action);
    app.notify(
        false,
        format!("Injecting: the system {}…", describe(&action)),
    );
    vec![Command::Fault {
        target,
        action,
        conversation,
    }]
}

/// Drops `side`'s socket; its task reconnects and resumes.
pub(crate) fn drop_socket(app: &mut App, side: Side) -> Vec<Command> {
    if let Some(why) = drop_unavailable(app, side) {
        app.notify(true, format!("Nothing dropped: {why}"));
        return Vec::new();
    }
    let actor = match side {
        Side::User => USER.to_owned(),
        Side::Agent => app.inbox.agent.clone().unwrap_or_else(|| "agent".into()),
    };
    record(app, &actor, &Action::Drop);
    let who = if side == Side::User {
        "the user's".to_owned()
    } else {
        format!("{actor}'s")
    };
    app.notify(
        false,
        format!("Dropped {who} socket: it reconnects with since and misses nothing"),
    );
    vec![Command::DropSocket(side)]
}

/// A fault injected while recording is a step.
fn record(app: &mut App, actor: &str, action: &Action) {
    if let Some(rec) = app.scenario.recording.as_mut() {
        rec.recorder.acted(actor, action.clone());
        app.dirty = true;
    }
}

/// The driver's part: injects `action` into the emulator at `base` and says how it went.
pub async fn inject(
    target: FaultTarget,
    action: Action,
    conversation: String,
    app: tokio::sync::mpsc::Sender<Msg>,
) {
    let said = describe(&action);
    let done = crate::scenario::faults::inject_into(&target, &action, &conversation).await;
    let notice = match done {
        Ok(()) => Msg::Notice {
            error: false,
            text: format!("Fault injected: the system {said}"),
        },
        Err(e) => Msg::Notice {
            error: true,
            text: format!("No fault injected: {e}"),
        },
    };
    // The app is gone only when the console quits.
    _ = app.send(notice).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_fail_prompt_reads_a_count_and_a_kind_in_either_order() {
        assert_eq!(parse_fail("1 5xx"), Ok((1, FailKind::ServerError(500))));
        assert_eq!(parse_fail("3 429"), Ok((3, FailKind::TooMany)));
        assert_eq!(parse_fail("Timeout 2"), Ok((2, FailKind::Timeout)));
        assert_eq!(parse_fail("lost"), Ok((1, FailKind::Lost)));
        assert_eq!(parse_fail("2 503"), Ok((2, FailKind::ServerError(503))));
        assert_eq!(parse_fail(" malformed "), Ok((1, FailKind::Malformed)));
    }

    #[test]
    fn the_fail_prompt_refuses_what_it_cannot_read_and_bounds_the_count() {
        for bad in [
            "", "3", "0 5xx", "101 5xx", "2 teapot", "5xx 429", "1 2 5xx",
        ] {
            assert!(parse_fail(bad).is_err(), "{bad:?} was taken");
        }
        assert_eq!(parse_fail("100 lost"), Ok((100, FailKind::Lost)));
    }

    #[test]
    fn the_delay_prompt_reads_milliseconds_and_an_optional_count() {
        assert_eq!(parse_delay("2000"), Ok((2000, 1)));
        assert_eq!(parse_delay("250ms 3"), Ok((250, 3)));
        for bad in ["", "0", "abc", "120001", "10 0", "10 2 3"] {
            assert!(parse_delay(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn each_kind_is_the_step_handoff_run_plays() {
        let fail = fail_action(2, FailKind::TooMany);
        assert!(
            matches!(&fail, Action::Fail { count: 2, status: 429, retry_after: Some(1), mode, .. } if mode == "reject"),
            "{fail:?}"
        );
        let lost = fail_action(1, FailKind::Lost);
        assert!(
            matches!(&lost, Action::Fail { mode, status: 502, .. } if mode == "after_processing")
        );
        let slow = fail_action(1, FailKind::Timeout);
        assert!(
            matches!(slow, Action::Delay { ms, count: 1 } if ms > 20_000),
            "{slow:?}"
        );
        assert_eq!(
            describe(&fail),
            "fails its next 2 calls with 429, Retry-After 1 s"
        );
    }

    proptest! {
        #[test]
        fn any_text_at_the_prompts_is_read_or_refused_never_a_panic(text in "\\PC*") {
            if let Ok((count, _)) = parse_fail(&text) {
                prop_assert!((1..=MAX_CALLS).contains(&count));
            }
            if let Ok((ms, count)) = parse_delay(&text) {
                prop_assert!(ms <= MAX_DELAY_MS && count <= MAX_CALLS);
            }
        }
    }
}
