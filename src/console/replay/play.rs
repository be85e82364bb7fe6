//! A scenario replayed in the console: its actors are the console's own two connections (the
//! user pane, and the inbox acting as each agent in turn), so the conversation happens in the
//! panes; expectations read what each side was shown, with the runner's own checks.

use crate::console::app::{App, Pending};
use crate::console::msg::{Command, Side};
use crate::console::panes::chat::input as chat_input;
use crate::protocol::{ClientMsg, Millis, RequestId, ServerMsg};
use crate::scenario::{Action, DEFAULT_TIMEOUT_MS, Scenario, Step, USER};
use std::collections::BTreeMap;

/// The most events kept per side for expectations; at the bound the replay stops, marked.
pub const MAX_LOG: usize = 20_000;
/// Autoplay: the pause before each action, in milliseconds at speed 1.
const PAUSE_MS: Millis = 900;
/// Autoplay: the time to type one character, in milliseconds at speed 1.
const CHAR_MS: Millis = 45;

/// How a step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// It passed.
    Pass,
    /// It failed: what was expected, what was seen.
    Fail(String, String),
}

/// How far one actor's expectations have read.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Cursor {
    pub(super) messages: usize,
    pub(super) states: usize,
    pub(super) events: usize,
    pub(super) requests: usize,
}

/// What the replay waits for before its next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaited {
    id: RequestId,
    /// The error code the step expects instead of an ack.
    fails: Option<String>,
    /// A switch of the agent the inbox acts as, before the step itself.
    act_as: bool,
}

/// The replay's state.
#[derive(Debug)]
pub struct Replay {
    /// The scenario.
    pub scenario: Scenario,
    /// Each step's mark, once played.
    pub marks: Vec<Option<Mark>>,
    /// The next step to play.
    pub at: usize,
    /// The step "run to the mark" (F8) plays up to, moved with Alt+Up / Alt+Down.
    pub mark: usize,
    /// The panel shows the mark rather than the step being played: the mark moved last.
    pub follow_mark: bool,
    /// Steps play until this one (exclusive); `None` when paused.
    pub target: Option<usize>,
    /// The request whose answer the replay awaits.
    pub waiting: Option<Awaited>,
    /// Stopped to go on by hand.
    pub forked: bool,
    /// Autoplay at this speed (a human pace times it).
    pub autoplay: Option<u32>,
    /// When the current step began (the app's clock).
    pub(super) started: Option<Millis>,
    /// When Space paused the autoplay.
    pub(super) paused_at: Option<Millis>,
    user_log: Vec<ServerMsg>,
    agent_log: Vec<ServerMsg>,
    pub(super) cursors: BTreeMap<String, Cursor>,
    /// The conversation each `transcript` step wants, by step: read when the replay loads, so
    /// playing never reads a file.
    pub(super) transcripts: BTreeMap<usize, Result<Vec<crate::scenario::transcript::Turn>, String>>,
}

