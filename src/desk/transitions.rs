//! The desk's transitions, one function per command; each checks everything before it changes
//! anything, so a refusal leaves the desk as it was.

use super::{
    Action, Chat, Desk, DeskError, Effect, MAX_AGENTS, MAX_CHATS, MAX_WAITING, UserNote, Waiting,
    everyone_declined, transfer_needs_available,
};
use crate::protocol::{ConversationEvent, ConversationId, DeskAgent, EndReason, Presence};

type Out = Vec<Effect>;

impl Desk {
    pub(super) fn open(
        &mut self,
        conversation: ConversationId,
        label: ConversationId,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        if self.stage(&conversation).is_some() {
            return Err(DeskError::InvalidState(format!(
                "conversation {label} is already at the desk"
            )));
        }
        if self.waiting.len() >= MAX_WAITING {
            return Err(DeskError::InvalidState(format!(
                "the queue is full ({MAX_WAITING} requests wait); try again later"
            )));
        }
        self.waiting.push(Waiting {
            conversation: conversation.clone(),
            label,
            rejected_by: Vec::new(),
            last_reason: None,
            ringing: None,
        });
        let position = self.waiting.len() as u32;
        out.push(Effect::User(conversation, UserNote::Queued { position }));
        self.ring(out);
        Ok(())
    }

    pub(super) fn accept(
        &mut self,
        agent: &str,
        conversation: &ConversationId,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        self.known(agent)?;
        self.check(agent, conversation, Action::Accept)?;
        if let Some(chat) = self.chats.get_mut(conversation) {
            // Allowed by the policy or an invitation: a second agent joins.
            chat.invited.retain(|(to, _)| to != agent);
            chat.agents.push(agent.to_owned());
            let agents = chat.agents.clone();
            self.count_chat(agent, true);
            out.push(joined(conversation, agent, false));
            out.push(assigned(conversation, agent, agents));
            out.push(Effect::AgentsChanged);
            return Ok(());
        }
        if self.chats.len() >= MAX_CHATS {
            return Err(DeskError::InvalidState(format!(
                "the desk holds {MAX_CHATS} live chats; end one first"
            )));
        }
        let Some(at) = self.queued(conversation) else {
            return Err(DeskError::UnknownConversation(conversation.clone()));
        };
        let request = self.waiting.remove(at);
        self.chats.insert(
            conversation.clone(),
            Chat {
                label: request.label,
                agents: vec![agent.to_owned()],
                invited: Vec::new(),
            },
        );
        self.count_chat(agent, true);
        out.push(assigned(conversation, agent, vec![agent.to_owned()]));
        out.push(joined(conversation, agent, true));
        out.push(Effect::AgentsChanged);
        self.ring(out);
        Ok(())
    }

    pub(super) fn reject(
        &mut self,
        agent: &str,
        conversation: &ConversationId,
        reason: String,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        self.known(agent)?;
        self.check(agent, conversation, Action::Reject)?;
        if self.chats.contains_key(conversation) {
            return self.decline(agent, conversation, reason, out);
        }
        let Some(request) = self
            .waiting
            .iter_mut()
            .find(|w| &w.conversation == conversation)
        else {
            return Err(DeskError::UnknownConversation(conversation.clone()));
        };
        if request.rejected_by.iter().any(|a| a == agent) {
            return Err(DeskError::InvalidState(format!(
                "{agent} already declined this request"
            )));
        }
        request.rejected_by.push(agent.to_owned());
        if !reason.trim().is_empty() {
            request.last_reason = Some((agent.to_owned(), reason.trim().to_owned()));
        }
        if request.ringing.as_deref() == Some(agent) {
            request.ringing = None;
        }
        out.push(Effect::Feed(
            conversation.clone(),
            ConversationEvent::Rejected {
                agent: agent.to_owned(),
                reason,
            },
        ));
        self.ring(out);
        Ok(())
    }

    /// For `agent`'s `action` on their chat that names another agent `to` (a transfer, an
    /// invitation): `to`'s presence and the chat, once the policy allows the action.
    pub(super) fn chat_and_other(
        &mut self,
        agent: &str,
        conversation: &ConversationId,
        action: Action,
        to: &str,
    ) -> Result<(Presence, &mut Chat), DeskError> {
        self.known(agent)?;
        self.check(agent, conversation, action)?;
        let Some(presence) = self.agent(to).map(|a| a.presence) else {
            return Err(DeskError::UnknownAgent(to.to_owned()));
        };
        let Some(chat) = self.chats.get_mut(conversation) else {
            return Err(DeskError::UnknownConversation(conversation.clone()));
        };
        Ok((presence, chat))
    }

    pub(super) fn transfer(
        &mut self,
        from: &str,
        conversation: &ConversationId,
        to: &str,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        let (presence, chat) = self.chat_and_other(from, conversation, Action::Transfer, to)?;
        if chat.agents.iter().any(|a| a == to) {
            return Err(DeskError::InvalidState(format!(
                "{to} is already in this chat"
            )));
        }
        if presence != Presence::Available {
            return Err(transfer_needs_available(to, presence));
        }
        chat.agents.retain(|a| a != from);
        chat.agents.push(to.to_owned());
        chat.invited.retain(|(invitee, _)| invitee != to);
        let agents = chat.agents.clone();
        self.count_chat(from, false);
        self.count_chat(to, true);
        out.push(Effect::User(
            conversation.clone(),
            UserNote::Transferred {
                from: from.to_owned(),
                to: to.to_owned(),
            },
        ));
        out.push(assigned(conversation, to, agents));
        out.push(Effect::AgentsChanged);
        Ok(())
    }

