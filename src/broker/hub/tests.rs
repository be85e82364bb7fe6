//! The hub's policy for sessions that fall behind, and who receives what.

use super::*;
use crate::broker::assistant::AssistantConfig;
use crate::protocol::HandoffStyle;
use crate::store::StoreWriter;
use crate::systems::mock::{DeskConfig, MockDesk};

pub(super) async fn hub() -> Hub {
    let (desk_tx, _desk_rx) = mpsc::channel(16);
    let desk = MockDesk::spawn(DeskConfig::default(), desk_tx);
    let (tx, _rx) = mpsc::channel(16);
    let settings = HubSettings {
        handoff: HandoffSettings {
            assistant: Arc::new(AssistantConfig::default()),
            style: HandoffStyle::Brokered,
            queue_timeout_ms: 120_000,
        },
        info: BrokerInfo {
            version: "test".into(),
            system: "mock".into(),
            style: HandoffStyle::Brokered,
            queue_timeout_ms: 120_000,
            max_message_bytes: 1024,
            max_attachment_bytes: 4096,
            transcript_ttl_ms: None,
        },
        derive_desk_view: false,
        evict_after: Duration::from_secs(300),
        resume: crate::broker::trust::ResumeKey::new(&[1; 32]),
        clock: Arc::new(crate::clock::SystemClock),
        translation: None,
    };
    let mut hub = Hub::new(
        settings,
        Arc::new(desk.clone()),
        Some(Arc::new(desk.clone())),
        tx,
    );
    hub.desk_agents = crate::connectors::AgentDesk::agents(&desk).await;
    hub
}

/// The message a queued frame carries.
pub(super) fn decoded(frame: &Frame) -> ServerMsg {
    serde_json::from_str(frame.as_str()).expect("the hub sends valid server messages")
}

/// A fresh join as `role`: no conversation, resume or traces.
pub(super) fn join(role: ClientRole) -> Join {
    Join {
        protocol: 1,
        role,
        conversation: None,
        user: None,
        agent: None,
        since: BTreeMap::new(),
        traces: false,
        resume: None,
        supervisor: false,
        platform: None,
        site: None,
        vouched: false,
    }
}

/// A session of `role` with a queue of `queue`, emptied of what joining queued.
fn joined(
    hub: &mut Hub,
    role: ClientRole,
    queue: usize,
) -> (SessionId, mpsc::Receiver<Frame>, CancellationToken) {
    let (out, mut out_rx) = mpsc::channel(queue);
    let kicked = CancellationToken::new();
    let joined = hub.join(join(role), out, kicked.clone()).expect("joined");
    hub.hand_over();
    while out_rx.try_recv().is_ok() {}
    (joined.session, out_rx, kicked)
}

#[tokio::test]
async fn a_session_whose_queue_is_full_is_dropped_with_notice_not_silently() {
    let mut hub = hub().await;
    let (session, mut out_rx, kicked) = joined(&mut hub, ClientRole::Observer, 1);
    hub.send(session, &ServerMsg::ack("a".into()));
    hub.hand_over();
    assert!(!kicked.is_cancelled(), "one message fits");
    hub.send(session, &ServerMsg::ack("b".into()));
    hub.hand_over();
    assert!(
        kicked.is_cancelled(),
        "the session is told to close so it resumes with hello.since"
    );
    assert!(!hub.sessions.contains_key(&session));
    assert!(
        !hub.holding_requests(),
        "a dropped session holds nothing back"
    );
    let first = out_rx.recv().await.map(|f| decoded(&f));
    assert_eq!(first, Some(ServerMsg::ack("a".into())));
}

/// Queues `n` acks for `session` and ends the burst.
fn acks(hub: &mut Hub, session: SessionId, n: usize) {
    for i in 0..n {
        hub.send(session, &ServerMsg::ack(format!("{i}").into()));
    }
    hub.hand_over();
}

#[tokio::test]
async fn an_agent_past_three_quarters_of_its_queue_holds_users_requests_back_until_down_to_half() {
    let mut hub = hub().await;
    let (agent, mut out_rx, kicked) = joined(&mut hub, ClientRole::Agent, 8);
    acks(&mut hub, agent, 6);
    assert!(
        !hub.holding_requests(),
        "6 of 8 is three quarters, not past"
    );
    acks(&mut hub, agent, 1);
    assert!(hub.holding_requests(), "7 of 8 holds users' requests back");
    acks(&mut hub, agent, 1);
    assert!(
        !kicked.is_cancelled(),
        "a full queue at the bound is not a drop"
    );
    for _ in 0..3 {
        out_rx.recv().await.expect("queued");
    }
    assert!(hub.holding_requests(), "5 of 8: still held");
    out_rx.recv().await.expect("queued");
    assert!(
        !hub.holding_requests(),
        "4 of 8, down to half: requests flow again"
    );
    assert!(hub.sessions.contains_key(&agent));
}

