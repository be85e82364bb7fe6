//! The replay's expectations, waits and faults: the runner's own checks over what each side
//! of the console was shown, from each actor's cursor.

use super::play::{Cursor, Mark, Replay, Turn};
use crate::console::app::App;
use crate::protocol::Millis;
use crate::protocol::ServerMsg;
use crate::scenario::expect::{self, RequestWant, Viewer};
use crate::scenario::{Action, Step, TextMatch, USER};
use std::collections::BTreeMap;

/// An expectation, a wait or a fault.
pub(super) fn look(app: &mut App, step: &Step, elapsed: Millis, late: bool) -> Turn {
    let Some(r) = app.scenario.replay.as_mut() else {
        return Turn::Later;
    };
    let cursor = r.cursors.get(&step.actor).copied().unwrap_or_default();
    let viewer = Viewer {
        name: &step.actor,
        is_user: step.actor == USER,
    };
    let log = r.log_of(&step.actor);
    let (met, want): (Result<Option<Cursor>, String>, String) = match &step.action {
        Action::See {
            equals,
            contains,
            matches,
        } => {
            let want = TextMatch::of(equals.as_ref(), contains.as_ref(), matches.as_ref());
            let met = expect::next_message(log, cursor.messages, &viewer, &want)
                .map(|messages| Some(Cursor { messages, ..cursor }));
            (met, want.to_string())
        }
        Action::Buttons { labels, enabled } => (
            expect::buttons(log, labels, enabled.as_deref()).map(|()| None),
            format!("buttons {labels:?}, of which {enabled:?} can be pressed"),
        ),
        Action::State { is, fields } => (
            expect::state(log, cursor.states, is, fields)
                .map(|states| Some(Cursor { states, ..cursor })),
            format!("state {is} {fields:?}"),
        ),
        Action::Event { kind, fields } => (
            expect::event_of(log, cursor.events, kind, fields)
                .map(|events| Some(Cursor { events, ..cursor })),
            format!("event {kind} {fields:?}"),
        ),
        Action::Wait {
            until: Some(kind), ..
        } => (
            expect::event_of(log, cursor.events, kind, &BTreeMap::new())
                .map(|events| Some(Cursor { events, ..cursor })),
            format!("event {kind}"),
        ),
        Action::Request { .. } => request(log, cursor, &step.action),
        Action::Transcript { purple_chat, .. } => (
            transcript(r, purple_chat.is_some()),
            "the conversation the step writes".into(),
        ),
        Action::Wait { ms, .. } => {
            let done = elapsed >= ms.unwrap_or(0);
            return if done {
                Turn::Done(Mark::Pass)
            } else {
                Turn::Later
            };
        }
        Action::Quiet { ms } => {
            if let Some(seen) = expect::any_message(log, cursor.messages, &viewer) {
                return Turn::Done(Mark::Fail(format!("no message for {ms} ms"), seen));
            }
            return if elapsed >= *ms {
                Turn::Done(Mark::Pass)
            } else {
                Turn::Later
            };
        }
        fault => {
            let what = format!("fault {:?}", fault.name());
            return Turn::Done(Mark::Fail(
                what,
                "faults are played by `handoff run`, not the console's replay".into(),
            ));
        }
    };
    match met {
        Ok(next) => {
            if let Some(next) = next {
                r.cursors.insert(step.actor.clone(), next);
            }
            Turn::Done(Mark::Pass)
        }
        Err(seen) if late => Turn::Done(Mark::Fail(want, seen)),
        Err(_) => Turn::Later,
    }
}

/// A `request` expectation: met by the next request the agent is shown.
fn request(
    log: &[ServerMsg],
    cursor: Cursor,
    action: &Action,
) -> (Result<Option<Cursor>, String>, String) {
    let Action::Request {
        title,
        context,
        history_contains,
        history_max_bytes,
    } = action
    else {
        return (Err("not a request step".into()), String::new());
    };
    let want = RequestWant::new(
        title.as_deref(),
        context,
        history_contains.as_deref(),
        *history_max_bytes,
    );
    let met = expect::request(log, cursor.requests, &want)
        .map(|requests| Some(Cursor { requests, ..cursor }));
    (
        met,
        format!("a request with title {title:?}, context {context:?}"),
    )
}

/// A `transcript` expectation: the user's conversation so far equals the one the step wants
/// (read when the replay loaded).
fn transcript(r: &Replay, purple: bool) -> Result<Option<Cursor>, String> {
    use crate::scenario::transcript::{compare, of_log};
    let want = r
        .transcripts
        .get(&r.at)
        .cloned()
        .unwrap_or_else(|| Ok(Vec::new()))?;
    compare(&want, &of_log(r.log_of(USER)), purple).map(|()| None)
}