    pub(super) fn end(
        &mut self,
        agent: &str,
        conversation: &ConversationId,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        self.known(agent)?;
        self.check(agent, conversation, Action::End)?;
        let reason = EndReason::Agent {
            agent: agent.to_owned(),
        };
        out.push(Effect::User(
            conversation.clone(),
            UserNote::Ended {
                reason: reason.clone(),
            },
        ));
        self.close_chat(conversation, reason, out);
        Ok(())
    }

    pub(super) fn leave(
        &mut self,
        conversation: &ConversationId,
        reason: EndReason,
        out: &mut Out,
    ) {
        if let Some(at) = self.queued(conversation) {
            self.waiting.remove(at);
            out.push(withdrawn(conversation, reason));
        } else {
            self.close_chat(conversation, reason, out);
        }
    }

    pub(super) fn timeout(
        &mut self,
        conversation: &ConversationId,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        let Some(at) = self.queued(conversation) else {
            return Err(if self.chats.contains_key(conversation) {
                let label = self.label(conversation);
                DeskError::InvalidState(format!("conversation {label} is not waiting"))
            } else {
                DeskError::UnknownConversation(conversation.clone())
            });
        };
        self.waiting.remove(at);
        give_up(conversation, EndReason::Timeout, out);
        Ok(())
    }

    pub(super) fn set_presence(
        &mut self,
        agent: String,
        presence: Presence,
        out: &mut Out,
    ) -> Result<(), DeskError> {
        if let Some(a) = self.agents.iter_mut().find(|a| a.name == agent) {
            a.presence = presence;
        } else if self.agents.len() < MAX_AGENTS {
            self.agents.push(DeskAgent {
                name: agent,
                presence,
                active_chats: 0,
            });
        } else {
            return Err(DeskError::InvalidState(format!(
                "the desk has its {MAX_AGENTS} agents; {agent} cannot join"
            )));
        }
        out.push(Effect::AgentsChanged);
        self.ring(out);
        Ok(())
    }

    /// Rings an available agent for every waiting request, in arrival order: the one with the
    /// fewest chats (the first in order of preference on a tie) who has not declined it. A
    /// request that every available agent has declined is withdrawn.
    fn ring(&mut self, out: &mut Out) {
        if !self.policy.ring {
            return;
        }
        let mut given_up = Vec::new();
        for request in &mut self.waiting {
            let available = || {
                self.agents
                    .iter()
                    .filter(|a| a.presence == Presence::Available)
            };
            let candidate = available()
                .filter(|a| !request.rejected_by.contains(&a.name))
                .min_by_key(|a| a.active_chats)
                .map(|a| a.name.clone());
            match candidate {
                Some(agent) if request.ringing.as_ref() != Some(&agent) => {
                    request.ringing = Some(agent.clone());
                    let conversation = &request.conversation;
                    out.push(Effect::User(
                        conversation.clone(),
                        UserNote::Ringing {
                            agent: agent.clone(),
                        },
                    ));
                    out.push(Effect::Feed(
                        conversation.clone(),
                        ConversationEvent::Offered { agent },
                    ));
                }
                Some(_) => {}
                None => {
                    // Nobody left to ring: withdrawn once someone declined and every
                    // available agent did; otherwise it waits for someone to come back.
                    if !request.rejected_by.is_empty()
                        && available().all(|a| request.rejected_by.contains(&a.name))
                    {
                        given_up.push((
                            request.conversation.clone(),
                            everyone_declined(request.last_reason.as_ref()),
                        ));
                    }
                }
            }
        }
        for (conversation, why) in given_up {
            self.waiting.retain(|w| w.conversation != conversation);
            let reason = EndReason::NoAgent { reason: Some(why) };
            give_up(&conversation, reason, out);
        }
    }

    fn close_chat(&mut self, conversation: &ConversationId, reason: EndReason, out: &mut Out) {
        let Some(chat) = self.chats.remove(conversation) else {
            return;
        };
        for agent in &chat.agents {
            self.count_chat(agent, false);
        }
        out.push(Effect::Feed(
            conversation.clone(),
            ConversationEvent::ChatEnded { reason },
        ));
        out.push(Effect::AgentsChanged);
    }
}

fn withdrawn(conversation: &ConversationId, reason: EndReason) -> Effect {
    Effect::Feed(
        conversation.clone(),
        ConversationEvent::Withdrawn { reason },
    )
}

fn assigned(conversation: &ConversationId, agent: &str, agents: Vec<String>) -> Effect {
    Effect::Feed(
        conversation.clone(),
        ConversationEvent::Assigned {
            agent: agent.to_owned(),
            agents,
        },
    )
}

fn joined(conversation: &ConversationId, agent: &str, first: bool) -> Effect {
    Effect::User(
        conversation.clone(),
        UserNote::Joined {
            agent: agent.to_owned(),
            first,
        },
    )
}

/// A request leaves the queue without an agent: both sides are told.
fn give_up(conversation: &ConversationId, reason: EndReason, out: &mut Out) {
    out.push(withdrawn(conversation, reason.clone()));
    out.push(Effect::User(
        conversation.clone(),
        UserNote::Ended { reason },
    ));
}
