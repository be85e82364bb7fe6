//! The desk's view of a conversation, derived from the connector's own events, for systems
//! whose simulated desk does not report one (the emulators). The mock desk reports its own
//! (with offers and rejections the connector cannot see), so this is off for it.

use super::Hub;
use crate::connectors::{ChatEvent, DeskAction, HISTORY_LIMIT_BYTES, HandoffRequest};
use crate::protocol::{Audience, ConversationEvent, ConversationId, EndReason};

/// Where a conversation stands on the desk, as far as the broker can tell.
#[derive(Debug, Default)]
pub(super) struct DeskView {
    /// The request being placed, until the system confirms it.
    placing: Option<Box<HandoffRequest>>,
    requested: bool,
    assigned: bool,
    /// The agents in the chat, in the order they came (a transfer's leaving agent goes, a
    /// barge-in's joining one stays beside the others); at most [`crate::desk::MAX_AGENTS`],
    /// the oldest dropped first.
    agents: Vec<String>,
    /// Invitations asked for, `(invitee, inviter)`, one per invitee: at most
    /// [`crate::desk::MAX_INVITES`], the oldest dropped first. Recorded when asked (the desk
    /// decides), so the one a decline answers can name who invited.
    invited: Vec<(String, String)>,
}

impl DeskView {
    /// `agent` joined the chat: the agents in it now, `agent` last.
    fn joined(&mut self, agent: &str) -> Vec<String> {
        self.assigned = true;
        self.agents.retain(|a| a != agent);
        if self.agents.len() >= crate::desk::MAX_AGENTS {
            self.agents.remove(0);
        }
        self.agents.push(agent.to_owned());
        self.invited.retain(|(to, _)| to != agent);
        self.agents.clone()
    }

    /// `by` asked for `to` to be invited.
    fn inviting(&mut self, to: &str, by: &str) {
        self.invited.retain(|(invitee, _)| invitee != to);
        if self.invited.len() >= crate::desk::MAX_INVITES {
            self.invited.remove(0);
        }
        self.invited.push((to.to_owned(), by.to_owned()));
    }
}

impl Hub {
    fn desk_view(&mut self, conv: &ConversationId) -> Option<&mut DeskView> {
        if !self.settings.derive_desk_view {
            return None;
        }
        self.conversations.get_mut(conv).map(|e| &mut e.desk_view)
    }

    /// The handoff is being placed with the system.
    pub(super) fn desk_view_placing(&mut self, conv: &ConversationId, request: &HandoffRequest) {
        if let Some(view) = self.desk_view(conv) {
            *view = DeskView {
                placing: Some(Box::new(request.clone())),
                ..DeskView::default()
            };
        }
    }

    /// The request as the broker translated it for agents, replacing the one being placed.
    pub(super) fn desk_view_translated(&mut self, conv: &ConversationId, request: HandoffRequest) {
        if let Some(placing) = self.desk_view(conv).and_then(|v| v.placing.as_mut()) {
            **placing = request;
        }
    }

    /// The system answered the handoff: when it took the request, the request is on the desk
    /// now and agents see it (not before, or an agent could take a request the system does not
    /// know yet).
    pub(super) fn desk_view_placed(&mut self, conv: &ConversationId, placed: bool) {
        let Some(view) = self.desk_view(conv) else {
            return;
        };
        let Some(request) = view.placing.take().filter(|_| placed) else {
            return;
        };
        view.requested = true;
        let event = ConversationEvent::Request {
            title: request.title.clone(),
            user: request.user.clone(),
            topic: request.topic.clone(),
            context: request.context.clone(),
            history: request.history_text(HISTORY_LIMIT_BYTES),
            queued_at: self.settings.clock.now_millis(),
            style: self.settings.info.style,
        };
        self.append(conv, Audience::Agent, event);
    }

    /// Whether `conv`'s request waits on the desk while its conversation has left the broker
    /// (a redirect or a post with no chat relayed back): taking it hands it over for good.
    pub(super) fn desk_view_left_broker(&mut self, conv: &ConversationId) -> bool {
        let chatless = self
            .conversations
            .get(conv)
            .is_some_and(|e| e.chat.is_none());
        chatless
            && self
                .desk_view(conv)
                .is_some_and(|v| v.requested && !v.assigned)
    }

    /// `agent` took a request whose conversation goes on in the system: the desk hears who, and
    /// that it is over here (nothing will come back to relay).
    pub(super) fn desk_view_handed_over(&mut self, conv: &ConversationId, agent: String) {
        let system = self.settings.info.system.clone();
        let Some(view) = self.desk_view(conv) else {
            return;
        };
        if !view.requested || view.assigned {
            return;
        }
        *view = DeskView::default();
        let assigned = ConversationEvent::Assigned {
            agents: vec![agent.clone()],
            agent,
        };
        self.append(conv, Audience::Agent, assigned);
        let reason = EndReason::HandedOver { system };
        self.append(
            conv,
            Audience::Agent,
            ConversationEvent::ChatEnded { reason },
        );
    }