impl Replay {
    /// A replay of `scenario`, paused before its first step.
    pub fn new(scenario: Scenario) -> Self {
        let n = scenario.steps.len();
        let folder = scenario.file.parent().unwrap_or(std::path::Path::new(""));
        let transcripts = scenario
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, step)| match &step.action {
                Action::Transcript { purple_chat, turns } => Some((
                    i,
                    crate::scenario::transcript::wanted(folder, purple_chat.as_deref(), turns),
                )),
                _ => None,
            })
            .collect();
        Self {
            scenario,
            marks: vec![None; n],
            at: 0,
            mark: n.saturating_sub(1),
            follow_mark: false,
            target: None,
            waiting: None,
            forked: false,
            autoplay: None,
            started: None,
            paused_at: None,
            user_log: Vec::new(),
            agent_log: Vec::new(),
            cursors: BTreeMap::new(),
            transcripts,
        }
    }

    /// Plays on until step `end` (exclusive), or the first failure.
    pub fn run_to(&mut self, end: usize) {
        self.paused_at = None;
        self.target = Some(end.min(self.scenario.steps.len()));
    }

    /// Whether steps are playing (so time must tick).
    pub fn running(&self) -> bool {
        !self.forked && self.target.is_some_and(|t| self.at < t)
    }

    /// Whether every step passed.
    pub fn all_passed(&self) -> bool {
        self.marks.iter().all(|m| m == &Some(Mark::Pass))
    }

    /// A new event of the user's conversation, on `side`.
    pub(super) fn log(&mut self, side: Side, msg: &ServerMsg) {
        let log = match side {
            Side::User => &mut self.user_log,
            Side::Agent => &mut self.agent_log,
        };
        if log.len() < MAX_LOG {
            log.push(msg.clone());
        } else if self.running() {
            let fail = Mark::Fail(
                format!("at most {MAX_LOG} events"),
                "more: the replay stops".into(),
            );
            self.finish(fail);
        }
    }

    /// The broker's answer to a request, if it is the awaited one.
    pub(super) fn answer(&mut self, msg: &ServerMsg) {
        let (id, code) = match msg {
            ServerMsg::Ack { id, .. } => (id, None),
            ServerMsg::Error {
                id: Some(id), code, ..
            } => (
                id,
                serde_json::to_value(code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned)),
            ),
            _ => return,
        };
        let Some(awaited) = self.waiting.take_if(|w| &w.id == id) else {
            return;
        };
        if awaited.act_as && code.is_none() {
            return;
        }
        let mark = if awaited.act_as {
            Mark::Fail(
                "to act as the step's agent".into(),
                format!("error {code:?}"),
            )
        } else if code == awaited.fails {
            Mark::Pass
        } else {
            let want = awaited
                .fails
                .map_or_else(|| "an ack".into(), |c| format!("error {c}"));
            Mark::Fail(
                want,
                code.map_or_else(|| "an ack".into(), |c| format!("error {c}")),
            )
        };
        self.finish(mark);
    }

    /// Marks the current step; a failure pauses the replay there.
    fn finish(&mut self, mark: Mark) {
        let failed = mark != Mark::Pass;
        if let Some(m) = self.marks.get_mut(self.at) {
            *m = Some(mark);
        }
        self.started = None;
        if failed {
            self.target = None;
            self.waiting = None;
        } else {
            self.at += 1;
        }
    }

    /// Each actor's messages that arrived since their last action and no step has read: the
    /// latest version of each, in the order they first came.
    pub(super) fn unread(&self) -> Vec<(String, Vec<crate::protocol::ChatMessage>)> {
        let message = |m: &ServerMsg| match m {
            ServerMsg::Event {
                event: crate::protocol::ConversationEvent::Message { message },
                ..
            } => Some(message.clone()),
            _ => None,
        };
        let mut actors: Vec<&String> = self.cursors.keys().collect();
        let user = USER.to_owned();
        if !self.cursors.contains_key(USER) {
            actors.push(&user);
        }
        actors
            .into_iter()
            .map(|actor| {
                let log = self.log_of(actor);
                let from = self
                    .cursors
                    .get(actor)
                    .map_or(0, |c| c.messages)
                    .min(log.len());
                let read: std::collections::HashSet<_> = log[..from]
                    .iter()
                    .filter_map(message)
                    .map(|m| m.id)
                    .collect();
                let mut unread: Vec<crate::protocol::ChatMessage> = Vec::new();
                for m in log[from..].iter().filter_map(message) {
                    if read.contains(&m.id) {
                        continue;
                    }
                    match unread.iter_mut().find(|u| u.id == m.id) {
                        Some(u) => *u = m,
                        None => unread.push(m),
                    }
                }
                (actor.clone(), unread)
            })
            .collect()
    }

    pub(super) fn log_of(&self, actor: &str) -> &[ServerMsg] {
        if actor == USER {
            &self.user_log
        } else {
            &self.agent_log
        }
    }
}

