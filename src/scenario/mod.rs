//! Scenarios: scripted handoff conversations with expectations, in a versioned TOML format
//! (`src/scenario/README.md` documents it), run headless by `handoff run`.
//!
//! - [`parse`]: the file format, refused with the file, line and key at fault.
//! - [`runner`]: one scenario against one broker, each step's result sent on a channel.
//! - [`suite`]: `handoff run`: many files, in parallel, with a report (text, `JUnit`, JSON).
//! - [`connect`]: `handoff connect`, a line-oriented client of the wire protocol.
//! - [`import`]: a Purple Chat link or JSON as a scenario.
//! - [`record`]: what happens in the console, as a scenario.

mod actor;
pub mod connect;
mod difference;
pub(crate) mod expect;
pub mod faults;
pub mod import;
mod needs;
pub mod parse;
pub mod record;
pub mod report;
mod restart;
pub mod runner;
mod setup;
mod steps;
pub mod stored;
pub mod suite;
pub mod transcript;
mod witness;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use parse::{ScenarioError, load, parse};
pub use setup::{engine_args, skip_reason};

/// The version of the scenario format this build reads and writes.
pub const FORMAT: u32 = 1;

/// The actor every scenario has: the simulated end user.
pub const USER: &str = "user";

/// One scenario: the options it runs under and its steps, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Always [`FORMAT`].
    pub format: u32,
    /// A name for reports; the file's stem when the file gives none.
    pub name: String,
    /// The broker's options.
    #[serde(skip_serializing_if = "Options::is_default")]
    pub options: Options,
    /// The steps.
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
    /// The file it was read from (not part of the format).
    #[serde(skip)]
    pub file: PathBuf,
}

/// The options a scenario runs under: the broker's, as on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `--system`: `mock` (the default) or a system, against its emulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// `--style` of the mock desk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// `--agents` of the mock desk: `NAME[:presence],...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<String>,
    /// `--greeting` of the mock desk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// `--routing`: a rules file, relative to the scenario's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<PathBuf>,
    /// `--queue-timeout`, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_timeout: Option<u64>,
    /// `--config`: a `handoff.toml`, relative to the scenario's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<PathBuf>,
    /// Actors who only watch (the observer role); every other actor but `user` is an agent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observers: Vec<String>,
    /// The longest an expectation waits, in milliseconds (default [`DEFAULT_TIMEOUT_MS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// The chat platform the user talks through (`web` when absent; rule 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<crate::protocol::Platform>,
}

/// How long an expectation waits for what it expects, unless the scenario says.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// The longest `timeout_ms`, `wait` or `quiet` a scenario may ask for: a minute.
pub const MAX_WAIT_MS: u64 = 60_000;

impl Options {
    fn is_default(&self) -> bool {
        self == &Self::default()
    }
}

/// One step: an actor does something, expects something, or suffers a fault.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// `user`, an agent's name, or an observer named in the options.
    pub actor: String,
    /// What happens.
    #[serde(flatten)]
    pub action: Action,
    /// The line of its `[[step]]` in the file (0 when not read from one).
    #[serde(skip)]
    pub line: usize,
}

