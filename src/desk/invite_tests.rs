//! Invitations, one rule per test.

use super::super::*;

fn c(id: &str) -> ConversationId {
    id.into()
}

/// Lisa, Sam (away) and Marco (offline), on a desk with or without a second agent; Lisa has
/// the live chat c-1.
fn live(policy: Policy) -> Desk {
    let mut desk = Desk::new(
        policy,
        [
            ("Lisa".to_owned(), Presence::Available),
            ("Sam".to_owned(), Presence::Away),
            ("Marco".to_owned(), Presence::Offline),
        ],
    );
    desk.handle(Command::Open {
        conversation: c("c-1"),
        label: c("c-1"),
        at: 1,
    })
    .unwrap();
    desk.handle(Command::Accept {
        agent: "Lisa".into(),
        conversation: c("c-1"),
    })
    .unwrap();
    desk
}

fn invite(desk: &mut Desk, by: &str, to: &str) -> Result<Vec<Effect>, DeskError> {
    desk.handle(Command::Invite {
        by: by.into(),
        conversation: c("c-1"),
        to: to.into(),
    })
}

fn accept(desk: &mut Desk, agent: &str) -> Result<Vec<Effect>, DeskError> {
    desk.handle(Command::Accept {
        agent: agent.into(),
        conversation: c("c-1"),
    })
}

fn decline(desk: &mut Desk, agent: &str, reason: &str) -> Result<Vec<Effect>, DeskError> {
    desk.handle(Command::Reject {
        agent: agent.into(),
        conversation: c("c-1"),
        reason: reason.into(),
    })
}

fn refusal(result: Result<Vec<Effect>, DeskError>) -> String {
    result.unwrap_err().to_string()
}

fn feed(event: ConversationEvent) -> Effect {
    Effect::Feed(c("c-1"), event)
}

#[test]
fn an_agent_in_a_live_chat_invites_another_and_the_agents_feed_hears_of_it() {
    let mut d = live(Policy::MOCK);
    let effects = invite(&mut d, "Lisa", "Sam").unwrap();
    assert_eq!(
        effects,
        [feed(ConversationEvent::Invited {
            agent: "Sam".into(),
            by: "Lisa".into()
        })]
    );
    // The user hears nothing until Sam joins; Sam is not in the chat yet.
    assert_eq!(d.agents_in(&c("c-1")), Some(&["Lisa".to_owned()][..]));
    assert_eq!(
        d.stage_for(&c("c-1"), "Sam"),
        Some(Stage::Invited(&["Lisa".to_owned()]))
    );
    assert!(d.may_talk("Sam", &c("c-1")).is_err());
}

#[test]
fn the_invitee_who_accepts_joins_as_a_second_agent_exactly_like_a_barge_in() {
    let mut invited = live(Policy::MOCK);
    invite(&mut invited, "Lisa", "Sam").unwrap();
    let joined = accept(&mut invited, "Sam").unwrap();
    let mut barged = live(Policy::MOCK);
    assert_eq!(joined, accept(&mut barged, "Sam").unwrap());
    assert_eq!(
        joined[..2],
        [
            Effect::User(
                c("c-1"),
                UserNote::Joined {
                    agent: "Sam".into(),
                    first: false
                }
            ),
            feed(ConversationEvent::Assigned {
                agent: "Sam".into(),
                agents: vec!["Lisa".into(), "Sam".into()]
            }),
        ]
    );
    assert!(invited.may_talk("Sam", &c("c-1")).is_ok());
    assert_eq!(
        invited.stage_for(&c("c-1"), "Sam"),
        invited.stage(&c("c-1")),
        "the invitation is used up"
    );
}

#[test]
fn the_invitee_who_declines_tells_the_inviter_why_and_stays_out() {
    let mut d = live(Policy::MOCK);
    invite(&mut d, "Lisa", "Sam").unwrap();
    let effects = decline(&mut d, "Sam", "on a call").unwrap();
    assert_eq!(
        effects,
        [feed(ConversationEvent::InviteDeclined {
            agent: "Sam".into(),
            by: "Lisa".into(),
            reason: "on a call".into()
        })]
    );
    assert_eq!(d.agents_in(&c("c-1")), Some(&["Lisa".to_owned()][..]));
    // Declined once: nothing left to decline, and Sam may be invited again.
    assert!(decline(&mut d, "Sam", "").is_err());
    assert!(invite(&mut d, "Lisa", "Sam").is_ok());
}

