//! The mock desk's queue, offers, accept / reject, barge-in, transfer, autopilot and styles.

use super::desk::agent_info;
use super::*;
use crate::connectors::{ChatEvent, ChatLink};
use crate::connectors::{DeskEvent, HistoryLine, Speaker};
use crate::protocol::UserInfo;
use crate::protocol::{ConversationEvent, EndReason};

fn request(conv: &str) -> HandoffRequest {
    HandoffRequest {
        conversation: conv.into(),
        title: "my SQL database is down".into(),
        topic: "SQL Database".into(),
        user: UserInfo::default(),
        context: [
            ("queue_id".to_owned(), "q 1/2".to_owned()),
            ("domain".to_owned(), "IT".to_owned()),
        ]
        .into(),
        history: vec![HistoryLine {
            at: 1,
            speaker: Speaker::User,
            text: "agent".into(),
        }],
    }
}

fn open(config: DeskConfig) -> (MockDesk, mpsc::Receiver<DeskEvent>) {
    let (tx, rx) = mpsc::channel(256);
    (MockDesk::spawn(config, tx), rx)
}

async fn chat(desk: &MockDesk, conv: &str) -> ChatLink {
    match desk.start(request(conv)).await.unwrap() {
        Started::Chat(link) => link,
        other => panic!("expected a chat, got {other:?}"),
    }
}

async fn next(link: &mut ChatLink) -> ChatEvent {
    tokio::time::timeout(Duration::from_secs(5), link.events.recv())
        .await
        .unwrap()
        .unwrap()
}

/// `agent` does `action`, which the desk takes.
async fn does(desk: &MockDesk, agent: &str, action: DeskAction) {
    desk.act(agent, action).await.unwrap();
}

#[test]
fn templates_fill_placeholders_url_encoded() {
    let url = fill_template(
        "https://x/start?q={queue_id}&t={utterance}&d={domain}&m={context.missing}",
        &request("c-1"),
    )
    .unwrap();
    assert_eq!(
        url,
        "https://x/start?q=q%201%2F2&t=my%20SQL%20database%20is%20down&d=IT&m="
    );
}

#[tokio::test]
async fn a_request_is_queued_then_rings_the_first_available_agent() {
    let (desk, _events) = open(DeskConfig::default());
    let mut link = chat(&desk, "c-1").await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Queued {
            position: Some(1),
            eta_secs: None
        }
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ringing {
            agent: "Lisa".into()
        }
    );
}

#[tokio::test]
async fn accepting_joins_the_agent_and_greets_on_their_behalf() {
    let (desk, _events) = open(DeskConfig::default());
    let mut link = chat(&desk, "c-1").await;
    next(&mut link).await;
    next(&mut link).await;
    does(&desk, "Lisa", DeskAction::Accept("c-1".into())).await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent_info("Lisa", false)
        }
    );
    let ChatEvent::AgentMessage { agent, text } = next(&mut link).await else {
        panic!()
    };
    assert!(agent.on_behalf);
    assert_eq!(
        text,
        "Hello - can you share more details about the error message you're seeing?"
    );
    assert_eq!(desk.agents().await[0].active_chats, 1);
}

#[tokio::test]
async fn when_every_available_agent_declines_the_request_ends_without_agent() {
    let (desk, _events) = open(DeskConfig::default());
    let mut link = chat(&desk, "c-1").await;
    next(&mut link).await;
    next(&mut link).await;
    does(
        &desk,
        "Lisa",
        DeskAction::Reject("c-1".into(), "not my area".into()),
    )
    .await;
    assert!(matches!(
        next(&mut link).await,
        ChatEvent::Ended {
            reason: EndReason::NoAgent { .. }
        }
    ));
    assert_eq!(
        desk.act("Lisa", DeskAction::Accept("c-1".into())).await,
        Err(DeskError::UnknownConversation("c-1".into()))
    );
}

#[tokio::test]
async fn a_decline_rings_the_next_available_agent() {
    let (desk, _events) = open(DeskConfig::default());
    does(&desk, "Sam", DeskAction::SetPresence(Presence::Available)).await;
    let mut link = chat(&desk, "c-1").await;
    next(&mut link).await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ringing {
            agent: "Lisa".into()
        }
    );
    does(
        &desk,
        "Lisa",
        DeskAction::Reject("c-1".into(), "busy".into()),
    )
    .await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ringing {
            agent: "Sam".into()
        }
    );
}

