//! Scenarios in the console: recording what happens as a scenario file (`--record`, F5),
//! replaying one step by step with each expectation marked in place (`--replay`, F6 / F7 /
//! F8), forking a replay to go on by hand (F9), and autoplay at a human pace (`--autoplay`,
//! `handoff demo`).
//!
//! `update` calls [`before`] with each message and [`after`] with the commands it made: the
//! recorder is fed what the console was shown and what it sent ([`crate::scenario::record`]
//! turns that into steps), and the replay reads on and sends its next requests.

pub mod autoplay;
mod look;
mod play;
pub mod view;

use super::app::App;
use super::msg::{Command, Msg, Side};
use crate::protocol::{ConversationEvent, ServerMsg};
use crate::scenario::record::{Recorder, action_of};
use crate::scenario::{Options, Scenario, USER};
pub use play::{Mark, Replay};
use std::path::{Path, PathBuf};

/// The console's scenario work: a recording, a replay, or both after a fork.
#[derive(Debug, Default)]
pub struct Scenarios {
    /// The recording in progress.
    pub recording: Option<Recording>,
    /// The file `--record` names (F5 records to it; else to `handoff-recording.toml`).
    pub record_file: Option<PathBuf>,
    /// The options the console's broker runs under, written into recordings.
    pub options: Options,
    /// The scenario being replayed.
    pub replay: Option<Replay>,
}

/// A recording and where it goes.
#[derive(Debug)]
pub struct Recording {
    /// The steps so far.
    pub recorder: Recorder,
    /// The file it is saved to.
    pub file: PathBuf,
    /// Never replace an existing file (a fork's); `--record`'s own file is replaced.
    pub keep_existing: bool,
}

/// The file F5 records to without `--record`.
const DEFAULT_RECORD_FILE: &str = "handoff-recording.toml";

/// What a scenario key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioKey {
    /// Start or stop (and save) a recording.
    Record,
    /// Play the next step of the replay.
    Step,
    /// Play the replay to the end.
    RunToEnd,
    /// Play the replay up to the marked step.
    RunToMark,
    /// Move the mark one step up.
    MarkUp,
    /// Move the mark one step down.
    MarkDown,
    /// Stop the replay and go on by hand, recording a fork.
    Fork,
}

/// Applies a scenario key.
pub fn key(app: &mut App, key: ScenarioKey) -> Vec<Command> {
    if key == ScenarioKey::Record {
        toggle_recording(app);
        return Vec::new();
    }
    if key == ScenarioKey::Fork {
        fork(app);
        return Vec::new();
    }
    let forked = app.scenario.replay.as_ref().map(|r| r.forked);
    if forked.is_none() {
        app.notify(true, "No scenario to replay: start with --replay FILE");
        return Vec::new();
    }
    if forked == Some(true) {
        app.notify(
            true,
            "The replay was forked: go on by hand (F5 saves the fork)",
        );
        return Vec::new();
    }
    let Some(replay) = app.scenario.replay.as_mut() else {
        return Vec::new();
    };
    replay.follow_mark = matches!(key, ScenarioKey::MarkUp | ScenarioKey::MarkDown);
    match key {
        ScenarioKey::Step => replay.run_to(replay.at + 1),
        ScenarioKey::RunToEnd => replay.run_to(replay.scenario.steps.len()),
        ScenarioKey::RunToMark => replay.run_to(replay.mark + 1),
        ScenarioKey::MarkUp => replay.mark = replay.mark.saturating_sub(1),
        ScenarioKey::MarkDown => {
            replay.mark = (replay.mark + 1).min(replay.scenario.steps.len().saturating_sub(1));
        }
        ScenarioKey::Record | ScenarioKey::Fork => {}
    }
    app.dirty = true;
    play::advance(app)
}

/// F5: starts a recording, or stops the one in progress and saves it; a fork's name is asked
/// first ([`save_fork_as`]).
fn toggle_recording(app: &mut App) {
    if let Some(rec) = app.scenario.recording.as_ref().filter(|r| r.keep_existing) {
        let suggestion = rec.file.display().to_string();
        let question = crate::console::panes::palette::ask::Question::ForkName;
        crate::console::panes::palette::ask::open(app, question, &suggestion);
        return;
    }
    if app.scenario.recording.is_some() {
        // A recording that could not be written anywhere is kept: F5 tries again.
        if save(app) {
            app.scenario.recording = None;
        }
        return;
    }
    let file = app
        .scenario
        .record_file
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_RECORD_FILE));
    start_recording(app, file, false);
    if app.chat.transcript.is_empty() {
        app.notify(
            false,
            "Recording: what happens now becomes a scenario (F5 stops and saves)",
        );
    } else {
        app.notify(
            false,
            "Recording from here: the conversation so far is not in it (Ctrl+N starts a new one)",
        );
    }
}

