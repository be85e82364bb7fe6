//! What a scenario needs of its system: the capabilities its steps use, read from the steps
//! alone, so that `handoff run --system X` can skip it with the reason before it starts.

use super::{Action, Scenario, Step};
use crate::systems::{Capabilities, Capability};

/// The capability `step` needs, given who holds the live chat before it (`holder`).
fn need(step: &Step, holder: Option<&str>) -> Option<Capability> {
    match &step.action {
        Action::Attach { .. } => Some(Capability::Attachments),
        Action::Transfer { fails: None, .. } => Some(Capability::Transfer),
        Action::Invite { fails: None, .. } => Some(Capability::Invite),
        Action::Reject { fails: None, .. } => Some(Capability::RejectReason),
        Action::ExpireQueue => Some(Capability::QueueExpiry),
        // A second agent accepting while another holds the chat joins it: a barge-in.
        Action::Accept { fails: None } => holder
            .filter(|h| *h != step.actor)
            .map(|_| Capability::BargeIn),
        _ => None,
    }
}

/// The first step of `scenario` that needs a capability `capabilities` lacks, and which.
pub fn first_unmet(scenario: &Scenario, capabilities: Capabilities) -> Option<(&Step, Capability)> {
    let mut holder: Option<&str> = None;
    for step in &scenario.steps {
        if let Some(c) = need(step, holder).filter(|c| !capabilities.has(*c)) {
            return Some((step, c));
        }
        match &step.action {
            Action::Accept { fails: None } if holder.is_none() => holder = Some(&step.actor),
            Action::Transfer { to, fails: None } => holder = Some(to),
            Action::End { fails: None } => holder = None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// A scenario of `(actor, do, more keys)` steps.
    fn scenario(steps: &[(&str, &str, &str)]) -> Scenario {
        let mut text = String::from("format = 1\n");
        for (actor, action, more) in steps {
            let _ = writeln!(text, "[[step]]\nactor = {actor:?}\ndo = {action:?}\n{more}");
        }
        super::super::parse(&text, "t.toml").unwrap()
    }

    #[test]
    fn a_second_agent_accepting_a_held_chat_needs_barge_in() {
        let s = scenario(&[("Lisa", "accept", ""), ("Sam", "accept", "")]);
        let (step, need) = first_unmet(&s, Capabilities::BROKERED).unwrap();
        assert_eq!((step.actor.as_str(), need), ("Sam", Capability::BargeIn));
        assert!(first_unmet(&s, Capabilities::of(&Capability::ALL)).is_none());
    }

    #[test]
    fn after_a_transfer_the_new_holder_accepting_is_no_barge_in() {
        let s = scenario(&[
            ("Lisa", "accept", ""),
            ("Lisa", "transfer", "to = \"Sam\""),
            ("Sam", "accept", ""),
        ]);
        assert!(first_unmet(&s, Capabilities::of(&[Capability::Transfer])).is_none());
        let (_, need) = first_unmet(&s, Capabilities::NONE).unwrap();
        assert_eq!(need, Capability::Transfer);
    }

    #[test]
    fn a_refused_request_needs_nothing() {
        let refused = "to = \"Sam\"\nfails = \"invalid_state\"";
        let s = scenario(&[("Lisa", "transfer", refused)]);
        assert!(first_unmet(&s, Capabilities::NONE).is_none());
    }

    #[test]
    fn files_and_the_queue_expiring_need_their_capabilities() {
        let file = "name = \"a.txt\"\ncontent_type = \"text/plain\"\ntext = \"x\"";
        let s = scenario(&[("user", "attach", file)]);
        assert_eq!(
            first_unmet(&s, Capabilities::NONE).unwrap().1,
            Capability::Attachments
        );
        let s = scenario(&[("user", "expire_queue", "")]);
        assert_eq!(
            first_unmet(&s, Capabilities::NONE).unwrap().1,
            Capability::QueueExpiry
        );
        assert!(first_unmet(&s, Capabilities::BROKERED).is_none());
    }
}
