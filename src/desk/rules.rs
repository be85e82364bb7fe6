//! What an agent may do with a request or chat: one decision, asked by the desk before it acts
//! and by the console before it offers a button, so the two can never disagree.

/// How a desk behaves where desks differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A second agent may join a live chat: by accepting another agent's live chat (a
    /// barge-in) or by an invitation from an agent in it. The mock desk allows it; the
    /// emulated systems do where their API carries a second agent.
    pub barge_in: bool,
    /// A waiting request rings one available agent at a time (AWA-style offering), and is
    /// withdrawn when every available agent has declined it. Without it, requests wait until
    /// an agent picks one up.
    pub ring: bool,
}

impl Policy {
    /// The mock desk acting as a brokered system: it rings agents and allows barge-in.
    pub const MOCK: Self = Self {
        barge_in: true,
        ring: true,
    };

    /// The emulated contact centers: no ringing, no barge-in.
    pub const EMULATED: Self = Self {
        barge_in: false,
        ring: false,
    };

    /// An emulated contact center whose API carries a second agent in a live chat (a
    /// system folder's `SECOND_AGENT`): no ringing, and a barge-in is allowed.
    pub const fn emulated(second_agent: bool) -> Self {
        Self {
            barge_in: second_agent,
            ring: false,
        }
    }
}

/// Where a conversation is, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage<'a> {
    /// In the queue, waiting for an agent.
    Waiting,
    /// A live chat with these agents, in the order they came.
    Live(&'a [String]),
    /// A live chat with these agents, to which the agent asking is invited.
    Invited(&'a [String]),
    /// Ended, or left the queue.
    Over,
}

/// What an agent can do with a request or chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Take a waiting request, or join a live chat (a barge-in, where the policy allows it).
    Accept,
    /// Turn a waiting request down.
    Reject,
    /// End a chat the agent is in.
    End,
    /// Hand a chat the agent is in to another agent.
    Transfer,
    /// Reply, send a file or type in a chat the agent is in.
    Talk,
    /// Ask another agent into a chat the agent is in (they accept or decline).
    Invite,
}

impl Action {
    /// The action as a verb, for refusals.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::End => "end",
            Self::Transfer => "transfer",
            Self::Talk => "talk in",
            Self::Invite => "invite anyone to",
        }
    }
}

/// Why an action does not fit the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request still waits: it must be accepted first.
    NotYet,
    /// The agent is already in this chat.
    AlreadyIn,
    /// Other agents have the chat and the agent is not in it.
    NotIn,
    /// Other agents took the request; joining them would be a barge-in the policy refuses, or
    /// a rejection of what is no longer waiting.
    Taken,
    /// The conversation is over.
    Over,
    /// The desk takes one agent per chat: nobody can be invited in.
    OneAgent,
}

impl Policy {
    /// The actions `me` is offered in `stage`, in button order (barge-in is never a button:
    /// it is the accept key on another agent's chat). An invitation is accepted or declined
    /// (rejected) like a waiting request.
    pub fn offers(self, stage: Stage<'_>, me: &str) -> &'static [Action] {
        match stage {
            Stage::Waiting | Stage::Invited(_) => &[Action::Accept, Action::Reject],
            Stage::Live(agents) if agents.iter().any(|a| a == me) => {
                if self.barge_in {
                    &[Action::End, Action::Transfer, Action::Invite]
                } else {
                    &[Action::End, Action::Transfer]
                }
            }
            Stage::Live(_) | Stage::Over => &[],
        }
    }

    /// Whether `me` may do `action` in `stage`, and if not, why.
    pub fn check(self, stage: Stage<'_>, me: &str, action: Action) -> Result<(), Refusal> {
        let agents = match stage {
            Stage::Over => return Err(Refusal::Over),
            Stage::Waiting => {
                return match action {
                    Action::Accept | Action::Reject => Ok(()),
                    Action::End | Action::Transfer | Action::Talk | Action::Invite => {
                        Err(Refusal::NotYet)
                    }
                };
            }
            Stage::Invited(_) => {
                return match action {
                    Action::Accept | Action::Reject => Ok(()),
                    Action::End | Action::Transfer | Action::Talk | Action::Invite => {
                        Err(Refusal::NotIn)
                    }
                };
            }
            Stage::Live(agents) => agents,
        };
        let is_in = agents.iter().any(|a| a == me);
        match action {
            Action::Invite if is_in && !self.barge_in => Err(Refusal::OneAgent),
            Action::End | Action::Transfer | Action::Talk | Action::Invite if is_in => Ok(()),
            Action::End | Action::Transfer | Action::Talk | Action::Invite => Err(Refusal::NotIn),
            Action::Accept | Action::Reject if is_in => Err(Refusal::AlreadyIn),
            Action::Accept if self.barge_in => Ok(()),
            Action::Accept | Action::Reject => Err(Refusal::Taken),
        }
    }

    /// Whether `me` may do `action` in `stage`.
    pub fn allows(self, stage: Stage<'_>, me: &str, action: Action) -> bool {
        self.check(stage, me, action).is_ok()
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
