//! What happens on the desk, as the emulators put it on the wire: [`Signal`]s, made from the
//! desk model's notes to the user side.

use super::AgentFile;
use crate::desk::UserNote;
use crate::protocol::EndReason;
use serde::Serialize;

/// What happened on the desk, for the emulator to put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The request entered the queue.
    Queued {
        /// The queue's wait estimate.
        eta_secs: u64,
    },
    /// An agent joined.
    Joined {
        /// The agent.
        agent: SimAgent,
    },
    /// An agent said something.
    Message {
        /// The agent.
        agent: SimAgent,
        /// The text.
        text: String,
        /// The message's id on the system.
        id: String,
    },
    /// An agent sent the user a file; its bytes are on the desk ([`super::SimDesk::agent_file_bytes`],
    /// served at `GET /__emu/files/{id}`).
    File {
        /// The agent.
        agent: SimAgent,
        /// The file.
        file: AgentFile,
        /// The message's id on the system.
        id: String,
    },
    /// An agent started or stopped typing.
    Typing {
        /// The agent.
        agent: SimAgent,
        /// Typing or not.
        on: bool,
    },
    /// A transfer started; `Left` (transferring) and `Joined` follow.
    Transfer {
        /// The agent handing over.
        from: SimAgent,
        /// The agent taking over.
        to: SimAgent,
    },
    /// An agent left.
    Left {
        /// The agent.
        agent: SimAgent,
        /// Part of a transfer: the chat goes on.
        transferring: bool,
    },
    /// The chat is over.
    Ended {
        /// Why.
        by: EndedBy,
    },
    /// The emulator should send one malformed event (tests of the connector's robustness).
    Malformed,
}

/// Why a simulated chat ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndedBy {
    /// The agent ended it.
    Agent(SimAgent),
    /// The user left.
    User,
    /// The queue timed out with no agent.
    Timeout,
}

/// An agent as the emulators put it on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimAgent {
    /// Display name.
    pub name: String,
    /// The system's id for the agent.
    pub id: String,
}

impl SimAgent {
    /// The agent called `name`, with an id derived from it.
    pub fn named(name: &str) -> Self {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        Self {
            name: name.to_owned(),
            id: format!("agent-{slug}"),
        }
    }
}

/// The signals that tell a system's client what the desk model told the user side. Queueing
/// is signalled by [`super::SimDesk::open`] with the queue's wait estimate; ringing is not a
/// signal (the emulated systems do not ring).
pub(super) fn signals_of(note: UserNote) -> Vec<Signal> {
    match note {
        // A handover is the broker's own note for a conversation that went on in the system:
        // the desk model never ends a chat this way, and there is nothing to tell the system.
        UserNote::Queued { .. }
        | UserNote::Ringing { .. }
        | UserNote::Ended {
            reason: EndReason::HandedOver { .. },
        } => Vec::new(),
        UserNote::Joined { agent, .. } => vec![Signal::Joined {
            agent: SimAgent::named(&agent),
        }],
        UserNote::Transferred { from, to } => {
            let (from, to) = (SimAgent::named(&from), SimAgent::named(&to));
            vec![
                Signal::Transfer {
                    from: from.clone(),
                    to: to.clone(),
                },
                Signal::Left {
                    agent: from,
                    transferring: true,
                },
                Signal::Joined { agent: to },
            ]
        }
        UserNote::Ended {
            reason: EndReason::Agent { agent },
        } => {
            let agent = SimAgent::named(&agent);
            vec![
                Signal::Left {
                    agent: agent.clone(),
                    transferring: false,
                },
                Signal::Ended {
                    by: EndedBy::Agent(agent),
                },
            ]
        }
        UserNote::Ended {
            reason: EndReason::User,
        } => vec![Signal::Ended { by: EndedBy::User }],
        // The queue gave up: on its timeout, or with nobody to take the request.
        UserNote::Ended {
            reason: EndReason::Timeout | EndReason::NoAgent { .. } | EndReason::Error { .. },
        } => vec![Signal::Ended {
            by: EndedBy::Timeout,
        }],
    }
}
