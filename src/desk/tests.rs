//! The desk's rules, one test each.

use super::*;

fn c(id: &str) -> ConversationId {
    id.into()
}

/// The mock policy with Lisa available and Sam away, as on the default mock desk.
fn desk(policy: Policy) -> Desk {
    Desk::new(
        policy,
        [
            ("Lisa".to_owned(), Presence::Available),
            ("Sam".to_owned(), Presence::Away),
        ],
    )
}

fn open(desk: &mut Desk, id: &str) -> Vec<Effect> {
    desk.handle(Command::Open {
        conversation: c(id),
        label: c(id),
        at: 1,
    })
    .unwrap()
}

fn accept(desk: &mut Desk, agent: &str, id: &str) -> Result<Vec<Effect>, DeskError> {
    desk.handle(Command::Accept {
        agent: agent.into(),
        conversation: c(id),
    })
}

fn reject(desk: &mut Desk, agent: &str, id: &str) -> Result<Vec<Effect>, DeskError> {
    desk.handle(Command::Reject {
        agent: agent.into(),
        conversation: c(id),
        reason: "busy".into(),
    })
}

fn transfer(desk: &mut Desk, from: &str, id: &str, to: &str) -> Result<Vec<Effect>, DeskError> {
    desk.handle(Command::Transfer {
        from: from.into(),
        conversation: c(id),
        to: to.into(),
    })
}

fn presence(desk: &mut Desk, agent: &str, presence: Presence) -> Vec<Effect> {
    desk.handle(Command::SetPresence {
        agent: agent.into(),
        presence,
    })
    .unwrap()
}

fn refusal(result: Result<Vec<Effect>, DeskError>) -> String {
    result.unwrap_err().to_string()
}

fn user(id: &str, note: UserNote) -> Effect {
    Effect::User(c(id), note)
}

fn feed(id: &str, event: ConversationEvent) -> Effect {
    Effect::Feed(c(id), event)
}

fn ringing(id: &str, agent: &str) -> [Effect; 2] {
    [
        user(
            id,
            UserNote::Ringing {
                agent: agent.into(),
            },
        ),
        feed(
            id,
            ConversationEvent::Offered {
                agent: agent.into(),
            },
        ),
    ]
}

fn chats_of(desk: &Desk, agent: &str) -> u32 {
    desk.agents()
        .iter()
        .find(|a| a.name == agent)
        .map_or(u32::MAX, |a| a.active_chats)
}

#[test]
fn a_request_is_queued_at_its_position_and_rings_the_first_available_agent() {
    let mut d = desk(Policy::MOCK);
    let mut expected = vec![user("c-1", UserNote::Queued { position: 1 })];
    expected.extend(ringing("c-1", "Lisa"));
    assert_eq!(open(&mut d, "c-1"), expected);
    assert_eq!(
        open(&mut d, "c-2")[0],
        user("c-2", UserNote::Queued { position: 2 })
    );
}

#[test]
fn without_ringing_a_request_waits_for_an_agent_to_pick_it_up() {
    let mut d = desk(Policy::EMULATED);
    assert_eq!(
        open(&mut d, "c-1"),
        vec![user("c-1", UserNote::Queued { position: 1 })]
    );
    assert_eq!(d.stage(&c("c-1")), Some(Stage::Waiting));
}

#[test]
fn the_agent_with_the_fewest_chats_is_rung_first() {
    let mut d = desk(Policy::MOCK);
    presence(&mut d, "Sam", Presence::Available);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    let rung = open(&mut d, "c-2");
    assert!(rung.contains(&ringing("c-2", "Sam")[0]), "{rung:?}");
}

#[test]
fn accepting_a_waiting_request_makes_a_live_chat_with_that_agent() {
    let mut d = desk(Policy::EMULATED);
    open(&mut d, "c-1");
    let effects = accept(&mut d, "Lisa", "c-1").unwrap();
    assert_eq!(
        effects,
        vec![
            feed(
                "c-1",
                ConversationEvent::Assigned {
                    agent: "Lisa".into(),
                    agents: vec!["Lisa".into()]
                }
            ),
            user(
                "c-1",
                UserNote::Joined {
                    agent: "Lisa".into(),
                    first: true
                }
            ),
            Effect::AgentsChanged,
        ]
    );
    assert_eq!(d.agents_in(&c("c-1")), Some(&["Lisa".to_owned()][..]));
    assert_eq!(chats_of(&d, "Lisa"), 1);
    assert_eq!(d.waiting(), 0);
}

