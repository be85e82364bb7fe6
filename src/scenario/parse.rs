//! Reading a scenario file. Anything wrong is refused with the file, the line and the key at
//! fault; nothing in a file, however strange, panics the parser.

use super::{Action, FORMAT, MAX_WAIT_MS, Options, Scenario, Step, USER};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;
use toml::{Spanned, Table, Value};

/// The largest scenario file read, in bytes: far above any hand-written one.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The most steps a scenario may have.
pub const MAX_STEPS: usize = 10_000;

/// Why a scenario was refused: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
// Line 0 (the file could not be read) is left out.
#[error("{file}{}: {}{message}", if *line == 0 { String::new() } else { format!(":{line}") }, key.as_ref().map(|k| format!("`{k}`: ")).unwrap_or_default())]
pub struct ScenarioError {
    /// The file.
    pub file: String,
    /// The line, from 1 (0 when the file could not be read).
    pub line: usize,
    /// The key at fault, as a dotted path (`options.agents`, `step.text`), when one is.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoc {
    format: Spanned<u32>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    options: Option<Spanned<Options>>,
    #[serde(default)]
    step: Vec<Spanned<Table>>,
}

/// Reads and checks the scenario in `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let shown = path.display().to_string();
    let refuse = |message: String| ScenarioError {
        file: shown.clone(),
        line: 0,
        key: None,
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "{} bytes is over the limit of {MAX_FILE_BYTES} bytes for a scenario",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| refuse(format!("cannot read it: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| ScenarioError {
        line: 1 + String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()])
            .matches('\n')
            .count(),
        ..refuse("not UTF-8 text".into())
    })?;
    let mut scenario = parse(&text, &shown)?;
    path.clone_into(&mut scenario.file);
    if scenario.name.is_empty() {
        scenario.name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    Ok(scenario)
}

/// Parses and checks a scenario's text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let at = Locator { text, file };
    let doc: RawDoc = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
    let _ = doc.description;
    if *doc.format.get_ref() != FORMAT {
        return Err(at.error(
            doc.format.span(),
            Some("format"),
            format!(
                "format {} is not one this handoff reads (format = {FORMAT})",
                doc.format.get_ref()
            ),
        ));
    }
    if doc.step.len() > MAX_STEPS {
        return Err(at.error(
            doc.step[MAX_STEPS].span(),
            Some("step"),
            format!("more than {MAX_STEPS} steps"),
        ));
    }
    let options = match doc.options {
        Some(o) => {
            check_options(&at, o.span(), o.get_ref())?;
            o.into_inner()
        }
        None => Options::default(),
    };
    let steps = doc
        .step
        .into_iter()
        .map(|s| step(&at, &options, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario {
        format: FORMAT,
        name: doc.name.unwrap_or_default(),
        options,
        steps,
        file: std::path::PathBuf::new(),
    })
}

/// Turns byte spans into lines of one file.
struct Locator<'a> {
    text: &'a str,
    file: &'a str,
}

