//! The rules of what an agent may do, one test each.

use super::{Action, Policy, Refusal, Stage};

fn live(agents: &[&str]) -> Vec<String> {
    agents.iter().map(|a| (*a).to_owned()).collect()
}

#[test]
fn a_waiting_request_offers_accept_and_reject() {
    let p = Policy::EMULATED;
    assert_eq!(
        p.offers(Stage::Waiting, "Lisa"),
        [Action::Accept, Action::Reject]
    );
    assert_eq!(
        p.check(Stage::Waiting, "Lisa", Action::End),
        Err(Refusal::NotYet)
    );
}

#[test]
fn your_live_chat_offers_end_transfer_and_invite_where_a_second_agent_may_join() {
    let agents = live(&["Lisa"]);
    let p = Policy::MOCK;
    assert_eq!(
        p.offers(Stage::Live(&agents), "Lisa"),
        [Action::End, Action::Transfer, Action::Invite]
    );
    assert_eq!(
        Policy::EMULATED.offers(Stage::Live(&agents), "Lisa"),
        [Action::End, Action::Transfer]
    );
    assert_eq!(
        Policy::EMULATED.check(Stage::Live(&agents), "Lisa", Action::Invite),
        Err(Refusal::OneAgent)
    );
    assert_eq!(
        p.check(Stage::Live(&agents), "Lisa", Action::Accept),
        Err(Refusal::AlreadyIn)
    );
}

#[test]
fn barge_in_is_the_policys_choice() {
    let agents = live(&["Marco"]);
    let stage = Stage::Live(&agents);
    assert!(Policy::MOCK.allows(stage, "Lisa", Action::Accept));
    assert_eq!(
        Policy::EMULATED.check(stage, "Lisa", Action::Accept),
        Err(Refusal::Taken)
    );
    for p in [Policy::MOCK, Policy::EMULATED] {
        assert!(p.offers(stage, "Lisa").is_empty());
        assert_eq!(p.check(stage, "Lisa", Action::End), Err(Refusal::NotIn));
    }
}

#[test]
fn an_invitation_is_accepted_or_declined_and_allows_nothing_else() {
    let agents = live(&["Lisa"]);
    let stage = Stage::Invited(&agents);
    assert_eq!(
        Policy::MOCK.offers(stage, "Sam"),
        [Action::Accept, Action::Reject]
    );
    for action in [Action::End, Action::Transfer, Action::Talk, Action::Invite] {
        assert_eq!(
            Policy::MOCK.check(stage, "Sam", action),
            Err(Refusal::NotIn)
        );
    }
}

#[test]
fn only_an_agent_in_the_chat_may_invite() {
    let agents = live(&["Lisa"]);
    assert_eq!(
        Policy::MOCK.check(Stage::Live(&agents), "Sam", Action::Invite),
        Err(Refusal::NotIn)
    );
    assert_eq!(
        Policy::MOCK.check(Stage::Waiting, "Lisa", Action::Invite),
        Err(Refusal::NotYet)
    );
}

#[test]
fn an_ended_chat_allows_nothing() {
    for action in [
        Action::Accept,
        Action::Reject,
        Action::End,
        Action::Transfer,
        Action::Talk,
        Action::Invite,
    ] {
        assert_eq!(
            Policy::MOCK.check(Stage::Over, "Lisa", action),
            Err(Refusal::Over)
        );
    }
}

#[test]
fn what_is_offered_is_always_allowed() {
    let agents = live(&["Lisa", "Sam"]);
    for stage in [
        Stage::Waiting,
        Stage::Live(&agents),
        Stage::Invited(&agents),
        Stage::Over,
    ] {
        for me in ["Lisa", "Marco"] {
            for p in [Policy::MOCK, Policy::EMULATED] {
                for action in p.offers(stage, me) {
                    assert!(p.allows(stage, me, *action), "{stage:?} {me} {action:?}");
                }
            }
        }
    }
}