#[test]
fn only_an_agent_of_the_live_chat_may_invite() {
    let mut d = live(Policy::MOCK);
    assert_eq!(
        refusal(invite(&mut d, "Sam", "Marco")),
        "Sam is not in the chat of conversation c-1; Lisa is in it"
    );
    assert_eq!(
        refusal(invite(&mut d, "Nobody", "Sam")),
        "no agent named \"Nobody\" on this desk"
    );
    d.handle(Command::Open {
        conversation: c("c-2"),
        label: c("c-2"),
        at: 2,
    })
    .unwrap();
    let waiting = d.handle(Command::Invite {
        by: "Lisa".into(),
        conversation: c("c-2"),
        to: "Sam".into(),
    });
    assert_eq!(
        refusal(waiting),
        "conversation c-2 is still waiting; accept it first"
    );
}

#[test]
fn the_invitee_must_exist_be_at_the_desk_and_not_be_in_the_chat_or_invited_already() {
    let mut d = live(Policy::MOCK);
    assert_eq!(
        refusal(invite(&mut d, "Lisa", "Nobody")),
        "no agent named \"Nobody\" on this desk"
    );
    assert_eq!(
        refusal(invite(&mut d, "Lisa", "Marco")),
        "Marco is offline: only agents at the desk (available or away) can be invited"
    );
    assert_eq!(
        refusal(invite(&mut d, "Lisa", "Lisa")),
        "Lisa is already in this chat"
    );
    invite(&mut d, "Lisa", "Sam").unwrap();
    assert_eq!(
        refusal(invite(&mut d, "Lisa", "Sam")),
        "Sam is already invited to this chat; wait for their answer"
    );
}

#[test]
fn a_desk_of_one_agent_per_chat_refuses_an_invitation_and_says_why() {
    let mut d = live(Policy::EMULATED);
    assert_eq!(
        refusal(invite(&mut d, "Lisa", "Sam")),
        "cannot invite anyone: a chat on this system has one agent at a time (a second agent \
         cannot join conversation c-1); transfer it instead"
    );
    assert_eq!(d.stage_for(&c("c-1"), "Sam"), d.stage(&c("c-1")));
}

#[test]
fn an_invitation_ends_with_its_chat_and_a_transfer_to_the_invitee_uses_it_up() {
    let mut d = live(Policy::MOCK);
    d.handle(Command::SetPresence {
        agent: "Sam".into(),
        presence: Presence::Available,
    })
    .unwrap();
    invite(&mut d, "Lisa", "Sam").unwrap();
    d.handle(Command::Transfer {
        from: "Lisa".into(),
        conversation: c("c-1"),
        to: "Sam".into(),
    })
    .unwrap();
    assert!(decline(&mut d, "Sam", "").is_err(), "Sam has the chat now");
    d.handle(Command::End {
        agent: "Sam".into(),
        conversation: c("c-1"),
    })
    .unwrap();
    assert_eq!(d.stage_for(&c("c-1"), "Sam"), None);
}

#[test]
fn a_chat_holds_at_most_max_invites_open_invitations() {
    let names: Vec<String> = (0..=MAX_INVITES).map(|n| format!("agent {n}")).collect();
    let mut d = live(Policy::MOCK);
    for name in &names {
        d.handle(Command::SetPresence {
            agent: name.clone(),
            presence: Presence::Away,
        })
        .unwrap();
    }
    for name in &names[..MAX_INVITES] {
        invite(&mut d, "Lisa", name).unwrap();
    }
    assert_eq!(
        refusal(invite(&mut d, "Lisa", &names[MAX_INVITES])),
        format!("this chat has {MAX_INVITES} open invitations; wait for an answer first")
    );
    decline(&mut d, &names[0], "").unwrap();
    assert!(invite(&mut d, "Lisa", &names[MAX_INVITES]).is_ok());
}

#[test]
fn a_refused_invitation_changes_nothing() {
    let mut d = live(Policy::MOCK);
    let before = format!("{d:?}");
    assert!(invite(&mut d, "Lisa", "Marco").is_err());
    assert!(decline(&mut d, "Sam", "").is_err());
    assert_eq!(format!("{d:?}"), before);
}