    /// What agents see when the desk does what `agent` asks with an invitation: `invited`
    /// when an invite succeeds, `invite_declined` when a reject of a live chat (which can only
    /// be a decline) does. The desk decides; this is only told on its success.
    pub(super) fn desk_view_invitation(
        &mut self,
        agent: &str,
        action: &DeskAction,
    ) -> Option<(ConversationId, ConversationEvent)> {
        match action {
            DeskAction::Invite(conv, to) => {
                let view = self.desk_view(conv)?;
                view.inviting(to, agent);
                let event = ConversationEvent::Invited {
                    agent: to.clone(),
                    by: agent.to_owned(),
                };
                Some((conv.clone(), event))
            }
            DeskAction::Reject(conv, reason) => {
                let view = self.desk_view(conv).filter(|v| v.assigned)?;
                let at = view.invited.iter().position(|(to, _)| to == agent);
                let by = at.map(|at| view.invited.remove(at).1).unwrap_or_default();
                let event = ConversationEvent::InviteDeclined {
                    agent: agent.to_owned(),
                    by,
                    reason: reason.clone(),
                };
                Some((conv.clone(), event))
            }
            _ => None,
        }
    }

    /// A live chat taken back after an in-process restart: the desk's view is what the
    /// conversation's state says (its agents in the chat), so that the chat's end reaches them.
    pub(super) fn desk_view_resumed(&mut self, conv: &ConversationId) {
        let agents = match self.conversations.get(conv).map(|e| e.machine.state()) {
            Some(crate::protocol::HandoffState::Connected { agent, with, .. }) => {
                let mut agents = with.clone();
                agents.retain(|a| a != agent);
                agents.push(agent.clone());
                agents
            }
            _ => return,
        };
        if let Some(view) = self.desk_view(conv) {
            view.requested = true;
            view.assigned = true;
            view.agents = agents;
        }
    }

    /// The connector reported something about the chat.
    pub(super) fn desk_view_chat(&mut self, conv: &ConversationId, event: &ChatEvent) {
        let Some(view) = self.desk_view(conv) else {
            return;
        };
        let desk_event = match event {
            ChatEvent::Ringing { agent } => Some(ConversationEvent::Offered {
                agent: agent.clone(),
            }),
            // Whoever joins is the latest agent; the others stay unless they left (a transfer).
            ChatEvent::AgentJoined { agent } => Some(ConversationEvent::Assigned {
                agent: agent.name.clone(),
                agents: view.joined(&agent.name),
            }),
            ChatEvent::AgentLeft { agent } => {
                view.agents.retain(|a| a != agent);
                None
            }
            ChatEvent::Ended { reason } => Self::closed(view, reason.clone()),
            _ => None,
        };
        if let Some(desk_event) = desk_event {
            self.append(conv, Audience::Agent, desk_event);
        }
    }

    /// The user left the queue or the chat, or the broker took the request back (`reason`).
    pub(super) fn desk_view_left(&mut self, conv: &ConversationId, reason: EndReason) {
        let Some(view) = self.desk_view(conv) else {
            return;
        };
        if let Some(event) = Self::closed(view, reason) {
            self.append(conv, Audience::Agent, event);
        }
    }

    fn closed(view: &mut DeskView, reason: EndReason) -> Option<ConversationEvent> {
        let event = match (view.requested, view.assigned) {
            (_, true) => ConversationEvent::ChatEnded { reason },
            (true, false) => ConversationEvent::Withdrawn { reason },
            (false, false) => return None,
        };
        *view = DeskView::default();
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_agent_joins_beside_the_first_and_the_list_keeps_its_bound() {
        let mut view = DeskView::default();
        assert_eq!(view.joined("Lisa"), ["Lisa"]);
        assert_eq!(view.joined("Marco"), ["Lisa", "Marco"]);
        assert_eq!(view.joined("Lisa"), ["Marco", "Lisa"]);
        for n in 0..crate::desk::MAX_AGENTS {
            view.joined(&format!("agent {n}"));
        }
        let last = format!("agent {}", crate::desk::MAX_AGENTS - 1);
        assert_eq!(view.agents.len(), crate::desk::MAX_AGENTS);
        assert_eq!(view.agents.last(), Some(&last));
        assert!(
            !view.agents.contains(&"Lisa".to_owned()),
            "the oldest went first"
        );
    }
}
