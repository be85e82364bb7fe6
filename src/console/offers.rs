//! What an agent may do with a desk chat. The inbox's buttons and its keys both follow this,
//! so a stray key in the list never sends the broker a request the screen did not offer.

use super::panes::inbox::{DeskChat, InboxAction};

impl DeskChat {
    /// The agent who took the chat last (by accepting, barging in or by transfer).
    pub fn assigned(&self) -> Option<&String> {
        self.agents.last()
    }

    /// Whether `me` is in this live chat (alone, or with others after a barge-in).
    pub fn is_in(&self, me: &str) -> bool {
        self.ended.is_none() && self.agents.iter().any(|a| a == me)
    }

    /// The actions `me` is offered on this chat, in button order.
    pub fn offers(&self, me: &str) -> &'static [InboxAction] {
        match (&self.ended, self.assigned()) {
            (None, None) => &[InboxAction::Accept, InboxAction::Reject],
            (None, Some(_)) if self.is_in(me) => &[InboxAction::End, InboxAction::Transfer],
            // Ended, or other agents' chat.
            _ => &[],
        }
    }

    /// Whether `me` may do `action` here: what is offered, and accepting other agents' live
    /// chat, which barges in (the mock desk allows it; the emulated systems refuse).
    pub fn allows(&self, me: &str, action: InboxAction) -> bool {
        let barge_in = action == InboxAction::Accept
            && self.ended.is_none()
            && self.assigned().is_some()
            && !self.is_in(me);
        barge_in || self.offers(me).contains(&action)
    }

    /// Why `me` may not do `action` here, for the status line.
    pub fn refusal(&self, me: &str, action: InboxAction) -> String {
        let verb = match action {
            InboxAction::Accept => "accept",
            InboxAction::Reject => "reject",
            InboxAction::End => "end",
            InboxAction::Transfer => "transfer",
            InboxAction::SwitchAgent | InboxAction::Select(_) => "change",
        };
        match (&self.ended, self.assigned()) {
            (Some(reason), _) => format!("Nothing to {verb}: this chat ended {reason}"),
            (None, Some(_)) if self.is_in(me) => {
                format!("Nothing to {verb}: you are already in this chat")
            }
            (None, Some(_)) => format!(
                "Only {}, who {} this chat, can {verb} it",
                self.agents.join(" or "),
                if self.agents.len() > 1 {
                    "are in"
                } else {
                    "has"
                }
            ),
            (None, None) => format!("Nothing to {verb} yet: accept the request first"),
        }
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
        assert_eq!(c.offers("Lisa"), [InboxAction::End, InboxAction::Transfer]);
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
            assert_eq!(c.offers(me), [InboxAction::End, InboxAction::Transfer]);
            assert!(!c.allows(me, InboxAction::Accept));
        }
        assert_eq!(
            c.refusal("Marco", InboxAction::End),
            "Only Lisa or Sam, who are in this chat, can end it"
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
