//! `handoff transcript ID --format scenario`: a stored conversation's log as a format-1
//! scenario, through the [`Recorder`]. The user's messages become `say` and `press` steps and
//! what the user was shown `see`, `buttons` and `state` expectations; the agents' actions come
//! from the desk events (`assigned` is an accept, a barge-in's accept when the agents before
//! stay, or a transfer when the agent before is gone; `rejected` a reject; an agent's ending an
//! end) and their messages are replies (notes when only agents saw them), except, on the mock
//! desk, the first agent's first message, the desk's greeting (the `greeting` option when it is
//! not the mock desk's own). A conversation brokered to another system (its `opened` event
//! names it) replays there: the scenario's `system` option, its agents the system's own.

use super::expect::plain;
use super::import::pressed;
use super::record::Recorder;
use super::{Action, Options, USER};
use crate::protocol::{
    ButtonState, ChatMessage, ClientRole, ConversationEvent, EndReason, HandoffStyle, MessageId,
    Role,
};
use crate::store::StoredEvent;
use std::collections::BTreeSet;

/// The scenario text of the conversation `name` whose log is `events`, to run on the mock desk.
pub fn scenario_text(name: &str, events: &[StoredEvent]) -> Result<String, String> {
    let mut walk = Walk {
        rec: Recorder::new(name, Options::default()),
        seen: BTreeSet::new(),
        offer: None,
        agents: Vec::new(),
        awaiting_greeting: false,
        greeting: None,
        style: None,
        system: None,
    };
    for stored in events {
        walk.event(stored);
    }
    let mock = crate::systems::mock::DeskConfig::for_style(HandoffStyle::Brokered).greeting;
    let options = Options {
        system: walk.system.clone(),
        style: walk
            .style
            .filter(|s| *s != HandoffStyle::Brokered)
            .map(|s| s.to_string()),
        greeting: walk.greeting.filter(|g| Some(g) != mock.as_ref()),
        ..Options::default()
    };
    let mut scenario = walk.rec.scenario();
    scenario.options = options;
    let body = toml::to_string(&scenario).map_err(|e| format!("cannot write the scenario: {e}"))?;
    Ok(format!(
        "# A stored conversation, by `handoff transcript --format scenario`.\n{body}"
    ))
}

/// The walk through one log.
struct Walk {
    rec: Recorder,
    /// Messages seen before, so a new version of one is not a new action.
    seen: BTreeSet<MessageId>,
    /// The buttons last offered to the user: labels, and those that could be pressed.
    offer: Option<(Vec<String>, Vec<String>)>,
    /// The agents in the live chat.
    agents: Vec<String>,
    /// The first agent was assigned and has not spoken yet.
    awaiting_greeting: bool,
    /// The first agent's first message.
    greeting: Option<String>,
    /// The style of the request, once there is one.
    style: Option<HandoffStyle>,
    /// The system it ran on, by its registry name, when not the mock desk.
    system: Option<String>,
}

/// The registry name of a system as it names itself (`Amazon Connect` is `amazon-connect`);
/// `None` for the mock desk and names the registry does not know.
fn registry_name(named: &str) -> Option<String> {
    let wanted = named.trim().to_ascii_lowercase().replace(' ', "-");
    wanted
        .parse::<crate::systems::SystemName>()
        .ok()
        .filter(|n| *n != crate::systems::mock::NAME)
        .map(|n| n.to_string())
}