impl Locator<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = floor_char_boundary(self.text, offset);
        1 + self.text[..end].matches('\n').count()
    }

    fn error(&self, span: Range<usize>, key: Option<&str>, message: String) -> ScenarioError {
        ScenarioError {
            file: self.file.to_owned(),
            line: self.line_of(span.start),
            key: key.map(str::to_owned),
            message,
        }
    }

    /// toml's error, at its span, naming the key its message names.
    fn toml_error(&self, e: &toml::de::Error) -> ScenarioError {
        let message = e.message().trim().to_owned();
        let key = ["unknown field `", "missing field `"]
            .iter()
            .find_map(|p| message.strip_prefix(p))
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned);
        ScenarioError {
            file: self.file.to_owned(),
            line: e.span().map_or(1, |s| self.line_of(s.start)),
            key,
            message,
        }
    }

    /// The line of `key` within `span` (a table), or the table's first line.
    fn key_line(&self, span: &Range<usize>, key: &str) -> usize {
        // A table's span may be its header alone: read on to the next header.
        let start = floor_char_boundary(self.text, span.start);
        let first = self.line_of(start);
        self.text[start..]
            .lines()
            .enumerate()
            .take_while(|(i, l)| *i == 0 || !l.trim_start().starts_with('['))
            .position(|(_, l)| {
                l.trim_start()
                    .trim_start_matches('"')
                    .strip_prefix(key)
                    .is_some_and(|r| {
                        r.trim_start_matches('"')
                            .trim_start()
                            .starts_with(['=', '.'])
                    })
            })
            .map_or(first, |i| first + i)
    }

    fn key_error(&self, span: &Range<usize>, key: &str, message: String) -> ScenarioError {
        ScenarioError {
            file: self.file.to_owned(),
            line: self.key_line(span, key),
            key: Some(key.to_owned()),
            message,
        }
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Each option set is checked as the command line would check it, so a scenario is refused for
/// the same values `handoff` refuses.
fn check_options(at: &Locator, span: Range<usize>, o: &Options) -> Result<(), ScenarioError> {
    let given: [(&str, Option<String>); 5] = [
        ("system", o.system.clone()),
        ("style", o.style.clone()),
        ("agents", o.agents.clone()),
        ("greeting", o.greeting.clone()),
        ("queue_timeout", o.queue_timeout.map(|q| q.to_string())),
    ];
    for (key, value) in given {
        let Some(value) = value else { continue };
        let flag = format!("--{}", key.replace('_', "-"));
        let arg = format!("{flag}={value}");
        let args = ["handoff", arg.as_str()];
        if let Err(e) = <crate::cli::Cli as clap::Parser>::try_parse_from(args) {
            return Err(at.key_error(&span, key, crate::cli::first_line(&e.to_string())));
        }
    }
    if let Some(ms) = o.timeout_ms
        && !(1..=MAX_WAIT_MS).contains(&ms)
    {
        return Err(at.key_error(
            &span,
            "timeout_ms",
            format!("{ms} is not in 1..={MAX_WAIT_MS}"),
        ));
    }
    for name in &o.observers {
        check_actor_name(name).map_err(|m| at.key_error(&span, "observers", m))?;
        if name == USER {
            return Err(at.key_error(
                &span,
                "observers",
                "`user` is the user, not an observer".into(),
            ));
        }
    }
    Ok(())
}

fn check_actor_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(format!(
            "{name:?} is not a name: empty or with control characters"
        ));
    }
    if name.chars().count() > crate::cli::AgentList::MAX_NAME {
        return Err(format!(
            "{name:?}: a name has at most {} characters",
            crate::cli::AgentList::MAX_NAME
        ));
    }
    Ok(())
}

/// What a key's value must be.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    /// A whole number up to this.
    Number(u64),
    TextList,
    TextMap,
}

use Kind::{Number, Text, TextList, TextMap};

/// A key of an action: its name, its kind, whether it is required.
type KeySpec = (&'static str, Kind, bool);

/// Every `do`, who may do it, and its keys.
const ACTIONS: &[(&str, Who, &[KeySpec])] = &[
    ("say", Who::User, &[("text", Text, true), FAILS]),
    (
        "press",
        Who::User,
        &[("label", Text, false), ("action", Text, false), FAILS],
    ),
    (
        "attach",
        Who::Speaker,
        &[
            ("name", Text, true),
            ("content_type", Text, true),
            ("text", Text, true),
            FAILS,
        ],
    ),
    ("accept", Who::Agent, &[FAILS]),
    ("reject", Who::Agent, &[("reason", Text, true), FAILS]),
    ("reply", Who::Agent, &[("text", Text, true), FAILS]),
    ("transfer", Who::Agent, &[("to", Text, true), FAILS]),
    ("invite", Who::Agent, &[("to", Text, true), FAILS]),
    ("end", Who::Speaker, &[FAILS]),
    ("note", Who::Agent, &[("text", Text, true), FAILS]),
    (
        "notify",
        Who::Observer,
        &[("text", Text, true), ("buttons", TextList, false), FAILS],
    ),
    (
        "wait",
        Who::Anyone,
        &[("ms", Number(MAX_WAIT_MS), false), ("until", Text, false)],
    ),
    (
        "see",
        Who::Anyone,
        &[
            ("equals", Text, false),
            ("contains", Text, false),
            ("matches", Text, false),
        ],
    ),
    (
        "buttons",
        Who::User,
        &[("labels", TextList, true), ("enabled", TextList, false)],
    ),
    (
        "state",
        Who::Anyone,
        &[("is", Text, true), ("fields", TextMap, false)],
    ),
    (
        "request",
        Who::Agent,
        &[
            ("title", Text, false),
            ("context", TextMap, false),
            ("history_contains", Text, false),
            ("history_max_bytes", Number(u32::MAX as u64), false),
        ],
    ),
    (
        "event",
        Who::Anyone,
        &[("kind", Text, true), ("fields", TextMap, false)],
    ),
    ("quiet", Who::Anyone, &[("ms", Number(MAX_WAIT_MS), true)]),
    ("drop", Who::Anyone, &[]),
    (
        "fail",
        Who::Anyone,
        &[
            ("count", Number(1000), false),
            ("status", Number(599), false),
            ("retry_after", Number(3600), false),
            ("mode", Text, false),
            ("path", Text, false),
        ],
    ),
    (
        "delay",
        Who::Anyone,
        &[
            ("ms", Number(MAX_WAIT_MS), true),
            ("count", Number(1000), false),
        ],
    ),
    ("expire_queue", Who::Anyone, &[]),
    ("restart", Who::Anyone, &[]),
    (
        "transcript",
        Who::User,
        &[("purple_chat", Text, false), ("turns", TextList, false)],
    ),
];

const FAILS: KeySpec = ("fails", Text, false);

/// Who may take an action.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    User,
    Agent,
    /// The user or an agent.
    Speaker,
    /// An observer named in the options.
    Observer,
    Anyone,
}

