//! Why a desk refuses an agent's action.

use crate::protocol::{ConversationId, Presence};

/// Why a desk refused an agent's action; sent back as an error frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    /// No such agent on the desk.
    #[error("no agent named {0:?} on this desk")]
    UnknownAgent(String),
    /// No such request or chat.
    #[error("conversation {0} has no request or chat on this desk")]
    UnknownConversation(ConversationId),
    /// The action does not fit the request's or chat's state.
    #[error("{0}")]
    InvalidState(String),
    /// The desk is gone.
    #[error("the desk has shut down")]
    Closed,
}

/// The refusal of a transfer to `to`, who is not available (every desk says it so).
pub fn transfer_needs_available(to: &str, presence: Presence) -> DeskError {
    DeskError::InvalidState(format!(
        "{to} is {presence}: chats are transferred to available agents"
    ))
}
