//! Recording: what people do in the console, and what each of them was shown, as the steps of
//! a format-1 scenario. Pure: the console feeds it what happened ([`Recorder::acted`],
//! [`Recorder::shown`], [`Recorder::state`]) and asks for the file ([`Recorder::to_toml`]).
//!
//! Each actor's messages are written as `see` (`equals`) steps just before the next thing
//! anyone does, with the text of their latest version (a message is replaced as its reasoning
//! steps finish; `see` accepts any version), so the file reads turn by turn as it happened.

use super::expect::{Viewer, plain};
use super::parse::MAX_STEPS;
use super::{Action, FORMAT, Options, Scenario, Step, USER};
use crate::protocol::{ChatMessage, ClientMsg, HandoffState, MessageId};
use std::collections::{BTreeMap, BTreeSet};

/// The most messages held back between two actions; at the bound the oldest is written out.
pub const MAX_SHOWN: usize = 256;

/// A recording in progress.
#[derive(Debug, Clone)]
pub struct Recorder {
    name: String,
    options: Options,
    steps: Vec<Step>,
    /// Messages shown since the last action, in order: actor, id, latest plain text.
    shown: Vec<(String, MessageId, String)>,
    /// Agents whose first accept or reject already waits for a request.
    requested: BTreeSet<String>,
    /// The user's last recorded state, so a state sent again is not a new step.
    last_state: Option<Action>,
    /// Steps were dropped at [`MAX_STEPS`].
    full: bool,
}

impl Recorder {
    /// A new recording of a scenario called `name`, run under `options`.
    pub fn new(name: impl Into<String>, options: Options) -> Self {
        Self {
            name: name.into(),
            options,
            steps: Vec::new(),
            shown: Vec::new(),
            requested: BTreeSet::new(),
            last_state: None,
            full: false,
        }
    }

    /// A recording that goes on from the first `upto` steps of `scenario` (a fork).
    pub fn fork(scenario: &Scenario, upto: usize) -> Self {
        let mut rec = Self::new(
            format!("{} (fork)", scenario.name),
            scenario.options.clone(),
        );
        for step in scenario.steps.iter().take(upto) {
            if matches!(step.action, Action::Request { .. }) {
                rec.requested.insert(step.actor.clone());
            }
            rec.push(step.actor.clone(), step.action.clone());
        }
        rec
    }

