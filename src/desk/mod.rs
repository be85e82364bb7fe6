//! The agent desk as one pure model: agents and their presence, the waiting queue in arrival
//! order, offers (ringing one agent), accept, reject, transfer, barge-in, invite, end and queue
//! timeout. The mock system, every emulator's agent side and the console's inbox all follow it.
//!
//! ```text
//!            open                 accept                      end (agent) / user left
//!   (new) ─────────> waiting ─────────────────> live(agents) ────────────────────────> gone
//!                    │  ▲  │ ring / reject       │  ▲  transfer (to an available agent)
//!                    │  └──┘ (re-ring)           │  ├─ accept by another (barge-in policy)
//!                    │                           │  └─ invite ─> invited(to) ─ accept: joins
//!                    │                           │                           └ reject: declined
//!                    └── timeout / user left / every available agent declined ──> gone
//! ```
//!
//! It is synchronous and owns no channel, task or clock: time comes in with the commands
//! ([`Command::Open`] carries when the request was queued). [`Desk::handle`] takes a
//! [`Command`] and returns the [`Effect`]s it caused, what each side must be told; the actor
//! around it (the mock desk, the emulators' desk) turns them into its own events, timers and
//! signals. A refused command changes nothing. What the desk allows is decided by
//! [`Policy::check`], the same function the console asks before it offers a button.

mod error;
mod invite;
mod rules;
#[cfg(test)]
mod tests;

pub use error::{DeskError, transfer_needs_available};
pub use rules::{Action, Policy, Refusal, Stage};

use crate::protocol::{ConversationEvent, ConversationId, DeskAgent, EndReason, Millis, Presence};
use std::collections::HashMap;

/// How many agents a desk has at most; presence for a new agent beyond it is refused.
pub const MAX_AGENTS: usize = 256;

/// How many requests may wait at once; a request beyond it is refused.
pub const MAX_WAITING: usize = 1024;

/// How many live chats a desk holds at once; accepting beyond it is refused.
pub const MAX_CHATS: usize = 1024;

/// How many invitations one live chat holds at once; inviting beyond it is refused until one
/// is accepted or declined.
pub const MAX_INVITES: usize = 8;

/// The reason given when a request is withdrawn because every available agent declined.
pub const EVERYONE_DECLINED: &str = "every available agent declined";

/// The reason of a request withdrawn because every available agent declined, with the latest
/// agent's own reason when they gave one: `every available agent declined; Lisa said "on a
/// call"`.
pub fn everyone_declined(last: Option<&(String, String)>) -> String {
    match last {
        Some((agent, reason)) => format!("{EVERYONE_DECLINED}; {agent} said {reason:?}"),
        None => EVERYONE_DECLINED.to_owned(),
    }
}

/// What happens at the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A request enters the queue. `label` is how agents and refusals name it (the client's
    /// conversation id, never an id of the vendor's); `at` is when it was queued.
    Open {
        /// The desk's key for the conversation.
        conversation: ConversationId,
        /// The name agents know it by.
        label: ConversationId,
        /// When it was queued.
        at: Millis,
    },
    /// An agent takes a waiting request, or joins a live chat (barge-in, by policy).
    Accept {
        /// The agent.
        agent: String,
        /// The conversation.
        conversation: ConversationId,
    },
    /// An agent in a live chat asks another agent in (where the policy allows a second agent).
    /// The invitee accepts ([`Command::Accept`]: they join as a barge-in would) or declines
    /// ([`Command::Reject`]: the inviter is told).
    Invite {
        /// The agent inviting, who must be in the chat.
        by: String,
        /// The conversation.
        conversation: ConversationId,
        /// The agent invited: at the desk (not offline) and not in the chat yet.
        to: String,
    },
    /// An agent turns a waiting request down (they are not offered it again), or declines an
    /// invitation to a live chat.
    Reject {
        /// The agent.
        agent: String,
        /// The conversation.
        conversation: ConversationId,
        /// Why, as the agent put it.
        reason: String,
    },
    /// An agent in a chat hands it to an available agent.
    Transfer {
        /// The agent handing over.
        from: String,
        /// The conversation.
        conversation: ConversationId,
        /// The agent taking over.
        to: String,
    },
    /// An agent in a chat ends it.
    End {
        /// The agent.
        agent: String,
        /// The conversation.
        conversation: ConversationId,
    },
    /// The user side left the queue or the chat (the user, or the broker taking the request
    /// back); nothing happens when the desk no longer knows the conversation.
    Leave {
        /// The conversation.
        conversation: ConversationId,
        /// Why.
        reason: EndReason,
    },
    /// The queue gives up on a waiting request.
    Timeout {
        /// The conversation.
        conversation: ConversationId,
    },
    /// An agent's presence changes; an agent the desk does not know yet is added.
    SetPresence {
        /// The agent.
        agent: String,
        /// The new presence.
        presence: Presence,
    },
}