/// What a step does (`do = "..."` in the file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Action {
    /// The user types a message.
    Say {
        /// The text.
        text: String,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// The user presses a button of the latest message offering it, by label or by action.
    Press {
        /// The button's label (`buttonText`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The button's action (`start_agent_chat`, `choice:...`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// The user or an agent sends a file whose content is `text`.
    Attach {
        /// The file name.
        name: String,
        /// Its MIME type.
        content_type: String,
        /// Its content.
        text: String,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// An agent takes the waiting request (or joins a live chat: a barge-in).
    Accept {
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// An agent turns the request down.
    Reject {
        /// Why.
        reason: String,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// An agent says something in the chat.
    Reply {
        /// The text.
        text: String,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// An agent hands the chat to another agent.
    Transfer {
        /// The agent who takes over.
        to: String,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// An agent in the live chat invites another agent (`to`), who answers with `accept`
    /// (joins as a second agent) or `reject` (declines).
    Invite {
        /// The agent invited.
        to: String,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// The user or an agent ends the live chat.
    End {
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// An agent writes a private note to the other agents of the chat; it never reaches the
    /// user (rule 9).
    Note {
        /// The text.
        text: String,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// An observer sends the user a notification; it reaches the user only, and during a live
    /// chat its buttons are disabled until the chat ends (rule 5).
    Notify {
        /// The text.
        text: String,
        /// Its buttons' labels, each a `choice:<label>` button.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<String>,
        /// The error code the broker must answer instead of an ack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fails: Option<String>,
    },
    /// Waits `ms` milliseconds, or until the actor sees an event of kind `until`.
    Wait {
        /// How long.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms: Option<u64>,
        /// An event kind (`request`, `offered`, `assigned`, ...).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
    /// The next message the actor sees (from someone else) matches: exactly one of the three.
    See {
        /// Its plain text is exactly this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        equals: Option<String>,
        /// Its plain text contains this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contains: Option<String>,
        /// Its plain text matches this regular expression.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matches: Option<String>,
    },
    /// The latest message with buttons offers these.
    Buttons {
        /// The labels, in order.
        labels: Vec<String>,
        /// The labels that can be pressed; the others must not be. Unchecked when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        enabled: Option<Vec<String>>,
    },
    /// The conversation reaches a state (its `state` tag), with these fields.
    State {
        /// The state, e.g. `connected`.
        is: String,
        /// Fields of the state, by dotted path (`agent`, `reason.by`), as text.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<String, String>,
    },
    /// The next request the agent sees.
    Request {
        /// Its title, exactly.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// Routing context keys it must carry.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        context: BTreeMap<String, String>,
        /// Text its history must contain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        history_contains: Option<String>,
        /// The most bytes its history may have.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        history_max_bytes: Option<usize>,
    },
    /// The actor sees an event of this kind with these fields (dotted paths, as text).
    Event {
        /// The event's `kind`.
        kind: String,
        /// Fields of the event.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<String, String>,
    },
    /// No message reaches the actor within `ms` milliseconds.
    Quiet {
        /// How long.
        ms: u64,
    },
    /// Fault: the actor's WebSocket drops; it reconnects with `since` and its resume secret.
    Drop,
    /// Fault: the system fails its next `count` calls (needs an emulator).
    Fail {
        /// How many calls.
        #[serde(default = "one")]
        count: u32,
        /// The HTTP status (500, 429, ...).
        #[serde(default = "five_hundred")]
        status: u16,
        /// `Retry-After` seconds sent with it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        /// `reject` (before the work), `after_processing` (a lost response), `malformed`, or
        /// `timeout` (no answer before the connector gives up).
        #[serde(default = "reject")]
        mode: String,
        /// Only calls whose path contains this.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        path: String,
    },
    /// Fault: the system answers its next `count` calls after `ms` milliseconds.
    Delay {
        /// How long.
        ms: u64,
        /// How many calls.
        #[serde(default = "one")]
        count: u32,
    },
    /// Fault: the system's queue gives up on the request now (needs an emulator).
    ExpireQueue,
    /// Fault: the broker stops and another starts on its store; every actor reconnects with
    /// `since` (and the user's resume secret), and a live chat goes on.
    Restart,
    /// The user's conversation so far equals a Purple Chat conversation, turn by turn.
    Transcript {
        /// Its file (JSON, a link, or a seed file), relative to the scenario's folder.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        purple_chat: Option<PathBuf>,
        /// Or its turns inline, `"who: text"` each (`user`, `assistant`, an agent, `system`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        turns: Vec<String>,
    },
}

fn one() -> u32 {
    1
}

fn five_hundred() -> u16 {
    500
}

fn reject() -> String {
    "reject".into()
}

/// How a message's text is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextMatch {
    /// The whole plain text equals this.
    Equals(String),
    /// The plain text contains this.
    Contains(String),
    /// The plain text matches this regular expression.
    Matches(String),
}

impl Action {
    /// The `do` of the action, as written in the file.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Say { .. } => "say",
            Self::Press { .. } => "press",
            Self::Attach { .. } => "attach",
            Self::Accept { .. } => "accept",
            Self::Reject { .. } => "reject",
            Self::Reply { .. } => "reply",
            Self::Transfer { .. } => "transfer",
            Self::Invite { .. } => "invite",
            Self::End { .. } => "end",
            Self::Note { .. } => "note",
            Self::Notify { .. } => "notify",
            Self::Wait { .. } => "wait",
            Self::See { .. } => "see",
            Self::Buttons { .. } => "buttons",
            Self::State { .. } => "state",
            Self::Request { .. } => "request",
            Self::Event { .. } => "event",
            Self::Quiet { .. } => "quiet",
            Self::Drop => "drop",
            Self::Fail { .. } => "fail",
            Self::Delay { .. } => "delay",
            Self::ExpireQueue => "expire_queue",
            Self::Restart => "restart",
            Self::Transcript { .. } => "transcript",
        }
    }

    /// Whether the step needs the system's emulator (a fault of the system).
    pub fn needs_emulator(&self) -> bool {
        matches!(
            self,
            Self::Fail { .. } | Self::Delay { .. } | Self::ExpireQueue
        )
    }
}