#[tokio::test]
async fn a_users_full_queue_holds_nothing_back() {
    let mut hub = hub().await;
    let (user, _out_rx, _kicked) = joined(&mut hub, ClientRole::User, 8);
    acks(&mut hub, user, 8);
    assert!(
        !hub.holding_requests(),
        "a user's queue has only its own conversation's events"
    );
}

#[tokio::test]
async fn events_reach_only_their_audience_and_conversation() {
    let mut hub = hub().await;
    let mut joined = [ClientRole::User, ClientRole::User, ClientRole::Agent].map(|role| {
        let (out, rx) = mpsc::channel(64);
        let joined = hub
            .join(join(role), out, CancellationToken::new())
            .expect("joined");
        (joined, rx)
    });
    let [(alice, a_rx), (_bob, b_rx), (_agent, g_rx)] = &mut joined;
    let ServerMsg::Welcome {
        conversation: Some(conv),
        ..
    } = &alice.replay[0]
    else {
        panic!()
    };
    // Bob's own opening events were queued to nobody but him; drain what is there.
    hub.hand_over();
    while b_rx.try_recv().is_ok() {}
    while g_rx.try_recv().is_ok() {}
    hub.append(
        conv,
        Audience::User,
        ConversationEvent::Typing {
            who: "user".into(),
            on: true,
        },
    );
    hub.append(
        conv,
        Audience::Agent,
        ConversationEvent::Offered {
            agent: "Lisa".into(),
        },
    );
    hub.hand_over();
    let kinds = |rx: &mut mpsc::Receiver<Frame>| {
        let mut kinds = Vec::new();
        while let Ok(ServerMsg::Event { event, .. }) = rx.try_recv().map(|f| decoded(&f)) {
            kinds.push(event.kind());
        }
        kinds
    };
    assert_eq!(kinds(a_rx), vec!["typing"]);
    assert!(kinds(b_rx).is_empty(), "another user's conversation");
    assert_eq!(kinds(g_rx), vec!["offered"]);
}

#[tokio::test]
async fn with_a_store_events_reach_clients_only_once_committed_and_replays_stop_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.sqlite");
    let mut hub = hub().await;
    let (writer, commits) = StoreWriter::spawn(crate::store::Store::open(&path).expect("open"));
    hub.restore(Vec::new(), writer, commits);
    let observer = |hub: &mut Hub| {
        let (out, rx) = mpsc::channel(64);
        let join = join(ClientRole::Observer);
        let joined = hub
            .join(join, out, CancellationToken::new())
            .expect("joined");
        (joined, rx)
    };
    let (_early, mut early_rx) = observer(&mut hub);
    let conv = hub.open(
        UserInfo::default(),
        crate::broker::platform::Scope::default(),
    );
    let made = hub.conversations[&conv].log.len();
    assert!(made > 0, "opening a conversation makes events");
    hub.hand_over();
    assert!(
        early_rx.try_recv().is_err(),
        "nothing is visible before the commit"
    );
    let (late, _late_rx) = observer(&mut hub);
    assert!(
        !late
            .replay
            .iter()
            .any(|m| matches!(m, ServerMsg::Event { .. })),
        "a replay holds only stored events"
    );
    let mut seen = 0;
    while seen < made {
        let commit = durable::next_commit(&mut hub.store).await;
        hub.committed(commit, &CancellationToken::new());
        hub.hand_over();
        while let Ok(msg) = early_rx.try_recv().map(|f| decoded(&f)) {
            let ServerMsg::Event { seq, .. } = msg else {
                panic!("only events: {msg:?}")
            };
            seen += 1;
            assert_eq!(seq, seen as u64, "in order, once each");
        }
    }
    let stored = crate::store::Store::open(&path)
        .expect("reopen")
        .conversation(&conv)
        .expect("read")
        .expect("stored");
    assert_eq!(stored.events.len(), made, "what clients saw is on disk");
}

/// A user's join naming `platform`, vouched for or not.
fn user_on(platform: crate::protocol::Platform, vouched: bool) -> Join {
    Join {
        platform: Some(platform),
        vouched,
        ..join(ClientRole::User)
    }
}

fn conversation_of(joined: &Joined) -> ConversationId {
    match joined.replay.first() {
        Some(ServerMsg::Welcome {
            conversation: Some(conv),
            ..
        }) => conv.clone(),
        other => panic!("no welcome first: {other:?}"),
    }
}