/// One `[[step]]`: its actor, its `do`, and only the keys that `do` takes, each of its kind.
fn step(at: &Locator, options: &Options, raw: Spanned<Table>) -> Result<Step, ScenarioError> {
    let span = raw.span();
    let line = at.line_of(span.start);
    let mut table = raw.into_inner();
    let actor = match table.remove("actor") {
        None => USER.to_owned(),
        Some(Value::String(a)) => a,
        Some(_) => return Err(at.key_error(&span, "actor", "expected a name (text)".into())),
    };
    check_actor_name(&actor).map_err(|m| at.key_error(&span, "actor", m))?;
    let Some(action) = table.get("do") else {
        return Err(at.error(
            span,
            Some("do"),
            "a step needs `do` (say, press, accept, see, ...)".into(),
        ));
    };
    let names: Vec<&str> = ACTIONS.iter().map(|a| a.0).collect();
    let Some((name, who, keys)) = action
        .as_str()
        .and_then(|d| ACTIONS.iter().find(|a| a.0 == d))
    else {
        return Err(at.key_error(
            &span,
            "do",
            format!("unknown action {action}; one of {}", names.join(", ")),
        ));
    };
    let role = if actor == USER {
        Who::User
    } else if options.observers.contains(&actor) {
        Who::Observer
    } else {
        Who::Agent
    };
    let allowed = match who {
        Who::Anyone => true,
        Who::Speaker => role != Who::Observer,
        w => *w == role,
    };
    if !allowed {
        return Err(at.key_error(
            &span,
            "actor",
            format!("{actor:?} cannot {name} (only {})", who_says(*who)),
        ));
    }
    for (key, value) in &table {
        if key == "do" {
            continue;
        }
        let Some((_, kind, _)) = keys.iter().find(|k| k.0 == key) else {
            let known: Vec<&str> = keys.iter().map(|k| k.0).collect();
            return Err(at.key_error(
                &span,
                key,
                format!(
                    "not a key of do = {name:?} (it takes: actor{}{})",
                    if known.is_empty() { "" } else { ", " },
                    known.join(", ")
                ),
            ));
        };
        check_kind(value, *kind).map_err(|m| at.key_error(&span, key, m))?;
    }
    if let Some((key, ..)) = keys
        .iter()
        .find(|(k, _, required)| *required && !table.contains_key(*k))
    {
        return Err(at.error(span, Some(key), format!("do = {name:?} needs `{key}`")));
    }
    let action: Action = Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| at.error(span.clone(), None, e.message().to_owned()))?;
    check_action(&action).map_err(|(key, m)| at.key_error(&span, key, m))?;
    Ok(Step {
        actor,
        action,
        line,
    })
}