#[test]
fn an_unknown_agent_or_conversation_is_refused_by_name() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    assert_eq!(
        accept(&mut d, "Zed", "c-1"),
        Err(DeskError::UnknownAgent("Zed".into()))
    );
    assert_eq!(
        accept(&mut d, "Lisa", "c-9"),
        Err(DeskError::UnknownConversation(c("c-9")))
    );
}

#[test]
fn a_rejection_is_reported_and_rings_the_next_available_agent() {
    let mut d = desk(Policy::MOCK);
    presence(&mut d, "Sam", Presence::Available);
    open(&mut d, "c-1");
    let effects = reject(&mut d, "Lisa", "c-1").unwrap();
    let mut expected = vec![feed(
        "c-1",
        ConversationEvent::Rejected {
            agent: "Lisa".into(),
            reason: "busy".into(),
        },
    )];
    expected.extend(ringing("c-1", "Sam"));
    assert_eq!(effects, expected);
}

#[test]
fn an_agent_who_declined_is_not_offered_the_same_request_again() {
    let mut d = desk(Policy::MOCK);
    presence(&mut d, "Sam", Presence::Available);
    open(&mut d, "c-1");
    let mut after = reject(&mut d, "Lisa", "c-1").unwrap();
    // Sam gets busier than Lisa, who still is never rung for c-1.
    after.extend(open(&mut d, "c-2"));
    after.extend(accept(&mut d, "Sam", "c-2").unwrap());
    let lisa_rung = user(
        "c-1",
        UserNote::Ringing {
            agent: "Lisa".into(),
        },
    );
    assert!(!after.contains(&lisa_rung), "{after:?}");
    assert_eq!(
        refusal(reject(&mut d, "Lisa", "c-1")),
        "Lisa already declined this request"
    );
}

#[test]
fn when_every_available_agent_declined_the_request_is_withdrawn_with_the_agents_reason() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    let reason = EndReason::NoAgent {
        reason: Some(format!("{EVERYONE_DECLINED}; Lisa said \"busy\"")),
    };
    let effects = reject(&mut d, "Lisa", "c-1").unwrap();
    assert_eq!(
        effects[1..],
        [
            feed(
                "c-1",
                ConversationEvent::Withdrawn {
                    reason: reason.clone()
                }
            ),
            user("c-1", UserNote::Ended { reason }),
        ]
    );
    assert_eq!(d.stage(&c("c-1")), None);
}

#[test]
fn without_ringing_declines_are_recorded_but_the_request_keeps_waiting() {
    let mut d = desk(Policy::EMULATED);
    open(&mut d, "c-1");
    assert_eq!(reject(&mut d, "Lisa", "c-1").unwrap().len(), 1);
    assert_eq!(d.stage(&c("c-1")), Some(Stage::Waiting));
}

#[test]
fn a_request_nobody_declined_waits_while_no_agent_is_available() {
    let mut d = desk(Policy::MOCK);
    presence(&mut d, "Lisa", Presence::Away);
    assert_eq!(open(&mut d, "c-1").len(), 1);
    let back = presence(&mut d, "Lisa", Presence::Available);
    assert_eq!(back[1..], ringing("c-1", "Lisa"));
}

#[test]
fn accepting_another_agents_live_chat_barges_in_where_the_policy_allows() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    let effects = accept(&mut d, "Sam", "c-1").unwrap();
    assert_eq!(
        effects[..2],
        [
            user(
                "c-1",
                UserNote::Joined {
                    agent: "Sam".into(),
                    first: false
                }
            ),
            feed(
                "c-1",
                ConversationEvent::Assigned {
                    agent: "Sam".into(),
                    agents: vec!["Lisa".into(), "Sam".into()]
                }
            ),
        ]
    );
    assert!(d.may_talk("Sam", &c("c-1")).is_ok());
    assert!(d.may_talk("Lisa", &c("c-1")).is_ok());
}

#[test]
fn a_desk_without_barge_in_refuses_to_join_a_taken_chat() {
    let mut d = desk(Policy::EMULATED);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    assert_eq!(
        refusal(accept(&mut d, "Sam", "c-1")),
        "cannot accept: conversation c-1 is not waiting for an agent (Lisa took it)"
    );
    assert_eq!(
        refusal(accept(&mut d, "Lisa", "c-1")),
        "cannot accept: conversation c-1 is not waiting for an agent (Lisa is already in this chat)"
    );
}