#[tokio::test]
async fn a_users_conversations_are_keyed_by_platform_and_forgotten_when_evicted() {
    use crate::protocol::Platform;
    let mut hub = hub().await;
    let mut sessions = Vec::new();
    let mut join_as = |hub: &mut Hub, join: Join| {
        let (out, _rx) = mpsc::channel(64);
        let joined = hub.join(join, out, CancellationToken::new())?;
        sessions.push(joined.session);
        Ok::<_, (ErrorCode, String)>(conversation_of(&joined))
    };
    let slack = join_as(&mut hub, user_on(Platform::Slack, true)).expect("joined");
    let teams = join_as(&mut hub, user_on(Platform::Teams, true)).expect("joined");
    assert_ne!(slack, teams);
    let again = join_as(&mut hub, user_on(Platform::Slack, true)).expect("joined");
    assert_eq!(again, slack, "the Slack chat continues");
    assert_eq!(
        hub.conversations[&slack].machine.scope().platform,
        Platform::Slack
    );
    let refused = join_as(&mut hub, user_on(Platform::Slack, false)).unwrap_err();
    assert_eq!(refused.0, ErrorCode::Forbidden, "{}", refused.1);
    assert_eq!(hub.user_chats.count_for(&UserInfo::default().id), 2);

    // Conversations leaving memory leave the map: the next hello opens a new one.
    for session in std::mem::take(&mut sessions) {
        hub.handle(HubMsg::Leave(session));
    }
    hub.sweep(Instant::now() + Duration::from_secs(3600));
    assert!(hub.conversations.is_empty() && hub.user_chats.is_empty());
    let (out, _rx) = mpsc::channel(64);
    let fresh = hub.join(
        user_on(Platform::Slack, true),
        out,
        CancellationToken::new(),
    );
    assert_ne!(conversation_of(&fresh.expect("joined")), slack);
    assert_eq!(hub.user_chats.len(), 1);
}

#[tokio::test]
async fn frames_wait_in_the_outbox_until_the_burst_ends_then_arrive_in_order() {
    let mut hub = hub().await;
    let (session, mut out_rx, _kicked) = joined(&mut hub, ClientRole::Agent, 64);
    for id in ["a", "b", "c"] {
        hub.send(session, &ServerMsg::ack(id.into()));
    }
    assert!(out_rx.try_recv().is_err(), "nothing before the burst ends");
    assert_eq!(hub.outbox.len(), 3);
    hub.hand_over();
    let ids: Vec<ServerMsg> = std::iter::from_fn(|| out_rx.try_recv().ok())
        .map(|f| decoded(&f))
        .collect();
    let expected = ["a", "b", "c"].map(|id| ServerMsg::ack(id.into()));
    assert_eq!(ids, expected);
    assert_eq!(hub.outbox.len(), 0);
}

#[tokio::test]
async fn the_outbox_hands_its_frames_over_when_it_reaches_its_bound() {
    let mut hub = hub().await;
    let (session, mut out_rx, kicked) =
        joined(&mut hub, ClientRole::Observer, burst::OUTBOX_FRAMES * 2);
    for i in 0..burst::OUTBOX_FRAMES - 1 {
        let id = format!("{i}").into();
        hub.send(session, &ServerMsg::ack(id));
    }
    assert!(out_rx.try_recv().is_err(), "below the bound, frames wait");
    assert_eq!(hub.outbox.len(), burst::OUTBOX_FRAMES - 1);
    hub.send(session, &ServerMsg::ack("last".into()));
    assert_eq!(hub.outbox.len(), 0, "the bound is never passed");
    assert_eq!(out_rx.len(), burst::OUTBOX_FRAMES);
    assert!(!kicked.is_cancelled());
}

#[tokio::test]
async fn frames_for_a_session_that_left_during_the_burst_are_dropped_with_it() {
    let mut hub = hub().await;
    let (session, mut out_rx, kicked) = joined(&mut hub, ClientRole::Agent, 8);
    hub.send(session, &ServerMsg::ack("a".into()));
    hub.handle(HubMsg::Leave(session));
    hub.hand_over();
    assert!(out_rx.try_recv().is_err());
    assert!(!kicked.is_cancelled(), "leaving is not being dropped");
}

#[test]
fn a_desk_action_on_an_ended_chat_is_not_found_whatever_the_system() {
    use super::outbound::chat_gone;
    use crate::connectors::DeskAction;
    use crate::protocol::{EndReason, HandoffState};
    let conv = ConversationId::from("c-1");
    let ended = |reason| HandoffState::Ended { reason };
    let reply = DeskAction::Reply(conv.clone(), "Are you still there?".into());
    let (code, message) = chat_gone(&ended(EndReason::User), &reply).expect("refused");
    assert_eq!(code, ErrorCode::NotFound);
    assert!(
        message.contains("c-1") && message.contains("by user"),
        "{message}"
    );
    for action in [
        DeskAction::Accept(conv.clone()),
        DeskAction::End(conv.clone()),
        DeskAction::Transfer(conv.clone(), "Sam".into()),
        DeskAction::Invite(conv.clone(), "Sam".into()),
    ] {
        let refused = chat_gone(&ended(EndReason::Timeout), &action);
        assert_eq!(
            refused.map(|r| r.0),
            Some(ErrorCode::NotFound),
            "{action:?}"
        );
    }
    // Typing is dropped, a handed-over request is the system's, a live chat is the desk's to judge.
    let typing = DeskAction::Typing(conv.clone(), false);
    assert_eq!(chat_gone(&ended(EndReason::User), &typing), None);
    let handed = EndReason::HandedOver {
        system: "BeyondTrust".into(),
    };
    assert_eq!(
        chat_gone(&ended(handed), &DeskAction::Accept(conv.clone())),
        None
    );
    assert_eq!(chat_gone(&HandoffState::Connecting, &reply), None);
}