/// What the user's side must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserNote {
    /// The request is in the queue at this position (1 = next).
    Queued {
        /// The position.
        position: u32,
    },
    /// An agent is being rung.
    Ringing {
        /// The agent.
        agent: String,
    },
    /// An agent joined; `first` when they took the request (not a barge-in).
    Joined {
        /// The agent.
        agent: String,
        /// Whether they are the first agent of the chat.
        first: bool,
    },
    /// The chat went from one agent to another.
    Transferred {
        /// The agent who left.
        from: String,
        /// The agent who joined.
        to: String,
    },
    /// The request or chat is over.
    Ended {
        /// Why.
        reason: EndReason,
    },
}

/// What one command caused, for the actor to pass on.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Agents' clients see this event of the conversation (the desk feed).
    Feed(ConversationId, ConversationEvent),
    /// The user's side of the conversation must hear this.
    User(ConversationId, UserNote),
    /// The agents' presence or chat counts changed: publish [`Desk::agents`].
    AgentsChanged,
}

/// A request in the queue.
#[derive(Debug, Clone)]
struct Waiting {
    conversation: ConversationId,
    label: ConversationId,
    /// Agents who declined, in order; at most one entry per agent.
    rejected_by: Vec<String>,
    /// The latest decline that gave a reason: who, and why.
    last_reason: Option<(String, String)>,
    /// The agent being rung.
    ringing: Option<String>,
}

/// A live chat.
#[derive(Debug, Clone)]
struct Chat {
    label: ConversationId,
    /// Everyone in it, in the order they came; at most one entry per agent.
    agents: Vec<String>,
    /// Open invitations, `(invitee, inviter)`: at most [`MAX_INVITES`], one per invitee, none
    /// for an agent in the chat.
    invited: Vec<(String, String)>,
}

/// The desk: agents, the queue and the live chats.
#[derive(Debug, Clone)]
pub struct Desk {
    policy: Policy,
    /// In order of preference for offers.
    agents: Vec<DeskAgent>,
    /// In arrival order.
    waiting: Vec<Waiting>,
    chats: HashMap<ConversationId, Chat>,
}

mod transitions;

impl Desk {
    /// A desk following `policy` with `agents` in order of preference (duplicates and agents
    /// beyond [`MAX_AGENTS`] are left out).
    pub fn new(policy: Policy, agents: impl IntoIterator<Item = (String, Presence)>) -> Self {
        let mut desk = Self {
            policy,
            agents: Vec::new(),
            waiting: Vec::new(),
            chats: HashMap::new(),
        };
        for (name, presence) in agents {
            if desk.agents.len() < MAX_AGENTS && desk.agent(&name).is_none() {
                desk.agents.push(DeskAgent {
                    name,
                    presence,
                    active_chats: 0,
                });
            }
        }
        desk
    }

    /// The desk's policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The agents, in order of preference.
    pub fn agents(&self) -> &[DeskAgent] {
        &self.agents
    }

    /// How many agents are available.
    pub fn available(&self) -> u32 {
        self.agents
            .iter()
            .filter(|a| a.presence == Presence::Available)
            .count() as u32
    }

    /// Whether `agent` works at this desk.
    pub fn knows(&self, agent: &str) -> bool {
        self.agent(agent).is_some()
    }