    /// How many steps are recorded (messages held back included).
    pub fn len(&self) -> usize {
        self.steps.len() + self.shown.len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether steps were dropped at the format's bound of [`MAX_STEPS`].
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// `actor` did `action`: what was shown before it is written first. An agent's first
    /// accept or reject waits for the request, as the agent in the console saw it first.
    pub fn acted(&mut self, actor: &str, action: Action) {
        self.flush();
        if matches!(action, Action::Accept { .. } | Action::Reject { .. })
            && self.requested.insert(actor.to_owned())
        {
            self.push(
                actor.to_owned(),
                Action::Request {
                    title: None,
                    context: BTreeMap::new(),
                    history_contains: None,
                    history_max_bytes: None,
                },
            );
        }
        self.push(actor.to_owned(), action);
    }

    /// The user is about to press a button of a message offering `labels`, of which `enabled`
    /// can be pressed: a `buttons` expectation, after what was shown before it.
    pub fn offered(&mut self, labels: Vec<String>, enabled: Vec<String>) {
        self.flush();
        self.push(
            USER.to_owned(),
            Action::Buttons {
                labels,
                enabled: Some(enabled),
            },
        );
    }

    /// `actor` was shown `message`, `new` to them, or a new version of it. Their own messages
    /// are not expectations, nor messages without text (buttons: see [`Self::offered`]), nor a
    /// new version of one already written or shown before the recording (`see` reads only
    /// messages new to the actor).
    pub fn shown(&mut self, actor: &str, message: &ChatMessage, new: bool) {
        let viewer = Viewer {
            name: actor,
            is_user: actor == USER,
        };
        let text = plain(message);
        if viewer.wrote(message) || text.is_empty() {
            return;
        }
        if let Some(entry) = self
            .shown
            .iter_mut()
            .find(|(a, id, _)| a == actor && *id == message.id)
        {
            entry.2 = text;
            return;
        }
        if !new {
            return;
        }
        if self.shown.len() == MAX_SHOWN {
            let (actor, _, text) = self.shown.remove(0);
            self.push(actor, see(text));
        }
        self.shown
            .push((actor.to_owned(), message.id.clone(), text));
    }

    /// Messages `actor` was shown since their last action and no step has read yet (a fork
    /// starts with them): written as `see` steps before the next action.
    pub fn unread(&mut self, actor: &str, messages: &[ChatMessage]) {
        for m in messages {
            self.shown(actor, m, true);
        }
    }

    /// The user's conversation reached `state`: its tag, and the agent when it has one.
    pub fn state(&mut self, state: &HandoffState) {
        let json = serde_json::to_value(state).unwrap_or_default();
        let Some(is) = json.get("state").and_then(|s| s.as_str()) else {
            return;
        };
        let fields = json
            .get("agent")
            .and_then(|a| a.as_str())
            .map(|a| BTreeMap::from([("agent".to_owned(), a.to_owned())]))
            .unwrap_or_default();
        let action = Action::State {
            is: is.to_owned(),
            fields,
        };
        if self.last_state.as_ref() != Some(&action) {
            self.last_state = Some(action.clone());
            self.push(USER.to_owned(), action);
        }
    }

    /// The scenario so far, messages held back included.
    pub fn scenario(&self) -> Scenario {
        let mut rec = self.clone();
        rec.flush();
        Scenario {
            format: FORMAT,
            name: rec.name,
            options: rec.options,
            steps: rec.steps,
            file: std::path::PathBuf::new(),
        }
    }

    /// The scenario as the text of a format-1 file.
    pub fn to_toml(&self) -> Result<String, String> {
        let body = toml::to_string(&self.scenario())
            .map_err(|e| format!("cannot write the scenario: {e}"))?;
        Ok(format!("# Recorded in the handoff console.\n{body}"))
    }

    fn flush(&mut self) {
        for (actor, _, text) in std::mem::take(&mut self.shown) {
            self.push(actor, see(text));
        }
    }

    fn push(&mut self, actor: String, action: Action) {
        if self.steps.len() >= MAX_STEPS {
            self.full = true;
            return;
        }
        self.steps.push(Step {
            actor,
            action,
            line: 0,
        });
    }
}

fn see(text: String) -> Action {
    Action::See {
        equals: Some(text),
        contains: None,
        matches: None,
    }
}

/// The step a request of the console is, if it is one; `label` is the pressed button's.
/// Typing, presence and the like are not steps.
pub fn action_of(msg: &ClientMsg, label: Option<&str>) -> Option<Action> {
    let fails = None;
    Some(match msg {
        ClientMsg::Say { text, .. } => Action::Say {
            text: text.clone(),
            fails,
        },
        ClientMsg::Press { action, .. } => {
            let wire = serde_json::to_value(action).ok();
            Action::Press {
                label: label.map(str::to_owned),
                action: label
                    .is_none()
                    .then(|| wire.and_then(|v| v.as_str().map(str::to_owned)))
                    .flatten(),
                fails,
            }
        }
        ClientMsg::Attach {
            name,
            content_type,
            data,
            ..
        } => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .ok()?;
            Action::Attach {
                name: name.clone(),
                content_type: content_type.clone(),
                text: String::from_utf8(bytes).ok()?,
                fails,
            }
        }
        ClientMsg::Accept { .. } => Action::Accept { fails },
        ClientMsg::Reject { reason, .. } => Action::Reject {
            reason: reason.clone(),
            fails,
        },
        ClientMsg::Reply { text, .. } => Action::Reply {
            text: text.clone(),
            fails,
        },
        ClientMsg::Transfer { to, .. } => Action::Transfer {
            to: to.clone(),
            fails,
        },
        ClientMsg::Invite { agent, .. } => Action::Invite {
            to: agent.clone(),
            fails,
        },
        ClientMsg::End { .. } => Action::End { fails },
        _ => return None,
    })
}

/// The scenario options of the console's embedded broker: what differs from the defaults.
pub fn options_of(args: &crate::cli::EngineArgs) -> Options {
    use clap::ValueEnum as _;
    let system = args.system.to_string();
    let style = args
        .style
        .to_possible_value()
        .map(|v| v.get_name().to_owned());
    let agents = args.agents.as_ref().map(|list| {
        list.0
            .iter()
            .map(|(name, presence)| {
                let p = serde_json::to_value(presence).unwrap_or_default();
                format!("{name}:{}", p.as_str().unwrap_or("available"))
            })
            .collect::<Vec<_>>()
            .join(",")
    });
    let absolute = |p: &std::path::PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
    Options {
        system: (system != crate::systems::mock::NAME.to_string()).then_some(system),
        style: style.filter(|s| s != "brokered"),
        agents,
        greeting: args.greeting.clone(),
        routing: args.routing.as_ref().map(absolute),
        queue_timeout: (args.queue_timeout != 120).then_some(args.queue_timeout),
        config: args.config.as_ref().map(absolute),
        ..Options::default()
    }
}

#[cfg(test)]
pub(super) mod tests;