#[test]
fn a_taken_request_can_no_longer_be_rejected() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    assert_eq!(
        refusal(reject(&mut d, "Sam", "c-1")),
        "cannot reject: conversation c-1 is not waiting for an agent (Lisa took it)"
    );
}

#[test]
fn only_agents_in_a_chat_may_talk_in_it_and_only_once_it_is_live() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    assert_eq!(
        d.may_talk("Lisa", &c("c-1")).unwrap_err().to_string(),
        "conversation c-1 is still waiting; accept it first"
    );
    accept(&mut d, "Lisa", "c-1").unwrap();
    assert_eq!(
        d.may_talk("Sam", &c("c-1")).unwrap_err().to_string(),
        "Sam is not in the chat of conversation c-1; Lisa is in it"
    );
}

#[test]
fn refusals_name_the_conversation_by_its_label_not_the_desks_key() {
    let mut d = desk(Policy::EMULATED);
    d.handle(Command::Open {
        conversation: c("vendor-77"),
        label: c("c-1"),
        at: 1,
    })
    .unwrap();
    let said = d.may_talk("Lisa", &c("vendor-77")).unwrap_err().to_string();
    assert_eq!(said, "conversation c-1 is still waiting; accept it first");
}

#[test]
fn a_transfer_hands_the_chat_to_an_available_agent() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    presence(&mut d, "Sam", Presence::Available);
    let effects = transfer(&mut d, "Lisa", "c-1", "Sam").unwrap();
    assert_eq!(
        effects,
        vec![
            user(
                "c-1",
                UserNote::Transferred {
                    from: "Lisa".into(),
                    to: "Sam".into()
                }
            ),
            feed(
                "c-1",
                ConversationEvent::Assigned {
                    agent: "Sam".into(),
                    agents: vec!["Sam".into()]
                }
            ),
            Effect::AgentsChanged,
        ]
    );
    assert_eq!((chats_of(&d, "Lisa"), chats_of(&d, "Sam")), (0, 1));
}

#[test]
fn a_transfer_goes_only_to_a_known_available_agent_not_in_the_chat() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    assert_eq!(
        refusal(transfer(&mut d, "Lisa", "c-1", "Sam")),
        "conversation c-1 is still waiting; accept it first"
    );
    accept(&mut d, "Lisa", "c-1").unwrap();
    assert_eq!(
        refusal(transfer(&mut d, "Lisa", "c-1", "Nobody")),
        "no agent named \"Nobody\" on this desk"
    );
    assert_eq!(
        refusal(transfer(&mut d, "Lisa", "c-1", "Lisa")),
        "Lisa is already in this chat"
    );
    assert_eq!(
        refusal(transfer(&mut d, "Lisa", "c-1", "Sam")),
        transfer_needs_available("Sam", Presence::Away).to_string()
    );
    assert_eq!(
        refusal(transfer(&mut d, "Sam", "c-1", "Lisa")),
        "Sam is not in the chat of conversation c-1; Lisa is in it"
    );
}

#[test]
fn the_agent_ending_a_chat_tells_the_user_and_the_feed_and_frees_every_agent() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    accept(&mut d, "Sam", "c-1").unwrap();
    let effects = d
        .handle(Command::End {
            agent: "Sam".into(),
            conversation: c("c-1"),
        })
        .unwrap();
    let reason = EndReason::Agent {
        agent: "Sam".into(),
    };
    assert_eq!(
        effects,
        vec![
            user(
                "c-1",
                UserNote::Ended {
                    reason: reason.clone()
                }
            ),
            feed("c-1", ConversationEvent::ChatEnded { reason }),
            Effect::AgentsChanged,
        ]
    );
    assert_eq!((chats_of(&d, "Lisa"), chats_of(&d, "Sam")), (0, 0));
    assert_eq!(
        accept(&mut d, "Lisa", "c-1"),
        Err(DeskError::UnknownConversation(c("c-1")))
    );
}