/// Plays steps while the replay runs and nothing is awaited; returns the requests to send.
pub(super) fn advance(app: &mut App) -> Vec<Command> {
    let mut out = Vec::new();
    // Bounded: expectations already met pass in one go, a step that waits stops the loop.
    for _ in 0..crate::scenario::parse::MAX_STEPS {
        let Some(replay) = app.scenario.replay.as_mut() else {
            break;
        };
        if !replay.running() || replay.waiting.is_some() {
            break;
        }
        let step = replay.scenario.steps[replay.at].clone();
        let now = app.now;
        let started = *replay.started.get_or_insert(now);
        let timeout = replay
            .scenario
            .options
            .timeout_ms
            .unwrap_or(DEFAULT_TIMEOUT_MS);
        let late = now.saturating_sub(started) > timeout;
        app.dirty = true;
        match act(app, &step, now.saturating_sub(started), late) {
            Turn::Sent(commands) => out.extend(commands),
            Turn::Done(mark) => {
                if let Some(r) = app.scenario.replay.as_mut() {
                    r.finish(mark);
                }
            }
            Turn::Later => break,
        }
    }
    out
}

/// What playing a step came to.
pub(super) enum Turn {
    /// A request went out; its answer decides.
    Sent(Vec<Command>),
    /// Decided now.
    Done(Mark),
    /// Not yet: the next message or tick looks again.
    Later,
}

fn act(app: &mut App, step: &Step, elapsed: Millis, late: bool) -> Turn {
    let Some(replay) = app.scenario.replay.as_ref() else {
        return Turn::Later;
    };
    let speed = replay.autoplay.map(Millis::from);
    let is_request = matches!(
        step.action,
        Action::Say { .. }
            | Action::Press { .. }
            | Action::Attach { .. }
            | Action::Accept { .. }
            | Action::Reject { .. }
            | Action::Reply { .. }
            | Action::Transfer { .. }
            | Action::Invite { .. }
            | Action::End { .. }
    );
    if !is_request {
        return super::look::look(app, step, elapsed, late);
    }
    if let Some(speed) = speed
        && elapsed < PAUSE_MS / speed
    {
        return Turn::Later;
    }
    if step.actor != USER && app.inbox.agent.as_deref() != Some(step.actor.as_str()) {
        let agent = step.actor.clone();
        let commands = app.send(Side::Agent, Pending::ActAs(agent.clone()), |id| {
            ClientMsg::ActAs { id, agent }
        });
        return sent(app, commands, None, true);
    }
    let Some(conversation) = app.chat.conversation.clone() else {
        return if late {
            Turn::Done(Mark::Fail(
                "the user's conversation".into(),
                "none yet".into(),
            ))
        } else {
            Turn::Later
        };
    };
    let typed = speed.map(|s| (elapsed - PAUSE_MS / s) / (CHAR_MS / s).max(1));
    let (commands, fails) = match request(app, step, conversation, typed) {
        Ok(Some(made)) => made,
        Err(seen) if late => return Turn::Done(Mark::Fail(wanted(&step.action), seen)),
        Ok(None) | Err(_) => return Turn::Later,
    };
    if let Some(r) = app.scenario.replay.as_mut() {
        let len = r.log_of(&step.actor).len();
        let c = r.cursors.entry(step.actor.clone()).or_default();
        c.messages = c.messages.max(len);
        c.states = c.states.max(len);
    }
    sent(app, commands, fails, false)
}

fn sent(app: &mut App, commands: Vec<Command>, fails: Option<String>, act_as: bool) -> Turn {
    let id = commands.iter().find_map(|c| match c {
        Command::Send { msg, .. } => msg.request_id().cloned(),
        _ => None,
    });
    match (id, app.scenario.replay.as_mut()) {
        (Some(id), Some(r)) => {
            r.waiting = Some(Awaited { id, fails, act_as });
            Turn::Sent(commands)
        }
        _ => Turn::Done(Mark::Fail(
            "a request sent".into(),
            "none could be made".into(),
        )),
    }
}

/// A request to send and the error code its step expects instead of an ack.
type Made = (Vec<Command>, Option<String>);

/// Builds a request from its id.
type Maker = Box<dyn FnOnce(RequestId) -> ClientMsg>;