fn who_says(who: Who) -> &'static str {
    match who {
        Who::User => "the user",
        Who::Agent => "an agent",
        Who::Speaker => "the user or an agent",
        Who::Observer => "an observer",
        Who::Anyone => "anyone",
    }
}

fn check_kind(value: &Value, kind: Kind) -> Result<(), String> {
    let ok = match (kind, value) {
        (Text, Value::String(_)) => true,
        (Number(max), Value::Integer(n)) => {
            return if u64::try_from(*n).is_ok_and(|n| n <= max) {
                Ok(())
            } else {
                Err(format!("{n} is not in 0..={max}"))
            };
        }
        (TextList, Value::Array(items)) => items.iter().all(Value::is_str),
        (TextMap, Value::Table(t)) => t.values().all(Value::is_str),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    Err(match kind {
        Text => "expected text (a quoted string)".into(),
        Number(max) => format!("expected a whole number from 0 to {max}"),
        TextList => "expected a list of texts, e.g. [\"a\", \"b\"]".into(),
        TextMap => "expected a table of texts, e.g. { domain = \"HR\" }".into(),
    })
}

/// What the keys' kinds cannot say: one of several keys, regular expressions, codes.
fn check_action(action: &Action) -> Result<(), (&'static str, String)> {
    match action {
        Action::Press {
            label,
            action: pressed,
            ..
        } => match (label, pressed) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(("label", "give `label` or `action`, one of the two".into()));
            }
            (None, Some(a)) => {
                serde_json::from_value::<crate::protocol::ButtonAction>(a.clone().into())
                    .map_err(|e| ("action", e.to_string()))?;
            }
            (Some(_), None) => {}
        },
        Action::See {
            equals,
            contains,
            matches,
        } => {
            let given = [equals, contains, matches]
                .iter()
                .filter(|v| v.is_some())
                .count();
            if given != 1 {
                return Err((
                    "equals",
                    "give exactly one of `equals`, `contains` and `matches`".into(),
                ));
            }
            if let Some(re) = matches {
                regex::Regex::new(re).map_err(|e| ("matches", e.to_string()))?;
            }
        }
        Action::Wait { ms, until } if ms.is_some() == until.is_some() => {
            return Err(("ms", "give `ms` or `until`, one of the two".into()));
        }
        Action::Transcript { purple_chat, turns } => {
            if purple_chat.is_some() != turns.is_empty() {
                return Err((
                    "purple_chat",
                    "give `purple_chat` or `turns`, one of the two".into(),
                ));
            }
            super::transcript::of_lines(turns).map_err(|e| ("turns", e))?;
        }
        Action::Fail { mode, status, .. } => {
            if !["reject", "after_processing", "malformed", "timeout"].contains(&mode.as_str()) {
                return Err((
                    "mode",
                    format!("{mode:?}: one of reject, after_processing, malformed, timeout"),
                ));
            }
            if *status < 100 {
                return Err(("status", format!("{status} is not an HTTP status")));
            }
        }
        _ => {}
    }
    check_fails(action)
}

/// The error codes a request step may expect instead of its ack.
fn check_fails(action: &Action) -> Result<(), (&'static str, String)> {
    let (Action::Say { fails, .. }
    | Action::Press { fails, .. }
    | Action::Attach { fails, .. }
    | Action::Accept { fails }
    | Action::Reject { fails, .. }
    | Action::Reply { fails, .. }
    | Action::Transfer { fails, .. }
    | Action::Invite { fails, .. }
    | Action::End { fails }
    | Action::Note { fails, .. }
    | Action::Notify { fails, .. }) = action
    else {
        return Ok(());
    };
    match fails {
        Some(code) => serde_json::from_value::<crate::protocol::ErrorCode>(code.clone().into())
            .map(drop)
            .map_err(|_| ("fails", format!("{code:?} is not an error code of the protocol (invalid_state, forbidden, not_found, ...)"))),
        None => Ok(()),
    }
}

/// The agents a scenario's steps name (every actor but `user` and the observers), in order.
pub fn agents(scenario: &Scenario) -> Vec<String> {
    let mut seen = BTreeSet::new();
    scenario
        .steps
        .iter()
        .map(|s| &s.actor)
        .filter(|a| *a != USER && !scenario.options.observers.contains(a))
        .filter(|a| seen.insert((*a).clone()))
        .cloned()
        .collect()
}