#[test]
fn the_user_leaving_tells_only_the_agents() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    let left = |d: &mut Desk, id: &str| {
        d.handle(Command::Leave {
            conversation: c(id),
            reason: EndReason::User,
        })
        .unwrap()
    };
    assert_eq!(
        left(&mut d, "c-1"),
        vec![feed(
            "c-1",
            ConversationEvent::Withdrawn {
                reason: EndReason::User
            }
        )]
    );
    open(&mut d, "c-2");
    accept(&mut d, "Lisa", "c-2").unwrap();
    assert_eq!(
        left(&mut d, "c-2"),
        vec![
            feed(
                "c-2",
                ConversationEvent::ChatEnded {
                    reason: EndReason::User
                }
            ),
            Effect::AgentsChanged,
        ]
    );
    assert!(left(&mut d, "c-2").is_empty(), "leaving twice is harmless");
}

#[test]
fn the_queue_timeout_withdraws_a_waiting_request_and_tells_the_user() {
    let mut d = desk(Policy::EMULATED);
    open(&mut d, "c-1");
    let timeout = |d: &mut Desk| {
        d.handle(Command::Timeout {
            conversation: c("c-1"),
        })
    };
    assert_eq!(
        timeout(&mut d).unwrap(),
        vec![
            feed(
                "c-1",
                ConversationEvent::Withdrawn {
                    reason: EndReason::Timeout
                }
            ),
            user(
                "c-1",
                UserNote::Ended {
                    reason: EndReason::Timeout
                }
            ),
        ]
    );
    assert_eq!(
        timeout(&mut d),
        Err(DeskError::UnknownConversation(c("c-1")))
    );
}

#[test]
fn a_live_chat_does_not_time_out() {
    let mut d = desk(Policy::EMULATED);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    let refused = d.handle(Command::Timeout {
        conversation: c("c-1"),
    });
    assert_eq!(refusal(refused), "conversation c-1 is not waiting");
}

#[test]
fn a_conversation_is_opened_once() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    let again = d.handle(Command::Open {
        conversation: c("c-1"),
        label: c("c-1"),
        at: 2,
    });
    assert_eq!(refusal(again), "conversation c-1 is already at the desk");
    assert_eq!(d.waiting(), 1);
}

#[test]
fn presence_for_a_new_agent_adds_them() {
    let mut d = desk(Policy::EMULATED);
    assert_eq!(
        presence(&mut d, "Marco", Presence::Available),
        vec![Effect::AgentsChanged]
    );
    assert!(d.knows("Marco"));
    assert_eq!(d.available(), 2);
}

#[test]
fn a_refused_command_changes_nothing() {
    let mut d = desk(Policy::MOCK);
    open(&mut d, "c-1");
    accept(&mut d, "Lisa", "c-1").unwrap();
    let before = format!("{d:?}");
    let _ = transfer(&mut d, "Lisa", "c-1", "Sam");
    let _ = reject(&mut d, "Sam", "c-1");
    let _ = accept(&mut d, "Lisa", "c-1");
    assert_eq!(format!("{d:?}"), before);
}

#[test]
fn the_queue_holds_at_most_max_waiting_requests() {
    let mut d = desk(Policy::EMULATED);
    for n in 0..MAX_WAITING {
        open(&mut d, &format!("c-{n}"));
    }
    let full = d.handle(Command::Open {
        conversation: c("one-more"),
        label: c("one-more"),
        at: 1,
    });
    assert!(refusal(full).contains("the queue is full"));
    assert_eq!(d.waiting(), MAX_WAITING);
}

#[test]
fn the_desk_holds_at_most_max_chats_live_chats() {
    let mut d = desk(Policy::EMULATED);
    for n in 0..=MAX_CHATS {
        open(&mut d, &format!("c-{n}"));
        if n < MAX_CHATS {
            accept(&mut d, "Lisa", &format!("c-{n}")).unwrap();
        }
    }
    let refused = refusal(accept(&mut d, "Lisa", &format!("c-{MAX_CHATS}")));
    assert!(refused.contains("live chats; end one first"), "{refused}");
    assert_eq!(d.stage(&c(&format!("c-{MAX_CHATS}"))), Some(Stage::Waiting));
}

#[test]
fn the_desk_has_at_most_max_agents() {
    let many = (0..MAX_AGENTS + 5).map(|n| (format!("a{n}"), Presence::Away));
    let mut d = Desk::new(Policy::EMULATED, many);
    assert_eq!(d.agents().len(), MAX_AGENTS);
    let refused = d.handle(Command::SetPresence {
        agent: "late".into(),
        presence: Presence::Available,
    });
    assert!(refusal(refused).contains("cannot join"));
    presence(&mut d, "a0", Presence::Available);
    assert_eq!(d.available(), 1);
}