/// Records from now on into `file`.
pub fn start_recording(app: &mut App, file: PathBuf, keep_existing: bool) {
    let name = file.file_stem().map_or_else(
        || "recording".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    app.scenario.recording = Some(Recording {
        recorder: Recorder::new(name, app.scenario.options.clone()),
        file,
        keep_existing,
    });
    app.dirty = true;
}

/// F9: the replay stops where it is; what is done by hand from here is recorded after the
/// steps played so far, to `<name>-fork.toml` beside the scenario (a free name).
fn fork(app: &mut App) {
    let Some(replay) = app.scenario.replay.as_mut() else {
        app.notify(true, "No replay to fork: start with --replay FILE");
        return;
    };
    replay.forked = true;
    replay.target = None;
    replay.waiting = None;
    let mut recorder = Recorder::fork(&replay.scenario, replay.at);
    for (actor, messages) in replay.unread() {
        recorder.unread(&actor, &messages);
    }
    let file = free_name(&replay.scenario.file, "fork");
    let at = replay.at;
    app.notify(
        false,
        format!(
            "Forked after step {at}: go on by hand; F5 saves the new scenario (it asks the name, {} suggested)",
            file.display()
        ),
    );
    app.scenario.recording = Some(Recording {
        recorder,
        file,
        keep_existing: true,
    });
}

/// Saves the fork being recorded to `name` (`.toml` added when it has no extension), never
/// over an existing file: `Err` says why it was not saved, and the fork is still recorded.
pub fn save_fork_as(app: &mut App, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a file name, please".into());
    }
    let mut file = PathBuf::from(name);
    if file.extension().is_none() {
        file.set_extension("toml");
    }
    if file.exists() {
        return Err(format!("{} exists: choose another name", file.display()));
    }
    let Some(rec) = app.scenario.recording.as_mut() else {
        return Err("no fork is being recorded".into());
    };
    rec.file = file;
    if save(app) {
        app.scenario.recording = None;
    }
    Ok(())
}

/// The most numbered names tried for a new file.
const MAX_NAMES: u32 = 1_000;