    /// How many requests wait.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Where `conversation` is; `None` when the desk does not know it (any more).
    pub fn stage(&self, conversation: &ConversationId) -> Option<Stage<'_>> {
        if let Some(chat) = self.chats.get(conversation) {
            return Some(Stage::Live(&chat.agents));
        }
        self.queued(conversation).map(|_| Stage::Waiting)
    }

    /// Where `conversation` is for `agent`: [`Stage::Invited`] when they are invited to its
    /// live chat, else [`Desk::stage`].
    pub fn stage_for(&self, conversation: &ConversationId, agent: &str) -> Option<Stage<'_>> {
        match self.chats.get(conversation) {
            Some(chat) if chat.invited.iter().any(|(to, _)| to == agent) => {
                Some(Stage::Invited(&chat.agents))
            }
            _ => self.stage(conversation),
        }
    }

    /// The agents in the live chat of `conversation`, in the order they came.
    pub fn agents_in(&self, conversation: &ConversationId) -> Option<&[String]> {
        self.chats.get(conversation).map(|c| c.agents.as_slice())
    }

    /// Fails unless `agent` may talk (reply, send files, type) in `conversation`.
    pub fn may_talk(&self, agent: &str, conversation: &ConversationId) -> Result<(), DeskError> {
        self.known(agent)?;
        self.check(agent, conversation, Action::Talk)
    }

    /// Does what `command` says and returns what it caused; a refused command changes nothing.
    pub fn handle(&mut self, command: Command) -> Result<Vec<Effect>, DeskError> {
        let mut out = Vec::new();
        match command {
            Command::Open {
                conversation,
                label,
                at: _,
            } => self.open(conversation, label, &mut out)?,
            Command::Accept {
                agent,
                conversation,
            } => self.accept(&agent, &conversation, &mut out)?,
            Command::Invite {
                by,
                conversation,
                to,
            } => self.invite(&by, &conversation, &to, &mut out)?,
            Command::Reject {
                agent,
                conversation,
                reason,
            } => self.reject(&agent, &conversation, reason, &mut out)?,
            Command::Transfer {
                from,
                conversation,
                to,
            } => self.transfer(&from, &conversation, &to, &mut out)?,
            Command::End {
                agent,
                conversation,
            } => self.end(&agent, &conversation, &mut out)?,
            Command::Leave {
                conversation,
                reason,
            } => self.leave(&conversation, reason, &mut out),
            Command::Timeout { conversation } => self.timeout(&conversation, &mut out)?,
            Command::SetPresence { agent, presence } => {
                self.set_presence(agent, presence, &mut out)?;
            }
        }
        Ok(out)
    }

    fn agent(&self, name: &str) -> Option<&DeskAgent> {
        self.agents.iter().find(|a| a.name == name)
    }

    fn known(&self, agent: &str) -> Result<(), DeskError> {
        if self.knows(agent) {
            Ok(())
        } else {
            Err(DeskError::UnknownAgent(agent.to_owned()))
        }
    }

    fn queued(&self, conversation: &ConversationId) -> Option<usize> {
        self.waiting
            .iter()
            .position(|w| &w.conversation == conversation)
    }

    /// The policy's decision for `agent` doing `action`, as the desk's refusal.
    fn check(
        &self,
        agent: &str,
        conversation: &ConversationId,
        action: Action,
    ) -> Result<(), DeskError> {
        let stage = self
            .stage_for(conversation, agent)
            .ok_or_else(|| DeskError::UnknownConversation(conversation.clone()))?;
        let label = self.label(conversation);
        let verb = action.verb();
        self.policy
            .check(stage, agent, action)
            .map_err(|refusal| match refusal {
                Refusal::NotYet => DeskError::InvalidState(format!(
                    "conversation {label} is still waiting; accept it first"
                )),
                Refusal::AlreadyIn => DeskError::InvalidState(format!(
                    "cannot {verb}: conversation {label} is not waiting for an agent \
                     ({agent} is already in this chat)"
                )),
                Refusal::NotIn => DeskError::InvalidState(format!(
                    "{agent} is not in the chat of conversation {label}; {} in it",
                    who(stage)
                )),
                Refusal::Taken => DeskError::InvalidState(format!(
                    "cannot {verb}: conversation {label} is not waiting for an agent ({} took it)",
                    names(stage)
                )),
                Refusal::Over => DeskError::UnknownConversation(conversation.clone()),
                Refusal::OneAgent => DeskError::InvalidState(format!(
                    "cannot invite anyone: a chat on this system has one agent at a time \
                     (a second agent cannot join conversation {label}); transfer it instead"
                )),
            })
    }

    fn label(&self, conversation: &ConversationId) -> ConversationId {
        self.chats
            .get(conversation)
            .map(|c| &c.label)
            .or_else(|| self.queued(conversation).map(|i| &self.waiting[i].label))
            .unwrap_or(conversation)
            .clone()
    }

    fn count_chat(&mut self, agent: &str, joined: bool) {
        if let Some(a) = self.agents.iter_mut().find(|a| a.name == agent) {
            a.active_chats = if joined {
                a.active_chats.saturating_add(1)
            } else {
                a.active_chats.saturating_sub(1)
            };
        }
    }
}

/// The agents of a live stage, joined for a sentence.
fn names(stage: Stage<'_>) -> String {
    match stage {
        Stage::Live(agents) | Stage::Invited(agents) => agents.join(" and "),
        Stage::Waiting | Stage::Over => "nobody".to_owned(),
    }
}

/// "Lisa is" or "Lisa and Sam are".
fn who(stage: Stage<'_>) -> String {
    let many = matches!(stage, Stage::Live(agents) | Stage::Invited(agents) if agents.len() > 1);
    format!("{} {}", names(stage), if many { "are" } else { "is" })
}
