//! Requests that never reach the system (issue 15, rules 4, 5 and 9): agents' private notes,
//! notifications for users, and the refusal of blank messages.

use super::{Hub, SessionId};
use crate::broker::handoff::Input;
use crate::protocol::{
    Button, ButtonAction, ClientMsg, ClientRole, ConversationId, ErrorCode, now_millis,
};
use crate::text::emoji::is_blank;

/// A request's refusal: the error code and what to tell the client.
type Refused = (ErrorCode, String);

/// The refusal of a message with nothing in it, or `None` when it says something.
pub(super) fn blank(text: &str) -> Option<Refused> {
    is_blank(text).then(|| {
        (
            ErrorCode::BadField,
            "`text` is blank: a message of only whitespace reaches no one".to_owned(),
        )
    })
}

impl Hub {
    /// `note` (an agent) or `notify` (an observer or a supervisor).
    pub(super) fn notice(
        &mut self,
        session: SessionId,
        request: ClientMsg,
    ) -> Result<bool, Refused> {
        let Some(s) = self.sessions.get(&session) else {
            return Ok(false);
        };
        let (role, agent, supervisor) = (s.role, s.agent.clone(), s.supervisor);
        match request {
            ClientMsg::Note {
                conversation, text, ..
            } if role == ClientRole::Agent => {
                self.note(&conversation, agent.unwrap_or_default(), text)
            }
            ClientMsg::Notify {
                conversation,
                text,
                buttons,
                ..
            } if role == ClientRole::Observer || supervisor => {
                self.notify(conversation.as_ref(), &text, &buttons)
            }
            ClientMsg::Notify { .. } => Err((
                ErrorCode::Forbidden,
                "`notify` is for observers and supervisors (hello.supervisor with the token)"
                    .to_owned(),
            )),
            _ => Err((
                ErrorCode::Forbidden,
                "`note` is for agents: a private note to the other agents of a live chat"
                    .to_owned(),
            )),
        }
    }

    fn note(
        &mut self,
        conv: &ConversationId,
        agent: String,
        text: String,
    ) -> Result<bool, Refused> {
        if let Some(refused) = blank(&text) {
            return Err(refused);
        }
        self.feed_checked(conv, Input::AgentNote { agent, text })
    }

    /// A notification for one conversation, or for every conversation the broker holds.
    fn notify(
        &mut self,
        conv: Option<&ConversationId>,
        text: &str,
        buttons: &[Button],
    ) -> Result<bool, Refused> {
        if let Some(refused) = blank(text) {
            return Err(refused);
        }
        if let Some(bad) = buttons
            .iter()
            .position(|b| !matches!(b.action, ButtonAction::Open(_) | ButtonAction::Choice(_)))
        {
            return Err((
                ErrorCode::BadField,
                format!(
                    "`buttons[{bad}].action`: a notification's buttons are `open:<url>` or `choice:<text>`"
                ),
            ));
        }
        let input = || Input::Notify {
            text: text.to_owned(),
            buttons: buttons.to_vec(),
        };
        match conv {
            Some(conv) => self.feed_checked(conv, input()),
            None => {
                let all: Vec<ConversationId> = self.conversations.keys().cloned().collect();
                for conv in all {
                    self.feed_checked(&conv, input())?;
                }
                Ok(true)
            }
        }
    }

    /// Feeds `input` to the conversation, answering with its refusal.
    fn feed_checked(&mut self, conv: &ConversationId, input: Input) -> Result<bool, Refused> {
        let entry = self
            .conversations
            .get_mut(conv)
            .ok_or_else(|| (ErrorCode::NotFound, format!("unknown conversation {conv}")))?;
        let effects = entry
            .machine
            .handle(input, now_millis())
            .map_err(|refusal| (ErrorCode::InvalidState, refusal.0))?;
        self.apply(conv, effects);
        Ok(true)
    }
}
