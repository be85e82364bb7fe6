//! What a scenario needs of its system: the capabilities its steps use, read from the steps
//! alone, so that `handoff run --system X` can skip it with the reason before it starts.

use super::{Action, Scenario, Step};
use crate::systems::{Capabilities, Capability};

/// What the steps before the one being read have done.
#[derive(Default)]
struct Before<'a> {
    /// Who holds the live chat.
    holder: Option<&'a str>,
    /// The reasons agents gave when they turned the request down.
    reasons: Vec<&'a str>,
}

/// The capability `step` needs, given what the steps `before` it did.
fn need(step: &Step, before: &Before) -> Option<Capability> {
    match &step.action {
        Action::Attach { .. } => Some(Capability::Attachments),
        Action::Transfer { fails: None, .. } => Some(Capability::Transfer),
        Action::Invite { fails: None, .. } => Some(Capability::Invite),
        Action::ExpireQueue => Some(Capability::QueueExpiry),
        // A second agent accepting while another holds the chat joins it: a barge-in.
        Action::Accept { fails: None } => before
            .holder
            .filter(|h| *h != step.actor)
            .map(|_| Capability::BargeIn),
        // Every desk lets an agent turn a request down (it rings the next one); only some
        // systems tell the broker, so expecting to see the rejection, or its reason, needs it.
        Action::Event { kind, .. } if kind == "rejected" => Some(Capability::RejectReason),
        Action::See {
            equals,
            contains,
            matches,
        } => {
            let texts = [equals, contains, matches];
            let tells = |reason: &&str| {
                texts
                    .iter()
                    .filter_map(|t| t.as_deref())
                    .any(|t| t.contains(reason))
            };
            before
                .reasons
                .iter()
                .any(tells)
                .then_some(Capability::RejectReason)
        }
        _ => None,
    }
}

/// The first step of `scenario` that needs a capability `capabilities` lacks, and which.
pub fn first_unmet(scenario: &Scenario, capabilities: Capabilities) -> Option<(&Step, Capability)> {
    let mut before = Before::default();
    for step in &scenario.steps {
        if let Some(c) = need(step, &before).filter(|c| !capabilities.has(*c)) {
            return Some((step, c));
        }
        match &step.action {
            Action::Accept { fails: None } if before.holder.is_none() => {
                before.holder = Some(&step.actor);
            }
            Action::Transfer { to, fails: None } => before.holder = Some(to),
            Action::End { fails: None } => before.holder = None,
            Action::Reject {
                reason,
                fails: None,
            } if !reason.trim().is_empty() => {
                before.reasons.push(reason);
            }
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

    #[test]
    fn turning_a_request_down_needs_nothing_but_seeing_the_rejection_or_its_reason_does() {
        let plain = scenario(&[
            ("Lisa", "reject", "reason = \"Not my queue\""),
            ("Marco", "accept", ""),
        ]);
        assert!(first_unmet(&plain, Capabilities::NONE).is_none());

        let told = scenario(&[
            ("Lisa", "reject", "reason = \"Not my queue\""),
            (
                "user",
                "see",
                "contains = \"Lisa said \\\"Not my queue\\\"\"",
            ),
        ]);
        let (step, need) = first_unmet(&told, Capabilities::BROKERED).unwrap();
        assert_eq!(
            (step.actor.as_str(), need),
            ("user", Capability::RejectReason)
        );

        let seen = scenario(&[
            ("Lisa", "reject", "reason = \"Not my queue\""),
            ("Marco", "event", "kind = \"rejected\""),
        ]);
        assert_eq!(
            first_unmet(&seen, Capabilities::BROKERED).unwrap().1,
            Capability::RejectReason
        );
        assert!(first_unmet(&seen, Capabilities::of(&Capability::ALL)).is_none());
    }
}