impl Walk {
    fn event(&mut self, stored: &StoredEvent) {
        let to_user = stored.audience.reaches(ClientRole::User);
        match &stored.event {
            ConversationEvent::Message { message } => self.message(message, to_user),
            ConversationEvent::State { state } if to_user => self.rec.state(state),
            ConversationEvent::Request { style, .. } => self.style = Some(*style),
            ConversationEvent::Opened {
                system: Some(system),
                ..
            } => self.system = registry_name(system),
            ConversationEvent::Rejected { agent, reason }
            | ConversationEvent::InviteDeclined { agent, reason, .. } => self.rec.acted(
                agent,
                Action::Reject {
                    reason: reason.clone(),
                    fails: None,
                },
            ),
            ConversationEvent::Assigned { agent, agents } => self.assigned(agent, agents),
            ConversationEvent::Invited { agent, by } => self.rec.acted(
                by,
                Action::Invite {
                    to: agent.clone(),
                    fails: None,
                },
            ),
            ConversationEvent::ChatEnded {
                reason: EndReason::Agent { agent },
            } => self.rec.acted(agent, Action::End { fails: None }),
            _ => {}
        }
    }

    fn assigned(&mut self, agent: &str, agents: &[String]) {
        let now = if agents.is_empty() {
            vec![agent.to_owned()]
        } else {
            agents.to_vec()
        };
        let gone = self.agents.iter().find(|a| !now.contains(a)).cloned();
        match gone {
            None if self.agents.is_empty() => {
                // Only the mock desk greets on the agent's behalf.
                self.awaiting_greeting = self.system.is_none();
                self.rec.acted(agent, Action::Accept { fails: None });
            }
            // A barge-in: the agents before stay, one more joins.
            None if !self.agents.iter().any(|a| a == agent) => {
                self.rec.acted(agent, Action::Accept { fails: None });
            }
            Some(from) if !self.agents.iter().any(|a| a == agent) => self.rec.acted(
                &from,
                Action::Transfer {
                    to: agent.to_owned(),
                    fails: None,
                },
            ),
            // A second agent joined (invited, or a barge-in): they accepted.
            None if !self.agents.iter().any(|a| a == agent) => {
                self.rec.acted(agent, Action::Accept { fails: None });
            }
            _ => {}
        }
        self.agents = now;
    }

    fn message(&mut self, message: &ChatMessage, to_user: bool) {
        let new = self.seen.insert(message.id.clone());
        if new {
            self.acted(message, to_user);
        }
        if to_user {
            self.offered(message);
            self.rec.shown(USER, message, new);
        }
    }

    /// What writing `message` was, if its author acted (a message the user was not shown is
    /// an agent's private note).
    fn acted(&mut self, message: &ChatMessage, to_user: bool) {
        let text = message
            .translation
            .as_ref()
            .map_or_else(|| plain(message), |t| t.original.clone());
        match (&message.role, &message.agent) {
            (Role::User, _) => match pressed(&text) {
                Some(label) => {
                    if let Some((labels, enabled)) = self.offer.take() {
                        self.rec.offered(labels, enabled);
                    }
                    let press = Action::Press {
                        label: Some(label),
                        action: None,
                        fails: None,
                    };
                    self.rec.acted(USER, press);
                }
                None => self.rec.acted(USER, Action::Say { text, fails: None }),
            },
            (Role::Agent, Some(agent)) if !to_user => {
                self.rec
                    .acted(&agent.name, Action::Note { text, fails: None });
            }
            (Role::Agent, Some(_)) if self.awaiting_greeting => {
                self.awaiting_greeting = false;
                self.greeting = Some(text);
            }
            (Role::Agent, Some(agent)) => {
                self.rec
                    .acted(&agent.name, Action::Reply { text, fails: None });
            }
            _ => {}
        }
    }

    /// The buttons of `message` the user could press, kept for the `buttons` step of a press;
    /// a version after the press (one button pressed) is not what the user was offered.
    fn offered(&mut self, message: &ChatMessage) {
        if message.buttons().any(|b| b.state == ButtonState::Pressed) {
            return;
        }
        let labels: Vec<String> = message.buttons().map(|b| b.button_text.clone()).collect();
        let enabled: Vec<String> = message
            .buttons()
            .filter(|b| b.state == ButtonState::Active)
            .map(|b| b.button_text.clone())
            .collect();
        if !enabled.is_empty() {
            self.offer = Some((labels, enabled));
        }
    }
}

#[cfg(test)]
mod tests;