/// `<stem>-<tag>.toml` beside `original`, or `<stem>-<tag>-2.toml`, ... : a name not taken.
pub fn free_name(original: &Path, tag: &str) -> PathBuf {
    let stem = original.file_stem().map_or_else(
        || "scenario".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let folder = original.parent().unwrap_or(Path::new(""));
    // Bounded: past this many forks of one file, the last name is offered (and saving
    // picks a free name again).
    (1..=MAX_NAMES)
        .map(|n| match n {
            1 => folder.join(format!("{stem}-{tag}.toml")),
            n => folder.join(format!("{stem}-{tag}-{n}.toml")),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| folder.join(format!("{stem}-{tag}.toml")))
}

/// Saves the recording. A file that cannot be written is said, and the recording goes to a
/// free name in the temporary folder instead; when that fails too it stays in memory (F5
/// stops and tries again, and quitting tries once more).
pub fn save(app: &mut App) -> bool {
    let Some(rec) = app.scenario.recording.as_mut() else {
        return true;
    };
    let text = match rec.recorder.to_toml() {
        Ok(text) => text,
        Err(e) => {
            app.notify(true, e);
            return false;
        }
    };
    if rec.keep_existing && rec.file.exists() {
        rec.file = free_name(&rec.file, "new");
        if rec.file.exists() {
            let taken = format!(
                "Not saved: {} exists (the recording is kept)",
                rec.file.display()
            );
            app.notify(true, taken);
            return false;
        }
    }
    let steps = rec.recorder.len();
    let full = if rec.recorder.is_full() {
        " (it reached the format's step limit: later steps were not recorded)"
    } else {
        ""
    };
    let first = match std::fs::write(&rec.file, &text) {
        Ok(()) => {
            let saved = format!("Saved {steps} steps to {}{full}", rec.file.display());
            app.notify(false, saved);
            return true;
        }
        Err(e) => format!("Cannot write {}: {e}", rec.file.display()),
    };
    let spare = free_name(
        &std::env::temp_dir().join("handoff-recording.toml"),
        "unsaved",
    );
    match std::fs::write(&spare, &text) {
        Ok(()) => {
            let said = format!("{first}; saved to {} instead", spare.display());
            rec.file = spare;
            app.notify(true, said);
            true
        }
        Err(e) => {
            app.notify(
                true,
                format!(
                    "{first}; nor to {}: {e}. The recording is kept: F5 tries again",
                    spare.display()
                ),
            );
            false
        }
    }
}

/// What `update` is about to apply: fed to the recording and the replay. Replays of events
/// already applied (after a reconnect) are not new.
pub fn before(app: &mut App, msg: &Msg) {
    let Msg::Server { side, msg } = msg else {
        return;
    };
    if let Some(replay) = app.scenario.replay.as_mut() {
        replay.answer(msg);
    }
    let ServerMsg::Event {
        conversation,
        seq,
        event,
        ..
    } = msg
    else {
        return;
    };
    let resume = match side {
        Side::User => &app.chat.resume,
        Side::Agent => &app.inbox.resume,
    };
    let fresh = resume.since.get(conversation).is_none_or(|last| seq > last);
    let mine = app
        .chat
        .conversation
        .as_ref()
        .is_none_or(|c| c == conversation);
    if !fresh || !mine {
        return;
    }
    if let Some(replay) = app.scenario.replay.as_mut() {
        replay.log(*side, msg);
    }
    let agent = app.inbox.agent.clone();
    let in_chat = agent.as_ref().is_some_and(|me| {
        app.inbox
            .chats
            .iter()
            .any(|c| &c.conversation == conversation && c.agents.contains(me))
    });
    let Some(rec) = app.scenario.recording.as_mut() else {
        return;
    };
    match (side, event) {
        (Side::User, ConversationEvent::Message { message }) => {
            let new = app.chat.transcript.get(&message.id).is_none();
            rec.recorder.shown(USER, message, new);
        }
        (Side::User, ConversationEvent::State { state }) => rec.recorder.state(state),
        (Side::Agent, ConversationEvent::Message { message }) if in_chat => {
            let new = app
                .inbox
                .chats
                .iter()
                .find(|c| &c.conversation == conversation)
                .is_none_or(|c| c.transcript.get(&message.id).is_none());
            if let Some(me) = &agent {
                rec.recorder.shown(me, message, new);
            }
        }
        _ => {}
    }
}

/// What `update` asks to send, recorded as steps; then the replay goes on. Returns the
/// replay's own commands.
pub fn after(app: &mut App, commands: &[Command]) -> Vec<Command> {
    if app.scenario.recording.is_some() {
        for command in commands {
            if let Command::Send { side, msg } = command {
                record_sent(app, *side, msg);
            }
            if matches!(command, Command::Quit) {
                save(app);
            }
        }
    }
    if app.scenario.replay.is_some() {
        play::advance(app)
    } else {
        Vec::new()
    }
}

fn record_sent(app: &mut App, side: Side, msg: &crate::protocol::ClientMsg) {
    let actor = match side {
        Side::User => USER.to_owned(),
        Side::Agent => app.inbox.agent.clone().unwrap_or_else(|| "agent".into()),
    };
    let pressed = match msg {
        crate::protocol::ClientMsg::Press {
            message, action, ..
        } => app.chat.transcript.get(message).map(|m| {
            let labels: Vec<String> = m.buttons().map(|b| b.button_text.clone()).collect();
            let enabled = m
                .buttons()
                .filter(|b| b.state == crate::protocol::ButtonState::Active)
                .map(|b| b.button_text.clone())
                .collect::<Vec<_>>();
            let label = m
                .buttons()
                .find(|b| &b.action == action)
                .map(|b| b.button_text.clone());
            (labels, enabled, label)
        }),
        _ => None,
    };
    let Some(action) = action_of(msg, pressed.as_ref().and_then(|p| p.2.as_deref())) else {
        return;
    };
    let Some(rec) = app.scenario.recording.as_mut() else {
        return;
    };
    if let Some((labels, enabled, _)) = pressed {
        rec.recorder.offered(labels, enabled);
    }
    rec.recorder.acted(&actor, action);
    app.dirty = true;
}

/// Loads `--replay FILE` into the console: nothing plays until a key (or `--autoplay`) says.
pub fn load(app: &mut App, scenario: Scenario, autoplay: Option<u32>) {
    let steps = scenario.steps.len();
    let mut replay = Replay::new(scenario);
    if let Some(speed) = autoplay {
        replay.autoplay = Some(speed.max(1));
        replay.run_to(steps);
    }
    app.scenario.replay = Some(replay);
    app.notify(
        false,
        format!(
            "Replay of {steps} steps: F6 one step, F7 to the end, F8 to the marked step, F9 fork"
        ),
    );
}

/// The console's scenario options: `--record`, `--replay`, `--autoplay`.
pub fn setup(app: &mut App, options: &super::ConsoleOptions) {
    app.scenario.options = options.scenario_options.clone();
    app.scenario.record_file.clone_from(&options.record);
    if let Some(file) = &options.record {
        start_recording(app, file.clone(), false);
    }
    if let Some(scenario) = &options.replay {
        load(app, scenario.clone(), options.autoplay);
    }
}

/// How often time must tick while a replay plays (its waits and autoplay's typing).
pub fn tick(app: &App) -> Option<std::time::Duration> {
    let replay = app.scenario.replay.as_ref().filter(|r| r.running())?;
    let every = if replay.autoplay.is_some() { 30 } else { 100 };
    Some(std::time::Duration::from_millis(every))
}
