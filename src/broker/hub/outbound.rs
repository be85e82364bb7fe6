//! Calls from the hub toward the system, through FIFO lanes: the user's side of a live chat (one
//! lane per conversation) and the agents' desk actions (one lane per conversation, and one for
//! actions about no conversation the hub holds, such as presence). Order is kept per
//! conversation and direction; nothing waits on anything else.

use super::lane::{LANE_DEPTH, Lane};
use super::{Hub, HubMsg, SessionId};
use crate::broker::handoff::Input;
use crate::connectors::{ChatCommand, ChatEvent, DeskAction, DeskEvent};
use crate::protocol::{ConversationId, EndReason, ErrorCode, HandoffState, RequestId};
use tokio::sync::mpsc::error::TrySendError;

impl Hub {
    /// Queues `command` for the system behind the conversation's earlier ones. A system that
    /// falls [`LANE_DEPTH`] commands behind on one conversation is treated as gone: the chat
    /// ends with an error the user sees.
    pub(super) fn chat_command(&mut self, conv: &ConversationId, command: ChatCommand) {
        let translation = self.to_agent(conv, &command);
        let Some((chat, lane)) = self.conversations.get(conv).and_then(|e| e.chat.as_ref()) else {
            return;
        };
        // Nothing is waiting in the lane and nothing to translate: straight to the system's
        // queue, still behind everything before it, without a turn of the lane's task.
        let command = match translation {
            None if lane.is_idle() => match chat.try_send(command) {
                Ok(()) | Err(TrySendError::Closed(_)) => return,
                Err(TrySendError::Full(command)) => command,
            },
            _ => command,
        };
        let chat = chat.clone();
        let queued = lane.push(Box::pin(async move {
            let command = match translation {
                Some(job) => job.run(command).await,
                None => command,
            };
            let _ = chat.send(command).await;
        }));
        if queued.is_err() {
            tracing::warn!(conversation = %conv, depth = LANE_DEPTH, "the system is not taking the chat's messages");
            let reason = EndReason::Error {
                message: format!(
                    "{} is not taking messages: {LANE_DEPTH} are waiting",
                    self.connector.system()
                ),
            };
            self.feed(conv, Input::Chat(ChatEvent::Ended { reason }));
        }
    }

    /// Runs an agent's desk action after the earlier ones about the same conversation; its
    /// result comes back as [`HubMsg::DeskDone`]. A lane that is full refuses with
    /// `unavailable`.
    pub(super) fn desk_call(
        &mut self,
        session: SessionId,
        id: Option<RequestId>,
        agent: String,
        action: DeskAction,
    ) {
        let Some(desk) = self.desk.clone() else {
            return;
        };
        let handed_over = match &action {
            DeskAction::Accept(conv) if self.desk_view_left_broker(conv) => Some(conv.clone()),
            _ => None,
        };
        let invitation = self.desk_view_invitation(&agent, &action);
        let lane = match action_conversation(&action).and_then(|c| self.conversations.get_mut(c)) {
            Some(entry) => entry.desk_lane.get_or_insert_with(Lane::new),
            None => self.desk_lane.get_or_insert_with(Lane::new),
        };
        let (tx, reply_id) = (self.tx.clone(), id.clone());
        let queued = lane.push(Box::pin(async move {
            let result = desk.act(&agent, action).await;
            if let (Some(conv), Ok(())) = (handed_over, &result) {
                let _ = tx.send(HubMsg::HandedOver(conv, agent.clone())).await;
            }
            if let (Some((conversation, event)), Ok(())) = (invitation, &result) {
                let seen = DeskEvent::Conversation {
                    conversation,
                    event,
                };
                let _ = tx.send(HubMsg::Desk(seen)).await;
            }
            match reply_id {
                Some(id) => {
                    let _ = tx.send(HubMsg::DeskDone(session, id, result)).await;
                }
                None => {
                    if let Err(e) = result {
                        tracing::warn!(agent, error = %e, "desk action failed");
                    }
                }
            }
        }));
        if queued.is_err() {
            self.reply_error(
                session,
                id,
                ErrorCode::Unavailable,
                format!("the desk is {LANE_DEPTH} actions behind on this conversation; try again"),
            );
        }
    }
}

/// The refusal of a desk action about a conversation whose chat has ended, given by the broker
/// itself before any system is asked, so every system answers alike: `not_found`, as the mock
/// desk says, since the desk's request or chat is gone (each emulator and real service would
/// otherwise answer in its own way). Typing is let through (it is only ever dropped), and so is
/// a conversation handed over to the system, whose request an agent may still pick up there.
pub(super) fn chat_gone(state: &HandoffState, action: &DeskAction) -> Option<(ErrorCode, String)> {
    let HandoffState::Ended { reason } = state else {
        return None;
    };
    if matches!(reason, EndReason::HandedOver { .. }) || matches!(action, DeskAction::Typing(..)) {
        return None;
    }
    let conv = action_conversation(action)?;
    Some((
        ErrorCode::NotFound,
        format!(
            "conversation {conv} has no request or chat on the desk: its chat ended ({reason})"
        ),
    ))
}

/// The conversation a desk action is about.
pub(super) fn action_conversation(action: &DeskAction) -> Option<&ConversationId> {
    match action {
        DeskAction::Accept(c)
        | DeskAction::Reject(c, _)
        | DeskAction::Reply(c, _)
        | DeskAction::File(c, _)
        | DeskAction::Typing(c, _)
        | DeskAction::End(c)
        | DeskAction::Transfer(c, _)
        | DeskAction::Invite(c, _) => Some(c),
        DeskAction::SetPresence(_) => None,
    }
}
