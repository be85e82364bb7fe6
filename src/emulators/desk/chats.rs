//! What agents do to a chat on the simulated desk beyond talking: transfer, invite, reject or
//! decline, leave; and the queue giving up. Each is the desk model's decision.

use super::SimDesk;
use crate::connectors::DeskError;
use crate::desk::Command;

impl SimDesk {
    /// The agent in `id` hands the chat to `to`.
    pub async fn transfer(&self, id: &str, to: &str) -> Result<(), DeskError> {
        let from = self.live_agent(id, None)?;
        let transfer = Command::Transfer {
            from,
            conversation: id.into(),
            to: to.to_owned(),
        };
        self.apply(id, transfer).await
    }

    /// The agent in `id` ends the chat.
    pub async fn leave(&self, id: &str) -> Result<(), DeskError> {
        let agent = self.live_agent(id, None)?;
        let end = Command::End {
            agent,
            conversation: id.into(),
        };
        self.apply(id, end).await
    }

    /// The queue gives up on `id`.
    pub async fn timeout(&self, id: &str) -> Result<(), DeskError> {
        if self.state_of(id).is_none() {
            return Err(DeskError::UnknownConversation(id.into()));
        }
        let timeout = Command::Timeout {
            conversation: id.into(),
        };
        self.apply(id, timeout).await
    }

    /// `by`, in the live chat `id`, invites `to` (where the policy allows a second agent): the
    /// inbox hears of it, the client not yet. When `to` accepts ([`Self::join`]) they join
    /// as a barge-in would, and the emulator sends its system's join event.
    pub async fn invite(&self, id: &str, by: &str, to: &str) -> Result<(), DeskError> {
        let invite = Command::Invite {
            by: by.to_owned(),
            conversation: id.into(),
            to: to.to_owned(),
        };
        self.apply(id, invite).await
    }

    /// An agent turns the waiting request `id` down, or declines an invitation to its live
    /// chat; the inbox hears of it, the client does not (none of the four systems tells it).
    pub async fn reject(&self, id: &str, agent: &str, reason: String) -> Result<(), DeskError> {
        let reject = Command::Reject {
            agent: agent.to_owned(),
            conversation: id.into(),
            reason,
        };
        self.apply(id, reject).await
    }
}
