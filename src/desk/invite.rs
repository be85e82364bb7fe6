//! Invitations: an agent in a live chat asks another agent in. The invitee accepts (and joins
//! as a second agent, exactly like a barge-in) or declines (and the inviter is told).

use super::{Action, Desk, DeskError, Effect, MAX_INVITES};
use crate::protocol::{ConversationEvent, ConversationId, Presence};

type Out = Vec<Effect>;

impl Desk {
    pub(super) fn invite(
        &mut self,
        by: &str,
        conversation: &ConversationId,
        to: &str,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        let (presence, chat) = self.chat_and_other(by, conversation, Action::Invite, to)?;
        let refusal = if chat.agents.iter().any(|a| a == to) {
            Some(format!("{to} is already in this chat"))
        } else if presence == Presence::Offline {
            Some(format!(
                "{to} is offline: only agents at the desk (available or away) can be invited"
            ))
        } else if chat.invited.iter().any(|(invitee, _)| invitee == to) {
            Some(format!(
                "{to} is already invited to this chat; wait for their answer"
            ))
        } else if chat.invited.len() >= MAX_INVITES {
            Some(format!(
                "this chat has {MAX_INVITES} open invitations; wait for an answer first"
            ))
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return Err(DeskError::InvalidState(refusal));
        }
        chat.invited.push((to.to_owned(), by.to_owned()));
        out.push(Effect::Feed(
            conversation.clone(),
            ConversationEvent::Invited {
                agent: to.to_owned(),
                by: by.to_owned(),
            },
        ));
        Ok(())
    }

    /// `agent` declines their invitation to the live chat (the policy checked they have one).
    pub(super) fn decline(
        &mut self,
        agent: &str,
        conversation: &ConversationId,
        reason: String,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        let Some(chat) = self.chats.get_mut(conversation) else {
            return Err(DeskError::UnknownConversation(conversation.clone()));
        };
        let Some(at) = chat.invited.iter().position(|(to, _)| to == agent) else {
            return Err(DeskError::InvalidState(format!(
                "{agent} has no invitation to this chat"
            )));
        };
        let (_, by) = chat.invited.remove(at);
        out.push(Effect::Feed(
            conversation.clone(),
            ConversationEvent::InviteDeclined {
                agent: agent.to_owned(),
                by,
                reason,
            },
        ));
        Ok(())
    }
}

#[cfg(test)]
#[path = "invite_tests.rs"]
mod tests;