#[tokio::test]
async fn accepting_a_live_chat_barges_in() {
    let (desk, mut desk_events) = open(DeskConfig::default());
    let mut link = chat(&desk, "c-1").await;
    does(&desk, "Lisa", DeskAction::Accept("c-1".into())).await;
    does(&desk, "Sam", DeskAction::Accept("c-1".into())).await;
    let mut joined = Vec::new();
    for _ in 0..5 {
        if let ChatEvent::AgentJoined { agent } = next(&mut link).await {
            joined.push(agent.name);
        }
        if joined.len() == 2 {
            break;
        }
    }
    assert_eq!(joined, vec!["Lisa", "Sam"]);
    does(
        &desk,
        "Sam",
        DeskAction::Reply("c-1".into(), "Sam here".into()),
    )
    .await;
    // The desk feed says both are in the chat now.
    let in_chat = loop {
        let DeskEvent::Conversation { event, .. } = desk_events.recv().await.unwrap() else {
            continue;
        };
        if let ConversationEvent::Assigned { agent, agents } = event
            && agent == "Sam"
        {
            break agents;
        }
    };
    assert_eq!(in_chat, vec!["Lisa", "Sam"]);
}

#[tokio::test]
async fn a_transfer_tells_the_user_and_swaps_the_agent() {
    let (desk, mut desk_events) = open(DeskConfig::default());
    let mut link = chat(&desk, "c-1").await;
    does(&desk, "Lisa", DeskAction::Accept("c-1".into())).await;
    while !matches!(next(&mut link).await, ChatEvent::AgentJoined { .. }) {}
    does(&desk, "Sam", DeskAction::SetPresence(Presence::Available)).await;
    does(
        &desk,
        "Lisa",
        DeskAction::Transfer("c-1".into(), "Sam".into()),
    )
    .await;
    let mut after = Vec::new();
    while after.len() < 3 {
        match next(&mut link).await {
            // The greeting on Lisa's behalf may still be on its way.
            ChatEvent::AgentMessage { .. } => {}
            event => after.push(event),
        }
    }
    assert_eq!(
        after,
        vec![
            ChatEvent::Transferred {
                to: Some("Sam".into())
            },
            ChatEvent::AgentLeft {
                agent: "Lisa".into()
            },
            ChatEvent::AgentJoined {
                agent: agent_info("Sam", false)
            },
        ]
    );
    let mut assigned = Vec::new();
    while assigned.len() < 2 {
        let DeskEvent::Conversation { event, .. } = desk_events.recv().await.unwrap() else {
            continue;
        };
        if let ConversationEvent::Assigned { agent, agents } = event {
            assigned.push((agent, agents));
        }
    }
    let only = |a: &str| (a.to_owned(), vec![a.to_owned()]);
    assert_eq!(assigned, vec![only("Lisa"), only("Sam")]);
    // Sam has the chat now; Lisa is out of it.
    does(
        &desk,
        "Sam",
        DeskAction::Reply("c-1".into(), "Sam here".into()),
    )
    .await;
    assert_eq!(
        refusal(
            &desk,
            "Lisa",
            DeskAction::Reply("c-1".into(), "still me".into())
        )
        .await,
        "Lisa is not in the chat of conversation c-1; Sam is in it"
    );
}

/// What the desk says when it refuses `agent`'s `action`.
async fn refusal(desk: &MockDesk, agent: &str, action: DeskAction) -> String {
    desk.act(agent, action).await.unwrap_err().to_string()
}

#[tokio::test]
async fn a_transfer_needs_a_known_available_agent_who_is_not_in_the_chat_yet() {
    let (desk, _events) = open(DeskConfig::default());
    let _link = chat(&desk, "c-1").await;
    let to = |agent: &str| DeskAction::Transfer("c-1".into(), agent.into());
    assert_eq!(
        refusal(&desk, "Lisa", to("Sam")).await,
        "conversation c-1 is still waiting; accept it first"
    );
    does(&desk, "Lisa", DeskAction::Accept("c-1".into())).await;
    assert_eq!(
        refusal(&desk, "Lisa", to("Nobody")).await,
        "no agent named \"Nobody\" on this desk"
    );
    assert_eq!(
        refusal(&desk, "Lisa", to("Lisa")).await,
        "Lisa is already in this chat"
    );
    // Sam is away on the default desk.
    assert_eq!(
        refusal(&desk, "Lisa", to("Sam")).await,
        "Sam is away: chats are transferred to available agents"
    );
}