/// The request of an action step: `Ok(None)` while autoplay is still typing, `Err(seen)`
/// when it cannot be made yet (no such button).
fn request(
    app: &mut App,
    step: &Step,
    c: crate::protocol::ConversationId,
    typed: Option<Millis>,
) -> Result<Option<Made>, String> {
    let side = if step.actor == USER {
        Side::User
    } else {
        Side::Agent
    };
    let (kind, make, fails): (Pending, Maker, &Option<String>) = match &step.action {
        Action::Say { text, fails } => {
            return Ok(say(app, text, typed).map(|cmds| (cmds, fails.clone())));
        }
        Action::Press {
            label,
            action,
            fails,
        } => {
            let (message, n) = button(app, label.as_deref(), action.as_deref())?;
            return Ok(Some((chat_input::press(app, &message, n), fails.clone())));
        }
        Action::Attach {
            name,
            content_type,
            text,
            fails,
        } => {
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            let (name, content_type) = (name.clone(), content_type.clone());
            let kind = Pending::Attach(name.clone());
            let make: Maker = Box::new(move |id| ClientMsg::Attach {
                id,
                conversation: c,
                name,
                content_type,
                data,
            });
            (kind, make, fails)
        }
        Action::Accept { fails } => (
            Pending::Accept,
            Box::new(move |id| ClientMsg::Accept {
                id,
                conversation: c,
            }),
            fails,
        ),
        Action::Reject { reason, fails } => {
            let reason = reason.clone();
            let make: Maker = Box::new(move |id| ClientMsg::Reject {
                id,
                conversation: c,
                reason,
            });
            (Pending::Reject, make, fails)
        }
        Action::Reply { text, fails } => {
            let text = text.clone();
            let make: Maker = Box::new(move |id| ClientMsg::Reply {
                id,
                conversation: c,
                text,
            });
            (Pending::Reply, make, fails)
        }
        Action::Transfer { to, fails } => {
            let (kind, to) = (Pending::Transfer(to.clone()), to.clone());
            let make: Maker = Box::new(move |id| ClientMsg::Transfer {
                id,
                conversation: c,
                to,
            });
            (kind, make, fails)
        }
        Action::Invite { to, fails } => {
            let (kind, agent) = (Pending::Invite(to.clone()), to.clone());
            let make: Maker = Box::new(move |id| ClientMsg::Invite {
                id,
                conversation: c,
                agent,
            });
            (kind, make, fails)
        }
        Action::End { fails } => (
            Pending::End,
            Box::new(move |id| ClientMsg::End {
                id,
                conversation: c,
            }),
            fails,
        ),
        _ => return Err("not a request".into()),
    };
    Ok(Some((app.send(side, kind, make), fails.clone())))
}

/// The user's `say`: typed into the composer (with autoplay, `typed` characters so far), then
/// sent as Enter sends it. `None` while still typing.
fn say(app: &mut App, text: &str, typed: Option<Millis>) -> Option<Vec<Command>> {
    let shown: String = match typed {
        Some(n) => text
            .chars()
            .take(usize::try_from(n).unwrap_or(usize::MAX))
            .collect(),
        None => text.to_owned(),
    };
    let lines = shown.lines().map(str::to_owned).collect();
    app.chat.composer =
        crate::console::input::prompt::with_text(lines, crate::console::input::MESSAGE_PLACEHOLDER);
    if shown.chars().count() < text.chars().count() {
        app.dirty = true;
        return None;
    }
    Some(chat_input::send_say(app))
}

/// The latest message with a button of this label or action, and the button's position.
fn button(
    app: &App,
    label: Option<&str>,
    action: Option<&str>,
) -> Result<(crate::protocol::MessageId, usize), String> {
    let mut offered = Vec::new();
    for m in app.chat.transcript.messages().iter().rev() {
        for (n, b) in m.buttons().enumerate() {
            let wire = serde_json::to_value(&b.action).ok();
            let wire = wire.as_ref().and_then(|v| v.as_str());
            if label == Some(b.button_text.as_str()) || (action.is_some() && wire == action) {
                return Ok((m.id.clone(), n));
            }
            offered.push(b.button_text.clone());
        }
    }
    Err(format!("buttons {offered:?}"))
}

/// What an action step wanted, for its failure.
fn wanted(action: &Action) -> String {
    match action {
        Action::Press { label: Some(l), .. } => format!("a button labelled {l:?}"),
        Action::Press { action, .. } => format!("a button with action {action:?}"),
        other => format!("to {}", other.name()),
    }
}
