//! What an agent may do with a desk chat, as the desk model's rules decide it. The inbox's
//! buttons and its keys both follow this, so a stray key in the list never sends the broker a
//! request the screen did not offer, and the inbox never offers what the desk refuses.

use super::panes::inbox::{DeskChat, InboxAction};
use crate::desk::{Action, Policy, Refusal, Stage};

/// The desk policy the inbox follows. The welcome frame does not say which desk the broker
/// runs, so the console lets an agent try what the most permissive desk (the mock desk)
/// allows, a barge-in included; a desk whose policy refuses it answers with its refusal.
const DESK_POLICY: Policy = Policy::MOCK;

impl DeskChat {
    /// The agent who took the chat last (by accepting, barging in or by transfer).
    pub fn assigned(&self) -> Option<&String> {
        self.agents.last()
    }

    /// Whether `me` is in this live chat (alone, or with others after a barge-in).
    pub fn is_in(&self, me: &str) -> bool {
        self.ended.is_none() && self.agents.iter().any(|a| a == me)
    }

    /// Whether `me` has an open invitation to this live chat.
    pub fn invites(&self, me: &str) -> bool {
        self.ended.is_none() && self.invited.iter().any(|(to, _)| to == me)
    }

    /// Where the chat is for `me`, for the desk's rules.
    fn stage(&self, me: &str) -> Stage<'_> {
        match (&self.ended, self.agents.is_empty()) {
            (Some(_), _) => Stage::Over,
            (None, true) => Stage::Waiting,
            (None, false) if self.invites(me) => Stage::Invited(&self.agents),
            (None, false) => Stage::Live(&self.agents),
        }
    }

    /// The actions `me` is offered on this chat, in button order.
    pub fn offers(&self, me: &str) -> Vec<InboxAction> {
        DESK_POLICY
            .offers(self.stage(me), me)
            .iter()
            .filter_map(|&action| inbox_action(action))
            .collect()
    }

    /// Whether `me` may do `action` here: what is offered, and accepting other agents' live
    /// chat where the desk's policy allows a barge-in.
    pub fn allows(&self, me: &str, action: InboxAction) -> bool {
        desk_action(action).is_some_and(|a| DESK_POLICY.allows(self.stage(me), me, a))
    }

    /// Why `me` may not do `action` here, for the status line.
    pub fn refusal(&self, me: &str, action: InboxAction) -> String {
        let verb = desk_action(action).map_or("change", Action::verb);
        // The inbox's own actions are refused as the stage refuses anything.
        let by_stage = match self.stage(me) {
            Stage::Waiting => Refusal::NotYet,
            Stage::Live(_) if self.is_in(me) => Refusal::AlreadyIn,
            Stage::Live(_) | Stage::Invited(_) => Refusal::NotIn,
            Stage::Over => Refusal::Over,
        };
        let refusal = desk_action(action)
            .and_then(|a| DESK_POLICY.check(self.stage(me), me, a).err())
            .unwrap_or(by_stage);
        match (refusal, &self.ended) {
            (_, Some(reason)) => format!("Nothing to {verb}: this chat ended {reason}"),
            (Refusal::NotYet, None) => format!("Nothing to {verb} yet: accept the request first"),
            (Refusal::AlreadyIn, None) => {
                format!("Nothing to {verb}: you are already in this chat")
            }
            (Refusal::OneAgent, None) => {
                "This system takes one agent per chat: transfer it instead".to_owned()
            }
            (Refusal::NotIn | Refusal::Taken | Refusal::Over, None) => format!(
                "Only {}, who {} this chat, can {verb} it",
                self.agents.join(" or "),
                if self.agents.len() > 1 {
                    "are in"
                } else {
                    "has"
                }
            ),
        }
    }
}

/// The desk action behind an inbox action; none for the inbox's own (switching, selecting).
fn desk_action(action: InboxAction) -> Option<Action> {
    match action {
        InboxAction::Accept => Some(Action::Accept),
        InboxAction::Reject => Some(Action::Reject),
        InboxAction::End => Some(Action::End),
        InboxAction::Transfer => Some(Action::Transfer),
        InboxAction::Invite => Some(Action::Invite),
        InboxAction::Note => Some(Action::Talk),
        InboxAction::SwitchAgent | InboxAction::Select(_) => None,
    }
}