#[tokio::test]
async fn agents_can_only_talk_in_their_own_chats() {
    let (desk, _events) = open(DeskConfig::default());
    let _link = chat(&desk, "c-1").await;
    let err = desk
        .act("Lisa", DeskAction::Reply("c-1".into(), "hi".into()))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "conversation c-1 is still waiting; accept it first"
    );
    does(&desk, "Lisa", DeskAction::Accept("c-1".into())).await;
    let err = desk
        .act("Sam", DeskAction::End("c-1".into()))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Sam is not in the chat of conversation c-1; Lisa is in it"
    );
    assert_eq!(
        desk.act("Zed", DeskAction::End("c-1".into())).await,
        Err(DeskError::UnknownAgent("Zed".into()))
    );
}

#[tokio::test]
async fn the_agent_ending_the_chat_tells_the_user_side() {
    let (desk, _events) = open(DeskConfig::default());
    let mut link = chat(&desk, "c-1").await;
    does(&desk, "Lisa", DeskAction::Accept("c-1".into())).await;
    does(&desk, "Lisa", DeskAction::End("c-1".into())).await;
    loop {
        if let ChatEvent::Ended { reason } = next(&mut link).await {
            assert_eq!(
                reason,
                EndReason::Agent {
                    agent: "Lisa".into()
                }
            );
            break;
        }
    }
}

#[tokio::test]
async fn autopilot_accepts_greets_and_answers() {
    let config = DeskConfig {
        autopilot: Some(Autopilot {
            accept_after: Duration::from_millis(10),
            ..Autopilot::default()
        }),
        ..DeskConfig::default()
    };
    let (desk, _events) = open(config);
    let mut link = chat(&desk, "c-1").await;
    loop {
        if let ChatEvent::AgentMessage { agent, .. } = next(&mut link).await {
            assert!(agent.on_behalf);
            break;
        }
    }
    link.commands
        .send(ChatCommand::Text {
            text: "the error is 42".into(),
            client_message_id: "m-1".into(),
        })
        .await
        .unwrap();
    let ChatEvent::AgentMessage { text, .. } = next(&mut link).await else {
        panic!()
    };
    assert_eq!(text, "Thanks. Could you paste the exact error text?");
}

#[tokio::test]
async fn the_desks_queue_timeout_ends_the_wait() {
    let config = DeskConfig {
        queue_timeout: Some(Duration::from_millis(10)),
        agents: vec![("Lisa".into(), Presence::Away)],
        ..DeskConfig::default()
    };
    let (desk, _events) = open(config);
    assert_eq!(
        desk.availability().await.unwrap(),
        Availability::Unavailable
    );
    let mut link = chat(&desk, "c-1").await;
    next(&mut link).await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ended {
            reason: EndReason::Timeout
        }
    );
}

#[tokio::test]
async fn expiring_the_queue_now_ends_the_wait_as_the_timer_would_and_only_while_waiting() {
    let config = DeskConfig {
        agents: vec![("Lisa".into(), Presence::Away)],
        ..DeskConfig::default()
    };
    let (desk, _events) = open(config);
    let mut link = chat(&desk, "c-1").await;
    next(&mut link).await;
    desk.expire_queue("c-1".into()).await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ended {
            reason: EndReason::Timeout
        }
    );
    let gone = desk.expire_queue("c-1".into()).await.unwrap_err();
    assert_eq!(gone, DeskError::UnknownConversation("c-1".into()));
    // A live chat is not waiting: the model refuses, as an emulator's control does.
    desk.act("Lisa", DeskAction::SetPresence(Presence::Available))
        .await
        .unwrap();
    let mut live = chat(&desk, "c-2").await;
    does(&desk, "Lisa", DeskAction::Accept("c-2".into())).await;
    next(&mut live).await;
    let refused = desk.expire_queue("c-2".into()).await.unwrap_err();
    assert!(matches!(refused, DeskError::InvalidState(_)), "{refused:?}");
}

#[tokio::test]
async fn the_desk_stamps_and_times_requests_on_its_clock() {
    let start = jiff::Timestamp::from_millisecond(5_000_000).unwrap();
    let clock = std::sync::Arc::new(crate::clock::ManualClock::new(start));
    let config = DeskConfig {
        queue_timeout: Some(Duration::from_secs(3600)),
        agents: vec![("Lisa".into(), Presence::Away)],
        clock,
        ..DeskConfig::default()
    };
    let (desk, mut events) = open(config);
    let mut link = chat(&desk, "c-1").await;
    let queued_at = loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
        if let DeskEvent::Conversation {
            event: ConversationEvent::Request { queued_at, .. },
            ..
        } = event.unwrap().unwrap()
        {
            break queued_at;
        }
    };
    assert_eq!(queued_at, 5_000_000);
    // An hour of the desk's own (manual) time needs no real wait: the queue times out now.
    next(&mut link).await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ended {
            reason: EndReason::Timeout
        }
    );
}

#[tokio::test]
async fn the_url_api_and_channel_styles() {
    let (desk, _events) = open(DeskConfig::for_style(HandoffStyle::Url));
    assert!(
        matches!(desk.start(request("c-1")).await.unwrap(), Started::Redirect { url, via: None, chat: Some(_) } if url == "https://livechat.acme.com/start-chat?queue_id=q%201%2F2")
    );

    let (desk, mut events) = open(DeskConfig::for_style(HandoffStyle::Api));
    assert!(
        matches!(desk.start(request("c-2")).await.unwrap(), Started::Redirect { via: Some(bot), chat: Some(_), .. } if bot == "Vayusphere Bot")
    );
    let mut saw_request = false;
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(200), events.recv()).await {
        saw_request |= matches!(
            e,
            DeskEvent::Conversation {
                event: ConversationEvent::Request {
                    style: HandoffStyle::Api,
                    ..
                },
                ..
            }
        );
    }
    assert!(
        saw_request,
        "the API style enqueues the request at the desk"
    );

    let (desk, _events) = open(DeskConfig::for_style(HandoffStyle::Channel));
    assert!(
        matches!(desk.start(request("c-3")).await.unwrap(), Started::Posted { channel, chat: Some(_) } if channel == "#it-help")
    );
}

/// The relayed chat of an api or channel handoff.
async fn handed_chat(style: HandoffStyle) -> (MockDesk, ChatLink) {
    let (desk, _events) = open(DeskConfig::for_style(style));
    let link = match desk.start(request("c-1")).await.unwrap() {
        Started::Redirect {
            chat: Some(link), ..
        }
        | Started::Posted {
            chat: Some(link), ..
        } => link,
        other => panic!("expected a relayed chat, got {other:?}"),
    };
    (desk, link)
}

#[tokio::test]
async fn in_the_url_api_and_channel_styles_the_agent_who_picks_the_request_up_chats_with_the_user()
{
    for style in [HandoffStyle::Url, HandoffStyle::Api, HandoffStyle::Channel] {
        let (desk, mut link) = handed_chat(style).await;
        does(&desk, "Lisa", DeskAction::Accept("c-1".into())).await;
        assert_eq!(
            next(&mut link).await,
            ChatEvent::AgentJoined {
                agent: agent_info("Lisa", false)
            },
            "{style}"
        );
        assert!(matches!(
            next(&mut link).await,
            ChatEvent::AgentMessage { .. }
        ));
        does(
            &desk,
            "Lisa",
            DeskAction::Reply("c-1".into(), "How can I help?".into()),
        )
        .await;
        assert_eq!(
            next(&mut link).await,
            ChatEvent::AgentMessage {
                agent: agent_info("Lisa", false),
                text: "How can I help?".into()
            }
        );
    }
}

#[tokio::test]
async fn a_request_the_broker_withdraws_is_withdrawn_at_the_desk_with_its_reason() {
    let (desk, mut events) = open(DeskConfig::default());
    let link = chat(&desk, "c-1").await;
    link.commands
        .send(ChatCommand::Withdraw {
            reason: EndReason::Timeout,
        })
        .await
        .unwrap();
    let withdrawn = loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .unwrap()
            .unwrap();
        if let DeskEvent::Conversation {
            event: ConversationEvent::Withdrawn { reason },
            ..
        } = event
        {
            break reason;
        }
    };
    assert_eq!(withdrawn, EndReason::Timeout);
}

#[tokio::test]
async fn a_second_start_of_a_conversation_still_at_the_desk_is_refused() {
    let (desk, _events) = open(DeskConfig::default());
    let _link = chat(&desk, "c-1").await;
    let refused = desk.start(request("c-1")).await.unwrap_err();
    assert!(
        matches!(&refused, ConnectorError::Status { status: 503, detail, .. } if detail == "conversation c-1 is already at the desk"),
        "{refused:?}"
    );
}