/// The inbox button of a desk action; talking has none (it is the reply box).
fn inbox_action(action: Action) -> Option<InboxAction> {
    match action {
        Action::Accept => Some(InboxAction::Accept),
        Action::Reject => Some(InboxAction::Reject),
        Action::End => Some(InboxAction::End),
        Action::Transfer => Some(InboxAction::Transfer),
        Action::Invite => Some(InboxAction::Invite),
        Action::Talk => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::EndReason;

    fn chat(assigned: Option<&str>, ended: bool) -> DeskChat {
        let mut chat = DeskChat::new("c-1".into(), 0);
        chat.agents = assigned.into_iter().map(str::to_owned).collect();
        chat.ended = ended.then_some(EndReason::User);
        chat
    }

    #[test]
    fn a_waiting_request_is_accepted_or_rejected() {
        let c = chat(None, false);
        assert_eq!(c.offers("Lisa"), [InboxAction::Accept, InboxAction::Reject]);
        assert!(!c.allows("Lisa", InboxAction::End));
        assert_eq!(
            c.refusal("Lisa", InboxAction::End),
            "Nothing to end yet: accept the request first"
        );
    }

    #[test]
    fn your_live_chat_is_ended_or_transferred() {
        let c = chat(Some("Lisa"), false);
        assert_eq!(
            c.offers("Lisa"),
            [InboxAction::End, InboxAction::Transfer, InboxAction::Invite]
        );
        assert!(!c.allows("Lisa", InboxAction::Accept));
        assert!(!c.allows("Lisa", InboxAction::Reject));
    }

    #[test]
    fn another_agents_chat_offers_nothing_but_a_barge_in() {
        let c = chat(Some("Marco"), false);
        assert!(c.offers("Lisa").is_empty());
        assert!(c.allows("Lisa", InboxAction::Accept));
        assert!(!c.allows("Lisa", InboxAction::End));
        assert_eq!(
            c.refusal("Lisa", InboxAction::Transfer),
            "Only Marco, who has this chat, can transfer it"
        );
    }

    #[test]
    fn after_a_barge_in_both_agents_may_end_or_transfer() {
        let mut c = chat(Some("Sam"), false);
        c.agents = vec!["Lisa".into(), "Sam".into()];
        for me in ["Lisa", "Sam"] {
            assert_eq!(
                c.offers(me),
                [InboxAction::End, InboxAction::Transfer, InboxAction::Invite]
            );
            assert!(!c.allows(me, InboxAction::Accept));
        }
        assert_eq!(
            c.refusal("Marco", InboxAction::End),
            "Only Lisa or Sam, who are in this chat, can end it"
        );
    }

    #[test]
    fn an_invitation_is_accepted_or_declined_by_the_invitee_only() {
        let mut c = chat(Some("Lisa"), false);
        c.invited = vec![("Sam".into(), "Lisa".into())];
        assert_eq!(c.offers("Sam"), [InboxAction::Accept, InboxAction::Reject]);
        assert!(!c.allows("Sam", InboxAction::End));
        assert!(c.offers("Marco").is_empty());
        assert!(!c.allows("Marco", InboxAction::Reject));
        assert!(!c.allows("Marco", InboxAction::Invite));
        assert_eq!(
            c.refusal("Marco", InboxAction::Invite),
            "Only Lisa, who has this chat, can invite anyone to it"
        );
    }

    #[test]
    fn an_ended_chat_offers_nothing() {
        let c = chat(Some("Lisa"), true);
        for action in [
            InboxAction::Accept,
            InboxAction::Reject,
            InboxAction::End,
            InboxAction::Transfer,
        ] {
            assert!(!c.allows("Lisa", action));
        }
        assert!(
            c.refusal("Lisa", InboxAction::End)
                .starts_with("Nothing to end: this chat ended")
        );
    }
}
